/*-------------------------------------------------------------------------
 *
 * ddl.c
 *	  The text of an export script that is not table rows: its prologue,
 *	  the DDL before and after the data, the with_audit section, and the
 *	  COPY headers of the tables whose rows follow.
 *
 * The catalog walk itself is SQL: tec_sovereignty.export_ddl() in
 * export.sql returns (section, statement) pairs, one numbered section per
 * kind of object (10 types, 20 functions, 30 sequences, 40 tables, ...,
 * 95 privileges, 96 default privileges, 97 published APIs, 99 members),
 * in dependency order.  Written in SQL, it stays next to the pg_get_*def()
 * functions it calls and is read by the same snapshot as the data.  This
 * file runs it and its helpers in the export's snapshot and splits what
 * they return around the data: sections below EXPORT_POST_DATA_SECTION
 * come before the rows, the others (constraints, indexes, triggers,
 * policies, privileges) after them, as pg_dump does.
 *
 * Everything here runs inside export_begin() (begin.c): SPI connected, as
 * the extension's owner (helper_owner), with the snapshot registered.
 * Memory: what these functions keep -- the statements, the COPY headers,
 * the table array -- is allocated in st->mcxt, CurrentMemoryContext when
 * they are called, and lives until export_end(); SPI_getvalue() copies
 * into that context, so the text outlives SPI_finish().
 *
 * IDENTIFICATION
 *	  src/export/ddl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "common/tsov.h"
#include "export/export.h"

/*
 * Run one prepared catalog query in the export's snapshot.  Results are in
 * SPI_tuptable, valid until SPI_finish().
 */
