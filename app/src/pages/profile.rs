//! A user's profile: details, counts, follow and block, their posts, live.

use super::feed::{FeedSkeleton, LoadError, PostList, Source};
use crate::api::{
    SaveProfile, SetBlock, SetFollow, load_follow_list, load_profile, load_user_posts,
};
use crate::error::ErrorCode;
use crate::events::{FollowChanged, ProfileUpdated, UserHidden, UserRef, WatchProfile};
use crate::model::{FeedPage, Profile, ProfileInfo, UserSummary};
use crate::realtime::SocketClient;
use crate::root::CurrentUser;
use crate::text::{chat_path, initial, noun, profile_path};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

/// `/u/:username`.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.with(|p| p.get("username").unwrap_or_default());
    let data = Resource::new(name, |name| async move {
        let profile = load_profile(name.clone()).await?;
        let posts = if profile.blocked_by_me {
            FeedPage::default()
        } else {
            load_user_posts(name, None).await?
        };
        Ok::<_, crate::error::ApiError>((profile, posts))
    });
    view! {
        <Suspense fallback=FeedSkeleton>
            {move || data.get().map(|d| match d {
                Ok((profile, posts)) => view! { <ProfileView profile=profile posts=posts/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ProfileView(profile: Profile, posts: FeedPage) -> impl IntoView {
    let user = profile.user.clone();
    let me = expect_context::<CurrentUser>();
    let own = move || me.get().is_some_and(|m| m.id == user.id);
    let state = RwSignal::new(profile);
    let hidden = RwSignal::new(false);
    let follow = ServerAction::<SetFollow>::new();
    let block = ServerAction::<SetBlock>::new();
    Effect::new(move |_| {
        if let Some(Ok(p)) = follow.value().get() {
            state.set(p);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(p)) = block.value().get() {
            state.set(p);
        }
    });

    let socket = expect_context::<SocketClient>();
    let watch = {
        let socket = socket.clone();
        move || {
            let reply = socket.emit::<WatchProfile>(&UserRef { user: user.id });
            leptos::task::spawn_local(async move {
                if let Err(e) = reply.await {
                    leptos::logging::warn!("cannot watch this profile: {}", e.message);
                }
            });
        }
    };
    crate::components::live::while_connected(&socket, watch);
    // Follower counts and details changes are not replayed after a reconnect: ask again
    // (after the watch above, so nothing falls between the two).
    socket
        .on_connect(move || {
            let name = state.with_untracked(|p| p.user.username.clone());
            leptos::task::spawn_local(async move {
                match load_profile(name).await {
                    Ok(p) => state.set(p),
                    Err(e) if matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
                        hidden.set(true)
                    }
                    Err(e) => leptos::logging::warn!("cannot reload this profile: {}", e.message),
                }
            });
        })
        .until_cleanup();
    // Leaving the page stops the watch (in the browser; server rendering never watched).
    #[cfg(feature = "hydrate")]
    {
        let socket = socket.clone();
        on_cleanup(move || {
            let done = socket.emit::<crate::events::UnwatchProfile>(&UserRef { user: user.id });
            leptos::task::spawn_local(async move {
                let _ignored_when_offline = done.await;
            });
        });
    }
    socket
        .on::<FollowChanged>(move |c| {
            if c.user == user.id {
                state.update(|p| {
                    p.followers = c.followers;
                    p.following = c.following;
                });
            }
        })
        .until_cleanup();
    socket
        .on::<ProfileUpdated>(move |e| {
            if e.user.id == user.id {
                state.update(|p| p.info = e.info)
            }
        })
        .until_cleanup();
    // A block between us: the blocker still sees a bare profile (to unblock), the
    // blocked one nothing. Ask the server which we are.
    socket
        .on::<UserHidden>(move |e| {
            if e.user == user.id {
                let name = state.with_untracked(|p| p.user.username.clone());
                leptos::task::spawn_local(async move {
                    match load_profile(name).await {
                        Ok(p) => state.set(p),
                        Err(_) => hidden.set(true),
                    }
                });
            }
        })
        .until_cleanup();

    let name = user.username.clone();
    let stored_name = StoredValue::new(name.clone());
    let n1 = name.clone();
    let source = Source::User {
        id: user.id,
        username: name.clone(),
    };
    view! {
        <Title text=format!("{name} · Chatty")/>
        <Show when=move || !hidden.get() fallback=|| view! {
            <div class="card empty" role="status"><p>"This profile is not available."</p></div>
        }>
            <section class="card profile" data-testid="profile">
                <div class="profile-head">
                    <div class="avatar big" aria-hidden="true">{initial(&n1)}</div>
                    <div class="profile-meta">
                        <h1>{n1.clone()}</h1>
                        <p class="counts">
                            <span data-testid="followers-count">{move || state.with(|p| p.followers)}</span>
                            {move || noun(state.with(|p| p.followers), " follower · ", " followers · ")}
                            <span data-testid="following-count">{move || state.with(|p| p.following)}</span>" following"
                        </p>
                    </div>
                    <Show when=move || !own()>
                        <div class="person-actions">
                            <Show when=move || !state.with(|p| p.blocked_by_me)>
                                <button class="button small" class:primary=move || !state.with(|p| p.followed_by_me) type="button"
                                    disabled=move || follow.pending().get()
                                    on:click=move |_| { follow.dispatch(SetFollow { username: stored_name.get_value(), follow: !state.with_untracked(|p| p.followed_by_me) }); }>
                                    {move || if state.with(|p| p.followed_by_me) { "Unfollow" } else { "Follow" }}
                                </button>
                            </Show>
                            <Show when=move || !state.with(|p| p.blocked_by_me)>
                                <a class="button small" href=chat_path(&stored_name.get_value())>"Message"</a>
                            </Show>
                            <button class="button ghost small danger" type="button" disabled=move || block.pending().get()
                                on:click=move |_| { block.dispatch(SetBlock { username: stored_name.get_value(), block: !state.with_untracked(|p| p.blocked_by_me) }); }>
                                {move || if state.with(|p| p.blocked_by_me) { "Unblock" } else { "Block" }}
                            </button>
                        </div>
                    </Show>
                </div>
                {move || {
                    let info = state.with(|p| p.info.clone());
                    view! {
                        <div class="profile-info">
                            {(!info.bio.is_empty()).then(|| view! { <p data-testid="bio">{info.bio.clone()}</p> })}
                            {(!info.location.is_empty()).then(|| view! { <p class="muted small">"📍 "{info.location.clone()}</p> })}
                            {(!info.website.is_empty()).then(|| view! { <p class="small"><a href=info.website.clone() rel="nofollow noopener" target="_blank">{info.website.clone()}</a></p> })}
                        </div>
                    }
                }}
                {move || follow.value().get().and_then(Result::err).or_else(|| block.value().get().and_then(Result::err))
                    .map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })}
                <Show when=own><EditProfile state=state/></Show>
                <FollowLists username=stored_name.get_value()/>
            </section>
            <Show when=move || state.with(|p| p.blocked_by_me) fallback={ let (p, s) = (posts.clone(), source.clone()); move || view! { <PostList initial=p.clone() source=s.clone()/> } }>
                <div class="card empty"><p>"You blocked this user. Unblock them to see their posts."</p></div>
            </Show>
        </Show>
    }
}

#[component]
fn EditProfile(state: RwSignal<Profile>) -> impl IntoView {
    let open = RwSignal::new(false);
    let save = ServerAction::<SaveProfile>::new();
    let (bio, location, website) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    Effect::new(move |_| {
        if let Some(Ok(p)) = save.value().get() {
            state.set(p);
            open.set(false);
        }
    });
    let start = move |_| {
        let info = state.with_untracked(|p| p.info.clone());
        bio.set(info.bio);
        location.set(info.location);
        website.set(info.website);
        open.set(true);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveProfile {
            info: ProfileInfo {
                bio: bio.get_untracked(),
                location: location.get_untracked(),
                website: website.get_untracked(),
            },
        });
    };
    view! {
        <Show when=move || open.get() fallback=move || view! { <button class="button small" type="button" on:click=start>"Edit profile"</button> }>
            <form class="form" on:submit=submit>
                <label class="field"><span>"Bio"</span>
                    <textarea rows="2" maxlength="160" prop:value=move || bio.get() on:input=move |ev| bio.set(event_target_value(&ev))></textarea></label>
                <label class="field"><span>"Location"</span>
                    <input maxlength="60" prop:value=move || location.get() on:input=move |ev| location.set(event_target_value(&ev))/></label>
                <label class="field"><span>"Website"</span>
                    <input type="url" maxlength="200" placeholder="https://" prop:value=move || website.get() on:input=move |ev| website.set(event_target_value(&ev))/></label>
                {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })}
                <div class="row">
                    <button class="button primary small" type="submit" disabled=move || save.pending().get()>"Save profile"</button>
                    <button class="button ghost small" type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
}

#[component]
fn FollowLists(username: String) -> impl IntoView {
    let shown = RwSignal::new(None::<bool>);
    let list = Resource::new(
        move || shown.get(),
        move |which| {
            let username = username.clone();
            async move {
                match which {
                    Some(followers) => load_follow_list(username, followers).await.map(Some),
                    None => Ok(None),
                }
            }
        },
    );
    let names = |users: Vec<UserSummary>| {
        users
            .into_iter()
            .map(|u| view! { <li><a href=profile_path(&u.username)>{u.username.clone()}</a></li> })
            .collect_view()
    };
    view! {
        <div class="row">
            <button class="button ghost small" type="button" on:click=move |_| shown.set(Some(true))>"Show followers"</button>
            <button class="button ghost small" type="button" on:click=move |_| shown.set(Some(false))>"Show following"</button>
        </div>
        <Transition fallback=|| ()>
            {move || list.get().map(|r| match r {
                Ok(Some(users)) if users.is_empty() => view! { <p class="muted small">"Nobody yet."</p> }.into_any(),
                Ok(Some(users)) => view! { <ul class="follow-list">{names(users)}</ul> }.into_any(),
                Ok(None) => ().into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
            })}
        </Transition>
    }
}
