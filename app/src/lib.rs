//! The shared crate: the realtime contract, the data model, the Socket.IO client and
//! the pages. Built with `ssr` into the server and with `hydrate` into the browser.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod events;
pub mod model;
pub mod pages;
pub mod realtime;
mod root;
#[cfg(feature = "ssr")]
pub mod service;
pub mod text;

#[cfg(feature = "hydrate")]
pub use root::mark_hydrated;
pub use root::{App, shell};
