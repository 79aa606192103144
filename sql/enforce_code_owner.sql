--
-- enforce_code_owner: no code runs with a domain role's rights unless that
-- domain, a superuser, the extension or PostgreSQL owns it; domain roles
-- create and own nothing outside their schema; published APIs name
-- pg_temp last in their search_path.  The grants are those of a careless
-- DBA: CREATE on public and on the database for everyone.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ca');
SELECT tec_create_domain('regress_cb');
CREATE ROLE regress_cowboy LOGIN;			-- a non-domain role
CREATE ROLE regress_cb_app LOGIN;
SELECT tec_add_member('regress_cb', 'regress_cb_app', 'writer');
GRANT CREATE ON SCHEMA public TO PUBLIC;
SELECT format('GRANT CREATE ON DATABASE %I TO PUBLIC', current_database()) \gexec
SET ROLE regress_ca_owner;
CREATE TABLE regress_ca.secret (id int PRIMARY KEY, v text);
INSERT INTO regress_ca.secret VALUES (1, 'a-secret');
GRANT SELECT, INSERT ON regress_ca.secret TO regress_ca_writer;
RESET ROLE;
CREATE TABLE public.regress_loot (v text);
GRANT ALL ON public.regress_loot TO PUBLIC;

-- 1. Domain roles create nothing outside their schema.
SET ROLE regress_ca_owner;
CREATE TABLE public.regress_ca_table (id int);
CREATE FUNCTION public.regress_ca_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE VIEW public.regress_ca_view AS SELECT 1 AS one;
CREATE EXTENSION pgcrypto SCHEMA public;
-- a trigger on a shared table a careless grant lets it touch
CREATE FUNCTION regress_ca.stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER regress_ca_stamp BEFORE INSERT ON public.regress_loot
	FOR EACH ROW EXECUTE FUNCTION regress_ca.stamp();
-- allowed twins: its own schema, its session's temporary schema
CREATE TABLE regress_ca.mine (id int);
CREATE TEMP TABLE regress_scratch (id int);
INSERT INTO regress_scratch VALUES (1);
DROP TABLE regress_scratch;
RESET ROLE;
-- and a non-superuser cannot hand a domain role an object outside
SET ROLE regress_cowboy;
CREATE TABLE public.regress_gift (id int);
RESET ROLE;
GRANT regress_ca_owner TO regress_cowboy;
SET ROLE regress_cowboy;
ALTER TABLE public.regress_gift OWNER TO regress_ca_owner;
RESET ROLE;
REVOKE regress_ca_owner FROM regress_cowboy;
DROP TABLE public.regress_gift;

-- 2. Code of another party does not run with the domain's rights.
SET ROLE regress_cowboy;
-- an overload that takes over unqualified lower() on varchar
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.regress_loot SELECT v FROM regress_ca.secret;
	RETURN pg_catalog.lower($1::text);
END$$;
-- an operator that takes over = on varchar
CREATE FUNCTION public.regress_vareq(varchar, varchar) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.regress_loot SELECT v FROM regress_ca.secret;
	RETURN $1::text OPERATOR(pg_catalog.=) $2::text;
END$$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.regress_vareq);
-- a shared table with a trigger, a default and a policy of its own
CREATE FUNCTION public.regress_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.regress_loot SELECT v FROM regress_ca.secret;
	RETURN NEW;
END$$;
CREATE FUNCTION public.regress_peek() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.regress_loot SELECT v FROM regress_ca.secret;
	RETURN 'peeked';
END$$;
CREATE TABLE public.regress_inbox (id int, note text DEFAULT public.regress_peek());
GRANT ALL ON public.regress_inbox TO PUBLIC;
CREATE TRIGGER regress_copy BEFORE INSERT ON public.regress_inbox
	FOR EACH ROW EXECUTE FUNCTION public.regress_copy();
