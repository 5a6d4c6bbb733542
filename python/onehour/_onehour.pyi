"""Type stubs of the extension module (Rust, PyO3); use the wrappers in ``onehour``."""

from typing import List, Optional, Tuple

def version() -> str: ...

class Error(ValueError):
    """Bad input: an unknown place or scenario, a malformed argument, invalid network files."""

class Model:
    def __init__(
        self,
        network: Optional[str],
        scenarios: Optional[str],
        date: Optional[str],
        year: Optional[int],
        profile: str,
        limit: float,
    ) -> None: ...
    def warnings(self) -> List[str]: ...
    def info_json(self) -> str: ...
    def scenarios_json(self) -> str: ...
    def places_json(self, scenario: Optional[str]) -> str: ...
    def prepare(self, scenario: Optional[str]) -> None: ...
    def matrix_json(
        self,
        scenario: Optional[str],
        origins: Optional[List[str]],
        destinations: Optional[List[str]],
        depart: Optional[str],
        percentiles: Optional[List[float]],
        draws: Optional[int],
        seed: Optional[int],
    ) -> str: ...
    def points_matrix_json(
        self,
        scenario: Optional[str],
        points: List[Tuple[str, float, float]],
        to_points: Optional[List[Tuple[str, float, float]]],
        depart: str,
        percentiles: Optional[List[float]],
        draws: Optional[int],
        seed: Optional[int],
    ) -> str: ...
    def points_seconds(
        self,
        scenario: Optional[str],
        points: List[Tuple[str, float, float]],
        to_points: Optional[List[Tuple[str, float, float]]],
        depart: str,
        percentile: float,
        draws: Optional[int],
        seed: Optional[int],
    ) -> Tuple[bytes, int, int, Optional[str]]: ...
    def route_json(self, scenario: Optional[str], from_: str, to: str, depart: Optional[str]) -> str: ...
    def isochrone_json(
        self,
        scenario: Optional[str],
        place: Optional[str],
        lon: Optional[float],
        lat: Optional[float],
        thresholds: List[float],
        cell: float,
        depart: Optional[str],
        percentile: Optional[float],
    ) -> str: ...
    def compare_json(
        self, base: str, other: str, depart: Optional[str], draws: Optional[int], seed: Optional[int]
    ) -> str: ...
    def access_files(
        self,
        scenario: Optional[str],
        compare: Optional[str],
        cutoff: int,
        grid: float,
        depart: Optional[str],
        draws: Optional[int],
        seed: Optional[int],
        percentile: float,
    ) -> Tuple[str, str, str]: ...
    def rank_json(
        self,
        base: str,
        projects: str,
        depart: Optional[str],
        draws: Optional[int],
        seed: Optional[int],
    ) -> str: ...
