
/* ------------------------------------------------------------------------
 * Export: the object kinds beyond tables, types and functions
 * (src/export/kinds.sql; the sections are listed at the top of export.sql).
 *
 * Each kind here is one a domain's owner can create itself, so the import,
 * which runs as the owner, recreates it exactly: aggregates, operators,
 * collations, conversions, text search dictionaries and configurations,
 * statistics objects, and the comments on them.  The kinds PostgreSQL
 * keeps for superusers (operator classes and families, text search parsers
 * and templates, base types, casts) are refused by name in
 * export_unsupported() (export.sql).  Statements come out schema-qualified
 * because the caller pins search_path to pg_catalog.
 * ------------------------------------------------------------------------ */

/*
 * Which of the domain's objects are "late": functions whose signature or
 * SQL-standard body needs a table, view or their row type, and so must be
 * created after the relations (and, for a view, in dependency order with
 * the views).  The others are created before the tables, so that defaults,
 * checks, generated columns and domain constraints can call them.
 */
CREATE FUNCTION tec_sovereignty.export_late_objects(nsp oid)
RETURNS TABLE (classid oid, objid oid, depth integer)
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE late(classid, objid) AS (
		SELECT 'pg_class'::regclass::oid, c.oid
		  FROM pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind IN ('v', 'm')
		UNION ALL
		SELECT 'pg_proc'::regclass::oid, p.oid
		  FROM pg_proc p
		 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
		   AND (p.prosqlbody IS NOT NULL
				OR EXISTS (SELECT 1
							 FROM pg_depend d
							 JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) d.refobjid
							 LEFT JOIN pg_type e ON e.oid OPERATOR(pg_catalog.=) t.typelem
							 JOIN pg_class r ON r.oid OPERATOR(pg_catalog.=) COALESCE(NULLIF(t.typrelid, 0), e.typrelid)
							WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
							  AND d.objid OPERATOR(pg_catalog.=) p.oid
							  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_type'::regclass
							  AND r.relkind OPERATOR(pg_catalog.<>) 'c'))
		UNION ALL
		-- an aggregate whose support function is late
		SELECT 'pg_proc'::regclass::oid, d.objid
		  FROM late l
		  JOIN pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND d.refobjid OPERATOR(pg_catalog.=) l.objid
						  AND d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
		  JOIN pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objid AND p.prokind OPERATOR(pg_catalog.=) 'a'
		 WHERE l.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass
	),
	-- dependencies between late objects, with a view's rule standing for
	-- the view and a row type for its relation
	edges AS (
		SELECT DISTINCT
			   CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass THEN 'pg_class'::regclass::oid ELSE d.classid END AS classid,
			   CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass THEN rw.ev_class ELSE d.objid END AS objid,
			   CASE WHEN t.typrelid OPERATOR(pg_catalog.<>) 0 THEN 'pg_class'::regclass::oid ELSE d.refclassid END AS refclassid,
			   CASE WHEN t.typrelid OPERATOR(pg_catalog.<>) 0 THEN t.typrelid ELSE d.refobjid END AS refobjid
		  FROM pg_depend d
		  LEFT JOIN pg_rewrite rw ON d.classid OPERATOR(pg_catalog.=) 'pg_rewrite'::regclass AND rw.oid OPERATOR(pg_catalog.=) d.objid
		  LEFT JOIN pg_type t ON d.refclassid OPERATOR(pg_catalog.=) 'pg_type'::regclass AND t.oid OPERATOR(pg_catalog.=) d.refobjid
		 WHERE d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass)
		   AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
	),
	late_edges AS (
		SELECT e.* FROM edges e
		  JOIN late a ON a.classid OPERATOR(pg_catalog.=) e.classid AND a.objid OPERATOR(pg_catalog.=) e.objid
		  JOIN late b ON b.classid OPERATOR(pg_catalog.=) e.refclassid AND b.objid OPERATOR(pg_catalog.=) e.refobjid
		 WHERE (e.classid, e.objid) OPERATOR(pg_catalog.<>) (e.refclassid, e.refobjid)
	),
	walk(classid, objid, depth) AS (
		SELECT l.classid, l.objid, 0 FROM late l
		UNION ALL
		SELECT e.classid, e.objid, w.depth OPERATOR(pg_catalog.+) 1
		  FROM late_edges e
		  JOIN walk w ON w.classid OPERATOR(pg_catalog.=) e.refclassid AND w.objid OPERATOR(pg_catalog.=) e.refobjid
		 WHERE w.depth OPERATOR(pg_catalog.<) 100
	)
	SELECT w.classid, w.objid, max(w.depth) FROM walk w GROUP BY 1, 2
