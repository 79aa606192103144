-- Moves of a domain.  Within a cluster: the shared mark of its roles
-- (src/export/move_mark.c), set and cleared by the transfer (transfer.sql) and the live
-- move (move_out_begin, move_out_end below), read by
-- tec_create_domain() when the import finds the roles already there and by
-- tec_drop_domain() when the source lets the domain go.

/* ------------------------------------------------------------------------
 * The move mark.
 *
 * Roles are cluster-wide, registries per database.  tec_transfer_domain(d,
 * to_owner, destination) in database A, when destination is the name of
 * another database B of this cluster, labels d's three roles (pg_shseclabel,
 * provider tec_sovereignty.transfer) with 'source=<A>;destination=<B>'
 * (database OIDs).  The import into B may then take the roles over,
 * provided that nothing else in the cluster depends on them (pg_shdepend,
 * which is shared and lists the database of every object a role owns, every
 * grant and default privilege it holds, whichever database it is in, clones
 * made with CREATE DATABASE ... TEMPLATE included) outside A and B.
 * ------------------------------------------------------------------------ */

CREATE FUNCTION tec_sovereignty.mark_transfer(role regrole, label text)
RETURNS void
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tsov_mark_transfer';
REVOKE ALL ON FUNCTION tec_sovereignty.mark_transfer(regrole, text) FROM PUBLIC;

/* The move mark of a role, split: NULLs when there is none. */
CREATE FUNCTION tec_sovereignty.transfer_mark(role oid, OUT source oid, OUT destination oid)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (pg_catalog.regexp_match(s.label, '^source=([0-9]+);destination=([0-9]+)$'))[1]::oid,
		   (pg_catalog.regexp_match(s.label, '^source=([0-9]+);destination=([0-9]+)$'))[2]::oid
	  FROM (SELECT 1) one
	  LEFT JOIN pg_catalog.pg_shseclabel s
		ON s.objoid OPERATOR(pg_catalog.=) role
	   AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
	   AND s.provider OPERATOR(pg_catalog.=) 'tec_sovereignty.transfer'
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.transfer_mark(oid) FROM PUBLIC;

/* The database of this cluster a transfer's destination names, or NULL. */
CREATE FUNCTION tec_sovereignty.local_destination(destination text)
RETURNS oid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT d.oid FROM pg_catalog.pg_database d
	 WHERE d.datname OPERATOR(pg_catalog.=) destination
	   AND d.datname OPERATOR(pg_catalog.<>) pg_catalog.current_database()
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.local_destination(text) FROM PUBLIC;

