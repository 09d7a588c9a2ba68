//! Structured logs with `tracing`: JSON lines in production, readable lines in development.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Where actix-http reports a connection it gave up on: a request that is not valid HTTP (it
/// has already answered a bare 400) or a client that vanished mid-body. That is the client's
/// fault, yet it is logged at ERROR, so any scanner could fill the error log and page whoever
/// watches it.
const CLIENT_STREAM_ERRORS: &str = "actix_http::h1::dispatcher";

/// The operator's filter, with actix-http's client stream errors silenced unless the filter
/// names actix-http itself.
fn directives(filter: &str) -> String {
    if filter.contains("actix_http") {
        filter.to_owned()
    } else {
        format!("{filter},{CLIENT_STREAM_ERRORS}=off")
    }
}

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(directives(filter))
        .unwrap_or_else(|_| EnvFilter::new(directives("info")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal());
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_stream_errors_are_silenced_unless_asked_for() {
        assert_eq!(directives("info"), "info,actix_http::h1::dispatcher=off");
        assert_eq!(
            directives("warn,newsroom=debug"),
            "warn,newsroom=debug,actix_http::h1::dispatcher=off"
        );
        assert_eq!(directives("actix_http=debug"), "actix_http=debug");
        assert!(EnvFilter::try_new(directives("info")).is_ok());
    }
}