$$;

/*
 * An operator as it is written in an aggregate's SORTOP or an operator's
 * COMMUTATOR/NEGATOR: OPERATOR(schema.name).
 */
CREATE FUNCTION tec_sovereignty.export_operator_ref(opr oid)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('OPERATOR(%I.%s)', n.nspname, o.oprname)
	  FROM pg_operator o JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
	 WHERE o.oid OPERATOR(pg_catalog.=) opr
$$;

/*
 * CREATE AGGREGATE for one aggregate, every option of pg_aggregate spelled
 * out (pg_dump leaves out those equal to their default; the catalog rows
 * come out the same either way).
 */
CREATE FUNCTION tec_sovereignty.export_aggregate_def(agg oid)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('CREATE AGGREGATE %s.%I(%s) (%s);', quote_ident(n.nspname), p.proname,
				  CASE WHEN p.pronargs OPERATOR(pg_catalog.=) 0 THEN '*' ELSE pg_get_function_arguments(p.oid) END,
				  concat_ws(', ',
					format('SFUNC = %s', a.aggtransfn::regproc),
					format('STYPE = %s', format_type(a.aggtranstype, NULL)),
					CASE WHEN a.aggtransspace OPERATOR(pg_catalog.<>) 0 THEN format('SSPACE = %s', a.aggtransspace) END,
					CASE WHEN a.aggfinalfn OPERATOR(pg_catalog.<>) 0 THEN format('FINALFUNC = %s', a.aggfinalfn::regproc) END,
					CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
					CASE WHEN a.aggfinalfn OPERATOR(pg_catalog.<>) 0 THEN format('FINALFUNC_MODIFY = %s', m.finalmodify) END,
					CASE WHEN a.aggcombinefn OPERATOR(pg_catalog.<>) 0 THEN format('COMBINEFUNC = %s', a.aggcombinefn::regproc) END,
					CASE WHEN a.aggserialfn OPERATOR(pg_catalog.<>) 0 THEN format('SERIALFUNC = %s', a.aggserialfn::regproc) END,
					CASE WHEN a.aggdeserialfn OPERATOR(pg_catalog.<>) 0 THEN format('DESERIALFUNC = %s', a.aggdeserialfn::regproc) END,
					CASE WHEN a.agginitval IS NOT NULL THEN format('INITCOND = %L', a.agginitval) END,
					CASE WHEN a.aggmtransfn OPERATOR(pg_catalog.<>) 0 THEN format('MSFUNC = %s', a.aggmtransfn::regproc) END,
					CASE WHEN a.aggminvtransfn OPERATOR(pg_catalog.<>) 0 THEN format('MINVFUNC = %s', a.aggminvtransfn::regproc) END,
					CASE WHEN a.aggmtranstype OPERATOR(pg_catalog.<>) 0 THEN format('MSTYPE = %s', format_type(a.aggmtranstype, NULL)) END,
					CASE WHEN a.aggmtransspace OPERATOR(pg_catalog.<>) 0 THEN format('MSSPACE = %s', a.aggmtransspace) END,
					CASE WHEN a.aggmfinalfn OPERATOR(pg_catalog.<>) 0 THEN format('MFINALFUNC = %s', a.aggmfinalfn::regproc) END,
					CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
					CASE WHEN a.aggmfinalfn OPERATOR(pg_catalog.<>) 0 THEN format('MFINALFUNC_MODIFY = %s', m.mfinalmodify) END,
					CASE WHEN a.aggminitval IS NOT NULL THEN format('MINITCOND = %L', a.aggminitval) END,
					CASE WHEN a.aggsortop OPERATOR(pg_catalog.<>) 0 THEN format('SORTOP = %s', tec_sovereignty.export_operator_ref(a.aggsortop)) END,
					CASE WHEN a.aggkind OPERATOR(pg_catalog.=) 'h' THEN 'HYPOTHETICAL' END,
					CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END))
	  FROM pg_aggregate a
	  JOIN pg_proc p ON p.oid OPERATOR(pg_catalog.=) a.aggfnoid
	  JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
	  CROSS JOIN LATERAL (SELECT CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END AS finalmodify,
								 CASE a.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END AS mfinalmodify) m
	 WHERE a.aggfnoid OPERATOR(pg_catalog.=) agg
