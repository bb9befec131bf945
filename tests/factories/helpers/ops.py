"""A job for the log tests: it only logs, so its line shows the ids it carried."""
from __future__ import annotations

import logging


def log_a_line(text: str) -> None:
    logging.getLogger("portal.test_job").warning(text)
