--
-- export_transfer_enforce: what the transfer states do to the domain's own
-- roles.  While 'transferring' reads work and every write and DDL is
-- refused, saying why; tec_cancel_transfer() unfreezes; once 'transferred'
-- every access is refused except a superuser's export, and the domain can
-- be dropped.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_te');
CREATE ROLE regress_te_w LOGIN;
CREATE ROLE regress_te_r LOGIN;
CREATE ROLE regress_te_o LOGIN;
SELECT tec_add_member('regress_te', 'regress_te_w', 'writer');
SELECT tec_add_member('regress_te', 'regress_te_r', 'reader');
SELECT tec_add_member('regress_te', 'regress_te_o', 'owner');
GRANT EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) TO regress_te_owner;
SET ROLE regress_te_owner;
CREATE TABLE regress_te.t (id int PRIMARY KEY, v text);
GRANT SELECT ON regress_te.t TO regress_te_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON regress_te.t TO regress_te_writer;
RESET ROLE;
SET ROLE regress_te_w;
INSERT INTO regress_te.t VALUES (1, 'before');
RESET ROLE;

-- Transferring: reads work.
SELECT tec_transfer_domain('regress_te', 'TE Ltd', 'db.te.example:5432/te') > 0 AS started;
SET ROLE regress_te_r;
SELECT * FROM regress_te.t ORDER BY id;
SET ROLE regress_te_w;
SELECT * FROM regress_te.t ORDER BY id;

-- Writes are refused, saying the domain is being transferred.
INSERT INTO regress_te.t VALUES (2, 'during');
\echo :LAST_ERROR_SQLSTATE
UPDATE regress_te.t SET v = 'changed';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM regress_te.t;
\echo :LAST_ERROR_SQLSTATE
COPY regress_te.t FROM stdin;
3	copied
\.
\echo :LAST_ERROR_SQLSTATE

-- DDL too, by the owner as well.
SET ROLE regress_te_o;
SELECT count(*) FROM regress_te.t;
CREATE TABLE regress_te.u (x int);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE regress_te.t ADD COLUMN w int;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE regress_te.t;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE regress_te.t;
\echo :LAST_ERROR_SQLSTATE
-- and so is the domain owner's own export: only a superuser exports now
SELECT count(*) FROM tec_export_domain('regress_te');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Cancelled: writes work again.
SELECT tec_cancel_transfer('regress_te');
SET ROLE regress_te_w;
INSERT INTO regress_te.t VALUES (2, 'after cancel');
UPDATE regress_te.t SET v = v || '!' WHERE id = 2;
SELECT * FROM regress_te.t ORDER BY id;
RESET ROLE;

-- Transferred: every access by the domain's roles is refused, reads too,
-- even assuming the role; only a superuser's export still works.
SELECT tec_transfer_domain('regress_te', 'TE Ltd', 'db.te.example:5432/te') > 0 AS started;
SELECT length(tec_complete_transfer('regress_te')) AS sha256_length;
SET ROLE regress_te_r;
\echo :LAST_ERROR_SQLSTATE
SELECT session_user AS dba \gset
\c - regress_te_r
\set SHOW_CONTEXT never
SELECT * FROM regress_te.t;
\echo :LAST_ERROR_SQLSTATE
\c - regress_te_w
\set SHOW_CONTEXT never
INSERT INTO regress_te.t VALUES (3, 'late');
\echo :LAST_ERROR_SQLSTATE
\c - regress_te_o
\set SHOW_CONTEXT never
SELECT * FROM regress_te.t;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM tec_export_domain('regress_te');
\echo :LAST_ERROR_SQLSTATE
\c - :dba
\set SHOW_CONTEXT never

-- A superuser still exports it (the data is all there), then drops it.
SELECT count(*) FILTER (WHERE v LIKE 'COPY regress_te.t %') AS copy_blocks,
	   count(*) FILTER (WHERE v LIKE '%after cancel!%') AS with_last_row
  FROM tec_export_domain('regress_te') v;
SELECT tec_drop_domain('regress_te');
\echo :LAST_ERROR_SQLSTATE
REVOKE EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) FROM regress_te_owner;
SELECT tec_drop_domain('regress_te', force => true);
SELECT count(*) AS left_behind FROM tec_sovereignty.domain WHERE name = 'regress_te';

-- clean up
DELETE FROM tec_sovereignty.transfer WHERE domain LIKE 'regress\_%';
DROP ROLE regress_te_w, regress_te_r, regress_te_o;
