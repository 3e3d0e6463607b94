use super::*;
use serde_json::json;

fn open_info() -> OpenInfo {
    OpenInfo {
        sid: "abc".into(),
        upgrades: vec![],
        ping_interval: 25_000,
        ping_timeout: 20_000,
        max_payload: 1_000_000,
    }
}

#[test]
fn every_engine_io_packet_round_trips() {
    let packets = [
        EioPacket::Open(open_info()),
        EioPacket::Close,
        EioPacket::Ping,
        EioPacket::Pong,
        EioPacket::Message("2[\"hi\"]".into()),
        EioPacket::Message(String::new()),
        EioPacket::Upgrade,
        EioPacket::Noop,
    ];
    for packet in packets {
        let frame = packet.encode();
        assert_eq!(EioPacket::decode(&frame), Ok(packet), "frame {frame:?}");
    }
}

#[test]
fn the_open_packet_of_socketioxide_decodes() {
    let frame = r#"0{"sid":"Xy9","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":100000}"#;
    let EioPacket::Open(info) = EioPacket::decode(frame).unwrap() else {
        panic!("not open")
    };
    assert_eq!(
        (
            info.sid.as_str(),
            info.ping_interval,
            info.ping_timeout,
            info.max_payload
        ),
        ("Xy9", 25_000, 20_000, 100_000)
    );
}

#[test]
fn every_socket_io_packet_round_trips_in_both_namespaces() {
    for nsp in ["/", "/admin"] {
        let nsp = nsp.to_owned();
        let packets = [
            SioPacket::Connect {
                nsp: nsp.clone(),
                data: None,
            },
            SioPacket::Connect {
                nsp: nsp.clone(),
                data: Some(json!({"sid": "s1"})),
            },
            SioPacket::Disconnect { nsp: nsp.clone() },
            SioPacket::Event {
                nsp: nsp.clone(),
                id: None,
                name: "post:created".into(),
                args: vec![json!({"post": {"id": 1}})],
            },
            SioPacket::Event {
                nsp: nsp.clone(),
                id: Some(12),
                name: "post:create".into(),
                args: vec![json!({"text": "hi"})],
            },
            SioPacket::Event {
                nsp: nsp.clone(),
                id: None,
                name: "bare".into(),
                args: vec![],
            },
            SioPacket::Ack {
                nsp: nsp.clone(),
                id: 0,
                args: vec![json!({"Ok": {"id": 7}})],
            },
            SioPacket::Ack {
                nsp: nsp.clone(),
                id: u64::MAX,
                args: vec![],
            },
            SioPacket::ConnectError {
                nsp: nsp.clone(),
                data: json!({"message": "unauthorized"}),
            },
        ];
        for packet in packets {
            let frame = packet.to_frame();
            let EioPacket::Message(body) = EioPacket::decode(&frame).unwrap() else {
                panic!("not a message: {frame}")
            };
            assert_eq!(SioPacket::decode(&body), Ok(packet), "frame {frame:?}");
        }
    }
}

