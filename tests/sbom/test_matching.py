"""The matcher: OSV range semantics, honesty about what was not scanned, ranking, incremental updates."""

from __future__ import annotations

import json
import random
from pathlib import Path

import nodesemver
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version

from forceb.sbom.feeds import (
    EpssData,
    EpssScore,
    KevCatalog,
    KevEntry,
    KnowledgeBase,
    load_epss,
    load_kev,
    load_osv,
    parse_osv,
)
from forceb.sbom.matching import Matcher, Portfolio, package_of_purl, sboms_touched, urgency
from forceb.sbom.readers import read_sbom_file
from tests.conftest import shared_data

HERE = Path(__file__).parent / "data"


def shared_vuln() -> Path:
    return shared_data("vuln")


def adv(vid, eco, name, *ranges, versions=None, aliases=(), rtype=None, **extra):
    rtype = rtype or ("ECOSYSTEM" if eco == "PyPI" else "SEMVER")
    affected = {"package": {"ecosystem": eco, "name": name},
                "ranges": [{"type": rtype, "events": list(events)} for events in ranges]}
    if versions is not None:
        affected["versions"] = list(versions)
    return parse_osv({"id": vid, "modified": "2024-01-01T00:00:00Z", "aliases": list(aliases),
                      "affected": [affected], **extra})


def ids(matcher, purl):
    _, findings = matcher.match_component(purl)
    return {f.id for f in findings}


# --- OSV range semantics ------------------------------------------------------------------------


def test_open_ended_range_matches_everything_after_introduced():
    # the peer misses this shape: introduced with no fixed
    m = Matcher([adv("OPEN-1", "PyPI", "demo", [{"introduced": "1.2"}])])
    assert ids(m, "pkg:pypi/demo@1.1") == set()
    assert ids(m, "pkg:pypi/demo@1.2") == {"OPEN-1"}
    assert ids(m, "pkg:pypi/demo@99.0") == {"OPEN-1"}


def test_several_ranges_are_not_merged():
    # the peer merges these into one malformed range and flags the fixed 1.5 line
    m = Matcher([adv("MULTI-1", "npm", "demo", [{"introduced": "1.0.0"}, {"fixed": "1.5.0"}],
                     [{"introduced": "2.0.0"}, {"fixed": "2.3.1"}])])
    assert ids(m, "pkg:npm/demo@1.4.9") == {"MULTI-1"}
    assert ids(m, "pkg:npm/demo@1.5.0") == set()
    assert ids(m, "pkg:npm/demo@1.9.9") == set()
    assert ids(m, "pkg:npm/demo@2.3.0") == {"MULTI-1"}
    assert ids(m, "pkg:npm/demo@2.3.1") == set()


def test_several_pairs_in_one_range():
    m = Matcher([adv("PAIRS-1", "Go", "example.com/mod",
                     [{"introduced": "0"}, {"fixed": "1.2.0"}, {"introduced": "1.4.0"}, {"fixed": "1.4.3"}])])
    assert ids(m, "pkg:golang/example.com/mod@v1.1.9") == {"PAIRS-1"}
    assert ids(m, "pkg:golang/example.com/mod@v1.3.0") == set()
    assert ids(m, "pkg:golang/example.com/mod@v1.4.2") == {"PAIRS-1"}
    assert ids(m, "pkg:golang/example.com/mod@v1.4.3") == set()


def test_last_affected_is_inclusive_and_fixed_exclusive():
    m = Matcher([adv("LA-1", "PyPI", "demo", [{"introduced": "0"}, {"last_affected": "2.0"}])])
    assert ids(m, "pkg:pypi/demo@2.0") == {"LA-1"}
    assert ids(m, "pkg:pypi/demo@2.0.post1") == set()
    m = Matcher([adv("FX-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0"}])])
    assert ids(m, "pkg:pypi/demo@2.0rc1") == {"FX-1"}  # pre-release of the fix is still affected
    assert ids(m, "pkg:pypi/demo@2.0") == set()


def test_limit_caps_the_range():
    m = Matcher([adv("LIM-1", "npm", "demo", [{"introduced": "1.0.0"}, {"limit": "3.0.0"}])])
    assert ids(m, "pkg:npm/demo@2.9.9") == {"LIM-1"}
    assert ids(m, "pkg:npm/demo@3.0.0") == set()


