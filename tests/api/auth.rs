//! Authentication and accounts: log-in, access and refresh tokens, log-out, forged and expired
//! tokens, deactivation, throttling, API tokens and their scopes, passwords, users, the audit log.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TEST_JWT_SECRET, TestApp, TestUser, assert_problem,
};

// ---------------------------------------------------------------------------------------------
// Helpers of this module
// ---------------------------------------------------------------------------------------------

/// Seconds since the epoch.
fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims of a JWT, read without checking anything (the middle part, base64url).
fn claims_of(jwt: &str) -> Map<String, Value> {
    let payload = jwt.split('.').nth(1).expect("a JWT has three parts");
    let bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Signs `claims` with HS256 and the test instances' secret, as the server would.
fn sign(claims: &Map<String, Value>) -> String {
    let key = EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).unwrap()
}

/// Claims for a forged access token of the same user and session as `real`: `sub` and `sid`
/// come from it, everything else is written here, valid unless `edit` spoils it.
fn forged_claims(real: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> Map<String, Value> {
    let real = claims_of(real);
    let now = now_secs();
    let mut claims = Map::new();
    claims.insert("sub".into(), real["sub"].clone());
    claims.insert("role".into(), real["role"].clone());
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + 900));
    claims.insert("iss".into(), json!("newsroom"));
    claims.insert("aud".into(), json!("newsroom-api"));
    claims.insert("jti".into(), json!(uuid::Uuid::new_v4()));
    claims.insert("sid".into(), real["sid"].clone());
    edit(&mut claims);
    claims
}

/// The status of `GET /api/v1/auth/me` with `token`.
async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get_as("/api/v1/auth/me", token).await.status().as_u16()
}

/// A log-in attempt, whatever its outcome.
async fn try_login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .await
}

/// A refresh attempt, whatever its outcome.
async fn try_refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": refresh_token}),
    )
    .await
}

/// PATCH a JSON body with a bearer token.
async fn patch_json(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.request("PATCH", path, Some(token))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Creates an account (without signing it in); returns the created user.
async fn create_account(app: &TestApp, admin: &TestUser, email: &str, password: &str) -> Value {
    let response = app
        .post_json(
            "/api/v1/users",
            Some(admin.token()),
            &json!({"email": email, "password": password, "name": "Someone", "role": "writer"}),
        )
        .await;
    assert_eq!(response.status(), 201, "creating {email}");
    response.json().await.unwrap()
}

/// Issues an API token; returns the whole 201 body (details and the secret `token`).
async fn issue_api_token(app: &TestApp, admin: &TestUser, scopes: &[&str]) -> Value {
    let response = app
        .post_json(
            "/api/v1/api-tokens",
            Some(admin.token()),
            &json!({"name": "renderer", "scopes": scopes}),
        )
        .await;
    assert_eq!(response.status(), 201, "issuing an API token");
    response.json().await.unwrap()
}

/// Every string anywhere in `value`.
fn strings_in(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings_in).collect(),
        Value::Object(fields) => fields.values().flat_map(strings_in).collect(),
        _ => Vec::new(),
    }
}

/// A problem body without its `request_id`, which differs from request to request.
fn without_request_id(mut problem: Value) -> Value {
    problem.as_object_mut().unwrap().remove("request_id");
    problem
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The audit log as the holder of `token` sees it (one page of 100, newest first).
async fn audit_entries(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get_as("/api/v1/audit-log?limit=100", token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------------------------------------
// Log-in, /auth/me
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn log_in_returns_a_bearer_access_token_for_15_minutes_and_a_refresh_token() {
    let app = TestApp::spawn().await;
    let response = try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();

    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!(
        (880..=900).contains(&expires_in),
        "expires_in: {expires_in}"
    );
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "the access token is a JWT");
    let refresh = body["refresh_token"].as_str().unwrap();
    assert!(
        refresh.len() >= 32,
        "the refresh token is a long random secret"
    );
    assert_ne!(access, refresh);
}

#[tokio::test]
async fn me_returns_the_signed_in_user_without_any_password_hash() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let response = app.get_as("/api/v1/auth/me", &session.access_token).await;
    assert_eq!(response.status(), 200);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["active"], true);
    assert_eq!(me["id"], claims_of(&session.access_token)["sub"]);
    assert!(me["last_login_at"].is_string(), "the log-in was recorded");
    for key in me.as_object().unwrap().keys() {
        assert!(
            !key.contains("password") && !key.contains("hash"),
            "/auth/me leaks `{key}`"
        );
    }
    assert!(
        !strings_in(&me).iter().any(|s| s.starts_with("$argon2")),
        "no PHC string in {me}"
    );
}

