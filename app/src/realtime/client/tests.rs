use super::*;
use crate::error::ErrorCode;
use crate::events::{CreatePost, DeletePost, PostCreated, PostDeleted, PostRef};
use crate::model::PostId;
use serde_json::json;

const OPEN: &str =
    r#"0{"sid":"s","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000}"#;

#[test]
fn the_url_follows_the_page_scheme() {
    assert_eq!(
        ws_url("http:", "localhost:3000"),
        "ws://localhost:3000/socket.io/?EIO=4&transport=websocket"
    );
    assert_eq!(
        ws_url("https:", "example.com"),
        "wss://example.com/socket.io/?EIO=4&transport=websocket"
    );
}

#[test]
fn a_handshake_opens_then_joins_the_namespace() {
    let mut core = ClientCore::new();
    assert_eq!(core.dead_after(), HANDSHAKE_TIMEOUT);
    let open = core.handle(OPEN);
    assert_eq!(
        open,
        Incoming::Open {
            ping_interval: Duration::from_millis(300),
            ping_timeout: Duration::from_millis(200)
        }
    );
    assert_eq!(core.dead_after(), Duration::from_millis(500));
    assert_eq!(core.connect_frame(), "40");
    assert!(!core.is_connected());
    assert_eq!(core.handle(r#"40{"sid":"abc"}"#), Incoming::Connected);
    assert!(core.is_connected());
}

#[test]
fn every_kind_of_frame_has_an_outcome() {
    let mut core = ClientCore::new();
    let cases: Vec<(&str, Incoming)> = vec![
        ("2", Incoming::Ping),
        ("1", Incoming::Close),
        ("41", Incoming::Close),
        (
            r#"44{"message":"unauthorized"}"#,
            Incoming::ConnectError(json!({"message": "unauthorized"})),
        ),
        (
            r#"42["post:deleted",{"id":3}]"#,
            Incoming::Event {
                name: "post:deleted".into(),
                payload: json!({"id": 3}),
                offset: None,
            },
        ),
        (
            r#"42["post:deleted",{"id":3},17]"#,
            Incoming::Event {
                name: "post:deleted".into(),
                payload: json!({"id": 3}),
                offset: Some(17),
            },
        ),
        (
            r#"42["bare"]"#,
            Incoming::Event {
                name: "bare".into(),
                payload: Value::Null,
                offset: None,
            },
        ),
        (
            r#"427["asks",1]"#,
            Incoming::Event {
                name: "asks".into(),
                payload: json!(1),
                offset: None,
            },
        ),
    ];
    for (frame, expected) in cases {
        assert_eq!(core.handle(frame), expected, "frame {frame:?}");
    }
}

#[test]
fn unusable_frames_are_ignored_with_a_reason() {
    let mut core = ClientCore::new();
    for frame in [
        "",
        "9",
        "6",
        "3",
        "42",
        "42[]",
        r#"451-["e",{}]"#,
        r#"42/admin,["e",1]"#,
        "430[1]",
        "42\u{e9}",
    ] {
        let outcome = core.handle(frame);
        assert!(
            matches!(outcome, Incoming::Ignored(ref why) if !why.is_empty()),
            "{frame:?} gave {outcome:?}"
        );
    }
}

#[test]
fn acks_are_numbered_and_matched_once() {
    let mut core = ClientCore::new();
    let (first, frame) = core.encode_emit::<DeletePost>(&PostRef { id: PostId(9) });
    assert_eq!(frame, format!(r#"42{first}["post:delete",{{"id":9}}]"#));
    let (second, _) = core.encode_emit::<DeletePost>(&PostRef { id: PostId(10) });
    assert_ne!(first, second);
    assert_eq!(core.pending_acks(), 2);

    let ack = core.handle(&format!(r#"43{second}[{{"Ok":{{"id":10}}}}]"#));
    assert_eq!(
        ack,
        Incoming::Ack {
            id: second,
            payload: json!({"Ok": {"id": 10}})
        }
    );
    let again = core.handle(&format!(r#"43{second}[{{"Ok":{{"id":10}}}}]"#));
    assert!(
        matches!(again, Incoming::Ignored(_)),
        "a second ack for one id is ignored"
    );

    assert!(core.forget_ack(first));
    assert!(
        matches!(
            core.handle(&format!("43{first}[null]")),
            Incoming::Ignored(_)
        ),
        "a late ack is ignored"
    );
    assert_eq!(core.pending_acks(), 0);
}

#[test]
fn a_lost_connection_returns_the_acks_that_will_never_come() {
    let mut core = ClientCore::new();
    core.handle(OPEN);
    core.handle("40");
    let (a, _) = core.encode_emit_value("x", Value::Null);
    let (b, _) = core.encode_emit_value("y", Value::Null);
    assert_eq!(core.reset(), vec![a, b]);
    assert!(!core.is_connected());
    assert_eq!(core.dead_after(), HANDSHAKE_TIMEOUT);
    let (c, _) = core.encode_emit_value("z", Value::Null);
    assert!(c > b, "ids are never reused across connections");
}

#[test]
fn typed_acks_decode_into_results() {
    let ok = decode_ack::<DeletePost>(json!({"Ok": {"id": 4}}));
    assert_eq!(ok, Ok(PostRef { id: PostId(4) }));
    let err = decode_ack::<DeletePost>(
        json!({"Err": {"code": "not_found", "message": "Post not found."}}),
    );
    assert_eq!(err.unwrap_err().code, ErrorCode::NotFound);
    for junk in [
        Value::Null,
        json!({"Ok": {"id": "four"}}),
        json!([1]),
        json!({"Maybe": 1}),
    ] {
        let err = decode_ack::<CreatePost>(junk.clone()).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest, "{junk}");
    }
}

#[test]
fn typed_events_decode_or_explain() {
    assert_eq!(
        decode_event::<PostDeleted>(json!({"id": 5})).unwrap(),
        PostRef { id: PostId(5) }
    );
    let err = decode_event::<PostCreated>(json!({"id": 5})).unwrap_err();
    assert_eq!(err.event, "post:created");
    assert!(err.to_string().contains("post:created"));
}

#[test]
fn connect_error_messages_are_read_from_either_shape() {
    assert_eq!(
        connect_error_message(&json!({"message": "unauthorized"})),
        "unauthorized"
    );
    assert_eq!(connect_error_message(&json!("legacy")), "legacy");
    assert_eq!(
        connect_error_message(&json!({"other": 1})),
        r#"{"other":1}"#
    );
}

#[test]
fn backoff_doubles_from_one_second_to_five_with_jitter() {
    let backoff = Backoff::default();
    let secs = |attempt, random| backoff.delay(attempt, random).as_secs_f64();
    let table = [
        // attempt, random, expected seconds
        (0, 0.5, 1.0),
        (0, 0.0, 0.5),
        (0, 0.75, 1.25),
        (1, 0.5, 2.0),
        (1, 0.0, 1.0),
        (2, 0.5, 4.0),
        (2, 0.25, 3.0),
        (2, 0.9, 5.0),
        (3, 0.5, 5.0),
        (3, 0.0, 2.5),
        (10, 0.5, 5.0),
        (u32::MAX, 0.0, 2.5),
        (0, -3.0, 0.5),
        (0, 7.0, 1.5),
        (0, f64::NAN, 1.0),
    ];
    for (attempt, random, expected) in table {
        assert!(
            (secs(attempt, random) - expected).abs() < 1e-9,
            "attempt {attempt}, random {random}: {}",
            secs(attempt, random)
        );
    }
    assert!(secs(0, 0.999_999) < 1.5);
}

#[test]
fn backoff_counts_attempts_and_resets() {
    let mut backoff = Backoff::default();
    let delays: Vec<u128> = (0..5)
        .map(|_| backoff.next_delay(0.5).as_millis())
        .collect();
    assert_eq!(delays, [1000, 2000, 4000, 5000, 5000]);
    assert_eq!(backoff.attempts(), 5);
    backoff.reset();
    assert_eq!(backoff.next_delay(0.5), Duration::from_secs(1));
}

#[test]
fn every_delay_stays_within_half_and_one_and_a_half_of_its_step() {
    let backoff = Backoff::default();
    for attempt in 0..8 {
        let step = (1u64 << attempt).min(5) as f64;
        for i in 0..100 {
            let d = backoff.delay(attempt, f64::from(i) / 100.0).as_secs_f64();
            assert!(
                d >= step * 0.5 - 1e-9 && d <= (step * 1.5).min(5.0) + 1e-9,
                "attempt {attempt}: {d}"
            );
        }
    }
}

#[test]
fn only_a_refused_session_stops_the_client() {
    for refusal in [
        ConnectRefusal::Unauthorized,
        ConnectRefusal::Busy,
        ConnectRefusal::Internal,
    ] {
        let data = json!({"message": refusal.to_string()});
        assert_eq!(
            ConnectRefusal::from_message(&connect_error_message(&data)),
            refusal
        );
    }
    assert!(ConnectRefusal::Unauthorized.is_final());
    assert!(!ConnectRefusal::Busy.is_final());
    assert!(!ConnectRefusal::Internal.is_final());
    assert_eq!(
        ConnectRefusal::from_message("something new"),
        ConnectRefusal::Internal,
        "an unknown refusal is retried, not taken for a sign-out"
    );
}
