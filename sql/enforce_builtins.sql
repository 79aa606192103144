--
-- enforce_builtins: built-in functions that reach another domain's objects
-- by an OID computed at run time (sizes, statistics, definitions), server
-- files, replication slots, contrib functions that read storage, and
-- another domain's backends.  The DBA grants carelessly: USAGE and SELECT
-- across domains, EXECUTE on the superuser-only built-ins.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ba');
SELECT tec_create_domain('regress_bb');
CREATE ROLE regress_bal LOGIN;
CREATE ROLE regress_bbob LOGIN;
CREATE ROLE regress_bnone LOGIN;
SELECT tec_add_member('regress_ba', 'regress_bal', 'writer');
SELECT tec_add_member('regress_bb', 'regress_bbob', 'writer');
SET ROLE regress_bb_owner;
CREATE TABLE regress_bb.secret (id int PRIMARY KEY, v text DEFAULT 'default-secret'
	CONSTRAINT v_check CHECK (v <> 'check-secret'));
CREATE INDEX secret_v ON regress_bb.secret (v) WHERE v <> 'index-secret';
CREATE VIEW regress_bb.peek AS SELECT id FROM regress_bb.secret WHERE v = 'view-secret';
CREATE FUNCTION regress_bb.f() RETURNS text LANGUAGE sql AS $$SELECT 'body-secret'$$;
CREATE FUNCTION regress_bb.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER secret_trg BEFORE INSERT ON regress_bb.secret
	FOR EACH ROW WHEN (NEW.v <> 'trigger-secret') EXECUTE FUNCTION regress_bb.trg();
CREATE RULE secret_rule AS ON UPDATE TO regress_bb.secret WHERE NEW.v = 'rule-secret' DO INSTEAD NOTHING;
CREATE STATISTICS regress_bb.secret_stx ON id, v FROM regress_bb.secret;
INSERT INTO regress_bb.secret SELECT g, 'row ' || g FROM generate_series(1, 100) g;
RESET ROLE;
SET ROLE regress_ba_owner;
CREATE TABLE regress_ba.mine (id int PRIMARY KEY, v text DEFAULT 'own-default');
CREATE VIEW regress_ba.mine_view AS SELECT id FROM regress_ba.mine WHERE v = 'own-view';
CREATE FUNCTION regress_ba.g() RETURNS text LANGUAGE sql AS $$SELECT 'own-body'$$;
INSERT INTO regress_ba.mine VALUES (1, 'a');
RESET ROLE;
-- The careless grants.
GRANT USAGE ON SCHEMA regress_bb TO regress_bal, regress_bnone;
GRANT SELECT ON ALL TABLES IN SCHEMA regress_bb TO regress_bal, regress_bnone;
GRANT EXECUTE ON FUNCTION pg_stat_reset_single_table_counters(oid),
	pg_read_file(text), pg_read_binary_file(text), pg_ls_dir(text),
	pg_stat_file(text), lo_import(text) TO regress_bal, regress_bnone;
CREATE VIEW public.regress_bb_oids AS
	SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = 'regress_bb';
GRANT SELECT ON public.regress_bb_oids TO PUBLIC;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset

-- The own domain: sizes, counters and definitions, by OID, as psql's and
-- Prisma's introspection read them.
SET SESSION AUTHORIZATION regress_bal;
SELECT pg_relation_size(c.reltoastrelid) IS NOT NULL AS own_toast FROM pg_class c WHERE c.relname = 'mine';
SELECT c.relname, pg_relation_size(c.oid) > 0 AS has_size,
	   pg_total_relation_size(c.oid) > 0 AS total, pg_table_size(c.oid) > 0 AS tbl,
	   pg_indexes_size(c.oid) > 0 AS idx, pg_relation_filepath(c.oid) IS NOT NULL AS path,
	   pg_stat_get_numscans(c.oid) IS NOT NULL AS scans
  FROM pg_class c WHERE c.relname = 'mine';
SELECT pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relname = 'mine_view';
SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
 WHERE c.relname = 'mine';
SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.proname = 'g'
   AND p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'regress_ba');
SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relname = 'mine';
SELECT pg_get_constraintdef(o.oid) FROM pg_constraint o JOIN pg_class c ON c.oid = o.conrelid
 WHERE c.relname = 'mine';

-- Another domain's objects: hidden (NULL, as for an object that does not
-- exist), whatever was granted.
SELECT relname, pg_relation_size(oid), pg_total_relation_size(oid), pg_table_size(oid),
	   pg_indexes_size(oid), pg_relation_filepath(oid), pg_relation_filenode(oid)
  FROM public.regress_bb_oids WHERE relname = 'secret';
