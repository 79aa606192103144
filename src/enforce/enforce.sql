
/* ------------------------------------------------------------------------
 * Enforcement: published APIs, protected shared tables, enforcement mode,
 * break-glass.  The checks themselves are C hooks (src/guard_*.c); this
 * part holds what they read (the api and shared_table registries) and the
 * SQL API around them.
 * ------------------------------------------------------------------------ */

/*
 * Published APIs: function_signature is the function's qualified
 * regprocedure text (names, not oids, like the registry); to_domain NULL
 * means every domain.
 */
CREATE TABLE tec_sovereignty.api (
	domain		text NOT NULL REFERENCES tec_sovereignty.domain (name) ON DELETE CASCADE,
	function_signature text NOT NULL,
	to_domain	text REFERENCES tec_sovereignty.domain (name) ON DELETE CASCADE,
	published_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	published_by name NOT NULL DEFAULT SESSION_USER
);
CREATE UNIQUE INDEX api_unique ON tec_sovereignty.api
	(function_signature, (COALESCE(to_domain, '')));
COMMENT ON TABLE tec_sovereignty.api IS
	'Functions a domain publishes to another domain (or to every domain): the only way across domains';

/*
 * Shared tables (outside every domain) whose rows are kept per domain by
 * row-level security: tec_protect_shared_table().
 */
CREATE TABLE tec_sovereignty.shared_table (
	table_schema name NOT NULL,
	table_name	name NOT NULL,
	domain_column name NOT NULL,
	protected_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- what the guards go by: the table itself, whatever it is renamed to
	-- (the names above are as they were when it was protected)
	relid		regclass,
	PRIMARY KEY (table_schema, table_name)
);
COMMENT ON TABLE tec_sovereignty.shared_table IS
	'Shared tables protected by tec_protect_shared_table(): each domain sees and writes only its rows';

SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.api', '');
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.shared_table', '');

/*
 * Every backend caches the registries; a change invalidates the cache of
 * every backend when the transaction commits.
 */
CREATE FUNCTION tec_sovereignty.registry_changed()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'tsov_registry_changed';
REVOKE ALL ON FUNCTION tec_sovereignty.registry_changed() FROM PUBLIC;

CREATE TRIGGER tsov_registry_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tec_sovereignty.domain
	FOR EACH STATEMENT EXECUTE FUNCTION tec_sovereignty.registry_changed();
CREATE TRIGGER tsov_registry_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tec_sovereignty.api
	FOR EACH STATEMENT EXECUTE FUNCTION tec_sovereignty.registry_changed();
CREATE TRIGGER tsov_registry_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tec_sovereignty.shared_table
	FOR EACH STATEMENT EXECUTE FUNCTION tec_sovereignty.registry_changed();

/*
 * tec_publish_api / tec_revoke_api: superusers, and the owner of the
 * function's domain if granted EXECUTE (the C code checks the caller).
 */
CREATE FUNCTION pg_catalog.tec_publish_api(fn regprocedure, to_domain text DEFAULT NULL)
RETURNS void
LANGUAGE C CALLED ON NULL INPUT
AS 'MODULE_PATHNAME', 'tsov_publish_api';
COMMENT ON FUNCTION pg_catalog.tec_publish_api(regprocedure, text) IS
	'Publish a SECURITY DEFINER function of a domain to another domain (NULL: to every domain)';

CREATE FUNCTION pg_catalog.tec_revoke_api(fn regprocedure, to_domain text DEFAULT NULL)
RETURNS void
LANGUAGE C CALLED ON NULL INPUT
AS 'MODULE_PATHNAME', 'tsov_revoke_api';
COMMENT ON FUNCTION pg_catalog.tec_revoke_api(regprocedure, text) IS
	'Withdraw a published API from a domain (NULL: from every domain)';

CREATE FUNCTION pg_catalog.tec_break_glass(domain text, reason text)
RETURNS void
LANGUAGE C CALLED ON NULL INPUT
AS 'MODULE_PATHNAME', 'tsov_break_glass';
COMMENT ON FUNCTION pg_catalog.tec_break_glass(text, text) IS
	'Open a domain to the calling superuser for the current transaction under privileged_access = deny (audited with the reason)';

/*
 * Row-level security predicate of protected shared tables.  Lives in
 * pg_catalog and is executable by PUBLIC, because every role that queries
 * a protected table evaluates it; it only answers for the caller.
 */
CREATE FUNCTION pg_catalog.tec_row_visible(domain text)
RETURNS boolean
LANGUAGE C STABLE PARALLEL SAFE CALLED ON NULL INPUT
AS 'MODULE_PATHNAME', 'tsov_row_visible';
COMMENT ON FUNCTION pg_catalog.tec_row_visible(text) IS
	'True when the current role may see rows of that domain in a protected shared table';

