//! The columns of each CSV file of a network folder (`docs/network-format.md`), in the order
//! they are written: the loader requires them, and an import writes them.

/// `stations` files.
pub const STATIONS: &[&str] = &[
    "id",
    "name",
    "name_zh",
    "city",
    "district",
    "lon",
    "lat",
    "interchange_min",
    "source",
];
/// `centres` files.
pub const CENTRES: &[&str] = &[
    "id", "name", "name_zh", "city", "district", "lon", "lat", "in_area", "source",
];
/// `zones` files.
pub const ZONES: &[&str] = &[
    "id",
    "name",
    "name_zh",
    "city",
    "lon",
    "lat",
    "population",
    "population_year",
    "source",
];
/// `road_nodes` files.
pub const ROAD_NODES: &[&str] = &["id", "name", "name_zh", "lon", "lat", "source"];
/// `roads` files.
pub const ROADS: &[&str] = &[
    "id",
    "from",
    "to",
    "name",
    "name_zh",
    "km",
    "speed_kmh",
    "congestion",
    "opened",
    "source",
];
/// `links` files.
pub const LINKS: &[&str] = &["from", "to", "minutes", "kind", "source"];
/// `centre_stations` files.
pub const CENTRE_STATIONS: &[&str] = &["centre", "station", "source"];
/// `calendars` files.
pub const CALENDARS: &[&str] = &["id", "days", "start", "end", "added", "removed", "source"];
/// `trips` files.
pub const TRIPS: &[&str] = &[
    "service", "trip", "calendar", "stop", "arrive", "depart", "source",
];
/// `bands` files.
pub const BANDS: &[&str] = &[
    "service",
    "calendar",
    "direction",
    "start",
    "end",
    "headway_min",
    "exact",
    "source",
];
