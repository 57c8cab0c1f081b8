//! glibc's allocator, set for the kiosk's 16 MB (with a 10,000-person roster
//! and a PIN check). By default each thread that allocates gets an arena of
//! its own, whose freed memory stays resident, and the threshold above which
//! a block gets its own mapping (given back to the system when freed) rises
//! after the first such block is freed, so that later big buffers (argon2's
//! memory, a roster's vectors) stay in the heap after use. Other allocators
//! (tests, musl) are left alone.

/// Blocks from this size get a mapping of their own: glibc's initial value,
/// fixed, which also fixes the trim threshold (twice it) instead of letting
/// both grow.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// One arena for every thread and a fixed mapping threshold. Called first
/// thing in the kiosk, before its threads start.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets allocator parameters, is thread-safe, and
        // these values are in range; a refusal (0) leaves the defaults.
        let (arenas, mmap) = unsafe {
            (
                libc::mallopt(libc::M_ARENA_MAX, 1),
                libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            )
        };
        if arenas == 0 || mmap == 0 {
            tracing::warn!("the allocator kept some default settings (more memory in use)");
        }
    }
}

/// Gives the freed memory of the heap back to the system: after start-up,
/// whose buffers (the roster's snapshot read, the TLS roots) are gone.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own heap.
    unsafe {
        libc::malloc_trim(0);
    }
}
