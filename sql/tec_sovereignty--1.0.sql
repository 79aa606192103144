/*
 * tec_sovereignty--1.0.sql -- install script, assembled by the Makefile from
 * the fragments in sql/parts (one per subsystem, in name order).
 *
 * Where things live:
 *   - tables and views: schema tec_sovereignty (the extension's schema; not
 *     "tec", which is one of the 24 domains);
 *   - the public SQL API (tec_create_domain, tec_add_member, ...): schema
 *     pg_catalog, so that it is callable unqualified whatever the caller's
 *     search_path and cannot be shadowed by an object of the same name in a
 *     schema earlier in the path.  EXECUTE on every administrative function
 *     is revoked from PUBLIC.
 *   - internal helpers: schema tec_sovereignty.
 *
 * Every function that runs SQL fixes its search_path, and every object
 * reference is schema-qualified.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION tec_sovereignty" to load this file. \quit

-- Loading the library first makes CREATE EXTENSION fail, with the
-- postgresql.conf line to add, when it is not in shared_preload_libraries.
CREATE FUNCTION tec_sovereignty.library_version()
RETURNS text
LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'tsov_library_version';

DO $check$
BEGIN
	IF tec_sovereignty.library_version() OPERATOR(pg_catalog.<>) '1.0' THEN
		RAISE EXCEPTION 'tec_sovereignty library version % does not match the install script version 1.0',
			tec_sovereignty.library_version()
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Install the shared library and scripts of the same release, then restart the server.';
	END IF;
END
$check$;

/* ------------------------------------------------------------------------
 * Registry: domains and templates.
 *
 * The registry stores names, never OIDs: a pg_dump/restore or pg_upgrade
 * gives schemas and roles new OIDs, while names survive.  The views compute
 * OIDs on the fly.  Both tables are configuration tables, so pg_dump of the
 * database carries their rows (built-in templates are recreated by this
 * script and therefore excluded).
 * ------------------------------------------------------------------------ */

CREATE TABLE tec_sovereignty.template (
	name		text PRIMARY KEY
				CHECK (name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,47}$'),
	description text NOT NULL DEFAULT '',
	models		text[] NOT NULL DEFAULT '{}',
	ddl			text NOT NULL,
	builtin		boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE tec_sovereignty.template IS
	'Domain templates: DDL run as <domain>_owner with search_path set to the domain schema';

CREATE TABLE tec_sovereignty.domain (
	name		text PRIMARY KEY
				CHECK (name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,47}$'),
	schema_name name NOT NULL UNIQUE,
	owner_role	name NOT NULL UNIQUE,
	writer_role name NOT NULL UNIQUE,
	reader_role name NOT NULL UNIQUE,
	template	text,
	state		text NOT NULL DEFAULT 'active'
				CHECK (state IN ('active', 'transferring', 'transferred')),
	enforcement text NOT NULL DEFAULT 'enforce'
				CHECK (enforcement IN ('enforce', 'simulate')),
	audit_level text
				CHECK (audit_level IN ('all', 'write', 'denied', 'none')),
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by	name NOT NULL DEFAULT SESSION_USER
);
COMMENT ON TABLE tec_sovereignty.domain IS
	'Registry of sovereign domains: one row per domain, its schema and its three roles';

SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.domain', '');
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.template', 'WHERE NOT builtin');

/*
 * Domains a role belongs to: the registry rows whose owner, writer or reader
 * role is the role itself or one it is a member of, directly or through
 * other roles.  Walks pg_auth_members rather than calling pg_has_role(),
 * because pg_has_role() answers true for a superuser and every role.
 */
CREATE FUNCTION tec_sovereignty.role_domains(role_oid oid)
RETURNS TABLE (domain text, access text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE up(roleid) AS (
		SELECT role_oid
		UNION
		SELECT m.roleid
		  FROM pg_catalog.pg_auth_members m
		  JOIN up ON m.member OPERATOR(pg_catalog.=) up.roleid
	)
	SELECT d.name,
		   CASE r.rolname
				WHEN d.owner_role THEN 'owner'
				WHEN d.writer_role THEN 'writer'
				ELSE 'reader' END
	  FROM up
	  JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) up.roleid
	  JOIN tec_sovereignty.domain d
		ON r.rolname OPERATOR(pg_catalog.=) ANY (ARRAY[d.owner_role, d.writer_role, d.reader_role])
	 ORDER BY 1, 2
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.role_domains(oid) FROM PUBLIC;

/* ------------------------------------------------------------------------
 * Domain lifecycle: create, members, drop, templates, ecosystem.
 *
 * These functions are superuser-only (EXECUTE revoked from PUBLIC) and run
 * with the caller's rights; each one is a single statement, so an error at
 * any step rolls back every step before it: nothing is left half-created.
 * ------------------------------------------------------------------------ */

/*
 * Validate a domain name, raising the matching SQLSTATE.  Used before any
 * catalog change so that bad input changes nothing.
 */
CREATE FUNCTION tec_sovereignty.check_domain_name(name text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION 'domain name must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass a lowercase identifier such as ''life''.';
	END IF;
	IF length(name) OPERATOR(pg_catalog.>) 48 THEN
		RAISE EXCEPTION 'domain name "%" is too long', left(name, 64) || CASE WHEN length(name) > 64 THEN '...' ELSE '' END
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The name has %s characters; the limit is 48, so that the role names <name>_owner, <name>_writer and <name>_reader fit in 63 bytes.', length(name)),
				  HINT = 'Choose a shorter name.';
	END IF;
	IF name OPERATOR(pg_catalog.!~) '^[a-z][a-z0-9_]*$' THEN
		RAISE EXCEPTION 'invalid domain name "%"', name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A domain name must start with a lowercase letter and contain only lowercase letters, digits and underscores.',
				  HINT = 'Use a name such as ''life'' or ''real_estate''; it becomes the schema name and the prefix of the domain''s roles.';
	END IF;
	IF name IN ('public', 'information_schema', 'tec_sovereignty')
	   OR name OPERATOR(pg_catalog.~~) 'pg\_%' THEN
		RAISE EXCEPTION 'domain name "%" is reserved', name
			USING ERRCODE = 'reserved_name',
				  DETAIL = 'The names public, information_schema, tec_sovereignty and pg_* are reserved by PostgreSQL or by the extension.',
				  HINT = 'Choose another name.';
	END IF;
END
$$;

/*
 * The registry row of a domain, or an error naming the domain.
 */
CREATE FUNCTION tec_sovereignty.get_domain(domain_name text)
RETURNS tec_sovereignty.domain
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
BEGIN
	IF domain_name IS NULL THEN
		RAISE EXCEPTION 'domain name must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO d FROM tec_sovereignty.domain
	 WHERE tec_sovereignty.domain.name OPERATOR(pg_catalog.=) domain_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'domain "%" does not exist', domain_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'List the domains with: SELECT name FROM tec_sovereignty.domains;';
	END IF;
	RETURN d;
END
$$;

/*
 * Run a template's DDL as the domain owner with search_path set to the
 * domain schema.  Running as <domain>_owner, which holds CREATE on its own
 * schema only, is what keeps a template from creating objects elsewhere.
 */
CREATE FUNCTION tec_sovereignty.apply_template(schema_name text, owner_role text, template_name text, ddl text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	msg text;
	det text;
	state text;
	saved_role text := current_setting('role');
BEGIN
	-- A SET LOCAL made inside a function outlives the function unless the
	-- function's own SET clause names the same variable, so the role is
	-- restored by hand (search_path is restored by the SET clause).
	PERFORM set_config('role', owner_role, true);
	PERFORM set_config('search_path', quote_ident(schema_name), true);
	BEGIN
		EXECUTE ddl;
		PERFORM set_config('role', saved_role, true);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, state = RETURNED_SQLSTATE;
		RAISE EXCEPTION 'template "%" failed in schema "%"', template_name, schema_name
			USING ERRCODE = 'invalid_object_definition',
				  DETAIL = format('SQLSTATE %s: %s%s', state, msg, CASE WHEN det <> '' THEN ' (' || det || ')' ELSE '' END),
				  HINT = 'Fix the template with tec_define_template(); nothing was created.';
	END;
END
$$;

CREATE FUNCTION pg_catalog.tec_create_domain(name text, template text DEFAULT NULL, if_not_exists boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d_owner  text := name || '_owner';
	d_writer text := name || '_writer';
	d_reader text := name || '_reader';
	t tec_sovereignty.template;
	r text;
BEGIN
	PERFORM tec_sovereignty.check_domain_name(name);
	IF if_not_exists IS NULL THEN
		RAISE EXCEPTION 'if_not_exists must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;

	IF EXISTS (SELECT 1 FROM tec_sovereignty.domain d WHERE d.name OPERATOR(pg_catalog.=) tec_create_domain.name) THEN
		IF if_not_exists THEN
			RAISE NOTICE 'domain "%" already exists, skipping', name;
			RETURN name;
		END IF;
		RAISE EXCEPTION 'domain "%" already exists', name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Pass if_not_exists => true to skip existing domains.';
	END IF;

	IF template IS NOT NULL THEN
		SELECT * INTO t FROM tec_sovereignty.template tt WHERE tt.name OPERATOR(pg_catalog.=) tec_create_domain.template;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'template "%" does not exist', template
				USING ERRCODE = 'undefined_object',
					  HINT = 'List the templates with: SELECT name, models FROM tec_sovereignty.template;';
		END IF;
	END IF;

	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) tec_create_domain.name) THEN
		RAISE EXCEPTION 'schema "%" already exists', name
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'A domain owns a schema of its own name, and the extension never adopts an existing schema.',
				  HINT = 'Choose another domain name, or rename or drop the existing schema.';
	END IF;
	FOREACH r IN ARRAY ARRAY[d_owner, d_writer, d_reader] LOOP
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles ro WHERE ro.rolname OPERATOR(pg_catalog.=) r) THEN
			RAISE EXCEPTION 'role "%" already exists', r
				USING ERRCODE = 'duplicate_object',
					  DETAIL = format('Domain "%s" needs the roles %s, %s and %s, and the extension never adopts an existing role.', name, d_owner, d_writer, d_reader),
					  HINT = 'Choose another domain name, or rename or drop the existing role.';
		END IF;
	END LOOP;

	EXECUTE format('CREATE ROLE %I NOLOGIN', d_owner);
	EXECUTE format('CREATE ROLE %I NOLOGIN', d_writer);
	EXECUTE format('CREATE ROLE %I NOLOGIN', d_reader);
	EXECUTE format('COMMENT ON ROLE %I IS %L', d_owner, format('Owner of domain %s: owns its schema and every object in it', name));
	EXECUTE format('COMMENT ON ROLE %I IS %L', d_writer, format('Writers of domain %s: DML on its tables, sequences and functions', name));
	EXECUTE format('COMMENT ON ROLE %I IS %L', d_reader, format('Readers of domain %s: SELECT on its tables', name));

	EXECUTE format('CREATE SCHEMA %I AUTHORIZATION %I', name, d_owner);
	EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', name);
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I, %I', name, d_writer, d_reader);
	EXECUTE format('COMMENT ON SCHEMA %I IS %L', name, format('Sovereign domain %s (tec_sovereignty)', name));

	-- Objects the owner creates later are covered too.  PUBLIC's default
	-- EXECUTE on functions and USAGE on types are database-wide defaults,
	-- which only a role-wide (not schema-wide) setting can take away.
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC', d_owner);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE USAGE ON TYPES FROM PUBLIC', d_owner);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', d_owner, name, d_writer);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I', d_owner, name, d_reader);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', d_owner, name, d_writer);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON SEQUENCES TO %I', d_owner, name, d_reader);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO %I', d_owner, name, d_writer);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE ON TYPES TO %I, %I', d_owner, name, d_writer, d_reader);

	INSERT INTO tec_sovereignty.domain (name, schema_name, owner_role, writer_role, reader_role, template)
	VALUES (name, name, d_owner, d_writer, d_reader, template);

	IF template IS NOT NULL THEN
		PERFORM tec_sovereignty.apply_template(name, d_owner, t.name, t.ddl);
	END IF;

	RETURN name;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_create_domain(text, text, boolean) IS
	'Create a sovereign domain: schema, owner/writer/reader roles, registry row, optional template';

/*
 * Define (or redefine) a user template.  The DDL is tried once in a scratch
 * schema, as a scratch NOLOGIN role, inside a subtransaction that is always
 * rolled back, so a broken template is refused before any domain uses it.
 */
