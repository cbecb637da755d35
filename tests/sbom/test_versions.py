"""Version orderings and name rules, checked against the reference libraries and the specs."""

from __future__ import annotations

import nodesemver
import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import Version

from forceb.sbom.versions import (
    ORDERINGS,
    UnsupportedEcosystem,
    VersionError,
    canonical_ecosystem,
    compare,
    ecosystem_for_purl_type,
    has_ordering,
    is_prerelease,
    normalize_name,
    sort_versions,
    version_key,
)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


# --- strategies --------------------------------------------------------------------------------

_num = st.integers(min_value=0, max_value=30)
_alnum_ident = st.from_regex(r"\A[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*\Z", fullmatch=True).filter(lambda s: len(s) <= 8)
_num_ident = st.integers(min_value=0, max_value=120).map(str)
_pre = st.lists(st.one_of(_alnum_ident, _num_ident), min_size=0, max_size=4).map(".".join)
_build = st.lists(st.from_regex(r"\A[0-9A-Za-z-]{1,5}\Z", fullmatch=True), min_size=0, max_size=2).map(".".join)


@st.composite
def semver_strings(draw):
    text = f"{draw(_num)}.{draw(_num)}.{draw(_num)}"
    pre = draw(_pre)
    if pre:
        text += f"-{pre}"
    build = draw(_build)
    if build:
        text += f"+{build}"
    return text


@st.composite
def pep440_strings(draw):
    text = ""
    if draw(st.booleans()) and draw(st.integers(0, 5)) == 0:
        text += f"{draw(st.integers(0, 3))}!"
    text += ".".join(str(draw(_num)) for _ in range(draw(st.integers(1, 4))))
    kind = draw(st.sampled_from(["", "a", "b", "rc"]))
    if kind:
        text += f"{kind}{draw(_num)}"
    if draw(st.booleans()):
        text += f".post{draw(_num)}"
    if draw(st.booleans()):
        text += f".dev{draw(_num)}"
    if draw(st.integers(0, 4)) == 0:
        text += "+" + draw(st.from_regex(r"\A[a-z0-9]{1,4}(\.[a-z0-9]{1,4})?\Z", fullmatch=True))
    return text


# --- property tests against the libraries -------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(semver_strings(), semver_strings())
def test_semver_order_matches_semver_library(a, b):
    assert compare("SemVer", a, b) == _sign(semver.Version.parse(a).compare(b))


@settings(max_examples=400, deadline=None)
@given(semver_strings(), semver_strings())
def test_npm_order_matches_node_semver(a, b):
    assert compare("npm", a, b) == _sign(nodesemver.compare(a, b, loose=True))


@settings(max_examples=300, deadline=None)
@given(semver_strings(), semver_strings())
def test_go_order_is_semver_with_v_prefix(a, b):
    assert compare("Go", "v" + a, "v" + b) == _sign(semver.Version.parse(a).compare(b))


@settings(max_examples=400, deadline=None)
@given(pep440_strings(), pep440_strings())
def test_pypi_order_matches_packaging(a, b):
    va, vb = Version(a), Version(b)
    assert compare("PyPI", a, b) == (va > vb) - (va < vb)


@settings(max_examples=200, deadline=None)
@given(st.lists(semver_strings(), min_size=2, max_size=12))
def test_npm_sort_matches_node_semver_sort(versions):
    ours = sort_versions("npm", versions)
    theirs = nodesemver.sort(list(versions), loose=True)
    assert [nodesemver.parse(v, loose=True).version for v in ours] == [
        nodesemver.parse(v, loose=True).version for v in theirs
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcXYZ-_.0129 ", min_size=1, max_size=20))
def test_pypi_names_follow_pep_503(name):
    if not name.strip():
        return
    assert normalize_name("PyPI", name) == canonicalize_name(name.strip())


# --- spec examples -----------------------------------------------------------------------------


def test_pep_440_ordering_of_epochs_pre_post_dev_and_local():
    # the order PEP 440 itself gives in its "Summary of permitted suffixes and relative ordering"
    expected = ["1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0rc1", "1.0",
                "1.0+abc.5", "1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1!0.1"]
    assert sort_versions("PyPI", list(reversed(expected))) == expected


def test_semver_spec_precedence_example():
    # SemVer 2.0.0, section 11
    expected = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]
    for eco in ("SemVer", "npm", "crates.io"):
        assert sort_versions(eco, list(reversed(expected))) == expected


