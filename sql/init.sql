--
-- init: the extension installs, lives where the README says, and keeps its
-- administrative API away from PUBLIC.
--
CREATE EXTENSION tec_sovereignty;

SELECT extname, extversion, extrelocatable, n.nspname AS schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'tec_sovereignty';

SELECT tec_sovereignty.library_version();

-- Tables and views live in tec_sovereignty.
SELECT c.relname, c.relkind
  FROM pg_class c
 WHERE c.relnamespace = 'tec_sovereignty'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY 1;

-- The public API lives in pg_catalog: callable unqualified whatever the
-- search_path, and none of it is executable by PUBLIC (except
-- tec_row_visible, the row-level security predicate of shared tables).
SET search_path = nothing_here;
SELECT p.oid::regprocedure AS function,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
  FROM pg_proc p
 WHERE p.proname LIKE 'tec\_%' AND p.pronamespace = 'pg_catalog'::regnamespace
 ORDER BY 1::text;
RESET search_path;

-- No function of the extension's own schema is executable by PUBLIC either,
-- except the checked twins of nextval & co., which stand in for built-ins
-- PUBLIC may call (src/enforce/sequence.c).
SELECT p.oid::regprocedure AS public_executable
  FROM pg_proc p
 WHERE p.pronamespace = 'tec_sovereignty'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text;

-- Every function that runs SQL has a fixed search_path.
SELECT p.oid::regprocedure AS missing_search_path
  FROM pg_proc p
 WHERE p.pronamespace IN ('tec_sovereignty'::regnamespace, 'pg_catalog'::regnamespace)
   AND (p.proname LIKE 'tec\_%' OR p.pronamespace = 'tec_sovereignty'::regnamespace)
   AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%');

-- The registry is a configuration table pg_dump carries.
SELECT unnest(extconfig)::regclass AS config_table, unnest(extcondition) AS condition
  FROM pg_extension WHERE extname = 'tec_sovereignty' ORDER BY 1::text;

-- The ten built-in templates.
SELECT name, models FROM tec_sovereignty.template WHERE builtin ORDER BY name;

-- GUC prefix is reserved: a typo'd setting is refused.
SET tec_sovereignty.no_such_setting = on;

-- A second CREATE EXTENSION fails cleanly.
CREATE EXTENSION tec_sovereignty;
