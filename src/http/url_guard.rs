//! Refuses a URL that holds an encoded NUL (`%00`): no id, slug, token or search term contains
//! one, and PostgreSQL cannot store or compare it in text, so letting it through made a 500.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::ApiError;

/// Middleware: 404 for `%00` in the path (nothing lives there), 400 for one in the query string.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refusal = if has_encoded_nul(req.uri().path()) {
        Some(ApiError::NotFound(
            "no resource has a NUL character (%00) in its path".to_owned(),
        ))
    } else if req.uri().query().is_some_and(has_encoded_nul) {
        Some(ApiError::BadRequest(
            "the query string holds a NUL character (%00)".to_owned(),
        ))
    } else {
        None
    };
    match refusal {
        Some(error) => Ok(req.error_response(error).map_into_right_body()),
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

fn has_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| w == b"%00")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_encoded_nul_counts() {
        assert!(has_encoded_nul("/a%00b"));
        assert!(has_encoded_nul("q=%00"));
        assert!(
            !has_encoded_nul("q=%2500"),
            "an encoded percent sign followed by 00"
        );
        assert!(!has_encoded_nul("q=100%25"));
    }
}
