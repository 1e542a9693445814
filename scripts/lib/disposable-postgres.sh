# Sourced by scripts that need a throwaway PostgreSQL cluster on 127.0.0.1 (the test pass on
# PostgreSQL, the restore drill):
#   postgres_installed "WHAT" || exit 0   # sets $bindir; says WHAT is skipped when it is absent
#   start_disposable_postgres             # sets $tmp (removed on exit), $port, $pg_url
# The two are separate calls so that `set -e` still stops the script when a start-up step fails
# (it is off inside a function called on the left of `||`).
postgres_installed() {
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "PostgreSQL server not installed: skipping $1." >&2
    return 1
  fi
}

start_disposable_postgres() {
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
  trap stop_disposable_postgres EXIT
  pg_url="postgres://postgres@127.0.0.1:$port"
}

stop_disposable_postgres() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
