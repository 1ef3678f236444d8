//! The `maillage` command.

// Rendering allocates many small values on every thread: mimalloc keeps
// that fast and its memory bounded.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    avoid_transparent_huge_pages();
    std::process::exit(maillage::cli::run(std::env::args_os()));
}

/// With transparent huge pages set to "always", every fresh 2 MiB of heap
/// is zeroed by the kernel on first touch; a build that allocates and frees
/// a lot spent more time there than rendering. Opting this process out
/// keeps ordinary 4 KiB pages.
fn avoid_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and only
    // changes this process's memory policy.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
