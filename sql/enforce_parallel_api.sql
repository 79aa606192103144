--
-- enforce_parallel_api: a parallel worker decides with its leader's
-- enforcement state -- the published-API frames (the API's domain is the
-- principal), the domains break-glass opened, the extension's own work --
-- and that state cannot be forged with SET.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_qa');
SELECT tec_create_domain('regress_qb');
SELECT tec_create_domain('regress_qc');
CREATE ROLE regress_qa_user LOGIN;
SELECT tec_add_member('regress_qa', 'regress_qa_user', 'writer');
CREATE ROLE regress_q_plain LOGIN;

SET ROLE regress_qb_owner;
CREATE TABLE regress_qb.t AS SELECT generate_series(1, 5000) AS id;
-- a parallel-safe reader: its SPI runs in the worker
CREATE FUNCTION regress_qb.peek(t text) RETURNS bigint
LANGUAGE plpgsql PARALLEL SAFE AS $$
DECLARE n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM ' || t INTO n;
	RETURN n;
END $$;
-- the API: its body runs a parallel query whose workers call peek()
CREATE FUNCTION regress_qb.api_count(p_t text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n bigint;
	r text;
BEGIN
	-- (EXPLAIN ANALYZE runs the query once, in parallel; its plan shows
	-- the workers were launched)
	FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
		SELECT sum(regress_qb.peek($1)) FROM regress_qb.t WHERE id <= 3' USING p_t
	LOOP
		IF r LIKE '%Workers%' THEN
			RAISE NOTICE '%', trim(r);
		END IF;
	END LOOP;
	EXECUTE 'SELECT sum(regress_qb.peek($1)) FROM regress_qb.t WHERE id <= 3'
		INTO n USING p_t;
	RETURN n;
END $$;
RESET ROLE;
SET ROLE regress_qc_owner;
CREATE TABLE regress_qc.t AS SELECT generate_series(1, 7) AS id;
RESET ROLE;
ANALYZE regress_qb.t;
ANALYZE regress_qc.t;
CREATE TABLE regress_q_plain_t AS SELECT generate_series(1, 11) AS id;
CREATE FUNCTION regress_q_peek(t text) RETURNS bigint
LANGUAGE plpgsql PARALLEL SAFE AS $$
DECLARE n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM ' || t INTO n;
	RETURN n;
END $$;
GRANT SELECT ON regress_q_plain_t TO regress_q_plain;
-- everything granted: only the extension stands in the way
GRANT USAGE ON SCHEMA regress_qb, regress_qc TO PUBLIC;
GRANT SELECT ON regress_qb.t, regress_qc.t TO PUBLIC;
GRANT SELECT ON regress_qc.t TO regress_qb_owner;
GRANT EXECUTE ON FUNCTION regress_qb.peek(text), regress_qb.api_count(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION tec_publish_api(regprocedure, text) TO regress_qb_owner;
SET ROLE regress_qb_owner;
SELECT tec_publish_api('regress_qb.api_count(text)', 'regress_qa');
RESET ROLE;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET force_parallel_mode = on;

-- The plan peek() runs in: a Gather, peek() in the worker only.
EXPLAIN (COSTS OFF) SELECT sum(regress_qb.peek('regress_qb.t')) FROM regress_qb.t WHERE id <= 3;

-- Inside regress_qb's API, called by regress_qa: the workers act for
-- regress_qb as the leader does, and read regress_qb's table ...
SET SESSION AUTHORIZATION regress_qa_user;
SELECT regress_qb.api_count('regress_qb.t');
-- ... but not a third domain's (regress_qb acts, regress_qc refuses it),
SELECT regress_qb.api_count('regress_qc.t');
-- and regress_qa outside the API gets nothing of regress_qb in a worker.
SELECT regress_qb.peek('regress_qb.t');
SELECT sum(regress_qb.peek('regress_qb.t')) FROM regress_qb.t WHERE id <= 3;
RESET SESSION AUTHORIZATION;

-- The API called above a Gather, in a leader already in parallel mode:
-- no setting can change then, so its own parallel query cannot give its
-- workers the API frame; it is refused rather than run with the wrong one.
-- (force_parallel_mode puts the whole query under a Gather EXPLAIN does
-- not show; the API, parallel restricted, runs in the leader above it.)
-- Parallel unsafe, the API makes the whole query serial and runs.
ALTER FUNCTION regress_qb.api_count(text) PARALLEL RESTRICTED;
GRANT SELECT ON regress_q_plain_t TO regress_qa_user;
SET SESSION AUTHORIZATION regress_qa_user;
SELECT regress_qb.api_count('regress_qb.t') FROM (SELECT count(*) FROM regress_q_plain_t) s;
RESET SESSION AUTHORIZATION;
ALTER FUNCTION regress_qb.api_count(text) PARALLEL UNSAFE;
SET SESSION AUTHORIZATION regress_qa_user;
SELECT regress_qb.api_count('regress_qb.t') FROM (SELECT count(*) FROM regress_q_plain_t) s;
RESET SESSION AUTHORIZATION;

-- Break-glass under privileged_access = 'deny': the domain it opened is
-- open in the workers too, and only that one.
SET tec_sovereignty.privileged_access = 'deny';
BEGIN;
SELECT regress_qb.peek('regress_qb.t');		-- not opened: refused
ROLLBACK;
BEGIN;
SELECT tec_break_glass('regress_qb', 'incident 9');
SELECT regress_qb.peek('regress_qb.t');
SELECT sum(regress_qb.peek('regress_qb.t')) FROM regress_qb.t WHERE id <= 3;
SELECT regress_qb.peek('regress_qc.t');		-- not opened: refused
ROLLBACK;
BEGIN;
SELECT regress_qb.peek('regress_qb.t');		-- gone with the transaction
ROLLBACK;
RESET tec_sovereignty.privileged_access;

-- Non-domain work in a worker: PostgreSQL unchanged.
SET SESSION AUTHORIZATION regress_q_plain;
SELECT regress_q_peek('regress_q_plain_t');
RESET SESSION AUTHORIZATION;

-- The state the workers receive cannot be forged, not even by a superuser.
SET tec_sovereignty.parallel_context = 'I0,Q0,G1,10:regress_qbA0,';
SELECT set_config('tec_sovereignty.parallel_context', '', false);
RESET tec_sovereignty.parallel_context;
ALTER ROLE regress_q_plain SET tec_sovereignty.parallel_context = '';
SET tec_sovereignty.privileged_access = 'deny';
BEGIN;
SET LOCAL tec_sovereignty.parallel_context = 'I0,Q0,G1,10:regress_qbA0,';
ROLLBACK;
RESET tec_sovereignty.privileged_access;

RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE regress_q_plain_t;
DROP FUNCTION regress_q_peek(text);
REVOKE ALL ON SCHEMA regress_qb, regress_qc FROM PUBLIC;
REVOKE ALL ON regress_qb.t, regress_qc.t FROM PUBLIC;
REVOKE ALL ON regress_qc.t FROM regress_qb_owner;
REVOKE ALL ON FUNCTION regress_qb.peek(text), regress_qb.api_count(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_publish_api(regprocedure, text) FROM regress_qb_owner;
DROP OWNED BY regress_qa_user, regress_q_plain;
DROP ROLE regress_qa_user, regress_q_plain;
SELECT tec_drop_domain('regress_qb', force => true);
SELECT tec_drop_domain('regress_qa', force => true);
SELECT tec_drop_domain('regress_qc', force => true);