def test_go_pseudo_versions_and_incompatible():
    # a pseudo-version sits before the release it precedes and after the one it is based on
    assert compare("Go", "v0.0.0-20191109021931-daa7c04131f5", "v0.1.0") == -1
    assert compare("Go", "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5") == -1
    assert compare("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4") == -1
    assert compare("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-0.20200101000000-000000000000") == -1
    # +incompatible is build metadata: it does not change the order
    assert compare("Go", "v20.10.12+incompatible", "20.10.12") == 0
    # OSV's Go data writes versions without "v"; SBOMs write them with it
    assert compare("Go", "v1.6.0", "1.6.0") == 0
    # standard-library toolchain spellings
    assert compare("Go", "go1.21rc2", "1.21.0") == -1
    assert compare("Go", "go1.21.3", "1.21.3") == 0


def test_npm_loose_syntax_and_prerelease():
    assert compare("npm", "v1.2.3", "1.2.3") == 0
    assert compare("npm", "=1.2.3", "1.2.3") == 0
    assert is_prerelease("npm", "1.0.0-beta.1")
    assert not is_prerelease("npm", "1.0.0")


def test_maven_approximation_follows_documented_qualifier_order():
    # Maven ComparableVersion: alpha < beta < milestone < rc < snapshot < release < sp; 1.0 == 1.0.0
    expected = ["1.0-alpha-1", "1.0-beta-2", "1.0-beta-10", "1.0-M1", "1.0-rc1", "1.0-SNAPSHOT", "1.0",
                "1.0-sp1", "1.0.1", "1.1"]
    assert sort_versions("Maven", list(reversed(expected))) == expected
    assert compare("Maven", "1.0", "1.0.0") == 0
    assert ORDERINGS["Maven"].exact is False


def test_rubygems_letters_are_prereleases():
    assert compare("RubyGems", "1.0.a", "1.0") == -1
    assert compare("RubyGems", "1.0.0.rc1", "1.0.0") == -1


def test_unsupported_ecosystems_raise_instead_of_guessing():
    for eco in ("Debian", "Alpine", "Red Hat", "made-up"):
        assert not has_ordering(eco)
        with pytest.raises(UnsupportedEcosystem):
            version_key(eco, "1.0")


def test_malformed_versions_raise():
    with pytest.raises(VersionError):
        version_key("PyPI", "not a version")
    with pytest.raises(VersionError):
        version_key("Go", "vX.Y")
    with pytest.raises(VersionError):
        version_key("npm", "")


def test_name_rules():
    # PEP 503's own examples
    for name in ("Friendly-Bard", "FRIENDLY-BARD", "friendly.bard", "friendly_bard", "friendly--bard", "FrIeNdLy-._.-bArD"):
        assert normalize_name("PyPI", name) == "friendly-bard"
    assert normalize_name("npm", "@Angular/Core") == "@angular/core"
    assert normalize_name("npm", "angular/core") == "@angular/core"
    assert normalize_name("Go", "github.com/BurntSushi/toml") == normalize_name("Go", "github.com/burntsushi/toml")
    assert normalize_name("Go", "github.com/foo/bar/v2") != normalize_name("Go", "github.com/foo/bar")
    assert normalize_name("Maven", "org.Example:Lib") == "org.Example:Lib"
    assert normalize_name("crates.io", "Serde_JSON") == "serde-json"


def test_ecosystem_names():
    assert ecosystem_for_purl_type("pypi") == "PyPI"
    assert ecosystem_for_purl_type("golang") == "Go"
    assert ecosystem_for_purl_type("cargo") == "crates.io"
    assert ecosystem_for_purl_type("nonsense") is None
    assert canonical_ecosystem("Debian:12") == "Debian"
    assert canonical_ecosystem("pypi") == "PyPI"
