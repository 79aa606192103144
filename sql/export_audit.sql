--
-- export_audit: exports and transfer steps are recorded in the domain's
-- audit chain; published APIs travel with the export; the audit trail
-- travels with with_audit => true, and its import path refuses what it
-- must (the cross-database round trip is test/t/042_export_audit.pl).
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ea');
SELECT tec_create_domain('regress_eb');
CREATE ROLE regress_ea_boss LOGIN;
SELECT tec_add_member('regress_ea', 'regress_ea_boss', 'owner');
GRANT EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) TO regress_ea_owner;
CREATE TABLE regress_ea.t (id int PRIMARY KEY, v text);
ALTER TABLE regress_ea.t OWNER TO regress_ea_owner;
INSERT INTO regress_ea.t VALUES (1, 'one'), (2, 'two'), (3, 'three');

-- Published APIs: one to every domain (live in the script), one to a named
-- domain (a comment: that domain may not exist on the target).
SET ROLE regress_ea_owner;
CREATE FUNCTION regress_ea.n() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS 'SELECT count(*) FROM regress_ea.t';
CREATE FUNCTION regress_ea.m() RETURNS int LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS 'SELECT 42';
RESET ROLE;
SELECT tec_publish_api('regress_ea.n()'::regprocedure);
SELECT tec_publish_api('regress_ea.m()'::regprocedure, 'regress_eb');
-- The publication to every domain grants EXECUTE to PUBLIC, which only
-- tec_publish_api may grant: the privileges section leaves it to it.
SELECT v FROM tec_export_domain('regress_ea', with_data => false) v
 WHERE v LIKE '%tec_publish_api%' OR v LIKE '%ROUTINE%';

-- An export is recorded twice in the domain's chain, whatever the audit
-- level: EXPORT_START before the first value leaves, EXPORT with what
-- left at the end.  A superuser outside the domain is privileged.
SELECT tec_set_audit_level('regress_ea', 'none');
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SELECT count(*) > 0 AS exported FROM tec_export_domain('regress_ea');
SELECT tec_audit_flush();
SELECT action, decision, actor_domain, object_domain, object_schema, object_oid = 'regress_ea'::regnamespace AS schema_oid,
	   regexp_replace(reason, 'bytes=[0-9]+', 'bytes=N') AS reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND action LIKE 'EXPORT%' ORDER BY seq;

-- The owner's own export is allowed; a consumer that stops early is
-- recorded as such.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_ea_boss;
SELECT count(*) > 0 AS exported FROM (SELECT tec_export_domain('regress_ea', with_data => true)) s;
SELECT left(tec_export_domain('regress_ea'), 30) AS first_line LIMIT 1;
RESET ROLE;
SELECT tec_audit_flush();
SELECT action, decision, actor_domain, session_user_name, effective_user_name,
	   regexp_replace(reason, 'bytes=[0-9]+', 'bytes=N') AS reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND action LIKE 'EXPORT%' ORDER BY seq;

-- A refused export (another domain's owner) is not an export.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
GRANT EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) TO regress_eb_owner;
SET ROLE regress_eb_owner;
SELECT tec_export_domain('regress_ea');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) FROM regress_eb_owner;
SELECT tec_audit_flush();
SELECT count(*) AS export_rows FROM tec_sovereignty.audit_log WHERE seq > :mark AND action LIKE 'EXPORT%' AND decision <> 'denied';
-- but the refusal is recorded, with the caller as the actor (not the
-- extension's owner the export reads the registry as)
SELECT action, decision, actor_domain, object_domain, effective_user_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied';
SELECT tec_set_audit_level('regress_ea', NULL);

-- Each transfer step is recorded, with the transfer's particulars.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SELECT tec_transfer_domain('regress_ea', 'EA Ltd', 'db.ea.example:5432/ea') > 0 AS started;
SELECT tec_cancel_transfer('regress_ea');
SELECT tec_transfer_domain('regress_ea', 'EA Ltd', 'db.ea.example:5432/ea') > 0 AS started;
SELECT length(tec_complete_transfer('regress_ea')) AS sha256_length;
SELECT tec_audit_flush();
SELECT action, decision, object_domain,
	   regexp_replace(regexp_replace(reason, 'transfer [0-9]+', 'transfer N'), 'sha256 [0-9a-f]{64}, [0-9]+ bytes', 'sha256 S, N bytes') AS reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND action LIKE 'TRANSFER%' ORDER BY seq;

-- with_audit: the script ends with the domain's chains (heads, then the
-- rows as COPY) and hands them to tec_sovereignty.audit_import.
SELECT regexp_replace(v, '''[0-9]+/[0-9]+'', [0-9]+, pg_catalog.decode\(''[0-9a-f]{64}''', '''ORIGIN'', N, pg_catalog.decode(''HASH''') AS v
  FROM tec_export_domain('regress_ea', with_audit => true) WITH ORDINALITY e(v, n)
 WHERE v LIKE '%tsov_audit_import%' AND v NOT LIKE 'COPY%' ORDER BY n;
