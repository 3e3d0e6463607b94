-- The unread count, "mark all read" and the lookup of the unread notification a repeat
-- replaces read only unread rows: index just those, so they cost the unread
-- notifications rather than every notification the user ever had.
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;
