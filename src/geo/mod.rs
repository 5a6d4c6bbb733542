//! Geography: the travel-time surface and its contours (isochrones), GeoJSON of isochrones and
//! of the network, the SVG map, and the grid of cells accessibility is measured on.

pub mod grid;
pub mod isochrone;
pub mod map;
pub mod network_geojson;
pub mod style;
pub mod validity;
