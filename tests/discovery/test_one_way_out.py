"""Every outbound HTTP request leaves through one guarded seam.

`discovery.fetch.fetch` checks the address after DNS resolution and caps time and size; the TSA
(evidence.timestamp), Stripe (payments.providers.stripe.http), webhooks (api.delivery) and
reverse image search (discovery.providers) call it. Two components need their own transport and
apply the same address rule (`discovery.addresses.check_address`): the Scrapy crawl (its
resolver and middleware, discovery.crawl_guards) and the capture browser's forward proxy
(evidence.egress). No other module opens a connection or imports an HTTP client.
"""

import ast
from pathlib import Path

import fairclaim

SRC = Path(fairclaim.__file__).parent
HTTP_CLIENTS = {"requests", "httpx", "urllib3", "aiohttp", "http.client", "urllib.request"}
# Where a connection may be opened, and why.
SEAMS = {
    "discovery/fetch.py": "the seam itself (pinned HTTP(S) connections)",
    "evidence/egress.py": "the capture browser's proxy: one connection per checked address",
    "payments/providers/stripe/http.py": "only for the header type the Stripe library expects",
}


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_module_but_the_seams_imports_an_http_client_or_opens_a_socket():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        imported = {
            module
            for module in _imports(ast.parse(text))
            if module in HTTP_CLIENTS or module.split(".")[0] in HTTP_CLIENTS
        }
        if (imported or "create_connection(" in text) and name not in SEAMS:
            found.append(f"{name}: {sorted(imported) or 'socket.create_connection'}")
    assert found == []


def test_the_tsa_stripe_and_webhooks_go_through_fetch():
    for name in (
        "evidence/timestamp.py",
        "payments/providers/stripe/http.py",
        "api/delivery.py",
        "discovery/providers/base.py",
    ):
        text = (SRC / name).read_text(encoding="utf-8")
        assert "from fairclaim.discovery.fetch import" in text, name
