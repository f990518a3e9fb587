"""`make bench`: where the portal stands on PostgreSQL, in one run, on this machine.

1. Pages measured in this process (django.test.Client, every query counted and timed): SQL query
   count and median server time over --requests requests, for the 2006 plan and then for synthetic
   data (generate_synthetic, 50 CERs x 200 activities x 10 updates by default).
2. Throughput with wrk (16 connections) against `make serve` itself (migrations, static files,
   gunicorn.conf.py): /healthz and a signed-in staff member's dashboard, each as a ratio of a
   bare Django view (bench/bare.py) served by the same gunicorn settings in the same run; wrk
   sends the staff member's session cookie and X-Forwarded-Proto: https on every URL, as the
   browser behind the proxy does. --throughput-only stops there.
3. The 10,000-row progress import (preview and confirm), once actions.spreadsheets.imports exists.
4. Peak memory (VmHWM) of the gunicorn workers after the run.

It starts a PostgreSQL cluster of its own in a temporary folder, on a free loopback port, and
removes it at the end; it reads and writes nothing else of the machine's. Prints one table and
writes bench/results.json. `--query-log DIR` writes each page's SQL there, to see why a page
needs the queries it does. These are benchmarks, not tests: nothing here fails on a target.
"""

import argparse
import contextlib
import csv
import importlib.util
import io
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import national

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"

TARGET_QUERIES = 15
TARGET_MEDIAN_MS = 100
# Requests per second, as a share of the bare Django view's.
TARGET_RATIOS = {"dashboard_2006": 0.15, "healthz": 0.30}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--activities-per-cluster", type=int, default=200)
    parser.add_argument("--updates-per-activity", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (≥20)")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY for serve")
    parser.add_argument("--query-log", type=Path, default=None, help="write each page's SQL here")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="only the 2006 plan and throughput: no page timings, synthetic data or import",
    )
    national.add_arguments(parser)
    args = parser.parse_args()

    results = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            # Other work on the machine skews absolute figures; ratios hold up better.
            "load_average_at_start": round(os.getloadavg()[0], 2),
        },
        "targets": {
            "max_queries": TARGET_QUERIES,
            "max_median_ms": TARGET_MEDIAN_MS,
            "min_ratio_to_bare_view": TARGET_RATIOS,
        },
    }
    work = Path(tempfile.mkdtemp(prefix="cerplan-bench-"))
    postgres = Postgres()
    server = None
    try:
        postgres.start()
        results["machine"]["postgresql"] = postgres.version
        env = _environment(work, postgres.url)
        os.environ.update(env)
        _setup_django()

        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        bench = PageBench(args.requests, args.query_log)
        standard = national.wanted(args, "standard")
        # -- the 2006 plan ------------------------------------------------------------------
        plan_2006 = standard and _load_plan_2006()
        results["plan_2006"] = {"loaded": plan_2006}
        if plan_2006:
            users = _users("2006", ["metalmecanica", "consultoria-ingenieria"])
            if not args.throughput_only:
                results["plan_2006"]["pages"] = bench.pages(
                    "2006", users, "metalmecanica", as_of="2008-06-30"
                )

        # -- make serve and wrk, at the 2006 plan's size -------------------------------------
        server = Server(work, env, args.workers)
        server.start()
        results["serve"] = {"workers": server.worker_count(), "checks": server.checks()}
        load = Load(server.port, args.wrk_connections, args.wrk_seconds)
        # A signed-in staff member's cookie on every URL, as their browser sends it (DESIGN.md).
        cookie = bench.session_cookie(users["staff"]) if plan_2006 else None
        bare = BareServer(work, env, args.workers)
        bare.start()
        try:
            throughput = {
                "bare": Load(bare.port, args.wrk_connections, args.wrk_seconds).run(
                    "/", cookie=cookie
                )
            }
        finally:
            bare.stop()
        throughput["healthz"] = load.run("/healthz", cookie=cookie)
        if plan_2006:
            throughput["dashboard_2006"] = load.run("/clusters/metalmecanica/", cookie=cookie)
        results["throughput"] = throughput
        results["load"] = {
            "tool": "wrk",
            "connections": args.wrk_connections,
            "seconds": args.wrk_seconds,
        }
        if args.throughput_only:
            _ratios(throughput)
            results["memory"] = server.memory()
            return _finish(results, args)

        # -- synthetic data, then the progress import on it ----------------------------------
        if standard:
            _standard_synthetic(args, bench, load, results)
        _ratios(throughput)

        # -- memory ------------------------------------------------------------------------------
        results["memory"] = server.memory()

        # -- the national tier, last, in a database of its own ----------------------------------
        if national.wanted(args, "national"):
            server = _national_database(postgres, work, env, server, fresh=not standard)
            load = Load(server.port, args.wrk_connections, args.wrk_seconds)
            results["national"] = national.run(args, bench, load, _users, _row_counts, _analyze)
            results["national"]["memory"] = server.memory()
    finally:
        if server is not None:
            server.stop()
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)
    _finish(results, args)


