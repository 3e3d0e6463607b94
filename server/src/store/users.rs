//! The `users` table.

use super::Conn;
use crate::visibility;
use app::model::{ProfileInfo, UserCard, UserId, UserSummary};
use sqlx::{Row, any::AnyRow};

/// A user row as needed to sign in.
#[derive(Debug)]
pub struct Credentials {
    /// The user.
    pub user: UserSummary,
    /// Their Argon2id hash.
    pub password_hash: String,
}

/// Inserts a user and returns its id.
#[tracing::instrument(skip(conn, password_hash))]
pub async fn insert(
    conn: &mut Conn,
    username: &str,
    email: &str,
    password_hash: &str,
    now: i64,
) -> sqlx::Result<UserId> {
    let row = sqlx::query(
        "INSERT INTO users (username, username_key, email, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(username)
    .bind(username.to_lowercase())
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(row.try_get("id")?))
}

/// Which of username and email are already taken (case-insensitively).
#[tracing::instrument(skip(conn))]
pub async fn taken(conn: &mut Conn, username: &str, email: &str) -> sqlx::Result<(bool, bool)> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM users WHERE username_key = $1) AS by_name, \
           (SELECT COUNT(*) FROM users WHERE email = $2) AS by_email",
    )
    .bind(username.to_lowercase())
    .bind(email)
    .fetch_one(conn)
    .await?;
    Ok((
        row.try_get::<i64, _>("by_name")? > 0,
        row.try_get::<i64, _>("by_email")? > 0,
    ))
}

/// Finds a user by username (case-insensitive) or email, for signing in.
#[tracing::instrument(skip(conn))]
pub async fn credentials(conn: &mut Conn, login: &str) -> sqlx::Result<Option<Credentials>> {
    let key = login.trim().to_lowercase();
    let row = sqlx::query(
        "SELECT id, username, password_hash FROM users WHERE username_key = $1 OR email = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: UserSummary {
                id: UserId(r.try_get("id")?),
                username: r.try_get("username")?,
            },
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// A user and their profile details, by username (case-insensitive).
#[tracing::instrument(skip(conn))]
pub async fn by_username(
    conn: &mut Conn,
    username: &str,
) -> sqlx::Result<Option<(UserSummary, ProfileInfo)>> {
    let row = sqlx::query(
        "SELECT id, username, bio, location, website FROM users WHERE username_key = $1",
    )
    .bind(username.to_lowercase())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            UserSummary {
                id: UserId(r.try_get("id")?),
                username: r.try_get("username")?,
            },
            ProfileInfo {
                bio: r.try_get("bio")?,
                location: r.try_get("location")?,
                website: r.try_get("website")?,
            },
        ))
    })
    .transpose()
}

/// Replaces a user's profile details.
#[tracing::instrument(skip(conn, info))]
pub async fn update_profile(conn: &mut Conn, user: UserId, info: &ProfileInfo) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET bio = $1, location = $2, website = $3 WHERE id = $4")
        .bind(&info.bio)
        .bind(&info.location)
        .bind(&info.website)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The columns of a [`UserCard`] for viewer `$1`, over `users u`.
const CARD: &str = "SELECT u.id, u.username, u.bio, \
     (SELECT COUNT(*) FROM follows f WHERE f.followee_id = u.id) AS followers, \
     (SELECT COUNT(*) FROM follows f WHERE f.follower_id = $1 AND f.followee_id = u.id) AS followed, \
     (SELECT COUNT(*) FROM connections c WHERE c.user_id = u.id) AS sockets \
     FROM users u";

fn summary(r: &AnyRow) -> sqlx::Result<UserSummary> {
    Ok(UserSummary {
        id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
    })
}

fn card(r: &AnyRow) -> sqlx::Result<UserCard> {
    Ok(UserCard {
        user: UserSummary {
            id: UserId(r.try_get("id")?),
            username: r.try_get("username")?,
        },
        bio: r.try_get("bio")?,
        followers: r.try_get("followers")?,
        followed_by_me: r.try_get::<i64, _>("followed")? > 0,
        online: r.try_get::<i64, _>("sockets")? > 0,
    })
}

