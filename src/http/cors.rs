//! CORS for browsers calling the API from the newsroom's sites (`NEWSROOM_CORS_ORIGINS`).

use actix_cors::Cors;

/// The CORS policy for `origins` (`*` allows any origin, without credentials).
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "x-request-id",
        ])
        .expose_headers(["etag", "location", "retry-after", "x-request-id"])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
