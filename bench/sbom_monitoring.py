"""Benchmark: SBOM monitoring through the Django layer (actions, ORM, a real SQLite database).

    .venv/bin/python bench/sbom_monitoring.py                # 1,000 SBOMs, 1,000 updated advisories
    .venv/bin/python bench/sbom_monitoring.py --sboms 200    # a quicker run
    .venv/bin/python bench/sbom_monitoring.py --pick any     # (b) updates any advisories, not only used ones
    .venv/bin/python bench/sbom_monitoring.py --share 0.05   # fewer components from advisories' packages

On a throwaway database (FORCEB_DATA_DIR in a temp folder, ``migrate``), it loads the shared OSV
set through ``forceb.sbom.actions.import_feeds``, stores synthetic CycloneDX SBOMs (PyPI, npm and Go
purls drawn from the advisories' packages, at versions around their bounds, plus clean packages)
through ``ingest_sbom``, then times:
(a) one new advisory arrives: which systems does it touch (``sboms_touched``), and its import plus
    the incremental re-match that records findings and notifies owners;
(b) 1,000 advisories updated (half of them widened so findings change): the incremental re-match
    (``rematch_for_advisories``: only the components the change touches) against a full re-match
    of every current SBOM (``match_sbom``), both from the same database state (copied before the
    first, put back before the second), so both make the same changes; it checks that they leave
    the same findings, finding values and SBOM summaries.
The matcher (``queries.matcher()``) catches up with each feed change (a delta) for whichever caller
asks first; that step is timed on its own line.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from packageurl import PackageURL
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("FORCEB_SHARED_DATA", REPO.parent / "shared" / "data"))
OSV = SHARED / "vuln" / "osv"
console = Console()


def purl_of(ecosystem: str, name: str, version: str) -> str:
    if ecosystem == "PyPI":
        return PackageURL(type="pypi", name=name, version=version).to_string()
    if ecosystem == "npm":
        namespace, _, short = name.rpartition("/")
        return PackageURL(type="npm", namespace=namespace or None, name=short, version=version).to_string()
    namespace, _, short = name.rpartition("/")
    go_version = version if version.startswith("v") else f"v{version}"
    return PackageURL(type="golang", namespace=namespace or None, name=short, version=go_version).to_string()


def read_osv() -> list[dict]:
    records = []
    for file in sorted(OSV.glob("*.jsonl.gz")):
        with gzip.open(file, "rt", encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    return records


def candidate_versions(records: list[dict]) -> dict[tuple[str, str], list[str]]:
    """Per (ecosystem, package): versions around the advisories' bounds (some vulnerable, some fixed)."""
    out: dict[tuple[str, str], set[str]] = {}
    for rec in records:
        for aff in rec.get("affected", ()):
            pkg = aff.get("package") or {}
            eco, name = pkg.get("ecosystem"), pkg.get("name")
            if eco not in ("PyPI", "npm", "Go") or not name:
                continue
            versions = out.setdefault((eco, name), set())
            versions.update(v for v in aff.get("versions", ())[:5])
            for rng in aff.get("ranges", ()):
                for event in rng.get("events", ()):
                    for key in ("introduced", "fixed", "last_affected"):
                        value = event.get(key)
                        if value and value != "0" and len(value) < 40:
                            versions.add(value)
    return {k: sorted(v) for k, v in out.items() if v}


