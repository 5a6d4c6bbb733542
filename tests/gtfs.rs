//! GTFS import on real feeds (Trensurb rail and Cairns buses, `tests/fixtures/gtfs/`): counts
//! and spot values read from the feed files themselves (`unzip -p FEED FILE | grep ...`);
//! a small hand-written feed for what those two lack (stations and platforms, frequencies,
//! transfers, times past 24:00, shape distances, a BOM); broken copies whose problems must name
//! file, line and field; and RAPTOR queries on Trensurb with hand-checked arrivals.

use std::path::{Path, PathBuf};

use onehour::engine::raptor::{DayTimetable, Draw, Leg, RaptorParams, RaptorWorkspace};
use onehour::io::gtfs::{import_gtfs, GtfsImport, GtfsOptions};
use onehour::network::problem::Severity;
use onehour::network::timetable::{clock, parse_clock, Day, StopKind, Timetable};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gtfs")
        .join(name)
}

fn import(paths: &[PathBuf], opts: &GtfsOptions) -> GtfsImport {
    match import_gtfs(paths, opts) {
        Ok(i) => i,
        Err(e) => panic!("import failed:\n{e}"),
    }
}

fn unzip_to(zip: &Path, dir: &Path) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut out = std::fs::File::create(dir.join(f.name())).unwrap();
        std::io::copy(&mut f, &mut out).unwrap();
    }
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn t(s: &str) -> u32 {
    parse_clock(s).unwrap()
}

fn trip_times(tt: &Timetable, trip: &str, stop: &str) -> (u32, u32) {
    let ti = tt
        .trip_by_id(trip)
        .unwrap_or_else(|| panic!("no trip {trip}"));
    let s = tt.stop_by_id(stop).unwrap();
    let pos = tt
        .pattern_stops(tt.trip(ti).pattern)
        .iter()
        .position(|&x| x == s)
        .unwrap();
    (tt.arrivals(ti)[pos], tt.departures(ti)[pos])
}

#[test]
fn trensurb_counts_and_spot_values() {
    let imp = import(&[fixture("poa_trensurb.zip")], &GtfsOptions::default());
    assert!(imp.warnings.is_empty(), "{:?}", imp.warnings);
    let tt = &imp.timetable;
    assert!(tt.check().is_empty());
    let f = &imp.feeds[0];
    assert_eq!(f.name, "poa_trensurb");
    // stops.txt 24 rows, routes.txt 2, trips.txt 1,248, stop_times.txt 14,855, calendar.txt 3.
    assert_eq!(
        (
            f.stops,
            f.stations,
            f.routes,
            f.trips,
            f.stop_times,
            f.calendars
        ),
        (24, 0, 2, 1248, 14855, 3)
    );
    assert_eq!(
        (
            tt.stops().len(),
            tt.routes().len(),
            tt.trips().len(),
            tt.num_stop_times()
        ),
        (24, 2, 1248, 14855)
    );
    assert_eq!(f.interpolated, 0);
    // MR,ESTACAO MERCADO,-30.0262849537,-51.2282682008
    let mr = tt.stop(tt.stop_by_id("MR").unwrap());
    assert_eq!(
        (mr.name.as_str(), mr.lat, mr.lon),
        ("ESTACAO MERCADO", -30.0262849537, -51.2282682008)
    );
    assert_eq!(tt.places().count(), 24);
    // LINHAAERO,TRENS,AREO,AEROMOVEL TRENSURB,2
    let aero = tt.routes().iter().find(|r| r.id == "LINHAAERO").unwrap();
    assert_eq!(
        (
            aero.short_name.as_str(),
            aero.long_name.as_str(),
            aero.agency.as_str(),
            aero.route_type
        ),
        ("AREO", "AEROMOVEL TRENSURB", "TRENSURB", 2)
    );
    // FULLW_MR_NH_07:09:00: MR 07:08:35/07:09:00 ... NH 08:01:35/08:02:00.
    assert_eq!(
        trip_times(tt, "FULLW_MR_NH_07:09:00", "MR"),
        (t("07:08:35"), t("07:09:00"))
    );
    assert_eq!(
        trip_times(tt, "FULLW_MR_NH_07:09:00", "NH"),
        (t("08:01:35"), t("08:02:00"))
    );
    assert_eq!(
        tt.pattern_stops(
            tt.trip(tt.trip_by_id("FULLW_MR_NH_07:09:00").unwrap())
                .pattern
        )
        .len(),
        22
    );
    // FULLW Monday–Friday, SA Saturdays, SU Sundays, 2019-03-01..2019-12-31: 529, 416 and 303
    // trips (trips.txt, by service_id).
    assert_eq!(tt.trips_on(day("2019-05-13")).len(), 529);
    assert_eq!(tt.trips_on(day("2019-05-18")).len(), 416);
    assert_eq!(tt.trips_on(day("2019-05-19")).len(), 303);
    assert_eq!(tt.trips_on(day("2020-01-06")).len(), 0);
    let fullw = tt.calendars().iter().find(|c| c.id == "FULLW").unwrap();
    assert_eq!(
        (fullw.weekdays, fullw.range),
        (0b1_1111, Some((day("2019-03-01"), day("2019-12-31"))))
    );
}

#[test]
fn cairns_counts_calendar_dates_and_interpolation() {
    let imp = import(&[fixture("cairns_gtfs.zip")], &GtfsOptions::default());
    assert!(imp.warnings.is_empty(), "{:?}", imp.warnings);
    let tt = &imp.timetable;
    assert!(tt.check().is_empty());
    let f = &imp.feeds[0];
    // stops.txt 416 rows (all location_type 0, no parent), routes.txt 22, trips.txt 1,339,
    // stop_times.txt 37,790 of which 65 have neither arrival nor departure time.
    assert_eq!(
        (
            f.stops,
            f.stations,
            f.routes,
            f.trips,
            f.stop_times,
            f.interpolated
        ),
        (416, 0, 22, 1339, 37790, 65)
    );
    assert_eq!(f.calendars, 4);
    // The agency has no agency_id; its routes name none: they get the only agency.
    assert!(tt.routes().iter().all(|r| r
        .agency
        .starts_with("Department of Transport and Main Roads")));
    // calendar_dates.txt: 2014-06-09 (a Monday holiday) removes Weekday-00 and adds Sunday-00.
    let sunday = tt.trips_on(day("2014-06-08")).len();
    assert!(sunday > 0);
    assert_eq!(tt.trips_on(day("2014-06-09")).len(), sunday);
    let monday = tt.trips_on(day("2014-06-16")).len();
    assert!(monday > sunday);
    // 750015 in trip ...4165903 (stop_sequence 15) has no times; between 750012 at 18:28:00 and
    // 750041 at 18:32:00, 2,206.5 m then 1,623.3 m away along the straight lines, it gets
    // 18:28 + 240 s × 2206.5 / 3829.8 = 18:30:18.
    let (a, d) = trip_times(tt, "CNS2014-CNS_MUL-Weekday-00-4165903", "750015");
    assert_eq!((clock(a), clock(d)), ("18:30:18".into(), "18:30:18".into()));
}

#[test]
fn two_feeds_merge_and_colliding_ids_get_their_feed() {
    let imp = import(
        &[fixture("poa_trensurb.zip"), fixture("cairns_gtfs.zip")],
        &GtfsOptions::default(),
    );
    let tt = &imp.timetable;
    assert_eq!(tt.stops().len(), 24 + 416);
    assert_eq!(tt.trips().len(), 1248 + 1339);
    assert!(tt.stop_by_id("MR").is_some() && tt.stop_by_id("750015").is_some());
    // The same feed twice under two names: every id collides and is prefixed.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("north.zip"), dir.path().join("south.zip"));
    std::fs::copy(fixture("poa_trensurb.zip"), &a).unwrap();
    std::fs::copy(fixture("poa_trensurb.zip"), &b).unwrap();
    let imp = import(&[a, b], &GtfsOptions::default());
    let tt = &imp.timetable;
    assert_eq!((tt.stops().len(), tt.trips().len()), (48, 2496));
    assert!(tt.stop_by_id("MR").is_none());
    assert!(tt.stop_by_id("north:MR").is_some() && tt.stop_by_id("south:MR").is_some());
    assert!(tt.trip_by_id("south:FULLW_MR_NH_07:09:00").is_some());
    assert!(tt.calendars().iter().any(|c| c.id == "north:FULLW"));
    assert_eq!(
        imp.feeds
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["north", "south"]
    );
}

