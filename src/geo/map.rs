//! A map as one SVG picture: the network (lines coloured by mode, roads, stations, centres)
//! under the isochrone bands of one origin, one panel per scenario side by side on a common
//! extent and scale, with a legend and a scale bar. Hand-written SVG: no dependencies, and
//! the file opens in any browser or in Inkscape.

use std::fmt::Write;

use crate::geo::isochrone::{Band, Isochrone, Projection};
use crate::geo::style::{band_colour, mode_colour, ROAD_COLOUR};
use crate::graph::Profile;
use crate::network::model::{Mode, Network, PlaceKind};

/// One panel: a scenario's network and, optionally, its isochrone.
pub struct Panel<'a> {
    /// Title above the panel (the scenario).
    pub title: String,
    /// The network drawn.
    pub net: &'a Network,
    /// The isochrone bands drawn under it, if any.
    pub iso: Option<&'a Isochrone>,
}

const PAD: f64 = 12.0;
const TITLE_H: f64 = 28.0;
const LEGEND_W: f64 = 170.0;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The projected extent to draw: every band and the origin, with a margin; without bands, the
/// centres of the metropolitan area (`in_area`); failing that, all places.
fn extent(panels: &[Panel], proj: &Projection) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let add = |b: &mut [f64; 4], lon: f64, lat: f64| {
        let (x, y) = proj.forward(lon, lat);
        *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    };
    for p in panels {
        let Some(iso) = p.iso else { continue };
        for pl in p.net.places.iter().filter(|pl| pl.id == iso.origin) {
            add(&mut b, pl.lon, pl.lat);
        }
        for band in &iso.bands {
            for poly in &band.geometry.0 {
                for c in &poly.exterior().0 {
                    add(&mut b, c.x, c.y);
                }
            }
        }
    }
    let fallbacks: [&dyn Fn(&crate::network::model::Place) -> bool; 2] =
        [&|pl| pl.kind == PlaceKind::Centre && pl.in_area, &|_| true];
    for keep in fallbacks {
        if b.iter().all(|v| v.is_finite()) {
            break;
        }
        for p in panels {
            for pl in p.net.places.iter().filter(|pl| keep(pl)) {
                add(&mut b, pl.lon, pl.lat);
            }
        }
    }
    if !b.iter().all(|v| v.is_finite()) {
        b = [-1000.0, -1000.0, 1000.0, 1000.0];
    }
    let m = 0.06 * (b[2] - b[0]).max(b[3] - b[1]).max(2000.0);
    [b[0] - m, b[1] - m, b[2] + m, b[3] + m]
}

/// A round length for the scale bar, metres: about a fifth of the panel width.
fn scale_len(width_m: f64) -> f64 {
    let target = width_m / 5.0;
    let mut best = 100.0;
    for k in [100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5] {
        if k <= target {
            best = k;
        }
    }
    best
}

fn stroke_width(m: Mode) -> f64 {
    match m {
        Mode::Hsr => 2.4,
        Mode::Conventional | Mode::Intercity => 2.0,
        Mode::Metro => 1.5,
        Mode::Tram | Mode::Bus => 1.0,
    }
}

/// SVG path data of a MultiPolygon given in WGS84, through `pt` (lon, lat to pixels).
fn path_data(mp: &geo::MultiPolygon<f64>, pt: &dyn Fn(f64, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for (ci, c) in ring.0.iter().enumerate() {
                let (x, y) = pt(c.x, c.y);
                let _ = write!(d, "{}{x:.1} {y:.1} ", if ci == 0 { "M" } else { "L" });
            }
            d.push_str("Z ");
        }
    }
    d.trim_end().to_string()
}

/// The drawing area: the projected extent, the scale and the height of one panel.
struct Canvas<'a> {
    proj: &'a Projection,
    ext: [f64; 4],
    /// Pixels per projected metre.
    k: f64,
    panel_h: f64,
}

impl Canvas<'_> {
    /// Pixel coordinates of a WGS84 point inside a panel.
    fn pt(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = self.proj.forward(lon, lat);
        ((x - self.ext[0]) * self.k, (self.ext[3] - y) * self.k)
    }
}

