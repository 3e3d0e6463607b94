//! The feed (and any list of posts): composer, posts newest first, live updates,
//! older pages on demand.

use crate::api::{load_feed, load_user_posts};
use crate::components::{composer::Composer, post_card::PostCard, rows::Rows};
use crate::error::{ApiError, ErrorCode};
use crate::events::{
    CommentCreated, PostCreated, PostDeleted, PostUpdated, ReactionState, ReactionsChanged,
    UserHidden, UserVisible,
};
use crate::model::{FeedPage as Page, Post, PostId, UserId};
use crate::realtime::SocketClient;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The feed page: signed-in users only.
#[component]
pub fn FeedPage() -> impl IntoView {
    let first = Resource::new(|| (), |_| load_feed(None));
    view! {
        <Title text="Feed · Chatty"/>
        <Suspense fallback=FeedSkeleton>
            // A `Suspend`, not a closure over `first.get()`: server rendering walks a
            // closure's view once to find resources and again to render it, building
            // every post card twice. The resource never refetches, so nothing is lost.
            {Suspend::new(async move {
                match first.await {
                    Ok(page) => view! { <PostList initial=page source=Source::Home composer=true/> }.into_any(),
                    Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(err) => view! { <LoadError error=err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Where a list of posts comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Everything the viewer may see.
    Home,
    /// One user's posts.
    User {
        /// Their id (live posts are filtered by it).
        id: UserId,
        /// Their name (to load pages).
        username: String,
    },
}

impl Source {
    async fn load(self, before: Option<PostId>) -> Result<Page, ApiError> {
        match self {
            Source::Home => load_feed(before).await,
            Source::User { username, .. } => load_user_posts(username, before).await,
        }
    }

    fn accepts(&self, post: &Post) -> bool {
        match self {
            Source::Home => true,
            Source::User { id, .. } => post.author.id == *id,
        }
    }
}

/// Inserts or replaces `post`, keeping the list newest first and the reader's own
/// reaction (events do not carry it).
pub fn upsert(posts: &mut Vec<Post>, mut post: Post) {
    match posts.iter().position(|p| p.id <= post.id) {
        Some(i) if posts[i].id == post.id => {
            if post.my_reaction.is_none() {
                post.my_reaction = posts[i].my_reaction;
            }
            posts[i] = post;
        }
        Some(i) => posts.insert(i, post),
        None => posts.push(post),
    }
}

/// Applies `f` to the post with `id`, if the list has it.
pub fn patch(posts: &mut [Post], id: PostId, f: impl FnOnce(&mut Post)) {
    if let Some(p) = posts.iter_mut().find(|p| p.id == id) {
        f(p);
    }
}

fn remove(posts: &mut Vec<Post>, id: PostId) {
    posts.retain(|p| p.id != id);
}

/// The reaction counts and own reaction after the reader reacted.
pub fn apply_reaction(posts: &mut [Post], state: ReactionState) {
    patch(posts, state.post_id, |p| {
        p.reactions = state.counts;
        p.my_reaction = state.mine;
    });
}

/// A live list of posts, with the composer on top when `composer` is set.
#[component]
pub fn PostList(initial: Page, source: Source, #[prop(optional)] composer: bool) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let me: Signal<Option<UserId>> = Memo::new(move |_| user.get().map(|u| u.id)).into();
    let posts = RwSignal::new(initial.posts);
    let next = RwSignal::new(initial.next_before);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<ApiError>);
    let source = StoredValue::new(source);

    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(page) = source.get_value().load(None).await {
                posts.update(|v| page.posts.into_iter().for_each(|p| upsert(v, p)));
            }
        })
    };
    let socket = expect_context::<SocketClient>();
    socket
        .on::<PostCreated>(move |e| {
            if source.with_value(|s| s.accepts(&e.post)) {
                posts.update(|v| upsert(v, e.post));
            }
        })
        .until_cleanup();
    socket
        .on::<PostUpdated>(move |e| {
            posts.update(|v| {
                patch(v, e.post.id, |p| {
                    let mine = p.my_reaction;
                    *p = Post {
                        my_reaction: mine,
                        ..e.post
                    };
                })
            })
        })
        .until_cleanup();
    socket
        .on::<PostDeleted>(move |e| posts.update(|v| remove(v, e.id)))
        .until_cleanup();
    socket
        .on::<CommentCreated>(move |e| {
            posts.update(|v| patch(v, e.comment.post_id, |p| p.comment_count = e.comment_count))
        })
        .until_cleanup();
    socket
        .on::<ReactionsChanged>(move |e| {
            posts.update(|v| patch(v, e.post_id, |p| p.reactions = e.counts))
        })
        .until_cleanup();
    socket
        .on::<UserHidden>(move |e| posts.update(|v| v.retain(|p| p.author.id != e.user)))
        .until_cleanup();
    socket.on::<UserVisible>(move |_| refresh()).until_cleanup();
    // Missed events are replayed after a reconnect; only when that is impossible (the
    // gap was too long) fetch the newest page again.
    socket.on_reload(refresh).until_cleanup();

    let load_more = move |_| {
        let Some(before) = next.get_untracked() else {
            return;
        };
        loading_more.set(true);
        leptos::task::spawn_local(async move {
            match source.get_value().load(Some(before)).await {
                Ok(page) => {
                    posts.update(|v| page.posts.into_iter().for_each(|p| upsert(v, p)));
                    next.set(page.next_before);
                    more_error.set(None);
                }
                Err(err) => more_error.set(Some(err)),
            }
            loading_more.set(false);
        });
    };

    let on_changed = Callback::new(move |p: Post| posts.update(|v| upsert(v, p)));
    let on_removed = Callback::new(move |p: Post| posts.update(|v| remove(v, p.id)));
    let on_reacted = Callback::new(move |s: ReactionState| posts.update(|v| apply_reaction(v, s)));
    let ids = move || posts.with(|v| v.iter().map(|p| p.id).collect::<Vec<_>>());

    view! {
        {composer.then(|| view! { <Composer on_created=move |p| posts.update(|v| upsert(v, p))/> })}
        <section class="feed" data-testid="feed" aria-label="Posts">
            <Rows each=ids key=|id| *id let:id>
                {
                    let initial = posts.with_untracked(|v| v.iter().find(|p| p.id == id).cloned());
                    initial.map(|initial| {
                        // The card's own signal, kept in step with the list: a card reads its
                        // post a few dozen times per render, and a signal is the cheapest read
                        // (effects never run on the server, so rendering pays nothing more).
                        let post = RwSignal::new(initial);
                        Effect::new(move |_| {
                            if let Some(next) = posts.with(|v| v.iter().find(|p| p.id == id).cloned()) {
                                post.maybe_update(|p| {
                                    let changed = *p != next;
                                    if changed {
                                        *p = next;
                                    }
                                    changed
                                });
                            }
                        });
                        view! { <PostCard post=post.into() me=me on_changed=on_changed on_removed=on_removed on_reacted=on_reacted/> }
                    })
                }
            </Rows>
            <Show when=move || posts.with(Vec::is_empty)>
                <div class="card empty">
                    <p>{if composer { "Nothing here yet. Write the first post!" } else { "No posts to show." }}</p>
                </div>
            </Show>
        </section>
        <div class="more">
            {move || more_error.get().map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })}
            <Show when=move || next.get().is_some()>
                <button class="button" type="button" on:click=load_more disabled=move || loading_more.get()>
                    {move || if loading_more.get() { "Loading…" } else { "Load older posts" }}
                </button>
            </Show>
        </div>
    }
}

