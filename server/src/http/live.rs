//! Notifications, their settings and presence over JSON, for clients without a socket
//! (and tests): the same service calls the pages use.

use super::{
    HttpError,
    api::parse_id,
    extract::{ApiJson, Auth},
};
use crate::service::Services;
use app::model::{NotificationId, NotificationPage, NotificationSettings, OnlineUsers};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    routing::{delete, get, post},
};
use serde::{Deserialize, Serialize};

type ApiResult<T> = Result<T, HttpError>;

/// The routes.
pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/unread", get(unread))
        .route("/api/v1/notifications/read", post(read_all))
        .route("/api/v1/notifications/{id}/read", post(read_one))
        .route("/api/v1/notifications/{id}", delete(remove))
        .route(
            "/api/v1/settings/notifications",
            get(settings).put(set_settings),
        )
        .route("/api/v1/presence", get(online))
}

#[derive(Deserialize)]
struct BeforeQuery {
    before: Option<String>,
}

/// The unread notification count after a change.
#[derive(Serialize)]
struct Unread {
    unread: i64,
}

fn notification_id(raw: &str) -> Result<NotificationId, HttpError> {
    parse_id(raw, "id").map(|p| NotificationId(p.0))
}

async fn list(
    State(s): State<Services>,
    Auth(v): Auth,
    Query(q): Query<BeforeQuery>,
) -> ApiResult<Json<NotificationPage>> {
    let before = q
        .before
        .as_deref()
        .map(|b| parse_id(b, "before"))
        .transpose()?
        .map(|p| NotificationId(p.0));
    Ok(Json(s.notifications(&v, before).await?))
}

async fn unread(State(s): State<Services>, Auth(v): Auth) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: s.unread_notifications(&v).await?,
    }))
}

async fn read_all(State(s): State<Services>, Auth(v): Auth) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: s.mark_all_notifications_read(&v).await?,
    }))
}

async fn read_one(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: s.mark_notification_read(&v, notification_id(&id)?).await?,
    }))
}

async fn remove(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: s.delete_notification(&v, notification_id(&id)?).await?,
    }))
}

async fn settings(
    State(s): State<Services>,
    Auth(v): Auth,
) -> ApiResult<Json<NotificationSettings>> {
    Ok(Json(s.notification_settings(&v).await?))
}

async fn set_settings(
    State(s): State<Services>,
    Auth(v): Auth,
    ApiJson(settings): ApiJson<NotificationSettings>,
) -> ApiResult<Json<NotificationSettings>> {
    Ok(Json(s.set_notification_settings(&v, settings).await?))
}

async fn online(State(s): State<Services>, Auth(v): Auth) -> ApiResult<Json<OnlineUsers>> {
    Ok(Json(s.online(&v, None).await?))
}
