//! Cross-cutting HTTP concerns: request ids, metrics, problem+json for framework errors.

pub mod caching;
pub mod client_ip;
pub mod cors;
pub mod json;
pub mod limits;
pub mod metrics;
pub mod preconditions;
pub mod problems;
pub mod request_id;
pub mod response_cache;
pub mod security_headers;
