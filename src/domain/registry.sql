
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
				CHECK (state IN ('active', 'transferring', 'transferred', 'moving', 'move_cutover', 'moved', 'moving_in', 'importing')),
	enforcement text NOT NULL DEFAULT 'enforce'
				CHECK (enforcement IN ('enforce', 'simulate')),
	audit_level text
				CHECK (audit_level IN ('all', 'write', 'denied', 'none')),
	audit_retention interval	-- NULL: keep forever (tec_set_audit_retention)
				CHECK (audit_retention OPERATOR(pg_catalog.>) interval '0'),
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
LANGUAGE sql STABLE PARALLEL SAFE STRICT
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