/// Renders the panels as one SVG document. `panel_w` is the width of one panel in pixels.
pub fn render(panels: &[Panel], proj: &Projection, panel_w: f64, profile: Profile) -> String {
    let ext = extent(panels, proj);
    let (wm, hm) = (ext[2] - ext[0], ext[3] - ext[1]);
    let panel_w = panel_w.clamp(200.0, 4000.0);
    let k = panel_w / wm;
    let panel_h = (hm * k).min(panel_w * 2.0);
    let c = Canvas {
        proj,
        ext,
        k,
        panel_h,
    };
    let n = panels.len().max(1) as f64;
    let width = PAD + n * (panel_w + PAD) + LEGEND_W;
    let height = TITLE_H + panel_h + 2.0 * PAD;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r#"<defs><clipPath id="panel"><rect width="{panel_w:.1}" height="{panel_h:.1}"/></clipPath></defs>"#
    );
    let mut modes_used: Vec<Mode> = Vec::new();
    let first_band = panels
        .first()
        .and_then(|p| p.iso)
        .and_then(|i| i.bands.last());
    let origin_id = panels.iter().find_map(|p| p.iso).map(|i| i.origin.clone());
    for (pi, panel) in panels.iter().enumerate() {
        let ox = PAD + pi as f64 * (panel_w + PAD);
        let subtitle = match panel.iso {
            Some(i) => format!(
                "{} — from {} ({})",
                panel.title,
                i.origin_name,
                profile.as_str()
            ),
            None => panel.title.clone(),
        };
        let _ = writeln!(
            s,
            r#"<text x="{ox:.1}" y="{:.1}" font-size="14" font-weight="bold">{}</text>"#,
            TITLE_H - 10.0,
            esc(&subtitle)
        );
        let _ = writeln!(s, r#"<g transform="translate({ox:.1},{TITLE_H:.1})">"#);
        let _ = writeln!(
            s,
            r##"<rect width="{panel_w:.1}" height="{panel_h:.1}" fill="#f7f7f4" stroke="#999"/>"##
        );
        let _ = writeln!(s, r#"<g clip-path="url(#panel)">"#);
        draw_lines(&mut s, &c, panel.net, &mut modes_used);
        draw_bands(&mut s, &c, panel, if pi > 0 { first_band } else { None });
        draw_places(&mut s, &c, panel, origin_id.as_deref());
        let _ = writeln!(s, "</g>");
        scale_bar(&mut s, &c, wm);
        let _ = writeln!(s, "</g>");
    }
    legend(
        &mut s,
        panels,
        PAD + n * (panel_w + PAD),
        &modes_used,
        first_band,
    );
    s.push_str("</svg>\n");
    s
}

/// Roads (dashed) and services (by mode), recording the modes drawn for the legend.
fn draw_lines(s: &mut String, c: &Canvas<'_>, net: &Network, modes_used: &mut Vec<Mode>) {
    let idx = net.place_index();
    let at = |id: &str| {
        idx.get(id)
            .map(|&p| c.pt(net.place(p).lon, net.place(p).lat))
    };
    for r in &net.roads {
        if let (Some(a), Some(b)) = (at(&r.from), at(&r.to)) {
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{ROAD_COLOUR}" stroke-width="0.8" stroke-dasharray="3 2"/>"#,
                a.0, a.1, b.0, b.1
            );
        }
    }
    for svc in &net.services {
        let pts: Option<Vec<(f64, f64)>> = svc.stops.iter().map(|st| at(&st.at)).collect();
        let Some(pts) = pts else { continue };
        if !modes_used.contains(&svc.mode) {
            modes_used.push(svc.mode);
        }
        let p: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round"><title>{} ({})</title></polyline>"#,
            p.join(" "),
            mode_colour(svc.mode),
            stroke_width(svc.mode),
            esc(&svc.line),
            esc(&svc.id)
        );
    }
}

/// The panel's bands over the lines (translucent) and under the stops, largest first so the
/// shorter ones lie on top; then `outline`, the first panel's largest band, dashed: the
/// difference at a glance.
fn draw_bands(s: &mut String, c: &Canvas<'_>, panel: &Panel<'_>, outline: Option<&Band>) {
    let pt = |lon: f64, lat: f64| c.pt(lon, lat);
    if let Some(iso) = panel.iso {
        let nb = iso.bands.len();
        for (bk, b) in iso.bands.iter().enumerate().rev() {
            let d = path_data(&b.geometry, &pt);
            if !d.is_empty() {
                let _ = writeln!(
                    s,
                    r#"<path d="{}" fill="{}" fill-opacity="0.45" fill-rule="evenodd" stroke="{}" stroke-width="0.5"><title>{} min: {:.0} km², {:.2} M people</title></path>"#,
                    d,
                    band_colour(bk, nb),
                    band_colour(bk, nb),
                    b.minutes,
                    b.area_km2,
                    b.population as f64 / 1e6
                );
            }
        }
    }
    if let Some(b) = outline {
        let _ = writeln!(
            s,
            r##"<path d="{}" fill="none" stroke="#000" stroke-width="1.2" stroke-dasharray="5 3"/>"##,
            path_data(&b.geometry, &pt)
        );
    }
}