void
export_query(Snapshot snapshot, const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	MemoryContext keep = CurrentMemoryContext;
	SPIPlanPtr	plan;
	int			rc;

	/* Every read after the locks sees the one state the export copies. */
	Assert(snapshot != InvalidSnapshot);

	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	rc = SPI_execute_snapshot(plan, values, NULL, snapshot, InvalidSnapshot, true, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s", sql, SPI_result_code_string(rc));
	SPI_freeplan(plan);
	/* SPI returns in its own procedure context, freed by SPI_finish(). */
	MemoryContextSwitchTo(keep);
}

char *
export_getvalue(int row, int col)
{
	Assert(SPI_tuptable != NULL && row < SPI_processed);
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/*
 * The script's opening: the session settings, the domain created through
 * the extension, its registry settings, and the role that will own every
 * object.  encoding names the bytes the script is in (see begin.c).
 */
static char *
export_prologue(const char *domain, const ExportRegistryRow *reg, const char *encoding)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfo(&s,
					 "-- tec_sovereignty export of domain %s\n"
					 "-- Import into a PostgreSQL 15 database with the tec_sovereignty extension\n"
					 "-- installed and preloaded, as a superuser:\n"
					 "--   psql -X -v ON_ERROR_STOP=1 -d <database> -f <this file>\n"
					 "-- The script runs in one transaction: an error leaves nothing behind.\n"
					 "BEGIN;\n"
					 "SET client_encoding = %s;\n"
					 "SET LOCAL standard_conforming_strings = on;\n"
					 "SET LOCAL check_function_bodies = false;\n"
					 "SET LOCAL client_min_messages = warning;\n"
					 "SET LOCAL row_security = off;\n"
					 "SET LOCAL datestyle = 'ISO, MDY';\n"
					 "SET LOCAL intervalstyle = postgres;\n"
					 "SET LOCAL timezone = 'UTC';\n"
					 "SET LOCAL extra_float_digits = 3;\n"
					 "SET LOCAL search_path = pg_catalog;\n"
					 "SELECT pg_catalog.tec_create_domain(%s, if_not_exists => false);\n",
					 quote_identifier(domain),
					 quote_literal_cstr(encoding),
					 quote_literal_cstr(domain));
	appendStringInfo(&s,
					 "SELECT tec_sovereignty.import_domain_settings(%s, %s, %s, %s);\n",
					 quote_literal_cstr(domain),
					 reg->template ? quote_literal_cstr(reg->template) : "NULL",
					 reg->enforcement ? quote_literal_cstr(reg->enforcement) : "NULL",
					 reg->audit_level ? quote_literal_cstr(reg->audit_level) : "NULL");
	appendStringInfo(&s, "SET LOCAL ROLE %s;", quote_identifier(reg->owner_role));
	return s.data;
}

/*
 * The sections of tec_sovereignty.export_ddl(), split around the data.
 * The function returns them in script order; a section number only says
 * on which side of the rows its statement goes.
 */
static void
export_ddl_sections(ExportState *st, const ExportRegistryRow *reg)
{
	Oid			argtypes[4] = {OIDOID, NAMEOID, NAMEOID, NAMEOID};
	Datum		args[4];

	args[0] = ObjectIdGetDatum(st->nspoid);
	args[1] = DirectFunctionCall1(namein, CStringGetDatum(reg->owner_role));
	args[2] = DirectFunctionCall1(namein, CStringGetDatum(reg->writer_role));
	args[3] = DirectFunctionCall1(namein, CStringGetDatum(reg->reader_role));
	export_query(st->snapshot,
				 "SELECT section, stmt FROM tec_sovereignty.export_ddl($1, $2, $3, $4)",
				 4, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			section = atoi(export_getvalue(i, 1));
		char	   *stmt = export_getvalue(i, 2);

		Assert(section >= 0);
		if (section < EXPORT_POST_DATA_SECTION)
			st->pre = lappend(st->pre, stmt);
		else
			st->post = lappend(st->post, stmt);
	}
}

/*
 * with_audit, the heads of the domain's chains: one INSERT per chain into
 * the script's temporary chain table, and the "origin#seq:sha256" list the
 * EXPORT event names.  Appends the statements to *sql.
 */
static void
export_audit_chain_heads(ExportState *st, StringInfo sql)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	StringInfoData heads;

	initStringInfo(&heads);
	args[0] = CStringGetTextDatum(st->domain);
	export_query(st->snapshot,
				 "SELECT c.chain_origin, c.last_seq, pg_catalog.encode(c.last_hash, 'hex'),"
				 "       pg_catalog.format('INSERT INTO pg_temp.tsov_audit_import_chain VALUES (%L, %s, pg_catalog.decode(%L, ''hex''), %s, %s, %s);',"
				 "         c.chain_origin, c.last_seq, pg_catalog.encode(c.last_hash, 'hex'),"
				 "         COALESCE(a.anchor_seq::pg_catalog.text, 'NULL'),"
				 "         CASE WHEN a.anchor_hash IS NULL THEN 'NULL'"
				 "              ELSE pg_catalog.format('pg_catalog.decode(%L, ''hex'')', pg_catalog.encode(a.anchor_hash, 'hex')) END,"
				 /* the signed digest of the head (src/audit/digest.c), NULL without a key */
				 "         COALESCE(pg_catalog.quote_literal(tec_sovereignty.audit_head_digest(c.chain_domain, c.chain_origin)::pg_catalog.text)"
				 "                  OPERATOR(pg_catalog.||) '::pg_catalog.jsonb', 'NULL'))"
				 "  FROM tec_sovereignty.audit_chain c"
				 "  LEFT JOIN tec_sovereignty.audit_anchor a"
				 "    ON a.chain_domain OPERATOR(pg_catalog.=) c.chain_domain AND a.chain_origin OPERATOR(pg_catalog.=) c.chain_origin"
				 " WHERE c.chain_domain OPERATOR(pg_catalog.=) $1"
				 " ORDER BY c.chain_origin COLLATE \"C\"",
				 1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		appendStringInfo(sql, "\n%s", export_getvalue(i, 4));
		appendStringInfo(&heads, "%s%s#%s:%s", i > 0 ? ", " : "",
						 export_getvalue(i, 1), export_getvalue(i, 2), export_getvalue(i, 3));
	}
	st->audit_heads = heads.len > 0 ? heads.data : NULL;
}

/*
 * with_audit, the rows: one "table" to copy, the domain's rows of
 * tec_sovereignty.audit_log (filtered on chain_domain while scanning), into
 * the script's temporary log table.
 */
static void
export_audit_log_table(ExportState *st, Oid logrel)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	ExportTable *t;

	args[0] = ObjectIdGetDatum(logrel);
	export_query(st->snapshot,
				 "SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)"
				 "  FROM pg_catalog.pg_attribute a"
				 " WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped",
				 1, argtypes, args);
	t = palloc0(sizeof(ExportTable));
	t->relid = logrel;
	t->copy_header = psprintf("COPY pg_temp.tsov_audit_import_log (%s) FROM stdin;", export_getvalue(0, 1));
	t->filter_attnum = get_attnum(logrel, "chain_domain");
	t->filter_value = st->domain;
	if (t->filter_attnum == InvalidAttrNumber)
		elog(ERROR, "tec_sovereignty.audit_log has no column chain_domain");
	st->audit_tables = t;
	st->naudit_tables = 1;
}

