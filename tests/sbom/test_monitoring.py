"""Continuous monitoring: feed import is incremental, re-match touches only what changed, owners
are told, KEV/EPSS re-rank, and ``sync_feeds`` speaks HTTP conditionally and resumes."""

import json

import pytest

from forceb.core.models import Notification
from forceb.sbom import actions, queries
from forceb.sbom.models import Advisory, AdvisoryAlias, Epss, FeedState, Finding, Kev
from tests.conftest import shared_data
from tests.feedsite import FeedHandler, feed_site

from . import kb


@pytest.fixture
def portfolio(sector, tmp_path):
    """Bank A: two systems using Django 3.2.0 and one using none of the advisories' packages;
    Insurer B: one system using lodash only."""
    kb.load(tmp_path)
    sboms = {
        "bank-django": actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank, "Core"), kb.cyclonedx(), "a"),
        "bank-other": actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank, "Portal"),
                                          kb.cyclonedx(django="4.2.0", lodash="4.17.21", gin="1.9.0"), "b"),
        "insurer": actions.ingest_sbom(sector.insurer_analyst, kb.system(sector.insurer, "Claims"),
                                       kb.cyclonedx(django="4.2.0", gin="1.9.0"), "c"),
    }
    sector.sboms = sboms
    sector.tmp = tmp_path
    return sector


def test_reimporting_unchanged_feeds_changes_nothing(portfolio):
    report = actions.import_feeds(kb.write_feeds(portfolio.tmp / "again"))
    assert report.added == {} or not any(report.added.values())
    assert report.changed.get("osv", 0) == 0 and report.unchanged["osv"] == len(kb.ADVISORIES)
    assert report.rematch.sboms == []
    assert AdvisoryAlias.objects.filter(alias="CVE-2099-0001").count() == 1


def test_a_new_advisory_rematches_only_the_sboms_it_touches_and_tells_their_owners(portfolio):
    notified_before = Notification.objects.count()
    new = kb.advisory("PYSEC-TEST-9", "PyPI", "django", "4.0.0", introduced="3.0", aliases=["CVE-2099-0009"],
                      cvss=kb.CVSS_HIGH)
    report = actions.import_feeds(kb.write_feeds(portfolio.tmp / "more", [*kb.ADVISORIES, new]))
    assert report.added["osv"] == 1 and report.changed["osv"] == 0
    # Django 3.2.0 is in range; 4.2.0 (Portal, Claims) is not: only Core is re-matched
    assert report.rematch.sboms == [portfolio.sboms["bank-django"].pk]
    assert report.rematch.new_findings == 1
    assert Finding.objects.filter(vuln_id="PYSEC-TEST-9").get().sbom == portfolio.sboms["bank-django"]
    note = Notification.objects.exclude(pk__lte=notified_before).get()
    assert note.organization == portfolio.bank and "1 new vulnerability in Core" in note.title
    assert note.link.endswith(f"/sbom/sboms/{portfolio.sboms['bank-django'].pk}/")


def test_touched_sboms_come_from_the_package_index_then_the_ranges(portfolio):
    lodash_everywhere = kb.advisory("GHSA-test-8", "npm", "lodash", "9.0.0", aliases=["CVE-2099-0008"])
    actions._store_advisories([actions.feeds.parse_osv(lodash_everywhere)], actions.FeedReport())
    assert actions.sboms_touched(["GHSA-test-8"]) == {s.pk for s in portfolio.sboms.values()}
    nobody = kb.advisory("GHSA-test-7", "npm", "lodash", "1.0.0", introduced="0.9.0")
    actions._store_advisories([actions.feeds.parse_osv(nobody)], actions.FeedReport())
    assert actions.sboms_touched(["GHSA-test-7"]) == set()


