"""Settings come from the environment, are validated, and production passes `check --deploy`."""

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "FAIRCLAIM_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-not-a-real-secret-but-long-enough-for-the-check-" + "z" * 20,
    "ALLOWED_HOSTS": "claims.example.org",
    "DATABASE_URL": "sqlite:////tmp/fairclaim-deploy-check.sqlite3",
    "CSRF_TRUSTED_ORIGINS": "https://claims.example.org",
    "FAIRCLAIM_DATA_DIR": "/tmp/fairclaim-deploy-check",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAIRCLAIM_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    return subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "manage", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    key = tmp_path / "signing.pem"
    created = subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", "evidence", "public-key", "--key", str(key)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    env = {**PRODUCTION_ENV, "FAIRCLAIM_SIGNING_KEY": str(key)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_deploy_check_names_a_missing_signing_key(tmp_path):
    env = {**PRODUCTION_ENV, "FAIRCLAIM_SIGNING_KEY": str(tmp_path / "absent.pem")}
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "fairclaim.E001" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set in production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "changeme"})
    assert "SECRET_KEY must be a random string of at least 50 characters" in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("f" * 60 + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env={**env, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_a_malformed_value_is_named():
    result = manage("check", env={"FAIRCLAIM_DEBUG": "maybe"})
    assert "FAIRCLAIM_DEBUG must be a boolean (1/0, true/false), got 'maybe'" in result.stderr


def test_database_url_selects_postgresql():
    from fairclaim.settings import database_from_url

    db = database_from_url("postgres://app:s%40cret@127.0.0.1:5434/fairclaim?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "app", "s@cret", "127.0.0.1", "5434", "fairclaim"
    )  # fmt: skip
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_file_database_uses_wal(tmp_path):
    path = tmp_path / "f.sqlite3"
    result = manage("migrate", "--no-input", env={"DATABASE_URL": f"sqlite:///{path}"})
    assert result.returncode == 0, result.stderr
    import sqlite3

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
