//! `onehour import gtfs` and `onehour export --format gtfs`: the Trensurb and Cairns fixtures
//! imported as network folders and loaded by the network loader (counts and spot values read
//! from the feed files, `unzip -p FEED FILE | grep ...`); a hand-written feed for what they lack
//! (stations and platforms, frequencies, transfers, a loop, a hop timed to the same minute,
//! times past 24:00, an unknown route type); import → export → import round trips compared
//! trip by trip on the timetables `io::gtfs` builds; the bundled Guangzhou network and the tiny
//! fixture exported and read back; bad input exits 2 with a message.

use crate::common;
use common::*;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use onehour::io::gtfs::{import_gtfs, GtfsOptions};
use onehour::io::gtfs_export::{gtfs_files, gtfs_zip, GtfsExportOptions};
use onehour::io::gtfs_network::{import_network, sanitise_id, NetworkImport, NetworkImportOptions};
use onehour::network::load::load_network;
use onehour::network::model::{Date, Directions, Mode, Network};
use onehour::network::source::Source;
use onehour::network::timetable::{access, Day, Timetable, TripIdx};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/gtfs").join(name)
}

fn import(paths: &[PathBuf], lenient: bool) -> NetworkImport {
    match import_network(
        paths,
        &NetworkImportOptions {
            lenient,
            ..NetworkImportOptions::default()
        },
    ) {
        Ok(i) => i,
        Err(e) => panic!("import failed:\n{e}"),
    }
}

