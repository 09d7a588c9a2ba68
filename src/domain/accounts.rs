//! Accounts: roles, API-token scopes, e-mail and password rules.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a signed-in person may do in the newsroom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users, tokens, webhooks and everything editors do.
    Admin,
    /// Edits, publishes, schedules and unpublishes any article; manages authors, images, embeds.
    Editor,
    /// Creates articles, edits its own until published, submits them for review.
    Writer,
}

impl Role {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Writer => "writer",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "editor" => Some(Self::Editor),
            "writer" => Some(Self::Writer),
            _ => None,
        }
    }
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read all content, including drafts.
    #[serde(rename = "content:read")]
    ContentRead,
    /// Create and change content.
    #[serde(rename = "content:write")]
    ContentWrite,
    /// Upload and edit images.
    #[serde(rename = "images:write")]
    ImagesWrite,
    /// Everything an admin may do.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
            Self::ImagesWrite => "images:write",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "content:read" => Some(Self::ContentRead),
            "content:write" => Some(Self::ContentWrite),
            "images:write" => Some(Self::ImagesWrite),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Shortest accepted password, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest accepted password, in characters: hashing input stays bounded.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Normalises an e-mail address (trimmed, lower-cased) and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    if email.len() > 254 {
        return Err("must be at most 254 characters");
    }
    if !validator::ValidateEmail::validate_email(&email) {
        return Err("must be a valid e-mail address");
    }
    Ok(email)
}

/// Checks a new password against the policy; `email` is the account's normalised address.
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(format!("must be at least {PASSWORD_MIN_CHARS} characters"));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(format!("must be at most {PASSWORD_MAX_CHARS} characters"));
    }
    if password.trim().to_lowercase() == email {
        return Err("must not be the e-mail address".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_scopes_round_trip() {
        for role in [Role::Admin, Role::Editor, Role::Writer] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for scope in [
            Scope::ContentRead,
            Scope::ContentWrite,
            Scope::ImagesWrite,
            Scope::Admin,
        ] {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            normalize_email("  Ana@Example.ORG ").unwrap(),
            "ana@example.org"
        );
        assert!(normalize_email("not an email").is_err());
        assert!(normalize_email("").is_err());
    }

    #[test]
    fn passwords_follow_the_policy() {
        assert!(check_password("short", "a@b.co").is_err());
        assert!(check_password(&"x".repeat(129), "a@b.co").is_err());
        assert!(check_password(&"x".repeat(128), "a@b.co").is_ok());
        assert!(check_password("correct horse battery", "a@b.co").is_ok());
        assert!(check_password("Writer@Example.org", "writer@example.org").is_err());
        // Characters, not bytes: 12 Cyrillic letters are enough.
        assert!(check_password("парольпароль", "a@b.co").is_ok());
    }
}