CREATE FUNCTION pg_catalog.tec_define_template(name text, ddl text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scratch text := 'tsov_template_check';	-- never committed: the block below always rolls back
	msg text;
	det text;
BEGIN
	IF name IS NULL OR ddl IS NULL THEN
		RAISE EXCEPTION 'template name and DDL must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF name OPERATOR(pg_catalog.!~) '^[a-z][a-z0-9_]{0,47}$' THEN
		RAISE EXCEPTION 'invalid template name "%"', left(name, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A template name is a lowercase identifier of at most 48 characters.';
	END IF;
	IF btrim(ddl) OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'template "%" has empty DDL', name
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF EXISTS (SELECT 1 FROM tec_sovereignty.template t WHERE t.name OPERATOR(pg_catalog.=) tec_define_template.name AND t.builtin) THEN
		RAISE EXCEPTION 'template "%" is built in and cannot be redefined', name
			USING ERRCODE = 'reserved_name',
				  HINT = 'Define a template under another name.';
	END IF;

	BEGIN
		EXECUTE format('CREATE ROLE %I NOLOGIN', scratch);
		EXECUTE format('CREATE SCHEMA %I AUTHORIZATION %I', scratch, scratch);
		PERFORM tec_sovereignty.apply_template(scratch, scratch, name, ddl);
		RAISE EXCEPTION USING ERRCODE = 'TSOV0', MESSAGE = 'template check passed';
	EXCEPTION WHEN SQLSTATE 'TSOV0' THEN
		NULL;			-- the check passed; its objects are rolled back
	END;

	INSERT INTO tec_sovereignty.template AS t (name, ddl, builtin)
	VALUES (name, ddl, false)
	ON CONFLICT ON CONSTRAINT template_pkey DO UPDATE SET ddl = EXCLUDED.ddl;
	RETURN name;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_define_template(text, text) IS
	'Define a domain template (DDL run as <domain>_owner in the domain schema); checked before it is stored';

/*
 * Add a role to a domain.  A role belongs to at most one domain: neither it
 * nor any role that inherits from it may already belong to another one.
 */
CREATE FUNCTION pg_catalog.tec_add_member(domain text, member name, access text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
	m pg_catalog.pg_roles;
	target text;
	other record;
BEGIN
	IF member IS NULL OR access IS NULL THEN
		RAISE EXCEPTION 'member and access must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF access NOT IN ('reader', 'writer', 'owner') THEN
		RAISE EXCEPTION 'unrecognized access level "%"', left(access, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use ''reader'', ''writer'' or ''owner''.';
	END IF;
	IF d.state OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'domain "%" is %', d.name, d.state
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Membership cannot change while a domain is being transferred or after it was transferred.';
	END IF;
	SELECT * INTO m FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) member;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%" does not exist', member
			USING ERRCODE = 'undefined_object',
				  HINT = format('Create it first, e.g. CREATE ROLE %I LOGIN PASSWORD ''...'';', member);
	END IF;
	IF m.rolsuper THEN
		RAISE EXCEPTION 'role "%" is a superuser and cannot be a domain member', member
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Domain members are confined to their domain; a superuser is governed by tec_sovereignty.privileged_access instead.',
				  HINT = 'Add an ordinary role.';
	END IF;
	IF EXISTS (SELECT 1 FROM tec_sovereignty.domain x
				WHERE member IN (x.owner_role, x.writer_role, x.reader_role)) THEN
		RAISE EXCEPTION 'role "%" is a domain role and cannot be added as a member', member
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Add a login role or a group role of your own.';
	END IF;

	-- Domains of the role itself, of the roles it is in, and of every role
	-- that inherits from it (those would end up in two domains too).
	FOR other IN
		WITH RECURSIVE down(roleid) AS (
			SELECT m.oid
			UNION
			SELECT am.member FROM pg_catalog.pg_auth_members am JOIN down ON am.roleid OPERATOR(pg_catalog.=) down.roleid
		)
		SELECT DISTINCT pg_catalog.pg_get_userbyid(down.roleid) AS rolname, rd.domain
		  FROM down, LATERAL tec_sovereignty.role_domains(down.roleid) rd
		 WHERE rd.domain OPERATOR(pg_catalog.<>) d.name
		 ORDER BY 1, 2
	LOOP
		IF other.rolname OPERATOR(pg_catalog.=) member::text THEN
			RAISE EXCEPTION 'role "%" already belongs to domain "%"', member, other.domain
				USING ERRCODE = 'duplicate_object',
					  DETAIL = 'A role belongs to at most one domain.',
					  HINT = format('Remove it first with tec_remove_member(%L, %L), or use another role.', other.domain, member);
		END IF;
		RAISE EXCEPTION 'role "%" would bring role "%" of domain "%" into domain "%"', member, other.rolname, other.domain, d.name
			USING ERRCODE = 'duplicate_object',
				  DETAIL = format('Role "%s" is a member of role "%s", and a role belongs to at most one domain.', other.rolname, member),
				  HINT = 'Add the login roles individually.';
	END LOOP;

	-- Re-adding with another access level replaces the previous one.
	FOREACH target IN ARRAY ARRAY[d.owner_role, d.writer_role, d.reader_role] LOOP
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members am
					WHERE am.roleid OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) target)
					  AND am.member OPERATOR(pg_catalog.=) m.oid) THEN
			EXECUTE format('REVOKE %I FROM %I', target, member);
		END IF;
	END LOOP;
	EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET role', member, current_database());

	target := CASE access WHEN 'owner' THEN d.owner_role WHEN 'writer' THEN d.writer_role ELSE d.reader_role END;
	EXECUTE format('GRANT %I TO %I', target, member);

	-- Members with owner access act as <domain>_owner from login on, so
	-- what they create (migrations) is owned by the domain, not by them.
	IF access OPERATOR(pg_catalog.=) 'owner' THEN
		EXECUTE format('ALTER ROLE %I IN DATABASE %I SET role = %L', member, current_database(), d.owner_role);
	END IF;
	RETURN target;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_add_member(text, name, text) IS
	'Grant a role reader, writer or owner access to a domain (a role belongs to at most one domain)';

CREATE FUNCTION pg_catalog.tec_remove_member(domain text, member name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
	target text;
	member_oid oid;
	found_one boolean := false;
BEGIN
	IF member IS NULL THEN
		RAISE EXCEPTION 'member must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT r.oid INTO member_oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) tec_remove_member.member;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%" does not exist', member USING ERRCODE = 'undefined_object';
	END IF;
	FOREACH target IN ARRAY ARRAY[d.owner_role, d.writer_role, d.reader_role] LOOP
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members am
					WHERE am.roleid OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) target)
					  AND am.member OPERATOR(pg_catalog.=) member_oid) THEN
			EXECUTE format('REVOKE %I FROM %I', target, member);
			found_one := true;
		END IF;
	END LOOP;
	IF NOT found_one THEN
		RAISE EXCEPTION 'role "%" is not a member of domain "%"', member, d.name
			USING ERRCODE = 'undefined_object',
				  HINT = format('See the members with: SELECT * FROM tec_sovereignty.members WHERE domain = %L;', d.name);
	END IF;
	EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET role', member, current_database());
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_remove_member(text, name) IS
	'Revoke a role''s membership in a domain';

/*
 * Drop a domain: its schema, its three roles and its registry row.  Refused
 * while a table holds rows (unless force) and while a transfer is under way.
 * Roles that still own or are granted something outside the schema are not
 * cleaned up silently: the drop fails and says what is left.
 */
CREATE FUNCTION pg_catalog.tec_drop_domain(name text, force boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(name);
	rel record;
	has_rows boolean;
	r text;
	msg text;
	det text;
BEGIN
	IF force IS NULL THEN
		RAISE EXCEPTION 'force must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF d.state OPERATOR(pg_catalog.=) 'transferring' THEN
		RAISE EXCEPTION 'domain "%" is being transferred', d.name
			USING ERRCODE = 'object_in_use',
				  HINT = format('Complete or cancel the transfer first: tec_complete_transfer(%L) or tec_cancel_transfer(%L).', d.name, d.name);
	END IF;

	IF NOT force THEN
		FOR rel IN
			SELECT c.oid::regclass AS tbl
			  FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) d.schema_name)
			   AND c.relkind IN ('r', 'm')
			 ORDER BY c.relname
		LOOP
			EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', rel.tbl) INTO has_rows;
			IF has_rows THEN
				RAISE EXCEPTION 'domain "%" still holds data', d.name
					USING ERRCODE = 'dependent_objects_still_exist',
						  DETAIL = format('Table %s has rows.', rel.tbl),
						  HINT = format('Export it first with tec_export_domain(%L), then drop it with tec_drop_domain(%L, force => true).', d.name, d.name);
			END IF;
		END LOOP;
	END IF;

	EXECUTE format('DROP SCHEMA %I CASCADE', d.schema_name);
	-- Undo the role-wide default privileges set at creation.
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT EXECUTE ON FUNCTIONS TO PUBLIC', d.owner_role);
	EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT USAGE ON TYPES TO PUBLIC', d.owner_role);
	-- Owner members act as the owner role at login: drop that setting.
	FOR r IN
		SELECT pg_catalog.pg_get_userbyid(s.setrole)
		  FROM pg_catalog.pg_db_role_setting s
		 WHERE s.setdatabase OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) current_database())
		   AND format('role=%s', d.owner_role) OPERATOR(pg_catalog.=) ANY (s.setconfig)
	LOOP
		EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET role', r, current_database());
	END LOOP;

	FOREACH r IN ARRAY ARRAY[d.reader_role, d.writer_role, d.owner_role] LOOP
		BEGIN
			EXECUTE format('DROP ROLE %I', r);
		EXCEPTION WHEN dependent_objects_still_exist THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
			RAISE EXCEPTION 'cannot drop domain "%": role "%" still owns or is granted objects outside the domain', d.name, r
				USING ERRCODE = 'dependent_objects_still_exist',
					  DETAIL = det,
					  HINT = format('Reassign or revoke them (REASSIGN OWNED BY %I TO ...; DROP OWNED BY %I; in each database listed), then call tec_drop_domain(%L) again. Nothing was dropped.', r, r, d.name);
		END;
	END LOOP;

	DELETE FROM tec_sovereignty.domain x WHERE x.name OPERATOR(pg_catalog.=) d.name;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_drop_domain(text, boolean) IS
	'Drop a domain (schema, roles, registry row); refuses while it holds data unless force';

/*
 * The 24 domains of the design, each with its category's template.
 */
CREATE FUNCTION tec_sovereignty.ecosystem()
RETURNS TABLE (domain text, template text)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	VALUES ('life', 'financial'), ('assets', 'financial'), ('fundx', 'financial'), ('nbf', 'financial'),
		   ('insure', 'insurance'),
		   ('commerce', 'commerce'), ('ecommerce', 'commerce'),
		   ('dx', 'technology'), ('analytics', 'technology'), ('system', 'technology'),
		   ('alert', 'technology'), ('nx', 'technology'), ('nexus', 'technology'),
		   ('epic', 'premium'), ('legend', 'premium'), ('vip', 'premium'),
		   ('estate', 'real_estate'), ('brookfield', 'real_estate'),
		   ('connection', 'networking'), ('elite', 'networking'),
		   ('explorer', 'travel'),
		   ('titan', 'enterprise'), ('zone', 'enterprise'),
		   ('tec', 'hub')
$$;

CREATE FUNCTION pg_catalog.tec_create_ecosystem()
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e record;
BEGIN
	FOR e IN SELECT * FROM tec_sovereignty.ecosystem() LOOP
		IF NOT EXISTS (SELECT 1 FROM tec_sovereignty.domain d WHERE d.name OPERATOR(pg_catalog.=) e.domain) THEN
			PERFORM pg_catalog.tec_create_domain(e.domain, e.template);
			RETURN NEXT e.domain;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_create_ecosystem() IS
	'Create the 24 domains of the TEC ecosystem with their category templates; returns the names created';
-- Built-in domain templates.
-- Each template's DDL is executed as the domain's owner role with search_path set to the
-- domain's schema only: every object name is unqualified and quoted, exactly as Prisma's
-- default naming produces (model = table name, camelCase columns, "<Model>_pkey",
-- "<Model>_<column>_fkey", "<Model>_<column>_idx", "<Model>_<columns>_key").
-- Foreign keys stay within the template; "userId" is a plain text column (no User table).
-- Status/type columns are text (no enum types) to keep schemas portable.

