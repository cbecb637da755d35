"""MITRE ATT&CK as a feed: ``forceb feeds sync --feed attack`` against a loopback server serving a
real slice of ATT&CK v15 (conditional, resumable, one new version per changed object, malformed
bundles refused whole), ``forceb feeds import`` of a local copy, and where operators see the source."""

import copy
import functools
import gzip
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from forceb.intel import actions as intel_actions
from forceb.intel import stix
from forceb.intel.models import AddStatus, Collection, StixObject
from forceb.sbom import actions
from forceb.sbom.choices import Feed
from forceb.sbom.models import FeedState
from tests.conftest import shared_data
from tests.feedsite import FeedHandler, feed_site

ALIAS = "mitre-attack-enterprise"


@functools.cache
def _v15_objects() -> tuple:
    with gzip.open(shared_data("intel", "attack", "enterprise-attack-v15.json.gz"), "rt", encoding="utf-8") as fh:
        return tuple(json.load(fh)["objects"])


def attack_slice() -> list[dict]:
    """A real slice of ATT&CK v15 as MITRE published it (STIX 2.0): the identity, the marking, the
    matrix and its tactics, a few of each other kind (revoked and deprecated techniques included),
    and the relationships among them."""
    objects = _v15_objects()
    picked, per_kind = [], {}
    limits = {"attack-pattern": 25, "malware": 4, "tool": 3, "intrusion-set": 4, "course-of-action": 4,
              "campaign": 2, "x-mitre-data-source": 2, "x-mitre-data-component": 3}
    for obj in objects:
        kind = obj["type"]
        if kind == "attack-pattern":
            kind = "revoked" if obj.get("revoked") else "deprecated" if obj.get("x_mitre_deprecated") else kind
        if kind in ("identity", "marking-definition", "x-mitre-matrix", "x-mitre-tactic") or \
                per_kind.get(kind, 0) < limits.get(kind, 3 if kind in ("revoked", "deprecated") else 0):
            per_kind[kind] = per_kind.get(kind, 0) + 1
            picked.append(obj)
    ids = {obj["id"] for obj in picked}
    related = [obj for obj in objects if obj["type"] == "relationship"
               and obj["source_ref"] in ids and obj["target_ref"] in ids]
    return copy.deepcopy(picked + related[:40])


def bundle(objects: list[dict], spec_version: str | None = None) -> bytes:
    """``objects`` as a bundle; ``spec_version="2.1"`` gives the form attack-stix-data publishes."""
    if spec_version == "2.1":
        objects = [stix.upgrade_from_20(obj) for obj in objects]
    return json.dumps({"type": "bundle", "id": "bundle--1e532e16-dc33-4c7b-be64-428c93ef3b46",
                       **({"spec_version": "2.0"} if spec_version is None else {}), "objects": objects}).encode()


@pytest.fixture
def mitre(tmp_path):
    """A loopback stand-in for MITRE's site: ``mitre.publish(bytes)`` changes what it serves."""
    root = tmp_path / "mirror"
    root.mkdir()

    class Site:
        objects = attack_slice()
        cache = tmp_path / "data" / "feeds"  # where the command keeps its copies too

        @staticmethod
        def publish(content: bytes) -> None:
            (root / "enterprise-attack.json").write_bytes(content)

    Site.publish(bundle(Site.objects, "2.1"))
    with feed_site(root, DATA_DIR=tmp_path / "data"):
        yield Site


def sync(site):
    return actions.sync_feeds(feeds_wanted=[Feed.ATTACK], folder=site.cache)


def attack_versions():
    return StixObject.objects.filter(collection__alias=ALIAS)


