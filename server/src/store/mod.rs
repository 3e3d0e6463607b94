//! Store functions: small, one module per table, generic over the caller's connection
//! or transaction (the caller owns the transaction). SQL uses `$n` placeholders, which
//! both SQLite and PostgreSQL accept.

pub mod chat;
pub mod comments;
pub mod events;
pub mod graph;
pub mod notifications;
pub mod posts;
pub mod presence;
pub mod reactions;
pub mod sessions;
pub mod users;

/// A connection or a transaction's connection.
pub type Conn = sqlx::AnyConnection;

/// Is this error a unique-constraint violation (a value already taken)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.message().contains("UNIQUE constraint failed")
                || db.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}
