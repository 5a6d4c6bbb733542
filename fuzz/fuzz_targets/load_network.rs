//! The network loader on a copy of the tiny fixture with one file replaced by the input (the
//! first byte picks the file): it must load or return problems, never panic, hang or abort.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onehour::network::load::load_network;
use onehour::network::source::Source;
use std::path::Path;

const FILES: [&str; 9] = [
    "network.toml",
    "part.toml",
    "stations.csv",
    "centres.csv",
    "zones.csv",
    "services.toml",
    "roads.csv",
    "road_nodes.csv",
    "links.csv",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tiny");
    let dir = tempfile::tempdir().unwrap();
    for f in FILES {
        std::fs::copy(fixture.join(f), dir.path().join(f)).unwrap();
    }
    let file = FILES[pick as usize % FILES.len()];
    std::fs::write(dir.path().join(file), bytes).unwrap();
    if let Err(p) = load_network(&Source::Disk(dir.path().to_path_buf()), "network.toml") {
        assert!(p.errors().count() > 0);
        let _ = p.to_string();
    }
});
