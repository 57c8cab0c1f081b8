//! PIN verifiers: what the hub stores and sends to kiosks instead of a PIN.
//!
//! Format (one ASCII line, `$`-separated, version first so it can change):
//!
//! ```text
//! tapin-pin-v1$argon2id$m=3584,t=10,p=1$<salt: 16 bytes, hex>$<hash: 32 bytes, hex>
//! ```
//!
//! `hash = argon2id(password = the PIN's UTF-8 bytes, salt, secret = the
//! organisation's PIN pepper (hex-decoded, 32 bytes), m KiB, t passes, p lanes,
//! 32-byte output, version 0x13)`. The pepper is argon2's secret input (K), so a
//! verifier alone (a stolen roster or database dump) cannot be brute-forced
//! without the pepper, which a kiosk receives once at enrollment.
//!
//! Guarantees: the PIN never appears in a verifier or in an error; verifying
//! compares in constant time; a verifier naming costs above [`MAX_MEMORY_KIB`],
//! [`MAX_PASSES`] or [`MAX_LANES`] is refused rather than computed (a forged roster
//! cannot make a kiosk spend minutes per tap); a PIN is 4 to 12 ASCII digits.
//!
//! Costs: new verifiers take argon2id with 3.5 MiB and 10 passes, as much work
//! as OWASP's 7 MiB, 5 passes (the setting before, and 19 MiB, 2 passes before
//! it): 22-25 ms of argon2 on the 2-core development machine, a PIN's Enter to
//! the Actions screen in 30-35 ms. The memory is below OWASP's on
//! purpose: the kiosk, which verifies, must fit in 16 MB with a 10,000-person
//! roster, and argon2's memory is most of a PIN check's peak. No memory cost
//! protects a PIN anyway: it has 10^4 to 10^6 values, so a leaked verifier
//! together with its pepper falls to an offline search in minutes to hours
//! whatever m is. What protects PINs is the pepper (a verifier without it, such
//! as a roster copied off a kiosk's disk, cannot be searched at all; the hub
//! keeps it in its database, see assets/DEPLOY.md) and the 5-try lockout at
//! the kiosk ([`crate::domain::MAX_PIN_FAILURES`]). The passes stay within
//! [`MAX_PASSES`] of older kiosks (10), so they verify new verifiers too. A
//! verifier carries its own costs, so those made with an older setting still
//! verify.

use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rand::rngs::OsRng;

/// The format tag every verifier starts with.
pub const TAG: &str = "tapin-pin-v1";
/// Digits a PIN has at least.
pub const MIN_PIN_DIGITS: usize = 4;
/// Digits a PIN has at most.
pub const MAX_PIN_DIGITS: usize = 12;
/// Memory cost of new verifiers, KiB: below OWASP's 7 MiB on purpose (see the
/// module's doc: the kiosk's 16 MB; the pepper and the lockout protect a PIN).
pub const MEMORY_KIB: u32 = 3584;
/// Passes of new verifiers: with [`MEMORY_KIB`], the work of OWASP's 7 MiB and
/// 5 passes, and no more than an older kiosk's [`MAX_PASSES`].
pub const PASSES: u32 = 10;
/// Lanes of new verifiers.
pub const LANES: u32 = 1;
/// The most memory a verifier may ask for, KiB.
pub const MAX_MEMORY_KIB: u32 = 256 * 1024;
/// The most passes a verifier may ask for.
pub const MAX_PASSES: u32 = 10;
/// The most lanes a verifier may ask for.
pub const MAX_LANES: u32 = 8;

const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;

/// Why a PIN or verifier was refused. Never contains the PIN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits (0-9), nothing else")]
    BadPin,
    #[error("the PIN pepper is not 64 hexadecimal characters")]
    BadPepper,
    #[error("not a tapin PIN verifier: {0}")]
    BadVerifier(&'static str),
    #[error("argon2 failed: {0}")]
    Argon2(String),
}

