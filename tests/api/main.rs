//! One integration-test binary: each module is a capability, each test a specification.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step in a test is the failure

mod articles;
mod auth;
mod authors;
mod cache;
mod crash;
mod discovery;
mod embeds;
mod faults;
mod feed;
mod foundation;
mod helpers;
mod images;
mod leaks;
mod permissions;
mod pg_cluster;
mod previews;
mod public;
mod retention;
mod security;
mod seed;
mod webhooks;
mod workflow;
