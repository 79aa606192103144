--
-- console_admin: the DBA console around the trail: API crossings at audit
-- level 'write', audit_stats once the writer is idle, the NOTICEs of
-- tec_create_ecosystem(), and DROP TABLE of a protected shared table.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_cx');
SELECT tec_create_domain('regress_cy');
CREATE ROLE regress_cx_member LOGIN;
SELECT tec_add_member('regress_cx', 'regress_cx_member', 'writer');
SET ROLE regress_cy_owner;
CREATE TABLE regress_cy.book (id int);
CREATE FUNCTION regress_cy.books() RETURNS bigint LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, regress_cy, pg_temp
	AS 'SELECT count(*) FROM book';
RESET ROLE;
SELECT tec_publish_api('regress_cy.books()', 'regress_cx');

-- API crossings are kept at level 'write' (a crossing of a domain
-- boundary, as the README says), not at 'denied'.
CREATE FUNCTION regress_crossings(mark bigint) RETURNS TABLE (action text, decision text, actor_domain text, object text, via_api text)
LANGUAGE sql AS $$
	SELECT action, decision, actor_domain, quote_ident(object_schema) || '.' || object_name, via_api
	  FROM tec_sovereignty.audit_log
	 WHERE seq > mark AND object_domain = 'regress_cy' AND action IN ('EXECUTE', 'SELECT')
	 ORDER BY seq $$;
SELECT tec_set_audit_level('regress_cy', 'write');
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_cx_member
SELECT regress_cy.books();
\c - postgres
SELECT tec_audit_flush();
SELECT * FROM regress_crossings(:mark);
SELECT tec_set_audit_level('regress_cy', 'denied');
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_cx_member
SELECT regress_cy.books();
\c - postgres
SELECT tec_audit_flush();
SELECT * FROM regress_crossings(:mark);
SELECT tec_set_audit_level('regress_cy', NULL);
DROP FUNCTION regress_crossings(bigint);

-- audit_stats names the database while the writer runs and once it has
-- gone idle and stopped (tec_sovereignty.audit_worker_idle, 2 s).
SELECT tec_audit_flush();
SELECT database = current_database() AS names_database, writer_state IS NOT NULL AS has_state
  FROM tec_sovereignty.audit_stats WHERE database = current_database();
DO $$
BEGIN
	FOR i IN 1..600 LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM tec_sovereignty.audit_stats s
						   WHERE s.database = current_database() AND s.writer_pid IS NULL);
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
SELECT writer_state, writer_pid, events_written > 0 AS has_counters
  FROM tec_sovereignty.audit_stats WHERE database = current_database();

-- tec_create_ecosystem() says which domains it skipped and why: regress_cx
-- is none of the design's names, but a design domain that exists without
-- its template (or with another one) gets a NOTICE of its own.
SELECT tec_create_domain('nx');                    -- design: template technology
SELECT tec_create_domain('vip', 'technology');     -- design: template premium
SELECT count(*) AS created FROM tec_create_ecosystem();
SELECT count(*) AS created FROM tec_create_ecosystem();
SELECT count(*) AS dropped
  FROM (SELECT tec_drop_domain(domain, force => true) FROM tec_sovereignty.ecosystem()) s;

-- DROP TABLE of a protected shared table removes its registry row, and
-- the trail says so; a DROP that rolls back leaves the row; dropping an
-- unprotected table touches neither.
CREATE SCHEMA regress_cx_common;
CREATE TABLE regress_cx_common.ledger (id int, domain text);
CREATE TABLE regress_cx_common.plain (id int);
SELECT tec_protect_shared_table('regress_cx_common.ledger', 'domain');
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
DROP TABLE regress_cx_common.plain;
BEGIN;
DROP TABLE regress_cx_common.ledger;
SELECT count(*) AS registry_rows_in_xact FROM tec_sovereignty.shared_table;
ROLLBACK;
SELECT table_schema, table_name, domain_column FROM tec_sovereignty.shared_table;
DROP TABLE regress_cx_common.ledger;
SELECT count(*) AS registry_rows FROM tec_sovereignty.shared_table;
-- a new table of that name is not protected by the old row
CREATE TABLE regress_cx_common.ledger (id int, domain text);
SELECT relrowsecurity FROM pg_class WHERE oid = 'regress_cx_common.ledger'::regclass;
SELECT tec_audit_flush();
SELECT object_schema, object_name, action, decision, reason, pg_xact_status(xid) AS xact
  FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND object_schema = 'regress_cx_common' ORDER BY seq;

-- Its owner, a role of no domain, may not drop it (every domain's rows):
-- the refusal names the table, and the registry row stays.
CREATE ROLE regress_cx_keeper LOGIN;
CREATE TABLE regress_cx_common.kept (id int, domain text);
ALTER TABLE regress_cx_common.kept OWNER TO regress_cx_keeper;
GRANT USAGE ON SCHEMA regress_cx_common TO regress_cx_keeper;
SELECT tec_protect_shared_table('regress_cx_common.kept', 'domain');
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_cx_keeper
DROP TABLE regress_cx_common.kept;
\c - postgres
SELECT table_name FROM tec_sovereignty.shared_table;
SELECT tec_audit_flush();
SELECT effective_user_name, object, action, decision, reason
  FROM tec_sovereignty.violations WHERE seq > :mark;

-- clean up
DROP SCHEMA regress_cx_common CASCADE;
DROP ROLE regress_cx_keeper;
SELECT tec_drop_domain('regress_cx', force => true);
SELECT tec_drop_domain('regress_cy', force => true);
DROP ROLE regress_cx_member;
