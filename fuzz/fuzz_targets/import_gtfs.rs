//! The GTFS import on a small feed (the one of `tests/gtfs.rs`) with one file replaced by
//! the input (the first byte picks the file): strict, it must import or return problems;
//! lenient, it must give the same network, files and warnings whether every round rebuilds
//! the whole network or only the patterns the last round changed. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onehour::io::gtfs_network::{import_network, NetworkImportOptions};

const FILES: [(&str, &str); 9] = [
    ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Tiny Transit,https://example.org,Europe/Lisbon\n"),
    ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\nST,Central,38.7000,-9.1400,1,\nP1,Central platform 1,38.7000,-9.1400,0,ST\nP2,Central platform 2,38.7003,-9.1400,0,ST\nB,Bairro,38.7100,-9.1400,,\nC,Costa,38.7200,-9.1400,0,\nE,Entrance,38.7001,-9.1401,2,ST\n"),
    ("routes.txt", "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,1,Central-Costa,3\nR2,A,2,Shuttle,3\n"),
    ("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n"),
    ("calendar_dates.txt", "service_id,date,exception_type\nHOL,20240601,1\n"),
    ("trips.txt", "route_id,service_id,trip_id\nR1,WK,late\nR2,WK,every10\nR2,HOL,exact15\n"),
    ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type,shape_dist_traveled\nlate,24:50:00,24:50:00,P1,1,0,1,0\nlate,,,B,2,0,0,300\nlate,25:10:00,25:11:00,C,3,1,0,1200\nevery10,06:00:00,06:00:00,P2,10,,,\nevery10,06:07:00,06:07:00,B,20,,,\nexact15,08:00:00,08:01:00,B,1,,,\nexact15,08:09:00,08:09:00,C,2,,,\n"),
    ("frequencies.txt", "trip_id,start_time,end_time,headway_secs,exact_times\nevery10,06:00:00,09:00:00,600,0\nexact15,07:00:00,08:00:00,900,1\n"),
    ("transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nST,ST,2,180\nB,C,1,\nC,B,3,\n"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in FILES {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let name = FILES[pick as usize % FILES.len()].0;
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let feeds = [dir.path().to_path_buf()];
    let run = |lenient, full_rounds| {
        import_network(
            &feeds,
            &NetworkImportOptions {
                lenient,
                full_rounds,
            },
        )
    };
    if let Err(p) = run(false, false) {
        assert!(p.errors().count() > 0);
        let _ = p.to_string();
    }
    let show = |w: &[onehour::network::problem::Problem]| {
        w.iter().map(|p| p.to_string()).collect::<Vec<_>>()
    };
    match (run(true, false), run(true, true)) {
        (Ok(fast), Ok(full)) => {
            assert_eq!(fast.dropped_trips, full.dropped_trips);
            assert_eq!(show(&fast.warnings), show(&full.warnings));
            assert_eq!(fast.files(), full.files());
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!(
            "lenient rounds disagree: {:?} against {:?}",
            a.map(|i| i.dropped_trips).map_err(|p| p.to_string()),
            b.map(|i| i.dropped_trips).map_err(|p| p.to_string())
        ),
    }
});
