//! One module per page.

pub mod auth_form;
pub mod feed;
pub mod not_found;
pub mod sign_in;
pub mod sign_up;
