--
-- enforce_simple_expr: PL/pgSQL evaluates "x := f()" and "IF f() THEN" as
-- simple expressions, outside the executor.  A call of a domain function
-- there is decided by the extension and recorded durably, even when an
-- EXCEPTION block catches the refusal and the server log shows nothing.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_se');
SELECT tec_create_domain('regress_sf');
CREATE ROLE regress_se_member LOGIN;
CREATE ROLE regress_sf_member LOGIN;
SELECT tec_add_member('regress_se', 'regress_se_member', 'writer');
SELECT tec_add_member('regress_sf', 'regress_sf_member', 'writer');
SET ROLE regress_se_owner;
CREATE FUNCTION regress_se.open_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
CREATE FUNCTION regress_se.shut_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 2';
CREATE FUNCTION regress_se.shut_imm(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION regress_se.truth() RETURNS boolean LANGUAGE sql STABLE AS 'SELECT true';
CREATE FUNCTION regress_se.api() RETURNS int LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = regress_se, pg_temp AS 'SELECT 3';
REVOKE EXECUTE ON FUNCTION regress_se.shut_fn(), regress_se.shut_imm(int)
	FROM PUBLIC, regress_se_writer, regress_se_reader;
RESET ROLE;
SELECT tec_publish_api('regress_se.api()'::regprocedure, 'regress_sf');

-- Simple expressions, each catching insufficient_privilege.
CREATE FUNCTION regress_assign(which text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE x int;
BEGIN
	CASE which
		WHEN 'open' THEN x := regress_se.open_fn();
		WHEN 'shut' THEN x := regress_se.shut_fn();
		WHEN 'imm' THEN x := regress_se.shut_imm(7);
		WHEN 'api' THEN x := regress_se.api();
		WHEN 'query' THEN SELECT regress_se.open_fn() INTO x FROM pg_catalog.pg_database LIMIT 1;
		WHEN 'dead' THEN x := CASE WHEN false THEN regress_se.open_fn() END;
	END CASE;
	RETURN 'allowed: ' || x;
EXCEPTION WHEN insufficient_privilege THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
CREATE FUNCTION regress_if() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF regress_se.truth() THEN
		RETURN 'allowed';
	END IF;
	RETURN 'false';
EXCEPTION WHEN insufficient_privilege THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION regress_assign(text), regress_if() TO PUBLIC;
CREATE FUNCTION regress_rows(mark bigint)
RETURNS TABLE (who text, action text, decision text, actor text, object text, name text, reason text)
LANGUAGE sql AS $$
	SELECT effective_user_name, action, decision, actor_domain, object_domain, object_name, reason
	  FROM tec_sovereignty.audit_log
	 WHERE seq > mark AND decision = 'denied' ORDER BY seq $$;

SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET log_min_messages = panic;
-- the domain's own member: allowed twin, then PostgreSQL's EXECUTE check
-- (a revoked function; an immutable one the planner would fold)
SET ROLE regress_se_member;
SELECT regress_assign('open');
SELECT regress_assign('shut');
SELECT regress_assign('imm');
SELECT regress_if();
RESET ROLE;
-- another domain, logged in as itself (so that it acts as its domain):
-- its published API (allowed twin), then functions it is not published,
-- which the rule refuses before PostgreSQL looks
ALTER ROLE regress_sf_member SET log_min_messages = panic;
\c - regress_sf_member
SHOW log_min_messages;
SELECT regress_assign('api');
SELECT regress_assign('open');
SELECT regress_if();
-- a query with relations: decided before PostgreSQL's EXECUTE check too;
-- and a call the planner would fold away is refused all the same
SELECT regress_assign('query');
SELECT regress_assign('dead');
\c - postgres
ALTER ROLE regress_sf_member RESET log_min_messages;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- The same session, the same cached expression, another role: decided
-- again (the plan depends on the role).
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_se_member;
SELECT regress_assign('open');
RESET ROLE;
SET ROLE regress_sf_member;
SELECT regress_assign('open');
RESET ROLE;
SET ROLE regress_se_member;
SELECT regress_assign('open');
RESET ROLE;
SELECT tec_audit_flush();
SELECT who, action, decision, actor, object FROM regress_rows(:mark);

-- Uncaught: the extension's message.
SET ROLE regress_sf_member;
DO $$ DECLARE x int; BEGIN x := regress_se.open_fn(); END $$;
RESET ROLE;

DROP FUNCTION regress_assign(text);
DROP FUNCTION regress_if();
DROP FUNCTION regress_rows(bigint);
SELECT tec_drop_domain('regress_se', force => true);
SELECT tec_drop_domain('regress_sf', force => true);
DROP ROLE regress_se_member, regress_sf_member;
