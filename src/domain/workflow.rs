//! The editorial workflow: which transitions exist and who may make them.
//!
//! `draft → in_review → published`; `scheduled → published` by the server at `publish_at`;
//! `published → unpublished`; anything → `archived`. Writers submit their own drafts; editors
//! (and admins, and API tokens with `content:write`, which act for editorial systems) do the
//! rest. Embargoes are checked separately: they depend on the clock, not on roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Workflow states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written.
    Draft,
    /// Submitted for an editor's review.
    InReview,
    /// Will be published by the server at `publish_at`.
    Scheduled,
    /// Public.
    Published,
    /// Taken down after publication.
    Unpublished,
    /// Retired.
    Archived,
}

impl Status {
    /// Every state.
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::InReview,
        Status::Scheduled,
        Status::Published,
        Status::Unpublished,
        Status::Archived,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Archived => "archived",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// Something that moves an article between states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// A writer hands a draft to the editors.
    Submit,
    /// An editor sends an article in review (or a scheduled one) back to draft, with a note.
    ReturnToDraft,
    /// Make the working copy public now (also republishes a published article's edits).
    Publish,
    /// Publish at a future time.
    Schedule,
    /// Take a published article down.
    Unpublish,
    /// Retire an article.
    Archive,
}

impl Transition {
    /// Every transition.
    pub const ALL: [Transition; 6] = [
        Transition::Submit,
        Transition::ReturnToDraft,
        Transition::Publish,
        Transition::Schedule,
        Transition::Unpublish,
        Transition::Archive,
    ];

    /// The audit-log and URL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::ReturnToDraft => "return",
            Self::Publish => "publish",
            Self::Schedule => "schedule",
            Self::Unpublish => "unpublish",
            Self::Archive => "archive",
        }
    }
}

/// The capacity in which someone acts on an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A writer; `own` when the writer created the article.
    Writer {
        /// Whether the writer created the article.
        own: bool,
    },
    /// An editor, an admin, or an editorial system's API token.
    Editor,
    /// The server's scheduler.
    Scheduler,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may not make this transition (403).
    NotAllowed,
    /// The transition does not apply to the current state (409).
    WrongState {
        /// The current state.
        from: Status,
    },
}

/// The state after `transition`, or why it may not happen.
pub fn next(from: Status, transition: Transition, actor: Actor) -> Result<Status, Refusal> {
    use Status::*;
    use Transition::*;
    let to = match (transition, from) {
        (Submit, Draft) => InReview,
        (ReturnToDraft, InReview | Scheduled) => Draft,
        (Publish, Draft | InReview | Scheduled | Published | Unpublished) => Published,
        (Schedule, Draft | InReview | Unpublished) => Scheduled,
        (Unpublish, Published) => Unpublished,
        (Archive, Draft | InReview | Scheduled | Published | Unpublished) => Archived,
        _ => return Err(Refusal::WrongState { from }),
    };
    let allowed = match actor {
        Actor::Editor => true,
        Actor::Writer { own } => own && transition == Submit,
        // The scheduler only carries out what an editor scheduled.
        Actor::Scheduler => transition == Publish && from == Scheduled,
    };
    if allowed {
        Ok(to)
    } else {
        Err(Refusal::NotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;
    use Transition::*;

    const EDITOR_MOVES: [(Transition, Status, Status); 19] = [
        (Submit, Draft, InReview),
        (ReturnToDraft, InReview, Draft),
        (ReturnToDraft, Scheduled, Draft),
        (Publish, Draft, Published),
        (Publish, InReview, Published),
        (Publish, Scheduled, Published),
        (Publish, Published, Published),
        (Publish, Unpublished, Published),
        (Schedule, Draft, Scheduled),
        (Schedule, InReview, Scheduled),
        (Schedule, Unpublished, Scheduled),
        (Unpublish, Published, Unpublished),
        (Archive, Draft, Archived),
        (Archive, InReview, Archived),
        (Archive, Scheduled, Archived),
        (Archive, Published, Archived),
        (Archive, Unpublished, Archived),
        (Submit, Draft, InReview),
        (Publish, Draft, Published),
    ];

    #[test]
    fn editors_make_exactly_the_listed_moves() {
        for transition in Transition::ALL {
            for from in Status::ALL {
                let expected = EDITOR_MOVES
                    .iter()
                    .find(|(t, f, _)| *t == transition && *f == from)
                    .map(|(_, _, to)| *to);
                match expected {
                    Some(to) => assert_eq!(next(from, transition, Actor::Editor), Ok(to)),
                    None => assert_eq!(
                        next(from, transition, Actor::Editor),
                        Err(Refusal::WrongState { from }),
                        "{transition:?} from {from:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn writers_only_submit_their_own_drafts() {
        for transition in Transition::ALL {
            for from in Status::ALL {
                let own = next(from, transition, Actor::Writer { own: true });
                let other = next(from, transition, Actor::Writer { own: false });
                let editor = next(from, transition, Actor::Editor);
                if transition == Submit && from == Draft {
                    assert_eq!(own, Ok(InReview));
                    assert_eq!(other, Err(Refusal::NotAllowed));
                } else if editor.is_ok() {
                    assert_eq!(
                        own,
                        Err(Refusal::NotAllowed),
                        "{transition:?} from {from:?}"
                    );
                    assert_eq!(other, Err(Refusal::NotAllowed));
                } else {
                    assert_eq!(own, editor, "a wrong state is reported as such");
                }
            }
        }
    }

    #[test]
    fn the_scheduler_only_publishes_scheduled_articles() {
        for transition in Transition::ALL {
            for from in Status::ALL {
                let result = next(from, transition, Actor::Scheduler);
                if transition == Publish && from == Scheduled {
                    assert_eq!(result, Ok(Published));
                } else {
                    assert!(result.is_err(), "{transition:?} from {from:?}");
                }
            }
        }
    }

    #[test]
    fn archived_is_final() {
        for transition in Transition::ALL {
            assert_eq!(
                next(Archived, transition, Actor::Editor),
                Err(Refusal::WrongState { from: Archived })
            );
        }
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("live"), None);
    }
}
