--
-- audit_refusals_caught: PostgreSQL's own refusals of accesses to domain
-- objects are recorded even when the session catches the error, when
-- log_min_messages hides it from the server log, and after a caught
-- denial of the extension's own; each exactly once.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_rc');
SELECT tec_create_domain('regress_rd');
CREATE ROLE regress_rc_member LOGIN;
SELECT tec_add_member('regress_rc', 'regress_rc_member', 'writer');
SET ROLE regress_rc_owner;
CREATE TABLE regress_rc.granted (id int);
CREATE TABLE regress_rc.ungranted (id int);
GRANT SELECT ON regress_rc.granted TO regress_rc_writer;
REVOKE ALL ON regress_rc.ungranted FROM regress_rc_writer;
CREATE FUNCTION regress_rc.open_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION regress_rc.shut_fn() RETURNS int LANGUAGE sql AS 'SELECT 2';
REVOKE EXECUTE ON FUNCTION regress_rc.shut_fn() FROM PUBLIC, regress_rc_writer, regress_rc_reader;
GRANT EXECUTE ON FUNCTION regress_rc.open_fn() TO regress_rc_writer;
CREATE PROCEDURE regress_rc.open_proc() LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE regress_rc.shut_proc() LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON PROCEDURE regress_rc.shut_proc() FROM PUBLIC, regress_rc_writer, regress_rc_reader;
RESET ROLE;
SET ROLE regress_rd_owner;
CREATE TABLE regress_rd.other (id int);
RESET ROLE;

-- Runs one statement and says how it ended; catches the refusal.
CREATE FUNCTION regress_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'allowed';
EXCEPTION WHEN insufficient_privilege THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
CREATE FUNCTION regress_rows(mark bigint) RETURNS TABLE (action text, decision text, reason text)
LANGUAGE sql AS $$
	SELECT action, decision, reason FROM tec_sovereignty.audit_log
	 WHERE seq > mark AND decision = 'denied' ORDER BY seq $$;
GRANT EXECUTE ON FUNCTION regress_try(text) TO PUBLIC;

-- Each caught refusal leaves exactly one row; its allowed twin none.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_rc_member;
SELECT regress_try('SELECT * FROM regress_rc.granted');
SELECT regress_try('SELECT * FROM regress_rc.ungranted');
SELECT regress_try('SELECT regress_rc.open_fn()');
SELECT regress_try('SELECT regress_rc.shut_fn()');
SELECT regress_try('CALL regress_rc.open_proc()');
SELECT regress_try('CALL regress_rc.shut_proc()');
SELECT regress_try('CREATE TABLE regress_rc.made_by_member (id int)');
RESET ROLE;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- PL/pgSQL's own call of a revoked function, caught in the function.
CREATE FUNCTION regress_perform_shut() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM regress_rc.shut_fn();
	RETURN 'allowed';
EXCEPTION WHEN insufficient_privilege THEN
	RETURN 'refused: ' || SQLERRM;
END $$;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_rc_member;
SELECT regress_perform_shut();
RESET ROLE;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- A caught denial of the extension's own (another domain's table), then
-- PostgreSQL's own refusal at top level: both recorded, each once.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
GRANT USAGE ON SCHEMA regress_rd TO regress_rc_member;
GRANT SELECT ON regress_rd.other TO regress_rc_member;
SET ROLE regress_rc_member;
SELECT regress_try('SELECT * FROM regress_rd.other');
SELECT * FROM regress_rc.ungranted;
-- and two caught refusals in a row
SELECT regress_try('SELECT * FROM regress_rc.ungranted'), regress_try('SELECT regress_rc.shut_fn()');
RESET ROLE;
REVOKE SELECT ON regress_rd.other FROM regress_rc_member;
REVOKE USAGE ON SCHEMA regress_rd FROM regress_rc_member;
SELECT tec_audit_flush();
SELECT action, decision, actor_domain, object_domain FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND decision = 'denied' ORDER BY seq;

-- Uncaught, from inside a DO block (a utility statement around the
-- executor): recorded once.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_rc_member;
DO $$ BEGIN PERFORM count(*) FROM regress_rc.ungranted; END $$;
RESET ROLE;
SELECT tec_audit_flush();
SELECT action, decision, reason, statement FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND decision = 'denied' ORDER BY seq;

-- A caught denial of the extension's own does not hide the next refusal
-- of the same transaction (another domain's schema: refused by the
-- namespace search hook in parse analysis).
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
BEGIN;
SET LOCAL ROLE regress_rc_owner;
SELECT regress_try('GRANT SELECT ON regress_rc.granted TO PUBLIC');
SELECT * FROM regress_rd.other;
ROLLBACK;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- Rolled back to a savepoint: the refusal stays recorded.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
BEGIN;
SET LOCAL ROLE regress_rc_member;
SAVEPOINT s;
SELECT * FROM regress_rc.ungranted;
ROLLBACK TO SAVEPOINT s;
SELECT * FROM regress_rc.granted;
SAVEPOINT t;
CALL regress_rc.shut_proc();
ROLLBACK TO SAVEPOINT t;
COMMIT;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- Hidden from the server log: still recorded, caught or not.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET log_min_messages = fatal;
SET ROLE regress_rc_member;
SELECT * FROM regress_rc.ungranted;
SELECT regress_try('SELECT regress_rc.shut_fn()');
RESET ROLE;
RESET log_min_messages;
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

DROP FUNCTION regress_try(text);
DROP FUNCTION regress_rows(bigint);
DROP FUNCTION regress_perform_shut();
SELECT tec_drop_domain('regress_rc', force => true);
SELECT tec_drop_domain('regress_rd', force => true);
DROP ROLE regress_rc_member;
