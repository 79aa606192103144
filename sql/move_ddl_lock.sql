--
-- move_ddl_lock: while a live move copies a domain (source state 'moving',
-- target state 'moving_in'), schema changes on the domain's objects are
-- refused (55006) for everyone, superusers and break-glass included, and
-- audited as denials; reads, writes and TRUNCATE go on, and so do the
-- move's own steps (the replica identity it sets and restores).  Once the
-- move has ended, DDL works again.  The states are set with the move's own
-- SQL steps (src/export/move.sql), as tec_move_domain() calls them.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_mv');
CREATE ROLE regress_mv_o LOGIN;
CREATE ROLE regress_mv_w LOGIN;
SELECT tec_add_member('regress_mv', 'regress_mv_o', 'owner');
SELECT tec_add_member('regress_mv', 'regress_mv_w', 'writer');
SET ROLE regress_mv_owner;
CREATE TABLE regress_mv.t (id int PRIMARY KEY, v text);
CREATE TABLE regress_mv.nopk (x int);		-- gets REPLICA IDENTITY FULL for the move
CREATE SEQUENCE regress_mv.s;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON regress_mv.t TO regress_mv_writer;
RESET ROLE;
CREATE TABLE public.regress_mv_outside (x int);

-- The source side: state moving, the table without a primary key gets
-- REPLICA IDENTITY FULL (DDL by the move itself: its own work).
SELECT tec_sovereignty.move_out_begin('regress_mv', 'host=regress-nowhere.invalid dbname=x') AS tables;
SELECT state FROM tec_sovereignty.domain WHERE name = 'regress_mv';
SELECT relname, relreplident FROM pg_class WHERE relnamespace = 'regress_mv'::regnamespace
   AND relkind = 'r' ORDER BY relname;

SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset

-- Reads, writes, TRUNCATE and sequences go on.
SET ROLE regress_mv_w;
INSERT INTO regress_mv.t VALUES (1, 'during the move');
UPDATE regress_mv.t SET v = v || '!';
SELECT * FROM regress_mv.t ORDER BY id;
TRUNCATE regress_mv.t;
INSERT INTO regress_mv.t VALUES (2, 'again');

-- Schema changes by the owner are refused, saying why.
SET ROLE regress_mv_o;
CREATE TABLE regress_mv.u (x int);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE regress_mv.t ADD COLUMN w int;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE regress_mv.t REPLICA IDENTITY FULL;
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX ON regress_mv.t (v);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE regress_mv.nopk;
\echo :LAST_ERROR_SQLSTATE
ALTER SEQUENCE regress_mv.s RESTART 100;
\echo :LAST_ERROR_SQLSTATE
GRANT SELECT ON regress_mv.t TO regress_mv_writer;
\echo :LAST_ERROR_SQLSTATE
REVOKE TRUNCATE ON regress_mv.t FROM regress_mv_writer;
\echo :LAST_ERROR_SQLSTATE
COMMENT ON TABLE regress_mv.t IS 'changed during the move';
\echo :LAST_ERROR_SQLSTATE
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_mv GRANT SELECT ON TABLES TO regress_mv_writer;
\echo :LAST_ERROR_SQLSTATE
SECURITY LABEL ON TABLE regress_mv.t IS 'x';
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM regress_mv.t;
RESET ROLE;

-- Superusers too, break-glass or not: it is about consistency, not privilege.
ALTER TABLE regress_mv.t ADD COLUMN w int;
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT tec_break_glass('regress_mv', 'regress: try a change during a move');
DROP SEQUENCE regress_mv.s;
ROLLBACK;
\echo :LAST_ERROR_SQLSTATE
-- outside the domain, DDL is unchanged
ALTER TABLE public.regress_mv_outside ADD COLUMN y int;

-- A refusal caught in a function does not leave the statement's kind
-- behind: the write that follows in the same transaction is a write.
SET ROLE regress_mv_o;
DO $$
BEGIN
	BEGIN
		EXECUTE 'ALTER TABLE regress_mv.t ADD COLUMN z int';
	EXCEPTION WHEN object_in_use THEN
		RAISE NOTICE 'caught: %', SQLERRM;
	END;
	INSERT INTO regress_mv.t VALUES (3, 'after the caught refusal');
END
$$;
RESET ROLE;
SELECT * FROM regress_mv.t ORDER BY id;

-- Every refusal is in the trail, as a denial with its reason.
SELECT tec_audit_flush() AS flushed \gset
SELECT action, decision, object_domain, object_name, reason, effective_user_name
  FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND decision = 'denied' ORDER BY seq;

-- The move ends (cancelled): the replica identity is restored, DDL works.
SELECT tec_sovereignty.move_out_end('regress_mv', false, 'regress: cancelled');
SELECT state FROM tec_sovereignty.domain WHERE name = 'regress_mv';
SELECT relname, relreplident FROM pg_class WHERE relnamespace = 'regress_mv'::regnamespace
   AND relkind = 'r' ORDER BY relname;
SET ROLE regress_mv_o;
ALTER TABLE regress_mv.t ADD COLUMN w int;
COMMENT ON TABLE regress_mv.t IS 'after the move';
CREATE INDEX t_v ON regress_mv.t (v);
DROP INDEX regress_mv.t_v;
RESET ROLE;

-- The target side: a domain moving in refuses schema changes the same way.
SELECT tec_create_domain('regress_mvin');
SET ROLE regress_mvin_owner;
CREATE TABLE regress_mvin.t (id int PRIMARY KEY);
RESET ROLE;
SELECT tec_sovereignty.move_in_begin('regress_mvin', 'host=regress-source.invalid dbname=x');
SELECT state FROM tec_sovereignty.domain WHERE name = 'regress_mvin';
SET ROLE regress_mvin_owner;
INSERT INTO regress_mvin.t VALUES (1);
CREATE INDEX ON regress_mvin.t (id);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP TABLE regress_mvin.t;
\echo :LAST_ERROR_SQLSTATE
-- the move's end on the target (here: cancelled, the domain goes)
SELECT tec_sovereignty.move_in_end('regress_mvin', false, 'regress: cancelled');
SELECT count(*) AS left_behind FROM tec_sovereignty.domain WHERE name = 'regress_mvin';

-- clean up
SELECT tec_drop_domain('regress_mv', force => true);
DROP TABLE public.regress_mv_outside;
DELETE FROM tec_sovereignty.move WHERE domain LIKE 'regress\_%';
DROP ROLE regress_mv_o, regress_mv_w;
