
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
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
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
LANGUAGE plpgsql STABLE PARALLEL SAFE
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
	adopted boolean;
BEGIN
	PERFORM tec_sovereignty.check_domain_name(name);
	IF if_not_exists IS NULL THEN
		RAISE EXCEPTION 'if_not_exists must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;

	-- Lifecycle changes take turns: without this, two sessions could both
	-- pass the checks below (same domain name, same member for two domains)
	-- and the loser would fail on a catalog unique index instead.
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;

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
	-- Existing roles of these names are refused, except the domain's own
	-- three roles handed to this database by a transfer from another
	-- database of the cluster (src/export/move.sql), which are taken over.
	adopted := tec_sovereignty.adopt_domain_roles(name);
	IF NOT adopted THEN
		EXECUTE format('CREATE ROLE %I NOLOGIN', d_owner);
		EXECUTE format('CREATE ROLE %I NOLOGIN', d_writer);
		EXECUTE format('CREATE ROLE %I NOLOGIN', d_reader);
		EXECUTE format('COMMENT ON ROLE %I IS %L', d_owner, format('Owner of domain %s: owns its schema and every object in it', name));
		EXECUTE format('COMMENT ON ROLE %I IS %L', d_writer, format('Writers of domain %s: DML on its tables, sequences and functions', name));
		EXECUTE format('COMMENT ON ROLE %I IS %L', d_reader, format('Readers of domain %s: SELECT on its tables', name));
		-- A shared mark, the same in every database: read where no database is
		-- connected yet (replication connections, src/enforce/session.c).
		FOREACH r IN ARRAY ARRAY[d_owner, d_writer, d_reader] LOOP
			PERFORM tec_sovereignty.mark_domain_role(r::regrole, name);
		END LOOP;
	END IF;

	EXECUTE format('CREATE SCHEMA %I AUTHORIZATION %I', name, d_owner);
	-- USAGE to PUBLIC: PostgreSQL's own schema check (LookupExplicitNamespace,
	-- search_path) then always passes, so that the extension's namespace
	-- search hook (src/enforce/objects.c) decides and records every name
	-- lookup in the schema, also one a PL/pgSQL EXCEPTION block catches.
	-- USAGE alone reaches no data: tables, functions and types keep their
	-- own privileges.  Only a superuser may revoke it (utility_grant.c), so
	-- it comes first in the ACL: an export script, run as the owner, rebuilds
	-- the rest around it in the same order (export.sql).
	EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC, %I', name, d_owner);
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO PUBLIC', name);
	EXECUTE format('GRANT ALL ON SCHEMA %I TO %I', name, d_owner);
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

	PERFORM tec_sovereignty.audit_lifecycle('CREATE_DOMAIN', name, format('template %s%s', COALESCE(template, '(none)'),
		CASE WHEN adopted THEN ', roles taken over from a transfer within the cluster' ELSE '' END));
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

/* The shared label of a domain's roles: src/enforce/session.c. */
CREATE FUNCTION tec_sovereignty.mark_domain_role(role regrole, domain text)
RETURNS void
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'tsov_mark_domain_role';
REVOKE ALL ON FUNCTION tec_sovereignty.mark_domain_role(regrole, text) FROM PUBLIC;

/*
 * Refuse (42501, audited) when a role, or a role that is a member of it,
 * holds a power that bypasses object privileges: src/enforce/utility_powers.c.
 */
CREATE FUNCTION tec_sovereignty.refuse_member_powers(domain text, member oid)
RETURNS void
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'tsov_refuse_member_powers';
REVOKE ALL ON FUNCTION tec_sovereignty.refuse_member_powers(text, oid) FROM PUBLIC;

/*
 * Add a role to a domain.  A role belongs to at most one domain: neither it
 * nor any role that inherits from it may already belong to another one.
 * Neither may hold a power that bypasses the rule (REPLICATION, CREATEROLE,
 * pg_read_server_files, ...).
 */
