//! The `maillage` command.

// Rendering allocates many small values on every thread: mimalloc keeps
// that fast and its memory bounded.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(maillage::cli::run(std::env::args_os()));
}
