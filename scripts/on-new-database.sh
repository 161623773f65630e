#!/usr/bin/env bash
# Runs a command with CONSOLE_DATABASE_URL naming a new, empty database in the PostgreSQL cluster of
# TEST_POSTGRES_URL (see scripts/with-postgres.sh):
#   ./scripts/with-postgres.sh ./scripts/on-new-database.sh cargo leptos end-to-end
set -euo pipefail
: "${TEST_POSTGRES_URL:?run through ./scripts/with-postgres.sh}"
name="console_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
psql -q "$TEST_POSTGRES_URL" -c "CREATE DATABASE $name" >/dev/null
export CONSOLE_DATABASE_URL="${TEST_POSTGRES_URL%/*}/$name"
echo "the console's database: PostgreSQL database $name" >&2
exec "$@"