/// Writes a small feed folder: a station with two platforms, a stop without a station, a
/// scheduled trip past midnight with shape distances and an empty time, an exact and a
/// non-exact frequency trip, transfers (a minimum change at a station, a timed transfer, an
/// impossible one), a no-pickup stop, and a BOM before the header of stops.txt.
fn tiny_feed(dir: &Path) {
    let w = |name: &str, body: &str| std::fs::write(dir.join(name), body).unwrap();
    w("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Tiny Transit,https://example.org,Europe/Lisbon\n");
    w(
        "stops.txt",
        "\u{feff}stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n\
         ST,Central,38.7000,-9.1400,1,\n\
         P1,Central platform 1,38.7000,-9.1400,0,ST\n\
         P2,Central platform 2,38.7003,-9.1400,0,ST\n\
         B,Bairro,38.7100,-9.1400,,\n\
         C,Costa,38.7200,-9.1400,0,\n\
         E,Entrance,38.7001,-9.1401,2,ST\n",
    );
    w("routes.txt", "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,1,Central–Costa,3\nR2,A,2,Shuttle,3\n");
    w("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n");
    w(
        "calendar_dates.txt",
        "service_id,date,exception_type\nHOL,20240601,1\n",
    );
    w(
        "trips.txt",
        "route_id,service_id,trip_id\nR1,WK,late\nR2,WK,every10\nR2,HOL,exact15\n",
    );
    w(
        "stop_times.txt",
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type,shape_dist_traveled\n\
         late,24:50:00,24:50:00,P1,1,0,1,0\n\
         late,,,B,2,0,0,300\n\
         late,25:10:00,25:11:00,C,3,1,0,1200\n\
         every10,06:00:00,06:00:00,P2,10,,,\n\
         every10,06:07:00,06:07:00,B,20,,,\n\
         exact15,08:00:00,08:01:00,B,1,,,\n\
         exact15,08:09:00,08:09:00,C,2,,,\n",
    );
    w(
        "frequencies.txt",
        "trip_id,start_time,end_time,headway_secs,exact_times\nevery10,06:00:00,09:00:00,600,0\nexact15,07:00:00,08:00:00,900,1\n",
    );
    w(
        "transfers.txt",
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nST,ST,2,180\nB,C,1,\nC,B,3,\n",
    );
}

