-- Each post's comment and reaction counts, kept by triggers on the writes that change
-- them, so a feed page reads seven numbers per post instead of counting every comment
-- and, six times over, every reaction of each post. Triggers also follow the cascades.
ALTER TABLE posts
    ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reactions_like BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reactions_love BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reactions_happy BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reactions_wow BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reactions_sad BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reactions_angry BIGINT NOT NULL DEFAULT 0;

UPDATE posts SET
    comment_count = (SELECT COUNT(*) FROM comments c WHERE c.post_id = posts.id),
    reactions_like = (SELECT COUNT(*) FROM reactions r WHERE r.post_id = posts.id AND r.kind = 'like'),
    reactions_love = (SELECT COUNT(*) FROM reactions r WHERE r.post_id = posts.id AND r.kind = 'love'),
    reactions_happy = (SELECT COUNT(*) FROM reactions r WHERE r.post_id = posts.id AND r.kind = 'happy'),
    reactions_wow = (SELECT COUNT(*) FROM reactions r WHERE r.post_id = posts.id AND r.kind = 'wow'),
    reactions_sad = (SELECT COUNT(*) FROM reactions r WHERE r.post_id = posts.id AND r.kind = 'sad'),
    reactions_angry = (SELECT COUNT(*) FROM reactions r WHERE r.post_id = posts.id AND r.kind = 'angry');

CREATE FUNCTION comments_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE posts SET comment_count = comment_count + 1 WHERE id = NEW.post_id;
    ELSE
        UPDATE posts SET comment_count = comment_count - 1 WHERE id = OLD.post_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER comments_count AFTER INSERT OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_count();

-- Adds `delta` to the counter of `kind` on post `post`.
CREATE FUNCTION reactions_add(post BIGINT, kind TEXT, delta BIGINT) RETURNS void
LANGUAGE sql AS $$
    UPDATE posts SET
        reactions_like = reactions_like + CASE WHEN kind = 'like' THEN delta ELSE 0 END,
        reactions_love = reactions_love + CASE WHEN kind = 'love' THEN delta ELSE 0 END,
        reactions_happy = reactions_happy + CASE WHEN kind = 'happy' THEN delta ELSE 0 END,
        reactions_wow = reactions_wow + CASE WHEN kind = 'wow' THEN delta ELSE 0 END,
        reactions_sad = reactions_sad + CASE WHEN kind = 'sad' THEN delta ELSE 0 END,
        reactions_angry = reactions_angry + CASE WHEN kind = 'angry' THEN delta ELSE 0 END
    WHERE id = post;
$$;

CREATE FUNCTION reactions_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reactions_add(OLD.post_id, OLD.kind, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM reactions_add(NEW.post_id, NEW.kind, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reactions_count AFTER INSERT OR DELETE OR UPDATE OF post_id, kind ON reactions
    FOR EACH ROW EXECUTE FUNCTION reactions_count();
