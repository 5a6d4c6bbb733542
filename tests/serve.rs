//! `onehour serve` over HTTP on loopback: every endpoint's status codes and JSON shapes, bad
//! input (4xx with a JSON message naming the parameter), the page and its assets; the API's
//! matrix equals the CLI's JSON. The load test (ignored by default; `.ci/run` runs it) sends
//! 200 concurrent isochrone clicks and reports latency percentiles without asserting them.

use crate::common;
use common::*;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The server of this test binary: in-process, on a free port of the loopback (it ends with
/// the tests).
fn server() -> &'static str {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| {
        let model = onehour::api::Model::bundled().unwrap();
        let server = onehour::serve::Server::bind(model, "127.0.0.1", 0).unwrap();
        let addr = server.local_addr().unwrap().to_string();
        std::thread::spawn(move || server.run());
        addr
    })
}

/// `onehour serve --port 0` picks a free port on 127.0.0.1, prints its URL and answers there.
#[test]
fn the_command_prints_its_url_and_serves() {
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Kill(
        Command::new(assert_cmd::cargo::cargo_bin("onehour"))
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start onehour serve"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    assert!(addr.starts_with("127.0.0.1:"), "binds to localhost: {addr}");
    assert_ne!(addr, "127.0.0.1:0");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET /api/info HTTP/1.0\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(
        raw.starts_with("HTTP/1.0 200") || raw.starts_with("HTTP/1.1 200"),
        "{raw}"
    );
    assert!(raw.contains("\"network\":\"guangzhou\""));
}

/// A port in use is an input error: exit 2 with a message naming the fix.
#[test]
fn a_port_in_use_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = onehour().args(["serve", "--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
}

/// One HTTP/1.0 request: (status, content type, body).
fn request(method: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(server()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    write!(s, "{method} {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let ctype = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, ctype, raw[split + 4..].to_vec())
}

fn get(path: &str) -> (u16, Value) {
    let (status, ctype, body) = request("GET", path);
    assert!(ctype.contains("json"), "{path}: content type {ctype}");
    let v: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, v)
}

fn ok(path: &str) -> Value {
    let (status, v) = get(path);
    assert_eq!(status, 200, "{path}: {v}");
    v
}

/// A 4xx whose JSON error names `word` (the parameter, or the fix).
fn bad(path: &str, want: u16, word: &str) -> Value {
    let (status, v) = get(path);
    assert_eq!(status, want, "{path}: {v}");
    let msg = v["error"].as_str().unwrap_or_else(|| panic!("{path}: {v}"));
    assert!(msg.contains(word), "{path}: '{msg}' does not name '{word}'");
    v
}

#[test]
fn info_scenarios_and_places() {
    let i = ok("/api/info");
    assert_eq!(i["network"], "guangzhou");
    assert_eq!(i["limit_minutes"], 60.0);
    assert_eq!(i["bbox"].as_array().unwrap().len(), 4);
    assert_eq!(i["timetables"], true);

    let s = ok("/api/scenarios");
    let names: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"today") && names.contains(&"plan-2030"),
        "{names:?}"
    );
    assert!(s[0]["title"].is_string());

    let c = ok("/api/places?kind=centre");
    let c = c.as_array().unwrap();
    assert!(c.len() >= 10);
    assert!(c.iter().all(|p| p["kind"] == "centre" && p["lon"].is_f64()));
    let all = ok("/api/places");
    assert!(all.as_array().unwrap().len() > c.len());
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "zone" && p["population"].as_u64().unwrap_or(0) > 0));
    bad("/api/places?kind=bogus", 400, "kind");
    bad("/api/places?colour=red", 400, "colour");
    bad("/api/scenarios?x=1", 400, "unknown parameter");
}

