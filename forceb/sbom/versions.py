"""Version ordering and package-name rules per ecosystem (pure Python, no ORM).

Every ecosystem a vulnerability database can name gets one of three answers:

* an ordering backed by a kept library: PyPI (``packaging``, PEP 440), npm (``nodesemver`` parses
  npm's loose syntax), Go and the SemVer ecosystems (``semver``, SemVer 2.0), NuGet, RubyGems,
  Maven, ConanCenter and the Linux distributions Debian, Ubuntu, Alpine, Rocky Linux and
  AlmaLinux (``univers``: NuGet's rules as OSV's own code has them, ports of RubyGems'
  ``Gem::Version`` and Maven's ``ComparableVersion``, Conan's ``Version``, dpkg's, Gentoo's and
  rpm's comparisons). A distribution's records are scoped to a release ("Debian:12"): see
  :func:`distro_ecosystem` for how a purl tells its release;
* an approximate ordering, flagged ``exact=False`` in :data:`ORDERINGS`: Packagist, Hackage and
  CRAN keep a documented segment-wise comparison because no installed library orders them right
  (univers's ``ComposerVersion`` is a SemVer coercion that puts ``RC1`` before ``beta2``);
  Maven's port follows Maven 3.2's rules, which differ from today's Maven where a qualifier
  follows a dot (``1.0.0.RC1`` vs ``1.0.0-RC1``) or is spelled ``release``; Alpine is ordered by
  Gentoo's rules, from which apk's derive;
* no ordering at all (Red Hat, SUSE, Arch Linux, ...): :func:`version_key` raises
  :class:`UnsupportedEcosystem`. Callers must report such components as unsupported, never clean.

:func:`version_key` returns a value whose natural ``<`` is the ecosystem's order, and whose hash
agrees with its ``==`` (the matcher keeps keys in dicts and sets). For the SemVer family and
NuGet the key is a tuple built from the library's parse result (major, minor, patch, [revision,]
pre-release identifiers); the precedence rules that tuple encodes are checked against
``semver.compare``, ``nodesemver.compare`` and univers's NuGet comparison by the property tests,
and tuples compare an order of magnitude faster than the libraries' objects, which matters when a
portfolio holds millions of components. The other library-backed keys wrap the library's own
objects and compare through them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nodesemver
import semver
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from univers import debian as univers_debian
from univers import gem as univers_gem
from univers import gentoo as univers_gentoo
from univers import maven as univers_maven
from univers import nuget as univers_nuget
from univers import rpm as univers_rpm
from univers.conan.version import Version as ConanVersion
from univers.versions import is_valid_alpine_version

__all__ = [
    "DISTRIBUTIONS",
    "ORDERINGS",
    "Ordering",
    "UnsupportedEcosystem",
    "VersionError",
    "base_ecosystem",
    "canonical_ecosystem",
    "compare",
    "distro_ecosystem",
    "ecosystem_for_purl_type",
    "has_ordering",
    "is_prerelease",
    "needs_release",
    "normalize_name",
    "sort_versions",
    "version_key",
]


class VersionError(ValueError):
    """A version string that the ecosystem's grammar rejects."""


class UnsupportedEcosystem(VersionError):
    """The ecosystem has no version ordering here; its components cannot be judged."""


@dataclass(frozen=True)
class Ordering:
    """How versions of one ecosystem are ordered."""

    ecosystem: str
    library: str  # what parses the versions
    exact: bool  # False: known to differ from the ecosystem's own tool in some cases


