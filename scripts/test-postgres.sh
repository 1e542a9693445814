#!/usr/bin/env bash
# The database-touching tests again, on a disposable PostgreSQL cluster on 127.0.0.1 (same
# migrations, same assertions). Skips with a message when PostgreSQL's server binaries are absent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/disposable-postgres.sh
postgres_installed "the PostgreSQL test pass" || exit 0
start_disposable_postgres
echo "PostgreSQL pass on 127.0.0.1:$port"
DATABASE_URL="$pg_url/fairclaim" \
  .venv/bin/pytest -q -m "not browser" -p no:cacheprovider \
  tests/accounts tests/works tests/cases tests/portal tests/payments tests/security tests/api tests/test_cli.py "$@"
