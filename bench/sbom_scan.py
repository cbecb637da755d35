"""Benchmark: FORCE-B's SBOM matcher against AppThreat vulnerability-db 7.0.3, side by side in one run.

    .venv/bin/python bench/sbom_scan.py            # everything (peer venv is created under /tmp if missing)
    .venv/bin/python bench/sbom_scan.py --no-peer  # only our engine

What it does (see docs/benchmarks.md for numbers):
1. loads the shared OSV set, KEV, and the 22 real SBOMs (FORCEB_SHARED_DATA, default ../shared/data);
2. builds a synthetic sector portfolio (>= 100,000 components over 300 systems) from real SBOM
   components and from package versions around advisory bounds, with a fixed seed;
3. prepares the peer as PEER.md says (per-ecosystem all.zip without GHSA aliases, served on
   127.0.0.1 only, database built with VDB_OSV_STORE_BATCH_SIZE=1) and scans the same purls;
4. prints components/second for both, the ratio, and every disagreement, classified by an
   independent reference evaluation (OSV pseudo-code over packaging/semver comparisons, the
   original node-semver range strings for npm, pypa's explicit version lists);
5. times an incremental re-match after 1,000 advisories change against a full re-match, and
   "which of 1,000 stored SBOMs does one new advisory touch".
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from functools import cmp_to_key
from pathlib import Path

import nodesemver
import semver
from packageurl import PackageURL
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from forceb.sbom.feeds import Event, KnowledgeBase, Range, load_kev, load_osv  # noqa: E402
from forceb.sbom.matching import Matcher, Portfolio, package_of_purl  # noqa: E402
from forceb.sbom.readers import SbomError, read_sbom_file  # noqa: E402

console = Console()
PEER_VERSION = "appthreat-vulnerability-db==7.0.3"

# Runs inside the peer's own virtualenv (its dependencies are not ours).
PEER_WORKER = r"""
import json, os, sys, time
mode, out_path = sys.argv[1], sys.argv[3]
if mode == "build":
    import vdb.lib.config as config
    base = sys.argv[2]
    config.OSV_URL_DICT = {"python": base + "/PyPI/all.zip", "go": base + "/Go/all.zip",
                           "javascript": base + "/npm/all.zip"}
    import vdb.cli
    sys.argv = ["vdb", "--cache", "--only-osv"]
    t = time.perf_counter()
    try:
        vdb.cli.main()
    except SystemExit:
        pass
    json.dump({"build_seconds": time.perf_counter() - t}, open(out_path, "w"))
else:
    from vdb.lib import search
    jobs = json.load(open(sys.argv[2]))
    out = {}
    for name, purls in jobs.items():
        hits = {}
        t = time.perf_counter()
        for i in range(0, len(purls), 2000):
            res = search.search_bom_detailed({"components": [{"purl": p} for p in purls[i:i + 2000]]},
                                             with_data=False)
            for comp in res["components"]:
                ids = sorted({r.get("cve_id") for r in comp.get("results") or [] if r.get("cve_id")})
                if ids:
                    hits[comp["locator"]["purl"]] = ids
        out[name] = {"seconds": time.perf_counter() - t, "hits": hits}
    json.dump(out, open(out_path, "w"))
