//! What the sign-in and sign-up pages share: redirects, error display, and the full
//! reload after success (so the new session's live connection starts fresh).

use crate::error::ApiError;
use crate::model::UserSummary;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Sends a signed-in visitor to the feed.
#[component]
pub fn RedirectIfSignedIn() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    view! {
        <Suspense fallback=|| ()>
            {move || user.get().map(|_| view! { <Redirect path="/"/> })}
        </Suspense>
    }
}

/// Goes to the feed with a full page load once `value` holds a signed-in user.
pub fn reload_on_success(
    value: impl Fn() -> Option<Result<UserSummary, ApiError>> + Send + Sync + 'static,
) {
    Effect::new(move |_| {
        if matches!(value(), Some(Ok(_))) {
            go_to("/");
        }
    });
}

/// A full page load of `path` (in the browser; nothing on the server).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Err(err) = window().location().set_href(path) {
        leptos::logging::error!("navigation to {path} failed: {err:?}");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// The error of the last submission, as an alert, with its field when there is one.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || match error.get() {
        Some(err) => {
            let field = err.field.clone().unwrap_or_default();
            Some(view! { <p class="form-error" role="alert" data-field=field>{err.message}</p> })
        }
        None => None,
    }
}
