//! The editorial workflow: who may move an article between which states, what readers see while
//! it is edited, slugs that move, embargoes, scheduled publishing on several instances and after
//! an outage, revisions, corrections and the audit trail.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem};

const STATES: [&str; 6] = [
    "draft",
    "in_review",
    "scheduled",
    "published",
    "unpublished",
    "archived",
];
const ACTIONS: [&str; 6] = [
    "submit",
    "return",
    "publish",
    "schedule",
    "unpublish",
    "archive",
];

/// The designed transitions (src/domain/workflow.rs): (action, from, to).
const TRANSITIONS: [(&str, &str, &str); 17] = [
    ("submit", "draft", "in_review"),
    ("return", "in_review", "draft"),
    ("return", "scheduled", "draft"),
    ("publish", "draft", "published"),
    ("publish", "in_review", "published"),
    ("publish", "scheduled", "published"),
    ("publish", "published", "published"),
    ("publish", "unpublished", "published"),
    ("schedule", "draft", "scheduled"),
    ("schedule", "in_review", "scheduled"),
    ("schedule", "unpublished", "scheduled"),
    ("unpublish", "published", "unpublished"),
    ("archive", "draft", "archived"),
    ("archive", "in_review", "archived"),
    ("archive", "scheduled", "archived"),
    ("archive", "published", "archived"),
    ("archive", "unpublished", "archived"),
];

/// Where `action` takes an article that is `from`, if the transition exists.
fn target(action: &str, from: &str) -> Option<&'static str> {
    TRANSITIONS
        .iter()
        .find(|(a, f, _)| *a == action && *f == from)
        .map(|(_, _, to)| *to)
}

/// The longest a test waits for the scheduler.
const DEADLINE: Duration = Duration::from_secs(20);
/// The pause between two polls.
const POLL: Duration = Duration::from_millis(50);

/// A fast scheduler, so scheduled articles go out within ~100 ms of being due.
const FAST_SCHEDULER: [(&str, &str); 1] = [("NEWSROOM_SCHEDULER_INTERVAL_MS", "100")];

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn from_now(ms: i64) -> DateTime<Utc> {
    Utc::now() + TimeDelta::milliseconds(ms)
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a time: {value}")),
    )
    .unwrap()
    .with_timezone(&Utc)
}

fn etag_of(article: &Value) -> String {
    format!("\"v{}\"", article["version"])
}

fn id_of(article: &Value) -> String {
    article["id"].as_str().unwrap().to_owned()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = app.post_json("/api/v1/articles", Some(token), &body).await;
    assert_eq!(response.status(), 201, "creating an article");
    response.json().await.unwrap()
}

async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    let response = app.get_as(&format!("/api/v1/articles/{id}"), token).await;
    assert_eq!(response.status(), 200, "reading article {id}");
    response.json().await.unwrap()
}

async fn patch(app: &TestApp, token: &str, article: &Value, body: Value) -> Value {
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{}", id_of(article)),
            Some(token),
        )
        .header("if-match", etag_of(article))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "patching with {body}");
    response.json().await.unwrap()
}

/// The body an action needs to succeed: a note to return, a future time to schedule.
fn default_body(action: &str) -> Option<Value> {
    match action {
        "return" => Some(json!({"note": "Needs a second source."})),
        "schedule" => Some(json!({"publish_at": rfc3339(from_now(24 * 3600 * 1000))})),
        _ => None,
    }
}

