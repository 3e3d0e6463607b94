//! Sign up, sign in, sign out, sessions.

use crate::helpers::*;
use crate::on_both_databases;
use serde_json::Value;

on_both_databases!(
    sign_up_sign_in_sign_out,
    sign_in_failures_are_indistinguishable,
    sign_up_rejects_bad_input,
    sessions_expire,
    requests_without_a_session_are_401,
    sign_out_closes_only_that_sessions_sockets
);

async fn sign_up_sign_in_sign_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let name = unique("Ann");
    let res = app
        .sign_up_raw(&name, &format!("{name}@Example.org"), PASSWORD)
        .await;
    assert_eq!(res.status(), 201);
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(flag), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain http in tests");
    let first = session_of(res).await;
    assert_eq!(first.user.username, name);
    let token_len = first.cookie.trim_start_matches("sid=").len();
    assert!(token_len >= 32, "at least 128 bits of token");

    let me: Value = app.me(&first).await.json().await.unwrap();
    assert_eq!(me["username"], name.as_str());

    // Sign in by lower-cased username, then by email: a new token every time.
    let second = session_of(app.sign_in_raw(&name.to_lowercase(), PASSWORD).await).await;
    let third = session_of(
        app.sign_in_raw(&format!("{name}@example.org"), PASSWORD)
            .await,
    )
    .await;
    assert_ne!(first.cookie, second.cookie);
    assert_ne!(second.cookie, third.cookie);
    assert_eq!(second.user.id, first.user.id);

    let out = app.sign_out(&second).await;
    assert_eq!(out.status(), 204);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.me(&second).await.status(),
        401,
        "signed-out session is dead"
    );
    assert_eq!(app.me(&first).await.status(), 200, "other sessions live on");
}

async fn sign_in_failures_are_indistinguishable(db: Db) {
    let app = TestApp::spawn(db).await;
    let user = app.user().await;
    let unknown = app.sign_in_raw("nobody_here", PASSWORD).await;
    let wrong = app.sign_in_raw(&user.user.username, "wrong password").await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(wrong.status(), 401);
    let (a, b): (Value, Value) = (unknown.json().await.unwrap(), wrong.json().await.unwrap());
    assert_eq!(
        a, b,
        "same code and message for unknown user and wrong password"
    );
    assert_eq!(a["code"], "invalid_credentials");
}

async fn sign_up_rejects_bad_input(db: Db) {
    let app = TestApp::spawn(db).await;
    let taken = app.user().await;
    let fresh = unique("f");
    let cases: [(&str, String, &str, u16, &str, &str); 7] = [
        (
            "ab",
            format!("{fresh}@x.org"),
            PASSWORD,
            422,
            "validation",
            "username",
        ),
        (
            "has space",
            format!("{fresh}@x.org"),
            PASSWORD,
            422,
            "validation",
            "username",
        ),
        (
            &fresh,
            "not-an-email".into(),
            PASSWORD,
            422,
            "validation",
            "email",
        ),
        (
            &fresh,
            format!("{fresh}@x.org"),
            "short",
            422,
            "validation",
            "password",
        ),
        (
            &taken.user.username,
            format!("{fresh}@x.org"),
            PASSWORD,
            409,
            "conflict",
            "username",
        ),
        (
            &taken.user.username.to_uppercase(),
            format!("{fresh}@x.org"),
            PASSWORD,
            409,
            "conflict",
            "username",
        ),
        (
            &fresh,
            format!("{}@example.org", taken.user.username.to_uppercase()),
            PASSWORD,
            409,
            "conflict",
            "email",
        ),
    ];
    for (username, email, password, status, code, field) in cases {
        let res = app.sign_up_raw(username, &email, password).await;
        let (got_code, got_field) = error_code(res, status).await;
        assert_eq!(
            (got_code.as_str(), got_field.as_deref()),
            (code, Some(field)),
            "{username} {email} {password}"
        );
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.services.db())
        .await
        .unwrap();
    assert_eq!(users, 1, "nothing half-written");
}

async fn sessions_expire(db: Db) {
    let app = TestApp::spawn_with(db, |s| s.session_ttl = std::time::Duration::from_secs(1)).await;
    let user = app.user().await;
    assert_eq!(app.me(&user).await.status(), 200);
    // Wait for the fact (the session refused), bounded.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if app.me(&user).await.status() == 401 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "session never expired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        app.socket_raw(Some(&user.cookie), None).await.is_err(),
        "expired session cannot open a socket"
    );
}

async fn requests_without_a_session_are_401(db: Db) {
    let app = TestApp::spawn(db).await;
    let bogus = TestUser {
        user: app.user().await.user,
        cookie: "sid=0000".into(),
    };
    for user in [None, Some(&bogus)] {
        let res = app
            .request(reqwest::Method::GET, "/api/v1/posts", user)
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(res, 401).await.0, "unauthorized");
        let res = app
            .create_post_raw(user, &serde_json::json!({"text": "hi"}))
            .await;
        assert_eq!(error_code(res, 401).await.0, "unauthorized");
    }
    assert_eq!(app.stored_posts().await, 0);
}

async fn sign_out_closes_only_that_sessions_sockets(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.user().await;
    let a2 = session_of(app.sign_in_raw(&a.user.username, PASSWORD).await).await;
    let mut tab1 = app.socket(&a).await;
    let mut tab2 = app.socket(&a2).await;
    assert_eq!(app.sign_out(&a).await.status(), 204);
    assert!(
        tab1.wait_closed(WAIT).await,
        "the signed-out session's socket is closed"
    );
    // The other session's socket still receives events.
    let post = app.create_post(&a2, "still here", "public").await;
    let got = tab2
        .recv_event::<app::events::PostCreated>(WAIT)
        .await
        .unwrap();
    assert_eq!(got.post.id, post.id);
}