INSERT INTO tec_sovereignty.template (name, description, models, ddl, builtin) VALUES
('financial', 'Portfolios, investments, transactions, accounts and statements', ARRAY['Portfolio','Investment','Transaction','Account','Statement'], $ddl$
CREATE TABLE "Portfolio" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'BROKERAGE',
    "description" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "totalValue" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "riskProfile" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Portfolio_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Investment" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "portfolioId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "assetClass" TEXT NOT NULL DEFAULT 'EQUITY',
    "quantity" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "costBasis" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currentPrice" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "purchasedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Investment_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Transaction" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "investmentId" TEXT,
    "type" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "description" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Transaction_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Account" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "portfolioId" TEXT,
    "name" TEXT NOT NULL,
    "institution" TEXT,
    "type" TEXT NOT NULL DEFAULT 'CHECKING',
    "accountNumberLast4" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "balance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Statement" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "openingBalance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "closingBalance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "documentUrl" TEXT,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Statement_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Portfolio_userId_idx" ON "Portfolio"("userId");

CREATE INDEX "Investment_portfolioId_idx" ON "Investment"("portfolioId");

CREATE INDEX "Transaction_userId_idx" ON "Transaction"("userId");

CREATE INDEX "Transaction_accountId_idx" ON "Transaction"("accountId");

CREATE INDEX "Transaction_investmentId_idx" ON "Transaction"("investmentId");

CREATE INDEX "Account_userId_idx" ON "Account"("userId");

CREATE INDEX "Account_portfolioId_idx" ON "Account"("portfolioId");

CREATE UNIQUE INDEX "Statement_accountId_periodStart_key" ON "Statement"("accountId", "periodStart");

CREATE INDEX "Statement_userId_idx" ON "Statement"("userId");

CREATE INDEX "Statement_accountId_idx" ON "Statement"("accountId");

ALTER TABLE "Investment" ADD CONSTRAINT "Investment_portfolioId_fkey" FOREIGN KEY ("portfolioId") REFERENCES "Portfolio"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_investmentId_fkey" FOREIGN KEY ("investmentId") REFERENCES "Investment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Account" ADD CONSTRAINT "Account_portfolioId_fkey" FOREIGN KEY ("portfolioId") REFERENCES "Portfolio"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Statement" ADD CONSTRAINT "Statement_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Portfolio" IS 'Investment portfolios owned by a user (type e.g. RETIREMENT, BROKERAGE, EDUCATION, SAVINGS).';

COMMENT ON TABLE "Investment" IS 'Holdings (securities, funds, other assets) inside a portfolio.';

COMMENT ON TABLE "Transaction" IS 'Money movements on an account (DEPOSIT, WITHDRAWAL, BUY, SELL, DIVIDEND, FEE, TRANSFER).';

COMMENT ON TABLE "Account" IS 'Bank, brokerage or cash accounts held by a user, optionally linked to a portfolio.';

COMMENT ON TABLE "Statement" IS 'Periodic account statements with opening and closing balances.';
$ddl$, true),
('insurance', 'Policies, claims, coverages, premiums and beneficiaries', ARRAY['Policy','Claim','Coverage','Premium','Beneficiary'], $ddl$
CREATE TABLE "Policy" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "policyNumber" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "sumInsured" DECIMAL(18,2),
    "startDate" TIMESTAMP(3) NOT NULL,
    "endDate" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Policy_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Claim" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "claimNumber" TEXT NOT NULL,
    "description" TEXT,
    "amountClaimed" DECIMAL(18,2) NOT NULL,
    "amountApproved" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'SUBMITTED',
    "incidentDate" TIMESTAMP(3) NOT NULL,
    "filedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Claim_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Coverage" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "policyId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "limitAmount" DECIMAL(18,2),
    "deductible" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Coverage_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Premium" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "policyId" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "frequency" TEXT NOT NULL DEFAULT 'MONTHLY',
    "dueDate" TIMESTAMP(3) NOT NULL,
    "paidAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'DUE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Premium_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Beneficiary" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "policyId" TEXT NOT NULL,
    "fullName" TEXT NOT NULL,
    "relationship" TEXT,
    "sharePercent" DECIMAL(5,2) NOT NULL DEFAULT 100,
    "email" TEXT,
    "phone" TEXT,
    "isPrimary" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Beneficiary_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Policy_policyNumber_key" ON "Policy"("policyNumber");

CREATE INDEX "Policy_userId_idx" ON "Policy"("userId");

CREATE UNIQUE INDEX "Claim_claimNumber_key" ON "Claim"("claimNumber");

CREATE INDEX "Claim_userId_idx" ON "Claim"("userId");

CREATE INDEX "Claim_policyId_idx" ON "Claim"("policyId");

CREATE INDEX "Coverage_policyId_idx" ON "Coverage"("policyId");

CREATE INDEX "Premium_policyId_idx" ON "Premium"("policyId");

CREATE INDEX "Beneficiary_policyId_idx" ON "Beneficiary"("policyId");

ALTER TABLE "Claim" ADD CONSTRAINT "Claim_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Coverage" ADD CONSTRAINT "Coverage_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Premium" ADD CONSTRAINT "Premium_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Beneficiary" ADD CONSTRAINT "Beneficiary_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Policy" IS 'Insurance policies held by a user (type e.g. AUTO, HOME, LIFE, HEALTH, TRAVEL).';

COMMENT ON TABLE "Claim" IS 'Claims filed against a policy, with claimed and approved amounts.';

COMMENT ON TABLE "Coverage" IS 'Individual coverages (limits and deductibles) included in a policy.';

COMMENT ON TABLE "Premium" IS 'Premium instalments due and paid for a policy.';

COMMENT ON TABLE "Beneficiary" IS 'Beneficiaries of a policy and their share of the benefit.';
$ddl$, true),
('commerce', 'Products, orders, inventory, suppliers and shipments', ARRAY['Product','Order','Inventory','Supplier','Shipment'], $ddl$
CREATE TABLE "Product" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "supplierId" TEXT,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "price" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Order" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "customerName" TEXT,
    "customerEmail" TEXT,
    "items" JSONB NOT NULL DEFAULT '[]',
    "totalAmount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "placedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Inventory" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "productId" TEXT NOT NULL,
    "location" TEXT NOT NULL DEFAULT 'MAIN',
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "reorderLevel" INTEGER NOT NULL DEFAULT 0,
    "lastCountedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Inventory_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Supplier" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "contactName" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "country" TEXT,
    "paymentTerms" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Supplier_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Shipment" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "orderId" TEXT NOT NULL,
    "carrier" TEXT,
    "trackingNumber" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "address" JSONB,
    "cost" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "shippedAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Shipment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Product_userId_sku_key" ON "Product"("userId", "sku");

CREATE INDEX "Product_userId_idx" ON "Product"("userId");

CREATE INDEX "Product_supplierId_idx" ON "Product"("supplierId");

CREATE UNIQUE INDEX "Order_userId_orderNumber_key" ON "Order"("userId", "orderNumber");

CREATE INDEX "Order_userId_idx" ON "Order"("userId");

CREATE UNIQUE INDEX "Inventory_productId_location_key" ON "Inventory"("productId", "location");

CREATE INDEX "Inventory_productId_idx" ON "Inventory"("productId");

CREATE INDEX "Supplier_userId_idx" ON "Supplier"("userId");

CREATE INDEX "Shipment_orderId_idx" ON "Shipment"("orderId");

ALTER TABLE "Product" ADD CONSTRAINT "Product_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "Supplier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Inventory" ADD CONSTRAINT "Inventory_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Shipment" ADD CONSTRAINT "Shipment_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Product" IS 'Catalog products sold by a user''s store.';

COMMENT ON TABLE "Order" IS 'Customer orders; line items are kept as JSON ([{productId, sku, quantity, unitPrice}]).';

COMMENT ON TABLE "Inventory" IS 'Stock levels of a product per location.';

COMMENT ON TABLE "Supplier" IS 'Suppliers and vendors the store buys products from.';

COMMENT ON TABLE "Shipment" IS 'Shipments fulfilling an order, with carrier and tracking details.';
$ddl$, true),
('technology', 'Services, metrics, logs, configurations and integrations', ARRAY['Service','Metric','Log','Configuration','Integration'], $ddl$
CREATE TABLE "Service" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "environment" TEXT NOT NULL DEFAULT 'PRODUCTION',
    "url" TEXT,
    "version" TEXT,
    "ownerTeam" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Service_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Metric" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "serviceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "unit" TEXT,
    "tags" JSONB,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Metric_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Log" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "serviceId" TEXT NOT NULL,
    "level" TEXT NOT NULL DEFAULT 'INFO',
    "message" TEXT NOT NULL,
    "context" JSONB,
    "traceId" TEXT,
    "loggedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Log_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Configuration" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "serviceId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'PRODUCTION',
    "isSecret" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Configuration_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Integration" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "serviceId" TEXT,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'API',
    "config" JSONB,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "lastSyncAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Integration_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Service_userId_name_environment_key" ON "Service"("userId", "name", "environment");

CREATE INDEX "Service_userId_idx" ON "Service"("userId");

CREATE INDEX "Metric_serviceId_idx" ON "Metric"("serviceId");

CREATE INDEX "Log_serviceId_idx" ON "Log"("serviceId");

CREATE UNIQUE INDEX "Configuration_serviceId_environment_key_key" ON "Configuration"("serviceId", "environment", "key");

CREATE INDEX "Configuration_serviceId_idx" ON "Configuration"("serviceId");

CREATE INDEX "Integration_userId_idx" ON "Integration"("userId");

CREATE INDEX "Integration_serviceId_idx" ON "Integration"("serviceId");

ALTER TABLE "Metric" ADD CONSTRAINT "Metric_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Log" ADD CONSTRAINT "Log_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Configuration" ADD CONSTRAINT "Configuration_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Integration" ADD CONSTRAINT "Integration_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMENT ON TABLE "Service" IS 'Software services/applications operated by a user.';

COMMENT ON TABLE "Metric" IS 'Time-series measurements reported by a service.';

COMMENT ON TABLE "Log" IS 'Log entries emitted by a service (level e.g. DEBUG, INFO, WARN, ERROR).';

COMMENT ON TABLE "Configuration" IS 'Versioned configuration keys of a service per environment.';

COMMENT ON TABLE "Integration" IS 'Connections to third-party systems (webhooks, APIs, data syncs).';
$ddl$, true),
('premium', 'Memberships, benefits, tiers, privileges and access', ARRAY['Membership','Benefit','Tier','Privilege','Access'], $ddl$
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "tierId" TEXT NOT NULL,
    "memberNumber" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "autoRenew" BOOLEAN NOT NULL DEFAULT true,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "renewsAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Benefit" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "tierId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "valueAmount" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Benefit_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Tier" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "name" TEXT NOT NULL,
    "level" INTEGER NOT NULL DEFAULT 1,
    "description" TEXT,
    "monthlyPrice" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "annualPrice" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Tier_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Privilege" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "membershipId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL,
    "usageLimit" INTEGER,
    "usageCount" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Privilege_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Access" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "membershipId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "level" TEXT NOT NULL DEFAULT 'READ',
    "status" TEXT NOT NULL DEFAULT 'GRANTED',
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "lastAccessedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Access_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Membership_memberNumber_key" ON "Membership"("memberNumber");

CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

CREATE INDEX "Membership_tierId_idx" ON "Membership"("tierId");

CREATE INDEX "Benefit_tierId_idx" ON "Benefit"("tierId");

CREATE UNIQUE INDEX "Tier_name_key" ON "Tier"("name");

CREATE INDEX "Privilege_membershipId_idx" ON "Privilege"("membershipId");

CREATE INDEX "Access_userId_idx" ON "Access"("userId");

CREATE INDEX "Access_membershipId_idx" ON "Access"("membershipId");

ALTER TABLE "Membership" ADD CONSTRAINT "Membership_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "Tier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Benefit" ADD CONSTRAINT "Benefit_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "Tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Privilege" ADD CONSTRAINT "Privilege_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "Membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Access" ADD CONSTRAINT "Access_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "Membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Membership" IS 'A user''s membership in a tier of the program.';

COMMENT ON TABLE "Benefit" IS 'Benefits granted to every member of a tier.';

COMMENT ON TABLE "Tier" IS 'Membership tiers (e.g. SILVER, GOLD, PLATINUM) and their pricing.';

COMMENT ON TABLE "Privilege" IS 'Individual privileges granted to a membership, with usage limits.';

COMMENT ON TABLE "Access" IS 'Access grants to resources (lounges, content, events) for a membership.';
$ddl$, true),
('real_estate', 'Properties, listings, valuations, offers and contracts', ARRAY['Property','Listing','Valuation','Offer','Contract'], $ddl$
CREATE TABLE "Property" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'RESIDENTIAL',
    "address" TEXT NOT NULL,
    "city" TEXT,
    "country" TEXT,
    "bedrooms" INTEGER,
    "bathrooms" DOUBLE PRECISION,
    "areaSqm" DOUBLE PRECISION,
    "status" TEXT NOT NULL DEFAULT 'OWNED',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Property_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Listing" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "propertyId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "listingType" TEXT NOT NULL DEFAULT 'SALE',
    "price" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "listedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Listing_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Valuation" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "propertyId" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "method" TEXT NOT NULL DEFAULT 'APPRAISAL',
    "source" TEXT,
    "notes" TEXT,
    "valuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Valuation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Offer" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "listingId" TEXT NOT NULL,
    "buyerName" TEXT,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "conditions" JSONB,
    "status" TEXT NOT NULL DEFAULT 'SUBMITTED',
    "submittedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Offer_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Contract" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "propertyId" TEXT NOT NULL,
    "offerId" TEXT,
    "type" TEXT NOT NULL DEFAULT 'PURCHASE',
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "signedAt" TIMESTAMP(3),
    "effectiveDate" TIMESTAMP(3),
    "documentUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Contract_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Property_userId_idx" ON "Property"("userId");

CREATE INDEX "Listing_userId_idx" ON "Listing"("userId");

CREATE INDEX "Listing_propertyId_idx" ON "Listing"("propertyId");

CREATE INDEX "Valuation_propertyId_idx" ON "Valuation"("propertyId");

CREATE INDEX "Offer_userId_idx" ON "Offer"("userId");

CREATE INDEX "Offer_listingId_idx" ON "Offer"("listingId");

CREATE INDEX "Contract_userId_idx" ON "Contract"("userId");

CREATE INDEX "Contract_propertyId_idx" ON "Contract"("propertyId");

CREATE INDEX "Contract_offerId_idx" ON "Contract"("offerId");

ALTER TABLE "Listing" ADD CONSTRAINT "Listing_propertyId_fkey" FOREIGN KEY ("propertyId") REFERENCES "Property"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Valuation" ADD CONSTRAINT "Valuation_propertyId_fkey" FOREIGN KEY ("propertyId") REFERENCES "Property"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Offer" ADD CONSTRAINT "Offer_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "Listing"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Contract" ADD CONSTRAINT "Contract_propertyId_fkey" FOREIGN KEY ("propertyId") REFERENCES "Property"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Contract" ADD CONSTRAINT "Contract_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMENT ON TABLE "Property" IS 'Real-estate properties owned or managed by a user.';

COMMENT ON TABLE "Listing" IS 'Sale or rental listings published for a property.';

COMMENT ON TABLE "Valuation" IS 'Appraisals and automated valuations of a property over time.';

COMMENT ON TABLE "Offer" IS 'Offers made on a listing.';

COMMENT ON TABLE "Contract" IS 'Purchase, sale or lease contracts for a property, optionally from an accepted offer.';
$ddl$, true),
('networking', 'Networks, contacts, relationships, events and opportunities', ARRAY['Network','Contact','Relationship','Event','Opportunity'], $ddl$
CREATE TABLE "Network" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL DEFAULT 'PROFESSIONAL',
    "visibility" TEXT NOT NULL DEFAULT 'PRIVATE',
    "url" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Network_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Contact" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "networkId" TEXT,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "company" TEXT,
    "title" TEXT,
    "tags" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Contact_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Relationship" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'ACQUAINTANCE',
    "strength" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "since" TIMESTAMP(3),
    "lastInteractionAt" TIMESTAMP(3),
    "notes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Relationship_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Event" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "networkId" TEXT,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT,
    "location" TEXT,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'PLANNED',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Opportunity" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "contactId" TEXT,
    "eventId" TEXT,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "stage" TEXT NOT NULL DEFAULT 'LEAD',
    "value" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "probability" INTEGER,
    "expectedCloseDate" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Opportunity_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Network_userId_idx" ON "Network"("userId");

CREATE INDEX "Contact_userId_idx" ON "Contact"("userId");

CREATE INDEX "Contact_networkId_idx" ON "Contact"("networkId");

CREATE INDEX "Relationship_userId_idx" ON "Relationship"("userId");

CREATE INDEX "Relationship_contactId_idx" ON "Relationship"("contactId");

CREATE INDEX "Event_userId_idx" ON "Event"("userId");

CREATE INDEX "Event_networkId_idx" ON "Event"("networkId");

CREATE INDEX "Opportunity_userId_idx" ON "Opportunity"("userId");

CREATE INDEX "Opportunity_contactId_idx" ON "Opportunity"("contactId");

CREATE INDEX "Opportunity_eventId_idx" ON "Opportunity"("eventId");

ALTER TABLE "Contact" ADD CONSTRAINT "Contact_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Relationship" ADD CONSTRAINT "Relationship_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Event" ADD CONSTRAINT "Event_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Opportunity" ADD CONSTRAINT "Opportunity_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Opportunity" ADD CONSTRAINT "Opportunity_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMENT ON TABLE "Network" IS 'Professional or personal networks/groups a user belongs to.';

COMMENT ON TABLE "Contact" IS 'People in a user''s network.';

COMMENT ON TABLE "Relationship" IS 'The user''s relationship with a contact (type, strength, last interaction).';

COMMENT ON TABLE "Event" IS 'Events (conferences, meetups, dinners) attended or organised.';

COMMENT ON TABLE "Opportunity" IS 'Business opportunities sourced from contacts or events, tracked through stages.';
$ddl$, true),
('travel', 'Destinations, bookings, itineraries, experiences and trips', ARRAY['Destination','Booking','Itinerary','Experience','Travel'], $ddl$
CREATE TABLE "Destination" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "city" TEXT,
    "country" TEXT NOT NULL,
    "region" TEXT,
    "timezone" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "notes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Destination_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Booking" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "travelId" TEXT NOT NULL,
    "destinationId" TEXT,
    "type" TEXT NOT NULL,
    "provider" TEXT,
    "confirmationCode" TEXT,
    "status" TEXT NOT NULL DEFAULT 'CONFIRMED',
    "amount" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Booking_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Itinerary" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "travelId" TEXT NOT NULL,
    "destinationId" TEXT,
    "dayNumber" INTEGER NOT NULL DEFAULT 1,
    "date" TIMESTAMP(3),
    "title" TEXT NOT NULL,
    "items" JSONB NOT NULL DEFAULT '[]',
    "notes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Itinerary_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Experience" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "destinationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT,
    "description" TEXT,
    "price" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "durationMinutes" INTEGER,
    "rating" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Experience_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Travel" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT 'LEISURE',
    "status" TEXT NOT NULL DEFAULT 'PLANNED',
    "startDate" TIMESTAMP(3),
    "endDate" TIMESTAMP(3),
    "travelerCount" INTEGER NOT NULL DEFAULT 1,
    "budget" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Travel_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Destination_userId_idx" ON "Destination"("userId");

CREATE INDEX "Booking_userId_idx" ON "Booking"("userId");

CREATE INDEX "Booking_travelId_idx" ON "Booking"("travelId");

CREATE INDEX "Booking_destinationId_idx" ON "Booking"("destinationId");

CREATE INDEX "Itinerary_travelId_idx" ON "Itinerary"("travelId");

CREATE INDEX "Itinerary_destinationId_idx" ON "Itinerary"("destinationId");

CREATE INDEX "Experience_userId_idx" ON "Experience"("userId");

CREATE INDEX "Experience_destinationId_idx" ON "Experience"("destinationId");

CREATE INDEX "Travel_userId_idx" ON "Travel"("userId");

ALTER TABLE "Booking" ADD CONSTRAINT "Booking_travelId_fkey" FOREIGN KEY ("travelId") REFERENCES "Travel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Booking" ADD CONSTRAINT "Booking_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Itinerary" ADD CONSTRAINT "Itinerary_travelId_fkey" FOREIGN KEY ("travelId") REFERENCES "Travel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Itinerary" ADD CONSTRAINT "Itinerary_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Experience" ADD CONSTRAINT "Experience_destinationId_fkey" FOREIGN KEY ("destinationId") REFERENCES "Destination"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Destination" IS 'Places a user has visited, plans to visit or has saved.';

COMMENT ON TABLE "Booking" IS 'Reservations (FLIGHT, HOTEL, CAR, ACTIVITY...) belonging to a trip.';

COMMENT ON TABLE "Itinerary" IS 'Day-by-day plan of a trip; items are kept as JSON.';

COMMENT ON TABLE "Experience" IS 'Activities and experiences available at or enjoyed in a destination.';

COMMENT ON TABLE "Travel" IS 'Trips planned or taken by a user, with dates and budget.';
$ddl$, true),
('enterprise', 'Enterprises, solutions, deployments, regions and licenses', ARRAY['Enterprise','Solution','Deployment','Region','License'], $ddl$
CREATE TABLE "Enterprise" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "legalName" TEXT,
    "industry" TEXT,
    "size" TEXT,
    "country" TEXT,
    "website" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Enterprise_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Solution" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "enterpriseId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "version" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Solution_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "solutionId" TEXT NOT NULL,
    "regionId" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'PRODUCTION',
    "version" TEXT,
    "endpoint" TEXT,
    "config" JSONB,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "deployedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Region" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT,
    "country" TEXT,
    "jurisdiction" TEXT,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Region_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "License" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "enterpriseId" TEXT NOT NULL,
    "solutionId" TEXT,
    "licenseKey" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'SUBSCRIPTION',
    "seats" INTEGER NOT NULL DEFAULT 1,
    "amount" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "startsAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "License_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Enterprise_userId_idx" ON "Enterprise"("userId");

CREATE INDEX "Solution_enterpriseId_idx" ON "Solution"("enterpriseId");

CREATE INDEX "Deployment_solutionId_idx" ON "Deployment"("solutionId");

CREATE INDEX "Deployment_regionId_idx" ON "Deployment"("regionId");

CREATE UNIQUE INDEX "Region_code_key" ON "Region"("code");

CREATE UNIQUE INDEX "License_licenseKey_key" ON "License"("licenseKey");

CREATE INDEX "License_enterpriseId_idx" ON "License"("enterpriseId");

CREATE INDEX "License_solutionId_idx" ON "License"("solutionId");

ALTER TABLE "Solution" ADD CONSTRAINT "Solution_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_solutionId_fkey" FOREIGN KEY ("solutionId") REFERENCES "Solution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "License" ADD CONSTRAINT "License_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "License" ADD CONSTRAINT "License_solutionId_fkey" FOREIGN KEY ("solutionId") REFERENCES "Solution"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMENT ON TABLE "Enterprise" IS 'Enterprise customers/organisations managed by a user.';

COMMENT ON TABLE "Solution" IS 'Solutions/products adopted by an enterprise.';

COMMENT ON TABLE "Deployment" IS 'Deployments of a solution into a region and environment.';

COMMENT ON TABLE "Region" IS 'Hosting regions (cloud region or data centre) and their data-residency jurisdiction.';

COMMENT ON TABLE "License" IS 'Software licenses held by an enterprise, optionally for a specific solution.';
$ddl$, true),
('hub', 'Domains, integrations, dashboards, reports and analytics', ARRAY['Domain','Integration','Dashboard','Report','Analytics'], $ddl$
CREATE TABLE "Domain" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "settings" JSONB,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Domain_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Integration" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "domainId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'API',
    "config" JSONB,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "lastSyncAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Integration_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Dashboard" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "domainId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "layout" JSONB NOT NULL DEFAULT '{}',
    "visibility" TEXT NOT NULL DEFAULT 'PRIVATE',
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Dashboard_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Report" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "domainId" TEXT NOT NULL,
    "dashboardId" TEXT,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'TABLE',
    "format" TEXT NOT NULL DEFAULT 'PDF',
    "parameters" JSONB,
    "schedule" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "lastRunAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Analytics" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "domainId" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "dimension" TEXT,
    "value" DOUBLE PRECISION NOT NULL,
    "period" TEXT NOT NULL DEFAULT 'DAY',
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3),
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Analytics_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Domain_userId_slug_key" ON "Domain"("userId", "slug");

