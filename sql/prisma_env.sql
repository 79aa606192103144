--
-- prisma_env: tec_connection_env() writes an env file with one
-- <DOMAIN>_DATABASE_URL per domain and the shared DATABASE_URL last.
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

-- Names in the URL are percent-encoded.
SELECT tec_sovereignty.url_encode('tec db/é?x=1');

-- clean up
SELECT tec_drop_domain('regress_env_a');
SELECT tec_drop_domain('regress_env_b');
