//! The least a Leptos page of our kind costs: the router, meta tags, one server
//! function feeding a resource under `Suspense` (rendered in `SsrMode::Async`, as our
//! feed), a keyed list of 20 post cards with a live counter and a button each, a form,
//! and JSON decoding. Built as the app is (`hydrate` for the browser, `ssr` for
//! `floor-server`), it is the yardstick of two figures the app misses: `make floor`
//! prints the size of its WASM and how many pages per second it serves on one core.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
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

/// The page's one call to the server: 20 posts from memory, as long as the bench's.
#[server]
pub async fn load_items(before: Option<i64>) -> Result<Vec<Item>, ServerFnError> {
    Ok((1..=20)
        .rev()
        .filter(|id| before.is_none_or(|b| *id < b))
        .map(|id| Item {
            id,
            author: format!("user{id}"),
            text: format!(
                "Post {id} of the benchmark's feed: {}",
                "lorem ipsum ".repeat(8)
            ),
            likes: id,
        })
        .collect())
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
        <For each=move || live.get() key=|i| i.id let:item><Card item/></For>
        <Suspense fallback=|| view! { <p>"Loading"</p> }>
            {move || Suspend::new(async move {
                let list = items.await.unwrap_or_default();
                view! { <For each=move || list.clone() key=|i| i.id let:item><Card item/></For> }
            })}
        </Suspense>
    }
}

/// The application: one route.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <main>
                <Routes fallback=|| "Not found">
                    <Route path=path!("/") view=Feed ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The browser entry point, as the app's.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