WITH e AS MATERIALIZED (SELECT v FROM tec_export_domain('regress_ea', with_audit => true) v)
SELECT (SELECT array_length(string_to_array(v, E'\n'), 1) - 2 FROM e WHERE v LIKE 'COPY pg_temp.tsov_audit_import_log%') =
	   (SELECT substring(v FROM 'import_chain VALUES \(''[^'']*'', ([0-9]+),')::int FROM e WHERE v LIKE '%import_chain VALUES%')
	   AS every_row_up_to_the_head;

-- The import path: superusers only, only for a domain the transaction
-- creates, only new chains from another database.
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
CREATE TEMP TABLE c (chain_origin text, last_seq bigint, last_hash bytea, anchor_seq bigint, anchor_hash bytea);
CREATE TEMP TABLE l (LIKE tec_sovereignty.audit_log);
SET ROLE regress_eb_owner;
SELECT tec_sovereignty.audit_import('regress_eb', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT tec_sovereignty.audit_import('regress_nope', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_sovereignty.audit_import(NULL, 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_sovereignty.audit_import('regress_eb', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT tec_create_domain('regress_ec');
-- this database's own chain, and rows of another domain: refused
INSERT INTO c SELECT chain_origin, last_seq, last_hash, NULL, NULL FROM tec_sovereignty.audit_chain WHERE chain_domain = 'regress_eb';
SAVEPOINT s;
SELECT tec_sovereignty.audit_import('regress_ec', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO s;
UPDATE c SET chain_origin = 'elsewhere/1';
INSERT INTO l SELECT * FROM tec_sovereignty.audit_log WHERE chain_domain = 'regress_eb';
UPDATE l SET chain_origin = 'elsewhere/1';
SELECT tec_sovereignty.audit_import('regress_ec', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a chain that does not verify is refused, and the refusal is recorded
BEGIN;
SELECT tec_create_domain('regress_ec');
INSERT INTO c VALUES ('elsewhere/2', 1, decode(repeat('00', 32), 'hex'), NULL, NULL);
SELECT tec_sovereignty.audit_import('regress_ec', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT tec_audit_flush();
SELECT action, decision, object_domain, reason FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND action = 'AUDIT_IMPORT' AND object_domain = 'regress_ec' ORDER BY seq;

-- A domain back in a database it left (a live move back, say): its chain
-- here, held up to the imported head, is skipped, not imported again; a
-- row of that chain this database does not hold is refused.
SELECT tec_create_domain('regress_ed');
SELECT tec_audit_flush();
TRUNCATE c, l;
INSERT INTO c SELECT chain_origin, last_seq, last_hash, NULL, NULL FROM tec_sovereignty.audit_chain WHERE chain_domain = 'regress_ed';
INSERT INTO l SELECT * FROM tec_sovereignty.audit_log WHERE chain_domain = 'regress_ed';
SELECT tec_drop_domain('regress_ed', force => true);
SELECT tec_audit_flush();
BEGIN;
SELECT tec_create_domain('regress_ed');
SELECT current_setting('jit') AS jit_before \gset
SELECT tec_sovereignty.audit_import('regress_ed', 'c', 'l') AS rows_added;
-- the import runs its statements without JIT, and sets it back
SELECT current_setting('jit') = :'jit_before' AS jit_as_before;
ROLLBACK;
BEGIN;
SELECT tec_create_domain('regress_ed');
UPDATE l SET row_hash = decode(repeat('00', 32), 'hex') WHERE chain_seq = (SELECT min(chain_seq) FROM l);
SELECT tec_sovereignty.audit_import('regress_ed', 'c', 'l');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT tec_audit_flush();
SELECT action, decision, object_domain, reason FROM tec_sovereignty.audit_log
 WHERE seq > :mark AND action = 'AUDIT_IMPORT' AND object_domain = 'regress_ed' AND decision = 'denied' ORDER BY seq;

-- clean up
DROP TABLE c, l;
DELETE FROM tec_sovereignty.transfer WHERE domain LIKE 'regress\_%';
REVOKE EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) FROM regress_ea_owner;
SELECT tec_drop_domain('regress_ea', force => true);
SELECT tec_drop_domain('regress_eb', force => true);
DROP ROLE regress_ea_boss;
