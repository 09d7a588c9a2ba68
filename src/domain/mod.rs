//! Pure newsroom rules with unit tests; nothing here knows about HTTP or SQL.

pub mod accounts;
pub mod slug;
pub mod throttle;
pub mod validation;
