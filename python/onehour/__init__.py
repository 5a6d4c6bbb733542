"""onehour in Python: do the centres of a metropolitan region reach each other within one hour?

The engine is the Rust crate ``onehour`` (the same code and the same numbers as the
``onehour`` command line); this package hands its results back as pandas objects::

    import onehour

    net = onehour.Network.load()            # the bundled Guangzhou network, as of its day
    plan = net.scenario("plan-2030")        # compiled once, then shared by every call
    m = plan.travel_time_matrix()           # centre to centre: from_id, to_id, minutes, ...
    iso = plan.isochrones("c_foshan")       # GeoJSON bands (a dict)

Every search runs with the GIL released, so threads can query one network in parallel.
Bad input raises :class:`ValueError` (an :class:`onehour.Error`) whose message names what
is wrong and how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as pd

from . import _onehour

__all__ = [
    "Access",
    "Comparison",
    "Error",
    "Network",
    "Route",
    "to_geodataframe",
    "__version__",
]

__version__: str = _onehour.version()

#: An error in what was asked (an unknown place or scenario, a malformed window, a network
#: folder with invalid files): a :class:`ValueError` whose message names the fix.
Error = _onehour.Error

#: A place: its id, English or Chinese name (an exact id wins, then an exact name).
PlaceName = str
#: An isochrone origin: a place name, or any point as ``(lon, lat)`` in WGS84 degrees.
Origin = Union[PlaceName, Tuple[float, float]]


def _names(xs: Union[None, str, Iterable[str]], what: str) -> Optional[List[str]]:
    """A list of place names from None, one name, or an iterable of names."""
    if xs is None:
        return None
    if isinstance(xs, str):
        return [xs]
    out = list(xs)
    if not all(isinstance(x, str) for x in out):
        raise ValueError(f"{what}: give place ids or names as strings, e.g. ['c_foshan']")
    if not out:
        raise ValueError(f"{what}: the list is empty; give at least one place, or None for the centres")
    return out


PointsLike = Union[pd.DataFrame, Iterable[Tuple[str, float, float]]]


def _points(xs: "PointsLike", what: str) -> List[Tuple[str, float, float]]:
    """Points as (id, lon, lat) tuples, from a DataFrame with id, lon and lat columns or an
    iterable of triples."""
    if isinstance(xs, pd.DataFrame):
        missing = [c for c in ("id", "lon", "lat") if c not in xs.columns]
        if missing:
            raise ValueError(f"{what}: the DataFrame has no column {missing[0]!r}; give id, lon and lat columns")
        rows = zip(xs["id"], xs["lon"], xs["lat"])
    else:
        rows = xs
    out = []
    for k, r in enumerate(rows):
        try:
            i, lon, lat = r
            out.append((str(i), float(lon), float(lat)))
        except (TypeError, ValueError):
            raise ValueError(f"{what}: item {k} is not (id, lon, lat): {r!r}") from None
    return out


def _percentiles(p: Optional[Sequence[float]]) -> Optional[List[float]]:
    if p is None:
        return None
    out = [float(x) for x in p]
    if not out:
        raise ValueError("percentiles: the list is empty; give e.g. [5, 50, 95], or None for 5,25,50,75,95")
    return out


def _pct_key(p: float) -> str:
    """``5``, ``50``, ``97.5``: a percentile as the command line's JSON key."""
    return f"{p:.0f}" if float(p).is_integer() else repr(float(p))