def synthetic_bom(rng: random.Random, index: int, vulnerable: list, popular: list, size: int,
                  share: float) -> tuple[dict, set]:
    components, packages, seen = [], set(), set()
    for _ in range(size):
        roll = rng.random()
        if roll < share:
            (eco, name), versions = rng.choice(popular if rng.random() < 0.5 else vulnerable)
            version = rng.choice(versions)
        else:  # a clean package: no advisory names it
            eco = rng.choice(("PyPI", "npm", "Go"))
            name = f"clean-lib-{rng.randrange(5000)}" if eco != "Go" else f"example.com/clean/mod{rng.randrange(5000)}"
            version = f"{rng.randrange(1, 9)}.{rng.randrange(20)}.{rng.randrange(10)}"
        purl = purl_of(eco, name, version)
        if purl in seen:
            continue
        seen.add(purl)
        packages.add((eco, name))
        components.append({"type": "library", "bom-ref": purl, "name": name.rsplit("/", 1)[-1],
                           "version": version, "purl": purl})
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "serialNumber": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
           "metadata": {"timestamp": "2026-01-01T00:00:00Z",
                        "component": {"type": "application", "bom-ref": "app", "name": f"app-{index}",
                                      "version": "1.0"}},
           "components": components}
    return bom, packages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sboms", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--updated", type=int, default=1000, help="advisories updated in step (b)")
    parser.add_argument("--pick", choices=("in-use", "any"), default="in-use",
                        help="advisories updated in step (b): of packages the SBOMs use (nearly every SBOM is "
                             "touched: the worst case), or any of the OSV set (like a day's feed delta)")
    parser.add_argument("--share", type=float, default=0.35,
                        help="share of each SBOM's components drawn from the advisories' packages (the rest "
                             "are packages no advisory names); 0.35 is a harsh portfolio, 0.05 a more usual one")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp database")
    args = parser.parse_args()
    if not OSV.is_dir():
        console.print(f"[red]no OSV data at {OSV}[/red]")
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="forceb-sbom-monitoring-"))
    os.environ["FORCEB_DATA_DIR"] = str(tmp)
    os.environ.pop("FORCEB_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "forceb.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from forceb.core import actions as core_actions
    from forceb.core import audit
    from forceb.core.choices import OrganizationKind
    from forceb.inventory.models import System
    from forceb.sbom import actions, queries
    from forceb.sbom.models import Advisory, Finding, Sbom

    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with audit.acting_as(label="bench"), Progress(*columns, console=console) as progress:
            step = progress.add_task("migrate", total=None)
            call_command("migrate", verbosity=0)
            progress.update(step, total=1, completed=1)

            records = read_osv()
            tasks: dict[str, int] = {}

            def report(label: str, done: int, total: int | None) -> None:
                if label not in tasks:
                    tasks[label] = progress.add_task(label, total=total)
                progress.update(tasks[label], completed=done, total=total)

            t = time.perf_counter()
            osv_files = sorted(OSV.glob("*.jsonl.gz"))  # the folder's counts.json is a summary, not a feed
            for file in osv_files:
                actions.import_feeds(file, report, rematch=False)
            timings["import OSV"] = time.perf_counter() - t
            advisories = Advisory.objects.count()

            versions = candidate_versions(records)
            keys = sorted(versions)
            vulnerable = [(k, versions[k]) for k in keys]
            popular = [(k, versions[k]) for k in rng.sample(keys, 60)]
            members = [core_actions.create_organization(slug=f"member-{m}", name=f"Member {m}",
                                                        kind=OrganizationKind.MEMBER, sector="bank", tier=2)
                       for m in range(args.members)]
            step = progress.add_task("ingest SBOMs (ingest_sbom)", total=args.sboms)
            holders: Counter = Counter()
            components = 0
            t = time.perf_counter()
            for i in range(args.sboms):
                system = core_actions.save_object(System(owner=members[i % args.members], name=f"system-{i:04d}"))
                bom, packages = synthetic_bom(rng, i, vulnerable, popular, rng.randint(100, 300), args.share)
                components += len(bom["components"])
                holders.update(packages)
                actions.ingest_sbom(None, system, json.dumps(bom), filename=f"system-{i:04d}.cdx.json")
                progress.advance(step)
            timings["ingest SBOMs"] = time.perf_counter() - t
            findings_after_ingest = Finding.objects.count()

            # (a) one new advisory on a widely used package: every version before a far bound.
            (eco, name), _ = max(popular, key=lambda kv: holders[kv[0]])
            new = {"id": "BENCH-2026-0001", "modified": datetime.now(UTC).isoformat(), "schema_version": "1.6.0",
                   "summary": "benchmark advisory", "affected": [{"package": {"ecosystem": eco, "name": name},
                   "ranges": [{"type": "ECOSYSTEM" if eco == "PyPI" else "SEMVER",
                               "events": [{"introduced": "0"}, {"fixed": "99999.0.0"}]}]}]}
            new_file = tmp / "new-advisory.json"
            new_file.write_text(json.dumps(new))
            t = time.perf_counter()
            actions.import_feeds(new_file, rematch=False)
            timings["(a) import the new advisory"] = time.perf_counter() - t
            t = time.perf_counter()
            queries.matcher()  # catches up with the feed change for whoever asks first: timed on its own
            timings["(a) matcher catches up"] = time.perf_counter() - t
            t = time.perf_counter()
            touched = actions.sboms_touched([new["id"]])
            affected = sorted(Sbom.objects.filter(pk__in=touched).values_list("system__owner__slug", "system__name"))
            timings["(a) list affected systems"] = time.perf_counter() - t
            t = time.perf_counter()
            rematch_a = actions.rematch_for_advisories([new["id"]])
            timings["(a) re-match + notify touched"] = time.perf_counter() - t
            expected_a = holders[(eco, name)]

            # (b) 1,000 advisories updated; half widened (their fixed bound dropped) so findings change.
            in_use = [r for r in records if any((a.get("package") or {}).get("name") and
                                                ((a["package"].get("ecosystem"), a["package"]["name"]) in holders)
                                                for a in r.get("affected", ()))]
            if args.pick == "any":
                chosen = rng.sample(records, min(len(records), args.updated))
            else:
                others = [r for r in records if r not in in_use] if len(in_use) < args.updated else []
                chosen = rng.sample(in_use, min(len(in_use), args.updated))
                chosen += rng.sample(others, min(len(others), args.updated - len(chosen)))
            stamp = datetime.now(UTC).isoformat()
            updated_file = tmp / "updated.jsonl"
            with updated_file.open("w", encoding="utf-8") as fh:
                for k, rec in enumerate(chosen):
                    rec = json.loads(json.dumps(rec))
                    rec["modified"] = stamp
                    if k % 2 == 0:
                        for aff in rec.get("affected", ()):
                            for rng_ in aff.get("ranges", ()):
                                rng_["events"] = [e for e in rng_.get("events", ()) if "fixed" not in e] \
                                    or [{"introduced": "0"}]
                    fh.write(json.dumps(rec) + "\n")
            t = time.perf_counter()
            actions.import_feeds(updated_file, rematch=False)
            timings["(b) import updated advisories"] = time.perf_counter() - t
            t = time.perf_counter()
            queries.matcher()
            timings["(b) matcher catches up"] = time.perf_counter() - t
            ids = [r["id"] for r in chosen]

            def finding_set() -> set:
                return set(Finding.objects.filter(sbom__is_current=True).values_list(
                    "sbom_id", "component_id", "advisory__osv_id"))

            def finding_values() -> dict:
                return {row[:3]: (*row[3:-1], tuple(row[-1])) for row in Finding.objects.filter(
                    sbom__is_current=True).values_list(
                    "sbom_id", "component_id", "advisory__osv_id", "severity", "kev", "epss", "urgency",
                    "upgrade_to", "fixed_versions")}

            before = finding_set()
            # Both re-matches start from this state and make the same changes: the database is
            # copied here and put back before the full re-match.
            database = tmp / "forceb.sqlite3"
            snapshot = tmp / "before-rematch.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            shutil.copyfile(database, snapshot)
            step = progress.add_task("(b) incremental re-match", total=None)

            def inc_progress(label: str, done: int, total: int | None) -> None:
                progress.update(step, completed=done, total=total)

            t = time.perf_counter()
            rematch_b = actions.rematch_for_advisories(ids, inc_progress)
            timings["(b) incremental re-match"] = time.perf_counter() - t
            after_incremental = finding_set()
            values_incremental = finding_values()
            summaries_incremental = dict(Sbom.objects.filter(is_current=True).values_list("pk", "scan_summary"))

            connection.close()
            for leftover in (tmp / "forceb.sqlite3-wal", tmp / "forceb.sqlite3-shm"):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(snapshot, database)
            assert finding_set() == before
            current = list(Sbom.objects.filter(is_current=True).order_by("pk"))
            step = progress.add_task("(b) full re-match (match_sbom each)", total=len(current))
            full_new = 0
            t = time.perf_counter()
            for sbom in current:
                outcome = actions.match_sbom(sbom)
                full_new += len(outcome.new) + outcome.removed
                progress.advance(step)
            timings["(b) full re-match"] = time.perf_counter() - t
            after_full = finding_set()
            same_values = values_incremental == finding_values()
            same_summaries = summaries_incremental == dict(
                Sbom.objects.filter(is_current=True).values_list("pk", "scan_summary"))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    table = Table(title=f"SBOM monitoring through the database — {args.sboms} SBOMs, {components:,} components, "
                        f"{args.share:.0%} from advisories' packages")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("what", overflow="fold")
    notes = {
        "import OSV": f"{advisories:,} advisories ({len(osv_files)} file)",
        "ingest SBOMs": f"{args.sboms / timings['ingest SBOMs']:.1f} SBOMs/s, {findings_after_ingest:,} findings",
        "(a) list affected systems": f"{len(affected)} systems (expected {expected_a}) for {eco}/{name}",
        "(a) re-match + notify touched": f"{rematch_a.new_findings} new findings, {len(rematch_a.notified)} "
                                         "systems notified",
        "(b) incremental re-match": f"{len(rematch_b.sboms)} SBOMs touched, {rematch_b.components:,} of their "
                                    f"components re-matched, +{rematch_b.new_findings} "
                                    f"-{rematch_b.removed_findings} findings",
        "(b) full re-match": f"{len(current)} SBOMs, {full_new} findings added or removed",
    }
    for name_, seconds in timings.items():
        table.add_row(name_, f"{seconds:.3f}", notes.get(name_, ""))
    ratio = timings["(b) full re-match"] / timings["(b) incremental re-match"]
    table.add_row("ratio full / incremental", f"{ratio:.1f}×", "")
    same = after_incremental == after_full
    table.add_row("same findings", "yes" if same else "NO",
                  f"{len(after_full):,} findings ({len(after_incremental - before)} gained, "
                  f"{len(before - after_incremental)} lost by the update)")
    table.add_row("same finding values", "yes" if same_values else "NO",
                  "severity, KEV, EPSS, urgency, upgrade advice and fixed versions of every finding")
    table.add_row("same SBOM summaries", "yes" if same_summaries else "NO",
                  "the incremental path patches each SBOM's scan summary; the full one recomputes it")
    console.print(table)
    ok = same and same_values and same_summaries and len(affected) == expected_a
    if not ok:
        console.print("[red]mismatch: see the table[/red]")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
