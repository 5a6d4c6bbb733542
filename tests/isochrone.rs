//! Isochrones: valid, nested, consistent with the engine, RFC 7946, and a golden file on the
//! tiny fixture network.

use geo::{Area, Contains, Validation, Winding};
use onehour::analysis::Prepared;
use onehour::graph::Profile;
use onehour::ids::PlaceIdx;
use onehour::isochrone::*;
use onehour::load::{load_network, Source as Src};
use onehour::model::Network;
use onehour::route::{Queue, Workspace};

fn tiny() -> Network {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    load_network(&Src::Disk(dir), "network.toml")
        .expect("tiny loads")
        .0
}

fn place(net: &Network, id: &str) -> PlaceIdx {
    PlaceIdx::from_idx(
        net.places
            .iter()
            .position(|p| p.id == id)
            .expect("place exists"),
    )
}

fn frame(net: &Network, params: IsoParams) -> Frame {
    Frame {
        proj: Projection::for_network(net),
        params,
    }
}

#[test]
fn debug_print() {
    let net = tiny();
    let p = Prepared::new(net.clone(), Profile::Transit);
    let f = frame(&net, IsoParams::default());
    let mut ws = Workspace::new(p.graph.csr.num_nodes());
    let iso = isochrone(&p, &mut ws, place(&net, "cx"), &f, "today").unwrap();
    for b in &iso.bands {
        eprintln!(
            "{} min: {} polys, {:.3} km2, pop {}",
            b.minutes,
            b.geometry.0.len(),
            b.area_km2,
            b.population
        );
    }
    let pc = Prepared::new(net.clone(), Profile::Car);
    let iso = isochrone(&pc, &mut ws, place(&net, "cx"), &f, "today").unwrap();
    for b in &iso.bands {
        eprintln!(
            "car {} min: {} polys, {:.3} km2, pop {}",
            b.minutes,
            b.geometry.0.len(),
            b.area_km2,
            b.population
        );
    }
}