/// Everyone but the viewer and those blocked with them, by id, after `after`.
#[tracing::instrument(skip(conn))]
pub async fn people(
    conn: &mut Conn,
    viewer: UserId,
    after: Option<UserId>,
    limit: i64,
) -> sqlx::Result<Vec<UserCard>> {
    let sql = format!(
        "{CARD} WHERE u.id <> $1 AND u.id > $2 AND {} ORDER BY u.id LIMIT $3",
        visibility::SQL_USER_VISIBLE_TO_1
    );
    let rows = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(after.map_or(0, |a| a.0))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(card).collect()
}

/// Users whose name starts with `prefix` (case-insensitive), but the viewer and those
/// blocked with them.
#[tracing::instrument(skip(conn))]
pub async fn search(
    conn: &mut Conn,
    viewer: UserId,
    prefix: &str,
    limit: i64,
) -> sqlx::Result<Vec<UserCard>> {
    let prefix = prefix.to_lowercase();
    let len = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
    let sql = format!(
        "{CARD} WHERE u.id <> $1 AND substr(u.username_key, 1, CAST($2 AS INTEGER)) = $3 AND {} \
         ORDER BY u.username_key LIMIT $4",
        visibility::SQL_USER_VISIBLE_TO_1
    );
    let rows = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(len)
        .bind(prefix)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(card).collect()
}

/// People to follow: those followed by the people the viewer follows, most shared
/// first, then the most followed; never the viewer, someone already followed, or
/// someone blocked with the viewer.
#[tracing::instrument(skip(conn))]
pub async fn suggestions(
    conn: &mut Conn,
    viewer: UserId,
    limit: i64,
) -> sqlx::Result<Vec<UserCard>> {
    let sql = format!(
        "SELECT * FROM ({CARD} WHERE u.id <> $1 AND {}) cards \
         WHERE cards.followed = 0 \
         ORDER BY (SELECT COUNT(*) FROM follows f1 JOIN follows f2 ON f2.follower_id = f1.followee_id \
                   WHERE f1.follower_id = $1 AND f2.followee_id = cards.id) DESC, cards.followers DESC, cards.id \
         LIMIT $2",
        visibility::SQL_USER_VISIBLE_TO_1
    );
    let rows = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(card).collect()
}

/// A user's followers (`followers = true`) or followees, without those blocked with `viewer`.
#[tracing::instrument(skip(conn))]
pub async fn follow_list(
    conn: &mut Conn,
    viewer: UserId,
    user: UserId,
    followers: bool,
) -> sqlx::Result<Vec<UserSummary>> {
    let (join_on, filter) = if followers {
        ("f.follower_id", "f.followee_id")
    } else {
        ("f.followee_id", "f.follower_id")
    };
    let sql = format!(
        "SELECT u.id, u.username FROM follows f JOIN users u ON u.id = {join_on} \
         WHERE {filter} = $2 AND {} ORDER BY f.created_at DESC, u.id LIMIT 500",
        visibility::SQL_USER_VISIBLE_TO_1
    );
    let rows = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(user.0)
        .fetch_all(conn)
        .await?;
    rows.iter().map(summary).collect()
}

/// The users `blocker` has blocked.
#[tracing::instrument(skip(conn))]
pub async fn blocked_by(conn: &mut Conn, blocker: UserId) -> sqlx::Result<Vec<UserSummary>> {
    let rows = sqlx::query("SELECT u.id, u.username FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1 ORDER BY u.username_key")
        .bind(blocker.0)
        .fetch_all(conn)
        .await?;
    rows.iter().map(summary).collect()
}

/// A user by id.
#[tracing::instrument(skip(conn))]
pub async fn summary_by_id(conn: &mut Conn, id: UserId) -> sqlx::Result<Option<UserSummary>> {
    let row = sqlx::query("SELECT id, username FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(summary).transpose()
}
