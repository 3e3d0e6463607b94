//! The feed: composer, posts newest first, live updates, older pages on demand.

use crate::api::load_feed;
use crate::components::{composer::Composer, post_card::PostCard};
use crate::error::{ApiError, ErrorCode};
use crate::events::{PostCreated, PostDeleted, PostUpdated};
use crate::model::{FeedPage as Page, Post, PostId};
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
            {move || first.get().map(|page| match page {
                Ok(page) => view! { <Feed initial=page/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

/// Inserts or replaces `post`, keeping the list newest first.
fn upsert(posts: &mut Vec<Post>, post: Post) {
    match posts.iter().position(|p| p.id <= post.id) {
        Some(i) if posts[i].id == post.id => posts[i] = post,
        Some(i) => posts.insert(i, post),
        None => posts.push(post),
    }
}

/// Replaces `post` only if the list already has it (an update never adds).
fn replace(posts: &mut [Post], post: Post) {
    if let Some(p) = posts.iter_mut().find(|p| p.id == post.id) {
        *p = post;
    }
}

fn remove(posts: &mut Vec<Post>, id: PostId) {
    posts.retain(|p| p.id != id);
}

#[component]
fn Feed(initial: Page) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let me = Signal::derive(move || user.get().map(|u| u.id));
    let posts = RwSignal::new(initial.posts);
    let next = RwSignal::new(initial.next_before);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<ApiError>);

    let socket = expect_context::<SocketClient>();
    socket
        .on::<PostCreated>(move |e| posts.update(|v| upsert(v, e.post)))
        .until_cleanup();
    socket
        .on::<PostUpdated>(move |e| posts.update(|v| replace(v, e.post)))
        .until_cleanup();
    socket
        .on::<PostDeleted>(move |e| posts.update(|v| remove(v, e.id)))
        .until_cleanup();
    // After a reconnect, fetch the newest page again so nothing missed stays missing.
    socket
        .on_connect(move || {
            leptos::task::spawn_local(async move {
                if let Ok(page) = load_feed(None).await {
                    posts.update(|v| page.posts.into_iter().for_each(|p| upsert(v, p)));
                }
            })
        })
        .until_cleanup();

    let load_more = move |_| {
        let Some(before) = next.get_untracked() else {
            return;
        };
        loading_more.set(true);
        leptos::task::spawn_local(async move {
            match load_feed(Some(before)).await {
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

    view! {
        <Composer on_created=move |p| posts.update(|v| upsert(v, p))/>
        <section class="feed" data-testid="feed" aria-label="Feed">
            <For each=move || posts.get() key=|p| (p.id, p.edited_at, p.privacy) let:post>
                <PostCard post=post me=me on_changed=on_changed on_removed=on_removed/>
            </For>
            <Show when=move || posts.with(Vec::is_empty)>
                <div class="card empty">
                    <p>"Nothing here yet. Write the first post!"</p>
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
fn FeedSkeleton() -> impl IntoView {
    view! {
        <div class="card composer skeleton" aria-hidden="true"></div>
        <div aria-busy="true" aria-label="Loading the feed">
            {(0..3).map(|_| view! { <div class="card post skeleton" aria-hidden="true"></div> }).collect_view()}
        </div>
    }
}

#[component]
fn LoadError(error: ApiError) -> impl IntoView {
    view! {
        <div class="card error" role="alert">
            <h2>"The feed could not be loaded"</h2>
            <p>{error.message}</p>
            <a class="button" href="/">"Try again"</a>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PostColor, Privacy, UserId, UserSummary};

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
    fn replace_never_adds_and_remove_removes() {
        let mut v = vec![post(2, "b")];
        replace(&mut v, post(9, "x"));
        assert_eq!(ids(&v), [2]);
        replace(&mut v, post(2, "B"));
        assert_eq!(v[0].text, "B");
        remove(&mut v, PostId(2));
        assert!(v.is_empty());
    }
}
