-- Notifications, the event log behind catch-up, and presence.

CREATE TABLE notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- comment | reaction | follow | message
    kind TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts(id) ON DELETE CASCADE,
    conversation_id BIGINT REFERENCES conversations(id) ON DELETE CASCADE,
    reaction TEXT,
    excerpt TEXT NOT NULL DEFAULT '',
    -- How many events it stands for (messages in one conversation).
    count BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_actor ON notifications(actor_id);

-- A row switches one kind off for one user; no row means on.
CREATE TABLE notification_mutes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Every durable event sent, for the catch-up window: its id is the offset clients see.
CREATE TABLE event_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at BIGINT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- The audience as JSON: {"everyone":[]}, {"except":[ids]} or {"users":[ids]}.
    audience TEXT NOT NULL,
    -- Who caused it: replays skip it for users blocked with them since.
    actor_id BIGINT
);
CREATE INDEX event_log_created ON event_log(created_at);

-- The newest offset pruned from the log: a catch-up from before it must reload.
CREATE TABLE event_log_state (
    id BIGINT PRIMARY KEY,
    pruned_through BIGINT NOT NULL
);
INSERT INTO event_log_state (id, pruned_through) VALUES (1, 0);

-- Server instances and their last heartbeat; a silent one's sockets are swept.
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    heartbeat_at BIGINT NOT NULL
);

-- One row per connected socket, on any instance.
CREATE TABLE connections (
    socket_id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The conversation the tab shows, if any.
    conversation_id BIGINT,
    connected_at BIGINT NOT NULL
);
CREATE INDEX connections_user ON connections(user_id);
CREATE INDEX connections_instance ON connections(instance_id);
