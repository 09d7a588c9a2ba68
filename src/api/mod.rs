//! HTTP handlers by resource. Routes are registered through their utoipa annotations, so a
//! documented path is the route and no endpoint can be left out of the OpenAPI document.

pub mod health;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every endpoint (and so documents it).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics);
}