def test_events_out_of_order_are_sorted_first():
    m = Matcher([adv("ORD-1", "PyPI", "demo", [{"fixed": "3.0"}, {"introduced": "2.0"}])])
    assert ids(m, "pkg:pypi/demo@2.5") == {"ORD-1"}
    assert ids(m, "pkg:pypi/demo@1.0") == set()


def test_explicit_versions_list_and_pep440_equivalence():
    m = Matcher([adv("LIST-1", "PyPI", "demo", versions=["1.0", "1.1"])])
    assert ids(m, "pkg:pypi/demo@1.0.0") == {"LIST-1"}  # 1.0 == 1.0.0 under PEP 440
    assert ids(m, "pkg:pypi/demo@1.0.1") == set()


def test_epochs_post_and_local_versions():
    m = Matcher([adv("EPOCH-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0.post1"}])])
    assert ids(m, "pkg:pypi/demo@2.0") == {"EPOCH-1"}
    assert ids(m, "pkg:pypi/demo@2.0%2Bubuntu1") == {"EPOCH-1"}  # local version sorts just after 2.0
    assert ids(m, "pkg:pypi/demo@2.0.post1") == set()
    assert ids(m, "pkg:pypi/demo@1!1.0") == set()  # epoch 1 is newer than any epoch-0 version


def test_go_pseudo_versions_and_incompatible_in_ranges():
    m = Matcher([adv("GO-T-1", "Go", "github.com/docker/docker", [{"introduced": "0"}, {"fixed": "20.10.14"}])])
    assert ids(m, "pkg:golang/github.com/docker/docker@v20.10.12%2Bincompatible") == {"GO-T-1"}
    assert ids(m, "pkg:golang/github.com/docker/docker@v20.10.14%2Bincompatible") == set()
    m = Matcher([adv("GO-T-2", "Go", "golang.org/x/net", [{"introduced": "0"}, {"fixed": "0.0.0-20200226121028-0de0cce0169b"}])])
    assert ids(m, "pkg:golang/golang.org/x/net@v0.0.0-20191209160850-c0dbc17a3553") == {"GO-T-2"}
    assert ids(m, "pkg:golang/golang.org/x/net@v0.0.0-20200301022130-244492dfa37a") == set()


def test_name_normalisation_per_ecosystem():
    m = Matcher([adv("N-1", "PyPI", "Foo_Bar", [{"introduced": "0"}]),
                 adv("N-2", "npm", "@scope/pkg", [{"introduced": "0"}]),
                 adv("N-3", "Go", "github.com/BurntSushi/toml", [{"introduced": "0"}])])
    assert ids(m, "pkg:pypi/foo.bar@1.0") == {"N-1"}
    assert ids(m, "pkg:npm/%40scope/pkg@1.0.0") == {"N-2"}
    assert ids(m, "pkg:npm/pkg@1.0.0") == set()  # the unscoped name is another package
    assert ids(m, "pkg:golang/github.com/burntsushi/toml@v0.3.1") == {"N-3"}
    assert ids(m, "pkg:golang/github.com/burntsushi/toml/v2@v2.0.0") == set()


def test_withdrawn_advisories_never_match():
    m = Matcher([adv("W-1", "PyPI", "demo", [{"introduced": "0"}], withdrawn="2024-02-01T00:00:00Z")])
    assert ids(m, "pkg:pypi/demo@1.0") == set()


