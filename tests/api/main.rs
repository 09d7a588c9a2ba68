//! One integration-test binary: each module is a capability, each test a specification.

mod foundation;
mod helpers;
mod pg_cluster;
