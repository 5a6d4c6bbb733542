"""Searches release the GIL: threads run sweeps concurrently, and Python keeps running."""

from __future__ import annotations

import threading
import time

import onehour


def test_two_threads_sweep_concurrently_without_deadlock(net):
    want = net.matrix_json(depart="07:00-07:10", draws=2)
    results = {}
    errors = []

    def work(k: int) -> None:
        try:
            results[k] = net.matrix_json(depart="07:00-07:10", draws=2)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a sweep did not finish: deadlock?"
    assert not errors, errors
    assert results[0] == want and results[1] == want


def test_python_runs_while_a_sweep_runs(net):
    """While one thread is inside a sweep, the main thread keeps executing Python code: the
    sweep does not hold the GIL."""
    done = threading.Event()

    def work() -> None:
        try:
            net.travel_time_matrix(depart="06:00-10:00", draws=10)
        finally:
            done.set()

    ticks = 0
    t0 = time.perf_counter()
    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    elapsed = time.perf_counter() - t0
    worker.join()
    # A sweep that held the GIL would let the loop run about once; with it released the loop
    # ticks about every millisecond (at least every 20 ms, however loaded the machine).
    if elapsed > 0.2:
        assert ticks >= elapsed / 0.02, (ticks, elapsed)