#[tokio::test]
async fn e_mail_case_and_surrounding_spaces_do_not_matter_at_log_in() {
    let app = TestApp::spawn().await;
    let response = try_login(&app, "  Admin@Newsroom.TEST ", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_request_without_a_bearer_token_is_a_401_problem_asking_for_one() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/auth/me").await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body = assert_problem(response, 401).await;
    assert_eq!(body["type"], "urn:newsroom:problem:unauthorized");
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_rotates_the_pair_and_the_new_pair_works() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let response = try_refresh(&app, &first.refresh_token).await;
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.unwrap();
    assert_eq!(second["token_type"], "Bearer");
    let access = second["access_token"].as_str().unwrap();
    let refresh = second["refresh_token"].as_str().unwrap();
    assert_ne!(access, first.access_token);
    assert_ne!(refresh, first.refresh_token);
    assert_eq!(
        claims_of(access)["sid"],
        claims_of(&first.access_token)["sid"],
        "a refresh stays in the same session"
    );
    assert_eq!(me_status(&app, access).await, 200);

    // The rotated token can be exchanged in turn.
    let third = try_refresh(&app, refresh).await;
    assert_eq!(third.status(), 200);
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let rotated: Value = try_refresh(&app, &first.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let new_access = rotated["access_token"].as_str().unwrap();
    let new_refresh = rotated["refresh_token"].as_str().unwrap();
    assert_eq!(me_status(&app, new_access).await, 200);

    // Someone presents the already-exchanged token: a copy is in other hands.
    let reuse = try_refresh(&app, &first.refresh_token).await;
    let body = assert_problem(reuse, 401).await;
    assert_eq!(body["type"], "urn:newsroom:problem:unauthorized");

    // Every token of the family is dead, the legitimate rotation included.
    assert_problem(try_refresh(&app, new_refresh).await, 401).await;
    assert_eq!(me_status(&app, new_access).await, 401);
    assert_eq!(me_status(&app, &first.access_token).await, 401);

    // Other sessions of the same user are not affected.
    let other = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(me_status(&app, &other.access_token).await, 200);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_a_401_problem() {
    let app = TestApp::spawn().await;
    let response = try_refresh(&app, "not-a-refresh-token-we-ever-issued").await;
    assert_problem(response, 401).await;
}

// ---------------------------------------------------------------------------------------------
// Log-out
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn logout_ends_the_session_access_and_refresh_token_alike() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let other = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let response = app
        .request("POST", "/api/v1/auth/logout", Some(&session.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    assert_eq!(me_status(&app, &session.access_token).await, 401);
    assert_problem(try_refresh(&app, &session.refresh_token).await, 401).await;
    // Only that session: the user's other log-in still works.
    assert_eq!(me_status(&app, &other.access_token).await, 200);
}

// ---------------------------------------------------------------------------------------------
// Forged, expired and tampered access tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_token_forged_with_the_server_secret_and_valid_claims_is_accepted() {
    // The control for the forgeries below: only the spoiled claim makes them fail.
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let forged = sign(&forged_claims(&session.access_token, |_| {}));
    assert_eq!(me_status(&app, &forged).await, 200);
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let expired = sign(&forged_claims(&session.access_token, |claims| {
        let an_hour_ago = now_secs() - 3600;
        claims.insert("iat".into(), json!(an_hour_ago - 900));
        claims.insert("exp".into(), json!(an_hour_ago));
    }));

    let response = app.get_as("/api/v1/auth/me", &expired).await;
    let body = assert_problem(response, 401).await;
    assert_eq!(body["type"], "urn:newsroom:problem:unauthorized");
    // The session itself is fine.
    assert_eq!(me_status(&app, &session.access_token).await, 200);
}

#[tokio::test]
async fn an_access_token_with_a_tampered_signature_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (signed_part, signature) = session.access_token.rsplit_once('.').unwrap();
    // The first character carries six significant bits (the last one only four).
    let mut chars: Vec<char> = signature.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    let tampered = format!("{signed_part}.{}", chars.into_iter().collect::<String>());
    assert_ne!(tampered, session.access_token);

    assert_problem(app.get_as("/api/v1/auth/me", &tampered).await, 401).await;
}

#[tokio::test]
async fn an_access_token_with_a_changed_payload_is_refused() {
    // A writer promoting itself to admin in the payload, keeping the signature.
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let parts: Vec<&str> = writer.token().split('.').collect();
    let mut claims = claims_of(writer.token());
    claims.insert("role".into(), json!("admin"));
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);

    assert_eq!(
        app.get_as("/api/v1/users", &tampered)
            .await
            .status()
            .as_u16(),
        401
    );
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = session.access_token.split('.').nth(1).unwrap();
    let unsigned = format!("{header}.{payload}.");

    assert_problem(app.get_as("/api/v1/auth/me", &unsigned).await, 401).await;
}

#[tokio::test]
async fn an_access_token_for_another_audience_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let foreign = sign(&forged_claims(&session.access_token, |claims| {
        claims.insert("aud".into(), json!("some-other-api"));
    }));
    assert_problem(app.get_as("/api/v1/auth/me", &foreign).await, 401).await;
}

