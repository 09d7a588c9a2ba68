//! Background work inside the server: the publishing scheduler.

pub mod scheduler;
