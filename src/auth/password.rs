//! Password hashing with argon2id (PHC strings), at OWASP's minimum parameters or above.

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// The parameters new hashes get: 19 MiB, 2 iterations, 1 lane (OWASP's minimum for argon2id).
fn params() -> Params {
    Params::DEFAULT
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Hashes `password` with a fresh random salt. CPU- and memory-heavy: call it off the async
/// runtime (`web::block` / `spawn_blocking`).
pub fn hash(password: &str) -> anyhow::Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// The outcome of checking a password.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password is wrong (or the stored hash unreadable).
    Wrong,
    /// The password is right and the hash uses the current parameters.
    Right,
    /// The password is right but was hashed with older parameters: store a new hash.
    RightButRehash,
}

/// Verifies `password` against a stored PHC string. Heavy: call it off the async runtime.
pub fn verify(password: &str, stored: &str) -> Verdict {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verdict::Wrong;
    };
    if hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verdict::Wrong;
    }
    let current = parsed.algorithm.as_str() == Algorithm::Argon2id.as_str()
        && Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == params().m_cost()
                && p.t_cost() == params().t_cost()
                && p.p_cost() == params().p_cost()
        });
    if current {
        Verdict::Right
    } else {
        Verdict::RightButRehash
    }
}

/// A hash of a random password, verified against when the e-mail is unknown so that an unknown
/// account costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0u8; 24];
    rand::fill(&mut random);
    let password: String = random.iter().map(|b| format!("{b:02x}")).collect();
    hash(&password).unwrap_or_default()
});

/// Spends the time of one verification and always fails.
pub fn verify_dummy(password: &str) -> Verdict {
    let _ = verify(password, &DUMMY_HASH);
    Verdict::Wrong
}

/// Computes the dummy hash now, so the first unknown-e-mail log-in is not slower than others.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(verify("correct horse battery", &h), Verdict::Right);
        assert_eq!(verify("wrong horse battery", &h), Verdict::Wrong);
        assert_eq!(verify("x", "not a phc string"), Verdict::Wrong);
    }

    #[test]
    fn weaker_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let h = weak
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert_eq!(verify("correct horse battery", &h), Verdict::RightButRehash);
    }

    #[test]
    fn the_dummy_never_verifies() {
        assert_eq!(verify_dummy("anything at all"), Verdict::Wrong);
    }
}
