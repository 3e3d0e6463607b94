//! Who is online: one store per tab (in context), seeded with the page and kept live by
//! `presence:changed`, and the pieces that show it (the "Online now" list, green dots).
//!
//! The server sends presence changes only to tabs that watch them: the first component
//! of a tab that shows presence sends `presence:watch` (its ack is the current list), the
//! last one to go sends `presence:unwatch`. A tab showing no presence gets none.

use crate::api::load_online;
use crate::error::ApiError;
use crate::events::{PresenceChanged, WatchPresence};
use crate::model::{OnlineUsers, PresenceChange, PresenceWatch, UserId, UserSummary};
use crate::realtime::SocketClient;
use crate::root::CurrentUser;
use leptos::prelude::*;

/// The users the viewer may see online now (never the viewer).
///
/// As loaded with the page until the tab watches presence; live after that. Presence
/// events are transient (not replayed), so every (re)connection asks for the list again.
#[derive(Clone, Copy)]
pub struct Presence {
    me: CurrentUser,
    socket: StoredValue<SocketClient>,
    at_load: Resource<Result<OnlineUsers, ApiError>>,
    live: RwSignal<Option<Vec<UserSummary>>>,
    /// Changes that arrived while a reload was under way, to apply on top of it.
    during_reload: StoredValue<Option<Vec<PresenceChange>>>,
    /// Components of this tab that show presence now.
    watchers: StoredValue<usize>,
}

impl Presence {
    /// Creates the store, its resource and its listeners, and puts it in context.
    /// Call it once, in `App`, always at the same point (it creates a resource).
    pub fn provide(socket: &SocketClient) {
        let me = expect_context::<CurrentUser>();
        let at_load = Resource::new(
            || (),
            move |_| async move {
                // Signed out there is nobody to show (and asking would fail the page).
                match me.0.await?.user {
                    Some(_) => load_online().await,
                    None => Ok(OnlineUsers::default()),
                }
            },
        );
        let presence = Presence {
            me,
            socket: StoredValue::new(socket.clone()),
            at_load,
            live: RwSignal::new(None),
            during_reload: StoredValue::new(None),
            watchers: StoredValue::new(0),
        };
        provide_context(presence);
        socket
            .on::<PresenceChanged>(move |change| presence.apply(change))
            .until_cleanup();
        socket
            .on_connect(move || {
                // The server forgets what a connection watched: ask again.
                if presence.watchers.get_value() > 0 {
                    presence.subscribe();
                }
            })
            .until_cleanup();
    }

    /// Keeps presence live while the calling component lives (call it in the body of a
    /// component that shows presence). In the browser only; server rendering shows the
    /// list loaded with the page.
    pub fn watch(&self) {
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            let first = self
                .watchers
                .try_update_value(|n| {
                    *n += 1;
                    *n == 1
                })
                .unwrap_or(false);
            let connected = self
                .socket
                .with_value(|s| s.state().get_untracked() == crate::realtime::ConnState::Connected);
            if first && connected {
                self.subscribe();
            }
            on_cleanup(move || {
                let last = this
                    .watchers
                    .try_update_value(|n| {
                        *n = n.saturating_sub(1);
                        *n == 0
                    })
                    .unwrap_or(false);
                if !last {
                    return;
                }
                let unwatch = PresenceWatch {};
                let Some(done) = this
                    .socket
                    .try_with_value(|s| s.emit::<crate::events::UnwatchPresence>(&unwatch))
                else {
                    return;
                };
                leptos::task::spawn_local(async move {
                    // Offline, the server has forgotten the watch already.
                    let _ignored = done.await;
                });
            });
        }
    }

    /// Online users other than the viewer, by username (tracked).
    pub fn users(&self) -> Vec<UserSummary> {
        let me = self.me.get().map(|u| u.id);
        let mut users = match self.live.get() {
            Some(users) => users,
            None => loaded(self.at_load.get()),
        };
        users.retain(|u| Some(u.id) != me);
        users
    }

    /// Is `user` online (tracked)?
    pub fn is_online(&self, user: UserId) -> bool {
        match self
            .live
            .with(|l| l.as_ref().map(|v| v.iter().any(|u| u.id == user)))
        {
            Some(online) => online,
            None => loaded(self.at_load.get()).iter().any(|u| u.id == user),
        }
    }

    fn apply(&self, change: PresenceChange) {
        self.during_reload.update_value(|pending| {
            if let Some(pending) = pending {
                pending.push(change.clone());
            }
        });
        let at_load = self.at_load;
        self.live.update(|live| {
            let users = live.get_or_insert_with(|| loaded(at_load.get_untracked()));
            apply_change(users, change);
        });
    }

    /// Watches presence on this connection; the ack carries the list to start from.
    fn subscribe(&self) {
        self.during_reload.set_value(Some(Vec::new()));
        let reply = self
            .socket
            .with_value(|s| s.emit::<WatchPresence>(&PresenceWatch {}));
        let this = *self;
        leptos::task::spawn_local(async move {
            let loaded = reply.await;
            let pending = this.during_reload.try_update_value(Option::take).flatten();
            match loaded {
                Ok(online) => {
                    let mut users = online.users;
                    for change in pending.unwrap_or_default() {
                        apply_change(&mut users, change);
                    }
                    sort(&mut users);
                    this.live.set(Some(users));
                }
                Err(e) => leptos::logging::warn!("cannot watch who is online: {}", e.message),
            }
        });
    }
}

