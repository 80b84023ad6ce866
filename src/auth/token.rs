//! Random tokens for emailed links: the link carries the token, the database only its SHA-256.

use base64::Engine;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut b)
        .expect("the OS random generator failed");
    b
}

/// A new URL-safe token (256 bits).
pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// The stored form of a token.
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The CSRF token of a user's sign-ins: every session of the user at `epoch` carries the same
/// one, so a page drawn for one of them holds the right token for all (`web::page_cache` keeps it
/// once per user, not once per browser). Only the server can make it (an HMAC under the session
/// key), and a new epoch (a password changed or reset, the account deactivated) gives a new one.
pub fn csrf_for(secret: &[u8], user: i32, epoch: i32) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("biw-csrf\0{user}\0{epoch}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_csrf_token_is_one_per_epoch_and_only_the_key_holder_can_make_it() {
        let key = [7u8; 64];
        let token = csrf_for(&key, 12, 3);
        assert_eq!(token, csrf_for(&key, 12, 3), "every sign-in of the user");
        assert_eq!(token.len(), 43, "256 bits, URL-safe");
        assert_ne!(token, csrf_for(&key, 13, 3), "another user");
        assert_ne!(token, csrf_for(&key, 12, 4), "a new epoch");
        assert_ne!(token, csrf_for(&[8u8; 64], 12, 3), "another server key");
        // The separator keeps (1, 23) and (12, 3) apart.
        assert_ne!(csrf_for(&key, 1, 23), csrf_for(&key, 12, 3));
    }
}