CREATE INDEX "Domain_userId_idx" ON "Domain"("userId");

CREATE INDEX "Integration_domainId_idx" ON "Integration"("domainId");

CREATE INDEX "Dashboard_userId_idx" ON "Dashboard"("userId");

CREATE INDEX "Dashboard_domainId_idx" ON "Dashboard"("domainId");

CREATE INDEX "Report_userId_idx" ON "Report"("userId");

CREATE INDEX "Report_domainId_idx" ON "Report"("domainId");

CREATE INDEX "Report_dashboardId_idx" ON "Report"("dashboardId");

CREATE INDEX "Analytics_domainId_idx" ON "Analytics"("domainId");

ALTER TABLE "Integration" ADD CONSTRAINT "Integration_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Dashboard" ADD CONSTRAINT "Dashboard_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Report" ADD CONSTRAINT "Report_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Report" ADD CONSTRAINT "Report_dashboardId_fkey" FOREIGN KEY ("dashboardId") REFERENCES "Dashboard"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Analytics" ADD CONSTRAINT "Analytics_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Domain" IS 'Business domains aggregated by the hub.';

COMMENT ON TABLE "Integration" IS 'Connections that feed data into a domain.';

COMMENT ON TABLE "Dashboard" IS 'Dashboards over a domain''s data; layout kept as JSON.';

COMMENT ON TABLE "Report" IS 'Saved or scheduled reports over a domain, optionally shown on a dashboard.';

COMMENT ON TABLE "Analytics" IS 'Aggregated analytics values per domain, metric, dimension and period.';
$ddl$, true);

/* ------------------------------------------------------------------------
 * DBA console views.
 * ------------------------------------------------------------------------ */

/*
 * Members of each domain: roles granted the domain's owner, writer or
 * reader role directly (the domain's own roles excluded).
 */
CREATE VIEW tec_sovereignty.members AS
SELECT d.name AS domain,
	   m.rolname AS member,
	   CASE g.rolname WHEN d.owner_role THEN 'owner'
					  WHEN d.writer_role THEN 'writer'
					  ELSE 'reader' END AS access,
	   m.rolcanlogin AS can_login,
	   EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s
				WHERE s.setrole OPERATOR(pg_catalog.=) m.oid
				  AND s.setdatabase OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
				  AND pg_catalog.format('role=%s', d.owner_role) OPERATOR(pg_catalog.=) ANY (s.setconfig)) AS acts_as_owner
  FROM tec_sovereignty.domain d
  JOIN pg_catalog.pg_roles g
	ON g.rolname OPERATOR(pg_catalog.=) ANY (ARRAY[d.owner_role, d.writer_role, d.reader_role])
  JOIN pg_catalog.pg_auth_members am ON am.roleid OPERATOR(pg_catalog.=) g.oid
  JOIN pg_catalog.pg_roles m ON m.oid OPERATOR(pg_catalog.=) am.member;
COMMENT ON VIEW tec_sovereignty.members IS 'Members of each domain and their access level';

