#!/usr/bin/env bash
# Back up a fairclaim instance into OUT_DIR: the PostgreSQL database (pg_dump, custom format),
# the private files (works, evidence bundles, letters) and the signing keys. Without the keys no
# restored notice or bundle can be checked against the published key, so they are never left out.
# Uses DATABASE_URL (postgres://...) and FAIRCLAIM_DATA_DIR as the instance does.
#   scripts/backup.sh OUT_DIR
set -euo pipefail
out=${1:?usage: scripts/backup.sh OUT_DIR}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
: "${FAIRCLAIM_DATA_DIR:?FAIRCLAIM_DATA_DIR must name the data directory}"
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
mkdir -p "$out"
"$bindir/pg_dump" --format=custom --no-owner --file="$out/database.dump" "$DATABASE_URL"
tar -C "$FAIRCLAIM_DATA_DIR" -czf "$out/files.tar.gz" private keys
(cd "$out" && sha256sum database.dump files.tar.gz > SHA256SUMS)
echo "backup written to $out"
