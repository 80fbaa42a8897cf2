#!/usr/bin/env bash
# Install (if needed) and start PostgreSQL from Debian's packages, then print a database URL
# for the broker's PostgreSQL tests. Prints nothing (and exits 0) if PostgreSQL cannot run here.
set -uo pipefail
log() { echo "postgres.sh: $*" >&2; }
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql from Debian packages"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || { log "could not install postgresql"; exit 0; }
fi
version=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1}')
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null 2>&1 || { log "could not create a cluster"; exit 0; }
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
su postgres -c "pg_isready -q" || { log "postgresql did not start"; exit 0; }
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
su postgres -c "psql -q -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='broker'\"" | grep -q 1 \
  || su postgres -c "psql -q -p $port -c \"CREATE ROLE broker LOGIN SUPERUSER PASSWORD 'broker'\""
su postgres -c "psql -q -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='broker_test'\"" | grep -q 1 \
  || su postgres -c "createdb -p $port -O broker broker_test"
echo "postgresql+psycopg://broker:broker@127.0.0.1:${port}/broker_test"
