-- Each participant's unread count per conversation, kept up to date by the writes that
-- change it, so the header's total costs one row per conversation with unread
-- messages instead of a count over every conversation the user ever had.
ALTER TABLE conversation_reads ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;

-- Every participant of a conversation with messages gets a row.
INSERT INTO conversation_reads (conversation_id, user_id, last_read_id)
SELECT c.id, c.user_low, 0 FROM conversations c
WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
ON CONFLICT (conversation_id, user_id) DO NOTHING;
INSERT INTO conversation_reads (conversation_id, user_id, last_read_id)
SELECT c.id, c.user_high, 0 FROM conversations c
WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
ON CONFLICT (conversation_id, user_id) DO NOTHING;

-- The same definition store::chat::recount applies from now on.
UPDATE conversation_reads SET unread = (
    SELECT COUNT(*) FROM messages m
    WHERE m.conversation_id = conversation_reads.conversation_id
      AND m.sender_id <> conversation_reads.user_id
      AND m.deleted = 0
      AND m.id > conversation_reads.last_read_id
      AND NOT EXISTS (SELECT 1 FROM message_hidden h
                      WHERE h.message_id = m.id AND h.user_id = conversation_reads.user_id)
);

CREATE INDEX conversation_reads_unread ON conversation_reads(user_id) WHERE unread > 0;
