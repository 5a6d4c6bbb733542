//! The network: typed ids, the plain data model read from the files, loading and validation,
//! and the problems reported on bad input. Nothing here knows a graph or a search.

pub mod bundled;
pub mod ids;
pub mod load;
pub mod model;
pub mod problem;
// The timetable model of issue 13 is new: its field-level docs are still to be written.
#[allow(missing_docs)]
pub mod timetable;
pub mod validate;