#[tokio::test]
async fn an_access_token_from_another_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let foreign = sign(&forged_claims(&session.access_token, |claims| {
        claims.insert("iss".into(), json!("someone-else"));
    }));
    assert_problem(app.get_as("/api/v1/auth/me", &foreign).await, 401).await;
}

#[tokio::test]
async fn a_validly_signed_token_for_a_session_that_does_not_exist_is_refused() {
    // Knowing the secret is not enough: the session must exist and be live.
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let orphan = sign(&forged_claims(&session.access_token, |claims| {
        claims.insert("sid".into(), json!(uuid::Uuid::new_v4()));
    }));
    assert_problem(app.get_as("/api/v1/auth/me", &orphan).await, 401).await;
}

// ---------------------------------------------------------------------------------------------
// Deactivation and role changes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_deactivated_user_is_locked_out_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    assert_eq!(me_status(&app, writer.token()).await, 200);

    let response = patch_json(
        &app,
        &format!("/api/v1/users/{}", writer.id),
        admin.token(),
        &json!({"active": false}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["active"], false);

    assert_eq!(me_status(&app, writer.token()).await, 401);
    assert_problem(try_refresh(&app, &writer.session.refresh_token).await, 401).await;
    // Its right password gets the same answer as a wrong one.
    let login = assert_problem(try_login(&app, &writer.email, &writer.password).await, 401).await;
    let wrong = assert_problem(
        try_login(&app, &writer.email, "not the password").await,
        401,
    )
    .await;
    assert_eq!(without_request_id(login), without_request_id(wrong));
}

#[tokio::test]
async fn deactivating_an_admin_revokes_the_api_tokens_it_issued() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let second_admin = app.user_created_by(&admin, "admin").await;
    let its_token = app.api_token(&second_admin, &["admin"]).await;
    let kept_token = app.api_token(&admin, &["admin"]).await;
    assert_eq!(app.get_as("/api/v1/users", &its_token).await.status(), 200);

    let response = patch_json(
        &app,
        &format!("/api/v1/users/{}", second_admin.id),
        admin.token(),
        &json!({"active": false}),
    )
    .await;
    assert_eq!(response.status(), 200);

    assert_problem(app.get_as("/api/v1/users", &its_token).await, 401).await;
    assert_eq!(me_status(&app, second_admin.token()).await, 401);
    // Tokens issued by other admins are untouched.
    assert_eq!(app.get_as("/api/v1/users", &kept_token).await.status(), 200);
}

#[tokio::test]
async fn an_admin_password_reset_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let response = patch_json(
        &app,
        &format!("/api/v1/users/{}", writer.id),
        admin.token(),
        &json!({"password": "reset by the admin 1"}),
    )
    .await;
    assert_eq!(response.status(), 200);

    assert_eq!(me_status(&app, writer.token()).await, 401);
    assert_problem(try_refresh(&app, &writer.session.refresh_token).await, 401).await;
    assert_problem(try_login(&app, &writer.email, &writer.password).await, 401).await;
    app.login(&writer.email, "reset by the admin 1").await;
}

#[tokio::test]
async fn a_role_change_applies_to_existing_sessions_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    assert_eq!(
        app.get_as("/api/v1/audit-log", writer.token())
            .await
            .status(),
        403
    );

    let response = patch_json(
        &app,
        &format!("/api/v1/users/{}", writer.id),
        admin.token(),
        &json!({"role": "editor"}),
    )
    .await;
    assert_eq!(response.status(), 200);

    // Same access token (whose `role` claim still says writer): the database decides.
    assert_eq!(claims_of(writer.token())["role"], "writer");
    assert_eq!(
        app.get_as("/api/v1/audit-log", writer.token())
            .await
            .status(),
        200
    );
}