/// Writes the import's files into a new folder and loads it with the network loader.
fn write_and_load(imp: &NetworkImport) -> (tempfile::TempDir, Network) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &imp.files() {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let (net, warnings) = load_network(&Source::Disk(dir.path().to_path_buf()), "network.toml")
        .unwrap_or_else(|e| panic!("the imported network does not load:\n{e}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    (dir, net)
}

fn date(s: &str) -> Date {
    Date::parse_full(s).unwrap()
}

fn clock(s: &str) -> u32 {
    onehour::network::load::parse_clock(s).unwrap()
}

#[test]
fn cairns_imports_to_a_network_that_loads() {
    let imp = import(&[fixture("cairns_gtfs.zip")], false);
    assert_eq!(imp.dropped_trips, 0);
    let (dir, net) = write_and_load(&imp);
    // stops.txt: 416 stops, none with a parent; trips.txt 1,339; calendar.txt 4 rows.
    assert_eq!(net.places.len(), 416);
    assert_eq!(net.trips.len(), 1339);
    assert_eq!(net.calendars.len(), 4);
    assert!(net.bands.is_empty() && net.links.is_empty());
    // One service per pattern: every trip's stop sequence, as the loader reads it.
    let mut patterns: Vec<(String, Vec<&str>)> = net
        .trips
        .iter()
        .map(|t| {
            let s = net.services.iter().find(|s| s.id == t.service).unwrap();
            (
                s.line.clone(),
                t.stops.iter().map(|x| x.at.as_str()).collect(),
            )
        })
        .collect();
    patterns.sort();
    patterns.dedup();
    assert_eq!(patterns.len(), net.services.len());
    assert_eq!(net.services.len(), 47);
    // 750000: "Cedar Rd (Palm Cove) - Hail and Ride Location",-16.74359,145.668217 (line 2).
    let p = net.places.iter().find(|p| p.id == "750000").unwrap();
    assert_eq!(
        (p.name.as_str(), p.lon, p.lat),
        (
            "Cedar Rd (Palm Cove) - Hail and Ride Location",
            145.668217,
            -16.74359
        )
    );
    assert!(
        p.source
            .starts_with("GTFS feed cairns_gtfs.zip, stops.txt line 2, stop_id 750000"),
        "{}",
        p.source
    );
    // The first trip: 750337 05:50, 750000 05:50, 750001 05:52 (stop_times.txt lines 2-4).
    let t = net
        .trips
        .iter()
        .find(|t| t.id == "cns2014-cns_mul-weekday-00-4165878")
        .unwrap();
    let first: Vec<(&str, u32, u32)> = t
        .stops
        .iter()
        .take(3)
        .map(|s| (s.at.as_str(), s.arrive, s.depart))
        .collect();
    assert_eq!(
        first,
        [
            ("750337", clock("05:50"), clock("05:50")),
            ("750000", clock("05:50"), clock("05:50")),
            ("750001", clock("05:52"), clock("05:52"))
        ]
    );
    assert!(t.source.contains("stop_times.txt line 2"), "{}", t.source);
    // The interpolated stop keeps its seconds (tests/gtfs.rs: 18:30:18).
    let t = net
        .trips
        .iter()
        .find(|t| t.id == "cns2014-cns_mul-weekday-00-4165903")
        .unwrap();
    let s = t.stops.iter().find(|s| s.at == "750015").unwrap();
    assert_eq!(s.arrive, clock("18:30:18"));
    // Calendar: Weekday-00 runs Mon-Fri 2014-05-26..2014-12-26 without four holidays.
    let c = net
        .calendars
        .iter()
        .find(|c| c.id == "cns2014-cns_mul-weekday-00")
        .unwrap();
    assert_eq!(
        (c.weekdays, c.start, c.end, c.removed.len()),
        (
            [true, true, true, true, true, false, false],
            date("2014-05-26"),
            date("2014-12-26"),
            4
        )
    );
    // The busiest date is a Friday (Weekday-00 and the Friday-only calendar both run).
    assert_eq!(net.valid_on, Some(date("2014-05-30")));
    assert_eq!(
        imp.busiest.map(|b| b.0.to_string()).as_deref(),
        Some("2014-05-30")
    );
    // Each headway is the median gap between first departures 07:00-09:00 on that date,
    // recomputed here from the loaded trips and calendars.
    let runs = |cal: &str| {
        let c = net.calendars.iter().find(|c| c.id == cal).unwrap();
        let d = date("2014-05-30");
        let wd = Day::from_ymd(2014, 5, 30).unwrap().weekday() as usize;
        (c.start <= d && d <= c.end && c.weekdays[wd] && !c.removed.contains(&d))
            || c.added.contains(&d)
    };
    let mut checked = 0;
    for s in &net.services {
        let mut deps: Vec<u32> = net
            .trips
            .iter()
            .filter(|t| t.service == s.id && runs(&t.calendar))
            .map(|t| t.stops[0].depart)
            .filter(|&d| (7 * 3600..9 * 3600).contains(&d))
            .collect();
        deps.sort_unstable();
        deps.dedup();
        if deps.len() < 2 {
            continue;
        }
        let mut gaps: Vec<f64> = deps.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
        gaps.sort_by(f64::total_cmp);
        let n = gaps.len();
        let m = if n % 2 == 1 {
            gaps[n / 2]
        } else {
            (gaps[n / 2 - 1] + gaps[n / 2]) / 2.0
        };
        assert!(
            (s.headway_min - m / 60.0).abs() < 1e-3,
            "{}: {} vs {}",
            s.id,
            s.headway_min,
            m / 60.0
        );
        assert!(
            s.headway_source
                .contains("from 07:00 to 09:00 on 2014-05-30"),
            "{}",
            s.headway_source
        );
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} services run twice 07:00-09:00"
    );
    // The CLI's validate accepts the folder.
    let out = run_ok(onehour().args(["validate", "--network"]).arg(dir.path()));
    assert!(String::from_utf8_lossy(&out).contains("416 places"));
}

#[test]
fn trensurb_strict_fails_naming_rows_lenient_leaves_the_trips_out() {
    // RD -> SP, 2.0 km in 35 s (210 km/h), in four trips; ASG -> ATR 0.7 km in 6 min by the
    // Aeromovel on Saturdays: too slow for rail even with a minute's slack.
    let e = import_network(
        &[fixture("poa_trensurb.zip")],
        &NetworkImportOptions::default(),
    )
    .unwrap_err();
    let text = e.to_string();
    let errors: Vec<String> = e.errors().map(|p| p.to_string()).collect();
    assert_eq!(errors.len(), 6, "{text}"); // five trips, and the summary
    assert!(
        text.contains("poa_trensurb/stop_times.txt:2426: trip fullw_mr_nh_19_07_00 (trip_id FULLW_MR_NH_19:07:00): implied speed 210 km/h"),
        "{text}"
    );
    assert!(text.contains("poa_trensurb/stop_times.txt:14178"), "{text}");
    let imp = import(&[fixture("poa_trensurb.zip")], true);
    assert_eq!(imp.dropped_trips, 5);
    assert_eq!(
        imp.warnings
            .iter()
            .filter(|w| w.message.contains("left out (--lenient)"))
            .count(),
        5
    );
    let (_dir, net) = write_and_load(&imp);
    // stops.txt 24 rows; trips.txt 1,248 less 5.
    assert_eq!((net.places.len(), net.trips.len()), (24, 1243));
    assert_eq!(net.calendars.len(), 3);
    // AP and ATR stand 29 m apart under different names: both kept, the check is off.
    assert!(["ap", "atr"]
        .iter()
        .all(|id| net.places.iter().any(|p| p.id == *id)));
    assert_eq!(net.settings.validation.station_separation_m, 0.0);
    // Both routes are route_type 2: conventional rail.
    assert!(net.services.iter().all(|s| s.mode == Mode::Conventional));
    assert_eq!(
        net.settings.timetable.timezone.as_deref(),
        Some("America/Sao_Paulo")
    );
    // FULLW_MR_NH_07:09:00 calls at MR at 07:09:00 (stop_times.txt).
    let t = net
        .trips
        .iter()
        .find(|t| t.id == "fullw_mr_nh_07_09_00")
        .unwrap();
    assert_eq!(
        (t.stops[0].at.as_str(), t.stops[0].depart),
        ("mr", clock("07:09"))
    );
}

#[test]
fn lenient_rounds_on_changed_patterns_equal_full_rounds() {
    // Porto Alegre leaves out trips in four rounds: five Trensurb trips too fast or too slow
    // and an EPTC trip at fault in the first, then the median trips of EPTC services t12-1
    // and 210-1 (a hop of 0 min) until, failing a third time, all their trips go. Rounds after
    // the first build and validate the patterns just changed; the whole network again only at
    // the end. Same network, files and warnings as building everything every round.
    let poa = root().join("tests/fixtures/porto-alegre");
    let feeds = [poa.join("poa_eptc.zip"), poa.join("poa_trensurb.zip")];
    let run = |full_rounds| {
        import_network(
            &feeds,
            &NetworkImportOptions {
                lenient: true,
                full_rounds,
            },
        )
        .unwrap()
    };
    let (fast, full) = (run(false), run(true));
    assert_eq!(fast.dropped_trips, 27);
    assert_eq!(fast.dropped_trips, full.dropped_trips);
    assert_eq!(fast.busiest, full.busiest);
    let show = |w: &[onehour::network::problem::Problem]| {
        w.iter().map(|p| p.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(show(&fast.warnings), show(&full.warnings));
    assert!(fast
        .network
        .trips
        .iter()
        .all(|t| t.service != "t12-1" && t.service != "210-1"));
    assert_eq!(fast.files(), full.files());
    // trips.csv is written in blocks of trips side by side: one header, then every call.
    let files = fast.files();
    let trips = &files.iter().find(|(n, _)| n == "trips.csv").unwrap().1;
    let text = std::str::from_utf8(trips).unwrap();
    let calls: usize = fast.network.trips.iter().map(|t| t.stops.len()).sum();
    assert!(fast.network.trips.len() > 2 * 512);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("service,")).count(),
        1
    );
    let rows = csv::Reader::from_reader(trips.as_slice()).records().count();
    assert_eq!(rows, calls);
}

/// A small feed for what the fixtures lack: a station with two platforms, frequencies (exact
/// and not), a calendar of added dates only, a trip past midnight with an empty time, a loop,
/// a hop timed to the same minute, transfers (within a station, timed, minimum time,
/// recommended without time, not possible) and a ferry (no onehour mode).
fn hand_feed(dir: &Path) {
    let w = |name: &str, body: &str| std::fs::write(dir.join(name), body).unwrap();
    w("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Hand Transit,https://example.org/hand,Europe/Lisbon\n");
    w(
        "stops.txt",
        "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n\
         ST,Central,38.7000,-9.1400,1,\n\
         P1,Central platform 1,38.7000,-9.1400,0,ST\n\
         P2,Central platform 2,38.7003,-9.1400,0,ST\n\
         B,Bairro,38.7100,-9.1400,,\n\
         C,Costa,38.7200,-9.1400,0,\n\
         D,Doca,38.7200,-9.1300,0,\n",
    );
    w(
        "routes.txt",
        "route_id,agency_id,route_short_name,route_long_name,route_type\n\
         R1,A,1,Central–Costa,3\nR2,A,2,Shuttle,0\nR3,A,,Ferry,4\n",
    );
    w("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n");
    w(
        "calendar_dates.txt",
        "service_id,date,exception_type\nHOL,20240601,1\nHOL,20240608,1\nWK,20241225,2\n",
    );
    w(
        "trips.txt",
        "route_id,service_id,trip_id\nR1,WK,late\nR1,WK,loop\nR1,WK,same\nR2,WK,every10\nR2,HOL,exact15\nR3,WK,ferry\n",
    );
    w(
        "stop_times.txt",
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
         late,24:50:00,24:50:00,P1,1\n\
         late,,,B,2\n\
         late,25:10:00,25:11:00,C,3\n\
         loop,07:00:00,07:00:00,B,1\n\
         loop,07:05:00,07:05:00,C,2\n\
         loop,07:10:00,07:10:00,D,3\n\
         loop,07:17:00,07:17:00,B,4\n\
         same,08:00:00,08:00:00,B,1\n\
         same,08:00:00,08:00:00,C,2\n\
         same,08:03:00,08:03:00,D,3\n\
         every10,06:00:00,06:00:00,P2,10\n\
         every10,06:07:00,06:07:00,B,20\n\
         exact15,08:00:00,08:01:00,B,1\n\
         exact15,08:09:00,08:09:00,C,2\n\
         ferry,09:00:00,09:00:00,C,1\n\
         ferry,09:08:00,09:08:00,D,2\n",
    );
    w(
        "frequencies.txt",
        "trip_id,start_time,end_time,headway_secs,exact_times\nevery10,06:00:00,09:00:00,600,0\nexact15,07:00:00,08:00:00,900,1\n",
    );
    w(
        "transfers.txt",
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nST,ST,2,180\nB,C,2,120\nC,B,2,150\nP1,B,0,\nC,D,1,\nD,C,3,\n",
    );
}

#[test]
fn hand_feed_stations_frequencies_calendars_transfers() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("hand");
    std::fs::create_dir(&feed).unwrap();
    hand_feed(&feed);
    let imp = import(std::slice::from_ref(&feed), false);
    let (_d, net) = write_and_load(&imp);
    let ids: Vec<&str> = net.places.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["st", "b", "c", "d"]); // platforms collapse onto st
    let services: Vec<(&str, Mode, usize)> = net
        .services
        .iter()
        .map(|s| (s.id.as_str(), s.mode, s.stops.len()))
        .collect();
    assert_eq!(
        services,
        [
            ("r1-1", Mode::Bus, 3),
            ("r1-2", Mode::Bus, 4),
            ("r1-3", Mode::Bus, 3),
            ("r2-1", Mode::Tram, 2),
            ("r2-2", Mode::Tram, 2),
            ("r3-1", Mode::Bus, 2),
        ]
    );
    assert!(net
        .services
        .iter()
        .all(|s| s.directions == Directions::Forward));
    // The ferry: no onehour mode, bus with a warning at its routes.txt line.
    assert!(imp
        .warnings
        .iter()
        .any(|w| w.origin.to_string() == "hand/routes.txt:4" && w.message.contains("as bus")));
    // Past midnight, the empty time interpolated (B halfway: 25:00).
    let late = net.trips.iter().find(|t| t.id == "late").unwrap();
    let times: Vec<(&str, u32, u32)> = late
        .stops
        .iter()
        .map(|s| (s.at.as_str(), s.arrive, s.depart))
        .collect();
    assert_eq!(
        times,
        [
            ("st", clock("24:50"), clock("24:50")),
            ("b", clock("25:00"), clock("25:00")),
            ("c", clock("25:10"), clock("25:11"))
        ]
    );
    // The loop calls at b twice; the same-minute hop b -> c (1.1 km) passes with the slack,
    // and its service spreads the next hop's 3 minutes by distance (1.1 km and 0.87 km).
    let same = net.services.iter().find(|s| s.id == "r1-3").unwrap();
    let runs: Vec<Option<f64>> = same.stops.iter().map(|s| s.run_min).collect();
    assert_eq!(runs[0], None);
    assert!(
        (runs[1].unwrap() + runs[2].unwrap() - 3.0).abs() < 1e-9,
        "{runs:?}"
    );
    assert!(runs[1].unwrap() > runs[2].unwrap());
    assert!(!same.estimate.is_empty());
    // Bands: every10 inexact 06:00-09:00 every 10 min; exact15 exact 07:00-08:00 every 15.
    let bands: Vec<(&str, u32, u32, u32, bool)> = net
        .bands
        .iter()
        .map(|b| (b.service.as_str(), b.start, b.end, b.headway_s, b.exact))
        .collect();
    assert_eq!(
        bands,
        [
            ("r2-1", clock("06:00"), clock("09:00"), 600, false),
            ("r2-2", clock("07:00"), clock("08:00"), 900, true),
        ]
    );
    // exact15's template: B departs at offset 0, C arrives 8 min later.
    let ex = net.services.iter().find(|s| s.id == "r2-2").unwrap();
    assert_eq!(ex.stops[1].run_min, Some(8.0));
    // HOL, added dates only: the first as a one-day range, the second added.
    let hol = net.calendars.iter().find(|c| c.id == "hol").unwrap();
    assert_eq!(
        (hol.weekdays[5], hol.start, hol.end, hol.added.clone()),
        (
            true,
            date("2024-06-01"),
            date("2024-06-01"),
            vec![date("2024-06-08")]
        )
    );
    let wk = net.calendars.iter().find(|c| c.id == "wk").unwrap();
    assert_eq!(wk.removed, [date("2024-12-25")]);
    // Transfers: b - c given both ways (120 and 150 s) is one transfer link of the longer;
    // P1 -> B recommended without time is a walk link; within ST and timed ones are not links.
    let links: Vec<(&str, &str, Option<f64>, &str)> = net
        .links
        .iter()
        .map(|l| (l.from.as_str(), l.to.as_str(), l.minutes, l.kind.as_str()))
        .collect();
    assert_eq!(
        links,
        [("b", "c", Some(2.5), "transfer"), ("st", "b", None, "walk")]
    );
}

