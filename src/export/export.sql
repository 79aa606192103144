
/* ------------------------------------------------------------------------
 * Export and transfer (src/export/: export.c, begin.c, ddl.c, data.c).
 *
 * tec_export_domain() is a C function that streams a psql script.  The
 * catalog walk that produces the script's DDL lives here, as SQL over the
 * system catalogs and the pg_get_*def() functions: begin.c and ddl.c run these
 * helpers through SPI inside the export's registered snapshot, as the
 * extension's owner, after its own permission checks, with search_path
 * pinned to pg_catalog so that every name outside pg_catalog comes out
 * schema-qualified and quoted (regclass/regprocedure/format_type output,
 * quote_ident).  The table data is produced in C (data.c, copy.c).
 *
 * Sections of export_ddl() (sorted by section, k1, k2; < 70 come before
 * the data, >= 70 after it):
 *	  5 collations, conversions, text search dictionaries and
 *		configurations (kinds.sql)
 *	 10 types			enums, ranges, composites, domains (creation order)
 *	 20 functions		those that need no relation of the domain, then
 *						operators (kinds.sql), then aggregates
 *	 30 sequences		free-standing ones (identity sequences come with
 *						their column)
 *	 40 tables			parents (INHERITS) before children, parents
 *						before partitions
 *	 41 columns			storage, compression, statistics, options, replica
 *						identity FULL/NOTHING, inherited columns' own
 *						default and NOT NULL
 *	 45 ALTER TABLE ... INHERIT, OWNED BY
 *	 50 views, materialized views (WITH NO DATA) and the functions that
 *		depend on a relation, in dependency order
 *	 70 sequence values
 *	 80 primary key, unique and exclusion constraints
 *	 81 other indexes		 82 index partitions attached
 *	 83 foreign keys		 84 NOT VALID checks
 *	 85 triggers			 86 rules
 *	 87 row-level security	 88 REFRESH MATERIALIZED VIEW
 *	 89 statistics objects (kinds.sql)
 *	 90 comments			 95 privileges among the domain's roles
 *	 96 default privileges of the owner role
 *	 97 published APIs			 99 members, as comments
 * ------------------------------------------------------------------------ */

/*
 * The statement that restores a sequence's position.  A sequence is read
 * outside any snapshot (sequences are not transactional), as pg_dump does.
 */
CREATE FUNCTION tec_sovereignty.export_setval(seq regclass)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v bigint;
	called boolean;
BEGIN
	EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO v, called;
	RETURN format('SELECT pg_catalog.setval(%L, %s, %s);', seq::text, v, CASE WHEN called THEN 'true' ELSE 'false' END);
END
$$;

/*
 * Privileges of one object, as REVOKE/GRANT statements among the domain's
 * own roles (and PUBLIC).  The object's ACL is rebuilt exactly, in the same
 * item order (the default privileges of the target domain would otherwise
 * add their own); grants to any other role, and to PUBLIC, are listed as
 * comments, since roles outside the domain are the new owner's business and
 * enforcement refuses a grant on domain objects to PUBLIC.  PUBLIC's USAGE
 * on the schema is the domain's own (tec_create_domain grants it first, so
 * that the extension decides every name lookup in the schema; only a
 * superuser may revoke it): the schema's REVOKE leaves it in place;
 * PUBLIC's EXECUTE on a function comes from an API published to every
 * domain: section 97 publishes it again, which grants it again.
 *
 * target is what the statements are about ("TABLE life.t", or "TABLES" for
 * default privileges); prefix comes before each REVOKE/GRANT ("ALTER
 * DEFAULT PRIVILEGES FOR ROLE ... " for default privileges, else '').
 */
CREATE FUNCTION tec_sovereignty.export_acl(prefix text, target text, acl aclitem[], d_owner name, d_writer name, d_reader name)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH items AS (
		SELECT x.grantee, x.privilege_type, x.is_grantable, o.n
		  FROM unnest(acl) WITH ORDINALITY AS o(item, n),
			   LATERAL aclexplode(ARRAY[o.item]) x
	),
	per AS (
		SELECT i.grantee, i.is_grantable, min(i.n) AS n,
			   string_agg(i.privilege_type, ', ' ORDER BY i.privilege_type) AS privs
		  FROM items i
		 GROUP BY i.grantee, i.is_grantable
	)
	SELECT format('%sREVOKE ALL ON %s FROM %s%I, %I, %I;', prefix, target,
				  CASE WHEN target OPERATOR(pg_catalog.~~) 'SCHEMA %' THEN '' ELSE 'PUBLIC, ' END,
				  d_owner, d_writer, d_reader)
		   OPERATOR(pg_catalog.||) COALESCE(string_agg(
			 CASE WHEN (p.grantee OPERATOR(pg_catalog.<>) 0 AND pg_get_userbyid(p.grantee) IN (d_owner, d_writer, d_reader))
					OR (p.grantee OPERATOR(pg_catalog.=) 0 AND p.privs OPERATOR(pg_catalog.=) 'USAGE' AND NOT p.is_grantable
						AND target OPERATOR(pg_catalog.~~) 'SCHEMA %')
				  THEN E'\n' ELSE E'\n-- not a role of the domain: ' END
			 OPERATOR(pg_catalog.||) format('%sGRANT %s ON %s TO %s%s;', prefix, p.privs, target,
					  CASE WHEN p.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(p.grantee)) END,
					  CASE WHEN p.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),
			 '' ORDER BY p.n, p.is_grantable), '')
	  FROM per p
$$;

/*
 * Objects of the domain's schema that depend on an object of another
 * domain's schema: what enforcement should have made impossible, and what
 * makes an export fail.
 */