ORDERINGS: dict[str, Ordering] = {
    o.ecosystem: o
    for o in (
        Ordering("PyPI", "packaging (PEP 440)", True),
        Ordering("npm", "nodesemver (loose parse) + SemVer 2.0 precedence", True),
        Ordering("Go", "semver (SemVer 2.0, 'v' prefix, pseudo-versions, +incompatible)", True),
        Ordering("SemVer", "semver (SemVer 2.0)", True),
        Ordering("crates.io", "semver (SemVer 2.0, Cargo rules)", True),
        Ordering("Hex", "semver (SemVer 2.0)", True),
        Ordering("Pub", "semver (SemVer 2.0, Dart rules approximated)", True),
        Ordering("SwiftURL", "semver (SemVer 2.0)", True),
        Ordering("NuGet", "univers (NuGet version rules, from OSV's nuget.py)", True),
        Ordering("RubyGems", "univers (port of RubyGems' Gem::Version)", True),
        Ordering("ConanCenter", "univers (Conan 2's Version)", True),
        # Library-backed, but the rules of Maven 3.2: Maven 3.9 orders a qualifier after a dot
        # like one after a hyphen (1.0.0.RC1 == 1-rc1) and 'release' like a plain release.
        Ordering("Maven", "univers (port of Maven 3.2's ComparableVersion)", False),
        # No installed library orders these right: documented segment-wise approximation.
        Ordering("Packagist", "segment comparison approximating Composer (no library)", False),
        Ordering("Hackage", "segment comparison approximating PVP (no library)", False),
        Ordering("CRAN", "segment comparison approximating R package_version (no library)", False),
        # Linux distributions: every record names a release ("Debian:12"), see DISTRIBUTIONS.
        Ordering("Debian", "univers (dpkg's version rules, as OSV's own Debian code uses them)", True),
        Ordering("Ubuntu", "univers (dpkg's version rules, as OSV's own Debian code uses them)", True),
        # Gentoo's rules (pkgcore), which apk's derive from; apk-only suffixes (_git, _svn, _cvs,
        # _hg) and commit hashes are refused, so such a version is indeterminate, never guessed.
        Ordering("Alpine", "univers (Gentoo version rules, which apk's follow)", False),
        Ordering("Rocky Linux", "univers (rpm's rpmvercmp, epoch:version-release)", True),
        Ordering("AlmaLinux", "univers (rpm's rpmvercmp, epoch:version-release)", True),
    )
}

# Distributions whose OSV records are scoped to one release (the ecosystem's ":" suffix). Their
# components are matched only against the records of their own release, told by the purl's
# ``distro`` qualifier; a component whose release cannot be told is not matched at all.
DISTRIBUTIONS = frozenset({"Debian", "Ubuntu", "Alpine", "Rocky Linux", "AlmaLinux"})

# purl type -> OSV ecosystem name (https://ossf.github.io/osv-schema/#affectedpackage-field).
_PURL_TYPES = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "maven": "Maven",
    "nuget": "NuGet",
    "gem": "RubyGems",
    "cargo": "crates.io",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "swift": "SwiftURL",
    "hackage": "Hackage",
    "cran": "CRAN",
    "conan": "ConanCenter",
    "cocoapods": "CocoaPods",
    "github": "GitHub Actions",
    "githubactions": "GitHub Actions",
    "deb": "Debian",
    "apk": "Alpine",
    "rpm": "Red Hat",
    "alpm": "Arch Linux",
    "bitnami": "Bitnami",
    "docker": "Docker",
    "oci": "OCI",
    "generic": "generic",
}

_ECOSYSTEM_CASE = {name.lower(): name for name in list(ORDERINGS) + list(_PURL_TYPES.values())}
_ECOSYSTEM_CASE.update({"golang": "Go", "pip": "PyPI", "cargo": "crates.io", "gem": "RubyGems"})


def canonical_ecosystem(name: str | None) -> str | None:
    """Spell an ecosystem name the OSV way ("pypi" -> "PyPI").

    A distribution keeps its release suffix ("debian:12" -> "Debian:12", "Ubuntu:22.04:LTS"),
    which scopes its records; any other suffix is dropped ("Maven:https://maven.google.com")."""
    if not name:
        return None
    base, sep, suffix = name.partition(":")
    base = _ECOSYSTEM_CASE.get(base.strip().lower(), base.strip())
    if base in DISTRIBUTIONS and sep and suffix.strip():
        return f"{base}:{suffix.strip()}"
    return base