/// Trip times of a timetable by trip, at the places of `tt` (a platform stands for its
/// station) and only where passengers may board or alight, as the network import keeps them.
/// A trip's route and its calls (place, arrival, departure), by trip id.
type Scheduled = BTreeMap<String, (String, Vec<(String, u32, u32)>)>;

fn scheduled(tt: &Timetable) -> Scheduled {
    let mut out = BTreeMap::new();
    for (i, trip) in tt.trips().iter().enumerate() {
        if trip.is_frequency() {
            continue;
        }
        let ti = TripIdx::from_idx(i);
        let mut calls: Vec<(String, u32, u32)> = Vec::new();
        let stops = tt.pattern_stops(trip.pattern);
        let acc = tt.pattern_access(trip.pattern);
        for (k, &s) in stops.iter().enumerate() {
            if acc[k] & access::BOTH == 0 {
                continue;
            }
            let st = tt.stop(s);
            let place = sanitise_id(&st.parent.map_or(&st.id, |p| &tt.stop(p).id).clone());
            let (a, d) = (tt.arrivals(ti)[k], tt.departures(ti)[k]);
            match calls.last_mut() {
                Some(last) if last.0 == place => last.2 = d,
                _ => calls.push((place, a, d)),
            }
        }
        out.insert(
            sanitise_id(&trip.id),
            (tt.route(trip.route).id.clone(), calls),
        );
    }
    out
}

