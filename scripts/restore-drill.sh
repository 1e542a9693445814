#!/usr/bin/env bash
# Restore drill on a disposable PostgreSQL cluster (run by `make test`): seed a live instance
# (a case log and a signed evidence bundle), back it up with scripts/backup.sh, restore it with
# scripts/restore.sh into a new database and data directory, and prove the restored instance
# verifies its old evidence with the same key and continues its case logs.
# Skips with a message when PostgreSQL's server binaries are absent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/disposable-postgres.sh
postgres_installed "the restore drill" || exit 0
start_disposable_postgres
server="$pg_url"
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres live
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres restored
export PG_BINDIR="$bindir" DJANGO_SETTINGS_MODULE=fairclaim.settings PYTHONPATH="$PWD/src"

# The live instance: migrate, seed, back up.
export DATABASE_URL="$server/live" FAIRCLAIM_DATA_DIR="$tmp/live"
.venv/bin/fairclaim manage migrate --verbosity 0
expected=$(.venv/bin/python scripts/restore_drill.py seed)
scripts/backup.sh "$tmp/backup" >/dev/null

# A new instance from the backup alone.
export DATABASE_URL="$server/restored" FAIRCLAIM_DATA_DIR="$tmp/restored"
scripts/restore.sh "$tmp/backup" >/dev/null
.venv/bin/python scripts/restore_drill.py check "$expected"