/*
 * with_audit: the end of the script carries the domain's audit trail, as
 * the domain's prior history for the target.  Every chain of the domain
 * (chain_domain = the domain, whatever its origin: a domain imported
 * earlier brings its older chains along) travels whole: its head, its
 * purge anchor if it was purged, and its rows, read in the export's
 * snapshot (the writer commits rows and heads together, so they match).
 * The script loads them into two temporary tables, as a superuser, and
 * hands them to tec_sovereignty.audit_import(), which verifies each chain
 * the way tec_audit_verify() does and refuses the import if one does not
 * verify.
 */
static void
export_audit_section(ExportState *st)
{
	Oid			logrel = get_relname_relid("audit_log", get_namespace_oid(TSOV_SCHEMA, false));
	StringInfoData sql;

	/* begin.c refused with_audit when the trail is not installed. */
	Assert(st->with_audit && OidIsValid(logrel));

	initStringInfo(&sql);
	appendStringInfoString(&sql,
						   "RESET ROLE;\n"
						   "-- The audit trail of the domain: the head (and purge anchor) of each chain, then\n"
						   "-- its rows.  tec_sovereignty.audit_import() verifies every chain like\n"
						   "-- tec_audit_verify() and refuses the whole import if one does not verify.\n"
						   "CREATE TEMPORARY TABLE tsov_audit_import_chain (chain_origin text, last_seq bigint,"
						   " last_hash bytea, anchor_seq bigint, anchor_hash bytea, digest jsonb) ON COMMIT DROP;\n"
						   "CREATE TEMPORARY TABLE tsov_audit_import_log (LIKE tec_sovereignty.audit_log) ON COMMIT DROP;");
	export_audit_chain_heads(st, &sql);
	st->post = lappend(st->post, sql.data);

	export_audit_log_table(st, logrel);
	st->tail = list_make1(psprintf("SELECT tec_sovereignty.audit_import(%s, 'pg_temp.tsov_audit_import_chain', 'pg_temp.tsov_audit_import_log');\n"
								   "COMMIT;", quote_literal_cstr(st->domain)));
}

/*
 * export_build_ddl
 *		The script around the rows: the prologue, the DDL sections, and its
 *		end -- COMMIT, or with_audit the audit trail section and the import
 *		call that commits.
 */
void
export_build_ddl(ExportState *st, const ExportRegistryRow *reg, const char *encoding)
{
	Assert(st->pre == NIL && st->post == NIL && st->tail == NIL);

	st->pre = lappend(st->pre, export_prologue(st->domain, reg, encoding));
	export_ddl_sections(st, reg);
	if (!st->with_audit)
		st->post = lappend(st->post, pstrdup("RESET ROLE;\nCOMMIT;"));
	else
		export_audit_section(st);
}

/*
 * export_list_tables
 *		The tables whose rows are copied, in name order: every ordinary
 *		table of the schema (partitioned tables have no rows of their own),
 *		with its COPY header naming the columns that are not generated.
 *		Leaves st->tables empty without with_data.
 */
void
export_list_tables(ExportState *st)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];

	if (!st->with_data)
		return;
	args[0] = ObjectIdGetDatum(st->nspoid);
	export_query(st->snapshot,
				 "SELECT c.oid, pg_catalog.format('COPY %s (%s) FROM stdin;', c.oid::pg_catalog.regclass,"
				 "       pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum))"
				 "  FROM pg_catalog.pg_class c"
				 "  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid"
				 " WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r'"
				 "   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attgenerated OPERATOR(pg_catalog.=) ''"
				 " GROUP BY c.oid, c.relname ORDER BY c.relname COLLATE \"C\"",
				 1, argtypes, args);
	st->ntables = (int) SPI_processed;
	st->tables = palloc0(sizeof(ExportTable) * (st->ntables + 1));
	for (int i = 0; i < st->ntables; i++)
	{
		bool		isnull;

		st->tables[i].relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		st->tables[i].copy_header = export_getvalue(i, 2);
	}
}