def base_ecosystem(ecosystem: str) -> str:
    """The ecosystem without its release suffix ("Debian:12" -> "Debian")."""
    return ecosystem.partition(":")[0]


def ecosystem_for_purl_type(purl_type: str | None) -> str | None:
    """The OSV ecosystem for a purl type, or None when the type is unknown."""
    if not purl_type:
        return None
    return _PURL_TYPES.get(purl_type.lower())


def has_ordering(ecosystem: str | None) -> bool:
    """True when versions of this ecosystem can be ordered here (exactly or approximately);
    a distribution's release ("Debian:12") is ordered by its distribution's rules."""
    return ecosystem in ORDERINGS or (ecosystem is not None and base_ecosystem(ecosystem) in DISTRIBUTIONS)


def needs_release(ecosystem: str | None) -> bool:
    """True for a distribution named without a release ("Debian"): its components cannot be matched."""
    return ecosystem in DISTRIBUTIONS


# os-release ID -> the distribution's OSV name, per purl type that packages it
_DISTRO_IDS = {
    "deb": {"debian": "Debian", "ubuntu": "Ubuntu"},
    "apk": {"alpine": "Alpine"},
    "rpm": {"rocky": "Rocky Linux", "almalinux": "AlmaLinux"},
}
# RPM distributions whose OSV records are scoped by something a purl does not carry
_RPM_UNSCOPED = {
    "Red Hat": "its advisories are scoped to product streams (CPE names), which a purl does not tell",
    "SUSE": "its advisories are scoped to product names (os-release PRETTY_NAME), which a purl does not tell",
    "openSUSE": "its advisories are scoped to product names (os-release PRETTY_NAME), which a purl does not tell",
}
_RPM_FAMILIES = {"redhat": "Red Hat", "rhel": "Red Hat", "suse": "SUSE", "sles": "SUSE",
                 "opensuse": "openSUSE", "opensuse-leap": "openSUSE", "opensuse-tumbleweed": "openSUSE",
                 "rocky": "Rocky Linux", "almalinux": "AlmaLinux"}


def distro_ecosystem(purl_type: str, namespace: str | None, distro: str | None) -> tuple[str, str]:
    """``(ecosystem, problem)`` of a distribution package from its purl's ``distro`` qualifier,
    which SBOM generators fill from os-release as ``<ID>-<VERSION_ID>`` (``debian-12``,
    ``ubuntu-22.04``, ``alpine-3.18.4``, ``rocky-9.3``). The ecosystem names the release
    ("Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.18", "Rocky Linux:9") or, with a problem
    saying why, only the distribution.

    Debian, Rocky Linux and AlmaLinux records name the major release; Ubuntu the YY.MM release,
    with ":LTS" for the long-term ones (the April releases of even years); Alpine the branch."""
    purl_type = purl_type.lower()
    known = _DISTRO_IDS.get(purl_type, {})
    namespace = (namespace or "").lower()
    if purl_type == "rpm":
        family = _RPM_FAMILIES.get(namespace, "Red Hat")
    else:
        family = known.get(namespace) or next(iter(known.values()))
    if not distro:
        return family, f"{family}: the purl has no 'distro' qualifier, so its release (and the advisories of that release) cannot be told"
    lowered = distro.strip().lower()
    for distro_id in (sorted(_RPM_FAMILIES, key=len, reverse=True) if purl_type == "rpm" else ()):
        if lowered.startswith(distro_id + "-") and _RPM_FAMILIES[distro_id] in _RPM_UNSCOPED:
            family = _RPM_FAMILIES[distro_id]
            return family, f"{family}: {_RPM_UNSCOPED[family]}"
    distro_id, _, release = lowered.partition("-")
    if distro_id not in known:
        return family, f"{family}: the purl's distro {distro!r} is not a distribution whose advisories are read here"
    family = known[distro_id]
    numbers = release.split(".")
    two = family in ("Ubuntu", "Alpine")
    if not all(n.isdigit() for n in numbers[: 2 if two else 1]) or (two and len(numbers) < 2):
        return family, f"{family}: the purl's distro {distro!r} names no release OSV scopes advisories by"
    if family == "Ubuntu":
        year, month = numbers[0], numbers[1]
        lts = ":LTS" if month == "04" and int(year) % 2 == 0 else ""
        return f"Ubuntu:{year}.{month}{lts}", ""
    if family == "Alpine":
        return f"Alpine:v{int(numbers[0])}.{int(numbers[1])}", ""
    return f"{family}:{int(numbers[0])}", ""


