//! mimalloc (the `ordo` and `tpcc` binaries' global allocator), told to keep the pages it
//! frees. The benches crate compiles this same file (`#[path]`), so both binaries run with
//! one setting; each declares the `#[global_allocator]` itself, since a library cannot set
//! it for the binaries and examples that declare their own.
//!
//! The engine allocates many small, short-lived values per command, and glibc's malloc cost
//! a quarter of the CPU time of the TPC-C benchmark on sled; mimalloc took that away
//! (BENCHMARKS.md). By default mimalloc hands freed pages back to the kernel a second
//! after they fall empty (`madvise`), and a busy server touches them again soon after:
//! page faults and zeroed pages were ~10 % of the CPU time of the same benchmark, and
//! keeping the pages raised its New-Order throughput by 10–30 %. The cost is that the
//! process keeps the largest heap it ever had.

/// `mi_option_purge_delay` in mimalloc v3's option enum (libmimalloc-sys exposes no
/// constant for it; the test below checks the index against the option's default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc never to return freed pages to the kernel (see the module
/// documentation). Call it first in `main`, before any other thread starts.
#[allow(unsafe_code)]
pub fn keep_freed_pages() {
    // SAFETY: sets one integer option; `mi_option_set` is not thread safe, and this runs
    // before the process starts its other threads.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)]
    fn the_option_index_is_the_purge_delay() {
        // SAFETY: reads one integer option.
        let default = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        // mimalloc v3's default purge delay (ms); no other option defaults to 1000.
        assert_eq!(default, 1000);
    }
}
