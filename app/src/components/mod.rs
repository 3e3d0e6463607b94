//! Pieces shared by pages.

pub mod composer;
pub mod header;
pub mod live;
pub mod post_card;
pub mod presence;
pub mod reactions;
pub mod rows;
pub mod time;
pub mod user_card;
