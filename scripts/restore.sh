#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database (DATABASE_URL) and an empty
# data directory (FAIRCLAIM_DATA_DIR). Checks the backup's checksums first.
#   scripts/restore.sh BACKUP_DIR
set -euo pipefail
src=${1:?usage: scripts/restore.sh BACKUP_DIR}
: "${DATABASE_URL:?DATABASE_URL must name the (empty) PostgreSQL database}"
: "${FAIRCLAIM_DATA_DIR:?FAIRCLAIM_DATA_DIR must name the (empty) data directory}"
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
mkdir -p "$FAIRCLAIM_DATA_DIR"
if [ -n "$(ls -A "$FAIRCLAIM_DATA_DIR")" ]; then
  echo "restore: $FAIRCLAIM_DATA_DIR is not empty; refusing to overwrite" >&2
  exit 1
fi
"$bindir/pg_restore" --no-owner --exit-on-error --dbname="$DATABASE_URL" "$src/database.dump"
tar -C "$FAIRCLAIM_DATA_DIR" -xzf "$src/files.tar.gz"
echo "restored into $FAIRCLAIM_DATA_DIR"