# --------------------------------------------------------------------------------------------
# Names


def normalize_name(ecosystem: str, name: str) -> str:
    """The form under which a package name is looked up in that ecosystem.

    PyPI: PEP 503 (``packaging.utils.canonicalize_name``). npm: scoped names keep their ``@scope/``
    and are lower-cased (the registry refuses names differing only in case). Go: the full module
    path; GitHub-hosted paths are case-insensitive in practice and SBOM generators lower-case them,
    so lookup is case-insensitive. Maven ``group:artifact`` is case-sensitive. NuGet, Packagist,
    Hex, Pub, crates.io are case-insensitive (crates.io also treats ``-`` and ``_`` alike).
    """
    name = name.strip()
    if ecosystem == "PyPI":
        return canonicalize_name(name)
    if ecosystem == "npm":
        name = name.lower()
        if "/" in name and not name.startswith("@"):
            name = "@" + name
        return name
    if ecosystem == "Go":
        return name.strip("/").lower()
    if ecosystem == "crates.io":
        return name.lower().replace("_", "-")
    if ecosystem in ("NuGet", "Packagist", "Hex", "Pub") or base_ecosystem(ecosystem) in DISTRIBUTIONS:
        return name.lower()
    return name


# --------------------------------------------------------------------------------------------
# Orderings


def _semver_tuple(v: semver.Version) -> tuple:
    """An order-preserving key for a parsed SemVer 2.0 version (build metadata ignored)."""
    if v.prerelease:
        pre = tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p) for p in str(v.prerelease).split(".")
        )
        return (v.major, v.minor, v.patch, 0, pre)
    return (v.major, v.minor, v.patch, 1, ())


def _semver_key(version: str) -> tuple:
    text = version.strip()
    if text[:1] in ("v", "V"):
        text = text[1:]
    try:
        return _semver_tuple(semver.Version.parse(text))
    except (ValueError, TypeError) as exc:
        raise VersionError(f"not a SemVer 2.0 version: {version!r}") from exc


def _npm_key(version: str) -> tuple:
    parsed = nodesemver.parse(version.strip(), loose=True)
    if parsed is None:
        raise VersionError(f"not an npm version: {version!r}")
    pre = tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in parsed.prerelease)
    if pre:
        return (parsed.major, parsed.minor, parsed.patch, 0, pre)
    return (parsed.major, parsed.minor, parsed.patch, 1, ())


_GO_TOOLCHAIN = re.compile(r"^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$")


def _go_key(version: str) -> tuple:
    """Go module versions are SemVer with a ``v`` prefix; pseudo-versions are pre-releases by design
    (``v0.0.0-20191109021931-daa7c04131f5``) and ``+incompatible`` is build metadata, so SemVer
    precedence orders them as the go command does. Toolchain versions of the standard library
    (``go1.21.3``, ``1.21rc2``, ``1.19``) are mapped onto SemVer the way OSV's Go data does."""
    try:
        return _semver_key(version)
    except VersionError:
        m = _GO_TOOLCHAIN.match(version.strip())
        if not m:
            raise
        major, minor, patch, pre, pre_n = m.groups()
        text = f"{major}.{minor or 0}.{patch or 0}" + (f"-{pre}.{pre_n}" if pre else "")
        return _semver_key(text)


