
/* ------------------------------------------------------------------------
 * Prisma: schema.prisma files and connection settings for applications.
 *
 * tec_prisma_schema(domain) writes the schema.prisma of one domain from the
 * catalogs, the way `prisma db pull` would, so that every domain gets an
 * isolated Prisma client without hand-written glue; tec_prisma_schema(NULL)
 * writes the shared one, for the schemas registered with
 * tec_register_shared_schema() (public by default).  tec_connection_env()
 * writes the matching env file.
 *
 * Target: Prisma ORM 6 (tested with 6.19) with the driver adapter
 * @prisma/adapter-pg: generator "prisma-client-js" with engineType = "client"
 * needs no engine download.  The datasource names its URL with
 * env("<DOMAIN>_DATABASE_URL") and targets the domain's schema through
 * `schemas` and @@schema, so every query is schema-qualified whatever the
 * connection's search_path.  (Prisma 7 moved the URL into prisma.config.ts;
 * there, drop the url line.)
 *
 * Naming rules (documented in doc/prisma.md):
 *   - a table, column, enum or enum value keeps its name when it is a valid
 *     Prisma identifier ([A-Za-z][A-Za-z0-9_]*); otherwise leading
 *     characters that are not letters are dropped, every other invalid
 *     character becomes "_", and @map/@@map keeps the database name;
 *   - model and enum names that Prisma reserves (PrismaClient, JavaScript
 *     keywords, its scalar type names) get the prefix "Renamed";
 *   - names that collide after that (models and enums compared without
 *     regard to case, as the client's properties are) get a numeric suffix;
 *     names that needed no change are served first;
 *   - relation fields: the side holding the foreign key is named after the
 *     key column without its Id/_id suffix (portfolioId -> portfolio), else
 *     after the referenced model in lower camel case; the other side is the
 *     lower camel plural of the referencing model (investments), singular
 *     for one-to-one keys; when two keys link the same pair of models the
 *     back side gets the forward field's name appended
 *     (transfersFromAccount) and both sides carry the constraint name as
 *     relation name.
 *
 * These functions read catalogs only and run with the caller's rights;
 * like every administrative function they are superuser-only by default.
 * ------------------------------------------------------------------------ */

