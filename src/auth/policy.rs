//! The permission policy: may this caller do this? Plain functions, no HTTP, no SQL.

use uuid::Uuid;

use crate::domain::accounts::{Role, Scope};
use crate::domain::workflow::Actor;

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
    /// Register, change and delete webhooks; read and replay their deliveries.
    ManageWebhooks,
    /// Read the audit log of content changes.
    ReadAuditLog,
    /// Read the security part of the audit log (log-ins, users, tokens).
    ReadSecurityAuditLog,
    /// Read newsroom content through the management API (authors, images, lists).
    ReadContent,
    /// Read one article's working copy and history; writers read their own and live ones.
    ReadArticle {
        /// Who created the article.
        created_by: Option<Uuid>,
        /// Whether it is published now: its text is public, and a writer may read the desk's
        /// working copy and history of what is live (not change them).
        live: bool,
    },
    /// Create, change and delete author profiles.
    ManageAuthors,
    /// Upload images.
    UploadImage,
    /// Change an image's metadata; writers may change the images they uploaded.
    EditImage {
        /// Who uploaded the image.
        uploaded_by: Option<Uuid>,
    },
    /// Delete images.
    DeleteImage,
    /// Create an article (a draft).
    CreateArticle,
    /// Change an article's working copy; writers may change their own drafts.
    EditArticle {
        /// Who created the article.
        created_by: Option<Uuid>,
        /// Whether it is a draft that was never published.
        is_draft: bool,
    },
    /// Put an author on an article's byline; writers may add only their own author profile.
    BylineAuthor {
        /// The user account the author profile belongs to.
        author_user: Option<Uuid>,
    },
    /// Delete an article; writers may delete their own drafts.
    DeleteArticle {
        /// Who created the article.
        created_by: Option<Uuid>,
        /// Whether it is a draft.
        is_draft: bool,
    },
    /// Create, change and delete sections.
    ManageSections,
    /// Create an embed; raw HTML is for editors only.
    CreateEmbed {
        /// Whether it is a raw HTML embed.
        html: bool,
    },
    /// Append a correction to a published article.
    AddCorrection,
    /// Share an article's working copy through preview links; writers share their own.
    SharePreview {
        /// Who created the article.
        created_by: Option<Uuid>,
    },
    /// Change or delete an embed; writers may change their own non-HTML embeds.
    EditEmbed {
        /// Who created the embed.
        created_by: Option<Uuid>,
        /// Whether it is a raw HTML embed.
        html: bool,
    },
}

const EVERYONE: &[Role] = &[Role::Admin, Role::Editor, Role::Writer];
const EDITORS: &[Role] = &[Role::Admin, Role::Editor];
const ADMINS: &[Role] = &[Role::Admin];

impl Action {
    /// Roles allowed to do this to any resource.
    fn roles(self) -> &'static [Role] {
        match self {
            Self::UseOwnAccount
            | Self::ReadContent
            | Self::UploadImage
            | Self::CreateArticle
            | Self::CreateEmbed { html: false } => EVERYONE,
            Self::ManageUsers
            | Self::ManageApiTokens
            | Self::ManageWebhooks
            | Self::ReadSecurityAuditLog => ADMINS,
            Self::ReadAuditLog
            | Self::ManageAuthors
            | Self::EditImage { .. }
            | Self::DeleteImage
            | Self::ReadArticle { .. }
            | Self::BylineAuthor { .. }
            | Self::EditArticle { .. }
            | Self::DeleteArticle { .. }
            | Self::ManageSections
            | Self::CreateEmbed { html: true }
            | Self::EditEmbed { .. }
            | Self::AddCorrection
            | Self::SharePreview { .. } => EDITORS,
        }
    }

    /// Whether a user may do this because the resource is its own.
    fn allowed_as_owner(self, user: Uuid) -> bool {
        match self {
            Self::EditImage { uploaded_by } => uploaded_by == Some(user),
            Self::ReadArticle { created_by, live } => live || created_by == Some(user),
            Self::BylineAuthor { author_user } => author_user == Some(user),
            Self::EditArticle {
                created_by,
                is_draft,
            }
            | Self::DeleteArticle {
                created_by,
                is_draft,
            } => is_draft && created_by == Some(user),
            Self::EditEmbed { created_by, html } => !html && created_by == Some(user),
            Self::SharePreview { created_by } => created_by == Some(user),
            _ => false,
        }
    }

    /// Scopes that let an API token do this (`admin` covers everything); empty when tokens
    /// may never do it.
    fn scopes(self) -> &'static [Scope] {
        match self {
            Self::UseOwnAccount => &[],
            Self::ManageUsers
            | Self::ManageApiTokens
            | Self::ManageWebhooks
            | Self::ReadAuditLog
            | Self::ReadSecurityAuditLog => &[Scope::Admin],
            // Writing implies reading.
            Self::ReadContent | Self::ReadArticle { .. } => {
                &[Scope::ContentRead, Scope::ContentWrite, Scope::ImagesWrite]
            }
            Self::ManageAuthors
            | Self::CreateArticle
            | Self::BylineAuthor { .. }
            | Self::EditArticle { .. }
            | Self::DeleteArticle { .. }
            | Self::ManageSections
            | Self::CreateEmbed { .. }
            | Self::EditEmbed { .. }
            | Self::AddCorrection
            | Self::SharePreview { .. } => &[Scope::ContentWrite],
            Self::UploadImage | Self::EditImage { .. } | Self::DeleteImage => &[Scope::ImagesWrite],
        }
    }
}

