-- Provision one database for both services; run as a superuser inside that database.
-- psql variables: imi_role, imi_password, mimir_role, mimir_password.
-- Idempotent: safe to run on every bootstrap and by the compose init script.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Nobody but the owner creates objects in public; the extensions live there.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

SELECT format('CREATE ROLE %I LOGIN', :'imi_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'imi_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'mimir_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'mimir_role') \gexec
ALTER ROLE :"imi_role" WITH LOGIN PASSWORD :'imi_password';
ALTER ROLE :"mimir_role" WITH LOGIN PASSWORD :'mimir_password';

-- Each role owns exactly one schema and has no privilege on the other.
CREATE SCHEMA IF NOT EXISTS imi AUTHORIZATION :"imi_role";
CREATE SCHEMA IF NOT EXISTS mimir AUTHORIZATION :"mimir_role";
ALTER SCHEMA imi OWNER TO :"imi_role";
ALTER SCHEMA mimir OWNER TO :"mimir_role";
REVOKE ALL ON SCHEMA imi FROM PUBLIC;
REVOKE ALL ON SCHEMA mimir FROM PUBLIC;

SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I, %I',
              current_database(), :'imi_role', :'mimir_role') \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = imi, public',
              :'imi_role', current_database()) \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = mimir, public',
              :'mimir_role', current_database()) \gexec
