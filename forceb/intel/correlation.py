"""Correlation values: the observable values a STIX object names, normalised. Plain Python.

An indicator's pattern names values in its comparisons (``[domain-name:value = 'x']``), an
observable names its own (``value``, ``hashes``). Two objects that name the same value are
correlated. Values that would link almost everything are not correlation but noise: they are
kept off by an exclusion list (known-benign values, kept by the hub) and a cap on how many
objects one value may link (as MISP does).
"""

import re

#: A value named by more versions than this is too common to correlate on.
CAP = 200
COMPARISON = re.compile(r"([a-z0-9-]+):([A-Za-z0-9_.'\-]+)\s*(?:=|IN|MATCHES|LIKE)\s*'((?:[^'\\]|\\.)*)'")
HASH_KINDS = {"md5", "sha-1", "sha1", "sha-256", "sha256", "sha-512", "sha512"}
MAX_VALUE = 500


def normalise(kind: str, value: str) -> str:
    value = value.strip().replace("\\'", "'").replace("\\\\", "\\")
    if kind in ("domain-name", "email-addr", "url") or kind in HASH_KINDS:
        return value.lower()
    return value


def values_of(obj: dict) -> set[tuple[str, str]]:
    """(kind, value) pairs the object names; kind is the observable type or the hash name."""
    found: set[tuple[str, str]] = set()
    if obj.get("type") == "indicator" and obj.get("pattern_type", "stix") == "stix":
        for kind, path, value in COMPARISON.findall(obj.get("pattern", "")):
            if ".hashes." in f".{path}" or path.startswith("hashes."):
                kind = path.split(".", 1)[1].strip("'").lower()
            found.add((kind, normalise(kind, value)))
    if isinstance(obj.get("value"), str) and "--" in obj.get("id", ""):
        found.add((obj["type"], normalise(obj["type"], obj["value"])))
    for name, digest in (obj.get("hashes") or {}).items():
        if isinstance(digest, str):
            found.add((name.lower(), digest.lower()))
    return {(k, v) for k, v in found if v and len(v) <= MAX_VALUE}
