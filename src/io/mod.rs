//! File formats in and out that are not the network's own: DIMACS graphs, GTFS feeds, OpenStreetMap streets, points and
//! opportunities for accessibility, writing output files and folders atomically, and the
//! compiled-model cache of imported folders.

pub mod cache;
pub mod dimacs;
pub mod gtfs;
pub mod gtfs_export;
pub mod gtfs_network;
pub mod opportunities;
pub mod osm;
pub mod points;
pub mod write;
