--
-- console_names: the object of a row, as a DBA reads it in violations and
-- access_summary.  One naming rule for every row (object_schema as the
-- catalog holds it, object_name as SQL writes it, object quoted once), and
-- PostgreSQL's own refusals carry the schema, OID and domain of the
-- relation (or procedure) they refused whenever the statement says which
-- one it was.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_cn');
SELECT tec_create_domain('regress_co');
CREATE ROLE regress_cn_member LOGIN;
CREATE ROLE regress_co_member LOGIN;
SELECT tec_add_member('regress_cn', 'regress_cn_member', 'writer');
SELECT tec_add_member('regress_co', 'regress_co_member', 'writer');
SET ROLE regress_cn_owner;
CREATE TABLE regress_cn."Quoted Tab" (id int);
CREATE TABLE regress_cn.open_tab (id int);
CREATE TABLE regress_cn.t (id int);
CREATE SEQUENCE regress_cn.seq;
CREATE PROCEDURE regress_cn.shut_proc() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION regress_cn.shut_fn(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
REVOKE ALL ON regress_cn."Quoted Tab", regress_cn.t, regress_cn.seq FROM regress_cn_writer;
REVOKE EXECUTE ON PROCEDURE regress_cn.shut_proc() FROM PUBLIC, regress_cn_writer;
REVOKE EXECUTE ON FUNCTION regress_cn.shut_fn(int) FROM PUBLIC, regress_cn_writer;
RESET ROLE;
-- a table of the same name outside the domain, readable by the member
CREATE SCHEMA regress_cn_plain;
CREATE TABLE regress_cn_plain.t (id int);
GRANT USAGE ON SCHEMA regress_cn_plain TO regress_cn_member;
GRANT SELECT ON regress_cn_plain.t TO regress_cn_member;

CREATE FUNCTION regress_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'allowed';
EXCEPTION WHEN insufficient_privilege THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION regress_try(text) TO PUBLIC;
CREATE FUNCTION regress_rows(mark bigint)
RETURNS TABLE (action text, decision text, object_domain text, object_schema text,
			   object_name text, object_oid regclass, reason text)
LANGUAGE sql AS $$
	SELECT action, decision, object_domain, object_schema, object_name,
		   CASE WHEN object_oid IN (SELECT oid FROM pg_class) THEN object_oid::regclass END,
		   reason
	  FROM tec_sovereignty.audit_log
	 WHERE seq > mark AND decision <> 'privileged' ORDER BY seq $$;

-- PostgreSQL's own refusals, caught (ExecutorStart, ProcessUtility) and not
-- caught: schema, name (quoted as SQL writes it), OID, domain.
-- Allowed twin first: no denied row.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_cn_member;
SELECT * FROM regress_cn.open_tab;
SELECT regress_try('SELECT * FROM regress_cn."Quoted Tab"');
SELECT * FROM regress_cn."Quoted Tab";
SELECT regress_try('LOCK TABLE regress_cn."Quoted Tab"');
SELECT regress_try('TRUNCATE regress_cn."Quoted Tab"');
SELECT regress_try('CALL regress_cn.shut_proc()');
SELECT regress_try('SELECT regress_cn.shut_fn(1)');
-- refused while the plan runs, and caught: recorded all the same
SELECT regress_try('SELECT nextval(''regress_cn.seq'')');
RESET ROLE;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- Two relations of the refused name in one statement (regress_cn.t and
-- regress_cn_plain.t): the message does not say which one; the row keeps
-- the name only and guesses no schema.  Its twin, the same statement with
-- the readable one alone, is allowed.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_cn_member;
SELECT * FROM regress_cn_plain.t;
SELECT * FROM regress_cn_plain.t a, regress_cn.t b;
-- a refusal raised while the plan runs (nextval): the plan names the
-- sequence as a constant
SELECT nextval('regress_cn.seq');
RESET ROLE;
-- another domain's name: refused by the extension's namespace-search hook
-- (domain schemas grant USAGE to PUBLIC so that PostgreSQL's own schema
-- check never comes first), recorded as USAGE with the schema's domain
SET ROLE regress_co_member;
SELECT * FROM regress_cn.open_tab;
RESET ROLE;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- The extension's own denials and PostgreSQL's read the same in
-- violations: the object quoted once, whoever recorded the row.
SELECT tec_set_enforcement('regress_cn', 'simulate');
GRANT USAGE ON SCHEMA regress_cn TO regress_co_member;
GRANT SELECT ON regress_cn."Quoted Tab" TO regress_co_member;
SET ROLE regress_co_member;
SELECT * FROM regress_cn."Quoted Tab";
RESET ROLE;
SELECT tec_set_enforcement('regress_cn', 'enforce');
SELECT tec_audit_flush();
SELECT actor_domain, object, action, decision
  FROM tec_sovereignty.violations WHERE object_domain = 'regress_cn'
 ORDER BY seq;

-- access_summary finds PostgreSQL's refusals under their object domain.
SELECT actor_domain, object_domain, action, decision, events
  FROM tec_sovereignty.access_summary
 WHERE object_domain = 'regress_cn' AND decision IN ('denied', 'simulated');

-- clean up
DROP FUNCTION regress_try(text);
DROP FUNCTION regress_rows(bigint);
DROP SCHEMA regress_cn_plain CASCADE;
REVOKE ALL ON SCHEMA regress_cn FROM regress_co_member;
REVOKE ALL ON regress_cn."Quoted Tab" FROM regress_co_member;
SELECT tec_drop_domain('regress_cn', force => true);
SELECT tec_drop_domain('regress_co', force => true);
DROP ROLE regress_cn_member, regress_co_member;
