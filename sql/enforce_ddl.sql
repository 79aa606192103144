--
-- enforce_ddl: creating in, altering, dropping, commenting on, indexing and
-- moving objects of another domain; the domain owner rule; the domain's
-- schema and roles are the registry's.
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
CREATE ROLE regress_carol LOGIN;
SELECT tec_add_member('regress_eb', 'regress_carol', 'owner');
-- Privileges PostgreSQL would need, granted by a superuser: CREATE on the
-- other domain's schema, and membership in its owner role for regress_ea's
-- owner (a role of one domain made a member of another's owner).
GRANT USAGE, CREATE ON SCHEMA regress_eb TO regress_ea_owner, regress_alice;
GRANT regress_eb_owner TO regress_ea_owner;
SELECT * FROM tec_sovereignty.role_domains('regress_ea_owner'::regrole);

-- The domain owner can.
SET ROLE regress_eb_owner;
CREATE INDEX secret_v ON regress_eb.secret (v);
COMMENT ON TABLE regress_eb.secret IS 'eb data';
ALTER TABLE regress_eb.secret ADD COLUMN extra int;
-- A range type: PostgreSQL 15 makes its constructor functions itself, owned
-- by the bootstrap superuser; the owner rule lets exactly those through.
CREATE TYPE regress_eb.span AS RANGE (subtype = float8);
SELECT p.oid::regprocedure, pg_get_userbyid(p.proowner) = current_user AS owned_by_creator
  FROM pg_proc p WHERE p.pronamespace = 'regress_eb'::regnamespace AND p.proname LIKE 'span%' ORDER BY p.oid::regprocedure::text;
SELECT regress_eb.span(1, 2);
DROP TYPE regress_eb.span;
ALTER TABLE regress_eb.secret DROP COLUMN extra;
CREATE TABLE regress_eb.scratch (id int);
ALTER TABLE regress_eb.scratch RENAME TO scratch2;
DROP TABLE regress_eb.scratch2;
CREATE FUNCTION regress_eb.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
DROP INDEX regress_eb.secret_v;
RESET ROLE;
-- an owner member acting as the owner (ALTER ROLE ... SET role) can too
\c - regress_carol
\set SHOW_CONTEXT never
SELECT session_user, current_user;
CREATE TABLE regress_eb.made_by_carol (id int);
SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'made_by_carol';
DROP TABLE regress_eb.made_by_carol;
\c - postgres
\set SHOW_CONTEXT never

-- Another domain's owner cannot, although PostgreSQL would let it.
SET ROLE regress_ea_owner;
CREATE TABLE regress_eb.planted (id int);
CREATE INDEX secret_v ON regress_eb.secret (v);
COMMENT ON TABLE regress_eb.secret IS 'pwned';
ALTER TABLE regress_eb.secret ADD COLUMN pwned int;
ALTER TABLE regress_eb.secret RENAME TO stolen;
ALTER TABLE regress_eb.secret OWNER TO regress_ea_owner;
DROP TABLE regress_eb.secret;
DROP FUNCTION regress_eb.f();
ALTER TABLE regress_eb.secret SET SCHEMA regress_ea;
CREATE TABLE regress_ea.moving (id int);
ALTER TABLE regress_ea.moving SET SCHEMA regress_eb;
CREATE TABLE regress_ea.child (LIKE regress_eb.secret);
CREATE TABLE regress_ea.ref (id int REFERENCES regress_eb.secret);
RESET ROLE;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c WHERE c.relnamespace = 'regress_eb'::regnamespace ORDER BY 1;

-- Within the domain: objects are created by (and so owned by) the owner.
GRANT CREATE ON SCHEMA regress_eb TO regress_eb_writer;
SET SESSION AUTHORIZATION regress_bob;
CREATE TABLE regress_eb.by_writer (id int);
RESET SESSION AUTHORIZATION;
-- a superuser may create (pg_restore does, then changes the owner) ...
CREATE TABLE regress_eb.restored (id int);
ALTER TABLE regress_eb.restored OWNER TO regress_eb_owner;
-- ... but not hand a domain's object to another domain's role
ALTER TABLE regress_eb.restored OWNER TO regress_ea_owner;
SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'regress_eb.restored'::regclass;
-- and a domain owner moves nothing out of its domain
SET ROLE regress_eb_owner;
ALTER TABLE regress_eb.restored SET SCHEMA public;
RESET ROLE;

-- CREATE SCHEMA: a Prisma migration starts with CREATE SCHEMA IF NOT
-- EXISTS of its own schema, a no-op with PostgreSQL's notice; a domain role
-- creates no other schema, even with CREATE on the database (granted here
-- by a superuser so that only the extension stands in the way).
SELECT current_database() AS db \gset
GRANT CREATE ON DATABASE :"db" TO regress_eb_owner, regress_ea_owner;
\c - regress_carol
\set SHOW_CONTEXT never
SELECT session_user, current_user;
CREATE SCHEMA IF NOT EXISTS "regress_eb";
CREATE SCHEMA IF NOT EXISTS regress_eb AUTHORIZATION regress_eb_owner;
CREATE SCHEMA regress_eb;
CREATE SCHEMA IF NOT EXISTS regress_eb CREATE TABLE t (id int);
CREATE SCHEMA IF NOT EXISTS regress_ea;
CREATE SCHEMA IF NOT EXISTS public;
CREATE SCHEMA regress_eb_more;
CREATE SCHEMA AUTHORIZATION regress_eb_owner;
\c - postgres
\set SHOW_CONTEXT never
REVOKE CREATE ON DATABASE :"db" FROM regress_eb_owner;
-- without CREATE on the database too (PostgreSQL would check it first)
\c - regress_carol
CREATE SCHEMA IF NOT EXISTS "regress_eb";
\c - postgres
\set SHOW_CONTEXT never
SET ROLE regress_ea_owner;
CREATE SCHEMA IF NOT EXISTS regress_eb;
CREATE SCHEMA IF NOT EXISTS regress_ea;
RESET ROLE;
-- a superuser keeps PostgreSQL's behaviour
CREATE SCHEMA IF NOT EXISTS regress_eb;
SELECT action, decision, actor_domain, object_domain, object_schema, reason
  FROM tec_sovereignty.audit_log
 WHERE action = 'CREATE SCHEMA' AND decision = 'denied' ORDER BY seq;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'regress\_eb%' ORDER BY 1;
REVOKE CREATE ON DATABASE :"db" FROM regress_ea_owner;

-- The schema and roles of a domain belong to the registry.
ALTER SCHEMA regress_eb RENAME TO regress_eb2;
ALTER SCHEMA regress_eb OWNER TO regress_ea_owner;
DROP SCHEMA regress_eb CASCADE;
ALTER ROLE regress_eb_owner RENAME TO regress_eb_boss;
DROP ROLE regress_eb_reader;
SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname LIKE 'regress\_e%' ORDER BY 1;

REVOKE regress_eb_owner FROM regress_ea_owner;
REVOKE ALL ON SCHEMA regress_eb FROM regress_ea_owner, regress_alice, regress_eb_writer;
DROP TABLE regress_ea.moving;
SELECT tec_remove_member('regress_eb', 'regress_carol');
DROP ROLE regress_carol;
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
