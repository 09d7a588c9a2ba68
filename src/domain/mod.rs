//! Pure newsroom rules with unit tests; nothing here knows about HTTP or SQL.

pub mod accounts;
pub mod body;
pub mod concurrency;
pub mod embeds;
pub mod inline;
pub mod language;
pub mod revision;
pub mod slug;
pub mod throttle;
pub mod validation;
pub mod webhooks;
pub mod workflow;
