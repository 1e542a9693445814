"""#16 item 9 (probe M6, M8): production never replaces a missing signing key, and the CLI never
calls a bundle VERIFIED just because it verifies against the key packed inside it."""

import json
import os
import signal
import subprocess
import sys
import time

from fairclaim.evidence.keys import Signer
from tests.evidence.test_timestamp import synthetic_bundle
from tests.test_settings import PRODUCTION_ENV
from tests.webserver import free_port

START_TIMEOUT = 30  # seconds for gunicorn to either serve or give up


def clean_env(production=False, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRCLAIM_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, **(PRODUCTION_ENV if production else {}), **extra}


def fairclaim(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", *args],
        capture_output=True, text=True, timeout=120, env=env or clean_env(),
    )  # fmt: skip


def test_signing_production_server_refuses_to_start_without_its_key(tmp_path):
    key = tmp_path / "keys" / "signing-ed25519.pem"
    env = clean_env(
        production=True,
        FAIRCLAIM_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        FAIRCLAIM_SIGNING_KEY=str(key),
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fairclaim.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = server.communicate(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
        raise AssertionError(f"the server kept running without its key:\n{output}") from None
    assert server.returncode != 0
    assert "does not exist; production never creates one" in output
    assert not key.exists()


def test_signing_production_worker_code_refuses_to_create_a_key(tmp_path):
    key = tmp_path / "keys" / "signing-ed25519.pem"
    env = clean_env(
        production=True,
        FAIRCLAIM_DATA_DIR=str(tmp_path / "data"),
        FAIRCLAIM_SIGNING_KEY=str(key),
    )
    code = "from fairclaim.portal.signing import platform_signer; platform_signer()"
    result = fairclaim("manage", "shell", "-c", code, env=env)
    assert result.returncode != 0
    assert "production never creates one" in result.stderr
    assert not key.exists()


def test_signing_production_starts_with_its_keys(tmp_path):
    """The refusal is only for a missing key: with the keys in place the server serves."""
    import urllib.request

    key = tmp_path / "keys" / "signing-ed25519.pem"
    assert fairclaim("evidence", "rotate-keys", "--key", str(key)).returncode == 1  # none yet
    # The one deliberate step that makes the key folder: Ed25519, document certificate, WACZ key.
    made = fairclaim("evidence", "public-key", "--key", str(key))
    env = clean_env(
        production=True,
        FAIRCLAIM_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        FAIRCLAIM_SIGNING_KEY=str(key),
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fairclaim.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/.well-known/fairclaim-signing-keys.json",
                    headers={"Host": "claims.example.org", "X-Forwarded-Proto": "https"},
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    keys = json.loads(response.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert {entry["algorithm"] for entry in keys["keys"]} == {
            "Ed25519", "RSA-3072", "ECDSA-P384",
        }  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def bundles(tmp_path):
    """A platform bundle, and one a stranger made with their own key: every hash and signature
    in it holds, only the key is not the platform's (probe M8)."""
    platform = Signer.from_path(tmp_path / "platform" / "signing-ed25519.pem")
    stranger = Signer.from_path(tmp_path / "stranger" / "signing-ed25519.pem")
    synthetic_bundle(tmp_path / "genuine.wacz", platform)
    synthetic_bundle(tmp_path / "forged.wacz", stranger)
    return platform, stranger, tmp_path / "genuine.wacz", tmp_path / "forged.wacz"


def test_signing_cli_verify_without_a_trusted_key_names_the_key_and_fails(tmp_path):
    _, stranger, _, forged = bundles(tmp_path)
    # no key of this installation either: nothing to trust by default
    nowhere = clean_env(FAIRCLAIM_SIGNING_KEY=str(tmp_path / "none" / "signing-ed25519.pem"))
    result = fairclaim("evidence", "verify", str(forged), env=nowhere)
    assert result.returncode == 1, result.stdout
    assert f"signed by {stranger.key_id}, which was not checked against a trusted key" in (
        result.stdout
    )
    assert [line for line in result.stdout.splitlines() if line.startswith("FAILED")] == [
        f"FAILED trusted key: signed by {stranger.key_id}, which was not checked against a "
        "trusted key: pass --public-key PEM or --trusted-keys KEYLIST.json (the platform's "
        "/.well-known/fairclaim-signing-keys.json), or --trust-any-key to accept any key"
    ]
    assert "VERIFIED" not in result.stdout.replace("NOT VERIFIED", "")


def test_signing_cli_verify_trusts_this_installations_own_keys_by_default(tmp_path):
    """A contract (docs/architecture.md): what `fairclaim evidence capture` signed here verifies
    without flags (exit 0); a bundle signed by another key still fails, and nothing is created."""
    platform, _, genuine, forged = bundles(tmp_path)
    here = clean_env(FAIRCLAIM_SIGNING_KEY=str(platform.path))
    ok = fairclaim("evidence", "verify", str(genuine), env=here)
    assert ok.returncode == 0, ok.stdout
    assert f"{platform.key_id} is a published platform key" in ok.stdout
    refused = fairclaim("evidence", "verify", str(forged), env=here)
    assert refused.returncode == 1
    assert "is not in the published key list" in refused.stdout
    missing = tmp_path / "absent" / "signing-ed25519.pem"
    fairclaim("evidence", "verify", str(genuine), env=clean_env(FAIRCLAIM_SIGNING_KEY=str(missing)))
    assert not missing.parent.exists()


def test_signing_cli_verify_accepts_any_key_only_when_asked_and_says_so(tmp_path):
    platform, _, genuine, _ = bundles(tmp_path)
    result = fairclaim("evidence", "verify", str(genuine), "--trust-any-key")
    assert result.returncode == 0, result.stdout
    assert f"signed by {platform.key_id}; NOT checked against a trusted key" in result.stdout


def test_signing_cli_verify_against_the_published_key_list(tmp_path):
    from datetime import UTC, datetime

    from fairclaim.evidence.keyring import platform_keyring

    platform, _, genuine, forged = bundles(tmp_path)
    keylist = tmp_path / "fairclaim-signing-keys.json"
    keylist.write_bytes(platform_keyring(platform, datetime.now(UTC)).to_json_bytes())
    ok = fairclaim("evidence", "verify", str(genuine), "--trusted-keys", str(keylist))
    assert ok.returncode == 0, ok.stdout
    assert f"OK     trusted key: {platform.key_id} is a published platform key" in ok.stdout
    refused = fairclaim("evidence", "verify", str(forged), "--trusted-keys", str(keylist))
    assert refused.returncode == 1
    assert "is not in the published key list" in refused.stdout
