"""Load on the web app: concurrent people signing in and working as they would, against a real
`kinerja serve` on 127.0.0.1, bounded in time and in users.

    python benchmarks/web_load.py --data-dir DIR [--database-url URL] [--users 20] [--seconds 60]
                                  [--think 1.0] [--workers 4] [--spawn-rate 1.0] [--no-warm]
                                  [--generate CASES]

The script starts `kinerja serve` itself on a free port against the data folder (and database),
creates the accounts it needs with the accounts service (social workers and the section head of the
largest section, leaders at its Dinas; each bench worker takes over the open cases of one of the
section's workers, so their pages show a real caseload), runs the users for --seconds and stops the
server. Before the server starts, `kinerja figures warm` computes the figures the cache lacks, as an
operator does after an import (--no-warm leaves that to the server's figure keeper, which then
warms while the users work). Users arrive --spawn-rate a second, in a shuffled order of roles (as
Locust spawns them; 0: all within two seconds). Each user signs in through the login form (CSRF)
and then, with 3-7 s of thought between
pages (times --think), does a mix of its role's work:

- social worker: "Kasus saya", the case list (open cases of a year) and its next page, a case page,
  and now and then records an action (a POST with the form's CSRF token);
- section head: the case list with filters (year, risk, overdue) and its next page, a case page, the
  approvals queue, the caseload;
- leader: the performance page /kinerja/ for the Dinas and the largest section, several years.

It prints requests per second, p50/p95/p99 per page and the errors. With --generate N an empty
data folder is filled first with a synthetic dataset of N cases (`kinerja generate` + import)."""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "beban-uji-kinerja-2024"  # bench accounts only; the server listens on 127.0.0.1
HOST = "127.0.0.1"
THINK = (3.0, 7.0)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/kasus/(\d+)/"')
NEXT_LINK = re.compile(r'href="\?([^"]*setelah=[^"]+)" rel="next"')


# -- setup --------------------------------------------------------------------------------------
def _env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ, KINERJA_DATA_DIR=str(args.data_dir), DJANGO_SETTINGS_MODULE="kinerja.settings")
    if args.database_url:
        env["KINERJA_DATABASE_URL"] = args.database_url
    else:
        env.pop("KINERJA_DATABASE_URL", None)
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _kinerja(env: dict[str, str], *argv: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "kinerja", *argv], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"kinerja {' '.join(argv)} failed:\n{(proc.stdout + proc.stderr)[-2000:]}")


def generate(env: dict[str, str], cases: int, units: int, seed: int) -> None:
    """A synthetic dataset imported into the (empty) data folder and database."""
    with tempfile.TemporaryDirectory() as tmp:
        _kinerja(env, "generate", tmp, "--units", str(units), "--cases", str(cases), "--seed", str(seed))
        _kinerja(env, "migrate")
        _kinerja(env, "import", tmp)


@dataclass
class Plan:
    """Who signs in and which pages the leaders ask for."""

    section: str
    dinas: str
    years: list[int]
    users: list[tuple[str, str]]  # (username, role)