CREATE FUNCTION tec_sovereignty.export_foreign_refs(nsp oid)
RETURNS TABLE (dependent text, referenced text, other_domain text)
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH ours(classid, objid) AS (
		SELECT 'pg_class'::regclass::oid, oid FROM pg_class WHERE relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_type'::regclass::oid, oid FROM pg_type WHERE typnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_proc'::regclass::oid, oid FROM pg_proc WHERE pronamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_constraint'::regclass::oid, oid FROM pg_constraint WHERE connamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_attrdef'::regclass::oid, ad.oid FROM pg_attrdef ad JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) ad.adrelid WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_rewrite'::regclass::oid, r.oid FROM pg_rewrite r JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_trigger'::regclass::oid, t.oid FROM pg_trigger t JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'pg_policy'::regclass::oid, p.oid FROM pg_policy p JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
	),
	refs AS (
		SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid,
			   CASE d.refclassid
					WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_constraint'::regclass THEN (SELECT connamespace FROM pg_constraint WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation WHERE oid OPERATOR(pg_catalog.=) d.refobjid)
					WHEN 'pg_namespace'::regclass THEN d.refobjid
			   END AS refnsp
		  FROM pg_depend d
		  JOIN ours o ON o.classid OPERATOR(pg_catalog.=) d.classid AND o.objid OPERATOR(pg_catalog.=) d.objid
	)
	SELECT pg_describe_object(r.classid, r.objid, r.objsubid),
		   pg_describe_object(r.refclassid, r.refobjid, r.refobjsubid),
		   dom.name
	  FROM refs r
	  JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.refnsp
	  JOIN tec_sovereignty.domain dom ON dom.schema_name OPERATOR(pg_catalog.=) n.nspname
	 WHERE r.refnsp OPERATOR(pg_catalog.<>) nsp
	 ORDER BY 1, 2
$$;

/*
 * The DDL of a domain's schema, as (section, k1, k2, statement) rows; see
 * the list of sections above.  Every statement ends with a semicolon.
 */