// ---------------------------------------------------------------------------------------------
// Throttling
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;

    for attempt in 1..=5 {
        let response = try_login(&app, &writer.email, "wrong password 123").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }

    let response = try_login(&app, &writer.email, &writer.password).await;
    let retry_after = response
        .headers()
        .get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .unwrap()
        .to_owned();
    let body = assert_problem(response, 429).await;
    assert_eq!(body["type"], "urn:newsroom:problem:too-many-requests");
    let seconds: u64 = retry_after
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is not an integer: {retry_after:?}"));
    assert!(
        (1..=15 * 60).contains(&seconds),
        "Retry-After: {seconds} (the window is 15 minutes)"
    );

    // The same address can still sign in to other accounts (the per-address limit is looser).
    assert_eq!(
        try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        200
    );
    let another = app.user_created_by(&admin, "editor").await;
    assert_eq!(
        try_login(&app, &another.email, "wrong password 123")
            .await
            .status(),
        401,
        "another account's failure is counted on its own"
    );
}

#[tokio::test]
async fn a_successful_log_in_clears_the_account_failures() {
    let app = TestApp::spawn().await;
    for _ in 0..4 {
        assert_eq!(
            try_login(&app, ADMIN_EMAIL, "wrong password")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        200
    );
    for _ in 0..4 {
        assert_eq!(
            try_login(&app, ADMIN_EMAIL, "wrong password")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        try_login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn too_many_failures_from_one_address_lock_every_account_from_it() {
    let app = TestApp::spawn_with(&[("NEWSROOM_LOGIN_MAX_FAILURES_PER_IP", "3")]).await;
    for n in 0..3 {
        let response = try_login(&app, &format!("nobody-{n}@newsroom.test"), "guess 12345").await;
        assert_eq!(response.status(), 401);
    }
    // A client cannot claim another address: the peer is not a trusted proxy.
    let response = app
        .request("POST", "/api/v1/auth/login", None)
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 429).await;
}

// ---------------------------------------------------------------------------------------------
// Unknown e-mail and wrong password look the same
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_e_mail_and_wrong_password_get_the_same_answer_in_the_same_time() {
    const SAMPLES: usize = 5;
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // One account per wrong-password attempt, so no account gets near its limit; 2 × 6
    // failures stay far below the per-address limit.
    let mut accounts = Vec::new();
    for n in 0..=SAMPLES {
        let email = format!("timing-{n}-{}@newsroom.test", uuid::Uuid::new_v4().simple());
        create_account(&app, &admin, &email, "the right password 123").await;
        accounts.push(email);
    }
    let unknown = |n: usize| format!("ghost-{n}-{}@newsroom.test", uuid::Uuid::new_v4().simple());

    // Same status, same body apart from the request id.
    let for_unknown =
        assert_problem(try_login(&app, &unknown(99), "a password 123").await, 401).await;
    let for_wrong =
        assert_problem(try_login(&app, &accounts[0], "a password 123").await, 401).await;
    assert_eq!(
        without_request_id(for_unknown),
        without_request_id(for_wrong)
    );

    // Same time: the unknown e-mail still pays for a password verification. Interleaved, in
    // alternating order, so a change of load on the machine hits both series alike.
    let mut unknown_times = Vec::new();
    let mut wrong_times = Vec::new();
    for n in 0..SAMPLES {
        for unknown_first in [n % 2 == 0, n % 2 == 1] {
            let started = Instant::now();
            let response = if unknown_first {
                try_login(&app, &unknown(n), "a password 123").await
            } else {
                try_login(&app, &accounts[n + 1], "a password 123").await
            };
            let elapsed = started.elapsed();
            assert_eq!(response.status(), 401);
            if unknown_first {
                unknown_times.push(elapsed);
            } else {
                wrong_times.push(elapsed);
            }
        }
    }
    let (unknown_median, wrong_median) = (median(unknown_times), median(wrong_times));
    println!("log-in timing: unknown e-mail {unknown_median:?}, wrong password {wrong_median:?}");
    assert!(
        unknown_median * 3 >= wrong_median,
        "an unknown e-mail ({unknown_median:?}) answers much faster than a wrong password \
         ({wrong_median:?}): it reveals which accounts exist"
    );
}

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn api_token_scopes_decide_what_it_may_do() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let reader = app.api_token(&admin, &["content:read"]).await;
    let administrator = app.api_token(&admin, &["admin"]).await;

    let body = assert_problem(app.get_as("/api/v1/users", &reader).await, 403).await;
    assert_eq!(body["type"], "urn:newsroom:problem:forbidden");
    assert_eq!(
        app.get_as("/api/v1/users", &administrator).await.status(),
        200
    );
    // A token has no user account behind it.
    assert_problem(app.get_as("/api/v1/auth/me", &administrator).await, 403).await;
}

#[tokio::test]
async fn an_api_token_secret_is_shown_once_and_never_listed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = issue_api_token(&app, &admin, &["content:read", "images:write"]).await;
    let secret = created["token"].as_str().unwrap();
    assert!(secret.starts_with("nr_"), "{secret}");
    assert!(secret.len() >= 40, "{secret}");
    assert_eq!(
        created["token_prefix"].as_str().unwrap(),
        &secret[..8],
        "the prefix tells tokens apart"
    );
    assert_eq!(created["created_by"].as_str().unwrap(), admin.id);

    let response = app.get_as("/api/v1/api-tokens", admin.token()).await;
    assert_eq!(response.status(), 200);
    let listed: Value = response.json().await.unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], created["id"]);
    assert!(listed[0].get("token").is_none());
    for value in strings_in(&listed[0]) {
        assert!(!value.contains(secret), "the secret is listed: {value}");
    }
}

