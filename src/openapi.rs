//! The OpenAPI document's root: info, tags, security schemes. Paths come from the handlers.

use actix_web::App;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{KnownFormat, ObjectBuilder, RefOr, SchemaFormat, Type};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// Root of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Newsroom API",
        description = "Write, edit, illustrate and publish journalism; deliver it to web sites and apps.\n\n\
            Management endpoints live under `/api/v1` and need a bearer token; public delivery \
            endpoints live under `/api/v1/public` and need none. Every error is \
            `application/problem+json` (RFC 9457).",
        license(name = "MIT"),
    ),
    tags(
        (name = "auth", description = "Log in, refresh and log out; the signed-in user"),
        (name = "users", description = "User accounts and roles (admins)"),
        (name = "api-tokens", description = "Long-lived tokens for client apps (admins)"),
        (name = "authors", description = "Author profiles for bylines and author boxes"),
        (name = "images", description = "The image library: uploads and metadata"),
        (name = "articles", description = "Articles: the working copy, its body and byline"),
        (name = "embeds", description = "Editorial embeds: teasers, third-party media, HTML"),
        (name = "sections", description = "The managed list of sections"),
        (name = "workflow", description = "Review, publish, schedule, unpublish, archive; corrections"),
        (name = "revisions", description = "Immutable snapshots: list, read, compare, restore"),
        (name = "previews", description = "Expiring, revocable links to an article's working copy"),
        (name = "public", description = "Public delivery for web sites and apps (no token)"),
        (name = "webhooks", description = "Signed callbacks on article events, with a delivery log (admins)"),
        (name = "audit-log", description = "Who did what, when (admins; editors for content)"),
        (name = "operations", description = "Health checks and metrics for operators"),
    ),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or nr_ API token")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login`, or an API token issued by an admin.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`NEWSROOM_METRICS_TOKEN`, when the operator sets one; `/metrics` is open otherwise.",
                    ))
                    .build(),
            ),
        );
    }
}

impl ApiDoc {
    /// The root alone (info, tags, security), before handlers add their paths.
    pub fn openapi_root() -> utoipa::openapi::OpenApi {
        <Self as OpenApi>::openapi()
    }
}

/// The complete document: the root above plus every registered handler.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi_root())
        .configure(crate::api::configure)
        .split_for_parts()
        .1;
    declare_retry_after(&mut document);
    document
}

/// Every 503 carries `Retry-After` (`ApiError` and the limits set it), so every documented
/// 503 declares it; done here once rather than in each handler's list of responses.
fn declare_retry_after(document: &mut utoipa::openapi::OpenApi) {
    let header = HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(0)),
        ))
        .description(Some("Seconds to wait before trying again"))
        .build();
    for operation in operations_mut(document) {
        if let Some(RefOr::T(response)) = operation.responses.responses.get_mut("503") {
            response
                .headers
                .insert("Retry-After".to_owned(), RefOr::T(header.clone()));
        }
    }
}

/// Every operation of the document, whatever its method.
fn operations_mut(
    document: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    document.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
    })
}

/// The document as pretty JSON with a trailing newline, exactly as committed in `openapi/`.
pub fn document_json() -> anyhow::Result<String> {
    let mut json = serde_json::to_string_pretty(&document())?;
    json.push('\n');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_503_declares_retry_after() {
        let mut document = document();
        let mut declared = 0;
        for operation in operations_mut(&mut document) {
            let id = operation.operation_id.clone().unwrap_or_default();
            match operation.responses.responses.get("503") {
                Some(RefOr::T(response)) => {
                    assert!(
                        response.headers.contains_key("Retry-After"),
                        "{id}: 503 without Retry-After"
                    );
                    declared += 1;
                }
                Some(RefOr::Ref(_)) => panic!("{id}: a 503 by reference is not covered"),
                None => {}
            }
        }
        assert!(declared > 50, "only {declared} operations document a 503");
    }
}
