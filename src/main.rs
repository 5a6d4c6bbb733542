use std::process::ExitCode;

/// mimalloc rather than the system allocator: the root Cargo.toml says why.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    onehour::cli::main()
}
