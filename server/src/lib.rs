//! The server: configuration, storage, auth, the service layer, the JSON API and the
//! Socket.IO realtime layer, all on one port with the server-rendered pages.

#![recursion_limit = "256"]

pub mod auth;
pub mod backend;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod realtime;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod visibility;
