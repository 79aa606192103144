--
-- prisma_env: tec_connection_env() writes an env file with one
-- <DOMAIN>_DATABASE_URL and one <DOMAIN>_MIGRATOR_DATABASE_URL per domain
-- and the shared DATABASE_URL last; tec_prisma_config() writes a domain's
-- prisma.config.ts (Prisma 7).  The e2e tests use the URLs in psql,
-- node-postgres and Prisma.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_env_b');
SELECT tec_create_domain('regress_env_a');

-- The port is the server's; it is masked to keep the output stable.
SELECT regexp_replace(line, ':[0-9]+/', ':<port>/') AS line
  FROM tec_connection_env() line;

-- Readable in psql with \x.
\x on
SELECT regexp_replace(l, ':[0-9]+/', ':<port>/') AS tec_connection_env
  FROM tec_connection_env() l WHERE l LIKE 'REGRESS_ENV_A%';
\x off

-- A second shared schema does not change DATABASE_URL's schema (public
-- stays first); without public, the first registered schema is used.
CREATE SCHEMA regress_env_shared;
SELECT tec_register_shared_schema('regress_env_shared');
SELECT regexp_replace(l, ':[0-9]+/', ':<port>/') AS shared
  FROM tec_connection_env() l WHERE l LIKE 'DATABASE_URL=%';
SELECT tec_unregister_shared_schema('public');
SELECT regexp_replace(l, ':[0-9]+/', ':<port>/') AS shared
  FROM tec_connection_env() l WHERE l LIKE 'DATABASE_URL=%';
SELECT tec_register_shared_schema('public');
SELECT tec_unregister_shared_schema('regress_env_shared');
DROP SCHEMA regress_env_shared;

-- prisma.config.ts: the migrator URL with Prisma's schema= added.
\pset format unaligned
\pset tuples_only on
SELECT tec_prisma_config('regress_env_a');
\pset format aligned
\pset tuples_only off
\set VERBOSITY terse
SELECT tec_prisma_config('no_such_domain');
\set VERBOSITY default

-- search_path values that options= must escape (a space, a backslash).
SELECT tec_sovereignty.connection_url('a b', 'h:1', 'x y\z');

-- Names in the URL are percent-encoded.
SELECT tec_sovereignty.url_encode('tec db/é?x=1');

-- clean up
SELECT tec_drop_domain('regress_env_a');
SELECT tec_drop_domain('regress_env_b');
