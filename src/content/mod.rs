//! Content operations: the multi-step writes behind the management API (references checked,
//! files stored, audit entries written in the same transaction as the change).

pub mod articles;
pub mod authors;
pub mod embeds;
pub mod images;
pub mod public;
pub mod sections;
pub mod syndication;
pub mod webhooks;
pub mod workflow;
