//! The reaction bar: one button per kind with its count; one reaction per user.

use crate::events::{React, ReactionRequest, ReactionState};
use crate::model::{Post, ReactionKind};
use crate::realtime::SocketClient;
use leptos::prelude::*;

/// A reaction on its way, and the last one that failed: one signal, as a feed renders
/// a bar per post and every reactive node is paid for on each server render.
#[derive(Debug, Clone, Default)]
struct Sending {
    pending: bool,
    error: Option<String>,
}

/// Reacting sends the typed `post:react` event; `on_state` gets the server's answer
/// (the counts and the user's own reaction after the change).
#[component]
pub fn ReactionBar(post: Signal<Post>, on_state: Callback<ReactionState>) -> impl IntoView {
    let socket = expect_context::<SocketClient>();
    let sending = RwSignal::new(Sending::default());
    let pending = move || sending.with(|s| s.pending);
    let choose = move |socket: &SocketClient, kind: ReactionKind| {
        if sending.with_untracked(|s| s.pending) {
            return;
        }
        let (post_id, mine) = post.with_untracked(|p| (p.id, p.my_reaction));
        let next = if mine == Some(kind) { None } else { Some(kind) };
        sending.update(|s| s.pending = true);
        let reply = socket.emit::<React>(&ReactionRequest {
            post_id,
            kind: next,
        });
        leptos::task::spawn_local(async move {
            let error = match reply.await {
                Ok(state) => {
                    on_state.run(state);
                    None
                }
                Err(err) => Some(err.message),
            };
            sending.set(Sending {
                pending: false,
                error,
            });
        });
    };
    view! {
        <div class="reactions" role="group" aria-label="Reactions">
            {ReactionKind::ALL.iter().copied().map(|kind| {
                let socket = socket.clone();
                let count = move || post.with(|p| p.reactions.get(kind));
                let mine = move || post.with(|p| p.my_reaction == Some(kind));
                view! {
                    <button type="button" class="reaction" class:mine=mine
                        aria-label=kind.label() aria-pressed=move || if mine() { "true" } else { "false" }
                        data-testid=kind.test_id() data-count=move || count().to_string()
                        disabled=pending
                        on:click=move |_| choose(&socket, kind)>
                        <span aria-hidden="true">{kind.emoji()}</span>
                        <span class="count">{move || match count() { 0 => String::new(), n => n.to_string() }}</span>
                    </button>
                }
            }).collect_view()}
            {move || sending.with(|s| s.error.clone()).map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </div>
    }
}
