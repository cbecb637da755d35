"""TAXII 2.1 serving: FORCE-B's service against medallion 3.0.0 (memory backend), side by side.

Both servers hold the same collections of 1,000, 10,000 and 100,000 synthetic indicators, both run
under waitress with the same thread count on 127.0.0.1, and both get the same client load (the
same number of concurrent clients, the same requests). Measured per scenario: requests per
second, p50/p95/p99 latency, and the ratio FORCE-B / medallion.

Scenarios: the first page of objects; pages deep into the collection (following ``next``);
a filtered page (match[type] + added_after at the collection's midpoint); one object by id
(match[id]); the manifest; POSTing envelopes of several sizes (``--post-sizes``; FORCE-B
validates every object with stix2-validator and answers once all are stored, status
``complete``; medallion does not validate). A POST counts only when its status resource says
``complete`` with every object a success, so the time is that of completion, not acceptance.

Bounded: no request is waited for longer than ``--timeout`` seconds, and each scenario stops
after a number of requests or a time budget, whichever comes first. medallion gets a fresh
server per scenario (it keeps working on requests its clients gave up on) and first one probe
request alone: when that does not answer within the timeout, the scenario is reported as "did
not answer within N s" and not loaded further.

    python3 -m venv /tmp/medallion && /tmp/medallion/bin/pip install medallion==3.0.0 waitress==3.0.2
    python bench/taxii_bench.py [--sizes 1000,10000,100000] [--clients 4] [--budget 20] [--timeout 30]

Run it with the project's interpreter from the repository root: the FORCE-B server is started
with the same interpreter (``python -m forceb.cli``), so it serves this checkout's code.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
FORCEB = [str(PYTHON), "-m", "forceb.cli"]
MEDALLION_PYTHON = Path(os.environ.get("MEDALLION_PYTHON", Path(tempfile.gettempdir()) / "medallion/bin/python"))
WORK = Path(os.environ.get("TAXII_BENCH_DIR", Path(tempfile.gettempdir()) / "forceb-taxii-bench"))
TAXII = "application/taxii+json;version=2.1"
PAGE = 100
THREADS = 4
console = Console()

SEED_SCRIPT = r"""
import json, sys
from forceb.core import actions as core, audit
from forceb.intel import actions, stix
from forceb.intel.models import Collection
objects = json.load(open(sys.argv[1]))
with audit.acting_as(label="bench"):
    hub = core.create_organization(slug="hub", name="F-ISAC", kind="hub")
    bank = core.create_organization(slug="bank-a", name="Bank A", kind="member", sector="bank", tier=1)
    user = core.create_user(username="bench", organization=bank, role="member-analyst", check_password=False)
    _, token = core.create_token(user, days=365)
    coll = actions.create_collection(None, title="bench", readers=[bank], writers=[bank])
    # All synthetic objects share one shape: validate one in a thousand here; POSTs in the
    # benchmark validate every object.
    problems = stix.validate_many(objects[::1000])
    assert not problems, problems
    actions.add_objects(user, coll, objects, validated=True)
print(json.dumps({"token": token, "collection": str(coll.uuid)}))
"""

MEDALLION_SCRIPT = r"""
import json, sys
from waitress import serve
from medallion import application_instance, register_blueprints, set_config
config = json.load(open(sys.argv[1]))
for part in ("users", "taxii", "backend"):
    set_config(application_instance, part, config)
