"""Knowledge-base loaders: OSV in every packaging, KEV, EPSS, aliases, CVSS scoring."""

from __future__ import annotations

import gzip
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from cvss import CVSS3, CVSS4

from forceb.sbom.feeds import (
    FeedError,
    KnowledgeBase,
    alias_groups,
    iter_epss,
    iter_osv,
    load_epss,
    load_kev,
    load_osv,
    parse_osv,
    score_cvss,
)
from tests.conftest import shared_data

HERE = Path(__file__).parent / "data"


def shared_vuln() -> Path:
    return shared_data("vuln")


def _record(vid: str, **extra) -> dict:
    rec = {
        "id": vid,
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "demo"}, "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}]}
        ],
    }
    rec.update(extra)
    return rec


# --- OSV packagings -----------------------------------------------------------------------------


def test_osv_reads_json_jsonl_gz_zip_and_folders(tmp_path):
    recs = [_record(f"TEST-{i}") for i in range(4)]
    (tmp_path / "one.json").write_text(json.dumps(recs[0]))
    (tmp_path / "list.json").write_text(json.dumps([recs[1]]))
    (tmp_path / "lines.jsonl").write_text(json.dumps(recs[2]) + "\n\n")
    with gzip.open(tmp_path / "more.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(recs[3]) + "\n")
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as zf:
        zf.writestr("TEST-9.json", json.dumps(_record("TEST-9")))
    (tmp_path / "README.md").write_text("not a feed")
    ids = sorted(a.id for a in iter_osv(tmp_path))
    assert ids == ["TEST-0", "TEST-1", "TEST-2", "TEST-3", "TEST-9"]
    assert [a.id for a in load_osv(tmp_path / "all.zip")] == ["TEST-9"]


def test_osv_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(_record("OK-1")) + "\n{not json\n")
    with pytest.raises(FeedError, match=r"bad\.jsonl:2: invalid JSON"):
        list(iter_osv(bad))
    no_id = tmp_path / "noid.jsonl"
    no_id.write_text(json.dumps({"affected": []}) + "\n")
    with pytest.raises(FeedError, match=r"noid\.jsonl:1: OSV record without a string 'id'"):
        list(iter_osv(no_id))
    errors: list[FeedError] = []
    assert [a.id for a in iter_osv(bad, errors=errors)] == ["OK-1"]
    assert len(errors) == 1 and "bad.jsonl:2" in str(errors[0])
    with pytest.raises(FeedError, match="no such file"):
        list(iter_osv(tmp_path / "missing.json"))
    (tmp_path / "broken.zip").write_bytes(b"PK-not-really")
    with pytest.raises(FeedError, match="not a zip archive"):
        list(iter_osv(tmp_path / "broken.zip"))


