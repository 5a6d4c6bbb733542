//! The integration tests: one module per file of `tests/`, compiled into one test binary
//! (`autotests = false` and one `[[test]]` in Cargo.toml). Each test binary links the whole
//! crate, and with the release profile's LTO a link costs about 20 CPU seconds: one binary
//! instead of one per file saves several minutes of every `cargo test --release`.
//!
//! One file's tests: `cargo test --release --test suite serve::` (a module path filter).

mod common;
#[path = "common/netgen.rs"]
mod netgen;
#[path = "../benches/support/synth.rs"]
#[allow(dead_code)]
mod synth;

mod access;
mod api;
mod cli;
mod dates;
mod engine;
mod fidelity;
mod golden;
mod gtfs;
mod gtfs_network;
mod isochrone;
mod layering;
mod network;
mod osm;
mod outputs;
mod population;
mod raptor;
mod robustness;
mod scenario;
mod serve;
mod spatial;
mod timetabled;
mod tools;
mod validation;

/// A test file not declared above would silently never run: every `tests/*.rs` must be a
/// module of this suite.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let this = include_str!("suite.rs");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(m) = name.strip_suffix(".rs") {
            if m != "suite" && !this.contains(&format!("\nmod {m};\n")) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "tests/{missing:?} not declared in tests/suite.rs: add `mod NAME;` there"
    );
}

/// CI builds and runs the benchmarks through benches/all.rs (one binary): every bench file
/// must be a module of it, and a `[[bench]]` of Cargo.toml.
#[test]
fn every_bench_is_in_benches_all() {
    let root = env!("CARGO_MANIFEST_DIR");
    let all = std::fs::read_to_string(format!("{root}/benches/all.rs")).unwrap();
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    let mut missing = Vec::new();
    for e in std::fs::read_dir(format!("{root}/benches")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(m) = name.strip_suffix(".rs") {
            if m == "all" {
                continue;
            }
            if !all.contains(&format!("\nmod {m};\n")) || !all.contains(&format!("{m}::benches,")) {
                missing.push(format!(
                    "benches/all.rs: add `mod {m};` and `{m}::benches` for {name}"
                ));
            }
            if !manifest.contains(&format!("[[bench]]\nname = \"{m}\"\n")) {
                missing.push(format!("Cargo.toml: add a [[bench]] named {m} for {name}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