def _finish(results, args):
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    if args.tier == "national" and args.results.exists():
        # This tier alone: the other tiers' figures stay as their own run measured them.
        results = {**json.loads(args.results.read_text()), "national": results["national"]}
    table = "\n".join([_table(results), *national.table(results.get("national"))])
    print(table)
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {args.results}")


def _standard_synthetic(args, bench, load, results):
    """--clusters synthetic CERs: their pages, the dashboard under wrk, the progress import."""
    from django.core.management import call_command

    throughput = results["throughput"]
    # -- synthetic data --------------------------------------------------------------------
    started = time.monotonic()
    call_command(
        "generate_synthetic",
        clusters=args.clusters,
        activities_per_cluster=args.activities_per_cluster,
        updates_per_activity=args.updates_per_activity,
        seed=args.seed,
        verbosity=0,
        stdout=io.StringIO(),
    )
    generated_in = time.monotonic() - started
    _analyze()
    synthetic_slugs = [f"sintetico-{n:03d}" for n in range(1, args.clusters + 1)]
    results["synthetic"] = {
        "clusters": args.clusters,
        "activities_per_cluster": args.activities_per_cluster,
        "updates_per_activity": args.updates_per_activity,
        "seed": args.seed,
        "generate_seconds": round(generated_in, 1),
        "rows": _row_counts(),
    }
    users = _users("synthetic", synthetic_slugs)
    results["synthetic"]["pages"] = bench.pages(
        "synthetic", users, "sintetico-001", as_of="2024-06-30"
    )
    cookie = bench.session_cookie(users["staff"])
    throughput["dashboard_synthetic"] = load.run("/clusters/sintetico-001/", cookie=cookie)

    # -- the progress import -----------------------------------------------------------------
    results["import"] = _import_bench(users["admin"])


def _national_database(postgres, work, env, server, *, fresh):
    """The database the national tier runs in, and `make serve` on it.

    After the other tiers, a new, freshly migrated database (their CERs would clash with its
    slugs and skew its figures), with the server restarted on it; alone, the one it is given.
    """
    if fresh:
        return server
    from django.core.management import call_command
    from django.db import connections

    name = "cerplan_national"
    postgres.create_database(name)
    url = postgres.url.rsplit("/", 1)[0] + f"/{name}"
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    server.stop()
    env["DATABASE_URL"] = os.environ["DATABASE_URL"] = url
    server = Server(work, env, server.workers_wanted)
    server.start()
    return server


# -- environment ------------------------------------------------------------------------------


def _environment(work, database_url):
    """What `make serve` is given in production: no debug, a real key, private folders."""
    for folder in ("static", "media"):
        (work / folder).mkdir()
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cerplan.settings",
    }


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def _load_plan_2006():
    from django.core.management import call_command

    if not (ROOT / "fixtures" / "plan_2006.json").exists():
        return False
    call_command("loaddata", "plan_2006", verbosity=0)
    return True


