//! Pieces shared by pages.

pub mod composer;
pub mod header;
pub mod post_card;
pub mod reactions;
pub mod time;
pub mod user_card;