def test_first_sync_stores_the_collection_and_the_next_answers_304_storing_nothing(sector, mitre):
    first = sync(mitre)
    assert first.sources == {"attack:enterprise": "downloaded"}
    assert first.imported.added == {"attack": len(mitre.objects)}
    collection = Collection.objects.get(alias=ALIAS)
    assert attack_versions().count() == len(mitre.objects)
    assert collection.default_tlp == "CLEAR" and collection.can_read(sector.bank_analyst)
    # revoked and deprecated techniques are kept as MITRE marks them
    revoked = next(o for o in mitre.objects if o.get("revoked"))
    deprecated = next(o for o in mitre.objects if o.get("x_mitre_deprecated"))
    assert json.loads(attack_versions().get(stix_id=revoked["id"]).body)["revoked"] is True
    assert json.loads(attack_versions().get(stix_id=deprecated["id"]).body)["x_mitre_deprecated"] is True
    state = FeedState.objects.get(feed=Feed.ATTACK, source="enterprise")
    assert state.etag and state.sha256 and state.imported_at and state.records == len(mitre.objects)
    assert state.url.endswith("/enterprise-attack.json")

    statuses = AddStatus.objects.count()
    second = sync(mitre)
    assert second.sources == {"attack:enterprise": "unchanged (304)"} and second.imported is None
    assert FeedHandler.requests[-1][1].get("If-None-Match") == state.etag
    assert attack_versions().count() == len(mitre.objects) and AddStatus.objects.count() == statuses


def test_a_new_release_stores_only_the_changed_object(sector, mitre, monkeypatch):
    sync(mitre)
    technique = next(o for o in mitre.objects if o["type"] == "attack-pattern" and not o.get("revoked"))
    technique.update(modified="2024-10-31T12:00:00.000Z", description=technique["description"] + " (revised)")
    mitre.publish(bundle(mitre.objects, "2.1"))
    validated = []
    real_validate = stix.validate_many
    monkeypatch.setattr(stix, "validate_many", lambda objs, **kw: validated.extend(objs) or real_validate(objs, **kw))

    report = sync(mitre)
    assert report.sources == {"attack:enterprise": "downloaded"}
    assert report.imported.added == {"attack": 1} and report.imported.unchanged == {"attack": len(mitre.objects) - 1}
    assert [o["id"] for o in validated] == [technique["id"]]  # what is already held is not validated again
    assert attack_versions().count() == len(mitre.objects) + 1
    versions = attack_versions().filter(stix_id=technique["id"])
    assert versions.count() == 2
    assert versions.get(is_latest=True).version_text == "2024-10-31T12:00:00.000Z"


def test_an_interrupted_download_resumes(sector, mitre):
    FeedHandler.cut_after = 5000
    broken = sync(mitre)
    assert broken.sources["attack:enterprise"].startswith("failed:") and "resume" in broken.sources["attack:enterprise"]
    assert not Collection.objects.filter(alias=ALIAS).exists()

    resumed = sync(mitre)
    assert resumed.sources == {"attack:enterprise": "downloaded"}
    assert FeedHandler.requests[-1][1].get("Range") == "bytes=5000-"
    assert attack_versions().count() == len(mitre.objects)


def test_a_malformed_bundle_is_refused_naming_the_problem_and_nothing_is_stored(sector, mitre):
    broken = copy.deepcopy(mitre.objects)
    technique = next(o for o in broken if o["type"] == "attack-pattern")
    del technique["name"]
    mitre.publish(bundle(broken, "2.1"))

    report = sync(mitre)
    status = report.sources["attack:enterprise"]
    assert status.startswith("rejected:") and technique["id"] in status and "'name'" in status
    assert report.imported is None
    assert not Collection.objects.filter(alias=ALIAS).exists() and not StixObject.objects.exists()
    state = FeedState.objects.get(feed=Feed.ATTACK)
    assert state.message == status and not state.imported_at

    # The source has not changed: the copy kept from the refused download is tried again, not fetched.
    again = sync(mitre)
    assert again.sources["attack:enterprise"].startswith("rejected:")
    assert FeedHandler.requests[-1][1].get("If-None-Match") == state.etag

    # The operator's command fails, saying why.
    mitre.publish(b'{"type": "bundle", "objects": [')
    with pytest.raises(CommandError, match=r"attack:enterprise rejected: .*not valid JSON \(line 1 column 32"):
        call_command("feeds", "sync", "--feed", "attack", stdout=io.StringIO(), stderr=io.StringIO())

    # MITRE publishes a good bundle again: it is imported.
    mitre.publish(bundle(mitre.objects, "2.1"))
    fixed = sync(mitre)
    assert fixed.sources == {"attack:enterprise": "downloaded"}
    assert attack_versions().count() == len(mitre.objects)


