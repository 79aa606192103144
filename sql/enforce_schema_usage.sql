--
-- enforce_schema_usage: a domain schema grants USAGE to PUBLIC, so that
-- PostgreSQL's own schema check never refuses first: the extension decides
-- every name lookup in it and records the refusal, with its own detail,
-- even when an EXCEPTION block catches it or the server log hides it.
-- Only a superuser may revoke that USAGE.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_su');
SELECT tec_create_domain('regress_sv');
CREATE ROLE regress_su_member LOGIN;
CREATE ROLE regress_sv_member LOGIN;
CREATE ROLE regress_su_outsider LOGIN;
SELECT tec_add_member('regress_su', 'regress_su_member', 'writer');
SELECT tec_add_member('regress_sv', 'regress_sv_member', 'writer');
SET ROLE regress_su_owner;
CREATE TABLE regress_su."Portfolio" (id int);
INSERT INTO regress_su."Portfolio" VALUES (1);
RESET ROLE;
-- The careless DBA: every privilege PostgreSQL would need, except on the
-- schema (which PUBLIC holds anyway).
GRANT SELECT ON regress_su."Portfolio" TO regress_sv_member, regress_su_outsider;

-- The schema's ACL: PUBLIC holds USAGE, nobody but the owner CREATE.
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'regress_su';
SET ROLE regress_sv_member;
SELECT has_schema_privilege('regress_su', 'USAGE') AS usage,
	   has_schema_privilege('regress_su', 'CREATE') AS "create";
SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'regress_s_' ORDER BY 1;
RESET ROLE;

CREATE FUNCTION regress_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'allowed';
EXCEPTION WHEN insufficient_privilege THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION regress_try(text) TO PUBLIC;
CREATE FUNCTION regress_rows(mark bigint)
RETURNS TABLE (who text, action text, decision text, actor text, object text, schema text)
LANGUAGE sql AS $$
	SELECT effective_user_name, action, decision, actor_domain, object_domain, object_schema
	  FROM tec_sovereignty.audit_log
	 WHERE seq > mark AND decision = 'denied' ORDER BY seq $$;

-- The allowed twin: the domain's own member reads its table.
SET ROLE regress_su_member;
SELECT * FROM regress_su."Portfolio";
RESET ROLE;

-- Another domain's member: the extension's refusal, naming the schema,
-- with the cursor on the name.
\set VERBOSITY default
SET ROLE regress_sv_member;
SELECT * FROM regress_su."Portfolio";
SELECT 'regress_su."Portfolio"'::regclass;
-- through search_path the schema is skipped silently: PostgreSQL's own
-- "does not exist"
SET search_path = regress_su, public;
SELECT * FROM "Portfolio";
RESET search_path;
RESET ROLE;

-- Caught, and hidden from the server log: recorded all the same.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET log_min_messages = panic;
SET ROLE regress_sv_member;
SELECT regress_try('SELECT * FROM regress_su."Portfolio"');
SELECT regress_try('COMMENT ON TABLE regress_su."Portfolio" IS ''mine''');
RESET ROLE;
-- a non-domain role, whatever was granted
SET ROLE regress_su_outsider;
SELECT regress_try('SELECT * FROM regress_su."Portfolio"');
RESET ROLE;
RESET log_min_messages;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- Revoking PUBLIC's USAGE: refused to the owner, in every spelling; other
-- revocations on the schema stay the owner's.
SET ROLE regress_su_owner;
REVOKE USAGE ON SCHEMA regress_su FROM PUBLIC;
REVOKE ALL ON SCHEMA regress_su FROM PUBLIC;
REVOKE USAGE, CREATE ON SCHEMA regress_su FROM regress_su_reader, PUBLIC CASCADE;
REVOKE CREATE ON SCHEMA regress_su FROM PUBLIC;
REVOKE GRANT OPTION FOR USAGE ON SCHEMA regress_su FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA regress_su FROM PUBLIC;
-- granting it again (an export script does) is the owner's; nothing more
GRANT USAGE ON SCHEMA regress_su TO PUBLIC;
GRANT USAGE, CREATE ON SCHEMA regress_su TO PUBLIC;
GRANT USAGE ON SCHEMA regress_su TO PUBLIC WITH GRANT OPTION;
RESET ROLE;
SET ROLE regress_sv_owner;
REVOKE USAGE ON SCHEMA regress_su FROM PUBLIC;
RESET ROLE;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'regress_su';

-- A superuser may (a restore script revokes all and grants again),
-- recorded as privileged; PostgreSQL then refuses first, without the
-- extension's detail, until PUBLIC holds USAGE again.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
REVOKE USAGE ON SCHEMA regress_su FROM PUBLIC;
SELECT tec_audit_flush();
SELECT action, decision, object_domain, statement FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND action = 'REVOKE';
SET ROLE regress_sv_member;
SELECT * FROM regress_su."Portfolio";
RESET ROLE;
GRANT USAGE ON SCHEMA regress_su TO PUBLIC;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'regress_su';

DROP FUNCTION regress_try(text);
DROP FUNCTION regress_rows(bigint);
REVOKE SELECT ON regress_su."Portfolio" FROM regress_sv_member, regress_su_outsider;
SELECT tec_drop_domain('regress_su', force => true);
SELECT tec_drop_domain('regress_sv', force => true);
DROP ROLE regress_su_member, regress_sv_member, regress_su_outsider;
