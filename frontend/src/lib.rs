//! The browser entry point: hydrate the server-rendered page into the Leptos app.

// The page types are deep; the release (wasm-release) build needs more than the default.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