def prepare(env: dict[str, str], n_users: int) -> Plan:
    """Create (or reuse) the bench accounts in the database the server will use; run in a child
    process so this one keeps no database connection while the server works."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); " \
           f"import web_load; web_load._prepare_here({n_users})"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("PLAN ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"preparing the accounts failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    import json

    data = json.loads(lines[-1][5:])
    for line in proc.stdout.splitlines():
        if line.startswith("NOTE "):
            print(line[5:])
    return Plan(data["section"], data["dinas"], data["years"], [tuple(u) for u in data["users"]])


def roles_for(n: int) -> list[str]:
    """The mix of people: mostly social workers, a section head per five, a leader per five."""
    heads = max(1, n // 5) if n > 1 else 0
    leaders = max(1, n // 5) if n > 2 else 0
    return ["kepala_seksi"] * heads + ["pimpinan"] * leaders + ["pekerja_sosial"] * (n - heads - leaders)


def _prepare_here(n_users: int) -> None:
    import json

    import django

    django.setup()
    from django.db.models import Count, Q

    from kinerja.register import accounts, dataversion
    from kinerja.register.models import Case, Staff, Unit

    top = (Case.objects.values("unit").annotate(n=Count("pk")).order_by("-n", "unit").first())
    if top is None:
        raise SystemExit("the database has no cases: import a dataset first (or use --generate)")
    section = Unit.objects.get(pk=top["unit"])
    dinas = section
    while dinas.parent_id is not None:
        dinas = Unit.objects.get(pk=dinas.parent_id)
    years = sorted({d.year for d in Case.objects.filter(unit=section).dates("reported_at", "year")})[-4:]
    workers = list(Staff.objects.filter(unit=section, role="pekerja_sosial").exclude(username__startswith="bench_")
                   .annotate(open=Count("kasus", filter=Q(kasus__closed_at__isnull=True)))
                   .filter(open__gt=0).order_by("-open", "pk"))
    users: list[tuple[str, str]] = []
    taken = 0
    counts: dict[str, int] = defaultdict(int)
    for role in roles_for(n_users):
        counts[role] += 1
        name = f"bench_{role}_{counts[role]}"
        unit = dinas if role == "pimpinan" else section
        user = Staff.objects.filter(username=name).first()
        if user is None:
            user = accounts.add_user(name, role, unit.code, PASSWORD, full_name=name,
                                     actor=accounts.operator("web_load"))
        elif user.unit_id != unit.pk or not user.check_password(PASSWORD):
            raise SystemExit(f"{name} exists with another unit or password: use a fresh database")
        if role == "pekerja_sosial" and not Case.objects.filter(worker=user).exists() and taken < len(workers):
            moved = Case.objects.filter(worker=workers[taken], closed_at__isnull=True).update(worker=user)
            dataversion.advance([section.pk])  # a write behind the signals advances the versions itself
            print(f"NOTE {name} takes over {moved} open cases of {workers[taken].username}")
            taken += 1
        users.append((name, role))
    print("PLAN " + json.dumps({"section": section.code, "dinas": dinas.code, "years": years, "users": users}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int, wait: float = 120.0) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "kinerja", "serve", "--host", HOST, "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kinerja serve stopped:\n{proc.stderr.read()[-3000:] if proc.stderr else ''}")
        try:
            con = http.client.HTTPConnection(HOST, port, timeout=5)
            con.request("GET", "/masuk/")
            if con.getresponse().status == 200:
                con.close()
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit(f"kinerja serve did not answer on {HOST}:{port} within {wait:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- the users ----------------------------------------------------------------------------------
@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ok: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    started: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # monotonic
    signed_in: int = 0
    last_sign_in: float = 0.0  # when the last user had signed in (or given up)

    def add(self, page: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times[page].append(seconds)
            self.started[page].append(time.monotonic() - seconds)
            if error:
                self.errors[page].append(error)
            else:
                self.ok[page] += 1


class Browser:
    """One person's connection: keep-alive, cookies, the CSRF token of the last form."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.con = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, page: str, method: str, path: str, form: dict[str, str] | None = None,
                expect: tuple[int, ...] = (200,)) -> tuple[int, str, str]:
        """One request timed as `page`; returns (status, body, Location)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Accept-Language": "id", "User-Agent": "kinerja-web-load"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            try:
                self.con.request(method, path, body=body, headers=headers)
                resp = self.con.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.con.close()  # a worker closed the kept-alive connection: once more, fresh
                self.con = http.client.HTTPConnection(HOST, self.port, timeout=60)
                self.con.request(method, path, body=body, headers=headers)
                resp = self.con.getresponse()
            text = resp.read().decode("utf-8", "replace")
        except OSError as exc:
            self.con.close()
            self.con = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.stats.add(page, time.perf_counter() - start, f"{type(exc).__name__}")
            return 0, "", ""
        elapsed = time.perf_counter() - start
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and 'expires=Thu, 01 Jan 1970' not in header:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        self.stats.add(page, elapsed, None if resp.status in expect else f"HTTP {resp.status} {path}")
        return resp.status, text, resp.headers.get("Location", "")

    def sign_in(self, username: str) -> bool:
        status, html, _ = self.request("sign-in form", "GET", "/masuk/")
        token = CSRF_INPUT.search(html)
        if status != 200 or not token:
            return False
        status, _, location = self.request("sign in (POST)", "POST", "/masuk/", {
            "csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}, expect=(302,))
        return status == 302 and "/masuk/" not in location and "sessionid" in self.cookies


class User(threading.Thread):
    def __init__(self, username: str, role: str, plan: Plan, port: int, stats: Stats, deadline: float,
                 think: float, seed: int, arrive: float | None = None) -> None:
        super().__init__(daemon=True)
        self.username, self.role, self.plan = username, role, plan
        self.browser = Browser(port, stats)
        self.stats, self.deadline, self.think = stats, deadline, think
        self.arrive = arrive
        self.rng = random.Random(seed)
        self.cases: list[str] = []

    def pause(self) -> None:
        wait = self.rng.uniform(*THINK) * self.think
        time.sleep(max(0.0, min(wait, self.deadline - time.monotonic())))

    def run(self) -> None:
        # people do not all arrive in the same second
        time.sleep(self.arrive if self.arrive is not None else self.rng.uniform(0, 2) * self.think)
        signed = self.browser.sign_in(self.username)
        with self.stats.lock:
            self.stats.signed_in += signed
            self.stats.last_sign_in = max(self.stats.last_sign_in, time.monotonic())
        if not signed:
            return
        steps = {"pekerja_sosial": [(self.home, 3), (self.case_list, 2), (self.case_page, 3), (self.record, 1)],
                 "kepala_seksi": [(self.case_list, 3), (self.case_page, 2), (self.approvals, 2),
                                  (self.caseload, 1), (self.record, 1)],
                 "pimpinan": [(self.performance, 4), (self.case_list, 1)]}[self.role]
        while time.monotonic() < self.deadline:
            step = self.rng.choices([s for s, _ in steps], [w for _, w in steps])[0]
            step()
            self.pause()

    # the pages
    def home(self) -> None:
        _, html, _ = self.browser.request("worker home /saya/", "GET", "/saya/")
        self.cases = CASE_LINK.findall(html) or self.cases

    def case_list(self) -> None:
        query: dict[str, str] = {"tahun": str(self.rng.choice(self.plan.years))}
        if self.role == "pekerja_sosial":
            query["status"] = "terbuka"
        elif self.role == "kepala_seksi":
            query.update(self.rng.choice([{"risiko": "tinggi"}, {"terlambat": "1", "status": "terbuka"},
                                          {"status": "terbuka"}, {}]))
        _, html, _ = self.browser.request("case list (filters)", "GET", "/?" + urllib.parse.urlencode(query))
        found = CASE_LINK.findall(html)
        self.cases = found or self.cases
        nxt = NEXT_LINK.search(html)
        if nxt:
            self.pause()
            _, html, _ = self.browser.request("case list next page", "GET", "/?" + nxt.group(1).replace("&amp;", "&"))
            self.cases = CASE_LINK.findall(html) or self.cases

    def _a_case(self) -> str | None:
        if not self.cases:
            self.home() if self.role == "pekerja_sosial" else self.case_list()
        return self.rng.choice(self.cases) if self.cases else None

    def case_page(self) -> str:
        pk = self._a_case()
        if pk is None:
            return ""
        _, html, _ = self.browser.request("case page", "GET", f"/kasus/{pk}/")
        return html

    def record(self) -> None:
        """Open a case and record an action on it through the case page's form."""
        pk = self._a_case()
        if pk is None:
            return
        _, html, _ = self.browser.request("case page", "GET", f"/kasus/{pk}/")
        form = CSRF_INPUT.search(html) if f'action="/kasus/{pk}/tindakan/"' in html else None
        if not form:  # a closed case has no action form: another time
            return
        self.pause()
        status, _, location = self.browser.request("record action (POST)", "POST", f"/kasus/{pk}/tindakan/", {
            "csrfmiddlewaretoken": form.group(1), "tahap": "intervensi", "layanan": "", "waktu": "",
            "biaya": "", "kendala": "", "catatan": ""}, expect=(302,))
        if status == 302 and location:
            self.browser.request("case page", "GET", urllib.parse.urlsplit(location).path)

    def approvals(self) -> None:
        self.browser.request("approvals /persetujuan/", "GET", "/persetujuan/")

    def caseload(self) -> None:
        self.browser.request("caseload /beban-kerja/", "GET", "/beban-kerja/")

    def performance(self) -> None:
        unit = self.rng.choice([self.plan.dinas, self.plan.section])
        year = self.rng.choice(self.plan.years)
        self.browser.request("performance /kinerja/", "GET", "/kinerja/?" + urllib.parse.urlencode(
            {"unit": unit, "tahun": year}))