CREATE FUNCTION pg_catalog.tec_set_enforcement(domain text, mode text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
BEGIN
	IF mode IS NULL THEN
		RAISE EXCEPTION 'enforcement mode must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Use ''enforce'' or ''simulate''.';
	END IF;
	IF mode NOT IN ('enforce', 'simulate') THEN
		RAISE EXCEPTION 'unrecognized enforcement mode "%"', left(mode, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use ''enforce'' or ''simulate''.';
	END IF;
	UPDATE tec_sovereignty.domain x SET enforcement = mode
	 WHERE x.name OPERATOR(pg_catalog.=) d.name;
	RETURN mode;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_set_enforcement(text, text) IS
	'Set a domain''s enforcement: enforce (deny) or simulate (allow, record would-be denials)';

CREATE FUNCTION pg_catalog.tec_protect_shared_table(tbl regclass, domain_column name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rel record;
	att record;
BEGIN
	IF tbl IS NULL OR domain_column IS NULL THEN
		RAISE EXCEPTION 'table and domain column must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT c.oid, c.relname, c.relkind, n.nspname, c.relowner INTO rel
	  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.oid OPERATOR(pg_catalog.=) tbl;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', tbl::oid USING ERRCODE = 'undefined_table';
	END IF;
	IF rel.relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '"%" is not a table', rel.relname
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Protect the table itself, not a view or another kind of relation.';
	END IF;
	IF rel.nspname OPERATOR(pg_catalog.=) 'tec_sovereignty'
	   OR EXISTS (SELECT 1 FROM tec_sovereignty.domain d WHERE d.schema_name OPERATOR(pg_catalog.=) rel.nspname) THEN
		RAISE EXCEPTION 'table %.% is not a shared table', quote_ident(rel.nspname), quote_ident(rel.relname)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A table in a domain schema belongs to that domain alone; shared tables live outside every domain.';
	END IF;
	IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) rel.relowner)
	   AND EXISTS (SELECT 1 FROM tec_sovereignty.domain d
				WHERE pg_catalog.pg_has_role(rel.relowner, d.owner_role, 'MEMBER')
				   OR pg_catalog.pg_has_role(rel.relowner, d.writer_role, 'MEMBER')
				   OR pg_catalog.pg_has_role(rel.relowner, d.reader_role, 'MEMBER')) THEN
		RAISE EXCEPTION 'table %.% is owned by role "%" of a domain', quote_ident(rel.nspname), quote_ident(rel.relname), pg_catalog.pg_get_userbyid(rel.relowner)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Whoever owns a shared table can change it for every domain (grants, columns, indexes); its owner must belong to no domain.',
				  HINT = 'ALTER TABLE ' || tbl::text || ' OWNER TO a role outside every domain, then protect it.';
	END IF;
	SELECT a.attname, a.atttypid INTO att FROM pg_catalog.pg_attribute a
	 WHERE a.attrelid OPERATOR(pg_catalog.=) rel.oid AND a.attname OPERATOR(pg_catalog.=) domain_column
	   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table %.% does not exist', domain_column, quote_ident(rel.nspname), quote_ident(rel.relname)
			USING ERRCODE = 'undefined_column';
	END IF;
	IF att.atttypid NOT IN ('text'::regtype, 'varchar'::regtype, 'name'::regtype, 'bpchar'::regtype) THEN
		RAISE EXCEPTION 'column "%" must hold domain names (text), not %', domain_column, att.atttypid::regtype
			USING ERRCODE = 'datatype_mismatch';
	END IF;

	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) rel.oid
				AND p.polname OPERATOR(pg_catalog.=) 'tsov_domain_rows') THEN
		EXECUTE format('DROP POLICY tsov_domain_rows ON %s', tbl);
	END IF;
	EXECUTE format('CREATE POLICY tsov_domain_rows ON %s FOR ALL USING (pg_catalog.tec_row_visible(%I::text)) WITH CHECK (pg_catalog.tec_row_visible(%I::text))',
				   tbl, domain_column, domain_column);
	DELETE FROM tec_sovereignty.shared_table s
	 WHERE s.relid OPERATOR(pg_catalog.=) rel.oid::regclass
	   AND (s.table_schema, s.table_name) IS DISTINCT FROM (rel.nspname, rel.relname);
	INSERT INTO tec_sovereignty.shared_table AS s (table_schema, table_name, domain_column, relid)
	VALUES (rel.nspname, rel.relname, domain_column, rel.oid::regclass)
	ON CONFLICT (table_schema, table_name) DO UPDATE
	   SET domain_column = EXCLUDED.domain_column, relid = EXCLUDED.relid;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_protect_shared_table(regclass, name) IS
	'Keep each domain to its own rows of a shared table (row-level security created and guarded by the extension)';

