-- The entry points of the export, the import's settings helper, the checksum, and the
-- transfer of a domain to a new owner (tec_transfer_domain and friends); the catalog walk
-- they use is in export.sql.

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
	d tec_sovereignty.domain;
	t tec_sovereignty.transfer;
	new_id bigint;
	tables text;
	local_db oid;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
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

	-- Wait for the transactions that are writing to the domain to end, and
	-- keep new writers waiting until this one commits (SHARE conflicts with
	-- the ROW EXCLUSIVE lock every INSERT/UPDATE/DELETE/MERGE/COPY FROM
	-- holds to its transaction's end): once the transfer is committed, no
	-- write that began before the freeze can still commit, and writers
	-- queued behind it find the domain frozen.  lock_timeout bounds the
	-- wait, like any DDL's.
	SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid) INTO tables
	  FROM pg_catalog.pg_class c
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) d.schema_name)
	   AND c.relkind IN ('r', 'p');
	IF tables IS NOT NULL THEN
		EXECUTE format('LOCK TABLE %s IN SHARE MODE', tables);
	END IF;

	INSERT INTO tec_sovereignty.transfer (domain, from_owner, to_owner, destination)
	VALUES (d.name, d.owner_role, to_owner, destination)
	RETURNING id INTO new_id;
	UPDATE tec_sovereignty.domain x SET state = 'transferring' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	-- To another database of this cluster: its import may take the roles
	-- over (move.sql).
	local_db := tec_sovereignty.local_destination(destination);
	PERFORM tec_sovereignty.mark_domain_transfer(d, local_db);
	PERFORM tec_sovereignty.audit_lifecycle('TRANSFER_START', d.name,
		format('transfer %s: from %s to %s at %s%s', new_id, d.owner_role, to_owner, destination,
			   CASE WHEN local_db IS NOT NULL THEN ' (a database of this cluster: its import may take the roles over)' ELSE '' END));
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
	d tec_sovereignty.domain;
	t tec_sovereignty.transfer;
	sum record;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
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
	PERFORM tec_sovereignty.audit_lifecycle('TRANSFER_COMPLETE', d.name,
		format('transfer %s: to %s at %s, export sha256 %s, %s bytes%s', t.id, t.to_owner, t.destination,
			   sum.sha256, sum.bytes,
			   CASE WHEN export_sha256 IS NULL THEN ' (no shipped checksum given)' ELSE ' (matches the shipped file)' END));
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
	d tec_sovereignty.domain;
	tid bigint;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
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
	 WHERE x.domain OPERATOR(pg_catalog.=) d.name AND x.state OPERATOR(pg_catalog.=) 'transferring'
	RETURNING x.id INTO tid;
	UPDATE tec_sovereignty.domain x SET state = 'active' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.mark_domain_transfer(d, NULL);
	PERFORM tec_sovereignty.audit_lifecycle('TRANSFER_CANCEL', d.name,
		format('transfer %s cancelled', COALESCE(tid::text, '(none recorded)')));
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
