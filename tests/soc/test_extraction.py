"""The extraction engine: what it finds in a ticket's text and observables, what it drops, and
two properties over generated input (it never fails; a defanged value comes back as itself)."""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from forceb.intel import correlation
from forceb.soc import extraction
from forceb.soc.extraction import defang, extract, from_observables, observable_problem

TEXT = """Lure from hxxps[://]secure-login-3[.]example/verify?id=1. Callback to 8.8.4.4, 10.0.0.1,
192.0.2.5, 127.0.0.1, 2606:4700::1111 and 2001:db8::1. Sender bad[@]evil(dot)example.
Saw report.pdf and invoice.docx; dropper 44D88612FEA8A8F36DE82E1278ABB02F, see CVE-2024-3400 and
t1566.001 at 12:30:45. Another host: jade [.] example."""


def test_finds_every_kind_refanged_and_normalised():
    assert extract(TEXT) == {
        ("url", "https://secure-login-3.example/verify?id=1"),
        ("domain-name", "secure-login-3.example"),
        ("ipv4-addr", "8.8.4.4"),
        ("ipv6-addr", "2606:4700::1111"),
        ("email-addr", "bad@evil.example"),
        ("md5", "44d88612fea8a8f36de82e1278abb02f"),
        ("vulnerability", "CVE-2024-3400"),
        ("attack-pattern", "T1566.001"),
        ("domain-name", "jade.example"),
    }


def test_private_loopback_and_documentation_addresses_are_dropped():
    found = {v for k, v in extract(TEXT) if k.startswith("ipv")}
    assert not found & {"10.0.0.1", "192.0.2.5", "127.0.0.1", "2001:db8::1"}


def test_file_names_in_prose_are_not_domains_but_a_defanged_one_is():
    assert ("domain-name", "report.pdf") not in extract("see report.pdf")
    assert extract("c2 at evil[.]zip") == {("domain-name", "evil.zip")}


def test_hashes_of_every_length():
    for length, kind in extraction.HASH_BY_LENGTH.items():
        assert extract(f"hash: {'Ab' * (length // 2)}.") == {(kind, "ab" * (length // 2))}
    assert extract("a" * 33) == set()  # not a hash length


def test_the_exclusion_list_drops_values():
    assert ("ipv4-addr", "8.8.4.4") not in extract(TEXT, excluded={"8.8.4.4"})
    assert ("domain-name", "jade.example") not in extract(TEXT, excluded={"JADE.example"})


def test_values_meet_the_intelligence_stores_normalisation():
    """A ticket and a STIX indicator naming the same thing store the same (kind, value)."""
    indicator = {"type": "indicator", "pattern_type": "stix",
                 "pattern": "[url:value = 'HTTP://Evil.Example/A'] OR [domain-name:value = 'Evil.Example'] "
                            "OR [file:hashes.'SHA-256' = '" + "AB" * 32 + "']"}
    from_intel = correlation.values_of(indicator)
    from_ticket = extract(f"HTTP://Evil.Example/A and hash {'AB' * 32}")
    assert from_intel <= from_ticket


def test_structured_observables_are_read_as_stix_observables():
    found = from_observables([
        {"type": "file", "hashes": {"SHA256": "AB" * 32, "MD5": "CD" * 16}},
        {"type": "domain-name", "value": "Evil.Example"},
        {"type": "ipv4-addr", "value": "10.1.1.1"},  # private: kept on the ticket, not correlated
        {"type": "url", "value": "http://X.example/a"},
        {"type": "vulnerability", "value": "cve-2024-3400"},
    ])
    assert found == {("sha-256", "ab" * 32), ("md5", "cd" * 16), ("domain-name", "evil.example"),
                     ("url", "http://x.example/a"), ("domain-name", "x.example"),
                     ("vulnerability", "CVE-2024-3400")}


@pytest.mark.parametrize(("observable", "problem"), [
    ({"type": "ipv4-addr", "value": "1.2.3"}, ("value", "'1.2.3' is not an IP address")),
    ({"type": "ipv4-addr", "value": "2001:db8::1"}, ("value", "'2001:db8::1' is an IPv6 address, not ipv4-addr")),
    ({"type": "domain-name", "value": "not a domain"}, ("value", "'not a domain' is not a valid domain-name")),
    ({"type": "attack-pattern", "value": "T12"}, ("value", "'T12' is not a valid attack-pattern")),
    ({"type": "file", "hashes": {"SHA-256": "ab"}}, ("hashes.SHA-256", "not a SHA-256 digest (64 hexadecimal digits)")),
    ({"type": "file", "hashes": {"CRC32": "ab"}},
     ("hashes.CRC32", "unknown hash algorithm 'CRC32': use MD5, SHA-1, SHA-256 or SHA-512")),
])
def test_observable_problems_name_the_field(observable, problem):
    assert observable_problem(observable) == problem


# -- properties ---------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_fails_on_any_text(text):
    for kind, value in extract(text):
        assert kind in (*extraction.VALUE_KINDS, *extraction.HASH_BY_LENGTH.values())
        assert value and len(value) <= correlation.MAX_VALUE


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"type": st.sampled_from(extraction.OBSERVABLE_TYPES),
                                       "value": st.text(max_size=60)}), max_size=5))
def test_observables_that_pass_the_check_never_fail(observables):
    fine = [o for o in observables if o["type"] != "file" and observable_problem(o) is None]
    from_observables(fine)


def _global(address) -> bool:
    return extraction.address(str(address)) is not None


VALUES = st.one_of(
    st.ip_addresses(v=4).filter(_global).map(lambda a: ("ipv4-addr", str(a))),
    st.ip_addresses(v=6).filter(_global).map(lambda a: ("ipv6-addr", str(a))),
    domains(max_length=200).map(lambda d: ("domain-name", d)),
    st.tuples(domains(max_length=120), st.from_regex(r"[a-z0-9_/-]{0,30}", fullmatch=True))
      .map(lambda p: ("url", f"https://{p[0]}/{p[1]}")),
    st.tuples(st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,20}[a-z0-9])?", fullmatch=True), domains(max_length=120))
      .map(lambda p: ("email-addr", f"{p[0]}@{p[1]}")),
)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from(["", "seen at ", "IOC: "]), st.sampled_from(["", " today", ". Next line"]))
def test_a_defanged_value_comes_back_as_itself(kind_value, before, after):
    kind, value = kind_value
    expected = correlation.normalise(kind, value)
    if kind.startswith("ipv"):
        expected = str(ipaddress.ip_address(value))
    assert (kind, expected) in extract(f"{before}{defang(kind, value)}{after}")
    # Undefanged, only a "domain" ending like a file name (a .zip) is taken for one.
    plain = extract(f"{before}{value}{after}")
    assert (kind, expected) in plain or value.rsplit(".", 1)[-1].lower() in extraction.FILE_ENDINGS
