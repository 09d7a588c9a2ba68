//! Who did what, for the append-only audit log: the actor and request context of an entry.

use serde::Serialize;
use serde_json::{Map, Value, json};
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

/// The listed fields whose value differs between two versions of a row, as
/// `{field: {from, to}}`: the "changed fields" of an audit entry. Only listed fields are
/// compared, so secrets such as password hashes never reach the log.
pub fn changed_fields<T: Serialize>(before: &T, after: &T, fields: &[&str]) -> Map<String, Value> {
    let (Ok(Value::Object(from)), Ok(Value::Object(to))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Map::new();
    };
    fields
        .iter()
        .filter_map(|field| {
            let (a, b) = (from.get(*field)?, to.get(*field)?);
            (a != b).then(|| ((*field).to_owned(), json!({ "from": a, "to": b })))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        name: &'static str,
        secret: &'static str,
        n: i32,
    }

    #[test]
    fn only_listed_fields_that_changed_are_reported() {
        let before = Row {
            name: "a",
            secret: "x",
            n: 1,
        };
        let after = Row {
            name: "b",
            secret: "y",
            n: 1,
        };
        let changes = changed_fields(&before, &after, &["name", "n"]);
        assert_eq!(
            Value::Object(changes),
            json!({"name": {"from": "a", "to": "b"}})
        );
    }
}
