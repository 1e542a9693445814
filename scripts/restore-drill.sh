#!/usr/bin/env bash
# Restore drill on a disposable PostgreSQL cluster (run by `make test`): seed a live instance
# (a case log and a signed evidence bundle), back it up with scripts/backup.sh, restore it with
# scripts/restore.sh into a new database and data directory, and prove the restored instance
# verifies its old evidence with the same key and continues its case logs.
# Skips with a message when PostgreSQL's server binaries are absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server not installed: skipping the restore drill." >&2
  exit 0
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
mkdir "$tmp/pg"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$tmp/pg"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bindir/initdb" -D "$tmp/pg/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp/pg -c fsync=off -c synchronous_commit=off" >/dev/null
stop() { "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/pg/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap stop EXIT
server="postgres://postgres@127.0.0.1:$port"
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
