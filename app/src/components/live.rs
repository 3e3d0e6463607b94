//! Helpers for pages that talk to the live connection.

use crate::realtime::SocketClient;

/// Calls `f` now if the connection is up (the page was reached by in-app navigation),
/// and on every (re)connection while the calling component lives: the way to tell the
/// server what this page wants (a room, a focus), which it forgets with each connection.
pub fn while_connected(socket: &SocketClient, f: impl Fn() + Clone + 'static) {
    socket.on_connect(f.clone()).until_cleanup();
    #[cfg(feature = "hydrate")]
    {
        // An effect: in the browser only, once the component is in place.
        use leptos::prelude::{Effect, GetUntracked};
        let state = socket.state();
        Effect::new(move |_| {
            if state.get_untracked() == crate::realtime::ConnState::Connected {
                f();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    drop(f);
}
