//! Pure newsroom rules with unit tests; nothing here knows about HTTP or SQL.

pub mod accounts;
pub mod throttle;
