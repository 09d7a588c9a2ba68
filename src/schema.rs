// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        name -> Text,
        token_prefix -> Text,
        token_hash -> Bytea,
        scopes -> Array<Nullable<Text>>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> Uuid,
        author_id -> Uuid,
        position -> Int4,
        role -> Nullable<Text>,
    }
}

diesel::table! {
    article_corrections (id) {
        id -> Uuid,
        article_id -> Uuid,
        note -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> Uuid,
        article_id -> Uuid,
        number -> Int4,
        kind -> Text,
        snapshot -> Jsonb,
        article_version -> Int4,
        note -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    article_slugs (slug) {
        slug -> Text,
        article_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    articles (id) {
        id -> Uuid,
        slug -> Text,
        status -> Text,
        headline -> Text,
        dek -> Nullable<Text>,
        kicker -> Nullable<Text>,
        section_id -> Nullable<Uuid>,
        tags -> Array<Nullable<Text>>,
        language -> Text,
        body -> Jsonb,
        featured_image_id -> Nullable<Uuid>,
        featured_caption -> Nullable<Text>,
        featured_credit -> Nullable<Text>,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        translation_of -> Nullable<Uuid>,
        word_count -> Int4,
        reading_time_minutes -> Int4,
        version -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        publish_at -> Nullable<Timestamptz>,
        embargo_until -> Nullable<Timestamptz>,
        first_published_at -> Nullable<Timestamptz>,
        published_at -> Nullable<Timestamptz>,
        published_version -> Nullable<Int4>,
        published_revision_id -> Nullable<Uuid>,
        review_note -> Nullable<Text>,
        publish_error -> Nullable<Text>,
        publish_failed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_type -> Text,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        changes -> Jsonb,
    }
}

diesel::table! {
    authors (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        job_title -> Nullable<Text>,
        bio -> Nullable<Text>,
        location -> Nullable<Text>,
        avatar_image_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        links -> Jsonb,
        user_id -> Nullable<Uuid>,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    embeds (id) {
        id -> Uuid,
        kind -> Text,
        label -> Nullable<Text>,
        article_id -> Nullable<Uuid>,
        headline -> Nullable<Text>,
        excerpt -> Nullable<Text>,
        image_id -> Nullable<Uuid>,
        provider -> Nullable<Text>,
        url -> Nullable<Text>,
        media_id -> Nullable<Text>,
        html -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    images (id) {
        id -> Uuid,
        sha256 -> Text,
        mime_type -> Text,
        width -> Int4,
        height -> Int4,
        byte_size -> Int8,
        alt_text -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        photographer -> Nullable<Text>,
        source -> Nullable<Text>,
        license -> Nullable<Text>,
        illustrative -> Bool,
        focal_x -> Nullable<Float8>,
        focal_y -> Nullable<Float8>,
        uploaded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Int8,
        email -> Text,
        client_ip -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamptz,
    }
}

diesel::table! {
    preview_links (id) {
        id -> Uuid,
        article_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    published_articles (article_id) {
        article_id -> Uuid,
        revision_id -> Uuid,
        slug -> Text,
        headline -> Text,
        dek -> Nullable<Text>,
        kicker -> Nullable<Text>,
        section_id -> Nullable<Uuid>,
        tags -> Array<Nullable<Text>>,
        language -> Text,
        author_ids -> Array<Nullable<Uuid>>,
        featured_image_id -> Nullable<Uuid>,
        first_published_at -> Timestamptz,
        published_at -> Timestamptz,
        word_count -> Int4,
        reading_time_minutes -> Int4,
        search -> Tsvector,
        body_text -> Text,
        search_config -> Text,
        translation_of -> Nullable<Uuid>,
        search_head -> Tsvector,
    }
}

diesel::table! {
    published_tag_counts (tag) {
        tag -> Text,
        article_count -> Int8,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sections (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        description -> Nullable<Text>,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_login_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event_id -> Uuid,
        event -> Text,
        status -> Text,
        attempts -> Int4,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Uuid,
        event -> Text,
        article_id -> Uuid,
        payload -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        events -> Array<Nullable<Text>>,
        secret -> Text,
        active -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(api_tokens -> users (created_by));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_corrections -> articles (article_id));
diesel::joinable!(article_corrections -> users (created_by));
diesel::joinable!(article_revisions -> users (created_by));
diesel::joinable!(article_slugs -> articles (article_id));
diesel::joinable!(articles -> images (featured_image_id));
diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(articles -> users (created_by));
diesel::joinable!(authors -> images (avatar_image_id));
diesel::joinable!(authors -> users (user_id));
diesel::joinable!(embeds -> articles (article_id));
diesel::joinable!(embeds -> images (image_id));
diesel::joinable!(embeds -> users (created_by));
diesel::joinable!(images -> users (uploaded_by));
diesel::joinable!(preview_links -> articles (article_id));
diesel::joinable!(preview_links -> users (created_by));
diesel::joinable!(published_articles -> article_revisions (revision_id));
diesel::joinable!(published_articles -> articles (article_id));
diesel::joinable!(published_articles -> images (featured_image_id));
diesel::joinable!(published_articles -> sections (section_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> users (created_by));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    article_authors,
    article_corrections,
    article_revisions,
    article_slugs,
    articles,
    audit_log,
    authors,
    embeds,
    images,
    login_attempts,
    preview_links,
    published_articles,
    published_tag_counts,
    refresh_tokens,
    sections,
    sessions,
    users,
    webhook_deliveries,
    webhook_events,
    webhooks,
);
