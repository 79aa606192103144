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
 * Export and transfer (src/export.c).
 *
 * tec_export_domain() is a C function that streams a psql script.  The
 * catalog walk that produces the script's DDL lives here, as SQL over the
 * system catalogs and the pg_get_*def() functions: export.c runs these
 * helpers through SPI inside the export's registered snapshot, as the
 * extension's owner, after its own permission checks, with search_path
 * pinned to pg_catalog so that every name outside pg_catalog comes out
 * schema-qualified and quoted (regclass/regprocedure/format_type output,
 * quote_ident).  The table data is produced by export.c itself.
 *
 * Sections of export_ddl() (sorted by section, k1, k2; < 70 come before
 * the data, >= 70 after it):
 *	 10 types			enums, ranges, composites, domains (creation order)
 *	 20 functions		those that need no relation of the domain
 *	 30 sequences		free-standing ones (identity sequences come with
 *						their column)
 *	 40 tables			parents before partitions
 *	 41 columns			storage, compression, statistics, options, replica
 *						identity FULL/NOTHING
 *	 45 OWNED BY
 *	 50 views, materialized views (WITH NO DATA) and the functions that
 *		depend on a relation, in dependency order
 *	 70 sequence values
 *	 80 primary key, unique and exclusion constraints
 *	 81 other indexes		 82 index partitions attached
 *	 83 foreign keys		 84 NOT VALID checks
 *	 85 triggers			 86 rules
 *	 87 row-level security	 88 REFRESH MATERIALIZED VIEW
 *	 90 comments			 95 privileges among the domain's roles
 *	 97 published APIs (hook)	 99 members, as comments
 * ------------------------------------------------------------------------ */

/*
 * Which of the domain's objects are "late": functions whose signature or
 * SQL-standard body needs a table, view or their row type, and so must be
 * created after the relations (and, for a view, in dependency order with
 * the views).  The others are created before the tables, so that defaults,
 * checks, generated columns and domain constraints can call them.
 */
CREATE FUNCTION tec_sovereignty.export_late_objects(nsp oid)
RETURNS TABLE (classid oid, objid oid, depth integer)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE late(classid, objid) AS (
		SELECT 'pg_class'::regclass::oid, c.oid
		  FROM pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind IN ('v', 'm')
		UNION ALL
		SELECT 'pg_proc'::regclass::oid, p.oid
		  FROM pg_proc p
		 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
		   AND (p.prosqlbody IS NOT NULL
				OR EXISTS (SELECT 1
							 FROM pg_depend d
							 JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) d.refobjid
							 LEFT JOIN pg_type e ON e.oid OPERATOR(pg_catalog.=) t.typelem
							 JOIN pg_class r ON r.oid OPERATOR(pg_catalog.=) COALESCE(NULLIF(t.typrelid, 0), e.typrelid)
							WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
							  AND d.objid OPERATOR(pg_catalog.=) p.oid
							  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_type'::regclass
							  AND r.relkind OPERATOR(pg_catalog.<>) 'c'))
	),
	-- dependencies between late objects, with a view's rule standing for
	-- the view and a row type for its relation
	edges AS (
		SELECT DISTINCT
			   CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass THEN 'pg_class'::regclass::oid ELSE d.classid END AS classid,
			   CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass THEN rw.ev_class ELSE d.objid END AS objid,
			   CASE WHEN t.typrelid OPERATOR(pg_catalog.<>) 0 THEN 'pg_class'::regclass::oid ELSE d.refclassid END AS refclassid,
			   CASE WHEN t.typrelid OPERATOR(pg_catalog.<>) 0 THEN t.typrelid ELSE d.refobjid END AS refobjid
		  FROM pg_depend d
		  LEFT JOIN pg_rewrite rw ON d.classid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass AND rw.oid OPERATOR(pg_catalog.=) d.objid
		  LEFT JOIN pg_type t ON d.refclassid OPERATOR(pg_catalog.=) 'pg_type'::regclass AND t.oid OPERATOR(pg_catalog.=) d.refobjid
		 WHERE d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass)
		   AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
	),
	late_edges AS (
		SELECT e.* FROM edges e
		  JOIN late a ON a.classid OPERATOR(pg_catalog.=) e.classid AND a.objid OPERATOR(pg_catalog.=) e.objid
		  JOIN late b ON b.classid OPERATOR(pg_catalog.=) e.refclassid AND b.objid OPERATOR(pg_catalog.=) e.refobjid
		 WHERE (e.classid, e.objid) OPERATOR(pg_catalog.<>) (e.refclassid, e.refobjid)
	),
	walk(classid, objid, depth) AS (
		SELECT l.classid, l.objid, 0 FROM late l
		UNION ALL
		SELECT e.classid, e.objid, w.depth OPERATOR(pg_catalog.+) 1
		  FROM late_edges e
		  JOIN walk w ON w.classid OPERATOR(pg_catalog.=) e.refclassid AND w.objid OPERATOR(pg_catalog.=) e.refobjid
		 WHERE w.depth OPERATOR(pg_catalog.<) 100
	)
	SELECT w.classid, w.objid, max(w.depth) FROM walk w GROUP BY 1, 2
$$;

/*
 * The statement that restores a sequence's position.  A sequence is read
 * outside any snapshot (sequences are not transactional), as pg_dump does.
 */
CREATE FUNCTION tec_sovereignty.export_setval(seq regclass)
RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v bigint;
	called boolean;
BEGIN
	EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO v, called;
	RETURN format('SELECT pg_catalog.setval(%L, %s, %s);', seq::text, v, CASE WHEN called THEN 'true' ELSE 'false' END);
END
$$;

/*
 * Privileges of one object, as REVOKE/GRANT statements among the domain's
 * own roles (and PUBLIC).  The object's ACL is rebuilt exactly, in the same
 * item order (the default privileges of the target domain would otherwise
 * add their own); grants to any other role are listed as comments, since
 * roles outside the domain are the new owner's business.
 */
