// onehour serve: the page. Plain ES modules, no framework: state in one object, one function
// per panel, every number from the JSON API under /api/.
import * as maplibregl from '/vendor/maplibre-gl.mjs';

const $ = (id) => document.getElementById(id);

const state = {
  info: null,
  scenarios: [],
  centres: [],          // places of kind centre, network order
  a: '',                // scenario shown
  b: '',                // scenario compared with ('' = none)
  timing: '',           // '' static, or a departure window
  view: 'side',         // 'side' (two maps) or 'diff'
  matrix: null,         // the last /api/matrix answer
  iso: null,            // the last /api/isochrones answer
  origin: null,         // {place} or {lon, lat}
  route: null,          // {from, to, legs: {scenario: answer}}
  pair: null,           // [i, j] selected in the matrix
  access: null,         // the last /api/access answer (when the layer is shown)
};
const maps = {};        // 'a', 'b' -> maplibregl.Map
window.onehour = { state, maps };   // for the browser test and for the curious

// ---------------------------------------------------------------- fetching and status

function status(text, error = false) {
  const s = $('status');
  s.textContent = text || '';
  s.classList.toggle('error', !!error);
}

async function api(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  const url = q.toString() ? `${path}?${q}` : path;
  const r = await fetch(url);
  const body = await r.json();
  if (!r.ok) {
    const more = body.suggestions ? ` (closest: ${body.suggestions.join(', ')})` : '';
    throw new Error(`${body.error}${more}`);
  }
  return body;
}

const short = (name) => name.split(/[(（]/)[0].trim();
const fmt = (m) => (m == null ? '—' : Math.round(m).toString());
const scenarioTitle = (name) => {
  const s = state.scenarios.find((x) => x.name === name);
  return s ? `${name} — ${s.title}` : name;
};

// ---------------------------------------------------------------- maps

const EMPTY = { type: 'FeatureCollection', features: [] };

// Bands from dark (reached soon) to light; the difference in blue (gained) and red (lost).
const BAND_RAMP = ['#00441b', '#1b7837', '#41ab5d', '#78c679', '#addd8e'];
const GAINED = '#2166ac';
const LOST = '#c0392b';

function bandColour(minutes, max) {
  const k = Math.min(BAND_RAMP.length - 1, Math.max(0, Math.round((minutes / max) * BAND_RAMP.length) - 1));
  return BAND_RAMP[k];
}

// The features with the colour the map draws them in (`colour`), without changing the download.
function coloured(fc) {
  const max = Math.max(...fc.features.map((f) => f.properties.minutes), 1);
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({
      ...f,
      properties: {
        ...f.properties,
        colour: f.properties.change ? (f.properties.change === 'gained' ? GAINED : LOST) : bandColour(f.properties.minutes, max),
      },
    })),
  };
}

function baseStyle() {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e9ece6' } }],
  };
}