#[tokio::test]
async fn an_api_token_records_when_it_was_last_used() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = issue_api_token(&app, &admin, &["admin"]).await;
    assert!(created["last_used_at"].is_null());

    let secret = created["token"].as_str().unwrap();
    assert_eq!(app.get_as("/api/v1/users", secret).await.status(), 200);

    let listed: Value = app
        .get_as("/api/v1/api-tokens", admin.token())
        .await
        .json()
        .await
        .unwrap();
    let token = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == created["id"])
        .unwrap();
    assert!(token["last_used_at"].is_string(), "{token}");
}

#[tokio::test]
async fn a_revoked_api_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = issue_api_token(&app, &admin, &["admin"]).await;
    let secret = created["token"].as_str().unwrap();
    assert_eq!(app.get_as("/api/v1/users", secret).await.status(), 200);

    let response = app
        .request(
            "DELETE",
            &format!("/api/v1/api-tokens/{}", created["id"].as_str().unwrap()),
            Some(admin.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    assert_problem(app.get_as("/api/v1/users", secret).await, 401).await;
    let listed: Value = app
        .get_as("/api/v1/api-tokens", admin.token())
        .await
        .json()
        .await
        .unwrap();
    assert!(listed[0]["revoked_at"].is_string(), "{listed}");
}

#[tokio::test]
async fn an_unknown_api_token_is_refused() {
    let app = TestApp::spawn().await;
    let made_up = format!("nr_{}", "x".repeat(43));
    assert_problem(app.get_as("/api/v1/users", &made_up).await, 401).await;
}

#[tokio::test]
async fn only_admins_issue_api_tokens() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let response = app
        .post_json(
            "/api/v1/api-tokens",
            Some(editor.token()),
            &json!({"name": "mine", "scopes": ["admin"]}),
        )
        .await;
    assert_problem(response, 403).await;
}

// ---------------------------------------------------------------------------------------------
// Changing one's own password
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let response = app
        .post_json(
            "/api/v1/auth/password",
            Some(writer.token()),
            &json!({"current_password": "not my password", "new_password": "a brand new password"}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "current_password");
    // Nothing changed.
    app.login(&writer.email, &writer.password).await;
}

#[tokio::test]
async fn changing_the_password_replaces_it_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let elsewhere = app.login(&writer.email, &writer.password).await;
    let new_password = "a brand new password";

    let response = app
        .post_json(
            "/api/v1/auth/password",
            Some(writer.token()),
            &json!({"current_password": writer.password, "new_password": new_password}),
        )
        .await;
    assert_eq!(response.status(), 204);

    assert_problem(try_login(&app, &writer.email, &writer.password).await, 401).await;
    app.login(&writer.email, new_password).await;
    // The other session ends, access and refresh token alike; this one stays.
    assert_eq!(me_status(&app, &elsewhere.access_token).await, 401);
    assert_problem(try_refresh(&app, &elsewhere.refresh_token).await, 401).await;
    assert_eq!(me_status(&app, writer.token()).await, 200);
}

