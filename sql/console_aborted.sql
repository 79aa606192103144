--
-- console_aborted: what the trail says about work that a statement was
-- allowed and that then did not happen because the statement failed.  The
-- rows stay (forensics wants the attempt), marked aborted, and no view
-- counts them as accesses that happened.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ca', 'financial');
CREATE ROLE regress_ca_boss LOGIN;
CREATE ROLE regress_ca_member LOGIN;
SELECT tec_add_member('regress_ca', 'regress_ca_boss', 'owner');
SELECT tec_add_member('regress_ca', 'regress_ca_member', 'writer');
-- The members' events must stay in their backend for the whole statement
-- (a slow machine, e.g. under Valgrind, would otherwise pass the default
-- 200 ms and queue some of them before the statement fails): what is
-- tested is the marking, not the delay.
ALTER ROLE regress_ca_boss SET tec_sovereignty.audit_max_delay = '1min';
ALTER ROLE regress_ca_member SET tec_sovereignty.audit_max_delay = '1min';
SET ROLE regress_ca_owner;
CREATE TABLE regress_ca.closed (id int);
REVOKE ALL ON regress_ca.closed FROM regress_ca_writer;
RESET ROLE;
CREATE FUNCTION regress_rows(mark bigint) RETURNS TABLE (action text, decision text, events bigint)
LANGUAGE sql AS $$
	SELECT action, decision, count(*) FROM tec_sovereignty.audit_log
	 WHERE seq > mark AND action NOT IN ('SET ROLE', 'SET SESSION AUTHORIZATION', 'RESET')
	 GROUP BY 1, 2 ORDER BY 1, 2 $$;

-- A refused DROP SCHEMA ... CASCADE by the domain's owner: the objects of
-- the cascade were allowed one by one, then the schema was refused and
-- nothing was dropped.  One denied row; the cascade's rows say aborted.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_ca_boss
DROP SCHEMA regress_ca CASCADE;
\c - postgres
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);
SELECT count(*) AS tables_still_there FROM pg_tables WHERE schemaname = 'regress_ca';

-- Its allowed twin: a DROP TABLE that succeeds keeps its allowed row.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_ca_boss
DROP TABLE regress_ca."Statement";
\c - postgres
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- The same inside a savepoint that catches the refusal: the transaction
-- goes on and commits, the refused statement's rows still say aborted.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_ca_boss
BEGIN;
SAVEPOINT s;
DROP SCHEMA regress_ca CASCADE;
ROLLBACK TO SAVEPOINT s;
CREATE TABLE regress_ca.after_refusal (id int);
COMMIT;
\c - postgres
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- A query refused by PostgreSQL on its second table: the first table's
-- allowed read is aborted too (its twin, the first table alone, stays
-- allowed).
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
\c - regress_ca_member
SELECT count(*) FROM regress_ca."Account";
SELECT count(*) FROM regress_ca."Account", regress_ca.closed;
\c - postgres
SELECT tec_audit_flush();
SELECT * FROM regress_rows(:mark);

-- What the DBA reads (logged in as the domain's members: allowed, not
-- privileged): no DROP SCHEMA counted as allowed.
SELECT actor_domain, action, decision, events, role_names
  FROM tec_sovereignty.access_summary
 WHERE object_domain = 'regress_ca' AND action IN ('DROP SCHEMA', 'DROP TABLE', 'SELECT');

-- clean up
DROP FUNCTION regress_rows(bigint);
SELECT tec_drop_domain('regress_ca', force => true);
DROP ROLE regress_ca_boss, regress_ca_member;
