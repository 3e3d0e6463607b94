//! Who is online: one store per tab (in context), seeded with the page and kept live by
//! `presence:changed`, and the pieces that show it (the "Online now" list, green dots).
//!
//! The server sends presence changes only to tabs that watch them: the first component
//! of a tab that shows presence sends `presence:watch` (its ack is the current list), the
//! last one to go sends `presence:unwatch`. A tab showing no presence gets none.

use crate::api::load_online;
use crate::error::ApiError;
use crate::events::{PresenceChanged, WatchPresence};
use crate::model::{ONLINE_SHOWN, OnlineUsers, PresenceChange, PresenceWatch, UserId, UserSummary};
use crate::realtime::SocketClient;
use crate::root::CurrentUser;
use crate::text::initial;
use leptos::prelude::*;
use leptos::reactive::owner::WeakOwner;

/// The users the viewer may see online now (never the viewer).
///
/// As loaded with the page until the tab watches presence; live after that. Presence
/// events are transient (not replayed), so every (re)connection asks for the list again.
/// Only pages that show presence load it ([`Presence::load`]): the others carry no list.
#[derive(Clone, Copy)]
pub struct Presence {
    me: CurrentUser,
    socket: StoredValue<SocketClient>,
    /// The owner of the store (the app's), which the list loaded with a page belongs to:
    /// it outlives the page that asked for it. Weak: the owner holds this store, and a
    /// strong reference back would be a cycle (a server render's explicit cleanup
    /// breaks it today; a server render measured no growth either way).
    owner: StoredValue<WeakOwner>,
    at_load: StoredValue<Option<Resource<Result<OnlineUsers, ApiError>>>>,
    live: RwSignal<Option<Vec<UserSummary>>>,
    /// Changes that arrived while a reload was under way, to apply on top of it.
    during_reload: StoredValue<Option<Vec<PresenceChange>>>,
    /// Components of this tab that show presence now.
    watchers: StoredValue<usize>,
}

