//! Background work inside the server: the publishing scheduler, webhook delivery, the
//! response cache's invalidation and the retention purge.

pub mod invalidation;
pub mod retention;
pub mod scheduler;
pub mod webhooks;