register_blueprints(application_instance)
serve(application_instance, host="127.0.0.1", port=int(sys.argv[2]), threads=int(sys.argv[3]), ident="medallion")
"""


def synthetic(n: int, start: int = 0) -> list[dict]:
    """Valid STIX 2.1 indicators, deterministic, with a few types of pattern."""
    out = []
    for i in range(start, start + n):
        stamp = (datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        out.append({
            "type": "indicator", "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'bench-{i}')}",
            "created": stamp, "modified": stamp, "name": f"bench indicator {i}",
            "description": "synthetic indicator for the TAXII benchmark",
            "indicator_types": ["malicious-activity"],
            "pattern": f"[ipv4-addr:value = '10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}']",
            "pattern_type": "stix", "valid_from": stamp,
            "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
        })
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, headers: dict, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, headers=headers, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up")


@contextmanager
def process(args: list, log: Path, env: dict | None = None):
    """A server in its own process group; its output goes to ``log`` (an unread pipe would
    fill up and stall it)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=out,  # noqa: S603
                                start_new_session=True)
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# FORCE-B -------------------------------------------------------------------------------------------

def forceb_env(data_dir: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "FORCEB_DATA_DIR": str(data_dir), "FORCEB_HTTPS": "0",
            "FORCEB_DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "forceb.config.settings"}


def prepare_forceb(size: int, objects_file: Path) -> dict:
    """A throwaway SQLite database per size, kept between runs (it takes a while to fill)."""
    data_dir = WORK / f"forceb-{size}"
    meta = data_dir / "bench.json"
    if meta.exists():
        return json.loads(meta.read_text())
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = forceb_env(data_dir)
    subprocess.run([*FORCEB, "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
    out = subprocess.run([str(PYTHON), "-c", "import django; django.setup(); exec(open(0).read())",  # noqa: S603
                          str(objects_file)], input=SEED_SCRIPT, env=env, check=True, capture_output=True,
                         text=True)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    meta.write_text(json.dumps(info))
    return info


@contextmanager
def forceb_server(size: int, info: dict):
    data_dir = WORK / f"forceb-{size}"
    work_copy = WORK / f"forceb-{size}-run"
    shutil.rmtree(work_copy, ignore_errors=True)
    shutil.copytree(data_dir, work_copy)  # POSTs must not grow the kept database
    subprocess.run([*FORCEB, "migrate", "--no-input", "-v", "0"], env=forceb_env(work_copy), check=True)  # noqa: S603
    port = free_port()
    with process([*FORCEB, "serve", "--port", str(port), "--threads", str(THREADS)], WORK / f"forceb-{size}.log",
                 env=forceb_env(work_copy)):
        base = f"http://127.0.0.1:{port}/taxii2/"
        headers = {"Authorization": f"Token {info['token']}", "Accept": TAXII}
        # `forceb serve` runs collectstatic (compressing every asset) before it listens: minutes
        # on a busy machine, none of it part of what is measured.
        wait_until_up(base, headers, timeout=900)
        yield base + f"hub/collections/{info['collection']}/", headers
    shutil.rmtree(work_copy, ignore_errors=True)


# medallion -------------------------------------------------------------------------------------------

@contextmanager
def medallion_server(size: int, objects: list[dict]):
    directory = WORK / f"medallion-{size}"
    directory.mkdir(parents=True, exist_ok=True)
    collection_id = "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4"
    added = datetime(2025, 1, 1, tzinfo=UTC)
    manifest = [{"id": o["id"], "date_added": (added + timedelta(microseconds=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                 "version": o["modified"], "media_type": "application/stix+json;version=2.1"}
                for n, o in enumerate(objects)]
    data = {
        "/discovery": {"title": "medallion bench", "default": "http://127.0.0.1/api1/", "api_roots": ["api1"]},
        "api1": {
            "information": {"title": "api1", "versions": [TAXII], "max_content_length": 100 * 1024 * 1024},
            "status": [],
            "collections": [{"id": collection_id, "title": "bench", "can_read": True, "can_write": True,
                             "media_types": ["application/stix+json;version=2.1"],
                             "objects": objects, "manifest": manifest}],
        },
    }
    (directory / "data.json").write_text(json.dumps(data))
    config = {"users": {"bench": "bench-password"}, "taxii": {"max_page_size": PAGE},
              "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                          "filename": str(directory / "data.json")}}
    (directory / "config.json").write_text(json.dumps(config))
    (directory / "serve.py").write_text(MEDALLION_SCRIPT)
    port = free_port()
    with process([str(MEDALLION_PYTHON), str(directory / "serve.py"), str(directory / "config.json"), str(port),
                  str(THREADS)], directory / "server.log"):
        base = f"http://127.0.0.1:{port}/"
        headers = {"Accept": TAXII}
        auth = ("bench", "bench-password")
        # Loading 100,000 objects from its JSON file takes a while before it listens.
        wait_until_up(base + "taxii2/", {**headers, "Authorization": _basic(auth)}, timeout=600)
        yield base + f"api1/collections/{collection_id}/", {**headers, "Authorization": _basic(auth)}


def _basic(auth) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


# load ------------------------------------------------------------------------------------------------

class Outcome:
    def __init__(self):
        self.latencies: list[float] = []
        self.errors = 0
        self.timed_out = False
        self.wall = 0.0
        self.lock = threading.Lock()

    def row(self) -> dict:
        lat = sorted(self.latencies)
        if not lat:
            return {"n": 0, "rps": None, "p50": None, "p95": None, "p99": None, "errors": self.errors,
                    "timed_out": self.timed_out}

        def pct(p):
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

        return {"n": len(lat), "rps": len(lat) / self.wall if self.wall else None, "p50": statistics.median(lat) * 1000,
                "p95": pct(0.95), "p99": pct(0.99), "errors": self.errors, "timed_out": self.timed_out}


def run_load(make_request, *, requests_per_client: int, clients: int, budget: float, timeout: float) -> dict:
    """``clients`` threads, each sending up to ``requests_per_client`` requests; none is started
    after the time budget, and none is waited for longer than ``timeout`` seconds (the client
    that gave up sends no more: the scenario is marked as timed out)."""
    outcome = Outcome()
    deadline = time.monotonic() + budget

    def client(number):
        session = requests.Session()
        state = {}
        for i in range(requests_per_client):
            if time.monotonic() > deadline:
                return
            began = time.perf_counter()
            try:
                ok = make_request(session, state, number, i, timeout)
            except requests.Timeout:
                with outcome.lock:
                    outcome.timed_out = True
                return
            except (requests.RequestException, ValueError):
                ok = False
            elapsed = time.perf_counter() - began
            with outcome.lock:
                if ok:
                    outcome.latencies.append(elapsed)
                else:
                    outcome.errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcome.wall = time.perf_counter() - started
    return outcome.row()


def probe(make_request, timeout: float) -> tuple[dict | None, float | None]:
    """One request alone: (None, its seconds) when it answered in time (successfully or not),
    else (the row that says it did not, None)."""
    began = time.perf_counter()
    try:
        # A client number of its own: a probing POST sends objects no loading client sends.
        make_request(requests.Session(), {}, 999, 0, timeout)
    except requests.Timeout:
        return {"n": 0, "rps": None, "p50": None, "p95": None, "p99": None, "errors": 0, "timed_out": True,
                "no_answer": timeout}, None
    except (requests.RequestException, ValueError):
        pass
    return None, time.perf_counter() - began


READS = ("first page", "deep pages (next)", "filtered page", "one object (match[id])", "manifest page")


def post_name(n: int) -> str:
    return f"POST {n:,} objects"


def scenarios(size: int, midpoint_added: dict, midpoint_id: str, post_sizes: list[int]):
    """name -> factory(base, headers) -> request(session, state, client, i, timeout) -> ok."""

    def first_page(base, headers):
        def go(session, state, client, i, timeout):
            r = session.get(base + "objects/", params={"limit": PAGE}, headers=headers, timeout=timeout)
            return r.status_code == 200 and len(r.json().get("objects", [])) == min(PAGE, size)
        return go

    def deep_pages(base, headers):
        # Each client follows next from the start; after the first page every request is a
        # page deeper into the collection.
        def go(session, state, client, i, timeout):
            params = {"limit": PAGE}
            if state.get("next"):
                params["next"] = state["next"]
            r = session.get(base + "objects/", params=params, headers=headers, timeout=timeout)
            body = r.json()
            state["next"] = body.get("next") if body.get("more") else None
            return r.status_code == 200 and bool(body.get("objects"))
        return go

    def filtered(base, headers):
        def go(session, state, client, i, timeout):
            r = session.get(base + "objects/", params={"limit": PAGE, "match[type]": "indicator",
                                                       "added_after": midpoint_added[base]},
                            headers=headers, timeout=timeout)
            return r.status_code == 200 and len(r.json().get("objects", [])) == min(PAGE, size - size // 2 - 1)
        return go

    def by_id(base, headers):
        def go(session, state, client, i, timeout):
            r = session.get(base + "objects/", params={"match[id]": midpoint_id}, headers=headers, timeout=timeout)
            return r.status_code == 200 and len(r.json().get("objects", [])) == 1
        return go

    def manifest(base, headers):
        def go(session, state, client, i, timeout):
            r = session.get(base + "manifest/", params={"limit": PAGE}, headers=headers, timeout=timeout)
            return r.status_code == 200 and len(r.json().get("objects", [])) == min(PAGE, size)
        return go

    def post(n, offset):
        def factory(base, headers):
            def go(session, state, client, i, timeout):
                # New objects every time (never a duplicate), different for every client.
                objs = synthetic(n, start=offset + (client * 1000 + i) * n)
                r = session.post(base + "objects/", data=json.dumps({"objects": objs}),
                                 headers={**headers, "Content-Type": TAXII}, timeout=timeout)
                if r.status_code != 202:
                    return False
                status = r.json()
                # The status resource must say the work is done, not merely accepted.
                return status.get("status") == "complete" and status.get("success_count") == n
            return go
        return factory

    found = dict(zip(READS, (first_page, deep_pages, filtered, by_id, manifest), strict=True))
    for number, n in enumerate(post_sizes):
        # Far above the collection's own objects, and apart for each envelope size.
        found[post_name(n)] = post(n, 10_000_000 + number * 100_000_000)
    return found


def midpoint_date_added(base, headers, size, timeout) -> str:
    """The date_added of the object in the middle of the collection, read from the server."""
    r = requests.get(base + "manifest/", params={"match[id]": synthetic(1, start=size // 2)[0]["id"]},
                     headers=headers, timeout=timeout)
    return r.json()["objects"][0]["date_added"]


def fmt(value, unit=""):
    return "—" if value is None else f"{value:,.1f}{unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--post-sizes", default="10,100,1000", help="objects per POSTed envelope")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50,
                        help="per client and read scenario; POSTs of n objects send max(1, this*10/n)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per scenario and server")
    parser.add_argument("--medallion-budget", type=float, default=60.0, help="seconds per scenario for medallion")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds any one request is waited for")
    parser.add_argument("--skip-medallion", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    post_sizes = [int(s) for s in args.post_sizes.split(",")]
    have_medallion = MEDALLION_PYTHON.exists() and not args.skip_medallion
    if not have_medallion:
        console.print(f"[yellow]medallion not found at {MEDALLION_PYTHON}: FORCE-B only[/]")
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        objects = synthetic(size)
        objects_file = WORK / f"objects-{size}.json"
        objects_file.write_text(json.dumps(objects))
        with console.status(f"preparing FORCE-B with {size:,} objects (kept in {WORK})"):
            info = prepare_forceb(size, objects_file)
        servers = [("FORCE-B", lambda s=size, inf=info: forceb_server(s, inf))]
        if have_medallion:
            servers.append(("medallion", lambda s=size, o=objects: medallion_server(s, o)))
        per_server: dict = {}
        for name, start in servers:
            budget = args.budget if name == "FORCE-B" else args.medallion_budget
            names = list(scenarios(size, {}, "", post_sizes))
            rounds = [names] if name == "FORCE-B" else [[scenario] for scenario in names]
            for chosen in rounds:
                with console.status(f"{name}: {size:,} objects, {', '.join(chosen)}"), start() as (base, headers):
                    try:
                        midpoint = {base: midpoint_date_added(base, headers, size, args.timeout)}
                    except (requests.RequestException, KeyError, ValueError):
                        midpoint = {base: "2025-01-01T00:00:00Z"}
                    table = scenarios(size, midpoint, objects[size // 2]["id"], post_sizes)
                    for scenario in chosen:
                        make = table[scenario](base, headers)
                        row, alone = probe(make, args.timeout) if name != "FORCE-B" else (None, None)
                        if row is None:
                            n = int(scenario.split()[1].replace(",", "")) if scenario.startswith("POST") else 0
                            count = max(1, args.requests * 10 // n) if n else args.requests
                            row = run_load(make, requests_per_client=count, clients=args.clients, budget=budget,
                                           timeout=args.timeout)
                            row["alone"] = alone
                        per_server.setdefault(scenario, {})[name] = row
                        console.log(f"{name:9} {size:>7,} {scenario:24} {fmt(row['rps'])} req/s "
                                    f"p50 {fmt(row['p50'])} ms p99 {fmt(row['p99'])} ms errors {row['errors']}"
                                    + (f" [red]no answer within {args.timeout:.0f} s[/]" if row["timed_out"] else ""))
        results.append((size, per_server))
    show(results, args)
    (WORK / "results.json").write_text(json.dumps(results, indent=1))
    return 0


def _cell(row: dict | None, key: str, timeout: float) -> str:
    if row is None:
        return "—"
    if not row.get("n") and row.get("timed_out"):
        if key != "rps":
            return ""
        alone = f" (one request alone: {row['alone']:.1f} s)" if row.get("alone") else ""
        return f"did not answer within {timeout:.0f} s under load{alone}"
    return fmt(row.get(key))


def show(results, args):
    table = Table(title=f"TAXII 2.1: FORCE-B vs medallion 3.0.0 (memory), {args.clients} clients, "
                        f"page {PAGE}, waitress {THREADS} threads, budget {args.budget:.0f} s/scenario "
                        f"(medallion {args.medallion_budget:.0f} s), {args.timeout:.0f} s per request at most")
    for column in ("objects", "scenario", "FORCE-B req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "medallion req/s",
                   "p50 ms", "p99 ms", "errors", "throughput ×"):
        table.add_column(column, justify="right" if column != "scenario" else "left")
    for size, per_server in results:
        for scenario, rows in per_server.items():
            ours, theirs = rows.get("FORCE-B", {}), rows.get("medallion")
            ratio = "—"
            if theirs is not None:
                if theirs.get("rps") and ours.get("rps"):
                    ratio = f"{ours['rps'] / theirs['rps']:,.2f}×"
                elif ours.get("rps") and not theirs.get("n") and theirs.get("alone"):
                    # Under load nothing came back in time; alone, it served one request per that many seconds.
                    ratio = f"> {ours['rps'] * theirs['alone']:,.0f}×"
                elif ours.get("rps") and not theirs.get("n"):
                    ratio = "no answer"
            table.add_row(f"{size:,}", scenario, _cell(ours, "rps", args.timeout), _cell(ours, "p50", args.timeout),
                          _cell(ours, "p95", args.timeout), _cell(ours, "p99", args.timeout),
                          str(ours.get("errors", 0)), _cell(theirs, "rps", args.timeout),
                          _cell(theirs, "p50", args.timeout), _cell(theirs, "p99", args.timeout),
                          str(theirs.get("errors", 0)) if theirs else "—", ratio)
    Console(width=220).print(table)


if __name__ == "__main__":
    sys.exit(main())
