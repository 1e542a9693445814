"""Address policy: which addresses discovery may reach, checked after name resolution."""

from __future__ import annotations

import pytest

from fairclaim.discovery.addresses import (
    MappedResolver,
    allow_loopback_from_env,
    check_address,
    parse_resolve_entries,
    resolve_checked,
)
from fairclaim.discovery.errors import AddressRefused, DnsFailed


@pytest.mark.parametrize(
    "ip",
    [
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata service
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "100.64.0.1",  # carrier-grade NAT
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "224.0.0.1",
    ],
)
def test_refuses_private_link_local_and_reserved_addresses(ip):
    with pytest.raises(AddressRefused):
        check_address(ip, allow_loopback=True)


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_refuses_loopback_unless_allowed(ip):
    with pytest.raises(AddressRefused, match="FAIRCLAIM_ALLOW_LOOPBACK"):
        check_address(ip, allow_loopback=False)
    check_address(ip, allow_loopback=True)


def test_accepts_public_addresses():
    check_address("93.184.216.34", allow_loopback=False)
    check_address("2606:2800:220:1:248:1893:25c8:1946", allow_loopback=False)


def test_refuses_localhost_after_dns_resolution():
    with pytest.raises(AddressRefused, match="localhost"):
        resolve_checked("localhost", 80, allow_loopback=False)
    assert resolve_checked("localhost", 80, allow_loopback=True) in {"127.0.0.1", "::1"}


def test_refuses_name_that_resolves_to_private_address():
    resolver = MappedResolver({"innocent.example": "10.20.30.40"})
    with pytest.raises(AddressRefused, match=r"innocent\.example"):
        resolve_checked("innocent.example", 443, allow_loopback=True, resolver=resolver)


def test_picks_the_public_answer_when_a_name_resolves_to_mixed_addresses():
    def resolver(host, port):
        return ["10.0.0.1", "93.184.216.34"]

    assert resolve_checked("mixed.example", 80, allow_loopback=False, resolver=resolver) == (
        "93.184.216.34"
    )


def test_unresolvable_name_is_a_dns_error():
    with pytest.raises(DnsFailed):
        resolve_checked("does-not-exist.invalid", 80, allow_loopback=False)


def test_ip_literals_are_checked_without_resolution():
    def resolver(host, port):
        raise AssertionError("must not resolve an IP literal")

    with pytest.raises(AddressRefused):
        resolve_checked("[fe80::1]", 80, allow_loopback=True, resolver=resolver)


def test_loopback_flag_reads_the_documented_environment_variable():
    assert allow_loopback_from_env({"FAIRCLAIM_ALLOW_LOOPBACK": "1"})
    assert not allow_loopback_from_env({"FAIRCLAIM_ALLOW_LOOPBACK": "0"})
    assert not allow_loopback_from_env({})


def test_resolve_entries_accept_curl_syntax_and_reject_bad_addresses():
    assert parse_resolve_entries(["A.test:10.0.0.1", "b.test:443:127.0.0.1"]) == {
        "a.test": "10.0.0.1",
        "b.test": "127.0.0.1",
    }
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        parse_resolve_entries(["c.test:not-an-ip"])
