"""TAXII 2.1 serving: FORCE-B's service against medallion 3.0.0 (memory backend), side by side.

Both servers hold the same collections of 1,000, 10,000 and 100,000 synthetic indicators, both run
under waitress with the same thread count on 127.0.0.1, and both get the same client load (the
same number of concurrent clients, the same requests). Measured per scenario: requests per
second, p50/p95/p99 latency, and the ratio FORCE-B / medallion.

Scenarios: the first page of objects; pages deep into the collection (following ``next``);
a filtered page (match[type] + added_after at the collection's midpoint); one object by id
(match[id]); the manifest; POSTing a 100-object envelope (FORCE-B validates every object with
stix2-validator; medallion does not validate).

Bounded: each scenario stops after a number of requests or a time budget, whichever comes
first; a medallion request slower than the budget is reported as such, not waited for.

    python3 -m venv /tmp/medallion && /tmp/medallion/bin/pip install medallion==3.0.0 waitress==3.0.2
    .venv/bin/python bench/taxii_bench.py [--sizes 1000,10000,100000] [--clients 4] [--budget 20]
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
FORCEB = ROOT / ".venv" / "bin" / "forceb"
PYTHON = ROOT / ".venv" / "bin" / "python"
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
def process(args: list, env: dict | None = None):
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,  # noqa: S603
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
    return {**os.environ, "FORCEB_DATA_DIR": str(data_dir), "FORCEB_HTTPS": "0",
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
    subprocess.run([str(FORCEB), "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
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
    subprocess.run([str(FORCEB), "migrate", "--no-input", "-v", "0"], env=forceb_env(work_copy), check=True)  # noqa: S603
    port = free_port()
    with process([str(FORCEB), "serve", "--port", str(port), "--threads", str(THREADS)],
                 env=forceb_env(work_copy)):
        base = f"http://127.0.0.1:{port}/taxii2/"
        headers = {"Authorization": f"Token {info['token']}", "Accept": TAXII}
        wait_until_up(base, headers)
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
                  str(THREADS)]):
        base = f"http://127.0.0.1:{port}/"
        headers = {"Accept": TAXII}
        auth = ("bench", "bench-password")
        wait_until_up(base + "taxii2/", {**headers, "Authorization": _basic(auth)})
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


def run_load(make_request, *, requests_per_client: int, clients: int, budget: float) -> dict:
    """``clients`` threads, each sending up to ``requests_per_client`` requests; none is started
    after the time budget. A request that itself takes longer than the budget marks the scenario
    as timed out."""
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
                # Each request may take the whole budget: the deadline stops new requests only.
                ok = make_request(session, state, number, i, budget)
            except requests.Timeout:
                with outcome.lock:
                    outcome.timed_out = True
                return
            except requests.RequestException:
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


def scenarios(size: int, midpoint_added: str, midpoint_id: str, post_start: int):
    """name -> function(session, state, client, i, timeout) -> ok, parameterised by base url/headers."""

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

    def post(base, headers):
        def go(session, state, client, i, timeout):
            objs = synthetic(100, start=post_start + (client * 1000 + i) * 100)
            r = session.post(base + "objects/", data=json.dumps({"objects": objs}),
                             headers={**headers, "Content-Type": TAXII}, timeout=timeout)
            return r.status_code == 202 and r.json().get("success_count") == 100
        return go

    return dict(zip(SCENARIOS, (first_page, deep_pages, filtered, by_id, manifest, post), strict=True))


def midpoint_date_added(base, headers, size, budget) -> str:
    """The date_added of the object in the middle of the collection, read from the server."""
    r = requests.get(base + "manifest/", params={"match[id]": synthetic(1, start=size // 2)[0]["id"]},
                     headers=headers, timeout=budget)
    return r.json()["objects"][0]["date_added"]


SCENARIOS = ("first page", "deep pages (next)", "filtered page", "one object (match[id])", "manifest page",
             "POST 100 objects")


def fmt(value, unit=""):
    return "—" if value is None else f"{value:,.1f}{unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=100, help="per client and scenario (POST: a tenth)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per scenario and server")
    parser.add_argument("--medallion-budget", type=float, default=90.0,
                        help="seconds per scenario for medallion, whose pages take seconds")
    parser.add_argument("--skip-medallion", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    have_medallion = MEDALLION_PYTHON.exists() and not args.skip_medallion
    if not have_medallion:
        console.print(f"[yellow]medallion not found at {MEDALLION_PYTHON}: FORCE-B only[/]")
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    too_slow: dict[str, int] = {}
    for size in sizes:
        objects = synthetic(size)
        objects_file = WORK / f"objects-{size}.json"
        objects_file.write_text(json.dumps(objects))
        with console.status(f"preparing FORCE-B with {size:,} objects (kept in {WORK})"):
            info = prepare_forceb(size, objects_file)
        servers = [("FORCE-B", lambda s=size, inf=info: forceb_server(s, inf))]
        if have_medallion:
            servers.append(("medallion", lambda s=size, o=objects: medallion_server(s, o)))
        per_server = {}
        for name, start in servers:
            budget = args.budget if name == "FORCE-B" else args.medallion_budget
            if name in too_slow:
                # With a smaller collection a request already outlasted the budget: medallion slows
                # quadratically, so a larger one is not waited for.
                for scenario in SCENARIOS:
                    per_server.setdefault(scenario, {})[name] = {"n": 0, "timed_out": True, "skipped": True}
                console.log(f"{name:9} {size:>7,} not run: with {too_slow[name]:,} objects a request took over "
                            f"{budget:.0f} s")
                continue
            # medallion keeps working on requests its clients gave up on: a fresh server per
            # scenario keeps one scenario's backlog out of the next one's numbers.
            rounds = [list(SCENARIOS)] if name == "FORCE-B" else [[scenario] for scenario in SCENARIOS]
            for names in rounds:
                with console.status(f"{name}: {size:,} objects"), start() as (base, headers):
                    try:
                        midpoint = {base: midpoint_date_added(base, headers, size, budget)}
                    except (requests.RequestException, KeyError, ValueError):
                        midpoint = {base: "2025-01-01T00:00:00Z"}
                    for scenario, factory in scenarios(size, midpoint, objects[size // 2]["id"], 10_000_000).items():
                        if scenario not in names:
                            continue
                        count = max(1, args.requests // 10) if scenario.startswith("POST") else args.requests
                        row = run_load(factory(base, headers), requests_per_client=count, clients=args.clients,
                                       budget=budget)
                        per_server.setdefault(scenario, {})[name] = row
                        if row["timed_out"] and name != "FORCE-B":
                            too_slow[name] = size
                        console.log(f"{name:9} {size:>7,} {scenario:24} {fmt(row['rps'])} req/s "
                                    f"p50 {fmt(row['p50'])} ms p99 {fmt(row['p99'])} ms"
                                    + (" [red]timed out[/]" if row["timed_out"] else ""))
        results.append((size, per_server))
    show(results, args)
    (WORK / "results.json").write_text(json.dumps(results, indent=1))
    return 0


def show(results, args):
    table = Table(title=f"TAXII 2.1: FORCE-B vs medallion 3.0.0 (memory), {args.clients} clients, "
                        f"page {PAGE}, waitress {THREADS} threads, budget {args.budget:.0f} s/scenario "
                        f"(medallion {args.medallion_budget:.0f} s)")
    for column in ("objects", "scenario", "FORCE-B req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "medallion req/s",
                   "p50 ms", "p99 ms", "throughput ×"):
        table.add_column(column, justify="right" if column != "scenario" else "left")
    for size, per_server in results:
        for scenario, rows in per_server.items():
            ours, theirs = rows.get("FORCE-B", {}), rows.get("medallion")
            ratio = "—"
            if theirs is not None:
                if theirs.get("rps") and ours.get("rps"):
                    ratio = f"{ours['rps'] / theirs['rps']:,.0f}×"
                elif ours.get("rps") and (theirs.get("timed_out") or not theirs.get("n")):
                    ratio = f"∞ (medallion > {args.medallion_budget:.0f} s/page)"
            table.add_row(f"{size:,}", scenario, fmt(ours.get("rps")), fmt(ours.get("p50")), fmt(ours.get("p95")),
                          fmt(ours.get("p99")), str(ours.get("errors", 0)),
                          "timed out" if theirs and theirs.get("timed_out") and not theirs.get("n")
                          else fmt(theirs.get("rps")) if theirs else "—",
                          fmt(theirs.get("p50")) if theirs else "—", fmt(theirs.get("p99")) if theirs else "—", ratio)
    Console(width=200).print(table)


if __name__ == "__main__":
    sys.exit(main())
