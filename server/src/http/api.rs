//! The JSON API under `/api/v1`, for non-browser clients and the integration tests.
//! Every handler is a thin shell over [`Services`].

use super::{
    HttpError,
    extract::{ApiJson, Auth},
};
use crate::service::{Opened, Services};
use app::{
    error::ApiError,
    model::{FeedPage, Post, PostDraft, PostId, SignInForm, SignUpForm, UserSummary},
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header::SET_COOKIE},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

type ApiResult<T> = Result<T, HttpError>;

/// The API's routes.
pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/auth/signup", post(sign_up))
        .route("/api/v1/auth/signin", post(sign_in))
        .route("/api/v1/auth/signout", post(sign_out))
        .route("/api/v1/me", get(me))
        .route("/api/v1/posts", get(feed).post(create_post))
        .route(
            "/api/v1/posts/{id}",
            get(get_post).patch(edit_post).delete(delete_post),
        )
        .route("/api/v1/health", get(health))
}

fn signed_in(services: &Services, status: StatusCode, opened: Opened) -> Response {
    let cookie = services.cookie(Some(&opened.token));
    (status, [(SET_COOKIE, cookie)], Json(opened.user)).into_response()
}

async fn sign_up(
    State(s): State<Services>,
    ApiJson(form): ApiJson<SignUpForm>,
) -> ApiResult<Response> {
    let opened = s.sign_up(form).await?;
    Ok(signed_in(&s, StatusCode::CREATED, opened))
}

async fn sign_in(
    State(s): State<Services>,
    ApiJson(form): ApiJson<SignInForm>,
) -> ApiResult<Response> {
    let opened = s.sign_in(form).await?;
    Ok(signed_in(&s, StatusCode::OK, opened))
}

async fn sign_out(State(s): State<Services>, Auth(viewer): Auth) -> ApiResult<Response> {
    s.sign_out(&viewer).await?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, s.cookie(None))]).into_response())
}

async fn me(Auth(viewer): Auth) -> Json<UserSummary> {
    Json(viewer.user)
}

#[derive(Deserialize)]
struct FeedQuery {
    before: Option<String>,
}

pub(super) fn parse_id(raw: &str, field: &str) -> Result<PostId, HttpError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(PostId)
        .ok_or_else(|| {
            HttpError(ApiError::validation(
                field,
                "Expected a positive whole number.",
            ))
        })
}

async fn feed(
    State(s): State<Services>,
    Auth(viewer): Auth,
    Query(q): Query<FeedQuery>,
) -> ApiResult<Json<FeedPage>> {
    let before = q
        .before
        .as_deref()
        .map(|b| parse_id(b, "before"))
        .transpose()?;
    Ok(Json(s.feed(&viewer, before).await?))
}

async fn create_post(
    State(s): State<Services>,
    Auth(viewer): Auth,
    ApiJson(draft): ApiJson<PostDraft>,
) -> ApiResult<(StatusCode, Json<Post>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.create_post(&viewer, draft).await?),
    ))
}

async fn get_post(
    State(s): State<Services>,
    Auth(viewer): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Post>> {
    let id = parse_id(&id, "id")?;
    Ok(Json(s.post(&viewer, id).await?))
}

async fn edit_post(
    State(s): State<Services>,
    Auth(viewer): Auth,
    Path(id): Path<String>,
    ApiJson(draft): ApiJson<PostDraft>,
) -> ApiResult<Json<Post>> {
    let id = parse_id(&id, "id")?;
    Ok(Json(s.edit_post(&viewer, id, draft).await?))
}

async fn delete_post(
    State(s): State<Services>,
    Auth(viewer): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id, "id")?;
    s.delete_post(&viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn health(State(s): State<Services>) -> ApiResult<&'static str> {
    sqlx::query("SELECT 1")
        .execute(s.db())
        .await
        .map_err(crate::error::Error::from)?;
    Ok("ok")
}
