"""Tests of clicks.py against a stub server (stdlib only; no onehour binary needed)."""

import http.server
import threading
import time
import unittest

import clicks


class Stub(http.server.BaseHTTPRequestHandler):
    delay = {}  # port -> seconds
    seen = []

    def do_GET(self):
        Stub.seen.append((self.server.server_port, self.path))
        time.sleep(Stub.delay.get(self.server.server_port, 0))
        if not self.path.startswith("/api/isochrones?") or "fail=1" in self.path:
            self.send_response(400)
            self.end_headers()
            return
        body = b'{"type":"FeatureCollection","features":[]}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def serve(delay):
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    Stub.delay[s.server_port] = delay
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s


class ClicksTest(unittest.TestCase):
    def test_percentile(self):
        self.assertEqual(clicks.percentile([3, 1, 2], 50), 2)
        self.assertEqual(clicks.percentile([5], 90), 5)
        self.assertEqual(clicks.percentile(list(range(1, 101)), 90), 90)
        with self.assertRaises(ValueError):
            clicks.percentile([], 50)
        with self.assertRaises(ValueError):
            clicks.percentile([1], 101)

    def test_parse_servers(self):
        self.assertEqual(clicks.parse_servers(["a=1", "b=2"]), {"a": 1, "b": 2})
        for bad in (["a"], ["a=x"], ["=1"], ["a=0"], ["a=1", "a=2"]):
            with self.assertRaises(ValueError):
                clicks.parse_servers(bad)

    def test_side_by_side_on_stubs(self):
        slow, fast = serve(0.02), serve(0.0)
        try:
            Stub.seen.clear()
            pts = [(113.0, 23.0), (113.1, 23.1)]
            t = clicks.measure(
                {"slow": slow.server_port, "fast": fast.server_port}, 2, pts, clicks.MODES
            )
            # Warm-up (one per mode and server) plus rounds x modes x points per server.
            self.assertEqual(len(Stub.seen), 2 * 2 + 2 * 2 * 2 * 2)
            self.assertTrue(any("compare=plan-2030" in p for _, p in Stub.seen))
            s = clicks.summary(t, ["slow", "fast"], list(clicks.MODES))
            self.assertEqual(s["single/fast"]["n"], 4)
            self.assertGreaterEqual(s["single/slow"]["p50_ms"], 20)
            self.assertGreater(s["single/fast"]["slow_p50_over_this"], 1.5)
            self.assertEqual(s["compare/slow"]["slow_p50_over_this"], 1.0)
        finally:
            slow.shutdown()
            fast.shutdown()

    def test_an_error_status_fails(self):
        s = serve(0.0)
        try:
            self.assertGreaterEqual(clicks.click("127.0.0.1", s.server_port, 0, 0, ""), 0)
            with self.assertRaises(Exception):
                clicks.click("127.0.0.1", s.server_port, 0, 0, "&fail=1")
        finally:
            s.shutdown()

if __name__ == "__main__":
    unittest.main()