class Network:
    """A network (the bundled one by default), as of a day, with a scenario applied or not.

    Get one with :meth:`Network.load`; :meth:`scenario` gives the same network with a
    scenario's edits applied. All networks from one :meth:`load` share one model: each
    scenario is compiled once, on first use, and then shared by every call and thread.
    """

    def __init__(self, _model: Any, _scenario: Optional[str] = None) -> None:
        self._model = _model
        self._scenario = _scenario

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: Union[None, str, PathLike] = None,
        *,
        scenarios: Union[None, str, PathLike] = None,
        date: Optional[str] = None,
        year: Optional[int] = None,
        profile: str = "transit",
        limit: float = 60.0,
    ) -> "Network":
        """Loads a network: the bundled Guangzhou network by default.

        Args:
            path: a network folder (with ``network.toml``) or its manifest file; ``None``:
                the bundled network and its scenarios.
            scenarios: a scenario folder (default: the bundled scenarios for the bundled
                network, none for another network).
            date: the day the network is taken as of, ``YYYY-MM-DD`` (default: the
                network's ``valid_on``), as ``--date``.
            year: take the network as at the end of this year (the plan's base year is
                2022), as ``--year``.
            profile: ``"transit"`` or ``"car"``.
            limit: the target, minutes (``within_limit`` in matrices).

        Raises:
            ValueError: the folder has no network, a file is invalid (each problem names
                its file, line and the fix), or an argument is out of range.
        """
        model = _onehour.Model(
            None if path is None else str(path),
            None if scenarios is None else str(scenarios),
            date,
            year,
            profile,
            float(limit),
        )
        return cls(model)

    # -- what it is ------------------------------------------------------------------------

    @property
    def scenario_name(self) -> str:
        """The scenario applied (``"today"`` for none)."""
        return self._scenario or "today"

    @property
    def name(self) -> str:
        """The network's name (``guangzhou`` for the bundled one)."""
        return self.info()["network"]

    def info(self) -> Dict[str, Any]:
        """The network's name and title, the day it is taken as of, the profile and limit."""
        d = json.loads(self._model.info_json())
        d["scenario"] = self.scenario_name
        return d

    @property
    def warnings(self) -> List[str]:
        """Warnings from loading the network files (the command line prints them)."""
        return list(self._model.warnings())

    def __repr__(self) -> str:
        i = self.info()
        return f"<onehour.Network {i['network']} scenario={self.scenario_name} date={i['date']} profile={i['profile']}>"

    def scenarios(self) -> pd.DataFrame:
        """The scenarios and plan projects of the library, as ``onehour scenarios`` lists them.

        Columns: name, title, status, opening, project_zh, extends, description.
        """
        rows = json.loads(self._model.scenarios_json())
        cols = ["name", "title", "status", "opening", "project_zh", "extends", "description"]
        df = pd.DataFrame(rows, columns=cols)
        df["opening"] = df["opening"].astype("Int64")
        return df

    def places(self, kind: Optional[str] = None) -> pd.DataFrame:
        """The places of the network (with the scenario's new stations).

        Args:
            kind: keep only ``"centre"``, ``"station"``, ``"zone"`` or ``"road node"`` places.

        Columns: id, name, name_zh, kind, lon, lat, population (zones; else missing),
        in_area (centres: inside the plan's area; else missing).
        """
        rows = json.loads(self._model.places_json(self._scenario))
        cols = ["id", "name", "name_zh", "kind", "lon", "lat", "population", "in_area"]
        df = pd.DataFrame(rows, columns=cols)
        df["population"] = df["population"].astype("Int64")
        if kind is not None:
            kinds = set(df["kind"])
            if kind not in kinds:
                raise ValueError(f"kind: no place is of kind {kind!r}; give one of {sorted(kinds)}")
            df = df[df["kind"] == kind].reset_index(drop=True)
        return df

    def scenario(self, name: str) -> "Network":
        """The loaded network with the scenario ``name`` applied (``"today"``: the library's
        ``today``, or none). Scenarios apply to the network as loaded, not on top of this
        object's scenario; horizons such as ``plan-2030`` compose their projects.

        The scenario's network is compiled now (once per model; later calls share it).

        Raises:
            ValueError: no scenario of that name (the message lists the closest), or its
                edits do not apply to the network as of its day.
        """
        if not isinstance(name, str):
            raise ValueError("scenario: give the scenario's name as a string, e.g. 'plan-2030'")
        self._model.prepare(name)
        return Network(self._model, name)

    # -- matrices --------------------------------------------------------------------------

    def matrix_json(
        self,
        origins: Union[None, str, Iterable[str]] = None,
        destinations: Union[None, str, Iterable[str]] = None,
        *,
        depart: Optional[str] = None,
        percentiles: Optional[Sequence[float]] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The matrix as the command line's JSON document (``onehour matrix --format json``,
        or ``onehour check --format json`` for the centres); see :meth:`travel_time_matrix`.
        """
        text = self._model.matrix_json(
            self._scenario,
            _names(origins, "origins"),
            _names(destinations if destinations is not None else origins, "destinations"),
            depart,
            _percentiles(percentiles),
            draws,
            seed,
        )
        return json.loads(text)

    def travel_time_matrix(
        self,
        origins: Union[None, str, Iterable[str]] = None,
        destinations: Union[None, str, Iterable[str]] = None,
        *,
        depart: Optional[str] = None,
        percentiles: Optional[Sequence[float]] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> pd.DataFrame:
        """Door-to-door minutes between places, one row per (origin, destination) pair.

        Args:
            origins: place ids or names (``None``: every centre).
            destinations: place ids or names (``None``: the origins).
            depart: the timetable modes: one departure ``"HH:MM"`` or a window
                ``"HH:MM-HH:MM"`` sampled every minute on the network's day, as
                ``--depart``; ``None``: the static model (expected waits from headways).
            percentiles: with ``depart``: the percentiles over the window (default 5, 25,
                50, 75, 95), as ``--percentiles``.
            draws: with ``depart``: draws of the departures of services known only by their
                headway (default 10).
            seed: with ``depart``: seed of the draws (default 1).

        Returns:
            A DataFrame with columns from_id, from_name, to_id, to_name, minutes (``NaN`` if
            unreachable; with ``depart`` the median over the window), within_limit, and with
            ``depart`` share_within_limit and one column per percentile (``p5``, ``p50``,
            ...). ``df.attrs`` holds the header of the command line's JSON (network,
            scenario, date, limit_minutes, and the window).

        Raises:
            ValueError: an unknown or ambiguous place (the message lists the closest), a
                malformed window, percentile or draw count.
        """
        doc = self.matrix_json(
            origins, destinations, depart=depart, percentiles=percentiles, draws=draws, seed=seed
        )
        return matrix_frame(doc)

    def points_matrix_json(
        self,
        points: "PointsLike",
        to_points: Optional["PointsLike"] = None,
        *,
        depart: str,
        percentiles: Optional[Sequence[float]] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Door-to-door times between arbitrary points over a departure window, as the command
        line's JSON document (``onehour matrix --points FILE [--to-points FILE] --depart ...
        --format json``): the points reach stops along the network's streets where it has an
        OpenStreetMap extract, else by the straight-line model. The scenario's timetable and
        streets are compiled once and kept, so further matrices cost only the searches.

        Args:
            points: origins, a DataFrame with ``id``, ``lon`` and ``lat`` columns or an
                iterable of ``(id, lon, lat)``.
            to_points: destinations, the same way (``None``: the origins).
            depart: ``"HH:MM"`` or ``"HH:MM-HH:MM"`` on the network's day.

        Raises:
            ValueError: no points, a repeated id, coordinates that are not degrees, or a bad
                window.
        """
        text = self._model.points_matrix_json(
            self._scenario,
            _points(points, "points"),
            None if to_points is None else _points(to_points, "to_points"),
            depart,
            _percentiles(percentiles),
            draws,
            seed,
        )
        return json.loads(text)

    def points_travel_time_matrix(
        self,
        points: "PointsLike",
        to_points: Optional["PointsLike"] = None,
        *,
        depart: str,
        percentiles: Optional[Sequence[float]] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> pd.DataFrame:
        """:meth:`points_matrix_json` as a long DataFrame, one row per (origin, destination)
        pair: ``from_id``, ``to_id``, ``minutes`` (the median over the window, NaN where not
        reached within the bound), ``within_limit``, ``share_within_limit`` and ``p<k>`` for
        each percentile (``from_name``/``to_name`` are empty: points have no names).
        """
        doc = self.points_matrix_json(
            points, to_points, depart=depart, percentiles=percentiles, draws=draws, seed=seed
        )
        return matrix_frame(doc)

    def points_travel_time_array(
        self,
        points: "PointsLike",
        to_points: Optional["PointsLike"] = None,
        *,
        depart: str,
        percentile: float = 50,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> "np.ndarray":
        """Door-to-door minutes between points as a 2-D array: row ``i`` is the ``i``-th of
        ``points``, column ``j`` the ``j``-th of ``to_points`` (``None``: the points), NaN where
        not reached within the search bound. The ``percentile``-th percentile over the window
        (nearest rank, a departure that does not arrive counting as longest), to the second
        (``float64`` minutes); :meth:`points_matrix_json` gives the same times rounded to 0.1
        minute, with every percentile and share. For large grids: no JSON is made.

        Raises:
            ValueError: no points, a repeated id, coordinates that are not degrees, a
                percentile outside 0..100, or a bad window.
        """
        import numpy as np

        raw, rows, cols, _report = self._model.points_seconds(
            self._scenario,
            _points(points, "points"),
            None if to_points is None else _points(to_points, "to_points"),
            depart,
            float(percentile),
            draws,
            seed,
        )
        secs = np.frombuffer(raw, dtype="<u4").reshape(rows, cols)
        minutes = secs / 60.0
        minutes[secs == 0xFFFFFFFF] = np.nan
        return minutes

    # -- routes ----------------------------------------------------------------------------

    def route(self, from_: PlaceName, to: PlaceName, *, depart: Optional[str] = None) -> "Route":
        """The fastest door-to-door route from ``from_`` to ``to``, leg by leg.

        Args:
            from_: origin, id or name.
            to: destination, id or name.
            depart: one departure ``"HH:MM"`` on the timetables (legs get clock times), as
                ``onehour route --depart``; ``None``: the static model.

        Raises:
            ValueError: unknown places, a window instead of one departure, or the
                destination is not reachable within the search bound.
        """
        if not isinstance(from_, str) or not isinstance(to, str):
            raise ValueError("route: give the two places as ids or names (strings)")
        doc = json.loads(self._model.route_json(self._scenario, from_, to, depart))
        return Route.from_json(doc)

    # -- isochrones ------------------------------------------------------------------------

    def isochrones(
        self,
        origin: Origin,
        *,
        thresholds: Sequence[float] = (15, 30, 45, 60),
        cell: float = 250.0,
        depart: Optional[str] = None,
        percentile: Optional[float] = None,
    ) -> Dict[str, Any]:
        """The area reached within each threshold from ``origin``, as a GeoJSON
        FeatureCollection (a dict): one MultiPolygon feature per band, largest first, with
        properties origin, origin_name, scenario, profile, minutes, area_km2, population —
        the features ``onehour isochrones`` writes.

        Args:
            origin: a place id or name, or any point ``(lon, lat)`` (WGS84 degrees), which
                reaches stations on foot or by local access.
            thresholds: minutes, increasing.
            cell: grid cell size, metres.
            depart: timetable mode: a window ``"HH:MM-HH:MM"`` (or one departure); each
                place's time is a percentile over its departures.
            percentile: with ``depart``: that percentile (default the median).

        Raises:
            ValueError: unknown place, a point outside the network's area, thresholds not
                increasing, a cell size out of range.
        """
        place, lon, lat = _origin(origin)
        text = self._model.isochrone_json(
            self._scenario,
            place,
            lon,
            lat,
            [float(t) for t in thresholds],
            float(cell),
            depart,
            None if percentile is None else float(percentile),
        )
        return json.loads(text)

    def isochrones_gdf(self, origin: Origin, **kwargs: Any) -> Any:
        """:meth:`isochrones` as a ``geopandas.GeoDataFrame`` (CRS EPSG:4326); needs
        geopandas (``pip install geopandas``)."""
        return to_geodataframe(self.isochrones(origin, **kwargs))

    # -- comparisons and accessibility -----------------------------------------------------

    def compare_json(
        self,
        base: str,
        other: str,
        window: Optional[str] = None,
        *,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The comparison as the command line's JSON (``onehour compare BASE OTHER --format
        json``, with ``--depart WINDOW``)."""
        return json.loads(self._model.compare_json(base, other, window, draws, seed))

    def compare(
        self,
        base: str,
        other: str,
        window: Optional[str] = None,
        *,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> "Comparison":
        """``other`` compared with ``base`` centre by centre, as ``onehour compare BASE OTHER``:
        the static model, or the medians over a departure ``window`` (``"HH:MM-HH:MM"``).

        Works on the loaded network as of its day (``base`` and ``other`` name the
        scenarios; ``"today"`` is the network without edits).

        Returns:
            A :class:`Comparison`: ``pairs`` (one row per ordered pair of centres: from, to,
            base_minutes, other_minutes, delta_minutes, newly_within, newly_over),
            ``centres`` (centre, population_base, population_other: people within the
            limit), ``largest_gains`` and ``benefit`` (a dict), and ``raw`` (the JSON).

        Raises:
            ValueError: an unknown scenario, a malformed window.
        """
        return Comparison.from_json(self.compare_json(base, other, window, draws=draws, seed=seed))

    def _access(
        self,
        compare: Optional[str],
        cutoff: int,
        grid: float,
        depart: Optional[str],
        percentile: float,
        draws: Optional[int],
        seed: Optional[int],
    ) -> Tuple[str, str, str]:
        if isinstance(cutoff, bool) or not isinstance(cutoff, int) or not 1 <= cutoff <= 180:
            raise Error(f"cutoff: {cutoff!r} is not whole minutes from 1 to 180; give e.g. cutoff=60")
        return self._model.access_files(
            self._scenario, compare, cutoff, float(grid), depart, draws, seed, float(percentile)
        )

    def access(
        self,
        *,
        cutoff: int = 60,
        grid: float = 5000.0,
        compare: Optional[str] = None,
        depart: Optional[str] = None,
        percentile: float = 50.0,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> "Access":
        """The people each cell of a grid reaches within ``cutoff`` minutes by transit, on
        the network's population surface (``[population]`` in its ``network.toml``), as
        ``onehour access --opportunities SURFACE --columns population --grid GRID --cutoffs
        CUTOFF`` computes it: the travel time to each cell is the ``percentile`` of its times
        over the departures of ``depart`` (default ``"07:00-08:00"``, every minute).
        Computed once per scenario and parameters, then kept.

        Args:
            cutoff: minutes, 1 to 180.
            grid: cell size, metres: 4000 (about a few seconds) to 50000; default 5000
                (about a second). Finer grids: the command line.
            compare: another scenario: its values, and the difference per cell.
            depart, percentile, draws, seed: the departure window, as ``onehour access``.

        Returns:
            An :class:`Access`: ``cells`` (a DataFrame as ``access.csv``: id, lon, lat and
            ``population_within_<cutoff>``; with ``compare``, ``_base``, ``_scenario``,
            ``_diff`` and ``_pct`` columns), ``summary`` (``summary.json``: population-weighted
            means, people gaining) and ``geojson`` (the cells as polygons).

        Raises:
            ValueError: a grid too fine or coarse, a bad cutoff or window, an unknown
                scenario, a network without population surface.
        """
        csv, geojson, summary = self._access(compare, cutoff, grid, depart, percentile, draws, seed)
        return Access.from_files(csv, geojson, summary)

    def access_gdf(self, **kwargs: Any) -> Any:
        """:meth:`access`'s cells as a ``geopandas.GeoDataFrame`` of polygons (EPSG:4326)
        with their values; needs geopandas (``pip install geopandas``)."""
        return to_geodataframe(self.access(**kwargs).geojson)

    # -- projects --------------------------------------------------------------------------

    def rank_json(
        self,
        base: str = "today",
        projects: str = "plan-2030",
        *,
        depart: Optional[str] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """The ranking as the command line's JSON (``onehour rank --format json``)."""
        return json.loads(self._model.rank_json(base, projects, depart, draws, seed))

    def rank(
        self,
        base: str = "today",
        projects: str = "plan-2030",
        *,
        depart: Optional[str] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
    ) -> pd.DataFrame:
        """Each project of the horizon ``projects`` added alone to ``base`` and left out of
        the horizon, ranked by benefit, as ``onehour rank``.

        Works on the loaded network as of its day (the scenario of this object is not used:
        ``base`` and ``projects`` name the scenarios).

        Returns:
            A DataFrame, best first, with columns project, project_zh, status, opening, then
            for ``alone_`` (added alone to the base) and ``left_out_`` (left out of the
            horizon): pairs_gained, pairs_lost, pop_weighted_minutes_saved,
            population_gained, max_centre_saving_min.
        """
        rows = self.rank_json(base, projects, depart=depart, draws=draws, seed=seed)
        return rank_frame(rows)


@dataclass
class Route:
    """A route: its total minutes and its legs (kind, minutes, service, from, to; with a
    departure, also clock times)."""

    total_minutes: float
    legs: pd.DataFrame
    depart: Optional[str] = None
    arrive: Optional[str] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "Route":
        """A route from the command line's JSON (``onehour route --format json``)."""
        if "total_minutes" in doc:
            legs = pd.DataFrame(doc["legs"], columns=["kind", "minutes", "service", "from", "to"])
            return cls(float(doc["total_minutes"]), legs, raw=doc)
        cols = ["kind", "from", "to", "depart", "arrive", "minutes", "service"]
        legs = pd.DataFrame(doc["legs"], columns=cols)
        return cls(float(doc["minutes"]), legs, doc.get("depart"), doc.get("arrive"), raw=doc)


@dataclass
class Comparison:
    """Two scenarios compared centre by centre (see :meth:`Network.compare`)."""

    pairs: pd.DataFrame
    centres: pd.DataFrame
    largest_gains: pd.DataFrame
    benefit: Dict[str, Any]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "Comparison":
        """A comparison from the command line's JSON (``onehour compare --format json``)."""
        ids = doc["centres"]
        within = {tuple(p) for p in doc["newly_within"]}
        over = {tuple(p) for p in doc["newly_over"]}
        nan = float("nan")

        def num(x: Optional[float]) -> float:
            return nan if x is None else float(x)

        rows = []
        for i, a in enumerate(ids):
            for j, b in enumerate(ids):
                if i == j:
                    continue
                rows.append(
                    {
                        "from": a,
                        "to": b,
                        "base_minutes": num(doc["base_minutes"][i][j]),
                        "other_minutes": num(doc["other_minutes"][i][j]),
                        "delta_minutes": num(doc["delta_minutes"][i][j]),
                        "newly_within": (a, b) in within,
                        "newly_over": (a, b) in over,
                    }
                )
        pairs = pd.DataFrame(rows)
        centres = pd.DataFrame(
            {
                "centre": ids,
                "population_base": doc["population_base"],
                "population_other": doc["population_other"],
            }
        )
        gains = pd.DataFrame(
            [(a, b, num(x), num(y)) for a, b, x, y in doc["largest_gains"]],
            columns=["from", "to", "base_minutes", "other_minutes"],
        )
        return cls(pairs, centres, gains, dict(doc["benefit"]), raw=doc)


@dataclass
class Access:
    """Accessibility on a grid (see :meth:`Network.access`)."""

    cells: pd.DataFrame
    summary: Dict[str, Any]
    geojson: Dict[str, Any] = field(repr=False)
    csv: str = field(default="", repr=False)

    @classmethod
    def from_files(cls, csv: str, geojson: str, summary: str) -> "Access":
        """From the files ``onehour access`` writes: ``access.csv``, ``access.geojson`` and
        ``summary.json``, as text."""
        import io

        cells = pd.read_csv(io.StringIO(csv), dtype={"id": str})
        return cls(cells, json.loads(summary), json.loads(geojson), csv)


def _origin(origin: Origin) -> Tuple[Optional[str], Optional[float], Optional[float]]:
    if isinstance(origin, str):
        return origin, None, None
    try:
        lon, lat = origin  # type: ignore[misc]
        return None, float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValueError(
            f"origin: {origin!r} is neither a place (id or name) nor a point (lon, lat) in degrees"
        ) from None


def matrix_frame(doc: Dict[str, Any]) -> pd.DataFrame:
    """The command line's matrix JSON as a long DataFrame (see
    :meth:`Network.travel_time_matrix`)."""
    rows_p = doc["places"]
    cols_p = doc.get("to_places") or rows_p
    pct = doc.get("percentiles") or {}
    share = doc.get("share_within_limit")
    records = []
    for i, a in enumerate(rows_p):
        for j, b in enumerate(cols_p):
            m = doc["minutes"][i][j]
            r = {
                "from_id": a["id"],
                "from_name": a.get("name", ""),
                "to_id": b["id"],
                "to_name": b.get("name", ""),
                "minutes": float("nan") if m is None else float(m),
                "within_limit": bool(doc["within_limit"][i][j]),
            }
            if share is not None:
                r["share_within_limit"] = float(share[i][j])
            for k, mat in pct.items():
                v = mat[i][j]
                r[f"p{k}"] = float("nan") if v is None else float(v)
            records.append(r)
    df = pd.DataFrame.from_records(records)
    df.attrs = {k: v for k, v in doc.items() if k not in ("places", "to_places", "minutes", "within_limit", "percentiles", "share_within_limit")}
    return df


def rank_frame(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    """The command line's ranking JSON as a flat DataFrame (see :meth:`Network.rank`)."""
    out = []
    for r in rows:
        d = {k: r[k] for k in ("project", "project_zh", "status", "opening")}
        for pre, key in (("alone_", "added_alone"), ("left_out_", "leave_one_out")):
            for k, v in r[key].items():
                d[pre + k] = v
        out.append(d)
    df = pd.DataFrame(out)
    if "opening" in df:
        df["opening"] = df["opening"].astype("Int64")
    return df


def to_geodataframe(fc: Dict[str, Any]) -> Any:
    """A GeoJSON FeatureCollection (as :meth:`Network.isochrones` gives) as a
    ``geopandas.GeoDataFrame`` in EPSG:4326.

    Raises:
        ImportError: geopandas is not installed (``pip install geopandas``).
    """
    try:
        import geopandas  # type: ignore[import-not-found]
    except ImportError as e:
        raise ImportError(
            "isochrones as a GeoDataFrame need geopandas: pip install geopandas "
            "(or use Network.isochrones, which returns the GeoJSON as a dict)"
        ) from e
    return geopandas.GeoDataFrame.from_features(fc["features"], crs="EPSG:4326")
