"""Faceted search on the demo data: p50/p95 of ``search_for`` and of the /search/ page, next
to the bare SQL the selector ran, in the same run, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/search.py [--scale 1.0] [--repeat 60] [--backend both]

Each backend runs in a child process with its own fresh data directory (PostgreSQL: a
database that is dropped and recreated). The demo is loaded through the services, so the
index is built by the same signal receivers as in production; the load time is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import Any

from _harness import pg_database

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("words + 3 facets", {"q": "police van", "violation_type": "torture",
                          "date_from": date(2020, 8, 9), "date_to": date(2020, 8, 21)}),
    ("words + unit", {"q": "detainees", "has_suspect": True}),
    ("common word", {"q": "избиение"}),
    ("misspelt place", {"q": "Pushkinskya"}),
    ("facets only", {"violation_type": "torture", "has_suspect": True}),
    ("syntax noise", {"q": '"unbalanced NEAR( * OR -'}),
]  # fmt: skip


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def child(backend: str, scale: float, repeat: int) -> None:
    import django

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from crimebook.accounts.models import Membership
    from crimebook.core.keys import keys_init
    from crimebook.demo.load import demo_load
    from crimebook.search.models import SearchDoc
    from crimebook.search.selectors import SearchParams, search_for

    call_command("migrate", verbosity=0)
    keys_init()
    started = time.perf_counter()
    summary = demo_load(scale=scale)
    loaded = time.perf_counter() - started
    user = Membership.objects.select_related("user").first().user  # type: ignore[union-attr]
    print(f"{backend}: demo scale {scale}: {summary}; loaded (with indexing) in {loaded:.1f} s; "
          f"{SearchDoc.objects.count():,} search documents")  # fmt: skip
    print(f"  {'query':18s} {'hits':>5s} {'selector p50':>12s} {'p95':>7s} {'page p95':>9s}"
          f" {'bare SQL p50':>12s} {'p95':>7s}  ratio p95 (selector/bare)")  # fmt: skip
    client = Client()
    client.force_login(user)
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    for label, kw in QUERIES:
        params = SearchParams(**kw)
        result = search_for(user, params)
        with CaptureQueriesContext(connection) as captured:
            search_for(user, params)
        sql = [q["sql"] for q in captured.captured_queries
               if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SELECT set_config"))]  # fmt: skip
        query = {k: (v.isoformat() if isinstance(v, date) else ("yes" if v is True else v))
                 for k, v in kw.items()}  # fmt: skip
        selector, page, bare = [], [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            search_for(user, params)
            selector.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            response = client.get("/search/", query)
            page.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                for statement in sql:
                    cur.execute(statement)
                    if cur.description is not None:
                        cur.fetchall()
            bare.append(time.perf_counter() - t0)
        ms = 1000.0
        print(
            f"  {label:18s} {result.total:5d} {ms * statistics.median(selector):12.1f} "
            f"{ms * _pct(selector, 0.95):7.1f} {ms * _pct(page, 0.95):9.1f} "
            f"{ms * statistics.median(bare):12.1f} {ms * _pct(bare, 0.95):7.1f}  "
            f"{_pct(selector, 0.95) / max(_pct(bare, 0.95), 1e-9):5.1f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/crimebook_bench_search"
    )
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scale, args.repeat)
        return
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        with tempfile.TemporaryDirectory(prefix="cb-search-bench-") as data:
            env = {
                **os.environ, "DJANGO_SETTINGS_MODULE": "crimebook.settings",
                "CRIMEBOOK_DATA_DIR": data, "CRIMEBOOK_DATABASE_URL": "",
                "CRIMEBOOK_ALLOWED_HOSTS": "testserver",
            }  # fmt: skip
            if backend == "postgres":
                if not pg_database(args.pg_url, fresh=True):
                    print(f"postgres: skipped, no server at {args.pg_url}")
                    continue
                env["CRIMEBOOK_DATABASE_URL"] = args.pg_url
            argv = [sys.executable, __file__, "--child", backend, "--scale", str(args.scale),
                    "--repeat", str(args.repeat)]  # fmt: skip
            subprocess.run(argv, env=env, check=True)  # noqa: S603 - our own script


if __name__ == "__main__":
    main()
