#!/bin/sh
# First start of an empty data directory: extensions; per service a schema owned by its
# migrator role and a runtime role with rows only.
set -eu
# The passwords are read by provision.sql from this script's environment, never from argv.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v imi_role=imi -v mimir_role=mimir \
  -v imi_migrator=imi_migrator -v mimir_migrator=mimir_migrator \
  -f /usr/local/share/bloodbank/provision.sql
