"""Correlation values: the observable values a STIX object names, normalised. Plain Python.

An indicator's pattern names values in its comparisons (``[domain-name:value = 'x']``, every
member of an ``IN (...)`` set, in every observation of the pattern), read by the OASIS pattern
parser (``patterns.read``); an observable names its own (``value``, ``hashes``). Two objects that
name the same value are correlated. Values that would link almost everything are not correlation
but noise: they are kept off by an exclusion list (known-benign values, kept by the hub) and a cap
on how many objects one value may link (as MISP does).
"""

import ipaddress

from . import patterns

#: A value named by more versions than this is too common to correlate on.
CAP = 200
HASH_KINDS = {"md5", "sha-1", "sha1", "sha-256", "sha256", "sha-512", "sha512"}
CASE_INSENSITIVE = {"domain-name", "email-addr", "url"}
MAX_VALUE = 500
# References to an address object whose type the pattern does not say (``dst_ref.value``).
EMAIL_REFS = {"from_ref", "sender_ref", "to_refs", "cc_refs", "bcc_refs"}


def normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind in CASE_INSENSITIVE or kind in HASH_KINDS:
        return value.lower()
    return value


def _referenced_kind(object_type: str, ref: str, value: str) -> str:
    """The observable type a ``<ref>.value`` comparison names: an address by its shape, an
    e-mail message's people as e-mail addresses, else the domain a connection goes to."""
    try:
        return "ipv4-addr" if ipaddress.ip_network(value, strict=False).version == 4 else "ipv6-addr"
    except ValueError:
        pass
    if object_type == "email-message" and ref in EMAIL_REFS:
        return "email-addr"
    return "domain-name" if object_type == "network-traffic" else object_type


def pattern_values(obj: dict) -> set[tuple[str, str]]:
    """(kind, value) pairs an indicator's STIX pattern says things *are* (``=`` and ``IN``)."""
    found: set[tuple[str, str]] = set()
    for comparison in patterns.of_indicator(obj).comparisons:
        if not comparison.names_values:
            continue
        path = comparison.path
        for value in comparison.values:
            if len(path) == 2 and path[0] == "hashes":
                kind = path[1].lower()
            elif path[-1] == "value" and len(path) > 1 and path[-2].endswith(("_ref", "_refs", "*")):
                ref = path[-3] if path[-2] == "*" else path[-2]
                kind = _referenced_kind(comparison.object_type, ref, value)
            else:
                kind = comparison.object_type
            found.add((kind, normalise(kind, value)))
    return found


def values_of(obj: dict) -> set[tuple[str, str]]:
    """(kind, value) pairs the object names; kind is the observable type or the hash name."""
    found = pattern_values(obj)
    if isinstance(obj.get("value"), str) and "--" in obj.get("id", ""):
        found.add((obj["type"], normalise(obj["type"], obj["value"])))
    hashes = obj.get("hashes")
    for name, digest in (hashes.items() if isinstance(hashes, dict) else ()):
        if isinstance(name, str) and isinstance(digest, str):
            found.add((name.lower(), digest.strip().lower()))
    return {(k, v) for k, v in found if v and len(v) <= MAX_VALUE and len(k) <= 64}
