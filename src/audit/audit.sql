
/* ------------------------------------------------------------------------
 * Audit trail (src/audit/).
 *
 * One row per (statement, object, action), written only by the audit
 * writer background worker, in one SHA-256 hash chain per domain and
 * origin; append-only while the library is loaded (C hooks, not triggers).
 * See src/audit/chain.c for the chain and the column table (which must
 * match audit_log below, column for column), src/audit/record.c for when
 * commits wait.
 * ------------------------------------------------------------------------ */

-- Roles are cluster-wide and outlive DROP EXTENSION: create idempotently.
DO $role$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'tec_auditor') THEN
		CREATE ROLE tec_auditor NOLOGIN;
		COMMENT ON ROLE tec_auditor IS 'Reads the whole audit trail of tec_sovereignty (separation of duty: grant it to auditors, not to DBAs)';
	END IF;
END
$role$;

CREATE TABLE tec_sovereignty.audit_log (
	seq					bigint PRIMARY KEY,		-- gapless in this database, assigned by the writer
	logged_at			timestamptz NOT NULL,	-- when the backend recorded the event
	xid					xid8,					-- top-level transaction, NULL if none assigned
	pid					integer NOT NULL,
	session_user_name	text,
	effective_user_name text,					-- role whose privileges were checked
	actor_domain		text,					-- NULL: non-domain role
	object_domain		text,					-- NULL: not a domain object
	object_schema		text,					-- as pg_namespace.nspname (unquoted)
	object_name			text,					-- identity in the schema, quoted as SQL
												-- writes it ("Portfolio", f(integer))
	object_oid			oid,
	action				text NOT NULL,			-- SELECT, INSERT, ..., DDL tag, EXECUTE, EXPORT, ...
	decision			text NOT NULL,			-- allowed / denied / privileged / simulated /
												-- aborted (allowed or privileged, then the
												-- statement failed: it did not happen)
	reason				text,
	via_api				text,
	client_addr			text,
	application_name	text,
	statement			text,					-- cut at tec_sovereignty.audit_statement_max bytes
	chain_domain		text NOT NULL,			-- object_domain, or '' outside any domain
	chain_origin		text NOT NULL,			-- '<system identifier>/<database oid>' of the writer
	chain_seq			bigint NOT NULL,		-- position in the chain (domain, origin)
	prev_hash			bytea NOT NULL,			-- row_hash of the previous row of the chain
	row_hash			bytea NOT NULL,			-- SHA-256 of the canonical content (see verify)
	quarantine			text					-- NULL; else why the writer could not write the
												-- event as it was and what it cut or withheld
												-- (covered by row_hash when set)
);
COMMENT ON TABLE tec_sovereignty.audit_log IS
	'Forensic audit trail: append-only, one hash chain per domain; check it with tec_audit_verify()';

-- The last row of each chain, committed with the rows: detects a removed
-- tail.
CREATE TABLE tec_sovereignty.audit_chain (
	chain_domain	text NOT NULL,
	chain_origin	text NOT NULL,
	last_seq		bigint NOT NULL,
	last_hash		bytea NOT NULL,
	last_log_seq	bigint NOT NULL,
	PRIMARY KEY (chain_domain, chain_origin)
)
-- The writer updates a head once per batch: its row is a HOT chain that
-- every update walks until the page is pruned, which happens only when
-- the page's free space falls under its fillfactor's reserve.  At 10 %
-- a page is pruned after a few versions instead of some eighty.
WITH (fillfactor = 10);
COMMENT ON TABLE tec_sovereignty.audit_chain IS
	'Head (last row) of each audit hash chain, written by the audit writer with the rows';

-- Where tec_audit_purge() cut each chain: the last removed row.  Apart from
-- the heads so that a purge never waits on a row the writer updates.
CREATE TABLE tec_sovereignty.audit_anchor (
	chain_domain	text NOT NULL,
	chain_origin	text NOT NULL,
	anchor_seq		bigint NOT NULL,
	anchor_hash		bytea NOT NULL,
	PRIMARY KEY (chain_domain, chain_origin)
);
COMMENT ON TABLE tec_sovereignty.audit_anchor IS
	'Purge anchors: position and hash of the last row tec_audit_purge() removed from each chain';

SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.audit_chain', '');
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.audit_anchor', '');

/*
 * Who reads it: tec_auditor everything; a member of <d>_owner the rows of
 * domain d (owner roles are named <domain>_owner by tec_create_domain);
 * superusers bypass row-level security.  Nobody but the writer inserts
 * (the C guard, not a privilege, enforces that).
 */
GRANT USAGE ON SCHEMA tec_sovereignty TO PUBLIC;
ALTER TABLE tec_sovereignty.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY auditor_reads_all ON tec_sovereignty.audit_log
	FOR SELECT TO tec_auditor USING (true);
CREATE POLICY owner_reads_own_domain ON tec_sovereignty.audit_log
	FOR SELECT TO PUBLIC
	USING (object_domain IS NOT NULL AND EXISTS (
		SELECT 1 FROM pg_catalog.pg_roles r
		 WHERE r.rolname OPERATOR(pg_catalog.=) (object_domain OPERATOR(pg_catalog.||) '_owner')
		   AND pg_catalog.pg_has_role(r.oid, 'MEMBER')));
-- Every column but the statement: a row about domain d's object may hold
-- the statement of another domain's session, with its literals (principle
-- 7).  Statements are read through tec_sovereignty.audit_trail, which
-- withholds them from every other domain.
GRANT SELECT (seq, logged_at, xid, pid, session_user_name, effective_user_name,
			  actor_domain, object_domain, object_schema, object_name, object_oid,
			  action, decision, reason, via_api, client_addr, application_name,
			  chain_domain, chain_origin, chain_seq, prev_hash, row_hash, quarantine)
	ON tec_sovereignty.audit_log TO PUBLIC;
GRANT SELECT ON tec_sovereignty.audit_log TO tec_auditor;
GRANT SELECT ON tec_sovereignty.audit_chain, tec_sovereignty.audit_anchor TO tec_auditor;

/*
 * Does the current user read domain d's part of the trail: as its owner (a
 * member of <d>_owner), as tec_auditor, or as a superuser (a member of
 * every role)?  Evaluated as the querying role, also inside audit_trail.
 */
