//! The network: typed ids, the plain data model read from the files, loading and validation,
//! and the problems reported on bad input. Nothing here knows a graph or a search.

pub mod bundled;
pub mod columns;
pub mod ids;
pub mod load;
pub mod model;
pub mod problem;
pub mod source;
pub mod stream;
pub mod timetable;
pub mod validate;
