--
-- enforce_maintenance: VACUUM, ANALYZE, REINDEX, CLUSTER, REFRESH
-- MATERIALIZED VIEW across domains; LOAD; paths for data to leave the
-- database (foreign servers, user mappings, publications).
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ea');
SELECT tec_create_domain('regress_eb');
CREATE ROLE regress_alice LOGIN;
CREATE ROLE regress_bob LOGIN;
SELECT tec_add_member('regress_ea', 'regress_alice', 'writer');
SELECT tec_add_member('regress_eb', 'regress_bob', 'writer');
SET ROLE regress_eb_owner;
CREATE TABLE regress_eb.secret (id int PRIMARY KEY, v text);
INSERT INTO regress_eb.secret VALUES (1, 'b-one'), (2, 'b-two');
RESET ROLE;
SET ROLE regress_eb_owner;
CREATE MATERIALIZED VIEW regress_eb.mv AS SELECT count(*) AS n FROM regress_eb.secret;
RESET ROLE;
-- regress_ea's owner is made a member of regress_eb's owner by a
-- superuser, so that PostgreSQL's ownership checks pass.
GRANT regress_eb_owner TO regress_ea_owner;

-- A VACUUM or ANALYZE without a table list processes what the caller may
-- maintain.  PostgreSQL would include regress_eb's tables for regress_ea's
-- owner (a member of their owner): they are skipped with a warning, and
-- each skip is recorded as a denial, like a VACUUM naming the table.
-- (client_min_messages hides PostgreSQL's own warnings about the catalogs.)
SET ROLE regress_ea_owner;
CREATE TABLE regress_ea.mine (id int);
INSERT INTO regress_ea.mine VALUES (1), (2), (3);
RESET ROLE;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_ea_owner;
SET client_min_messages = error;
VACUUM;
ANALYZE;
VACUUM (ANALYZE);
RESET client_min_messages;
RESET ROLE;
SELECT c.oid::regclass, c.reltuples
  FROM pg_class c WHERE c.relnamespace IN ('regress_ea'::regnamespace, 'regress_eb'::regnamespace)
   AND c.relkind IN ('r', 'm') ORDER BY c.oid::regclass::text;
SELECT action, decision, actor_domain, object_domain, object_schema, object_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied'
 ORDER BY action DESC, object_schema, object_name;  -- the run's table order is pg_class's
-- The owning domain's database-wide run covers its own tables.
SET ROLE regress_eb_owner;
SET client_min_messages = error;
ANALYZE;
RESET client_min_messages;
RESET ROLE;
SELECT c.oid::regclass, c.reltuples
  FROM pg_class c WHERE c.relnamespace IN ('regress_ea'::regnamespace, 'regress_eb'::regnamespace)
   AND c.relkind IN ('r', 'm') ORDER BY c.oid::regclass::text;
-- A role with nothing left to process: VACUUM still refuses a transaction
-- block.
SET SESSION AUTHORIZATION regress_bob;
SET client_min_messages = error;
VACUUM;
BEGIN;
VACUUM;
ROLLBACK;
ANALYZE;
RESET client_min_messages;
RESET SESSION AUTHORIZATION;
-- A non-domain superuser's run is recorded as privileged, table by table.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
VACUUM;
SELECT tec_audit_flush();
SELECT action, decision, object_domain, object_schema, object_name
  FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND action = 'VACUUM' AND object_domain IN ('regress_ea', 'regress_eb')
 ORDER BY object_schema, object_name;
SET ROLE regress_ea_owner;
DROP TABLE regress_ea.mine;
RESET ROLE;

-- The owning domain can.
SET ROLE regress_eb_owner;
VACUUM regress_eb.secret;
ANALYZE regress_eb.secret;
REINDEX TABLE regress_eb.secret;
CLUSTER regress_eb.secret USING secret_pkey;
REFRESH MATERIALIZED VIEW regress_eb.mv;
RESET ROLE;

-- Another domain cannot.
SET ROLE regress_ea_owner;
VACUUM regress_eb.secret;
ANALYZE regress_eb.secret;
REINDEX TABLE regress_eb.secret;
REINDEX INDEX regress_eb.secret_pkey;
REINDEX SCHEMA regress_eb;
CLUSTER regress_eb.secret USING secret_pkey;
REFRESH MATERIALIZED VIEW regress_eb.mv;
RESET ROLE;
REVOKE regress_eb_owner FROM regress_ea_owner;

-- LOAD is for superusers only.
SET SESSION AUTHORIZATION regress_bob;
LOAD 'plpgsql';
RESET SESSION AUTHORIZATION;

-- Domain roles open no path out of the database.
CREATE FOREIGN DATA WRAPPER regress_fdw;
GRANT USAGE ON FOREIGN DATA WRAPPER regress_fdw TO regress_eb_owner;
SET ROLE regress_eb_owner;
CREATE SERVER regress_srv FOREIGN DATA WRAPPER regress_fdw;
CREATE PUBLICATION regress_pub FOR TABLE regress_eb.secret;
RESET ROLE;
CREATE SERVER regress_srv FOREIGN DATA WRAPPER regress_fdw;
GRANT USAGE ON FOREIGN SERVER regress_srv TO regress_eb_owner;
SET ROLE regress_eb_owner;
CREATE USER MAPPING FOR regress_eb_owner SERVER regress_srv;
CREATE FOREIGN TABLE regress_eb.ft (id int) SERVER regress_srv;
RESET ROLE;
DROP SERVER regress_srv;
DROP FOREIGN DATA WRAPPER regress_fdw;
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