#[test]
fn missing_columns_empty_tables_and_impossible_times_and_dates_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let feed = p.file_name().unwrap().to_string_lossy().into_owned();
    let error_of = |file: &str, from: &str, to: &str| {
        tiny_feed(p);
        let s = std::fs::read_to_string(p.join(file)).unwrap();
        assert!(s.contains(from), "{file} lacks {from}");
        std::fs::write(p.join(file), s.replacen(from, to, 1)).unwrap();
        import_gtfs(&[p.to_path_buf()], &GtfsOptions::default())
            .unwrap_err()
            .to_string()
    };
    // A required column renamed: one error naming the file and the column, not one per row
    // naming another field.
    let e = error_of(
        "stop_times.txt",
        "stop_id,stop_sequence",
        "stopid,stop_sequence",
    );
    assert!(
        e.contains(&format!("{feed}/stop_times.txt: missing column(s) stop_id: the header reads 'trip_id,arrival_time,departure_time,stopid,")),
        "{e}"
    );
    assert!(!e.contains("missing field"), "{e}");
    // An empty file, a file with a header and no rows.
    let whole = std::fs::read_to_string({
        tiny_feed(p);
        p.join("stops.txt")
    })
    .unwrap();
    let e = error_of("stops.txt", &whole, "");
    assert!(
        e.contains(&format!(
            "{feed}/stops.txt: missing column(s) stop_id, stop_lat, stop_lon: the file is empty"
        )),
        "{e}"
    );
    let e = error_of("stop_times.txt", "late,24:50:00,24:50:00,P1,1,0,1,0\n", "");
    assert!(!e.contains("a header and no rows"), "{e}");
    tiny_feed(p);
    let st = std::fs::read_to_string(p.join("stop_times.txt")).unwrap();
    let header = st.lines().next().unwrap().to_string();
    let e = error_of("stop_times.txt", &st, &format!("{header}\n"));
    assert!(
        e.contains(&format!("{feed}/stop_times.txt: a header and no rows")),
        "{e}"
    );
    // Minutes or seconds of 60 and more, and a day not in the calendar, in their own field.
    let e = error_of(
        "stop_times.txt",
        "exact15,08:09:00,08:09:00",
        "exact15,08:09:00,08:69:00",
    );
    assert!(
        e.contains(&format!(
            "{feed}/stop_times.txt:8: field departure_time: '08:69:00' is not a time H:MM:SS"
        )),
        "{e}"
    );
    let e = error_of("calendar.txt", "20240101,20241231", "20240230,20241231");
    assert!(
        e.contains(&format!(
            "{feed}/calendar.txt:2: field start_date: '20240230' is not a date"
        )),
        "{e}"
    );
    let e = error_of(
        "frequencies.txt",
        "06:00:00,09:00:00,600",
        "06:00:00,9:00:61,600",
    );
    assert!(e.contains("field end_time: '9:00:61'"), "{e}");
}

#[test]
fn tiny_feed_stations_frequencies_transfers_midnight() {
    let dir = tempfile::tempdir().unwrap();
    tiny_feed(dir.path());
    let imp = import(&[dir.path().to_path_buf()], &GtfsOptions::default());
    let tt = &imp.timetable;
    assert!(tt.check().is_empty());
    // The impossible transfer is reported, not modelled.
    assert_eq!(imp.warnings.len(), 1, "{:?}", imp.warnings);
    assert!(
        imp.warnings[0].to_string().contains("transfers.txt:4"),
        "{}",
        imp.warnings[0]
    );
    let id = |s: &str| tt.stop_by_id(s).unwrap();
    // The BOM did not hide stop_id; the entrance is not read; platforms hang under ST.
    assert_eq!(tt.stops().len(), 5);
    assert_eq!(tt.stop(id("ST")).kind, StopKind::Station);
    assert_eq!(tt.stop(id("P1")).parent, Some(id("ST")));
    let places: Vec<&str> = tt.places().map(|s| tt.stop(s).id.as_str()).collect();
    assert_eq!(places, ["ST", "B", "C"]);
    // Past midnight, kept as is; B interpolated by shape distance: 24:50 + 20 min × 300/1200.
    assert_eq!(trip_times(tt, "late", "B"), (t("24:55:00"), t("24:55:00")));
    assert_eq!(trip_times(tt, "late", "C"), (t("25:10:00"), t("25:11:00")));
    let late = tt.trip_by_id("late").unwrap();
    assert_eq!(tt.pattern_access(tt.trip(late).pattern), [1, 3, 2]);
    // Frequencies: offsets from the first departure, bands with exact_times.
    let ev = tt.trip_by_id("every10").unwrap();
    assert_eq!(tt.departures(ev), [0, 420]);
    let b = tt.bands(ev)[0];
    assert_eq!(
        (b.start, b.end, b.headway, b.exact),
        (t("06:00"), t("09:00"), 600, false)
    );
    let ex = tt.trip_by_id("exact15").unwrap();
    assert_eq!(
        (tt.arrivals(ex), tt.departures(ex)),
        (&[0, 480][..], &[0, 480][..])
    );
    assert!(tt.bands(ex)[0].exact);
    // A calendar from calendar_dates only.
    assert_eq!(tt.trips_on(day("2024-06-01")), vec![ex]);
    // Transfers: 180 s minimum change at both platforms and between them; B -> C timed (0 s).
    assert_eq!(tt.min_change(id("P1")), 180);
    assert_eq!(tt.min_change(id("P2")), 180);
    let p1 = tt.footpaths(id("P1"));
    assert_eq!((p1.len(), p1[0].to, p1[0].duration), (1, id("P2"), 180));
    assert_eq!(tt.footpaths(id("B"))[0].duration, 0);
    assert!(tt.footpaths(id("C")).is_empty());

    // RAPTOR on it: from P1 at 00:45 on Tuesday 2024-06-04, the day before's "late" trip (24:50)
    // reaches B at 00:55 (no alighting at P1, no boarding at C).
    let day_tt = DayTimetable::new(
        tt,
        day("2024-06-04"),
        t("00:45"),
        t("03:00"),
        Draw::default(),
    );
    let mut ws = RaptorWorkspace::new();
    let p = RaptorParams {
        max_trips: 3,
        limit: 3600,
    };
    let a = ws
        .one_departure(&day_tt, &[(id("P1"), 0)], t("00:45"), &p)
        .unwrap();
    assert_eq!(a.at(id("B")), Some(t("00:55")));
    assert_eq!(a.at(id("C")), Some(t("00:55"))); // B -> C timed transfer, 0 s
    let j = ws.journey(&day_tt, id("C"), None).unwrap();
    assert!(matches!(j.legs[1], Leg::Ride { service_day, .. } if service_day == day("2024-06-03")));
}

