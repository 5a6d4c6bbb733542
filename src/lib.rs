//! onehour: do the centres of a metropolitan region reach each other within one hour, door to
//! door, and what does each planned line change?
//!
//! Modules by role; dependencies point one way (each uses only those listed before it):
//! `network` (ids, model, loading, validation) → `scenario` (edit commands) → `graph` (the
//! compiled CSR graph per profile) → `engine` (one-to-all searches and parallel sweeps) →
//! `analysis` (matrices, routes, comparisons, rankings, indicators) → `geo` (isochrones,
//! GeoJSON, SVG map) → `io` (DIMACS, atomic output files) → `cli` (flags, commands, tables).
//! Only `cli` knows clap, indicatif and anyhow; `main` is glue.
//!
//! Glossary: a *place* is a station, centre, zone or road node; a *service* one stopping
//! pattern of a line; a *platform node* the graph node of one service at one stop in one
//! direction; a *sweep* one-to-all searches from many origins in parallel; a *scenario* a list
//! of edit commands on the network; a *horizon* a scenario that composes projects.

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod geo;
pub mod graph;
pub mod io;
pub mod network;
pub mod scenario;