/// The users of a loaded (or failed, or pending) list.
fn loaded(result: Option<Result<OnlineUsers, ApiError>>) -> Vec<UserSummary> {
    let mut users = result
        .and_then(Result::ok)
        .map(|o| o.users)
        .unwrap_or_default();
    sort(&mut users);
    users
}

fn sort(users: &mut [UserSummary]) {
    users.sort_by(|a, b| a.username.cmp(&b.username));
}

/// Adds or removes the user of `change`, keeping the list by username.
fn apply_change(users: &mut Vec<UserSummary>, change: PresenceChange) {
    users.retain(|u| u.id != change.user.id);
    if change.online {
        users.push(change.user);
        sort(users);
    }
}

/// "Online now": who of the people the viewer may see is online, live. Each name links
/// to `/{link_prefix}/{username}` (a profile, or a chat).
#[component]
pub fn OnlineNow(#[prop(into)] link_prefix: String) -> impl IntoView {
    let presence = expect_context::<Presence>();
    presence.watch();
    let prefix = StoredValue::new(link_prefix);
    view! {
        <section class="card online" aria-labelledby="online-heading">
            <h2 id="online-heading">"Online now"</h2>
            <Transition fallback=|| view! { <p class="muted small online-empty">"Loading…"</p> }>
                {move || {
                    let users = presence.users();
                    if users.is_empty() {
                        view! {
                            <ul class="online-list" data-testid="online-list"></ul>
                            <p class="muted small online-empty">"Nobody else is online right now."</p>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="online-list" data-testid="online-list">
                                {users.into_iter().map(|u| {
                                    let href = format!("/{}/{}", prefix.get_value(), u.username);
                                    view! {
                                        <li class="online-user" data-testid="online-user" data-username=u.username.clone()>
                                            <a href=href>
                                                <span class="avatar small" aria-hidden="true">
                                                    {initial(&u.username)}
                                                    <span class="presence-dot"></span>
                                                </span>
                                                <span class="online-name">{u.username.clone()}</span>
                                            </a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </Transition>
        </section>
    }
}

/// A green dot while `user` is online (nothing otherwise). By default it sits on the
/// corner of the `.avatar` it is placed in and takes no room; `inline` puts it in the
/// text flow instead (after a name, say).
#[component]
pub fn OnlineDot(user: UserId, #[prop(optional)] inline: bool) -> impl IntoView {
    let presence = expect_context::<Presence>();
    presence.watch();
    move || {
        presence.is_online(user).then(|| {
            view! {
                <span class="presence-dot" class:inline=inline data-testid="online-dot" title="Online">
                    <span class="sr-only">"Online"</span>
                </span>
            }
        })
    }
}

/// The first letter of a name, for an avatar.
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, name: &str) -> UserSummary {
        UserSummary {
            id: UserId(id),
            username: name.into(),
        }
    }

    #[test]
    fn changes_add_and_remove_by_username() {
        let mut users = vec![user(1, "bo")];
        apply_change(
            &mut users,
            PresenceChange {
                user: user(2, "al"),
                online: true,
            },
        );
        apply_change(
            &mut users,
            PresenceChange {
                user: user(2, "al"),
                online: true,
            },
        );
        assert_eq!(users, [user(2, "al"), user(1, "bo")]);
        apply_change(
            &mut users,
            PresenceChange {
                user: user(1, "bo"),
                online: false,
            },
        );
        assert_eq!(users, [user(2, "al")]);
    }
}
