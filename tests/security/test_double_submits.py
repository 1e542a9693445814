"""Double submits never give a 500 and never do a thing twice (issue 16 item 10, probe L2).

A real `fairclaim serve` (two worker processes, a SQLite file as in the demo) gets every form that
changes a case posted ten times at once from one signed-in browser, the way a double click or an
impatient reload does: the manager's "send the demand" and decision, the recipient's message,
payment choice (bank transfer), licence upload and defence. Every answer is a page or a redirect,
and the case holds exactly one of each thing, with its log's hash chain intact.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django_otp.oath import totp

from tests.security.double_submit_world import MANAGER_TOTP_KEY, PASSWORD
from tests.security.test_kill_per_task_kind import Services, Trap

REPO = Path(__file__).resolve().parents[2]
TIMES = 10
PROOF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _at_once(session: requests.Session, url: str, data: dict, files: dict | None = None):
    """POST `data` TIMES at once from one browser session; the status codes, sorted."""

    def post(_):
        return session.post(
            url, data=data, files=files, headers={"Referer": url}, allow_redirects=False,
            timeout=60,
        ).status_code  # fmt: skip

    with ThreadPoolExecutor(TIMES) as pool:
        return sorted(pool.map(post, range(TIMES)))


@pytest.mark.timeout(600)
def test_forms_posted_ten_times_at_once_answer_cleanly_and_act_once(tmp_path):
    services = Services(Trap(armed_for="\0"))
    env = {**os.environ, "FAIRCLAIM_DATA_DIR": str(tmp_path), "FAIRCLAIM_ALLOW_LOOPBACK": "1",
           "FAIRCLAIM_DEBUG": "0",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}  # fmt: skip
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)

    def run(*argv) -> str:
        done = subprocess.run([sys.executable, *argv], env=env, cwd=REPO, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return (done.stdout.strip().splitlines() or [""])[-1]

    def world(*argv) -> str:
        return run("-m", "tests.security.double_submit_world", *argv)

    run("-m", "fairclaim.cli", "manage", "migrate", "-v", "0")
    reference = world("setup", services.base)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "fairclaim.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log_file,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "fairclaim serve did not start"
            time.sleep(0.3)
        answers: dict[str, list[int]] = {}

        manager = requests.Session()
        token = _token(manager, f"{base}/accounts/login/")
        signed_in = manager.post(
            f"{base}/accounts/login/",
            data={"username": "manager", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"}, allow_redirects=False, timeout=30,
        )  # fmt: skip
        assert signed_in.status_code == 302
        verify = f"{base}/accounts/two-factor/verify/"  # staff pass the second step
        code = f"{totp(bytes.fromhex(MANAGER_TOTP_KEY)):06d}"
        passed = manager.post(
            verify, data={"code": code, "csrfmiddlewaretoken": _token(manager, verify)},
            headers={"Referer": verify}, allow_redirects=False, timeout=30,
        )  # fmt: skip
        assert passed.status_code == 302
        assert "two-factor" not in passed.headers["Location"]
        case_url = f"{base}/cases/{reference}/"
        token = _token(manager, case_url)
        answers["send"] = _at_once(
            manager, f"{case_url}act/", {"action": "send_notice", "csrfmiddlewaretoken": token}
        )
        run("-m", "fairclaim.cli", "worker", "--batch")  # the demand goes out
        assert json.loads(world("show", reference))["state"] == "notice_sent"

        recipient = requests.Session()
        portal = f"{base}/portal/"
        token = _token(recipient, portal)
        entered = recipient.post(
            portal, data={"reference": reference, "code": world("code", reference),
                          "csrfmiddlewaretoken": token},
            headers={"Referer": portal}, allow_redirects=False, timeout=30,
        )  # fmt: skip
        assert entered.status_code == 302
        here = f"{portal}{reference}/"
        token = _token(recipient, here)
        answers["message"] = _at_once(
            recipient, f"{here}messages/", {"body": "Hello", "csrfmiddlewaretoken": token}
        )
        answers["pay"] = _at_once(recipient, f"{here}pay/", {
            "offer": "past_and_future", "instalments": "1", "method": "bank_transfer",
            "csrfmiddlewaretoken": token})  # fmt: skip
        answers["licence"] = _at_once(
            recipient,
            f"{here}licence/",
            {"licensee": "Laden GmbH", "source": "Stock agency", "csrfmiddlewaretoken": token},
            files={"proof": ("licence.pdf", PROOF, "application/pdf")},
        )
        answers["defence"] = _at_once(recipient, f"{here}defence/", {
            "kind": "licence_elsewhere", "statement": "We have a licence.",
            "csrfmiddlewaretoken": token})  # fmt: skip
        shown = json.loads(world("show", reference))
        page = manager.get(case_url, timeout=30).text
        submission = re.search(rf"/cases/{reference}/licence/(\d+)/decide/", page)
        assert submission, "the licence submission is not on the manager's case page"
        token = _token(manager, case_url)
        answers["decide"] = _at_once(
            manager, f"{base}{submission.group(0)}",
            {"decision": "reject", "reasons": "The proof names another site.",
             "csrfmiddlewaretoken": token},
        )  # fmt: skip
        decided = json.loads(world("show", reference))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()
        services.close()

    for form, codes in answers.items():
        log = (tmp_path / "serve.log").read_text()[-4000:]
        assert all(code in (200, 302) for code in codes), (form, codes, log)
    assert shown["demands"] == 1
    assert shown["messages"] == TIMES  # each message is a message: all kept, none lost
    assert shown["payments"] == 1
    assert shown["licences"] == 1
    assert shown["defences"] <= 1  # the licence came first: a defence may be refused, cleanly
    assert decided["undecided_licences"] == 0
    assert shown["chain"]
    assert decided["chain"]
