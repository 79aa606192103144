--
-- export_bad_input: who may export, and what an export refuses, with the
-- SQLSTATE of each error.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_a');
SELECT tec_create_domain('regress_b');

-- NULLs and unknown domains.
SELECT tec_export_domain(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tec_export_domain('regress_a', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tec_export_domain('regress_a', true, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tec_export_domain('regress_nope');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_export_domain('');
\echo :LAST_ERROR_SQLSTATE

-- with_audit carries the domain's audit trail (test/t/042_export_audit.pl).
SELECT count(*) FILTER (WHERE v LIKE 'SELECT tec_sovereignty.audit_import(%') AS import_calls
  FROM tec_export_domain('regress_a', with_audit => true) v;

-- Not executable by PUBLIC.
CREATE ROLE regress_nobody;
SET ROLE regress_nobody;
SELECT tec_export_domain('regress_a');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Granted EXECUTE, a domain's owner exports its own domain, never another.
GRANT EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) TO regress_a_owner, regress_b_owner;
SET ROLE regress_b_owner;
SELECT tec_export_domain('regress_a');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS exported FROM (SELECT tec_export_domain('regress_b')) s;
RESET ROLE;

-- A table of the domain its owner cannot read is not exported behind its back.
CREATE TABLE regress_a.not_owned (x int);
SET ROLE regress_a_owner;
SELECT tec_export_domain('regress_a');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP TABLE regress_a.not_owned;

-- During a transfer only a superuser exports.
SELECT tec_transfer_domain('regress_a', 'Someone Else Ltd', 'db.example:5432/a') > 0 AS started;
SET ROLE regress_a_owner;
SELECT tec_export_domain('regress_a');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) > 0 AS superuser_exports FROM (SELECT tec_export_domain('regress_a')) s;
SELECT tec_cancel_transfer('regress_a');

-- An object that references another domain makes the export fail.
CREATE TABLE regress_b.t (id int PRIMARY KEY);
CREATE VIEW regress_a.peek AS SELECT id FROM regress_b.t;
SELECT tec_export_domain('regress_a');
\echo :LAST_ERROR_SQLSTATE
DROP VIEW regress_a.peek;

-- Objects the export cannot reproduce are refused, not skipped.
CREATE OPERATOR FAMILY regress_a.fam USING btree;
SELECT tec_export_domain('regress_a');
\echo :LAST_ERROR_SQLSTATE
DROP OPERATOR FAMILY regress_a.fam USING btree;

-- Stopping early (LIMIT) and calling it in FROM both work.
SELECT left(tec_export_domain('regress_b'), 40) AS first_line LIMIT 1;
SELECT count(*) > 5 AS many_values FROM tec_export_domain('regress_b');

-- clean up
REVOKE EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) FROM regress_a_owner, regress_b_owner;
DROP ROLE regress_nobody;
DELETE FROM tec_sovereignty.transfer WHERE domain LIKE 'regress\_%';
SELECT tec_drop_domain('regress_a', force => true);
SELECT tec_drop_domain('regress_b', force => true);