/// The capacity in which `caller` moves an article through the workflow: editors, admins and
/// tokens with `content:write` act as editors; writers as writers (owning what they created);
/// `None` for callers with no part in the workflow.
pub fn workflow_actor(caller: &Caller, created_by: Option<Uuid>) -> Option<Actor> {
    let editorial = permits(
        caller,
        Action::EditArticle {
            created_by: None,
            is_draft: false,
        },
    );
    match caller {
        _ if editorial => Some(Actor::Editor),
        Caller::User {
            role: Role::Writer,
            id,
            ..
        } => Some(Actor::Writer {
            own: created_by == Some(*id),
        }),
        _ => None,
    }
}

/// Whether `caller` reads every article, whoever wrote it and whatever its state; otherwise
/// it reads only what `Action::ReadArticle` allows it as an owner.
pub fn reads_every_article(caller: &Caller) -> bool {
    permits(
        caller,
        Action::ReadArticle {
            created_by: None,
            live: false,
        },
    )
}

/// Whose view of the articles `caller` has, for list filters: `None` when it reads every
/// article, else the user whose own and published articles it reads. Fails closed: a caller
/// that is not a person and cannot read everything reads as nobody (`Uuid::nil`).
pub fn article_reader(caller: &Caller) -> Option<Uuid> {
    (!reads_every_article(caller)).then(|| caller.user_id().unwrap_or(Uuid::nil()))
}

