"""Registrable domains by the Public Suffix List (private section included), from the bundled
snapshot: the one "same site?" test of the linter and of recipient grouping."""

import pytest

from fairclaim.rules.domains import host_of, matching_domain, registrable_domain, same_site


@pytest.mark.parametrize(
    ("value", "site"),
    [
        ("https://www.shop.example.co.uk/p?q=1", "example.co.uk"),
        ("shop.anna.de", "anna.de"),
        ("anna.de/galerie", "anna.de"),
        ("HTTPS://WWW.Anna.DE./", "anna.de"),
        ("https://user@blog.anna.de:8443/x", "anna.de"),
        # private section: each customer of a shared host is its own site
        ("https://anna.github.io/", "anna.github.io"),
        ("bob.blogspot.com", "bob.blogspot.com"),
        # a bare public suffix names no one's site
        ("github.io", None),
        ("co.uk", None),
        ("", None),
        # an unlisted TLD is a suffix (the list's default rule "*")
        ("https://shop.anna-berg.example/x", "anna-berg.example"),
        # IDN in either spelling
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("https://www.xn--mnchen-3ya.de/", "xn--mnchen-3ya.de"),
        # addresses and single names as themselves
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_registrable_domain(value, site):
    assert registrable_domain(value) == site


def test_host_and_same_site():
    assert host_of("https://Shop.Example.com:443/x") == "shop.example.com"
    assert host_of("https://www.anna-berg.example/") == "www.anna-berg.example"
    assert host_of("localhost") == "localhost"
    assert host_of("github.io") == "github.io"
    assert host_of("") == ""
    assert same_site("https://blog.anna.de/", "anna.de")
    assert not same_site("https://anna.github.io/", "https://bob.github.io/")
    assert not same_site("github.io", "github.io")  # a suffix is nobody's site
    assert matching_domain("https://www.anna.de/x", ["other.de", "anna.de"]) == "anna.de"
    assert matching_domain("https://www.anna.de/x", ["de"]) is None