def test_git_ranges_are_not_guessed():
    m = Matcher([adv("G-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "abc123"}], rtype="GIT")])
    assert ids(m, "pkg:pypi/demo@1.0") == set()


def _osv(vid, eco, name, events, versions=(), rtype="ECOSYSTEM"):
    """An OSV record as the databases publish them for ecosystems ordered by their own rules."""
    return parse_osv({
        "id": vid, "modified": "2024-01-01T00:00:00Z", "aliases": [],
        "affected": [{"package": {"ecosystem": eco, "name": name},
                      "ranges": [{"type": rtype, "events": events}], "versions": list(versions)}],
    })


def test_maven_ecosystem_range_around_its_bounds():
    # the shape of GHSA-jfh8-c2jp-5v3q (Log4Shell): introduced at a beta, fixed at a release
    m = Matcher([_osv("GHSA-TEST-LOG4J", "Maven", "org.apache.logging.log4j:log4j-core",
                      [{"introduced": "2.0-beta9"}, {"fixed": "2.15.0"}])])
    purl = "pkg:maven/org.apache.logging.log4j/log4j-core@{}"
    for version in ("2.0-beta9", "2.0-rc1", "2.0", "2.0.1", "2.14.1", "2.15.0-rc1"):
        assert ids(m, purl.format(version)) == {"GHSA-TEST-LOG4J"}, version
    for version in ("2.0-alpha1", "2.0-beta8", "1.2.17", "2.15.0", "2.15.0.0", "2.16.0"):
        res, findings = m.match_component(purl.format(version))
        assert findings == [] and res.status == "clean", version
    _, (finding,) = m.match_component(purl.format("2.14.1"))
    assert finding.upgrade_to == "2.15.0"
    # an unresolved property is no version: not judged clean
    res, _ = m.match_component(purl.format("${log4j.version}"))
    assert res.status == "indeterminate"


def test_maven_upgrade_prefers_a_release_over_a_milestone():
    m = Matcher([
        _osv("GHSA-TEST-SPRING-1", "Maven", "org.springframework:spring-core",
             [{"introduced": "0"}, {"fixed": "6.0.0-M3"}]),
        _osv("GHSA-TEST-SPRING-2", "Maven", "org.springframework:spring-core",
             [{"introduced": "0"}, {"fixed": "5.3.20"}]),
    ])
    _, findings = m.match_component("pkg:maven/org.springframework/spring-core@5.3.18")
    assert {f.id for f in findings} == {"GHSA-TEST-SPRING-1", "GHSA-TEST-SPRING-2"}
    # 5.3.20 is still inside the first range (fixed only at 6.0.0-M3): the milestone is the way out
    assert findings[0].upgrade_to == "6.0.0-M3"
    assert ids(m, "pkg:maven/org.springframework/spring-core@6.0.0-M2") == {"GHSA-TEST-SPRING-1"}
    assert ids(m, "pkg:maven/org.springframework/spring-core@6.0.0") == set()


def test_nuget_and_rubygems_ranges_with_prereleases():
    m = Matcher([
        _osv("GHSA-TEST-NUGET", "NuGet", "System.Text.Encodings.Web",
             [{"introduced": "4.0.0"}, {"fixed": "4.5.1"}]),
        _osv("GHSA-TEST-GEM", "RubyGems", "rails", [{"introduced": "7.0.0.alpha"}, {"fixed": "7.0.8.1"}]),
    ])
    nuget = "pkg:nuget/System.Text.Encodings.Web@{}"
    assert ids(m, nuget.format("4.5.1-preview1")) == {"GHSA-TEST-NUGET"}
    assert ids(m, nuget.format("4.5.0.1")) == {"GHSA-TEST-NUGET"}
    assert ids(m, nuget.format("4.0.0-rc2")) == set()
    assert ids(m, nuget.format("4.5.1")) == set() and ids(m, nuget.format("4.5.1.0")) == set()
    gem = "pkg:gem/rails@{}"
    assert ids(m, gem.format("7.0.0.rc1")) == {"GHSA-TEST-GEM"}
    assert ids(m, gem.format("7.0.8")) == {"GHSA-TEST-GEM"}
    assert ids(m, gem.format("6.1.7.6")) == set()
    assert ids(m, gem.format("7.0.8.1")) == set() and ids(m, gem.format("7.1.0.beta1")) == set()


def test_debian_release_records_match_by_source_package_and_release():
    # the shape of a Debian security tracker record in OSV: source package, one release, a fix
    m = Matcher([
        _osv("DSA-TEST-12", "Debian:12", "openssl", [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]),
        _osv("DSA-TEST-11", "Debian:11", "openssl", [{"introduced": "0"}, {"fixed": "1.1.1w-0+deb11u1"}]),
    ])
    libssl = "pkg:deb/debian/libssl3@{}?arch=amd64&distro=debian-12&upstream=openssl"
    res, findings = m.match_component(libssl.format("3.0.11-1~deb12u1"))
    assert res.status == "matched" and res.ecosystem == "Debian:12" and [f.id for f in findings] == ["DSA-TEST-12"]
    assert findings[0].upgrade_to == "3.0.11-1~deb12u2"
    for clean in ("3.0.11-1~deb12u2", "3.0.13-1~deb12u1"):
        res, findings = m.match_component(libssl.format(clean))
        assert findings == [] and res.status == "clean", clean
    # the source version in upstream is what the advisory's versions speak of (a binNMU "+b1")
    assert ids(m, "pkg:deb/debian/libssl3@3.0.9-1+b1?distro=debian-12&upstream=openssl%403.0.9-1") == {"DSA-TEST-12"}
    # the Debian 11 record never speaks for Debian 12, nor the other way round
    assert ids(m, "pkg:deb/debian/openssl@1.1.1n-0+deb11u5?distro=debian-11") == {"DSA-TEST-11"}
    assert ids(m, "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-11") == set()


def test_distribution_components_without_a_release_are_never_clean():
    m = Matcher([_osv("DSA-TEST-12", "Debian:12", "openssl", [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}])])
    for purl, why in (
        ("pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64", "no 'distro' qualifier"),
        ("pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-sid", "names no release"),
        ("pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=kali-2024.1", "not a distribution"),
    ):
        res, findings = m.match_component(purl)
        assert findings == [] and res.status == "unsupported" and why in res.reason, purl
    # a release the knowledge base holds no records of is not scanned either
    res, _ = m.match_component("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.12?distro=ubuntu-22.04")
    assert res.status == "unsupported" and res.ecosystem == "Ubuntu:22.04:LTS"
    summary = m.match(["pkg:deb/debian/openssl@3.0.11-1~deb12u1", "pkg:deb/debian/zlib@1.2.13?distro=debian-12"]).summary
    assert summary["by_ecosystem"]["Debian"]["unsupported"] == 1 and summary["by_ecosystem"]["Debian:12"]["clean"] == 1
    assert "'distro'" in summary["unsupported_reasons"]["Debian"]


def test_alpine_branch_records():
    m = Matcher([_osv("ALPINE-TEST-1", "Alpine:v3.18", "musl", [{"introduced": "0"}, {"fixed": "1.2.4-r1"}])])
    musl = "pkg:apk/alpine/musl@{}?arch=x86_64&distro=alpine-3.18.4"
    assert ids(m, musl.format("1.2.4-r0")) == {"ALPINE-TEST-1"}
    assert ids(m, musl.format("1.2.3_git20230424-r0")) == set()
    res, _ = m.match_component(musl.format("1.2.3_git20230424-r0"))
    assert res.status == "indeterminate"  # an apk-only suffix is not ordered, so not judged clean
    for clean in ("1.2.4-r1", "1.2.4-r2", "1.2.5-r0"):
        res, findings = m.match_component(musl.format(clean))
        assert findings == [] and res.status == "clean", clean
    # the origin package names the advisory's package: ssl_client comes from busybox
    m = Matcher([_osv("ALPINE-TEST-2", "Alpine:v3.18", "busybox", [{"introduced": "0"}, {"fixed": "1.36.1-r3"}])])
    assert ids(m, "pkg:apk/alpine/ssl_client@1.36.1-r2?distro=alpine-3.18.4&upstream=busybox") == {"ALPINE-TEST-2"}
    assert ids(m, "pkg:apk/alpine/busybox@1.36.1-r2?distro=alpine-3.19.1") == set()


def test_rpm_distribution_records_by_source_rpm_and_epoch():
    m = Matcher([_osv("RLSA-TEST-1", "Rocky Linux:9", "openssl", [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}])])
    libs = "pkg:rpm/rocky/openssl-libs@{}?arch=x86_64&distro=rocky-9.3&upstream=openssl-{}.src.rpm&epoch=1"
    res, findings = m.match_component(libs.format("3.0.7-24.el9", "3.0.7-24.el9"))
    assert res.status == "matched" and [f.id for f in findings] == ["RLSA-TEST-1"]
    res, findings = m.match_component(libs.format("3.0.7-25.el9_3", "3.0.7-25.el9_3"))
    assert findings == [] and res.status == "clean"
    # without its epoch, 3.0.7-27 would sort below the fix's 1:3.0.7-25: the qualifier is read
    assert ids(m, "pkg:rpm/rocky/openssl@3.0.7-27.el9?distro=rocky-9.3&epoch=1") == set()
    assert ids(m, "pkg:rpm/rocky/openssl@3.0.7-24.el9?distro=rocky-8.9&epoch=1") == set()  # another release
    res, _ = m.match_component("pkg:rpm/redhat/openssl@3.0.7-24.el9?distro=rhel-9.3&epoch=1")
    assert res.status == "unsupported" and "product streams" in res.reason


# --- honesty: nothing unscanned counts as clean --------------------------------------------------


def test_summary_never_counts_unscanned_components_as_clean():
    m = Matcher([adv("S-1", "PyPI", "django", [{"introduced": "0"}, {"fixed": "3.2.1"}])])
    sbom = read_sbom_file(HERE / "cdx-1.5-app.json")
    result = m.match(sbom.components)
    by_ref = {c.ref: c for c in result.components}
    assert by_ref["django"].status == "matched"
    assert by_ref["openssl"].status == "unsupported" and "no 'distro' qualifier" in by_ref["openssl"].reason
    assert by_ref["lodash"].status == "unsupported" and "no advisories" in by_ref["lodash"].reason
    assert by_ref["vendored"].status == "no_purl"
    s = result.summary
    assert s["components"] == len(sbom.components)
    assert s["clean"] == 0
    assert s["no_purl"] == 2 and set(s["without_purl"]) == {"app", "vendored"}
    assert s["by_ecosystem"]["Debian"]["unsupported"] == 1
    assert s["by_ecosystem"]["PyPI"] == {"components": 1, "recognised": 1, "matched": 1, "clean": 0,
                                         "unsupported": 0, "indeterminate": 0}


def test_unparseable_version_is_indeterminate_not_clean():
    m = Matcher([adv("I-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0"}])])
    res, findings = m.match_component("pkg:pypi/demo@not-a-version")
    assert findings == [] and res.status == "indeterminate"
    res, _ = m.match_component("pkg:pypi/demo")
    assert res.status == "indeterminate"
    res, _ = m.match_component("pkg:pypi/other@1.0")
    assert res.status == "clean"