def _users(label, slugs):
    """A staff member of the first CER, one of all of them (for home) and an admin."""
    from django.contrib.auth import get_user_model

    from clusters.services import create_account

    password = secrets.token_urlsafe(24)
    return {
        "staff": create_account(
            username=f"bench-staff-{label}",
            role="staff",
            password=password,
            cluster_slugs=slugs[:1],
        ),
        "multi": create_account(
            username=f"bench-multi-{label}",
            role="staff",
            password=password,
            cluster_slugs=slugs,
        ),
        "admin": get_user_model().objects.filter(username="bench-admin").first()
        or create_account(username="bench-admin", role="admin", password=password),
    }


def _analyze():
    # After a bulk load PostgreSQL's planner statistics are stale until autovacuum catches up;
    # a production database that grew over ten years has them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _row_counts():
    from actions.models import Activity, GoalMeasurement, ProgressUpdate, Strategy
    from clusters.models import Cluster

    return {
        "clusters": Cluster.objects.count(),
        "strategies": Strategy.objects.count(),
        "activities": Activity.objects.count(),
        "progress_updates": ProgressUpdate.objects.count(),
        "goal_measurements": GoalMeasurement.objects.count(),
    }


# -- pages, in process --------------------------------------------------------------------------


class Queries:
    """Count and time every SQL statement the default connection runs inside the block.

    Like CaptureQueriesContext, but with no cap on how many (an import runs tens of thousands)
    and timed with perf_counter rather than to the millisecond.
    """

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


class PageBench:
    def __init__(self, requests, query_log):
        self.requests = max(requests, 20)
        self.query_log = query_log
        if query_log:
            query_log.mkdir(parents=True, exist_ok=True)

    def client(self, user):
        from django.test import Client

        # HTTPS as the proxy would mark it; errors are reported, not raised.
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        client.force_login(user)
        return client

    def session_cookie(self, user):
        from django.conf import settings

        name = settings.SESSION_COOKIE_NAME
        return f"{name}={self.client(user).cookies[name].value}"

    def pages(self, label, users, slug, *, as_of):
        from actions.models import Activity

        activity = (
            Activity.objects.filter(cluster__slug=slug)
            .order_by("-version", "id")
            .values_list("id", flat=True)
            .first()
        )
        staff, multi, admin = (self.client(users[k]) for k in ("staff", "multi", "admin"))
        pages = [
            ("dashboard", staff, f"/clusters/{slug}/"),
            ("dashboard ?as_of", staff, f"/clusters/{slug}/?as_of={as_of}"),
            ("plan", staff, f"/clusters/{slug}/plan/"),
            ("timeline", staff, f"/clusters/{slug}/timeline/"),
            ("activity page", staff, f"/activities/{activity}/"),
            ("home", multi, "/"),
            ("admin activity list", admin, "/admin/actions/activity/"),
        ]
        return {name: self.measure(label, name, client, path) for name, client, path in pages}

    def measure(self, label, name, client, path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        timings, sql_timings, counts, status, sql = [], [], [], None, []
        for attempt in range(self.requests + 1):
            # Counted as the tests count them (django_assert_max_num_queries, which includes
            # BEGIN and COMMIT); timed statement by statement.
            with CaptureQueriesContext(connection) as captured, Queries() as queries:
                started = time.perf_counter()
                response = client.get(path, secure=True)
                elapsed = (time.perf_counter() - started) * 1000
            status = response.status_code
            if attempt == 0:
                # The first request fills caches; report it apart.
                cold = {"ms": round(elapsed, 1), "queries": len(captured)}
                continue
            timings.append(elapsed)
            sql_timings.append(queries.seconds * 1000)
            counts.append(len(captured))
            sql = [query["sql"] for query in captured.captured_queries]
        if self.query_log:
            safe = re.sub(r"[^a-z0-9]+", "-", f"{label}-{name}".lower()).strip("-")
            (self.query_log / f"{safe}.sql").write_text(";\n\n".join(sql) + ";\n")
        return {
            "path": path,
            "status": status,
            "placeholder": status == 404,
            "queries": max(counts),
            "median_ms": round(statistics.median(timings), 1),
            # The database's share of it: the rest is Python (ORM, templates, middleware).
            "median_sql_ms": round(statistics.median(sql_timings), 1),
            "max_ms": round(max(timings), 1),
            "requests": len(timings),
            "cold": cold,
        }


# -- PostgreSQL of our own ----------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Postgres:
    """A throw-away cluster: initdb in a temporary folder, trust auth, loopback only."""

    def __init__(self):
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=_version_key)
        if not binaries:
            sys.exit("bench: PostgreSQL is not installed (make bench installs it with apt-get)")
        self.bin = binaries[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="cerplan-bench-pg-"))
        self.port = _free_port()
        self.url = f"postgres://cerplan:cerplan@127.0.0.1:{self.port}/cerplan"
        self.as_postgres = os.geteuid() == 0
        self.started = False
        self.version = subprocess.run(
            [self.bin / "postgres", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()

    def _run(self, *command):
        if self.as_postgres:
            # initdb refuses to run as root; like .ci/run, the cluster belongs to postgres.
            command = ["su", "postgres", "-c", shlex.join(map(str, command))]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run(
            self.bin / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            self.bin / "pg_ctl",
            "-D",
            data,
            "-l",
            self.dir / "log",
            "-w",
            "-o",
            options,
            "start",
        )
        self.started = True
        for statement in (
            "CREATE ROLE cerplan LOGIN CREATEDB PASSWORD 'cerplan'",
            "CREATE DATABASE cerplan OWNER cerplan",
        ):
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-qc",
                    statement,
                ],
                check=True,
            )

    def create_database(self, name):
        self._psql(f"CREATE DATABASE {name} OWNER cerplan")

    def _psql(self, statement):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc", statement],
            check=True,
        )

    def stop(self):
        if self.started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def _version_key(path):
    return [int(part) for part in re.findall(r"\d+", path.parts[-3])]


