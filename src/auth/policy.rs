//! The permission policy: may this caller do this? Plain functions, no HTTP, no SQL.

use uuid::Uuid;

use crate::domain::accounts::{Role, Scope};

/// Who is calling: a signed-in user, or a client app with an API token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A person signed in with a password.
    User {
        /// The user's id.
        id: Uuid,
        /// The user's current role (read from the database on every request).
        role: Role,
        /// The session the access token belongs to.
        session_id: Uuid,
    },
    /// A client app with an API token.
    ApiToken {
        /// The token's id.
        id: Uuid,
        /// What the token may do.
        scopes: Vec<Scope>,
    },
}

impl Caller {
    /// The user id, when the caller is a person.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Self::User { id, .. } => Some(*id),
            Self::ApiToken { .. } => None,
        }
    }
}

/// Something a caller may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read or change one's own account (`/auth/me`, own password, log out).
    UseOwnAccount,
    /// Create, read, change and delete user accounts.
    ManageUsers,
    /// Issue, list and revoke API tokens.
    ManageApiTokens,
    /// Read the audit log of content changes.
    ReadAuditLog,
    /// Read the security part of the audit log (log-ins, users, tokens).
    ReadSecurityAuditLog,
}

impl Action {
    /// Roles allowed to do this.
    fn roles(self) -> &'static [Role] {
        match self {
            Self::UseOwnAccount => &[Role::Admin, Role::Editor, Role::Writer],
            Self::ManageUsers | Self::ManageApiTokens | Self::ReadSecurityAuditLog => {
                &[Role::Admin]
            }
            Self::ReadAuditLog => &[Role::Admin, Role::Editor],
        }
    }

    /// The scope an API token needs for this (`admin` covers everything); `None` when tokens
    /// may never do it.
    fn scope(self) -> Option<Scope> {
        match self {
            Self::UseOwnAccount => None,
            Self::ManageUsers
            | Self::ManageApiTokens
            | Self::ReadAuditLog
            | Self::ReadSecurityAuditLog => Some(Scope::Admin),
        }
    }
}

/// Whether `caller` may do `action`.
pub fn permits(caller: &Caller, action: Action) -> bool {
    match caller {
        Caller::User { role, .. } => action.roles().contains(role),
        Caller::ApiToken { scopes, .. } => action
            .scope()
            .is_some_and(|needed| scopes.contains(&needed) || scopes.contains(&Scope::Admin)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> Caller {
        Caller::User {
            id: Uuid::new_v4(),
            role,
            session_id: Uuid::new_v4(),
        }
    }

    fn token(scopes: &[Scope]) -> Caller {
        Caller::ApiToken {
            id: Uuid::new_v4(),
            scopes: scopes.to_vec(),
        }
    }

    #[test]
    fn only_admins_manage_users_and_tokens() {
        for action in [
            Action::ManageUsers,
            Action::ManageApiTokens,
            Action::ReadSecurityAuditLog,
        ] {
            assert!(permits(&user(Role::Admin), action));
            assert!(!permits(&user(Role::Editor), action));
            assert!(!permits(&user(Role::Writer), action));
            assert!(permits(&token(&[Scope::Admin]), action));
            assert!(!permits(
                &token(&[Scope::ContentWrite, Scope::ContentRead]),
                action
            ));
        }
    }

    #[test]
    fn editors_read_the_content_audit_log() {
        assert!(permits(&user(Role::Editor), Action::ReadAuditLog));
        assert!(!permits(&user(Role::Writer), Action::ReadAuditLog));
    }

    #[test]
    fn every_user_has_an_account_but_tokens_do_not() {
        for role in [Role::Admin, Role::Editor, Role::Writer] {
            assert!(permits(&user(role), Action::UseOwnAccount));
        }
        assert!(!permits(&token(&[Scope::Admin]), Action::UseOwnAccount));
    }
}
