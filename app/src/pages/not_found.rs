//! The 404 page.

use leptos::prelude::*;

/// Shown for unknown paths, with a 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card empty">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to the feed"</a></p>
        </section>
    }
}