/// POSTs a workflow action with an optional `If-Match` and JSON body.
async fn act_with(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.request(
        "POST",
        &format!("/api/v1/articles/{id}/{action}"),
        Some(token),
    );
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// `action` on the article at its current version, with the body it needs.
async fn act(app: &TestApp, token: &str, article: &Value, action: &str) -> reqwest::Response {
    act_with(
        app,
        token,
        &id_of(article),
        action,
        Some(&etag_of(article)),
        default_body(action),
    )
    .await
}

/// `action`, which must succeed; returns the article after it.
async fn acted(app: &TestApp, token: &str, article: &Value, action: &str) -> Value {
    let response = act(app, token, article, action).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{action} from {}: {body}", article["status"]);
    body
}

/// Brings a fresh article into `state` through the workflow, as `editor`.
async fn bring_to(app: &TestApp, editor: &str, article: Value, state: &str) -> Value {
    let steps: &[&str] = match state {
        "draft" => &[],
        "in_review" => &["submit"],
        "scheduled" => &["schedule"],
        "published" => &["publish"],
        "unpublished" => &["publish", "unpublish"],
        "archived" => &["archive"],
        other => panic!("unknown state {other}"),
    };
    let mut article = article;
    for step in steps {
        article = acted(app, editor, &article, step).await;
    }
    assert_eq!(article["status"], state);
    article
}

async fn public(app: &TestApp, slug: &str) -> reqwest::Response {
    app.get(&format!("/api/v1/public/articles/{slug}")).await
}

async fn public_article(app: &TestApp, slug: &str) -> Value {
    let response = public(app, slug).await;
    assert_eq!(response.status(), 200, "public article at {slug}");
    response.json().await.unwrap()
}

/// Audit entries with `action` about article `id`, newest first.
async fn audit(app: &TestApp, admin: &TestUser, action: &str, id: &str) -> Vec<Value> {
    let response = app
        .get_as(
            &format!("/api/v1/audit-log?action={action}&target_id={id}&limit=100"),
            admin.token(),
        )
        .await;
    assert_eq!(response.status(), 200, "reading the audit log");
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn revisions(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let response = app
        .get_as(&format!("/api/v1/articles/{id}/revisions"), token)
        .await;
    assert_eq!(response.status(), 200, "listing revisions");
    response.json().await.unwrap()
}

/// Polls the article until it is `status`; panics at the deadline.
async fn wait_for_status(app: &TestApp, token: &str, id: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let article = read(app, token, id).await;
        if article["status"] == status {
            return article;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "article {id} is still {} after {DEADLINE:?}, expected {status}: {article}",
            article["status"]
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until the clock has passed `at` (the server is not asked).
async fn wait_until(at: DateTime<Utc>) {
    while Utc::now() <= at {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Who tries an action in the table.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    OwningWriter,
    OtherWriter,
    Editor,
    Admin,
    WriteToken,
    ReadToken,
}

/// What `who` gets for `action` on an article in `from`, as the workflow is designed: another
/// writer's article is unknown (404) unless it is published; a wrong state is reported (409)
/// before a missing right (403); callers outside the workflow get 403.
fn expected(who: Who, action: &str, from: &str) -> u16 {
    let exists = target(action, from).is_some();
    match who {
        Who::ReadToken => 403,
        Who::OtherWriter if from != "published" => 404,
        _ if !exists => 409,
        Who::OwningWriter if action == "submit" => 200,
        Who::OwningWriter | Who::OtherWriter => 403,
        Who::Editor | Who::Admin | Who::WriteToken => 200,
    }
}

#[tokio::test]
async fn every_state_action_and_caller_gets_the_designed_answer() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user_created_by(&admin, "writer").await;
    let other = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let write_token = app.api_token(&admin, &["content:write"]).await;
    let read_token = app.api_token(&admin, &["content:read"]).await;
    let callers: [(Who, &str); 6] = [
        (Who::OwningWriter, owner.token()),
        (Who::OtherWriter, other.token()),
        (Who::Editor, editor.token()),
        (Who::Admin, admin.token()),
        (Who::WriteToken, write_token.as_str()),
        (Who::ReadToken, read_token.as_str()),
    ];

    let mut mismatches = Vec::new();
    let mut cases = 0;
    for from in STATES {
        for action in ACTIONS {
            for (who, token) in callers {
                cases += 1;
                let fresh = create(
                    &app,
                    owner.token(),
                    json!({"headline": format!("{who:?} tries {action} from {from}")}),
                )
                .await;
                let before = bring_to(&app, editor.token(), fresh, from).await;
                let response = act(&app, token, &before, action).await;
                let status = response.status().as_u16();
                let want = expected(who, action, from);
                let body: Value = response.json().await.unwrap();
                if status != want {
                    mismatches.push(format!(
                        "{who:?} {action} from {from}: got {status}, expected {want} ({})",
                        body["detail"]
                    ));
                    continue;
                }
                let after = read(&app, editor.token(), &id_of(&before)).await;
                if status == 200 {
                    let to = target(action, from).unwrap();
                    if body["status"] != to || after["status"] != to {
                        mismatches.push(format!(
                            "{who:?} {action} from {from}: now {}, expected {to}",
                            after["status"]
                        ));
                    }
                    if after["version"] != before["version"].as_i64().unwrap() + 1 {
                        mismatches.push(format!(
                            "{who:?} {action} from {from}: version {} after {}",
                            after["version"], before["version"]
                        ));
                    }
                } else if after["status"] != before["status"]
                    || after["version"] != before["version"]
                {
                    mismatches.push(format!(
                        "{who:?} {action} from {from}: refused with {status} but changed to {} v{}",
                        after["status"], after["version"]
                    ));
                }
            }
        }
    }
    assert_eq!(cases, 216);
    assert!(
        mismatches.is_empty(),
        "{} of {cases} cases differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn actions_need_a_current_if_match_and_a_stale_one_changes_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    // A state from which the action exists, for each action.
    for (action, from) in [
        ("submit", "draft"),
        ("return", "in_review"),
        ("publish", "draft"),
        ("schedule", "draft"),
        ("unpublish", "published"),
        ("archive", "draft"),
    ] {
        let fresh = create(
            &app,
            editor.token(),
            json!({"headline": format!("{action} preconditions")}),
        )
        .await;
        let article = bring_to(&app, editor.token(), fresh, from).await;
        let id = id_of(&article);

        let missing = act_with(
            &app,
            editor.token(),
            &id,
            action,
            None,
            default_body(action),
        )
        .await;
        assert_problem(missing, 428).await;
        let stale = format!("\"v{}\"", article["version"].as_i64().unwrap() - 1);
        for tag in [stale.as_str(), "W/\"v1\"", "\"v999\""] {
            let refused = act_with(
                &app,
                editor.token(),
                &id,
                action,
                Some(tag),
                default_body(action),
            )
            .await;
            assert_problem(refused, 412).await;
        }
        let unchanged = read(&app, editor.token(), &id).await;
        assert_eq!(unchanged["status"], from, "{action}");
        assert_eq!(unchanged["version"], article["version"], "{action}");

        let any = act_with(
            &app,
            editor.token(),
            &id,
            action,
            Some("*"),
            default_body(action),
        )
        .await;
        assert_eq!(any.status(), 200, "{action} with If-Match: *");
        assert_eq!(
            any.headers()["etag"].to_str().unwrap(),
            format!("\"v{}\"", article["version"].as_i64().unwrap() + 1)
        );
    }
}

#[tokio::test]
async fn readers_keep_seeing_the_published_version_while_it_is_edited() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let draft = create(
        &app,
        editor.token(),
        json!({"headline": "Dam holds after storm",
            "body": [{"type": "paragraph", "text": "The dam held."}]}),
    )
    .await;
    let slug = draft["slug"].as_str().unwrap().to_owned();
    assert_problem(public(&app, &slug).await, 404).await;

    let published = acted(&app, editor.token(), &draft, "publish").await;
    assert_eq!(published["has_unpublished_changes"], false);
    let first_published_at = time(&published["first_published_at"]);
    let published_at = time(&published["published_at"]);
    assert_eq!(first_published_at, published_at);
    let seen = public_article(&app, &slug).await;
    assert_eq!(seen["headline"], "Dam holds after storm");
    assert_eq!(seen["body"][0]["text"], "The dam held.");
    assert_eq!(time(&seen["first_published_at"]), first_published_at);

    let edited = patch(
        &app,
        editor.token(),
        &published,
        json!({"headline": "Dam holds after record storm"}),
    )
    .await;
    assert_eq!(edited["status"], "published");
    assert_eq!(edited["headline"], "Dam holds after record storm");
    assert_eq!(edited["has_unpublished_changes"], true);
    assert_eq!(
        public_article(&app, &slug).await["headline"],
        "Dam holds after storm",
        "readers see the published version, not the working copy"
    );
    let reread = read(&app, editor.token(), &id_of(&edited)).await;
    assert_eq!(reread["has_unpublished_changes"], true);

    let republished = acted(&app, editor.token(), &edited, "publish").await;
    assert_eq!(republished["has_unpublished_changes"], false);
    assert_eq!(time(&republished["first_published_at"]), first_published_at);
    assert!(time(&republished["published_at"]) > published_at);
    let seen = public_article(&app, &slug).await;
    assert_eq!(seen["headline"], "Dam holds after record storm");
    assert_eq!(time(&seen["first_published_at"]), first_published_at);
    assert_eq!(
        time(&seen["published_at"]),
        time(&republished["published_at"])
    );
}

#[tokio::test]
async fn only_published_articles_are_public() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    for state in ["draft", "in_review", "scheduled", "unpublished", "archived"] {
        let fresh = create(
            &app,
            editor.token(),
            json!({"headline": format!("Story that is {state}")}),
        )
        .await;
        let article = bring_to(&app, editor.token(), fresh, state).await;
        let problem =
            assert_problem(public(&app, article["slug"].as_str().unwrap()).await, 404).await;
        assert_eq!(problem["type"], "urn:newsroom:problem:not-found", "{state}");
    }
    // Archived after publication: gone from the public side too.
    let fresh = create(&app, editor.token(), json!({"headline": "Retired story"})).await;
    let published = bring_to(&app, editor.token(), fresh, "published").await;
    assert_eq!(public(&app, "retired-story").await.status(), 200);
    acted(&app, editor.token(), &published, "archive").await;
    assert_problem(public(&app, "retired-story").await, 404).await;

    assert_problem(public(&app, "never-existed").await, 404).await;
}

#[tokio::test]
async fn an_old_slug_redirects_permanently_to_the_new_one() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let draft = create(&app, editor.token(), json!({"headline": "Mayor resigns"})).await;
    let published = acted(&app, editor.token(), &draft, "publish").await;
    assert_eq!(public(&app, "mayor-resigns").await.status(), 200);

    let renamed = patch(
        &app,
        editor.token(),
        &published,
        json!({"slug": "mayor-resigns-after-audit"}),
    )
    .await;
    // Not live until republished: the old slug still serves the published version.
    assert_eq!(public(&app, "mayor-resigns").await.status(), 200);
    assert_problem(public(&app, "mayor-resigns-after-audit").await, 404).await;

    acted(&app, editor.token(), &renamed, "publish").await;
    let old = public(&app, "mayor-resigns").await;
    assert_eq!(old.status(), 301);
    assert_eq!(
        old.headers()["location"],
        "/api/v1/public/articles/mayor-resigns-after-audit"
    );
    let new = public_article(&app, "mayor-resigns-after-audit").await;
    assert_eq!(new["slug"], "mayor-resigns-after-audit");
    assert_eq!(new["headline"], "Mayor resigns");
}

#[tokio::test]
async fn an_embargoed_article_cannot_be_published_or_scheduled_before_the_embargo() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let draft = create(&app, editor.token(), json!({"headline": "Budget details"})).await;
    let embargo = from_now(3600 * 1000);
    let embargoed = patch(
        &app,
        editor.token(),
        &draft,
        json!({"embargo_until": rfc3339(embargo)}),
    )
    .await;
    assert_eq!(
        time(&embargoed["embargo_until"]),
        time(&json!(rfc3339(embargo)))
    );

    assert_problem(act(&app, editor.token(), &embargoed, "publish").await, 409).await;
    let early = act_with(
        &app,
        editor.token(),
        &id_of(&embargoed),
        "schedule",
        Some(&etag_of(&embargoed)),
        Some(json!({"publish_at": rfc3339(embargo - TimeDelta::minutes(30))})),
    )
    .await;
    let problem = assert_problem(early, 422).await;
    assert_eq!(problem["errors"][0]["field"], "publish_at");
    let past = act_with(
        &app,
        editor.token(),
        &id_of(&embargoed),
        "schedule",
        Some(&etag_of(&embargoed)),
        Some(json!({"publish_at": rfc3339(from_now(-60_000))})),
    )
    .await;
    assert_problem(past, 422).await;
    let unchanged = read(&app, editor.token(), &id_of(&embargoed)).await;
    assert_eq!(unchanged["status"], "draft");
    assert_eq!(unchanged["version"], embargoed["version"]);

    let at_embargo = act_with(
        &app,
        editor.token(),
        &id_of(&embargoed),
        "schedule",
        Some(&etag_of(&embargoed)),
        Some(json!({"publish_at": rfc3339(embargo)})),
    )
    .await;
    assert_eq!(
        at_embargo.status(),
        200,
        "scheduling at the embargo is fine"
    );
}

#[tokio::test]
async fn the_scheduler_publishes_an_embargoed_article_once_the_embargo_has_passed() {
    let app = TestApp::spawn_with(&FAST_SCHEDULER).await;
    let editor = app.user("editor").await;
    let draft = create(
        &app,
        editor.token(),
        json!({"headline": "Results embargoed"}),
    )
    .await;
    let at = from_now(1500);
    let embargoed = patch(
        &app,
        editor.token(),
        &draft,
        json!({"embargo_until": rfc3339(at)}),
    )
    .await;
    let response = act_with(
        &app,
        editor.token(),
        &id_of(&embargoed),
        "schedule",
        Some(&etag_of(&embargoed)),
        Some(json!({"publish_at": rfc3339(at)})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let scheduled: Value = response.json().await.unwrap();
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(time(&scheduled["publish_at"]), time(&json!(rfc3339(at))));

    let published = wait_for_status(&app, editor.token(), &id_of(&scheduled), "published").await;
    let embargo_until = time(&published["embargo_until"]);
    assert!(
        time(&published["published_at"]) >= embargo_until,
        "published at {} before the embargo {embargo_until}",
        published["published_at"]
    );
    assert_eq!(published["publish_at"], Value::Null);
    assert_eq!(
        public_article(&app, "results-embargoed").await["headline"],
        "Results embargoed"
    );
}

#[tokio::test]
async fn an_embargo_extended_after_scheduling_holds_the_article_back() {
    let app = TestApp::spawn_with(&FAST_SCHEDULER).await;
    let editor = app.user("editor").await;
    let draft = create(&app, editor.token(), json!({"headline": "Held back"})).await;
    let response = act_with(
        &app,
        editor.token(),
        &id_of(&draft),
        "schedule",
        Some(&etag_of(&draft)),
        Some(json!({"publish_at": rfc3339(from_now(800))})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let scheduled: Value = response.json().await.unwrap();
    let embargo = from_now(2500);
    let embargoed = patch(
        &app,
        editor.token(),
        &scheduled,
        json!({"embargo_until": rfc3339(embargo)}),
    )
    .await;
    assert_eq!(embargoed["status"], "scheduled");

    let published = wait_for_status(&app, editor.token(), &id_of(&draft), "published").await;
    assert!(
        time(&published["published_at"]) >= time(&published["embargo_until"]),
        "published at {} before the embargo {}",
        published["published_at"],
        published["embargo_until"]
    );
}

#[tokio::test]
async fn two_instances_publish_each_scheduled_article_exactly_once() {
    let app = TestApp::spawn_with(&FAST_SCHEDULER).await;
    let other = app.another_instance(&FAST_SCHEDULER).await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;

    let mut due = Vec::new();
    for n in 0..20 {
        let draft = create(
            &app,
            editor.token(),
            json!({"headline": format!("Scheduled story {n}")}),
        )
        .await;
        let response = act_with(
            &app,
            editor.token(),
            &id_of(&draft),
            "schedule",
            Some(&etag_of(&draft)),
            Some(json!({"publish_at": rfc3339(from_now(1000 + 50 * n))})),
        )
        .await;
        assert_eq!(response.status(), 200);
        let scheduled: Value = response.json().await.unwrap();
        due.push((id_of(&draft), time(&scheduled["publish_at"])));
    }

    for (n, (id, publish_at)) in due.iter().enumerate() {
        // Read through either instance: they share the database.
        let via = if n % 2 == 0 { &app } else { &other };
        let published = wait_for_status(via, editor.token(), id, "published").await;
        assert!(
            time(&published["published_at"]) >= *publish_at,
            "not before it was due"
        );
        let revisions = revisions(&app, editor.token(), id).await;
        let kinds: Vec<&str> = revisions
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            vec!["publish"],
            "article {n} has one publish revision"
        );
        assert_eq!(revisions[0]["created_by"], Value::Null, "by the scheduler");
        let entries = audit(&app, &admin, "article.publish", id).await;
        assert_eq!(entries.len(), 1, "article {n} published once: {entries:?}");
        assert_eq!(entries[0]["actor_type"], "system");
        assert_eq!(entries[0]["changes"]["from"], "scheduled");
        assert_eq!(entries[0]["changes"]["to"], "published");
        assert!(
            audit(&app, &admin, "article.publish_failed", id)
                .await
                .is_empty()
        );
    }
}

#[tokio::test]
async fn articles_due_while_no_scheduler_ran_are_published_at_the_next_start() {
    // The first tick of the interval fires at start-up; after that this instance would not look
    // again for an hour, as if the scheduler were down.
    let app = TestApp::spawn_with(&[("NEWSROOM_SCHEDULER_INTERVAL_MS", "3600000")]).await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    let draft = create(&app, editor.token(), json!({"headline": "Overnight story"})).await;
    let publish_at = from_now(1000);
    let response = act_with(
        &app,
        editor.token(),
        &id_of(&draft),
        "schedule",
        Some(&etag_of(&draft)),
        Some(json!({"publish_at": rfc3339(publish_at)})),
    )
    .await;
    assert_eq!(response.status(), 200);

    wait_until(publish_at + TimeDelta::milliseconds(300)).await;
    let overdue = read(&app, editor.token(), &id_of(&draft)).await;
    assert_eq!(overdue["status"], "scheduled", "nothing published it yet");
    assert_problem(public(&app, "overnight-story").await, 404).await;

    let restarted = app.another_instance(&FAST_SCHEDULER).await;
    let published = wait_for_status(&restarted, editor.token(), &id_of(&draft), "published").await;
    assert!(time(&published["published_at"]) >= publish_at);
    assert_eq!(
        public_article(&app, "overnight-story").await["headline"],
        "Overnight story"
    );
    let entries = audit(&app, &admin, "article.publish", &id_of(&draft)).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let late_ms = entries[0]["changes"]["late_ms"]
        .as_i64()
        .unwrap_or_else(|| panic!("no late_ms in {}", entries[0]));
    assert!(late_ms >= 300, "late_ms {late_ms}");
}

#[tokio::test]
async fn revisions_are_listed_compared_and_restored_into_the_working_copy() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let draft = create(
        &app,
        editor.token(),
        json!({"headline": "Bridge reopens",
            "body": [{"type": "paragraph", "text": "The bridge reopened on Monday."}]}),
    )
    .await;
    let id = id_of(&draft);
    let published = acted(&app, editor.token(), &draft, "publish").await;
    let listed = revisions(&app, editor.token(), &id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["number"], 1);
    assert_eq!(listed[0]["kind"], "publish");

    let edited = patch(
        &app,
        editor.token(),
        &published,
        json!({"headline": "Bridge reopens two weeks late",
        "body": [
            {"type": "paragraph", "text": "The bridge reopened on Monday."},
            {"type": "paragraph", "text": "Repairs took two weeks longer than planned."}
        ]}),
    )
    .await;
    let response = app
        .post_json(
            &format!("/api/v1/articles/{id}/revisions"),
            Some(editor.token()),
            &json!({"note": "Before legal review"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let save_point: Value = response.json().await.unwrap();
    assert_eq!(save_point["number"], 2);
    assert_eq!(save_point["kind"], "save_point");
    assert_eq!(save_point["note"], "Before legal review");
    assert_eq!(save_point["article_version"], edited["version"]);
    assert_eq!(
        save_point["snapshot"]["headline"],
        "Bridge reopens two weeks late"
    );

    let listed = revisions(&app, editor.token(), &id).await;
    let numbers: Vec<i64> = listed
        .iter()
        .map(|r| r["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1], "newest first");
    assert_eq!(listed[0]["note"], "Before legal review");
    assert_eq!(listed[1]["kind"], "publish");

    let first: Value = app
        .get_as(
            &format!("/api/v1/articles/{id}/revisions/1"),
            editor.token(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["number"], 1);
    assert_eq!(first["snapshot"]["headline"], "Bridge reopens");
    assert_eq!(first["snapshot"]["body"].as_array().unwrap().len(), 1);
    assert_problem(
        app.get_as(
            &format!("/api/v1/articles/{id}/revisions/9"),
            editor.token(),
        )
        .await,
        404,
    )
    .await;

    let diff: Value = app
        .get_as(
            &format!("/api/v1/articles/{id}/revisions/compare?from=1&to=2"),
            editor.token(),
        )
        .await
        .json()
        .await
        .unwrap();
    let headline = diff["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "headline")
        .unwrap_or_else(|| panic!("no headline change in {diff}"));
    assert_eq!(headline["from"], "Bridge reopens");
    assert_eq!(headline["to"], "Bridge reopens two weeks late");
    assert!(
        !diff["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "slug" || f["field"] == "body"),
        "{diff}"
    );
    assert_eq!(
        diff["body"],
        json!([{"op": "added", "index": 1, "block":
            {"type": "paragraph", "text": "Repairs took two weeks longer than planned."}}])
    );

    let restore = |n: i64, if_match: Option<String>| {
        let mut request = app.request(
            "POST",
            &format!("/api/v1/articles/{id}/revisions/{n}/restore"),
            Some(editor.token()),
        );
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        async move { request.send().await.unwrap() }
    };
    assert_problem(restore(1, None).await, 428).await;
    assert_problem(restore(1, Some("\"v1\"".to_owned())).await, 412).await;
    let response = restore(1, Some(etag_of(&edited))).await;
    assert_eq!(response.status(), 200);
    let restored: Value = response.json().await.unwrap();
    assert_eq!(restored["headline"], "Bridge reopens");
    assert_eq!(restored["body"], first["snapshot"]["body"]);
    assert_eq!(restored["version"], edited["version"].as_i64().unwrap() + 1);
    assert_eq!(restored["status"], "published");

    // Restoring the save point changes the working copy only; readers see revision 1.
    let response = restore(2, Some(etag_of(&restored))).await;
    assert_eq!(response.status(), 200);
    let restored: Value = response.json().await.unwrap();
    assert_eq!(restored["headline"], "Bridge reopens two weeks late");
    assert_eq!(restored["body"].as_array().unwrap().len(), 2);
    assert_eq!(restored["has_unpublished_changes"], true);
    let seen = public_article(&app, "bridge-reopens").await;
    assert_eq!(seen["headline"], "Bridge reopens");
    assert_eq!(seen["body"].as_array().unwrap().len(), 1);
    assert_eq!(
        revisions(&app, editor.token(), &id).await.len(),
        2,
        "restoring adds no revision"
    );
}

#[tokio::test]
async fn corrections_are_appended_to_published_articles_by_editors() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    let writer = app.user_created_by(&admin, "writer").await;
    let draft = create(&app, writer.token(), json!({"headline": "Minister visits"})).await;
    let id = id_of(&draft);
    let note = "An earlier version of this article misspelt the minister's name.";

    let never_published = app
        .post_json(
            &format!("/api/v1/articles/{id}/corrections"),
            Some(editor.token()),
            &json!({"note": note}),
        )
        .await;
    assert_problem(never_published, 409).await;

    acted(&app, editor.token(), &draft, "publish").await;
    let by_writer = app
        .post_json(
            &format!("/api/v1/articles/{id}/corrections"),
            Some(writer.token()),
            &json!({"note": note}),
        )
        .await;
    assert_problem(by_writer, 403).await;
    let empty = app
        .post_json(
            &format!("/api/v1/articles/{id}/corrections"),
            Some(editor.token()),
            &json!({"note": ""}),
        )
        .await;
    assert_problem(empty, 422).await;

    let response = app
        .post_json(
            &format!("/api/v1/articles/{id}/corrections"),
            Some(editor.token()),
            &json!({"note": note}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let correction: Value = response.json().await.unwrap();
    assert_eq!(correction["note"], note);
    assert!(correction["id"].is_string());
    time(&correction["created_at"]);

    let article = read(&app, editor.token(), &id).await;
    assert_eq!(article["corrections"], json!([correction]));
    let seen = public_article(&app, "minister-visits").await;
    assert_eq!(seen["corrections"], json!([correction]));
    let entries = audit(&app, &admin, "article.correction", &id).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["changes"]["note"], note);
}

#[tokio::test]
async fn returning_to_draft_needs_a_note_that_the_writer_then_sees() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    let writer = app.user_created_by(&admin, "writer").await;
    let draft = create(&app, writer.token(), json!({"headline": "Council vote"})).await;
    let in_review = acted(&app, writer.token(), &draft, "submit").await;
    let id = id_of(&in_review);

    for body in [
        json!({}),
        json!({"note": null}),
        json!({"note": ""}),
        json!({"note": "   "}),
    ] {
        let response = act_with(
            &app,
            editor.token(),
            &id,
            "return",
            Some(&etag_of(&in_review)),
            Some(body.clone()),
        )
        .await;
        let problem = assert_problem(response, 422).await;
        // A null is reported on `body` by the framework's JSON error handler, which only finds
        // field names in "missing field" / "unknown field" messages.
        if body["note"] != Value::Null {
            assert_eq!(problem["errors"][0]["field"], "note", "{body}: {problem}");
        }
    }
    let unchanged = read(&app, writer.token(), &id).await;
    assert_eq!(unchanged["status"], "in_review");
    assert_eq!(unchanged["version"], in_review["version"]);

    let response = act_with(
        &app,
        editor.token(),
        &id,
        "return",
        Some(&etag_of(&in_review)),
        Some(json!({"note": "Add the vote count."})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let returned = read(&app, writer.token(), &id).await;
    assert_eq!(returned["status"], "draft");
    assert_eq!(returned["review_note"], "Add the vote count.");
}

#[tokio::test]
async fn every_transition_is_in_the_audit_log_with_its_states() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    let writer = app.user_created_by(&admin, "writer").await;
    let article = create(&app, writer.token(), json!({"headline": "Port strike"})).await;
    let id = id_of(&article);

    let steps = [
        (&writer, "submit", "draft", "in_review"),
        (&editor, "return", "in_review", "draft"),
        (&writer, "submit", "draft", "in_review"),
        (&editor, "schedule", "in_review", "scheduled"),
        (&editor, "publish", "scheduled", "published"),
        (&editor, "unpublish", "published", "unpublished"),
        (&editor, "archive", "unpublished", "archived"),
    ];
    let mut article = article;
    for (who, action, _, to) in steps {
        article = acted(&app, who.token(), &article, action).await;
        assert_eq!(article["status"], to);
    }

    for action in ACTIONS {
        let expected: Vec<_> = steps
            .iter()
            .filter(|(_, a, _, _)| *a == action)
            .rev() // the log is newest first
            .collect();
        let entries = audit(&app, &admin, &format!("article.{action}"), &id).await;
        assert_eq!(
            entries.len(),
            expected.len(),
            "article.{action}: {entries:?}"
        );
        for (entry, (who, _, from, to)) in entries.iter().zip(expected) {
            assert_eq!(entry["target_type"], "article");
            assert_eq!(entry["actor_type"], "user");
            assert_eq!(entry["actor_id"], who.id.as_str(), "article.{action}");
            assert_eq!(entry["changes"]["from"], *from, "article.{action}");
            assert_eq!(entry["changes"]["to"], *to, "article.{action}");
        }
    }
    let returned = audit(&app, &admin, "article.return", &id).await;
    assert_eq!(returned[0]["changes"]["note"], "Needs a second source.");
    let scheduled = audit(&app, &admin, "article.schedule", &id).await;
    assert!(scheduled[0]["changes"]["publish_at"].is_string());
}

#[tokio::test]
async fn a_scheduled_article_returned_or_archived_before_its_time_is_not_published() {
    let app = TestApp::spawn_with(&FAST_SCHEDULER).await;
    let editor = app.user("editor").await;
    let at = from_now(800);
    let mut scheduled = Vec::new();
    for headline in ["Returned story", "Archived story", "Control story"] {
        let draft = create(&app, editor.token(), json!({"headline": headline})).await;
        // The control story falls due last: once it is out, the others were due as well.
        let publish_at = if headline == "Control story" {
            at + TimeDelta::milliseconds(10)
        } else {
            at
        };
        let response = act_with(
            &app,
            editor.token(),
            &id_of(&draft),
            "schedule",
            Some(&etag_of(&draft)),
            Some(json!({"publish_at": rfc3339(publish_at)})),
        )
        .await;
        assert_eq!(response.status(), 200);
        scheduled.push(response.json::<Value>().await.unwrap());
    }
    let returned = acted(&app, editor.token(), &scheduled[0], "return").await;
    assert_eq!(returned["status"], "draft");
    assert_eq!(returned["publish_at"], Value::Null);
    let archived = acted(&app, editor.token(), &scheduled[1], "archive").await;
    assert_eq!(archived["publish_at"], Value::Null);

    wait_for_status(&app, editor.token(), &id_of(&scheduled[2]), "published").await;
    let returned = read(&app, editor.token(), &id_of(&returned)).await;
    assert_eq!(returned["status"], "draft");
    assert_eq!(returned["published_at"], Value::Null);
    let archived = read(&app, editor.token(), &id_of(&archived)).await;
    assert_eq!(archived["status"], "archived");
    assert_eq!(archived["published_at"], Value::Null);
    assert_problem(public(&app, "returned-story").await, 404).await;
    assert_problem(public(&app, "archived-story").await, 404).await;
}

#[tokio::test]
async fn an_unpublished_article_comes_back_when_republished_or_rescheduled() {
    let app = TestApp::spawn_with(&FAST_SCHEDULER).await;
    let editor = app.user("editor").await;
    let draft = create(&app, editor.token(), json!({"headline": "Recall notice"})).await;
    let published = acted(&app, editor.token(), &draft, "publish").await;
    let first_published_at = time(&published["first_published_at"]);
    let unpublished = acted(&app, editor.token(), &published, "unpublish").await;
    assert_eq!(unpublished["has_unpublished_changes"], false);
    assert_problem(public(&app, "recall-notice").await, 404).await;

    let republished = acted(&app, editor.token(), &unpublished, "publish").await;
    assert_eq!(public(&app, "recall-notice").await.status(), 200);
    assert_eq!(time(&republished["first_published_at"]), first_published_at);
    let unpublished = acted(&app, editor.token(), &republished, "unpublish").await;

    let response = act_with(
        &app,
        editor.token(),
        &id_of(&unpublished),
        "schedule",
        Some(&etag_of(&unpublished)),
        Some(json!({"publish_at": rfc3339(from_now(500))})),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_problem(public(&app, "recall-notice").await, 404).await;
    let back = wait_for_status(&app, editor.token(), &id_of(&draft), "published").await;
    assert_eq!(time(&back["first_published_at"]), first_published_at);
    assert!(time(&back["published_at"]) > time(&republished["published_at"]));
    let seen = public_article(&app, "recall-notice").await;
    assert_eq!(time(&seen["first_published_at"]), first_published_at);
    let kinds: Vec<Value> = revisions(&app, editor.token(), &id_of(&draft))
        .await
        .iter()
        .map(|r| r["kind"].clone())
        .collect();
    assert_eq!(kinds, vec!["publish", "publish", "publish"]);
}

#[tokio::test]
async fn revisions_of_unknown_articles_and_numbers_are_404() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let draft = create(&app, editor.token(), json!({"headline": "Lonely draft"})).await;
    let id = id_of(&draft);
    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        revisions(&app, editor.token(), &id).await,
        Vec::<Value>::new()
    );
    for path in [
        format!("/api/v1/articles/{unknown}/revisions"),
        format!("/api/v1/articles/{id}/revisions/1"),
        format!("/api/v1/articles/{id}/revisions/compare?from=1&to=2"),
    ] {
        assert_problem(app.get_as(&path, editor.token()).await, 404).await;
    }
    let restore = app
        .request(
            "POST",
            &format!("/api/v1/articles/{id}/revisions/1/restore"),
            Some(editor.token()),
        )
        .header("if-match", "*")
        .send()
        .await
        .unwrap();
    assert_problem(restore, 404).await;
    let action = act_with(
        &app,
        editor.token(),
        &unknown.to_string(),
        "publish",
        Some("*"),
        None,
    )
    .await;
    assert_problem(action, 404).await;
}

/// Unpublished → scheduled → returned brings a once-published article back to `draft`; the
/// writer's rights ("edits its own until they are published") must not come back with it.
#[tokio::test]
async fn a_writer_cannot_edit_or_delete_its_article_once_it_was_published() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    let writer = app.user_created_by(&admin, "writer").await;
    let draft = create(&app, writer.token(), json!({"headline": "Once public"})).await;
    let id = id_of(&draft);
    let published = acted(&app, editor.token(), &draft, "publish").await;
    let response = app
        .post_json(
            &format!("/api/v1/articles/{id}/corrections"),
            Some(editor.token()),
            &json!({"note": "The date was wrong."}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let mut article = read(&app, editor.token(), &id).await;
    assert_eq!(article["version"], published["version"]);
    for action in ["unpublish", "schedule", "return"] {
        article = acted(&app, editor.token(), &article, action).await;
    }
    assert_eq!(article["status"], "draft");
    assert!(article["first_published_at"].is_string());

    let edit = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{id}"),
            Some(writer.token()),
        )
        .header("if-match", etag_of(&article))
        .json(&json!({"headline": "Quietly rewritten"}))
        .send()
        .await
        .unwrap();
    assert_problem(edit, 403).await;
    let delete = app
        .request(
            "DELETE",
            &format!("/api/v1/articles/{id}"),
            Some(writer.token()),
        )
        .send()
        .await
        .unwrap();
    assert_problem(delete, 403).await;
    let kept = read(&app, editor.token(), &id).await;
    assert_eq!(kept["corrections"].as_array().unwrap().len(), 1);
    assert_eq!(revisions(&app, editor.token(), &id).await.len(), 1);
}
