--
-- audit_trail: what a row holds, denials PostgreSQL raises on its own,
-- reads of aborted transactions, levels, settings, who reads what.
--
\set SHOW_CONTEXT never
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset

SELECT tec_create_domain('regress_a1', 'financial');
SELECT tec_create_domain('regress_a2');
CREATE ROLE regress_audit_intruder LOGIN;
CREATE ROLE regress_audit_boss LOGIN;
CREATE ROLE regress_audit_examiner LOGIN IN ROLE tec_auditor;
SELECT tec_add_member('regress_a2', 'regress_audit_intruder', 'writer');
SELECT tec_add_member('regress_a1', 'regress_audit_boss', 'owner');

-- A DBA note: privileged, in the domain's chain, durable at commit.
SET application_name = 'regress_audit';
SELECT tec_audit_note('regress_a1', 'MAINTENANCE', 'window opens');
SELECT tec_audit_note('no_such_domain', 'X', 'y');
SELECT tec_audit_note('regress_a1', NULL, 'y');
SELECT action, decision, object_domain, reason, session_user_name, effective_user_name,
	   client_addr IS NOT NULL AS has_client, application_name, statement,
	   chain_domain, chain_seq, xid IS NOT NULL AS has_xid, length(prev_hash) AS prev_len, length(row_hash) AS hash_len
  FROM tec_sovereignty.audit_log WHERE seq > :mark ORDER BY seq;

-- Guarantee 2: a denial that PostgreSQL raises on its own (no USAGE on the
-- other domain's schema, during parse analysis, before any hook) is written
-- and committed before the error reaches the client, although the
-- transaction it happened in rolls back.  No flush here on purpose.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_audit_intruder;
BEGIN;
SELECT * FROM regress_a1."Portfolio";
ROLLBACK;
INSERT INTO regress_a1."Account" DEFAULT VALUES;
RESET ROLE;
SELECT action, decision, actor_domain, object_domain, object_schema, session_user_name, effective_user_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark ORDER BY seq;

-- Guarantee 3: reads of an aborted transaction are recorded too
-- (audit_bench: the test-only module test/modules/tsov_bench).
CREATE EXTENSION tsov_bench;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
BEGIN;
SELECT tec_sovereignty.audit_bench('regress_a2', 3);
SELECT 1 / 0;
ROLLBACK;
SELECT tec_audit_flush();
SELECT action, decision, object_domain, count(*)
  FROM tec_sovereignty.audit_log WHERE seq > :mark GROUP BY 1, 2, 3 ORDER BY 1;
DROP EXTENSION tsov_bench;

-- Levels: the setting, then a per-domain override.
SELECT tec_sovereignty.audit_wanted('regress_a1', false) AS read_kept,
	   tec_sovereignty.audit_wanted('regress_a1', true) AS write_kept;
SELECT tec_set_audit_level('regress_a1', 'write');
SELECT tec_sovereignty.audit_wanted('regress_a1', false) AS read_kept,
	   tec_sovereignty.audit_wanted('regress_a1', true) AS write_kept,
	   tec_sovereignty.audit_wanted('regress_a2', false) AS other_domain_read_kept;
SELECT tec_set_audit_level('regress_a1', 'none');
SELECT tec_sovereignty.audit_wanted('regress_a1', true) AS write_kept;
SELECT tec_set_audit_level('regress_a1', 'loud');
SELECT tec_set_audit_level('regress_a1', NULL);
SET tec_sovereignty.audit = 'denied';
SELECT tec_sovereignty.audit_wanted('regress_a1', true) AS write_kept;
RESET tec_sovereignty.audit;
SELECT name, audit_level FROM tec_sovereignty.domain WHERE name LIKE 'regress\_a%' ORDER BY 1;

-- Changes of the extension's settings are recorded; a domain role cannot
-- make them (and its attempt is a recorded denial).
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET tec_sovereignty.audit_statement_max = 20;
SELECT tec_audit_note(NULL, 'CUT', 'statement cut at 20 bytes');
SET tec_sovereignty.audit_statement_max = 0;
SELECT tec_audit_note(NULL, 'NO_STATEMENT', 'statement not kept');
RESET tec_sovereignty.audit_statement_max;
SET ROLE regress_audit_intruder;
SET tec_sovereignty.audit = 'none';
RESET ROLE;
SELECT tec_audit_flush();
SELECT action, decision, object_name, reason, statement
  FROM tec_sovereignty.audit_log WHERE seq > :mark ORDER BY seq;

-- Echo for tests: each event as a NOTICE.
SET tec_sovereignty.audit_echo = on;
SELECT tec_audit_note('regress_a2', 'ECHO', 'seen');
RESET tec_sovereignty.audit_echo;

-- Who reads what: the auditor everything, a domain owner its own domain,
-- another domain's role nothing of regress_a1.
SELECT tec_audit_flush();
SET ROLE regress_audit_examiner;
SELECT count(DISTINCT object_domain) >= 2 AS auditor_sees_all FROM tec_sovereignty.audit_log;
SELECT domain, ok FROM tec_audit_verify('regress_a1');
RESET ROLE;
SET ROLE regress_audit_boss;
SELECT DISTINCT object_domain FROM tec_sovereignty.audit_log ORDER BY 1;
SELECT tec_audit_verify('regress_a1');
RESET ROLE;
SET ROLE regress_audit_intruder;
SELECT count(*) AS rows_seen FROM tec_sovereignty.audit_log WHERE object_domain = 'regress_a1';
SELECT DISTINCT object_domain FROM tec_sovereignty.audit_log ORDER BY 1;
SELECT tec_audit_note('regress_a2', 'X', 'y');
RESET ROLE;

-- The DBA question: who touched regress_a1 today, and who tried to?
SELECT actor_domain, object_domain, action, decision, events
  FROM tec_sovereignty.access_summary
 WHERE object_domain = 'regress_a1' ORDER BY 1, 3, 4;
SELECT effective_user_name, actor_domain, object, action, reason
  FROM tec_sovereignty.violations WHERE object_domain = 'regress_a1';

-- Queue statistics (nobody waits for the writer while this runs: waiters is 0).
SELECT writer_state IN ('waiting', 'writing', 'starting', 'stopped') AS state_ok,
	   events_written > 0 AS wrote, queue_capacity > 0 AS sized, durable_waits > 0 AS waited,
	   waiters AS waiting_now
  FROM tec_sovereignty.audit_stats WHERE database = current_database();

-- The chains verify.
SELECT domain, ok, rows_checked, first_bad_seq, reason FROM tec_audit_verify('regress_a1');
SELECT domain, ok, rows_checked > 0 AS checked FROM tec_audit_verify() WHERE domain LIKE 'regress\_a%' ORDER BY 1;
SELECT * FROM tec_audit_verify('regress_nothing_here');

-- clean up (the trail itself stays: it is append-only)
SELECT tec_drop_domain(name, force => true) FROM tec_sovereignty.domain WHERE name LIKE 'regress\_a%' ORDER BY name;
DROP ROLE regress_audit_intruder, regress_audit_boss, regress_audit_examiner;
SELECT action, object_domain, reason FROM tec_sovereignty.audit_log
 WHERE action = 'DROP_DOMAIN' AND object_domain LIKE 'regress\_a%' ORDER BY seq;
SELECT tec_audit_flush();
SELECT action, object_domain, reason FROM tec_sovereignty.audit_log
 WHERE action = 'DROP_DOMAIN' AND object_domain LIKE 'regress\_a%' ORDER BY seq;
