//! What planners ask: centre-to-centre matrices with verdicts (door to door and station to
//! station), routes explained as legs, scenario comparisons, population within reach (a
//! population surface's cells, or zones), rankings of projects, the sensitivity of answers to
//! estimated figures, and travel times and routes on the timetables.

pub mod checks;
pub mod compare;
pub mod explain;
pub mod json;
pub mod matrix;
pub mod population;
pub mod rank;
pub mod round;
pub mod sensitivity;
pub mod station;
pub mod timed;
pub mod timed_route;
pub mod window;

pub use checks::{connectivity, fastest_ride, Connectivity};
pub use compare::{compare, compare_reach, Comparison};
pub use explain::{explain, route, Leg, LegKind, Route};
pub use matrix::{find_origin, find_place, population_within, time_matrix, TimeMatrix};
pub use rank::Timing;
pub use rank::{benefit, projects_of, rank, reach, Benefit, Ranked, Reach};
pub use sensitivity::{is_estimate, scale_estimates, Estimated};
pub use station::{station_matrix, Indicator, StationMatrix, StationPairs, StationPairsRow};
pub use window::{WindowMatrix, WindowOptions};
