//! The scripts that derived figures of the bundled network (coordinate conversion, run-time
//! importers) live in `networks/guangzhou/tools/`, and those of the ferrobus peer benchmark
//! (stop-time interpolation, point selection, matrix comparison, the onehour run script) in
//! `benches/peer/ferrobus/`, each with their own unit tests (Python standard library only);
//! this runs them as part of the README's test command.

use std::process::Command;

/// Runs `python3 -m unittest discover` on `dir` (relative to the crate) and checks that at
/// least `min_tests` tests ran and passed.
fn python_unit_tests_pass(dir: &str, min_tests: u32) {
    let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .args([
            "-m",
            "unittest",
            "discover",
            "-s",
            &dir,
            "-p",
            "test_*.py",
            "-t",
            &dir,
        ])
        .current_dir(&dir)
        // No __pycache__ in the source tree: the build script watches networks/, so a new
        // folder there would make the next cargo command rebuild the crate.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 must be installed to run the tools' tests (any Python >= 3.11)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the tools' tests in {dir} failed:\n{err}"
    );
    // unittest prints "Ran N tests": make sure some ran.
    let ran = err
        .lines()
        .find_map(|l| {
            l.strip_prefix("Ran ")?
                .split_whitespace()
                .next()?
                .parse::<u32>()
                .ok()
        })
        .unwrap_or(0);
    assert!(
        ran >= min_tests,
        "expected at least {min_tests} tests to run in {dir}, got:\n{err}"
    );
}

#[test]
fn network_tools_pass_their_unit_tests() {
    python_unit_tests_pass("networks/guangzhou/tools", 10);
}

#[test]
fn ferrobus_peer_scripts_pass_their_unit_tests() {
    python_unit_tests_pass("benches/peer/ferrobus", 30);
}

#[test]
fn click_benchmark_script_passes_its_unit_tests() {
    python_unit_tests_pass("benches/clicks", 4);
}
