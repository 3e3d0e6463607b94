//! The least a hydrated Leptos page weighs with what every page of ours stands on: the
//! router, meta tags, one server function, a resource under `Suspense`, a keyed list,
//! a form, a few signals and JSON decoding. `make wasm-floor` builds it exactly as the
//! app's browser build is built and prints its size: the part of the feed page's WASM
//! that the framework costs before the page does anything of its own.

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};
use serde::{Deserialize, Serialize};

/// A post, as small as a post can be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    pub author: String,
    pub text: String,
    pub likes: i64,
}

/// The page's one call to the server (the browser build holds only its client half).
#[server]
pub async fn load_items(before: Option<i64>) -> Result<Vec<Item>, ServerFnError> {
    let _ = before;
    Ok(Vec::new())
}

#[component]
fn Card(item: Item) -> impl IntoView {
    let likes = RwSignal::new(item.likes);
    view! {
        <article class="card">
            <h3>{item.author}</h3>
            <p>{item.text}</p>
            <button on:click=move |_| likes.update(|n| *n += 1)>"Like " {move || likes.get()}</button>
        </article>
    }
}

#[component]
fn Feed() -> impl IntoView {
    let items = Resource::new(|| (), |()| load_items(None));
    let draft = RwSignal::new(String::new());
    let live = RwSignal::new(Vec::<Item>::new());
    // Stands for the live connection: JSON text decoded into a typed value.
    Effect::new(move || {
        if let Ok(item) = serde_json::from_str::<Item>(&draft.get()) {
            live.update(|l| l.push(item));
        }
    });
    view! {
        <Title text="Feed"/>
        <form on:submit=move |ev| {
            ev.prevent_default();
            draft.set(String::new());
        }>
            <textarea prop:value=draft on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            <button type="submit">"Post"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading"</p> }>
            {move || Suspend::new(async move {
                let list = items.await.unwrap_or_default();
                view! { <For each=move || list.clone() key=|i| i.id let:item><Card item/></For> }
            })}
        </Suspense>
        <For each=move || live.get() key=|i| i.id let:item><Card item/></For>
    }
}

#[component]
fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <main>
                <Routes fallback=|| "Not found">
                    <Route path=path!("") view=Feed/>
                </Routes>
            </main>
        </Router>
    }
}

/// The browser entry point, as the app's.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