CREATE FUNCTION tec_sovereignty.audit_reads_domain(d text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.pg_has_role('tec_auditor', 'MEMBER')
		OR (d IS NOT NULL AND EXISTS (
			SELECT 1 FROM pg_catalog.pg_roles r
			 WHERE r.rolname OPERATOR(pg_catalog.=) (d OPERATOR(pg_catalog.||) '_owner')
			   AND pg_catalog.pg_has_role(r.oid, 'MEMBER')))
$$;

/*
 * The trail as its readers may see it: the rows row-level security shows
 * them (auditor_reads_all, owner_reads_own_domain, repeated here since the
 * view reads as its owner), every column, and the statement only to the
 * domain whose session ran it (or to no domain's: a DBA's), to tec_auditor
 * and to superusers.  Another domain's statement is withheld, not hashed:
 * a hash of a short statement is an oracle for guessing its literals.
 * row_hash still covers the real text; tec_audit_verify() reads the table.
 * security_barrier: the caller's functions see only the rows it may read.
 */
CREATE VIEW tec_sovereignty.audit_trail WITH (security_barrier = true) AS
SELECT l.seq, l.logged_at, l.xid, l.pid, l.session_user_name, l.effective_user_name,
	   l.actor_domain, l.object_domain, l.object_schema, l.object_name, l.object_oid,
	   l.action, l.decision, l.reason, l.via_api, l.client_addr, l.application_name,
	   CASE WHEN l.statement IS NULL OR l.actor_domain IS NULL
				 OR l.actor_domain OPERATOR(pg_catalog.=) l.object_domain
				 OR tec_sovereignty.audit_reads_domain(l.actor_domain)
			THEN l.statement
			ELSE pg_catalog.format('(withheld: a statement of domain %s)', l.actor_domain) END AS statement,
	   l.chain_domain, l.chain_origin, l.chain_seq, l.prev_hash, l.row_hash, l.quarantine
  FROM tec_sovereignty.audit_log l
 WHERE tec_sovereignty.audit_reads_domain(l.object_domain);
COMMENT ON VIEW tec_sovereignty.audit_trail IS
	'The audit trail as the current role may read it: another domain''s statements withheld';
GRANT SELECT ON tec_sovereignty.audit_trail TO PUBLIC;

CREATE TYPE tec_sovereignty.audit_verify_result AS (
	domain			text,
	ok				boolean,
	rows_checked	bigint,
	first_bad_seq	bigint,
	reason			text
);

CREATE FUNCTION pg_catalog.tec_audit_verify(domain text DEFAULT NULL)
RETURNS SETOF tec_sovereignty.audit_verify_result
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_verify';
COMMENT ON FUNCTION pg_catalog.tec_audit_verify(text) IS
	'Verify the hash chains of one domain (NULL: all): finds changed, deleted, inserted or reordered rows';

CREATE FUNCTION pg_catalog.tec_audit_verify(domain text, digests jsonb)
RETURNS SETOF tec_sovereignty.audit_verify_result
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_verify_digests';
COMMENT ON FUNCTION pg_catalog.tec_audit_verify(text, jsonb) IS
	'Verify the hash chains of one domain (NULL: all) and that each still holds the heads named by signed digests of tec_audit_digest() kept elsewhere';

CREATE FUNCTION pg_catalog.tec_audit_digest(domain text DEFAULT NULL)
RETURNS SETOF jsonb
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_digest';
COMMENT ON FUNCTION pg_catalog.tec_audit_digest(text) IS
	'Signed digest (Ed25519, the domain''s own key) of the head of each audit chain of one domain (NULL: all), one line of JSON per chain, to be kept outside the database';

CREATE FUNCTION pg_catalog.tec_audit_public_key(domain text)
RETURNS text
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_public_key';
COMMENT ON FUNCTION pg_catalog.tec_audit_public_key(text) IS
	'The "verify" line of a domain''s audit public key, for the key file of a server that checks that domain''s digests';

CREATE FUNCTION tec_sovereignty.audit_head_digest(domain text, origin text)
RETURNS jsonb
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_head_digest';
COMMENT ON FUNCTION tec_sovereignty.audit_head_digest(text, text) IS
	'Signed digest of the recorded head of one audit chain, NULL without a signing key (tec_export_domain with_audit)';

CREATE FUNCTION pg_catalog.tec_audit_purge(older_than interval)
RETURNS bigint
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_purge';
COMMENT ON FUNCTION pg_catalog.tec_audit_purge(interval) IS
	'Remove audit rows older than the given age (superuser only, audited); leaves an anchor so the rest still verifies';

CREATE FUNCTION pg_catalog.tec_audit_purge()
RETURNS bigint
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_purge_retention';
COMMENT ON FUNCTION pg_catalog.tec_audit_purge() IS
	'One bounded round of per-domain retention (tec_set_audit_retention): removes each such domain''s audit rows older than its retention, leaving an anchor; call it from a scheduler (superuser only, audited)';

CREATE FUNCTION pg_catalog.tec_audit_note(domain text, action text, detail text)
RETURNS void
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_note';
COMMENT ON FUNCTION pg_catalog.tec_audit_note(text, text, text) IS
	'Record a DBA note (e.g. a maintenance window) in a domain''s audit chain (NULL domain: outside any domain)';

CREATE FUNCTION pg_catalog.tec_audit_flush()
RETURNS void
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_flush';
COMMENT ON FUNCTION pg_catalog.tec_audit_flush() IS
	'Wait until every audit event queued so far in this database is written';

CREATE FUNCTION tec_sovereignty.audit_lifecycle(action text, domain text, detail text)
RETURNS void
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_lifecycle';

CREATE FUNCTION tec_sovereignty.audit_stats_raw(
	OUT database text, OUT writer_state text, OUT writer_pid integer,
	OUT queue_bytes bigint, OUT queue_capacity bigint,
	OUT events_queued bigint, OUT events_written bigint, OUT events_discarded bigint,
	OUT events_dropped bigint, OUT space_waits bigint, OUT durable_waits bigint, OUT batches bigint,
	OUT writer_starts bigint, OUT last_flush timestamptz, OUT waiters integer,
	OUT batch_failures bigint, OUT events_quarantined bigint, OUT writer_failures bigint,
	OUT failure_streak integer, OUT failing_since timestamptz, OUT next_retry timestamptz,
	OUT last_error text, OUT last_error_at timestamptz)
RETURNS SETOF record
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_stats';

CREATE FUNCTION pg_catalog.tec_set_audit_level(domain text, level text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
BEGIN
	IF level IS NOT NULL AND level NOT IN ('all', 'write', 'denied', 'none') THEN
		RAISE EXCEPTION 'unrecognized audit level "%"', left(level, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use ''all'', ''write'', ''denied'', ''none'', or NULL to follow tec_sovereignty.audit.';
	END IF;
	UPDATE tec_sovereignty.domain x SET audit_level = level
	 WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.audit_lifecycle('SET_AUDIT_LEVEL', d.name,
		format('audit level %s', coalesce(level, 'inherited from tec_sovereignty.audit')));
END
$$;
CREATE FUNCTION pg_catalog.tec_set_audit_retention(domain text, keep interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
BEGIN
	IF keep IS NOT NULL AND keep OPERATOR(pg_catalog.<=) interval '0' THEN
		RAISE EXCEPTION 'audit retention must be positive'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The retention given for domain "%s" is %s.', d.name, keep),
				  HINT = 'Give a positive interval, or NULL to keep the domain''s audit rows forever.';
	END IF;
	UPDATE tec_sovereignty.domain x SET audit_retention = keep
	 WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.audit_lifecycle('SET_AUDIT_RETENTION', d.name,
		format('audit retention %s', coalesce(keep::text, 'forever')));
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_set_audit_retention(text, interval) IS
	'Keep a domain''s audit rows for this long (NULL: forever); tec_audit_purge() removes older ones';

COMMENT ON FUNCTION pg_catalog.tec_set_audit_level(text, text) IS
	'Override tec_sovereignty.audit for one domain (NULL: follow the setting); denials and privileged accesses are always recorded';

/*
 * One naming rule for every row and view: object_schema is the schema's
 * name as pg_namespace holds it (unquoted: it joins to domain.schema_name),
 * object_name the object's identity within its schema as SQL writes it
 * (getObjectIdentity() after the schema: "Portfolio" quoted, f(integer),
 * trg on assets."Portfolio"), and a view's object column puts the two
 * together as a name that can be pasted into SQL:
 * quote_ident(object_schema) || '.' || object_name.
 */
/* DBA console views: security_invoker, so row-level security applies (the
 * two that show statements read them through audit_trail). */
CREATE VIEW tec_sovereignty.violations WITH (security_invoker = true) AS
SELECT l.seq, l.logged_at, l.session_user_name, l.effective_user_name,
	   l.actor_domain, l.object_domain,
	   CASE WHEN l.object_schema IS NULL THEN l.object_name
			WHEN l.object_name IS NULL THEN pg_catalog.quote_ident(l.object_schema)
			ELSE pg_catalog.quote_ident(l.object_schema) OPERATOR(pg_catalog.||) '.'
				 OPERATOR(pg_catalog.||) l.object_name END AS object,
	   l.action, l.decision, l.reason, l.client_addr, l.application_name, l.statement,
	   l.quarantine
  FROM tec_sovereignty.audit_trail l
 WHERE l.decision IN ('denied', 'simulated')
 ORDER BY l.seq DESC;
COMMENT ON VIEW tec_sovereignty.violations IS 'Denied (and simulated) attempts, newest first (quarantine: not NULL when the writer had to cut or withhold fields)';

CREATE VIEW tec_sovereignty.audit_quarantined WITH (security_invoker = true) AS
SELECT l.seq, l.logged_at, l.session_user_name, l.effective_user_name,
	   l.actor_domain, l.object_domain, l.object_schema, l.object_name,
	   l.action, l.decision, l.chain_domain, l.chain_seq,
	   pg_catalog.octet_length(l.statement) AS statement_bytes, l.quarantine
  FROM tec_sovereignty.audit_trail l
 WHERE l.quarantine IS NOT NULL
 ORDER BY l.seq DESC;
COMMENT ON VIEW tec_sovereignty.audit_quarantined IS
	'Events the audit writer could not write as they were: kept in their chain with fields cut or withheld, and why (newest first)';

CREATE VIEW tec_sovereignty.access_summary WITH (security_invoker = true) AS
SELECT l.actor_domain, l.object_domain, l.action, l.decision,
	   pg_catalog.count(*) AS events,
	   pg_catalog.count(DISTINCT l.effective_user_name) AS roles,
	   pg_catalog.array_agg(DISTINCT l.effective_user_name) AS role_names,
	   pg_catalog.min(l.logged_at) AS first_at,
	   pg_catalog.max(l.logged_at) AS last_at
  FROM tec_sovereignty.audit_log l
 WHERE l.logged_at OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '24 hours')
 GROUP BY 1, 2, 3, 4
 ORDER BY 2, 1, 3, 4;
COMMENT ON VIEW tec_sovereignty.access_summary IS
	'Accesses of the last 24 hours per object domain, actor domain (NULL: a role of no domain), action and decision (aborted: allowed, but the statement failed and did not happen), with the roles (role_names) that made them';

CREATE VIEW tec_sovereignty.audit_stats AS
SELECT * FROM tec_sovereignty.audit_stats_raw();
COMMENT ON VIEW tec_sovereignty.audit_stats IS
	'Audit queue and writer per database: depth, events queued / written / discarded / dropped with their database / quarantined, waits, last flush, writer state, backends waiting for the writer now, failures, back-off and the last error; a row "dropped" sums the databases dropped since the server started';

GRANT SELECT ON tec_sovereignty.violations, tec_sovereignty.access_summary,
	tec_sovereignty.audit_quarantined TO PUBLIC;
GRANT SELECT ON tec_sovereignty.audit_stats TO tec_auditor;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_verify(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_purge(interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_verify(text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_digest(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_public_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.audit_head_digest(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pg_catalog.tec_audit_verify(text, jsonb) TO tec_auditor;
GRANT EXECUTE ON FUNCTION pg_catalog.tec_audit_digest(text) TO tec_auditor;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_note(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_flush() FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_set_audit_level(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_set_audit_retention(text, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_audit_purge() FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.audit_lifecycle(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.audit_stats_raw() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pg_catalog.tec_audit_verify(text) TO tec_auditor;
GRANT EXECUTE ON FUNCTION tec_sovereignty.audit_stats_raw() TO tec_auditor;

CREATE FUNCTION tec_sovereignty.audit_wanted(domain text, is_write boolean)
RETURNS boolean
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_wanted_sql';
COMMENT ON FUNCTION tec_sovereignty.audit_wanted(text, boolean) IS
	'Would an allowed access of this kind to an object of this domain be recorded (tsov_audit_wanted)?';
REVOKE ALL ON FUNCTION tec_sovereignty.audit_wanted(text, boolean) FROM PUBLIC;

/*
 * The import half of tec_export_domain(domain, with_audit => true): the
 * export script fills two temporary tables with the domain's chains and
 * rows and calls this, as a superuser, in the transaction that creates the
 * domain.  It only adds new chains from another database, verified like
 * tec_audit_verify() does; see tsov_audit_import() in src/audit_sql.c for
 * the trust model.
 */
CREATE FUNCTION tec_sovereignty.audit_import(domain text, chains regclass, log regclass)
RETURNS bigint
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_import';
COMMENT ON FUNCTION tec_sovereignty.audit_import(text, regclass, regclass) IS
	'Import a domain''s audit chains from an export script (superuser only; new chains from another database, verified)';
REVOKE ALL ON FUNCTION tec_sovereignty.audit_import(text, regclass, regclass) FROM PUBLIC;
