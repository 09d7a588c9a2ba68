//! HTTP handlers by resource. Routes are registered through their utoipa annotations, so a
//! documented path is the route and no endpoint can be left out of the OpenAPI document.

pub mod api_tokens;
pub mod articles;
pub mod audit_log;
pub mod auth;
pub mod authors;
pub mod embeds;
pub mod health;
pub mod images;
pub mod pagination;
pub mod patch;
pub mod previews;
pub mod problems;
pub mod public;
pub mod public_directory;
pub mod public_feed;
pub mod public_search;
pub mod sections;
pub mod syndication;
pub mod users;
pub mod webhooks;
pub mod workflow;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// A JSON body that may be absent or `null` (then the type's default): malformed JSON is 400
/// and the wrong shape 422, as for required bodies.
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, crate::error::ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    crate::http::json::parse::<Option<T>>(body).map(Option::unwrap_or_default)
}

/// Registers every endpoint (and so documents it).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(
            scope("/api/v1")
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::me)
                .service(auth::change_password)
                .service(users::create_user)
                .service(users::list_users)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::delete_user)
                .service(api_tokens::create_api_token)
                .service(api_tokens::list_api_tokens)
                .service(api_tokens::revoke_api_token)
                .service(webhooks::create_webhook)
                .service(webhooks::list_webhooks)
                .service(webhooks::get_webhook)
                .service(webhooks::update_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::list_webhook_deliveries)
                .service(webhooks::replay_webhook_delivery)
                .service(audit_log::list_audit_log)
                .service(authors::create_author)
                .service(authors::list_authors)
                .service(authors::get_author)
                .service(authors::update_author)
                .service(authors::delete_author)
                .service(images::upload_image)
                .service(images::list_images)
                .service(images::get_image)
                .service(images::update_image)
                .service(images::delete_image)
                .service(images::get_public_image_file)
                .service(sections::create_section)
                .service(sections::list_sections)
                .service(sections::get_section)
                .service(sections::update_section)
                .service(sections::delete_section)
                .service(embeds::create_embed)
                .service(embeds::list_embeds)
                .service(embeds::get_embed)
                .service(embeds::update_embed)
                .service(embeds::delete_embed)
                .service(articles::create_article)
                .service(articles::list_articles)
                .service(articles::get_article)
                .service(articles::update_article)
                .service(articles::delete_article)
                .service(workflow::submit_article)
                .service(workflow::return_article)
                .service(workflow::publish_article)
                .service(workflow::schedule_article)
                .service(workflow::unpublish_article)
                .service(workflow::archive_article)
                .service(workflow::list_article_revisions)
                .service(workflow::compare_article_revisions)
                .service(workflow::get_article_revision)
                .service(workflow::create_article_revision)
                .service(workflow::restore_article_revision)
                .service(workflow::add_article_correction)
                .service(previews::create_preview_link)
                .service(previews::list_preview_links)
                .service(previews::revoke_preview_link)
                .service(public_feed::list_public_articles)
                .service(public::get_public_article)
                .service(public_search::search_public_articles)
                .service(public_directory::get_public_author)
                .service(public_directory::list_public_sections)
                .service(public_directory::list_public_tags)
                .service(syndication::get_public_rss)
                .service(syndication::get_public_sitemap_index)
                .service(syndication::get_public_sitemap)
                .service(previews::get_preview),
        );
}