/// Checks a PIN's form: 4 to 12 ASCII digits.
pub fn check_pin(pin: &str) -> Result<(), PinError> {
    let ok = (MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&pin.len())
        && pin.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(()) } else { Err(PinError::BadPin) }
}

/// A new verifier of `pin` keyed with `pepper_hex`, with a fresh random salt.
pub fn make(pin: &str, pepper_hex: &str) -> Result<String, PinError> {
    check_pin(pin)?;
    let mut salt = [0u8; SALT_BYTES];
    OsRng.fill_bytes(&mut salt);
    make_with_salt(pin, pepper_hex, &salt, MEMORY_KIB, PASSES, LANES)
}

/// A verifier with the given salt and costs (tests pass small costs).
pub fn make_with_salt(
    pin: &str,
    pepper_hex: &str,
    salt: &[u8],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<String, PinError> {
    check_pin(pin)?;
    let pepper = pepper(pepper_hex)?;
    let hash = compute(pin, &pepper, salt, memory_kib, passes, lanes)?;
    Ok(format!(
        "{TAG}$argon2id$m={memory_kib},t={passes},p={lanes}${}${}",
        hex::encode(salt),
        hex::encode(hash)
    ))
}

/// Whether `pin` matches `verifier` under `pepper_hex`. A malformed verifier or
/// pepper is an error, not a mismatch, so a broken roster is noticed.
pub fn verify(pin: &str, verifier: &str, pepper_hex: &str) -> Result<bool, PinError> {
    let parsed = Parsed::from(verifier)?;
    let pepper = pepper(pepper_hex)?;
    if check_pin(pin).is_err() {
        return Ok(false);
    }
    let hash = compute(
        pin,
        &pepper,
        &parsed.salt,
        parsed.memory_kib,
        parsed.passes,
        parsed.lanes,
    )?;
    Ok(constant_time_eq(&hash, &parsed.hash))
}

struct Parsed {
    memory_kib: u32,
    passes: u32,
    lanes: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl Parsed {
    fn from(verifier: &str) -> Result<Parsed, PinError> {
        let mut parts = verifier.split('$');
        let (Some(tag), Some(alg), Some(costs), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(PinError::BadVerifier("expected 5 fields separated by $"));
        };
        if tag != TAG {
            return Err(PinError::BadVerifier("unknown format tag"));
        }
        if alg != "argon2id" {
            return Err(PinError::BadVerifier("unknown algorithm"));
        }
        let (mut m, mut t, mut p) = (None, None, None);
        for cost in costs.split(',') {
            let (key, value) = cost
                .split_once('=')
                .ok_or(PinError::BadVerifier("costs are key=value"))?;
            let value: u32 = value
                .parse()
                .map_err(|_| PinError::BadVerifier("a cost is not a number"))?;
            match key {
                "m" => m = Some(value),
                "t" => t = Some(value),
                "p" => p = Some(value),
                _ => return Err(PinError::BadVerifier("unknown cost")),
            }
        }
        let (Some(memory_kib), Some(passes), Some(lanes)) = (m, t, p) else {
            return Err(PinError::BadVerifier("costs m, t and p are required"));
        };
        if memory_kib > MAX_MEMORY_KIB || passes > MAX_PASSES || lanes > MAX_LANES {
            return Err(PinError::BadVerifier("costs above the allowed maximum"));
        }
        let salt = hex::decode(salt).map_err(|_| PinError::BadVerifier("salt is not hex"))?;
        let hash = hex::decode(hash).map_err(|_| PinError::BadVerifier("hash is not hex"))?;
        if salt.len() < 8 || hash.len() != HASH_BYTES {
            return Err(PinError::BadVerifier("salt or hash has the wrong length"));
        }
        Ok(Parsed {
            memory_kib,
            passes,
            lanes,
            salt,
            hash,
        })
    }
}

fn pepper(pepper_hex: &str) -> Result<Vec<u8>, PinError> {
    match hex::decode(pepper_hex) {
        Ok(bytes) if bytes.len() == 32 => Ok(bytes),
        _ => Err(PinError::BadPepper),
    }
}

fn compute(
    pin: &str,
    pepper: &[u8],
    salt: &[u8],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<[u8; HASH_BYTES], PinError> {
    let params = Params::new(memory_kib, passes, lanes, Some(HASH_BYTES))
        .map_err(|e| PinError::Argon2(e.to_string()))?;
    let argon = Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|e| PinError::Argon2(e.to_string()))?;
    let mut out = [0u8; HASH_BYTES];
    argon
        .hash_password_into(pin.as_bytes(), salt, &mut out)
        .map_err(|e| PinError::Argon2(e.to_string()))?;
    Ok(out)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEPPER: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const OTHER: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    fn cheap(pin: &str, pepper: &str) -> String {
        make_with_salt(pin, pepper, &[7u8; 16], 64, 1, 1).unwrap()
    }

    #[test]
    fn the_right_pin_verifies_and_a_wrong_one_or_pepper_does_not() {
        let v = cheap("1234", PEPPER);
        assert!(v.starts_with("tapin-pin-v1$argon2id$m=64,t=1,p=1$"), "{v}");
        assert!(!v.contains("1234$"), "the PIN is not in the verifier");
        assert_eq!(verify("1234", &v, PEPPER), Ok(true));
        assert_eq!(verify("1235", &v, PEPPER), Ok(false));
        assert_eq!(verify("12a4", &v, PEPPER), Ok(false));
        assert_eq!(
            verify("1234", &v, OTHER),
            Ok(false),
            "keyed with the pepper"
        );
    }

    #[test]
    fn default_costs_round_trip_with_a_random_salt() {
        let a = make("987654", PEPPER).unwrap();
        let b = make("987654", PEPPER).unwrap();
        assert_ne!(a, b, "fresh salt each time");
        assert!(a.contains("$m=3584,t=10,p=1$"), "{a}");
        assert_eq!(verify("987654", &a, PEPPER), Ok(true));
    }

    #[test]
    fn verifiers_made_with_the_older_costs_still_verify() {
        let old = make_with_salt("987654", PEPPER, &[9u8; 16], 19 * 1024, 2, 1).unwrap();
        assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
        assert_eq!(verify("987654", &old, PEPPER), Ok(true));
        assert_eq!(verify("987655", &old, PEPPER), Ok(false));
        let owasp = make_with_salt("987654", PEPPER, &[8u8; 16], 7 * 1024, 5, 1).unwrap();
        assert!(owasp.contains("$m=7168,t=5,p=1$"), "{owasp}");
        assert_eq!(verify("987654", &owasp, PEPPER), Ok(true));
        assert_eq!(verify("987655", &owasp, PEPPER), Ok(false));
    }

    #[test]
    fn pins_are_four_to_twelve_digits() {
        for bad in ["", "123", "1234567890123", "12 34", "１２３４", "abcd"] {
            assert_eq!(check_pin(bad), Err(PinError::BadPin), "{bad:?}");
            assert_eq!(make(bad, PEPPER), Err(PinError::BadPin));
        }
        assert_eq!(check_pin("0000"), Ok(()));
        assert_eq!(check_pin("123456789012"), Ok(()));
    }

    #[test]
    fn malformed_or_costly_verifiers_and_bad_peppers_are_errors() {
        let v = cheap("1234", PEPPER);
        assert_eq!(verify("1234", &v, "abc"), Err(PinError::BadPepper));
        for bad in [
            "",
            "tapin-pin-v2$argon2id$m=64,t=1,p=1$0707070707070707$00",
            &v.replace("argon2id", "argon2i"),
            &v.replace("m=64", "m=999999999"),
            &v.replace("t=1", "t=99"),
            &v.replace("m=64,", ""),
            &format!("{v}$extra"),
        ] {
            assert!(
                matches!(verify("1234", bad, PEPPER), Err(PinError::BadVerifier(_))),
                "{bad:?}"
            );
        }
    }
}