CREATE VIEW tec_sovereignty.domains AS
SELECT d.name,
	   d.template,
	   d.state,
	   d.enforcement,
	   d.audit_level,
	   d.owner_role AS owner,
	   n.oid AS schema_oid,
	   (SELECT pg_catalog.count(*) FROM tec_sovereignty.members mb
		 WHERE mb.domain OPERATOR(pg_catalog.=) d.name) AS members,
	   (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relkind IN ('r', 'p')) AS tables,
	   sz.bytes AS size_bytes,
	   pg_catalog.pg_size_pretty(sz.bytes) AS size,
	   d.created_at
  FROM tec_sovereignty.domain d
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) d.schema_name
  LEFT JOIN LATERAL (
	SELECT COALESCE(pg_catalog.sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint AS bytes
	  FROM pg_catalog.pg_class c
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relkind IN ('r', 'm', 'S')
  ) sz ON true;
COMMENT ON VIEW tec_sovereignty.domains IS
	'One row per domain: template, state, owner, members, tables, size (DBA console)';

/* ------------------------------------------------------------------------
 * Administrative functions are superuser-only by default.
 * ------------------------------------------------------------------------ */
REVOKE ALL ON FUNCTION pg_catalog.tec_create_domain(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_define_template(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_add_member(text, name, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_remove_member(text, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_drop_domain(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_create_ecosystem() FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.check_domain_name(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.get_domain(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.apply_template(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.ecosystem() FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.library_version() FROM PUBLIC;

/* ------------------------------------------------------------------------
 * Prisma: schema.prisma files and connection settings for applications.
 *
 * tec_prisma_schema(domain) writes the schema.prisma of one domain from the
 * catalogs, the way `prisma db pull` would, so that every domain gets an
 * isolated Prisma client without hand-written glue; tec_prisma_schema(NULL)
 * writes the shared one, for the schemas registered with
 * tec_register_shared_schema() (public by default).  tec_connection_env()
 * writes the matching env file.
 *
 * Target: Prisma ORM 6 (tested with 6.19) with the driver adapter
 * @prisma/adapter-pg: generator "prisma-client-js" with engineType = "client"
 * needs no engine download.  The datasource names its URL with
 * env("<DOMAIN>_DATABASE_URL") and targets the domain's schema through
 * `schemas` and @@schema, so every query is schema-qualified whatever the
 * connection's search_path.  (Prisma 7 moved the URL into prisma.config.ts;
 * there, drop the url line.)
 *
 * Naming rules (documented in doc/prisma.md):
 *   - a table, column, enum or enum value keeps its name when it is a valid
 *     Prisma identifier ([A-Za-z][A-Za-z0-9_]*); otherwise leading
 *     characters that are not letters are dropped, every other invalid
 *     character becomes "_", and @map/@@map keeps the database name;
 *   - model and enum names that Prisma reserves (PrismaClient, JavaScript
 *     keywords, its scalar type names) get the prefix "Renamed";
 *   - names that collide after that (models and enums compared without
 *     regard to case, as the client's properties are) get a numeric suffix;
 *     names that needed no change are served first;
 *   - relation fields: the side holding the foreign key is named after the
 *     key column without its Id/_id suffix (portfolioId -> portfolio), else
 *     after the referenced model in lower camel case; the other side is the
 *     lower camel plural of the referencing model (investments), singular
 *     for one-to-one keys; when two keys link the same pair of models the
 *     back side gets the forward field's name appended
 *     (transfersFromAccount) and both sides carry the constraint name as
 *     relation name.
 *
 * These functions read catalogs only and run with the caller's rights;
 * like every administrative function they are superuser-only by default.
 * ------------------------------------------------------------------------ */

CREATE TABLE tec_sovereignty.shared_schema (
	name		name PRIMARY KEY,
	registered_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE tec_sovereignty.shared_schema IS
	'Non-domain schemas whose tables belong in the shared schema.prisma (tec_prisma_schema(NULL))';
INSERT INTO tec_sovereignty.shared_schema (name) VALUES ('public');
-- public is registered by this script, so pg_dump carries the other rows.
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.shared_schema',
	'WHERE name OPERATOR(pg_catalog.<>) ''public''');

CREATE FUNCTION pg_catalog.tec_register_shared_schema(schema_name name)
RETURNS name
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF schema_name IS NULL THEN
		RAISE EXCEPTION 'schema name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) schema_name) THEN
		RAISE EXCEPTION 'schema "%" does not exist', schema_name
			USING ERRCODE = 'invalid_schema_name';
	END IF;
	IF EXISTS (SELECT 1 FROM tec_sovereignty.domain d WHERE d.schema_name OPERATOR(pg_catalog.=) tec_register_shared_schema.schema_name) THEN
		RAISE EXCEPTION 'schema "%" belongs to a domain', schema_name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A domain''s tables belong in the domain''s own schema.prisma: tec_prisma_schema(<domain>).';
	END IF;
	IF schema_name IN ('tec_sovereignty', 'information_schema')
	   OR schema_name OPERATOR(pg_catalog.~~) 'pg\_%' THEN
		RAISE EXCEPTION 'schema "%" is reserved', schema_name
			USING ERRCODE = 'reserved_name',
				  DETAIL = 'System schemas and the extension''s own schema cannot be shared with applications.';
	END IF;
	INSERT INTO tec_sovereignty.shared_schema AS s (name) VALUES (schema_name)
	ON CONFLICT (name) DO NOTHING;
	RETURN schema_name;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_register_shared_schema(name) IS
	'Register a non-domain schema whose tables go into the shared schema.prisma';

CREATE FUNCTION pg_catalog.tec_unregister_shared_schema(schema_name name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM tec_sovereignty.shared_schema s WHERE s.name OPERATOR(pg_catalog.=) schema_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'schema "%" is not registered as shared', schema_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'See the registered schemas with: SELECT name FROM tec_sovereignty.shared_schema;';
	END IF;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_unregister_shared_schema(name) IS
	'Remove a schema from the shared schema.prisma';

/*
 * A Prisma identifier made of a database name: leading characters that are
 * not ASCII letters are dropped and every other character outside
 * [A-Za-z0-9_] becomes "_".  May return '' (the caller picks a fallback).
 */
CREATE FUNCTION tec_sovereignty.prisma_ident(name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.regexp_replace(pg_catalog.regexp_replace(name, '^[^A-Za-z]+', ''), '[^A-Za-z0-9_]', '_', 'g')
$$;

/*
 * A Prisma string literal: double quotes, with backslash, double quote and
 * control characters escaped.
 */
CREATE FUNCTION tec_sovereignty.prisma_string(s text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '"' OPERATOR(pg_catalog.||)
		   pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
				s, '\', '\\'), '"', '\"'), E'\n', '\n'), E'\r', '\r'), E'\t', '\t')
		   OPERATOR(pg_catalog.||) '"'
$$;

/*
 * candidate, or candidate followed by the smallest number >= 2 that is not
 * in taken (compared case-insensitively when ci).
 */
CREATE FUNCTION tec_sovereignty.prisma_unique_name(candidate text, taken text[], ci boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int := 1;
	c text := candidate;
BEGIN
	LOOP
		IF ci THEN
			EXIT WHEN NOT (pg_catalog.lower(c) OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.lower(t) FROM pg_catalog.unnest(taken) t));
		ELSE
			EXIT WHEN NOT (c OPERATOR(pg_catalog.=) ANY (taken));
		END IF;
		n := n + 1;
		c := candidate OPERATOR(pg_catalog.||) n;
	END LOOP;
	RETURN c;
END
$$;

/* Lower camel case of a model name: NFT -> nft, NFTItem -> nftItem, Portfolio -> portfolio. */
CREATE FUNCTION tec_sovereignty.prisma_lower_camel(name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN name OPERATOR(pg_catalog.~) '^[A-Z]+$' THEN pg_catalog.lower(name)
		WHEN name OPERATOR(pg_catalog.~) '^[A-Z]{2,}[a-z]'
			THEN pg_catalog.lower(pg_catalog.substring(name, '^([A-Z]+)[A-Z][a-z]'))
				 OPERATOR(pg_catalog.||) pg_catalog.substring(name, '^[A-Z]+([A-Z][a-z].*)$')
		ELSE pg_catalog.lower(pg_catalog.left(name, 1)) OPERATOR(pg_catalog.||) pg_catalog.substr(name, 2)
	END
$$;

/* English plural, good enough for model names: Policy -> Policies, Address -> Addresses. */
CREATE FUNCTION tec_sovereignty.prisma_plural(name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN name OPERATOR(pg_catalog.~) '[^aeiouAEIOU][yY]$' THEN pg_catalog.left(name, -1) OPERATOR(pg_catalog.||) 'ies'
		WHEN name OPERATOR(pg_catalog.~) '([sxzSXZ]|[cs]h)$' THEN name OPERATOR(pg_catalog.||) 'es'
		ELSE name OPERATOR(pg_catalog.||) 's'
	END
$$;

/*
 * Prisma's default constraint name, which needs no map: argument:
 * <table>_<columns>_<suffix>, cut to 63 bytes keeping the suffix.
 */
CREATE FUNCTION tec_sovereignty.prisma_default_constraint_name(tbl text, cols text[], suffix text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.left(pg_catalog.array_to_string(ARRAY[tbl] OPERATOR(pg_catalog.||) cols, '_'),
						   63 OPERATOR(pg_catalog.-) pg_catalog.length(suffix) OPERATOR(pg_catalog.-) 1)
		   OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) suffix
$$;

/*
 * Enum values of an enum type with their Prisma names (callers order by
 * sort_order).
 */
CREATE FUNCTION tec_sovereignty.prisma_enum_values(enum_type oid)
RETURNS TABLE (label text, value_name text, sort_order real)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	taken text[] := '{}';
	e record;
	v text;
BEGIN
	-- Labels that are valid as they stand are served first.
	FOR e IN
		SELECT en.enumlabel::text AS lbl, en.enumsortorder AS ord,
			   tec_sovereignty.prisma_ident(en.enumlabel) OPERATOR(pg_catalog.=) en.enumlabel AS valid
		  FROM pg_catalog.pg_enum en
		 WHERE en.enumtypid OPERATOR(pg_catalog.=) enum_type
		 ORDER BY 3 DESC, en.enumsortorder
	LOOP
		v := tec_sovereignty.prisma_ident(e.lbl);
		IF v OPERATOR(pg_catalog.=) '' THEN
			v := 'VALUE';
		END IF;
		v := tec_sovereignty.prisma_unique_name(v, taken, false);
		taken := taken OPERATOR(pg_catalog.||) v;
		label := e.lbl;
		value_name := v;
		sort_order := e.ord;
		RETURN NEXT;
	END LOOP;
END
$$;

/*
 * The Prisma type of a column type: scalar (String, Int, ..., an enum's
 * name, or Unsupported("...")), whether it is a list, and the native type
 * attribute (@db.X) when it is not the scalar's default.  enum_names maps
 * enum type OIDs (as text) to model names; an enum outside the schemas
 * being written becomes Unsupported.
 */
CREATE FUNCTION tec_sovereignty.prisma_type(typ oid, typmod integer, enum_names jsonb,
	OUT scalar text, OUT is_list boolean, OUT native text, OUT supported boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t pg_catalog.pg_type;
	elem oid := typ;
	mod integer := typmod;
	tname text;
	p integer;
	s integer;
BEGIN
	is_list := false;
	native := NULL;
	supported := true;
	SELECT * INTO t FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) typ;
	-- A domain type is mapped as its base type.
	WHILE t.typtype OPERATOR(pg_catalog.=) 'd' LOOP
		IF t.typtypmod OPERATOR(pg_catalog.<>) -1 THEN
			mod := t.typtypmod;
		END IF;
		elem := t.typbasetype;
		SELECT * INTO t FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) elem;
	END LOOP;
	IF t.typcategory OPERATOR(pg_catalog.=) 'A' AND t.typelem OPERATOR(pg_catalog.<>) 0 THEN
		is_list := true;
		elem := t.typelem;
		SELECT * INTO t FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) elem;
	END IF;
	tname := t.typname;

	IF t.typtype OPERATOR(pg_catalog.=) 'e' AND enum_names ? (elem::text) THEN
		scalar := enum_names OPERATOR(pg_catalog.->>) (elem::text);
		RETURN;
	END IF;

	IF t.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace THEN
		CASE tname
			WHEN 'text' THEN scalar := 'String';
			WHEN 'varchar' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>=) 4 THEN pg_catalog.format('@db.VarChar(%s)', mod OPERATOR(pg_catalog.-) 4) ELSE '@db.VarChar' END;
			WHEN 'bpchar' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>=) 4 THEN pg_catalog.format('@db.Char(%s)', mod OPERATOR(pg_catalog.-) 4) ELSE '@db.Char' END;
			WHEN 'uuid' THEN scalar := 'String'; native := '@db.Uuid';
			WHEN 'xml' THEN scalar := 'String'; native := '@db.Xml';
			WHEN 'inet' THEN scalar := 'String'; native := '@db.Inet';
			WHEN 'bit' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('@db.Bit(%s)', mod) ELSE '@db.Bit' END;
			WHEN 'varbit' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('@db.VarBit(%s)', mod) ELSE '@db.VarBit' END;
			WHEN 'int2' THEN scalar := 'Int'; native := '@db.SmallInt';
			WHEN 'int4' THEN scalar := 'Int';
			WHEN 'oid' THEN scalar := 'Int'; native := '@db.Oid';
			WHEN 'int8' THEN scalar := 'BigInt';
			WHEN 'float4' THEN scalar := 'Float'; native := '@db.Real';
			WHEN 'float8' THEN scalar := 'Float';
			WHEN 'numeric' THEN
				scalar := 'Decimal';
				IF mod OPERATOR(pg_catalog.>=) 4 THEN
					p := ((mod OPERATOR(pg_catalog.-) 4) OPERATOR(pg_catalog.>>) 16) OPERATOR(pg_catalog.&) 65535;
					s := (mod OPERATOR(pg_catalog.-) 4) OPERATOR(pg_catalog.&) 65535;
					native := pg_catalog.format('@db.Decimal(%s, %s)', p, s);
				ELSE
					native := '@db.Decimal';
				END IF;
			WHEN 'money' THEN scalar := 'Decimal'; native := '@db.Money';
			WHEN 'bool' THEN scalar := 'Boolean';
			WHEN 'timestamp' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Timestamp(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'timestamptz' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Timestamptz(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'date' THEN scalar := 'DateTime'; native := '@db.Date';
			WHEN 'time' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Time(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'timetz' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Timetz(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'jsonb' THEN scalar := 'Json';
			WHEN 'json' THEN scalar := 'Json'; native := '@db.Json';
			WHEN 'bytea' THEN scalar := 'Bytes';
			ELSE scalar := NULL;
		END CASE;
	ELSIF tname OPERATOR(pg_catalog.=) 'citext' THEN
		scalar := 'String';
		native := '@db.Citext';
	END IF;

	IF scalar IS NULL THEN
		-- Name the type without its schema: the file never names another
		-- schema's objects.
		supported := false;
		scalar := pg_catalog.format('Unsupported(%s)',
			tec_sovereignty.prisma_string(
				CASE WHEN t.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
					 THEN pg_catalog.format_type(elem, mod) ELSE tname END
				OPERATOR(pg_catalog.||) CASE WHEN is_list THEN '[]' ELSE '' END));
		is_list := false;
		native := NULL;
	END IF;
END
$$;

/*
 * The @default(...) attribute of a column, or NULL: Prisma's functions
 * where the expression is one (autoincrement(), now()), literals where it
 * is a literal, dbgenerated("...") for every other expression.
 */
CREATE FUNCTION tec_sovereignty.prisma_default(expr text, scalar text, is_list boolean, enum_type oid,
	identity "char", generated "char")
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m text[];
	lit text;
	v text;
BEGIN
	IF identity IN ('a', 'd') AND scalar IN ('Int', 'BigInt') THEN
		RETURN '@default(autoincrement())';
	END IF;
	IF expr IS NULL THEN
		RETURN NULL;
	END IF;
	IF generated OPERATOR(pg_catalog.=) 's' THEN
		RETURN pg_catalog.format('@default(dbgenerated(%s))', tec_sovereignty.prisma_string(expr));
	END IF;
	IF expr OPERATOR(pg_catalog.~) '^NULL(::.*)?$' THEN
		RETURN NULL;
	END IF;
	IF scalar IN ('Int', 'BigInt') AND NOT is_list
	   AND expr OPERATOR(pg_catalog.~) '^nextval\(''[^'']+''::regclass\)$' THEN
		RETURN '@default(autoincrement())';
	END IF;
	IF scalar OPERATOR(pg_catalog.=) 'DateTime' AND NOT is_list AND expr IN ('now()', 'CURRENT_TIMESTAMP') THEN
		RETURN '@default(now())';
	END IF;

	IF is_list THEN
		IF expr OPERATOR(pg_catalog.~) '^''\{\}''::[a-z ]+(\([0-9, ]+\))?\[\]$' THEN
			RETURN '@default([])';
		END IF;
	ELSIF scalar IN ('Int', 'BigInt', 'Float', 'Decimal') THEN
		m := pg_catalog.regexp_match(expr, '^\(?''?(-?[0-9]+(\.[0-9]+)?)''?\)?(::[a-z ]+(\([0-9, ]+\))?)?$');
		IF m IS NOT NULL AND (scalar NOT IN ('Int', 'BigInt') OR m[2] IS NULL) THEN
			RETURN pg_catalog.format('@default(%s)', m[1]);
		END IF;
	ELSIF scalar OPERATOR(pg_catalog.=) 'Boolean' THEN
		IF expr IN ('true', 'false') THEN
			RETURN pg_catalog.format('@default(%s)', expr);
		END IF;
	ELSIF scalar IN ('String', 'Json') OR enum_type IS NOT NULL THEN
		-- 'literal' or 'literal'::type, where the type is a plain name.
		m := pg_catalog.regexp_match(expr, '^''((?:[^'']|'''')*)''(::[A-Za-z_" .]+(\([0-9, ]+\))?)?$');
		IF m IS NOT NULL THEN
			lit := pg_catalog.replace(m[1], '''''', '''');
			IF enum_type IS NULL THEN
				RETURN pg_catalog.format('@default(%s)', tec_sovereignty.prisma_string(lit));
			END IF;
			SELECT ev.value_name INTO v FROM tec_sovereignty.prisma_enum_values(enum_type) ev
			 WHERE ev.label OPERATOR(pg_catalog.=) lit;
			IF v IS NOT NULL THEN
				RETURN pg_catalog.format('@default(%s)', v);
			END IF;
		END IF;
	END IF;
	RETURN pg_catalog.format('@default(dbgenerated(%s))', tec_sovereignty.prisma_string(expr));
END
$$;

/*
 * The schema.prisma text for a set of schemas.  Every catalog query is
 * restricted to those schemas: a foreign key to a table elsewhere is left
 * out (with a comment that does not name it), a type from elsewhere becomes
 * Unsupported("<type name>").  Default expressions are deparsed with fixed
 * date and interval styles, so the file does not depend on the session.
 */
CREATE FUNCTION tec_sovereignty.prisma_schema_for(schemas name[], env_var text, header text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET intervalstyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
	nsps oid[];
	reserved CONSTANT text[] := ARRAY[
		'PrismaClient', 'Prisma', 'String', 'Boolean', 'Int', 'BigInt', 'Float', 'Decimal', 'DateTime',
		'Json', 'Bytes', 'Unsupported',
		'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
		'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements',
		'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private',
		'protected', 'public', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof',
		'var', 'void', 'while', 'with', 'yield'];
	type_names text[] := '{}';		-- models and enums
	model_of jsonb := '{}';			-- relid -> model name
	enum_of jsonb := '{}';			-- enum oid -> enum name
	field_of jsonb := '{}';			-- relid -> {attnum -> field name}
	taken jsonb := '{}';			-- relid -> [field names]
	ignored jsonb := '{}';			-- relid -> true when the model gets @@ignore
	lines jsonb := '{}';			-- relid -> [[name, type, attributes, doc]] of relation fields
	notes jsonb := '{}';			-- relid -> [comment lines]
	r record;
	c record;
	fk record;
	ix record;
	cand text;
	nm text;
	out text := '';
	body text;
	fl jsonb;
	w1 int;
	w2 int;
	i int;
	ty record;
	attrs text;
	doc text;
	cols text[];
	fcols text[];
	rcols text[];
	blocks text[];
	fwd text;
	back text;
	relname_attr text;
	pair_count int;
	one_to_one boolean;
	optional boolean;
	on_delete text;
	on_update text;
	n_models int := 0;
BEGIN
	SELECT pg_catalog.array_agg(n.oid ORDER BY pg_catalog.array_position(schemas, n.nspname))
	  INTO nsps
	  FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.=) ANY (schemas);

	out := header
		OPERATOR(pg_catalog.||) E'\ngenerator client {\n'
		OPERATOR(pg_catalog.||) E'  provider   = "prisma-client-js"\n'
		OPERATOR(pg_catalog.||) E'  output     = "../db/generated"\n'
		OPERATOR(pg_catalog.||) E'  engineType = "client"\n'
		OPERATOR(pg_catalog.||) E'}\n\n'
		OPERATOR(pg_catalog.||) E'datasource db {\n'
		OPERATOR(pg_catalog.||) E'  provider = "postgresql"\n'
		OPERATOR(pg_catalog.||) pg_catalog.format(E'  url      = env(%s)\n', tec_sovereignty.prisma_string(env_var))
		OPERATOR(pg_catalog.||) pg_catalog.format(E'  schemas  = [%s]\n',
			(SELECT pg_catalog.string_agg(tec_sovereignty.prisma_string(s), ', ' ORDER BY o)
			   FROM pg_catalog.unnest(schemas) WITH ORDINALITY u(s, o)))
		OPERATOR(pg_catalog.||) E'}\n';

	/*
	 * Type names: tables first, then enums; names that need no change are
	 * served first so that they keep them.
	 */
	FOR r IN
		SELECT cls.oid, cls.relname::text AS dbname, 'model' AS kind,
			   tec_sovereignty.prisma_ident(cls.relname) OPERATOR(pg_catalog.=) cls.relname AS valid,
			   pg_catalog.array_position(nsps, cls.relnamespace) AS nsp_pos
		  FROM pg_catalog.pg_class cls
		 WHERE cls.relnamespace OPERATOR(pg_catalog.=) ANY (nsps)
		   AND cls.relkind IN ('r', 'p') AND NOT cls.relispartition
		UNION ALL
		SELECT t.oid, t.typname::text, 'enum',
			   tec_sovereignty.prisma_ident(t.typname) OPERATOR(pg_catalog.=) t.typname,
			   pg_catalog.array_position(nsps, t.typnamespace)
		  FROM pg_catalog.pg_type t
		 WHERE t.typnamespace OPERATOR(pg_catalog.=) ANY (nsps) AND t.typtype OPERATOR(pg_catalog.=) 'e'
		 ORDER BY kind DESC, valid DESC, nsp_pos, dbname
	LOOP
		cand := tec_sovereignty.prisma_ident(r.dbname);
		IF cand OPERATOR(pg_catalog.=) '' THEN
			cand := CASE r.kind WHEN 'model' THEN 'Model' ELSE 'Enum' END;
		ELSIF cand OPERATOR(pg_catalog.=) ANY (reserved) THEN
			cand := 'Renamed' OPERATOR(pg_catalog.||) cand;
		END IF;
		nm := tec_sovereignty.prisma_unique_name(cand, type_names, true);
		type_names := type_names OPERATOR(pg_catalog.||) nm;
		IF r.kind OPERATOR(pg_catalog.=) 'model' THEN
			model_of := model_of OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.oid::text, nm);
		ELSE
			enum_of := enum_of OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.oid::text, nm);
		END IF;
	END LOOP;

	/* Scalar field names, per model: valid names first. */
	FOR r IN SELECT k::oid AS relid FROM pg_catalog.jsonb_object_keys(model_of) k LOOP
		fl := '{}';
		cols := '{}';
		FOR c IN
			SELECT a.attnum, a.attname::text AS attname
			  FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
			 ORDER BY tec_sovereignty.prisma_ident(a.attname) OPERATOR(pg_catalog.=) a.attname DESC, a.attnum
		LOOP
			cand := tec_sovereignty.prisma_ident(c.attname);
			IF cand OPERATOR(pg_catalog.=) '' THEN
				cand := 'field';
			END IF;
			nm := tec_sovereignty.prisma_unique_name(cand, cols, false);
			cols := cols OPERATOR(pg_catalog.||) nm;
			fl := fl OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(c.attnum::text, nm);
		END LOOP;
		field_of := field_of OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, fl);
		taken := taken OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, pg_catalog.to_jsonb(cols));
		lines := lines OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, '[]'::jsonb);
		notes := notes OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, '[]'::jsonb);
	END LOOP;

	/*
	 * Models Prisma Client cannot handle: no primary key and no unique
	 * index whose columns are all NOT NULL and of supported types.
	 */
	FOR r IN SELECT k::oid AS relid FROM pg_catalog.jsonb_object_keys(model_of) k LOOP
		IF NOT EXISTS (
			SELECT 1 FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisunique AND x.indexprs IS NULL AND x.indpred IS NULL
			   AND NOT EXISTS (
					SELECT 1 FROM pg_catalog.unnest(x.indkey::int2[]) k(attnum)
					  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
					 WHERE NOT a.attnotnull OR NOT (tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported)) THEN
			ignored := ignored OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, true);
		END IF;
	END LOOP;

	/*
	 * Relations: one per foreign key whose two tables are both written.
	 */
	FOR fk IN
		SELECT con.oid, con.conname::text AS conname, con.conrelid AS child, con.confrelid AS parent,
			   con.conkey, con.confkey, con.confdeltype, con.confupdtype,
			   model_of OPERATOR(pg_catalog.->>) (con.conrelid::text) AS child_model,
			   model_of OPERATOR(pg_catalog.->>) (con.confrelid::text) AS parent_model,
			   cc.relname::text AS child_table
		  FROM pg_catalog.pg_constraint con
		  JOIN pg_catalog.pg_class cc ON cc.oid OPERATOR(pg_catalog.=) con.conrelid
		 WHERE con.contype OPERATOR(pg_catalog.=) 'f'
		   AND model_of ? (con.conrelid::text)
		 ORDER BY model_of OPERATOR(pg_catalog.->>) (con.conrelid::text), con.conname
	LOOP
		IF fk.parent_model IS NULL THEN
			notes := pg_catalog.jsonb_set(notes, ARRAY[fk.child::text],
				(notes OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(
					pg_catalog.format('// foreign key %s references a table outside this schema.prisma and is not represented', tec_sovereignty.prisma_string(fk.conname))));
			CONTINUE;
		END IF;
		IF EXISTS (
			SELECT 1 FROM pg_catalog.unnest(fk.conkey) k(attnum)
			  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) fk.child AND a.attnum OPERATOR(pg_catalog.=) k.attnum
			 WHERE NOT (tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported) THEN
			notes := pg_catalog.jsonb_set(notes, ARRAY[fk.child::text],
				(notes OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(
					pg_catalog.format('// foreign key %s is on columns of unsupported types and is not represented', tec_sovereignty.prisma_string(fk.conname))));
			CONTINUE;
		END IF;

		SELECT pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[fk.child::text, k.attnum::text] ORDER BY k.o)
		  INTO fcols FROM pg_catalog.unnest(fk.conkey) WITH ORDINALITY k(attnum, o);
		SELECT pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[fk.parent::text, k.attnum::text] ORDER BY k.o)
		  INTO rcols FROM pg_catalog.unnest(fk.confkey) WITH ORDINALITY k(attnum, o);
		SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.o)
		  INTO cols
		  FROM pg_catalog.unnest(fk.conkey) WITH ORDINALITY k(attnum, o)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) fk.child AND a.attnum OPERATOR(pg_catalog.=) k.attnum;
		SELECT pg_catalog.bool_or(NOT a.attnotnull) INTO optional
		  FROM pg_catalog.unnest(fk.conkey) k(attnum)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) fk.child AND a.attnum OPERATOR(pg_catalog.=) k.attnum;
		-- One-to-one when the key columns are exactly a unique index's.
		SELECT EXISTS (
			SELECT 1 FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) fk.child AND x.indisunique AND x.indexprs IS NULL AND x.indpred IS NULL
			   AND (SELECT pg_catalog.array_agg(k ORDER BY k) FROM pg_catalog.unnest(x.indkey::int2[]) k)
				   OPERATOR(pg_catalog.=) (SELECT pg_catalog.array_agg(k ORDER BY k) FROM pg_catalog.unnest(fk.conkey) k))
		  INTO one_to_one;
		SELECT pg_catalog.count(*) INTO pair_count
		  FROM pg_catalog.pg_constraint con
		 WHERE con.contype OPERATOR(pg_catalog.=) 'f'
		   AND ((con.conrelid OPERATOR(pg_catalog.=) fk.child AND con.confrelid OPERATOR(pg_catalog.=) fk.parent)
				OR (con.conrelid OPERATOR(pg_catalog.=) fk.parent AND con.confrelid OPERATOR(pg_catalog.=) fk.child));

		-- The side holding the key.
		IF pg_catalog.array_length(fcols, 1) OPERATOR(pg_catalog.=) 1
		   AND fcols[1] OPERATOR(pg_catalog.~) '^[A-Za-z][A-Za-z0-9_]*?(Id|_id|ID)$' THEN
			cand := pg_catalog.regexp_replace(fcols[1], '(Id|_id|ID)$', '');
		ELSE
			cand := tec_sovereignty.prisma_lower_camel(fk.parent_model);
		END IF;
		fwd := tec_sovereignty.prisma_unique_name(cand,
			ARRAY(SELECT pg_catalog.jsonb_array_elements_text(taken OPERATOR(pg_catalog.->) (fk.child::text))), false);
		taken := pg_catalog.jsonb_set(taken, ARRAY[fk.child::text],
			(taken OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(fwd));

		-- The other side.
		IF one_to_one THEN
			cand := tec_sovereignty.prisma_lower_camel(fk.child_model);
		ELSE
			cand := tec_sovereignty.prisma_lower_camel(tec_sovereignty.prisma_plural(fk.child_model));
		END IF;
		IF pair_count OPERATOR(pg_catalog.>) 1 OR fk.child OPERATOR(pg_catalog.=) fk.parent THEN
			cand := cand OPERATOR(pg_catalog.||) pg_catalog.upper(pg_catalog.left(fwd, 1)) OPERATOR(pg_catalog.||) pg_catalog.substr(fwd, 2);
			relname_attr := tec_sovereignty.prisma_string(fk.conname) OPERATOR(pg_catalog.||) ', ';
		ELSE
			relname_attr := '';
		END IF;
		back := tec_sovereignty.prisma_unique_name(cand,
			ARRAY(SELECT pg_catalog.jsonb_array_elements_text(taken OPERATOR(pg_catalog.->) (fk.parent::text))), false);
		taken := pg_catalog.jsonb_set(taken, ARRAY[fk.parent::text],
			(taken OPERATOR(pg_catalog.->) (fk.parent::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(back));

		on_delete := CASE fk.confdeltype WHEN 'a' THEN 'NoAction' WHEN 'r' THEN 'Restrict' WHEN 'c' THEN 'Cascade'
										 WHEN 'n' THEN 'SetNull' WHEN 'd' THEN 'SetDefault' END;
		on_update := CASE fk.confupdtype WHEN 'a' THEN 'NoAction' WHEN 'r' THEN 'Restrict' WHEN 'c' THEN 'Cascade'
										 WHEN 'n' THEN 'SetNull' WHEN 'd' THEN 'SetDefault' END;
		attrs := pg_catalog.format('@relation(%sfields: [%s], references: [%s]',
			relname_attr, pg_catalog.array_to_string(fcols, ', '), pg_catalog.array_to_string(rcols, ', '));
		-- Prisma refuses SetNull on a required relation: leave the action
		-- to the database (it fails there at run time, as it would).
		IF NOT (on_delete OPERATOR(pg_catalog.=) 'SetNull' AND NOT optional) THEN
			attrs := attrs OPERATOR(pg_catalog.||) ', onDelete: ' OPERATOR(pg_catalog.||) on_delete;
		END IF;
		IF NOT (on_update OPERATOR(pg_catalog.=) 'SetNull' AND NOT optional) THEN
			attrs := attrs OPERATOR(pg_catalog.||) ', onUpdate: ' OPERATOR(pg_catalog.||) on_update;
		END IF;
		IF fk.conname OPERATOR(pg_catalog.<>) tec_sovereignty.prisma_default_constraint_name(fk.child_table, cols, 'fkey') THEN
			attrs := attrs OPERATOR(pg_catalog.||) ', map: ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_string(fk.conname);
		END IF;
		attrs := attrs OPERATOR(pg_catalog.||) ')';
		IF ignored ? (fk.parent::text) AND NOT ignored ? (fk.child::text) THEN
			attrs := attrs OPERATOR(pg_catalog.||) ' @ignore';
		END IF;
		lines := pg_catalog.jsonb_set(lines, ARRAY[fk.child::text],
			(lines OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||)
			pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(fwd,
				fk.parent_model OPERATOR(pg_catalog.||) CASE WHEN optional THEN '?' ELSE '' END, attrs, NULL)));

		attrs := CASE WHEN relname_attr OPERATOR(pg_catalog.<>) ''
					  THEN pg_catalog.format('@relation(%s)', tec_sovereignty.prisma_string(fk.conname)) ELSE '' END;
		IF ignored ? (fk.child::text) AND NOT ignored ? (fk.parent::text) THEN
			attrs := pg_catalog.ltrim(attrs OPERATOR(pg_catalog.||) ' @ignore');
		END IF;
		lines := pg_catalog.jsonb_set(lines, ARRAY[fk.parent::text],
			(lines OPERATOR(pg_catalog.->) (fk.parent::text)) OPERATOR(pg_catalog.||)
			pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(back,
				fk.child_model OPERATOR(pg_catalog.||) CASE WHEN one_to_one THEN '?' ELSE '[]' END, attrs, NULL)));
	END LOOP;

	/* Models, in the order of their names. */
	FOR r IN
		SELECT cls.oid AS relid, cls.relname::text AS tbl, n.nspname::text AS nsp,
			   model_of OPERATOR(pg_catalog.->>) (cls.oid::text) AS model,
			   pg_catalog.obj_description(cls.oid, 'pg_class') AS descr
		  FROM pg_catalog.pg_class cls
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) cls.relnamespace
		 WHERE model_of ? (cls.oid::text)
		 ORDER BY pg_catalog.array_position(nsps, cls.relnamespace), cls.relname
	LOOP
		n_models := n_models OPERATOR(pg_catalog.+) 1;
		fl := '[]';
		blocks := '{}';

		FOR c IN
			SELECT a.attnum, a.attname::text AS attname, a.atttypid, a.atttypmod, a.attnotnull,
				   a.attidentity, a.attgenerated,
				   pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS def,
				   pg_catalog.col_description(r.relid, a.attnum) AS descr,
				   field_of OPERATOR(pg_catalog.#>>) ARRAY[r.relid::text, a.attnum::text] AS field
			  FROM pg_catalog.pg_attribute a
			  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
			 WHERE a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
			 ORDER BY a.attnum
		LOOP
			SELECT * INTO ty FROM tec_sovereignty.prisma_type(c.atttypid, c.atttypmod, enum_of);
			attrs := '';
			-- @id for a one-column primary key.
			SELECT x.* INTO ix
			  FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisprimary
			   AND x.indnkeyatts OPERATOR(pg_catalog.=) 1 AND x.indkey[0] OPERATOR(pg_catalog.=) c.attnum;
			IF FOUND AND ty.supported THEN
				nm := (SELECT con.conname FROM pg_catalog.pg_constraint con WHERE con.conindid OPERATOR(pg_catalog.=) ix.indexrelid AND con.contype OPERATOR(pg_catalog.=) 'p');
				attrs := attrs OPERATOR(pg_catalog.||) CASE
					WHEN nm OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, '{}', 'pkey') THEN ' @id'
					ELSE pg_catalog.format(' @id(map: %s)', tec_sovereignty.prisma_string(nm)) END;
			END IF;
			-- @unique for the first one-column unique index on the column.
			SELECT x.indexrelid, (SELECT cl.relname::text FROM pg_catalog.pg_class cl WHERE cl.oid OPERATOR(pg_catalog.=) x.indexrelid) AS iname
			  INTO ix
			  FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisunique AND NOT x.indisprimary
			   AND x.indexprs IS NULL AND x.indpred IS NULL AND x.indnkeyatts OPERATOR(pg_catalog.=) 1
			   AND x.indnatts OPERATOR(pg_catalog.=) 1
			   AND x.indkey[0] OPERATOR(pg_catalog.=) c.attnum AND x.indoption[0] OPERATOR(pg_catalog.=) 0
			 ORDER BY 2 LIMIT 1;
			IF FOUND AND ty.supported THEN
				attrs := attrs OPERATOR(pg_catalog.||) CASE
					WHEN ix.iname OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, ARRAY[c.attname], 'key') THEN ' @unique'
					ELSE pg_catalog.format(' @unique(map: %s)', tec_sovereignty.prisma_string(ix.iname)) END;
			END IF;
			attrs := attrs OPERATOR(pg_catalog.||) COALESCE(' ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_default(
				c.def, ty.scalar, ty.is_list,
				CASE WHEN enum_of ? (c.atttypid::text) THEN c.atttypid END,
				c.attidentity, c.attgenerated), '');
			IF ty.scalar OPERATOR(pg_catalog.=) 'DateTime' AND NOT ty.is_list
			   AND c.attname IN ('updatedAt', 'updated_at') THEN
				attrs := attrs OPERATOR(pg_catalog.||) ' @updatedAt';
			END IF;
			IF c.field OPERATOR(pg_catalog.<>) c.attname THEN
				attrs := attrs OPERATOR(pg_catalog.||) pg_catalog.format(' @map(%s)', tec_sovereignty.prisma_string(c.attname));
			END IF;
			IF ty.native IS NOT NULL THEN
				attrs := attrs OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) ty.native;
			END IF;
			doc := c.descr;
			IF c.attgenerated OPERATOR(pg_catalog.=) 's' THEN
				doc := pg_catalog.concat_ws(E'\n', doc, 'Generated column: the database computes it; do not write it.');
			END IF;
			fl := fl OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(
				c.field,
				ty.scalar OPERATOR(pg_catalog.||) CASE WHEN ty.is_list THEN '[]' WHEN NOT c.attnotnull THEN '?' ELSE '' END,
				pg_catalog.ltrim(attrs), doc));
		END LOOP;
		fl := fl OPERATOR(pg_catalog.||) (lines OPERATOR(pg_catalog.->) (r.relid::text));

		-- @@id for a composite primary key.
		SELECT x.indexrelid, con.conname::text AS conname,
			   pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[r.relid::text, k.attnum::text] ORDER BY k.o) AS fields,
			   pg_catalog.array_agg(a.attname::text ORDER BY k.o) AS cols,
			   pg_catalog.bool_and((tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported) AS supported
		  INTO ix
		  FROM pg_catalog.pg_index x
		  JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) x.indexrelid AND con.contype OPERATOR(pg_catalog.=) 'p'
		  CROSS JOIN LATERAL pg_catalog.unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, o)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
		 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisprimary AND x.indnkeyatts OPERATOR(pg_catalog.>) 1
		 GROUP BY x.indexrelid, con.conname;
		IF FOUND AND ix.supported THEN
			blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@id([%s]%s)', pg_catalog.array_to_string(ix.fields, ', '),
				CASE WHEN ix.conname OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, '{}', 'pkey') THEN ''
					 ELSE ', map: ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_string(ix.conname) END);
		END IF;

		-- @@unique and @@index: plain column indexes (btree, or hash for
		-- non-unique ones); others are named in a comment.
		FOR ix IN
			SELECT x.indexrelid, cl.relname::text AS iname, x.indisunique, am.amname::text AS amname,
				   x.indexprs IS NULL AND x.indpred IS NULL AS plain,
				   pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[r.relid::text, k.attnum::text]
						OPERATOR(pg_catalog.||) CASE WHEN (x.indoption[k.o::int OPERATOR(pg_catalog.-) 1] OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1
												   THEN '(sort: Desc)' ELSE '' END ORDER BY k.o) AS fields,
				   pg_catalog.array_agg(a.attname::text ORDER BY k.o) AS cols,
				   pg_catalog.bool_and(COALESCE((tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported, false)) AS supported,
				   pg_catalog.bool_and(k.attnum OPERATOR(pg_catalog.>) 0) AS no_expr,
				   x.indnatts OPERATOR(pg_catalog.=) x.indnkeyatts AS no_include
			  FROM pg_catalog.pg_index x
			  JOIN pg_catalog.pg_class cl ON cl.oid OPERATOR(pg_catalog.=) x.indexrelid
			  JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) cl.relam
			  CROSS JOIN LATERAL pg_catalog.unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, o)
			  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND NOT x.indisprimary
			 GROUP BY x.indexrelid, cl.relname, x.indisunique, am.amname, x.indexprs, x.indpred, x.indnatts, x.indnkeyatts
			 ORDER BY x.indisunique DESC, cl.relname
		LOOP
			IF NOT (ix.plain AND ix.supported AND ix.no_expr AND ix.no_include)
			   OR ix.amname NOT IN ('btree', 'hash') OR (ix.indisunique AND ix.amname OPERATOR(pg_catalog.<>) 'btree') THEN
				blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('// index %s (%s) is not represented: Prisma cannot describe it',
					tec_sovereignty.prisma_string(ix.iname), ix.amname);
				CONTINUE;
			END IF;
			IF ix.indisunique AND pg_catalog.array_length(ix.fields, 1) OPERATOR(pg_catalog.=) 1
			   AND ix.fields[1] OPERATOR(pg_catalog.!~) '\(' THEN
				-- The first such index became @unique on the field above.
				CONTINUE WHEN ix.indexrelid OPERATOR(pg_catalog.=) (
					SELECT x2.indexrelid FROM pg_catalog.pg_index x2
					  JOIN pg_catalog.pg_class cl2 ON cl2.oid OPERATOR(pg_catalog.=) x2.indexrelid
					 WHERE x2.indrelid OPERATOR(pg_catalog.=) r.relid AND x2.indisunique AND NOT x2.indisprimary
					   AND x2.indexprs IS NULL AND x2.indpred IS NULL AND x2.indnkeyatts OPERATOR(pg_catalog.=) 1
					   AND x2.indnatts OPERATOR(pg_catalog.=) 1
					   AND x2.indkey[0] OPERATOR(pg_catalog.=) (SELECT a.attnum FROM pg_catalog.pg_attribute a
						   WHERE a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attname OPERATOR(pg_catalog.=) ix.cols[1])
					   AND x2.indoption[0] OPERATOR(pg_catalog.=) 0
					 ORDER BY cl2.relname LIMIT 1);
			END IF;
			blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@%s([%s]%s%s)',
				CASE WHEN ix.indisunique THEN 'unique' ELSE 'index' END,
				pg_catalog.array_to_string(ix.fields, ', '),
				CASE WHEN ix.iname OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, ix.cols,
							CASE WHEN ix.indisunique THEN 'key' ELSE 'idx' END) THEN ''
					 ELSE ', map: ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_string(ix.iname) END,
				CASE WHEN ix.amname OPERATOR(pg_catalog.=) 'hash' THEN ', type: Hash' ELSE '' END);
		END LOOP;

		IF r.model OPERATOR(pg_catalog.<>) r.tbl THEN
			blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@map(%s)', tec_sovereignty.prisma_string(r.tbl));
		END IF;
		IF ignored ? (r.relid::text) THEN
			blocks := blocks OPERATOR(pg_catalog.||) '@@ignore'::text;
		END IF;
		blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@schema(%s)', tec_sovereignty.prisma_string(r.nsp));

		-- Render, aligned the way `prisma format` aligns.
		SELECT pg_catalog.max(pg_catalog.length(e OPERATOR(pg_catalog.->>) 0)), pg_catalog.max(pg_catalog.length(e OPERATOR(pg_catalog.->>) 1))
		  INTO w1, w2 FROM pg_catalog.jsonb_array_elements(fl) e;
		body := '';
		IF r.descr IS NOT NULL THEN
			body := body OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg(pg_catalog.rtrim('/// ' OPERATOR(pg_catalog.||) l) OPERATOR(pg_catalog.||) E'\n', '')
												   FROM pg_catalog.regexp_split_to_table(r.descr, E'\r?\n') l);
		END IF;
		IF ignored ? (r.relid::text) THEN
			body := body OPERATOR(pg_catalog.||) E'/// The underlying table does not contain a valid unique identifier and can therefore currently not be handled by Prisma Client.\n';
		END IF;
		body := body OPERATOR(pg_catalog.||) pg_catalog.format(E'model %s {\n', r.model);
		FOR i IN 0 .. COALESCE(pg_catalog.jsonb_array_length(fl), 0) OPERATOR(pg_catalog.-) 1 LOOP
			IF fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 3 IS NOT NULL THEN
				body := body OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg(pg_catalog.rtrim('  /// ' OPERATOR(pg_catalog.||) l) OPERATOR(pg_catalog.||) E'\n', '')
													   FROM pg_catalog.regexp_split_to_table(fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 3, E'\r?\n') l);
			END IF;
			body := body OPERATOR(pg_catalog.||) pg_catalog.rtrim(pg_catalog.format('  %s %s %s',
				pg_catalog.rpad(fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 0, w1),
				pg_catalog.rpad(fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 1, w2),
				fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 2)) OPERATOR(pg_catalog.||) E'\n';
		END LOOP;
		IF pg_catalog.jsonb_array_length(notes OPERATOR(pg_catalog.->) (r.relid::text)) OPERATOR(pg_catalog.>) 0 THEN
			blocks := ARRAY(SELECT pg_catalog.jsonb_array_elements_text(notes OPERATOR(pg_catalog.->) (r.relid::text))) OPERATOR(pg_catalog.||) blocks;
		END IF;
		body := body OPERATOR(pg_catalog.||) E'\n'
			OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg('  ' OPERATOR(pg_catalog.||) b OPERATOR(pg_catalog.||) E'\n', '' ORDER BY o)
									   FROM pg_catalog.unnest(blocks) WITH ORDINALITY u(b, o))
			OPERATOR(pg_catalog.||) E'}\n';
		out := out OPERATOR(pg_catalog.||) E'\n' OPERATOR(pg_catalog.||) body;
	END LOOP;

	IF n_models OPERATOR(pg_catalog.=) 0 THEN
		out := out OPERATOR(pg_catalog.||) E'\n// No tables yet: create them (as the owner) and call this function again.\n';
	END IF;

	/* Enums. */
	FOR r IN
		SELECT t.oid, t.typname::text AS typname, n.nspname::text AS nsp,
			   enum_of OPERATOR(pg_catalog.->>) (t.oid::text) AS ename
		  FROM pg_catalog.pg_type t
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
		 WHERE enum_of ? (t.oid::text)
		 ORDER BY pg_catalog.array_position(nsps, t.typnamespace), t.typname
	LOOP
		body := pg_catalog.format(E'\nenum %s {\n', r.ename);
		body := body OPERATOR(pg_catalog.||) COALESCE((
			SELECT pg_catalog.string_agg(pg_catalog.rtrim(pg_catalog.format('  %s %s',
						pg_catalog.rpad(ev.value_name, ev.width::int),
						CASE WHEN ev.value_name OPERATOR(pg_catalog.<>) ev.label
							 THEN pg_catalog.format('@map(%s)', tec_sovereignty.prisma_string(ev.label)) ELSE '' END))
					OPERATOR(pg_catalog.||) E'\n', '' ORDER BY ev.ord)
			  FROM (SELECT e.*, e.sort_order AS ord,
						   pg_catalog.max(pg_catalog.length(e.value_name)) OVER () AS width
					  FROM tec_sovereignty.prisma_enum_values(r.oid) e) ev), '');
		body := body OPERATOR(pg_catalog.||) E'\n';
		IF r.ename OPERATOR(pg_catalog.<>) r.typname THEN
			body := body OPERATOR(pg_catalog.||) pg_catalog.format(E'  @@map(%s)\n', tec_sovereignty.prisma_string(r.typname));
		END IF;
		body := body OPERATOR(pg_catalog.||) pg_catalog.format(E'  @@schema(%s)\n}\n', tec_sovereignty.prisma_string(r.nsp));
		out := out OPERATOR(pg_catalog.||) body;
	END LOOP;

	RETURN out;
