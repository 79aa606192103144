--
-- enforce_acl_consumers: a superuser's cross-domain GRANT puts a "yes" in
-- PostgreSQL's ACL; the planner, which decides from the ACL alone whether
-- it may run a query's operators on a relation's statistics, must not see
-- it as one.  A non-leakproof operator of the querying domain would be
-- run on the other domain's most common values and histogram bounds
-- while the query is planned, before the executor guard refuses it; and
-- pg_stats, pg_stats_ext and information_schema, which filter by
-- has_column_privilege() and its kin, would show the other domain's
-- values and columns.
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

SELECT tec_audit_flush() AS flushed \gset
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

-- What PostgreSQL answers from the ACL alone: pg_stats, pg_stats_ext,
-- pg_stats_ext_exprs and the privilege functions say "no" where the rule
-- does (not recorded: asked once per catalog row).
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_pa_owner;
SELECT count(*) FROM pg_stats WHERE schemaname = 'regress_pb';
SELECT count(*) FROM pg_stats_ext WHERE schemaname = 'regress_pb';
SELECT count(*) FROM pg_stats_ext_exprs WHERE schemaname = 'regress_pb';
SELECT has_table_privilege(c.oid, 'SELECT') AS tbl,
       has_table_privilege(c.oid, 'INSERT') AS tbl_ins,
       has_column_privilege(c.oid, 2::int2, 'SELECT') AS col,
       has_column_privilege(c.oid, 'v', 'SELECT') AS col_name,
       has_any_column_privilege(c.oid, 'SELECT') AS anycol,
       has_table_privilege('regress_pa_owner', c.oid, 'SELECT') AS named,
       has_table_privilege(current_user::regrole::oid, c.oid, 'SELECT') AS byoid
  FROM pg_class c WHERE c.relname = 'secret'
   AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'regress_pb');
SELECT count(*) FROM information_schema.columns WHERE table_schema = 'regress_pb';
SELECT count(*) FROM information_schema.tables WHERE table_schema = 'regress_pb';
-- by name: the lookup in the other domain's schema is refused
SELECT has_table_privilege('regress_pb.secret', 'SELECT');
-- the domain's own objects: PostgreSQL's answers
SELECT attname, most_common_vals FROM pg_stats
 WHERE schemaname = 'regress_pa' AND tablename = 'own' ORDER BY attname;
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'regress_pa' AND table_name = 'own' ORDER BY ordinal_position;
SELECT has_table_privilege('regress_pa.own'::regclass, 'SELECT, INSERT');
\d regress_pa.own
RESET ROLE;
-- the other domain's own owner, and a superuser, see its statistics
SET ROLE regress_pb_owner;
SELECT attname, most_common_vals FROM pg_stats WHERE schemaname = 'regress_pb' ORDER BY attname;
SELECT statistics_name, most_common_vals FROM pg_stats_ext WHERE schemaname = 'regress_pb';
RESET ROLE;
SELECT count(*) FROM pg_stats WHERE schemaname = 'regress_pb';
SELECT has_table_privilege('regress_pa_owner', c.oid, 'SELECT') AS asked_by_superuser
  FROM pg_class c WHERE c.relname = 'secret'
   AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'regress_pb');
-- nothing recorded for hidden answers (the name lookup's denial only)
SELECT action, decision, effective_user_name, object_domain
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision <> 'privileged' ORDER BY seq;

-- Simulate mode: the executor lets the would-be denial through and
-- records it once; the planner lets it through too and records nothing.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SELECT tec_set_enforcement('regress_pb', 'simulate');
SET ROLE regress_pa_owner;
SELECT count(*) FROM regress_pa.peekview WHERE v = 'b-secret-1';
SELECT count(*) FROM pg_stats WHERE schemaname = 'regress_pb';
RESET ROLE;
SELECT tec_set_enforcement('regress_pb', 'enforce');
SELECT action, decision, effective_user_name, object_name
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision <> 'privileged' ORDER BY seq;

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
