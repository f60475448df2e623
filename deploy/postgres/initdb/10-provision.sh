#!/bin/sh
# First start of an empty data directory: extensions, roles imi/mimir, one schema each.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v imi_role=imi -v imi_password="$IMI_DB_PASSWORD" \
  -v mimir_role=mimir -v mimir_password="$MIMIR_DB_PASSWORD" \
  -f /usr/local/share/bloodbank/provision.sql