/// Frequency-based trips as (places, offsets, bands), sorted.
/// A frequency-based trip: its places, departure offsets and bands.
type FrequencyTrip = (Vec<String>, Vec<u32>, Vec<(u32, u32, u32, bool)>);

fn frequency_trips(tt: &Timetable) -> Vec<FrequencyTrip> {
    let mut out: Vec<_> = tt
        .trips()
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is_frequency())
        .map(|(i, t)| {
            let ti = TripIdx::from_idx(i);
            let places: Vec<String> = tt
                .pattern_stops(t.pattern)
                .iter()
                .map(|&s| {
                    let st = tt.stop(s);
                    sanitise_id(st.parent.map_or(&st.id, |p| &tt.stop(p).id))
                })
                .collect();
            let mut bands: Vec<_> = tt
                .bands(ti)
                .iter()
                .map(|b| (b.start, b.end, b.headway, b.exact))
                .collect();
            bands.sort_unstable();
            (places, tt.departures(ti).to_vec(), bands)
        })
        .collect();
    // A template's bands may be split over several trips: compare band by band.
    let mut flat = Vec::new();
    for (p, o, bands) in out.drain(..) {
        for b in bands {
            flat.push((p.clone(), o.clone(), vec![b]));
        }
    }
    flat.sort();
    flat
}

