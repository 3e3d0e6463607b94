//! `/notifications`: what happened to the viewer, newest first, live; read and delete.

use super::feed::LoadError;
use crate::api::{
    delete_notification, load_notifications, read_all_notifications, read_notification,
};
use crate::components::{rows::Rows, time::RelativeTime};
use crate::error::ErrorCode;
use crate::events::{NotificationReceived, NotificationsChanged, NotificationsUpdate};
use crate::model::{Notification, NotificationId, NotificationKind, NotificationPage};
use crate::realtime::SocketClient;
use crate::root::UnreadNotifications;
use crate::text::{chat_path, initial, post_path, profile_path};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// `/notifications`: signed-in users only.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let first = Resource::new(|| (), |_| load_notifications(None));
    view! {
        <Title text="Notifications · Chatty"/>
        <Suspense fallback=NotificationsSkeleton>
            {move || first.get().map(|page| match page {
                Ok(page) => view! { <NotificationList initial=page/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

/// Puts `n` in the list, newest first, in place of one with its id. A notification
/// older than everything shown while older pages remain belongs to those pages: left out.
pub fn insert(list: &mut Vec<Notification>, n: Notification, more_below: bool) {
    list.retain(|x| x.id != n.id);
    match list.iter().position(|x| x.id < n.id) {
        Some(i) => list.insert(i, n),
        None if !more_below => list.push(n),
        None => {}
    }
}

/// Applies reads and deletes (from this tab or another).
pub fn apply_update(list: &mut Vec<Notification>, update: &NotificationsUpdate) {
    list.retain(|n| !update.deleted.contains(&n.id));
    for n in list.iter_mut() {
        if update.all_read || update.read.contains(&n.id) {
            n.read = true;
        }
    }
}

/// What the notification says after the actor's name.
pub fn describe(n: &Notification) -> String {
    match n.kind {
        NotificationKind::Comment => format!("commented on your post: “{}”", n.excerpt),
        NotificationKind::Reaction => match n.reaction {
            Some(r) => format!("reacted {} to your post", r.emoji()),
            None => "reacted to your post".to_owned(),
        },
        NotificationKind::Follow => "started following you".to_owned(),
        NotificationKind::Message => {
            let what = if n.count == 1 {
                "a message".to_owned()
            } else {
                format!("{} messages", n.count)
            };
            if n.excerpt.is_empty() {
                format!("sent you {what}")
            } else {
                format!("sent you {what}: “{}”", n.excerpt)
            }
        }
    }
}

/// Where the notification leads, and the link's words.
pub fn target(n: &Notification) -> (String, &'static str) {
    match (n.kind, n.post_id) {
        (NotificationKind::Comment | NotificationKind::Reaction, Some(post)) => {
            (post_path(post), "View post")
        }
        (NotificationKind::Message, _) => (chat_path(&n.actor.username), "Open chat"),
        _ => (profile_path(&n.actor.username), "View profile"),
    }
}

/// Something done to one notification from its buttons.
#[derive(Clone, Copy)]
enum Act {
    Read(NotificationId),
    Delete(NotificationId),
}

#[component]
fn NotificationList(initial: NotificationPage) -> impl IntoView {
    // The header's count came with the page too; setting it here, while hydrating,
    // could make the badge disagree with the server's HTML.
    let count = expect_context::<UnreadNotifications>();
    let items = RwSignal::new(initial.items);
    let next = RwSignal::new(initial.next_before);
    let loading_more = RwSignal::new(false);
    let marking_all = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let socket = expect_context::<SocketClient>();
    socket
        .on::<NotificationReceived>(move |e| {
            let more_below = next.get_untracked().is_some();
            items.update(|v| {
                if let Some(old) = e.replaces {
                    v.retain(|n| n.id != old);
                }
                insert(v, e.notification, more_below);
            })
        })
        .until_cleanup();
    socket
        .on::<NotificationsChanged>(move |e| items.update(|v| apply_update(v, &e)))
        .until_cleanup();
    // Missed events that could not be replayed: start again from the newest page.
    socket
        .on_reload(move || {
            leptos::task::spawn_local(async move {
                if let Ok(page) = load_notifications(None).await {
                    items.set(page.items);
                    next.set(page.next_before);
                    count.answered(page.unread);
                }
            })
        })
        .until_cleanup();

    let act = move |act: Act| {
        leptos::task::spawn_local(async move {
            let answer = match act {
                Act::Read(id) => read_notification(id).await.inspect(|_| {
                    items.update(|v| apply_update(v, &NotificationsUpdate::read(vec![id])))
                }),
                Act::Delete(id) => delete_notification(id)
                    .await
                    .inspect(|_| items.update(|v| v.retain(|n| n.id != id))),
            };
            match answer {
                Ok(unread) => {
                    count.answered(unread);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let mark_all = move |_| {
        marking_all.set(true);
        leptos::task::spawn_local(async move {
            match read_all_notifications().await {
                Ok(unread) => {
                    items.update(|v| {
                        apply_update(
                            v,
                            &NotificationsUpdate {
                                all_read: true,
                                ..Default::default()
                            },
                        )
                    });
                    count.answered(unread);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message)),
            }
            marking_all.set(false);
        });
    };
    let load_more = move |_| {
        let Some(before) = next.get_untracked() else {
            return;
        };
        loading_more.set(true);
        leptos::task::spawn_local(async move {
            match load_notifications(Some(before)).await {
                Ok(page) => {
                    items.update(|v| page.items.into_iter().for_each(|n| insert(v, n, false)));
                    next.set(page.next_before);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message)),
            }
            loading_more.set(false);
        });
    };

    let any_unread = move || count.get() > 0 || items.with(|v| v.iter().any(|n| !n.read));
    let ids = move || items.with(|v| v.iter().map(|n| n.id).collect::<Vec<_>>());

    view! {
        <div class="page-head">
            <h1>"Notifications"</h1>
            <div class="row">
                <button class="button small" type="button" on:click=mark_all
                    disabled=move || marking_all.get() || !any_unread()>"Mark all read"</button>
                <a class="button ghost small" href="/settings">"Settings"</a>
            </div>
        </div>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <ul class="notifications" data-testid="notifications" aria-label="Notifications">
            <Rows each=ids key=|id| *id let:id>
                {items.with_untracked(|v| v.iter().find(|n| n.id == id).cloned()).map(|n| {
                    let read = Signal::derive(move || {
                        items.with(|v| v.iter().find(|n| n.id == id).is_none_or(|n| n.read))
                    });
                    view! { <NotificationItem notification=n read=read act=act/> }
                })}
            </Rows>
        </ul>
        <Show when=move || items.with(Vec::is_empty)>
            <div class="card empty">
                <p>"No notifications yet. Comments, reactions, new followers and messages show up here."</p>
            </div>
        </Show>
        <div class="more">
            <Show when=move || next.get().is_some()>
                <button class="button" type="button" on:click=load_more disabled=move || loading_more.get()>
                    {move || if loading_more.get() { "Loading…" } else { "Load more" }}
                </button>
            </Show>
        </div>
    }
}

#[component]
fn NotificationItem(
    notification: Notification,
    read: Signal<bool>,
    act: impl Fn(Act) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = notification.id;
    let actor = notification.actor.username.clone();
    let (href, link_text) = target(&notification);
    let text = describe(&notification);
    // Following the link reads it, as "Mark read" would.
    let open = move |_| {
        if !read.get_untracked() {
            act(Act::Read(id));
        }
    };
    view! {
        <li class="card notification" class:unread=move || !read.get() data-testid="notification"
            data-kind=notification.kind.as_str() data-unread=move || (!read.get()).to_string()>
            <a class="avatar" href=profile_path(&actor) aria-hidden="true" tabindex="-1">{initial(&actor)}</a>
            <div class="notification-body">
                <p class="notification-text">
                    <span class="unread-dot" aria-hidden="true"></span>
                    <Show when=move || !read.get()><span class="sr-only">"Unread: "</span></Show>
                    <a class="author" href=profile_path(&actor)>{actor.clone()}</a>" "{text}
                </p>
                <div class="muted small notification-meta">
                    <RelativeTime ms=notification.created_at/>
                    " · "
                    <a href=href on:click=open>{link_text}</a>
                </div>
            </div>
            <div class="notification-actions">
                <button class="button ghost small" class:invisible=move || read.get() type="button"
                    disabled=move || read.get() on:click=move |_| act(Act::Read(id))>"Mark read"</button>
                <button class="button ghost small danger" type="button" on:click=move |_| act(Act::Delete(id))>"Delete"</button>
            </div>
        </li>
    }
}

/// Placeholder rows shaped like notifications.
#[component]
fn NotificationsSkeleton() -> impl IntoView {
    view! {
        <div class="page-head"><h1>"Notifications"</h1></div>
        <div aria-busy="true" aria-label="Loading">
            {(0..4).map(|_| view! { <div class="card notification skeleton" aria-hidden="true"></div> }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConversationId, PostId, ReactionKind, UserId, UserSummary};

    fn note(id: i64, kind: NotificationKind) -> Notification {
        Notification {
            id: NotificationId(id),
            kind,
            actor: UserSummary {
                id: UserId(7),
                username: "ann".into(),
            },
            post_id: Some(PostId(3)),
            conversation_id: Some(ConversationId(4)),
            reaction: Some(ReactionKind::Love),
            excerpt: "hi".into(),
            count: 1,
            created_at: 0,
            read: false,
        }
    }

    fn ids(v: &[Notification]) -> Vec<i64> {
        v.iter().map(|n| n.id.0).collect()
    }

    #[test]
    fn insert_keeps_newest_first_and_leaves_older_pages_alone() {
        let mut v = vec![
            note(5, NotificationKind::Follow),
            note(3, NotificationKind::Follow),
        ];
        insert(&mut v, note(9, NotificationKind::Comment), true);
        insert(&mut v, note(4, NotificationKind::Comment), true);
        insert(&mut v, note(5, NotificationKind::Comment), true);
        insert(&mut v, note(1, NotificationKind::Comment), true);
        assert_eq!(ids(&v), [9, 5, 4, 3]);
        assert_eq!(v[1].kind, NotificationKind::Comment);
        insert(&mut v, note(1, NotificationKind::Comment), false);
        assert_eq!(ids(&v), [9, 5, 4, 3, 1]);
    }

    #[test]
    fn updates_read_and_delete() {
        let mut v = vec![
            note(3, NotificationKind::Follow),
            note(2, NotificationKind::Follow),
            note(1, NotificationKind::Follow),
        ];
        apply_update(
            &mut v,
            &NotificationsUpdate {
                read: vec![NotificationId(2)],
                deleted: vec![NotificationId(3)],
                ..Default::default()
            },
        );
        assert_eq!(ids(&v), [2, 1]);
        assert_eq!((v[0].read, v[1].read), (true, false));
        apply_update(
            &mut v,
            &NotificationsUpdate {
                all_read: true,
                ..Default::default()
            },
        );
        assert!(v.iter().all(|n| n.read));
    }

    #[test]
    fn words_and_links_by_kind() {
        let comment = note(1, NotificationKind::Comment);
        assert_eq!(describe(&comment), "commented on your post: “hi”");
        assert_eq!(target(&comment).0, "/posts/3");
        let reaction = note(1, NotificationKind::Reaction);
        assert!(describe(&reaction).starts_with("reacted "));
        assert!(describe(&reaction).ends_with(" to your post"));
        let follow = note(1, NotificationKind::Follow);
        assert_eq!(describe(&follow), "started following you");
        assert_eq!(target(&follow).0, "/u/ann");
        let mut message = note(1, NotificationKind::Message);
        assert_eq!(describe(&message), "sent you a message: “hi”");
        message.count = 3;
        assert_eq!(describe(&message), "sent you 3 messages: “hi”");
        assert_eq!(target(&message).0, "/chat/ann");
    }
}