# -- make serve and wrk -------------------------------------------------------------------------


class Server:
    """`make serve` on a free loopback port, exactly as production starts it."""

    def __init__(self, work, env, workers):
        self.port = _free_port()
        self.pidfile = work / "gunicorn.pid"
        self.log = work / "serve.log"
        self.env = {
            **os.environ,
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "GUNICORN_CMD_ARGS": f"--pid {self.pidfile}",
            # No recycling during the run, so that the workers' peak memory is the whole run's.
            "GUNICORN_MAX_REQUESTS": "0",
            # The access log costs the same on both URLs; keep it out of the comparison's noise.
            "GUNICORN_ACCESS_LOG": "0",
        }
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.workers_wanted = workers
        self.process = None

    def start(self):
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                if self.get("/healthz")[0] == 200 and self.pidfile.exists():
                    time.sleep(1)  # let every worker boot
                    return
            time.sleep(0.5)
        tail = self.log.read_text()[-3000:]
        self.stop()
        sys.exit(f"bench: make serve did not become ready:\n{tail}")

    def get(self, path, headers=None):
        url = f"http://127.0.0.1:{self.port}{path}"
        request = urllib.request.Request(url, headers=headers or {})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def checks(self):
        """What a load balancer and a browser see of production mode."""
        checks = {}
        status, _headers, body = self.get("/healthz")
        checks["healthz_plain_http"] = f"{status} {body.decode().strip()}"
        status, headers, _body = self.get("/accounts/login/")
        checks["plain_http_redirected"] = f"{status} → {headers.get('Location', '')}"
        status, headers, _body = self.get("/accounts/login/", {"X-Forwarded-Proto": "https"})
        checks["https_via_proxy"] = f"{status}, HSTS: {'Strict-Transport-Security' in headers}"
        manifest = Path(self.env["DJANGO_STATIC_ROOT"]) / "staticfiles.json"
        paths = json.loads(manifest.read_text())["paths"] if manifest.exists() else {}
        css = next((hashed for name, hashed in paths.items() if name.endswith(".css")), None)
        if css:
            status, headers, _body = self.get(
                f"/static/{css}", {"Accept-Encoding": "gzip, br", "X-Forwarded-Proto": "https"}
            )
            checks["static_hashed"] = (
                f"{status} /static/{css} {headers.get('Content-Encoding', 'identity')}, "
                f"{headers.get('Cache-Control', '')}"
            )
        return checks

    def master(self):
        return int(self.pidfile.read_text().strip())

    def workers(self):
        master = str(self.master())
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if fields[1] == master:
                    found.append(int(stat.parent.name))
        return sorted(found)

    def worker_count(self):
        return len(self.workers())

    def memory(self):
        def status(pid, key):
            text = Path(f"/proc/{pid}/status").read_text()
            return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1)) / 1024

        workers = self.workers()
        peaks = [status(pid, "VmHWM") for pid in workers]
        return {
            "workers": len(workers),
            "worker_peak_rss_mib": round(max(peaks), 1),
            "worker_peak_rss_mib_each": [round(p, 1) for p in peaks],
            "worker_rss_now_mib": round(max(status(pid, "VmRSS") for pid in workers), 1),
            "master_peak_rss_mib": round(status(self.master(), "VmHWM"), 1),
        }

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        # make was started in a session of its own: its process group is make and gunicorn.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class BareServer(Server):
    """bench/bare.py under the same gunicorn settings (gunicorn.conf.py, workers, environment)."""

    def __init__(self, work, env, workers):
        super().__init__(work, env, workers)
        self.pidfile = work / "bare.pid"
        self.log = work / "bare.log"
        self.env["GUNICORN_CMD_ARGS"] = f"--pid {self.pidfile}"
        self.env["DJANGO_SETTINGS_MODULE"] = ""

    def start(self):
        gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
        command = [gunicorn, "--config", "gunicorn.conf.py", "bench.bare:application"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError):
                if self.get("/")[0] == 200 and self.pidfile.exists():
                    time.sleep(1)  # let every worker boot
                    return
            time.sleep(0.3)
        tail = self.log.read_text()[-3000:]
        self.stop()
        sys.exit(f"bench: the bare view's gunicorn did not become ready:\n{tail}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Load:
    """wrk against the server; the status of each URL is checked before and after."""

    def __init__(self, port, connections, seconds):
        self.port = port
        self.connections = connections
        self.seconds = seconds
        self.wrk = shutil.which("wrk")

    def run(self, path, cookie=None):
        headers = {}
        if cookie:
            # A signed-in staff member behind the TLS proxy.
            headers = {"Cookie": cookie, "X-Forwarded-Proto": "https"}
        status = self._status(path, headers)
        result = {"path": path, "status_before": status}
        if status != 200:
            result["skipped"] = f"answers {status}, not 200"
            return result
        if not self.wrk:
            result["skipped"] = "wrk is not installed (make bench installs it with apt-get)"
            return result
        command = [
            self.wrk,
            "-t",
            str(min(2, self.connections)),
            "-c",
            str(self.connections),
            "-d",
            f"{self.seconds}s",
            # A response slower than gunicorn's own timeout is an error; a slow one is not.
            "--timeout",
            "30s",
            "--latency",
        ]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{self.port}{path}")
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        result.update(_parse_wrk(output))
        result["status_after"] = self._status(path, headers)
        return result

    def _status(self, path, headers):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def _ratios(throughput):
    bare = throughput.get("bare", {}).get("requests_per_second")
    for name, run in throughput.items():
        if name != "bare" and bare and run.get("requests_per_second"):
            run["ratio_to_bare"] = round(run["requests_per_second"] / bare, 3)


def _parse_wrk(output):
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        "socket_errors_by_kind": (
            dict(
                zip(
                    ("connect", "read", "write", "timeout"),
                    map(int, socket_errors.groups()),
                    strict=True,
                )
            )
            if socket_errors
            else {}
        ),
        "latency_p50": _latency(output, "50%"),
        "latency_p99": _latency(output, "99%"),
    }


