//! One post in a feed, with edit and delete on one's own.

use super::time::format_utc;
use crate::api::{RemovePost, UpdatePost};
use crate::model::{POST_TEXT_MAX, Post, PostDraft, Privacy, UserId};
use leptos::prelude::*;

/// A post card. `me` decides whether the edit and delete controls show;
/// `on_changed` / `on_removed` get the server's answer to an edit or a delete.
#[component]
pub fn PostCard(
    post: Post,
    me: Signal<Option<UserId>>,
    on_changed: Callback<Post>,
    on_removed: Callback<Post>,
) -> impl IntoView {
    let author = post.author.id;
    let mine = move || me.get() == Some(author);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(post.text.clone());
    let update = ServerAction::<UpdatePost>::new();
    let remove = ServerAction::<RemovePost>::new();
    let stored = StoredValue::new(post.clone());

    Effect::new(move |_| {
        if let Some(Ok(p)) = update.value().get() {
            editing.set(false);
            on_changed.run(p);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            on_removed.run(stored.get_value());
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = stored.get_value();
        let text = draft.get_untracked();
        update.dispatch(UpdatePost {
            id: p.id,
            draft: PostDraft {
                text,
                color: p.color,
                feeling: p.feeling,
                privacy: p.privacy,
            },
        });
    };
    let error = move || {
        let e = update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err));
        e.map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })
    };
    let feeling = post.feeling.map(|f| view! { <span class="feeling">{format!(" is feeling {} {}", f.emoji(), f.as_str())}</span> });
    let private = (post.privacy == Privacy::Private)
        .then(|| view! { <span class="badge" title="Only you can see this">"Only me"</span> });
    let edited = post
        .edited_at
        .map(|_| view! { <span class="muted">" · edited"</span> });

    view! {
        <article class="card post" data-testid="post" data-post-id=post.id.0.to_string()
            style:background-color=post.color.css()>
            <header class="post-head">
                <div class="avatar" aria-hidden="true">{post.author.username.chars().next().unwrap_or('?').to_ascii_uppercase().to_string()}</div>
                <div class="post-meta">
                    <div><strong class="author">{post.author.username.clone()}</strong>{feeling}</div>
                    <div class="muted small">
                        <time datetime=post.created_at.to_string()>{format_utc(post.created_at)}</time>
                        {edited}" "{private}
                    </div>
                </div>
                <Show when=move || mine() && !editing.get()>
                    <div class="post-actions">
                        <button class="button ghost small" type="button" aria-label="Edit post"
                            on:click=move |_| { draft.set(stored.with_value(|p| p.text.clone())); editing.set(true); }>"Edit"</button>
                        <button class="button ghost small danger" type="button" aria-label="Delete post"
                            disabled=move || remove.pending().get()
                            on:click=move |_| { remove.dispatch(RemovePost { id: stored.with_value(|p| p.id) }); }>"Delete"</button>
                    </div>
                </Show>
            </header>
            <Show when=move || editing.get() fallback=move || view! {
                <p class="post-text" data-testid="post-text">{stored.with_value(|p| p.text.clone())}</p>
            }>
                <form class="form edit" on:submit=save>
                    <label class="sr-only" for=format!("edit-{}", post.id.0)>"Edit text"</label>
                    <textarea id=format!("edit-{}", post.id.0) aria-label="Edit text" rows="3" maxlength=POST_TEXT_MAX.to_string()
                        prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                    <div class="row">
                        <button class="button primary small" type="submit" disabled=move || update.pending().get()>"Save"</button>
                        <button class="button ghost small" type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
            {error}
        </article>
    }
}