# --- findings: upgrade, aliases, ranking --------------------------------------------------------


def test_upgrade_to_clears_every_known_vulnerability():
    m = Matcher([
        adv("U-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.5"}]),
        # 1.5 itself is inside this second advisory: the upgrade must jump past it
        adv("U-2", "PyPI", "demo", [{"introduced": "1.3"}, {"fixed": "1.7"}]),
        adv("U-3", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.6"}, {"fixed": "2.0rc1"}]),
    ])
    _, findings = m.match_component("pkg:pypi/demo@1.0")
    assert {f.id for f in findings} == {"U-1", "U-3"}
    assert {f.upgrade_to for f in findings} == {"1.7"}
    _, findings = m.match_component("pkg:pypi/demo@1.4")
    assert {f.id for f in findings} == {"U-1", "U-2", "U-3"}
    assert findings[0].upgrade_to == "1.7"


def test_upgrade_is_none_when_no_fix_exists():
    m = Matcher([adv("NF-1", "npm", "demo", [{"introduced": "0"}])])
    _, findings = m.match_component("pkg:npm/demo@1.0.0")
    assert findings[0].upgrade_to is None and findings[0].fixed_versions == ()


def test_alias_records_give_one_finding():
    m = Matcher([
        adv("PYSEC-T-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0"}], aliases=["CVE-2099-1"]),
        adv("GHSA-t-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0.1"}], aliases=["CVE-2099-1"]),
    ])
    _, findings = m.match_component("pkg:pypi/demo@1.0")
    assert len(findings) == 1
    assert "CVE-2099-1" in findings[0].aliases
    assert set(findings[0].fixed_versions) == {"2.0", "2.0.1"}