def test_a_bundle_that_is_not_attack_is_refused(sector, tmp_path):
    other = tmp_path / "other.json"
    other.write_bytes(bundle([stix.upgrade_from_20(o) for o in attack_slice() if o["type"] == "malware"]))
    with pytest.raises(ValidationError, match="not an ATT&CK bundle"):
        intel_actions.import_attack(other)
    assert not StixObject.objects.exists()


def test_without_a_hub_analyst_attack_has_nowhere_to_go(sector, mitre):
    type(sector.hub_analyst).objects.filter(organization=sector.hub).update(is_active=False)
    report = sync(mitre)
    assert "the hub has no active analyst or admin" in report.sources["attack:enterprise"]


def test_without_the_hub_installed_the_feed_is_refused_not_misread(sector, mitre, monkeypatch):
    monkeypatch.setattr(actions, "_loaders", {})
    report = sync(mitre)
    assert report.sources["attack:enterprise"].startswith("rejected:")
    assert "nothing installed stores MITRE ATT&CK Enterprise" in report.sources["attack:enterprise"]


def test_feeds_import_recognises_an_attack_bundle(sector, tmp_path):
    # the real published file, by its first bytes
    assert actions.classify_feed_file(shared_data("intel", "attack", "enterprise-attack-v15.json.gz")) == Feed.ATTACK
    objects = attack_slice()
    path = tmp_path / "enterprise-attack.json.gz"
    path.write_bytes(gzip.compress(bundle(objects)))
    out = io.StringIO()
    call_command("feeds", "import", str(path), stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["added"] == {"attack": len(objects)}
    assert attack_versions().count() == len(objects)
    state = FeedState.objects.get(feed=Feed.ATTACK, source="file:enterprise-attack.json.gz")
    assert state.records == len(objects)
    again = actions.import_feeds(path)
    assert dict(again.added) == {"attack": 0} and dict(again.unchanged) == {"attack": len(objects)}
    # an OSV record still reads as OSV
    osv = tmp_path / "osv.json"
    osv.write_text(json.dumps({"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-01T00:00:00Z"}))
    assert actions.classify_feed_file(osv) == Feed.OSV


def test_status_page_and_api_show_the_attack_source(sector, mitre, client):
    sync(mitre)
    out = io.StringIO()
    call_command("feeds", "status", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("attack:enterprise"))
    assert "MITRE ATT&CK Enterprise" in line and "/enterprise-attack.json" in line
    assert f"{len(mitre.objects)} records" in line

    client.force_login(sector.bank_analyst)
    page = client.get("/sbom/feeds/")
    assert page.status_code == 200
    assert b'data-feed="attack"' in page.content and b"MITRE ATT&amp;CK Enterprise" in page.content
    api = sector.client(sector.bank_analyst).get("/api/sbom/feeds/").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [r["source"] for r in rows if r["feed"] == "attack"] == ["enterprise"]


def test_the_official_source_is_mitres_stix_21_publication():
    assert actions.FEED_URLS["attack"] == ("https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/"
                                           "enterprise-attack/enterprise-attack.json")
    assert Feed.ATTACK in actions.SYNCED_FEEDS


def test_attack_import_command_lists_the_problems_and_stores_nothing(sector, tmp_path):
    objects = attack_slice()
    for technique in [o for o in objects if o["type"] == "attack-pattern"][:2]:
        del technique["name"]
    path = tmp_path / "enterprise-attack.json"
    path.write_bytes(bundle(objects))
    err = io.StringIO()
    refused = r"2 problem\(s\) in the ATT&CK bundle, nothing was stored; first: attack-pattern--"
    with pytest.raises(CommandError, match=refused):
        call_command("intel", "attack-import", str(path), stdout=io.StringIO(), stderr=err)
    assert "'name'" in err.getvalue()  # the second problem, listed
    assert not StixObject.objects.exists()
    # once the collection exists, only its writers (the hub) load into it
    path.write_bytes(bundle(attack_slice()))
    call_command("intel", "attack-import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="bank-analyst may not write"):
        call_command("intel", "attack-import", str(path), "--as", "bank-analyst", stdout=io.StringIO(),
                     stderr=io.StringIO())
