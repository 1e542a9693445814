#!/usr/bin/env bash
# The database-touching tests again, on a disposable PostgreSQL cluster on 127.0.0.1 (same
# migrations, same assertions). Skips with a message when PostgreSQL's server binaries are absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server not installed: skipping the PostgreSQL test pass." >&2
  exit 0
fi
tmp=$(mktemp -d)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$tmp"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off" >/dev/null
stop() { "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap stop EXIT
echo "PostgreSQL pass on 127.0.0.1:$port"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/fairclaim" \
  .venv/bin/pytest -q -m "not browser" -p no:cacheprovider \
  tests/accounts tests/works tests/cases tests/portal tests/payments tests/security tests/api tests/test_cli.py "$@"
