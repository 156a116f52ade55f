"""Scratch PostgreSQL databases for the benchmarks: each run creates its own and drops it after."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def with_db(url: str, name: str) -> str:
    """The same server URL, pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin(url: str, sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server's maintenance database."""
    import psycopg

    with psycopg.connect(with_db(url, "postgres"), autocommit=True, connect_timeout=10) as con:
        con.execute(sql)


MARKER = "kinerja_bench_imported"


def imported(url: str) -> bool:
    """Whether database `url` exists and holds a finished import (marked by mark_imported)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as con:
            return con.execute("SELECT to_regclass(%s) IS NOT NULL", (MARKER,)).fetchone()[0]
    except psycopg.OperationalError:
        return False


def mark_imported(url: str) -> None:
    """Mark database `url` as holding a finished import, so a later run with --pg-keep reuses it."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (at timestamptz DEFAULT now())")


def vacuum_analyze(url: str) -> None:
    """VACUUM ANALYZE a freshly imported database: planner statistics and the visibility map, as
    autovacuum would leave them shortly after the import."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as con:
        con.execute("VACUUM ANALYZE")
