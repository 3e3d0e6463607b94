//! One post with its comments and who reacted.

use super::feed::{FeedSkeleton, LoadError, apply_reaction};
use crate::api::{load_comments, load_post, load_reactors};
use crate::components::{post_card::PostCard, rows::Rows, time::format_utc};
use crate::error::ErrorCode;
use crate::events::{
    AddComment, CommentCreated, NewComment, PostDeleted, PostUpdated, ReactionState,
    ReactionsChanged, UserHidden,
};
use crate::model::{COMMENT_TEXT_MAX, Comment, CommentPage, Post, PostId, Reactor};
use crate::realtime::SocketClient;
use crate::root::CurrentUser;
use crate::text::profile_path;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

/// `/posts/:id`.
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()))
            .map(PostId)
    };
    let data = Resource::new(id, |id| async move {
        let Some(id) = id else {
            return Err(crate::error::ApiError::not_found("Post"));
        };
        let post = load_post(id).await?;
        let comments = load_comments(id, None).await?;
        let reactors = load_reactors(id).await?;
        Ok((post, comments, reactors))
    });
    view! {
        <Title text="Post · Chatty"/>
        <Suspense fallback=FeedSkeleton>
            {move || data.get().map(|d| match d {
                Ok((post, comments, reactors)) => view! { <PostView post=post comments=comments reactors=reactors/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PostView(post: Post, comments: CommentPage, reactors: Vec<Reactor>) -> impl IntoView {
    let id = post.id;
    let author = post.author.id;
    let user = expect_context::<CurrentUser>();
    let me = Signal::derive(move || user.get().map(|u| u.id));
    let current = RwSignal::new(Some(post));
    let list = RwSignal::new(comments.comments);
    let next = RwSignal::new(comments.next_after);
    let who = RwSignal::new(reactors);
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let add = move |c: Comment| {
        list.update(|v| {
            if !v.iter().any(|x| x.id == c.id) {
                v.push(c)
            }
        })
    };
    let refresh_reactors = move || {
        leptos::task::spawn_local(async move {
            if let Ok(r) = load_reactors(id).await {
                who.set(r);
            }
        })
    };
    let socket = expect_context::<SocketClient>();
    socket
        .on::<CommentCreated>(move |e| {
            if e.comment.post_id == id {
                current.update(|p| {
                    if let Some(p) = p {
                        p.comment_count = e.comment_count
                    }
                });
                add(e.comment);
            }
        })
        .until_cleanup();
    socket
        .on::<ReactionsChanged>(move |e| {
            if e.post_id == id {
                current.update(|p| {
                    if let Some(p) = p {
                        p.reactions = e.counts
                    }
                });
                refresh_reactors();
            }
        })
        .until_cleanup();
    socket
        .on::<PostUpdated>(move |e| {
            if e.post.id == id {
                current.update(|p| {
                    if let Some(p) = p {
                        *p = Post {
                            my_reaction: p.my_reaction,
                            ..e.post
                        }
                    }
                });
            }
        })
        .until_cleanup();
    socket
        .on::<PostDeleted>(move |e| {
            if e.id == id {
                current.set(None)
            }
        })
        .until_cleanup();
    socket
        .on::<UserHidden>(move |e| {
            if e.user == author {
                current.set(None);
            }
            list.update(|v| v.retain(|c| c.author.id != e.user));
            who.update(|v| v.retain(|r| r.user.id != e.user));
        })
        .until_cleanup();

    let sender = StoredValue::new(socket);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() || sending.get_untracked() {
            return;
        }
        sending.set(true);
        let reply = sender.with_value(|s| {
            s.emit::<AddComment>(&NewComment {
                post_id: id,
                text: body,
            })
        });
        leptos::task::spawn_local(async move {
            match reply.await {
                Ok(c) => {
                    text.set(String::new());
                    error.set(None);
                    add(c);
                }
                Err(e) => error.set(Some(e.message)),
            }
            sending.set(false);
        });
    };
    let more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match load_comments(id, Some(after)).await {
                Ok(page) => {
                    page.comments.into_iter().for_each(add);
                    next.set(page.next_after);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let on_reacted = Callback::new(move |s: ReactionState| {
        current.update(|p| {
            if let Some(p) = p {
                apply_reaction(std::slice::from_mut(p), s)
            }
        });
        refresh_reactors();
    });
    let on_changed = Callback::new(move |p: Post| current.set(Some(p)));
    let on_removed = Callback::new(move |_: Post| current.set(None));

    view! {
        <Show when=move || current.with(Option::is_some) fallback=|| view! {
            <div class="card empty" role="status"><p>"This post is no longer available."</p><a href="/">"Back to the feed"</a></div>
        }>
            {move || {
                let initial = current.get_untracked().expect("shown only with a post");
                let post = Signal::derive(move || current.get().unwrap_or_else(|| initial.clone()));
                view! { <PostCard post=post me=me on_changed=on_changed on_removed=on_removed on_reacted=on_reacted/> }
            }}
            <section class="card" aria-label="Who reacted">
                <h2>"Reactions"</h2>
                <ul class="reactors" data-testid="reactors">
                    {move || who.get().into_iter().map(|r| view! {
                        <li><span aria-hidden="true">{r.kind.emoji()}</span>" "<a href=profile_path(&r.user.username)>{r.user.username.clone()}</a></li>
                    }).collect_view()}
                </ul>
                <Show when=move || who.with(Vec::is_empty)><p class="muted">"No reactions yet."</p></Show>
            </section>
            <section class="card" aria-label="Comments">
                <h2>"Comments"</h2>
                <ul class="comments" data-testid="comments">
                    <Rows each=move || list.get() key=|c| c.id let:c>
                        <li class="comment" data-testid="comment">
                            <a class="author" href=profile_path(&c.author.username)>{c.author.username.clone()}</a>
                            <span class="muted small">" · "{format_utc(c.created_at)}</span>
                            <p class="comment-text">{c.text.clone()}</p>
                        </li>
                    </Rows>
                </ul>
                <Show when=move || next.get().is_some()>
                    <button class="button small" type="button" on:click=more>"Load more comments"</button>
                </Show>
                <form class="form comment-form" on:submit=send>
                    <label class="sr-only" for="comment-text">"Write a comment"</label>
                    <textarea id="comment-text" rows="2" placeholder="Write a comment" maxlength=COMMENT_TEXT_MAX.to_string()
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <button class="button primary small" type="submit" disabled=move || sending.get()>"Comment"</button>
                </form>
            </section>
        </Show>
    }
}
