//! Checks on the bundled Guangzhou network: it validates, every station is reachable, the base
//! year can be reconstructed, and the model reproduces published timetables and door-to-door
//! claims (tests/fixtures/fidelity/, each row with its source).

use onehour::analysis::time_matrix;
use onehour::engine::{Queue, Workspace};
use onehour::graph::Prepared;
use onehour::graph::Profile;
use onehour::network::bundled;
use onehour::network::ids::{NodeId, UNREACHED};
use onehour::network::load::load_network;
use onehour::network::model::{Network, PlaceKind};

fn network() -> Network {
    let (net, warnings) = load_network(&bundled::networks(), "guangzhou/network.toml")
        .unwrap_or_else(|p| panic!("the bundled network must validate:\n{p}"));
    assert!(
        warnings.is_empty(),
        "the bundled network has warnings: {warnings:?}"
    );
    net
}

#[test]
fn every_served_station_is_reachable_from_every_centre() {
    // The network as it runs on its date; a station no service calls at that day (closed for
    // rebuilding, or without trains) is listed by `validate`, not required here.
    let full = network();
    let net = full.as_on(
        full.valid_on
            .expect("the bundled network declares valid_on"),
    );
    let served = net.served_stations();
    let p = Prepared::new(net.clone(), Profile::Transit);
    let mut ws = Workspace::new(p.graph.csr.num_nodes());
    for c in net.centres() {
        ws.run(
            &p.graph.csr,
            p.graph.place_node(c),
            UNREACHED - 1,
            Queue::Bucket,
            false,
        );
        let missing: Vec<&str> = net
            .places
            .iter()
            .enumerate()
            .filter(|(i, pl)| {
                pl.kind == PlaceKind::Station
                    && served.contains(pl.id.as_str())
                    && ws.dist(NodeId::from_idx(*i)) == UNREACHED
            })
            .map(|(_, pl)| pl.id.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "from {}: unreachable stations {missing:?}",
            net.place(c).id
        );
    }
}

#[test]
fn covers_the_plan_hubs_and_centres() {
    let net = network();
    let ids: std::collections::HashSet<&str> = net.places.iter().map(|p| p.id.as_str()).collect();
    // 五主三辅 (专栏1): 广州, 广州东, 广州南, 佛山西, 广州白云; 广州北, 南沙 (via metro 18), 新塘.
    for hub in [
        "guangzhou",
        "guangzhoudong",
        "guangzhounan",
        "foshanxi",
        "guangzhoubaiyun",
        "guangzhoubei",
        "xintang",
    ] {
        assert!(ids.contains(hub), "hub {hub} missing");
    }
    for c in [
        "c_guangzhou_yuexiu",
        "c_guangzhou_tianhe",
        "c_foshan",
        "c_zhaoqing",
        "c_qingyuan",
        "c_shenzhen",
        "c_dongguan",
        "c_zhongshan",
        "c_zhuhai",
        "c_jiangmen",
        "c_yunfu",
        "c_shaoguan",
    ] {
        assert!(ids.contains(c), "centre {c} missing");
    }
    assert!(
        net.zones().len() >= 23,
        "every district or county of the plan area is a zone"
    );
    let pop: u64 = net.zones().iter().map(|&z| net.place(z).population).sum();
    // The plan gives 32.57 million residents in 2022 for the area.
    assert!(
        (30_000_000..36_000_000).contains(&pop),
        "zone population {pop}"
    );
}

#[test]
fn base_year_2022_drops_later_lines_and_changes_the_matrix() {
    let net = network();
    let y2022 = net.as_of(2022);
    assert!(y2022
        .services
        .iter()
        .all(|s| s.opened.year <= 2022 && s.closed.is_none_or(|c| c.year > 2022)));
    let dropped: Vec<&str> = net
        .services
        .iter()
        .filter(|s| s.opened.year > 2022)
        .map(|s| s.id.as_str())
        .collect();
    assert!(!dropped.is_empty());
    assert_eq!(
        y2022.services.len()
            + dropped.len()
            + net
                .services
                .iter()
                .filter(|s| s.closed.is_some_and(|c| c.year <= 2022))
                .count(),
        net.services.len()
    );
    let centres = net.centres();
    let today = Prepared::new(net.clone(), Profile::Transit);
    let then = Prepared::new(y2022, Profile::Transit);
    let a = time_matrix(&today, &centres, &centres, today.default_bound());
    let b = time_matrix(&then, &centres, &centres, then.default_bound());
    let faster = (0..centres.len())
        .flat_map(|i| (0..centres.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| a.secs[i][j] < b.secs[i][j])
        .count();
    assert!(
        faster > 0,
        "lines opened since 2022 must make some centre pair faster"
    );
    for i in 0..centres.len() {
        for j in 0..centres.len() {
            assert!(
                a.secs[i][j] <= b.secs[i][j],
                "{} -> {} slower today than in 2022",
                net.place(centres[i]).id,
                net.place(centres[j]).id
            );
        }
    }
}
