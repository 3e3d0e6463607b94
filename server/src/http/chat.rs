//! The chat's JSON API, for clients without a socket: the same service calls as the
//! socket events.

use super::{
    HttpError,
    api::parse_id,
    extract::{ApiJson, Auth},
};
use crate::service::Services;
use app::{
    events::{MessageRef, ReadReceipt},
    model::{
        ConversationId, ConversationSummary, Message, MessageId, MessagePage, OutgoingMessage,
    },
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde::Deserialize;

type ApiResult<T> = Result<T, HttpError>;

/// The routes.
pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/chat/messages", post(send))
        .route("/api/v1/chat/messages/{id}", delete(remove))
        .route(
            "/api/v1/chat/messages/{id}/reaction",
            put(react).delete(unreact),
        )
        .route("/api/v1/chat/conversations", get(conversations))
        .route("/api/v1/chat/conversations/{id}/messages", get(messages))
        .route("/api/v1/chat/conversations/{id}/read", post(read))
        .route("/api/v1/chat/unread", get(unread))
}

#[derive(Deserialize)]
struct BeforeQuery {
    before: Option<String>,
}

#[derive(Deserialize)]
struct DeleteQuery {
    /// `everyone` or `me` (the default).
    #[serde(default)]
    r#for: Option<String>,
}

#[derive(Deserialize)]
struct UpTo {
    up_to: MessageId,
}

#[derive(Deserialize)]
struct Emoji {
    emoji: String,
}

#[derive(serde::Serialize)]
struct Unread {
    total: i64,
}

fn message_id(raw: &str) -> Result<MessageId, HttpError> {
    parse_id(raw, "id").map(|p| MessageId(p.0))
}

fn conversation_id(raw: &str) -> Result<ConversationId, HttpError> {
    parse_id(raw, "id").map(|p| ConversationId(p.0))
}

async fn send(
    State(s): State<Services>,
    Auth(v): Auth,
    ApiJson(out): ApiJson<OutgoingMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    Ok((StatusCode::CREATED, Json(s.send_message(&v, out).await?)))
}

async fn remove(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Query(q): Query<DeleteQuery>,
) -> ApiResult<Json<MessageRef>> {
    let for_everyone = match q.r#for.as_deref() {
        None | Some("me") => false,
        Some("everyone") => true,
        Some(_) => {
            return Err(HttpError(app::error::ApiError::validation(
                "for",
                "Use for=me or for=everyone.",
            )));
        }
    };
    Ok(Json(
        s.delete_message(&v, message_id(&id)?, for_everyone).await?,
    ))
}

async fn react(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    ApiJson(e): ApiJson<Emoji>,
) -> ApiResult<Json<Message>> {
    Ok(Json(
        s.react_to_message(&v, message_id(&id)?, Some(e.emoji))
            .await?,
    ))
}

async fn unreact(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Message>> {
    Ok(Json(s.react_to_message(&v, message_id(&id)?, None).await?))
}

async fn conversations(
    State(s): State<Services>,
    Auth(v): Auth,
) -> ApiResult<Json<Vec<ConversationSummary>>> {
    Ok(Json(s.conversations(&v).await?))
}

async fn messages(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Query(q): Query<BeforeQuery>,
) -> ApiResult<Json<MessagePage>> {
    let before = q
        .before
        .as_deref()
        .map(|b| parse_id(b, "before"))
        .transpose()?
        .map(|p| MessageId(p.0));
    Ok(Json(s.messages(&v, conversation_id(&id)?, before).await?))
}

async fn read(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpTo>,
) -> ApiResult<Json<ReadReceipt>> {
    Ok(Json(s.mark_read(&v, conversation_id(&id)?, b.up_to).await?))
}

async fn unread(State(s): State<Services>, Auth(v): Auth) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread {
        total: s.unread_total(&v).await?,
    }))
}
