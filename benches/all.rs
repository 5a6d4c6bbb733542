//! Every benchmark in one binary, for checking that they build and run (CI runs
//! `cargo test --release --bench all`: each benchmark once, in criterion's test mode). Each
//! bench file is also its own target for measuring (`cargo bench --bench engine`); linking the
//! whole crate with LTO costs about 20 CPU seconds a binary, so one binary instead of eight
//! saves CI a few minutes. A test of the suite (`every_bench_is_in_benches_all`) fails if a file
//! of benches/ is missing here.
//!
//! `cargo bench --bench all -- GROUP` runs the groups whose names match, across all files.

// Each file's `criterion_main!` defines a `main` that only its own target calls.
#[allow(dead_code)]
mod access;
#[allow(dead_code)]
mod engine;
#[allow(dead_code)]
mod indicators;
#[allow(dead_code)]
mod isochrone;
#[allow(dead_code)]
mod parse;
#[allow(dead_code)]
mod rank;
#[allow(dead_code)]
mod raptor;
#[allow(dead_code)]
mod serve;

criterion::criterion_main!(
    access::benches,
    engine::benches,
    indicators::benches,
    isochrone::benches,
    parse::benches,
    rank::benches,
    raptor::benches,
    serve::benches,
);
