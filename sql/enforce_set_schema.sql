--
-- enforce_set_schema: ALTER ... SET SCHEMA of every object kind that has a
-- schema, by a superuser and by domain roles, in and out of domain
-- schemas.  Outside any domain PostgreSQL behaves as without the extension
-- (this once crashed the backend for types and domains).
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_sa');
SELECT tec_create_domain('regress_sb');
CREATE ROLE regress_sa_user LOGIN;
CREATE ROLE regress_outsider LOGIN;
SELECT tec_add_member('regress_sa', 'regress_sa_user', 'owner');
CREATE SCHEMA regress_ss1;
CREATE SCHEMA regress_ss2;

-- A superuser, outside any domain: every kind moves as in PostgreSQL.
CREATE DOMAIN regress_ss1.posint AS integer CHECK (VALUE > 0);
CREATE TYPE regress_ss1.pair AS (a int, b int);
CREATE TYPE regress_ss1.mood AS ENUM ('sad', 'ok');
CREATE TYPE regress_ss1.irange AS RANGE (subtype = int4);
CREATE FUNCTION regress_ss1.f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE PROCEDURE regress_ss1.p() LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE regress_ss1.agg(int) (sfunc = int4pl, stype = int);
CREATE OPERATOR regress_ss1.### (leftarg = int, rightarg = int, function = int4pl);
CREATE OPERATOR FAMILY regress_ss1.fam USING btree;
CREATE OPERATOR CLASS regress_ss1.cls FOR TYPE int USING btree FAMILY regress_ss1.fam AS
	OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int, int);
