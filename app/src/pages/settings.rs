//! `/settings`: which notifications the viewer gets.

use super::feed::LoadError;
use crate::api::{SaveNotificationSettings, load_notification_settings};
use crate::error::ErrorCode;
use crate::model::{NotificationKind, NotificationSettings};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// `/settings`: signed-in users only.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_notification_settings());
    view! {
        <Title text="Settings · Chatty"/>
        <h1>"Settings"</h1>
        <Suspense fallback=|| view! { <div class="card settings skeleton" aria-busy="true" aria-label="Loading"></div> }>
            {move || data.get().map(|r| match r {
                Ok(settings) => view! { <NotificationSettingsForm initial=settings/> }.into_any(),
                Err(err) if err.code == ErrorCode::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
                Err(err) => view! { <LoadError error=err/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn NotificationSettingsForm(initial: NotificationSettings) -> impl IntoView {
    let current = RwSignal::new(initial);
    let saved = RwSignal::new(initial);
    let save = ServerAction::<SaveNotificationSettings>::new();
    Effect::new(move |_| {
        if let Some(Ok(stored)) = save.value().get() {
            saved.set(stored);
            current.set(stored);
        }
    });
    let dirty = move || current.get() != saved.get();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveNotificationSettings {
            settings: current.get_untracked(),
        });
    };
    // One line under the button: what became of the last save. Its height is kept, so
    // the page does not jump when it appears.
    let status = move || {
        if save.pending().get() {
            return view! { <p class="form-status muted" role="status">"Saving…"</p> }.into_any();
        }
        match save.value().get() {
            Some(Err(e)) => {
                view! { <p class="form-status form-error" role="alert">{e.message}</p> }.into_any()
            }
            _ if dirty() => {
                view! { <p class="form-status muted" role="status">"Unsaved changes."</p> }
                    .into_any()
            }
            Some(Ok(_)) => {
                view! { <p class="form-status saved" role="status" data-testid="settings-saved">"Saved."</p> }
                    .into_any()
            }
            None => view! { <p class="form-status" role="status"></p> }.into_any(),
        }
    };
    view! {
        <form class="card form settings" on:submit=submit>
            <fieldset class="checks">
                <legend>"Notify me about"</legend>
                {NotificationKind::ALL.into_iter().map(|kind| view! {
                    <label class="check">
                        // `checked` for the server's HTML, the property for later changes.
                        <input type="checkbox" name=kind.as_str() checked=initial.enabled(kind)
                            prop:checked=move || current.with(|s| s.enabled(kind))
                            on:change=move |ev| current.update(|s| s.set(kind, event_target_checked(&ev)))/>
                        <span>{kind.label()}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="row settings-actions">
                <button class="button primary" type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                <a class="button ghost" href="/notifications">"Back to notifications"</a>
            </div>
            {status}
        </form>
    }
}
