//! The JSON API of the social graph: comments, reactions, profiles, follows, blocks, people.

use super::{
    HttpError,
    api::parse_id,
    extract::{ApiJson, Auth},
};
use crate::service::Services;
use app::{
    events::ReactionState,
    model::{
        Comment, CommentDraft, CommentId, CommentPage, FeedPage, PeoplePage, PostId, Profile,
        ProfileInfo, ReactionChoice, Reactor, UserCard, UserId, UserSummary,
    },
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, patch, put},
};
use serde::Deserialize;

type ApiResult<T> = Result<T, HttpError>;

/// The routes.
pub fn router() -> Router<Services> {
    Router::new()
        .route(
            "/api/v1/posts/{id}/comments",
            get(comments).post(add_comment),
        )
        .route("/api/v1/posts/{id}/reaction", put(react).delete(unreact))
        .route("/api/v1/posts/{id}/reactions", get(reactors))
        .route("/api/v1/users/{username}", get(profile))
        .route("/api/v1/users/{username}/posts", get(user_posts))
        .route("/api/v1/users/{username}/followers", get(followers))
        .route("/api/v1/users/{username}/following", get(following))
        .route(
            "/api/v1/users/{username}/follow",
            put(follow).delete(unfollow),
        )
        .route("/api/v1/users/{username}/block", put(block).delete(unblock))
        .route("/api/v1/me/profile", patch(update_profile))
        .route("/api/v1/me/blocked", get(blocked))
        .route("/api/v1/people", get(people))
        .route("/api/v1/people/suggestions", get(suggestions))
        .route("/api/v1/people/search", get(search))
}

#[derive(Deserialize)]
struct AfterQuery {
    after: Option<String>,
}

#[derive(Deserialize)]
struct BeforeQuery {
    before: Option<String>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn comments(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Query(q): Query<AfterQuery>,
) -> ApiResult<Json<CommentPage>> {
    let post = parse_id(&id, "id")?;
    let after = q
        .after
        .as_deref()
        .map(|a| parse_id(a, "after"))
        .transpose()?
        .map(|p| CommentId(p.0));
    Ok(Json(s.comments(&v, post, after).await?))
}

async fn add_comment(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    ApiJson(draft): ApiJson<CommentDraft>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let post = parse_id(&id, "id")?;
    Ok((
        StatusCode::CREATED,
        Json(s.add_comment(&v, post, draft).await?),
    ))
}

async fn react(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
    ApiJson(choice): ApiJson<ReactionChoice>,
) -> ApiResult<Json<ReactionState>> {
    Ok(Json(
        s.react(&v, parse_id(&id, "id")?, Some(choice.kind)).await?,
    ))
}

async fn unreact(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ReactionState>> {
    Ok(Json(s.react(&v, parse_id(&id, "id")?, None).await?))
}

async fn reactors(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Reactor>>> {
    Ok(Json(s.reactors(&v, parse_id(&id, "id")?).await?))
}

async fn profile(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.profile(&v, &name).await?))
}

async fn user_posts(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
    Query(q): Query<BeforeQuery>,
) -> ApiResult<Json<FeedPage>> {
    let before: Option<PostId> = q
        .before
        .as_deref()
        .map(|b| parse_id(b, "before"))
        .transpose()?;
    Ok(Json(s.user_posts(&v, &name, before).await?))
}

async fn followers(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Vec<UserSummary>>> {
    Ok(Json(s.follow_list(&v, &name, true).await?))
}

async fn following(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Vec<UserSummary>>> {
    Ok(Json(s.follow_list(&v, &name, false).await?))
}

async fn follow(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.follow(&v, &name).await?))
}

async fn unfollow(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.unfollow(&v, &name).await?))
}

async fn block(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.block(&v, &name).await?))
}

async fn unblock(
    State(s): State<Services>,
    Auth(v): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.unblock(&v, &name).await?))
}

async fn update_profile(
    State(s): State<Services>,
    Auth(v): Auth,
    ApiJson(info): ApiJson<ProfileInfo>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.update_profile(&v, info).await?))
}

async fn blocked(State(s): State<Services>, Auth(v): Auth) -> ApiResult<Json<Vec<UserSummary>>> {
    Ok(Json(s.blocked_users(&v).await?))
}

async fn people(
    State(s): State<Services>,
    Auth(v): Auth,
    Query(q): Query<AfterQuery>,
) -> ApiResult<Json<PeoplePage>> {
    let after = q
        .after
        .as_deref()
        .map(|a| parse_id(a, "after"))
        .transpose()?
        .map(|p| UserId(p.0));
    Ok(Json(s.people(&v, after).await?))
}

async fn suggestions(State(s): State<Services>, Auth(v): Auth) -> ApiResult<Json<Vec<UserCard>>> {
    Ok(Json(s.suggestions(&v).await?))
}

async fn search(
    State(s): State<Services>,
    Auth(v): Auth,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Vec<UserCard>>> {
    Ok(Json(s.search_people(&v, &q.q).await?))
}
