//! The reaction bar: one button per kind with its count; one reaction per user.

use crate::events::{React, ReactionRequest};
use crate::model::{Post, ReactionKind};
use crate::realtime::SocketClient;
use leptos::prelude::*;

/// Reacting sends the typed `post:react` event; `on_state` gets the server's answer
/// (the counts and the user's own reaction after the change).
#[component]
pub fn ReactionBar(
    post: Signal<Post>,
    on_state: Callback<crate::events::ReactionState>,
) -> impl IntoView {
    let socket = StoredValue::new(expect_context::<SocketClient>());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let choose = move |kind: ReactionKind| {
        if pending.get_untracked() {
            return;
        }
        let (post_id, mine) = post.with_untracked(|p| (p.id, p.my_reaction));
        let next = if mine == Some(kind) { None } else { Some(kind) };
        pending.set(true);
        let reply = socket.with_value(|s| {
            s.emit::<React>(&ReactionRequest {
                post_id,
                kind: next,
            })
        });
        leptos::task::spawn_local(async move {
            match reply.await {
                Ok(state) => {
                    error.set(None);
                    on_state.run(state);
                }
                Err(err) => error.set(Some(err.message)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="reactions" role="group" aria-label="Reactions">
            {ReactionKind::ALL.iter().copied().map(|kind| {
                let count = move || post.with(|p| p.reactions.get(kind));
                let mine = move || post.with(|p| p.my_reaction == Some(kind));
                view! {
                    <button type="button" class="reaction" class:mine=mine
                        aria-label=format!("React {}", kind.as_str()) aria-pressed=move || mine().to_string()
                        data-testid=format!("reaction-{}", kind.as_str()) data-count=move || count().to_string()
                        disabled=move || pending.get()
                        on:click=move |_| choose(kind)>
                        <span aria-hidden="true">{kind.emoji()}</span>
                        <span class="count">{move || match count() { 0 => String::new(), n => n.to_string() }}</span>
                    </button>
                }
            }).collect_view()}
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </div>
    }
}
