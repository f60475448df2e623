-- Provision one database for both services; run as a superuser inside that database.
-- psql variables: imi_role, imi_migrator, mimir_role, mimir_migrator; optional
-- statement_timeout (default 30s) and idle_timeout (default 60s). The passwords come from the
-- environment (IMI_DB_PASSWORD, IMI_MIGRATOR_PASSWORD, MIMIR_DB_PASSWORD,
-- MIMIR_MIGRATOR_PASSWORD), so they never appear on a command line.
-- Idempotent: safe to run on every bootstrap and by the compose init script, before or after
-- the migrations, and on a database whose schemas the runtime roles used to own.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?statement_timeout}
\else
  \set statement_timeout 30s
\endif
\if :{?idle_timeout}
\else
  \set idle_timeout 60s
\endif
\getenv imi_password IMI_DB_PASSWORD
\getenv mimir_password MIMIR_DB_PASSWORD
\getenv imi_migrator_password IMI_MIGRATOR_PASSWORD
\getenv mimir_migrator_password MIMIR_MIGRATOR_PASSWORD

CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Nobody but the owner creates objects in public; the extensions live there.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

SELECT format('CREATE ROLE %I LOGIN', name)
  FROM unnest(ARRAY[:'imi_role', :'mimir_role', :'imi_migrator', :'mimir_migrator']) AS name
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE :"imi_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'imi_password';
ALTER ROLE :"mimir_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'mimir_password';
ALTER ROLE :"imi_migrator" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
  PASSWORD :'imi_migrator_password';
ALTER ROLE :"mimir_migrator" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
  PASSWORD :'mimir_migrator_password';

-- A runtime role's statements and open transactions are bounded wherever it connects from.
ALTER ROLE :"imi_role" SET statement_timeout = :'statement_timeout';
ALTER ROLE :"mimir_role" SET statement_timeout = :'statement_timeout';
ALTER ROLE :"imi_role" SET idle_in_transaction_session_timeout = :'idle_timeout';
ALTER ROLE :"mimir_role" SET idle_in_transaction_session_timeout = :'idle_timeout';

-- Each migrator owns exactly one schema and everything in it; earlier deployments let the
-- runtime role own them, so whatever it still owns here moves to the migrator.
CREATE SCHEMA IF NOT EXISTS imi AUTHORIZATION :"imi_migrator";
CREATE SCHEMA IF NOT EXISTS mimir AUTHORIZATION :"mimir_migrator";
REASSIGN OWNED BY :"imi_role" TO :"imi_migrator";
REASSIGN OWNED BY :"mimir_role" TO :"mimir_migrator";
ALTER SCHEMA imi OWNER TO :"imi_migrator";
ALTER SCHEMA mimir OWNER TO :"mimir_migrator";
REVOKE ALL ON SCHEMA imi FROM PUBLIC;
REVOKE ALL ON SCHEMA mimir FROM PUBLIC;

-- The runtime roles read and write rows and nothing else: no DDL, no TRUNCATE, no other schema.
GRANT USAGE ON SCHEMA imi TO :"imi_role";
GRANT USAGE ON SCHEMA mimir TO :"mimir_role";
REVOKE CREATE ON SCHEMA imi FROM :"imi_role";
REVOKE CREATE ON SCHEMA mimir FROM :"mimir_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA imi TO :"imi_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA mimir TO :"mimir_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA imi TO :"imi_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA mimir TO :"mimir_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"imi_migrator" IN SCHEMA imi
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"imi_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"mimir_migrator" IN SCHEMA mimir
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"mimir_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"imi_migrator" IN SCHEMA imi
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"imi_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"mimir_migrator" IN SCHEMA mimir
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"mimir_role";

SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I, %I, %I, %I', current_database(),
              :'imi_role', :'mimir_role', :'imi_migrator', :'mimir_migrator') \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = imi, public', name,
              current_database())
  FROM unnest(ARRAY[:'imi_role', :'imi_migrator']) AS name \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = mimir, public', name,
              current_database())
  FROM unnest(ARRAY[:'mimir_role', :'mimir_migrator']) AS name \gexec