CREATE FUNCTION tec_sovereignty.export_acl(kind text, ident text, acl aclitem[], d_owner name, d_writer name, d_reader name)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH items AS (
		SELECT x.grantee, x.privilege_type, x.is_grantable, o.n
		  FROM unnest(acl) WITH ORDINALITY AS o(item, n),
			   LATERAL aclexplode(ARRAY[o.item]) x
	),
	per AS (
		SELECT i.grantee, i.is_grantable, min(i.n) AS n,
			   string_agg(i.privilege_type, ', ' ORDER BY i.privilege_type) AS privs
		  FROM items i
		 GROUP BY i.grantee, i.is_grantable
	)
	SELECT format('REVOKE ALL ON %s %s FROM PUBLIC, %I, %I, %I;', kind, ident, d_owner, d_writer, d_reader)
		   OPERATOR(pg_catalog.||) COALESCE(string_agg(
			 CASE WHEN p.grantee OPERATOR(pg_catalog.=) 0 OR pg_get_userbyid(p.grantee) IN (d_owner, d_writer, d_reader)
				  THEN E'\n' ELSE E'\n-- not a role of the domain: ' END
			 OPERATOR(pg_catalog.||) format('GRANT %s ON %s %s TO %s%s;', p.privs, kind, ident,
					  CASE WHEN p.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(p.grantee)) END,
					  CASE WHEN p.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),
			 '' ORDER BY p.n, p.is_grantable), '')
	  FROM per p
$$;

/*
 * Objects of the domain's schema that depend on an object of another
 * domain's schema: what enforcement should have made impossible, and what
 * makes an export fail.
 */
CREATE FUNCTION tec_sovereignty.export_foreign_refs(nsp oid)
RETURNS TABLE (dependent text, referenced text, other_domain text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH ours(classid, objid) AS (
		SELECT 'pg_class'::regclass::oid, oid FROM pg_class WHERE relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_type'::regclass::oid, oid FROM pg_type WHERE typnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_proc'::regclass::oid, oid FROM pg_proc WHERE pronamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_constraint'::regclass::oid, oid FROM pg_constraint WHERE connamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_attrdef'::regclass::oid, ad.oid FROM pg_attrdef ad JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) ad.adrelid WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_rewrite'::regclass::oid, r.oid FROM pg_rewrite r JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_trigger'::regclass::oid, t.oid FROM pg_trigger t JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_policy'::regclass::oid, p.oid FROM pg_policy p JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
	),
	refs AS (
		SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid,
			   CASE d.refclassid
					WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_constraint'::regclass THEN (SELECT connamespace FROM pg_constraint WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_namespace'::regclass THEN d.refobjid
			   END AS refnsp
		  FROM pg_depend d
		  JOIN ours o ON o.classid OPERATOR(pg_catalog.=) d.classid AND o.objid OPERATOR(pg_catalog.=) d.objid
	)
	SELECT pg_describe_object(r.classid, r.objid, r.objsubid),
		   pg_describe_object(r.refclassid, r.refobjid, r.refobjsubid),
		   dom.name
	  FROM refs r
	  JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.refnsp
	  JOIN tec_sovereignty.domain dom ON dom.schema_name OPERATOR(pg_catalog.=) n.nspname
	 WHERE r.refnsp OPERATOR(pg_catalog.<>) nsp
	 ORDER BY 1, 2
$$;

/*
 * Objects the export cannot reproduce faithfully: it refuses them rather
 * than produce a script that silently differs.
 */
CREATE FUNCTION tec_sovereignty.export_unsupported(nsp oid)
RETURNS TABLE (object text, reason text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('table %s', c.oid::regclass), 'It inherits from another table (INHERITS); only declarative partitioning is supported'
	  FROM pg_class c
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND NOT c.relispartition
	   AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid)
	   AND c.relkind IN ('r', 'p')
	UNION ALL
	SELECT format('foreign table %s', c.oid::regclass), 'Foreign tables are not exported'
	  FROM pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind OPERATOR(pg_catalog.=) 'f'
	UNION ALL
	SELECT format('%s %s', CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END, p.oid::regprocedure),
		   CASE p.prokind WHEN 'a' THEN 'Aggregates are not exported' ELSE 'C-language functions are not exported' END
	  FROM pg_proc p
	 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
	   AND (p.prokind OPERATOR(pg_catalog.=) 'a' OR p.prolang OPERATOR(pg_catalog.=) (SELECT oid FROM pg_language WHERE lanname OPERATOR(pg_catalog.=) 'c'))
	UNION ALL
	SELECT format('type %s', format_type(t.oid, NULL)), 'Base and shell types are not exported'
	  FROM pg_type t
	 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp AND t.typtype IN ('b', 'p')
	   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray OPERATOR(pg_catalog.=) t.oid)
	UNION ALL
	SELECT pg_describe_object(d.classid, d.objid, 0), 'Objects of other kinds (operators, text search objects, collations, conversions, statistics objects, extensions) are not exported'
	  FROM pg_depend d
	 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_namespace'::regclass AND d.refobjid OPERATOR(pg_catalog.=) nsp
	   AND d.classid NOT IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass,
							 'pg_default_acl'::regclass)
	 ORDER BY 1
$$;

/*
 * The DDL of a domain's schema, as (section, k1, k2, statement) rows; see
 * the list of sections above.  Every statement ends with a semicolon.
 */