/* Set (destination not NULL) or clear the move mark of domain d's roles. */
CREATE FUNCTION tec_sovereignty.mark_domain_transfer(d tec_sovereignty.domain, destination oid)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r name;
	here oid := (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
BEGIN
	FOREACH r IN ARRAY ARRAY[d.owner_role, d.writer_role, d.reader_role] LOOP
		PERFORM tec_sovereignty.mark_transfer(r::regrole,
			CASE WHEN destination IS NOT NULL THEN format('source=%s;destination=%s', here, destination) END);
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.mark_domain_transfer(tec_sovereignty.domain, oid) FROM PUBLIC;

/* The databases, other than those in skip, where a role owns or is granted something. */
CREATE FUNCTION tec_sovereignty.role_databases(roles oid[], skip oid[])
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.string_agg(DISTINCT COALESCE(pg_catalog.quote_ident(db.datname),
												   CASE WHEN s.dbid OPERATOR(pg_catalog.=) 0 THEN '(shared objects)'
														ELSE format('(database OID %s)', s.dbid) END), ', ')
	  FROM pg_catalog.pg_shdepend s
	  LEFT JOIN pg_catalog.pg_database db ON db.oid OPERATOR(pg_catalog.=) s.dbid
	 WHERE s.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
	   AND s.refobjid OPERATOR(pg_catalog.=) ANY (roles)
	   AND s.deptype IN ('o', 'a', 'i', 'r')
	   AND s.dbid OPERATOR(pg_catalog.<>) ALL (skip)
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.role_databases(oid[], oid[]) FROM PUBLIC;

/*
 * From tec_create_domain(), before it creates roles: false when none of
 * the domain's three roles exists (they are created as usual); true when
 * all three are the roles of this very domain, handed to this database by
 * a transfer from another database of the cluster, and may be taken over;
 * an error (42710) in every other case, which names what stands in the
 * way.  The caller holds the registry lock.
 */
CREATE FUNCTION tec_sovereignty.adopt_domain_roles(domain text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	names name[] := ARRAY[domain || '_owner', domain || '_writer', domain || '_reader'];
	here oid := (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
	oids oid[];
	r name;
	bad name;
	src oid;
	dst oid;
	elsewhere text;
	other record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.rolname OPERATOR(pg_catalog.=) ANY (names)) THEN
		RETURN false;
	END IF;

	-- Only the three roles tec_create_domain() made for this very domain
	-- (their shared label names it), all three, are ever taken over.
	SELECT pg_catalog.array_agg(x.oid ORDER BY n.ord) INTO oids
	  FROM pg_catalog.unnest(names) WITH ORDINALITY n(rolname, ord)
	  JOIN pg_catalog.pg_roles x ON x.rolname OPERATOR(pg_catalog.=) n.rolname
	  JOIN pg_catalog.pg_shseclabel s
		ON s.objoid OPERATOR(pg_catalog.=) x.oid
	   AND s.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
	   AND s.provider OPERATOR(pg_catalog.=) 'tec_sovereignty'
	   AND s.label OPERATOR(pg_catalog.=) domain;
	IF pg_catalog.cardinality(oids) IS DISTINCT FROM 3 THEN
		SELECT x.rolname INTO r FROM pg_catalog.pg_roles x
		 WHERE x.rolname OPERATOR(pg_catalog.=) ANY (names)
		   AND x.oid OPERATOR(pg_catalog.<>) ALL (COALESCE(oids, '{}'))
		 ORDER BY 1 LIMIT 1;
		RAISE EXCEPTION 'role "%" already exists', COALESCE(r, names[1])
			USING ERRCODE = 'duplicate_object',
				  DETAIL = format('Domain "%s" needs the roles %s, %s and %s, and the extension never adopts an existing role.', domain, names[1], names[2], names[3]),
				  HINT = 'Choose another domain name, or rename or drop the existing role.';
	END IF;

	SELECT x.rolname INTO bad FROM pg_catalog.pg_roles x
	 WHERE x.oid OPERATOR(pg_catalog.=) ANY (oids)
	   AND (x.rolsuper OR x.rolcanlogin OR x.rolcreaterole OR x.rolcreatedb OR x.rolreplication OR x.rolbypassrls)
	 ORDER BY 1 LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'role "%" of domain "%" cannot be taken over', bad, domain
			USING ERRCODE = 'duplicate_object',
				  DETAIL = 'It holds an attribute (SUPERUSER, LOGIN, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS) that tec_create_domain() never gives a domain role.',
				  HINT = format('Remove the attribute (ALTER ROLE %I NOLOGIN ...) and import again.', bad);
	END IF;

	-- The transfer's mark, the same on all three, must name this database.
	SELECT m.source, m.destination INTO src, dst FROM tec_sovereignty.transfer_mark(oids[1]) m;
	SELECT x.rolname INTO bad FROM pg_catalog.pg_roles x, tec_sovereignty.transfer_mark(x.oid) m
	 WHERE x.oid OPERATOR(pg_catalog.=) ANY (oids)
	   AND (dst IS DISTINCT FROM here OR m.source IS DISTINCT FROM src OR m.destination IS DISTINCT FROM dst)
	 ORDER BY x.rolname OPERATOR(pg_catalog.<>) names[1], 1 LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'role "%" belongs to domain "%" of another database', bad, domain
			USING ERRCODE = 'duplicate_object',
				  DETAIL = CASE WHEN dst IS NULL
						THEN format('Roles are shared by every database of the cluster; this database takes over the roles of domain "%s" only while the database that holds the domain transfers it here, and none does.', domain)
						ELSE format('Domain "%s" is being transferred from database "%s" to database "%s", not to this one.', domain,
									COALESCE((SELECT datname::text FROM pg_catalog.pg_database WHERE oid OPERATOR(pg_catalog.=) src), src::text),
									COALESCE((SELECT datname::text FROM pg_catalog.pg_database WHERE oid OPERATOR(pg_catalog.=) dst), dst::text)) END,
				  HINT = format('In the database that holds domain "%s", start the move with tec_transfer_domain(%L, to_owner, %L), then import again.', domain, domain, pg_catalog.current_database());
	END IF;

	-- Nothing but the transfer's source (and this database) may depend on
	-- the roles: a third database that holds the domain (a clone, say)
	-- keeps them.
	elsewhere := tec_sovereignty.role_databases(oids, ARRAY[src, here]);
	IF elsewhere IS NOT NULL THEN
		RAISE EXCEPTION 'roles of domain "%" are in use in %', domain, elsewhere
			USING ERRCODE = 'duplicate_object',
				  DETAIL = format('The transfer from database "%s" hands the roles over, but they own or are granted objects elsewhere too, which would then share them with this database.',
								  COALESCE((SELECT datname::text FROM pg_catalog.pg_database WHERE oid OPERATOR(pg_catalog.=) src), src::text)),
				  HINT = format('Drop the domain or those objects there (tec_drop_domain(%L, force => true)), then import again.', domain);
	END IF;

	-- A role belongs to at most one domain here too (tec_add_member's rule):
	-- every role that is a member of the three, directly or not.
	FOR other IN
		WITH RECURSIVE down(roleid) AS (
			SELECT am.member FROM pg_catalog.pg_auth_members am WHERE am.roleid OPERATOR(pg_catalog.=) ANY (oids)
			UNION
			SELECT am.member FROM pg_catalog.pg_auth_members am JOIN down ON am.roleid OPERATOR(pg_catalog.=) down.roleid
		)
		SELECT pg_catalog.pg_get_userbyid(down.roleid) AS rolname, rd.domain
		  FROM down, LATERAL tec_sovereignty.role_domains(down.roleid) rd
		 ORDER BY 1, 2 LIMIT 1
	LOOP
		RAISE EXCEPTION 'member "%" of domain "%" already belongs to domain "%" in this database', other.rolname, domain, other.domain
			USING ERRCODE = 'duplicate_object',
				  DETAIL = 'A role belongs to at most one domain.',
				  HINT = 'Remove it from one of the two domains (tec_remove_member), then import again.';
	END LOOP;
	RETURN true;
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.adopt_domain_roles(text) FROM PUBLIC;

/*
 * From tec_drop_domain(), before it drops the roles: true when the roles
 * stay, because another database of this cluster holds them too, by the
 * move mark:
 *   - here is the mark's source, domain d was transferred or moved from
 *     here (state transferred or moved), and the mark's destination took
 *     the roles over (they own or are granted something there): the roles
 *     are theirs now, and the mark goes;
 *   - here is the mark's destination and the roles still own or are
 *     granted something in its source: a move into this database that did
 *     not complete is undone (tec_move_domain's undo, tec_cancel_move), and
 *     the roles stay the source's, with the mark, which the source clears.
 * Anything they still own or hold in this database stops the drop, as
 * DROP ROLE would.
 */
CREATE FUNCTION tec_sovereignty.moved_roles_stay(d tec_sovereignty.domain)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	here oid := (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
	oids oid[];
	src oid;
	dst oid;
	other oid;
	left_here text;
BEGIN
	SELECT pg_catalog.array_agg(x.oid) INTO oids FROM pg_catalog.pg_roles x
	 WHERE x.rolname OPERATOR(pg_catalog.=) ANY (ARRAY[d.owner_role, d.writer_role, d.reader_role]);
	SELECT m.source, m.destination INTO src, dst FROM tec_sovereignty.transfer_mark(oids[1]) m;
	other := CASE WHEN src OPERATOR(pg_catalog.=) here AND d.state IN ('transferred', 'moved') THEN dst
				  WHEN dst OPERATOR(pg_catalog.=) here AND src OPERATOR(pg_catalog.<>) here THEN src END;
	IF other IS NULL
	   OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend s
					   WHERE s.dbid OPERATOR(pg_catalog.=) other
						 AND s.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
						 AND s.refobjid OPERATOR(pg_catalog.=) ANY (oids))
	   OR EXISTS (SELECT 1 FROM pg_catalog.unnest(oids) o, tec_sovereignty.transfer_mark(o) m
				   WHERE m.source IS DISTINCT FROM src OR m.destination IS DISTINCT FROM dst) THEN
		RETURN false;
	END IF;
	left_here := (SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(s.classid, s.objid, s.objsubid), ', ')
					FROM pg_catalog.pg_shdepend s
				   WHERE s.dbid OPERATOR(pg_catalog.=) here
					 AND s.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
					 AND s.refobjid OPERATOR(pg_catalog.=) ANY (oids));
	IF left_here IS NOT NULL THEN
		RAISE EXCEPTION 'cannot drop domain "%": its roles still own or are granted objects outside the domain', d.name
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = format('The roles stay (database %s holds them too), but in this database they still own or are granted: %s.',
								  COALESCE((SELECT datname FROM pg_catalog.pg_database WHERE oid OPERATOR(pg_catalog.=) other)::text, other::text), left_here),
				  HINT = format('Reassign or revoke them here, then call tec_drop_domain(%L, force => true) again. Nothing was dropped.', d.name);
	END IF;
	IF other OPERATOR(pg_catalog.=) dst THEN
		PERFORM tec_sovereignty.mark_domain_transfer(d, NULL);
	END IF;
	RETURN true;
END
$$;
REVOKE ALL ON FUNCTION tec_sovereignty.moved_roles_stay(tec_sovereignty.domain) FROM PUBLIC;

/* ------------------------------------------------------------------------
 * Live moves to another server: tec_move_domain() (move.c) and its helpers.
 *
 * The move runs on the source, as a superuser, over two libpq connections
 * it opens itself: one to the target, one back to this database (the
 * steps that other sessions must see, the publication, the slot and the
 * freeze, commit there one by one, whatever the caller's transaction).
 * Its states:
 *	 source: active -> moving (copy and catch-up: reads and writes go on)
 *			 -> move_cutover (the write block: writes refused) -> moved;
 *	 target: moving_in (created by the move, filled by the subscription)
 *			 -> active.
 * Any failure before the target is active puts the source back to active
 * and removes what the move created on both sides (tec_cancel_move() does
 * the same on demand).  The move table keeps the history on both sides.
 * ------------------------------------------------------------------------ */

CREATE TABLE tec_sovereignty.move (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	domain		text NOT NULL,
	direction	text NOT NULL CHECK (direction IN ('out', 'in')),
	peer		text NOT NULL,			-- out: the target's location; in: the source's
	peer_conninfo text,					-- out: how the source reaches the target (cancel)
	state		text NOT NULL DEFAULT 'moving'
				CHECK (state IN ('moving', 'moved', 'cancelled')),
	started_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	started_by	name NOT NULL DEFAULT SESSION_USER,
	finished_at timestamptz,
	detail		text,
	deferred	text[],					-- in: what builds the indexes and constraints
										-- dropped for the copy (move_in_step)
	CHECK ((state OPERATOR(pg_catalog.<>) 'moving') OPERATOR(pg_catalog.=) (finished_at IS NOT NULL))
);
CREATE UNIQUE INDEX move_one_open ON tec_sovereignty.move (domain)
	WHERE state OPERATOR(pg_catalog.=) 'moving';
COMMENT ON TABLE tec_sovereignty.move IS
	'Live moves of domains out of and into this database: where to or from, when, by whom';
REVOKE ALL ON tec_sovereignty.move FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.move', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('tec_sovereignty.move', 'id'), '');

/* A connection string without its password, for records and messages. */
CREATE FUNCTION tec_sovereignty.move_location(conninfo text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.btrim(pg_catalog.regexp_replace(conninfo, '(^|\s)password\s*=\s*(''([^''\\]|\\.)*''|\S+)', ' ', 'gi'))
$$;

/*
 * Source, prepare: the domain is active; record the move, state moving;
 * tables without a primary key get REPLICA IDENTITY FULL (restored by
 * move_out_end).  destination: the target's database OID when it is a
 * database of this cluster, whose creation of the domain may then take its
 * roles over (the move mark, as tec_transfer_domain sets it; cleared by
 * move_out_end unless the move completed).  Returns the number of tables.
 */
CREATE FUNCTION tec_sovereignty.move_out_begin(domain text, target text, destination oid DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	lo text;
	t record;
	n integer := 0;
	full_ri text[] := '{}';
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;	-- see tec_create_domain
	d := tec_sovereignty.get_domain(domain);
	IF d.state OPERATOR(pg_catalog.<>) 'active' THEN
		RAISE EXCEPTION 'domain "%" is %', d.name, d.state
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Only an active domain can be moved.',
				  HINT = CASE WHEN d.state OPERATOR(pg_catalog.=) 'moving'
							THEN format('A move is under way; cancel it with tec_cancel_move(%L).', d.name) END;
	END IF;
	-- Logical replication does not carry large objects: refuse by name.  The
	-- export run before this step refuses them today as well; this check is
	-- the move's own, so that it holds whatever the export comes to carry.
	SELECT pg_catalog.string_agg(m.oid::text, ', ' ORDER BY m.oid) INTO lo
	  FROM pg_catalog.pg_largeobject_metadata m
	 WHERE m.lomowner::regrole::text IN (d.owner_role, d.writer_role, d.reader_role);
	IF lo IS NOT NULL THEN
		RAISE EXCEPTION 'domain "%" owns large objects, which a live move does not carry', d.name
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = format('Large objects %s are owned by roles of the domain.', lo),
				  HINT = 'Store their contents in a bytea column of a domain table and unlink them, then move again.';
	END IF;
	FOR t IN
		SELECT c.oid::regclass AS rel, c.relreplident
		  FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(d.schema_name)
		   AND c.relkind IN ('r', 'p')
		 ORDER BY c.oid
	LOOP
		n := n OPERATOR(pg_catalog.+) 1;
		IF t.relreplident OPERATOR(pg_catalog.=) 'd' AND NOT EXISTS (
			SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) t.rel AND i.indisprimary) THEN
			EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', t.rel);
			full_ri := full_ri OPERATOR(pg_catalog.||) t.rel::text;
		END IF;
	END LOOP;
	INSERT INTO tec_sovereignty.move (domain, direction, peer, peer_conninfo, detail)
	VALUES (d.name, 'out', tec_sovereignty.move_location(target), target,
			CASE WHEN pg_catalog.cardinality(full_ri) OPERATOR(pg_catalog.>) 0
				 THEN 'replica identity full: ' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(full_ri, ',') END);
	UPDATE tec_sovereignty.domain x SET state = 'moving' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	IF destination IS NOT NULL THEN
		PERFORM tec_sovereignty.mark_domain_transfer(d, destination);
	END IF;
	PERFORM tec_sovereignty.audit_lifecycle('MOVE_START', d.name,
		format('move to %s%s', tec_sovereignty.move_location(target),
			   CASE WHEN destination IS NOT NULL THEN ' (a database of this cluster: it takes the roles over)' ELSE '' END));
	RETURN n;
END
$$;

/*
 * Source, write block: wait for the transactions writing to the domain
 * (tec_transfer_domain's freeze: SHARE on every table, bounded by
 * lock_timeout) and refuse new writes (state move_cutover).
 */
CREATE FUNCTION tec_sovereignty.move_out_freeze(domain text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	tables text;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;
	d := tec_sovereignty.get_domain(domain);
	IF d.state OPERATOR(pg_catalog.<>) 'moving' THEN
		RAISE EXCEPTION 'domain "%" is not being moved', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = format('Its state is "%s".', d.state);
	END IF;
	SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid) INTO tables
	  FROM pg_catalog.pg_class c
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(d.schema_name)
	   AND c.relkind IN ('r', 'p');
	IF tables IS NOT NULL THEN
		-- An autovacuum or autoanalyze of a table (the tables a move brought
		-- in get both) holds a lock SHARE waits for, and a waiter cancels it
		-- only after deadlock_timeout (1 s by default), all of it inside the
		-- write block: 10 ms here, for this transaction.
		PERFORM pg_catalog.set_config('deadlock_timeout', '10ms', true);
		EXECUTE format('LOCK TABLE %s IN SHARE MODE', tables);
	END IF;
	UPDATE tec_sovereignty.domain x SET state = 'move_cutover' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.audit_lifecycle('MOVE_FREEZE', d.name, 'writes refused until the cut-over ends');
END
$$;

/*
 * Source, the end of a move: done (the target is active: state moved,
 * every access refused) or not (state active again).  Restores the
 * replica identities move_out_begin changed.
 */
CREATE FUNCTION tec_sovereignty.move_out_end(domain text, done boolean, detail text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	m tec_sovereignty.move;
	rel text;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;
	d := tec_sovereignty.get_domain(domain);
	SELECT * INTO m FROM tec_sovereignty.move x
	 WHERE x.domain OPERATOR(pg_catalog.=) d.name AND x.direction OPERATOR(pg_catalog.=) 'out'
	   AND x.state OPERATOR(pg_catalog.=) 'moving';
	IF m.id IS NULL OR d.state NOT IN ('moving', 'move_cutover') THEN
		RAISE EXCEPTION 'domain "%" is not being moved', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = format('Its state is "%s".', d.state);
	END IF;
	FOREACH rel IN ARRAY COALESCE(pg_catalog.string_to_array(pg_catalog.substring(m.detail, '^replica identity full: (.*)$'), ','), '{}') LOOP
		IF pg_catalog.to_regclass(rel) IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %s REPLICA IDENTITY DEFAULT', pg_catalog.to_regclass(rel));
		END IF;
	END LOOP;
	UPDATE tec_sovereignty.move x
	   SET state = CASE WHEN done THEN 'moved' ELSE 'cancelled' END, finished_at = pg_catalog.now(),
		   detail = move_out_end.detail
	 WHERE x.id OPERATOR(pg_catalog.=) m.id;
	UPDATE tec_sovereignty.domain x SET state = CASE WHEN done THEN 'moved' ELSE 'active' END
	 WHERE x.name OPERATOR(pg_catalog.=) d.name;
	-- a move within the cluster that did not complete: no database may take the roles over
	IF NOT done THEN
		PERFORM tec_sovereignty.mark_domain_transfer(d, NULL);
	END IF;
	PERFORM tec_sovereignty.audit_lifecycle(CASE WHEN done THEN 'MOVE_COMPLETE' ELSE 'MOVE_CANCEL' END, d.name,
		format('move %s to %s: %s', m.id, m.peer, COALESCE(move_out_end.detail, '')));
END
$$;

/* Target, prepare: the domain the script just created is moving in. */
CREATE FUNCTION tec_sovereignty.move_in_begin(domain text, source text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;
	d := tec_sovereignty.get_domain(domain);
	INSERT INTO tec_sovereignty.move (domain, direction, peer) VALUES (d.name, 'in', tec_sovereignty.move_location(source));
	UPDATE tec_sovereignty.domain x SET state = 'moving_in' WHERE x.name OPERATOR(pg_catalog.=) d.name;
	PERFORM tec_sovereignty.audit_lifecycle('MOVE_IN_START', d.name, format('move from %s', tec_sovereignty.move_location(source)));
END
$$;

/* The registry row of a domain moving in, with its move open; an error otherwise. */
CREATE FUNCTION tec_sovereignty.move_in_domain(domain text)
RETURNS tec_sovereignty.domain
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain := tec_sovereignty.get_domain(domain);
BEGIN
	IF d.state OPERATOR(pg_catalog.<>) 'moving_in' OR NOT EXISTS (
		SELECT 1 FROM tec_sovereignty.move x
		 WHERE x.domain OPERATOR(pg_catalog.=) d.name AND x.direction OPERATOR(pg_catalog.=) 'in'
		   AND x.state OPERATOR(pg_catalog.=) 'moving') THEN
		RAISE EXCEPTION 'domain "%" is not moving in', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = format('Its state is "%s".', d.state);
	END IF;
	RETURN d;
END
$$;

/*
 * Target, prepare: drop the indexes and constraints that would slow the
 * initial copy, and return the statements that build them again (the
 * export's own, from export_ddl(), in its order) for move.c to run after
 * the catch-up, before the cut-over.  Kept up front: primary keys and
 * replica identity indexes (the apply worker finds the rows of an UPDATE
 * or DELETE by them), the unique indexes a foreign key references, the
 * foreign keys themselves (their triggers do not fire under the apply
 * worker's session_replication_role = replica, so they cost the copy
 * nothing, and added later they would scan every row to validate), and
 * everything of partitioned and inheritance trees (their indexes and
 * constraints are attached to each other).  Deferred: the other unique and
 * exclusion constraints, the other indexes, and NOT VALID checks (which
 * the copy would apply to rows they never covered on the source).  An
 * object whose statement the export does not name exactly once is kept,
 * so that a deferral never loses one; their comments come back with them.
 * One statement a row.
 */
CREATE FUNCTION tec_sovereignty.move_in_defer(domain text)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	nsp oid;
	o record;
	ci integer;
	ddl text[] := '{}';
BEGIN
	d := tec_sovereignty.move_in_domain(domain);
	nsp := pg_catalog.to_regnamespace(d.schema_name);
	FOR o IN
		WITH plain AS (
			SELECT c.oid, c.relname FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT c.relispartition
			   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
								WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid OR i.inhparent OPERATOR(pg_catalog.=) c.oid)
		), kept AS (
			SELECT i.indexrelid AS idx FROM pg_catalog.pg_index i WHERE i.indisprimary OR i.indisreplident
			UNION
			SELECT co.conindid FROM pg_catalog.pg_constraint co WHERE co.contype OPERATOR(pg_catalog.=) 'f'
		), objs AS (
			SELECT 84 AS section, p.oid AS rel, co.conname AS name, true AS is_con, p.relname OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) co.conname AS k2,
				   format('CONSTRAINT %I ON %s', co.conname, p.oid::regclass) AS target
			  FROM plain p JOIN pg_catalog.pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) p.oid
			 WHERE co.contype OPERATOR(pg_catalog.=) 'c' AND NOT co.convalidated AND co.conislocal
			UNION ALL
			SELECT 80, p.oid, co.conname, true, p.relname OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) co.conname,
				   format('CONSTRAINT %I ON %s', co.conname, p.oid::regclass)
			  FROM plain p JOIN pg_catalog.pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) p.oid
			 WHERE co.contype IN ('u', 'x') AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.idx OPERATOR(pg_catalog.=) co.conindid)
			UNION ALL
			SELECT 81, p.oid, ic.relname, false, p.relname OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) ic.relname,
				   format('INDEX %s', ic.oid::regclass)
			  FROM plain p JOIN pg_catalog.pg_index i ON i.indrelid OPERATOR(pg_catalog.=) p.oid
			  JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
			 WHERE NOT EXISTS (SELECT 1 FROM kept WHERE kept.idx OPERATOR(pg_catalog.=) i.indexrelid)
			   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid OPERATOR(pg_catalog.=) i.indexrelid
								 AND co.conrelid OPERATOR(pg_catalog.=) p.oid AND co.contype IN ('p', 'u', 'x'))
		), e AS MATERIALIZED (
			SELECT * FROM tec_sovereignty.export_ddl(nsp, d.owner_role, d.writer_role, d.reader_role)
		)
		SELECT objs.*, s.stmts[1] AS stmt, s.k1,
			   -- its comment (section 90) goes with it, and comes back after it
			   (SELECT pg_catalog.array_agg(e.stmt) FROM e
				 WHERE e.section OPERATOR(pg_catalog.=) 90 AND e.k2 OPERATOR(pg_catalog.=) objs.target) AS comments
		  FROM objs,
			   LATERAL (SELECT pg_catalog.array_agg(e.stmt) AS stmts, pg_catalog.min(e.k1) AS k1, pg_catalog.count(*) AS n FROM e
						 WHERE e.section OPERATOR(pg_catalog.=) objs.section AND e.k2 OPERATOR(pg_catalog.=) objs.k2) s
		 WHERE s.n OPERATOR(pg_catalog.=) 1
		 ORDER BY objs.section DESC, objs.k2 COLLATE "C"	-- checks, then constraints, then indexes
	LOOP
		IF o.is_con THEN
			EXECUTE format('ALTER TABLE ONLY %s DROP CONSTRAINT %I', o.rel::regclass, o.name);
		ELSE
			EXECUTE format('DROP INDEX %I.%I', d.schema_name, o.name);
		END IF;
		ddl := ddl OPERATOR(pg_catalog.||) ARRAY[o.section::text, o.k1::text, o.k2, o.stmt];
		FOR ci IN 1 .. COALESCE(pg_catalog.cardinality(o.comments), 0) LOOP
			ddl := ddl OPERATOR(pg_catalog.||) ARRAY['90', '0', o.target, o.comments[ci]];
		END LOOP;
	END LOOP;
	-- to be built in the export's order: section, then k1, then k2
	RETURN QUERY
		SELECT ddl[i OPERATOR(pg_catalog.+) 3]
		  FROM pg_catalog.generate_series(1, pg_catalog.array_length(ddl, 1), 4) i
		 ORDER BY ddl[i]::integer, ddl[i OPERATOR(pg_catalog.+) 1]::bigint, ddl[i OPERATOR(pg_catalog.+) 2] COLLATE "C";
