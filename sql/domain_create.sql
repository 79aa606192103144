--
-- domain_create: tec_create_domain builds schema, roles, privileges and the
-- registry row in one transaction; templates fill the schema.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_empty');

-- Schema owned by the owner role; PUBLIC holds USAGE only (so that the
-- extension, not PostgreSQL, decides every name lookup in it).
SELECT n.nspname, pg_get_userbyid(n.nspowner) AS owner, n.nspacl
  FROM pg_namespace n WHERE n.nspname = 'regress_empty';

-- Three NOLOGIN roles.
SELECT rolname, rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolbypassrls
  FROM pg_roles WHERE rolname LIKE 'regress\_empty\_%' ORDER BY 1;

-- Registry row.
SELECT name, schema_name, owner_role, writer_role, reader_role, template, state, enforcement, audit_level
  FROM tec_sovereignty.domain WHERE name = 'regress_empty';

-- Default privileges cover what the owner creates later.
SELECT pg_get_userbyid(defaclrole) AS owner, defaclnamespace::regnamespace AS schema,
	   defaclobjtype, defaclacl
  FROM pg_default_acl
 WHERE defaclrole = 'regress_empty_owner'::regrole
 ORDER BY 2 NULLS FIRST, 3;

SET ROLE regress_empty_owner;
CREATE TABLE regress_empty."Order" (id int PRIMARY KEY, "userId" text);
CREATE SEQUENCE regress_empty.seq;
CREATE FUNCTION regress_empty.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TYPE regress_empty.mood AS ENUM ('ok');
RESET ROLE;

SELECT 'regress_empty."Order"'::regclass AS object,
	   has_table_privilege('regress_empty_writer', 'regress_empty."Order"', 'SELECT,INSERT,UPDATE,DELETE') AS writer_dml,
	   has_table_privilege('regress_empty_writer', 'regress_empty."Order"', 'TRUNCATE') AS writer_truncate,
	   has_table_privilege('regress_empty_reader', 'regress_empty."Order"', 'SELECT') AS reader_select,
	   has_table_privilege('regress_empty_reader', 'regress_empty."Order"', 'INSERT') AS reader_insert,
	   has_table_privilege('public', 'regress_empty."Order"', 'SELECT') AS public_select;
SELECT has_sequence_privilege('regress_empty_writer', 'regress_empty.seq', 'USAGE') AS writer_usage,
	   has_sequence_privilege('regress_empty_reader', 'regress_empty.seq', 'USAGE') AS reader_usage;
SELECT has_function_privilege('regress_empty_writer', 'regress_empty.f()', 'EXECUTE') AS writer_exec,
	   has_function_privilege('regress_empty_reader', 'regress_empty.f()', 'EXECUTE') AS reader_exec,
	   has_function_privilege('public', 'regress_empty.f()', 'EXECUTE') AS public_exec;
SELECT has_type_privilege('regress_empty_reader', 'regress_empty.mood', 'USAGE') AS reader_type,
	   has_type_privilege('public', 'regress_empty.mood', 'USAGE') AS public_type;

-- if_not_exists skips with a notice; without it, an error.
SELECT tec_create_domain('regress_empty', if_not_exists => true);
SELECT tec_create_domain('regress_empty');

-- Each built-in template creates exactly its models, owned by the domain.
SELECT tec_create_domain('regress_t_' || name, name) FROM tec_sovereignty.template WHERE builtin ORDER BY name;
SELECT t.name AS template,
	   (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
		 WHERE c.relnamespace = ('regress_t_' || t.name)::regnamespace AND c.relkind = 'r')
		 = (SELECT array_agg(m ORDER BY m) FROM unnest(t.models) m) AS tables_match_models,
	   (SELECT count(*) FROM pg_class c
		 WHERE c.relnamespace = ('regress_t_' || t.name)::regnamespace
		   AND c.relowner <> ('regress_t_' || t.name || '_owner')::regrole) AS not_owned_by_domain,
	   (SELECT count(*) FROM pg_constraint k
		  JOIN pg_class c ON c.oid = k.conrelid
		 WHERE c.relnamespace = ('regress_t_' || t.name)::regnamespace AND k.contype = 'f'
		   AND k.confrelid::regclass::text NOT LIKE 'regress_t_' || t.name || '.%') AS fks_leaving_domain
  FROM tec_sovereignty.template t WHERE t.builtin ORDER BY t.name;

-- The design's usage example runs against the financial template as written.
SET ROLE regress_t_financial_owner;
SET search_path = regress_t_financial;
INSERT INTO "Portfolio" ("userId", name, type) VALUES ('u1', 'Retirement Fund', 'RETIREMENT');
INSERT INTO "Investment" ("portfolioId", symbol, name, quantity, "costBasis")
SELECT id, 'VTI', 'Total market', 10, 2000 FROM "Portfolio";
SELECT p.name, p.type, i.symbol
  FROM "Portfolio" p JOIN "Investment" i ON i."portfolioId" = p.id
 WHERE p."userId" = 'u1';
RESET search_path;
RESET ROLE;

-- The DBA console view: one row per domain, readable at a glance.
SELECT name, template, state, owner, members, tables, size_bytes > 0 AS has_size, schema_oid = name::regnamespace AS oid_ok
  FROM tec_sovereignty.domains WHERE name LIKE 'regress\_%' ORDER BY name;

-- clean up
SELECT tec_drop_domain(name, force => true) FROM tec_sovereignty.domain WHERE name LIKE 'regress\_%' ORDER BY name;
SELECT count(*) AS leftover_roles FROM pg_roles WHERE rolname LIKE 'regress\_t\_%' OR rolname LIKE 'regress\_empty%';
SELECT count(*) AS leftover_schemas FROM pg_namespace WHERE nspname LIKE 'regress\_%';
