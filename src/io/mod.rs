//! File formats in and out that are not the network's own: DIMACS graphs, GTFS feeds, and
//! writing output files and folders atomically.

pub mod dimacs;
pub mod gtfs;
// The GTFS network import and export (issue 13): field docs as for `gtfs`.
pub mod gtfs_export;
#[allow(missing_docs)]
pub mod gtfs_network;
pub mod write;
