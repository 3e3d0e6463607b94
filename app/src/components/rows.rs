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
            (drop, OwnedView::new_with_owner(flat::Flat(view), owner))
        })
    }
}

/// A row's server render written straight into the page's buffer.
///
/// Under `Suspense` a server render is asynchronous, and tachys writes each element of
/// an asynchronous render through a `String` of its own (its opening tag and
/// attributes, grown as they are written, then copied into the page): for a feed page
/// about 700 allocations, reallocations and copies, some 15 % of the page's
/// instructions. A row holds nothing asynchronous (no `Suspense` or `Suspend` inside
/// one), so its synchronous render, which writes into the page's buffer directly, gives
/// the same HTML. Everything else is the row's own.
#[cfg(not(feature = "hydrate"))]
mod flat {
    use leptos::tachys::html::attribute::{Attribute, any_attribute::AnyAttribute};
    use leptos::tachys::hydration::Cursor;
    use leptos::tachys::view::{Position, PositionState, Render, RenderHtml, add_attr::AddAnyAttr};

    pub struct Flat<V>(pub V);

    impl<V: Render> Render for Flat<V> {
        type State = V::State;

        fn build(self) -> Self::State {
            self.0.build()
        }

        fn rebuild(self, state: &mut Self::State) {
            self.0.rebuild(state)
        }
    }

    impl<V: RenderHtml> AddAnyAttr for Flat<V> {
        type Output<A: Attribute> = Flat<V::Output<A>>;

        fn add_any_attr<A: Attribute>(self, attr: A) -> Self::Output<A>
        where
            Self::Output<A>: RenderHtml,
        {
            Flat(self.0.add_any_attr(attr))
        }
    }

    impl<V: RenderHtml> RenderHtml for Flat<V> {
        type AsyncOutput = Flat<V::AsyncOutput>;
        type Owned = Flat<V::Owned>;

        const MIN_LENGTH: usize = V::MIN_LENGTH;
        const EXISTS: bool = V::EXISTS;

        fn dry_resolve(&mut self) {
            self.0.dry_resolve()
        }

        async fn resolve(self) -> Self::AsyncOutput {
            Flat(self.0.resolve().await)
        }

        fn html_len(&self) -> usize {
            self.0.html_len()
        }

        fn to_html_with_buf(
            self,
            buf: &mut String,
            position: &mut Position,
            escape: bool,
            mark_branches: bool,
            extra_attrs: Vec<AnyAttribute>,
        ) {
            self.0
                .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
        }

        // `to_html_async_with_buf` is the trait's own: the synchronous render above,
        // into the stream's buffer.

        fn hydrate<const FROM_SERVER: bool>(
            self,
            cursor: &Cursor,
            position: &PositionState,
        ) -> Self::State {
            self.0.hydrate::<FROM_SERVER>(cursor, position)
        }

        fn into_owned(self) -> Self::Owned {
            Flat(self.0.into_owned())
        }
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
            // Attributes, a class, a style and a closure: what a card's elements hold,
            // which `Rows` writes synchronously and `For` asynchronously.
            let label = move || format!("row {n}");
            view! { <p class="row" data-n=n style:color="red" aria-label=label>{n}<b>{label}</b></p> }
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
        assert!(
            html.contains(r#"<p data-n="2" aria-label="row 2" class="row" style="color:red;">2<b>row 2</b></p>"#),
            "{html}"
        );
    }
}
