-- Notifications, the event log behind catch-up, and presence.

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- comment | reaction | follow | message
    kind TEXT NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    reaction TEXT,
    excerpt TEXT NOT NULL DEFAULT '',
    -- How many events it stands for (messages in one conversation).
    count INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_actor ON notifications(actor_id);

-- A row switches one kind off for one user; no row means on.
CREATE TABLE notification_mutes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Every durable event sent, for the catch-up window: its id is the offset clients see.
CREATE TABLE event_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- The audience as JSON: {"everyone":[]}, {"except":[ids]} or {"users":[ids]}.
    audience TEXT NOT NULL,
    -- Who caused it: replays skip it for users blocked with them since.
    actor_id INTEGER
);
CREATE INDEX event_log_created ON event_log(created_at);

-- The newest offset pruned from the log: a catch-up from before it must reload.
CREATE TABLE event_log_state (
    id INTEGER PRIMARY KEY,
    pruned_through INTEGER NOT NULL
);
INSERT INTO event_log_state (id, pruned_through) VALUES (1, 0);

-- Server instances and their last heartbeat; a silent one's sockets are swept.
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    heartbeat_at INTEGER NOT NULL
);

-- One row per connected socket, on any instance.
CREATE TABLE connections (
    socket_id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The conversation the tab shows, if any.
    conversation_id INTEGER,
    connected_at INTEGER NOT NULL
);
CREATE INDEX connections_user ON connections(user_id);
CREATE INDEX connections_instance ON connections(instance_id);
