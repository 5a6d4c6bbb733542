//! onehour: do the centres of a metropolitan region reach each other within one hour, door to
//! door, and what does each planned line change?
//!
//! Modules by role; dependencies point one way (each uses only those listed before it):
//! `ids` → `model` → `problem` → `validate` → `load` → `scenario` → `graph` (with `dimacs`
//! and `synth` for benchmark graphs) → `route` → `sweepbench` → `analysis` → `isochrone` →
//! `output` → `network_geojson` → `map` → `cli` (with `cli_geo`). `main` is glue.
//!
//! Glossary: a *place* is a station, centre, zone or road node; a *service* one stopping
//! pattern of a line; a *platform node* the graph node of one service at one stop in one
//! direction; a *sweep* one-to-all searches from many origins in parallel; a *scenario* a list
//! of edit commands on the network; a *horizon* a scenario that composes projects.

pub mod analysis;
pub mod bundled;
pub mod cli;
pub mod cli_geo;
pub mod dimacs;
pub mod graph;
pub mod ids;
pub mod isochrone;
pub mod load;
pub mod map;
pub mod model;
pub mod network_geojson;
pub mod output;
pub mod problem;
pub mod route;
pub mod scenario;
pub mod sweepbench;
pub mod synth;
pub mod validate;