/// Stations, centres with their names, and the origin (red) if it is not a centre.
fn draw_places(s: &mut String, c: &Canvas<'_>, panel: &Panel<'_>, origin_id: Option<&str>) {
    let net = panel.net;
    for pl in net.places.iter().filter(|p| p.kind == PlaceKind::Station) {
        let (x, y) = c.pt(pl.lon, pl.lat);
        let _ = writeln!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="1.6" fill="#fff" stroke="#333" stroke-width="0.6"/>"##
        );
    }
    for pl in net.places.iter().filter(|p| p.kind == PlaceKind::Centre) {
        let (x, y) = c.pt(pl.lon, pl.lat);
        let origin = origin_id == Some(pl.id.as_str());
        let r = if origin { 5.0 } else { 3.0 };
        let fill = if origin { "#e31a1c" } else { "#000" };
        let _ = writeln!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}" stroke="#fff" stroke-width="1"/>"##
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
            x + 5.0,
            y - 4.0,
            esc(&pl.name)
        );
    }
    let idx = net.place_index();
    if let Some(o) = panel.iso.and_then(|i| idx.get(i.origin.as_str())) {
        let pl = net.place(*o);
        if pl.kind != PlaceKind::Centre {
            let (x, y) = c.pt(pl.lon, pl.lat);
            let _ = writeln!(
                s,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="#e31a1c" stroke="#fff" stroke-width="1"/>"##
            );
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                x + 6.0,
                y - 5.0,
                esc(&pl.name)
            );
        }
    }
}

/// A scale bar at the bottom left of a panel `wm` projected metres wide.
fn scale_bar(s: &mut String, c: &Canvas<'_>, wm: f64) {
    let len = scale_len(wm);
    let (bx, by) = (10.0, c.panel_h - 14.0);
    let bl = len * c.k;
    let label = if len >= 1000.0 {
        format!("{} km", len / 1000.0)
    } else {
        format!("{len} m")
    };
    let _ = writeln!(
        s,
        r##"<g><rect x="{bx}" y="{by}" width="{bl:.1}" height="4" fill="#000"/><rect x="{bx}" y="{by}" width="{:.1}" height="4" fill="#fff" stroke="#000" stroke-width="0.5"/><text x="{bx}" y="{:.1}">0</text><text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text></g>"##,
        bl / 2.0,
        by - 3.0,
        bx + bl,
        by - 3.0
    );
}

/// The legend right of the panels (at x = `lx`): bands, the outlined first band, modes,
/// roads, origin and centres.
fn legend(s: &mut String, panels: &[Panel], lx: f64, modes_used: &[Mode], first: Option<&Band>) {
    let thresholds: Vec<f64> = panels
        .iter()
        .find_map(|p| p.iso)
        .map(|i| i.bands.iter().map(|b| b.minutes).collect())
        .unwrap_or_default();
    let mut ly = TITLE_H + 4.0;
    let _ = writeln!(
        s,
        r#"<g font-size="11"><text x="{lx:.1}" y="{ly:.1}" font-weight="bold">Door to door, minutes</text>"#
    );
    ly += 8.0;
    for (bk, m) in thresholds.iter().enumerate() {
        let c = band_colour(bk, thresholds.len());
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="{ly:.1}" width="16" height="11" fill="{c}" fill-opacity="0.55" stroke="{c}"/><text x="{:.1}" y="{:.1}">≤ {m}</text>"#,
            lx + 22.0,
            ly + 9.5
        );
        ly += 16.0;
    }
    if let (true, Some(b), Some(p0)) = (panels.len() > 1, first, panels.first()) {
        let _ = writeln!(
            s,
            r##"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#000" stroke-width="1.2" stroke-dasharray="5 3"/><text x="{:.1}" y="{:.1}">≤ {} in {}</text>"##,
            ly + 5.5,
            lx + 16.0,
            ly + 5.5,
            lx + 22.0,
            ly + 9.5,
            b.minutes,
            esc(&p0.title)
        );
        ly += 16.0;
    }
    ly += 10.0;
    let _ = writeln!(
        s,
        r#"<text x="{lx:.1}" y="{ly:.1}" font-weight="bold">Network</text>"#
    );
    ly += 8.0;
    for m in Mode::ALL.iter().filter(|m| modes_used.contains(m)) {
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            ly + 5.5,
            lx + 16.0,
            ly + 5.5,
            mode_colour(*m),
            stroke_width(*m) + 0.5,
            lx + 22.0,
            ly + 9.5,
            m.as_str()
        );
        ly += 16.0;
    }
    let _ = writeln!(
        s,
        r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{ROAD_COLOUR}" stroke-width="1" stroke-dasharray="3 2"/><text x="{:.1}" y="{:.1}">road</text>"#,
        ly + 5.5,
        lx + 16.0,
        ly + 5.5,
        lx + 22.0,
        ly + 9.5
    );
    ly += 16.0;
    let _ = writeln!(
        s,
        r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#e31a1c"/><text x="{:.1}" y="{:.1}">origin</text>"##,
        lx + 8.0,
        ly + 5.5,
        lx + 22.0,
        ly + 9.5
    );
    ly += 16.0;
    let _ = writeln!(
        s,
        r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#000"/><text x="{:.1}" y="{:.1}">centre</text>"##,
        lx + 8.0,
        ly + 5.5,
        lx + 22.0,
        ly + 9.5
    );
    let _ = writeln!(s, "</g>");
}
