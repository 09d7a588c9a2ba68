//! Background work inside the server: the publishing scheduler and webhook delivery.

pub mod scheduler;
pub mod webhooks;
