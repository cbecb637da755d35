"""Extraction of observable values from incident tickets: plain Python, no ORM.

From a ticket's free text and its structured observables, find what the Joint Defense SOC
correlates on: IPv4/IPv6 addresses, domain names, URLs, e-mail addresses, file hashes (MD5, SHA-1,
SHA-256, SHA-512), CVE ids and ATT&CK technique ids. Analysts write indicators defanged
(``hxxp://evil[.]example``, ``evil(dot)example``) so that nobody clicks them; they are refanged
first. Addresses that point nowhere useful (private, loopback, link-local, documentation,
multicast, reserved) and values on the hub's exclusion list are dropped.

Values are normalised by the intelligence store's own ``normalise`` and structured observables
are read as STIX Cyber-observables by its ``values_of``, so a ticket and a STIX object that name
the same thing store the same string. Kinds are STIX names: SCO types (``ipv4-addr``,
``domain-name``...), STIX hash algorithm names for hashes (``sha-256``), and the SDO types a CVE
id (``vulnerability``) and a technique id (``attack-pattern``) name.
"""

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from forceb.intel.correlation import MAX_VALUE, normalise, values_of

HASH_BY_LENGTH = {32: "md5", 40: "sha-1", 64: "sha-256", 128: "sha-512"}
#: Hash names as STIX writes them, and the spellings without the hyphen some producers use.
HASH_NAMES = {"md5": "md5", "sha-1": "sha-1", "sha1": "sha-1", "sha-256": "sha-256", "sha256": "sha-256",
              "sha-512": "sha-512", "sha512": "sha-512"}
VALUE_KINDS = ("ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "vulnerability", "attack-pattern")
#: The structured observable types a ticket may carry: the value kinds, and ``file`` with hashes.
OBSERVABLE_TYPES = (*VALUE_KINDS, "file")

# Refanging: each defanged form and what it stands for. "[.]" may be padded by spaces
# ("evil [.] example"), "(dot)" is also written "[dot]" or "{dot}".
_REFANG = [
    (re.compile(r"\bh(?:xx|\*\*)p(s?)(?=\s*(?:\[\s*:\s*\]|:|\[://\]))", re.I), r"http\1"),
    (re.compile(r"\[\s*://\s*\]"), "://"),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*", re.I), "."),
    (re.compile(r"\s*[\[({]\s*(?:@|at)\s*[\])}]\s*", re.I), "@"),
]

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TLD = r"(?:xn--[a-z0-9-]{1,59}|[a-z]{2,63})"
_DOMAIN = rf"(?:{_LABEL}\.)+{_TLD}"
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+", re.I)
_EMAIL = re.compile(rf"(?<![\w.%+-])[a-z0-9._%+-]+@{_DOMAIN}(?![\w-])", re.I)
_DOMAIN_IN_TEXT = re.compile(rf"(?<![\w.@-]){_DOMAIN}(?![\w-])", re.I)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")
_IPV6 = re.compile(r"(?<![\w:])[0-9a-f:]{2,39}(?![\w:])", re.I)
_HASH = re.compile(r"(?<![0-9a-z])[0-9a-f]{32,128}(?![0-9a-z])", re.I)
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.I)
_TECHNIQUE = re.compile(r"\bT[1-9]\d{3}(?:\.\d{3})?\b", re.I)
_FULL_DOMAIN = re.compile(rf"{_DOMAIN}", re.I)
_FULL_EMAIL = re.compile(rf"[a-z0-9._%+-]+@{_DOMAIN}", re.I)
_URL_TRAILER = ".,;:!?)]}'\""
#: Undefanged "domains" in prose that are file names: only a defanged one is taken with these endings.
FILE_ENDINGS = frozenset({
    "exe", "dll", "sys", "bat", "cmd", "ps1", "vbs", "js", "jar", "hta", "lnk", "msi", "scr", "py", "sh",
    "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rtf", "txt", "csv", "log", "json",
    "xml", "html", "htm", "php", "asp", "aspx", "jsp", "png", "jpg", "jpeg", "gif", "zip", "rar", "7z", "gz",
    "tar", "iso", "img", "tmp", "dat", "bin", "cfg", "ini", "yml", "yaml", "conf", "eml", "msg", "db",
})

Value = tuple[str, str]


def refang(text: str) -> str:
    """The text with defanged indicators written back as they are."""
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


def defang(kind: str, value: str) -> str:
    """How an analyst would write ``value`` so that it cannot be clicked (the inverse of ``refang``)."""
    if kind == "url":
        scheme, sep, rest = value.partition("://")
        scheme = {"http": "hxxp", "https": "hxxps"}.get(scheme.lower(), scheme)
        return f"{scheme}[://]{rest.replace('.', '[.]')}" if sep else value.replace(".", "[.]")
    if kind == "email-addr":
        return value.replace("@", "[@]").replace(".", "[.]")
    if kind == "ipv6-addr":
        return value.replace(":", "[:]")
    if kind in ("domain-name", "ipv4-addr"):
        return value.replace(".", "[.]")
    return value


