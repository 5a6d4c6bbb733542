//! The Porto Alegre fixture (`tests/fixtures/porto-alegre/`, see its ATTRIBUTION.md): the
//! EPTC bus and Trensurb rail feeds, an OpenStreetMap extract, an H3 grid of population and
//! jobs, and scenarios.

use std::path::{Path, PathBuf};

use super::{onehour, root};

/// The fixture's folder.
pub fn dir() -> PathBuf {
    root().join("tests/fixtures/porto-alegre")
}

/// The two GTFS feeds: EPTC buses, Trensurb rail.
pub fn feeds() -> [PathBuf; 2] {
    let d = dir();
    [d.join("poa_eptc.zip"), d.join("poa_trensurb.zip")]
}

/// The OpenStreetMap extract.
pub fn pbf() -> PathBuf {
    dir().join("poa_osm.pbf")
}

/// `onehour import gtfs` of both feeds into the network folder `out`, lenient (the feeds
/// hold a few impossible times), with the extract's streets when `streets`.
pub fn import(out: &Path, streets: bool) -> assert_cmd::Command {
    let mut c = onehour();
    c.args(["import", "gtfs"]).args(feeds()).arg("--lenient");
    if streets {
        c.arg("--osm").arg(pbf());
    }
    c.arg("--out").arg(out);
    c
}