CREATE FUNCTION tec_sovereignty.export_ddl(nsp oid, d_owner name, d_writer name, d_reader name)
RETURNS TABLE (section integer, k1 bigint, k2 text, stmt text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH
rels AS (
	SELECT c.*, (SELECT count(*) FROM pg_partition_ancestors(c.oid)) AS pdepth
	  FROM pg_class c
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
),
late AS (SELECT * FROM tec_sovereignty.export_late_objects(nsp)),
cols AS (
	SELECT a.attrelid, a.attnum, a.attname, a.attnotnull, a.attidentity, a.attgenerated,
		   format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
		   OPERATOR(pg_catalog.||) CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0 AND a.attcollation OPERATOR(pg_catalog.<>) t.typcollation
				THEN (SELECT format(' COLLATE %I.%I', cn.nspname, co.collname)
						FROM pg_collation co JOIN pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
					   WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation)
				ELSE '' END AS typedef,
		   pg_get_expr(ad.adbin, ad.adrelid) AS defexpr,
		   (SELECT format('SEQUENCE NAME %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s',
						  s.seqrelid::regclass, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
						  CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
			  FROM pg_depend dp JOIN pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) dp.objid
			 WHERE dp.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_class'::regclass
			   AND dp.refobjid OPERATOR(pg_catalog.=) a.attrelid AND dp.refobjsubid OPERATOR(pg_catalog.=) a.attnum
			   AND dp.deptype OPERATOR(pg_catalog.=) 'i') AS identopts
	  FROM pg_attribute a
	  JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
	  LEFT JOIN pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
	 WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
),
coldefs AS (
	SELECT c.attrelid, c.attnum, c.attname,
		   c.typedef
		   OPERATOR(pg_catalog.||) CASE WHEN c.attidentity IN ('a', 'd')
					THEN format(' GENERATED %s AS IDENTITY (%s)', CASE c.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, c.identopts)
				WHEN c.attgenerated OPERATOR(pg_catalog.=) 's' THEN format(' GENERATED ALWAYS AS (%s) STORED', c.defexpr)
				WHEN c.defexpr IS NOT NULL THEN ' DEFAULT ' OPERATOR(pg_catalog.||) c.defexpr
				ELSE '' END
		   OPERATOR(pg_catalog.||) CASE WHEN c.attnotnull THEN ' NOT NULL' ELSE '' END AS def
	  FROM cols c
),
checks AS (
	SELECT co.conrelid, co.conname, format('CONSTRAINT %I %s', co.conname, pg_get_constraintdef(co.oid)) AS def
	  FROM pg_constraint co
	 WHERE co.conrelid IN (SELECT oid FROM rels) AND co.contype OPERATOR(pg_catalog.=) 'c'
	   AND co.convalidated AND co.conislocal
),
seqs AS (
	SELECT c.oid, c.relpersistence, s.*
	  FROM rels c JOIN pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) c.oid
	 WHERE c.relkind OPERATOR(pg_catalog.=) 'S'
),
out AS (
-- 10: types
SELECT 10 AS section, t.oid::bigint AS k1, ''::text AS k2,
	   CASE t.typtype
		WHEN 'e' THEN format('CREATE TYPE %s AS ENUM (%s);', format_type(t.oid, NULL),
					   COALESCE((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
								   FROM pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid), ''))
		WHEN 'c' THEN format('CREATE TYPE %s AS (%s);', format_type(t.oid, NULL),
					   COALESCE((SELECT string_agg(c.typedef, ', ' ORDER BY c.attnum) FROM cols c WHERE c.attrelid OPERATOR(pg_catalog.=) t.typrelid), ''))
		WHEN 'd' THEN format('CREATE DOMAIN %s AS %s%s%s%s%s;', format_type(t.oid, NULL), format_type(t.typbasetype, t.typtypmod),
					   CASE WHEN t.typcollation OPERATOR(pg_catalog.<>) 0 AND t.typcollation OPERATOR(pg_catalog.<>) bt.typcollation
							THEN (SELECT format(' COLLATE %I.%I', cn.nspname, co.collname)
									FROM pg_collation co JOIN pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
								   WHERE co.oid OPERATOR(pg_catalog.=) t.typcollation) ELSE '' END,
					   CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' OPERATOR(pg_catalog.||) t.typdefault ELSE '' END,
					   CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END,
					   COALESCE((SELECT string_agg(format(' CONSTRAINT %I %s', co.conname, pg_get_constraintdef(co.oid)), '' ORDER BY co.conname)
								   FROM pg_constraint co WHERE co.contypid OPERATOR(pg_catalog.=) t.oid AND co.contype OPERATOR(pg_catalog.=) 'c'), ''))
		WHEN 'r' THEN (SELECT format('CREATE TYPE %s AS RANGE (subtype = %s%s%s%s, multirange_type_name = %s);', format_type(t.oid, NULL),
							  format_type(r.rngsubtype, NULL),
							  CASE WHEN NOT oc.opcdefault THEN format(', subtype_opclass = %I.%I', ocn.nspname, oc.opcname) ELSE '' END,
							  CASE WHEN r.rngcollation OPERATOR(pg_catalog.<>) 0 AND r.rngcollation OPERATOR(pg_catalog.<>) st.typcollation
								   THEN (SELECT format(', collation = %I.%I', cn.nspname, co.collname)
										   FROM pg_collation co JOIN pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
										  WHERE co.oid OPERATOR(pg_catalog.=) r.rngcollation) ELSE '' END,
							  CASE WHEN r.rngsubdiff OPERATOR(pg_catalog.<>) 0 THEN format(', subtype_diff = %s', r.rngsubdiff::regproc) ELSE '' END,
							  format_type(r.rngmultitypid, NULL))
						 FROM pg_range r
						 JOIN pg_type st ON st.oid OPERATOR(pg_catalog.=) r.rngsubtype
						 JOIN pg_opclass oc ON oc.oid OPERATOR(pg_catalog.=) r.rngsubopc
						 JOIN pg_namespace ocn ON ocn.oid OPERATOR(pg_catalog.=) oc.opcnamespace
						WHERE r.rngtypid OPERATOR(pg_catalog.=) t.oid)
	   END AS stmt
  FROM pg_type t
  LEFT JOIN pg_type bt ON bt.oid OPERATOR(pg_catalog.=) t.typbasetype
 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp
   AND (t.typtype IN ('e', 'd', 'r')
		OR (t.typtype OPERATOR(pg_catalog.=) 'c' AND (SELECT relkind FROM pg_class WHERE oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'))

-- 20 and 50 (late): functions and procedures
UNION ALL
SELECT CASE WHEN l.objid IS NULL THEN 20 ELSE 50 END, COALESCE(l.depth, 0)::bigint, p.oid::regprocedure::text,
	   rtrim(pg_get_functiondef(p.oid), E' \n') OPERATOR(pg_catalog.||) ';'
  FROM pg_proc p
  LEFT JOIN late l ON l.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND l.objid OPERATOR(pg_catalog.=) p.oid
 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp AND p.prokind IN ('f', 'p', 'w')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
					  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')

-- 30: sequences (not identity sequences)
UNION ALL
SELECT 30, 0, s.oid::regclass::text,
	   format('CREATE %sSEQUENCE %s AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s;',
			  CASE WHEN s.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED ' ELSE '' END,
			  s.oid::regclass, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
			  CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
  FROM seqs s
 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass
					  AND d.objid OPERATOR(pg_catalog.=) s.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')

-- 40: tables, then partitions below their parents
UNION ALL
SELECT 40, c.pdepth, c.relname::text,
	   CASE WHEN NOT c.relispartition THEN
		   format('CREATE %sTABLE %s (%s)%s%s%s;',
				  CASE WHEN c.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED ' ELSE '' END,
				  c.oid::regclass,
				  COALESCE(E'\n    ' OPERATOR(pg_catalog.||) (
					SELECT string_agg(x.def, E',\n    ' ORDER BY x.o1, x.o2)
					  FROM (SELECT 1 AS o1, lpad(cd.attnum::text, 5, '0') AS o2, cd.def FROM coldefs cd WHERE cd.attrelid OPERATOR(pg_catalog.=) c.oid
							UNION ALL
							SELECT 2, ck.conname::text, ck.def FROM checks ck WHERE ck.conrelid OPERATOR(pg_catalog.=) c.oid) x
					) OPERATOR(pg_catalog.||) E'\n', ''),
				  CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN ' PARTITION BY ' OPERATOR(pg_catalog.||) pg_get_partkeydef(c.oid) ELSE '' END,
				  CASE WHEN am.amname IS NOT NULL AND am.amname OPERATOR(pg_catalog.<>) 'heap' THEN ' USING ' OPERATOR(pg_catalog.||) quote_ident(am.amname) ELSE '' END,
				  CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' OPERATOR(pg_catalog.||) array_to_string(c.reloptions, ', ') OPERATOR(pg_catalog.||) ')' ELSE '' END)
	   ELSE
		   format('CREATE %sTABLE %s PARTITION OF %s%s %s%s%s;',
				  CASE WHEN c.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED ' ELSE '' END,
				  c.oid::regclass,
				  (SELECT i.inhparent::regclass FROM pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid),
				  COALESCE(E' (\n    ' OPERATOR(pg_catalog.||) (
					SELECT string_agg(x.def, E',\n    ' ORDER BY x.o1, x.o2)
					  FROM (SELECT 1 AS o1, lpad(cc.attnum::text, 5, '0') AS o2,
								   format('%I WITH OPTIONS', cc.attname)
								   OPERATOR(pg_catalog.||) CASE WHEN cc.defexpr IS DISTINCT FROM pc.defexpr AND cc.defexpr IS NOT NULL AND cc.attgenerated OPERATOR(pg_catalog.=) ''
										THEN ' DEFAULT ' OPERATOR(pg_catalog.||) cc.defexpr ELSE '' END
								   OPERATOR(pg_catalog.||) CASE WHEN cc.attnotnull AND NOT pc.attnotnull THEN ' NOT NULL' ELSE '' END AS def
							  FROM cols cc
							  JOIN pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) cc.attrelid
							  JOIN cols pc ON pc.attrelid OPERATOR(pg_catalog.=) i.inhparent AND pc.attname OPERATOR(pg_catalog.=) cc.attname
							 WHERE cc.attrelid OPERATOR(pg_catalog.=) c.oid
							   AND ((cc.defexpr IS DISTINCT FROM pc.defexpr AND cc.defexpr IS NOT NULL AND cc.attgenerated OPERATOR(pg_catalog.=) '')
									OR (cc.attnotnull AND NOT pc.attnotnull))
							UNION ALL
							SELECT 2, ck.conname::text, ck.def FROM checks ck WHERE ck.conrelid OPERATOR(pg_catalog.=) c.oid) x
					) OPERATOR(pg_catalog.||) E'\n)', ''),
				  pg_get_expr(c.relpartbound, c.oid),
				  CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN ' PARTITION BY ' OPERATOR(pg_catalog.||) pg_get_partkeydef(c.oid) ELSE '' END,
				  CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' OPERATOR(pg_catalog.||) array_to_string(c.reloptions, ', ') OPERATOR(pg_catalog.||) ')' ELSE '' END)
	   END
  FROM rels c
  LEFT JOIN pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam
 WHERE c.relkind IN ('r', 'p')

-- 41: column and table properties
UNION ALL
SELECT 41, c.pdepth, format('%s %s', c.relname, a.attnum),
	   concat_ws(E'\n',
		 CASE WHEN a.attstorage OPERATOR(pg_catalog.<>) t.typstorage
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s;', c.oid::regclass, a.attname,
						  CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END) END,
		 CASE WHEN a.attcompression OPERATOR(pg_catalog.<>) ''
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET COMPRESSION %s;', c.oid::regclass, a.attname,
						  CASE a.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END) END,
		 CASE WHEN a.attstattarget OPERATOR(pg_catalog.>=) 0
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STATISTICS %s;', c.oid::regclass, a.attname, a.attstattarget) END,
		 CASE WHEN o.opts OPERATOR(pg_catalog.<>) ''
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET (%s);', c.oid::regclass, a.attname, o.opts) END)
  FROM rels c
  JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
  -- pg_attver is the server's own bookkeeping (pg_dump leaves it out too)
  CROSS JOIN LATERAL (SELECT COALESCE(string_agg(x, ', '), '') AS opts
						FROM unnest(a.attoptions) x WHERE x OPERATOR(pg_catalog.!~~) 'pg\_attver=%') o
 WHERE c.relkind IN ('r', 'p', 'm')
   AND (a.attstorage OPERATOR(pg_catalog.<>) t.typstorage OR a.attcompression OPERATOR(pg_catalog.<>) ''
		OR a.attstattarget OPERATOR(pg_catalog.>=) 0 OR o.opts OPERATOR(pg_catalog.<>) '')
UNION ALL
SELECT 41, c.pdepth, c.relname::text,
	   format('ALTER TABLE ONLY %s REPLICA IDENTITY %s;', c.oid::regclass, CASE c.relreplident WHEN 'f' THEN 'FULL' ELSE 'NOTHING' END)
  FROM rels c
 WHERE c.relkind IN ('r', 'p') AND c.relreplident IN ('f', 'n')

-- 45: sequences owned by a column
UNION ALL
SELECT 45, 0, s.oid::regclass::text,
	   format('ALTER SEQUENCE %s OWNED BY %s.%I;', s.oid::regclass, d.refobjid::regclass, a.attname)
  FROM seqs s
  JOIN pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND d.objid OPERATOR(pg_catalog.=) s.oid
				  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND d.deptype OPERATOR(pg_catalog.=) 'a'
  JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid

-- 50: views and materialized views, in dependency order with the late functions
UNION ALL
SELECT 50, l.depth::bigint, c.oid::regclass::text,
	   CASE c.relkind
		WHEN 'v' THEN format(E'CREATE VIEW %s%s AS\n%s', c.oid::regclass,
							 CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' OPERATOR(pg_catalog.||) array_to_string(c.reloptions, ', ') OPERATOR(pg_catalog.||) ')' ELSE '' END,
							 pg_get_viewdef(c.oid))
		ELSE format(E'CREATE MATERIALIZED VIEW %s%s%s AS\n%s\n  WITH NO DATA;', c.oid::regclass,
					CASE WHEN am.amname IS NOT NULL AND am.amname OPERATOR(pg_catalog.<>) 'heap' THEN ' USING ' OPERATOR(pg_catalog.||) quote_ident(am.amname) ELSE '' END,
					CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' OPERATOR(pg_catalog.||) array_to_string(c.reloptions, ', ') OPERATOR(pg_catalog.||) ')' ELSE '' END,
					rtrim(pg_get_viewdef(c.oid), ';'))
	   END
  FROM rels c
  JOIN late l ON l.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND l.objid OPERATOR(pg_catalog.=) c.oid
  LEFT JOIN pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam

-- 70: sequence positions
UNION ALL
SELECT 70, 0, s.oid::regclass::text, tec_sovereignty.export_setval(s.oid) FROM seqs s

-- 80: primary key, unique and exclusion constraints (ONLY: partitions get theirs below, then are attached)
UNION ALL
SELECT 80, c.pdepth, format('%s %s', c.relname, co.conname),
	   format('ALTER TABLE ONLY %s ADD CONSTRAINT %I %s;', c.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
  FROM rels c JOIN pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) c.oid
 WHERE co.contype IN ('p', 'u', 'x')

-- 81: other indexes; 82: index partitions attached to their parent index
UNION ALL
SELECT 81, c.pdepth, format('%s %s', c.relname, ic.relname),
	   pg_get_indexdef(i.indexrelid) OPERATOR(pg_catalog.||) ';'
	   OPERATOR(pg_catalog.||) CASE WHEN i.indisclustered THEN format(E'\nALTER TABLE %s CLUSTER ON %I;', c.oid::regclass, ic.relname) ELSE '' END
  FROM rels c
  JOIN pg_index i ON i.indrelid OPERATOR(pg_catalog.=) c.oid
  JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid OPERATOR(pg_catalog.=) i.indexrelid
					 AND co.conrelid OPERATOR(pg_catalog.=) c.oid AND co.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT 82, (SELECT count(*) FROM pg_partition_ancestors(i.inhrelid)), i.inhrelid::regclass::text,
	   format('ALTER INDEX %s ATTACH PARTITION %s;', i.inhparent::regclass, i.inhrelid::regclass)
  FROM pg_inherits i
  JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.inhrelid
 WHERE ic.relnamespace OPERATOR(pg_catalog.=) nsp AND ic.relkind IN ('i', 'I')
UNION ALL
SELECT 82, 1000, c.relname::text,
	   format('ALTER TABLE ONLY %s REPLICA IDENTITY USING INDEX %I;', c.oid::regclass, ic.relname)
  FROM rels c
  JOIN pg_index i ON i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisreplident
  JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
 WHERE c.relreplident OPERATOR(pg_catalog.=) 'i'

-- 83: foreign keys (those a partition inherits come with its parent's)
UNION ALL
SELECT 83, c.pdepth, format('%s %s', c.relname, co.conname),
	   format('ALTER TABLE %s%s ADD CONSTRAINT %I %s;', CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END,
			  c.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
  FROM rels c JOIN pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) c.oid
 WHERE co.contype OPERATOR(pg_catalog.=) 'f' AND co.conparentid OPERATOR(pg_catalog.=) 0

-- 84: check constraints not validated (added after the data, as NOT VALID)
UNION ALL
SELECT 84, c.pdepth, format('%s %s', c.relname, co.conname),
	   format('ALTER TABLE %s%s ADD CONSTRAINT %I %s;', CASE WHEN co.connoinherit THEN 'ONLY ' ELSE '' END,
			  c.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
  FROM rels c JOIN pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) c.oid
 WHERE co.contype OPERATOR(pg_catalog.=) 'c' AND NOT co.convalidated AND co.conislocal

-- 85: triggers (not internal ones, not the clones a partition inherits)
UNION ALL
SELECT 85, c.pdepth, format('%s %s', c.relname, tg.tgname),
	   pg_get_triggerdef(tg.oid) OPERATOR(pg_catalog.||) ';'
	   OPERATOR(pg_catalog.||) CASE tg.tgenabled
			WHEN 'D' THEN format(E'\nALTER TABLE %s DISABLE TRIGGER %I;', c.oid::regclass, tg.tgname)
			WHEN 'R' THEN format(E'\nALTER TABLE %s ENABLE REPLICA TRIGGER %I;', c.oid::regclass, tg.tgname)
			WHEN 'A' THEN format(E'\nALTER TABLE %s ENABLE ALWAYS TRIGGER %I;', c.oid::regclass, tg.tgname)
			ELSE '' END
  FROM rels c JOIN pg_trigger tg ON tg.tgrelid OPERATOR(pg_catalog.=) c.oid
 WHERE NOT tg.tgisinternal AND tg.tgparentid OPERATOR(pg_catalog.=) 0

-- 86: rules other than views' own
UNION ALL
SELECT 86, 0, format('%s %s', c.relname, rw.rulename), pg_get_ruledef(rw.oid)
  FROM rels c JOIN pg_rewrite rw ON rw.ev_class OPERATOR(pg_catalog.=) c.oid
 WHERE rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'

-- 87: row-level security
UNION ALL
SELECT 87, 0, c.relname::text,
	   concat_ws(E'\n',
		 CASE WHEN c.relrowsecurity THEN format('ALTER TABLE ONLY %s ENABLE ROW LEVEL SECURITY;', c.oid::regclass) END,
		 CASE WHEN c.relforcerowsecurity THEN format('ALTER TABLE ONLY %s FORCE ROW LEVEL SECURITY;', c.oid::regclass) END)
  FROM rels c
 WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
UNION ALL
SELECT 87, 1, format('%s %s', c.relname, po.polname),
	   format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s;', po.polname, c.oid::regclass,
			  CASE WHEN po.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
			  CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
			  (SELECT string_agg(CASE WHEN r.r OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.r)) END, ', ' ORDER BY r.n)
				 FROM unnest(po.polroles) WITH ORDINALITY AS r(r, n)),
			  CASE WHEN po.polqual IS NOT NULL THEN format(' USING (%s)', pg_get_expr(po.polqual, po.polrelid)) ELSE '' END,
			  CASE WHEN po.polwithcheck IS NOT NULL THEN format(' WITH CHECK (%s)', pg_get_expr(po.polwithcheck, po.polrelid)) ELSE '' END)
  FROM rels c JOIN pg_policy po ON po.polrelid OPERATOR(pg_catalog.=) c.oid