/// Imports `feed` as a network, writes and loads it, exports that as GTFS, and compares the
/// timetables io::gtfs builds from the original and from the export.
fn round_trip(feed: &Path, lenient: bool) {
    let original = import_gtfs(
        &[feed.to_path_buf()],
        &GtfsOptions {
            lenient,
            ..GtfsOptions::default()
        },
    )
    .unwrap();
    let imp = import(&[feed.to_path_buf()], lenient);
    let (dir, net) = write_and_load(&imp);
    let files = gtfs_files(
        &net,
        &GtfsExportOptions {
            timezone: "Europe/Lisbon".into(),
            publisher_url: "https://example.org/test".into(),
            day: net.valid_on.unwrap(),
            version: "test".into(),
        },
    );
    let zip = dir.path().join("export.zip");
    std::fs::write(&zip, gtfs_zip(&files).unwrap()).unwrap();
    let back = import_gtfs(&[zip], &GtfsOptions::default())
        .unwrap_or_else(|e| panic!("the export does not import:\n{e}"));
    let (a, b) = (&original.timetable, &back.timetable);
    // Scheduled trips: the same ones (less those a lenient import left out), stop for stop.
    let (sa, sb) = (scheduled(a), scheduled(b));
    let kept: Vec<&String> = sa.keys().filter(|id| sb.contains_key(*id)).collect();
    assert_eq!(kept.len() + imp.dropped_trips, sa.len());
    assert_eq!(sb.len(), kept.len());
    let mut routes: HashMap<&str, (&str, usize)> = HashMap::new();
    for id in &kept {
        let (ra, ca) = &sa[*id];
        let (rb, cb) = &sb[*id];
        assert_eq!(ca, cb, "trip {id}");
        // Trips of one route stay together, and no two routes merge.
        let e = routes.entry(ra.as_str()).or_insert((rb.as_str(), 0));
        assert_eq!(e.0, rb.as_str(), "trip {id} changed route");
        e.1 += 1;
        // Same calendar days.
        let (ta, tb) = (
            a.trip(
                a.trip_by_id(
                    &a.trips()
                        .iter()
                        .find(|t| sanitise_id(&t.id) == **id)
                        .unwrap()
                        .id,
                )
                .unwrap(),
            ),
            b.trip(b.trip_by_id(id).unwrap()),
        );
        let (ca, cb) = (a.calendar(ta.calendar), b.calendar(tb.calendar));
        let first = ca.range.map(|r| r.0).or(ca.added.first().copied()).unwrap();
        for k in -10..400 {
            let d = Day(first.0 + k);
            assert_eq!(ca.runs_on(d), cb.runs_on(d), "trip {id} on {d}");
        }
    }
    let mut targets: Vec<&str> = routes.values().map(|v| v.0).collect();
    targets.sort_unstable();
    let n = targets.len();
    targets.dedup();
    assert_eq!(targets.len(), n, "two routes merged");
    // Frequency-based trips: the same templates and bands.
    assert_eq!(frequency_trips(a), frequency_trips(b));
}

