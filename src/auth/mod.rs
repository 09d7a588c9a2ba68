//! Authentication and authorisation: passwords, tokens, the `Caller` extractor, the policy.

pub mod accounts;
pub mod api_tokens;
pub mod caller;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod tokens;

use crate::config::Config;
use crate::domain::throttle::Limit;

pub use policy::{Action, Caller};

/// Authentication settings derived from the configuration at start-up.
#[derive(Clone)]
pub struct AuthSettings {
    /// Access-token keys.
    pub jwt: tokens::JwtKeys,
    /// Lifetime of a session.
    pub refresh_ttl: chrono::Duration,
    /// Failed log-ins allowed per account.
    pub account_limit: Limit,
    /// Failed log-ins allowed per client address.
    pub ip_limit: Limit,
}

impl AuthSettings {
    /// Builds the settings; without a configured secret a random one is made (development only:
    /// tokens then die with the process and are not shared between instances).
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let secret = match &config.jwt_secret {
            Some(secret) => secret.clone().into_bytes(),
            None => {
                tracing::warn!(
                    "NEWSROOM_JWT_SECRET is not set: using a random secret for this process; \
                     tokens will not survive a restart"
                );
                tokens::random_secret().into_bytes()
            }
        };
        let window = chrono::Duration::minutes(15);
        Ok(Self {
            jwt: tokens::JwtKeys::new(
                &secret,
                chrono::Duration::from_std(config.access_token_ttl)?,
            )?,
            refresh_ttl: chrono::Duration::from_std(config.refresh_token_ttl)?,
            account_limit: Limit {
                max_failures: config.login_max_failures_per_account,
                window,
            },
            ip_limit: Limit {
                max_failures: config.login_max_failures_per_ip,
                window,
            },
        })
    }
}
