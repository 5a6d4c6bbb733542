//! `onehour validate`: every problem of a network, its size and its connectivity.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::cli::opts::NetOpts;
use crate::cli::output::emit;
use crate::cli::session::Session;
use crate::graph::{Prepared, Profile};

/// Runs `onehour validate`.
pub fn run(net: NetOpts, scenario: Option<String>) -> Result<ExitCode> {
    let s = Session::open(&net)?;
    let n = s.network(scenario.as_deref())?;
    // The population surface is parsed only by the commands that count people (compare,
    // isochrones, rank): read it here as they do, so that a bad one fails here first.
    let surface = crate::cli::session::population_surface(&n)?;
    // Two graphs of one network: one copy of it goes to each (the report reads the car's).
    let t = Prepared::new(n.clone(), Profile::Transit);
    let c = Prepared::new(n, Profile::Car);
    let n = &c.net;
    let mut text = String::new();
    outln!(
        text,
        "{}: {} places ({} stations, {} centres, {} zones, {} road nodes), {} services, {} roads, {} links; transit graph {} nodes {} arcs, car graph {} nodes {} arcs — valid",
        n.title,
        n.places.len(),
        n.places_of(crate::network::model::PlaceKind::Station).len(),
        n.centres().len(),
        n.zones().len(),
        n.places_of(crate::network::model::PlaceKind::RoadNode).len(),
        n.services.len(),
        n.roads.len(),
        n.links.len(),
        t.graph.csr.num_nodes(),
        t.graph.csr.num_arcs(),
        c.graph.csr.num_nodes(),
        c.graph.csr.num_arcs()
    );
    if let Some(st) = crate::graph::streets::Streets::from_network(n) {
        let st = st?;
        outln!(
            text,
            "streets {}: {} nodes, {} walking edges ({:.0} km), {} driving arcs ({:.0} km)",
            n.streets
                .as_ref()
                .map(|f| f.osm.as_str())
                .unwrap_or_default(),
            st.num_nodes(),
            st.num_walk_edges(),
            st.walk_km(),
            st.num_car_arcs(),
            st.car_km()
        );
    }
    if let Some(sf) = &surface {
        outln!(
            text,
            "population surface {}: {:.0} people on {} cells",
            sf.source,
            sf.total(),
            sf.people.len()
        );
    }
    let served = n.served_stations();
    let unserved: Vec<&str> = n
        .places
        .iter()
        .filter(|p| {
            p.kind == crate::network::model::PlaceKind::Station && !served.contains(p.id.as_str())
        })
        .map(|p| p.id.as_str())
        .collect();
    if !unserved.is_empty() {
        outln!(
            text,
            "{} station(s) without service{}: {}",
            unserved.len(),
            s.day_label()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default(),
            unserved.join(", ")
        );
    }
    for (p, name) in [(&t, "transit"), (&c, "car")] {
        let k = analysis::connectivity(p);
        outln!(
            text,
            "{name} graph: centres and zones in {} connected component(s)",
            k.components
        );
        if name == "transit" {
            for (centre, missing) in &k.unreached {
                let mut shown = missing.clone();
                shown.truncate(10);
                eprintln!(
                    "warning: centre {centre} cannot reach {} station(s) by transit: {}{} (fix: add services or links that connect them)",
                    missing.len(),
                    shown.join(", "),
                    if missing.len() > 10 { ", ..." } else { "" }
                );
            }
        }
    }
    emit(&None, &text)?;
    Ok(ExitCode::SUCCESS)
}