function addLayers(map, districts, network) {
  map.addSource('districts', { type: 'geojson', data: districts });
  map.addSource('network', { type: 'geojson', data: network });
  map.addSource('iso', { type: 'geojson', data: EMPTY });
  map.addSource('access', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'districts-fill', type: 'fill', source: 'districts',
    paint: { 'fill-color': '#fbfaf6', 'fill-opacity': 0.95 } });
  map.addLayer({ id: 'districts-line', type: 'line', source: 'districts',
    paint: { 'line-color': '#b9bfb3', 'line-width': 0.7 } });
  map.addLayer({ id: 'access-fill', type: 'fill', source: 'access',
    paint: { 'fill-color': ['coalesce', ['get', 'colour'], '#ccc'], 'fill-opacity': 0.6 } });
  map.addLayer({ id: 'iso-fill', type: 'fill', source: 'iso',
    paint: {
      'fill-color': ['coalesce', ['get', 'colour'], '#41ab5d'],
      'fill-opacity': ['case', ['has', 'change'], 0.35, 0.45],
    } });
  map.addLayer({ id: 'iso-line', type: 'line', source: 'iso',
    paint: { 'line-color': ['case', ['has', 'change'], '#444', '#2d3f57'], 'line-width': 0.6, 'line-opacity': 0.6 } });
  map.addLayer({ id: 'roads', type: 'line', source: 'network', filter: ['==', ['get', 'kind'], 'road'],
    paint: { 'line-color': '#a8926c', 'line-width': 0.8, 'line-opacity': 0.5, 'line-dasharray': [3, 2] } });
  map.addLayer({ id: 'lines', type: 'line', source: 'network', filter: ['==', ['get', 'kind'], 'service'],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': ['coalesce', ['get', 'stroke'], '#555'],
      'line-width': ['interpolate', ['linear'], ['zoom'], 7, 1, 11, 2.4], 'line-opacity': 0.75 } });
  map.addLayer({ id: 'stations', type: 'circle', source: 'network', filter: ['==', ['get', 'kind'], 'station'],
    minzoom: 8.5,
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8.5, 1.5, 12, 3.5],
      'circle-color': '#fff', 'circle-stroke-color': '#39424e', 'circle-stroke-width': 0.8 } });
  map.addLayer({ id: 'centres', type: 'circle', source: 'network', filter: ['==', ['get', 'kind'], 'centre'],
    paint: { 'circle-radius': 5, 'circle-color': '#1d2430', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
}

function centreBounds() {
  const lons = state.centres.map((c) => c.lon);
  const lats = state.centres.map((c) => c.lat);
  return [[Math.min(...lons) - 0.15, Math.min(...lats) - 0.1], [Math.max(...lons) + 0.15, Math.max(...lats) + 0.1]];
}

async function makeMap(key, districts, network) {
  const map = new maplibregl.Map({
    container: `map-${key}`,
    style: baseStyle(),
    bounds: centreBounds(),
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  await new Promise((ok) => map.on('load', ok));
  addLayers(map, districts, network);
  for (const c of state.centres) {
    const el = document.createElement('div');
    el.className = 'centre-marker';
    el.dataset.place = c.id;
    el.title = `${c.name} ${c.name_zh}`;
    el.textContent = short(c.name);
    el.addEventListener('click', (e) => { e.stopPropagation(); setOrigin({ place: c.id }); });
    new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat([c.lon, c.lat]).addTo(map);
  }
  map.on('click', (e) => setOrigin({ lon: +e.lngLat.lng.toFixed(5), lat: +e.lngLat.lat.toFixed(5) }));
  map.getCanvas().style.cursor = 'crosshair';
  maps[key] = map;
  return map;
}

// Two maps move together.
let syncing = false;
function syncMaps() {
  for (const [from, to] of [['a', 'b'], ['b', 'a']]) {
    maps[from].on('move', () => {
      if (syncing || !maps[to]) return;
      syncing = true;
      maps[to].jumpTo({ center: maps[from].getCenter(), zoom: maps[from].getZoom() });
      syncing = false;
    });
  }
}

let clickMarkers = [];
function showOriginMarker() {
  clickMarkers.forEach((m) => m.remove());
  clickMarkers = [];
  document.querySelectorAll('.centre-marker').forEach((el) =>
    el.classList.toggle('origin', state.origin?.place === el.dataset.place));
  if (state.origin?.lon == null) return;
  for (const key of ['a', 'b']) {
    if (!maps[key]) continue;
    const el = document.createElement('div');
    el.className = 'click-marker';
    clickMarkers.push(new maplibregl.Marker({ element: el }).setLngLat([state.origin.lon, state.origin.lat]).addTo(maps[key]));
  }
}

function layout() {
  const two = state.b && state.view === 'side';
  $('wrap-b').hidden = !two;
  $('label-a').textContent = state.b && state.view === 'diff' ? `${state.b} vs ${state.a}: gained / lost` : state.a;
  $('label-b').textContent = state.b;
  $('view-row').style.opacity = state.b ? 1 : 0.45;
  for (const m of Object.values(maps)) m.resize();
  legend();
}

function legend() {
  const t = state.info?.thresholds || [15, 30, 45, 60];
  let html;
  if (state.b && state.view === 'diff') {
    html = `<div><span class="sw" style="background:${GAINED}99"></span>reached only in ${state.b}</div>
            <div><span class="sw" style="background:${LOST}99"></span>reached only in ${state.a}</div>
            <div class="muted">darker: within a shorter time</div>`;
  } else {
    const minutes = state.iso ? [...new Set(state.iso.summary.map((x) => x.minutes))] : t;
    const max = Math.max(...minutes);
    html = minutes.map((m) => `<div><span class="sw" style="background:${bandColour(m, max)}aa"></span>within ${m} min</div>`).join('');
  }
  if (state.access) html += accessLegend();
  html += `<div style="margin-top:4px"><span class="sw" style="background:#fff;border-radius:50%;border-color:#39424e"></span>station &nbsp;<span class="sw" style="background:#1d2430;border-radius:50%"></span>centre</div>`;
  $('legend').innerHTML = html;
}

// ---------------------------------------------------------------- matrix

function inAreaPairs(ids, within) {
  const area = new Set(state.centres.filter((c) => c.in_area).map((c) => c.id));
  let yes = 0, total = 0;
  ids.forEach((a, i) => ids.forEach((b, j) => {
    if (i !== j && area.has(a) && area.has(b)) { total += 1; if (within[i][j]) yes += 1; }
  }));
  return [yes, total];
}

async function loadMatrix() {
  $('matrix-hint').textContent = state.timing ? `timetables ${state.timing}, medians` : 'static model';
  status('Computing the centre matrix…');
  try {
    state.matrix = await api('/api/matrix', { scenario: state.a, compare: state.b, depart: state.timing });
    renderMatrix();
    status('');
  } catch (e) {
    status(e.message, true);
  }
}

function renderMatrix() {
  const m = state.matrix;
  const A = m.scenario, B = m.compare;
  const ids = A.places.map((p) => p.id);
  const n = ids.length;
  const limit = A.limit_minutes;
  let html = '<table class="m"><thead><tr><th></th>';
  for (let j = 0; j < n; j++) html += `<th title="${A.places[j].name}">${j + 1}</th>`;
  html += '</tr></thead><tbody>';
  for (let i = 0; i < n; i++) {
    html += `<tr><th class="row" title="${A.places[i].name} ${A.places[i].name_zh}">${i + 1} ${short(A.places[i].name)}</th>`;
    for (let j = 0; j < n; j++) {
      if (i === j) { html += '<td class="self">·</td>'; continue; }
      const a = A.minutes[i][j], okA = A.within_limit[i][j];
      const share = A.share_within_limit ? ` (${Math.round(A.share_within_limit[i][j] * 100)}% of departures within ${limit} min)` : '';
      let cls, text, title;
      if (!B) {
        cls = okA ? 'ok' : 'bad';
        text = fmt(a);
        title = `${short(A.places[i].name)} → ${short(A.places[j].name)}: ${fmt(a)} min${share}`;
      } else {
        const b = B.minutes[i][j], okB = B.within_limit[i][j];
        const d = a != null && b != null ? b - a : null;
        text = d == null ? (b == null ? '—' : 'new') : (Math.abs(d) < 0.5 ? '0' : (d > 0 ? '+' : '−') + Math.round(Math.abs(d)));
        cls = okB && !okA ? 'newly-ok' : (!okB && okA ? 'newly-bad' : (okB ? 'ok' : 'bad'));
        if (d != null && d <= -0.5 && cls !== 'newly-ok') cls += ' faster';
        else if (d != null && d >= 0.5 && cls !== 'newly-bad') cls += ' slower';
        else if (!cls.startsWith('newly')) cls += ' same';
        title = `${short(A.places[i].name)} → ${short(A.places[j].name)}: ${fmt(a)} min in ${state.a}, ${fmt(b)} min in ${state.b}`;
      }
      const sel = state.pair && state.pair[0] === i && state.pair[1] === j ? ' sel' : '';
      html += `<td class="${cls}${sel}" data-i="${i}" data-j="${j}" title="${title}">${text}</td>`;
    }
    html += '</tr>';
  }
  html += '</tbody></table>';
  $('matrix').innerHTML = html;
  $('matrix').querySelectorAll('td[data-i]').forEach((td) =>
    td.addEventListener('click', () => selectPair(+td.dataset.i, +td.dataset.j)));

  const [yesA, total] = inAreaPairs(ids, A.within_limit);
  let s = `<div><b>${state.a}</b>: ${yesA} of ${total} ordered pairs of the area's centres within ${limit} min` +
    (A.share_within_limit ? ' (median over departures)' : '') + '.</div>';
  if (B) {
    const [yesB] = inAreaPairs(ids, B.within_limit);
    const c = m.comparison;
    const name = (id) => short(A.places[ids.indexOf(id)]?.name || id);
    s += `<div><b>${state.b}</b>: ${yesB} of ${total}.</div>`;
    if (c.newly_within.length) s += `<div>Newly within ${limit} min:</div><ul>${c.newly_within.map(([x, y]) => `<li>✓ ${name(x)} → ${name(y)}</li>`).join('')}</ul>`;
    if (c.newly_over.length) s += `<div>Newly over ${limit} min:</div><ul>${c.newly_over.map(([x, y]) => `<li>✗ ${name(x)} → ${name(y)}</li>`).join('')}</ul>`;
    if (!c.newly_within.length && !c.newly_over.length) s += '<div class="muted">No verdict changes.</div>';
    s += '<div class="muted">Cells: change in minutes (negative = faster); bold: verdict changes.</div>';
  } else {
    s += '<div class="muted">Cells: door-to-door minutes; green within the target. Click a cell for the route.</div>';
  }
  $('matrix-summary').innerHTML = s;
}

function matrixCsv() {
  const m = state.matrix;
  if (!m) return '';
  const A = m.scenario, B = m.compare;
  const ids = A.places.map((p) => p.id);
  const head = ['from', 'to', `minutes_${state.a}`, `within_limit_${state.a}`];
  if (A.share_within_limit) head.push(`share_within_limit_${state.a}`);
  if (B) head.push(`minutes_${state.b}`, `within_limit_${state.b}`, 'delta_minutes');
  const rows = [head];
  ids.forEach((a, i) => ids.forEach((b, j) => {
    const r = [a, b, A.minutes[i][j] ?? '', A.within_limit[i][j]];
    if (A.share_within_limit) r.push(A.share_within_limit[i][j]);
    if (B) {
      const x = A.minutes[i][j], y = B.minutes[i][j];
      r.push(y ?? '', B.within_limit[i][j], x != null && y != null ? (y - x).toFixed(1) : '');
    }
    rows.push(r);
  }));
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

// ---------------------------------------------------------------- routes

async function selectPair(i, j) {
  state.pair = [i, j];
  renderMatrix();
  const A = state.matrix.scenario;
  const from = A.places[i], to = A.places[j];
  $('route-section').hidden = false;
  $('route-title').textContent = `${short(from.name)} → ${short(to.name)}`;
  $('route').innerHTML = '<p class="muted">…</p>';
  const depart = state.timing ? state.timing.split('-')[0] : '';
  const names = [state.a, ...(state.b ? [state.b] : [])];
  try {
    const answers = await Promise.all(names.map((sc) => api('/api/route', { from: from.id, to: to.id, scenario: sc, depart })));
    state.route = { from: from.id, to: to.id, legs: Object.fromEntries(names.map((n, k) => [n, answers[k]])) };
    $('route').innerHTML = names.map((n, k) => legsTable(n, answers[k])).join('');
  } catch (e) {
    $('route').innerHTML = `<p class="status error">${e.message}</p>`;
  }
}

function legsTable(scenario, r) {
  const total = r.total_minutes ?? r.minutes;
  const when = r.depart ? ` leaving ${r.depart}, arriving ${r.arrive}` : '';
  let html = `<div class="route-head">${scenario}: ${total.toFixed(1)} min${when}</div><table class="legs">`;
  for (const l of r.legs) {
    const clock = l.depart ? `${l.depart} ` : '';
    html += `<tr><td class="min">${clock}${l.minutes.toFixed(1)}</td><td><span class="kind ${l.kind}">${l.kind}</span></td>` +
      `<td>${l.from === l.to ? l.from : `${l.from} → ${l.to}`}${l.service ? `<br><span class="muted">${l.service}</span>` : ''}</td></tr>`;
  }
  return html + `<tr class="total"><td class="min">${total.toFixed(1)}</td><td colspan="2">total</td></tr></table>`;
}

function routeCsv() {
  if (!state.route) return '';
  const rows = [['scenario', 'from', 'to', 'leg', 'kind', 'leg_from', 'leg_to', 'service', 'minutes', 'depart', 'arrive']];
  for (const [sc, r] of Object.entries(state.route.legs)) {
    r.legs.forEach((l, k) => rows.push([sc, state.route.from, state.route.to, k + 1, l.kind, l.from, l.to, l.service || '', l.minutes, l.depart || '', l.arrive || '']));
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

// ---------------------------------------------------------------- isochrones

function setOrigin(o) {
  state.origin = o;
  showOriginMarker();
  loadIsochrones();
}

let isoSeq = 0;
async function loadIsochrones() {
  if (!state.origin) return;
  const seq = ++isoSeq;
  const o = state.origin;
  const params = { scenario: state.a, compare: state.b };
  if (o.place) params.place = o.place; else { params.lon = o.lon; params.lat = o.lat; }
  const note = '';
  if (state.timing) params.depart = state.timing;
  status('Computing isochrones…');
  const t0 = performance.now();
  try {
    const r = await api('/api/isochrones', params);
    if (seq !== isoSeq) return;      // a later click won
    state.iso = r;
    drawIsochrones();
    if (o.place) fitTo(r);
    renderBands(r);
    $('iso-title').textContent = `from ${r.origin.name}${note}`;
    $('dl-iso').disabled = $('dl-iso-csv').disabled = false;
    status(`Isochrones in ${Math.round(performance.now() - t0)} ms.`);
    document.body.dataset.isochrone = 'ready';
  } catch (e) {
    if (seq === isoSeq) status(e.message, true);
  }
}

function drawIsochrones() {
  drawAccess();
  const r = state.iso;
  if (!r) return;
  const diff = state.b && state.view === 'diff';
  maps.a.getSource('iso').setData(coloured(diff ? r.difference : r.scenario));
  if (maps.b) maps.b.getSource('iso').setData(coloured(r.compare || EMPTY));
  legend();
}

// Frames the largest band of the first scenario (after a click on a centre).
function fitTo(r) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const walk = (c) => {
    if (typeof c[0] === 'number') { w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]); } else c.forEach(walk);
  };
  r.scenario.features.forEach((f) => walk(f.geometry.coordinates));
  if (!(w < e)) return;
  syncing = true;   // both maps are framed here, not through the sync
  for (const m of Object.values(maps)) m.fitBounds([[w, s], [e, n]], { padding: 40, duration: 0, maxZoom: 11 });
  syncing = false;
}

function renderBands(r) {
  const rows = r.summary;
  const t = [...new Set(rows.map((x) => x.minutes))];
  const get = (sc, m) => rows.find((x) => x.scenario === sc && x.minutes === m);
  let html = '<table class="bands"><tr><th>within</th>';
  const names = [state.a, ...(state.b ? [state.b] : [])];
  for (const n of names) html += `<th>${n} km²</th><th>people (M)</th>`;
  if (state.b) html += '<th>Δ people (M)</th>';
  html += '</tr>';
  for (const m of t) {
    html += `<tr><td>${m} min</td>`;
    for (const n of names) {
      const x = get(n, m);
      html += `<td>${x.area_km2.toFixed(0)}</td><td>${(x.population / 1e6).toFixed(2)}</td>`;
    }
    if (state.b) {
      const d = (get(state.b, m).population - get(state.a, m).population) / 1e6;
      html += `<td>${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(2)}</td>`;
    }
    html += '</tr>';
  }
  $('iso-summary').innerHTML = html + '</table><div class="muted">People: resident population of the zones whose point lies inside (2020 census by district).</div>';
}

function isoGeojson() {
  const r = state.iso;
  if (!r) return EMPTY;
  const features = [...r.scenario.features];
  if (r.compare) features.push(...r.compare.features);
  if (r.difference) features.push(...r.difference.features);
  return { type: 'FeatureCollection', features };
}

function isoCsv() {
  const rows = [['origin', 'scenario', 'minutes', 'area_km2', 'population']];
  for (const x of state.iso?.summary || []) rows.push([state.iso.origin.id, x.scenario, x.minutes, x.area_km2, x.population]);
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

// ---------------------------------------------------------------- accessibility

// People within the cutoff, light to dark; the difference blue (more) and red (fewer).
const ACCESS_RAMP = ['#fff5eb', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'];
const DIFF_RAMP = ['#b2182b', '#ef8a62', '#f7f7f7', '#67a9cf', '#2166ac'];

const people = (x) => (Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${Math.round(x / 1e3)} k`);

// The class breaks of the values shown: fractions of the largest (most cells reach few people,
// the centres millions: a geometric scale shows both); for a difference, symmetric around zero.
function accessBreaks(values, diff) {
  const m = Math.max(1, ...values.map(Math.abs));
  const nice = (x) => { const p = 10 ** Math.floor(Math.log10(x)); return Math.round(x / p) * p; };
  if (diff) return [-nice(m / 4), -nice(m / 40), nice(m / 40), nice(m / 4)];
  return [m / 50, m / 10, m / 4, m / 2].map(nice);
}

function accessColour(x, breaks, diff) {
  const k = breaks.findIndex((b) => x < b);
  return (diff ? DIFF_RAMP : ACCESS_RAMP)[k < 0 ? breaks.length : k];
}

// The column a map shows: A's values alone; with B, A's and B's side by side, or the difference.
function accessColumn(key) {
  const r = state.access;
  const c = `population_within_${r.cutoff_minutes}`;
  if (!r.compare) return key === 'a' ? c : null;
  if (state.view === 'diff') return key === 'a' ? `${c}_diff` : null;
  return key === 'a' ? `${c}_base` : `${c}_scenario`;
}

function accessLayer(key) {
  const col = accessColumn(key);
  if (!col) return EMPTY;
  const fc = state.access.cells_geojson;
  const diff = col.endsWith('_diff');
  // Both maps of a side-by-side view share the breaks, so that a colour means the same.
  const all = fc.features.flatMap((f) => (diff ? [f.properties[col]] : [f.properties[accessColumn('a')], f.properties[accessColumn('b') || accessColumn('a')]]));
  const breaks = accessBreaks(all.filter((x) => x != null), diff);
  state.accessBreaks = { breaks, diff };
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({ ...f, properties: { ...f.properties, colour: accessColour(f.properties[col] ?? 0, breaks, diff) } })),
  };
}

function accessLegend() {
  const { breaks, diff } = state.accessBreaks || {};
  if (!breaks) return '';
  const ramp = diff ? DIFF_RAMP : ACCESS_RAMP;
  const edges = [null, ...breaks, null];
  const what = diff ? `people within ${state.access.cutoff_minutes} min, ${state.b} − ${state.a}` : `people within ${state.access.cutoff_minutes} min`;
  let html = `<div style="margin-top:6px"><b>Cells:</b> ${what}</div>`;
  ramp.forEach((c, k) => {
    const lo = edges[k], hi = edges[k + 1];
    const label = lo == null ? `below ${people(hi)}` : hi == null ? `${people(lo)} or more` : `${people(lo)} to ${people(hi)}`;
    html += `<div><span class="sw" style="background:${c}"></span>${label}</div>`;
  });
  return html;
}

function accessParams(format) {
  return { scenario: state.a, compare: state.b, cutoff: $('access-cutoff').value, format };
}

let accessSeq = 0;
async function loadAccess() {
  const seq = ++accessSeq;
  if (!$('access-show').checked) {
    state.access = null;
    for (const m of Object.values(maps)) m.getSource('access').setData(EMPTY);
    $('dl-access').disabled = $('dl-access-csv').disabled = true;
    delete document.body.dataset.access;
    legend();
    return;
  }
  status('Computing accessibility (about a second the first time)…');
  const t0 = performance.now();
  try {
    const r = await api('/api/access', accessParams());
    if (seq !== accessSeq) return;
    state.access = r;
    drawAccess();
    renderAccess(r);
    $('dl-access').disabled = $('dl-access-csv').disabled = false;
    status(`Accessibility of ${r.cells} cells in ${Math.round(performance.now() - t0)} ms.`);
    document.body.dataset.access = 'ready';
  } catch (e) {
    if (seq === accessSeq) status(e.message, true);
  }
}

function drawAccess() {
  if (!state.access) return;
  for (const [key, m] of Object.entries(maps)) m.getSource('access').setData(accessLayer(key));
  legend();
}

function renderAccess(r) {
  const s = r.summary;
  const mean = (sc) => s.scenarios.find((x) => x.scenario === sc)?.indicators[0]?.weighted_mean;
  $('access-title').textContent = `${r.grid_m / 1000} km cells, ${r.cutoff_minutes} min`;
  let html = `<div><b>${r.scenario}</b>: the average resident reaches ${people(mean(r.scenario))} people within ${r.cutoff_minutes} min.</div>`;
  if (r.compare) {
    html += `<div><b>${r.compare}</b>: ${people(mean(r.compare))}.</div>`;
    const d = s.difference?.indicators?.[0];
    if (d) {
      html += `<div>Change of the population-weighted mean: ${d.weighted_mean_change >= 0 ? '+' : '−'}${people(Math.abs(d.weighted_mean_change ?? 0))}; ` +
        `residents gaining: ${people(d.gaining.weight)} (${(d.gaining.share * 100).toFixed(1)}%), ` +
        `by ${s.difference.gain_pct}% or more: ${people(d.gaining_10pct.weight)}; losing: ${people(d.losing.weight)}.</div>`;
    }
  }
  html += '<div class="muted">Population: 2020 census by district, spread uniformly within each district. Timetables 07:00–08:00, median over departures.</div>';
  $('access-summary').innerHTML = html;
}

// ---------------------------------------------------------------- downloads

function csvField(v) {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function tag() {
  return [state.a, state.b].filter(Boolean).join('_vs_') + (state.timing ? `_${state.timing.replace(/:/g, '')}` : '');
}

// ---------------------------------------------------------------- wiring

async function onScenarioChange() {
  state.a = $('scenario-a').value;
  state.b = $('scenario-b').value;
  state.timing = $('timing').value;
  history.replaceState(null, '', `?${new URLSearchParams({ a: state.a, b: state.b, t: state.timing })}`);
  if (state.b && state.view === 'side' && !maps.b) {
    $('wrap-b').hidden = false;
    await makeMap('b', state.layers.districts, state.layers.network[state.b] || state.layers.network[state.a]);
    maps.b.jumpTo({ center: maps.a.getCenter(), zoom: maps.a.getZoom() });
    syncMaps();
    showOriginMarker();
  }
  layout();
  await refreshNetworks();
  await loadMatrix();
  if (state.pair) selectPair(...state.pair);
  await loadIsochrones();
  await loadAccess();
}

async function networkOf(name) {
  if (!state.layers.network[name]) state.layers.network[name] = await api('/api/layers/network', { scenario: name });
  return state.layers.network[name];
}

async function refreshNetworks() {
  maps.a.getSource('network').setData(await networkOf(state.a));
  if (maps.b && state.b) maps.b.getSource('network').setData(await networkOf(state.b));
}

async function main() {
  try {
    const [info, scenarios, centres] = await Promise.all([
      api('/api/info'), api('/api/scenarios'), api('/api/places', { kind: 'centre' }),
    ]);
    Object.assign(state, { info, scenarios, centres });
    $('title').textContent = info.title;
    $('meta').textContent = `network as of ${info.date ?? 'its files'} · ${info.profile} · target ${info.limit_minutes} min`;
    if (!info.timetables) $('timing').disabled = true;
    $('timing').options[1].value = info.default_window;
    $('timing').options[1].textContent = `Timetables, ${info.default_window.replace('-', '–')} (median)`;
    for (const s of scenarios) {
      for (const sel of ['scenario-a', 'scenario-b']) {
        const o = document.createElement('option');
        o.value = s.name;
        o.textContent = s.opening ? `${s.name} (${s.opening})` : s.name;
        o.title = s.title;
        $(sel).appendChild(o);
      }
    }
    const q = new URLSearchParams(location.search);
    const names = scenarios.map((s) => s.name);
    $('scenario-a').value = names.includes(q.get('a')) ? q.get('a') : (names.includes('today') ? 'today' : names[0]);
    $('scenario-b').value = names.includes(q.get('b')) ? q.get('b') : '';
    if (q.get('t') && info.timetables) $('timing').value = info.default_window;
    state.a = $('scenario-a').value;
    const [districts, network] = await Promise.all([api('/api/layers/districts'), api('/api/layers/network', { scenario: state.a })]);
    state.layers = { districts, network: { [state.a]: network } };
    await makeMap('a', districts, network);
    document.querySelectorAll('input[name=view]').forEach((r) => r.addEventListener('change', async () => {
      state.view = r.value;
      await onScenarioChange();
      drawIsochrones();
    }));
    for (const id of ['scenario-a', 'scenario-b', 'timing']) $(id).addEventListener('change', onScenarioChange);
    $('dl-matrix').addEventListener('click', () => download(`matrix_${tag()}.csv`, matrixCsv(), 'text/csv'));
    $('dl-route').addEventListener('click', () => download(`route_${state.route?.from}_${state.route?.to}_${tag()}.csv`, routeCsv(), 'text/csv'));
    $('dl-iso').addEventListener('click', () => download(`isochrones_${tag()}.geojson`, JSON.stringify(isoGeojson()), 'application/geo+json'));
    $('dl-iso-csv').addEventListener('click', () => download(`isochrones_${tag()}.csv`, isoCsv(), 'text/csv'));
    $('access-show').addEventListener('change', loadAccess);
    $('access-cutoff').addEventListener('change', loadAccess);
    const fetchFile = (format) => () => {
      const q = new URLSearchParams(Object.entries(accessParams(format)).filter(([, v]) => v !== ''));
      const a = document.createElement('a');
      a.href = `/api/access?${q}`;
      a.click();
    };
    $('dl-access-csv').addEventListener('click', fetchFile('csv'));
    $('dl-access').addEventListener('click', fetchFile('geojson'));
    await onScenarioChange();
    document.body.dataset.ready = 'true';
  } catch (e) {
    status(e.message, true);
  }
}

main();