CREATE FUNCTION tec_sovereignty.export_ddl(nsp oid, d_owner name, d_writer name, d_reader name)
RETURNS TABLE (section integer, k1 bigint, k2 text, stmt text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
WITH
rels AS (
	SELECT c.*, (SELECT count(*) FROM pg_partition_ancestors(c.oid)) AS pdepth,
		   CASE WHEN h.inherits THEN tec_sovereignty.export_inherit_mode(c.oid) END AS inhmode,
		   -- the longest path up to a parent that inherits from nothing
		   CASE WHEN NOT h.inherits THEN 0 ELSE
		   (WITH RECURSIVE up(rel, n) AS (
				SELECT c.oid, 0
				UNION ALL
				SELECT i.inhparent, up.n OPERATOR(pg_catalog.+) 1
				  FROM up JOIN pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) up.rel
				 WHERE NOT c.relispartition AND up.n OPERATOR(pg_catalog.<) 100)
			SELECT max(n) FROM up) END AS idepth,
		   -- storage parameters, the TOAST table's ones as toast.*
		   NULLIF(array_to_string(COALESCE(c.reloptions, '{}')
								  OPERATOR(pg_catalog.||) COALESCE((SELECT array_agg('toast.' OPERATOR(pg_catalog.||) o)
																	  FROM pg_class tc CROSS JOIN LATERAL unnest(tc.reloptions) o
																	 WHERE tc.oid OPERATOR(pg_catalog.=) c.reltoastrelid), '{}'), ', '), '') AS withopts
	  FROM pg_class c
	  CROSS JOIN LATERAL (SELECT c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT c.relispartition
								 AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid) AS inherits) h
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
),
late AS (SELECT * FROM tec_sovereignty.export_late_objects(nsp)),
cols AS (
	SELECT a.attrelid, a.attnum, a.attname, a.attnotnull, a.attidentity, a.attgenerated, a.attislocal,
		   format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
		   OPERATOR(pg_catalog.||) CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0 AND a.attcollation OPERATOR(pg_catalog.<>) t.typcollation
				THEN (SELECT format(' COLLATE %I.%I', cn.nspname, co.collname)
						FROM pg_collation co JOIN pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
					   WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation)
				ELSE '' END AS typedef,
		   pg_get_expr(ad.adbin, ad.adrelid) AS defexpr,
		   (SELECT format('SEQUENCE NAME %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s',
						  s.seqrelid::regclass, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
						  CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
			  FROM pg_depend dp JOIN pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) dp.objid
			 WHERE dp.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND dp.refclassid OPERATOR(pg_catalog.=) 'pg_class'::regclass
			   AND dp.refobjid OPERATOR(pg_catalog.=) a.attrelid AND dp.refobjsubid OPERATOR(pg_catalog.=) a.attnum
			   AND dp.deptype OPERATOR(pg_catalog.=) 'i') AS identopts
	  FROM pg_attribute a
	  JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
	  LEFT JOIN pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
	 WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
),
coldefs AS (
	SELECT c.attrelid, c.attnum, c.attname, c.attislocal,
		   c.typedef
		   OPERATOR(pg_catalog.||) CASE WHEN c.attidentity IN ('a', 'd')
					THEN format(' GENERATED %s AS IDENTITY (%s)', CASE c.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, c.identopts)
				WHEN c.attgenerated OPERATOR(pg_catalog.=) 's' THEN format(' GENERATED ALWAYS AS (%s) STORED', c.defexpr)
				WHEN c.defexpr IS NOT NULL THEN ' DEFAULT ' OPERATOR(pg_catalog.||) c.defexpr
				ELSE '' END
		   OPERATOR(pg_catalog.||) CASE WHEN c.attnotnull THEN ' NOT NULL' ELSE '' END AS def
	  FROM cols c
),
checks AS (
	SELECT co.conrelid, co.conname, format('CONSTRAINT %I %s', co.conname, pg_get_constraintdef(co.oid)) AS def
	  FROM pg_constraint co
	 WHERE co.conrelid IN (SELECT oid FROM rels) AND co.contype OPERATOR(pg_catalog.=) 'c'
	   AND co.convalidated AND co.conislocal
),
-- what an inherited column of a table created with INHERITS has of its
-- own (section 40 sets it right after the CREATE TABLE, before the tables
-- that inherit from this one copy it)
inhfix AS (
	SELECT c.oid AS relid,
		   string_agg(concat_ws(E'\n',
			 CASE WHEN cc.defexpr IS DISTINCT FROM pc.defexpr AND cc.attgenerated OPERATOR(pg_catalog.=) ''
				  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I %s;', c.oid::regclass, cc.attname,
							  COALESCE('SET DEFAULT ' OPERATOR(pg_catalog.||) cc.defexpr, 'DROP DEFAULT')) END,
			 CASE WHEN cc.attnotnull AND NOT pc.attnotnull
				  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET NOT NULL;', c.oid::regclass, cc.attname) END),
			 E'\n' ORDER BY cc.attnum) AS stmt
	  FROM rels c
	  JOIN cols cc ON cc.attrelid OPERATOR(pg_catalog.=) c.oid AND NOT cc.attislocal
	  -- what CREATE TABLE ... INHERITS gives it: the first parent's default
	  CROSS JOIN LATERAL (SELECT p.defexpr, bool_or(p.attnotnull) OVER () AS attnotnull, i.inhseqno
							FROM pg_inherits i
							JOIN cols p ON p.attrelid OPERATOR(pg_catalog.=) i.inhparent AND p.attname OPERATOR(pg_catalog.=) cc.attname
						   WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid
						   ORDER BY i.inhseqno LIMIT 1) pc
	 WHERE c.inhmode OPERATOR(pg_catalog.=) 'c'
	   AND ((cc.defexpr IS DISTINCT FROM pc.defexpr AND cc.attgenerated OPERATOR(pg_catalog.=) '') OR (cc.attnotnull AND NOT pc.attnotnull))
	 GROUP BY c.oid
),
seqs AS (
	SELECT c.oid, c.relpersistence, s.*
	  FROM rels c JOIN pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) c.oid
	 WHERE c.relkind OPERATOR(pg_catalog.=) 'S'
),
out AS (
-- 10: types
SELECT 10 AS section, t.oid::bigint AS k1, ''::text AS k2,
	   CASE t.typtype
		WHEN 'e' THEN format('CREATE TYPE %s AS ENUM (%s);', format_type(t.oid, NULL),
					   COALESCE((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
								   FROM pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid), ''))
		WHEN 'c' THEN format('CREATE TYPE %s AS (%s);', format_type(t.oid, NULL),
					   COALESCE((SELECT string_agg(c.typedef, ', ' ORDER BY c.attnum) FROM cols c WHERE c.attrelid OPERATOR(pg_catalog.=) t.typrelid), ''))
		WHEN 'd' THEN format('CREATE DOMAIN %s AS %s%s%s%s%s;', format_type(t.oid, NULL), format_type(t.typbasetype, t.typtypmod),
					   CASE WHEN t.typcollation OPERATOR(pg_catalog.<>) 0 AND t.typcollation OPERATOR(pg_catalog.<>) bt.typcollation
							THEN (SELECT format(' COLLATE %I.%I', cn.nspname, co.collname)
									FROM pg_collation co JOIN pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
								   WHERE co.oid OPERATOR(pg_catalog.=) t.typcollation) ELSE '' END,
					   CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' OPERATOR(pg_catalog.||) t.typdefault ELSE '' END,
					   CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END,
					   COALESCE((SELECT string_agg(format(' CONSTRAINT %I %s', co.conname, pg_get_constraintdef(co.oid)), '' ORDER BY co.conname)
								   FROM pg_constraint co WHERE co.contypid OPERATOR(pg_catalog.=) t.oid AND co.contype OPERATOR(pg_catalog.=) 'c'), ''))
		-- a subtype_diff function of the domain comes with its range (it
		-- needs only the subtype), not in section 20
		WHEN 'r' THEN (SELECT CASE WHEN (SELECT pronamespace FROM pg_proc WHERE oid OPERATOR(pg_catalog.=) r.rngsubdiff) OPERATOR(pg_catalog.=) nsp
								   THEN rtrim(pg_get_functiondef(r.rngsubdiff), E' \n') OPERATOR(pg_catalog.||) E';\n' ELSE '' END
							  OPERATOR(pg_catalog.||) format('CREATE TYPE %s AS RANGE (subtype = %s%s%s%s, multirange_type_name = %s);', format_type(t.oid, NULL),
							  format_type(r.rngsubtype, NULL),
							  CASE WHEN NOT oc.opcdefault THEN format(', subtype_opclass = %I.%I', ocn.nspname, oc.opcname) ELSE '' END,
							  CASE WHEN r.rngcollation OPERATOR(pg_catalog.<>) 0 AND r.rngcollation OPERATOR(pg_catalog.<>) st.typcollation
								   THEN (SELECT format(', collation = %I.%I', cn.nspname, co.collname)
										   FROM pg_collation co JOIN pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
										  WHERE co.oid OPERATOR(pg_catalog.=) r.rngcollation) ELSE '' END,
							  CASE WHEN r.rngsubdiff OPERATOR(pg_catalog.<>) 0 THEN format(', subtype_diff = %s', r.rngsubdiff::regproc) ELSE '' END,
							  format_type(r.rngmultitypid, NULL))
						 FROM pg_range r
						 JOIN pg_type st ON st.oid OPERATOR(pg_catalog.=) r.rngsubtype
						 JOIN pg_opclass oc ON oc.oid OPERATOR(pg_catalog.=) r.rngsubopc
						 JOIN pg_namespace ocn ON ocn.oid OPERATOR(pg_catalog.=) oc.opcnamespace
						WHERE r.rngtypid OPERATOR(pg_catalog.=) t.oid)
	   END AS stmt
  FROM pg_type t
  LEFT JOIN pg_type bt ON bt.oid OPERATOR(pg_catalog.=) t.typbasetype
 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp
   AND (t.typtype IN ('e', 'd', 'r')
		OR (t.typtype OPERATOR(pg_catalog.=) 'c' AND (SELECT relkind FROM pg_class WHERE oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'))

-- 20 and 50 (late): functions and procedures, then aggregates (k1 2: after
-- the operators of export_kinds_ddl(), which a SORTOP names)
UNION ALL
SELECT CASE WHEN l.objid IS NULL THEN 20 ELSE 50 END,
	   COALESCE(l.depth, CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN 2 ELSE 0 END)::bigint, p.oid::regprocedure::text,
	   CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN tec_sovereignty.export_aggregate_def(p.oid)
			ELSE rtrim(pg_get_functiondef(p.oid), E' \n') OPERATOR(pg_catalog.||) ';' END
  FROM pg_proc p
  LEFT JOIN late l ON l.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND l.objid OPERATOR(pg_catalog.=) p.oid
 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp AND p.prokind IN ('f', 'p', 'w', 'a')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
					  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')
   AND NOT EXISTS (SELECT 1 FROM pg_range r WHERE r.rngsubdiff OPERATOR(pg_catalog.=) p.oid)

-- 30: sequences (not identity sequences)
UNION ALL
SELECT 30, 0, s.oid::regclass::text,
	   format('CREATE %sSEQUENCE %s AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s;',
			  CASE WHEN s.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED ' ELSE '' END,
			  s.oid::regclass, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
			  CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
  FROM seqs s
 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass
					  AND d.objid OPERATOR(pg_catalog.=) s.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')

-- 40: tables, parents before the tables that inherit from them, then
-- partitions below their parents.  A table created with INHERITS lists its
-- local columns only (export_inherit_mode() 'c'); one attached with ALTER
-- TABLE ... INHERIT ('a') is created whole and attached in section 45.
UNION ALL
SELECT 40, c.pdepth OPERATOR(pg_catalog.+) c.idepth, c.relname::text,
	   CASE WHEN NOT c.relispartition THEN
		   format('CREATE %sTABLE %s (%s)%s%s%s%s;%s',
				  CASE WHEN c.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED ' ELSE '' END,
				  c.oid::regclass,
				  COALESCE(E'\n    ' OPERATOR(pg_catalog.||) (
					SELECT string_agg(x.def, E',\n    ' ORDER BY x.o1, x.o2)
					  FROM (SELECT 1 AS o1, lpad(cd.attnum::text, 5, '0') AS o2, cd.def FROM coldefs cd
							 WHERE cd.attrelid OPERATOR(pg_catalog.=) c.oid AND (cd.attislocal OR c.inhmode IS DISTINCT FROM 'c')
							UNION ALL
							SELECT 2, ck.conname::text, ck.def FROM checks ck WHERE ck.conrelid OPERATOR(pg_catalog.=) c.oid) x
					) OPERATOR(pg_catalog.||) E'\n', ''),
				  CASE WHEN c.inhmode OPERATOR(pg_catalog.=) 'c'
					   THEN (SELECT format(' INHERITS (%s)', string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno))
							   FROM pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid)
					   ELSE '' END,
				  CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN ' PARTITION BY ' OPERATOR(pg_catalog.||) pg_get_partkeydef(c.oid) ELSE '' END,
				  CASE WHEN am.amname IS NOT NULL AND am.amname OPERATOR(pg_catalog.<>) 'heap' THEN ' USING ' OPERATOR(pg_catalog.||) quote_ident(am.amname) ELSE '' END,
				  COALESCE(' WITH (' OPERATOR(pg_catalog.||) c.withopts OPERATOR(pg_catalog.||) ')', ''),
				  COALESCE((SELECT E'\n' OPERATOR(pg_catalog.||) f.stmt FROM inhfix f WHERE f.relid OPERATOR(pg_catalog.=) c.oid), ''))
	   ELSE
		   format('CREATE %sTABLE %s PARTITION OF %s%s %s%s%s;',
				  CASE WHEN c.relpersistence OPERATOR(pg_catalog.=) 'u' THEN 'UNLOGGED ' ELSE '' END,
				  c.oid::regclass,
				  (SELECT i.inhparent::regclass FROM pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid),
				  COALESCE(E' (\n    ' OPERATOR(pg_catalog.||) (
					SELECT string_agg(x.def, E',\n    ' ORDER BY x.o1, x.o2)
					  FROM (SELECT 1 AS o1, lpad(cc.attnum::text, 5, '0') AS o2,
								   format('%I WITH OPTIONS', cc.attname)
								   OPERATOR(pg_catalog.||) CASE WHEN cc.defexpr IS DISTINCT FROM pc.defexpr AND cc.defexpr IS NOT NULL AND cc.attgenerated OPERATOR(pg_catalog.=) ''
										THEN ' DEFAULT ' OPERATOR(pg_catalog.||) cc.defexpr ELSE '' END
								   OPERATOR(pg_catalog.||) CASE WHEN cc.attnotnull AND NOT pc.attnotnull THEN ' NOT NULL' ELSE '' END AS def
							  FROM cols cc
							  JOIN pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) cc.attrelid
							  JOIN cols pc ON pc.attrelid OPERATOR(pg_catalog.=) i.inhparent AND pc.attname OPERATOR(pg_catalog.=) cc.attname
							 WHERE cc.attrelid OPERATOR(pg_catalog.=) c.oid
							   AND ((cc.defexpr IS DISTINCT FROM pc.defexpr AND cc.defexpr IS NOT NULL AND cc.attgenerated OPERATOR(pg_catalog.=) '')
									OR (cc.attnotnull AND NOT pc.attnotnull))
							UNION ALL
							SELECT 2, ck.conname::text, ck.def FROM checks ck WHERE ck.conrelid OPERATOR(pg_catalog.=) c.oid) x
					) OPERATOR(pg_catalog.||) E'\n)', ''),
				  pg_get_expr(c.relpartbound, c.oid),
				  CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN ' PARTITION BY ' OPERATOR(pg_catalog.||) pg_get_partkeydef(c.oid) ELSE '' END,
				  COALESCE(' WITH (' OPERATOR(pg_catalog.||) c.withopts OPERATOR(pg_catalog.||) ')', ''))
	   END
  FROM rels c
  LEFT JOIN pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam
 WHERE c.relkind IN ('r', 'p')

-- 41: column and table properties
UNION ALL
SELECT 41, c.pdepth, format('%s %s', c.relname, a.attnum),
	   concat_ws(E'\n',
		 CASE WHEN a.attstorage OPERATOR(pg_catalog.<>) t.typstorage
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s;', c.oid::regclass, a.attname,
						  CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END) END,
		 CASE WHEN a.attcompression OPERATOR(pg_catalog.<>) ''
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET COMPRESSION %s;', c.oid::regclass, a.attname,
						  CASE a.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END) END,
		 CASE WHEN a.attstattarget OPERATOR(pg_catalog.>=) 0
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STATISTICS %s;', c.oid::regclass, a.attname, a.attstattarget) END,
		 CASE WHEN o.opts OPERATOR(pg_catalog.<>) ''
			  THEN format('ALTER TABLE ONLY %s ALTER COLUMN %I SET (%s);', c.oid::regclass, a.attname, o.opts) END)
  FROM rels c
  JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
  -- pg_attver is the server's own bookkeeping (pg_dump leaves it out too)
  CROSS JOIN LATERAL (SELECT COALESCE(string_agg(x, ', '), '') AS opts
						FROM unnest(a.attoptions) x WHERE x OPERATOR(pg_catalog.!~~) 'pg\_attver=%') o
 WHERE c.relkind IN ('r', 'p', 'm')
   AND (a.attstorage OPERATOR(pg_catalog.<>) t.typstorage OR a.attcompression OPERATOR(pg_catalog.<>) ''
		OR a.attstattarget OPERATOR(pg_catalog.>=) 0 OR o.opts OPERATOR(pg_catalog.<>) '')
UNION ALL
SELECT 41, c.pdepth, c.relname::text,
	   format('ALTER TABLE ONLY %s REPLICA IDENTITY %s;', c.oid::regclass, CASE c.relreplident WHEN 'f' THEN 'FULL' ELSE 'NOTHING' END)
  FROM rels c
 WHERE c.relkind IN ('r', 'p') AND c.relreplident IN ('f', 'n')


-- 45: tables attached to their parents (export_inherit_mode() 'a')
UNION ALL
SELECT 45, 0, format('%s %s', c.relname, lpad(i.inhseqno::text, 5, '0')),
	   format('ALTER TABLE ONLY %s INHERIT %s;', c.oid::regclass, i.inhparent::regclass)
  FROM rels c JOIN pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) c.oid
 WHERE c.inhmode OPERATOR(pg_catalog.=) 'a'