$$;

/*
 * The statements of these kinds, as export_ddl() rows:
 *	  5 collations (k1 0), conversions (1), text search dictionaries (2)
 *		and configurations (3): before the types and columns that use them
 *	 20 operators, after the functions they call (k1 1; the functions have
 *		k1 0 and the aggregates, which may name an operator as SORTOP, 2)
 *	 89 statistics objects, after the data as pg_dump has them
 *	 90 comments on all of these
 */
CREATE FUNCTION tec_sovereignty.export_kinds_ddl(nsp oid)
RETURNS TABLE (section integer, k1 bigint, k2 text, stmt text)
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
WITH
colls AS (
	SELECT c.*, format('%s.%I', nsp::regnamespace, c.collname) AS ident
	  FROM pg_collation c WHERE c.collnamespace OPERATOR(pg_catalog.=) nsp
),
convs AS (
	SELECT c.*, format('%s.%I', nsp::regnamespace, c.conname) AS ident
	  FROM pg_conversion c WHERE c.connamespace OPERATOR(pg_catalog.=) nsp
),
dicts AS (
	SELECT d.*, d.oid::regdictionary::text AS ident
	  FROM pg_ts_dict d WHERE d.dictnamespace OPERATOR(pg_catalog.=) nsp
),
cfgs AS (
	SELECT c.*, c.oid::regconfig::text AS ident
	  FROM pg_ts_config c WHERE c.cfgnamespace OPERATOR(pg_catalog.=) nsp
),
oprs AS (
	SELECT o.*, format('%s.%s', nsp::regnamespace, o.oprname) AS ident,
		   format('%s.%s (%s, %s)', nsp::regnamespace, o.oprname,
				  CASE WHEN o.oprleft OPERATOR(pg_catalog.=) 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END,
				  format_type(o.oprright, NULL)) AS sig
	  FROM pg_operator o
	 WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp
	   AND o.oprcode OPERATOR(pg_catalog.<>) 0		-- a shell comes back as a COMMUTATOR or NEGATOR
),
stats AS (
	SELECT s.*, format('%s.%I', nsp::regnamespace, s.stxname) AS ident
	  FROM pg_statistic_ext s WHERE s.stxnamespace OPERATOR(pg_catalog.=) nsp
)
SELECT 5, 0::bigint, c.collname::text,
	   format('CREATE COLLATION %s (provider = %s, deterministic = %s, %s);', c.ident,
			  CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' ELSE 'default' END,
			  CASE WHEN c.collisdeterministic THEN 'true' ELSE 'false' END,
			  CASE WHEN c.collprovider OPERATOR(pg_catalog.=) 'i' THEN format('locale = %L', c.colliculocale)
				   WHEN c.collcollate OPERATOR(pg_catalog.=) c.collctype THEN format('locale = %L', c.collcollate)
				   ELSE format('lc_collate = %L, lc_ctype = %L', c.collcollate, c.collctype) END)
  FROM colls c
UNION ALL
SELECT 5, 1, c.conname::text,
	   format('CREATE %sCONVERSION %s FOR %L TO %L FROM %s;', CASE WHEN c.condefault THEN 'DEFAULT ' ELSE '' END, c.ident,
			  pg_encoding_to_char(c.conforencoding), pg_encoding_to_char(c.contoencoding), c.conproc::regproc)
  FROM convs c
UNION ALL
SELECT 5, 2, d.dictname::text,
	   format('CREATE TEXT SEARCH DICTIONARY %s (TEMPLATE = %s%s);', d.ident,
			  (SELECT format('%I.%I', tn.nspname, t.tmplname) FROM pg_ts_template t JOIN pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.tmplnamespace
				WHERE t.oid OPERATOR(pg_catalog.=) d.dicttemplate),
			  CASE WHEN d.dictinitoption IS NOT NULL THEN ', ' OPERATOR(pg_catalog.||) d.dictinitoption ELSE '' END)
  FROM dicts d
