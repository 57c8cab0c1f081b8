//! Secrets shared by the kiosk and the hub. Today: the PIN verifier, made on the
//! hub and checked offline on the kiosk.

pub mod pin_verifier;
pub mod store;