-- 45: sequences owned by a column
UNION ALL
SELECT 45, 0, s.oid::regclass::text,
	   format('ALTER SEQUENCE %s OWNED BY %s.%I;', s.oid::regclass, d.refobjid::regclass, a.attname)
  FROM seqs s
  JOIN pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND d.objid OPERATOR(pg_catalog.=) s.oid
				  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND d.deptype OPERATOR(pg_catalog.=) 'a'
  JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid

-- 50: views and materialized views, in dependency order with the late functions
UNION ALL
SELECT 50, l.depth::bigint, c.oid::regclass::text,
	   CASE c.relkind
		WHEN 'v' THEN format(E'CREATE VIEW %s%s AS\n%s', c.oid::regclass,
							 CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' OPERATOR(pg_catalog.||) array_to_string(c.reloptions, ', ') OPERATOR(pg_catalog.||) ')' ELSE '' END,
							 pg_get_viewdef(c.oid))
		ELSE format(E'CREATE MATERIALIZED VIEW %s%s%s AS\n%s\n  WITH NO DATA;', c.oid::regclass,
					CASE WHEN am.amname IS NOT NULL AND am.amname OPERATOR(pg_catalog.<>) 'heap' THEN ' USING ' OPERATOR(pg_catalog.||) quote_ident(am.amname) ELSE '' END,
					COALESCE(' WITH (' OPERATOR(pg_catalog.||) c.withopts OPERATOR(pg_catalog.||) ')', ''),
					rtrim(pg_get_viewdef(c.oid), ';'))
	   END
  FROM rels c
  JOIN late l ON l.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND l.objid OPERATOR(pg_catalog.=) c.oid
  LEFT JOIN pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam

-- 70: sequence positions
UNION ALL
SELECT 70, 0, s.oid::regclass::text, tec_sovereignty.export_setval(s.oid) FROM seqs s

-- 80: primary key, unique and exclusion constraints (ONLY: partitions get theirs below, then are attached)
UNION ALL
SELECT 80, c.pdepth, format('%s %s', c.relname, co.conname),
	   format('ALTER TABLE ONLY %s ADD CONSTRAINT %I %s;', c.oid::regclass, co.conname,
			  -- pg_get_constraintdef() leaves out the index's WITH (...), which
			  -- comes before DEFERRABLE
			  CASE WHEN co.contype IN ('p', 'u') AND ic.reloptions IS NOT NULL
				   THEN regexp_replace(pg_get_constraintdef(co.oid), '( DEFERRABLE( INITIALLY DEFERRED)?)?$',
									   ' WITH (' OPERATOR(pg_catalog.||) array_to_string(ic.reloptions, ', ') OPERATOR(pg_catalog.||) ')\1')
				   ELSE pg_get_constraintdef(co.oid) END)
	   OPERATOR(pg_catalog.||) CASE WHEN i.indisclustered THEN format(E'\nALTER TABLE %s CLUSTER ON %I;', c.oid::regclass, ic.relname) ELSE '' END
  FROM rels c JOIN pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) c.oid
  LEFT JOIN pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) co.conindid
  LEFT JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) co.conindid
 WHERE co.contype IN ('p', 'u', 'x')