def test_ranking_kev_then_epss_then_cvss():
    crit = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    low = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"}]
    advisories = [
        adv("R-CVSS", "PyPI", "demo", [{"introduced": "0"}], aliases=["CVE-2099-0010"], severity=crit),
        adv("R-EPSS-LOW", "PyPI", "demo", [{"introduced": "0"}], aliases=["CVE-2099-0002"], severity=crit),
        adv("R-EPSS-HIGH", "PyPI", "demo", [{"introduced": "0"}], aliases=["CVE-2099-0001"], severity=low),
        adv("R-KEV", "PyPI", "demo", [{"introduced": "0"}], aliases=["CVE-2099-0099"], severity=low),
        adv("R-NONE", "PyPI", "demo", [{"introduced": "0"}]),
    ]
    kev = KevCatalog("t", "t", {"CVE-2099-0099": KevEntry("CVE-2099-0099", "v", "p", "n", None, None, "Known")})
    kb = KnowledgeBase.from_advisories(advisories, kev, load_epss(HERE / "epss-synthetic.csv"))
    result = Matcher(kb).match(["pkg:pypi/demo@1.0"])
    assert [f.id for f in result.findings] == ["R-KEV", "R-EPSS-HIGH", "R-EPSS-LOW", "R-CVSS", "R-NONE"]
    assert [f.priority for f in result.findings] == [1, 2, 3, 4, 5]
    top = result.findings[0]
    assert top.kev and top.kev_ransomware and "known exploited" in top.reason and "ransomware" in top.reason
    assert "EPSS 0.910" in result.findings[1].reason
    assert result.findings[3].severity == "critical" and "CVSS 9.8" in result.findings[3].reason
    assert result.findings[4].severity == "unknown"
    doc = result.as_dict()
    for key in ("purl", "id", "aliases", "severity", "cvss_score", "kev", "epss", "fixed_versions", "upgrade_to"):
        assert key in doc["findings"][0]
    json.dumps(doc)  # JSON-ready


