-- Run by CloudNativePG once, as the superuser inside the application database `platform`,
-- when the cluster is created (bootstrap.initdb.postInitApplicationSQLRefs). The same roles,
-- schemas and grants as deploy/postgres/provision.sql; the passwords and LOGIN come from the
-- Cluster's managed roles, whose passwords are Secrets outside this tree.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['imi', 'mimir', 'imi_migrator', 'mimir_migrator'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', name);
    END IF;
  END LOOP;
END $$;

-- A runtime role's statements and open transactions are bounded wherever it connects from.
ALTER ROLE imi SET statement_timeout = '30s';
ALTER ROLE mimir SET statement_timeout = '30s';
ALTER ROLE imi SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE mimir SET idle_in_transaction_session_timeout = '60s';

-- Each migrator owns exactly one schema; the runtime roles read and write rows only.
CREATE SCHEMA IF NOT EXISTS imi AUTHORIZATION imi_migrator;
CREATE SCHEMA IF NOT EXISTS mimir AUTHORIZATION mimir_migrator;
REVOKE ALL ON SCHEMA imi FROM PUBLIC;
REVOKE ALL ON SCHEMA mimir FROM PUBLIC;
GRANT USAGE ON SCHEMA imi TO imi;
GRANT USAGE ON SCHEMA mimir TO mimir;
ALTER DEFAULT PRIVILEGES FOR ROLE imi_migrator IN SCHEMA imi
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO imi;
ALTER DEFAULT PRIVILEGES FOR ROLE mimir_migrator IN SCHEMA mimir
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mimir;
ALTER DEFAULT PRIVILEGES FOR ROLE imi_migrator IN SCHEMA imi
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO imi;
ALTER DEFAULT PRIVILEGES FOR ROLE mimir_migrator IN SCHEMA mimir
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO mimir;

GRANT CONNECT, TEMPORARY ON DATABASE platform TO imi, mimir, imi_migrator, mimir_migrator;
ALTER ROLE imi IN DATABASE platform SET search_path = imi, public;
ALTER ROLE imi_migrator IN DATABASE platform SET search_path = imi, public;
ALTER ROLE mimir IN DATABASE platform SET search_path = mimir, public;
ALTER ROLE mimir_migrator IN DATABASE platform SET search_path = mimir, public;
