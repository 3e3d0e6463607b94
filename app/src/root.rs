//! The HTML shell, the router and what every page shares: the signed-in user and the
//! one live connection of this tab.

use crate::components::{header::Header, presence::Presence};
use crate::events::{NotificationReceived, NotificationsChanged};
use crate::model::{SessionInfo, UserSummary};
use crate::pages::{
    feed::FeedPage,
    lazy::{
        ChatListRoute, ConversationRoute, NotificationsRoute, PeopleRoute, PostRoute, ProfileRoute,
        SettingsRoute, SignInRoute, SignUpRoute,
    },
    not_found::NotFound,
};
use crate::realtime::{ConnState, SocketClient};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The site's icon: a "C" on the brand's blue, inline, so no page load asks for a file
/// (without one the browser fetches `/favicon.ico`, a 404 and a console error on every
/// page).
const ICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' \
    viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%232563eb'/%3E\
    %3Cpath d='M21 11A7 7 0 1 0 21 21' fill='none' stroke='white' stroke-width='3.5' \
    stroke-linecap='round'/%3E%3C/svg%3E";

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" type="image/svg+xml" href=ICON/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The signed-in user and their unread counts, loaded once per page load in one
/// request and shared through context (live changes to the counts come by socket).
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<SessionInfo, crate::error::ApiError>>);

impl CurrentUser {
    /// The user, once loaded and if signed in.
    pub fn get(&self) -> Option<UserSummary> {
        self.0
            .with(|s| s.as_ref().and_then(|s| s.as_ref().ok()?.user.clone()))
    }

    /// An unread count as the page was loaded (tracked), 0 until then.
    pub fn unread_at_load(&self, count: impl Fn(&SessionInfo) -> i64) -> i64 {
        self.0
            .with(|s| s.as_ref().and_then(|s| s.as_ref().ok().map(&count)))
            .unwrap_or(0)
    }
}

/// The viewer's unread notification count: as the page was loaded, then live from
/// `notification:new` and `notification:changed` (counted from storage, so every tab
/// agrees).
#[derive(Clone, Copy)]
pub struct UnreadNotifications {
    session: CurrentUser,
    live: RwSignal<Option<i64>>,
    state: Signal<ConnState>,
}

impl UnreadNotifications {
    /// Creates the count and its listeners, and puts it in context.
    fn provide(session: CurrentUser, socket: &SocketClient) {
        let count = Self {
            session,
            live: RwSignal::new(None),
            state: socket.state(),
        };
        provide_context(count);
        socket
            .on::<NotificationReceived>(move |e| count.live.set(Some(e.unread)))
            .until_cleanup();
        socket
            .on::<NotificationsChanged>(move |e| count.live.set(Some(e.unread)))
            .until_cleanup();
        socket
            .on_reload(move || {
                leptos::task::spawn_local(async move {
                    if let Ok(n) = crate::api::load_unread_notifications().await {
                        count.live.set(Some(n));
                    }
                });
            })
            .until_cleanup();
    }

    /// The count now (tracked; read it inside a `Suspense` or `Transition`).
    pub fn get(&self) -> i64 {
        self.live
            .get()
            .unwrap_or_else(|| self.session.unread_at_load(|s| s.unread_notifications))
    }

    /// The count a server function answered with. While the live connection is up its
    /// events carry the count in order, so a late answer must not override them.
    pub fn answered(&self, unread: i64) {
        if self.state.get_untracked() != ConnState::Connected {
            self.live.set(Some(unread));
        }
    }
}

/// The application.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Resources are matched to the server's serialized values by creation order: create
    // the ones every page shares here, before any page's, in the same order everywhere.
    let user = CurrentUser(Resource::new(|| (), |_| crate::api::load_session()));
    provide_context(user);
    // Connect once the page's session says someone is signed in: a signed-out page (sign
    // in, sign up) opens no connection for the server to refuse. Signing in or out
    // reloads the page. If the session could not be read, try: the server decides.
    let socket = SocketClient::idle();
    Effect::new({
        let socket = socket.clone();
        move |_| match user.0.get() {
            Some(Ok(SessionInfo { user: None, .. })) => socket.signed_out(),
            Some(_) => socket.reconnect(),
            None => {}
        }
    });
    provide_context(socket.clone());
    UnreadNotifications::provide(user, &socket);
    // Only the pages that show presence load it (`Presence::load`).
    Presence::provide(&socket);
    mark_socket_state(socket);

    view! {
        <Stylesheet id="leptos" href="/pkg/app.css"/>
        <Title text="Chatty"/>
        <Router>
            <Header/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=FeedPage ssr=SsrMode::Async/>
                    // The feed ships in the main bundle; every other page in its own chunk.
                    <Route path=path!("/signin") view={Lazy::<SignInRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/posts/:id") view={Lazy::<PostRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/u/:username") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/people") view={Lazy::<PeopleRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/chat") view={Lazy::<ChatListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/chat/:username") view={Lazy::<ConversationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Tells tests (and CSS) the live connection's state as `data-socket` on `<html>`,
/// instead of making them guess.
fn mark_socket_state(socket: SocketClient) {
    #[cfg(feature = "hydrate")]
    {
        let state = socket.state();
        Effect::new(move |_| {
            let state = state.get();
            if let Some(el) = leptos::prelude::document().document_element()
                && let Err(err) = el.set_attribute("data-socket", state.as_str())
            {
                leptos::logging::warn!("cannot mark the socket state: {err:?}");
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = socket;
}

/// Marks `<html>` with `data-hydrated` once the page is hydrated (called by the browser
/// entry point when hydration, lazy route chunk included, has finished), so tests wait
/// for that fact instead of guessing.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(el) = leptos::prelude::document().document_element()
        && let Err(err) = el.set_attribute("data-hydrated", "true")
    {
        leptos::logging::warn!("cannot mark the document hydrated: {err:?}");
    }
}
