//! A person on the people page: name, bio, followers, whether they are online, follow
//! and block buttons.

use super::presence::OnlineDot;
use crate::api::{SetBlock, SetFollow};
use crate::model::UserCard;
use crate::text::{chat_path, follower_count, initial, profile_path};
use leptos::prelude::*;

/// A card for one user; `on_blocked` is told when the viewer blocks them.
#[component]
pub fn UserCardView(card: UserCard, on_blocked: Callback<UserCard>) -> impl IntoView {
    let followed = RwSignal::new(card.followed_by_me);
    let followers = RwSignal::new(card.followers);
    let follow = ServerAction::<SetFollow>::new();
    let block = ServerAction::<SetBlock>::new();
    let username = card.user.username.clone();
    Effect::new(move |_| {
        if let Some(Ok(profile)) = follow.value().get() {
            followed.set(profile.followed_by_me);
            followers.set(profile.followers);
        }
    });
    let blocked_card = card.clone();
    Effect::new(move |_| {
        if let Some(Ok(profile)) = block.value().get()
            && profile.blocked_by_me
        {
            on_blocked.run(blocked_card.clone());
        }
    });
    let error = move || {
        let e = follow
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| block.value().get().and_then(Result::err));
        e.map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })
    };
    let (u1, u2) = (username.clone(), username.clone());
    view! {
        <li class="card person" data-testid="person" data-username=username.clone()>
            <a class="avatar" href=profile_path(&username) aria-hidden="true" tabindex="-1">
                {initial(&username)}
                <OnlineDot user=card.user.id online_at_load=card.online/>
            </a>
            <div class="person-meta">
                <a class="author" href=profile_path(&username)>{username.clone()}</a>
                <div class="muted small">{move || follower_count(followers.get())}</div>
                {(!card.bio.is_empty()).then(|| view! { <p class="small">{card.bio.clone()}</p> })}
            </div>
            <div class="person-actions">
                <button class="button small" class:primary=move || !followed.get() type="button"
                    disabled=move || follow.pending().get()
                    on:click=move |_| { follow.dispatch(SetFollow { username: u1.clone(), follow: !followed.get_untracked() }); }>
                    {move || if followed.get() { "Unfollow" } else { "Follow" }}
                </button>
                <a class="button small" href=chat_path(&username)>"Message"</a>
                <button class="button ghost small danger" type="button" disabled=move || block.pending().get()
                    on:click=move |_| { block.dispatch(SetBlock { username: u2.clone(), block: true }); }>"Block"</button>
            </div>
            {error}
        </li>
    }
}
