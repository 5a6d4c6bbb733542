//! Geography: the travel-time surface and its contours (isochrones), GeoJSON of isochrones and
//! of the network, and the SVG map.

pub mod isochrone;
pub mod map;
pub mod network_geojson;
pub mod style;