CREATE FUNCTION pg_catalog.tec_add_member(domain text, member name, access text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	m pg_catalog.pg_roles;
	target text;
	other record;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
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
	PERFORM tec_sovereignty.refuse_member_powers(d.name, m.oid);

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
	-- (earlier versions made owner members act as the owner with this setting)
	EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET role', member, current_database());

	-- Members with owner access act as <domain>_owner from login on, in
	-- every database where the domain exists, so that what they create
	-- (migrations) is owned by the domain, not by them: the membership is
	-- the fact (src/enforce/session.c), no per-database setting is needed.
	target := CASE access WHEN 'owner' THEN d.owner_role WHEN 'writer' THEN d.writer_role ELSE d.reader_role END;
	EXECUTE format('GRANT %I TO %I', target, member);
	PERFORM tec_sovereignty.audit_lifecycle('ADD_MEMBER', d.name, format('%s as %s', member, access));
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
	d tec_sovereignty.domain;
	target text;
	member_oid oid;
	found_one boolean := false;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
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
	PERFORM tec_sovereignty.audit_lifecycle('REMOVE_MEMBER', d.name, format('%s', member));
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
SET client_min_messages = warning		-- no "drop cascades to" list per object
AS $$
DECLARE
	d tec_sovereignty.domain;
	rel record;
	has_rows boolean;
	r text;
	objtype text;
	msg text;
	det text;
	st record;
	seq regclass;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(name);
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

	-- Its rows in protected shared tables are its data too: they stop a
	-- drop without force like its own tables' rows, and a forced drop
	-- deletes them (left behind, they would belong to the next domain that
	-- takes the name).  Its roles' grants on those tables and their
	-- sequences go, or they would stop DROP ROLE.
	FOR st IN
		SELECT c.oid::regclass AS relid, s.domain_column
		  FROM tec_sovereignty.shared_table s
		  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.relid	-- not dropped since
		 ORDER BY c.oid::regclass::text COLLATE "C"
	LOOP
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I OPERATOR(pg_catalog.=) $1)',
					   st.relid, st.domain_column) INTO has_rows USING d.name;
		IF has_rows AND NOT force THEN
			RAISE EXCEPTION 'domain "%" still holds data', d.name
				USING ERRCODE = 'dependent_objects_still_exist',
					  DETAIL = format('Shared table %s has rows of domain %s (column %I).', st.relid, d.name, st.domain_column),
					  HINT = format('Move or delete them, or drop the domain with tec_drop_domain(%L, force => true), which deletes them.', d.name);
		END IF;
		IF has_rows THEN
			EXECUTE format('DELETE FROM %s WHERE %I OPERATOR(pg_catalog.=) $1', st.relid, st.domain_column) USING d.name;
		END IF;
		EXECUTE format('REVOKE ALL ON TABLE %s FROM %I, %I, %I', st.relid, d.owner_role, d.writer_role, d.reader_role);
		FOR seq IN
			SELECT dep.objid::regclass FROM pg_catalog.pg_depend dep
			  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) dep.objid
			 WHERE dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::regclass
			   AND dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::regclass
			   AND dep.refobjid OPERATOR(pg_catalog.=) st.relid
			   AND dep.deptype IN ('a', 'i') AND c.relkind OPERATOR(pg_catalog.=) 'S'
		LOOP
			EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM %I, %I, %I', seq, d.owner_role, d.writer_role, d.reader_role);
		END LOOP;
	END LOOP;

	-- APIs other domains published to this one are withdrawn: their EXECUTE
	-- and schema USAGE grants to this domain's roles would stop DROP ROLE.
	-- (A row whose function is gone is removed with the registry row.)
	FOR r IN
		SELECT a.function_signature FROM tec_sovereignty.api a
		 WHERE a.to_domain OPERATOR(pg_catalog.=) d.name
		   AND pg_catalog.to_regprocedure(a.function_signature) IS NOT NULL
		 ORDER BY 1
	LOOP
		PERFORM pg_catalog.tec_revoke_api(pg_catalog.to_regprocedure(r), d.name);
	END LOOP;
	EXECUTE format('DROP SCHEMA %I CASCADE', d.schema_name);
	-- Put the domain roles' role-wide default privileges in this database
	-- back to PostgreSQL's built-in ones (set at creation, and possibly
	-- changed by the owner since: an import replays the source's), so that
	-- what stays is only what involves roles outside the domain -- which
	-- then stops DROP ROLE with PostgreSQL's own list.  An entry equal to
	-- the built-in default is removed by PostgreSQL.
	FOREACH r IN ARRAY ARRAY[d.owner_role, d.writer_role, d.reader_role] LOOP
		FOREACH objtype IN ARRAY ARRAY['TABLES', 'SEQUENCES', 'FUNCTIONS', 'TYPES', 'SCHEMAS'] LOOP
			EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON %s FROM PUBLIC, %I, %I, %I',
						   r, objtype, d.owner_role, d.writer_role, d.reader_role);
			EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT ALL ON %s TO %I%s',
						   r, objtype, r, CASE WHEN objtype IN ('FUNCTIONS', 'TYPES') THEN ', PUBLIC' ELSE '' END);
		END LOOP;
	END LOOP;
	-- Owner members act as the owner role at login: drop that setting.
	FOR r IN
		SELECT pg_catalog.pg_get_userbyid(s.setrole)
		  FROM pg_catalog.pg_db_role_setting s
		 WHERE s.setdatabase OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) current_database())
		   AND format('role=%s', d.owner_role) OPERATOR(pg_catalog.=) ANY (s.setconfig)
	LOOP
		EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET role', r, current_database());
	END LOOP;

	-- Transferred to another database of the cluster, which took the roles
	-- over: they stay (src/export/move.sql).
	FOREACH r IN ARRAY CASE WHEN tec_sovereignty.moved_roles_stay(d) THEN '{}'::text[]
							ELSE ARRAY[d.reader_role, d.writer_role, d.owner_role] END LOOP
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
	PERFORM tec_sovereignty.audit_lifecycle('DROP_DOMAIN', d.name, format('force %s', force));
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_drop_domain(text, boolean) IS
	'Drop a domain (schema, roles, registry row); refuses while it holds data unless force';