/// Placeholder cards shaped like posts, so the page does not jump when they arrive.
#[component]
pub fn FeedSkeleton() -> impl IntoView {
    view! {
        <div class="card composer skeleton" aria-hidden="true"></div>
        <div aria-busy="true" aria-label="Loading">
            {(0..3).map(|_| view! { <div class="card post skeleton" aria-hidden="true"></div> }).collect_view()}
        </div>
    }
}

/// A failed load, with a way to retry.
#[component]
pub fn LoadError(error: ApiError) -> impl IntoView {
    // "Try again" only where trying again may help; a missing post stays missing.
    let action = if error.code.may_pass_on_retry() {
        view! { <a class="button" href="">"Try again"</a> }
    } else {
        view! { <a class="button" href="/">"Back to the feed"</a> }
    };
    view! {
        <div class="card error" role="alert">
            <h2>"This could not be loaded"</h2>
            <p>{error.message}</p>
            {action}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PostColor, Privacy, ReactionKind, UserSummary};

    fn post(id: i64, text: &str) -> Post {
        Post {
            id: PostId(id),
            author: UserSummary {
                id: UserId(1),
                username: "a".into(),
            },
            text: text.into(),
            color: PostColor::Plain,
            feeling: None,
            privacy: Privacy::Public,
            created_at: 0,
            edited_at: None,
            comment_count: 0,
            reactions: Default::default(),
            my_reaction: None,
        }
    }

    fn ids(v: &[Post]) -> Vec<i64> {
        v.iter().map(|p| p.id.0).collect()
    }

    #[test]
    fn upsert_keeps_newest_first_without_duplicates() {
        let mut v = vec![post(5, "e"), post(3, "c")];
        upsert(&mut v, post(7, "g"));
        upsert(&mut v, post(4, "d"));
        upsert(&mut v, post(1, "a"));
        upsert(&mut v, post(5, "E"));
        assert_eq!(ids(&v), [7, 5, 4, 3, 1]);
        assert_eq!(v[1].text, "E");
    }

    #[test]
    fn upsert_keeps_the_readers_reaction_and_patch_never_adds() {
        let mut v = vec![Post {
            my_reaction: Some(ReactionKind::Wow),
            ..post(2, "b")
        }];
        upsert(&mut v, post(2, "B"));
        assert_eq!(
            (v[0].text.as_str(), v[0].my_reaction),
            ("B", Some(ReactionKind::Wow))
        );
        patch(&mut v, PostId(9), |p| p.text = "x".into());
        assert_eq!(ids(&v), [2]);
        remove(&mut v, PostId(2));
        assert!(v.is_empty());
    }
}
