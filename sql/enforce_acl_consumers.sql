--
-- enforce_acl_consumers: a superuser's cross-domain GRANT puts a "yes" in
-- PostgreSQL's ACL; the planner, which decides from the ACL alone whether
-- it may run a query's operators on a relation's statistics, must not see
-- it as one.  A non-leakproof operator of the querying domain would be
-- run on the other domain's most common values and histogram bounds
-- while the query is planned, before the executor guard refuses it.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_pa');
SELECT tec_create_domain('regress_pb');
SET ROLE regress_pb_owner;
CREATE TABLE regress_pb.secret (id int, v text);
INSERT INTO regress_pb.secret SELECT i % 3, 'b-secret-' || (i % 3) FROM generate_series(1, 300) i;
CREATE STATISTICS regress_pb.secret_mcv (mcv) ON id, v FROM regress_pb.secret;
RESET ROLE;
ANALYZE regress_pb.secret;

-- The attacker's operator, in its own domain: it shows what it is given.
SET ROLE regress_pa_owner;
CREATE FUNCTION regress_pa.peek(text, text) RETURNS bool LANGUAGE plpgsql
  COST 0.1 AS $$BEGIN RAISE NOTICE 'peek: %', $1; RETURN true; END$$;
CREATE FUNCTION regress_pa.peek(int, int) RETURNS bool LANGUAGE plpgsql
  COST 0.1 AS $$BEGIN RAISE NOTICE 'peek: %', $1; RETURN true; END$$;
CREATE OPERATOR regress_pa.<<< (FUNCTION = regress_pa.peek, LEFTARG = text,
  RIGHTARG = text, RESTRICT = eqsel);
CREATE OPERATOR regress_pa.<<< (FUNCTION = regress_pa.peek, LEFTARG = int,
  RIGHTARG = int, RESTRICT = eqsel);
CREATE TABLE regress_pa.own (id int, v text);
INSERT INTO regress_pa.own SELECT i % 2, 'a-own-' || (i % 2) FROM generate_series(1, 100) i;
ANALYZE regress_pa.own;
RESET ROLE;

-- A superuser grants the other domain's table (allowed, audited as privileged).
GRANT USAGE ON SCHEMA regress_pb TO regress_pa_owner;
GRANT SELECT ON regress_pb.secret TO regress_pa_owner;

-- A name lookup in the other domain's schema is refused anyway; a
-- superuser's view in the attacker's domain, given to its owner, reaches
-- the table without one (the view's owner is checked for it).
CREATE VIEW regress_pa.peekview AS SELECT id, v FROM regress_pb.secret;
ALTER VIEW regress_pa.peekview OWNER TO regress_pa_owner;

SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_pa_owner;
SELECT 1 FROM regress_pb.secret;
-- The planner refuses before it reads a statistic: no "peek" notice, the
-- executor guard's error.  EXPLAIN without ANALYZE plans too.
EXPLAIN (COSTS OFF) SELECT 1 FROM regress_pa.peekview WHERE v OPERATOR(regress_pa.<<<) 'x';
SELECT count(*) FROM regress_pa.peekview WHERE v OPERATOR(regress_pa.<<<) 'x';
-- extended statistics' MCV list
EXPLAIN (COSTS OFF) SELECT 1 FROM regress_pa.peekview
 WHERE id OPERATOR(regress_pa.<<<) 1 AND v OPERATOR(regress_pa.<<<) 'x';
-- in a sublink and a CTE
EXPLAIN (COSTS OFF) SELECT 1 WHERE EXISTS (SELECT 1 FROM regress_pa.peekview
 WHERE v OPERATOR(regress_pa.<<<) 'x');
EXPLAIN (COSTS OFF) WITH c AS MATERIALIZED (SELECT v FROM regress_pa.peekview
 WHERE v OPERATOR(regress_pa.<<<) 'x') SELECT * FROM c;
-- The domain's own table: planned with its statistics, as PostgreSQL does.
EXPLAIN (COSTS OFF) SELECT 1 FROM regress_pa.own WHERE v OPERATOR(regress_pa.<<<) 'x';
RESET ROLE;
-- one durable denial per refused statement, no row for the allowed one
SELECT action, decision, effective_user_name, actor_domain, object_domain, object_name
  FROM tec_sovereignty.audit_log WHERE seq > :mark ORDER BY seq;

-- Partitions the planner expands (not named by the query): a partition
-- of a table outside every domain, in the other domain's schema.
CREATE TABLE public.regress_parted (id int, v text) PARTITION BY LIST (id);
GRANT SELECT ON public.regress_parted TO regress_pa_owner;
CREATE TABLE regress_pb.part0 PARTITION OF public.regress_parted FOR VALUES IN (0);
ALTER TABLE regress_pb.part0 OWNER TO regress_pb_owner;
INSERT INTO public.regress_parted SELECT 0, 'b-part-' || (i % 3) FROM generate_series(1, 300) i;
ANALYZE public.regress_parted;
GRANT SELECT ON regress_pb.part0 TO regress_pa_owner;
SET ROLE regress_pa_owner;
EXPLAIN (COSTS OFF) SELECT 1 FROM public.regress_parted WHERE id = 0 AND v OPERATOR(regress_pa.<<<) 'x';
RESET ROLE;

-- A superuser plans with the statistics (privileged, as it reads them).
EXPLAIN (COSTS OFF) SELECT 1 FROM regress_pb.secret WHERE v = 'x';

DROP TABLE public.regress_parted;
REVOKE SELECT ON regress_pb.secret FROM regress_pa_owner;
REVOKE USAGE ON SCHEMA regress_pb FROM regress_pa_owner;
SELECT tec_drop_domain('regress_pa', force => true);
SELECT tec_drop_domain('regress_pb', force => true);
