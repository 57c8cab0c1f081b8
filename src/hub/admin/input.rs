//! Checks of strings that come from clients (names, badges, PINs, references).
//!
//! Guarantees: an accepted name is trimmed, 1 to [`MAX_NAME_CHARS`] characters,
//! and holds nothing `crate::sanitize::for_terminal` would replace (no control
//! characters, escape sequences or bidi overrides); a badge is 1 to
//! [`MAX_BADGE_CHARS`] such characters without spaces; a PIN is checked by
//! `crate::secrets::pin_verifier::check_pin`. Refusals are 400 naming the field and
//! never echo a PIN.

use crate::hub::error::ApiError;
use crate::sanitize::for_terminal;
use crate::secrets::pin_verifier;
use crate::wire::admin::{MAX_BADGE_CHARS, MAX_NAME_CHARS};

fn has_unsafe(text: &str) -> bool {
    for_terminal(text) != text
}

/// A name for `field` ("the person's name", "the role name", ...), trimmed.
pub fn name(field: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::bad_request(format!("{field} is empty")));
    }
    let chars = value.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "{field} is {chars} characters long; at most {MAX_NAME_CHARS} are allowed"
        )));
    }
    if has_unsafe(value) {
        return Err(ApiError::bad_request(format!(
            "{field} contains control characters (such as newlines or escape sequences); \
             use printable text only"
        )));
    }
    Ok(value.to_owned())
}

/// A badge code, trimmed.
pub fn badge(value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    let chars = value.chars().count();
    if value.is_empty() || chars > MAX_BADGE_CHARS {
        return Err(ApiError::bad_request(format!(
            "a badge code is 1 to {MAX_BADGE_CHARS} characters"
        )));
    }
    if has_unsafe(value) || value.chars().any(char::is_whitespace) {
        return Err(ApiError::bad_request(
            "a badge code holds printable characters only, without spaces",
        ));
    }
    Ok(value.to_owned())
}

/// A PIN's form (the PIN itself is never echoed).
pub fn pin(value: &str) -> Result<(), ApiError> {
    pin_verifier::check_pin(value).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// A reference (id or name) to something, checked like a name so that error
/// messages quoting it stay printable and short.
pub fn reference(what: &str, value: &str) -> Result<String, ApiError> {
    name(&format!("the {what} reference"), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(name("the name", "  Ana María ").unwrap(), "Ana María");
        assert_eq!(
            name("the name", &"é".repeat(200)).unwrap().chars().count(),
            200
        );
        for bad in ["", "   ", "a\nb", "\u{1b}[2J", "x\u{202E}y", "tab\there"] {
            let err = name("the name", bad).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{bad:?}");
        }
        let long = name("the name", &"a".repeat(201)).unwrap_err();
        assert!(long.message.contains("201"), "{}", long.message);
        assert!(long.message.contains("200"), "{}", long.message);
    }

    #[test]
    fn badges_have_no_spaces_and_pins_are_digits() {
        assert_eq!(badge(" 0042 ").unwrap(), "0042");
        assert!(badge("00 42").is_err());
        assert!(badge("").is_err());
        assert!(badge(&"1".repeat(65)).is_err());
        assert!(pin("1234").is_ok());
        let err = pin("12ab").unwrap_err();
        assert!(!err.message.contains("12ab"), "the PIN is not echoed");
    }
}