def test_osv_record_structure_is_checked_leniently():
    rec = _record("TEST-1", severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:X/A:H"}])
    rec["affected"].append({"package": {"ecosystem": "PyPI"}})  # no name
    rec["affected"][0]["ranges"].append({"type": "ECOSYSTEM", "events": [{"introduced": "1", "fixed": "2"}]})
    adv = parse_osv(rec, "inline")
    assert len(adv.affected) == 1
    assert len(adv.affected[0].ranges) == 1
    assert any("exactly one key" in w for w in adv.warnings)
    assert any("invalid CVSS vector" in w for w in adv.warnings)
    with pytest.raises(FeedError, match="'affected' must be a list"):
        parse_osv(_record("TEST-2", affected={"x": 1}))


def test_alias_groups_are_transitive_but_related_is_not():
    a = parse_osv(_record("PYSEC-1", aliases=["CVE-2000-1"]))
    b = parse_osv(_record("GHSA-aaaa", aliases=["CVE-2000-1", "CVE-2000-2"]))
    c = parse_osv(_record("GO-1", aliases=["CVE-2000-2"], related=["CVE-2000-9"]))
    d = parse_osv(_record("PYSEC-2", related=["PYSEC-1"]))
    groups = alias_groups([a, b, c, d])
    assert groups["PYSEC-1"] == {"PYSEC-1", "GHSA-aaaa", "GO-1", "CVE-2000-1", "CVE-2000-2"}
    assert groups["GO-1"] is groups["PYSEC-1"] or groups["GO-1"] == groups["PYSEC-1"]
    assert groups["PYSEC-2"] == {"PYSEC-2"}
    assert "CVE-2000-9" not in groups["GO-1"]


def test_cvss_scores_come_from_the_library():
    v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    v40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    assert score_cvss(v31).base_score == float(CVSS3(v31).scores()[0])
    assert score_cvss(v31).version == "3.1"
    assert score_cvss(v40).base_score == float(CVSS4(v40).base_score)
    assert score_cvss(v40).severity == str(CVSS4(v40).severity).lower()
    with pytest.raises(FeedError):
        score_cvss("CVSS:3.1/AV:N")
    adv = parse_osv(_record("X-1", severity=[{"type": "CVSS_V3", "score": v31}, {"type": "CVSS_V4", "score": v40}]))
    assert adv.cvss().version == "4.0"  # newest CVSS version wins


# --- EPSS ---------------------------------------------------------------------------------------


def test_epss_header_and_rows():
    data = load_epss(HERE / "epss-synthetic.csv")
    first = (HERE / "epss-synthetic.csv").read_text().splitlines()[0]
    assert f"model_version:{data.model_version}" in first
    assert f"score_date:{data.score_date}" in first
    assert data.scores["CVE-2099-0003"].epss == 0.5
    assert data.scores["CVE-2099-0001"].percentile == 0.995
    with pytest.raises(FeedError, match=r"broken-epss\.csv:3: bad EPSS row"):
        list(iter_epss(HERE / "broken-epss.csv"))


def test_epss_gzip(tmp_path):
    target = tmp_path / "epss.csv.gz"
    target.write_bytes(gzip.compress((HERE / "epss-synthetic.csv").read_bytes()))
    assert len(load_epss(target).scores) == 3


def test_real_epss_sample():
    path = shared_vuln() / "epss" / "epss_scores-2026-01-02.head40.csv"
    data = load_epss(path)
    assert len(data.scores) == 40
    assert data.model_version.startswith("v")
    assert data.score_date.startswith("2026-01-02")


# --- KEV ----------------------------------------------------------------------------------------


def test_real_kev_catalogue():
    path = shared_vuln() / "kev" / "known_exploited_vulnerabilities.json"
    raw = json.loads(path.read_text())
    kev = load_kev(path)
    assert len(kev.entries) == raw["count"]
    assert kev.version == raw["catalogVersion"]
    first = raw["vulnerabilities"][0]
    entry = kev.entries[first["cveID"]]
    assert entry.date_added == date.fromisoformat(first["dateAdded"])
    assert entry.due_date == date.fromisoformat(first["dueDate"])
    known = sum(1 for v in raw["vulnerabilities"] if v["knownRansomwareCampaignUse"] == "Known")
    assert sum(1 for e in kev.entries.values() if e.known_ransomware) == known


def test_kev_rejects_other_documents(tmp_path):
    other = tmp_path / "x.json"
    other.write_text('{"title": "nope"}')
    with pytest.raises(FeedError, match="not a KEV catalogue"):
        load_kev(other)


# --- the real OSV set ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_osv():
    path = shared_vuln() / "osv"
    counts = json.loads((path / "counts.json").read_text())
    return load_osv(path / "osv-pypi-go-npmlegacy.jsonl.gz"), counts


def test_real_osv_loads_every_record(real_osv):
    advisories, counts = real_osv
    assert len(advisories) == counts["records"]
    assert sum(1 for a in advisories if a.is_withdrawn) == counts["withdrawn"]
    by_eco: dict[str, int] = {}
    for a in advisories:
        for aff in a.affected:
            by_eco[aff.ecosystem] = by_eco.get(aff.ecosystem, 0) + 1
    assert by_eco == counts["affected_by_ecosystem"]


def test_real_osv_known_defects_are_reported_not_fatal(real_osv):
    advisories, _ = real_osv
    by_id = {a.id: a for a in advisories}
    assert any("invalid CVSS vector" in w for w in by_id["x_NSWG-ECO-504"].warnings)
    assert by_id["x_NSWG-ECO-504"].cvss() is None


def test_real_kev_joins_through_aliases(real_osv):
    advisories, _ = real_osv
    kb = KnowledgeBase.from_advisories(advisories, load_kev(shared_vuln() / "kev" / "known_exploited_vulnerabilities.json"))
    # the nine records that SOURCE.md names as aliasing a KEV CVE
    expected = {"PYSEC-2020-102", "PYSEC-2020-103", "PYSEC-2020-104", "PYSEC-2020-14", "PYSEC-2020-18",
                "PYSEC-2022-236", "GO-2022-0535", "GO-2025-3459", "x_NSWG-ECO-495"}
    found = {a.id for a in advisories if kb.kev_for(a.id) is not None}
    assert found == expected
