#!/usr/bin/env bash
# Runs a command beside a private PostgreSQL cluster: Debian's PostgreSQL, `initdb` in a temporary directory, its
# own port on 127.0.0.1, trust for local connections only, stopped and removed when the command ends. The command
# finds it in TEST_POSTGRES_URL (a superuser's URL to the `postgres` database; the tests make a database each).
#   ./scripts/with-postgres.sh cargo test --features ssr --test it stores
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed (./scripts/setup.sh --browser installs Debian's postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/bi-console-pg.XXXXXX)
# PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's postgres user.
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi
stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -U console --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
started=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off" \
    start >/dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  cat "$dir/server.log" >&2
  echo "the private PostgreSQL cluster did not start" >&2
  exit 1
fi
export TEST_POSTGRES_URL="postgres://console@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port (private cluster in $dir)" >&2
status=0
"$@" || status=$?
exit $status
