//! Who may see what: the one place that decides, used by reads (as SQL) and by
//! realtime fan-out (as an audience of rooms). Privacy, follows and blocks all meet here.

use crate::realtime::Audience;
use crate::store::{self, Conn};
use app::model::{Privacy, UserId};

/// SQL: "the user in column `$col` and the viewer `$1` are not blocked, either way".
macro_rules! not_blocked_with_1 {
    ($col:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ",
            $col,
            " AND b.blocked_id = $1) OR (b.blocker_id = $1 AND b.blocked_id = ",
            $col,
            "))"
        )
    };
}

/// SQL predicate over `posts p`: visible to the viewer bound as `$1`: not blocked with the
/// author, and the author's own, public, or for followers and followed by the viewer.
/// Keep in step with [`audience`].
pub const SQL_POST_VISIBLE_TO_1: &str = concat!(
    "(",
    not_blocked_with_1!("p.author_id"),
    " AND (p.author_id = $1 OR p.privacy = 'public' OR (p.privacy = 'followers' AND EXISTS \
     (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = p.author_id))))"
);

/// SQL predicate over `users u`: not blocked with the viewer `$1`.
pub const SQL_USER_VISIBLE_TO_1: &str = not_blocked_with_1!("u.id");

/// Every connected user allowed to see a post with this author and privacy.
pub async fn audience(conn: &mut Conn, author: UserId, privacy: Privacy) -> sqlx::Result<Audience> {
    Ok(match privacy {
        Privacy::Public => {
            Audience::EveryoneExcept(store::graph::blocked_with(conn, author).await?)
        }
        Privacy::Followers => {
            // Blocking removes follows, so followers are never blocked with the author.
            let mut users = store::graph::follower_ids(conn, author).await?;
            users.push(author);
            Audience::Users(users)
        }
        Privacy::Private => Audience::Users(vec![author]),
    })
}

/// Who learns of something `actor` did to a post (a comment, a reaction): the post's
/// audience, less everyone blocked with the actor.
pub async fn audience_of_act(
    conn: &mut Conn,
    author: UserId,
    privacy: Privacy,
    actor: UserId,
) -> sqlx::Result<Audience> {
    let post_audience = audience(conn, author, privacy).await?;
    let blocked = store::graph::blocked_with(conn, actor).await?;
    Ok(post_audience.without(&blocked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_predicate_checks_blocks_both_ways_and_follows() {
        for part in [
            "b.blocker_id = p.author_id AND b.blocked_id = $1",
            "b.blocker_id = $1 AND b.blocked_id = p.author_id",
            "p.privacy = 'followers'",
            "f.follower_id = $1",
        ] {
            assert!(SQL_POST_VISIBLE_TO_1.contains(part), "{part}");
        }
        assert!(SQL_USER_VISIBLE_TO_1.contains("b.blocker_id = u.id AND b.blocked_id = $1"));
    }
}
