"""X-SQL-Count: how many SQL statements a request sent, for tests and bench/.

Off unless SQL_COUNT_HEADER is true. A page must send a fixed number of statements
whatever the size of the data behind it (DESIGN.md "Performance habits"); the header
lets tests/perf and bench/run check that from outside the code that runs the queries.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, has_app_context
from sqlalchemy import event

HEADER = "X-SQL-Count"


def _count(*_args: Any) -> None:
    if has_app_context():
        g.sql_count = g.get("sql_count", 0) + 1


def _reset() -> None:
    g.sql_count = 0


def _add_header(response: Response) -> Response:
    response.headers[HEADER] = str(g.get("sql_count", 0))
    return response


def init_app(app: Flask) -> None:
    if not app.config.get("SQL_COUNT_HEADER"):
        return
    from portal.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", _count)
    app.before_request(_reset)
    app.after_request(_add_header)