END
$$;

/*
 * The schema.prisma of a domain, or with NULL the shared one.
 */
CREATE FUNCTION pg_catalog.tec_prisma_schema(domain text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	schemas name[];
BEGIN
	IF domain IS NULL THEN
		SELECT pg_catalog.array_agg(s.name ORDER BY s.name OPERATOR(pg_catalog.<>) 'public', s.name) INTO schemas
		  FROM tec_sovereignty.shared_schema s
		  JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.name;
		IF schemas IS NULL THEN
			RAISE EXCEPTION 'no shared schema is registered'
				USING ERRCODE = 'undefined_object',
					  HINT = 'Register one with tec_register_shared_schema(''public'').';
		END IF;
		RETURN tec_sovereignty.prisma_schema_for(schemas, 'DATABASE_URL',
			pg_catalog.format(E'// Shared schema.prisma (schemas %s), generated by tec_sovereignty:\n'
				'//   psql -XAtc "SELECT tec_prisma_schema(NULL)" > prisma/schema.prisma\n'
				'// Connection: DATABASE_URL (see tec_connection_env()).  Domain tables are in\n'
				'// each domain''s own schema.prisma: tec_prisma_schema(''<domain>'').\n',
				pg_catalog.array_to_string(schemas, ', ')));
	END IF;

	d := tec_sovereignty.get_domain(domain);
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) d.schema_name) THEN
		RAISE EXCEPTION 'schema "%" of domain "%" does not exist', d.schema_name, d.name
			USING ERRCODE = 'invalid_schema_name';
	END IF;
	RETURN tec_sovereignty.prisma_schema_for(ARRAY[d.schema_name],
		pg_catalog.upper(d.name) OPERATOR(pg_catalog.||) '_DATABASE_URL',
		pg_catalog.format(E'// schema.prisma of domain %s (schema %s), generated by tec_sovereignty:\n'
			'//   psql -XAtc "SELECT tec_prisma_schema(''%s'')" > apps/%s/prisma/schema.prisma\n'
			'// Connect as a login role that is a member of the domain (e.g. %s_app);\n'
			'// the URL comes from %s_DATABASE_URL (see tec_connection_env()).\n',
			d.name, d.schema_name, d.name, d.name, d.name, pg_catalog.upper(d.name)));
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_prisma_schema(text) IS
	'schema.prisma of a domain (or, with NULL, of the shared schemas), generated from the catalogs';