# --- incremental --------------------------------------------------------------------------------


def test_update_reports_touched_packages_and_changes_answers():
    m = Matcher([adv("INC-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.0"}])])
    assert ids(m, "pkg:pypi/demo@1.5") == set()
    touched = m.update([adv("INC-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0"}])])
    assert touched == {("PyPI", "demo")}
    assert ids(m, "pkg:pypi/demo@1.5") == {"INC-1"}
    touched = m.update([adv("INC-1", "PyPI", "demo", [{"introduced": "0"}], withdrawn="2024-03-01")])
    assert touched == {("PyPI", "demo")}
    assert ids(m, "pkg:pypi/demo@1.5") == set()
    m.update([adv("INC-2", "npm", "x", [{"introduced": "0"}])])
    assert m.update([], removed=["INC-2"]) == {("npm", "x")}
    assert ids(m, "pkg:npm/x@1.0.0") == set()


def test_sboms_touched_by_one_advisory():
    sboms = {
        "a": ["pkg:pypi/demo@1.0", "pkg:npm/left-pad@1.0.0"],
        "b": ["pkg:pypi/demo@3.0"],
        "c": ["pkg:pypi/Demo@1.9"],
        "d": ["pkg:deb/debian/demo@1.0"],
    }
    new = adv("NEW-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0"}])
    assert sboms_touched(new, sboms) == {"a", "c"}
    pf = Portfolio.from_mapping(sboms)
    pf.remove("a")
    assert pf.touched_by(new) == {"c"}
    assert pf.components_of([("PyPI", "demo")]) == [("b", "pkg:pypi/demo@3.0"), ("c", "pkg:pypi/Demo@1.9")]


def test_purl_names():
    assert package_of_purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")[:3] == (
        "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")
    assert package_of_purl("pkg:golang/github.com/gin-gonic/gin@v1.5.0")[1] == "github.com/gin-gonic/gin"
    assert package_of_purl("pkg:npm/%40angular/core@11.0.0")[1] == "@angular/core"
    assert package_of_purl("pkg:pypi/Django_Rest@1")[1] == "django-rest"


# --- the real advisory set ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    root = shared_vuln()
    advisories = load_osv(root / "osv" / "osv-pypi-go-npmlegacy.jsonl.gz")
    kb = KnowledgeBase.from_advisories(advisories, load_kev(root / "kev" / "known_exploited_vulnerabilities.json"))
    return advisories, Matcher(kb)