CREATE TABLE tec_sovereignty.shared_schema (
	name		name PRIMARY KEY,
	registered_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE tec_sovereignty.shared_schema IS
	'Non-domain schemas whose tables belong in the shared schema.prisma (tec_prisma_schema(NULL))';
INSERT INTO tec_sovereignty.shared_schema (name) VALUES ('public');
-- public is registered by this script, so pg_dump carries the other rows.
SELECT pg_catalog.pg_extension_config_dump('tec_sovereignty.shared_schema',
	'WHERE name OPERATOR(pg_catalog.<>) ''public''');

CREATE FUNCTION pg_catalog.tec_register_shared_schema(schema_name name)
RETURNS name
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF schema_name IS NULL THEN
		RAISE EXCEPTION 'schema name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) schema_name) THEN
		RAISE EXCEPTION 'schema "%" does not exist', schema_name
			USING ERRCODE = 'invalid_schema_name';
	END IF;
	IF EXISTS (SELECT 1 FROM tec_sovereignty.domain d WHERE d.schema_name OPERATOR(pg_catalog.=) tec_register_shared_schema.schema_name) THEN
		RAISE EXCEPTION 'schema "%" belongs to a domain', schema_name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A domain''s tables belong in the domain''s own schema.prisma: tec_prisma_schema(<domain>).';
	END IF;
	IF schema_name IN ('tec_sovereignty', 'information_schema')
	   OR schema_name OPERATOR(pg_catalog.~~) 'pg\_%' THEN
		RAISE EXCEPTION 'schema "%" is reserved', schema_name
			USING ERRCODE = 'reserved_name',
				  DETAIL = 'System schemas and the extension''s own schema cannot be shared with applications.';
	END IF;
	INSERT INTO tec_sovereignty.shared_schema AS s (name) VALUES (schema_name)
	ON CONFLICT (name) DO NOTHING;
	RETURN schema_name;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_register_shared_schema(name) IS
	'Register a non-domain schema whose tables go into the shared schema.prisma';

CREATE FUNCTION pg_catalog.tec_unregister_shared_schema(schema_name name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM tec_sovereignty.shared_schema s WHERE s.name OPERATOR(pg_catalog.=) schema_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'schema "%" is not registered as shared', schema_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'See the registered schemas with: SELECT name FROM tec_sovereignty.shared_schema;';
	END IF;
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_unregister_shared_schema(name) IS
	'Remove a schema from the shared schema.prisma';

/*
 * A Prisma identifier made of a database name: leading characters that are
 * not ASCII letters are dropped and every other character outside
 * [A-Za-z0-9_] becomes "_".  May return '' (the caller picks a fallback).
 */
CREATE FUNCTION tec_sovereignty.prisma_ident(name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.regexp_replace(pg_catalog.regexp_replace(name, '^[^A-Za-z]+', ''), '[^A-Za-z0-9_]', '_', 'g')
$$;

/*
 * A Prisma string literal: double quotes, with backslash, double quote and
 * control characters escaped.
 */
CREATE FUNCTION tec_sovereignty.prisma_string(s text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '"' OPERATOR(pg_catalog.||)
		   pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
				s, '\', '\\'), '"', '\"'), E'\n', '\n'), E'\r', '\r'), E'\t', '\t')
		   OPERATOR(pg_catalog.||) '"'
$$;

/*
 * candidate, or candidate followed by the smallest number >= 2 that is not
 * in taken (compared case-insensitively when ci).
 */
CREATE FUNCTION tec_sovereignty.prisma_unique_name(candidate text, taken text[], ci boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int := 1;
	c text := candidate;
BEGIN
	LOOP
		IF ci THEN
			EXIT WHEN NOT (pg_catalog.lower(c) OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.lower(t) FROM pg_catalog.unnest(taken) t));
		ELSE
			EXIT WHEN NOT (c OPERATOR(pg_catalog.=) ANY (taken));
		END IF;
		n := n + 1;
		c := candidate OPERATOR(pg_catalog.||) n;
	END LOOP;
	RETURN c;
END
$$;

/* Lower camel case of a model name: NFT -> nft, NFTItem -> nftItem, Portfolio -> portfolio. */
CREATE FUNCTION tec_sovereignty.prisma_lower_camel(name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN name OPERATOR(pg_catalog.~) '^[A-Z]+$' THEN pg_catalog.lower(name)
		WHEN name OPERATOR(pg_catalog.~) '^[A-Z]{2,}[a-z]'
			THEN pg_catalog.lower(pg_catalog.substring(name, '^([A-Z]+)[A-Z][a-z]'))
				 OPERATOR(pg_catalog.||) pg_catalog.substring(name, '^[A-Z]+([A-Z][a-z].*)$')
		ELSE pg_catalog.lower(pg_catalog.left(name, 1)) OPERATOR(pg_catalog.||) pg_catalog.substr(name, 2)
	END
$$;

/* English plural, good enough for model names: Policy -> Policies, Address -> Addresses. */
CREATE FUNCTION tec_sovereignty.prisma_plural(name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN name OPERATOR(pg_catalog.~) '[^aeiouAEIOU][yY]$' THEN pg_catalog.left(name, -1) OPERATOR(pg_catalog.||) 'ies'
		WHEN name OPERATOR(pg_catalog.~) '([sxzSXZ]|[cs]h)$' THEN name OPERATOR(pg_catalog.||) 'es'
		ELSE name OPERATOR(pg_catalog.||) 's'
	END
$$;

/*
 * Prisma's default constraint name, which needs no map: argument:
 * <table>_<columns>_<suffix>, cut to 63 bytes keeping the suffix.
 */
CREATE FUNCTION tec_sovereignty.prisma_default_constraint_name(tbl text, cols text[], suffix text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.left(pg_catalog.array_to_string(ARRAY[tbl] OPERATOR(pg_catalog.||) cols, '_'),
						   63 OPERATOR(pg_catalog.-) pg_catalog.length(suffix) OPERATOR(pg_catalog.-) 1)
		   OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) suffix
$$;

/*
 * Enum values of an enum type with their Prisma names (callers order by
 * sort_order).
 */
CREATE FUNCTION tec_sovereignty.prisma_enum_values(enum_type oid)
RETURNS TABLE (label text, value_name text, sort_order real)
LANGUAGE plpgsql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	taken text[] := '{}';
	e record;
	v text;
BEGIN
	-- Labels that are valid as they stand are served first.
	FOR e IN
		SELECT en.enumlabel::text AS lbl, en.enumsortorder AS ord,
			   tec_sovereignty.prisma_ident(en.enumlabel) OPERATOR(pg_catalog.=) en.enumlabel AS valid
		  FROM pg_catalog.pg_enum en
		 WHERE en.enumtypid OPERATOR(pg_catalog.=) enum_type
		 ORDER BY 3 DESC, en.enumsortorder
	LOOP
		v := tec_sovereignty.prisma_ident(e.lbl);
		IF v OPERATOR(pg_catalog.=) '' THEN
			v := 'VALUE';
		END IF;
		v := tec_sovereignty.prisma_unique_name(v, taken, false);
		taken := taken OPERATOR(pg_catalog.||) v;
		label := e.lbl;
		value_name := v;
		sort_order := e.ord;
		RETURN NEXT;
	END LOOP;
END
$$;

/*
 * The Prisma type of a column type: scalar (String, Int, ..., an enum's
 * name, or Unsupported("...")), whether it is a list, and the native type
 * attribute (@db.X) when it is not the scalar's default.  enum_names maps
 * enum type OIDs (as text) to model names; an enum outside the schemas
 * being written becomes Unsupported.
 */
CREATE FUNCTION tec_sovereignty.prisma_type(typ oid, typmod integer, enum_names jsonb,
	OUT scalar text, OUT is_list boolean, OUT native text, OUT supported boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t pg_catalog.pg_type;
	elem oid := typ;
	mod integer := typmod;
	tname text;
	p integer;
	s integer;
BEGIN
	is_list := false;
	native := NULL;
	supported := true;
	SELECT * INTO t FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) typ;
	-- A domain type is mapped as its base type.
	WHILE t.typtype OPERATOR(pg_catalog.=) 'd' LOOP
		IF t.typtypmod OPERATOR(pg_catalog.<>) -1 THEN
			mod := t.typtypmod;
		END IF;
		elem := t.typbasetype;
		SELECT * INTO t FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) elem;
	END LOOP;
	IF t.typcategory OPERATOR(pg_catalog.=) 'A' AND t.typelem OPERATOR(pg_catalog.<>) 0 THEN
		is_list := true;
		elem := t.typelem;
		SELECT * INTO t FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) elem;
	END IF;
	tname := t.typname;

	IF t.typtype OPERATOR(pg_catalog.=) 'e' AND enum_names ? (elem::text) THEN
		scalar := enum_names OPERATOR(pg_catalog.->>) (elem::text);
		RETURN;
	END IF;

	IF t.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace THEN
		CASE tname
			WHEN 'text' THEN scalar := 'String';
			WHEN 'varchar' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>=) 4 THEN pg_catalog.format('@db.VarChar(%s)', mod OPERATOR(pg_catalog.-) 4) ELSE '@db.VarChar' END;
			WHEN 'bpchar' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>=) 4 THEN pg_catalog.format('@db.Char(%s)', mod OPERATOR(pg_catalog.-) 4) ELSE '@db.Char' END;
			WHEN 'uuid' THEN scalar := 'String'; native := '@db.Uuid';
			WHEN 'xml' THEN scalar := 'String'; native := '@db.Xml';
			WHEN 'inet' THEN scalar := 'String'; native := '@db.Inet';
			WHEN 'bit' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('@db.Bit(%s)', mod) ELSE '@db.Bit' END;
			WHEN 'varbit' THEN
				scalar := 'String';
				native := CASE WHEN mod OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('@db.VarBit(%s)', mod) ELSE '@db.VarBit' END;
			WHEN 'int2' THEN scalar := 'Int'; native := '@db.SmallInt';
			WHEN 'int4' THEN scalar := 'Int';
			WHEN 'oid' THEN scalar := 'Int'; native := '@db.Oid';
			WHEN 'int8' THEN scalar := 'BigInt';
			WHEN 'float4' THEN scalar := 'Float'; native := '@db.Real';
			WHEN 'float8' THEN scalar := 'Float';
			WHEN 'numeric' THEN
				scalar := 'Decimal';
				IF mod OPERATOR(pg_catalog.>=) 4 THEN
					p := ((mod OPERATOR(pg_catalog.-) 4) OPERATOR(pg_catalog.>>) 16) OPERATOR(pg_catalog.&) 65535;
					s := (mod OPERATOR(pg_catalog.-) 4) OPERATOR(pg_catalog.&) 65535;
					native := pg_catalog.format('@db.Decimal(%s, %s)', p, s);
				ELSE
					native := '@db.Decimal';
				END IF;
			WHEN 'money' THEN scalar := 'Decimal'; native := '@db.Money';
			WHEN 'bool' THEN scalar := 'Boolean';
			WHEN 'timestamp' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Timestamp(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'timestamptz' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Timestamptz(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'date' THEN scalar := 'DateTime'; native := '@db.Date';
			WHEN 'time' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Time(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'timetz' THEN
				scalar := 'DateTime';
				native := pg_catalog.format('@db.Timetz(%s)', CASE WHEN mod OPERATOR(pg_catalog.>=) 0 THEN mod ELSE 6 END);
			WHEN 'jsonb' THEN scalar := 'Json';
			WHEN 'json' THEN scalar := 'Json'; native := '@db.Json';
			WHEN 'bytea' THEN scalar := 'Bytes';
			ELSE scalar := NULL;
		END CASE;
	ELSIF tname OPERATOR(pg_catalog.=) 'citext' THEN
		scalar := 'String';
		native := '@db.Citext';
	END IF;

	IF scalar IS NULL THEN
		-- Name the type without its schema: the file never names another
		-- schema's objects.
		supported := false;
		scalar := pg_catalog.format('Unsupported(%s)',
			tec_sovereignty.prisma_string(
				CASE WHEN t.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
					 THEN pg_catalog.format_type(elem, mod) ELSE tname END
				OPERATOR(pg_catalog.||) CASE WHEN is_list THEN '[]' ELSE '' END));
		is_list := false;
		native := NULL;
	END IF;
END
$$;

/*
 * The @default(...) attribute of a column, or NULL: Prisma's functions
 * where the expression is one (autoincrement(), now()), literals where it
 * is a literal, dbgenerated("...") for every other expression.
 */
CREATE FUNCTION tec_sovereignty.prisma_default(expr text, scalar text, is_list boolean, enum_type oid,
	identity "char", generated "char")
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m text[];
	lit text;
	v text;
BEGIN
	IF identity IN ('a', 'd') AND scalar IN ('Int', 'BigInt') THEN
		RETURN '@default(autoincrement())';
	END IF;
	IF expr IS NULL THEN
		RETURN NULL;
	END IF;
	IF generated OPERATOR(pg_catalog.=) 's' THEN
		RETURN pg_catalog.format('@default(dbgenerated(%s))', tec_sovereignty.prisma_string(expr));
	END IF;
	IF expr OPERATOR(pg_catalog.~) '^NULL(::.*)?$' THEN
		RETURN NULL;
	END IF;
	IF scalar IN ('Int', 'BigInt') AND NOT is_list
	   AND expr OPERATOR(pg_catalog.~) '^nextval\(''[^'']+''::regclass\)$' THEN
		RETURN '@default(autoincrement())';
	END IF;
	IF scalar OPERATOR(pg_catalog.=) 'DateTime' AND NOT is_list AND expr IN ('now()', 'CURRENT_TIMESTAMP') THEN
		RETURN '@default(now())';
	END IF;

	IF is_list THEN
		IF expr OPERATOR(pg_catalog.~) '^''\{\}''::[a-z ]+(\([0-9, ]+\))?\[\]$' THEN
			RETURN '@default([])';
		END IF;
	ELSIF scalar IN ('Int', 'BigInt', 'Float', 'Decimal') THEN
		m := pg_catalog.regexp_match(expr, '^\(?''?(-?[0-9]+(\.[0-9]+)?)''?\)?(::[a-z ]+(\([0-9, ]+\))?)?$');
		IF m IS NOT NULL AND (scalar NOT IN ('Int', 'BigInt') OR m[2] IS NULL) THEN
			RETURN pg_catalog.format('@default(%s)', m[1]);
		END IF;
	ELSIF scalar OPERATOR(pg_catalog.=) 'Boolean' THEN
		IF expr IN ('true', 'false') THEN
			RETURN pg_catalog.format('@default(%s)', expr);
		END IF;
	ELSIF scalar IN ('String', 'Json') OR enum_type IS NOT NULL THEN
		-- 'literal' or 'literal'::type, where the type is a plain name.
		m := pg_catalog.regexp_match(expr, '^''((?:[^'']|'''')*)''(::[A-Za-z_" .]+(\([0-9, ]+\))?)?$');
		IF m IS NOT NULL THEN
			lit := pg_catalog.replace(m[1], '''''', '''');
			IF enum_type IS NULL THEN
				RETURN pg_catalog.format('@default(%s)', tec_sovereignty.prisma_string(lit));
			END IF;
			SELECT ev.value_name INTO v FROM tec_sovereignty.prisma_enum_values(enum_type) ev
			 WHERE ev.label OPERATOR(pg_catalog.=) lit;
			IF v IS NOT NULL THEN
				RETURN pg_catalog.format('@default(%s)', v);
			END IF;
		END IF;
	END IF;
	RETURN pg_catalog.format('@default(dbgenerated(%s))', tec_sovereignty.prisma_string(expr));
END
$$;

/*
 * The schema.prisma text for a set of schemas.  Every catalog query is
 * restricted to those schemas: a foreign key to a table elsewhere is left
 * out (with a comment that does not name it), a type from elsewhere becomes
 * Unsupported("<type name>").  Default expressions are deparsed with fixed
 * date and interval styles, so the file does not depend on the session.
 */
