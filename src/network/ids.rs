//! Typed indices, all in one place.
//!
//! Every index that crosses a module boundary is a newtype over `u32`, so that a place index can
//! never be passed where a graph node is expected. Stable *external* ids (the strings in the
//! network files) are what scenarios and users speak; these internal indices are rebuilt every
//! time a network is compiled and are never saved.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for indexing the vector this id belongs to.
            #[inline(always)]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
            /// Builds an id from a vector index. Panics if it does not fit in `u32`, which the
            /// graph builder rules out beforehand.
            #[inline(always)]
            pub fn from_idx(i: usize) -> Self {
                debug_assert!(i <= u32::MAX as usize);
                $name(i as u32)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}
pub(crate) use id_type;

id_type!(
    /// Index of a place (station, centre, zone or road node) in `Network::places`.
    PlaceIdx, "place#"
);
id_type!(
    /// Index of a service (one stopping pattern of a line) in `Network::services`.
    ServiceIdx, "service#"
);
id_type!(
    /// Index of a road link in `Network::roads`.
    RoadIdx, "road#"
);
id_type!(
    /// A node of a compiled graph. Place nodes come first (`NodeId(p) == PlaceIdx(p)`), then
    /// platform nodes, one per (service, direction, stop).
    NodeId, "node#"
);
id_type!(
    /// An arc of a compiled graph, an index into its CSR arc arrays.
    EdgeId, "edge#"
);

/// Travel times in the routing core are whole seconds in a `u32`.
pub type Seconds = u32;

/// The distance of a node no search has reached (yet).
pub const UNREACHED: Seconds = u32::MAX;

/// Converts minutes (possibly fractional, as in the data files) to whole seconds, rounding to
/// the nearest second.
pub fn minutes_to_seconds(min: f64) -> Seconds {
    (min * 60.0).round().clamp(0.0, (u32::MAX - 1) as f64) as Seconds
}

/// Converts seconds to minutes for output.
pub fn seconds_to_minutes(s: Seconds) -> f64 {
    s as f64 / 60.0
}

/// `HH:MM` (or `HH:MM:SS` when the seconds are not zero) for seconds since midnight.
pub fn format_clock(t: u32) -> String {
    let mut out = String::with_capacity(8);
    write_clock(&mut out, t);
    out
}

/// [`format_clock`] appended to `out` (no new string: for files of many thousand times).
pub fn write_clock(out: &mut String, t: u32) {
    use std::fmt::Write as _;
    let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
    let _ = if s == 0 {
        write!(out, "{h:02}:{m:02}")
    } else {
        write!(out, "{h:02}:{m:02}:{s:02}")
    };
}

/// A clock time `HH:MM` or `HH:MM:SS` (hours 0..=47) in seconds since midnight.
pub fn parse_clock(v: &str) -> Option<u32> {
    let parts: Vec<&str> = v.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let num = |s: &str, max: u32| -> Option<u32> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u32>().ok().filter(|&x| x <= max)
    };
    let h = num(parts[0], 47)?;
    let m = num(parts[1], 59)?;
    let sec = match parts.get(2) {
        Some(s) => num(s, 59)?,
        None => 0,
    };
    Some(h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_as_written() {
        for (t, want) in [
            (0, "00:00"),
            (59, "00:00:59"),
            (60, "00:01"),
            (3599, "00:59:59"),
            (86_400, "24:00"),
            (172_799, "47:59:59"),
        ] {
            assert_eq!(format_clock(t), want);
        }
        // write_clock appends what format_clock gives, over two days.
        let mut s = String::from("left over");
        for t in (0..48 * 3600)
            .step_by(7)
            .chain([0, 59, 60, 3599, 86_400, 172_799])
        {
            s.clear();
            write_clock(&mut s, t);
            assert_eq!(s, format_clock(t), "{t}");
        }
        let mut s = String::from("at ");
        write_clock(&mut s, 7 * 3600 + 5);
        assert_eq!(s, "at 07:00:05");
    }
}