/// Whether `caller` may do `action`.
pub fn permits(caller: &Caller, action: Action) -> bool {
    match caller {
        Caller::User { role, id, .. } => {
            action.roles().contains(role) || action.allowed_as_owner(*id)
        }
        Caller::ApiToken { scopes, .. } => {
            let needed = action.scopes();
            !needed.is_empty()
                && (scopes.contains(&Scope::Admin) || needed.iter().any(|s| scopes.contains(s)))
        }
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
            Action::ManageWebhooks,
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
    fn writers_edit_only_the_images_they_uploaded() {
        let writer = user(Role::Writer);
        let own = Action::EditImage {
            uploaded_by: writer.user_id(),
        };
        let other = Action::EditImage {
            uploaded_by: Some(Uuid::new_v4()),
        };
        assert!(permits(&writer, own));
        assert!(!permits(&writer, other));
        assert!(permits(&user(Role::Editor), other));
        assert!(!permits(&writer, Action::DeleteImage));
        assert!(permits(&writer, Action::UploadImage));
    }

    #[test]
    fn token_scopes_map_to_content_actions() {
        assert!(permits(&token(&[Scope::ContentRead]), Action::ReadContent));
        assert!(permits(&token(&[Scope::ImagesWrite]), Action::ReadContent));
        assert!(!permits(
            &token(&[Scope::ContentRead]),
            Action::ManageAuthors
        ));
        assert!(permits(
            &token(&[Scope::ContentWrite]),
            Action::ManageAuthors
        ));
        assert!(!permits(
            &token(&[Scope::ContentWrite]),
            Action::UploadImage
        ));
        assert!(permits(&token(&[Scope::ImagesWrite]), Action::DeleteImage));
        assert!(permits(&token(&[Scope::Admin]), Action::DeleteImage));
    }

    #[test]
    fn writers_edit_their_own_drafts_only() {
        let writer = user(Role::Writer);
        let own_draft = Action::EditArticle {
            created_by: writer.user_id(),
            is_draft: true,
        };
        let own_published = Action::EditArticle {
            created_by: writer.user_id(),
            is_draft: false,
        };
        let other_draft = Action::EditArticle {
            created_by: Some(Uuid::new_v4()),
            is_draft: true,
        };
        assert!(permits(&writer, own_draft));
        assert!(!permits(&writer, own_published));
        assert!(!permits(&writer, other_draft));
        assert!(permits(&user(Role::Editor), own_published));
        assert!(permits(&writer, Action::CreateArticle));
        assert!(permits(&token(&[Scope::ContentWrite]), other_draft));
        assert!(!permits(&token(&[Scope::ContentRead]), other_draft));
    }

    #[test]
    fn writers_read_their_own_articles_and_live_ones_only() {
        let writer = user(Role::Writer);
        let read = |created_by, live| Action::ReadArticle { created_by, live };
        assert!(permits(&writer, read(writer.user_id(), false)));
        assert!(permits(&writer, read(Some(Uuid::new_v4()), true)));
        assert!(!permits(&writer, read(Some(Uuid::new_v4()), false)));
        assert!(!permits(&writer, read(None, false)));
        assert!(!reads_every_article(&writer));
        for caller in [
            user(Role::Editor),
            user(Role::Admin),
            token(&[Scope::ContentRead]),
            token(&[Scope::ImagesWrite]),
        ] {
            assert!(permits(&caller, read(Some(Uuid::new_v4()), false)));
            assert!(reads_every_article(&caller));
        }
        assert!(!reads_every_article(&token(&[])));
        assert_eq!(article_reader(&writer), writer.user_id());
        assert_eq!(article_reader(&user(Role::Editor)), None);
        assert_eq!(article_reader(&token(&[])), Some(Uuid::nil()));
    }

    #[test]
    fn writers_byline_only_their_own_author_profile() {
        let writer = user(Role::Writer);
        let own = Action::BylineAuthor {
            author_user: writer.user_id(),
        };
        let colleague = Action::BylineAuthor {
            author_user: Some(Uuid::new_v4()),
        };
        let freelancer = Action::BylineAuthor { author_user: None };
        assert!(permits(&writer, own));
        assert!(!permits(&writer, colleague));
        assert!(!permits(&writer, freelancer));
        for caller in [user(Role::Editor), token(&[Scope::ContentWrite])] {
            assert!(permits(&caller, colleague));
            assert!(permits(&caller, freelancer));
        }
        assert!(!permits(&token(&[Scope::ContentRead]), freelancer));
    }

    #[test]
    fn raw_html_embeds_are_for_editors() {
        let writer = user(Role::Writer);
        assert!(permits(&writer, Action::CreateEmbed { html: false }));
        assert!(!permits(&writer, Action::CreateEmbed { html: true }));
        assert!(permits(
            &user(Role::Editor),
            Action::CreateEmbed { html: true }
        ));
        let own_html = Action::EditEmbed {
            created_by: writer.user_id(),
            html: true,
        };
        assert!(!permits(&writer, own_html));
        let own_external = Action::EditEmbed {
            created_by: writer.user_id(),
            html: false,
        };
        assert!(permits(&writer, own_external));
    }

    #[test]
    fn workflow_capacities_follow_roles_and_scopes() {
        let writer = user(Role::Writer);
        assert_eq!(
            workflow_actor(&writer, writer.user_id()),
            Some(Actor::Writer { own: true })
        );
        assert_eq!(
            workflow_actor(&writer, Some(Uuid::new_v4())),
            Some(Actor::Writer { own: false })
        );
        assert_eq!(
            workflow_actor(&user(Role::Editor), None),
            Some(Actor::Editor)
        );
        assert_eq!(
            workflow_actor(&user(Role::Admin), None),
            Some(Actor::Editor)
        );
        assert_eq!(
            workflow_actor(&token(&[Scope::ContentWrite]), None),
            Some(Actor::Editor)
        );
        assert_eq!(workflow_actor(&token(&[Scope::ContentRead]), None), None);
    }

    #[test]
    fn only_editors_manage_authors() {
        assert!(permits(&user(Role::Editor), Action::ManageAuthors));
        assert!(!permits(&user(Role::Writer), Action::ManageAuthors));
        assert!(permits(&user(Role::Writer), Action::ReadContent));
    }

    #[test]
    fn every_user_has_an_account_but_tokens_do_not() {
        for role in [Role::Admin, Role::Editor, Role::Writer] {
            assert!(permits(&user(role), Action::UseOwnAccount));
        }
        assert!(!permits(&token(&[Scope::Admin]), Action::UseOwnAccount));
    }
}