impl Presence {
    /// Creates the store and its listeners, and puts it in context. Call it once, in
    /// `App`.
    pub fn provide(socket: &SocketClient) {
        let presence = Presence {
            me: expect_context::<CurrentUser>(),
            socket: StoredValue::new(socket.clone()),
            owner: StoredValue::new(Owner::current().unwrap_or_default().downgrade()),
            at_load: StoredValue::new(None),
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

    /// Loads who is online with the page, once per tab. Call it first thing in the body
    /// of every page that shows the "Online now" list (it creates a resource, which the
    /// server's render and the browser's hydration must create at the same point);
    /// other pages never ask, so they carry no list and run no query for it. A green
    /// dot needs no list: the data naming its user says whether they were online.
    pub fn load(&self) {
        if self.at_load.with_value(Option::is_some) {
            return;
        }
        let Some(owner) = self.owner.with_value(WeakOwner::upgrade) else {
            return; // the app is gone
        };
        let me = self.me;
        let resource = owner.with(|| {
            Resource::new(
                || (),
                move |_| async move {
                    // Signed out there is nobody to show (and asking would fail the page).
                    match me.0.await?.user {
                        Some(_) => load_online().await,
                        None => Ok(OnlineUsers::default()),
                    }
                },
            )
        });
        self.at_load.set_value(Some(resource));
    }

    /// The list loaded with the page, if any (tracked).
    fn at_load(&self) -> Option<Result<OnlineUsers, ApiError>> {
        self.at_load.get_value().and_then(|r| r.get())
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

    /// Online users other than the viewer, by username, and how many more are online
    /// than the list names (tracked). The page loads the first [`ONLINE_SHOWN`] and a
    /// count; once the tab watches presence the list is whole and the count 0.
    pub fn users(&self) -> OnlineUsers {
        let me = self.me.get().map(|u| u.id);
        let mut online = match self.live.get() {
            Some(users) => OnlineUsers { users, more: 0 },
            None => loaded(self.at_load()),
        };
        online.users.retain(|u| Some(u.id) != me);
        online
    }

    /// Is `user` online (tracked)? `at_load` is what the data that named them said
    /// (a card's or a conversation's own flag: exact, where a page's list names only
    /// its first [`ONLINE_SHOWN`]); the live list answers once the tab has it.
    pub fn is_online(&self, user: UserId, at_load: bool) -> bool {
        self.live
            .with(|l| l.as_ref().map(|v| v.iter().any(|u| u.id == user)))
            .unwrap_or(at_load)
    }

    fn apply(&self, change: PresenceChange) {
        self.during_reload.update_value(|pending| {
            if let Some(pending) = pending {
                pending.push(change.clone());
            }
        });
        let at_load = self.at_load.get_value();
        self.live.update(|live| {
            let users =
                live.get_or_insert_with(|| loaded(at_load.and_then(|r| r.get_untracked())).users);
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

/// A loaded list by username (empty while pending or failed).
fn loaded(result: Option<Result<OnlineUsers, ApiError>>) -> OnlineUsers {
    let mut online = result.and_then(Result::ok).unwrap_or_default();
    sort(&mut online.users);
    online
}

fn sort(users: &mut [UserSummary]) {
    users.sort_by(|a, b| a.username.cmp(&b.username));
}

/// The names a list shows (the first [`ONLINE_SHOWN`]) and how many it counts instead.
fn shown(mut online: OnlineUsers) -> OnlineUsers {
    if online.users.len() > ONLINE_SHOWN {
        online.more += (online.users.len() - ONLINE_SHOWN) as u64;
        online.users.truncate(ONLINE_SHOWN);
    }
    online
}

/// Adds or removes the user of `change`, keeping the list by username.
fn apply_change(users: &mut Vec<UserSummary>, change: PresenceChange) {
    users.retain(|u| u.id != change.user.id);
    if change.online {
        users.push(change.user);
        sort(users);
    }
}

/// "Online now": who of the people the viewer may see is online, live: the first
/// [`ONLINE_SHOWN`] by name, and how many more. Each name links to `link(username)`
/// (`text::profile_path`, or `text::chat_path`).
#[component]
pub fn OnlineNow(link: fn(&str) -> String) -> impl IntoView {
    let presence = expect_context::<Presence>();
    presence.watch();
    view! {
        <section class="card online" aria-labelledby="online-heading">
            <h2 id="online-heading">"Online now"</h2>
            <Transition fallback=|| view! { <p class="muted small online-empty">"Loading…"</p> }>
                {move || {
                    let OnlineUsers { users, more } = shown(presence.users());
                    if users.is_empty() {
                        view! {
                            <ul class="online-list" data-testid="online-list"></ul>
                            <p class="muted small online-empty">"Nobody else is online right now."</p>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="online-list" data-testid="online-list">
                                {users.into_iter().map(|u| {
                                    let href = link(&u.username);
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
                            {(more > 0).then(|| view! {
                                <p class="muted small online-more" data-testid="online-more">{format!("and {more} more")}</p>
                            })}
                        }.into_any()
                    }
                }}
            </Transition>
        </section>
    }
}

/// A green dot while `user` is online (nothing otherwise): as `online_at_load` says
/// (whether they were online when the data naming them was loaded) until the tab's
/// live list comes. By default it sits on the corner of the `.avatar` it is placed in
/// and takes no room; `inline` puts it in the text flow instead (after a name, say).
#[component]
pub fn OnlineDot(
    user: UserId,
    online_at_load: bool,
    #[prop(optional)] inline: bool,
) -> impl IntoView {
    let presence = expect_context::<Presence>();
    presence.watch();
    move || {
        presence.is_online(user, online_at_load).then(|| {
            view! {
                <span class="presence-dot" class:inline=inline data-testid="online-dot" title="Online">
                    <span class="sr-only">"Online"</span>
                </span>
            }
        })
    }
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
    fn a_long_list_names_the_first_and_counts_the_rest() {
        let users: Vec<_> = (0..ONLINE_SHOWN as i64 + 3)
            .map(|i| user(i, &format!("u{i:03}")))
            .collect();
        let long = shown(OnlineUsers {
            users: users.clone(),
            more: 10,
        });
        assert_eq!(long.users, users[..ONLINE_SHOWN]);
        assert_eq!(long.more, 13);
        let short = OnlineUsers {
            users: users[..2].to_vec(),
            more: 0,
        };
        assert_eq!(shown(short.clone()), short);
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