@pytest.mark.slow
def test_real_pypi_ranges_agree_with_their_versions_lists(real):
    """pypa's `versions` lists are enumerated from real releases: evaluating the ranges alone (our
    interval code) must put every listed version inside. Two known quirks of the data are left
    out: ranges whose events are written out of order (several ranges merged into one, where the
    list and the OSV evaluation rules disagree), and pre-releases of an `introduced` version, which
    pypa lists although PEP 440 orders them before it. The matcher itself uses list and ranges."""
    advisories, _ = real
    checked = 0

    def order(v):
        return (0,) if v == "0" else (1, Version(v))

    for a in advisories:
        if a.is_withdrawn:
            continue
        for aff in a.affected:
            if aff.ecosystem != "PyPI" or not aff.versions or not aff.ranges:
                continue
            try:
                if any(order(x.version) > order(y.version) for r in aff.ranges for x, y in zip(r.events, r.events[1:], strict=False)):
                    continue
            except InvalidVersion:
                continue
            introduced = {Version(e.version) for r in aff.ranges for e in r.events if e.kind == "introduced" and e.version != "0"}
            m = Matcher([a.__class__(id=a.id, affected=(aff.__class__(aff.ecosystem, aff.name, aff.ranges),))])
            if m.problems:
                continue
            for v in aff.versions:
                try:
                    parsed = Version(v)
                except InvalidVersion:
                    continue
                if parsed.is_prerelease and Version(parsed.base_version) in introduced:
                    continue
                assert ids(m, f"pkg:pypi/{aff.name}@{v}") == {a.id}, (a.id, v)
                checked += 1
    assert checked > 10_000


def test_real_npm_ranges_agree_with_node_semver(real):
    """The npm records keep the original node-semver range strings: our OSV-event evaluation must
    agree with node-semver on release versions around every bound (the 4 records marked inexact by
    the conversion excluded, as SOURCE.md says)."""
    advisories, m = real
    rng = random.Random(7)
    checked = 0
    for a in advisories:
        for aff_raw in _raw_affected(a.id):
            dbs = aff_raw.get("database_specific") or {}
            original = dbs.get("vulnerable_versions")
            if not original or dbs.get("conversion_exact") is False or a.is_withdrawn:
                continue
            name = aff_raw["package"]["name"]
            bounds = {e for r in aff_raw.get("ranges", []) for ev in r["events"] for e in ev.values() if e != "0"}
            probes = set()
            for b in bounds:
                sv = nodesemver.parse(b, loose=True)
                if sv is None:
                    continue
                probes |= {f"{sv.major}.{sv.minor}.{sv.patch}", f"{sv.major}.{sv.minor}.{sv.patch + 1}",
                           f"{sv.major}.{sv.minor + 1}.0", f"{sv.major + 1}.0.0"}
                if sv.patch:
                    probes.add(f"{sv.major}.{sv.minor}.{sv.patch - 1}")
            probes.add(f"0.{rng.randint(0, 9)}.{rng.randint(0, 9)}")
            for v in probes:
                expected = nodesemver.satisfies(v, original, loose=True)
                got = a.id in ids(m, f"pkg:npm/{name.replace('@', '%40')}@{v}")
                assert got == expected, (a.id, original, v)
                checked += 1
    assert checked > 500


_RAW: dict[str, dict] = {}


def _raw_affected(vid: str) -> list[dict]:
    if not _RAW:
        import gzip

        with gzip.open(shared_vuln() / "osv" / "osv-pypi-go-npmlegacy.jsonl.gz", "rt") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec["id"].startswith("x_NSWG"):
                    _RAW[rec["id"]] = rec
    return _RAW.get(vid, {}).get("affected", [])


def test_real_go_bounds(real):
    """Within one affected entry with one range, every Go `introduced` version is affected and
    every `fixed` version is not."""
    advisories, _ = real
    checked = 0
    for a in advisories:
        if a.is_withdrawn or not a.id.startswith("GO-"):
            continue
        for aff in a.affected:
            if aff.ecosystem != "Go" or len(aff.ranges) != 1:
                continue
            m = Matcher([a.__class__(id=a.id, affected=(aff,))])
            events = aff.ranges[0].events
            if len([e for e in events if e.kind == "introduced"]) != 1:
                continue
            for e in events:
                if e.version == "0" or e.kind == "limit":
                    continue
                purl = f"pkg:golang/{aff.name}@v{e.version}"
                got = a.id in ids(m, purl)
                assert got == (e.kind in ("introduced", "last_affected")), (a.id, e)
                checked += 1
    assert checked > 1000


def test_real_withdrawn_records_never_match(real):
    advisories, m = real
    for a in advisories:
        if not a.is_withdrawn:
            continue
        for aff in a.affected:
            for v in aff.versions[:5]:
                _, findings = m.match_component(f"pkg:pypi/{aff.name}@{v}")
                assert a.id not in {f.id for f in findings}


