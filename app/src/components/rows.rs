//! A keyed list that a server render builds once.

use leptos::prelude::*;
use std::hash::Hash;

/// Leptos' `For`, except on the server. `For` is a closure (`move || keyed(...)`), and
/// a server render under `Suspense` calls every closure twice: once to find the
/// resources its view reads (`dry_resolve`), once to render it. For a list that means
/// every row's component, owner and signals built twice and the first set thrown away:
/// a feed page built 40 post cards to show 20. On the server, where nothing changes
/// after the render, the rows are built once, as a plain keyed list; the HTML is the
/// same (a closure renders as its value), so the browser's `For` hydrates it.
#[component]
pub fn Rows<IF, I, T, EF, N, KF, K>(
    /// The items, read once on the server and tracked in the browser.
    each: IF,
    /// Each item's key.
    key: KF,
    /// The view of one item.
    children: EF,
) -> impl IntoView
where
    IF: Fn() -> I + Send + 'static,
    I: IntoIterator<Item = T> + Send + 'static,
    EF: Fn(T) -> N + Send + Clone + 'static,
    N: IntoView + 'static,
    KF: Fn(&T) -> K + Send + Clone + 'static,
    K: Eq + Hash + leptos::tachys::view::keyed::SerializableKey + 'static,
    T: Send + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        For(ForProps {
            each,
            key,
            children,
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use leptos::tachys::reactive_graph::OwnedView;
        // Each row under its own owner, as `For` does, so a row's context stays its own.
        let parent = Owner::current().expect("no reactive owner");
        leptos::tachys::view::keyed::keyed(each(), key, move |_, item| {
            let owner = parent.with(Owner::new);
            let view = owner.with(|| children(item));
            (drop, OwnedView::new_with_owner(view, owner))
        })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::Rows;
    use futures::StreamExt as _;
    use leptos::prelude::*;
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    /// Renders a list of three rows under `Suspense`, as the feed renders its cards,
    /// with `Rows` or Leptos' `For`; answers the HTML and how many rows were built.
    async fn render(rows: bool) -> (String, usize) {
        // Suspense spawns its work on Leptos' executor, here the test's runtime (a
        // second call finds it set).
        _ = any_spawner::Executor::init_tokio();
        let built = Arc::new(AtomicUsize::new(0));
        let counted = built.clone();
        let row = move |n: u32| {
            counted.fetch_add(1, Ordering::Relaxed);
            view! { <p>{n}</p> }
        };
        let owner = Owner::new();
        let html = owner
            .with(|| {
                let list = move || {
                    let row = row.clone();
                    if rows {
                        view! { <Rows each=|| [1, 2, 3] key=|n| *n children=row/> }.into_any()
                    } else {
                        view! { <For each=|| [1, 2, 3] key=|n| *n children=row/> }.into_any()
                    }
                };
                view! { <Suspense fallback=|| ()>{Suspend::new(async move { list() })}</Suspense> }
                    .to_html_stream_in_order()
            })
            .collect::<String>()
            .await;
        (html, built.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn a_server_render_builds_each_row_once_where_for_builds_it_again() {
        let (html, built) = render(true).await;
        assert_eq!(built, 3, "{html}");
        let (for_html, for_built) = render(false).await;
        // `For` builds each row once per pass (here three); if Leptos stops doing so,
        // `Rows` is no longer needed.
        assert!(for_built > built, "For built {for_built} rows: {for_html}");
        // The same HTML either way, so the browser's `For` hydrates what `Rows` wrote.
        assert_eq!(html, for_html);
        assert!(html.contains("<p>1</p><p>2</p><p>3</p>"), "{html}");
    }
}
