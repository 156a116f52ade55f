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
