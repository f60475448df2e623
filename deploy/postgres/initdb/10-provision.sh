#!/bin/sh
# First start of an empty data directory: extensions; per service a schema owned by its
# migrator role and a runtime role with rows only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v imi_role=imi -v imi_password="$IMI_DB_PASSWORD" \
  -v mimir_role=mimir -v mimir_password="$MIMIR_DB_PASSWORD" \
  -v imi_migrator=imi_migrator -v imi_migrator_password="$IMI_MIGRATOR_PASSWORD" \
  -v mimir_migrator=mimir_migrator -v mimir_migrator_password="$MIMIR_MIGRATOR_PASSWORD" \
  -f /usr/local/share/bloodbank/provision.sql