def _latency(output, percentile):
    match = re.search(rf"^\s+{re.escape(percentile)}\s+(\S+)", output, re.M)
    return match.group(1) if match else None


# -- the progress import ------------------------------------------------------------------------


def _import_bench(admin, rows=10_000):
    """The spreadsheet progress import of `rows` activities: preview, then confirm.

    Confirming does what the portal does on the second request: build the preview again from
    the stored file, check it is the one the user saw (its digest), then apply it.
    """
    if importlib.util.find_spec("actions.spreadsheets.imports") is None:
        return {"status": "not available yet (actions.spreadsheets.imports does not exist)"}
    try:
        from actions.spreadsheets.imports.base import run_operations
        from actions.spreadsheets.imports.progress import ProgressImport
    except ImportError as error:
        return {"status": f"not available yet ({error})"}

    from actions.models import Activity, ProgressUpdate

    data = _progress_file(
        Activity.objects.filter(cluster__slug__startswith="sintetico-")
        .order_by("cluster__slug", "strategy__number", "position")
        .values_list("cluster__slug", "code", "status", "progress")[:rows]
    )
    kind = ProgressImport()
    before = ProgressUpdate.objects.count()
    try:
        with Queries() as preview_queries:
            started = time.perf_counter()
            preview = kind.preview(data, user=admin)
            preview_seconds = time.perf_counter() - started
        with Queries() as confirm_queries:
            started = time.perf_counter()
            again = kind.preview(data, user=admin)
            if again.digest() != preview.digest():
                raise RuntimeError("the preview changed between preview and confirmation")
            run_operations(again, user=admin)
            confirm_seconds = time.perf_counter() - started
    except Exception as error:  # a bench reports what it finds rather than stopping
        return {"status": f"failed: {type(error).__name__}: {error}"[:500]}
    counts = preview.counts()
    return {
        "status": "measured",
        "rows": sum(counts.values()),
        "counts": counts,
        "file_kib": round(len(data) / 1024),
        "preview_seconds": round(preview_seconds, 2),
        "preview_queries": preview_queries.count,
        "confirm_seconds": round(confirm_seconds, 2),
        "confirm_queries": confirm_queries.count,
        "progress_updates_written": ProgressUpdate.objects.count() - before,
    }


