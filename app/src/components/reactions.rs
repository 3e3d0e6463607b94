//! The reaction bar: one button per kind with its count; one reaction per user.

use crate::events::{React, ReactionRequest, ReactionState};
use crate::model::{Post, ReactionKind};
use crate::realtime::SocketClient;
use crate::text::push_int;
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
    // One reactive read per bar, not five per button: the six buttons are one view
    // rendered from the counts, the reader's own reaction and whether one is on its
    // way. A change re-runs it and patches the same six buttons in place (same view
    // type), so they keep their focus; a server render reads the post once per card.
    // Each button is as small as it can be (a feed page renders 120): its name and
    // state for assistive technology, its emoji and count as one text. Styles key on
    // `aria-pressed`; outside a form a button submits nothing, so no `type`.
    let buttons = move || {
        let (counts, mine) = post.with(|p| (p.reactions, p.my_reaction));
        let pending = sending.with(|s| s.pending);
        ReactionKind::ALL
            .iter()
            .copied()
            .map(|kind| {
                let socket = socket.clone();
                let pressed = if mine == Some(kind) { "true" } else { "false" };
                view! {
                    <button aria-label=kind.label() aria-pressed=pressed disabled=pending
                        on:click=move |_| choose(&socket, kind)>
                        {label(kind, counts.get(kind))}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <div class="reactions" role="group" aria-label="Reactions">
            {buttons}
            {move || sending.with(|s| s.error.clone()).map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </div>
    }
}

/// A button's text: the emoji, and the count when there is one (built as the card's
/// other texts are, without `format!`: a feed page writes 120).
fn label(kind: ReactionKind, count: i64) -> String {
    let mut text = String::with_capacity(16);
    text.push_str(kind.emoji());
    if count != 0 {
        text.push(' ');
        push_int(&mut text, count, 1);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::label;
    use crate::model::ReactionKind;

    #[test]
    fn a_button_shows_its_count_only_when_there_is_one() {
        assert_eq!(label(ReactionKind::Like, 0), "👍");
        assert_eq!(label(ReactionKind::Like, 12), "👍 12");
    }
}