-- 81: other indexes; 82: index partitions attached to their parent index
UNION ALL
SELECT 81, c.pdepth, format('%s %s', c.relname, ic.relname),
	   pg_get_indexdef(i.indexrelid) OPERATOR(pg_catalog.||) ';'
	   OPERATOR(pg_catalog.||) CASE WHEN i.indisclustered THEN format(E'\nALTER TABLE %s CLUSTER ON %I;', c.oid::regclass, ic.relname) ELSE '' END
  FROM rels c
  JOIN pg_index i ON i.indrelid OPERATOR(pg_catalog.=) c.oid
  JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid OPERATOR(pg_catalog.=) i.indexrelid
					 AND co.conrelid OPERATOR(pg_catalog.=) c.oid AND co.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT 82, (SELECT count(*) FROM pg_partition_ancestors(i.inhrelid)), i.inhrelid::regclass::text,
	   format('ALTER INDEX %s ATTACH PARTITION %s;', i.inhparent::regclass, i.inhrelid::regclass)
  FROM pg_inherits i
  JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.inhrelid
 WHERE ic.relnamespace OPERATOR(pg_catalog.=) nsp AND ic.relkind IN ('i', 'I')
UNION ALL
SELECT 82, 1000, c.relname::text,
	   format('ALTER TABLE ONLY %s REPLICA IDENTITY USING INDEX %I;', c.oid::regclass, ic.relname)
  FROM rels c
  JOIN pg_index i ON i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisreplident
  JOIN pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
 WHERE c.relreplident OPERATOR(pg_catalog.=) 'i'

-- 83: foreign keys (those a partition inherits come with its parent's)
UNION ALL
SELECT 83, c.pdepth, format('%s %s', c.relname, co.conname),
	   format('ALTER TABLE %s%s ADD CONSTRAINT %I %s;', CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN '' ELSE 'ONLY ' END,
			  c.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
  FROM rels c JOIN pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) c.oid
 WHERE co.contype OPERATOR(pg_catalog.=) 'f' AND co.conparentid OPERATOR(pg_catalog.=) 0

-- 84: check constraints not validated (added after the data, as NOT VALID)
UNION ALL
SELECT 84, c.pdepth, format('%s %s', c.relname, co.conname),
	   format('ALTER TABLE %s%s ADD CONSTRAINT %I %s;', CASE WHEN co.connoinherit THEN 'ONLY ' ELSE '' END,
			  c.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
  FROM rels c JOIN pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) c.oid
 WHERE co.contype OPERATOR(pg_catalog.=) 'c' AND NOT co.convalidated AND co.conislocal

-- 85: triggers (not internal ones, not the clones a partition inherits)
UNION ALL
SELECT 85, c.pdepth, format('%s %s', c.relname, tg.tgname),
	   pg_get_triggerdef(tg.oid) OPERATOR(pg_catalog.||) ';'
	   OPERATOR(pg_catalog.||) CASE tg.tgenabled
			WHEN 'D' THEN format(E'\nALTER TABLE %s DISABLE TRIGGER %I;', c.oid::regclass, tg.tgname)
			WHEN 'R' THEN format(E'\nALTER TABLE %s ENABLE REPLICA TRIGGER %I;', c.oid::regclass, tg.tgname)
			WHEN 'A' THEN format(E'\nALTER TABLE %s ENABLE ALWAYS TRIGGER %I;', c.oid::regclass, tg.tgname)
			ELSE '' END
  FROM rels c JOIN pg_trigger tg ON tg.tgrelid OPERATOR(pg_catalog.=) c.oid
 WHERE NOT tg.tgisinternal AND tg.tgparentid OPERATOR(pg_catalog.=) 0

-- 86: rules other than views' own
UNION ALL
SELECT 86, 0, format('%s %s', c.relname, rw.rulename), pg_get_ruledef(rw.oid)
  FROM rels c JOIN pg_rewrite rw ON rw.ev_class OPERATOR(pg_catalog.=) c.oid
 WHERE rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'

-- 87: row-level security
UNION ALL
SELECT 87, 0, c.relname::text,
	   concat_ws(E'\n',
		 CASE WHEN c.relrowsecurity THEN format('ALTER TABLE ONLY %s ENABLE ROW LEVEL SECURITY;', c.oid::regclass) END,
		 CASE WHEN c.relforcerowsecurity THEN format('ALTER TABLE ONLY %s FORCE ROW LEVEL SECURITY;', c.oid::regclass) END)
  FROM rels c
 WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
UNION ALL
SELECT 87, 1, format('%s %s', c.relname, po.polname),
	   format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s;', po.polname, c.oid::regclass,
			  CASE WHEN po.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
			  CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
			  (SELECT string_agg(CASE WHEN r.r OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.r)) END, ', ' ORDER BY r.n)
				 FROM unnest(po.polroles) WITH ORDINALITY AS r(r, n)),
			  CASE WHEN po.polqual IS NOT NULL THEN format(' USING (%s)', pg_get_expr(po.polqual, po.polrelid)) ELSE '' END,
			  CASE WHEN po.polwithcheck IS NOT NULL THEN format(' WITH CHECK (%s)', pg_get_expr(po.polwithcheck, po.polrelid)) ELSE '' END)
  FROM rels c JOIN pg_policy po ON po.polrelid OPERATOR(pg_catalog.=) c.oid

