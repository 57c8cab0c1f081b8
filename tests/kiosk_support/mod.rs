//! Runs the real `tapin` binary in a pseudo-terminal and reads its screen, for
//! end-to-end kiosk tests. See [`pty`] for the harness; typical use:
//!
//! ```ignore
//! mod kiosk_support;
//! use kiosk_support::pty::{Pty, keys};
//! use std::time::Duration;
//!
//! let mut kiosk = Pty::builder()
//!     .args(["--config", config.to_str().unwrap(), "--data-dir", data.to_str().unwrap()])
//!     .size(80, 24)
//!     .spawn()
//!     .expect("kiosk starts");
//! kiosk.wait_for_text("Scan your badge", Duration::from_secs(10)).expect("home screen");
//! kiosk.scan_badge("12345").expect("scan");
//! kiosk.wait_for_text("Clocked in", Duration::from_secs(10)).expect("confirmation");
//! kiosk.send(&[keys::CTRL_C]).expect("write");          // must do nothing
//! kiosk.send_signal("TERM").expect("kill");
//! let status = kiosk.wait_exit(Duration::from_secs(10)).expect("exits");
//! assert!(status.success());
//! ```
//!
//! Every wait is a condition with a deadline: the screen is re-checked each
//! time the program writes, and a failure message carries the whole screen.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod pty;