#[tokio::test]
async fn a_new_password_must_follow_the_policy() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let response = app
        .post_json(
            "/api/v1/auth/password",
            Some(writer.token()),
            &json!({"current_password": writer.password, "new_password": writer.email.to_uppercase()}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "new_password");
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_e_mail_is_taken_whatever_its_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = create_account(&app, &admin, "Ana.Lima@Newsroom.test", "correct horse 123").await;
    assert_eq!(
        created["email"], "ana.lima@newsroom.test",
        "stored lower-cased"
    );

    let response = app
        .post_json(
            "/api/v1/users",
            Some(admin.token()),
            &json!({"email": "ANA.LIMA@newsroom.TEST", "password": "another horse 123",
                    "name": "Impostor", "role": "writer"}),
        )
        .await;
    let body = assert_problem(response, 409).await;
    assert_eq!(body["type"], "urn:newsroom:problem:conflict");
}

#[tokio::test]
async fn a_password_shorter_than_12_characters_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .post_json(
            "/api/v1/users",
            Some(admin.token()),
            &json!({"email": "short@newsroom.test", "password": "elevenchars",
                    "name": "Short", "role": "writer"}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["password"]);
}

#[tokio::test]
async fn a_password_equal_to_the_e_mail_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .post_json(
            "/api/v1/users",
            Some(admin.token()),
            &json!({"email": "someone@newsroom.test", "password": "Someone@Newsroom.test",
                    "name": "Someone", "role": "writer"}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "password");
}

#[tokio::test]
async fn an_admin_cannot_deactivate_or_demote_itself() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // Another admin exists, so the refusal is about oneself, not about the last admin.
    app.user_created_by(&admin, "admin").await;
    let path = format!("/api/v1/users/{}", admin.id);

    let response = patch_json(&app, &path, admin.token(), &json!({"active": false})).await;
    assert_problem(response, 409).await;
    let response = patch_json(&app, &path, admin.token(), &json!({"role": "editor"})).await;
    assert_problem(response, 409).await;
    assert_eq!(me_status(&app, admin.token()).await, 200);
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_deactivated() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let other = app.user_created_by(&admin, "admin").await;
    // An admin-scope token has no account of its own, so only the last-admin rule can stop it.
    let token = app.api_token(&other, &["admin"]).await;
    let response = patch_json(
        &app,
        &format!("/api/v1/users/{}", admin.id),
        &token,
        &json!({"active": false}),
    )
    .await;
    assert_eq!(response.status(), 200, "there is another admin");

    let response = patch_json(
        &app,
        &format!("/api/v1/users/{}", other.id),
        &token,
        &json!({"active": false}),
    )
    .await;
    let body = assert_problem(response, 409).await;
    assert!(body["detail"].as_str().unwrap().contains("last"), "{body}");
    assert_eq!(me_status(&app, other.token()).await, 200);
}

#[tokio::test]
async fn the_user_list_filters_by_text_and_pages_with_a_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let marker = uuid::Uuid::new_v4().simple().to_string();
    let mut expected = Vec::new();
    for n in 1..=3 {
        let email = format!("pager-{marker}-{n}@newsroom.test");
        create_account(&app, &admin, &email, "correct horse 123").await;
        expected.push(email);
    }
    create_account(&app, &admin, "unrelated@newsroom.test", "correct horse 123").await;

    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = vec![
            ("q", marker.to_uppercase()), // case-insensitive
            ("limit", "2".to_owned()),
        ];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.clone()));
        }
        let response = app
            .request("GET", "/api/v1/users", Some(admin.token()))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 5, "pagination does not end");
    }
    assert_eq!(pages, 2);
    // Every match once, in e-mail order, nothing else.
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn only_admins_manage_users() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    assert_problem(app.get_as("/api/v1/users", editor.token()).await, 403).await;
    let response = app
        .post_json(
            "/api/v1/users",
            Some(editor.token()),
            &json!({"email": "x@newsroom.test", "password": "correct horse 123",
                    "name": "X", "role": "admin"}),
        )
        .await;
    assert_problem(response, 403).await;
}

