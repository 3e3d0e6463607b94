//! Every page but the feed as a lazily loaded route. Built with `cargo leptos build
//! --split`, each of these pages ships in a WASM chunk of its own, fetched the first time
//! the page is shown, so the feed (where people land) downloads only what it needs.
//! The server renders them as usual.

use super::{
    chat::{ChatListPage, ConversationPage},
    notifications::NotificationsPage,
    people::PeoplePage,
    post::PostPage,
    profile::ProfilePage,
    settings::SettingsPage,
    sign_in::SignInPage,
    sign_up::SignUpPage,
};
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

macro_rules! lazy_pages {
    ($( $route:ident => $page:ident, $what:literal; )*) => {$(
        #[doc = concat!("The ", $what, " page, loaded lazily.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    SignInRoute => SignInPage, "sign-in";
    SignUpRoute => SignUpPage, "sign-up";
    PostRoute => PostPage, "post";
    ProfileRoute => ProfilePage, "profile";
    PeopleRoute => PeoplePage, "people";
    ChatListRoute => ChatListPage, "chat list";
    ConversationRoute => ConversationPage, "conversation";
    NotificationsRoute => NotificationsPage, "notifications";
    SettingsRoute => SettingsPage, "settings";
}
