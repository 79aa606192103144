-- The parallel import (tec_export --import -j N, src/client/tec_export/import.c): the
-- script's schema part commits first with the domain in state 'importing', the data and
-- the indexes and constraints are loaded over N connections, and the last part of the
-- script switches the domain to 'active' in one transaction.  Anything that fails in
-- between is undone by tec_import_abort(), which the client calls itself; a client that
-- was killed leaves the domain 'importing' for a DBA to abort.

-- One row per parallel import under way in this database.
CREATE TABLE tec_sovereignty.import_parallel (
	domain			text PRIMARY KEY REFERENCES tec_sovereignty.domain (name) ON DELETE CASCADE,
	roles_adopted	boolean NOT NULL,	-- taken over from another database of the cluster:
										-- an abort leaves them (src/export/move.sql)
	started_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	started_by		name NOT NULL DEFAULT SESSION_USER
);
COMMENT ON TABLE tec_sovereignty.import_parallel IS
	'Parallel imports under way (tec_export --import -j N); end one that was interrupted with tec_import_abort(domain)';
REVOKE ALL ON tec_sovereignty.import_parallel FROM PUBLIC;

CREATE FUNCTION tec_sovereignty.require_superuser(what text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) SESSION_USER) THEN
		RAISE EXCEPTION 'permission denied for %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'An import creates roles and a whole domain: only a superuser may run one.';
	END IF;
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.require_superuser(text) FROM PUBLIC;

/*
 * Called by the client at the end of the script's schema part, in its
 * transaction: the one domain this transaction created goes 'importing' and
 * its import is recorded.  Returns the domain's name.
 */
CREATE FUNCTION tec_sovereignty.import_parallel_begin()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	n integer;
	here oid := (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
BEGIN
	PERFORM tec_sovereignty.require_superuser('tec_sovereignty.import_parallel_begin');
	SELECT pg_catalog.count(*) INTO n FROM tec_sovereignty.domain x
	 WHERE x.xmin OPERATOR(pg_catalog.=) pg_catalog.xid(pg_catalog.pg_current_xact_id_if_assigned());
	IF n IS DISTINCT FROM 1 THEN
		RAISE EXCEPTION 'the parallel import must follow the creation of exactly one domain in its transaction (found %)', COALESCE(n, 0)
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The schema part of an export script creates its domain with tec_create_domain() before this call.',
				  HINT = 'Import the script with tec_export --import, or with psql -f in one transaction.';
	END IF;
	SELECT * INTO d FROM tec_sovereignty.domain x
	 WHERE x.xmin OPERATOR(pg_catalog.=) pg_catalog.xid(pg_catalog.pg_current_xact_id_if_assigned());
	IF d.state OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'domain "%" is %, not active', d.name, d.state
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	INSERT INTO tec_sovereignty.import_parallel (domain, roles_adopted)
	VALUES (d.name,
			-- roles that own or are granted something in another database were taken over
			EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend s JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) s.refobjid
					 WHERE s.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
					   AND s.dbid NOT IN (0, here)
					   AND r.rolname IN (d.owner_role, d.writer_role, d.reader_role)));
	UPDATE tec_sovereignty.domain x SET state = 'importing' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.audit_lifecycle('IMPORT_START', d.name, 'parallel import: schema created, data and indexes follow');
	RETURN d.name;
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.import_parallel_begin() FROM PUBLIC;

/* The last part of the script, in its transaction: the domain goes active. */
CREATE FUNCTION tec_sovereignty.import_parallel_end(domain text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
BEGIN
	PERFORM tec_sovereignty.require_superuser('tec_sovereignty.import_parallel_end');
	d := tec_sovereignty.get_domain(domain);
	PERFORM 1 FROM tec_sovereignty.import_parallel p WHERE p.domain OPERATOR(pg_catalog.=) d.name FOR UPDATE;
	IF d.state OPERATOR(pg_catalog.<>) 'importing' OR NOT FOUND THEN
		RAISE EXCEPTION 'domain "%" is not being imported', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	DELETE FROM tec_sovereignty.import_parallel p WHERE p.domain OPERATOR(pg_catalog.=) d.name;
	UPDATE tec_sovereignty.domain x SET state = 'active' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.audit_lifecycle('IMPORT', d.name, 'parallel import complete');
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.import_parallel_end(text) FROM PUBLIC;

/*
 * Undo a parallel import that did not finish: everything the domain's roles
 * own or are granted in this database, its schema, its registry row, and
 * the roles themselves unless they were taken over from another database of
 * the cluster (then they stay, as they were there).  Its audit rows stay:
 * the trail is append-only, and IMPORT_ABORT closes the story.
 */
CREATE FUNCTION pg_catalog.tec_import_abort(domain text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
	d tec_sovereignty.domain;
	p tec_sovereignty.import_parallel;
	r text;
BEGIN
	PERFORM tec_sovereignty.require_superuser('tec_import_abort');
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
	SELECT * INTO p FROM tec_sovereignty.import_parallel x WHERE x.domain OPERATOR(pg_catalog.=) d.name FOR UPDATE;
	IF d.state OPERATOR(pg_catalog.<>) 'importing' OR p.domain IS NULL THEN
		RAISE EXCEPTION 'domain "%" is not being imported', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Its state is %s; tec_import_abort() undoes only a parallel import that did not finish.', d.state),
				  HINT = format('To remove an active domain, use tec_drop_domain(%L, force => true).', d.name);
	END IF;
	EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', d.schema_name);
	EXECUTE format('DROP OWNED BY %I, %I, %I', d.owner_role, d.writer_role, d.reader_role);
	DELETE FROM tec_sovereignty.domain x WHERE x.name OPERATOR(pg_catalog.=) d.name;	-- and its import row
	IF NOT p.roles_adopted THEN
		FOREACH r IN ARRAY ARRAY[d.reader_role, d.writer_role, d.owner_role] LOOP
			EXECUTE format('DROP ROLE IF EXISTS %I', r);
		END LOOP;
	END IF;
	PERFORM tec_sovereignty.audit_lifecycle('IMPORT_ABORT', d.name,
		CASE WHEN p.roles_adopted THEN 'parallel import undone; the roles taken over stay'
			 ELSE 'parallel import undone' END);
END
$$;
REVOKE ALL ON FUNCTION pg_catalog.tec_import_abort(text) FROM PUBLIC;
COMMENT ON FUNCTION pg_catalog.tec_import_abort(text) IS
	'Undo a parallel import (tec_export --import -j N) that did not finish: the domain in state importing, its objects and the roles it created';
