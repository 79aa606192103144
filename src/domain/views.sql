
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
	   -- owner members act as the owner (src/enforce/session.c)
	   (g.rolname OPERATOR(pg_catalog.=) d.owner_role) AS acts_as_owner
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
	   d.audit_retention,
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
	'One row per domain: template, state, audit level and retention, owner, members, tables, size (DBA console)';

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
