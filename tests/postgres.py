"""A throwaway PostgreSQL server for the tests: `.ci/with-postgres` starts one and names it
in FUPIN_TEST_PG. Each test that asks gets a fresh database on it, dropped afterwards.

Under CI (CI=true) a missing server fails the tests: they must run, never skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ENGINES = ("sqlcipher", "postgresql")


def server_url() -> str:
    url = os.environ.get("FUPIN_TEST_PG", "")
    if not url:
        message = ("没有 PostgreSQL 测试服务器:用 bash .ci/with-postgres .venv/bin/python -m "
                   "pytest 运行(它启动一个临时服务器并设置 FUPIN_TEST_PG)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def _admin() -> object:
    import psycopg

    return psycopg.connect(server_url(), autocommit=True)


def create_database(template: str | None = None, locale: str | None = None) -> str:
    """A new database on the test server, empty or a copy of `template` (a database URL:
    PostgreSQL copies it file by file, far faster than building it again), in the server's
    locale or in `locale` (as a server set up in Chinese is: .ci/setup makes zh_CN.UTF-8);
    its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    copy = f' TEMPLATE "{database_name(template)}"' if template else ""
    if locale:
        assert template is None, "a copy keeps its template's locale"
        copy = f" TEMPLATE template0 LOCALE '{locale}'"
    with _admin() as conn:  # type: ignore[attr-defined]
        try:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        except psycopg.errors.WrongObjectType:  # "invalid locale name": the OS has none
            message = f"本机没有 {locale} 区域设置(bash .ci/setup 会生成它)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    base = server_url()
    path, _, query = base.partition("?")
    return f"{path.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def database_name(url: str) -> str:
    return url.partition("?")[0].rsplit("/", 1)[1]


def drop_database(url: str) -> None:
    with _admin() as conn:  # type: ignore[attr-defined]
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


@contextmanager
def database(locale: str | None = None) -> Iterator[str]:
    url = create_database(locale=locale)
    try:
        yield url
    finally:
        drop_database(url)