def _progress_file(activities):
    """A CSV as staff would fill it in: every activity moved on a little, with a note."""
    words = {
        "pending": "pendiente",
        "in_progress": "en curso",
        "done": "completada",
        "blocked": "bloqueada",
        "cancelled": "cancelada",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["cer", "código", "estado", "avance", "nota"])
    for slug, code, status, progress in activities:
        note = ""  # done and cancelled ones: rows left as they are
        if status in ("pending", "in_progress", "blocked"):
            status, progress = "in_progress", min(progress + 5, 95)
            note = "Avance de la reunión mensual."
        writer.writerow([slug, code, words[status], progress, note])
    return out.getvalue().encode()


# -- the table ----------------------------------------------------------------------------------


def _table(results):
    lines = []
    pages_2006 = results.get("plan_2006", {}).get("pages", {})
    pages_synth = results.get("synthetic", {}).get("pages", {})
    synth = results.get("synthetic", {})
    rows = synth.get("rows", {})
    machine = results["machine"]
    lines.append(
        f"cerplan bench, {machine['cores']} cores, {machine.get('postgresql')}, load average "
        f"{machine['load_average_at_start']} at start, {machine.get('load_average_at_end')} at end"
    )
    size = (
        f"synthetic: {rows.get('clusters', '?')} CERs in all, {rows.get('activities', '?')} "
        f"activities, {rows.get('progress_updates', '?')} updates "
        f"(generated in {synth.get('generate_seconds', '?')} s)"
    )
    lines.append(size)
    lines.append("")
    width = 32
    header = f"{'page':<22}| {'2006 plan':^{width}} | {'synthetic':^{width}} | target"
    lines.append(header)
    columns = f"{'queries':>7} {'median ms':>9} {'SQL ms':>6} {'cold ms':>7}"
    lines.append(f"{'':<22}| {columns} | {columns} |")
    lines.append("-" * (len(header) + 12))
    for name in pages_synth or pages_2006:
        cells = []
        for pages in (pages_2006, pages_synth):
            page = pages.get(name)
            if page is None:
                cells.append(f"{'n/a':>{width}}")
            elif page["status"] != 200:
                note = "placeholder (404)" if page["placeholder"] else f"HTTP {page['status']}"
                cells.append(f"{note:>{width}}")
            else:
                cells.append(
                    f"{page['queries']:>7} {page['median_ms']:>9.1f} "
                    f"{page['median_sql_ms']:>6.1f} {page['cold']['ms']:>7.0f}"
                )
        verdict = ""
        page = pages_synth.get(name)
        if page and page["status"] == 200:
            ok = page["queries"] <= TARGET_QUERIES and page["median_ms"] <= TARGET_MEDIAN_MS
            verdict = "met" if ok else "MISSED"
            small = pages_2006.get(name)
            if small and small["status"] == 200 and page["queries"] != small["queries"]:
                verdict += f"; {page['queries'] - small['queries']:+d} queries vs 2006"
        lines.append(f"{name:<22}| {cells[0]} | {cells[1]} | {verdict}")
    lines.append("")

    throughput = results.get("throughput", {})
    serve = results.get("serve", {})
    load = results.get("load", {})
    lines.append(
        f"throughput: wrk, {load.get('connections')} connections, {load.get('seconds')} s each, "
        f"make serve with {serve.get('workers', '?')} gunicorn workers"
    )
    for name, run in throughput.items():
        if "skipped" in run:
            lines.append(f"  {name:<22} {run['path']:<28} skipped: {run['skipped']}")
            continue
        errors = run["non_2xx_3xx"] + run["socket_errors"]
        ratio = ""
        if "ratio_to_bare" in run:
            target = ""
            if name in TARGET_RATIOS:
                verdict = "met" if run["ratio_to_bare"] >= TARGET_RATIOS[name] else "MISSED"
                target = f" (target ≥ {TARGET_RATIOS[name]:.0%}: {verdict})"
            ratio = f"  {run['ratio_to_bare']:.1%} of the bare view{target}"
        lines.append(
            f"  {name:<22} {run['path']:<28} {run['requests_per_second']:>8.1f} req/s  "
            f"p50 {run['latency_p50']}  p99 {run['latency_p99']}  errors {errors}{ratio}"
        )
    lines.append("")
    imported = results.get("import", {})
    if imported.get("status") == "measured":
        lines.append(
            f"progress import, {imported['rows']} rows ({imported['file_kib']} KiB CSV): "
            f"preview {imported['preview_seconds']} s ({imported['preview_queries']} queries), "
            f"confirm {imported['confirm_seconds']} s ({imported['confirm_queries']} queries), "
            f"{imported['progress_updates_written']} progress updates written"
        )
    else:
        lines.append(f"progress import (10,000 rows): {imported.get('status', 'n/a')}")
    memory = results.get("memory", {})
    if memory:
        lines.append(
            f"memory: gunicorn worker peak RSS {memory['worker_peak_rss_mib']} MiB "
            f"(of {memory['workers']} workers; master {memory['master_peak_rss_mib']} MiB)"
        )
    checks = serve.get("checks", {})
    if checks:
        lines.append("serve checks: " + "; ".join(f"{k}: {v}" for k, v in checks.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
