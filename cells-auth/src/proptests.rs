//! Property tests of every parser of outside input: whatever arrives, each
//! accepts it or gives a typed error, and none panics. 10,000 cases each.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::Value;

use crate::callback::judge_query;
use crate::discovery::{parse_configuration, ServerUrl};
use crate::http::TransportError;
use crate::sign_in::{judge_link, judge_redirect};
use crate::testing::expectation;
use crate::tokens::{map_error, token_set, CellsTokenResponse};

fn config() -> ProptestConfig {
    ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() }
}

/// Any JSON value, numbers of every size and sign included.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        Just(Value::String("https://cells.example.com/oidc/".into())),
        // Dates at the edges of what the account file can hold.
        prop::sample::select(
            &[
                "2026-01-01T00:00:00Z",
                "1970-01-01T00:00:00Z",
                "+262142-12-31T23:59:59Z",
                "-262143-01-01T00:00:00Z",
                "9999-12-31T23:59:59Z",
            ][..]
        )
        .prop_map(|date| Value::String(date.to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object whose keys are mostly the ones a parser looks for.
fn object_with(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let key = prop_oneof![4 => prop::sample::select(keys).prop_map(str::to_string), 1 => ".{0,12}"];
    prop::collection::btree_map(key, json(), 0..keys.len() + 2).prop_map(|map| Value::Object(map.into_iter().collect()))
}

/// A query string: known parameters and others, raw or percent-encoded.
fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(&["code", "state", "error", "error_description", "iss"][..]).prop_map(str::to_string),
        ".{0,8}",
    ];
    let value = prop_oneof![Just("s3cr3t-state".to_string()), ".{0,30}"];
    let pair = (key, value, any::<bool>()).prop_map(|(key, value, encode)| {
        if encode {
            url::form_urlencoded::Serializer::new(String::new()).append_pair(&key, &value).finish()
        } else {
            format!("{key}={value}")
        }
    });
    prop_oneof![prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&")), ".{0,80}"]
}

/// A well-formed account whose times are anywhere the file format allows.
fn account() -> impl Strategy<Value = Value> {
    let date = prop_oneof![
        prop::sample::select(&["+262142-12-31T23:59:59Z", "-262143-01-01T00:00:00Z", "1970-01-01T00:00:00Z"][..])
            .prop_map(str::to_string),
        (-8_000_000_000_000i64..8_000_000_000_000i64)
            .prop_map(|s| { chrono::DateTime::from_timestamp(s, 0).map(|d| d.to_rfc3339()).unwrap_or_default() }),
    ];
    (date.clone(), date.clone(), date.clone(), prop::option::of(date.clone()), prop::option::of(date), any::<u32>())
        .prop_map(|(expires, issued, signed_in, refreshed, next, failures)| {
            serde_json::json!({
                "id": "a", "server": "https://h", "issuer": "https://h/oidc/", "sub": "u", "user": "alice",
                "email": null, "access_token_expires_at": expires, "access_token_issued_at": issued,
                "id_token_expires_at": null, "signed_in_at": signed_in, "last_refresh_at": refreshed,
                "next_attempt_at": next, "failures": failures, "last_error": "x",
            })
        })
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_callback_query_is_judged_never_panics(query in query()) {
        let _ = judge_query(&query, &expectation());
    }

    #[test]
    fn the_cellsauth_link_is_judged_never_panics(
        prefix in prop::sample::select(&["cellsauth://callback?", "cellsauth://callback/?", "cellsauth://other?", "https://callback?", "", "cellsauth:"][..]),
        query in query(),
    ) {
        let _ = judge_link(&format!("{prefix}{query}"), &expectation());
    }

    #[test]
    fn the_pasted_address_is_judged_never_panics(
        prefix in prop::sample::select(&["http://localhost:3636/servers/callback?", "http://[::1]:3636/servers/callback?", "http://localhost:3636/servers/callback/?", "https://localhost:3636/x?", "", "localhost:3636?"][..]),
        query in query(),
    ) {
        let _ = judge_redirect(&format!("{prefix}{query}"), 3636, &expectation());
    }

    #[test]
    fn the_discovery_document_is_read_or_refused_never_panics(
        document in prop_oneof![
            object_with(&["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "revocation_endpoint",
                "end_session_endpoint", "userinfo_endpoint", "code_challenge_methods_supported",
                "authorization_response_iss_parameter_supported"]).prop_map(|v| v.to_string()),
            ".{0,200}",
        ],
    ) {
        let server = ServerUrl::parse("https://cells.example.com").unwrap();
        let _ = parse_configuration(&server, "https://cells.example.com/oidc/.well-known/openid-configuration", &document);
    }

    #[test]
    fn the_token_response_is_read_or_refused_never_panics(
        body in prop_oneof![
            object_with(&["access_token", "token_type", "expires_in", "refresh_token", "id_token", "scope"]).prop_map(|v| v.to_string()),
            ".{0,200}",
        ],
    ) {
        let received_at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        // As oauth2 reads a 200 answer, then as this crate checks it.
        match serde_path_to_error::deserialize::<_, CellsTokenResponse>(&mut serde_json::Deserializer::from_str(&body)) {
            Ok(response) => { let _ = token_set(&response, received_at); }
            Err(err) => {
                let mapped = map_error::<oauth2::basic::BasicErrorResponseType>(
                    oauth2::RequestTokenError::<TransportError, _>::Parse(err, body.clone().into_bytes()),
                    Some(200),
                    "https://h/token",
                    &[],
                );
                // A 200 answer may hold tokens: nothing of it is kept.
                let shown = format!("{mapped} {mapped:?}");
                prop_assert!(body.len() < 16 || !shown.contains(&body));
            }
        }
    }

    #[test]
    fn the_token_error_is_read_or_refused_never_panics(
        body in prop_oneof![
            object_with(&["error", "error_description", "error_uri"]).prop_map(|v| v.to_string()),
            ".{0,200}",
        ],
        status in 300u16..600,
    ) {
        let err = match serde_path_to_error::deserialize::<_, oauth2::basic::BasicErrorResponse>(
            &mut serde_json::Deserializer::from_str(&body),
        ) {
            Ok(response) => oauth2::RequestTokenError::<TransportError, _>::ServerResponse(response),
            Err(err) => oauth2::RequestTokenError::Parse(err, body.clone().into_bytes()),
        };
        let mapped = map_error(err, Some(status), "https://h/token", &["refresh-token-secret"]);
        let shown = format!("{mapped} {mapped:?}");
        prop_assert!(!shown.contains("refresh-token-secret"));
        prop_assert!(!shown.chars().any(|c| c.is_control()));
    }

    #[test]
    fn the_jwt_header_and_claims_are_read_or_refused_never_panics(
        header in prop_oneof![object_with(&["alg", "kid", "typ"]).prop_map(|v| b64(v.to_string().as_bytes())), ".{0,40}"],
        claims in object_with(&["iss", "sub", "aud", "exp", "iat", "nonce", "azp", "name", "email", "sid", "authSource"]),
        raw in ".{0,120}",
    ) {
        let _ = crate::verify::header_alg(&format!("{header}.{}.sig", b64(claims.to_string().as_bytes())));
        let _ = crate::verify::header_alg(&raw);
        if let Ok(claims) = serde_json::from_value::<crate::verify::IdTokenClaims>(claims) {
            let _ = claims.expires_at();
        }
    }

    #[test]
    fn the_account_file_is_read_or_refused_never_panics(
        text in prop_oneof![
            prop::collection::vec(object_with(&["id", "server", "label", "client_id", "issuer", "sub", "user", "email",
                "access_token_expires_at", "access_token_issued_at", "id_token_expires_at", "signed_in_at",
                "last_refresh_at", "needs_reauth", "last_error", "next_attempt_at", "failures"]), 0..3)
                .prop_map(|accounts| serde_json::json!({ "version": 1, "accounts": accounts }).to_string()),
            prop::collection::vec(account(), 1..3)
                .prop_map(|accounts| serde_json::json!({ "version": 1, "accounts": accounts }).to_string()),
            json().prop_map(|v| v.to_string()),
            ".{0,200}",
        ],
    ) {
        if let Ok(file) = crate::store::parse_accounts(&text) {
            let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            for account in &file.accounts {
                // And what every front end then computes from it.
                let view = crate::view::AccountView::new(account, false, now);
                let _ = view.next_change(now);
                let _ = crate::manager::due_at(account);
                let _ = crate::manager::freshness_margin(account);
            }
        }
    }
}
