#![warn(missing_docs)]
//! onehour: do the centres of a metropolitan region reach each other within one hour, door to
//! door, and what does each planned line change?
//!
//! Modules by role; dependencies point one way (each uses only those listed before it):
//! `network` (ids, model, loading, validation) → `scenario` (edit commands) → `graph` (the
//! compiled CSR graph per profile) → `engine` (one-to-all searches and parallel sweeps) →
//! `analysis` (matrices, routes, comparisons, rankings, indicators) → `geo` (isochrones,
//! GeoJSON, SVG map, grids) → `io` (DIMACS, GTFS, OpenStreetMap streets, points and
//! opportunities, atomic output files, the compiled-model cache) → `access` (travel times from
//! arbitrary points and grid cells, accessibility indicators and their reports) → `api` (the
//! library facade: a [`api::Model`] that compiles each scenario once and answers matrices,
//! routes, isochrones and comparisons in the command line's JSON, for the server and bindings)
//! → `serve` (the local web app's HTTP API and page, on axum and tokio) → `cli` (flags,
//! commands, tables). Only `cli` knows clap, indicatif and anyhow; `main` is glue.
//! `tests/layering.rs` checks this order, that no file imports another that imports it back,
//! and that only `cli` names clap, indicatif and anyhow.
//!
//! Glossary: a *place* is a station, centre, zone or road node; a *service* one stopping
//! pattern of a line; a *platform node* the graph node of one service at one stop in one
//! direction; a *sweep* one-to-all searches from many origins in parallel; a *scenario* a list
//! of edit commands on the network; a *horizon* a scenario that composes projects.
//!
//! # The library path
//!
//! Load a network, take it as of its date, apply a scenario, compile it once and query it; a
//! compiled network ([`graph::Prepared`]) is immutable and `Sync`, so one copy serves every
//! thread, each with its own search workspace (as the sweeps in [`engine`] do):
//!
//! ```
//! use onehour::analysis::{find_place, route, time_matrix};
//! use onehour::graph::{Prepared, Profile};
//! use onehour::network::{bundled, load::load_network};
//! use onehour::scenario::{apply, Library};
//!
//! let (full, _warnings) = load_network(&bundled::networks(), "guangzhou/network.toml").unwrap();
//! let today = full.as_on(full.valid_on.unwrap());
//! let lib = Library::load(bundled::scenarios()).unwrap();
//! let plan = apply(&today, &lib.chain("plan-2030").unwrap()).unwrap();
//!
//! let (now, then) = (Prepared::new(today, Profile::Transit), Prepared::new(plan, Profile::Transit));
//! let a = find_place(&now.net, "c_guangzhou_tianhe").unwrap();
//! let b = find_place(&now.net, "c_foshan").unwrap();
//! let m_now = time_matrix(&now, &[a], &[b], now.default_bound());
//! let m_then = time_matrix(&then, &[a], &[b], then.default_bound());
//! // A horizon only adds and speeds up lines here: no trip gets longer.
//! assert!(m_then.minutes(0, 0).unwrap() <= m_now.minutes(0, 0).unwrap());
//!
//! // The same trip, leg by leg.
//! let r = route(&now, a, b, now.default_bound()).unwrap();
//! assert!((r.legs.iter().map(|l| l.minutes).sum::<f64>() - r.total_minutes).abs() < 0.01);
//! ```

pub mod access;
pub mod analysis;
pub mod api;
pub mod cli;
pub mod engine;
pub mod geo;
pub mod graph;
pub mod io;
pub mod network;
pub mod scenario;
pub mod serve;