def address(text: str) -> tuple[str, str] | None:
    """(kind, canonical text) of an IP address worth correlating on, else None."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return None
    if ip.version == 6 and (ip.ipv4_mapped or ip.sixtofour or ip.teredo):
        return None
    return ("ipv4-addr" if ip.version == 4 else "ipv6-addr", str(ip))


def _domain(text: str) -> str | None:
    text = text.rstrip(".")
    if len(text) > 253 or not _FULL_DOMAIN.fullmatch(text):
        return None
    return normalise("domain-name", text)


def _url(text: str) -> list[Value]:
    """The URL and its host (a domain name or an address), or nothing when it has no usable host."""
    text = text.rstrip(_URL_TRAILER)
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return []
    if not host:
        return []
    found = address(host)
    if found is None:
        domain = _domain(host)
        if domain is None:
            return []
        found = ("domain-name", domain)
    return [("url", normalise("url", text)), found]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def extract(text: str, *, excluded: Iterable[str] = ()) -> set[Value]:
    """The (kind, value) pairs ``text`` names, refanged, normalised, filtered."""
    original = text.lower()
    text = refang(text)
    found: list[Value] = []
    # URLs and e-mail addresses first, then blanked out, so that their parts (a path that looks
    # like a file name, the domain of a mailbox) are not read again as values of their own.
    for match in list(_URL.finditer(text)):
        found += _url(match.group())
        text = _blank(text, match.start(), match.end())
    for match in list(_EMAIL.finditer(text)):
        found.append(("email-addr", normalise("email-addr", match.group())))
        text = _blank(text, match.start(), match.end())
    for match in _IPV4.finditer(text):
        if (ip := address(match.group())) is not None:
            found.append(ip)
    for match in _IPV6.finditer(text):
        if match.group().count(":") >= 2 and (ip := address(match.group())) is not None:
            found.append(ip)
    for match in _HASH.finditer(text):
        if (kind := HASH_BY_LENGTH.get(len(match.group()))) is not None:
            found.append((kind, normalise(kind, match.group())))
    found += [("vulnerability", m.group().upper()) for m in _CVE.finditer(text)]
    found += [("attack-pattern", m.group().upper()) for m in _TECHNIQUE.finditer(text)]
    for match in _DOMAIN_IN_TEXT.finditer(text):
        domain = _domain(match.group())
        if domain is None:
            continue
        # A file name in prose (report.pdf) is not a domain; a defanged one is meant as one.
        if domain.rsplit(".", 1)[-1] in FILE_ENDINGS and domain in original:
            continue
        found.append(("domain-name", domain))
    return _keep(found, excluded)


def _keep(found: Iterable[Value], excluded: Iterable[str]) -> set[Value]:
    excluded = {e.lower() for e in excluded}
    return {(k, v) for k, v in found if v and len(v) <= MAX_VALUE and v.lower() not in excluded}


def observable_problem(observable: dict) -> tuple[str, str] | None:
    """(field, problem) when a structured observable is not what its type says, else None.

    Addresses that are valid but private (or documentation, loopback...) are no problem: they are
    kept on the ticket and only left out of correlation.
    """
    kind = observable.get("type")
    if kind == "file":
        for name, digest in (observable.get("hashes") or {}).items():
            algorithm = HASH_NAMES.get(str(name).lower())
            if algorithm is None:
                return f"hashes.{name}", f"unknown hash algorithm {name!r}: use MD5, SHA-1, SHA-256 or SHA-512"
            length = {v: k for k, v in HASH_BY_LENGTH.items()}[algorithm]
            if not isinstance(digest, str) or not re.fullmatch(rf"[0-9a-fA-F]{{{length}}}", digest):
                return f"hashes.{name}", f"not a {name} digest ({length} hexadecimal digits)"
        return None
    value = str(observable.get("value", "")).strip()
    if kind in ("ipv4-addr", "ipv6-addr"):
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            return "value", f"{value!r} is not an IP address"
        if (ip.version == 4) != (kind == "ipv4-addr"):
            return "value", f"{value!r} is an IPv{ip.version} address, not {kind}"
        return None
    checks = {
        "domain-name": lambda v: _domain(v) is not None,
        "url": lambda v: bool(_url(v)),
        "email-addr": lambda v: _FULL_EMAIL.fullmatch(v) is not None,
        "vulnerability": lambda v: _CVE.fullmatch(v) is not None,
        "attack-pattern": lambda v: _TECHNIQUE.fullmatch(v) is not None,
    }
    if kind not in checks:
        return "type", f"unknown observable type {kind!r}: use one of {', '.join(OBSERVABLE_TYPES)}"
    if not checks[kind](value):
        return "value", f"{value!r} is not a valid {kind}"
    return None


def from_observables(observables: Iterable[dict], *, excluded: Iterable[str] = ()) -> set[Value]:
    """The values of structured observables (each already free of ``observable_problem``)."""
    found: list[Value] = []
    for observable in observables:
        kind = observable["type"]
        if kind in ("vulnerability", "attack-pattern"):
            found.append((kind, observable["value"].strip().upper()))
            continue
        # Read as a STIX Cyber-observable by the intelligence store's own reader.
        sco = {key: val for key, val in observable.items() if key in ("type", "value", "hashes")}
        for name, value in values_of({**sco, "id": f"{kind}--ticket"}):
            if name in HASH_NAMES:
                found.append((HASH_NAMES[name], value))
            elif name in ("ipv4-addr", "ipv6-addr"):
                if (ip := address(value)) is not None:
                    found.append(ip)
            elif name == "url":
                found += _url(value)
            elif name == "domain-name":
                if (domain := _domain(value)) is not None:
                    found.append((name, domain))
            else:
                found.append((name, value))
    return _keep(found, excluded)
