//! The browser entry point: hydrate the server-rendered page into the Leptos app.

// The page types are deep; the release (wasm-release) build needs more than the default.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: every page but the feed is a lazy route, whose WASM chunk
    // must be fetched before its server-rendered HTML can be hydrated.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            leptos::logging::error!("cannot hydrate: the page has no <body>");
            return;
        };
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        app::mark_hydrated();
    });
}