// ---------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_audit_log_records_log_ins_and_user_changes_with_actor_address_and_request() {
    let app = TestApp::spawn().await;
    let failed = app
        .request("POST", "/api/v1/auth/login", None)
        .header("x-request-id", "audit-failed-login")
        .header("x-forwarded-for", "198.51.100.7") // not from a trusted proxy: ignored
        .json(&json!({"email": ADMIN_EMAIL, "password": "a wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 401);
    let admin = app.admin().await;
    let response = app
        .request("POST", "/api/v1/auth/login", None)
        .header("x-request-id", "audit-login")
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let password = "correct horse 123";
    let response = app
        .request("POST", "/api/v1/users", Some(admin.token()))
        .header("x-request-id", "audit-create-user")
        .json(&json!({"email": "new@newsroom.test", "password": password,
                      "name": "New", "role": "writer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();

    let entries = audit_entries(&app, admin.token()).await;
    let entry = |request_id: &str| {
        entries
            .iter()
            .find(|e| e["request_id"] == request_id)
            .unwrap_or_else(|| panic!("no entry for request {request_id}: {entries:?}"))
            .clone()
    };

    let login_failed = entry("audit-failed-login");
    assert_eq!(login_failed["action"], "auth.login_failed");
    assert_eq!(login_failed["actor_type"], "anonymous");
    assert!(login_failed["actor_id"].is_null());
    assert_eq!(login_failed["target_type"], "user");
    assert_eq!(login_failed["target_id"], admin.id.as_str());
    assert_eq!(login_failed["client_ip"], "127.0.0.1");

    let login = entry("audit-login");
    assert_eq!(login["action"], "auth.login");
    assert_eq!(login["actor_type"], "user");
    assert_eq!(login["actor_id"], admin.id.as_str());
    assert_eq!(login["client_ip"], "127.0.0.1");

    let create = entry("audit-create-user");
    assert_eq!(create["action"], "user.create");
    assert_eq!(create["actor_type"], "user");
    assert_eq!(create["actor_id"], admin.id.as_str());
    assert_eq!(create["target_id"], created["id"]);
    assert_eq!(create["client_ip"], "127.0.0.1");
    assert_eq!(create["changes"]["email"], "new@newsroom.test");

    // Every entry names its request; no password ever reaches the log.
    for e in &entries {
        assert!(
            e["request_id"].is_string() || e["actor_type"] == "system",
            "{e}"
        );
        for value in strings_in(e) {
            assert!(!value.contains(password) && !value.contains(ADMIN_PASSWORD));
        }
    }
}

#[tokio::test]
async fn editors_read_the_audit_log_without_its_security_entries() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    app.api_token(&admin, &["content:read"]).await;
    assert_eq!(
        try_login(&app, ADMIN_EMAIL, "a wrong password")
            .await
            .status(),
        401
    );
    let all = audit_entries(&app, admin.token()).await;
    assert!(all.iter().any(|e| e["target_type"] == "user"));
    assert!(all.iter().any(|e| e["target_type"] == "api_token"));

    let seen = audit_entries(&app, editor.token()).await;
    for e in &seen {
        assert!(
            e["target_type"] != "user" && e["target_type"] != "api_token",
            "an editor sees {e}"
        );
    }
    // Asking for them explicitly does not help.
    let response = app
        .get_as("/api/v1/audit-log?target_type=user", editor.token())
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn writers_cannot_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let body = assert_problem(app.get_as("/api/v1/audit-log", writer.token()).await, 403).await;
    assert_eq!(body["type"], "urn:newsroom:problem:forbidden");
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_is_throttled_like_a_sequence() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;

    let guesses = (0..20).map(|_| try_login(&app, &writer.email, "wrong password 123"));
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let refused_by_password = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        refused_by_password, 5,
        "only 5 guesses are checked: {statuses:?}"
    );
    assert_eq!(throttled, 15, "{statuses:?}");
    // And the right password after the burst is throttled too.
    assert_eq!(
        try_login(&app, &writer.email, &writer.password)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_log_ins() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    for _ in 0..5 {
        let response = app
            .post_json(
                "/api/v1/auth/password",
                Some(writer.token()),
                &json!({"current_password": "not my password", "new_password": "brand new password"}),
            )
            .await;
        assert_eq!(response.status(), 422);
    }
    let response = app
        .post_json(
            "/api/v1/auth/password",
            Some(writer.token()),
            &json!({"current_password": writer.password, "new_password": "brand new password"}),
        )
        .await;
    assert_problem(response, 429).await;
}
