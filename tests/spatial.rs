//! The spatial pair search behind automatic links and the station separation check, against
//! a brute-force reference on random places (including high latitudes, where a degree of
//! longitude is much shorter than one of latitude).

use onehour::network::model::{
    pairs_among, pairs_within, place_distance_m, Network, Origin, Place, PlaceKind,
};
use proptest::prelude::*;

fn place(i: usize, lon: f64, lat: f64) -> Place {
    Place {
        id: format!("p{i}"),
        kind: PlaceKind::Station,
        name: format!("p{i}"),
        name_zh: String::new(),
        city: String::new(),
        district: String::new(),
        lon,
        lat,
        interchange_min: 0.0,
        in_area: false,
        population: 0,
        population_year: None,
        source: "test".into(),
        origin: Origin::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn pairs_within_equals_brute_force(
        lat0 in -70.0f64..70.0,
        pts in prop::collection::vec((0.0f64..0.05, 0.0f64..0.05), 1..60),
        radius in 50.0f64..3000.0,
    ) {
        let mut net = Network::default();
        for (i, (dx, dy)) in pts.iter().enumerate() {
            net.places.push(place(i, 113.0 + dx, lat0 + dy));
        }
        let all: Vec<usize> = (0..net.places.len()).collect();
        let got = pairs_within(&net, &all, &all, radius);
        let mut want = Vec::new();
        for i in 0..net.places.len() {
            for j in 0..net.places.len() {
                let d = place_distance_m(&net.places[i], &net.places[j]);
                if i != j && d <= radius {
                    want.push((i, j, d));
                }
            }
        }
        prop_assert_eq!(&got, &want);
        // Each pair once (i < j), with the distance computed from i to j; the reference's
        // distance from j to i must be the same to the bit for this to hold.
        let once: Vec<(usize, usize, u64)> = pairs_among(&net, &all, radius)
            .into_iter()
            .map(|(i, j, d)| (i, j, d.to_bits()))
            .collect();
        let want_once: Vec<(usize, usize, u64)> = want
            .iter()
            .filter(|&&(i, j, _)| i < j)
            .map(|&(i, j, _)| {
                let back = place_distance_m(&net.places[j], &net.places[i]);
                (i, j, back.to_bits())
            })
            .collect();
        prop_assert_eq!(once, want_once);
    }
}

#[test]
fn invalid_coordinates_are_skipped_not_a_panic() {
    let mut net = Network::default();
    net.places.push(place(0, 113.0, 23.0));
    net.places.push(place(1, f64::NAN, 23.0));
    net.places.push(place(2, 113.0, 95.0));
    net.places.push(place(3, 113.0001, 23.0));
    let all = [0, 1, 2, 3];
    let got: Vec<(usize, usize)> = pairs_within(&net, &all, &all, 100.0)
        .iter()
        .map(|x| (x.0, x.1))
        .collect();
    assert_eq!(got, [(0, 3), (3, 0)]);
    let once: Vec<(usize, usize)> = pairs_among(&net, &all, 100.0)
        .iter()
        .map(|x| (x.0, x.1))
        .collect();
    assert_eq!(once, [(0, 3)]);
}
