//! Link settings of the `tapin` binary that cut the kiosk's memory: the
//! dynamic relocations packed (RELR: a few KiB read at start instead of close
//! to a megabyte of `.rela.dyn`). Position-independent (ASLR) all the same:
//! the hub is this binary too and faces the network. Such a binary needs glibc
//! 2.36 or newer where it runs (Debian 12, Raspberry Pi OS bookworm, Ubuntu
//! 22.10): build it on the kiosk's own release.

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
