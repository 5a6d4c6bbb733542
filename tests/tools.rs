//! The scripts that derived figures of the bundled network (coordinate conversion, run-time
//! importers) live in `networks/guangzhou/tools/` with their own unit tests (Python standard
//! library only); this runs them as part of the README's test command.

use std::process::Command;

#[test]
fn network_tools_pass_their_unit_tests() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/guangzhou/tools");
    let out = Command::new("python3")
        .args([
            "-m",
            "unittest",
            "discover",
            "-s",
            dir,
            "-p",
            "test_*.py",
            "-t",
            dir,
        ])
        .current_dir(dir)
        .output()
        .expect("python3 must be installed to run the network tools' tests (any Python >= 3.11)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the tools' tests failed:\n{err}");
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
    assert!(ran >= 10, "expected the tools' tests to run, got:\n{err}");
}