"""


def shared_vuln() -> Path:
    root = Path(os.environ.get("FORCEB_SHARED_DATA", REPO.parent / "shared" / "data"))
    return root / "vuln"


# --------------------------------------------------------------------------------------------
# data


def load_raw_records(path: Path) -> dict[str, dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {rec["id"]: rec for rec in map(json.loads, fh)}


def make_purl(eco: str, name: str, version: str) -> str | None:
    if eco == "PyPI":
        return PackageURL(type="pypi", name=name, version=version).to_string()
    if eco == "npm":
        ns, _, base = name.rpartition("/")
        return PackageURL(type="npm", namespace=ns or None, name=base, version=version).to_string()
    if eco == "Go":
        ns, _, base = name.rpartition("/")
        if not ns:
            return None  # "stdlib"/"toolchain" have no module path purl
        return PackageURL(type="golang", namespace=ns, name=base, version="v" + version).to_string()
    return None


def advisory_purls(raw: dict[str, dict]) -> list[str]:
    """Package versions around every advisory bound: the interesting cases for a matcher."""
    out = set()
    for rec in raw.values():
        for aff in rec.get("affected", []):
            pkg = aff.get("package") or {}
            eco, name = pkg.get("ecosystem"), pkg.get("name")
            if eco not in ("PyPI", "npm", "Go") or not name:
                continue
            versions = set(aff.get("versions", [])[-6:])
            for rng in aff.get("ranges", []):
                if rng.get("type") == "GIT":
                    continue
                for ev in rng.get("events", []):
                    for v in ev.values():
                        if v != "0":
                            versions.add(v)
            for v in versions:
                p = make_purl(eco, name, v)
                if p:
                    out.add(p)
    return sorted(out)


def synthetic_portfolio(real_purls: list[str], adv_purls: list[str], systems: int, total: int, seed: int):
    rng = random.Random(seed)
    sizes = [total // systems] * systems
    for i in range(total - sum(sizes)):
        sizes[i] += 1
    portfolio = {}
    for i, size in enumerate(sizes):
        n_adv = int(size * 0.4)
        portfolio[f"system-{i:03d}"] = rng.sample(real_purls, min(size - n_adv, len(real_purls))) + rng.sample(
            adv_purls, n_adv
        )
    return portfolio


# --------------------------------------------------------------------------------------------
# the independent referee


def _strip_v(v: str) -> str:
    return v[1:] if v[:1] == "v" else v


def _cmp(eco: str):
    if eco == "PyPI":
        def cmp(a, b):
            va, vb = Version(a), Version(b)
            return (va > vb) - (va < vb)
    else:
        def cmp(a, b):
            return semver.Version.parse(_strip_v(a)).compare(_strip_v(b))
    return cmp


def reference_in_range(events: list[dict], version: str, eco: str) -> bool:
    """The OSV schema's evaluation pseudo-code, written out plainly over library comparisons."""
    cmp = _cmp(eco)

    def order(a, b):
        va, vb = next(iter(a.values())), next(iter(b.values()))
        if va == "0" or vb == "0":
            return (va != "0") - (vb != "0")
        return cmp(va, vb)

    affected = False
    for ev in sorted(events, key=cmp_to_key(order)):
        kind, v = next(iter(ev.items()))
        if kind == "introduced" and (v == "0" or cmp(version, v) >= 0):
            affected = True
        elif kind == "fixed" and cmp(version, v) >= 0:
            affected = False
        elif kind == "last_affected" and cmp(version, v) > 0:
            affected = False
        elif kind == "limit" and cmp(version, v) >= 0:
            affected = False
    return affected


def _norm(eco: str, name: str) -> str:
    return canonicalize_name(name) if eco == "PyPI" else name.lower()


def referee(raw: dict[str, dict], group: frozenset[str], purl: str) -> bool | None:
    """Is ``purl`` affected by any live record of the alias group? None when undecidable."""
    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        return None
    eco = {"pypi": "PyPI", "npm": "npm", "golang": "Go"}.get(p.type)
    if eco is None or not p.version:
        return None
    name = f"{p.namespace}/{p.name}" if p.namespace else p.name
    version = p.version
    undecided = False
    for vid in group:
        rec = raw.get(vid)
        if rec is None or rec.get("withdrawn"):
            continue
        for aff in rec.get("affected", []):
            pkg = aff.get("package") or {}
            if pkg.get("ecosystem") != eco or _norm(eco, pkg.get("name", "")) != _norm(eco, name):
                continue
            try:
                if eco == "PyPI" and any(Version(x) == Version(version) for x in aff.get("versions", [])
                                         if _valid_pep440(x)):
                    return True
                original = (aff.get("database_specific") or {}).get("vulnerable_versions")
                if eco == "npm" and original and not nodesemver.parse(version, loose=True).prerelease:
                    if nodesemver.satisfies(version, original, loose=True):
                        return True
                    continue
                for rng in aff.get("ranges", []):
                    if rng.get("type") != "GIT" and reference_in_range(rng["events"], version, eco):
                        return True
            except (ValueError, InvalidVersion, TypeError, AttributeError):
                undecided = True
    return None if undecided else False