-- 88: materialized views filled, in dependency order
UNION ALL
SELECT 88, l.depth::bigint, c.oid::regclass::text, format('REFRESH MATERIALIZED VIEW %s;', c.oid::regclass)
  FROM rels c
  JOIN late l ON l.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND l.objid OPERATOR(pg_catalog.=) c.oid
 WHERE c.relkind OPERATOR(pg_catalog.=) 'm' AND c.relispopulated

-- 90: comments
UNION ALL
SELECT 90, 0, x.target, format('COMMENT ON %s IS %s;', x.target, quote_literal(x.description))
  FROM (
	SELECT CASE WHEN d.objsubid OPERATOR(pg_catalog.<>) 0
				THEN format('COLUMN %s.%I', c.oid::regclass, (SELECT attname FROM pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) c.oid AND attnum OPERATOR(pg_catalog.=) d.objsubid))
				ELSE format('%s %s', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
											 WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
							CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'c' THEN format_type(c.reltype, NULL) ELSE c.oid::regclass::text END)
		   END AS target, d.description
	  FROM pg_description d JOIN rels c ON c.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_class'::regclass
	UNION ALL
	SELECT format('%s %s', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, format_type(t.oid, NULL)), d.description
	  FROM pg_description d JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_type'::regclass AND t.typnamespace OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT format('ROUTINE %s', p.oid::regprocedure), d.description
	  FROM pg_description d JOIN pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND p.pronamespace OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT CASE WHEN co.conrelid OPERATOR(pg_catalog.<>) 0 THEN format('CONSTRAINT %I ON %s', co.conname, co.conrelid::regclass)
				ELSE format('CONSTRAINT %I ON DOMAIN %s', co.conname, format_type(co.contypid, NULL)) END, d.description
	  FROM pg_description d JOIN pg_constraint co ON co.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_constraint'::regclass AND co.connamespace OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT format('TRIGGER %I ON %s', tg.tgname, c.oid::regclass), d.description
	  FROM pg_description d JOIN pg_trigger tg ON tg.oid OPERATOR(pg_catalog.=) d.objoid JOIN rels c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_trigger'::regclass
	UNION ALL
	SELECT format('POLICY %I ON %s', po.polname, c.oid::regclass), d.description
	  FROM pg_description d JOIN pg_policy po ON po.oid OPERATOR(pg_catalog.=) d.objoid JOIN rels c ON c.oid OPERATOR(pg_catalog.=) po.polrelid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_policy'::regclass
	UNION ALL
	SELECT format('RULE %I ON %s', rw.rulename, c.oid::regclass), d.description
	  FROM pg_description d JOIN pg_rewrite rw ON rw.oid OPERATOR(pg_catalog.=) d.objoid JOIN rels c ON c.oid OPERATOR(pg_catalog.=) rw.ev_class
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass AND rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'
	UNION ALL
	SELECT format('SCHEMA %I', n.nspname), d.description
	  FROM pg_description d JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.objoid
	 WHERE d.classoid OPERATOR(pg_catalog.=) 'pg_namespace'::regclass AND n.oid OPERATOR(pg_catalog.=) nsp
  ) x

