-- Prisma schema and env generation: tec_prisma_schema(), tec_connection_env() and the walk
-- that builds a schema file; the shared-schema registry and the type, default and naming
-- helpers they use are in types.sql.

CREATE FUNCTION tec_sovereignty.prisma_schema_for(schemas name[], env_var text, header text, prisma_version integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET intervalstyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
	nsps oid[];
	reserved CONSTANT text[] := ARRAY[
		'PrismaClient', 'Prisma', 'String', 'Boolean', 'Int', 'BigInt', 'Float', 'Decimal', 'DateTime',
		'Json', 'Bytes', 'Unsupported',
		'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
		'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements',
		'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private',
		'protected', 'public', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof',
		'var', 'void', 'while', 'with', 'yield'];
	type_names text[] := '{}';		-- models and enums
	model_of jsonb := '{}';			-- relid -> model name
	enum_of jsonb := '{}';			-- enum oid -> enum name
	field_of jsonb := '{}';			-- relid -> {attnum -> field name}
	taken jsonb := '{}';			-- relid -> [field names]
	ignored jsonb := '{}';			-- relid -> true when the model gets @@ignore
	lines jsonb := '{}';			-- relid -> [[name, type, attributes, doc]] of relation fields
	notes jsonb := '{}';			-- relid -> [comment lines]
	r record;
	c record;
	fk record;
	ix record;
	cand text;
	nm text;
	out text := '';
	body text;
	fl jsonb;
	w1 int;
	w2 int;
	i int;
	ty record;
	attrs text;
	doc text;
	cols text[];
	fcols text[];
	rcols text[];
	blocks text[];
	fwd text;
	back text;
	relname_attr text;
	pair_count int;
	one_to_one boolean;
	optional boolean;
	on_delete text;
	on_update text;
	n_models int := 0;
BEGIN
	SELECT pg_catalog.array_agg(n.oid ORDER BY pg_catalog.array_position(schemas, n.nspname))
	  INTO nsps
	  FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.=) ANY (schemas);

	/*
	 * Prisma 6: the Rust-free client is opted into with engineType and the
	 * URL is named here.  Prisma 7: the client is always Rust-free and the
	 * URL lives in prisma.config.ts (tec_prisma_config()); a url line is
	 * refused (P1012).
	 */
	out := header
		OPERATOR(pg_catalog.||) E'\ngenerator client {\n'
		OPERATOR(pg_catalog.||) CASE WHEN prisma_version OPERATOR(pg_catalog.=) 6 THEN
			E'  provider   = "prisma-client-js"\n'
			'  output     = "../db/generated"\n'
			'  engineType = "client"\n'
		ELSE
			E'  provider = "prisma-client-js"\n'
			'  output   = "../db/generated"\n'
		END
		OPERATOR(pg_catalog.||) E'}\n\n'
		OPERATOR(pg_catalog.||) E'datasource db {\n'
		OPERATOR(pg_catalog.||) E'  provider = "postgresql"\n'
		OPERATOR(pg_catalog.||) CASE WHEN prisma_version OPERATOR(pg_catalog.=) 6
			THEN pg_catalog.format(E'  url      = env(%s)\n', tec_sovereignty.prisma_string(env_var)) ELSE '' END
		OPERATOR(pg_catalog.||) pg_catalog.format(E'  schemas  = [%s]\n',
			(SELECT pg_catalog.string_agg(tec_sovereignty.prisma_string(s), ', ' ORDER BY o)
			   FROM pg_catalog.unnest(schemas) WITH ORDINALITY u(s, o)))
		OPERATOR(pg_catalog.||) E'}\n';

	/*
	 * Type names: tables first, then enums; names that need no change are
	 * served first so that they keep them.
	 */
	FOR r IN
		SELECT cls.oid, cls.relname::text AS dbname, 'model' AS kind,
			   tec_sovereignty.prisma_ident(cls.relname) OPERATOR(pg_catalog.=) cls.relname AS valid,
			   pg_catalog.array_position(nsps, cls.relnamespace) AS nsp_pos
		  FROM pg_catalog.pg_class cls
		 WHERE cls.relnamespace OPERATOR(pg_catalog.=) ANY (nsps)
		   AND cls.relkind IN ('r', 'p') AND NOT cls.relispartition
		   -- Prisma Migrate's history (prisma migrate deploy, tec-prisma
		   -- migrate) is no model, as with prisma db pull.
		   AND cls.relname OPERATOR(pg_catalog.<>) '_prisma_migrations'
		UNION ALL
		SELECT t.oid, t.typname::text, 'enum',
			   tec_sovereignty.prisma_ident(t.typname) OPERATOR(pg_catalog.=) t.typname,
			   pg_catalog.array_position(nsps, t.typnamespace)
		  FROM pg_catalog.pg_type t
		 WHERE t.typnamespace OPERATOR(pg_catalog.=) ANY (nsps) AND t.typtype OPERATOR(pg_catalog.=) 'e'
		 ORDER BY kind DESC, valid DESC, nsp_pos, dbname
	LOOP
		cand := tec_sovereignty.prisma_ident(r.dbname);
		IF cand OPERATOR(pg_catalog.=) '' THEN
			cand := CASE r.kind WHEN 'model' THEN 'Model' ELSE 'Enum' END;
		ELSIF cand OPERATOR(pg_catalog.=) ANY (reserved) THEN
			cand := 'Renamed' OPERATOR(pg_catalog.||) cand;
		END IF;
		nm := tec_sovereignty.prisma_unique_name(cand, type_names, true);
		type_names := type_names OPERATOR(pg_catalog.||) nm;
		IF r.kind OPERATOR(pg_catalog.=) 'model' THEN
			model_of := model_of OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.oid::text, nm);
		ELSE
			enum_of := enum_of OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.oid::text, nm);
		END IF;
	END LOOP;

	/* Scalar field names, per model: valid names first. */
	FOR r IN SELECT k::oid AS relid FROM pg_catalog.jsonb_object_keys(model_of) k LOOP
		fl := '{}';
		cols := '{}';
		FOR c IN
			SELECT a.attnum, a.attname::text AS attname
			  FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
			 ORDER BY tec_sovereignty.prisma_ident(a.attname) OPERATOR(pg_catalog.=) a.attname DESC, a.attnum
		LOOP
			cand := tec_sovereignty.prisma_ident(c.attname);
			IF cand OPERATOR(pg_catalog.=) '' THEN
				cand := 'field';
			END IF;
			nm := tec_sovereignty.prisma_unique_name(cand, cols, false);
			cols := cols OPERATOR(pg_catalog.||) nm;
			fl := fl OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(c.attnum::text, nm);
		END LOOP;
		field_of := field_of OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, fl);
		taken := taken OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, pg_catalog.to_jsonb(cols));
		lines := lines OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, '[]'::jsonb);
		notes := notes OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, '[]'::jsonb);
	END LOOP;

	/*
	 * Models Prisma Client cannot handle: no primary key and no unique
	 * index whose columns are all NOT NULL and of supported types.
	 */
	FOR r IN SELECT k::oid AS relid FROM pg_catalog.jsonb_object_keys(model_of) k LOOP
		IF NOT EXISTS (
			SELECT 1 FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisunique AND x.indexprs IS NULL AND x.indpred IS NULL
			   AND NOT EXISTS (
					SELECT 1 FROM pg_catalog.unnest(x.indkey::int2[]) k(attnum)
					  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
					 WHERE NOT a.attnotnull OR NOT (tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported)) THEN
			ignored := ignored OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(r.relid::text, true);
		END IF;
	END LOOP;

	/*
	 * Relations: one per foreign key whose two tables are both written.
	 */
	FOR fk IN
		SELECT con.oid, con.conname::text AS conname, con.conrelid AS child, con.confrelid AS parent,
			   con.conkey, con.confkey, con.confdeltype, con.confupdtype,
			   model_of OPERATOR(pg_catalog.->>) (con.conrelid::text) AS child_model,
			   model_of OPERATOR(pg_catalog.->>) (con.confrelid::text) AS parent_model,
			   cc.relname::text AS child_table
		  FROM pg_catalog.pg_constraint con
		  JOIN pg_catalog.pg_class cc ON cc.oid OPERATOR(pg_catalog.=) con.conrelid
		 WHERE con.contype OPERATOR(pg_catalog.=) 'f'
		   AND model_of ? (con.conrelid::text)
		 ORDER BY model_of OPERATOR(pg_catalog.->>) (con.conrelid::text), con.conname
	LOOP
		IF fk.parent_model IS NULL THEN
			notes := pg_catalog.jsonb_set(notes, ARRAY[fk.child::text],
				(notes OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(
					pg_catalog.format('// foreign key %s references a table outside this schema.prisma and is not represented', tec_sovereignty.prisma_string(fk.conname))));
			CONTINUE;
		END IF;
		IF EXISTS (
			SELECT 1 FROM pg_catalog.unnest(fk.conkey) k(attnum)
			  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) fk.child AND a.attnum OPERATOR(pg_catalog.=) k.attnum
			 WHERE NOT (tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported) THEN
			notes := pg_catalog.jsonb_set(notes, ARRAY[fk.child::text],
				(notes OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(
					pg_catalog.format('// foreign key %s is on columns of unsupported types and is not represented', tec_sovereignty.prisma_string(fk.conname))));
			CONTINUE;
		END IF;

		SELECT pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[fk.child::text, k.attnum::text] ORDER BY k.o)
		  INTO fcols FROM pg_catalog.unnest(fk.conkey) WITH ORDINALITY k(attnum, o);
		SELECT pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[fk.parent::text, k.attnum::text] ORDER BY k.o)
		  INTO rcols FROM pg_catalog.unnest(fk.confkey) WITH ORDINALITY k(attnum, o);
		SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.o)
		  INTO cols
		  FROM pg_catalog.unnest(fk.conkey) WITH ORDINALITY k(attnum, o)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) fk.child AND a.attnum OPERATOR(pg_catalog.=) k.attnum;
		SELECT pg_catalog.bool_or(NOT a.attnotnull) INTO optional
		  FROM pg_catalog.unnest(fk.conkey) k(attnum)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) fk.child AND a.attnum OPERATOR(pg_catalog.=) k.attnum;
		-- One-to-one when the key columns are exactly a unique index's.
		SELECT EXISTS (
			SELECT 1 FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) fk.child AND x.indisunique AND x.indexprs IS NULL AND x.indpred IS NULL
			   AND (SELECT pg_catalog.array_agg(k ORDER BY k) FROM pg_catalog.unnest(x.indkey::int2[]) k)
				   OPERATOR(pg_catalog.=) (SELECT pg_catalog.array_agg(k ORDER BY k) FROM pg_catalog.unnest(fk.conkey) k))
		  INTO one_to_one;
		SELECT pg_catalog.count(*) INTO pair_count
		  FROM pg_catalog.pg_constraint con
		 WHERE con.contype OPERATOR(pg_catalog.=) 'f'
		   AND ((con.conrelid OPERATOR(pg_catalog.=) fk.child AND con.confrelid OPERATOR(pg_catalog.=) fk.parent)
				OR (con.conrelid OPERATOR(pg_catalog.=) fk.parent AND con.confrelid OPERATOR(pg_catalog.=) fk.child));

		-- The side holding the key.
		IF pg_catalog.array_length(fcols, 1) OPERATOR(pg_catalog.=) 1
		   AND fcols[1] OPERATOR(pg_catalog.~) '^[A-Za-z][A-Za-z0-9_]*?(Id|_id|ID)$' THEN
			cand := pg_catalog.regexp_replace(fcols[1], '(Id|_id|ID)$', '');
		ELSE
			cand := tec_sovereignty.prisma_lower_camel(fk.parent_model);
		END IF;
		fwd := tec_sovereignty.prisma_unique_name(cand,
			ARRAY(SELECT pg_catalog.jsonb_array_elements_text(taken OPERATOR(pg_catalog.->) (fk.child::text))), false);
		taken := pg_catalog.jsonb_set(taken, ARRAY[fk.child::text],
			(taken OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(fwd));

		-- The other side.
		IF one_to_one THEN
			cand := tec_sovereignty.prisma_lower_camel(fk.child_model);
		ELSE
			cand := tec_sovereignty.prisma_lower_camel(tec_sovereignty.prisma_plural(fk.child_model));
		END IF;
		IF pair_count OPERATOR(pg_catalog.>) 1 OR fk.child OPERATOR(pg_catalog.=) fk.parent THEN
			cand := cand OPERATOR(pg_catalog.||) pg_catalog.upper(pg_catalog.left(fwd, 1)) OPERATOR(pg_catalog.||) pg_catalog.substr(fwd, 2);
			relname_attr := tec_sovereignty.prisma_string(fk.conname) OPERATOR(pg_catalog.||) ', ';
		ELSE
			relname_attr := '';
		END IF;
		back := tec_sovereignty.prisma_unique_name(cand,
			ARRAY(SELECT pg_catalog.jsonb_array_elements_text(taken OPERATOR(pg_catalog.->) (fk.parent::text))), false);
		taken := pg_catalog.jsonb_set(taken, ARRAY[fk.parent::text],
			(taken OPERATOR(pg_catalog.->) (fk.parent::text)) OPERATOR(pg_catalog.||) pg_catalog.to_jsonb(back));

		on_delete := CASE fk.confdeltype WHEN 'a' THEN 'NoAction' WHEN 'r' THEN 'Restrict' WHEN 'c' THEN 'Cascade'
										 WHEN 'n' THEN 'SetNull' WHEN 'd' THEN 'SetDefault' END;
		on_update := CASE fk.confupdtype WHEN 'a' THEN 'NoAction' WHEN 'r' THEN 'Restrict' WHEN 'c' THEN 'Cascade'
										 WHEN 'n' THEN 'SetNull' WHEN 'd' THEN 'SetDefault' END;
		attrs := pg_catalog.format('@relation(%sfields: [%s], references: [%s]',
			relname_attr, pg_catalog.array_to_string(fcols, ', '), pg_catalog.array_to_string(rcols, ', '));
		-- Prisma refuses SetNull on a required relation: leave the action
		-- to the database (it fails there at run time, as it would).
		IF NOT (on_delete OPERATOR(pg_catalog.=) 'SetNull' AND NOT optional) THEN
			attrs := attrs OPERATOR(pg_catalog.||) ', onDelete: ' OPERATOR(pg_catalog.||) on_delete;
		END IF;
		IF NOT (on_update OPERATOR(pg_catalog.=) 'SetNull' AND NOT optional) THEN
			attrs := attrs OPERATOR(pg_catalog.||) ', onUpdate: ' OPERATOR(pg_catalog.||) on_update;
		END IF;
		IF fk.conname OPERATOR(pg_catalog.<>) tec_sovereignty.prisma_default_constraint_name(fk.child_table, cols, 'fkey') THEN
			attrs := attrs OPERATOR(pg_catalog.||) ', map: ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_string(fk.conname);
		END IF;
		attrs := attrs OPERATOR(pg_catalog.||) ')';
		IF ignored ? (fk.parent::text) AND NOT ignored ? (fk.child::text) THEN
			attrs := attrs OPERATOR(pg_catalog.||) ' @ignore';
		END IF;
		lines := pg_catalog.jsonb_set(lines, ARRAY[fk.child::text],
			(lines OPERATOR(pg_catalog.->) (fk.child::text)) OPERATOR(pg_catalog.||)
			pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(fwd,
				fk.parent_model OPERATOR(pg_catalog.||) CASE WHEN optional THEN '?' ELSE '' END, attrs, NULL)));

		attrs := CASE WHEN relname_attr OPERATOR(pg_catalog.<>) ''
					  THEN pg_catalog.format('@relation(%s)', tec_sovereignty.prisma_string(fk.conname)) ELSE '' END;
		IF ignored ? (fk.child::text) AND NOT ignored ? (fk.parent::text) THEN
			attrs := pg_catalog.ltrim(attrs OPERATOR(pg_catalog.||) ' @ignore');
		END IF;
		lines := pg_catalog.jsonb_set(lines, ARRAY[fk.parent::text],
			(lines OPERATOR(pg_catalog.->) (fk.parent::text)) OPERATOR(pg_catalog.||)
			pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(back,
				fk.child_model OPERATOR(pg_catalog.||) CASE WHEN one_to_one THEN '?' ELSE '[]' END, attrs, NULL)));
	END LOOP;

	/* Models, in the order of their names. */
	FOR r IN
		SELECT cls.oid AS relid, cls.relname::text AS tbl, n.nspname::text AS nsp,
			   model_of OPERATOR(pg_catalog.->>) (cls.oid::text) AS model,
			   pg_catalog.obj_description(cls.oid, 'pg_class') AS descr
		  FROM pg_catalog.pg_class cls
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) cls.relnamespace
		 WHERE model_of ? (cls.oid::text)
		 ORDER BY pg_catalog.array_position(nsps, cls.relnamespace), cls.relname
	LOOP
		n_models := n_models OPERATOR(pg_catalog.+) 1;
		fl := '[]';
		blocks := '{}';

		FOR c IN
			SELECT a.attnum, a.attname::text AS attname, a.atttypid, a.atttypmod, a.attnotnull,
				   a.attidentity, a.attgenerated,
				   pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS def,
				   pg_catalog.col_description(r.relid, a.attnum) AS descr,
				   field_of OPERATOR(pg_catalog.#>>) ARRAY[r.relid::text, a.attnum::text] AS field
			  FROM pg_catalog.pg_attribute a
			  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
			 WHERE a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
			 ORDER BY a.attnum
		LOOP
			SELECT * INTO ty FROM tec_sovereignty.prisma_type(c.atttypid, c.atttypmod, enum_of);
			attrs := '';
			-- @id for a one-column primary key.
			SELECT x.* INTO ix
			  FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisprimary
			   AND x.indnkeyatts OPERATOR(pg_catalog.=) 1 AND x.indkey[0] OPERATOR(pg_catalog.=) c.attnum;
			IF FOUND AND ty.supported THEN
				nm := (SELECT con.conname FROM pg_catalog.pg_constraint con WHERE con.conindid OPERATOR(pg_catalog.=) ix.indexrelid AND con.contype OPERATOR(pg_catalog.=) 'p');
				attrs := attrs OPERATOR(pg_catalog.||) CASE
					WHEN nm OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, '{}', 'pkey') THEN ' @id'
					ELSE pg_catalog.format(' @id(map: %s)', tec_sovereignty.prisma_string(nm)) END;
			END IF;
			-- @unique for the first one-column unique index on the column.
			SELECT x.indexrelid, (SELECT cl.relname::text FROM pg_catalog.pg_class cl WHERE cl.oid OPERATOR(pg_catalog.=) x.indexrelid) AS iname
			  INTO ix
			  FROM pg_catalog.pg_index x
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisunique AND NOT x.indisprimary
			   AND x.indexprs IS NULL AND x.indpred IS NULL AND x.indnkeyatts OPERATOR(pg_catalog.=) 1
			   AND x.indnatts OPERATOR(pg_catalog.=) 1
			   AND x.indkey[0] OPERATOR(pg_catalog.=) c.attnum AND x.indoption[0] OPERATOR(pg_catalog.=) 0
			 ORDER BY 2 LIMIT 1;
			IF FOUND AND ty.supported THEN
				attrs := attrs OPERATOR(pg_catalog.||) CASE
					WHEN ix.iname OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, ARRAY[c.attname], 'key') THEN ' @unique'
					ELSE pg_catalog.format(' @unique(map: %s)', tec_sovereignty.prisma_string(ix.iname)) END;
			END IF;
			attrs := attrs OPERATOR(pg_catalog.||) COALESCE(' ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_default(
				c.def, ty.scalar, ty.is_list,
				CASE WHEN enum_of ? (c.atttypid::text) THEN c.atttypid END,
				c.attidentity, c.attgenerated), '');
			IF ty.scalar OPERATOR(pg_catalog.=) 'DateTime' AND NOT ty.is_list
			   AND c.attname IN ('updatedAt', 'updated_at') THEN
				attrs := attrs OPERATOR(pg_catalog.||) ' @updatedAt';
			END IF;
			IF c.field OPERATOR(pg_catalog.<>) c.attname THEN
				attrs := attrs OPERATOR(pg_catalog.||) pg_catalog.format(' @map(%s)', tec_sovereignty.prisma_string(c.attname));
			END IF;
			IF ty.native IS NOT NULL THEN
				attrs := attrs OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) ty.native;
			END IF;
			doc := c.descr;
			IF c.attgenerated OPERATOR(pg_catalog.=) 's' THEN
				doc := pg_catalog.concat_ws(E'\n', doc, 'Generated column: the database computes it; do not write it.');
			END IF;
			fl := fl OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(
				c.field,
				ty.scalar OPERATOR(pg_catalog.||) CASE WHEN ty.is_list THEN '[]' WHEN NOT c.attnotnull THEN '?' ELSE '' END,
				pg_catalog.ltrim(attrs), doc));
		END LOOP;
		fl := fl OPERATOR(pg_catalog.||) (lines OPERATOR(pg_catalog.->) (r.relid::text));

		-- @@id for a composite primary key.
		SELECT x.indexrelid, con.conname::text AS conname,
			   pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[r.relid::text, k.attnum::text] ORDER BY k.o) AS fields,
			   pg_catalog.array_agg(a.attname::text ORDER BY k.o) AS cols,
			   pg_catalog.bool_and((tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported) AS supported
		  INTO ix
		  FROM pg_catalog.pg_index x
		  JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) x.indexrelid AND con.contype OPERATOR(pg_catalog.=) 'p'
		  CROSS JOIN LATERAL pg_catalog.unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, o)
		  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
		 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND x.indisprimary AND x.indnkeyatts OPERATOR(pg_catalog.>) 1
		 GROUP BY x.indexrelid, con.conname;
		IF FOUND AND ix.supported THEN
			blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@id([%s]%s)', pg_catalog.array_to_string(ix.fields, ', '),
				CASE WHEN ix.conname OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, '{}', 'pkey') THEN ''
					 ELSE ', map: ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_string(ix.conname) END);
		END IF;

		-- @@unique and @@index: plain column indexes (btree, or hash for
		-- non-unique ones); others are named in a comment.
		FOR ix IN
			SELECT x.indexrelid, cl.relname::text AS iname, x.indisunique, am.amname::text AS amname,
				   x.indexprs IS NULL AND x.indpred IS NULL AS plain,
				   pg_catalog.array_agg(field_of OPERATOR(pg_catalog.#>>) ARRAY[r.relid::text, k.attnum::text]
						OPERATOR(pg_catalog.||) CASE WHEN (x.indoption[k.o::int OPERATOR(pg_catalog.-) 1] OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1
												   THEN '(sort: Desc)' ELSE '' END ORDER BY k.o) AS fields,
				   pg_catalog.array_agg(a.attname::text ORDER BY k.o) AS cols,
				   pg_catalog.bool_and(COALESCE((tec_sovereignty.prisma_type(a.atttypid, a.atttypmod, enum_of)).supported, false)) AS supported,
				   pg_catalog.bool_and(k.attnum OPERATOR(pg_catalog.>) 0) AS no_expr,
				   x.indnatts OPERATOR(pg_catalog.=) x.indnkeyatts AS no_include
			  FROM pg_catalog.pg_index x
			  JOIN pg_catalog.pg_class cl ON cl.oid OPERATOR(pg_catalog.=) x.indexrelid
			  JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) cl.relam
			  CROSS JOIN LATERAL pg_catalog.unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, o)
			  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
			 WHERE x.indrelid OPERATOR(pg_catalog.=) r.relid AND NOT x.indisprimary
			 GROUP BY x.indexrelid, cl.relname, x.indisunique, am.amname, x.indexprs, x.indpred, x.indnatts, x.indnkeyatts
			 ORDER BY x.indisunique DESC, cl.relname
		LOOP
			IF NOT (ix.plain AND ix.supported AND ix.no_expr AND ix.no_include)
			   OR ix.amname NOT IN ('btree', 'hash') OR (ix.indisunique AND ix.amname OPERATOR(pg_catalog.<>) 'btree') THEN
				blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('// index %s (%s) is not represented: Prisma cannot describe it',
					tec_sovereignty.prisma_string(ix.iname), ix.amname);
				CONTINUE;
			END IF;
			IF ix.indisunique AND pg_catalog.array_length(ix.fields, 1) OPERATOR(pg_catalog.=) 1
			   AND ix.fields[1] OPERATOR(pg_catalog.!~) '\(' THEN
				-- The first such index became @unique on the field above.
				CONTINUE WHEN ix.indexrelid OPERATOR(pg_catalog.=) (
					SELECT x2.indexrelid FROM pg_catalog.pg_index x2
					  JOIN pg_catalog.pg_class cl2 ON cl2.oid OPERATOR(pg_catalog.=) x2.indexrelid
					 WHERE x2.indrelid OPERATOR(pg_catalog.=) r.relid AND x2.indisunique AND NOT x2.indisprimary
					   AND x2.indexprs IS NULL AND x2.indpred IS NULL AND x2.indnkeyatts OPERATOR(pg_catalog.=) 1
					   AND x2.indnatts OPERATOR(pg_catalog.=) 1
					   AND x2.indkey[0] OPERATOR(pg_catalog.=) (SELECT a.attnum FROM pg_catalog.pg_attribute a
						   WHERE a.attrelid OPERATOR(pg_catalog.=) r.relid AND a.attname OPERATOR(pg_catalog.=) ix.cols[1])
					   AND x2.indoption[0] OPERATOR(pg_catalog.=) 0
					 ORDER BY cl2.relname LIMIT 1);
			END IF;
			blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@%s([%s]%s%s)',
				CASE WHEN ix.indisunique THEN 'unique' ELSE 'index' END,
				pg_catalog.array_to_string(ix.fields, ', '),
				CASE WHEN ix.iname OPERATOR(pg_catalog.=) tec_sovereignty.prisma_default_constraint_name(r.tbl, ix.cols,
							CASE WHEN ix.indisunique THEN 'key' ELSE 'idx' END) THEN ''
					 ELSE ', map: ' OPERATOR(pg_catalog.||) tec_sovereignty.prisma_string(ix.iname) END,
				CASE WHEN ix.amname OPERATOR(pg_catalog.=) 'hash' THEN ', type: Hash' ELSE '' END);
		END LOOP;

		IF r.model OPERATOR(pg_catalog.<>) r.tbl THEN
			blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@map(%s)', tec_sovereignty.prisma_string(r.tbl));
		END IF;
		IF ignored ? (r.relid::text) THEN
			blocks := blocks OPERATOR(pg_catalog.||) '@@ignore'::text;
		END IF;
		blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.format('@@schema(%s)', tec_sovereignty.prisma_string(r.nsp));

		-- Render, aligned the way `prisma format` aligns.
		SELECT pg_catalog.max(pg_catalog.length(e OPERATOR(pg_catalog.->>) 0)), pg_catalog.max(pg_catalog.length(e OPERATOR(pg_catalog.->>) 1))
		  INTO w1, w2 FROM pg_catalog.jsonb_array_elements(fl) e;
		body := '';
		IF r.descr IS NOT NULL THEN
			body := body OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg(pg_catalog.rtrim('/// ' OPERATOR(pg_catalog.||) l) OPERATOR(pg_catalog.||) E'\n', '')
												   FROM pg_catalog.regexp_split_to_table(r.descr, E'\r?\n') l);
		END IF;
		IF ignored ? (r.relid::text) THEN
			body := body OPERATOR(pg_catalog.||) E'/// The underlying table does not contain a valid unique identifier and can therefore currently not be handled by Prisma Client.\n';
		END IF;
		body := body OPERATOR(pg_catalog.||) pg_catalog.format(E'model %s {\n', r.model);
		FOR i IN 0 .. COALESCE(pg_catalog.jsonb_array_length(fl), 0) OPERATOR(pg_catalog.-) 1 LOOP
			IF fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 3 IS NOT NULL THEN
				body := body OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg(pg_catalog.rtrim('  /// ' OPERATOR(pg_catalog.||) l) OPERATOR(pg_catalog.||) E'\n', '')
													   FROM pg_catalog.regexp_split_to_table(fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 3, E'\r?\n') l);
			END IF;
			body := body OPERATOR(pg_catalog.||) pg_catalog.rtrim(pg_catalog.format('  %s %s %s',
				pg_catalog.rpad(fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 0, w1),
				pg_catalog.rpad(fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 1, w2),
				fl OPERATOR(pg_catalog.->) i OPERATOR(pg_catalog.->>) 2)) OPERATOR(pg_catalog.||) E'\n';
		END LOOP;
		IF pg_catalog.jsonb_array_length(notes OPERATOR(pg_catalog.->) (r.relid::text)) OPERATOR(pg_catalog.>) 0 THEN
			blocks := ARRAY(SELECT pg_catalog.jsonb_array_elements_text(notes OPERATOR(pg_catalog.->) (r.relid::text))) OPERATOR(pg_catalog.||) blocks;
		END IF;
		body := body OPERATOR(pg_catalog.||) E'\n'
			OPERATOR(pg_catalog.||) (SELECT pg_catalog.string_agg('  ' OPERATOR(pg_catalog.||) b OPERATOR(pg_catalog.||) E'\n', '' ORDER BY o)
									   FROM pg_catalog.unnest(blocks) WITH ORDINALITY u(b, o))
			OPERATOR(pg_catalog.||) E'}\n';
		out := out OPERATOR(pg_catalog.||) E'\n' OPERATOR(pg_catalog.||) body;
	END LOOP;

	IF n_models OPERATOR(pg_catalog.=) 0 THEN
		out := out OPERATOR(pg_catalog.||) E'\n// No tables yet: create them (as the owner) and call this function again.\n';
	END IF;

	/* Enums. */
	FOR r IN
		SELECT t.oid, t.typname::text AS typname, n.nspname::text AS nsp,
			   enum_of OPERATOR(pg_catalog.->>) (t.oid::text) AS ename
		  FROM pg_catalog.pg_type t
		  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
		 WHERE enum_of ? (t.oid::text)
		 ORDER BY pg_catalog.array_position(nsps, t.typnamespace), t.typname
	LOOP
		body := pg_catalog.format(E'\nenum %s {\n', r.ename);
		body := body OPERATOR(pg_catalog.||) COALESCE((
			SELECT pg_catalog.string_agg(pg_catalog.rtrim(pg_catalog.format('  %s %s',
						pg_catalog.rpad(ev.value_name, ev.width::int),
						CASE WHEN ev.value_name OPERATOR(pg_catalog.<>) ev.label
							 THEN pg_catalog.format('@map(%s)', tec_sovereignty.prisma_string(ev.label)) ELSE '' END))
					OPERATOR(pg_catalog.||) E'\n', '' ORDER BY ev.ord)
			  FROM (SELECT e.*, e.sort_order AS ord,
						   pg_catalog.max(pg_catalog.length(e.value_name)) OVER () AS width
					  FROM tec_sovereignty.prisma_enum_values(r.oid) e) ev), '');
		body := body OPERATOR(pg_catalog.||) E'\n';
		IF r.ename OPERATOR(pg_catalog.<>) r.typname THEN
			body := body OPERATOR(pg_catalog.||) pg_catalog.format(E'  @@map(%s)\n', tec_sovereignty.prisma_string(r.typname));
		END IF;
		body := body OPERATOR(pg_catalog.||) pg_catalog.format(E'  @@schema(%s)\n}\n', tec_sovereignty.prisma_string(r.nsp));
		out := out OPERATOR(pg_catalog.||) body;
	END LOOP;

	RETURN out;