def test_real_kev_findings_rank_first(real):
    _, m = real
    result = m.match(["pkg:pypi/requests@2.0.0", "pkg:pypi/salt@2019.2.0", "pkg:pypi/django@1.11"])
    assert result.findings[0].kev
    kev_ids = [f.id for f in result.findings if f.kev]
    assert {"PYSEC-2020-102", "PYSEC-2020-103"} <= set(kev_ids)
    first_non_kev = next(i for i, f in enumerate(result.findings) if not f.kev)
    assert all(not f.kev for f in result.findings[first_non_kev:])


def test_real_sboms_scan_without_silent_gaps(real):
    _, m = real
    root = shared_vuln() / "sbom-real" / "in-the-lab"
    for path in sorted(root.glob("*.json"))[:4]:
        sbom = read_sbom_file(path)
        result = m.match(sbom.components)
        s = result.summary
        assert s["components"] == len(sbom.components)
        assert s["recognised"] + s["unsupported"] + s["indeterminate"] + s["no_purl"] == s["components"]
        # deb/rpm/apk packages are never reported clean
        for c in result.components:
            if c.purl and c.purl.startswith(("pkg:deb/", "pkg:rpm/", "pkg:apk/")):
                assert c.status == "unsupported"


def test_epss_joins_through_cve_aliases():
    a = adv("E-1", "PyPI", "demo", [{"introduced": "0"}], aliases=["CVE-2099-0003"])
    epss = EpssData("m", "2026-01-02", {"CVE-2099-0003": EpssScore("CVE-2099-0003", 0.5, 0.97)})
    _, findings = Matcher(KnowledgeBase.from_advisories([a], epss=epss)).match_component("pkg:pypi/demo@1")
    assert findings[0].epss == 0.5 and findings[0].epss_percentile == 0.97 and findings[0].epss_date == "2026-01-02"


def test_unordered_version_is_still_inside_an_unbounded_range():
    m = Matcher([adv("ALL-1", "Go", "example.com/mod", [{"introduced": "0"}]),
                 adv("SOME-1", "Go", "example.com/mod", [{"introduced": "0"}, {"fixed": "1.2.0"}])])
    res, findings = m.match_component("pkg:golang/example.com/mod@%28devel%29")
    assert {f.id for f in findings} == {"ALL-1"}  # every version is affected, whatever "(devel)" is
    assert findings[0].matched_by == "every version affected"


def test_components_touched_by_filters_versions():
    pf = Portfolio.from_mapping({"a": ["pkg:pypi/demo@1.0", "pkg:pypi/demo@3.0"], "b": ["pkg:pypi/demo@bad!"]})
    new = adv("NEW-2", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "2.0"}])
    # 3.0 is outside the range; the unorderable version is re-matched to be safe
    assert pf.components_touched_by(new) == {("a", "pkg:pypi/demo@1.0"), ("b", "pkg:pypi/demo@bad!")}


def test_text_only_update_touches_nothing_but_range_change_does():
    m = Matcher([adv("TXT-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.0"}], summary="old")])
    assert m.update([adv("TXT-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.0"}], summary="new")]) == set()
    _, findings = m.match_component("pkg:pypi/demo@0.5")
    assert findings[0].summary == "new"
    assert m.update([adv("TXT-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.0"}],
                         aliases=["CVE-2099-7"])]) == {("PyPI", "demo")}  # aliases change KEV/EPSS joins


_scores = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
_cvss = st.one_of(st.none(), st.integers(0, 100).map(lambda tenths: tenths / 10))
_severities = st.sampled_from(["critical", "high", "medium", "low", "none", "unknown"])


def _by_rule(kev, epss, cvss, severity):
    """The ranking rule said plainly: KEV first, then EPSS, then CVSS, then severity, missing last."""
    order = ["critical", "high", "medium", "low", "none", "unknown"]
    return (not kev, epss is None, -(epss or 0), cvss is None, -(cvss or 0), order.index(severity))


@given(st.tuples(st.booleans(), _scores, _cvss, _severities), st.tuples(st.booleans(), _scores, _cvss, _severities))
def test_urgency_orders_as_the_ranking_rule(a, b):
    # EPSS is kept to 1e-9: scores closer than that are equal to the stored key
    if a[1] is not None and b[1] is not None and a[1] != b[1] and abs(a[1] - b[1]) < 1e-9:
        return
    ua, ub = urgency(*a), urgency(*b)
    ra, rb = _by_rule(*a), _by_rule(*b)
    assert (ua < ub) == (ra < rb) and (ua == ub) == (ra == rb)
