//! `onehour serve`'s click: the isochrone request handler on the bundled Guangzhou network, as
//! the page calls it (query parsing, the search from the clicked point or centre, the surface,
//! four contours with area and population, and the GeoJSON text of the answer), without the
//! HTTP round trip (the load test in tests/serve.rs reports that). Clicks at a centre, at a
//! point in the centre of Guangzhou, at a point in the suburbs, and a comparison of two
//! scenarios (both isochrones in parallel and their difference). The model is opened and the
//! scenarios compiled before the timed loops (the server does that on the first request).

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::hint::black_box;

use onehour::api::Model;
use onehour::serve::handlers::isochrones;
use onehour::serve::State;

fn query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let state = State {
        model: Model::bundled().expect("bundled model"),
    };
    let clicks = [
        ("centre_foshan", "place=c_foshan"),
        ("point_tianhe", "lon=113.3245&lat=23.1291"),
        ("point_suburb_panyu", "lon=113.3841&lat=22.9379"),
        (
            "point_tianhe_today_vs_plan2030",
            "lon=113.3245&lat=23.1291&scenario=today&compare=plan-2030",
        ),
    ];
    for (_, q) in &clicks {
        isochrones(&state, &query(q)).expect("warm-up click"); // compiles the scenarios
    }
    let mut g = c.benchmark_group("serve_click");
    g.sample_size(30);
    for (name, q) in clicks {
        let q = query(q);
        g.bench_function(name, |b| {
            b.iter(|| black_box(isochrones(&state, &q).expect("click").len()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
