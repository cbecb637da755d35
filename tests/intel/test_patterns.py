"""STIX patterns are read by the OASIS parser (``stix2patterns``): every comparison is found,
whatever the nesting, quoting or operators, and no text, however broken, makes it fail."""

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2 import patterns as builder

from forceb.intel import correlation, matching, misp, patterns

from ..conftest import shared_data
from .conftest import indicator


def values(pattern: str) -> set[tuple[str, str]]:
    return correlation.values_of(indicator(1, pattern=pattern))


def test_every_comparison_of_every_observation_is_found():
    pattern = ("([file:hashes.'SHA-256' = 'AB12' OR file:hashes.MD5 = 'CD34'] AND "
               "[domain-name:value IN ('a.example', 'B.Example', 'o\\'brien.example')]) "
               "FOLLOWEDBY [network-traffic:dst_ref.value = '203.0.113.7' AND network-traffic:dst_port = 443] "
               "WITHIN 600 SECONDS")
    assert values(pattern) == {
        ("sha-256", "ab12"), ("md5", "cd34"), ("domain-name", "a.example"), ("domain-name", "b.example"),
        ("domain-name", "o'brien.example"), ("ipv4-addr", "203.0.113.7")}


def test_referenced_addresses_take_the_type_they_name():
    assert values("[email-message:from_ref.value = 'Boss@Bank.Example']") == {("email-addr", "boss@bank.example")}
    assert values("[network-traffic:src_ref.value = '2001:db8::1']") == {("ipv6-addr", "2001:db8::1")}
    assert values("[email-message:to_refs[*].value = 'a@b.example']") == {("email-addr", "a@b.example")}


def test_only_what_a_comparison_says_a_property_is_becomes_a_value():
    # LIKE, MATCHES, negations and numbers describe, they do not name an observable.
    assert values("[url:value LIKE 'http://%.example/%' AND url:value != 'http://x.example/'] "
                  "OR [file:size > 10] OR [domain-name:value NOT = 'good.example'] "
                  "OR [email-addr:value MATCHES '.+@evil\\\\.example']") == set()


def test_malformed_and_foreign_patterns_name_nothing():
    for broken in ("[ipv4-addr:value = '1.2.3.4'", "ipv4-addr:value = '1.2.3.4'", "[x = 'y']", "", "[]",
                   "[ipv4-addr:value = 'it''s']", "([ipv4-addr:value = '1.2.3.4']", "[file:hashes.'SHA-256 = 'a']"):
        assert values(broken) == set(), broken
    assert correlation.values_of(indicator(1, pattern="rule x { condition: true }", pattern_type="yara")) == set()
    assert correlation.values_of(indicator(1, pattern=None)) == set()


def test_terms_match_unescaped_pattern_values_and_set_members():
    obj = indicator(1, pattern="[email-addr:value IN ('ceo@o\\'brien.example', 'cfo@bank.example')]",
                    name="x", description="")
    assert matching.matches(obj, "GREEN", matching.Criteria(terms=("ceo@o'brien.example",)))
    assert matching.matches(obj, "GREEN", matching.Criteria(terms=("cfo@bank.example",)))
    assert not matching.matches(obj, "GREEN", matching.Criteria(terms=("cto@bank.example",)))


def test_misp_export_takes_single_comparisons_only():
    simple = indicator(1, pattern="[file:hashes.'SHA-256' = 'ab\\'12']")
    spaced = indicator(2, pattern="[ domain-name:value   =   'Evil.example' ]")
    compound = indicator(3, pattern="[domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']")
    listed = indicator(4, pattern="[domain-name:value IN ('a.example')]")
    event, left_out = misp.stix_to_event([simple, spaced, compound, listed], info="test")
    assert [(a["type"], a["value"]) for a in event["Event"]["Attribute"]] == [
        ("sha256", "ab'12"), ("domain", "Evil.example")]
    assert left_out == 2


# --- generated patterns ---------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30) \
    .filter(lambda s: s.strip() == s)
# (object type, path, kind of value the correlation records)
PATHS = [("ipv4-addr", ["value"], "ipv4-addr"), ("domain-name", ["value"], "domain-name"),
         ("url", ["value"], "url"), ("file", ["name"], "file"), ("file", ["hashes", "SHA-256"], "sha-256"),
         ("email-addr", ["value"], "email-addr"), ("windows-registry-key", ["key"], "windows-registry-key")]


@st.composite
def comparisons(draw):
    object_type, path, kind = draw(st.sampled_from(PATHS))
    listed = draw(st.lists(TEXT, min_size=1, max_size=3))
    target = builder.ObjectPath(object_type, path)
    if len(listed) == 1:
        expression = builder.EqualityComparisonExpression(target, builder.StringConstant(listed[0]))
    else:
        expression = builder.InComparisonExpression(
            target, builder.ListConstant([builder.StringConstant(v) for v in listed]))
    return expression, {(kind, correlation.normalise(kind, v)) for v in listed}


@st.composite
def stix_patterns(draw):
    observations, expected = [], set()
    for _ in range(draw(st.integers(1, 3))):
        parts = draw(st.lists(comparisons(), min_size=1, max_size=3))
        expected |= set().union(*(e for _, e in parts))
        joined = parts[0][0] if len(parts) == 1 else builder.OrBooleanExpression([p for p, _ in parts])
        observations.append(builder.ObservationExpression(joined))
    operator = draw(st.sampled_from([builder.OrObservationExpression, builder.AndObservationExpression,
                                     builder.FollowedByObservationExpression]))
    whole = observations[0] if len(observations) == 1 else operator(observations)
    if draw(st.booleans()):
        whole = builder.QualifiedObservationExpression(whole, builder.WithinQualifier(draw(st.integers(1, 999))))
    return str(whole), {(k, v) for k, v in expected if v and len(v) <= correlation.MAX_VALUE}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stix_patterns())
def test_every_value_of_a_generated_pattern_is_found(generated):
    text, expected = generated
    assert values(text) == expected, text


PIECES = [*"[]()'\\:=.-_ ,*", "ipv4-addr", "file", "value", "hashes", "'SHA-256'", "'x'", "'a\\'b'", "IN",
          " AND ", " OR ", " NOT ", " LIKE ", " FOLLOWEDBY ", " WITHIN 5 SECONDS", " REPEATS 2 TIMES", "t'2024-01-01T00:00:00Z'",
          "b'AA=='", "h'ff'", "10", "[*]", "[0]"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_arbitrary_text_never_raises(text):
    reading = patterns.read(text)
    assert isinstance(reading.comparisons, tuple)
    correlation.values_of({"type": "indicator", "pattern": text})
    matching.searchable_text({"type": "indicator", "pattern": text})
    misp.stix_to_event([{"type": "indicator", "id": "indicator--x", "pattern": text}], info="x")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_never_raises(text):
    assert correlation.values_of({"type": "indicator", "pattern": text}) is not None


def test_attack_enterprise_reads_without_failing():
    """Every object of MITRE ATT&CK v15 goes through the readers: none names an observable value
    (ATT&CK has no indicators) and none raises."""
    path = shared_data("intel", "attack", "enterprise-attack-v15.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        objects = json.load(handle)["objects"]
    assert len(objects) > 10_000
    assert not any(correlation.values_of(obj) for obj in objects)
    phishing = next(o for o in objects if o["type"] == "attack-pattern" and o.get("name") == "Phishing")
    assert matching.matches(phishing, "CLEAR", matching.Criteria(terms=("t1566",)))
