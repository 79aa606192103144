/*
 * tec_sovereignty--1.0.sql -- install script, assembled by the Makefile from
 * the fragments in sql/parts (one per subsystem, in name order).
 *
 * Where things live:
 *   - tables and views: schema tec_sovereignty (the extension's schema; not
 *     "tec", which is one of the 24 domains);
 *   - the public SQL API (tec_create_domain, tec_add_member, ...): schema
 *     pg_catalog, so that it is callable unqualified whatever the caller's
 *     search_path and cannot be shadowed by an object of the same name in a
 *     schema earlier in the path.  EXECUTE on every administrative function
 *     is revoked from PUBLIC.
 *   - internal helpers: schema tec_sovereignty.
 *
 * Every function that runs SQL fixes its search_path, and every object
 * reference is schema-qualified.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION tec_sovereignty" to load this file. \quit

-- Loading the library first makes CREATE EXTENSION fail, with the
-- postgresql.conf line to add, when it is not in shared_preload_libraries.
CREATE FUNCTION tec_sovereignty.library_version()
RETURNS text
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'tsov_library_version';

DO $check$
BEGIN
	IF tec_sovereignty.library_version() OPERATOR(pg_catalog.<>) '1.0' THEN
		RAISE EXCEPTION 'tec_sovereignty library version % does not match the install script version 1.0',
			tec_sovereignty.library_version()
			USING ERRCODE = 'feature_not_supported',
			      HINT = 'Install the shared library and scripts of the same release, then restart the server.';
	END IF;
END
$check$;