-- its TOAST table and TOAST index count as the table
SELECT pg_relation_size(c.reltoastrelid) AS toast, pg_stat_get_numscans(c.reltoastrelid) AS toast_scans,
	   (SELECT pg_relation_size(i.indexrelid) FROM pg_index i WHERE i.indrelid = c.reltoastrelid) AS toast_index
  FROM pg_class c JOIN public.regress_bb_oids o ON o.oid = c.oid WHERE o.relname = 'secret';
SELECT relname, pg_stat_get_numscans(oid), pg_stat_get_live_tuples(oid),
	   pg_stat_get_tuples_inserted(oid), pg_stat_get_xact_tuples_inserted(oid),
	   pg_stat_get_last_analyze_time(oid)
  FROM public.regress_bb_oids WHERE relname = 'secret';
SELECT pg_get_viewdef(oid), pg_get_viewdef(oid, true), pg_get_viewdef(oid, 80)
  FROM public.regress_bb_oids WHERE relname = 'peek';
SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN public.regress_bb_oids o ON o.oid = d.adrelid;
SELECT pg_get_indexdef(i.indexrelid), pg_get_indexdef(i.indexrelid, 0, true)
  FROM pg_index i JOIN public.regress_bb_oids o ON o.oid = i.indrelid WHERE NOT i.indisprimary;
SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
  JOIN public.regress_bb_oids o ON o.oid = c.conrelid WHERE c.contype = 'c';
SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN public.regress_bb_oids o ON o.oid = t.tgrelid;
SELECT pg_get_ruledef(r.oid) FROM pg_rewrite r JOIN public.regress_bb_oids o ON o.oid = r.ev_class
 WHERE r.rulename = 'secret_rule';
SELECT pg_get_statisticsobjdef(s.oid) FROM pg_statistic_ext s WHERE s.stxname = 'secret_stx';
SELECT pg_get_functiondef(p.oid), pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
	   pg_stat_get_function_calls(p.oid)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'regress_bb' AND p.proname = 'f';
-- A parallel worker runs the leader's plan without asking the rule: the
-- twins are parallel restricted, so they run in the leader.
SET force_parallel_mode = on;
SELECT relname, pg_relation_size(oid) FROM public.regress_bb_oids WHERE relname = 'secret';
RESET force_parallel_mode;
-- In PL/pgSQL, a variable: the same.
DO $$DECLARE r oid; BEGIN
	SELECT oid INTO r FROM public.regress_bb_oids WHERE relname = 'peek';
	RAISE NOTICE 'viewdef: %', pg_get_viewdef(r);
END$$;
-- A write is refused.
SELECT pg_stat_reset_single_table_counters(oid) FROM public.regress_bb_oids WHERE relname = 'secret';
-- A SQL function the planner would inline is planned, and checked, on its own.
RESET SESSION AUTHORIZATION;
CREATE FUNCTION public.regress_size(r oid) RETURNS bigint LANGUAGE sql STABLE
	AS 'SELECT pg_relation_size(r)';
SET SESSION AUTHORIZATION regress_bal;
SELECT public.regress_size(oid) FROM public.regress_bb_oids WHERE relname = 'secret';
SELECT public.regress_size(c.oid) > 0 AS own FROM pg_class c WHERE c.relname = 'mine';
RESET SESSION AUTHORIZATION;
DROP FUNCTION public.regress_size(oid);

-- A role of no domain is not a domain object's reader either.
SET SESSION AUTHORIZATION regress_bnone;
SELECT pg_relation_size(oid) FROM public.regress_bb_oids WHERE relname = 'secret';
RESET SESSION AUTHORIZATION;
-- The owning domain sees its own.
SET SESSION AUTHORIZATION regress_bbob;
SELECT pg_relation_size(oid) > 0 AS own FROM public.regress_bb_oids WHERE relname = 'secret';
SELECT pg_get_viewdef(oid) FROM public.regress_bb_oids WHERE relname = 'peek';
RESET SESSION AUTHORIZATION;
-- Superusers see everything, as in PostgreSQL.
SELECT pg_relation_size(oid) > 0 AS superuser FROM public.regress_bb_oids WHERE relname = 'secret';

SELECT action, decision, actor_domain, object_domain, object_schema, object_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset

-- The server's files: refused to domain roles, whatever was granted; a
-- role of no domain keeps what PostgreSQL grants it.
SET SESSION AUTHORIZATION regress_bal;
SELECT pg_read_file('PG_VERSION');
SELECT pg_read_binary_file('PG_VERSION');
SELECT count(*) FROM pg_ls_dir('.');
SELECT size FROM pg_stat_file('PG_VERSION');
SELECT lo_import('PG_VERSION');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_bnone;
SELECT length(pg_read_file('PG_VERSION')) > 0 AS non_domain_reads;
RESET SESSION AUTHORIZATION;
-- Inside a function a superuser wrote (not SECURITY DEFINER): the same.
CREATE FUNCTION public.regress_peek_file() RETURNS text LANGUAGE plpgsql
	AS $$BEGIN RETURN pg_read_file('PG_VERSION'); END$$;
SET SESSION AUTHORIZATION regress_bal;
SELECT public.regress_peek_file();
RESET SESSION AUTHORIZATION;
DROP FUNCTION public.regress_peek_file();

-- Replication slots: the whole database's changes.  Refused before
-- PostgreSQL's own REPLICATION check.
SET SESSION AUTHORIZATION regress_bal;
SELECT pg_create_logical_replication_slot('regress_slot', 'test_decoding');
SELECT * FROM pg_logical_slot_get_changes('regress_slot', NULL, NULL);
SELECT pg_logical_emit_message(true, 'regress', 'x');
RESET SESSION AUTHORIZATION;

-- Contrib functions that read storage by OID, or connect out.
CREATE EXTENSION pgstattuple;
GRANT EXECUTE ON FUNCTION pgstattuple(regclass), pg_relpages(regclass) TO regress_bal, regress_bnone;
SET SESSION AUTHORIZATION regress_bal;
SELECT tuple_count FROM pgstattuple((SELECT oid FROM public.regress_bb_oids WHERE relname = 'secret'));
SELECT pg_relpages(c.oid::regclass) FROM pg_class c WHERE c.relname = 'mine';
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_bnone;
SELECT pg_relpages(c.oid::regclass) > 0 AS non_domain FROM pg_class c WHERE c.relname = 'pg_class';
RESET SESSION AUTHORIZATION;
DROP EXTENSION pgstattuple;

SELECT action, decision, actor_domain, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;

-- A CHECK constraint calls the built-in without the planner: what it
-- reaches cannot be checked, so a domain role may not run it.
SET ROLE regress_ba_owner;
CREATE TABLE regress_ba.probe (r oid CHECK (pg_relation_size(r) >= 0));
RESET ROLE;
SET SESSION AUTHORIZATION regress_bal;
INSERT INTO regress_ba.probe SELECT oid FROM public.regress_bb_oids WHERE relname = 'secret';
RESET SESSION AUTHORIZATION;
INSERT INTO regress_ba.probe SELECT oid FROM public.regress_bb_oids WHERE relname = 'secret';

-- Another domain's backends: pg_cancel_backend / pg_terminate_backend.
CREATE EXTENSION dblink;
SELECT dblink_connect('regress_bb_conn', format('host=%s port=%s dbname=%s user=regress_bbob',
	current_setting('unix_socket_directories'), current_setting('port'), current_database()));
SELECT dblink_connect('regress_ba_conn', format('host=%s port=%s dbname=%s user=regress_bal',
	current_setting('unix_socket_directories'), current_setting('port'), current_database()));
SELECT pid AS bb_pid FROM dblink('regress_bb_conn', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT pid AS ba_pid FROM dblink('regress_ba_conn', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SET SESSION AUTHORIZATION regress_bal;
SELECT pg_cancel_backend(:bb_pid);
SELECT pg_terminate_backend(:bb_pid);
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'regress_bbob';
-- its own domain's backend: PostgreSQL's rules (same role)
SELECT pg_cancel_backend(:ba_pid);
-- and dblink itself is a way out of the database
SELECT dblink_connect('x', 'dbname=postgres');
RESET SESSION AUTHORIZATION;
SELECT * FROM dblink('regress_bb_conn', 'SELECT current_user') AS t(u name);
SELECT dblink_disconnect('regress_bb_conn');
SELECT dblink_disconnect('regress_ba_conn');
DROP EXTENSION dblink;
SELECT action, decision, actor_domain, object_domain, object_schema, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' AND action <> 'EXECUTE'
 ORDER BY seq;

-- clean up
DROP VIEW public.regress_bb_oids;
REVOKE EXECUTE ON FUNCTION pg_stat_reset_single_table_counters(oid),
	pg_read_file(text), pg_read_binary_file(text), pg_ls_dir(text),
	pg_stat_file(text), lo_import(text) FROM regress_bal, regress_bnone;
SELECT tec_drop_domain('regress_bb', force => true);
SELECT tec_drop_domain('regress_ba', force => true);
DROP ROLE regress_bal, regress_bbob, regress_bnone;