def _pypi_key(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion as exc:
        raise VersionError(f"not a PEP 440 version: {version!r}") from exc


class _LibraryKey:
    """A library's version object as a key: ordered by the library, hashed by a projection that
    equal versions share (the objects' own hashes disagree with their ``==``: univers hashes a
    Maven version by its text, so ``1.0`` and ``1`` are equal but hash apart)."""

    __slots__ = ("value", "_hash")

    def __init__(self, value: Any, hash_basis: Any):
        self.value = value
        self._hash = hash(hash_basis)

    def __lt__(self, other: _LibraryKey) -> bool:
        return self.value < other.value

    def __gt__(self, other: _LibraryKey) -> bool:
        return other.value < self.value

    def __le__(self, other: _LibraryKey) -> bool:
        return not other.value < self.value

    def __ge__(self, other: _LibraryKey) -> bool:
        return not self.value < other.value

    def __eq__(self, other: object) -> bool:
        # equal in the library's order (univers's Debian versions compare "1.0" and "1.00" as
        # equal, yet their == compares the text)
        return (
            isinstance(other, _LibraryKey)
            and self._hash == other._hash
            and not self.value < other.value
            and not other.value < self.value
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"<version key {self.value}>"


# Maven refuses these in a version (DefaultModelValidator's banned characters, the resolver's range
# syntax) and an unresolved "${...}" property is not a version; ComparableVersion itself orders any
# text, so without this a component versioned "${project.version}" would be judged clean.
_MAVEN_BANNED = frozenset('\\/:"<>|?*[](){},') | frozenset(" \t\r\n")
# Qualifiers Maven ranks below a release (univers keeps Maven's list, oldest first, "" = release).
_MAVEN_PRE = frozenset(univers_maven.QUALIFIERS[: univers_maven.QUALIFIERS.index("")])


def _maven_key(version: str) -> _LibraryKey:
    text = version.strip()
    if "${" in text or not _MAVEN_BANNED.isdisjoint(text):
        raise VersionError(f"not a Maven version: {version!r}")
    value = univers_maven.Version(text)
    # Equal versions share the leading run of numbers without its trailing zeros: at the first
    # number where two versions differ, ComparableVersion answers non-zero whatever follows.
    lead = []
    for item in value._parsed:
        if not isinstance(item, int):
            break
        lead.append(item)
    while lead and lead[-1] == 0:
        lead.pop()
    return _LibraryKey(value, tuple(lead))


def _maven_is_prerelease(key: _LibraryKey) -> bool:
    stack = [key.value._parsed]
    while stack:
        for item in stack.pop():
            if isinstance(item, tuple):
                stack.append(item)
            elif isinstance(item, str) and item in _MAVEN_PRE:
                return True
    return False


def _nuget_key(version: str) -> tuple:
    """(major, minor, patch, revision, release flag, pre-release identifiers): NuGet compares the
    four numbers, then the pre-release labels case-insensitively by SemVer precedence."""
    try:
        parsed = univers_nuget.Version.from_string(version.strip())
    except (ValueError, univers_nuget.InvalidNuGetVersion) as exc:
        raise VersionError(f"not a NuGet version: {version!r}") from exc
    major, minor, patch, release, pre = _semver_tuple(parsed._base_semver)
    return (major, minor, patch, parsed.revision, release, pre)


def _rubygems_key(version: str) -> _LibraryKey:
    try:
        value = univers_gem.GemVersion(version)
    except univers_gem.InvalidVersionError as exc:
        raise VersionError(f"not a RubyGems version: {version!r}") from exc
    return _LibraryKey(value, value.canonical_segments)


def _conan_key(version: str) -> _LibraryKey:
    text = version.strip()
    if any(c.isspace() for c in text):
        raise VersionError(f"not a Conan version: {version!r}")
    value = ConanVersion(text)
    return _LibraryKey(value, (value._nonzero_items, value._pre, value._build))


def _dpkg_key(version: str) -> _LibraryKey:
    try:
        value = univers_debian.Version.from_string(version)
    except ValueError as exc:
        raise VersionError(f"not a Debian version: {version!r}") from exc
    # dpkg compares the leading digits of the upstream part as a number (1.0 == 1.00 == 01.0)
    lead = ""
    for c in value.upstream:
        if not c.isdigit():
            break
        lead += c
    return _LibraryKey(value, (value.epoch, int(lead)))


def _apk_key(version: str) -> _LibraryKey:
    text = version.strip()
    if any(c.isspace() for c in text) or not (univers_gentoo.is_valid(text) and is_valid_alpine_version(text)):
        raise VersionError(f"not an Alpine version: {version!r}")
    return _LibraryKey(_GentooOrder(text), int(re.match(r"\d+", text).group()))


def _rpm_key(version: str) -> _LibraryKey:
    text = version.strip()
    if any(c.isspace() for c in text) or text.count("-") > 1:
        raise VersionError(f"not an RPM epoch:version-release: {version!r}")
    try:
        value = univers_rpm.RpmVersion.from_string(text)
    except ValueError as exc:
        raise VersionError(f"not an RPM epoch:version-release: {version!r}") from exc
    if not value.version:
        raise VersionError(f"not an RPM epoch:version-release: {version!r}")
    # rpmvercmp skips separators, then compares a leading number as a number (1.0 == .01.0)
    digits = re.match(r"[^a-zA-Z0-9~^]*(\d*)", value.version).group(1)
    return _LibraryKey(value, (value.epoch, int(digits) if digits else None))


class _GentooOrder:
    """univers's Gentoo comparison (a function of two strings) as an ordered value."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __lt__(self, other: _GentooOrder) -> bool:
        return univers_gentoo.vercmp(self.text, other.text) < 0

    def __str__(self) -> str:
        return self.text


# Segment comparison for ecosystems without a library that orders them right. A version is cut
# into numeric and alphabetic runs; trailing zero numbers are dropped (1.0 == 1.0.0); a qualifier
# ranks below or above the release according to Composer's stability flags (unknown words after
# the release); an end marker sits between them.
_PRE_QUALIFIERS = {
    "dev": 0, "snapshot": 6, "a": 1, "alpha": 1, "b": 2, "beta": 2, "m": 3, "milestone": 3,
    "rc": 4, "cr": 4, "pre": 4, "preview": 4,
}
_RELEASE_WORDS = {"", "final", "ga", "release", "stable"}
_POST_QUALIFIERS = {"sp": 1, "pl": 1, "p": 1, "patch": 1, "post": 1}
_SEGMENT = re.compile(r"\d+|[a-zA-Z]+")


def _segment_key(ecosystem: str, version: str) -> tuple:
    text = version.strip()
    if text[:1] in ("v", "V") and text[1:2].isdigit():
        text = text[1:]
    text = text.split("+", 1)[0]  # build metadata never orders
    tokens = _SEGMENT.findall(text)
    if not tokens or not tokens[0].isdigit():
        raise VersionError(f"not a {ecosystem} version: {version!r}")
    out: list[tuple[int, int, str]] = []
    for tok in tokens:
        if tok.isdigit():
            out.append((2, int(tok), ""))
            continue
        word = tok.lower()
        if word in _RELEASE_WORDS:
            continue
        if word in _PRE_QUALIFIERS:
            out.append((0, _PRE_QUALIFIERS[word], word))
        elif word in _POST_QUALIFIERS:
            out.append((1, 1, word))
        else:
            out.append((1, 2, word))
    # in each run of numbers, trailing zeros are padding: 1.0.0 == 1, 1.0-rc1 == 1-rc1
    compact: list[tuple[int, int, str]] = []
    run: list[tuple[int, int, str]] = []
    for tok in [*out, None]:
        if tok is not None and tok[0] == 2:
            run.append(tok)
            continue
        while len(run) > 1 and run[-1] == (2, 0, ""):
            run.pop()
        if run and not (compact and run == [(2, 0, "")]):
            compact.extend(run)
        run = []
        if tok is not None:
            compact.append(tok)
    compact.append((1, 0, ""))  # end of version: above pre-release qualifiers, below numbers
    return tuple(compact)


_SEMVER_ECOSYSTEMS = {"SemVer", "crates.io", "Hex", "Pub", "SwiftURL"}
_SEGMENT_ECOSYSTEMS = {"Packagist", "Hackage", "CRAN"}
_KEYS = {
    "PyPI": _pypi_key,
    "npm": _npm_key,
    "Go": _go_key,
    "NuGet": _nuget_key,
    "Maven": _maven_key,
    "RubyGems": _rubygems_key,
    "ConanCenter": _conan_key,
    "Debian": _dpkg_key,
    "Ubuntu": _dpkg_key,
    "Alpine": _apk_key,
    "Rocky Linux": _rpm_key,
    "AlmaLinux": _rpm_key,
    **{eco: _semver_key for eco in _SEMVER_ECOSYSTEMS},
}


@lru_cache(maxsize=262_144)
def _key_or_error(ecosystem: str, version: str) -> Any:
    try:
        parse = _KEYS.get(ecosystem) or _KEYS.get(base_ecosystem(ecosystem))
        if parse is not None:
            return parse(version)
        if ecosystem in _SEGMENT_ECOSYSTEMS:
            return _segment_key(ecosystem, version)
    except VersionError as exc:
        return exc
    return UnsupportedEcosystem(f"no version ordering for ecosystem {ecosystem!r}")


def version_key(ecosystem: str, version: str) -> Any:
    """A sortable key for ``version`` under ``ecosystem``'s rules (cached per pair).

    Raises :class:`VersionError` for a malformed version and :class:`UnsupportedEcosystem` for an
    ecosystem without ordering. Keys of one ecosystem are comparable with each other only.
    """
    if not isinstance(version, str) or not version.strip():
        raise VersionError(f"empty version in {ecosystem}")
    key = _key_or_error(ecosystem, version)
    if isinstance(key, VersionError):
        raise key
    return key


def compare(ecosystem: str, a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, equal to or newer than ``b`` in ``ecosystem``."""
    ka, kb = version_key(ecosystem, a), version_key(ecosystem, b)
    return (ka > kb) - (ka < kb)


def sort_versions(ecosystem: str, versions: list[str]) -> list[str]:
    """``versions`` sorted oldest first by the ecosystem's ordering (malformed ones raise)."""
    return sorted(versions, key=lambda v: version_key(ecosystem, v))


def is_prerelease(ecosystem: str, version: str) -> bool:
    """True for pre-releases (and PEP 440 dev releases); False when unknown or malformed.

    Maven: a qualifier Maven ranks below the release (alpha, beta, milestone, rc, snapshot and
    their aliases a, b, m, cr). NuGet and the SemVer family: a pre-release label. RubyGems: any
    letter. ConanCenter: a ``-`` part. Composer (approximated): a dev, alpha, beta or RC flag.
    """
    try:
        key = version_key(ecosystem, version)
    except VersionError:
        return False
    if isinstance(key, Version):
        return key.is_prerelease
    if ecosystem == "Maven":
        return _maven_is_prerelease(key)
    if ecosystem == "RubyGems":
        return key.value.prerelease()
    if ecosystem == "ConanCenter":
        return key.value.pre is not None
    if ecosystem == "NuGet":
        return key[4] == 0
    if base_ecosystem(ecosystem) in DISTRIBUTIONS:
        return False  # a distribution ships releases only; "~" in 1.0-1~deb12u1 marks a stable update
    if ecosystem in _SEGMENT_ECOSYSTEMS:
        return any(tok[0] == 0 for tok in key)
    return key[3] == 0