-- 88: materialized views filled, in dependency order
UNION ALL
SELECT 88, l.depth::bigint, c.oid::regclass::text, format('REFRESH MATERIALIZED VIEW %s;', c.oid::regclass)
  FROM rels c
  JOIN late l ON l.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND l.objid OPERATOR(pg_catalog.=) c.oid
 WHERE c.relkind OPERATOR(pg_catalog.=) 'm' AND c.relispopulated

-- 90: comments
UNION ALL
SELECT 90, 0, x.target, format('COMMENT ON %s IS %s;', x.target, quote_literal(x.description))
  FROM (
	SELECT CASE WHEN d.objsubid OPERATOR(pg_catalog.<>) 0
				THEN format('COLUMN %s.%I', c.oid::regclass, (SELECT attname FROM pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) c.oid AND attnum OPERATOR(pg_catalog.=) d.objsubid))
				ELSE format('%s %s', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
											 WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
							CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'c' THEN format_type(c.reltype, NULL) ELSE c.oid::regclass::text END)
		   END AS target, d.description
	  FROM pg_description d JOIN rels c ON c.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_class'::regclass
	UNION ALL
	SELECT format('%s %s', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, format_type(t.oid, NULL)), d.description
	  FROM pg_description d JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_type'::regclass AND t.typnamespace OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT format('ROUTINE %s', p.oid::regprocedure), d.description
	  FROM pg_description d JOIN pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND p.pronamespace OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT CASE WHEN co.conrelid OPERATOR(pg_catalog.<>) 0 THEN format('CONSTRAINT %I ON %s', co.conname, co.conrelid::regclass)
				ELSE format('CONSTRAINT %I ON DOMAIN %s', co.conname, format_type(co.contypid, NULL)) END, d.description
	  FROM pg_description d JOIN pg_constraint co ON co.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_constraint'::regclass AND co.connamespace OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT format('TRIGGER %I ON %s', tg.tgname, c.oid::regclass), d.description
	  FROM pg_description d JOIN pg_trigger tg ON tg.oid OPERATOR(pg_catalog.=) d.objoid JOIN rels c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_trigger'::regclass
	UNION ALL
	SELECT format('POLICY %I ON %s', po.polname, c.oid::regclass), d.description
	  FROM pg_description d JOIN pg_policy po ON po.oid OPERATOR(pg_catalog.=) d.objoid JOIN rels c ON c.oid OPERATOR(pg_catalog.=) po.polrelid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_policy'::regclass
	UNION ALL
	SELECT format('RULE %I ON %s', rw.rulename, c.oid::regclass), d.description
	  FROM pg_description d JOIN pg_rewrite rw ON rw.oid OPERATOR(pg_catalog.=) d.objoid JOIN rels c ON c.oid OPERATOR(pg_catalog.=) rw.ev_class
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass AND rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'
	UNION ALL
	SELECT format('SCHEMA %I', n.nspname), d.description
	  FROM pg_description d JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_namespace'::regclass AND n.oid OPERATOR(pg_catalog.=) nsp
  ) x

