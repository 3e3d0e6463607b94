//! The composer: text, background colour, feeling and audience of a new post.

use crate::api::PublishPost;
use crate::model::{Feeling, POST_TEXT_MAX, Post, PostColor, PostDraft, Privacy};
use leptos::prelude::*;

/// Writes a post; `on_created` gets the stored post as soon as the server has it.
#[component]
pub fn Composer(on_created: impl Fn(Post) + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let color = RwSignal::new(PostColor::Plain);
    let feeling = RwSignal::new(None::<Feeling>);
    let privacy = RwSignal::new(Privacy::Public);
    let action = ServerAction::<PublishPost>::new();
    let chars = move || text.with(|t| t.trim().chars().count());
    let too_long = move || chars() > POST_TEXT_MAX;

    Effect::new(move |_| {
        if let Some(Ok(post)) = action.value().get() {
            text.set(String::new());
            feeling.set(None);
            on_created(post);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if chars() == 0 || too_long() || action.pending().get_untracked() {
            return;
        }
        let draft = PostDraft {
            text: text.get_untracked(),
            color: color.get_untracked(),
            feeling: feeling.get_untracked(),
            privacy: privacy.get_untracked(),
        };
        action.dispatch(PublishPost { draft });
    };

    view! {
        <form class="card composer" on:submit=submit style:background-color=move || color.get().css()>
            <label class="sr-only" for="composer-text">"What's on your mind?"</label>
            <textarea id="composer-text" data-testid="composer-text" rows="3"
                placeholder="What's on your mind?"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="composer-row">
                <div class="swatches" role="radiogroup" aria-label="Background colour">
                    {PostColor::ALL.iter().copied().map(|c| view! {
                        <button type="button" class="swatch" role="radio"
                            aria-label=c.as_str() aria-checked=move || (color.get() == c).to_string()
                            style:background-color=c.css()
                            on:click=move |_| color.set(c)></button>
                    }).collect_view()}
                </div>
                <label class="select">
                    <span class="sr-only">"Feeling"</span>
                    <select aria-label="Feeling" on:change=move |ev| feeling.set(Feeling::parse(&event_target_value(&ev)))>
                        <option value="" selected=move || feeling.get().is_none()>"No feeling"</option>
                        {Feeling::ALL.iter().copied().map(|f| view! {
                            <option value=f.as_str() selected=move || feeling.get() == Some(f)>{format!("{} {}", f.emoji(), f.as_str())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="select">
                    <span class="sr-only">"Who can see this"</span>
                    <select aria-label="Who can see this" on:change=move |ev| privacy.set(Privacy::parse(&event_target_value(&ev)).unwrap_or_default())>
                        {Privacy::ALL.into_iter().map(|p| view! {
                            <option value=p.as_str() selected=move || privacy.get() == p>{p.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <span class="counter" class:over=too_long>{move || format!("{}/{}", chars(), POST_TEXT_MAX)}</span>
                <button class="button primary" type="submit" data-testid="composer-submit"
                    disabled=move || action.pending().get() || chars() == 0 || too_long()>
                    {move || if action.pending().get() { "Posting…" } else { "Post" }}
                </button>
            </div>
            {move || match action.value().get() {
                Some(Err(err)) => Some(view! { <p class="form-error" role="alert">{err.message}</p> }),
                _ => None,
            }}
        </form>
    }
}