def test_a_changed_range_clears_findings_and_a_withdrawal_too(portfolio):
    core = portfolio.sboms["bank-django"]
    assert core.findings.filter(vuln_id="PYSEC-TEST-1").exists()
    narrowed = [a if a["id"] != "PYSEC-TEST-1" else kb.advisory(
        "PYSEC-TEST-1", "PyPI", "django", "3.2.5", introduced="3.2.1", aliases=["CVE-2099-0001"],
        cvss=kb.CVSS_CRITICAL) for a in kb.ADVISORIES]
    report = actions.import_feeds(kb.write_feeds(portfolio.tmp / "narrow", narrowed))
    assert report.changed["osv"] == 1 and report.rematch.sboms == [core.pk]
    assert not core.findings.filter(vuln_id="PYSEC-TEST-1").exists()

    withdrawn = [a if a["id"] != "GHSA-test-2" else {**a, "withdrawn": "2099-02-01T00:00:00Z"} for a in narrowed]
    actions.import_feeds(kb.write_feeds(portfolio.tmp / "withdrawn", withdrawn))
    assert not Finding.objects.filter(vuln_id="GHSA-test-2").exists()
    assert Advisory.objects.get(osv_id="GHSA-test-2").is_withdrawn


def test_a_debian_release_advisory_reaches_the_components_of_that_release(portfolio):
    def libssl(distro):
        return {"bom-ref": "libssl3", "type": "library", "name": "libssl3", "version": "3.0.11-1~deb12u1",
                "purl": f"pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro={distro}&upstream=openssl"}

    bookworm = actions.ingest_sbom(portfolio.bank_analyst, kb.system(portfolio.bank, "Gateway"),
                                   kb.cyclonedx(extra=[libssl("debian-12")]), "d")
    bullseye = actions.ingest_sbom(portfolio.insurer_analyst, kb.system(portfolio.insurer, "Mail"),
                                   kb.cyclonedx(extra=[libssl("debian-11")]), "e")
    row = bookworm.components.get(ref="libssl3")
    assert (row.ecosystem, row.package) == ("Debian:12", "openssl")  # as Debian's advisories name it
    dsa = {"id": "DSA-TEST-5", "modified": "2024-01-01T00:00:00Z", "summary": "openssl in bookworm",
           "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
                         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}]}
    report = actions.import_feeds(kb.write_feeds(portfolio.tmp / "debian", [*kb.ADVISORIES, dsa]))
    # found through the package index: the bookworm system only, not the bullseye one
    assert report.rematch.sboms == [bookworm.pk]
    finding = Finding.objects.get(vuln_id="DSA-TEST-5")
    assert finding.sbom == bookworm and finding.upgrade_to == "3.0.11-1~deb12u2"
    assert not bullseye.findings.filter(vuln_id="DSA-TEST-5").exists()
    bookworm.refresh_from_db()
    assert bookworm.scan_summary["by_ecosystem"]["Debian:12"]["matched"] == 1
    # "where is it used", asked without a release, finds the package in every release
    usage = queries.component_usage(portfolio.bank_analyst, "pkg:deb/debian/openssl")
    assert [(u["ecosystem"], u["package"]) for u in usage] == [("Debian:12", "openssl")]


def test_migration_rekeys_distribution_packages_stored_before_releases(portfolio):
    import importlib

    from django.apps import apps

    from forceb.sbom.models import Component

    migration = importlib.import_module("forceb.sbom.migrations.0005_distribution_release_packages")
    purl = "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12&upstream=openssl"
    sbom = actions.ingest_sbom(portfolio.bank_analyst, kb.system(portfolio.bank, "Gateway"), kb.cyclonedx(extra=[
        {"bom-ref": "libssl3", "type": "library", "name": "libssl3", "version": "3.0.11-1~deb12u1", "purl": purl}]), "d")
    sbom.components.filter(ref="libssl3").update(ecosystem="Debian", package="libssl3")  # as stored before
    migration.rekey_distribution_packages(apps, None)
    assert Component.objects.filter(purl=purl).values_list("ecosystem", "package").get() == ("Debian:12", "openssl")
    assert Component.objects.get(sbom=sbom, ref="django").package == "django"  # others untouched


