//! The times of one trip: empty times interpolated by distance, then checked not to decrease.

use gtfs_structures as gtfs;

use crate::network::ids::Seconds;
use crate::network::timetable::{haversine_m, StopIdx, TimetableBuilder};

use super::read::{Sink, Table};

/// Arrival and departure at each stop of one trip (rows sorted by stop_sequence), empty times
/// interpolated by distance, checked not to decrease. `None` after reporting a problem.
pub(super) fn trip_times(
    rows: &[usize],
    st: &Table<gtfs::RawStopTime>,
    b: &TimetableBuilder,
    stop_of: &dyn Fn(usize) -> StopIdx,
    sink: &mut Sink,
) -> Option<(Vec<Seconds>, Vec<Seconds>, usize)> {
    let n = rows.len();
    let row = |i: usize| &st.rows[rows[i]].1;
    let line = |i: usize| st.rows[rows[i]].0;
    let mut arr: Vec<Option<Seconds>> = Vec::with_capacity(n);
    let mut dep: Vec<Option<Seconds>> = Vec::with_capacity(n);
    for i in 0..n {
        let r = row(i);
        arr.push(r.arrival_time.or(r.departure_time));
        dep.push(r.departure_time.or(r.arrival_time));
    }
    for (i, what) in [(0, "first"), (n - 1, "last")] {
        if arr[i].is_none() {
            sink.row(
                st.origin(line(i)),
                format!(
                    "fields arrival_time, departure_time of trip_id {}",
                    row(i).trip_id
                ),
                format!("are empty at the trip's {what} stop; trip left out"),
                "give times at the first and last stop of every trip",
            );
            return None;
        }
    }
    let filled = interpolate(&mut arr, &mut dep, |a, z| {
        gap_distances(a, z, rows, st, b, stop_of)
    });
    let arr: Vec<Seconds> = arr.into_iter().map(Option::unwrap).collect();
    let dep: Vec<Seconds> = dep.into_iter().map(Option::unwrap).collect();
    if !times_in_order(&arr, &dep, rows, st, sink) {
        return None;
    }
    Some((arr, dep, filled))
}

/// Distance along a trip from its stop `a` to each stop up to `z` (positions in `rows`):
/// shape_dist_traveled where the whole gap has it, else straight lines between consecutive
/// stops.
pub(super) fn gap_distances(
    a: usize,
    z: usize,
    rows: &[usize],
    st: &Table<gtfs::RawStopTime>,
    b: &TimetableBuilder,
    stop_of: &dyn Fn(usize) -> StopIdx,
) -> Vec<f64> {
    let shape: Option<Vec<f64>> = (a..=z)
        .map(|k| st.rows[rows[k]].1.shape_dist_traveled.map(f64::from))
        .collect();
    match shape {
        Some(d) if d[d.len() - 1] > d[0] => d.iter().map(|x| x - d[0]).collect(),
        _ => {
            let mut c = vec![0.0];
            for k in a + 1..=z {
                let d = haversine_m(b.stop(stop_of(rows[k - 1])), b.stop(stop_of(rows[k])));
                c.push(c[c.len() - 1] + d);
            }
            c
        }
    }
}

/// Fills each run of empty times between known ones (the first and last are known) in
/// proportion to the distance along the trip, `distances(a, z)` from stop `a` to each stop up
/// to `z`. Returns how many stops were filled.
pub(super) fn interpolate(
    arr: &mut [Option<Seconds>],
    dep: &mut [Option<Seconds>],
    distances: impl Fn(usize, usize) -> Vec<f64>,
) -> usize {
    let n = arr.len();
    let mut filled = 0;
    let mut i = 0;
    while i < n {
        if arr[i].is_some() {
            i += 1;
            continue;
        }
        let a = i - 1;
        let mut z = i;
        while arr[z].is_none() {
            z += 1;
        }
        let cum = distances(a, z);
        let total = cum[cum.len() - 1];
        let (t0, t1) = (dep[a].unwrap(), arr[z].unwrap());
        for k in a + 1..z {
            let frac = if total > 0.0 {
                cum[k - a] / total
            } else {
                (k - a) as f64 / (z - a) as f64
            };
            let t = t0 as f64 + (t1 as f64 - t0 as f64).max(0.0) * frac;
            let t = t.round() as Seconds;
            arr[k] = Some(t);
            dep[k] = Some(t);
            filled += 1;
        }
        i = z + 1;
    }
    filled
}

/// Checks that a trip's times do not decrease: departure at or after arrival at each stop,
/// arrival at or after the departure from the stop before. Reports the first problem.
pub(super) fn times_in_order(
    arr: &[Seconds],
    dep: &[Seconds],
    rows: &[usize],
    st: &Table<gtfs::RawStopTime>,
    sink: &mut Sink,
) -> bool {
    let row = |i: usize| &st.rows[rows[i]].1;
    let line = |i: usize| st.rows[rows[i]].0;
    let clock = crate::network::timetable::clock;
    for i in 0..arr.len() {
        if dep[i] < arr[i] {
            sink.row(
                st.origin(line(i)),
                format!("field departure_time of trip_id {}", row(i).trip_id),
                format!(
                    "{} is before the arrival_time {}; trip left out",
                    clock(dep[i]),
                    clock(arr[i])
                ),
                "depart at or after arriving",
            );
            return false;
        }
        if i > 0 && arr[i] < dep[i - 1] {
            sink.row(
                st.origin(line(i)),
                format!("field arrival_time of trip_id {}", row(i).trip_id),
                format!(
                    "{} is before the departure_time {} of the stop before; trip left out",
                    clock(arr[i]),
                    clock(dep[i - 1])
                ),
                "times must not decrease along a trip",
            );
            return false;
        }
    }
    true
}
