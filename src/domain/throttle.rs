//! Log-in throttling: how long a client must wait after repeated failures.

use chrono::{DateTime, Duration, Utc};

/// A limit: at most `max_failures` failures within `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Failures allowed within the window.
    pub max_failures: usize,
    /// How far back failures count.
    pub window: Duration,
}

/// Given the failures inside the window (any order), the seconds until one more attempt is
/// allowed, or `None` when it is allowed now.
pub fn retry_after(limit: Limit, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<u64> {
    let recent: Vec<_> = failures
        .iter()
        .filter(|t| **t > now - limit.window)
        .collect();
    if recent.len() < limit.max_failures {
        return None;
    }
    // The attempt becomes allowed when enough of the oldest failures have left the window.
    let mut sorted = recent;
    sorted.sort();
    let leaving = sorted[sorted.len() - limit.max_failures];
    let wait = (*leaving + limit.window - now).num_seconds().max(1);
    Some(u64::try_from(wait).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit() -> Limit {
        Limit {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }

    #[test]
    fn four_failures_are_allowed_the_fifth_locks() {
        let now = Utc::now();
        let four: Vec<_> = (1..=4).map(|m| now - Duration::minutes(m)).collect();
        assert_eq!(retry_after(limit(), &four, now), None);
        let mut five = four.clone();
        five.push(now - Duration::minutes(10));
        // The oldest (10 min ago) leaves the window in 5 minutes.
        assert_eq!(retry_after(limit(), &five, now), Some(300));
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let now = Utc::now();
        let old: Vec<_> = (0..10).map(|_| now - Duration::minutes(16)).collect();
        assert_eq!(retry_after(limit(), &old, now), None);
    }

    #[test]
    fn retry_after_is_at_least_a_second() {
        let now = Utc::now();
        let edge: Vec<_> = (0..5)
            .map(|_| now - Duration::minutes(15) + Duration::milliseconds(10))
            .collect();
        assert_eq!(retry_after(limit(), &edge, now), Some(1));
    }
}
