//! Routes on the timetables explained as legs with clock times (`route --depart`): the
//! earliest arrival from one departure, by transit or on the streets alone, whichever arrives
//! first.

use crate::engine::raptor::{Leg, RaptorError};
use crate::graph::timetabled::Timetabled;
use crate::network::ids::{PlaceIdx, Seconds, UNREACHED};
use crate::network::model::Network;
use crate::network::timetable::StopIdx;

use super::window::{self, WindowOptions};

/// The kind of a leg of a timetabled route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimedLegKind {
    /// The whole way on the streets (walk, access and transfer links), without a vehicle.
    Street,
    /// From the origin to the first station, including its entrance-to-platform time.
    Access,
    /// A ride on one trip.
    Ride,
    /// A footpath between two stations.
    Walk,
    /// From the last station to the destination.
    Egress,
}

impl TimedLegKind {
    /// The kind as shown in tables and JSON (`street`, `access`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TimedLegKind::Street => "street",
            TimedLegKind::Access => "access",
            TimedLegKind::Ride => "ride",
            TimedLegKind::Walk => "walk",
            TimedLegKind::Egress => "egress",
        }
    }
}

/// One leg of a timetabled route.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedLeg {
    /// What the leg is.
    pub kind: TimedLegKind,
    /// Where it starts: the origin's name, or a station's English and Chinese names.
    pub from: String,
    /// Where it ends, named likewise.
    pub to: String,
    /// Leaving, seconds since midnight of the service date.
    pub depart: Seconds,
    /// Arriving, seconds since midnight of the service date.
    pub arrive: Seconds,
    /// For a ride, the line, its operator and the trip (`line operator, trip id`); empty
    /// otherwise.
    pub service: String,
}

/// A timetabled route: leaving at one time, its legs in travel order.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedRoute {
    /// Leaving the origin.
    pub depart: Seconds,
    /// Reaching the destination.
    pub arrive: Seconds,
    /// The legs; consecutive legs may leave a wait between them (before a ride).
    pub legs: Vec<TimedLeg>,
}

/// The earliest arrival from `from` to `to` leaving at `o.from` on `o.date` (draw 0 of
/// inexact headways): by transit, or on the streets alone when that arrives no later. `None`
/// when neither reaches the destination within `o.bound`.
pub fn timed_route(
    net: &Network,
    t: &Timetabled,
    from: PlaceIdx,
    to: PlaceIdx,
    o: &WindowOptions,
) -> Result<Option<TimedRoute>, RaptorError> {
    let (journey, street) = window::journey(t, from, to, o)?;
    let by_transit = journey.as_ref().map(|j| j.arrive);
    let walk_arrive = (street != UNREACHED).then(|| o.from + street);
    let (origin, dest) = (&net.place(from).name, &net.place(to).name);
    let leg = |kind, from: &String, to: &String, depart, arrive| TimedLeg {
        kind,
        from: from.clone(),
        to: to.clone(),
        depart,
        arrive,
        service: String::new(),
    };
    let street_first = match (by_transit, walk_arrive) {
        (_, None) => None,
        (None, Some(w)) => Some(w),
        (Some(x), Some(w)) => (w <= x).then_some(w),
    };
    match (journey, street_first) {
        (_, Some(arrive)) => Ok(Some(TimedRoute {
            depart: o.from,
            arrive,
            legs: vec![leg(TimedLegKind::Street, origin, dest, o.from, arrive)],
        })),
        (Some(j), None) => {
            let station = |st: StopIdx| {
                let p = net.place(t.place_of_stop[st.idx()]);
                format!("{} {}", p.name, p.name_zh)
            };
            let legs = j
                .legs
                .iter()
                .map(|l| match *l {
                    Leg::Access { to, depart, arrive } => {
                        leg(TimedLegKind::Access, origin, &station(to), depart, arrive)
                    }
                    Leg::Ride {
                        route,
                        trip,
                        from,
                        to,
                        depart,
                        arrive,
                        ..
                    } => {
                        let r = t.tt.route(route);
                        TimedLeg {
                            service: format!(
                                "{} {}, trip {}",
                                r.long_name,
                                r.agency,
                                t.tt.trip(trip).id
                            ),
                            ..leg(
                                TimedLegKind::Ride,
                                &station(from),
                                &station(to),
                                depart,
                                arrive,
                            )
                        }
                    }
                    Leg::Walk {
                        from,
                        to,
                        depart,
                        arrive,
                    } => leg(
                        TimedLegKind::Walk,
                        &station(from),
                        &station(to),
                        depart,
                        arrive,
                    ),
                    Leg::Egress {
                        from,
                        depart,
                        arrive,
                    } => leg(TimedLegKind::Egress, &station(from), dest, depart, arrive),
                })
                .collect();
            Ok(Some(TimedRoute {
                depart: o.from,
                arrive: j.arrive,
                legs,
            }))
        }
        (None, None) => Ok(None),
    }
}
