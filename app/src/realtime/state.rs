//! The connection state the UI shows.

/// Where the realtime connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConnState {
    /// The first connection attempt is under way.
    #[default]
    Connecting,
    /// The namespace is joined: events flow.
    Connected,
    /// The connection was lost; the client is waiting to try again.
    Reconnecting,
    /// The client stopped: closed by the page, or given up.
    Offline,
    /// The server refused the namespace join (no valid session); the client stopped.
    Unauthorized,
}

impl ConnState {
    /// The stable name, for `data-socket` attributes and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnState::Connecting => "connecting",
            ConnState::Connected => "connected",
            ConnState::Reconnecting => "reconnecting",
            ConnState::Offline => "offline",
            ConnState::Unauthorized => "unauthorized",
        }
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ConnState::Connecting => "Connecting…",
            ConnState::Connected => "Live",
            ConnState::Reconnecting => "Reconnecting…",
            ConnState::Offline => "Offline",
            ConnState::Unauthorized => "Signed out",
        }
    }

    /// Is the namespace joined?
    pub fn is_connected(self) -> bool {
        self == ConnState::Connected
    }
}

impl std::fmt::Display for ConnState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ConnState::*;

    #[test]
    fn names_and_labels() {
        let table = [
            (Connecting, "connecting", "Connecting…"),
            (Connected, "connected", "Live"),
            (Reconnecting, "reconnecting", "Reconnecting…"),
            (Offline, "offline", "Offline"),
            (Unauthorized, "unauthorized", "Signed out"),
        ];
        for (state, name, label) in table {
            assert_eq!(
                (state.as_str(), state.label(), state.to_string().as_str()),
                (name, label, name)
            );
        }
        assert!(Connected.is_connected() && !Reconnecting.is_connected());
    }
}
