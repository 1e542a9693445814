"""Address safety: private, loopback and link-local destinations are refused after DNS."""

from __future__ import annotations

import pytest

from fairclaim.evidence.addresses import (
    AddressPolicy,
    AddressRefused,
    CachingChecker,
    check_url,
)

STRICT = AddressPolicy(allow_loopback=False)
LOOPBACK_OK = AddressPolicy(allow_loopback=True)


def test_refuses_loopback_address_after_dns():
    # "localhost" is a name: the refusal comes from what the system resolver answers.
    with pytest.raises(AddressRefused, match=r"localhost resolves to .*loopback"):
        check_url("http://localhost:8000/page.html", STRICT)


def test_allows_loopback_when_asked():
    assert "127.0.0.1" in check_url("http://localhost:8000/page.html", LOOPBACK_OK)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.5/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://0.0.0.0/", "non-public"),
    ],
)
def test_refuses_private_and_link_local_even_with_loopback_allowed(url, words):
    with pytest.raises(AddressRefused, match=words):
        check_url(url, LOOPBACK_OK)


def test_every_resolved_address_must_be_public():
    def resolver(host, port):  # a name with one public and one private record (DNS rebinding)
        return ["93.184.215.14", "10.0.0.7"]

    with pytest.raises(AddressRefused, match=r"10\.0\.0\.7"):
        check_url("https://example.org/", STRICT, resolver)
    assert check_url("https://example.org/", STRICT, lambda h, p: ["93.184.215.14"])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "http:///nohost"])
def test_refuses_non_web_urls(url):
    with pytest.raises(AddressRefused):
        check_url(url, LOOPBACK_OK)


def test_unresolvable_host_is_refused_with_the_reason():
    with pytest.raises(AddressRefused, match="cannot resolve"):
        check_url("http://no-such-host.invalid/", STRICT)


def test_env_switch_allows_loopback(monkeypatch):
    monkeypatch.setenv("FAIRCLAIM_ALLOW_LOOPBACK", "1")
    assert AddressPolicy.from_env().allow_loopback
    assert not AddressPolicy.from_env(allow_loopback=False).allow_loopback
    monkeypatch.delenv("FAIRCLAIM_ALLOW_LOOPBACK")
    assert not AddressPolicy.from_env().allow_loopback


def test_caching_checker_resolves_each_host_once():
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["10.9.8.7"] if host == "intranet.example" else ["93.184.215.14"]

    checker = CachingChecker(STRICT, resolver)
    assert checker.problem("https://cdn.example/a.png") is None
    assert checker.problem("https://cdn.example/b.png") is None
    assert "private" in checker.problem("https://intranet.example/x")
    assert calls == ["cdn.example", "intranet.example"]


def test_answers_from_refused_addresses_are_split_off():
    from datetime import UTC, datetime

    from fairclaim.evidence.responses import split_by_address
    from fairclaim.evidence.wacz import HttpExchange

    def answered_from(ip):
        return HttpExchange(
            url=f"http://host-{ip}/", method="GET", request_headers=[], status=200,
            status_text="OK", response_headers=[], body=b"", fetched_at=datetime.now(UTC),
            server_ip=ip,
        )  # fmt: skip

    public = answered_from("93.184.215.14")
    rebound = answered_from("10.0.0.9")
    unknown = answered_from(None)  # Playwright could not tell the address
    kept, refused = split_by_address([public, rebound, unknown], STRICT)
    assert kept == [public, unknown]
    assert refused == [rebound]