REVOKE ALL ON FUNCTION pg_catalog.tec_set_enforcement(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_protect_shared_table(regclass, name) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_break_glass(text, text) FROM PUBLIC;
-- Superusers publish APIs; a DBA may GRANT EXECUTE on these two to a
-- domain's owner role for self-service: the C code then lets that owner
-- publish and revoke the functions of its own domain only.
REVOKE ALL ON FUNCTION pg_catalog.tec_publish_api(regprocedure, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_revoke_api(regprocedure, text) FROM PUBLIC;
-- Every role querying a protected shared table evaluates the predicate.
GRANT EXECUTE ON FUNCTION pg_catalog.tec_row_visible(text) TO PUBLIC;

/*
 * Keep USAGE on a domain's schema in line with its published APIs (called
 * by tec_publish_api and tec_revoke_api as the bootstrap superuser): the
 * domain's own roles keep theirs; PUBLIC always has it; another domain's
 * roles have it while an API is published to them (what a superuser's
 * REVOKE from PUBLIC leaves).
 */
CREATE FUNCTION tec_sovereignty.api_sync_schema_usage(domain_name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	o tec_sovereignty.domain;
BEGIN
	SELECT * INTO STRICT d FROM tec_sovereignty.domain x WHERE x.name OPERATOR(pg_catalog.=) domain_name;
	-- PUBLIC always holds it (tec_create_domain): the namespace search hook
	-- decides every lookup.  Granting it again restores it in a domain
	-- created before that.
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO PUBLIC', d.schema_name);
	FOR o IN SELECT * FROM tec_sovereignty.domain x WHERE x.name OPERATOR(pg_catalog.<>) d.name LOOP
		IF EXISTS (SELECT 1 FROM tec_sovereignty.api a
					WHERE a.domain OPERATOR(pg_catalog.=) d.name AND a.to_domain OPERATOR(pg_catalog.=) o.name) THEN
			EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I, %I, %I', d.schema_name, o.owner_role, o.writer_role, o.reader_role);
		ELSE
			EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM %I, %I, %I', d.schema_name, o.owner_role, o.writer_role, o.reader_role);
		END IF;
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.api_sync_schema_usage(text) FROM PUBLIC;

/*
 * Checked twins of the built-ins that reach an object by an OID, a key or
 * a channel known only at run time (src/enforce/builtins.c: nextval(c.oid),
 * pg_relation_size(c.oid), pg_get_viewdef(c.oid), pg_advisory_lock(k),
 * pg_notify(ch, ...), ...).  The planner hook calls them in place of the
 * built-ins; they check, then call the built-in.  Created from pg_proc, for
 * the list the library gives, as tec_sovereignty.guarded_<built-in>: same
 * arguments (names and defaults too: the planner fills in defaults and
 * named arguments from the function it calls), result, volatility and strictness; parallel restricted at
 * most, because the rule is asked in the leader only.  Executable by
 * PUBLIC, because every statement calling a built-in calls its twin: the
 * twin checks EXECUTE on the built-in itself.
 */
CREATE FUNCTION tec_sovereignty.checked_builtins()
RETURNS oid[]
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'tsov_checked_builtins';
REVOKE ALL ON FUNCTION tec_sovereignty.checked_builtins() FROM PUBLIC;

DO $$
DECLARE
	b record;
BEGIN
	FOR b IN SELECT p.oid, p.proname, p.proargtypes, p.prorettype, p.provolatile,
					p.proisstrict, p.proparallel
			   FROM pg_catalog.pg_proc p
			  WHERE p.oid OPERATOR(pg_catalog.=) ANY (tec_sovereignty.checked_builtins())
			  ORDER BY p.oid LOOP
		EXECUTE pg_catalog.format(
			'CREATE FUNCTION tec_sovereignty.%I(%s) RETURNS %s LANGUAGE C %s %s PARALLEL %s AS %L, %L',
			'guarded_' OPERATOR(pg_catalog.||) b.proname,
			pg_catalog.pg_get_function_arguments(b.oid),
			b.prorettype::pg_catalog.regtype,
			CASE b.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
			CASE WHEN b.proisstrict THEN 'STRICT' ELSE 'CALLED ON NULL INPUT' END,
			CASE b.proparallel WHEN 'u' THEN 'UNSAFE' ELSE 'RESTRICTED' END,
			'MODULE_PATHNAME', 'tsov_guarded_builtin');
	END LOOP;
END
$$;