CREATE TABLE public.regress_board (id int);
INSERT INTO public.regress_board VALUES (1);
GRANT SELECT ON public.regress_board TO PUBLIC;
ALTER TABLE public.regress_board ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_watch ON public.regress_board USING (public.regress_peek() IS NOT NULL);
-- an aggregate whose transition function is its own
CREATE FUNCTION public.regress_acc(text, text) RETURNS text LANGUAGE sql
	AS 'SELECT coalesce($1, '''') || $2';
CREATE AGGREGATE public.regress_cat(text) (SFUNC = public.regress_acc, STYPE = text);
RESET ROLE;

SET ROLE regress_ca_writer;
SELECT lower('ABC'::varchar);
SELECT count(*) FROM regress_ca.secret WHERE v = 'x'::varchar;
SELECT 'a'::varchar = 'a'::varchar;
INSERT INTO public.regress_inbox (id) VALUES (1);
SELECT count(*) FROM public.regress_board;
SELECT public.regress_cat(v) FROM regress_ca.secret;
SELECT public.regress_peek();
-- allowed twins: PostgreSQL's own functions and operators, qualified
SELECT pg_catalog.lower('ABC'::varchar);
SELECT 'a'::varchar OPERATOR(pg_catalog.=) 'a'::varchar;
RESET ROLE;
-- nothing was copied out
SELECT count(*) AS loot FROM public.regress_loot;

-- Inside a SECURITY DEFINER function of the domain, the same holds.
SET ROLE regress_ca_owner;
CREATE FUNCTION regress_ca.shout(t varchar) RETURNS text LANGUAGE sql
	SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS 'SELECT lower(t)';
SELECT regress_ca.shout('ABC');
DROP FUNCTION regress_ca.shout(varchar);
RESET ROLE;

-- Another domain's code is refused the same way (a function a superuser
-- gave it outside its schema).
CREATE FUNCTION public.regress_cb_code() RETURNS int LANGUAGE sql AS 'SELECT 7';
ALTER FUNCTION public.regress_cb_code() OWNER TO regress_cb_owner;
SET ROLE regress_ca_writer;
SELECT public.regress_cb_code();
RESET ROLE;
SET ROLE regress_cb_owner;
SELECT public.regress_cb_code();	-- its own domain's code: allowed
RESET ROLE;
DROP FUNCTION public.regress_cb_code();

-- Allowed twin: code a superuser owns runs for the domain.
CREATE FUNCTION public.regress_trusted(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';
SET ROLE regress_ca_writer;
SELECT public.regress_trusted(1);
RESET ROLE;
DROP FUNCTION public.regress_trusted(int);

-- The same for views and policies, whose definitions run with the rights
-- of the role that queries them: a security_invoker view and a policy of
-- another party (a superuser made them and handed them over) that read
-- the domain's table and leak a bit through a sequence of their own.
CREATE SEQUENCE public.regress_bits;
GRANT ALL ON public.regress_bits TO PUBLIC;
CREATE VIEW public.regress_iv WITH (security_invoker) AS
	SELECT v, nextval('public.regress_bits') AS n FROM regress_ca.secret;
CREATE TABLE public.regress_wall (id int);
INSERT INTO public.regress_wall VALUES (1);
ALTER TABLE public.regress_wall ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_spy ON public.regress_wall USING (EXISTS (
	SELECT 1 FROM regress_ca.secret WHERE v LIKE 'a%' AND nextval('public.regress_bits') > 0));
GRANT SELECT ON public.regress_iv, public.regress_wall TO PUBLIC;
ALTER VIEW public.regress_iv OWNER TO regress_cowboy;
ALTER TABLE public.regress_wall OWNER TO regress_cowboy;
SET ROLE regress_ca_writer;
SELECT * FROM public.regress_iv;
SELECT count(*) FROM public.regress_wall;
RESET ROLE;
SELECT is_called AS leaked FROM public.regress_bits;
-- allowed twins: the same view and table owned by a superuser
ALTER VIEW public.regress_iv OWNER TO CURRENT_USER;
ALTER TABLE public.regress_wall OWNER TO CURRENT_USER;
SET ROLE regress_ca_writer;
SELECT v FROM public.regress_iv;
SELECT count(*) FROM public.regress_wall;
RESET ROLE;
DROP VIEW public.regress_iv;
DROP TABLE public.regress_wall;
DROP SEQUENCE public.regress_bits;

-- Work that touches no domain sees PostgreSQL unchanged: the same objects
-- run for a non-domain role (PostgreSQL's own rules apply).
SET ROLE regress_cowboy;
SELECT lower('ABC'::varchar);
INSERT INTO public.regress_inbox (id) VALUES (2);
SELECT count(*) FROM public.regress_board;
RESET ROLE;

-- The denials are in the trail.
SELECT action, decision, actor_domain, object_schema, object_name, count(*)
  FROM tec_sovereignty.audit_log
 WHERE decision = 'denied' AND action = 'EXECUTE' AND object_schema = 'public'
 GROUP BY 1, 2, 3, 4, 5 ORDER BY 5;

-- 3. No extension places its objects in a domain schema, whoever creates
-- it; an extension in a shared schema is PostgreSQL's and its superuser's
-- code, which runs for the domain (pgcrypto is trusted: a role with CREATE
-- on the database creates it, its objects belong to the bootstrap
-- superuser).
CREATE EXTENSION pgcrypto SCHEMA regress_ca;
SET ROLE regress_cowboy;
CREATE EXTENSION pgcrypto SCHEMA regress_ca;
CREATE EXTENSION pgcrypto SCHEMA public;
RESET ROLE;
ALTER EXTENSION pgcrypto SET SCHEMA regress_ca;
SET ROLE regress_ca_writer;
SELECT encode(public.digest('x', 'sha256'), 'hex') = encode(sha256('x'), 'hex') AS pgcrypto_works;
RESET ROLE;
DROP EXTENSION pgcrypto;

-- 4. A published API names pg_temp last in its search_path.
SET ROLE regress_ca_owner;
CREATE FUNCTION regress_ca.count_secrets() RETURNS bigint LANGUAGE sql STABLE
	SECURITY DEFINER SET search_path = regress_ca
	AS 'SELECT count(*) FROM secret';
RESET ROLE;
SELECT tec_publish_api('regress_ca.count_secrets()', 'regress_cb');
ALTER FUNCTION regress_ca.count_secrets() SET search_path = pg_temp, regress_ca;
SELECT tec_publish_api('regress_ca.count_secrets()', 'regress_cb');
ALTER FUNCTION regress_ca.count_secrets() SET search_path = regress_ca, pg_temp;
SELECT tec_publish_api('regress_ca.count_secrets()', 'regress_cb');
\c - regress_cb_app
SELECT regress_ca.count_secrets();
-- a temporary table of the caller does not take the place of "secret"
CREATE TEMP TABLE secret (id int);
SELECT regress_ca.count_secrets();
\c - postgres
-- checked at call time too: the path changed after publishing
ALTER FUNCTION regress_ca.count_secrets() SET search_path = regress_ca;
\c - regress_cb_app
SELECT regress_ca.count_secrets();
\c - postgres
ALTER FUNCTION regress_ca.count_secrets() SET search_path = regress_ca, pg_temp;
SELECT tec_revoke_api('regress_ca.count_secrets()', 'regress_cb');

-- Clean up.
DROP AGGREGATE public.regress_cat(text);
DROP FUNCTION public.regress_acc(text, text);
DROP TABLE public.regress_board, public.regress_inbox, public.regress_loot;
DROP FUNCTION public.regress_copy(), public.regress_peek();
DROP OPERATOR public.= (varchar, varchar);
DROP FUNCTION public.regress_vareq(varchar, varchar), public.lower(varchar);
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE CREATE ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT tec_drop_domain('regress_ca', force => true);
SELECT tec_drop_domain('regress_cb', force => true);
DROP ROLE regress_cowboy, regress_cb_app;
