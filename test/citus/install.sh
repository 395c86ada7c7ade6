#!/bin/bash
# Installs the Citus cluster's software for the Citus suite: ../shared/citus/install.sh, then, when the
# machine's PostgreSQL 15 is older than the one Citus was built against (a missing symbol otherwise keeps
# citus.so from loading), Debian's current postgresql-15. Needs root. Idempotent.
set -eu
citus_dir=${1:?the shared citus folder}
bash "$citus_dir/install.sh"
built_for=15.20
have=$(/usr/lib/postgresql/15/bin/postgres --version | sed -E 's/.* ([0-9]+\.[0-9]+).*/\1/')
if [ "$(printf '%s\n%s\n' "$have" "$built_for" | sort -V | head -1)" != "$built_for" ]; then
  echo "PostgreSQL $have is older than $built_for, which Citus was built against: upgrading postgresql-15"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi
