//! Extractors: the signed-in viewer, and JSON bodies whose rejections speak [`ApiError`].

use super::HttpError;
use crate::service::Services;
use app::{error::ApiError, service::Viewer};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
};

/// The signed-in user; 401 `unauthorized` without a valid session.
pub struct Auth(pub Viewer);

impl FromRequestParts<Services> for Auth {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        services: &Services,
    ) -> Result<Self, Self::Rejection> {
        let cookie = parts
            .headers
            .get(http::header::COOKIE)
            .and_then(|v| v.to_str().ok());
        match services.viewer_for_cookie(cookie).await? {
            Some(viewer) => Ok(Auth(viewer)),
            None => Err(HttpError(ApiError::unauthorized())),
        }
    }
}

/// A JSON body: a wrong content type or broken JSON is 400 `bad_request`; JSON of the
/// wrong shape is 422 `validation`, naming the field that did not fit.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(HttpError(ApiError::bad_request(
                "Send JSON with Content-Type: application/json.",
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            tracing::info!(error = %e.body_text(), "unreadable request body");
            HttpError(ApiError::bad_request("The request body could not be read."))
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            tracing::info!(error = %e, "request body is not JSON");
            HttpError(ApiError::bad_request(
                "The request body must be valid JSON.",
            ))
        })?;
        if !value.is_object() {
            return Err(HttpError(ApiError::validation(
                "body",
                "Expected a JSON object.",
            )));
        }
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                tracing::info!(error = %e, "request body has the wrong shape");
                let field = field_of(&e);
                HttpError(ApiError::validation(
                    &field,
                    format!("`{field}` is missing or has the wrong type."),
                ))
            })
    }
}

/// The field a deserialisation error is about: its path, or the name in
/// "missing field `x`" (reported at the parent), or `body` for the whole.
fn field_of(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = err.path().to_string();
    let message = err.inner().to_string();
    let missing = message
        .split_once("missing field `")
        .and_then(|(_, r)| r.split('`').next());
    match (path.as_str(), missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        // A top-level array where an object belongs: the body as a whole is wrong.
        (p, _) if p.starts_with('[') => "body".to_owned(),
        (p, Some(name)) => format!("{p}.{name}"),
        (p, None) => p.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        color: String,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        text: String,
        draft: Option<Inner>,
    }

    #[test]
    fn deserialisation_errors_name_their_field() {
        let cases = [
            (json!({"text": 5}), "text"),
            (json!({}), "text"),
            (json!({"text": "x", "draft": {}}), "draft.color"),
            (json!({"text": "x", "draft": {"color": 1}}), "draft.color"),
            (json!([1]), "body"),
        ];
        for (value, field) in cases {
            let err = serde_path_to_error::deserialize::<_, Outer>(value.clone()).unwrap_err();
            assert_eq!(field_of(&err), field, "{value}");
        }
    }
}
