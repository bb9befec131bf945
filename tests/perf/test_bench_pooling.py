"""bench.py pools a page's rounds into one p50/p99 from wrk's quantile points."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench import pooled_ms  # noqa: E402


def run(requests: int, slow_share: float, fast_us: int = 10_000, slow_us: int = 90_000) -> dict:
    slow = round(1000 * slow_share)
    return {"requests": requests, "quantiles_us": [fast_us] * (1000 - slow) + [slow_us] * slow}


def test_one_bad_window_no_longer_decides_the_p99():
    # one window whose worst 5 % are slow: its own p99 is slow, but among 600 requests 5
    # slow ones are under 1 %; with 10 slow ones among 500 (2 %) the p99 is slow
    assert pooled_ms([run(100, 0.0)] * 5 + [run(100, 0.05)], 99) == 10.0
    runs = [run(100, 0.0)] * 4 + [run(100, 0.10)]
    assert pooled_ms(runs, 50) == 10.0 and pooled_ms(runs, 99) == 90.0


def test_runs_weigh_their_requests():
    # a long fast run outweighs a short slow one
    assert pooled_ms([run(1000, 0.0), run(10, 1.0)], 98) == 10.0
    assert pooled_ms([run(10, 0.0), run(1000, 1.0)], 2) == 90.0
