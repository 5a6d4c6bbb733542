//! The timetable modes in outputs: re-exported from the core ([`crate::analysis::timed`]),
//! where the server and the library use them too.

pub use crate::analysis::timed::{pct_key, timed_matrix, weekday, Timed};
