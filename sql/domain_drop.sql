--
-- domain_drop: refused while a table holds rows, forced drop removes the
-- schema, roles and registry row, and a role that still owns something
-- elsewhere stops the drop with a precise message and changes nothing.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_d', 'commerce');
INSERT INTO regress_d."Supplier" ("userId", name) VALUES ('u1', 'ACME');

SELECT tec_drop_domain('regress_d');
SELECT count(*) AS still_there FROM tec_sovereignty.domain WHERE name = 'regress_d';

-- A role of the domain owns an object outside its schema: the drop is
-- refused, and nothing (not even the schema) is dropped.
CREATE TABLE public.regress_outside (id int);
ALTER TABLE public.regress_outside OWNER TO regress_d_owner;
-- A domain that received APIs: the drop withdraws them (the EXECUTE and
-- schema USAGE grants tec_publish_api made to its roles would otherwise
-- stop DROP ROLE); the publisher keeps its function and its other
-- publications.
SELECT tec_create_domain('regress_g');
SELECT tec_create_domain('regress_h');
SET ROLE regress_g_owner;
CREATE FUNCTION regress_g.api() RETURNS int LANGUAGE sql SECURITY DEFINER
	SET search_path = regress_g, pg_temp AS $$SELECT 1$$;
RESET ROLE;
SELECT tec_publish_api('regress_g.api()', 'regress_h');
SELECT tec_publish_api('regress_g.api()');
SELECT tec_drop_domain('regress_h', force => true);
SELECT (SELECT count(*) FROM pg_roles WHERE rolname ~ '^regress_h_') AS h_roles,
	   (SELECT array_agg(COALESCE(to_domain, '(all)')) FROM tec_sovereignty.api WHERE domain = 'regress_g') AS g_publishes,
	   (SELECT count(*) FROM pg_proc WHERE proname = 'api' AND pronamespace = 'regress_g'::regnamespace) AS g_function;
SELECT tec_drop_domain('regress_g', force => true);

-- A domain with rows and grants in a protected shared table: its rows are
-- its data (a drop without force refuses, a forced drop deletes them and
-- nobody else's), and its roles' grants on the table and its sequence go.
SELECT tec_create_domain('regress_s1');
SELECT tec_create_domain('regress_s2');
CREATE TABLE public.regress_shared (id serial PRIMARY KEY, dom text NOT NULL, v int);
GRANT SELECT, INSERT ON public.regress_shared TO regress_s1_writer, regress_s2_writer;
GRANT USAGE ON SEQUENCE public.regress_shared_id_seq TO regress_s1_writer, regress_s2_writer;
INSERT INTO public.regress_shared (dom, v) VALUES ('regress_s1', 1), ('regress_s2', 2), ('regress_s2', 3);
SELECT tec_protect_shared_table('public.regress_shared', 'dom');
SELECT tec_drop_domain('regress_s2');
SELECT tec_drop_domain('regress_s2', force => true);
SELECT dom, v FROM public.regress_shared ORDER BY id;
SELECT count(*) AS s2_roles FROM pg_roles WHERE rolname ~ '^regress_s2_';
SELECT tec_drop_domain('regress_s1', force => true);
DELETE FROM tec_sovereignty.shared_table WHERE table_name = 'regress_shared';
DROP TABLE public.regress_shared;

SELECT tec_drop_domain('regress_d', force => true);
SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'regress_d') AS schema_left,
	   (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'regress\_d\_%') AS roles_left,
	   (SELECT count(*) FROM regress_d."Supplier") AS rows_left;

-- A grant elsewhere is reported the same way.
ALTER TABLE public.regress_outside OWNER TO postgres;
GRANT SELECT ON public.regress_outside TO regress_d_reader;
SELECT tec_drop_domain('regress_d', force => true);
REVOKE SELECT ON public.regress_outside FROM regress_d_reader;
DROP TABLE public.regress_outside;

-- A domain in the middle of a transfer cannot be dropped.
UPDATE tec_sovereignty.domain SET state = 'transferring' WHERE name = 'regress_d';
SELECT tec_drop_domain('regress_d', force => true);
UPDATE tec_sovereignty.domain SET state = 'active' WHERE name = 'regress_d';

-- An empty domain drops without force; so does one whose tables are empty.
SELECT tec_create_domain('regress_e', 'travel');
SELECT tec_drop_domain('regress_e');

-- Default privileges the owner changed among the domain's roles (role-wide
-- ones outlive the schema) are put back and do not stop the drop; a
-- default grant to a role outside the domain (which only a superuser can
-- make) does, with PostgreSQL's list.
SELECT tec_create_domain('regress_f');
CREATE ROLE regress_f_outsider;
SET ROLE regress_f_owner;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO regress_f_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO regress_f_writer WITH GRANT OPTION;
RESET ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_f_owner GRANT SELECT ON TABLES TO regress_f_outsider;
SELECT tec_drop_domain('regress_f');
SELECT count(*) AS roles_kept FROM pg_roles WHERE rolname ~ '^regress_f_(owner|writer|reader)$';
ALTER DEFAULT PRIVILEGES FOR ROLE regress_f_owner REVOKE SELECT ON TABLES FROM regress_f_outsider;
SELECT tec_drop_domain('regress_f');
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname ~ '^regress_f_(owner|writer|reader)$';
DROP ROLE regress_f_outsider;

SELECT tec_drop_domain('regress_d', force => true);
SELECT (SELECT count(*) FROM pg_namespace WHERE nspname IN ('regress_d', 'regress_e')) AS schemas,
	   (SELECT count(*) FROM pg_roles WHERE rolname ~ '^regress_[de]_') AS roles,
	   (SELECT count(*) FROM tec_sovereignty.domain WHERE name IN ('regress_d', 'regress_e')) AS registry_rows,
	   (SELECT count(*) FROM pg_default_acl WHERE defaclrole NOT IN (SELECT oid FROM pg_roles)) AS orphan_default_acls;

-- Bad input.
SELECT tec_drop_domain('regress_nope');
SELECT tec_drop_domain(NULL);
SELECT tec_drop_domain('regress_d', NULL);
