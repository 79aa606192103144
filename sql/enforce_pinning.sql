--
-- enforce_pinning: nothing of another party appears inside a domain, and
-- nothing outside pins it.  A domain that publishes an API lets its
-- schema's names resolve for the target domain; every object of it that
-- is not a published function stays refused at use, and no definition of
-- the other domain may depend on it.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_pa');
SELECT tec_create_domain('regress_pb');
CREATE ROLE regress_pb_app LOGIN;
SELECT tec_add_member('regress_pb', 'regress_pb_app', 'owner');
SET ROLE regress_pa_owner;
CREATE TABLE regress_pa.secret (id int PRIMARY KEY, v text);
INSERT INTO regress_pa.secret VALUES (1, 'a-one');
CREATE SEQUENCE regress_pa.seq;
CREATE TYPE regress_pa.mood AS ENUM ('ok', 'bad');
CREATE DOMAIN regress_pa.posint AS int CHECK (VALUE > 0);
CREATE COLLATION regress_pa.coll (provider = icu, locale = 'und');
CREATE FUNCTION regress_pa.plus(int, int) RETURNS int LANGUAGE sql AS 'SELECT $1 + $2';
CREATE OPERATOR regress_pa.## (LEFTARG = int, RIGHTARG = int, FUNCTION = regress_pa.plus);
CREATE TEXT SEARCH CONFIGURATION regress_pa.tsc (COPY = pg_catalog.simple);
CREATE FUNCTION regress_pa.api() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = regress_pa, pg_temp AS 'SELECT count(*) FROM secret';
-- its own definitions may depend on its objects: allowed twin
CREATE VIEW regress_pa.v AS SELECT * FROM regress_pa.secret;
CREATE TABLE regress_pa.uses (id bigint DEFAULT nextval('regress_pa.seq'),
	m regress_pa.mood, p regress_pa.posint, s text COLLATE regress_pa.coll,
	r regress_pa.secret);
RESET ROLE;
SELECT tec_publish_api('regress_pa.api()', 'regress_pb');
-- the careless DBA
GRANT ALL ON regress_pa.secret, regress_pa.seq TO PUBLIC;
GRANT USAGE ON TYPE regress_pa.mood, regress_pa.posint TO PUBLIC;
GRANT EXECUTE ON FUNCTION regress_pa.plus(int, int) TO PUBLIC;

\c - regress_pb_app
-- the published function resolves and runs
SELECT regress_pa.api();
-- the schema's other objects are refused at use
SELECT * FROM regress_pa.secret;
SELECT nextval('regress_pa.seq');
SELECT regress_pa.plus(1, 2);
SELECT 1 OPERATOR(regress_pa.##) 2;
-- and no definition of domain regress_pb depends on them
CREATE VIEW regress_pb.v AS SELECT * FROM regress_pa.secret;
CREATE VIEW regress_pb.v2 AS SELECT regress_pa.api() AS n;
CREATE TABLE regress_pb.t1 (r regress_pa.secret);
CREATE TABLE regress_pb.t2 (id bigint DEFAULT nextval('regress_pa.seq'));
CREATE TABLE regress_pb.t3 (s text COLLATE regress_pa.coll);
CREATE TABLE regress_pb.t4 (m regress_pa.mood);
CREATE TABLE regress_pb.t6 (p regress_pa.posint);
CREATE TABLE regress_pb.t5 (id int CHECK (id OPERATOR(regress_pa.##) 1 > 0));
CREATE FUNCTION regress_pb.f(x regress_pa.secret) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION regress_pb.g() RETURNS bigint LANGUAGE sql
	BEGIN ATOMIC SELECT regress_pa.api(); END;
CREATE TEMP VIEW regress_tv AS SELECT * FROM regress_pa.secret;
-- ALTER paths: a default, a new column, an index collation
CREATE TABLE regress_pb.t (id bigint, note text);
ALTER TABLE regress_pb.t ALTER COLUMN id SET DEFAULT nextval('regress_pa.seq');
ALTER TABLE regress_pb.t ADD COLUMN r regress_pa.secret;
ALTER TABLE regress_pb.t ADD COLUMN s text COLLATE regress_pa.coll;
CREATE INDEX ON regress_pb.t ((note COLLATE regress_pa.coll));
-- allowed twins: its own definitions, and calling the API at run time
ALTER TABLE regress_pb.t ADD COLUMN n bigint DEFAULT 0;
CREATE VIEW regress_pb.own AS SELECT * FROM regress_pb.t;
CREATE FUNCTION regress_pb.count_a() RETURNS bigint LANGUAGE plpgsql
	AS 'BEGIN RETURN regress_pa.api(); END';
SELECT regress_pb.count_a();
\c - postgres

-- regress_pa's own ALTER and DROP are not blocked by anything outside it.
SET ROLE regress_pa_owner;
DROP TABLE regress_pa.uses;
DROP VIEW regress_pa.v;
ALTER TABLE regress_pa.secret ADD COLUMN extra int;
DROP SEQUENCE regress_pa.seq;
DROP TYPE regress_pa.mood;
DROP COLLATION regress_pa.coll;
RESET ROLE;

-- A superuser still may (pg_restore creates as superuser); audited as
-- privileged elsewhere.
CREATE VIEW regress_pb.by_superuser AS SELECT id FROM regress_pa.secret;
DROP VIEW regress_pb.by_superuser;

-- The denials are in the trail.
SELECT action, decision, actor_domain, object_domain, object_name, count(*)
  FROM tec_sovereignty.audit_log
 WHERE decision = 'denied' AND reason LIKE 'permission denied to make %'
 GROUP BY 1, 2, 3, 4, 5 ORDER BY 5, 1;

-- Clean up.
SELECT tec_revoke_api('regress_pa.api()', 'regress_pb');
SELECT tec_drop_domain('regress_pa', force => true);
SELECT tec_drop_domain('regress_pb', force => true);
DROP ROLE regress_pb_app;
