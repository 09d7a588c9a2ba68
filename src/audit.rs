//! Who did what, for the append-only audit log: the actor and request context of an entry.

use uuid::Uuid;

use crate::auth::Caller;
use crate::db::audit::NewAuditEntry;
use crate::http::client_ip::ClientIp;
use crate::http::request_id;

/// The actor and request behind a change.
#[derive(Debug, Clone)]
pub struct AuditContext {
    actor_type: &'static str,
    actor_id: Option<Uuid>,
    client_ip: Option<String>,
    request_id: Option<String>,
}

impl AuditContext {
    /// A signed-in user or an API token.
    pub fn of(caller: &Caller, ip: &ClientIp) -> Self {
        let (actor_type, actor_id) = match caller {
            Caller::User { id, .. } => ("user", Some(*id)),
            Caller::ApiToken { id, .. } => ("api_token", Some(*id)),
        };
        Self {
            actor_type,
            actor_id,
            client_ip: Some(ip.0.clone()),
            request_id: request_id::current(),
        }
    }

    /// Someone not (yet) signed in, e.g. a log-in attempt.
    pub fn anonymous(ip: &ClientIp) -> Self {
        Self {
            actor_type: "anonymous",
            actor_id: None,
            client_ip: Some(ip.0.clone()),
            request_id: request_id::current(),
        }
    }

    /// A signed-in user known by id (after a log-in).
    pub fn user(id: Uuid, ip: &ClientIp) -> Self {
        Self {
            actor_type: "user",
            actor_id: Some(id),
            client_ip: Some(ip.0.clone()),
            request_id: request_id::current(),
        }
    }

    /// The server itself (bootstrap, scheduled jobs).
    pub fn system() -> Self {
        Self {
            actor_type: "system",
            actor_id: None,
            client_ip: None,
            request_id: None,
        }
    }

    /// The acting user's id (`None` for tokens, anonymous callers and the server), for
    /// columns that reference users.
    pub fn user_id(&self) -> Option<Uuid> {
        self.actor_id.filter(|_| self.actor_type == "user")
    }

    /// An entry for `action` on `target_type`/`target_id` with the changed fields.
    pub fn entry(
        &self,
        action: &'static str,
        target_type: &'static str,
        target_id: Option<String>,
        changes: serde_json::Value,
    ) -> NewAuditEntry {
        NewAuditEntry {
            actor_type: self.actor_type,
            actor_id: self.actor_id,
            action,
            target_type,
            target_id,
            client_ip: self.client_ip.clone(),
            request_id: self.request_id.clone(),
            changes,
        }
    }
}