END
$$;


/* The Prisma major version a file is written for: 6 or 7. */
CREATE FUNCTION tec_sovereignty.prisma_check_version(prisma_version integer)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF prisma_version IS NULL OR prisma_version NOT IN (6, 7) THEN
		RAISE EXCEPTION 'Prisma version % is not supported', COALESCE(prisma_version::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use prisma_version => 7 (the default; the URL goes in prisma.config.ts) or 6 (url = env(...) in the datasource).';
	END IF;
END
$$;

/*
 * The schema.prisma of a domain, or with NULL the shared one, for Prisma 7
 * (default) or 6.
 */
CREATE FUNCTION pg_catalog.tec_prisma_schema(domain text, prisma_version integer DEFAULT 7)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d tec_sovereignty.domain;
	schemas name[];
	url_line text;
BEGIN
	PERFORM tec_sovereignty.prisma_check_version(prisma_version);
	IF domain IS NULL THEN
		SELECT pg_catalog.array_agg(s.name ORDER BY s.name OPERATOR(pg_catalog.<>) 'public', s.name) INTO schemas
		  FROM tec_sovereignty.shared_schema s
		  JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.name;
		IF schemas IS NULL THEN
			RAISE EXCEPTION 'no shared schema is registered'
				USING ERRCODE = 'undefined_object',
					  HINT = 'Register one with tec_register_shared_schema(''public'').';
		END IF;
		RETURN tec_sovereignty.prisma_schema_for(schemas, 'DATABASE_URL',
			pg_catalog.format(E'// Shared schema.prisma (schemas %s), generated by tec_sovereignty:\n'
				'//   psql -XAtc "SELECT tec_prisma_schema(NULL)" > prisma/schema.prisma\n'
				'// Connection: DATABASE_URL (see tec_connection_env()).  Domain tables are in\n'
				'// each domain''s own schema.prisma: tec_prisma_schema(''<domain>'').\n',
				pg_catalog.array_to_string(schemas, ', ')),
			prisma_version);
	END IF;

	d := tec_sovereignty.get_domain(domain);
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) d.schema_name) THEN
		RAISE EXCEPTION 'schema "%" of domain "%" does not exist', d.schema_name, d.name
			USING ERRCODE = 'invalid_schema_name';
	END IF;
	IF prisma_version OPERATOR(pg_catalog.=) 6 THEN
		url_line := pg_catalog.format(E'//   psql -XAtc "SELECT tec_prisma_schema(''%s'', prisma_version => 6)" > apps/%s/prisma/schema.prisma\n'
			'// Connect as a login role that is a member of the domain (e.g. %s_app);\n'
			'// the URL comes from %s_DATABASE_URL (see tec_connection_env()).\n',
			d.name, d.name, d.name, pg_catalog.upper(d.name));
	ELSE
		url_line := pg_catalog.format(E'//   psql -XAtc "SELECT tec_prisma_schema(''%s'')" > apps/%s/prisma/schema.prisma\n'
			'// Prisma 7: the application connects through db/client.js as a member of the\n'
			'// domain (%s_app, %s_DATABASE_URL); the CLI uses prisma.config.ts\n'
			'// (tec_prisma_config(''%s''), %s_MIGRATOR_DATABASE_URL).\n',
			d.name, d.name, d.name, pg_catalog.upper(d.name), d.name, pg_catalog.upper(d.name));
	END IF;
	RETURN tec_sovereignty.prisma_schema_for(ARRAY[d.schema_name],
		pg_catalog.upper(d.name) OPERATOR(pg_catalog.||) '_DATABASE_URL',
		pg_catalog.format(E'// schema.prisma of domain %s (schema %s), generated by tec_sovereignty:\n',
			d.name, d.schema_name) OPERATOR(pg_catalog.||) url_line,
		prisma_version);
END
$$;
COMMENT ON FUNCTION pg_catalog.tec_prisma_schema(text, integer) IS
	'schema.prisma of a domain (or, with NULL, of the shared schemas), generated from the catalogs, for Prisma 7 (default) or 6';

REVOKE ALL ON FUNCTION pg_catalog.tec_register_shared_schema(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_unregister_shared_schema(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION pg_catalog.tec_prisma_schema(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_ident(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_string(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_unique_name(text, text[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_lower_camel(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_plural(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_default_constraint_name(text, text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_enum_values(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_type(oid, integer, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_default(text, text, boolean, oid, "char", "char") FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_schema_for(name[], text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.prisma_check_version(integer) FROM PUBLIC;
