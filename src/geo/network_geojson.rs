//! The network as RFC 7946 GeoJSON, for QGIS, kepler.gl or geojson.io: places as points,
//! services (through their stops), roads and explicit links as lines, each with its
//! properties and sources. Lines carry a simplestyle `stroke` colour by mode.

use geojson::{Feature, FeatureCollection, Geometry, Value as GValue};
use serde_json::{json, Map, Value};

use crate::geo::style::{mode_colour, ROAD_COLOUR};
use crate::network::model::{Network, PlaceKind};

fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn feature(geometry: GValue, props: Map<String, Value>) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: None,
        properties: Some(props),
        foreign_members: None,
    }
}

fn opt<T: serde::Serialize>(x: &Option<T>) -> Value {
    match x {
        Some(v) => json!(v),
        None => Value::Null,
    }
}

fn nonempty(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        json!(s)
    }
}

/// Every place, service, road and explicit link of `net` as features, in that order and in
/// file order within each kind. A service or road whose stops or ends are unknown is left out
/// (validation reports it).
pub fn network_features(net: &Network) -> FeatureCollection {
    let idx = net.place_index();
    let coord = |id: &str| {
        idx.get(id)
            .map(|&p| vec![r6(net.place(p).lon), r6(net.place(p).lat)])
    };
    let mut features = Vec::new();
    for p in &net.places {
        let mut m = Map::new();
        m.insert("id".into(), json!(p.id));
        m.insert("kind".into(), json!(p.kind.as_str()));
        m.insert("name".into(), json!(p.name));
        m.insert("name_zh".into(), json!(p.name_zh));
        m.insert("city".into(), nonempty(&p.city));
        m.insert("district".into(), nonempty(&p.district));
        match p.kind {
            PlaceKind::Station => {
                m.insert("interchange_min".into(), json!(p.interchange_min));
            }
            PlaceKind::Centre => {
                m.insert("in_area".into(), json!(p.in_area));
            }
            PlaceKind::Zone => {
                m.insert("population".into(), json!(p.population));
                m.insert("population_year".into(), opt(&p.population_year));
            }
            PlaceKind::RoadNode => {}
        }
        m.insert("source".into(), json!(p.source));
        features.push(feature(GValue::Point(vec![r6(p.lon), r6(p.lat)]), m));
    }
    for s in &net.services {
        let pts: Option<Vec<Vec<f64>>> = s.stops.iter().map(|st| coord(&st.at)).collect();
        let Some(pts) = pts.filter(|v| v.len() >= 2) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("id".into(), json!(s.id));
        m.insert("kind".into(), json!("service"));
        m.insert("line".into(), json!(s.line));
        m.insert("line_zh".into(), json!(s.line_zh));
        m.insert("mode".into(), json!(s.mode.as_str()));
        m.insert("headway_min".into(), json!(s.headway_min));
        m.insert("dwell_min".into(), json!(s.dwell_min));
        m.insert("opened".into(), json!(s.opened.to_string()));
        m.insert("closed".into(), opt(&s.closed.map(|d| d.to_string())));
        m.insert(
            "directions".into(),
            json!(match s.directions {
                crate::network::model::Directions::Both => "both",
                crate::network::model::Directions::Forward => "forward",
            }),
        );
        m.insert(
            "stops".into(),
            json!(s.stops.iter().map(|st| st.at.as_str()).collect::<Vec<_>>()),
        );
        m.insert("source".into(), json!(s.source));
        m.insert("headway_source".into(), nonempty(&s.headway_source));
        m.insert("opened_source".into(), nonempty(&s.opened_source));
        m.insert("estimate".into(), nonempty(&s.estimate));
        m.insert("stroke".into(), json!(mode_colour(s.mode)));
        features.push(feature(GValue::LineString(pts), m));
    }
    for r in &net.roads {
        let (Some(a), Some(b)) = (coord(&r.from), coord(&r.to)) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("id".into(), json!(r.id));
        m.insert("kind".into(), json!("road"));
        m.insert("from".into(), json!(r.from));
        m.insert("to".into(), json!(r.to));
        m.insert("name".into(), json!(r.name));
        m.insert("name_zh".into(), json!(r.name_zh));
        m.insert("km".into(), json!(r.km));
        m.insert("speed_kmh".into(), json!(r.speed_kmh));
        m.insert("congestion".into(), json!(r.congestion));
        m.insert("minutes".into(), json!((r.minutes() * 10.0).round() / 10.0));
        m.insert("opened".into(), opt(&r.opened.map(|d| d.to_string())));
        m.insert("source".into(), json!(r.source));
        m.insert("stroke".into(), json!(ROAD_COLOUR));
        features.push(feature(GValue::LineString(vec![a, b]), m));
    }
    for l in &net.links {
        let (Some(a), Some(b)) = (coord(&l.from), coord(&l.to)) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("kind".into(), json!("link"));
        m.insert("link_kind".into(), json!(l.kind.as_str()));
        m.insert("from".into(), json!(l.from));
        m.insert("to".into(), json!(l.to));
        m.insert("minutes".into(), opt(&l.minutes));
        m.insert("source".into(), json!(l.source));
        features.push(feature(GValue::LineString(vec![a, b]), m));
    }
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}