CREATE COLLATION regress_ss1.coll (locale = 'C');
CREATE CONVERSION regress_ss1.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE TEXT SEARCH PARSER regress_ss1.prs (start = prsd_start, gettoken = prsd_nexttoken,
	end = prsd_end, lextypes = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE regress_ss1.tmpl (lexize = dsimple_lexize);
CREATE TEXT SEARCH DICTIONARY regress_ss1.dict (template = simple);
CREATE TEXT SEARCH CONFIGURATION regress_ss1.cfg (parser = default);
CREATE TABLE regress_ss1.t (a int, b int);
CREATE STATISTICS regress_ss1.st ON a, b FROM regress_ss1.t;
CREATE SEQUENCE regress_ss1.seq;
CREATE VIEW regress_ss1.v AS SELECT 1 AS one;

ALTER DOMAIN regress_ss1.posint SET SCHEMA regress_ss2;
ALTER TYPE regress_ss1.pair SET SCHEMA regress_ss2;
ALTER TYPE regress_ss1.mood SET SCHEMA regress_ss2;
ALTER TYPE regress_ss1.irange SET SCHEMA regress_ss2;
ALTER FUNCTION regress_ss1.f(int) SET SCHEMA regress_ss2;
ALTER PROCEDURE regress_ss1.p() SET SCHEMA regress_ss2;
ALTER ROUTINE regress_ss2.f(int) SET SCHEMA regress_ss1;
ALTER AGGREGATE regress_ss1.agg(int) SET SCHEMA regress_ss2;
ALTER OPERATOR regress_ss1.### (int, int) SET SCHEMA regress_ss2;
ALTER OPERATOR FAMILY regress_ss1.fam USING btree SET SCHEMA regress_ss2;
ALTER OPERATOR CLASS regress_ss1.cls USING btree SET SCHEMA regress_ss2;
ALTER COLLATION regress_ss1.coll SET SCHEMA regress_ss2;
ALTER CONVERSION regress_ss1.conv SET SCHEMA regress_ss2;
ALTER TEXT SEARCH PARSER regress_ss1.prs SET SCHEMA regress_ss2;
ALTER TEXT SEARCH TEMPLATE regress_ss1.tmpl SET SCHEMA regress_ss2;
ALTER TEXT SEARCH DICTIONARY regress_ss1.dict SET SCHEMA regress_ss2;
ALTER TEXT SEARCH CONFIGURATION regress_ss1.cfg SET SCHEMA regress_ss2;
ALTER STATISTICS regress_ss1.st SET SCHEMA regress_ss2;
ALTER SEQUENCE regress_ss1.seq SET SCHEMA regress_ss2;
ALTER VIEW regress_ss1.v SET SCHEMA regress_ss2;
ALTER TABLE regress_ss1.t SET SCHEMA regress_ss2;
-- missing objects: PostgreSQL's own errors
ALTER DOMAIN regress_ss1.nosuch SET SCHEMA regress_ss2;
ALTER TYPE regress_ss1.nosuch SET SCHEMA regress_ss2;
ALTER FUNCTION regress_ss1.nosuch(int) SET SCHEMA regress_ss2;
ALTER TABLE IF EXISTS regress_ss1.nosuch SET SCHEMA regress_ss2;
ALTER TYPE regress_ss2.pair SET SCHEMA regress_nosuch_schema;
SELECT n.nspname, count(*) FROM (
	SELECT typnamespace AS nsp FROM pg_type WHERE typname IN ('posint', 'pair', 'mood', 'irange')
	UNION ALL SELECT pronamespace FROM pg_proc WHERE proname IN ('f', 'p', 'agg') AND pronamespace IN ('regress_ss1'::regnamespace, 'regress_ss2'::regnamespace)
	UNION ALL SELECT oprnamespace FROM pg_operator WHERE oprname = '###'
	UNION ALL SELECT opfnamespace FROM pg_opfamily WHERE opfname = 'fam'
	UNION ALL SELECT opcnamespace FROM pg_opclass WHERE opcname = 'cls'
	UNION ALL SELECT collnamespace FROM pg_collation WHERE collname = 'coll'
	UNION ALL SELECT connamespace FROM pg_conversion WHERE conname = 'conv'
	UNION ALL SELECT prsnamespace FROM pg_ts_parser WHERE prsname = 'prs'
	UNION ALL SELECT tmplnamespace FROM pg_ts_template WHERE tmplname = 'tmpl'
	UNION ALL SELECT dictnamespace FROM pg_ts_dict WHERE dictname = 'dict'
	UNION ALL SELECT cfgnamespace FROM pg_ts_config WHERE cfgname = 'cfg'
	UNION ALL SELECT stxnamespace FROM pg_statistic_ext WHERE stxname = 'st'
	UNION ALL SELECT relnamespace FROM pg_class WHERE relname IN ('seq', 'v', 't') AND relnamespace IN ('regress_ss1'::regnamespace, 'regress_ss2'::regnamespace)
) x JOIN pg_namespace n ON n.oid = x.nsp GROUP BY 1 ORDER BY 1;

-- A domain's owner: objects of its own stay in its schema.
SET ROLE regress_sa_owner;
CREATE DOMAIN regress_sa.posint AS integer CHECK (VALUE > 0);
CREATE TYPE regress_sa.mood AS ENUM ('sad', 'ok');
CREATE FUNCTION regress_sa.f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE AGGREGATE regress_sa.agg(int) (sfunc = int4pl, stype = int);
CREATE FUNCTION regress_sa.f_pl(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE OPERATOR regress_sa.### (leftarg = int, rightarg = int, function = regress_sa.f_pl);
CREATE COLLATION regress_sa.coll (locale = 'C');
CREATE TEXT SEARCH DICTIONARY regress_sa.dict (template = simple);
CREATE TEXT SEARCH CONFIGURATION regress_sa.cfg (parser = default);
CREATE TABLE regress_sa.t (a int, b int);
CREATE STATISTICS regress_sa.st ON a, b FROM regress_sa.t;
CREATE SEQUENCE regress_sa.seq;
RESET ROLE;
GRANT CREATE, USAGE ON SCHEMA regress_ss2 TO regress_sa_owner;
SET SESSION AUTHORIZATION regress_sa_user;
ALTER DOMAIN regress_sa.posint SET SCHEMA regress_ss2;
ALTER TYPE regress_sa.mood SET SCHEMA regress_ss2;
ALTER FUNCTION regress_sa.f(int) SET SCHEMA regress_ss2;
ALTER AGGREGATE regress_sa.agg(int) SET SCHEMA regress_ss2;
ALTER OPERATOR regress_sa.### (int, int) SET SCHEMA regress_ss2;
ALTER COLLATION regress_sa.coll SET SCHEMA regress_ss2;
ALTER TEXT SEARCH DICTIONARY regress_sa.dict SET SCHEMA regress_ss2;
ALTER TEXT SEARCH CONFIGURATION regress_sa.cfg SET SCHEMA regress_ss2;
ALTER STATISTICS regress_sa.st SET SCHEMA regress_ss2;
ALTER SEQUENCE regress_sa.seq SET SCHEMA regress_ss2;
ALTER TABLE regress_sa.t SET SCHEMA regress_ss2;
-- into another domain's schema: refused too (whatever was granted)
ALTER TYPE regress_sa.mood SET SCHEMA regress_sb;
-- a no-op move to its own schema is PostgreSQL's business
ALTER TYPE regress_sa.mood SET SCHEMA regress_sa;
RESET SESSION AUTHORIZATION;

-- A role of no domain cannot move its objects into a domain's schema,
-- even with CREATE granted there.
GRANT CREATE, USAGE ON SCHEMA regress_sb TO regress_outsider;
GRANT CREATE, USAGE ON SCHEMA regress_ss1 TO regress_outsider;
SET ROLE regress_outsider;
CREATE TYPE regress_ss1.outsider_t AS (x int);
CREATE FUNCTION regress_ss1.outsider_f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER TYPE regress_ss1.outsider_t SET SCHEMA regress_sb;
ALTER FUNCTION regress_ss1.outsider_f() SET SCHEMA regress_sb;
RESET ROLE;

-- An extension moves its members with it: a trusted extension of a role
-- of no domain cannot be moved into a domain's schema either.
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_outsider', current_database()); END $$;
SET ROLE regress_outsider;
CREATE EXTENSION citext SCHEMA regress_ss1;
ALTER EXTENSION citext SET SCHEMA regress_sb;
ALTER EXTENSION no_such_extension SET SCHEMA regress_sb;
RESET ROLE;
SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'citext';
DROP EXTENSION citext;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_outsider', current_database()); END $$;

-- A superuser may move a domain's object out (audited as privileged).
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
ALTER TYPE regress_sa.mood SET SCHEMA regress_ss1;
ALTER TYPE regress_ss1.mood SET SCHEMA regress_sa;
SELECT tec_audit_flush();
SELECT action, decision, object_domain FROM tec_sovereignty.audit_log
 WHERE seq > :mark ORDER BY seq;

-- Nothing of the domain moved.
SELECT n.nspname, count(*) FROM (
	SELECT typnamespace AS nsp FROM pg_type WHERE typname IN ('posint', 'mood') AND typtype <> 'b'
	UNION ALL SELECT pronamespace FROM pg_proc WHERE proname IN ('f', 'f_pl', 'agg')
	UNION ALL SELECT oprnamespace FROM pg_operator WHERE oprname = '###'
	UNION ALL SELECT collnamespace FROM pg_collation WHERE collname = 'coll'
	UNION ALL SELECT dictnamespace FROM pg_ts_dict WHERE dictname = 'dict'
	UNION ALL SELECT cfgnamespace FROM pg_ts_config WHERE cfgname = 'cfg'
	UNION ALL SELECT stxnamespace FROM pg_statistic_ext WHERE stxname = 'st'
	UNION ALL SELECT relnamespace FROM pg_class WHERE relname IN ('seq', 't')
) x JOIN pg_namespace n ON n.oid = x.nsp
 WHERE n.nspname IN ('regress_sa', 'regress_sb') GROUP BY 1 ORDER BY 1;
SELECT 'regress_ss1.outsider_t'::regtype, 'regress_ss1.outsider_f'::regproc;

-- clean up
DROP SCHEMA regress_ss1, regress_ss2 CASCADE;
SELECT tec_drop_domain('regress_sa', force => true);
SELECT tec_drop_domain('regress_sb', force => true);
DROP ROLE regress_sa_user, regress_outsider;
