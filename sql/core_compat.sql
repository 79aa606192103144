--
-- core_compat: work that touches no domain sees PostgreSQL as it is --
-- its messages, its plans, its catalogs' rules -- with the library loaded.
-- (PostgreSQL's own suites, `make test-core`, check this at large; these
-- are the cases that once differed.)
--
-- PostgreSQL's own message for a role made a member of itself (the
-- membership check used to look the new role up first).
CREATE ROLE regress_cc_self ROLE regress_cc_self;
CREATE ROLE regress_cc_self2 ADMIN regress_cc_self2;
CREATE ROLE regress_cc_ok ROLE regress_cc_nosuch;

-- A sequence named by a constant keeps nextval() in the plan: only a
-- sequence computed at run time is checked through the extension's twin.
CREATE TABLE regress_cc_t (id serial, v text);
EXPLAIN (VERBOSE, COSTS OFF) SELECT nextval('regress_cc_t_id_seq'), v FROM regress_cc_t;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO regress_cc_t (v) VALUES ('x');
INSERT INTO regress_cc_t (v) VALUES ('x') RETURNING id;
SELECT currval('regress_cc_t_id_seq');
DROP TABLE regress_cc_t;

-- opr_sanity's rule, for the extension's functions: every immutable
-- function is parallel safe.
SELECT p.oid::regprocedure AS immutable_but_not_parallel_safe
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
 WHERE e.extname = 'tec_sovereignty' AND p.provolatile = 'i' AND p.proparallel <> 's';
-- and no read-only function is needlessly parallel unsafe
SELECT p.oid::regprocedure AS read_only_but_parallel_unsafe
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
 WHERE e.extname = 'tec_sovereignty' AND p.provolatile <> 'v' AND p.proparallel = 'u';
