--
-- audit_hash_format: the row hash, recomputed in SQL from the documented
-- canonical encoding (README, "Audit trail"; src/audit/chain.c), equals the
-- stored row_hash for every row, and each row's prev_hash is the hash of
-- the row before it in its chain.  Independent of the C code that wrote
-- the rows, so a change of the writer's hashing that alters a single byte
-- (or of the encoding's documentation) fails here.
--
\set SHOW_CONTEXT never
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SELECT tec_create_domain('regress_h1');
SELECT tec_create_domain('regress_h2');
CREATE ROLE regress_h2_user LOGIN;
SELECT tec_add_member('regress_h2', 'regress_h2_user', 'writer');
SET ROLE regress_h1_owner;
CREATE TABLE regress_h1.t (id int, v text);
INSERT INTO regress_h1.t VALUES (1, 'ünïcødé ' || repeat('x', 3000));
RESET ROLE;
SET tec_sovereignty.audit = 'all';
-- allowed rows (a long statement, multibyte text), a denial, a DBA note
SELECT repeat('long statement text ', 200) AS long \gset
SET ROLE regress_h1_owner;
SELECT count(*) FROM regress_h1.t WHERE v LIKE 'ünï%' AND v <> :'long';
RESET ROLE;
SET ROLE regress_h2_user;
SELECT * FROM regress_h1.t;
RESET ROLE;
SELECT tec_audit_note('regress_h1', 'MAINTENANCE', 'note with ''quotes'' and a NUL-free tail');
RESET tec_sovereignty.audit;
SELECT tec_audit_flush();

-- The encoding (format v2): the tag 'tsov audit v2' with its NUL; then,
-- in this order, chain_domain, chain_origin, chain_seq, prev_hash (32
-- bytes), logged_at (microseconds since 2000-01-01, big-endian in 8
-- bytes), xid (0 when NULL), pid, object_oid (0 when NULL), decision,
-- action, actor_domain, object_domain, object_schema, object_name, reason,
-- via_api, client_addr, application_name, statement, session_user_name,
-- effective_user_name; the other integers as unsigned LEB128 varints (7
-- bits a byte, lowest first, high bit set on all but the last), strings
-- as the varint of their byte length plus one then the bytes, NULL as the
-- varint 0; then, when quarantine is set, 'quarantine', a NUL and the
-- string.
CREATE FUNCTION pg_temp.v(x bigint) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS
$$DECLARE r bytea := ''::bytea;
BEGIN
	LOOP
		IF x < 128 THEN
			RETURN r || set_byte('\x00'::bytea, 0, x::int);
		END IF;
		r := r || set_byte('\x00'::bytea, 0, ((x & 127) | 128)::int);
		x := x >> 7;
	END LOOP;
END$$;
CREATE FUNCTION pg_temp.s(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$SELECT CASE WHEN t IS NULL THEN '\x00'::bytea
			  ELSE pg_temp.v(octet_length(t)::bigint + 1) || convert_to(t, current_setting('server_encoding')) END$$;
CREATE FUNCTION pg_temp.i(v bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS
$$SELECT pg_temp.v(v)$$;
CREATE TEMP TABLE recomputed AS
SELECT l.seq, l.chain_domain, l.chain_seq, l.row_hash, l.prev_hash, sha256(
	   convert_to('tsov audit v2', 'SQL_ASCII') || '\x00'::bytea
	|| pg_temp.s(l.chain_domain) || pg_temp.s(l.chain_origin) || pg_temp.i(l.chain_seq)
	|| l.prev_hash
	|| int8send(((extract(epoch FROM l.logged_at) - 946684800) * 1000000)::bigint)
	|| pg_temp.i(COALESCE(l.xid::text::bigint, 0))
	|| pg_temp.i(l.pid::bigint)
	|| pg_temp.i(COALESCE(l.object_oid::bigint, 0))
	|| pg_temp.s(l.decision) || pg_temp.s(l.action) || pg_temp.s(l.actor_domain)
	|| pg_temp.s(l.object_domain) || pg_temp.s(l.object_schema) || pg_temp.s(l.object_name)
	|| pg_temp.s(l.reason) || pg_temp.s(l.via_api) || pg_temp.s(l.client_addr)
	|| pg_temp.s(l.application_name) || pg_temp.s(l.statement)
	|| pg_temp.s(l.session_user_name) || pg_temp.s(l.effective_user_name)
	|| CASE WHEN l.quarantine IS NULL THEN ''::bytea
			ELSE convert_to('quarantine', 'SQL_ASCII') || '\x00'::bytea || pg_temp.s(l.quarantine) END
	   ) AS hash
  FROM tec_sovereignty.audit_log l WHERE l.seq > :mark;

-- every row of this test: the stored hash is the recomputed one
SELECT count(*) > 3 AS rows_written,
	   count(*) FILTER (WHERE r.hash IS DISTINCT FROM r.row_hash) AS mismatched,
	   bool_or(octet_length(l.statement) > 2048) AS has_long_statement,
	   bool_or(l.decision = 'denied') AS has_denial,
	   bool_or(l.statement ~ '[^\x01-\x7f]') AS has_multibyte
  FROM recomputed r JOIN tec_sovereignty.audit_log l USING (seq);
-- and the chain links: prev_hash is the previous row's hash in the chain
SELECT count(*) FILTER (WHERE p.row_hash IS DISTINCT FROM r.prev_hash) AS broken_links,
	   count(*) > 0 AS links_checked
  FROM recomputed r
  JOIN tec_sovereignty.audit_log p
    ON p.chain_domain = r.chain_domain AND p.chain_seq = r.chain_seq - 1
   AND p.chain_origin = (SELECT chain_origin FROM tec_sovereignty.audit_log WHERE seq = r.seq);

-- clean up
SELECT tec_drop_domain('regress_h2', force => true);
SELECT tec_drop_domain('regress_h1', force => true);
DROP ROLE regress_h2_user;
