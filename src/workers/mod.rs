//! Background work inside the server: the publishing scheduler, webhook delivery and the
//! response cache's invalidation.

pub mod invalidation;
pub mod scheduler;
pub mod webhooks;