def test_kev_and_epss_changes_rerank_existing_findings(portfolio, tmp_path):
    core = portfolio.sboms["bank-django"]
    assert list(core.findings.with_priority().order_by("priority").values_list("vuln_id", flat=True)) == [
        "GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]
    kev = {**kb.KEV, "vulnerabilities": [*kb.KEV["vulnerabilities"], {
        "cveID": "CVE-2099-0001", "vendorProject": "django", "product": "django", "vulnerabilityName": "t",
        "dateAdded": "2098-12-01", "dueDate": "2098-12-22", "knownRansomwareCampaignUse": "Unknown"}]}
    folder = tmp_path / "kev"
    folder.mkdir()
    (folder / "known_exploited_vulnerabilities.json").write_text(json.dumps(kev))
    report = actions.import_feeds(folder)
    assert report.added["kev"] == 1 and core.pk in report.rematch.sboms
    # both KEV now: the one with EPSS 0.10 goes before the one without EPSS
    assert list(core.findings.with_priority().order_by("priority").values_list("vuln_id", flat=True)) == [
        "PYSEC-TEST-1", "GO-TEST-3", "GHSA-test-2"]
    assert list(Finding.objects.filter(sbom=core).values_list("vuln_id", flat=True)) == [
        "PYSEC-TEST-1", "GO-TEST-3", "GHSA-test-2"]  # the model's default order is the same ranking
    (folder / "known_exploited_vulnerabilities.json").unlink()
    (folder / "epss.csv").write_text("cve,epss,percentile\nCVE-2099-0003,0.99,0.999\n")
    actions.import_feeds(folder)
    assert Epss.objects.get(cve="CVE-2099-0003").score == 0.99
    assert core.findings.get(vuln_id="GO-TEST-3").epss == 0.99
    assert core.findings.with_priority().get(vuln_id="GO-TEST-3").priority == 1


def test_real_feed_files_import(sector):
    report = actions.import_feeds(shared_data("vuln", "kev", "known_exploited_vulnerabilities.json"))
    assert report.added["kev"] == Kev.objects.count() > 1000
    epss = actions.import_feeds(shared_data("vuln", "epss"))
    assert epss.added["epss"] == Epss.objects.count() > 30
    assert Epss.objects.exclude(score_date="2026-01-02T12:55:00Z").count() == 0


def test_bad_feed_file_is_refused_naming_the_place(sector, tmp_path):
    bad = tmp_path / "epss.csv"
    bad.write_text("cve,epss\nCVE-1,2.0\n")
    with pytest.raises(actions.ValidationError, match="epss.csv:2"):
        actions.import_feeds(bad)
    assert Epss.objects.count() == 0


# --------------------------------------------------------------------------------------------
# sync against a local server (ATT&CK's sync is tested in tests/intel/test_attack_feed.py)

VULNERABILITY_FEEDS = ("osv", "kev", "epss")


@pytest.fixture
def feed_server(tmp_path):
    root = tmp_path / "mirror"
    (root / "PyPI").mkdir(parents=True)
    feeds_dir = kb.write_feeds(tmp_path / "src")
    # OSV publishes one zip per ecosystem, one JSON per record
    import zipfile

    with zipfile.ZipFile(root / "PyPI" / "all.zip", "w") as archive:
        for record in kb.ADVISORIES:
            archive.writestr(f"{record['id']}.json", json.dumps(record))
    (root / "kev.json").write_bytes((feeds_dir / "known_exploited_vulnerabilities.json").read_bytes())
    (root / "epss.csv").write_text(kb.EPSS + "".join(f"CVE-2098-{i:04d},0.0{i % 10},0.5\n" for i in range(3000)))
    with feed_site(root):
        yield root


def test_sync_downloads_imports_then_fetches_only_what_changed(sector, feed_server, tmp_path):
    folder = tmp_path / "cache"
    first = actions.sync_feeds(feeds_wanted=VULNERABILITY_FEEDS, ecosystems=["PyPI"], folder=folder)
    assert first.sources == {"osv:PyPI": "downloaded", "kev:catalogue": "downloaded", "epss:scores": "downloaded"}
    assert Advisory.objects.count() == len(kb.ADVISORIES) and Kev.objects.count() == 1
    assert Epss.objects.count() == 3002
    state = FeedState.objects.get(feed="osv", source="PyPI")
    assert state.etag and state.imported_at and state.sha256

    second = actions.sync_feeds(feeds_wanted=VULNERABILITY_FEEDS, ecosystems=["PyPI"], folder=folder)
    assert set(second.sources.values()) == {"unchanged (304)"} and second.imported is None
    assert any(h.get("If-None-Match") == state.etag for _, h in FeedHandler.requests[-3:])


def test_sync_fetches_a_distribution_whose_name_has_a_space(sector, feed_server, tmp_path):
    import zipfile

    rlsa = {"id": "RLSA-TEST-1", "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "Rocky Linux:9", "name": "openssl"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]}]}
    (feed_server / "Rocky Linux").mkdir()
    with zipfile.ZipFile(feed_server / "Rocky Linux" / "all.zip", "w") as archive:
        archive.writestr("RLSA-TEST-1.json", json.dumps(rlsa))
    report = actions.sync_feeds(feeds_wanted=["osv"], ecosystems=["Rocky Linux"], folder=tmp_path / "cache")
    assert report.sources == {"osv:Rocky Linux": "downloaded"}
    assert Advisory.objects.get(osv_id="RLSA-TEST-1").ecosystems == ["Rocky Linux:9"]


def test_sync_resumes_an_interrupted_download(sector, feed_server, tmp_path):
    folder = tmp_path / "cache"
    FeedHandler.cut_after = 1000
    broken = actions.sync_feeds(feeds_wanted=["epss"], folder=folder)
    assert broken.sources["epss:scores"].startswith("failed:") and "resume" in broken.sources["epss:scores"]
    assert Epss.objects.count() == 0
    resumed = actions.sync_feeds(feeds_wanted=["epss"], folder=folder)
    assert resumed.sources["epss:scores"] == "downloaded"
    assert FeedHandler.requests[-1][1].get("Range") == "bytes=1000-"
    assert Epss.objects.count() == 3002


def test_sync_lists_osv_ecosystems_it_can_order(sector, feed_server):
    (feed_server / "ecosystems.txt").write_text("PyPI\nnpm\nDebian\nDebian:12\nGo\nAlpine\n")
    # a distribution's all.zip holds the records of every release ("Debian:12" is within "Debian")
    assert actions.osv_ecosystems() == ["PyPI", "npm", "Debian", "Go", "Alpine"]


def test_tasks_run_the_same_actions(portfolio):
    from forceb.sbom import tasks

    lodash = kb.advisory("GHSA-test-6", "npm", "lodash", "4.17.20", aliases=["CVE-2099-0006"])
    actions._store_advisories([actions.feeds.parse_osv(lodash)], actions.FeedReport())
    result = tasks.rematch_task.enqueue(["GHSA-test-6"])  # the test settings run tasks immediately
    # lodash 4.17.15 (Core, Claims) is affected, 4.17.21 (Portal) is not
    assert result.return_value["sboms"] == sorted([portfolio.sboms["bank-django"].pk, portfolio.sboms["insurer"].pk])
    assert result.return_value["new_findings"] == 2
    assert tasks.match_sbom_task.enqueue(portfolio.sboms["insurer"].pk).return_value == 0


def _answers(matcher, purl):
    return {f.id for f in matcher.match([purl]).findings}


def test_the_matcher_follows_feed_changes_as_deltas_not_rebuilds(portfolio, monkeypatch):
    from forceb.sbom import matching

    engine = queries.matcher()
    assert _answers(engine, "pkg:pypi/django@3.2.0") == {"PYSEC-TEST-1"}
    built = []
    monkeypatch.setattr(matching.Matcher, "__init__", lambda *a, **k: built.append(a) or pytest.fail("rebuilt"))

    widened = [a if a["id"] != "PYSEC-TEST-1" else kb.advisory(
        "PYSEC-TEST-1", "PyPI", "django", "5.0.0", aliases=["CVE-2099-0001"], cvss=kb.CVSS_CRITICAL)
        for a in kb.ADVISORIES]
    new = kb.advisory("PYSEC-TEST-9", "PyPI", "django", "4.0.0", introduced="3.0", aliases=["CVE-2099-0009"])
    actions.import_feeds(kb.write_feeds(portfolio.tmp / "delta", [*widened, new]), rematch=False)
    assert queries.matcher() is engine
    assert _answers(engine, "pkg:pypi/django@4.2.0") == {"PYSEC-TEST-1"}  # the widened range
    assert _answers(engine, "pkg:pypi/django@3.5.0") == {"PYSEC-TEST-1", "PYSEC-TEST-9"}

    Advisory.objects.filter(osv_id="PYSEC-TEST-9").delete()
    assert queries.matcher() is engine
    assert _answers(engine, "pkg:pypi/django@3.5.0") == {"PYSEC-TEST-1"}
    assert built == []


def test_the_matcher_sees_a_kev_listing_without_rebuilding(portfolio):
    from forceb.sbom import queries

    engine = queries.matcher()
    [before] = engine.match(["pkg:npm/lodash@4.17.15"]).findings
    assert not before.kev
    listed = {**kb.KEV, "vulnerabilities": [*kb.KEV["vulnerabilities"], {
        **kb.KEV["vulnerabilities"][0], "cveID": "CVE-2099-0002", "dueDate": "2099-03-01"}]}
    folder = portfolio.tmp / "kev"
    folder.mkdir()
    (folder / "known_exploited_vulnerabilities.json").write_text(json.dumps(listed))
    actions.import_feeds(folder, rematch=False)
    assert queries.matcher() is engine
    [after] = engine.match(["pkg:npm/lodash@4.17.15"]).findings
    assert after.kev and str(after.kev_due_date) == "2099-03-01"


def test_an_advisory_stamped_in_the_past_is_still_seen(portfolio, monkeypatch):
    """A clock that went backwards (or a batch committed late) must not hide a row from the matcher."""
    import time_machine

    from forceb.sbom import queries

    engine = queries.matcher()
    with time_machine.travel("2001-01-01T00:00:00Z"):
        late = kb.advisory("PYSEC-TEST-8", "PyPI", "django", "9.0.0", aliases=["CVE-2099-0088"])
        actions._store_advisories([actions.feeds.parse_osv(late)], actions.FeedReport())
    assert queries.matcher() is engine
    assert "PYSEC-TEST-8" in _answers(engine, "pkg:pypi/django@4.2.0")


def test_the_incremental_rematch_visits_only_touched_components_and_keeps_the_summary_exact(portfolio):
    core, portal = portfolio.sboms["bank-django"], portfolio.sboms["bank-other"]
    untouched = core.findings.get(vuln_id="GHSA-test-2")  # lodash: the new advisory names Django only
    summary_before = dict(core.scan_summary)
    new = kb.advisory("PYSEC-TEST-9", "PyPI", "django", "4.0.0", introduced="3.0", aliases=["CVE-2099-0009"])
    actions._store_advisories([actions.feeds.parse_osv(new)], actions.FeedReport())

    django = core.components.get(name__iexact="django")
    assert actions.components_touched(["PYSEC-TEST-9"]) == {core.pk: {django.pk}}  # 4.2.0 elsewhere: not in range
    report = actions.rematch_for_advisories(["PYSEC-TEST-9"])
    assert report.sboms == [core.pk] and report.new_findings == 1

    core.refresh_from_db()
    assert core.findings.get(pk=untouched.pk).updated == untouched.updated
    assert core.scan_summary["findings"] == summary_before["findings"] + 1
    incremental = core.scan_summary
    actions.match_sbom(core)
    core.refresh_from_db()
    assert core.scan_summary == incremental
    assert portal.findings.filter(vuln_id="PYSEC-TEST-9").count() == 0


def test_an_advisory_joining_a_known_vulnerability_re_ranks_and_re_describes_like_a_full_match(portfolio):
    """PYSEC-TEST-9 names CVE-2099-0003, already known (GO-TEST-3, KEV-listed): its new finding ranks
    first, every other finding moves down, and GO-TEST-3's findings gain an alias."""
    core = portfolio.sboms["bank-django"]
    new = kb.advisory("PYSEC-TEST-9", "PyPI", "django", "4.0.0", introduced="3.0", aliases=["CVE-2099-0003"])
    actions._store_advisories([actions.feeds.parse_osv(new)], actions.FeedReport())
    actions.rematch_for_advisories(["PYSEC-TEST-9"])

    def described():
        return {(f.component_id, f.vuln_id): (f.priority, tuple(f.aliases), f.kev, f.severity)
                for f in Finding.objects.filter(sbom=core).with_priority()}

    incremental = described()
    assert incremental[next(k for k in incremental if k[1] == "PYSEC-TEST-9")][2] is True  # KEV through the alias
    assert "PYSEC-TEST-9" in next(v for k, v in incremental.items() if k[1] == "GO-TEST-3")[1]
    actions.match_sbom(core)
    assert described() == incremental