#[test]
fn the_default_namespace_is_left_out_and_others_are_written() {
    assert_eq!(
        SioPacket::Connect {
            nsp: "/".into(),
            data: None
        }
        .to_frame(),
        "40"
    );
    assert_eq!(SioPacket::Disconnect { nsp: "/".into() }.to_frame(), "41");
    let event = SioPacket::Event {
        nsp: "/".into(),
        id: Some(3),
        name: "a".into(),
        args: vec![json!(1)],
    };
    assert_eq!(event.to_frame(), r#"423["a",1]"#);
    let event = SioPacket::Event {
        nsp: "/chat".into(),
        id: Some(3),
        name: "a".into(),
        args: vec![json!(1)],
    };
    assert_eq!(event.to_frame(), r#"42/chat,3["a",1]"#);
}

#[test]
fn well_formed_variants_of_the_wire_decode() {
    let cases: &[(&str, SioPacket)] = &[
        (
            "0/admin",
            SioPacket::Connect {
                nsp: "/admin".into(),
                data: None,
            },
        ),
        (
            "1/admin,",
            SioPacket::Disconnect {
                nsp: "/admin".into(),
            },
        ),
        (
            r#"0{"sid":"x"}"#,
            SioPacket::Connect {
                nsp: "/".into(),
                data: Some(json!({"sid": "x"})),
            },
        ),
        (
            r#"2/a,["e",1,2]"#,
            SioPacket::Event {
                nsp: "/a".into(),
                id: None,
                name: "e".into(),
                args: vec![json!(1), json!(2)],
            },
        ),
        (
            r#"4{"message":"no"}"#,
            SioPacket::ConnectError {
                nsp: "/".into(),
                data: json!({"message": "no"}),
            },
        ),
        (
            r#"4"legacy""#,
            SioPacket::ConnectError {
                nsp: "/".into(),
                data: json!("legacy"),
            },
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            SioPacket::decode(body).as_ref(),
            Ok(expected),
            "body {body:?}"
        );
    }
}

#[test]
fn malformed_engine_io_frames_are_refused_with_a_reason() {
    let cases: &[(&str, CodecError)] = &[
        ("", CodecError::Empty),
        ("7", CodecError::UnknownEioType('7')),
        ("x", CodecError::UnknownEioType('x')),
        (
            "0",
            CodecError::BadJson("EOF while parsing a value at line 1 column 0".into()),
        ),
        (
            "0{}",
            CodecError::BadJson("missing field `sid` at line 1 column 2".into()),
        ),
    ];
    for (frame, expected) in cases {
        assert_eq!(
            EioPacket::decode(frame).as_ref(),
            Err(expected),
            "frame {frame:?}"
        );
    }
}

#[test]
fn malformed_socket_io_packets_are_refused_with_a_reason() {
    let cases: &[(&str, CodecError)] = &[
        ("", CodecError::Empty),
        ("7", CodecError::UnknownSioType('7')),
        ("9[]", CodecError::UnknownSioType('9')),
        ("a", CodecError::UnknownSioType('a')),
        (
            r#"51-["e",{"_placeholder":true,"num":0}]"#,
            CodecError::BinaryNotSupported,
        ),
        ("61-0[]", CodecError::BinaryNotSupported),
        ("2", CodecError::MissingPayload),
        ("2[]", CodecError::EmptyEvent),
        ("2[1,2]", CodecError::EventNameNotString),
        (r#"2{"a":1}"#, CodecError::NotAnArray),
        (
            r#"2["e""#,
            CodecError::BadJson("EOF while parsing a list at line 1 column 4".into()),
        ),
        (
            r#"2["e"]x"#,
            CodecError::BadJson("trailing characters at line 1 column 6".into()),
        ),
        (
            r#"299999999999999999999999["e"]"#,
            CodecError::AckIdOverflow,
        ),
        (r#"2/admin["e"]"#, CodecError::NamespaceWithoutComma),
        ("3", CodecError::MissingAckId),
        ("3[]", CodecError::MissingAckId),
        ("35", CodecError::MissingPayload),
        ("35{}", CodecError::NotAnArray),
        ("0[]", CodecError::ConnectNotObject),
        ("03", CodecError::UnexpectedPayload),
        (r#"1{"a":1}"#, CodecError::UnexpectedPayload),
        ("4", CodecError::MissingPayload),
    ];
    for (body, expected) in cases {
        assert_eq!(
            SioPacket::decode(body).as_ref(),
            Err(expected),
            "body {body:?}"
        );
    }
}

#[test]
fn multibyte_text_never_panics() {
    for frame in [
        "é",
        "4é",
        "42é",
        "42/é",
        "42/é,1[\"é\"]",
        "4\u{0}",
        "4/",
        "4/,",
    ] {
        let _ = EioPacket::decode(frame);
        if let Some(body) = frame.strip_prefix('4') {
            let _ = SioPacket::decode(body);
        }
    }
}
