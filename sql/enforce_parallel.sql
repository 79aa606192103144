--
-- enforce_parallel: parallel plans give the results of serial ones, are
-- checked and audited once (by the leader), statements a worker runs on its
-- own (SPI in a parallel-safe function) are checked in the worker, and the
-- extension's own registry reads take no predicate locks.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_pa');
SELECT tec_create_domain('regress_pb');
CREATE ROLE regress_pa_user LOGIN;
CREATE ROLE regress_pb_user LOGIN;
SELECT tec_add_member('regress_pa', 'regress_pa_user', 'writer');
SELECT tec_add_member('regress_pb', 'regress_pb_user', 'writer');

SET ROLE regress_pa_owner;
CREATE TABLE regress_pa.big (id int, v text);
INSERT INTO regress_pa.big SELECT g, 'v' || g FROM generate_series(1, 20000) g;
RESET ROLE;
ANALYZE regress_pa.big;
SET ROLE regress_pb_owner;
-- a parallel-safe function that reads whatever table it is given
CREATE FUNCTION regress_pb.peek(t text) RETURNS bigint
LANGUAGE plpgsql PARALLEL SAFE AS $$
DECLARE n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM ' || t INTO n;
	RETURN n;
END $$;
CREATE TABLE regress_pb.small (id int);
INSERT INTO regress_pb.small SELECT generate_series(1, 3);
RESET ROLE;
-- Everything granted: only the extension stands in the way.
GRANT USAGE ON SCHEMA regress_pa TO regress_pb_user;
GRANT SELECT ON ALL TABLES IN SCHEMA regress_pa TO regress_pb_user;
GRANT USAGE ON SCHEMA regress_pb TO regress_pa_user;
GRANT EXECUTE ON FUNCTION regress_pb.peek(text) TO PUBLIC;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

-- Non-domain work: a parallel plan, PostgreSQL's result.
CREATE TABLE regress_par_plain AS SELECT g AS id FROM generate_series(1, 20000) g;
ANALYZE regress_par_plain;
EXPLAIN (COSTS OFF) SELECT count(*) FROM regress_par_plain;
SELECT count(*), sum(id) FROM regress_par_plain;

-- The owning domain reads in parallel: same result as serial.  Three
-- statements read the table (EXPLAIN starts the executor too): three audit
-- rows, the leader's, none from the two workers.
SET tec_sovereignty.audit = 'all';
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET SESSION AUTHORIZATION regress_pa_user;
EXPLAIN (COSTS OFF) SELECT count(*), sum(id) FROM regress_pa.big;
SELECT count(*), sum(id) FROM regress_pa.big;
SET max_parallel_workers_per_gather = 0;
SELECT count(*), sum(id) FROM regress_pa.big;
SET max_parallel_workers_per_gather = 2;
RESET SESSION AUTHORIZATION;
SELECT tec_audit_flush();
SELECT action, decision, object_domain, object_name, count(*)
  FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND object_name = 'big'
 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2;
RESET tec_sovereignty.audit;

-- Another domain is refused in a parallel plan as in a serial one.
SET SESSION AUTHORIZATION regress_pb_user;
SELECT count(*) FROM regress_pa.big;
RESET SESSION AUTHORIZATION;

-- A statement a worker runs by itself: the function runs in the workers
-- only (force_parallel_mode puts the whole query under a Gather and the
-- leader does not participate), and its dynamic read of the other
-- domain's table is refused there.
SET force_parallel_mode = on;
SET SESSION AUTHORIZATION regress_pb_user;
EXPLAIN (COSTS OFF) SELECT regress_pb.peek('regress_pb.small');
SELECT regress_pb.peek('regress_pb.small');
SELECT regress_pb.peek('regress_pa.big');
SELECT count(*) FROM regress_pb.small WHERE regress_pb.peek('regress_pa.big') > 0;
RESET SESSION AUTHORIZATION;
RESET force_parallel_mode;

-- The denials reached the trail, each once: the leader's own, and the
-- workers' (recorded in the worker, not again when the leader re-raises).
SELECT tec_audit_flush();
SELECT action, decision, actor_domain, object_domain, object_name
  FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND decision = 'denied'
 ORDER BY seq;

-- SERIALIZABLE: the extension's reads of its registry take no predicate
-- locks in the user's transaction (only the user's own table does).
-- (a role change invalidates the domain cache: the transaction rebuilds it)
DISCARD ALL;
SELECT pg_backend_pid() AS me \gset
ALTER ROLE regress_pa_user CONNECTION LIMIT 5;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL ROLE regress_pa_user;
SELECT count(*) FROM regress_pa.big;
RESET ROLE;
SELECT l.relation::regclass AS predicate_locked
  FROM pg_locks l
 WHERE l.pid = :me AND l.mode = 'SIReadLock' AND l.locktype = 'relation'
 ORDER BY l.relation::regclass::text;
COMMIT;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE regress_par_plain;
DROP OWNED BY regress_pa_user, regress_pb_user;
DROP ROLE regress_pa_user, regress_pb_user;
SELECT tec_drop_domain('regress_pa', force => true);
SELECT tec_drop_domain('regress_pb', force => true);