/* Percent-encoding for the parts of a connection URL. */
CREATE FUNCTION tec_sovereignty.url_encode(s text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.string_agg(
		CASE WHEN ch OPERATOR(pg_catalog.~) '^[A-Za-z0-9_.~-]$' THEN ch
			 ELSE (SELECT pg_catalog.string_agg('%' OPERATOR(pg_catalog.||) pg_catalog.upper(pg_catalog.encode(pg_catalog.substring(b, i, 1), 'hex')), '')
					 FROM (SELECT pg_catalog.convert_to(ch, 'UTF8') AS b) x,
						  pg_catalog.generate_series(1, pg_catalog.length(pg_catalog.convert_to(ch, 'UTF8'))) i) END,
		'' ORDER BY o), '')
	  FROM pg_catalog.regexp_split_to_table(s, '') WITH ORDINALITY t(ch, o)
$$;

/*
 * Lines of an env file: one <DOMAIN>_DATABASE_URL per domain, then the
 * shared DATABASE_URL.  The login role is <domain>_app (shared: app) and
 * the password a placeholder; host and port are those of the current
 * connection (localhost over a Unix socket).
 */
CREATE FUNCTION pg_catalog.tec_connection_env()
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	host text := COALESCE(pg_catalog.host(pg_catalog.inet_server_addr()), 'localhost');
	hostport text;
	db text := tec_sovereignty.url_encode(pg_catalog.current_database());
	d record;
	shared text;