/*
 * The 24 domains of the design, each with its category's template.
 */
CREATE FUNCTION tec_sovereignty.ecosystem()
RETURNS TABLE (domain text, template text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
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
	kept text[] := '{}';
BEGIN
	/*
	 * A domain that exists is left as it is, and said so: one NOTICE for
	 * each that lacks the design's template (its tables are not there),
	 * one for those that have it.
	 */
	FOR e IN SELECT x.domain, x.template, d.name AS existing, d.template AS has
			   FROM tec_sovereignty.ecosystem() x
			   LEFT JOIN tec_sovereignty.domain d ON d.name OPERATOR(pg_catalog.=) x.domain LOOP
		IF e.existing IS NULL THEN
			PERFORM pg_catalog.tec_create_domain(e.domain, e.template);
			RETURN NEXT e.domain;
		ELSIF e.has IS DISTINCT FROM e.template THEN
			RAISE NOTICE 'domain "%" already exists without template "%", skipping', e.domain, e.template
				USING DETAIL = CASE WHEN e.has IS NULL
									THEN format('It was created without a template, so the tables of template "%s" are not in schema "%s".', e.template, e.domain)
									ELSE format('It was created with template "%s"; tec_create_ecosystem() does not change an existing domain.', e.has) END,
					  HINT = format('If the domain holds nothing yet, drop it with tec_drop_domain(%L) and run tec_create_ecosystem() again; otherwise create the tables it needs yourself.', e.domain);
		ELSE
			kept := kept OPERATOR(pg_catalog.||) e.domain;
		END IF;
	END LOOP;
	IF pg_catalog.cardinality(kept) OPERATOR(pg_catalog.>) 0 THEN
		RAISE NOTICE '% domain(s) already exist with their template, skipping: %',
			pg_catalog.cardinality(kept), pg_catalog.array_to_string(kept, ', ');
	END IF;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_create_ecosystem() IS
	'Create the 24 domains of the TEC ecosystem with their category templates; returns the names created (a NOTICE names those that existed, and those that lack their template)';