-- 95: privileges among the domain's roles
UNION ALL
SELECT 95, 0, format('%s %s', x.kind, x.ident), tec_sovereignty.export_acl('', format('%s %s', x.kind, x.ident), x.acl, d_owner, d_writer, d_reader)
  FROM (
	SELECT 'SCHEMA' AS kind, quote_ident(n.nspname) AS ident, COALESCE(n.nspacl, acldefault('n', n.nspowner)) AS acl
	  FROM pg_namespace n WHERE n.oid OPERATOR(pg_catalog.=) nsp
	UNION ALL
	SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass::text,
		   COALESCE(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
	  FROM rels c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
	UNION ALL
	SELECT 'ROUTINE', p.oid::regprocedure::text, COALESCE(p.proacl, acldefault('f', p.proowner))
	  FROM pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp AND p.prokind IN ('f', 'p', 'w', 'a')
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
						  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
					  AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'i')
	UNION ALL
	SELECT 'TYPE', format_type(t.oid, NULL), COALESCE(t.typacl, acldefault('T', t.typowner))
	  FROM pg_type t
	 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp
	   AND (t.typtype IN ('e', 'd', 'r')
			OR (t.typtype OPERATOR(pg_catalog.=) 'c' AND (SELECT relkind FROM pg_class WHERE oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'))
  ) x
UNION ALL
SELECT 95, 1, format('%s %s', c.relname, a.attnum),
	   (SELECT string_agg(
				 CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 OR pg_get_userbyid(x.grantee) IN (d_owner, d_writer, d_reader)
					  THEN '' ELSE '-- not a role of the domain: ' END
				 OPERATOR(pg_catalog.||) format('GRANT %s (%I) ON TABLE %s TO %s%s;', x.privilege_type, a.attname, c.oid::regclass,
						  CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
						  CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),
				 E'\n' ORDER BY x.n)
		  FROM (SELECT e.*, o.n FROM unnest(a.attacl) WITH ORDINALITY o(item, n), LATERAL aclexplode(ARRAY[o.item]) e) x)
  FROM rels c
  JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
 WHERE a.attacl IS NOT NULL

-- 96: default privileges of the owner role (the one role that creates the
-- domain's objects), role-wide and in the schema, rebuilt exactly: the
-- target's tec_create_domain() set its own, which are wiped first.  A
-- missing role-wide entry means PostgreSQL's built-in default
-- (acldefault), a missing schema entry means none; PostgreSQL drops an
-- entry again when it ends up equal to that.  Other roles' default
-- privileges only concern objects outside the domain.
UNION ALL
SELECT 96, 0, format('%s %s', k.in_schema, k.objtype),
	   tec_sovereignty.export_acl(
		 format('ALTER DEFAULT PRIVILEGES FOR ROLE %I%s ', d_owner,
				CASE WHEN k.in_schema THEN format(' IN SCHEMA %I', (SELECT nspname FROM pg_namespace WHERE oid OPERATOR(pg_catalog.=) nsp)) ELSE '' END),
		 k.target,
		 COALESCE((SELECT a.defaclacl FROM pg_default_acl a
					WHERE a.defaclrole OPERATOR(pg_catalog.=) (SELECT oid FROM pg_roles WHERE rolname OPERATOR(pg_catalog.=) d_owner)
					  AND a.defaclnamespace OPERATOR(pg_catalog.=) CASE WHEN k.in_schema THEN nsp ELSE 0::oid END
					  AND a.defaclobjtype OPERATOR(pg_catalog.=) k.objtype),
				  CASE WHEN k.in_schema THEN '{}'::aclitem[]
					   ELSE acldefault(CASE k.objtype WHEN 'S' THEN 's' ELSE k.objtype END::"char",  -- acldefault's 'S' is a foreign server
									   (SELECT oid FROM pg_roles WHERE rolname OPERATOR(pg_catalog.=) d_owner)) END),
		 d_owner, d_writer, d_reader)
  FROM (VALUES ('r'::"char", 'TABLES'), ('S', 'SEQUENCES'), ('f', 'FUNCTIONS'), ('T', 'TYPES'), ('n', 'SCHEMAS')) AS t(objtype, target)
  CROSS JOIN (VALUES (false), (true)) AS s(in_schema)
  CROSS JOIN LATERAL (SELECT t.objtype, t.target, s.in_schema) k
 WHERE NOT (k.in_schema AND k.objtype OPERATOR(pg_catalog.=) 'n')

-- 97: published APIs, published again on the target.  tec_publish_api is
-- a superuser's (the owner holds EXECUTE only if a DBA granted it), so the
-- calls run after RESET ROLE.  A publication to every domain (NULL) is
-- live; one to a named domain is a comment: that domain may not exist on
-- the target, or be another party there, and granting it the function is
-- the target DBA's decision (the GRANTs to its roles are comments in 95
-- for the same reason).
UNION ALL
SELECT 97, 0, '',
	   E'RESET ROLE;\n'
	   OPERATOR(pg_catalog.||) string_agg(
		 CASE WHEN a.to_domain IS NULL
			  THEN format('SELECT pg_catalog.tec_publish_api(%L::pg_catalog.regprocedure, NULL);', p.oid::regprocedure)
			  ELSE format(E'-- published to domain %s on the source; publish it on the target once that domain exists there and is the same party:\n'
						  '-- SELECT pg_catalog.tec_publish_api(%L::pg_catalog.regprocedure, %L);',
						  quote_ident(a.to_domain), p.oid::regprocedure, a.to_domain) END,
		 E'\n' ORDER BY p.oid::regprocedure::text COLLATE "C", a.to_domain COLLATE "C" NULLS FIRST)
	   OPERATOR(pg_catalog.||) format(E'\nSET LOCAL ROLE %I;', d_owner)
  FROM tec_sovereignty.api a
  JOIN pg_proc p ON p.oid OPERATOR(pg_catalog.=) to_regprocedure(a.function_signature)
 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp

-- 5, 20, 89, 90: collations, conversions, text search objects, operators,
-- statistics objects and their comments (kinds.sql)
UNION ALL
SELECT k.section, k.k1, k.k2, k.stmt FROM tec_sovereignty.export_kinds_ddl(nsp) k

-- 99: members, as comments (login roles are the new owner's business; an
-- owner member acts as the owner from its membership alone, wherever the
-- domain exists, so no per-database role setting travels)
UNION ALL
SELECT 99, 0, format('%s %s', m.rolname, g.rolname),
	   format('-- member: GRANT %I TO %I;', g.rolname, m.rolname)
  FROM pg_roles g
  JOIN pg_auth_members am ON am.roleid OPERATOR(pg_catalog.=) g.oid
  JOIN pg_roles m ON m.oid OPERATOR(pg_catalog.=) am.member
 WHERE g.rolname IN (d_owner, d_writer, d_reader)
   AND m.rolname NOT IN (d_owner, d_writer, d_reader)
)
SELECT o.section, o.k1, o.k2, o.stmt FROM out o WHERE o.stmt IS NOT NULL AND o.stmt OPERATOR(pg_catalog.<>) ''
 ORDER BY o.section, o.k1, o.k2 COLLATE "C", o.stmt COLLATE "C"
$$;

/*
 * Used by an export script, right after tec_create_domain(): the registry
 * settings that travel with a domain (its template name, enforcement mode
 * and audit level).  The template's DDL is not run again: the script
 * recreates the domain's objects itself.
 */
