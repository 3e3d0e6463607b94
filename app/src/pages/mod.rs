//! One module per page.

pub mod auth_form;
pub mod chat;
pub mod feed;
pub mod lazy;
pub mod not_found;
pub mod notifications;
pub mod people;
pub mod post;
pub mod profile;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