#[test]
fn matrix_is_the_clis_and_compares() {
    let m = ok("/api/matrix?scenario=plan-2030");
    let cli: Value = serde_json::from_slice(&run_ok(onehour().args([
        "check",
        "--scenario",
        "plan-2030",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(m["scenario"], cli);
    assert!(m.get("compare").is_none());

    let m = ok("/api/matrix?scenario=today&compare=plan-2030");
    let n = m["scenario"]["places"].as_array().unwrap().len();
    assert_eq!(m["compare"]["minutes"].as_array().unwrap().len(), n);
    let c = &m["comparison"];
    assert_eq!(c["centres"].as_array().unwrap().len(), n);
    assert!(c["delta_minutes"].is_array() && c["newly_within"].is_array());
    assert!(c["population_other"].is_array());

    let w = ok("/api/matrix?scenario=today&depart=07:00-07:10&draws=2&percentiles=50,90");
    let s = &w["scenario"];
    assert!(s["percentiles"]["50"].is_array() && s["percentiles"]["90"].is_array());
    assert!(s["share_within_limit"].is_array());
    assert_eq!(s["window"]["from"], "07:00");

    let e = bad("/api/matrix?scenario=plan-2031", 404, "plan-2031");
    assert!(e["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "plan-2030"));
    bad("/api/matrix?depart=09:00-07:00", 400, "depart");
    bad("/api/matrix?depart=7h", 400, "depart");
    bad("/api/matrix?draws=3", 400, "draws");
    bad("/api/matrix?depart=07:00-07:10&draws=0", 400, "draws");
    bad(
        "/api/matrix?depart=07:00-07:10&percentiles=50,x",
        400,
        "percentiles",
    );
    bad(
        "/api/matrix?depart=07:00-07:10&percentiles=150",
        400,
        "percentile",
    );
    bad("/api/matrix?depart=07:00-47:00", 400, "24 hours");
    bad("/api/matrix?depart=30:00-47:00", 400, "48 h");
}

#[test]
fn routes() {
    let r = ok("/api/route?from=c_foshan&to=c_guangzhou_tianhe&scenario=plan-2030");
    let legs = r["legs"].as_array().unwrap();
    let sum: f64 = legs.iter().map(|l| l["minutes"].as_f64().unwrap()).sum();
    assert!((sum - r["total_minutes"].as_f64().unwrap()).abs() < 0.01);
    let t = ok("/api/route?from=c_foshan&to=c_guangzhou_tianhe&depart=07:42");
    assert_eq!(t["depart"], "07:42");
    assert!(t["legs"][0]["arrive"].is_string());
    // Names work as on the command line.
    ok("/api/route?from=%E5%B9%BF%E5%B7%9E%E5%8D%97&to=c_zhaoqing");

    bad("/api/route?from=c_foshan", 400, "to");
    bad("/api/route?to=c_foshan", 400, "from");
    let e = bad(
        "/api/route?from=c_foshan&to=c_guangzhou_tianh",
        404,
        "c_guangzhou_tianh",
    );
    assert!(e["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "c_guangzhou_tianhe"));
    bad(
        "/api/route?from=c_foshan&to=c_zhaoqing&depart=07:00-08:00",
        400,
        "one time",
    );
    bad(
        "/api/route?from=c_foshan&to=c_zhaoqing&scenario=nope",
        404,
        "nope",
    );
}

#[test]
fn isochrones() {
    let r = ok("/api/isochrones?lon=113.32&lat=23.13");
    assert_eq!(r["scenario"]["type"], "FeatureCollection");
    assert_eq!(r["scenario"]["features"].as_array().unwrap().len(), 4);
    assert!(r["origin"]["id"].as_str().unwrap().starts_with("point:"));
    assert_eq!(r["summary"].as_array().unwrap().len(), 4);

    let r = ok(
        "/api/isochrones?place=c_foshan&scenario=today&compare=plan-2030&thresholds=30,60&cell=500",
    );
    assert_eq!(r["compare"]["features"].as_array().unwrap().len(), 2);
    assert_eq!(r["difference"]["type"], "FeatureCollection");
    for f in r["difference"]["features"].as_array().unwrap() {
        let ch = f["properties"]["change"].as_str().unwrap();
        assert!(ch == "gained" || ch == "lost");
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
    assert_eq!(r["summary"].as_array().unwrap().len(), 4);
    // Over a window, from a place.
    let w = ok("/api/isochrones?place=c_foshan&depart=07:00-07:10&draws=2&percentile=75");
    assert_eq!(w["scenario"]["features"].as_array().unwrap().len(), 4);

    bad("/api/isochrones", 400, "place=");
    bad("/api/isochrones?lon=113.3", 400, "lat");
    bad("/api/isochrones?lon=abc&lat=23", 400, "lon");
    bad("/api/isochrones?lon=0&lat=0", 400, "outside");
    bad("/api/isochrones?lon=113.3&lat=95", 400, "WGS84");
    bad(
        "/api/isochrones?place=c_foshan&lon=113.3&lat=23.1",
        400,
        "not both",
    );
    bad(
        "/api/isochrones?place=c_foshan&thresholds=30,15",
        400,
        "thresholds",
    );
    bad("/api/isochrones?place=c_foshan&cell=10", 400, "cell");
    bad(
        "/api/isochrones?place=c_foshan&percentile=50",
        400,
        "depart",
    );
    // Over a window, from any point: the point's own neighbourhood and the stations it walks
    // to, then the timetables.
    let w = ok("/api/isochrones?lon=113.32&lat=23.13&depart=07:00-07:10&draws=2");
    assert_eq!(w["scenario"]["features"].as_array().unwrap().len(), 4);
    assert!(w["origin"]["id"].as_str().unwrap().starts_with("point:"));
    bad(
        "/api/isochrones?lon=113.32&lat=23.13&depart=07:00-07:10&percentile=101",
        400,
        "percentile",
    );
    bad(
        "/api/isochrones?place=nowhere_at_all",
        404,
        "nowhere_at_all",
    );
    bad(
        "/api/isochrones?place=c_foshan&compare=plan-2099",
        404,
        "plan-2099",
    );
}

#[test]
fn access() {
    let r = ok("/api/access?cutoff=45");
    assert_eq!(r["scenario"], "today");
    assert_eq!(r["cutoff_minutes"], 45);
    assert_eq!(r["grid_m"], 5000.0);
    assert_eq!(r["columns"], serde_json::json!(["population_within_45"]));
    let fc = &r["cells_geojson"];
    assert_eq!(fc["type"], "FeatureCollection");
    let cells = fc["features"].as_array().unwrap();
    assert_eq!(cells.len() as u64, r["cells"].as_u64().unwrap());
    assert!(cells.len() > 1000, "{} cells", cells.len());
    assert_eq!(cells[0]["geometry"]["type"], "Polygon");
    assert!(cells
        .iter()
        .all(|c| c["properties"]["population_within_45"].as_f64().unwrap() >= 0.0));
    let mean = &r["summary"]["scenarios"][0]["indicators"][0];
    assert!(mean.is_object(), "{}", r["summary"]);

    let c = ok("/api/access?scenario=today&compare=plan-2030&cutoff=45");
    assert_eq!(c["compare"], "plan-2030");
    let cols: Vec<&str> = c["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(cols.contains(&"population_within_45_diff"), "{cols:?}");
    assert!(c["summary"]["difference"].is_object(), "{}", c["summary"]);
    let diffs: Vec<f64> = c["cells_geojson"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["properties"]["population_within_45_diff"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert!(
        diffs.iter().any(|&d| d > 0.0),
        "plan-2030 gains nobody anything"
    );

    // Downloads: the files `onehour access` writes.
    let (status, ctype, body) = request("GET", "/api/access?cutoff=45&format=csv");
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.starts_with("id,lon,lat,population_within_45\n"),
        "{}",
        &text[..80]
    );
    assert_eq!(
        text.lines().count() as u64,
        r["cells"].as_u64().unwrap() + 1
    );
    let (status, ctype, _) = request("GET", "/api/access?cutoff=45&format=geojson");
    assert_eq!(status, 200);
    assert!(ctype.contains("geo+json"), "{ctype}");

    bad("/api/access?grid=1000", 400, "grid=4000");
    bad("/api/access?grid=abc", 400, "grid");
    bad("/api/access?grid=100000", 400, "grid");
    bad("/api/access?cutoff=0", 400, "cutoff");
    bad("/api/access?cutoff=45.5", 400, "cutoff");
    bad("/api/access?percentile=120", 400, "percentile");
    bad("/api/access?format=xls", 400, "format");
    bad("/api/access?depart=09:00-07:00", 400, "depart");
    bad("/api/access?thresholds=30", 400, "thresholds");
    bad("/api/access?compare=plan-2099", 404, "plan-2099");
}

#[test]
fn layers_page_and_assets() {
    let n = ok("/api/layers/network?scenario=plan-2030");
    let f = n["features"].as_array().unwrap();
    assert!(f.iter().any(|x| x["properties"]["kind"] == "service"));
    assert!(f.iter().any(|x| x["properties"]["kind"] == "centre"));
    assert!(!f.iter().any(|x| x["properties"]["kind"] == "zone"));
    let d = ok("/api/layers/districts");
    assert!(!d["features"].as_array().unwrap().is_empty());

    let (status, ctype, body) = request("GET", "/");
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"));
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("/app.js") && html.contains("/vendor/maplibre-gl.css"));
    for (path, kind) in [
        ("/app.js", "javascript"),
        ("/app.css", "css"),
        ("/vendor/maplibre-gl.mjs", "javascript"),
        ("/vendor/maplibre-gl-worker.mjs", "javascript"),
        ("/vendor/maplibre-gl.css", "css"),
    ] {
        let (status, ctype, body) = request("GET", path);
        assert_eq!(status, 200, "{path}");
        assert!(ctype.contains(kind), "{path}: {ctype}");
        assert!(!body.is_empty());
    }
    bad("/api/nothing", 404, "/api/");
    let (status, _, _) = request("POST", "/api/info");
    assert_eq!(status, 405);
}

/// A clicked point in the central area, spread deterministically.
fn click(k: usize) -> String {
    let lon = 113.10 + (k * 37 % 100) as f64 * 0.004;
    let lat = 22.95 + (k * 61 % 100) as f64 * 0.003;
    format!("/api/isochrones?lon={lon:.4}&lat={lat:.4}")
}

fn percentiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        p(0.5),
        p(0.9),
        p(0.99),
        ms[ms.len() - 1]
    )
}

/// 50 clicks one after another (what one planner waits for), then 200 at once (bounded:
/// 200 threads, one request each, five minutes at most): all must succeed; latencies are
/// reported, not asserted (speed is measured by benches/serve.rs).
#[test]
#[ignore = "load test: run by .ci/run with --ignored --nocapture"]
fn load_200_concurrent_clicks() {
    ok(&click(0)); // the first request compiles the network
    let seq: Vec<f64> = (0..50)
        .map(|k| {
            let t = Instant::now();
            let (status, _, _) = request("GET", &click(k));
            assert_eq!(status, 200);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "serve load test: 50 sequential isochrone clicks: {}",
        percentiles(seq)
    );
    let t0 = Instant::now();
    let handles: Vec<_> = (0..200)
        .map(|k| {
            std::thread::spawn(move || {
                let t = Instant::now();
                let (status, _, body) = request("GET", &click(k));
                (status, body.len(), t.elapsed().as_secs_f64() * 1e3)
            })
        })
        .collect();
    let mut ms = Vec::new();
    for h in handles {
        let (status, len, t) = h.join().unwrap();
        assert_eq!(status, 200);
        assert!(len > 100);
        ms.push(t);
    }
    let wall = t0.elapsed().as_secs_f64();
    assert!(wall < 300.0, "200 clicks took {wall:.0} s");
    println!(
        "serve load test: 200 concurrent isochrone clicks in {wall:.1} s ({:.0} per second on {} threads): {}",
        200.0 / wall,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        percentiles(ms)
    );
}