# -- report -------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 1)) - 1))
    return ordered[index]


def _table(times: dict[str, list[float]], ok: dict[str, int] | None, errors: dict[str, list[str]]) -> None:
    print(f"  {'page':<26} {'n':>6} {'2xx/3xx':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for page in sorted(times):
        t = times[page]
        if not t:
            continue
        good = ok[page] if ok is not None else "-"
        print(f"  {page:<26} {len(t):>6} {good:>8} {percentile(t, .5) * 1000:>8.0f} "
              f"{percentile(t, .95) * 1000:>8.0f} {percentile(t, .99) * 1000:>8.0f} {len(errors[page]):>7}")


def report(stats: Stats, seconds: float, n_users: int, start: float) -> int:
    total = sum(len(v) for v in stats.times.values())
    n_errors = sum(len(v) for v in stats.errors.values())
    print(f"\n{n_users} users, {stats.signed_in} signed in, {seconds:.0f} s: {total:,} requests, "
          f"{total / seconds:.1f} requests/s, {n_errors} errors")
    _table(stats.times, stats.ok, stats.errors)
    # without the sign-in burst: password hashing holds the server's workers for seconds at the start
    after = {page: [t for t, s in zip(stats.times[page], stats.started[page], strict=True) if s >= stats.last_sign_in]
             for page in stats.times}
    n_after = sum(len(v) for v in after.values())
    steady = start + seconds - stats.last_sign_in
    if n_after and steady > 0:
        print(f"after the last sign-in (+{stats.last_sign_in - start:.0f} s): {n_after:,} requests, "
              f"{n_after / steady:.1f} requests/s")
        _table(after, None, defaultdict(list))
    for page, errs in sorted(stats.errors.items()):
        for err in sorted(set(errs))[:3]:
            print(f"  error on {page}: {err}")
    print(f"web load done: {stats.signed_in} signed in, {sum(stats.ok.values())} ok, {n_errors} errors")
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, required=True, help="the KINERJA_DATA_DIR the server uses")
    p.add_argument("--database-url", default="", help="KINERJA_DATABASE_URL (default: SQLite in the data dir)")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--think", type=float, default=1.0, help="scale of the 3-7 s think time (0: none)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    p.add_argument("--spawn-rate", type=float, default=1.0, help="users arriving per second (0: all at once)")
    p.add_argument("--no-warm", action="store_true", help="do not run `kinerja figures warm` before serving")
    p.add_argument("--generate", type=int, default=0, metavar="CASES",
                   help="first fill the empty data folder with a synthetic dataset of this many cases")
    p.add_argument("--units", type=int, default=1, help="sections of the generated dataset")
    p.add_argument("--seed", type=int, default=2)
    args = p.parse_args(argv)
    if args.users < 1 or args.seconds <= 0 or args.think < 0 or args.spawn_rate < 0:
        p.error("--users must be at least 1, --seconds above 0, --think and --spawn-rate not negative")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    env = _env(args)
    if args.generate:
        start = time.perf_counter()
        generate(env, args.generate, args.units, args.seed)
        print(f"generated and imported {args.generate:,} cases in {time.perf_counter() - start:.0f} s")
    plan = prepare(env, args.users)
    print(f"largest section {plan.section}, Dinas {plan.dinas}, years {plan.years}")
    if not args.no_warm:
        start = time.perf_counter()
        _kinerja(env, "figures", "warm")
        print(f"kinerja figures warm: {time.perf_counter() - start:.1f} s")
    port = free_port()
    server = start_server(env, port, args.workers)
    print(f"kinerja serve on {HOST}:{port} with {args.workers} workers; {args.users} users for {args.seconds:.0f} s")
    stats = Stats()
    try:
        start = time.monotonic()
        deadline = start + args.seconds
        order = list(range(len(plan.users)))
        random.Random(args.seed).shuffle(order)  # roles interleaved as they arrive
        people = [User(name, role, plan, port, stats, deadline, args.think, args.seed * 1000 + i,
                       arrive=order[i] / args.spawn_rate if args.spawn_rate else None)
                  for i, (name, role) in enumerate(plan.users)]
        for person in people:
            person.start()
        for person in people:
            person.join(timeout=max(1.0, deadline - time.monotonic() + 120))
        elapsed = time.monotonic() - start
    finally:
        stop_server(server)
    report(stats, elapsed, args.users, start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
