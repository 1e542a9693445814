"""Issue 22: tampering with the WACZ spec signature (`signedData` in datapackage-digest.json) is
caught by `fairclaim evidence verify`, the command a recipient's lawyer runs (no browser needed:
a bundle written from plain HTTP exchanges, signed as a capture is)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import zipfile

import pytest

from fairclaim.evidence.keys import Signer
from tests.evidence.test_timestamp import synthetic_bundle


def _verify(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "evidence", "verify", str(path), "--trust-any-key"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _with_digest(source, target, change) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "datapackage-digest.json":
                digest = json.loads(data)
                change(digest["signedData"])
                data = json.dumps(digest, indent=2).encode()
            new.writestr(info, data)


def _flip_signature(signed: dict) -> None:
    raw = bytearray(base64.b64decode(signed["signature"]))
    raw[len(raw) // 2] ^= 0x01
    signed["signature"] = base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "change",
    [
        _flip_signature,
        lambda signed: signed.update(hash="sha256:" + "0" * 64),
        lambda signed: signed.pop("signature"),
    ],
    ids=["signature", "hash", "missing"],
)
def test_a_tampered_spec_signature_fails_fairclaim_evidence_verify(tmp_path, change):
    signer = Signer.from_path(tmp_path / "keys" / "signing-ed25519.pem")
    synthetic_bundle(tmp_path / "good.wacz", signer)
    with zipfile.ZipFile(tmp_path / "good.wacz") as bundle:
        assert "signedData" in json.loads(bundle.read("datapackage-digest.json"))
    good = _verify(tmp_path / "good.wacz")
    assert good.returncode == 0, good.stdout + good.stderr
    _with_digest(tmp_path / "good.wacz", tmp_path / "bad.wacz", change)
    bad = _verify(tmp_path / "bad.wacz")
    assert bad.returncode == 1, bad.stdout
    assert "FAILED WACZ signedData" in bad.stdout
