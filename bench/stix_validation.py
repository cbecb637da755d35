"""Benchmark: stix2-validator as FORCE-B runs it against the validator as it ships, same run.

    .venv/bin/python bench/stix_validation.py            # 100 and 1,000 indicators, 1,000 ATT&CK objects

"As it ships" is ``validate_instance`` with stix2-validator's own ``load_validator`` (a new schema
validator and registry for every object) and its SHOULD checks on; "FORCE-B" is
``forceb.intel.stix.validate`` (each validator built once over one crawled registry of the bundled
schemas, SHOULD checks off since they only warn). Both read the same objects in the same process,
one after the other per set, and the problems found must be the same. The ATT&CK objects come from
FORCEB_SHARED_DATA (default ../shared/data), intel/attack/enterprise-attack-v15.json.gz, upgraded
to STIX 2.1 as the importer does. Not part of the test suite.
"""

import gzip
import json
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from stix2validator import ValidationOptions

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from taxii_bench import synthetic  # noqa: E402

from forceb.intel import stix  # noqa: E402

SHARED = Path(os.environ.get("FORCEB_SHARED_DATA", REPO.parent / "shared" / "data"))
ATTACK = SHARED / "intel" / "attack" / "enterprise-attack-v15.json.gz"


def attack_objects(count: int) -> list[dict]:
    with gzip.open(ATTACK) as handle:
        objects = json.load(handle)["objects"]
    return [stix.upgrade_from_20(obj) for obj in objects if not obj.get("revoked")][1000:1000 + count]


def timed(objects: list[dict], *, shipped: bool) -> tuple[float, list]:
    cached_loader, options = stix._validator_module.load_validator, stix._OPTIONS
    if shipped:
        stix._validator_module.load_validator = stix._UNCACHED_LOAD_VALIDATOR
        stix._OPTIONS = ValidationOptions(version="2.1")
    try:
        began = time.perf_counter()
        problems = [problem for obj in objects for problem in stix.validate(obj)]
        return time.perf_counter() - began, problems
    finally:
        stix._validator_module.load_validator, stix._OPTIONS = cached_loader, options


def main() -> int:
    console = Console()
    sets = {"100 indicators": synthetic(100, 500_000), "1,000 indicators": synthetic(1000, 600_000)}
    if ATTACK.exists():
        sets["1,000 ATT&CK objects"] = attack_objects(1000)
    else:
        console.print(f"[yellow]{ATTACK} not found (set FORCEB_SHARED_DATA): indicators only[/]")
    stix.validate(synthetic(1)[0])  # the one-off registry build is not what is compared
    table = Table(title="stix2-validator per object: as shipped vs as FORCE-B runs it (same run)")
    for column in ("objects", "shipped ms/object", "FORCE-B ms/object", "speed-up", "same problems"):
        table.add_column(column, justify="right" if column != "objects" else "left")
    for name, objects in sets.items():
        before, found_before = timed(objects, shipped=True)
        after, found_after = timed(objects, shipped=False)
        table.add_row(name, f"{before * 1000 / len(objects):.2f}", f"{after * 1000 / len(objects):.2f}",
                      f"{before / after:.1f}×", "yes" if found_before == found_after else "[red]NO[/]")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
