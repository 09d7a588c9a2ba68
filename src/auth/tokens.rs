//! Access tokens (JWT, HS256) and opaque secrets (refresh tokens, API tokens).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::accounts::Role;

/// `iss` of our access tokens.
pub const ISSUER: &str = "newsroom";
/// `aud` of our access tokens.
pub const AUDIENCE: &str = "newsroom-api";
/// Prefix that makes API tokens recognisable (in logs, secret scanners, the `Authorization`
/// header).
pub const API_TOKEN_PREFIX: &str = "nr_";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The user's role when the token was issued (the database stays authoritative).
    pub role: Role,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Token id.
    pub jti: Uuid,
    /// The session (refresh-token family) the token belongs to.
    pub sid: Uuid,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of an access token.
    pub ttl: chrono::Duration,
}

impl JwtKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8], ttl: chrono::Duration) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Clocks of several instances drift a little; more would stretch the lifetime.
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl,
        })
    }

    /// Issues an access token for `user` in `session`; returns it with its expiry.
    pub fn issue(
        &self,
        user: Uuid,
        role: Role,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let expires = now + self.ttl;
        let claims = Claims {
            sub: user,
            role,
            iat: now.timestamp(),
            exp: expires.timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: Uuid::new_v4(),
            sid: session,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, expires))
    }

    /// Checks signature, algorithm, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A random secret with 256 bits of entropy, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API token: `nr_` and a random secret.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_secret())
}

/// SHA-256 of a secret, as stored. A fast hash suffices: the secrets are 256-bit random, so
/// there is nothing to brute-force, unlike passwords.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Whether `secret` hashes to `expected` (a [`hash_secret`] output), comparing every byte
/// whatever the first difference, so the time taken says nothing about where it is.
pub fn secret_matches(secret: &str, expected: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    hash_secret(secret).ct_eq(expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"0123456789abcdef0123456789abcdef",
            chrono::Duration::minutes(15),
        )
        .unwrap()
    }

    #[test]
    fn issued_tokens_verify_with_all_claims() {
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let (token, _) = keys()
            .issue(user, Role::Editor, session, Utc::now())
            .unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(claims.sub, user);
        assert_eq!(claims.sid, session);
        assert_eq!(claims.role, Role::Editor);
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.aud, AUDIENCE);
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let old = Utc::now() - chrono::Duration::hours(1);
        let (token, _) = keys()
            .issue(Uuid::new_v4(), Role::Admin, Uuid::new_v4(), old)
            .unwrap();
        assert!(keys().verify(&token).is_none());

        let other = JwtKeys::new(
            b"another secret of thirty-two bytes!",
            chrono::Duration::minutes(15),
        )
        .unwrap();
        let (token, _) = other
            .issue(Uuid::new_v4(), Role::Admin, Uuid::new_v4(), Utc::now())
            .unwrap();
        assert!(keys().verify(&token).is_none());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_api_token();
        assert!(a.starts_with("nr_"));
        assert_eq!(a.len(), 3 + 43);
        assert_ne!(a, new_api_token());
        assert_eq!(hash_secret(&a).len(), 32);
        assert!(secret_matches(&a, &hash_secret(&a)));
        assert!(!secret_matches(&a, &hash_secret("another")));
        assert!(!secret_matches(&a, &[]));
    }
}