UNION ALL
SELECT 5, 3, c.cfgname::text,
	   format('CREATE TEXT SEARCH CONFIGURATION %s (PARSER = %s);', c.ident,
			  (SELECT format('%I.%I', pn.nspname, p.prsname) FROM pg_ts_parser p JOIN pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.prsnamespace
				WHERE p.oid OPERATOR(pg_catalog.=) c.cfgparser))
	   OPERATOR(pg_catalog.||) COALESCE((
		 SELECT string_agg(format(E'\nALTER TEXT SEARCH CONFIGURATION %s ADD MAPPING FOR %s WITH %s;', c.ident, quote_ident(m.tokenname), m.dicts),
						   '' ORDER BY m.maptokentype)
		   FROM (SELECT cm.maptokentype,
						(SELECT t.alias FROM ts_token_type(c.cfgparser) t WHERE t.tokid OPERATOR(pg_catalog.=) cm.maptokentype) AS tokenname,
						string_agg(cm.mapdict::regdictionary::text, ', ' ORDER BY cm.mapseqno) AS dicts
				   FROM pg_ts_config_map cm WHERE cm.mapcfg OPERATOR(pg_catalog.=) c.oid
				  GROUP BY cm.maptokentype) m), '')
  FROM cfgs c
UNION ALL
SELECT 20, 1, o.sig,
	   format('CREATE OPERATOR %s (%s);', o.ident,
			  concat_ws(', ',
				format('FUNCTION = %s', o.oprcode::regproc),
				CASE WHEN o.oprleft OPERATOR(pg_catalog.<>) 0 THEN format('LEFTARG = %s', format_type(o.oprleft, NULL)) END,
				format('RIGHTARG = %s', format_type(o.oprright, NULL)),
				CASE WHEN o.oprcom OPERATOR(pg_catalog.<>) 0 THEN format('COMMUTATOR = %s', tec_sovereignty.export_operator_ref(o.oprcom)) END,
				CASE WHEN o.oprnegate OPERATOR(pg_catalog.<>) 0 THEN format('NEGATOR = %s', tec_sovereignty.export_operator_ref(o.oprnegate)) END,
				CASE WHEN o.oprrest OPERATOR(pg_catalog.<>) 0 THEN format('RESTRICT = %s', o.oprrest::regproc) END,
				CASE WHEN o.oprjoin OPERATOR(pg_catalog.<>) 0 THEN format('JOIN = %s', o.oprjoin::regproc) END,
				CASE WHEN o.oprcanhash THEN 'HASHES' END,
				CASE WHEN o.oprcanmerge THEN 'MERGES' END))
  FROM oprs o
UNION ALL
SELECT 89, 0, s.stxname::text,
	   pg_get_statisticsobjdef(s.oid) OPERATOR(pg_catalog.||) ';'
	   OPERATOR(pg_catalog.||) CASE WHEN s.stxstattarget OPERATOR(pg_catalog.>=) 0
									THEN format(E'\nALTER STATISTICS %s SET STATISTICS %s;', s.ident, s.stxstattarget) ELSE '' END
  FROM stats s
UNION ALL
SELECT 90, 0, x.target, format('COMMENT ON %s IS %s;', x.target, quote_literal(d.description))
  FROM (SELECT 'pg_collation'::regclass::oid AS classoid, oid, 'COLLATION ' OPERATOR(pg_catalog.||) ident AS target FROM colls
		UNION ALL SELECT 'pg_conversion'::regclass, oid, 'CONVERSION ' OPERATOR(pg_catalog.||) ident FROM convs
		UNION ALL SELECT 'pg_ts_dict'::regclass, oid, 'TEXT SEARCH DICTIONARY ' OPERATOR(pg_catalog.||) ident FROM dicts
		UNION ALL SELECT 'pg_ts_config'::regclass, oid, 'TEXT SEARCH CONFIGURATION ' OPERATOR(pg_catalog.||) ident FROM cfgs
		UNION ALL SELECT 'pg_operator'::regclass, oid, 'OPERATOR ' OPERATOR(pg_catalog.||) sig FROM oprs
		UNION ALL SELECT 'pg_statistic_ext'::regclass, oid, 'STATISTICS ' OPERATOR(pg_catalog.||) ident FROM stats) x
  JOIN pg_description d ON d.classoid OPERATOR(pg_catalog.=) x.classoid AND d.objoid OPERATOR(pg_catalog.=) x.oid
