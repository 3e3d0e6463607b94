//! One post, with reactions, its comment count, and edit and delete on one's own.

use super::reactions::ReactionBar;
use super::time::format_utc;
use crate::api::{remove_post, update_post};
use crate::error::ApiError;
use crate::events::ReactionState;
use crate::model::{POST_TEXT_MAX, Post, PostDraft, Privacy, UserId};
use leptos::prelude::*;

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
    let (id, author) = post.with_untracked(|p| (p.id, p.author.clone()));
    let mine = move || me.get() == Some(author.id);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    // Two plain signals rather than two server actions and their effects: a feed renders
    // many cards, and each reactive node is paid for on every server render.
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let settle = move |result: Result<(), ApiError>| {
        failure.set(result.err());
        busy.set(false);
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let p = post.get_untracked();
        let draft = PostDraft {
            text: draft.get_untracked(),
            color: p.color,
            feeling: p.feeling,
            privacy: p.privacy,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = update_post(id, draft).await.map(|p| {
                editing.set(false);
                on_changed.run(p);
            });
            settle(result);
        });
    };
    let delete = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        // Read now: the live `post:deleted` may remove this card (and dispose its
        // signals) before the answer arrives. Setting a disposed signal is a no-op.
        let removed = post.get_untracked();
        leptos::task::spawn_local(async move {
            let result = remove_post(id).await.map(|()| on_removed.run(removed));
            settle(result);
        });
    };
    let error = move || {
        failure
            .get()
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
    let comments = move || match post.with(|p| p.comment_count) {
        1 => "1 comment".to_owned(),
        n => format!("{n} comments"),
    };
    let profile = format!("/u/{}", author.username);

    view! {
        <article class="card post" data-testid="post" data-post-id=id.0.to_string()
            style:background-color=move || post.with(|p| p.color.css())>
            <header class="post-head">
                <a class="avatar" href=profile.clone() aria-hidden="true" tabindex="-1">
                    {author.username.chars().next().unwrap_or('?').to_ascii_uppercase().to_string()}
                </a>
                <div class="post-meta">
                    <div><a class="author" href=profile>{author.username.clone()}</a>{feeling}</div>
                    <div class="muted small">
                        <a class="time" href=format!("/posts/{}", id.0)>
                            <time datetime=move || post.with(|p| p.created_at.to_string())>{move || post.with(|p| format_utc(p.created_at))}</time>
                        </a>
                        {edited}" "{badge}
                    </div>
                </div>
                <Show when=move || mine() && !editing.get()>
                    <div class="post-actions">
                        <button class="button ghost small" type="button" aria-label="Edit post"
                            on:click=move |_| { draft.set(post.with_untracked(|p| p.text.clone())); editing.set(true); }>"Edit"</button>
                        <button class="button ghost small danger" type="button" aria-label="Delete post"
                            disabled=move || busy.get()
                            on:click=delete>"Delete"</button>
                    </div>
                </Show>
            </header>
            <Show when=move || editing.get() fallback=move || view! {
                <p class="post-text" data-testid="post-text">{move || post.with(|p| p.text.clone())}</p>
            }>
                <form class="form edit" on:submit=save>
                    <label class="sr-only" for=format!("edit-{}", id.0)>"Edit text"</label>
                    <textarea id=format!("edit-{}", id.0) aria-label="Edit text" rows="3" maxlength=POST_TEXT_MAX.to_string()
                        prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                    <div class="row">
                        <button class="button primary small" type="submit" disabled=move || busy.get()>"Save"</button>
                        <button class="button ghost small" type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
            <footer class="post-foot">
                <ReactionBar post=post on_state=on_reacted/>
                <a class="comments-link" href=format!("/posts/{}", id.0) data-testid="comment-count">{comments}</a>
            </footer>
            {error}
        </article>
    }
}
