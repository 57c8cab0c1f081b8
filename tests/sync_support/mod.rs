//! Scaffolding of the sync tests: the fault-injecting proxy between the kiosk's sync
//! worker and an in-process hub.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod proxy;
