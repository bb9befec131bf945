"""What rendering in the separate renderer process adds per PDF: a two-page Japanese A4
form rendered by portal.pdf.html_to_pdf (the renderer process) and by WeasyPrint in this
process (as before), alternated, warm (the first render of each is reported apart).
Usage: PYTHONPATH=src .venv/bin/python bench/pdf_latency.py [N]"""
from __future__ import annotations

import statistics
import sys
import time

from portal import create_app
from portal.pdf import _render, html_to_pdf

ROWS = "".join(f"<tr><td>{i}</td><td>髙橋 﨑子</td><td>緩和ケア病院 {i}</td><td>常勤</td></tr>"
               for i in range(60))
HTML = f"""<html style="font-family: 'IPAexGothic', sans-serif"><head><style>
@page {{ size: A4; margin: 20mm }} td {{ border: 1px solid #000; padding: 2mm }}</style></head>
<body><h1>申請書・在籍証明書</h1><table>{ROWS}</table></body></html>"""


def _timed(render) -> float:
    started = time.perf_counter()
    render()
    return time.perf_counter() - started


def _report(name: str, first: float, times: list[float]) -> None:
    print(f"{name}: first {first * 1000:.0f} ms; warm median {statistics.median(times) * 1000:.0f}"
          f" ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)})")


def main(n: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        static = str(app.static_folder)
        ways = {"renderer process": lambda: html_to_pdf(HTML),
                "in this process": lambda: _render(HTML, static, False)}
        firsts = {name: _timed(render) for name, render in ways.items()}
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(n):
            for name, render in ways.items():
                times[name].append(_timed(render))
    for name in ways:
        _report(name, firsts[name], times[name])
    added = [a - b for a, b in zip(*times.values(), strict=True)]
    print(f"added per PDF: median {statistics.median(added) * 1000:+.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
