//! Newsroom API: the crate root. `main.rs` and the tests build the same application from here.

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod content;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod media;
pub mod openapi;
pub mod schema;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod workers;
