//! Secrets the hub hands out: device tokens, enrollment codes, peppers. Only their
//! SHA-256 hashes are stored; the secret itself leaves the hub once, in the answer
//! that creates it, and is never logged.

use rand::Rng;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed on a
/// kiosk keyboard is not misread.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of an enrollment code (50 bits).
pub const CODE_LEN: usize = 10;

/// `bytes` random bytes from the OS, in hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill(buf.as_mut_slice());
    hex::encode(buf)
}

/// A device or admin token: 32 random bytes in hex.
pub fn new_token() -> String {
    random_hex(32)
}

/// SHA-256 of a secret, in hex: what the database stores.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh enrollment code, grouped for reading: `7KQ2M-X9D4T`.
pub fn new_enrollment_code() -> String {
    let mut code = String::with_capacity(CODE_LEN + 1);
    for i in 0..CODE_LEN {
        if i == CODE_LEN / 2 {
            code.push('-');
        }
        let c = CODE_ALPHABET[OsRng.gen_range(0..CODE_ALPHABET.len())];
        code.push(char::from(c));
    }
    code
}

/// The canonical form of a typed code (upper case, no dashes or spaces, O read as 0
/// and I or L as 1), or `None` when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_LEN);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) || out.len() == CODE_LEN {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_LEN).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_normalisation() {
        for _ in 0..100 {
            let code = new_enrollment_code();
            assert_eq!(code.len(), CODE_LEN + 1);
            let norm = normalize_code(&code).unwrap();
            assert_eq!(norm, code.replace('-', ""));
            assert_eq!(normalize_code(&code.to_lowercase()), Some(norm.clone()));
        }
    }

    #[test]
    fn misreadable_letters_are_forgiven_and_junk_refused() {
        assert_eq!(
            normalize_code("oil23-45678").as_deref(),
            Some("01123 45678".replace(' ', "").as_str())
        );
        assert_eq!(normalize_code("short"), None);
        assert_eq!(normalize_code("ABCDE-FGHJKM"), None);
        assert_eq!(normalize_code("ABCDE-FGHJ!"), None);
        assert_eq!(normalize_code("ÄBCDE-FGHJK"), None);
    }

    #[test]
    fn tokens_are_64_hex_and_hash_to_64_hex() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_eq!(hash(&t).len(), 64);
        assert_ne!(hash(&t), t);
    }
}
