//! Newsroom API: the crate root. `main.rs` and the tests build the same application from here.

pub mod api;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod openapi;
pub mod startup;
pub mod telemetry;
