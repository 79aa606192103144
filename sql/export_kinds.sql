--
-- export_kinds: the object kinds tec_export_domain() carries beyond tables,
-- types and functions, and the precise refusal of each kind it cannot carry
-- (test/t/040_export_roundtrip.pl round-trips the carried ones).
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_k');

-- What the domain's owner can create, the export carries.
SET ROLE regress_k_owner;
CREATE TABLE regress_k.vehicle (id int NOT NULL, make text DEFAULT 'x', CONSTRAINT v_small CHECK (id < 100) NO INHERIT);
CREATE TABLE regress_k.car (doors int) INHERITS (regress_k.vehicle);
CREATE TABLE regress_k.truck (load int, id int NOT NULL, make text);
ALTER TABLE regress_k.truck INHERIT regress_k.vehicle;
CREATE AGGREGATE regress_k.total (int) (sfunc = int4pl, stype = int, combinefunc = int4pl, parallel = safe);
CREATE FUNCTION regress_k.f_eq(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR regress_k.=== (leftarg = int, rightarg = int, function = regress_k.f_eq, commutator = OPERATOR(regress_k.===));
CREATE COLLATION regress_k.c_coll (locale = 'C');
CREATE CONVERSION regress_k.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE TEXT SEARCH DICTIONARY regress_k.dict (template = simple, stopwords = english);
CREATE TEXT SEARCH CONFIGURATION regress_k.cfg (copy = simple);
CREATE STATISTICS regress_k.st ON lower(make), doors FROM regress_k.car;
ALTER STATISTICS regress_k.st SET STATISTICS 42;
COMMENT ON OPERATOR regress_k.=== (int, int) IS 'same';
RESET ROLE;
SELECT v FROM tec_export_domain('regress_k') v
 WHERE v ~ '^(CREATE (AGGREGATE|OPERATOR|COLLATION|CONVERSION|TEXT SEARCH|STATISTICS|TABLE regress_k\.(car|truck))|ALTER (STATISTICS|TABLE ONLY regress_k.truck INHERIT)|COMMENT ON OPERATOR)'
 ORDER BY v COLLATE "C";

-- The kinds PostgreSQL keeps for superusers, and what the import could not
-- recreate as it is, are refused by name with the reason, one row each.
CREATE TABLE public.regress_outside (id int);
CREATE TABLE regress_k.stray () INHERITS (public.regress_outside);
CREATE TABLE regress_k.base (id int);
CREATE TABLE regress_k.late_col (z int, id int);
ALTER TABLE regress_k.late_col INHERIT regress_k.base;
ALTER TABLE regress_k.base ADD COLUMN wheels int;
CREATE FOREIGN DATA WRAPPER regress_fdw;
CREATE SERVER regress_srv FOREIGN DATA WRAPPER regress_fdw;
-- (a domain's roles cannot create a foreign table, even with USAGE on the server)
GRANT USAGE ON FOREIGN SERVER regress_srv TO regress_k_owner;
SET ROLE regress_k_owner;
CREATE FOREIGN TABLE regress_k.ft (a int) SERVER regress_srv;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE USAGE ON FOREIGN SERVER regress_srv FROM regress_k_owner;
CREATE FOREIGN TABLE regress_k.ft (a int) SERVER regress_srv;
CREATE FUNCTION regress_k.plus(int4, int4) RETURNS int4 LANGUAGE internal IMMUTABLE STRICT AS 'int4pl';
CREATE TYPE regress_k.shell;
CREATE OPERATOR FAMILY regress_k.fam USING btree;
CREATE OPERATOR CLASS regress_k.cls FOR TYPE int USING hash AS OPERATOR 1 =, FUNCTION 1 hashint4(int);
CREATE TEXT SEARCH TEMPLATE regress_k.tmpl (lexize = dsimple_lexize);
CREATE TEXT SEARCH PARSER regress_k.prs (start = prsd_start, gettoken = prsd_nexttoken, end = prsd_end, lextypes = prsd_lextype);
CREATE AGGREGATE regress_k.pdisc (float8 ORDER BY anyelement)
	(sfunc = ordered_set_transition, stype = internal, finalfunc = percentile_disc_final, finalfunc_extra);
CREATE TYPE regress_k.ir;
CREATE FUNCTION regress_k.ir_canon(regress_k.ir) RETURNS regress_k.ir LANGUAGE internal IMMUTABLE STRICT AS 'int4range_canonical';
CREATE TYPE regress_k.ir AS RANGE (subtype = int4, canonical = regress_k.ir_canon);
CREATE TYPE regress_k.comp AS (a int);
CREATE CAST (regress_k.comp AS text) WITH INOUT;
CREATE TABLE regress_k.labelled (id int);
SET allow_system_table_mods = on;
INSERT INTO pg_seclabel VALUES ('regress_k.labelled'::regclass, 'pg_class'::regclass, 0, 'regress_provider', 'secret');
RESET allow_system_table_mods;
SET ROLE regress_k_owner;
CREATE FUNCTION regress_k.car_eq(regress_k.car, regress_k.car) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1.id = $2.id';
CREATE OPERATOR regress_k.=#= (leftarg = regress_k.car, rightarg = regress_k.car, function = regress_k.car_eq);
SELECT lo_create(4242424);
RESET ROLE;
SELECT * FROM tec_sovereignty.export_unsupported('regress_k'::regnamespace);
SELECT tec_export_domain('regress_k');
\echo :LAST_ERROR_SQLSTATE

-- Without them the domain exports again.
DELETE FROM pg_seclabel WHERE provider = 'regress_provider';
SELECT lo_unlink(4242424);
DROP CAST (regress_k.comp AS text);
DROP OPERATOR regress_k.=#= (regress_k.car, regress_k.car);
DROP AGGREGATE regress_k.pdisc (float8 ORDER BY anyelement);
DROP TEXT SEARCH PARSER regress_k.prs;
DROP TEXT SEARCH TEMPLATE regress_k.tmpl;
DROP OPERATOR FAMILY regress_k.cls USING hash;
DROP OPERATOR FAMILY regress_k.fam USING btree;
DROP TYPE regress_k.shell;
DROP TYPE regress_k.ir CASCADE;
DROP FUNCTION regress_k.plus(int4, int4);
DROP FOREIGN TABLE regress_k.ft;
DROP SERVER regress_srv;
DROP FOREIGN DATA WRAPPER regress_fdw;
DROP TABLE regress_k.late_col, regress_k.base, regress_k.stray, public.regress_outside;
SELECT * FROM tec_sovereignty.export_unsupported('regress_k'::regnamespace);
SELECT count(*) > 0 AS exported FROM tec_export_domain('regress_k');

SELECT tec_drop_domain('regress_k', force => true);
