//! Giving memory the import freed back to the system.
//!
//! glibc's allocator returns freed memory to the system only from the top of each arena. An
//! import frees a batch's sample buffers (tens of MB) around the few long-lived allocations made
//! meanwhile, so without this its resident size kept every batch's high-water mark, and grew
//! about three times as fast as its live heap (issue 7: 145 MB at 1,000 files, 200-220 MB at
//! 10,000, for a heap that grew 20 MB).

/// Asks glibc to hand the free pages of every arena back to the system (`malloc_trim(0)`).
/// It walks and locks each arena in turn (about 8 ms after a batch here), and every page it
/// returns is faulted in again when next used, so it is called once an import's pipeline is done.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_free_memory() {
    // SAFETY: `malloc_trim` takes no pointers and has no precondition; glibc serializes it with
    // every other allocator call.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Elsewhere (musl, macOS, Windows) there is no such call, and their allocators give memory
/// back on their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() {}
