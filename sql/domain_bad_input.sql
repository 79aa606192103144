--
-- domain_bad_input: every invalid call fails with an SQLSTATE, names the
-- value, and leaves no trace in the catalogs.
--
\set SHOW_CONTEXT never
\set VERBOSITY verbose
SELECT tec_create_domain(NULL);
SELECT tec_create_domain('');
SELECT tec_create_domain('Life');
SELECT tec_create_domain('"life"');
SELECT tec_create_domain('life; DROP TABLE x');
SELECT tec_create_domain('life domain');
SELECT tec_create_domain('1life');
SELECT tec_create_domain('life-x');
SELECT tec_create_domain('élan');
SELECT tec_create_domain(repeat('a', 49));
SELECT tec_create_domain(repeat('a', 100000));
SELECT tec_create_domain('public');
SELECT tec_create_domain('information_schema');
SELECT tec_create_domain('tec_sovereignty');
SELECT tec_create_domain('pg_toast2');
SELECT tec_create_domain('regress_x', 'no_such_template');
SELECT tec_create_domain('regress_x', if_not_exists => NULL);
\set VERBOSITY default

-- An existing schema or role is never adopted.
CREATE SCHEMA regress_taken;
SELECT tec_create_domain('regress_taken');
DROP SCHEMA regress_taken;
CREATE ROLE regress_busy_writer;
SELECT tec_create_domain('regress_busy');
DROP ROLE regress_busy_writer;

-- 48 characters is the limit, and fits the role names.
SELECT tec_create_domain(repeat('b', 48));
SELECT rolname FROM pg_roles WHERE rolname LIKE 'bbbb%' ORDER BY 1;
SELECT tec_drop_domain(repeat('b', 48));

-- A template whose DDL fails leaves nothing behind.
SELECT tec_define_template('regress_broken', 'CREATE TABLE a (id int); CREATE TABLE a (id int);');
INSERT INTO tec_sovereignty.template (name, ddl) VALUES ('regress_broken', 'CREATE TABLE a (id int); CREATE TABLE b (id no_such_type);');
SELECT tec_create_domain('regress_x', 'regress_broken');
DELETE FROM tec_sovereignty.template WHERE name = 'regress_broken';

-- A template cannot reach outside its schema: it runs as the domain owner.
SELECT tec_define_template('regress_escape', 'CREATE TABLE public.escaped (id int);');

-- A good user template.
SELECT tec_define_template('regress_tpl', 'CREATE TABLE "Thing" (id text PRIMARY KEY DEFAULT gen_random_uuid()::text, "userId" text NOT NULL);');
SELECT tec_define_template('regress_tpl', 'CREATE TABLE "Thing" (id text PRIMARY KEY, "userId" text NOT NULL, note text);');
SELECT name, builtin FROM tec_sovereignty.template WHERE name = 'regress_tpl';
SELECT tec_create_domain('regress_x', 'regress_tpl');
SELECT attname FROM pg_attribute WHERE attrelid = 'regress_x."Thing"'::regclass AND attnum > 0 ORDER BY attnum;
SELECT tec_drop_domain('regress_x');
DELETE FROM tec_sovereignty.template WHERE name = 'regress_tpl';
SELECT tec_define_template('financial', 'CREATE TABLE x (id int);');
SELECT tec_define_template('Bad Name', 'CREATE TABLE x (id int);');
SELECT tec_define_template('regress_empty_ddl', '   ');
SELECT tec_define_template(NULL, 'x');

-- Nothing was left half-created by any of the above.
SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'regress\_%' OR nspname LIKE 'tsov\_%') AS schemas,
	   (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'regress\_%' OR rolname LIKE 'tsov\_%' OR rolname LIKE 'life%') AS roles,
	   (SELECT count(*) FROM tec_sovereignty.domain) AS domains,
	   (SELECT count(*) FROM tec_sovereignty.template WHERE NOT builtin) AS user_templates,
	   (SELECT count(*) FROM pg_class WHERE relname = 'escaped') AS escaped;
