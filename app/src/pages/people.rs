//! People: search by name, suggestions, and everyone, with follow and block.

use super::feed::{FeedSkeleton, LoadError};
use crate::api::{load_people, load_suggestions, search_people};
use crate::components::presence::{OnlineNow, Presence};
use crate::components::{rows::Rows, user_card::UserCardView};
use crate::error::ErrorCode;
use crate::events::UserHidden;
use crate::model::{PeoplePage, UserCard};
use crate::realtime::SocketClient;
use crate::text::profile_path;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// `/people`.
#[component]
pub fn PeoplePage() -> impl IntoView {
    expect_context::<Presence>().load();
    let data = Resource::new(
        || (),
        |_| async move {
            let suggestions = load_suggestions().await?;
            let people = load_people(None).await?;
            Ok::<_, crate::error::ApiError>((suggestions, people))
        },
    );
    view! {
        <Title text="People · Chatty"/>
        <Suspense fallback=FeedSkeleton>
            {move || data.get().map(|d| match d {
                Ok((suggestions, people)) => view! { <PeopleView suggestions=suggestions people=people/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PeopleView(suggestions: Vec<UserCard>, people: PeoplePage) -> impl IntoView {
    let suggested = RwSignal::new(suggestions);
    let everyone = RwSignal::new(people.people);
    let next = RwSignal::new(people.next_after);
    let query = RwSignal::new(String::new());
    let found = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                search_people(q).await.map(Some)
            }
        },
    );
    let drop_user = move |id| {
        for list in [suggested, everyone] {
            list.update(|v| v.retain(|c: &UserCard| c.user.id != id));
        }
    };
    expect_context::<SocketClient>()
        .on::<UserHidden>(move |e| drop_user(e.user))
        .until_cleanup();
    let on_blocked = Callback::new(move |c: UserCard| drop_user(c.user.id));
    let more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(page) = load_people(Some(after)).await {
                everyone.update(|v| v.extend(page.people));
                next.set(page.next_after);
            }
        });
    };
    let cards = move |list: RwSignal<Vec<UserCard>>| {
        view! {
            <ul class="people">
                <Rows each=move || list.get() key=|c| c.user.id let:c>
                    <UserCardView card=c on_blocked=on_blocked/>
                </Rows>
            </ul>
        }
    };
    view! {
        <OnlineNow link=profile_path/>
        <section class="card">
            <label class="field"><span>"Search people"</span>
                <input type="search" placeholder="Username starts with…" maxlength="30"
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            </label>
            <Transition fallback=|| ()>
                {move || found.get().map(|r| match r {
                    Ok(Some(list)) if list.is_empty() => view! { <p class="muted">"Nobody by that name."</p> }.into_any(),
                    Ok(Some(list)) => { let l = RwSignal::new(list); cards(l).into_any() }
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
        <h2>"Suggested for you"</h2>
        <Show when=move || !suggested.with(Vec::is_empty) fallback=|| view! { <p class="muted">"No suggestions right now."</p> }>
            {cards(suggested)}
        </Show>
        <h2>"Everyone"</h2>
        {cards(everyone)}
        <div class="more">
            <Show when=move || next.get().is_some()>
                <button class="button" type="button" on:click=more>"Load more people"</button>
            </Show>
        </div>
    }
}
