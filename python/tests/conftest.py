"""Fixtures: the bundled network loaded once, and the `onehour` command line built from the
same checkout, whose JSON the package's results must equal."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable, List

import pytest

import onehour

ROOT = Path(__file__).resolve().parents[2]


def _cli_binary() -> Path:
    """The `onehour` binary: $ONEHOUR_CLI, else `cargo build --release --bin onehour` in this
    checkout (a no-op when CI's `cargo test --release` has built it)."""
    given = os.environ.get("ONEHOUR_CLI")
    if given:
        return Path(given)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "--bin", "onehour"], cwd=ROOT, check=True
    )
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(json.loads(meta.stdout)["target_directory"]) / "release" / "onehour"


@pytest.fixture(scope="session")
def cli() -> Callable[..., str]:
    """Runs the command line with these arguments and returns its standard output."""
    exe = _cli_binary()

    def run(*args: str) -> str:
        p = subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True)
        assert p.returncode == 0, f"onehour {' '.join(args)} failed: {p.stderr}"
        return p.stdout

    return run


@pytest.fixture(scope="session")
def cli_json(cli: Callable[..., str]) -> Callable[..., Any]:
    """Runs the command line and parses its JSON output."""

    def run(*args: str) -> Any:
        return json.loads(cli(*args))

    return run


@pytest.fixture(scope="session")
def net() -> onehour.Network:
    """The bundled Guangzhou network, as of its day."""
    return onehour.Network.load()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def ids(places: List[dict]) -> List[str]:
    return [p["id"] for p in places]
