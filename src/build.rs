//! Link settings of the `tapin` binary that cut the kiosk's memory:
//!
//! - the dynamic relocations packed (RELR: a few KiB read at start instead of
//!   close to a megabyte of `.rela.dyn`). Position-independent (ASLR) all the
//!   same: the hub is this binary too and faces the network. Such a binary
//!   needs glibc 2.36 or newer where it runs (Debian 12, Raspberry Pi OS
//!   bookworm, Ubuntu 22.10): build it on the kiosk's own release.
//! - the kiosk's functions first in `.text`, in the order of
//!   `assets/kiosk-symbols.order` (see `assets/kiosk-symbols.sh`, which makes
//!   it): the kernel maps the binary in 64 KiB windows around each page
//!   touched, so the kiosk's code scattered among the hub's costs ~6 MiB
//!   resident, gathered ~2 MiB. lld only (`--symbol-ordering-file` is not GNU
//!   ld's), which rustc uses by default on x86_64-unknown-linux-gnu; elsewhere
//!   or with another linker chosen, the binary is linked as before. Names that
//!   are no longer in the binary are skipped silently: a stale list costs
//!   memory, never a build.

use std::env;

const ORDER: &str = "assets/kiosk-symbols.order";

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-changed={ORDER}");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    println!("cargo:rerun-if-env-changed=TAPIN_NO_SYMBOL_ORDER");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    if links_with_rust_lld() {
        let dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={dir}/{ORDER}");
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether the binary is linked by rustc's own lld: the target where that is
/// the default, and nothing in the build choosing another linker
/// (`TAPIN_NO_SYMBOL_ORDER` turns the ordering off by hand).
fn links_with_rust_lld() -> bool {
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu")
        && env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_none()
        && env::var_os("TAPIN_NO_SYMBOL_ORDER").is_none()
        && !flags.contains("linker")
        && !flags.contains("fuse-ld")
}