-- 95: privileges among the domain's roles
UNION ALL
SELECT 95, 0, format('%s %s', x.kind, x.ident), tec_sovereignty.export_acl(x.kind, x.ident, x.acl, d_owner, d_writer, d_reader)
  FROM (
	SELECT 'SCHEMA' AS kind, quote_ident(n.nspname) AS ident, COALESCE(n.nspacl, acldefault('n', n.nspowner)) AS acl
	  FROM pg_namespace n WHERE n.oid OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass::text,
		   COALESCE(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
	  FROM rels c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
	UNION ALL
	SELECT 'ROUTINE', p.oid::regprocedure::text, COALESCE(p.proacl, acldefault('f', p.proowner))
	  FROM pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp AND p.prokind IN ('f', 'p', 'w')
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
						  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
					  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')
	UNION ALL
	SELECT 'TYPE', format_type(t.oid, NULL), COALESCE(t.typacl, acldefault('T', t.typowner))
	  FROM pg_type t
	 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp
	   AND (t.typtype IN ('e', 'd', 'r')
			OR (t.typtype OPERATOR(pg_catalog.=) 'c' AND (SELECT relkind FROM pg_class WHERE oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'))
  ) x
UNION ALL
SELECT 95, 1, format('%s %s', c.relname, a.attnum),
	   (SELECT string_agg(
				 CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 OR pg_get_userbyid(x.grantee) IN (d_owner, d_writer, d_reader)
					  THEN '' ELSE '-- not a role of the domain: ' END
				 OPERATOR(pg_catalog.||) format('GRANT %s (%I) ON TABLE %s TO %s%s;', x.privilege_type, a.attname, c.oid::regclass,
						  CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
						  CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),
				 E'\n' ORDER BY x.n)
		  FROM (SELECT e.*, o.n FROM unnest(a.attacl) WITH ORDINALITY o(item, n), LATERAL aclexplode(ARRAY[o.item]) e) x)
  FROM rels c
  JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
 WHERE a.attacl IS NOT NULL

-- 97: published APIs.
-- TODO(merge): when the published-API catalog (tec_publish_api) lands,
-- emit one tec_publish_api(fn, to_domain) call per API of this domain here.

-- 99: members, as comments (login roles are the new owner's business)
UNION ALL
SELECT 99, 0, format('%s %s', m.rolname, g.rolname),
	   format('-- member: GRANT %I TO %I;', g.rolname, m.rolname)
	   OPERATOR(pg_catalog.||) CASE WHEN EXISTS (
			SELECT 1 FROM pg_db_role_setting s
			 WHERE s.setrole OPERATOR(pg_catalog.=) m.oid
			   AND s.setdatabase OPERATOR(pg_catalog.=) (SELECT oid FROM pg_database WHERE datname OPERATOR(pg_catalog.=) current_database())
			   AND format('role=%s', d_owner) OPERATOR(pg_catalog.=) ANY (s.setconfig))
		 THEN format(E'\n-- member: ALTER ROLE %I SET role = %I;  (acts as the domain owner)', m.rolname, d_owner) ELSE '' END
  FROM pg_roles g
  JOIN pg_auth_members am ON am.roleid OPERATOR(pg_catalog.=) g.oid
  JOIN pg_roles m ON m.oid OPERATOR(pg_catalog.=) am.member
 WHERE g.rolname IN (d_owner, d_writer, d_reader)
   AND m.rolname NOT IN (d_owner, d_writer, d_reader)
)
SELECT o.section, o.k1, o.k2, o.stmt FROM out o WHERE o.stmt IS NOT NULL AND o.stmt OPERATOR(pg_catalog.<>) ''
 ORDER BY o.section, o.k1, o.k2 COLLATE "C", o.stmt COLLATE "C"
$$;

/*
 * Used by an export script, right after tec_create_domain(): the registry
 * settings that travel with a domain (its template name, enforcement mode
 * and audit level).  The template's DDL is not run again: the script
 * recreates the domain's objects itself.
 */
CREATE FUNCTION tec_sovereignty.import_domain_settings(domain text, template text, enforcement text, audit_level text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
BEGIN
	UPDATE tec_sovereignty.domain x
	   SET template = import_domain_settings.template,
		   enforcement = COALESCE(import_domain_settings.enforcement, x.enforcement),
		   audit_level = import_domain_settings.audit_level
	 WHERE x.name OPERATOR(pg_catalog.=) d.name;
END
$$;

/* ------------------------------------------------------------------------
 * Export functions (C).
 * ------------------------------------------------------------------------ */

CREATE FUNCTION pg_catalog.tec_export_domain(domain text, with_data boolean DEFAULT true, with_audit boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tsov_export_domain';
COMMENT ON FUNCTION pg_catalog.tec_export_domain(text, boolean, boolean) IS
	'Stream a psql script that recreates a domain (schema, objects, data) on another server: psql -XAt -c "SELECT tec_export_domain(''life'')" > life.sql';

/*
 * sha256 of the export script, exactly as psql -XAt writes it to a file
 * (each value followed by a newline), and its size in bytes, computed in
 * the server without sending the script anywhere.
 */
CREATE FUNCTION tec_sovereignty.export_checksum(domain text, OUT sha256 text, OUT bytes bigint)
RETURNS record
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tsov_export_checksum';

/* ------------------------------------------------------------------------
 * Transfer: freeze, complete, cancel.
 *
 * A transfer moves a domain to a new owner on another server:
 *	 1. tec_transfer_domain(d, to_owner, destination): the domain becomes
 *		'transferring' (enforcement refuses writes and DDL, reads work);
 *	 2. the DBA exports it (psql -XAt -c "SELECT tec_export_domain('d')" >
 *		d.sql), ships d.sql and imports it at the destination;
 *	 3. tec_complete_transfer(d [, sha256]): the domain becomes
 *		'transferred' (every access refused except export); the export is
 *		recomputed in the server and its sha256 recorded, and compared with
 *		the shipped file's checksum when one is given (sha256sum d.sql);
 *	 4. tec_drop_domain(d, force => true) removes it when the DBA is ready.
 *	 tec_cancel_transfer(d) returns a 'transferring' domain to 'active'.
 * The transfer table keeps the history (one row per transfer).
 * ------------------------------------------------------------------------ */

CREATE TABLE tec_sovereignty.transfer (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	domain		text NOT NULL,
	from_owner	name NOT NULL,
	to_owner	text NOT NULL,
	destination text NOT NULL,
	state		text NOT NULL DEFAULT 'transferring'
				CHECK (state IN ('transferring', 'transferred', 'cancelled')),
	started_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	started_by	name NOT NULL DEFAULT SESSION_USER,
	completed_at timestamptz,
	cancelled_at timestamptz,
	export_sha256 text,
	export_bytes bigint,
	CHECK ((state OPERATOR(pg_catalog.=) 'transferred') OPERATOR(pg_catalog.=) (completed_at IS NOT NULL)),
	CHECK ((state OPERATOR(pg_catalog.=) 'cancelled') OPERATOR(pg_catalog.=) (cancelled_at IS NOT NULL))
);
CREATE UNIQUE INDEX transfer_one_open ON tec_sovereignty.transfer (domain)
	WHERE state OPERATOR(pg_catalog.=) 'transferring';
COMMENT ON TABLE tec_sovereignty.transfer IS
	'Domain transfers: who, to whom, where, when, and the checksum of the export that travelled';

SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.transfer', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tec_sovereignty.transfer', 'id'), '');

CREATE FUNCTION pg_catalog.tec_transfer_domain(domain text, to_owner text, destination text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
	t tec_sovereignty.transfer;
	new_id bigint;
BEGIN
	IF to_owner IS NULL OR destination IS NULL THEN
		RAISE EXCEPTION 'to_owner and destination must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Name the new owner and where the domain goes, e.g. tec_transfer_domain(''life'', ''Life Inc.'', ''db.life.example:5432/life'').';
	END IF;
	IF btrim(to_owner) OPERATOR(pg_catalog.=) '' OR btrim(destination) OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'to_owner and destination must not be empty'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF d.state OPERATOR(pg_catalog.<>) 'active' THEN
		SELECT * INTO t FROM tec_sovereignty.transfer x
		 WHERE x.domain OPERATOR(pg_catalog.=) d.name ORDER BY x.id DESC LIMIT 1;
		RAISE EXCEPTION 'domain "%" is already %', d.name, d.state
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = CASE WHEN t.id IS NOT NULL
							THEN format('It is being or was transferred to "%s" at "%s".', t.to_owner, t.destination)
							ELSE 'The registry marks it so, with no transfer recorded.' END,
				  HINT = CASE d.state WHEN 'transferring'
							THEN format('Complete it with tec_complete_transfer(%L) or cancel it with tec_cancel_transfer(%L).', d.name, d.name)
							ELSE format('A transferred domain can only be exported or dropped: tec_drop_domain(%L, force => true).', d.name) END;
	END IF;

	INSERT INTO tec_sovereignty.transfer (domain, from_owner, to_owner, destination)
	VALUES (d.name, d.owner_role, to_owner, destination)
	RETURNING id INTO new_id;
	UPDATE tec_sovereignty.domain x SET state = 'transferring' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	-- TODO(merge): audit event TRANSFER_START (domain, new_id, to_owner, destination)
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_transfer_domain(text, text, text) IS
	'Start a domain transfer: record it and freeze the domain (reads only) until it is completed or cancelled';

CREATE FUNCTION pg_catalog.tec_complete_transfer(domain text, export_sha256 text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
	t tec_sovereignty.transfer;
	sum record;
BEGIN
	SELECT * INTO t FROM tec_sovereignty.transfer x
	 WHERE x.domain OPERATOR(pg_catalog.=) d.name AND x.state OPERATOR(pg_catalog.=) 'transferring';
	IF d.state OPERATOR(pg_catalog.<>) 'transferring' OR t.id IS NULL THEN
		RAISE EXCEPTION 'domain "%" is not being transferred', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Its state is "%s".', d.state),
				  HINT = CASE WHEN d.state OPERATOR(pg_catalog.=) 'transferred'
							THEN 'Its transfer was completed already.'
							ELSE format('Start a transfer first with tec_transfer_domain(%L, to_owner, destination).', d.name) END;
	END IF;
	IF export_sha256 IS NOT NULL AND export_sha256 OPERATOR(pg_catalog.!~) '^[0-9a-f]{64}$' THEN
		RAISE EXCEPTION 'invalid sha256 checksum "%"', left(export_sha256, 80)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the 64 lowercase hexadecimal digits printed by: sha256sum <domain>.sql';
	END IF;

	-- The domain is frozen: the export computed now is the one that was
	-- shipped, byte for byte.
	SELECT * INTO sum FROM tec_sovereignty.export_checksum(d.name);
	IF export_sha256 IS NOT NULL AND export_sha256 OPERATOR(pg_catalog.<>) sum.sha256 THEN
		RAISE EXCEPTION 'export checksum of domain "%" does not match', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The shipped file has sha256 %s; the domain exports as %s (%s bytes).', export_sha256, sum.sha256, sum.bytes),
				  HINT = 'Export the domain again (it is frozen), ship that file and import it; the transfer stays open.';
	END IF;

	UPDATE tec_sovereignty.transfer x
	   SET state = 'transferred', completed_at = pg_catalog.now(),
		   export_sha256 = sum.sha256, export_bytes = sum.bytes
	 WHERE x.id OPERATOR(pg_catalog.=) t.id;
	UPDATE tec_sovereignty.domain x SET state = 'transferred' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	-- TODO(merge): audit event TRANSFER_COMPLETE (domain, t.id, sha256, bytes)
	RETURN sum.sha256;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_complete_transfer(text, text) IS
	'Complete a domain transfer: record the export checksum (checked against the shipped file''s when given) and mark the domain transferred';

CREATE FUNCTION pg_catalog.tec_cancel_transfer(domain text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
BEGIN
	IF d.state OPERATOR(pg_catalog.<>) 'transferring' THEN
		RAISE EXCEPTION 'domain "%" is not being transferred', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Its state is "%s".', d.state),
				  HINT = CASE WHEN d.state OPERATOR(pg_catalog.=) 'transferred'
							THEN 'A completed transfer cannot be cancelled: import the export back if the domain must live here again.'
							ELSE format('There is no transfer of domain "%s" to cancel.', d.name) END;
	END IF;
	UPDATE tec_sovereignty.transfer x
	   SET state = 'cancelled', cancelled_at = pg_catalog.now()
	 WHERE x.domain OPERATOR(pg_catalog.=) d.name AND x.state OPERATOR(pg_catalog.=) 'transferring';
	UPDATE tec_sovereignty.domain x SET state = 'active' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	-- TODO(merge): audit event TRANSFER_CANCEL (domain)
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_cancel_transfer(text) IS
	'Cancel a domain transfer under way: the domain is active again';

REVOKE ALL ON FUNCTION pg_catalog.tec_export_domain(text, boolean, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_transfer_domain(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_complete_transfer(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_cancel_transfer(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_checksum(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_late_objects(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_setval(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_acl(text, text, aclitem[], name, name, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_foreign_refs(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_unsupported(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_ddl(oid, name, name, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.import_domain_settings(text, text, text, text) FROM PUBLIC;
