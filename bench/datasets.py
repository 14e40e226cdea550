"""The benchmark's own PostgreSQL databases, one per data size, generated once and reused.

Each size is `generate_demo_data` with fixed arguments and the same seed.
The small database is the large one's first district: towns 0-11 get the
same plans, sections and targets in both, each with 4 progress updates (their
values differ, as the random stream has moved on by then). Every benchmarked
request reads district 0, so it reads as many rows at both sizes and only the
rest of the tables grows: 100 times as many targets and updates.

A database is reused when its comment records the same arguments and the
same month (the demo's current year is reported up to last month); it is
migrated every time, so a new index reaches it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
YEARS = 2
TARGETS_PER_PLAN = 210  # district 0's 12 towns × 2 years × 210 = 5,040 targets to export
UPDATES_PER_TARGET = 4  # quarterly reports, the usual 督查 rhythm
PROVINCE = "demo-province"  # every generated town is below it

# As the README advises for production on SSDs.
PRODUCTION_SETTINGS = {"random_page_cost": "1.1", "work_mem": "32MB"}


@dataclass(frozen=True)
class Size:
    name: str
    towns: int

    @property
    def updates(self) -> int:
        return self.towns * YEARS * TARGETS_PER_PLAN * UPDATES_PER_TARGET

    def arguments(self) -> list[str]:
        return [
            "--towns", str(self.towns), "--years", str(YEARS),
            "--targets-per-plan", str(TARGETS_PER_PLAN),
            "--updates-per-target", str(UPDATES_PER_TARGET), "--seed", str(SEED),
        ]  # fmt: skip


SIZES = {
    "small": Size("small", towns=12),  # 20,160 progress updates
    "large": Size("large", towns=1190),  # 1,999,200 progress updates
}


def server_url() -> str:
    """The PostgreSQL server the benchmark uses (only ever loopback; see `check_loopback`)."""
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"the benchmark only talks to a database on loopback, not {host!r}")


def database_name(size: Size) -> str:
    """`plan_tracker_bench_<size>`, or `<name>_<size>` when BENCH_POSTGRES_URL names a database.

    Naming one keeps engineers who share a server from dropping each other's data.
    """
    prefix = urlsplit(server_url()).path.strip("/") or "plan_tracker_bench"
    return f"{prefix}_{size.name}"


def database_url(size: Size) -> str:
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{database_name(size)}"))


def _admin_connection() -> psycopg.Connection:
    parts = urlsplit(server_url())
    url = urlunsplit(parts._replace(path="/postgres"))
    check_loopback(url)
    return psycopg.connect(url, autocommit=True)


def marker(size: Size, month: str) -> str:
    return f"plan-tracker bench {' '.join(size.arguments())} month={month}"


def _env(size: Size) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(size),
        "DJANGO_SETTINGS_MODULE": "planning.settings",
    }


def _manage(size: Size, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=_env(size)
    )


def prepare(size: Size, month: str, log=print) -> None:
    """Create (or reuse) the size's database: configured, migrated, generated, analysed and
    its statuses judged."""
    name = database_name(size)
    wanted = marker(size, month)
    with _admin_connection() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] != wanted:
            log(f"{name}: generated with other arguments ({row[0]!r}); dropping it")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            row = None
        if row is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # The README's production settings (Production, "PostgreSQL settings that matter"),
        # for every connection to this database from now on.
        for setting, value in PRODUCTION_SETTINGS.items():
            admin.execute(
                sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    sql.Identifier(name), sql.Identifier(setting), sql.Literal(value)
                )
            )
    _manage(size, "migrate", "--no-input", "--verbosity", "0")
    if row is not None:
        log(f"{name}: reusing ({wanted})")
    else:
        _generate(size, name, wanted, log)
    # Each status judged today, as production's morning judge_statuses leaves them (a
    # read that finds one stale judges it itself: not what a benchmark should time).
    started = time.perf_counter()
    _manage(size, "judge_statuses", "--verbosity", "0")
    with psycopg.connect(database_url(size), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE tracker_judgedstatus")
    log(f"{name}: statuses judged in {time.perf_counter() - started:.0f}s")


def _generate(size: Size, name: str, wanted: str, log) -> None:
    log(f"{name}: generating {size.updates:,} progress updates ({' '.join(size.arguments())})")
    started = time.perf_counter()
    _manage(size, "generate_demo_data", *size.arguments())
    with psycopg.connect(database_url(size), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    with _admin_connection() as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(wanted)
            )
        )
    log(f"{name}: ready in {time.perf_counter() - started:.0f}s")