#[test]
fn problems_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    unzip_to(&fixture("poa_trensurb.zip"), dir.path());
    let p = dir.path();
    let edit = |file: &str, from: &str, to: &str| {
        let s = std::fs::read_to_string(p.join(file)).unwrap();
        assert!(s.contains(from), "{file} lacks {from}");
        std::fs::write(p.join(file), s.replacen(from, to, 1)).unwrap();
    };
    // calendar.txt line 4: a nine-digit end_date.
    edit(
        "calendar.txt",
        "SU,0,0,0,0,0,0,1,20190301,20191231",
        "SU,0,0,0,0,0,0,1,20190301,201912313",
    );
    // stops.txt line 3: a latitude that is no number.
    edit(
        "stops.txt",
        "RD,ESTACAO RODOVIARIA,-30.0224034752",
        "RD,ESTACAO RODOVIARIA,south",
    );
    // stop_times.txt line 3: departure before arrival.
    edit(
        "stop_times.txt",
        "FULLW_SO_NH_05:06:00,05:08:35,05:09:00,RS,2",
        "FULLW_SO_NH_05:06:00,05:08:35,05:07:00,RS,2",
    );
    // trips.txt line 2: an unknown route.
    edit(
        "trips.txt",
        "LINHA1,FULLW,FULLW_AP_MR_05:05:00",
        "LINHA9,FULLW,FULLW_AP_MR_05:05:00",
    );
    let err = import_gtfs(&[p.to_path_buf()], &GtfsOptions::default()).unwrap_err();
    let text = err.to_string();
    let feed = p.file_name().unwrap().to_string_lossy().into_owned();
    for want in [
        format!("{feed}/calendar.txt:4: field end_date: '201912313'"),
        format!("{feed}/stops.txt:3: field stop_lat: 'south'"),
        format!("{feed}/stop_times.txt:3: field departure_time of trip_id FULLW_SO_NH_05:06:00: 05:07:00 is before the arrival_time 05:08:35"),
        format!("{feed}/trips.txt:2: field route_id: 'LINHA9' is not in routes.txt"),
    ] {
        assert!(text.contains(&want), "missing «{want}» in:\n{text}");
    }
    // Trips of the lost Sunday service and stop times at the lost stop are reported too, once
    // per missing id.
    assert!(text.contains("field service_id: 'SU' is not in"), "{text}");
    assert!(text.contains("field stop_id: 'RD' is not in"), "{text}");
    // Lenient: the same problems as warnings, the rows left out.
    let imp = import(
        &[p.to_path_buf()],
        &GtfsOptions {
            lenient: true,
            ..GtfsOptions::default()
        },
    );
    assert!(imp.warnings.iter().all(|w| w.severity == Severity::Warning));
    assert_eq!(imp.warnings.len(), err.0.len());
    let tt = &imp.timetable;
    assert_eq!(tt.stops().len(), 23);
    assert!(tt.trip_by_id("FULLW_SO_NH_05:06:00").is_none());
    assert!(tt.trip_by_id("FULLW_AP_MR_05:05:00").is_none());
    assert_eq!(tt.trips_on(day("2019-05-19")).len(), 0);
    // A path that is no feed.
    let err = import_gtfs(&[p.join("nothing.zip")], &GtfsOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("nothing.zip: cannot open"),
        "{err}"
    );
}

