//! Optimistic concurrency: an edit names the version it was based on.

/// What a client's `If-Match` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: whatever the current version is.
    Any,
    /// A specific version.
    Version(i32),
}

impl IfMatch {
    /// Whether it matches `current`.
    pub fn matches(self, current: i32) -> bool {
        match self {
            Self::Any => true,
            Self::Version(v) => v == current,
        }
    }
}
