//! The page header: brand, navigation with unread badges, live-connection status, the
//! signed-in user, sign out.

use crate::api::SignOut;
use crate::pages::auth_form::go_to;
use crate::realtime::SocketClient;
use crate::root::{CurrentUser, UnreadNotifications};
use crate::text::profile_path;
use leptos::prelude::*;

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Chatty"</a>
            <Transition fallback=|| view! { <div class="who placeholder"></div> }>
                {move || match user.get() {
                    Some(me) => view! {
                        <div class="who">
                            <nav class="nav" aria-label="Main">
                                <a href="/">"Feed"</a>
                                <a href="/people">"People"</a>
                                <a href="/chat" class="chat-link">"Chat"<UnreadBadge/></a>
                                <a href="/notifications" class="notif-link">
                                    <svg class="nav-icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none"
                                        stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                                        <path d="M6 9a6 6 0 0 1 12 0v4l2 3H4l2-3z"/>
                                        <path d="M10 19a2 2 0 0 0 4 0"/>
                                    </svg>
                                    <span class="nav-label">"Notifications"</span>
                                    <NotificationBadge/>
                                </a>
                            </nav>
                            <ConnStatus/>
                            <a class="username" data-testid="current-user" href=profile_path(&me.username)>{me.username.clone()}</a>
                            <SignOutButton/>
                        </div>
                    }.into_any(),
                    None => view! {
                        <nav class="who">
                            <a class="button" href="/signin">"Sign in"</a>
                            <a class="button primary" href="/signup">"Sign up"</a>
                        </nav>
                    }.into_any(),
                }}
            </Transition>
        </header>
    }
}

/// The unread message total: loaded with the page, then kept live by the server's
/// `chat:unread` events (computed from storage, so every tab agrees).
#[component]
fn UnreadBadge() -> impl IntoView {
    let session = expect_context::<CurrentUser>();
    let live = RwSignal::new(None::<i64>);
    expect_context::<SocketClient>()
        .on::<crate::events::UnreadChanged>(move |u| live.set(Some(u.total)))
        .until_cleanup();
    let total = move || {
        live.get()
            .unwrap_or_else(|| session.unread_at_load(|s| s.unread_messages))
    };
    // Rendered inside the header's Transition, which waits for the resource.
    move || {
        (total() > 0).then(|| view! {
            <span class="badge unread" data-testid="unread-badge" aria-label=format!("{} unread messages", total())>{total()}</span>
        })
    }
}

/// The unread notification count (shared with the notifications page through
/// [`UnreadNotifications`]). It sits in room the link always keeps for it, so it never
/// moves the header when it comes and goes.
#[component]
fn NotificationBadge() -> impl IntoView {
    let count = expect_context::<UnreadNotifications>();
    // Rendered inside the header's Transition, which waits for the resource.
    move || {
        let n = count.get();
        (n > 0).then(|| {
            let label = if n == 1 {
                "1 unread notification".to_owned()
            } else {
                format!("{n} unread notifications")
            };
            view! {
                <span class="badge unread notif-badge" data-testid="notif-badge" aria-label=label>
                    {if n > 99 { "99+".to_owned() } else { n.to_string() }}
                </span>
            }
        })
    }
}

/// The live connection's state as a pill; its width is fixed so nothing jumps.
#[component]
fn ConnStatus() -> impl IntoView {
    let state = expect_context::<SocketClient>().state();
    view! {
        <span class="conn" data-testid="conn-status" data-state=move || state.get().as_str()
            role="status" aria-live="polite" title="Live connection">
            <span class="dot" aria-hidden="true"></span>
            {move || state.get().label()}
        </span>
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            expect_context::<SocketClient>().close();
            go_to("/signin");
        }
    });
    view! {
        <ActionForm action=action attr:class="inline">
            <button class="button ghost" type="submit" disabled=move || action.pending().get()>"Sign out"</button>
        </ActionForm>
    }
}