$$;

/*
 * How a table that inherits (INHERITS, not a partition) is recreated, so
 * that its columns keep their order and their attislocal/attinhcount:
 *	 'c'  CREATE TABLE ... INHERITS (...) with its local columns: what
 *		  CREATE TABLE gives (inherited columns first, in the parents'
 *		  order, then its own) is the order it has;
 *	 'a'  CREATE TABLE with every column, then ALTER TABLE ... INHERIT
 *		  each parent: every inherited column and valid check constraint
 *		  is also local (the table was attached with ALTER TABLE ...
 *		  INHERIT);
 *	 'x'  neither reproduces it (export_unsupported() refuses it);
 *	 NULL the table inherits from nothing.
 */
CREATE FUNCTION tec_sovereignty.export_inherit_mode(rel oid)
RETURNS "char"
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) rel) THEN NULL
		WHEN NOT EXISTS (SELECT 1 FROM pg_attribute a
						  WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
							AND a.attinhcount OPERATOR(pg_catalog.>) 0 AND NOT a.attislocal)
			 -- (an inherited check still NOT VALID comes from the parent's
			 -- ALTER TABLE ... ADD CONSTRAINT after the data, section 84)
			 AND NOT EXISTS (SELECT 1 FROM pg_constraint co
							  WHERE co.conrelid OPERATOR(pg_catalog.=) rel AND co.coninhcount OPERATOR(pg_catalog.>) 0 AND NOT co.conislocal
								AND co.convalidated)
			THEN 'a'
		WHEN (SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
			   WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
			 OPERATOR(pg_catalog.=)
			 (SELECT array_agg(e.attname ORDER BY e.grp, e.o1, e.o2)
				FROM ((SELECT DISTINCT ON (pa.attname) pa.attname, 0 AS grp, i.inhseqno AS o1, pa.attnum AS o2
						 FROM pg_inherits i
						 JOIN pg_attribute pa ON pa.attrelid OPERATOR(pg_catalog.=) i.inhparent
											 AND pa.attnum OPERATOR(pg_catalog.>) 0 AND NOT pa.attisdropped
						WHERE i.inhrelid OPERATOR(pg_catalog.=) rel
						ORDER BY pa.attname, i.inhseqno, pa.attnum)
					  UNION ALL
					  SELECT a.attname, 1, 0, a.attnum FROM pg_attribute a
					   WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
						 AND a.attinhcount OPERATOR(pg_catalog.=) 0) e)
			THEN 'c'
		ELSE 'x' END
$$;

/*
 * Objects the export cannot reproduce faithfully: it refuses them by name
 * rather than produce a script that silently differs.  Most are kinds
 * PostgreSQL keeps for superusers: the import runs as the domain's owner,
 * which could not recreate them, and a domain owner cannot have made them
 * (a superuser put them there).
 */
CREATE FUNCTION tec_sovereignty.export_unsupported(nsp oid)
RETURNS TABLE (object text, reason text)
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH roles AS (
		-- the domain's three roles and, through any depth, their members
		WITH RECURSIVE r(oid) AS (
			SELECT ro.oid FROM tec_sovereignty.domain d
			  JOIN pg_roles ro ON ro.rolname IN (d.owner_role, d.writer_role, d.reader_role)
			 WHERE d.schema_name OPERATOR(pg_catalog.=) (SELECT nspname FROM pg_namespace WHERE oid OPERATOR(pg_catalog.=) nsp)
			UNION
			SELECT m.member FROM pg_auth_members m JOIN r ON m.roleid OPERATOR(pg_catalog.=) r.oid)
		SELECT oid FROM r
	)
	SELECT format('table %s', c.oid::regclass),
		   format('It inherits from %s, which is not in the schema of the domain', i.inhparent::regclass)
	  FROM pg_class c JOIN pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) c.oid
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind IN ('r', 'p', 'f')
	   AND (SELECT relnamespace FROM pg_class WHERE oid OPERATOR(pg_catalog.=) i.inhparent) OPERATOR(pg_catalog.<>) nsp
	UNION ALL
	SELECT format('table %s', c.oid::regclass),
		   'Its columns are not in the order CREATE TABLE ... INHERITS gives them, and some of its columns or check constraints exist only by inheritance, so neither CREATE TABLE ... INHERITS nor ALTER TABLE ... INHERIT recreates it as it is'
	  FROM pg_class c
	 WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT c.relispartition
	   AND tec_sovereignty.export_inherit_mode(c.oid) OPERATOR(pg_catalog.=) 'x'
	UNION ALL
	SELECT format('foreign table %s', c.oid::regclass),
		   'Foreign tables are not exported: the roles of a domain cannot create them (a superuser did), and their server and user mappings are outside the domain'
	  FROM pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp AND c.relkind OPERATOR(pg_catalog.=) 'f'
	UNION ALL
	SELECT format('function %s', p.oid::regprocedure),
		   format('Functions in the untrusted language %s are not exported: creating one needs a superuser, and the import runs as the domain''s owner', l.lanname)
	  FROM pg_proc p JOIN pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
	 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp AND NOT l.lanpltrusted
	   AND p.prokind OPERATOR(pg_catalog.<>) 'a'		-- an aggregate's own entry is "internal"
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d		-- nor a range's constructors
						WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND d.objid OPERATOR(pg_catalog.=) p.oid
						  AND d.deptype OPERATOR(pg_catalog.=) 'i')
	UNION ALL
	SELECT format('type %s', format_type(t.oid, NULL)),
		   'Base and shell types are not exported: creating one needs a superuser, and the import runs as the domain''s owner'
	  FROM pg_type t
	 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp AND t.typtype IN ('b', 'p')
	   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray OPERATOR(pg_catalog.=) t.oid)
	UNION ALL
	SELECT format('aggregate %s', a.aggfnoid::regprocedure),
		   'Aggregates whose state is of type internal are not exported: creating one needs a superuser, and the import runs as the domain''s owner'
	  FROM pg_aggregate a JOIN pg_proc p ON p.oid OPERATOR(pg_catalog.=) a.aggfnoid
	 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
	   AND (a.aggtranstype OPERATOR(pg_catalog.=) 'internal'::regtype OR a.aggmtranstype OPERATOR(pg_catalog.=) 'internal'::regtype)
	UNION ALL
	SELECT format('type %s', format_type(r.rngtypid, NULL)),
		   format('Its canonical function %s needs a shell type, which only a superuser can create, and the import runs as the domain''s owner', r.rngcanonical::regprocedure)
	  FROM pg_range r JOIN pg_type t ON t.oid OPERATOR(pg_catalog.=) r.rngtypid
	 WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp AND r.rngcanonical OPERATOR(pg_catalog.<>) 0
	UNION ALL
	SELECT pg_describe_object(o.classid, o.objid, 0),
		   format('%s are not exported: creating one needs a superuser, and the import runs as the domain''s owner', o.kind)
	  FROM (SELECT 'pg_opclass'::regclass::oid AS classid, oid AS objid, 'Operator classes' AS kind FROM pg_opclass WHERE opcnamespace OPERATOR(pg_catalog.=) nsp
			UNION ALL SELECT 'pg_opfamily'::regclass, oid, 'Operator families' FROM pg_opfamily WHERE opfnamespace OPERATOR(pg_catalog.=) nsp
			UNION ALL SELECT 'pg_ts_parser'::regclass, oid, 'Text search parsers' FROM pg_ts_parser WHERE prsnamespace OPERATOR(pg_catalog.=) nsp
			UNION ALL SELECT 'pg_ts_template'::regclass, oid, 'Text search templates' FROM pg_ts_template WHERE tmplnamespace OPERATOR(pg_catalog.=) nsp) o
	UNION ALL
	SELECT format('operator %s', o.oid::regoperator),
		   format('Its function %s needs a table or view of the domain, which the script creates after the operators', o.oprcode::regprocedure)
	  FROM pg_operator o
	 WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp
	   AND EXISTS (SELECT 1 FROM tec_sovereignty.export_late_objects(nsp) l
					WHERE l.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND l.objid OPERATOR(pg_catalog.=) o.oprcode)
	UNION ALL
	SELECT pg_describe_object('pg_cast'::regclass, c.oid, 0),
		   'Casts belong to no schema and are not exported (pg_dump -n leaves them out too); the roles of a domain cannot create one, so a superuser did'
	  FROM pg_cast c
	 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d		-- a multirange's own casts
						WHERE d.classid OPERATOR(pg_catalog.=) 'pg_cast'::regclass AND d.objid OPERATOR(pg_catalog.=) c.oid
						  AND d.deptype OPERATOR(pg_catalog.=) 'i')
	   AND ((SELECT typnamespace FROM pg_type WHERE oid OPERATOR(pg_catalog.=) c.castsource) OPERATOR(pg_catalog.=) nsp
			OR (SELECT typnamespace FROM pg_type WHERE oid OPERATOR(pg_catalog.=) c.casttarget) OPERATOR(pg_catalog.=) nsp
			OR (SELECT pronamespace FROM pg_proc WHERE oid OPERATOR(pg_catalog.=) c.castfunc) OPERATOR(pg_catalog.=) nsp)
	UNION ALL
	SELECT format('security label of %s (provider %s)', pg_describe_object(l.classoid, l.objoid, l.objsubid), l.provider),
		   'Security labels are not exported: the target may run another label provider, or none'
	  FROM pg_seclabel l
	 WHERE (l.classoid OPERATOR(pg_catalog.=) 'pg_namespace'::regclass AND l.objoid OPERATOR(pg_catalog.=) nsp)
		OR EXISTS (SELECT 1 FROM pg_depend d
					WHERE d.classid OPERATOR(pg_catalog.=) l.classoid AND d.objid OPERATOR(pg_catalog.=) l.objoid
					  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_namespace'::regclass AND d.refobjid OPERATOR(pg_catalog.=) nsp)
	UNION ALL
	SELECT format('large object %s (owner %s)', lo.oid, pg_get_userbyid(lo.lomowner)),
		   'Large objects are not exported: they belong to no schema and are outside the domain model (pg_dump -n carries them only with -b)'
	  FROM pg_largeobject_metadata lo
	 WHERE lo.lomowner IN (SELECT oid FROM roles)
	UNION ALL
	SELECT pg_describe_object(d.classid, d.objid, 0), 'Extensions, and objects of any kind not listed in the documentation of tec_export_domain(), are not exported'
	  FROM pg_depend d
	 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_namespace'::regclass AND d.refobjid OPERATOR(pg_catalog.=) nsp
	   AND d.classid NOT IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass,
							 'pg_default_acl'::regclass, 'pg_operator'::regclass, 'pg_collation'::regclass,
							 'pg_conversion'::regclass, 'pg_ts_dict'::regclass, 'pg_ts_config'::regclass,
							 'pg_statistic_ext'::regclass, 'pg_opclass'::regclass, 'pg_opfamily'::regclass,
							 'pg_ts_parser'::regclass, 'pg_ts_template'::regclass)
	   -- the publication of a live move of this domain (tec_move_domain(),
	   -- move.c), which exports the domain's audit trail while it exists
	   AND NOT (d.classid OPERATOR(pg_catalog.=) 'pg_publication_namespace'::regclass
				AND EXISTS (SELECT 1 FROM pg_publication_namespace pn
							  JOIN pg_publication p ON p.oid OPERATOR(pg_catalog.=) pn.pnpubid
							 WHERE pn.oid OPERATOR(pg_catalog.=) d.objid
							   AND p.pubname OPERATOR(pg_catalog.=) ('tsov_move_' OPERATOR(pg_catalog.||)
									(SELECT n.nspname FROM pg_namespace n WHERE n.oid OPERATOR(pg_catalog.=) nsp))))
	 ORDER BY 1
$$;

-- Helpers of the export only (export_unsupported and export_late_objects
-- are revoked with the others in transfer.sql).
REVOKE ALL ON FUNCTION tec_sovereignty.export_operator_ref(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_aggregate_def(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_kinds_ddl(oid) FROM PUBLIC;
REVOKE ALL ON FUNCTION tec_sovereignty.export_inherit_mode(oid) FROM PUBLIC;