#[test]
fn round_trips_keep_trips_times_and_calendars() {
    round_trip(&fixture("cairns_gtfs.zip"), false);
    round_trip(&fixture("poa_trensurb.zip"), true);
    let dir = tempfile::tempdir().unwrap();
    hand_feed(dir.path());
    round_trip(dir.path(), false);
}

#[test]
fn guangzhou_exports_a_feed_that_imports() {
    let src = onehour::network::bundled::networks();
    let (full, _) = load_network(&src, "guangzhou/network.toml").unwrap();
    let day = full.valid_on.unwrap();
    let net = full.as_on(day);
    let files = gtfs_files(
        &net,
        &GtfsExportOptions {
            timezone: "Asia/Shanghai".into(),
            publisher_url: "https://example.org/onehour".into(),
            day,
            version: "test".into(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("guangzhou.zip");
    std::fs::write(&zip, gtfs_zip(&files).unwrap()).unwrap();
    let imp = import_gtfs(&[zip], &GtfsOptions::default())
        .unwrap_or_else(|e| panic!("the export does not import:\n{e}"));
    assert!(imp.warnings.is_empty(), "{:?}", imp.warnings);
    // Expected trips: the timetabled ones, one template per band group, and one per direction
    // of every service without trips or bands.
    let timed: std::collections::HashSet<&str> = net
        .trips
        .iter()
        .map(|t| t.service.as_str())
        .chain(net.bands.iter().map(|b| b.service.as_str()))
        .collect();
    let mut groups: Vec<(&str, String, &str)> = net
        .bands
        .iter()
        .map(|b| {
            (
                b.service.as_str(),
                format!("{:?}", b.direction),
                b.calendar.as_str(),
            )
        })
        .collect();
    groups.sort();
    groups.dedup();
    let defaults: usize = net
        .services
        .iter()
        .filter(|s| !timed.contains(s.id.as_str()))
        .map(|s| match s.directions {
            Directions::Both => 2,
            Directions::Forward => 1,
        })
        .sum();
    let f = &imp.feeds[0];
    assert_eq!(f.trips, net.trips.len() + groups.len() + defaults);
    assert!(f.trips > 100, "{}", f.trips);
    assert_eq!(f.frequency_trips, groups.len() + defaults);
    assert_eq!(f.stops, net.served_stations().len());
    // A line's services are one route; gsg-hsr-humen forward: Guangzhou South 06:00, Humen
    // after its run time, as the services file says.
    let s = net
        .services
        .iter()
        .find(|s| s.id == "gsg-hsr-humen")
        .unwrap();
    let tt = &imp.timetable;
    let t = tt.trip_by_id("gsg-hsr-humen-forward").unwrap();
    let run = (s.run_min(1).unwrap() * 60.0).round() as u32;
    assert_eq!(tt.arrivals(t)[1], run);
    assert_eq!(tt.bands(t)[0].start, clock("06:00"));
    assert_eq!(
        tt.bands(t)[0].headway,
        (s.headway_min * 60.0).round() as u32
    );
}

#[test]
fn tiny_fixture_exports_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("tiny.zip");
    let out = onehour()
        .args(["export", "--format", "gtfs", "--network"])
        .arg(tiny())
        .args([
            "--date",
            "2024-01-01",
            "--timezone",
            "Asia/Shanghai",
            "--publisher-url",
            "https://example.org/tiny",
            "--out",
        ])
        .arg(&zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imp = import_gtfs(std::slice::from_ref(&zip), &GtfsOptions::default()).unwrap();
    let tt = &imp.timetable;
    // m1 (sa-sb-sc) and b2 (sb-sd), both ways, every day from 06:00 to 23:00.
    assert_eq!(tt.trips().len(), 4);
    assert_eq!(tt.stops().len(), 4);
    let m1 = tt.trip_by_id("m1-forward").unwrap();
    // 10 min, dwell 0.5 min, 10 min.
    assert_eq!(tt.arrivals(m1), [0, 600, 1230]);
    assert_eq!(tt.departures(m1), [0, 630, 1230]);
    let b = tt.bands(m1)[0];
    assert_eq!(
        (b.start, b.end, b.headway, b.exact),
        (clock("06:00"), clock("23:00"), 360, false)
    );
    // b2: 11.1 km at 30 km/h + 0.5 min = 22.7 min.
    let b2 = tt.trip_by_id("b2-backward").unwrap();
    assert_eq!(tt.arrivals(b2), [0, 1362]);
    assert!(tt
        .calendar(tt.trip(m1).calendar)
        .runs_on(Day::from_ymd(2024, 12, 30).unwrap()));
    // The same network gives the same bytes.
    let again = dir.path().join("again.zip");
    let out = onehour()
        .args(["export", "--format", "gtfs", "--network"])
        .arg(tiny())
        .args([
            "--date",
            "2024-01-01",
            "--timezone",
            "Asia/Shanghai",
            "--publisher-url",
            "https://example.org/tiny",
            "--out",
        ])
        .arg(&again)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read(&zip).unwrap(), std::fs::read(&again).unwrap());
}

fn fails(cmd: &mut assert_cmd::Command, expect: &str) {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(expect), "expected '{expect}' in:\n{err}");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("net");
    // A missing feed.
    fails(
        onehour()
            .args(["import", "gtfs", "no/such/feed.zip", "--out"])
            .arg(&out),
        "no/such/feed.zip: no such file or folder",
    );
    // --osm naming a missing extract (bad extracts: tests/osm.rs).
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(fixture("cairns_gtfs.zip"))
            .args(["--osm", "city.osm.pbf", "--out"])
            .arg(&out),
        "city.osm.pbf: no such file or folder",
    );
    // --out through a file, over a file, into a folder of someone else's files.
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "x").unwrap();
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(fixture("cairns_gtfs.zip"))
            .arg("--out")
            .arg(file.join("net")),
        "is a file, not a folder",
    );
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(fixture("cairns_gtfs.zip"))
            .arg("--out")
            .arg(&file),
        "is not a folder",
    );
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(fixture("cairns_gtfs.zip"))
            .arg("--out")
            .arg(&theirs),
        "holds files onehour did not write",
    );
    assert_eq!(std::fs::read(theirs.join("notes.txt")).unwrap(), b"mine");
    // A broken feed: every problem with its file, line and field; nothing written.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    hand_feed(&broken);
    edit(&broken.join("calendar.txt"), "20241231", "20241331");
    edit(
        &broken.join("stop_times.txt"),
        "loop,07:05:00",
        "loop,07:65:00",
    );
    let out2 = dir.path().join("net2");
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(&broken)
            .arg("--out")
            .arg(&out2),
        "broken/calendar.txt:2: field end_date: '20241331' is not a date",
    );
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(&broken)
            .arg("--out")
            .arg(&out2),
        // Minutes of 65 are the row's own error (read as they were, 07:65 became 08:05,
        // after the departure).
        "broken/stop_times.txt:6: field arrival_time: '07:65:00' is not a time H:MM:SS",
    );
    assert!(!out2.exists());
    // A minute's slack does not hide a real error: 3.5 km in the same minute by "bus".
    let fast = dir.path().join("fast");
    std::fs::create_dir(&fast).unwrap();
    hand_feed(&fast);
    edit(
        &fast.join("stops.txt"),
        "D,Doca,38.7200,-9.1300",
        "D,Doca,38.7200,-9.1000",
    );
    edit(
        &fast.join("stop_times.txt"),
        "ferry,09:08:00",
        "ferry,09:00:00",
    );
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(&fast)
            .arg("--out")
            .arg(&out2),
        "fast/stop_times.txt:17: trip ferry: implied speed infinite km/h from c (3.5 km straight line in 0 min, give or take the minute",
    );
    // Strict import of Trensurb: the five trips at fault, with their rows.
    fails(
        onehour()
            .args(["import", "gtfs"])
            .arg(fixture("poa_trensurb.zip"))
            .arg("--out")
            .arg(&out2),
        "poa_trensurb/stop_times.txt:2426",
    );
    assert!(!out2.exists());
    // Export: a zip needs --out, a time zone and a publisher's address.
    fails(
        onehour()
            .args(["export", "--format", "gtfs", "--network"])
            .arg(tiny()),
        "give --out",
    );
    fails(
        onehour()
            .args([
                "export",
                "--format",
                "gtfs",
                "--date",
                "2024-01-01",
                "--network",
            ])
            .arg(tiny())
            .arg("--out")
            .arg(dir.path().join("t.zip")),
        "--timezone",
    );
    fails(
        onehour()
            .args([
                "export",
                "--format",
                "gtfs",
                "--timezone",
                "Asia/Shanghai",
                "--publisher-url",
                "https://example.org",
                "--network",
            ])
            .arg(tiny())
            .arg("--out")
            .arg(dir.path().join("t.zip")),
        "give --date",
    );
    // A zone name must have the IANA form: a known area, then letters, digits and _-+/.
    for tz in ["Mars/Olympus", "Asia/Shang\"hai", "Asia/", "Shanghai"] {
        fails(
            onehour()
                .args(["export", "--format", "gtfs", "--timezone", tz])
                .args(["--publisher-url", "https://example.org", "--date"])
                .args(["2024-01-01", "--network"])
                .arg(tiny())
                .arg("--out")
                .arg(dir.path().join("t.zip")),
            "not an IANA time zone name",
        );
    }
    // A day on which nothing runs would give an empty feed.
    fails(
        onehour()
            .args(["export", "--format", "gtfs", "--timezone", "Asia/Shanghai"])
            .args(["--publisher-url", "https://example.org", "--date"])
            .args(["1800-01-01", "--network"])
            .arg(tiny())
            .arg("--out")
            .arg(dir.path().join("t.zip")),
        "the feed would be empty",
    );
    assert!(!dir.path().join("t.zip").exists());
}

#[test]
fn import_writes_a_folder_the_cli_routes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cairns");
    let res = onehour()
        .args(["import", "gtfs"])
        .arg(fixture("cairns_gtfs.zip"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{err}");
    assert!(
        err.contains("416 stations, 47 services, 1339 trips"),
        "{err}"
    );
    assert!(out.join(onehour::io::write::FOLDER_MARKER).is_file());
    // Sources name the feed file, never a folder it was read from.
    let services = std::fs::read_to_string(out.join("services.toml")).unwrap();
    assert!(services.contains("GTFS feed cairns_gtfs.zip, routes.txt line 2"));
    assert!(!services.contains(&*root().to_string_lossy()));
    // Importing again replaces the folder (it is onehour's own).
    let res = onehour()
        .args(["import", "gtfs"])
        .arg(fixture("cairns_gtfs.zip"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(res.status.success());
    // A route between two stops of the imported network.
    let res = onehour()
        .args(["route", "750337", "750001", "--network"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
}
