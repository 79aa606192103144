/* test/modules/tsov_bench/tsov_bench--1.0.sql: test-only helpers */

\echo Use "CREATE EXTENSION tsov_bench" to load this file. \quit

CREATE FUNCTION tec_sovereignty.audit_bench(domain text, events integer)
RETURNS bigint
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'tsov_audit_bench';
COMMENT ON FUNCTION tec_sovereignty.audit_bench(text, integer) IS
	'Test helper: queue N allowed-read events on a domain (superuser only)';
REVOKE ALL ON FUNCTION tec_sovereignty.audit_bench(text, integer) FROM PUBLIC;