#[test]
fn raptor_on_trensurb_hand_checked() {
    let imp = import(
        &[fixture("poa_trensurb.zip")],
        &GtfsOptions {
            walk_radius_m: 100.0,
            ..GtfsOptions::default()
        },
    );
    let tt = &imp.timetable;
    let id = |s: &str| tt.stop_by_id(s).unwrap();
    // Monday 2019-05-13 from Mercado at 07:00.
    let d = DayTimetable::new(
        tt,
        day("2019-05-13"),
        t("07:00"),
        t("10:00"),
        Draw::default(),
    );
    let mut ws = RaptorWorkspace::new();
    let p = RaptorParams {
        max_trips: 4,
        limit: 2 * 3600,
    };
    let a = ws
        .one_departure(&d, &[(id("MR"), 0)], t("07:00"), &p)
        .unwrap();
    // Novo Hamburgo: FULLW_MR_NH_07:09:00 (the 07:04 runs to Sapucaia only; nothing from
    // Sapucaia to Novo Hamburgo between) arrives 08:01:35.
    assert_eq!(a.at(id("NH")), Some(t("08:01:35")));
    // Salgado Filho airport: train to Aeroporto (07:04 arrives 07:13:35; the 07:09 at 07:18:35),
    // 29.3 m on foot to the Aeromóvel (25 s at 1.2 m/s), FULLW_ATR_ASG_07:22:00 arrives 07:25:00.
    assert_eq!(a.at(id("ASG")), Some(t("07:25:00")));
    let j = ws.journey(&d, id("ASG"), None).unwrap();
    let kinds: Vec<&str> = j
        .legs
        .iter()
        .map(|l| match l {
            Leg::Access { .. } => "access",
            Leg::Ride { .. } => "ride",
            Leg::Walk { .. } => "walk",
            Leg::Egress { .. } => "egress",
        })
        .collect();
    assert_eq!(
        kinds,
        ["access", "ride", "walk", "ride"],
        "{}",
        j.describe(tt)
    );
    eprintln!("{}", j.describe(tt));
    let Leg::Walk { depart, arrive, .. } = j.legs[2] else {
        unreachable!()
    };
    assert_eq!(arrive - depart, 25);
    let Leg::Ride {
        trip,
        depart,
        arrive,
        ..
    } = j.legs[3]
    else {
        unreachable!()
    };
    assert_eq!(
        (tt.trip(trip).id.as_str(), depart, arrive),
        ("FULLW_ATR_ASG_07:22:00", t("07:22:00"), t("07:25:00"))
    );
    // Saturday 2019-05-18: SA trips only; SA_MR_NH_07:04:00 arrives at Novo Hamburgo 07:56:35.
    let sat = DayTimetable::new(
        tt,
        day("2019-05-18"),
        t("07:00"),
        t("10:00"),
        Draw::default(),
    );
    let a = ws
        .one_departure(&sat, &[(id("MR"), 0)], t("07:00"), &p)
        .unwrap();
    assert_eq!(a.at(id("NH")), Some(t("07:56:35")));
}