BEGIN
	IF host OPERATOR(pg_catalog.~) ':' THEN
		host := '[' OPERATOR(pg_catalog.||) host OPERATOR(pg_catalog.||) ']';
	END IF;
	hostport := host OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) pg_catalog.current_setting('port');
	RETURN NEXT '# Database URLs of the sovereign domains (generated by tec_connection_env()).';
	RETURN NEXT '# Each domain connects as its own login role, a member of the domain:';
	RETURN NEXT '#   CREATE ROLE <domain>_app LOGIN PASSWORD ''...'';';
	RETURN NEXT '#   SELECT tec_add_member(''<domain>'', ''<domain>_app'', ''writer'');';
	RETURN NEXT '# (migrations: a separate role added with ''owner'').  Replace CHANGE_ME with its password.';
	FOR d IN SELECT x.name, x.schema_name FROM tec_sovereignty.domain x ORDER BY x.name LOOP
		RETURN NEXT pg_catalog.format('%s_DATABASE_URL="postgresql://%s:CHANGE_ME@%s/%s?schema=%s"',
			pg_catalog.upper(d.name), tec_sovereignty.url_encode(d.name OPERATOR(pg_catalog.||) '_app'),
			hostport, db, tec_sovereignty.url_encode(d.schema_name));
	END LOOP;
	SELECT s.name INTO shared FROM tec_sovereignty.shared_schema s
	 ORDER BY s.name OPERATOR(pg_catalog.<>) 'public', s.name LIMIT 1;
	RETURN NEXT '# Shared tables (tec_prisma_schema(NULL)); a domain without its own URL falls back to';
	RETURN NEXT '# this one, whose role reaches no domain schema.';
	RETURN NEXT pg_catalog.format('DATABASE_URL="postgresql://app:CHANGE_ME@%s/%s?schema=%s"',
		hostport, db, tec_sovereignty.url_encode(COALESCE(shared, 'public')));
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_connection_env() IS
	'Env file lines: <DOMAIN>_DATABASE_URL for every domain, then the shared DATABASE_URL';

REVOKE ALL ON FUNCTION pg_catalog.tec_register_shared_schema(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_unregister_shared_schema(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_prisma_schema(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_connection_env() FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_ident(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_string(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_unique_name(text, text[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_lower_camel(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_plural(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_default_constraint_name(text, text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_enum_values(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_type(oid, integer, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_default(text, text, boolean, oid, "char", "char") FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_schema_for(name[], text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.url_encode(text) FROM PUBLIC;