END
$$;

/*
 * Target, beside the copy: the transaction that imports the source's audit
 * trail (move.c's move_import_audit) takes the domain's registry row, as
 * tec_sovereignty.audit_import() requires of a transaction that imports a
 * trail (it grafts one only onto the domain that transaction wrote).  The
 * move created this domain, without the trail, a moment before: only a
 * domain moving in, with its move open, qualifies.
 */
CREATE FUNCTION tec_sovereignty.move_in_audit(domain text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE tec_sovereignty.domain x SET state = x.state
	 WHERE x.name OPERATOR(pg_catalog.=) (tec_sovereignty.move_in_domain(domain)).name
$$;

/*
 * Target, the end: active, with what the apply workers wrote recorded as
 * the move's (one event, rows per table), or the domain dropped.
 */
CREATE FUNCTION tec_sovereignty.move_in_end(domain text, done boolean, detail text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	m tec_sovereignty.move;
BEGIN
	LOCK TABLE tec_sovereignty.domain IN SHARE ROW EXCLUSIVE MODE;
	d := tec_sovereignty.get_domain(domain);
	SELECT * INTO m FROM tec_sovereignty.move x
	 WHERE x.domain OPERATOR(pg_catalog.=) d.name AND x.direction OPERATOR(pg_catalog.=) 'in'
	   AND x.state OPERATOR(pg_catalog.=) 'moving';
	IF m.id IS NULL OR d.state OPERATOR(pg_catalog.<>) 'moving_in' THEN
		RAISE EXCEPTION 'domain "%" is not moving in', d.name
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = format('Its state is "%s".', d.state);
	END IF;
	UPDATE tec_sovereignty.move x
	   SET state = CASE WHEN done THEN 'moved' ELSE 'cancelled' END, finished_at = pg_catalog.now(),
		   detail = move_in_end.detail
	 WHERE x.id OPERATOR(pg_catalog.=) m.id;
	IF done THEN
		UPDATE tec_sovereignty.domain x SET state = 'active' WHERE x.name OPERATOR(pg_catalog.=) d.name;
		PERFORM tec_sovereignty.audit_lifecycle('MOVE_IN', d.name, format('moved in from %s: %s', m.peer, COALESCE(move_in_end.detail, '')));
	ELSE
		UPDATE tec_sovereignty.domain x SET state = 'active' WHERE x.name OPERATOR(pg_catalog.=) d.name;
		PERFORM pg_catalog.tec_drop_domain(d.name, force => true);
	END IF;
END
$$;

CREATE FUNCTION pg_catalog.tec_move_domain(domain text, target text, source text DEFAULT NULL,
											with_audit boolean DEFAULT true)
RETURNS TABLE (phase text, duration_ms double precision, detail text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tsov_move_domain';
COMMENT ON FUNCTION pg_catalog.tec_move_domain(text, text, text, boolean) IS
	'Move a domain live to another server with logical replication; one row per phase, write_block is the time writes were refused';

CREATE FUNCTION pg_catalog.tec_cancel_move(domain text)
RETURNS text
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tsov_cancel_move';
COMMENT ON FUNCTION pg_catalog.tec_cancel_move(text) IS
	'Cancel a live move that did not complete: the source domain is active again, what the move created is removed';

CREATE FUNCTION tec_sovereignty.conninfo_get(conninfo text, keyword text)
RETURNS text
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
AS 'MODULE_PATHNAME', 'tsov_conninfo_get';

/*
 * The connection URL of login for a domain that moved away (NULL when it
 * did not): tec_sovereignty.connection_url() on the server and database
 * of its last completed move (host, port and dbname of the move's target
 * connection string; localhost and 5432 when it names none).
 */
CREATE FUNCTION tec_sovereignty.moved_connection_url(login text, domain text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.replace(
		tec_sovereignty.connection_url(login,
			CASE WHEN h OPERATOR(pg_catalog.~) ':' AND h OPERATOR(pg_catalog.!~) '^/' THEN '[' OPERATOR(pg_catalog.||) h OPERATOR(pg_catalog.||) ']'
				 ELSE tec_sovereignty.url_encode(h) END OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p,
			d.schema_name),
		'/' OPERATOR(pg_catalog.||) tec_sovereignty.url_encode(pg_catalog.current_database()) OPERATOR(pg_catalog.||) '?',
		'/' OPERATOR(pg_catalog.||) tec_sovereignty.url_encode(db) OPERATOR(pg_catalog.||) '?')
	  FROM tec_sovereignty.domain d,
		   LATERAL (SELECT m.peer_conninfo FROM tec_sovereignty.move m
					 WHERE m.domain OPERATOR(pg_catalog.=) d.name AND m.direction OPERATOR(pg_catalog.=) 'out'
					   AND m.state OPERATOR(pg_catalog.=) 'moved' ORDER BY m.id DESC LIMIT 1) m,
		   LATERAL (SELECT COALESCE(tec_sovereignty.conninfo_get(m.peer_conninfo, 'host'), 'localhost') AS h,
						   COALESCE(tec_sovereignty.conninfo_get(m.peer_conninfo, 'port'), '5432') AS p,
						   COALESCE(tec_sovereignty.conninfo_get(m.peer_conninfo, 'dbname'),
									tec_sovereignty.conninfo_get(m.peer_conninfo, 'user'), 'postgres') AS db) c
	 WHERE d.name OPERATOR(pg_catalog.=) domain AND d.state OPERATOR(pg_catalog.=) 'moved'
$$;

/* Where each domain lives. */
CREATE VIEW tec_sovereignty.placements AS
SELECT d.name AS domain,
	   d.state,
	   CASE WHEN d.state OPERATOR(pg_catalog.=) 'moved' THEN o.peer
			ELSE 'this database (' OPERATOR(pg_catalog.||) pg_catalog.current_database() OPERATOR(pg_catalog.||) ')' END AS location,
	   CASE WHEN d.state OPERATOR(pg_catalog.=) 'moved' THEN o.finished_at ELSE COALESCE(i.finished_at, d.created_at) END AS since,
	   CASE WHEN d.state OPERATOR(pg_catalog.=) 'moved' THEN o.started_by ELSE COALESCE(i.started_by, d.created_by) END AS placed_by,
	   i.peer AS moved_in_from
  FROM tec_sovereignty.domain d
  LEFT JOIN LATERAL (SELECT * FROM tec_sovereignty.move m
					  WHERE m.domain OPERATOR(pg_catalog.=) d.name AND m.direction OPERATOR(pg_catalog.=) 'out'
						AND m.state OPERATOR(pg_catalog.=) 'moved' ORDER BY m.id DESC LIMIT 1) o ON true
  LEFT JOIN LATERAL (SELECT * FROM tec_sovereignty.move m
					  WHERE m.domain OPERATOR(pg_catalog.=) d.name AND m.direction OPERATOR(pg_catalog.=) 'in'
						AND m.state OPERATOR(pg_catalog.=) 'moved' ORDER BY m.id DESC LIMIT 1) i ON true;
COMMENT ON VIEW tec_sovereignty.placements IS
	'Where each domain lives: here, or the server it moved to (when, by whom), and where a moved-in domain came from';
REVOKE ALL ON tec_sovereignty.placements FROM PUBLIC;

REVOKE ALL ON FUNCTION tec_sovereignty.move_location(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.conninfo_get(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.moved_connection_url(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_out_begin(text, text, oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_out_freeze(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_out_end(text, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_in_begin(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_in_domain(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_in_defer(text) FROM PUBLIC;

-- move_in_defer and the build of what it dropped, as the extension's own work
-- (src/export/move_step.c): DDL on a domain moving in is refused otherwise.
CREATE FUNCTION tec_sovereignty.move_in_step(domain text, step text)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tsov_move_in_step';
REVOKE ALL ON FUNCTION tec_sovereignty.move_in_step(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_in_audit(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.move_in_end(text, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_move_domain(text, text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_cancel_move(text) FROM PUBLIC;
