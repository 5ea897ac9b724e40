"""How many SQL statements a piece of code runs: a page must cost the same few queries however
large the log grows, and the benches and tests check that rather than time alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import peewee


def count_queries(db: peewee.Database, function: Callable[[], object]) -> int:
    executed = 0
    execute_sql = db.execute_sql

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal executed
        executed += 1
        return execute_sql(*args, **kwargs)

    db.execute_sql = counting  # type: ignore[method-assign]
    try:
        function()
    finally:
        db.execute_sql = execute_sql  # type: ignore[method-assign]
    return executed
