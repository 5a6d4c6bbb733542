//! Travel times from arbitrary points (`matrix --points`) on the bundled network: the JSON
//! shape, invariants (a horizon never lengthens a trip at any percentile; 1 and N threads
//! agree) and bad point files.

mod common;
use common::*;

fn points() -> std::path::PathBuf {
    root().join("tests/fixtures/points/guangzhou.csv")
}

fn matrix(extra: &[&str]) -> serde_json::Value {
    let p = points();
    let mut c = onehour();
    c.args(["matrix", "--points"])
        .arg(&p)
        .args([
            "--depart",
            "07:30-08:00",
            "--draws",
            "3",
            "--format",
            "json",
        ])
        .args(extra);
    serde_json::from_slice(&run_ok(&mut c)).unwrap()
}

fn cells(v: &serde_json::Value, key: &str) -> Vec<Vec<Option<f64>>> {
    serde_json::from_value(v[key].clone()).unwrap()
}

#[test]
fn points_matrix_has_the_place_matrix_shape() {
    let v = matrix(&[]);
    for k in [
        "network",
        "scenario",
        "limit_minutes",
        "places",
        "minutes",
        "within_limit",
        "percentiles",
        "share_within_limit",
        "window",
    ] {
        assert!(v.get(k).is_some(), "missing {k}: {v}");
    }
    let m = cells(&v, "minutes");
    assert_eq!(m.len(), 7);
    for (i, r) in m.iter().enumerate() {
        assert_eq!(r.len(), 7);
        assert_eq!(r[i], Some(0.0), "a point reaches itself at once");
    }
    // Tianhe to Baiyun airport is a metro ride (Line 3), well within two hours.
    let t = m[0][2].expect("Tianhe reaches the airport");
    assert!((30.0..90.0).contains(&t), "{t}");
    // The countryside point is 8+ km from rail: no transit at all.
    assert!(
        m[6].iter().enumerate().all(|(j, x)| j == 6 || x.is_none()),
        "{:?}",
        m[6]
    );
    let within: Vec<Vec<bool>> = serde_json::from_value(v["within_limit"].clone()).unwrap();
    for (r, w) in m.iter().zip(&within) {
        for (x, y) in r.iter().zip(w) {
            assert_eq!(*y, x.is_some_and(|x| x <= 60.0));
        }
    }
    let p5 = cells(&v["percentiles"], "5");
    let p95 = cells(&v["percentiles"], "95");
    for i in 0..7 {
        for j in 0..7 {
            if let (Some(a), Some(b)) = (p5[i][j], p95[i][j]) {
                assert!(a <= b);
            }
        }
    }
}

#[test]
fn a_horizon_never_lengthens_a_trip_between_points() {
    let now = matrix(&[]);
    let then = matrix(&["--scenario", "plan-2030"]);
    let mut faster = 0;
    for k in ["5", "50", "95"] {
        let (a, b) = (
            cells(&now["percentiles"], k),
            cells(&then["percentiles"], k),
        );
        for i in 0..7 {
            for j in 0..7 {
                match (a[i][j], b[i][j]) {
                    (Some(x), Some(y)) => {
                        assert!(y <= x + 1e-9, "p{k} {i}->{j}: {x} then {y}");
                        faster += (y < x) as usize;
                    }
                    (Some(x), None) => panic!("p{k} {i}->{j}: {x} then unreached"),
                    _ => {}
                }
            }
        }
    }
    assert!(
        faster > 0,
        "plan-2030 speeds up some trip between these points"
    );
}

#[test]
fn one_and_two_threads_agree() {
    assert_eq!(matrix(&["--threads", "1"]), matrix(&["--threads", "2"]));
}

#[test]
fn to_points_gives_a_rectangle() {
    let d = tempfile::tempdir().unwrap();
    let to = d.path().join("to.csv");
    std::fs::write(&to, "id,lon,lat\nzumiao,113.1145,23.0300\n").unwrap();
    let v = matrix(&["--to-points", to.to_str().unwrap()]);
    let m = cells(&v, "minutes");
    assert_eq!((m.len(), m[0].len()), (7, 1));
    assert_eq!(m[1][0], Some(0.0));
    assert_eq!(v["to_places"][0]["id"], "zumiao");
}

#[test]
fn bad_point_files_exit_2_naming_the_line() {
    let d = tempfile::tempdir().unwrap();
    for (body, want) in [
        ("id,lon,lat\na,113.3,23.1\nb,113.3,95\n", ":3"),
        ("id,lon,lat\na,113.3,23.1\na,113.2,23.1\n", "given again"),
        ("id,x,y\na,1,2\n", "id, lon, lat"),
        ("id,lon,lat\n", "no point"),
    ] {
        let f = d.path().join("p.csv");
        std::fs::write(&f, body).unwrap();
        let out = onehour()
            .args(["matrix", "--points"])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{body}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("p.csv") && e.contains(want), "{body}: {e}");
    }
}
