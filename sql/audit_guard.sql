--
-- audit_guard: guarantee 5, the trail is append-only for everyone,
-- superusers included, whatever switches they flip.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_g1');
SELECT tec_audit_note('regress_g1', 'GUARD', 'a row to protect');
SELECT tec_audit_flush();
SELECT max(seq) AS last FROM tec_sovereignty.audit_log \gset

-- Row changes, directly or sideways.
UPDATE tec_sovereignty.audit_log SET reason = 'forged' WHERE seq = :last;
DELETE FROM tec_sovereignty.audit_log WHERE seq = :last;
INSERT INTO tec_sovereignty.audit_log SELECT * FROM tec_sovereignty.audit_log WHERE seq = :last;
SELECT seq FROM tec_sovereignty.audit_log WHERE seq = :last FOR UPDATE;
WITH d AS (DELETE FROM tec_sovereignty.audit_log WHERE seq = :last RETURNING 1) SELECT count(*) FROM d;
COPY tec_sovereignty.audit_log FROM stdin;
1
\.
UPDATE tec_sovereignty.audit_chain SET last_seq = 0;
DELETE FROM tec_sovereignty.audit_chain;
SET session_replication_role = replica;
DELETE FROM tec_sovereignty.audit_log WHERE seq = :last;
RESET session_replication_role;
CREATE FUNCTION regress_sneaky() RETURNS void LANGUAGE sql SECURITY DEFINER
	AS $$ DELETE FROM tec_sovereignty.audit_log $$;
SELECT regress_sneaky();
DROP FUNCTION regress_sneaky();

-- Schema changes and switches.
TRUNCATE tec_sovereignty.audit_log;
LOCK TABLE tec_sovereignty.audit_log IN ACCESS EXCLUSIVE MODE;
TRUNCATE tec_sovereignty.audit_chain;
ALTER TABLE tec_sovereignty.audit_log DISABLE TRIGGER ALL;
ALTER TABLE tec_sovereignty.audit_log DISABLE ROW LEVEL SECURITY;
ALTER TABLE tec_sovereignty.audit_log ADD COLUMN note text;
ALTER TABLE tec_sovereignty.audit_log RENAME TO old_log;
ALTER TABLE tec_sovereignty.audit_log SET SCHEMA public;
CREATE RULE no_insert AS ON INSERT TO tec_sovereignty.audit_log DO INSTEAD NOTHING;
CREATE TRIGGER t BEFORE INSERT ON tec_sovereignty.audit_log FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
DROP POLICY owner_reads_own_domain ON tec_sovereignty.audit_log;
CREATE POLICY everyone ON tec_sovereignty.audit_log FOR SELECT USING (true);
ALTER POLICY auditor_reads_all ON tec_sovereignty.audit_log TO PUBLIC;
ALTER EXTENSION tec_sovereignty DROP TABLE tec_sovereignty.audit_log;

-- Drops, however reached.
DROP TABLE tec_sovereignty.audit_log;
DROP SCHEMA tec_sovereignty CASCADE;
DROP EXTENSION tec_sovereignty;

-- Nothing changed.
SELECT action, reason FROM tec_sovereignty.audit_log WHERE seq = :last;
SELECT domain, ok, reason FROM tec_audit_verify('regress_g1');

-- Reading stays possible; VACUUM is harmless.
VACUUM tec_sovereignty.audit_log;
SELECT count(*) > 0 AS readable FROM tec_sovereignty.audit_log;

-- Every attempt is itself in the trail, as a denial.
SELECT tec_audit_flush();
SELECT action, object, count(*) FROM tec_sovereignty.violations
 WHERE seq > :last AND object LIKE 'tec_sovereignty.audit%' GROUP BY 1, 2 ORDER BY 2, 1;

-- A rewrite of the heads' table (VACUUM FULL moves every row): the writer,
-- which remembers where it last wrote each head, finds them again by key
-- and updates them in place of adding a second head.
VACUUM FULL tec_sovereignty.audit_chain;
SELECT tec_audit_note('regress_g1', 'AFTER_REWRITE', 'the head moved');
SELECT tec_audit_flush();
SELECT count(*) = count(DISTINCT (chain_domain, chain_origin)) AS one_row_a_chain,
       bool_or(chain_domain = 'regress_g1') AS has_g1
  FROM tec_sovereignty.audit_chain;
SELECT domain, ok, reason FROM tec_audit_verify('regress_g1');
SELECT bool_and(ok) AS every_chain_verifies FROM tec_audit_verify();

SELECT tec_drop_domain('regress_g1');
