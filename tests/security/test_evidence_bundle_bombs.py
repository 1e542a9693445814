"""#16 item 4: a hostile bundle cannot exhaust the verifier's memory (probe H3: a 1 MB bundle
whose datapackage.json inflates to 1 GiB grew a web worker by 2 GB). Members are streamed and
hashed; member count, inflated sizes and compression ratio are bounded before anything inflates.
"""

import subprocess
import sys
import zipfile

import pytest
from django.urls import reverse

BOMB_BYTES = 512 * 1024 * 1024  # half the probe's payload: the same hole, half the test time
CHUNK = b" " * (1024 * 1024)
MAX_VERIFIER_RSS_KB = 300 * 1024  # the interpreter with warcio and cryptography is ~80 MB
TOO_MANY_MEMBERS = 5_000  # a capture has about ten


def write_bomb(path, member="datapackage.json", size=BOMB_BYTES):
    """The probe's payload, written in chunks so the test itself stays small."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(member, "w", force_zip64=True) as handle,
    ):
        for _ in range(size // len(CHUNK)):
            handle.write(CHUNK)
    return path


def peak_rss_kb_of_verifying(path) -> tuple[int, str]:
    """Run `fairclaim evidence verify` under a small parent that reports the child's peak RSS
    (kB, from its own resource usage); return it with the verifier's output."""
    code = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'fairclaim.cli', 'evidence', 'verify',"
        " sys.argv[1]], capture_output=True, text=True)\n"
        "print(done.stdout + done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    *lines, peak = done.stdout.strip().splitlines()
    return int(peak), "\n".join(lines)


@pytest.mark.parametrize(
    ("member", "refusal"),
    [
        ("datapackage.json", f"inflates to {BOMB_BYTES} bytes, over the"),  # the probe's payload
        ("fairclaim/dom.html", "compression ratio"),
    ],
)
def test_evidence_verifier_memory_stays_bounded_on_a_deflate_bomb(tmp_path, member, refusal):
    bomb = write_bomb(tmp_path / "bomb.wacz", member)
    assert bomb.stat().st_size < 2_000_000
    peak, report = peak_rss_kb_of_verifying(bomb)
    assert peak < MAX_VERIFIER_RSS_KB, f"peak RSS {peak} kB\n{report}"
    assert f"FAILED {member}: {refusal}" in report
    assert "NOT VERIFIED" in report


def test_evidence_verifier_streams_a_big_member_it_is_allowed_to_read(tmp_path):
    """A large member within the limits (a WARC-sized screenshot) is hashed, never held."""
    big = tmp_path / "big.wacz"
    with (
        zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as archive,
        archive.open("fairclaim/screenshot-full.png", "w", force_zip64=True) as handle,
    ):
        for _ in range(400):
            handle.write(CHUNK)
    peak, report = peak_rss_kb_of_verifying(big)
    assert peak < MAX_VERIFIER_RSS_KB, f"peak RSS {peak} kB\n{report}"
    assert "fairclaim/screenshot-full.png" in report


def test_evidence_verifier_refuses_too_many_members(tmp_path):
    many = tmp_path / "many.wacz"
    with zipfile.ZipFile(many, "w") as archive:
        for number in range(TOO_MANY_MEMBERS):
            archive.writestr(f"fairclaim/{number}.txt", b"x")
    _, report = peak_rss_kb_of_verifying(many)
    assert f"FAILED bundle: {TOO_MANY_MEMBERS} members, over the" in report


def test_evidence_web_verifier_refuses_the_bomb_without_inflating_it(
    client, db, tmp_path, settings
):
    settings.FAIRCLAIM_SIGNING_KEY = str(tmp_path / "keys" / "signing.pem")
    bomb = write_bomb(tmp_path / "bomb.wacz", size=256 * 1024 * 1024)
    with bomb.open("rb") as upload:
        response = client.post(reverse("verify:evidence"), {"bundle": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not verified" in text
    assert "inflates to 268435456 bytes, over the" in text
