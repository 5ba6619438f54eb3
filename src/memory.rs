//! Handing memory the allocator keeps for reuse back to the system.

/// Gives the memory that `malloc` keeps after frees back to the system. glibc's malloc
/// keeps what threads free in their arenas; at fleet scale what the loaders leave
/// there is a sixth of the run's peak memory. Elsewhere this does nothing.
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only gives free pages back; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}