def _valid_pep440(v: str) -> bool:
    try:
        Version(v)
        return True
    except InvalidVersion:
        return False


# --------------------------------------------------------------------------------------------
# peer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_peer(venv: Path) -> Path:
    py = venv / "bin" / "python"
    if py.exists() and subprocess.run([str(py), "-c", "import vdb"], capture_output=True).returncode == 0:
        return py
    console.print(f"[yellow]creating the peer's virtualenv at {venv} ({PEER_VERSION})[/]")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", PEER_VERSION], check=True)
    return py


def build_peer(py: Path, raw: dict[str, dict], work: Path) -> float:
    serve = work / "serve"
    zips = {}
    for eco in ("PyPI", "Go", "npm"):
        (serve / eco).mkdir(parents=True, exist_ok=True)
        zips[eco] = zipfile.ZipFile(serve / eco / "all.zip", "w", zipfile.ZIP_DEFLATED)
    for rec in raw.values():
        peer_rec = dict(rec, aliases=[a for a in rec.get("aliases", []) if not a.startswith("GHSA-")])
        for eco in {a["package"]["ecosystem"] for a in rec.get("affected", []) if "package" in a}:
            zips[eco].writestr(f"{rec['id']}.json", json.dumps(peer_rec))
    for z in zips.values():
        z.close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(serve)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        env = dict(os.environ, VDB_HOME=str(work / "home"), VDB_OSV_STORE_BATCH_SIZE="1")
        out = work / "build.json"
        subprocess.run([str(py), "-c", PEER_WORKER, "build", f"http://127.0.0.1:{port}", str(out)],
                       env=env, check=True, capture_output=True)
        return json.loads(out.read_text())["build_seconds"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def scan_peer(py: Path, work: Path, jobs: dict[str, list[str]]) -> dict:
    job_file, out = work / "jobs.json", work / "peer-results.json"
    job_file.write_text(json.dumps(jobs))
    env = dict(os.environ, VDB_HOME=str(work / "home"))
    subprocess.run([str(py), "-c", PEER_WORKER, "scan", str(job_file), str(out)], env=env, check=True,
                   capture_output=True)
    return json.loads(out.read_text())


# --------------------------------------------------------------------------------------------
# comparison


def our_hits(result) -> dict[str, set[str]]:
    hits: dict[str, set[str]] = defaultdict(set)
    for f in result.findings:
        hits[f.purl].add(f.id)
    return hits


def compare(kb: KnowledgeBase, raw: dict, ours: dict[str, set[str]], peer: dict[str, list[str]], purls: set[str]):
    """Disagreements per (purl, vulnerability), each judged by the referee."""
    def groups(ids):
        return {kb.group(i) for i in ids}

    counts: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    agreed = 0
    for purl in sorted(purls):
        if package_of_purl(purl)[0] not in ("PyPI", "npm", "Go"):
            continue
        mine, theirs = groups(ours.get(purl, ())), groups(peer.get(purl, ()))
        agreed += len(mine & theirs)
        for g, side in [(g, "peer only") for g in theirs - mine] + [(g, "ours only") for g in mine - theirs]:
            truth = referee(raw, g, purl)
            if truth is None:
                label = "undecided"
            elif side == "peer only":
                label = "ours: miss" if truth else "peer: false positive"
            else:
                label = "peer: miss" if truth else "ours: false positive"
            counts[label] += 1
            if len(examples[label]) < 4:
                examples[label].append(f"{purl} {sorted(g)[0]}")
    return agreed, counts, examples


# --------------------------------------------------------------------------------------------
# main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--systems", type=int, default=300)
    ap.add_argument("--components", type=int, default=102_000)
    ap.add_argument("--stored-sboms", type=int, default=1000)
    ap.add_argument("--changed", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--peer-venv", type=Path, default=Path(tempfile.gettempdir()) / "vdb")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the measurements here")
    args = ap.parse_args()
    data = shared_vuln()
    if not data.is_dir():
        console.print(f"[red]shared data not found at {data} (set FORCEB_SHARED_DATA)[/]")
        raise SystemExit(2)
    report: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console)
    with progress:
        t = progress.add_task("loading OSV, KEV and raw records", total=None)
        advisories = load_osv(data / "osv" / "osv-pypi-go-npmlegacy.jsonl.gz")
        kev = load_kev(data / "kev" / "known_exploited_vulnerabilities.json")
        raw = load_raw_records(data / "osv" / "osv-pypi-go-npmlegacy.jsonl.gz")
        progress.update(t, completed=1, total=1)

        t = progress.add_task("building our index", total=None)
        t0 = time.perf_counter()
        kb = KnowledgeBase.from_advisories(advisories, kev)
        matcher = Matcher(kb)
        report["our_index_seconds"] = time.perf_counter() - t0
        progress.update(t, completed=1, total=1)

        files = sorted(p for p in (data / "sbom-real").rglob("*") if p.suffix in (".json", ".xml", ".spdx"))
        t = progress.add_task(f"reading {len(files)} real SBOMs", total=len(files))
        real_sets: dict[str, list[str]] = {}
        real_components = []
        refused = []
        t0 = time.perf_counter()
        for path in files:
            try:
                sbom = read_sbom_file(path)
                real_components.extend(sbom.components)
                real_sets[path.name] = sbom.purls()
            except SbomError as exc:
                refused.append(f"{path.name}: {exc.problem}")
            progress.advance(t)
        report["read_seconds"] = time.perf_counter() - t0
        real_purls = [p for ps in real_sets.values() for p in ps]

        t = progress.add_task("building the synthetic portfolio", total=None)
        adv_purls = advisory_purls(raw)
        pool = sorted(set(real_purls))
        portfolio = synthetic_portfolio(pool, adv_purls, args.systems, args.components, args.seed)
        portfolio_purls = [p for ps in portfolio.values() for p in ps]
        progress.update(t, completed=1, total=1)

        t = progress.add_task("our scan of the real SBOMs and the portfolio", total=None)
        t0 = time.perf_counter()
        real_result = matcher.match(real_components)
        report["our_real_seconds"] = time.perf_counter() - t0
        fresh = Matcher(kb)  # no warm caches from the first scan
        t0 = time.perf_counter()
        portfolio_result = fresh.match(portfolio_purls)
        report["our_portfolio_seconds"] = time.perf_counter() - t0
        progress.update(t, completed=1, total=1)

        peer = None
        if not args.no_peer:
            t = progress.add_task("peer: virtualenv, zips on 127.0.0.1, database build", total=None)
            py = ensure_peer(args.peer_venv)
            work = Path(tempfile.mkdtemp(prefix="forceb-peer-"))
            try:
                report["peer_build_seconds"] = build_peer(py, raw, work)
                progress.update(t, completed=1, total=1)
                t = progress.add_task("peer: scanning the same purls", total=None)
                peer = scan_peer(py, work, {"real": real_purls, "portfolio": portfolio_purls})
                progress.update(t, completed=1, total=1)
            finally:
                shutil.rmtree(work, ignore_errors=True)

        # incremental re-match after N advisories change
        t = progress.add_task(f"re-match after {args.changed} advisories change", total=None)
        rng = random.Random(args.seed)
        candidates = [a for a in advisories if not a.is_withdrawn and a.affected]
        changed = []
        for i, a in enumerate(rng.sample(candidates, args.changed)):
            if i % 2 == 0:  # half of them: the fix is retracted (range becomes open-ended)
                aff = tuple(dataclasses.replace(x, ranges=tuple(
                    Range(r.type, tuple(e for e in r.events if e.kind != "fixed") or (Event("introduced", "0"),), r.repo)
                    for r in x.ranges)) for x in a.affected)
                changed.append(dataclasses.replace(a, affected=aff, modified="2026-01-01T00:00:00Z"))
            else:  # the other half: metadata only
                changed.append(dataclasses.replace(a, summary=a.summary + " (updated)", modified="2026-01-01T00:00:00Z"))
        stored = Portfolio.from_mapping(portfolio)
        inc_matcher = Matcher(KnowledgeBase.from_advisories(advisories, kev))

        def answers(m: Matcher, purl: str) -> frozenset:
            return frozenset((f.id, f.upgrade_to, f.fixed_versions) for f in m.match_component(purl)[1])

        before = {p: answers(inc_matcher, p) for p in set(portfolio_purls)}  # the stored findings
        old_versions = [inc_matcher.kb.advisories[a.id] for a in changed]
        t0 = time.perf_counter()
        touched = inc_matcher.update(changed)
        # components an old or new version of a changed advisory reaches are re-matched; other
        # components of the touched packages that have findings only get their upgrade advice
        # recomputed (a retracted fix elsewhere in the package can move it)
        reached: set[tuple[str, str]] = set()
        for a in old_versions + changed:
            reached |= stored.components_touched_by(a)
        redo = {purl for _, purl in reached}
        advice = {purl for _, purl in stored.components_of(touched) if before[purl]} - redo
        after_inc = dict(before)
        for purl in redo:
            after_inc[purl] = answers(inc_matcher, purl)
        for purl in advice:
            eco, name, version, _ = package_of_purl(purl)
            up = inc_matcher.upgrade_to(eco, name, version)
            after_inc[purl] = frozenset((vid, up, fixed) for vid, _, fixed in before[purl])
        pairs = reached
        report["incremental_seconds"] = time.perf_counter() - t0
        report["incremental_components"] = len(pairs)
        report["incremental_advice_only"] = len(advice)
        report["incremental_packages"] = len(touched)
        t0 = time.perf_counter()
        full_kb = KnowledgeBase.from_advisories(advisories, kev)
        full_kb.upsert(changed)
        full_matcher = Matcher(full_kb)
        full_result = full_matcher.match(portfolio_purls)
        report["full_rematch_seconds"] = time.perf_counter() - t0
        after_full_sets: dict[str, set] = {p: set() for p in set(portfolio_purls)}
        for f in full_result.findings:
            after_full_sets[f.purl].add((f.id, f.upgrade_to, f.fixed_versions))
        after_full = {p: frozenset(v) for p, v in after_full_sets.items()}
        report["incremental_equals_full"] = after_inc == after_full
        progress.update(t, completed=1, total=1)

        # which of 1,000 stored SBOMs does one new advisory touch?
        t = progress.add_task(f"{args.stored_sboms} stored SBOMs: which ones does a new advisory touch", total=None)
        thousand = synthetic_portfolio(pool, adv_purls, args.stored_sboms, args.stored_sboms * 340, args.seed + 1)
        t0 = time.perf_counter()
        store = Portfolio.from_mapping(thousand)
        report["store_build_seconds"] = time.perf_counter() - t0
        report["store_components"] = sum(len(v) for v in thousand.values())
        probes = rng.sample(candidates, 300)
        timings, touched_counts = [], []
        for a in probes:
            t0 = time.perf_counter()
            touched_counts.append(len(store.touched_by(a)))
            timings.append(time.perf_counter() - t0)
        report["touch_median_ms"] = statistics.median(timings) * 1000
        report["touch_p95_ms"] = sorted(timings)[int(len(timings) * 0.95)] * 1000
        report["touch_max_ms"] = max(timings) * 1000
        report["touch_median_sboms"] = statistics.median(touched_counts)
        report["touch_max_sboms"] = max(touched_counts)
        progress.update(t, completed=1, total=1)

    # ---------------------------------------------------------------------------- report
    n_real, n_port = len(real_components), len(portfolio_purls)
    report.update(real_components=n_real, real_with_purl=len(real_purls), portfolio_components=n_port,
                  systems=args.systems, refused=refused, our_real_summary=real_result.summary,
                  our_portfolio_findings=len(portfolio_result.findings))
    table = Table(title="SBOM scan: FORCE-B engine vs AppThreat vulnerability-db 7.0.3 (same OSV data, same run)")
    for col in ("set", "components", "ours s", "ours comp/s", "peer s", "peer comp/s", "ours / peer"):
        table.add_column(col, justify="right")
    rows = [("22 real SBOMs", n_real, report["our_real_seconds"], "real"),
            (f"portfolio ({args.systems} systems)", n_port, report["our_portfolio_seconds"], "portfolio")]
    for label, n, ours_s, key in rows:
        if peer:
            ps = peer[key]["seconds"]
            report[f"peer_{key}_seconds"] = ps
            ratio = (n / ours_s) / (len(real_purls if key == "real" else portfolio_purls) / ps)
            report[f"ratio_{key}"] = ratio
            table.add_row(label, f"{n:,}", f"{ours_s:.2f}", f"{n / ours_s:,.0f}", f"{ps:.2f}",
                          f"{(len(real_purls) if key == 'real' else n) / ps:,.0f}", f"{ratio:.1f}x")
        else:
            table.add_row(label, f"{n:,}", f"{ours_s:.2f}", f"{n / ours_s:,.0f}", "-", "-", "-")
    console.print(table)
    console.print(f"our index build {report['our_index_seconds']:.2f} s"
                  + (f"; peer database build {report['peer_build_seconds']:.1f} s" if peer else ""))
    s = real_result.summary
    console.print(f"real SBOMs: {len(files)} files, {len(refused)} refused ({'; '.join(refused)}); "
                  f"{s['components']:,} components: {s['recognised']:,} recognised, {s['matched']:,} matched, "
                  f"{s['unsupported']:,} unsupported, {s['indeterminate']:,} indeterminate, {s['no_purl']:,} without purl; "
                  f"{s['findings']:,} findings ({s['kev_findings']} KEV)")

    if peer:
        dis = Table(title="Disagreements per (purl, vulnerability), judged by the reference evaluation")
        for col in ("set", "agreed", "peer: false positive", "peer: miss", "ours: false positive", "ours: miss",
                    "undecided"):
            dis.add_column(col, justify="right")
        for key, result, purls in (("real", real_result, real_purls), ("portfolio", portfolio_result, portfolio_purls)):
            agreed, counts, examples = compare(kb, raw, our_hits(result), peer[key]["hits"], set(purls))
            report[f"disagreements_{key}"] = {"agreed": agreed, **counts, "examples": examples}
            dis.add_row(key, f"{agreed:,}", *(f"{counts.get(k, 0):,}" for k in (
                "peer: false positive", "peer: miss", "ours: false positive", "ours: miss", "undecided")))
        console.print(dis)
        for key in ("real", "portfolio"):
            for label, ex in report[f"disagreements_{key}"]["examples"].items():
                console.print(f"  {key} / {label}: " + "; ".join(ex))

    console.print(
        f"incremental re-match after {args.changed} advisories changed: {report['incremental_seconds']:.2f} s "
        f"({report['incremental_packages']} packages touched, {report['incremental_components']:,} stored "
        f"components re-matched, {report['incremental_advice_only']:,} distinct purls with upgrade advice refreshed) "
        f"vs full re-match {report['full_rematch_seconds']:.2f} s "
        f"({report['full_rematch_seconds'] / report['incremental_seconds']:.0f}x); same answers: "
        f"{report['incremental_equals_full']}"
    )
    console.print(
        f"{args.stored_sboms} stored SBOMs ({report['store_components']:,} components, index {report['store_build_seconds']:.2f} s): "
        f"one new advisory -> touched SBOMs in median {report['touch_median_ms']:.2f} ms, "
        f"p95 {report['touch_p95_ms']:.2f} ms, max {report['touch_max_ms']:.2f} ms "
        f"(median {report['touch_median_sboms']} SBOMs touched, max {report['touch_max_sboms']})"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
