--
-- enforce_metadata: what of another domain PostgreSQL shows to PUBLIC, and
-- what the extension hides of it (issue 11, "metadata").  The product hides
-- every value PostgreSQL computes through a function from an object's OID
-- (sizes, activity counters, definitions deparsed by ruleutils, sequence
-- values): the views built on those functions (pg_views, pg_indexes,
-- pg_policies, pg_stat_user_tables, pg_sequences, ...) show NULL for
-- another domain's objects.  Raw catalog columns stay readable, as in
-- PostgreSQL (a known limit, stated in the README): this file pins both
-- halves, so that a change to either is seen.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ma');
SELECT tec_create_domain('regress_mb');
CREATE ROLE regress_mal LOGIN;
SELECT tec_add_member('regress_ma', 'regress_mal', 'writer');
SET ROLE regress_mb_owner;
CREATE TABLE regress_mb.secret (id int PRIMARY KEY, v text DEFAULT 'default-secret');
CREATE SEQUENCE regress_mb.counter;
SELECT nextval('regress_mb.counter') FROM generate_series(1, 41) OFFSET 40;
CREATE VIEW regress_mb.peek AS SELECT id FROM regress_mb.secret WHERE v = 'view-secret';
CREATE FUNCTION regress_mb.f() RETURNS text LANGUAGE sql AS $$SELECT 'body-secret'$$;
ALTER TABLE regress_mb.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON regress_mb.secret USING (v <> 'policy-secret');
COMMENT ON TABLE regress_mb.secret IS 'comment of regress_mb';
INSERT INTO regress_mb.secret SELECT g, 'row ' || g FROM generate_series(1, 50) g;
RESET ROLE;
ANALYZE regress_mb.secret;
SET ROLE regress_ma_owner;
CREATE TABLE regress_ma.mine (id int PRIMARY KEY, v text DEFAULT 'own-default');
CREATE VIEW regress_ma.mine_view AS SELECT id FROM regress_ma.mine WHERE v = 'own-view';
CREATE FUNCTION regress_ma.g() RETURNS text LANGUAGE sql AS $$SELECT 'own-body'$$;
INSERT INTO regress_ma.mine VALUES (1, 'a');
RESET ROLE;
ANALYZE regress_ma.mine;

SET SESSION AUTHORIZATION regress_mal;
-- Hidden: what PostgreSQL's views compute through functions.
SELECT schemaname, viewname, definition FROM pg_views
 WHERE schemaname IN ('regress_ma', 'regress_mb') ORDER BY schemaname;
SELECT schemaname, indexname, indexdef FROM pg_indexes
 WHERE schemaname IN ('regress_ma', 'regress_mb') ORDER BY schemaname;
SELECT schemaname, policyname, qual FROM pg_policies
 WHERE schemaname IN ('regress_ma', 'regress_mb') ORDER BY schemaname;
SELECT schemaname, relname, n_live_tup, seq_scan FROM pg_stat_user_tables
 WHERE schemaname IN ('regress_ma', 'regress_mb') ORDER BY schemaname;
SELECT schemaname, sequencename, last_value FROM pg_sequences
 WHERE schemaname = 'regress_mb';
SELECT p.proname, pg_get_functiondef(p.oid) IS NULL AS def_hidden
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('regress_ma', 'regress_mb') ORDER BY n.nspname;
SELECT c.relname, pg_get_expr(d.adbin, d.adrelid) AS default_expr
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('regress_ma', 'regress_mb') ORDER BY n.nspname;
-- Hidden by PostgreSQL itself (owner-only columns of information_schema).
SELECT routine_schema, routine_definition FROM information_schema.routines
 WHERE routine_schema IN ('regress_ma', 'regress_mb') ORDER BY routine_schema;
-- Visible, as in PostgreSQL: existence, row estimates, comments and the raw
-- text of code, views and defaults in the catalogs (known limit).
SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'regress_mb' AND c.relkind = 'r';
SELECT obj_description(c.oid, 'pg_class') AS comment FROM pg_class c
 WHERE c.relname = 'secret' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'regress_mb');
SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'regress_mb';
-- (node trees keep a constant as its bytes: decodable)
SELECT position(array_to_string(ARRAY(SELECT get_byte('view-secret'::bytea, i) FROM generate_series(0, 10) i), ' ')
				IN r.ev_action::text) > 0 AS view_constant_in_catalog
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE c.relname = 'peek';
SELECT position(array_to_string(ARRAY(SELECT get_byte('default-secret'::bytea, i) FROM generate_series(0, 13) i), ' ')
				IN d.adbin::text) > 0 AS default_constant_in_catalog
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
 WHERE c.relname = 'secret' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'regress_mb');
RESET SESSION AUTHORIZATION;

-- clean up
SELECT tec_drop_domain('regress_mb', force => true);
SELECT tec_drop_domain('regress_ma', force => true);
DROP ROLE regress_mal;
