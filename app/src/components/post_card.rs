//! One post, with reactions, its comment count, and edit and delete on one's own.

use super::reactions::ReactionBar;
use super::time::{format_iso, format_utc};
use crate::api::{remove_post, update_post};
use crate::error::ApiError;
use crate::events::ReactionState;
use crate::model::{POST_TEXT_MAX, Post, PostDraft, Privacy, UserId};
use crate::text::{comment_count, initial, post_path, profile_path};
use leptos::either::Either;
use leptos::prelude::*;

/// An edit or a delete on its way, and why the last one failed.
#[derive(Debug, Clone, Default)]
struct Status {
    busy: bool,
    failure: Option<ApiError>,
}

/// A post card over a live `post` signal (counts and edits change in place). `me`
/// decides whether the edit and delete controls show; `on_changed` / `on_removed` get
/// the server's answer to an edit or a delete; `on_reacted` the counts after a reaction.
#[component]
pub fn PostCard(
    post: Signal<Post>,
    me: Signal<Option<UserId>>,
    on_changed: Callback<Post>,
    on_removed: Callback<Post>,
    on_reacted: Callback<ReactionState>,
) -> impl IntoView {
    // What never changes for a post is read once, not by a closure per render.
    let (id, author, created) = post.with_untracked(|p| (p.id, p.author.clone(), p.created_at));
    let mine = move || me.get() == Some(author.id);
    // Two signals per card (plus the post's): a feed renders many cards, and every
    // reactive node is paid for on each server render. The edit form's draft exists only
    // while the form is open.
    let editing = RwSignal::new(false);
    let status = RwSignal::new(Status::default());
    let busy = move || status.with(|s| s.busy);
    let start = move || {
        if status.with_untracked(|s| s.busy) {
            return false;
        }
        status.update(|s| s.busy = true);
        true
    };
    let settle = move |result: Result<(), ApiError>| {
        status.set(Status {
            busy: false,
            failure: result.err(),
        })
    };

    let delete = move |_| {
        if !start() {
            return;
        }
        // Read now: the live `post:deleted` may remove this card (and dispose its
        // signals) before the answer arrives. Setting a disposed signal is a no-op.
        let removed = post.get_untracked();
        leptos::task::spawn_local(async move {
            let result = remove_post(id).await.map(|()| on_removed.run(removed));
            settle(result);
        });
    };
    let form = move || {
        let draft = RwSignal::new(post.with_untracked(|p| p.text.clone()));
        let save = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if !start() {
                return;
            }
            let p = post.get_untracked();
            let draft = PostDraft {
                text: draft.get_untracked(),
                color: p.color,
                feeling: p.feeling,
                privacy: p.privacy,
            };
            leptos::task::spawn_local(async move {
                let result = update_post(id, draft).await.map(|p| {
                    editing.set(false);
                    on_changed.run(p);
                });
                settle(result);
            });
        };
        view! {
            <form class="form edit" on:submit=save>
                <label class="sr-only" for=format!("edit-{}", id.0)>"Edit text"</label>
                <textarea id=format!("edit-{}", id.0) aria-label="Edit text" rows="3" maxlength=POST_TEXT_MAX.to_string()
                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                <div class="row">
                    <button class="button primary small" type="submit" disabled=busy>"Save"</button>
                    <button class="button ghost small" type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                </div>
            </form>
        }
    };
    let error = move || {
        status
            .with(|s| s.failure.clone())
            .map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })
    };
    let feeling = move || {
        post.with(|p| p.feeling).map(|f| view! { <span class="feeling">{format!(" is feeling {} {}", f.emoji(), f.as_str())}</span> })
    };
    let badge = move || match post.with(|p| p.privacy) {
        Privacy::Public => None,
        p => Some(view! { <span class="badge" title="Who can see this">{p.label()}</span> }),
    };
    let edited = move || {
        post.with(|p| p.edited_at.is_some())
            .then(|| view! { <span class="muted">" · edited"</span> })
    };
    let comments = move || post.with(|p| comment_count(p.comment_count));
    let profile = profile_path(&author.username);
    let link = post_path(id);

    view! {
        <article class="card post" data-testid="post" data-post-id=id.0.to_string()
            style:background-color=move || post.with(|p| p.color.css())>
            <header class="post-head">
                <a class="avatar" href=profile.clone() aria-hidden="true" tabindex="-1">
                    {initial(&author.username)}
                </a>
                <div class="post-meta">
                    <div><a class="author" href=profile>{author.username.clone()}</a>{feeling}</div>
                    <div class="muted small">
                        <a class="time" href=link.clone()>
                            <time datetime=format_iso(created)>{format_utc(created)}</time>
                        </a>
                        {edited}" "{badge}
                    </div>
                </div>
                {move || (mine() && !editing.get()).then(|| view! {
                    <div class="post-actions">
                        <button class="button ghost small" type="button" aria-label="Edit post"
                            on:click=move |_| editing.set(true)>"Edit"</button>
                        <button class="button ghost small danger" type="button" aria-label="Delete post"
                            disabled=busy
                            on:click=delete>"Delete"</button>
                    </div>
                })}
            </header>
            {move || if editing.get() {
                Either::Left(form())
            } else {
                Either::Right(view! {
                    <p class="post-text" data-testid="post-text">{move || post.with(|p| p.text.clone())}</p>
                })
            }}
            <footer class="post-foot">
                <ReactionBar post=post on_state=on_reacted/>
                <a class="comments-link" href=link data-testid="comment-count">{comments}</a>
            </footer>
            {error}
        </article>
    }
}
