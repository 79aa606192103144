/*-------------------------------------------------------------------------
 *
 * export.c
 *	  tec_export_domain(): one SQL call streams a psql script that recreates
 *	  a whole domain (schema, objects, data) on another server.
 *
 * The export is a value-per-call set-returning function.  Called in a
 * target list (SELECT tec_export_domain('life')), each call returns one
 * value straight to the client, so nothing is materialized on the server:
 * memory stays at about one chunk (EXPORT_CHUNK_SIZE, ~1 MB) plus the DDL
 * of the schema, whatever the domain's size.  (Called in FROM, the
 * executor puts the values in a tuplestore that spills to disk past
 * work_mem: still bounded, only slower.)
 *
 * The first call does everything that needs SPI: it checks who may
 * export, locks the domain's relations (ACCESS SHARE, like pg_dump),
 * registers one snapshot, and runs the catalog walk (the SQL helpers in
 * sql/parts/70_export.sql) in that snapshot, keeping the DDL in memory.
 * The following calls stream: the DDL that comes before the data, then
 * every table's rows as COPY ... FROM stdin blocks read by a heap scan in
 * the same registered snapshot (so the data is one consistent state even
 * under READ COMMITTED and concurrent writes), then the DDL that comes
 * after the data (constraints, indexes, triggers, policies, privileges).
 *
 * Rows are formatted like COPY TO's text format: each column's output
 * function, escaped as CopyAttributeOutText does, so COPY FROM reads back
 * exactly the same values.  Output-function settings that change the text
 * (DateStyle, IntervalStyle, TimeZone, extra_float_digits, bytea_output)
 * are pinned for the export, which makes the script a deterministic
 * function of the domain's state: tec_complete_transfer() relies on that
 * to compute, in the server, the sha256 of the file a DBA shipped.
 *
 * IDENTIFICATION
 *	  src/export.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "tec_sovereignty.h"

/* A data value is returned once it holds at least this many bytes. */
#define EXPORT_CHUNK_SIZE	(1024 * 1024)

/* The DDL sections before the data are numbered below this one. */
#define EXPORT_POST_DATA_SECTION 70

PG_FUNCTION_INFO_V1(tsov_export_domain);
PG_FUNCTION_INFO_V1(tsov_export_checksum);

typedef enum ExportPhase
{
	EXPORT_PRE_DATA,
	EXPORT_DATA,
	EXPORT_POST_DATA,
	EXPORT_DONE
} ExportPhase;

typedef struct ExportColumn
{
	AttrNumber	attnum;
	bool		is_text;		/* text/varchar: the bytes are the output */
	FmgrInfo	outfunc;
} ExportColumn;

typedef struct ExportTable
{
	Oid			relid;
	char	   *copy_header;	/* COPY "d"."t" ("a", "b") FROM stdin; */
} ExportTable;

typedef struct ExportState
{
	MemoryContext mcxt;			/* lives as long as the export */
	MemoryContext rowcxt;		/* reset after every row */
	char	   *domain;
	Snapshot	snapshot;		/* registered; every read uses it */
	ExportPhase phase;

	List	   *pre;			/* values before the data (char *) */
	List	   *post;			/* values after the data (char *) */
	int			next;			/* next value of pre or post */

	ExportTable *tables;
	int			ntables;
	int			cur;			/* table being copied */

	/* the table being copied */
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	ExportColumn *cols;
	int			ncols;

	/* totals, for the audit event */
	uint64		rows;
	uint64		bytes;
	uint64		values;

	bool		audit;			/* record an EXPORT event at the end */
	ExprContext *econtext;		/* shutdown callback registered here */
} ExportState;

static ExportState *export_begin(text *domain_arg, bool with_data, bool with_audit,
								 Oid helper_owner, bool for_checksum);
static text *export_next(ExportState *st);
static void export_end(ExportState *st, bool completed);
static void export_shutdown_callback(Datum arg);

/*
 * Settings that change the text of output functions, pinned while the
 * export runs so that the script does not depend on the session; and the
 * search_path under which every name outside pg_catalog is qualified.
 */
static void
export_pin_settings(void)
{
	static const char *const settings[][2] = {
		{"search_path", "pg_catalog, pg_temp"},
		{"datestyle", "ISO, MDY"},
		{"intervalstyle", "postgres"},
		{"timezone", "UTC"},
		{"extra_float_digits", "3"},
		{"bytea_output", "hex"},
	};

	for (int i = 0; i < lengthof(settings); i++)
		(void) set_config_option(settings[i][0], settings[i][1],
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Run one prepared catalog query in the export's snapshot.  Results are in
 * SPI_tuptable, valid until SPI_finish().
 */
static void
export_query(Snapshot snapshot, const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	MemoryContext keep = CurrentMemoryContext;
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);
	int			rc;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	rc = SPI_execute_snapshot(plan, values, NULL, snapshot, InvalidSnapshot, true, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s", sql, SPI_result_code_string(rc));
	SPI_freeplan(plan);
	/* SPI returns in its own procedure context, freed by SPI_finish(). */
	MemoryContextSwitchTo(keep);
}

static char *
export_getvalue(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/*
 * Append the script's opening: the session settings, the domain created
 * through the extension, its registry settings, and the role that will
 * own every object.
 */
static char *
export_prologue(const char *domain, const char *owner_role, const char *template,
				const char *enforcement, const char *audit_level, const char *encoding)
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
					 template ? quote_literal_cstr(template) : "NULL",
					 enforcement ? quote_literal_cstr(enforcement) : "NULL",
					 audit_level ? quote_literal_cstr(audit_level) : "NULL");
	appendStringInfo(&s, "SET LOCAL ROLE %s;", quote_identifier(owner_role));
	return s.data;
}

/*
 * TODO(merge): record the export in the audit trail, once audit.c lands:
 *
 *	TsovAuditEvent ev = {0};
 *	ev.action = "EXPORT"; ev.decision = TSOV_ALLOWED (TSOV_PRIVILEGED for a
 *	superuser outside the domain); ev.is_write = false;
 *	ev.actor_role = GetUserId(); ev.object_domain = st->domain;
 *	ev.reason = psprintf("%llu rows, %llu bytes", rows, bytes);
 *	tsov_audit_record(&ev);
 */
static void
export_audit(ExportState *st)
{
	(void) st;
}

/*
 * export_begin
 *		Check the caller, lock the domain, take the snapshot, walk the
 *		catalog.  Everything it keeps is allocated in a new child of
 *		CurrentMemoryContext.  helper_owner is the role the catalog
 *		queries run as (the extension's owner).
 *
 * Raises: 22004 (NULL), 42704 (no such domain), 42501 (not a superuser
 * nor the domain's owner; a table the caller cannot read), 55006 (a
 * non-superuser during a transfer), 0A000 (with_audit, unsupported
 * objects), 55000 (a reference to another domain).
 */
static ExportState *
export_begin(text *domain_arg, bool with_data, bool with_audit, Oid helper_owner,
			 bool for_checksum)
{
	MemoryContext mcxt;
	MemoryContext oldcxt;
	ExportState *st;
	Oid			caller = GetUserId();
	Oid			save_userid;
	int			save_sec;
	char	   *domain;
	char	   *schema_name,
			   *owner_role,
			   *writer_role,
			   *reader_role,
			   *template,
			   *state,
			   *enforcement,
			   *audit_level;
	Oid			nspoid;
	Oid			owner_oid;
	Oid			argtypes[4];
	Datum		args[4];
	const char *encoding;
	List	   *relids = NIL;
	ListCell   *lc;

	mcxt = AllocSetContextCreate(CurrentMemoryContext, "tec_export_domain",
								 ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(mcxt);
	st = palloc0(sizeof(ExportState));
	st->mcxt = mcxt;
	st->rowcxt = AllocSetContextCreate(mcxt, "tec_export_domain row",
									   ALLOCSET_DEFAULT_SIZES);
	st->phase = EXPORT_PRE_DATA;
	domain = text_to_cstring(domain_arg);
	st->domain = domain;

	/*
	 * The script names the encoding its bytes are in: the client's, unless
	 * the client takes the server's bytes as they are (SQL_ASCII).  The
	 * in-server checksum describes what such a client receives.
	 */
	if (for_checksum || pg_get_client_encoding() == PG_SQL_ASCII)
		encoding = GetDatabaseEncodingName();
	else
		encoding = pg_get_client_encoding_name();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* What SPI_getvalue() returns must outlive SPI_finish(). */
	MemoryContextSwitchTo(mcxt);

	/*
	 * The catalog walk reads the registry and the catalogs with the rights
	 * of the extension's owner, after the caller's rights are checked below:
	 * a domain owner may export without being able to read the registry.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(helper_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);

	argtypes[0] = TEXTOID;
	args[0] = PointerGetDatum(domain_arg);
	if (SPI_execute_with_args("SELECT schema_name, owner_role, writer_role, reader_role, template, state, enforcement, audit_level"
							  "  FROM tec_sovereignty.domain WHERE name OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the domain registry");
	MemoryContextSwitchTo(mcxt);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("domain \"%s\" does not exist", domain),
				 errhint("List the domains with: SELECT name FROM tec_sovereignty.domains;")));
	schema_name = export_getvalue(0, 1);
	owner_role = export_getvalue(0, 2);
	writer_role = export_getvalue(0, 3);
	reader_role = export_getvalue(0, 4);
	template = export_getvalue(0, 5);
	state = export_getvalue(0, 6);
	enforcement = export_getvalue(0, 7);
	audit_level = export_getvalue(0, 8);

	/* Who may export: a superuser, or the domain's owner role. */
	owner_oid = get_role_oid(owner_role, true);
	if (!superuser_arg(caller) &&
		(!OidIsValid(owner_oid) || !has_privs_of_role(caller, owner_oid)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to export domain \"%s\"", domain),
				 errdetail("Only a superuser or a member of role \"%s\" may export domain \"%s\".",
						   owner_role, domain)));

	/*
	 * During a transfer (and after it), only a superuser exports: the
	 * export that travels is the one the DBA ships, and the domain's own
	 * members no longer decide where its data goes.
	 */
	if (strcmp(state, "active") != 0 && !superuser_arg(caller))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("domain \"%s\" is %s", domain, state),
				 errdetail("While a domain is being transferred, or after it was, only a superuser may export it."),
				 errhint("Ask the database administrator who runs the transfer for the export.")));

	if (with_audit)
	{
		/* TODO(merge): carry tec_sovereignty.audit_log rows of the domain. */
		if (!OidIsValid(get_relname_relid("audit_log", get_namespace_oid(TSOV_SCHEMA, false))))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot export the audit trail of domain \"%s\": the audit trail is not installed", domain),
					 errdetail("with_audit => true carries the rows of tec_sovereignty.audit_log, which this installation does not have."),
					 errhint("Export without with_audit.")));
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("exporting the audit trail is not supported yet"),
				 errhint("Export without with_audit.")));
	}

	nspoid = get_namespace_oid(schema_name, true);
	if (!OidIsValid(nspoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" of domain \"%s\" does not exist", schema_name, domain),
				 errdetail("The registry lists the domain, but its schema is gone.")));

	/*
	 * Lock the domain's relations, then take the snapshot: their
	 * definitions cannot change under the export, and the snapshot sees
	 * them as they are locked.  Relations created in between are locked
	 * when the snapshot lists them.
	 */
	argtypes[0] = OIDOID;
	args[0] = ObjectIdGetDatum(nspoid);
	if (SPI_execute_with_args("SELECT oid FROM pg_catalog.pg_class WHERE relnamespace OPERATOR(pg_catalog.=) $1"
							  "   AND relkind IN ('r', 'p', 'm', 'S', 'v') ORDER BY oid",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the relations of domain \"%s\"", domain);
	MemoryContextSwitchTo(mcxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));

		LockRelationOid(relid, AccessShareLock);
		relids = lappend_oid(relids, relid);
	}

	st->snapshot = RegisterSnapshot(GetTransactionSnapshot());

	export_query(st->snapshot,
				 "SELECT oid FROM pg_catalog.pg_class WHERE relnamespace OPERATOR(pg_catalog.=) $1"
				 "   AND relkind IN ('r', 'p', 'm', 'S', 'v') ORDER BY oid",
				 1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));

		if (!list_member_oid(relids, relid))
		{
			LockRelationOid(relid, AccessShareLock);
			relids = lappend_oid(relids, relid);
		}
	}
	foreach(lc, relids)
	{
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(lfirst_oid(lc))))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("a relation of domain \"%s\" was dropped while the export started", domain),
					 errhint("Run the export again.")));
	}

	/* Refuse what cannot be reproduced, and references to other domains. */
	export_query(st->snapshot,
				 "SELECT object, reason FROM tec_sovereignty.export_unsupported($1)",
				 1, argtypes, args);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot export domain \"%s\": %s is not supported", domain, export_getvalue(0, 1)),
				 errdetail("%s.", export_getvalue(0, 2)),
				 errhint("Drop or replace the object, then export again.")));

	export_query(st->snapshot,
				 "SELECT dependent, referenced, other_domain FROM tec_sovereignty.export_foreign_refs($1)",
				 1, argtypes, args);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot export domain \"%s\": %s references %s of domain \"%s\"",
						domain, export_getvalue(0, 1), export_getvalue(0, 2), export_getvalue(0, 3)),
				 errdetail("An export never contains another domain's objects, and the target could not create this one without them."),
				 errhint("Remove the reference (or publish an API instead), then export again.")));

	/* The DDL, before and after the data. */
	st->pre = lappend(st->pre, export_prologue(domain, owner_role, template, enforcement,
											   audit_level, encoding));
	argtypes[1] = NAMEOID;
	argtypes[2] = NAMEOID;
	argtypes[3] = NAMEOID;
	args[1] = DirectFunctionCall1(namein, CStringGetDatum(owner_role));
	args[2] = DirectFunctionCall1(namein, CStringGetDatum(writer_role));
	args[3] = DirectFunctionCall1(namein, CStringGetDatum(reader_role));
	export_query(st->snapshot,
				 "SELECT section, stmt FROM tec_sovereignty.export_ddl($1, $2, $3, $4)",
				 4, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			section = atoi(export_getvalue(i, 1));
		char	   *stmt = export_getvalue(i, 2);

		if (section < EXPORT_POST_DATA_SECTION)
			st->pre = lappend(st->pre, stmt);
		else
			st->post = lappend(st->post, stmt);
	}
	st->post = lappend(st->post, pstrdup("RESET ROLE;\nCOMMIT;"));

	/* The tables whose rows are copied: every table with storage. */
	if (with_data)
	{
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

	SetUserIdAndSecContext(save_userid, save_sec);

	/*
	 * The heap scans bypass the executor: check, as the caller, that every
	 * table is readable (a superuser or the owner of the tables always can).
	 */
	for (int i = 0; i < st->ntables; i++)
	{
		if (pg_class_aclcheck(st->tables[i].relid, caller, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s", get_rel_name(st->tables[i].relid)),
					 errdetail("Exporting domain \"%s\" reads every table of its schema.", domain)));
	}

	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
	return st;
}

/*
 * Append s[0..len) to buf with COPY text-format escaping: backslash and
 * the control characters COPY FROM would misread become backslash
 * sequences (the column delimiter is a tab, rows end with a newline);
 * everything else, multibyte characters included, is copied as is.  The
 * server encoding is always ASCII-safe, so a byte below 0x80 is always a
 * character of its own.
 */
static inline void
export_escape(StringInfo buf, const char *s, int len)
{
	const char *start = s;
	const char *end = s + len;
	const char *p;

	for (p = s; p < end; p++)
	{
		unsigned char c = (unsigned char) *p;
		char		esc;

		if (likely(c >= 0x20 && c != '\\'))
			continue;
		switch (c)
		{
			case '\\':
				esc = '\\';
				break;
			case '\b':
				esc = 'b';
				break;
			case '\f':
				esc = 'f';
				break;
			case '\n':
				esc = 'n';
				break;
			case '\r':
				esc = 'r';
				break;
			case '\t':
				esc = 't';
				break;
			case '\v':
				esc = 'v';
				break;
			default:
				continue;
		}
		if (p > start)
			appendBinaryStringInfo(buf, start, p - start);
		appendStringInfoCharMacro(buf, '\\');
		appendStringInfoCharMacro(buf, esc);
		start = p + 1;
	}
	if (p > start)
		appendBinaryStringInfo(buf, start, p - start);
}

/* Open the current table, set up its columns, start its scan. */
static void
export_open_table(ExportState *st)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(st->mcxt);
	TupleDesc	tupdesc;

	st->rel = table_open(st->tables[st->cur].relid, AccessShareLock);
	tupdesc = RelationGetDescr(st->rel);
	st->cols = palloc0(sizeof(ExportColumn) * tupdesc->natts);
	st->ncols = 0;
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		ExportColumn *col;
		Oid			outfunc;
		bool		isvarlena;

		if (att->attisdropped || att->attgenerated)
			continue;
		col = &st->cols[st->ncols++];
		col->attnum = att->attnum;
		getTypeOutputInfo(att->atttypid, &outfunc, &isvarlena);
		col->is_text = (outfunc == F_TEXTOUT || outfunc == F_VARCHAROUT);
		fmgr_info(outfunc, &col->outfunc);
	}
	st->slot = table_slot_create(st->rel, NULL);
	/* No synchronized scan: rows come in the same order every time. */
	st->scan = table_beginscan_strat(st->rel, st->snapshot, 0, NULL, true, false);
	MemoryContextSwitchTo(oldcxt);
}

static void
export_close_table(ExportState *st)
{
	if (st->scan)
		table_endscan(st->scan);
	if (st->slot)
		ExecDropSingleTupleTableSlot(st->slot);
	if (st->rel)
		table_close(st->rel, NoLock);
	st->scan = NULL;
	st->slot = NULL;
	st->rel = NULL;
	if (st->cols)
		pfree(st->cols);
	st->cols = NULL;
}

/* Append the current row of the current table as one COPY text line. */
static inline void
export_append_row(ExportState *st, StringInfo buf)
{
	TupleTableSlot *slot = st->slot;
	MemoryContext oldcxt = MemoryContextSwitchTo(st->rowcxt);

	slot_getallattrs(slot);
	for (int i = 0; i < st->ncols; i++)
	{
		ExportColumn *col = &st->cols[i];
		int			off = col->attnum - 1;

		if (i > 0)
			appendStringInfoCharMacro(buf, '\t');
		if (slot->tts_isnull[off])
			appendBinaryStringInfo(buf, "\\N", 2);
		else if (col->is_text)
		{
			struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(slot->tts_values[off]));

			export_escape(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
		}
		else
		{
			char	   *s = OutputFunctionCall(&col->outfunc, slot->tts_values[off]);

			export_escape(buf, s, strlen(s));
		}
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(st->rowcxt);
	st->rows++;
}

/*
 * The next data value: whole lines, at least EXPORT_CHUNK_SIZE bytes
 * unless the data ends, in CurrentMemoryContext; NULL when no data is
 * left.  The text is built in place behind a varlena header, so that the
 * chunk is never copied.
 */
static text *
export_data_chunk(ExportState *st)
{
	StringInfoData buf;

	initStringInfo(&buf);
	enlargeStringInfo(&buf, EXPORT_CHUNK_SIZE + 64 * 1024);
	buf.len = VARHDRSZ;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (st->rel == NULL)
		{
			if (st->cur >= st->ntables)
				break;
			export_open_table(st);
			if (buf.len > VARHDRSZ)
				appendStringInfoChar(&buf, '\n');
			appendStringInfoString(&buf, st->tables[st->cur].copy_header);
		}
		if (buf.len >= EXPORT_CHUNK_SIZE)
			break;
		if (table_scan_getnextslot(st->scan, ForwardScanDirection, st->slot))
		{
			if (buf.len > VARHDRSZ)
				appendStringInfoCharMacro(&buf, '\n');
			export_append_row(st, &buf);
			continue;
		}
		if (buf.len > VARHDRSZ)
			appendStringInfoChar(&buf, '\n');
		appendStringInfoString(&buf, "\\.");
		export_close_table(st);
		st->cur++;
	}

	if (buf.len == VARHDRSZ)
	{
		pfree(buf.data);
		return NULL;
	}
	SET_VARSIZE(buf.data, buf.len);
	return (text *) buf.data;
}

/*
 * export_next
 *		The next value of the script, in CurrentMemoryContext, or NULL at
 *		the end.  Runs with the export's settings pinned and as the
 *		extension's own work (tsov_internal_depth).
 */
static text *
export_next(ExportState *st)
{
	text	   *volatile result = NULL;
	int			nestlevel;

	tsov_internal_depth++;
	PG_TRY();
	{
		nestlevel = NewGUCNestLevel();
		export_pin_settings();

		while (result == NULL && st->phase != EXPORT_DONE)
		{
			switch (st->phase)
			{
				case EXPORT_PRE_DATA:
					if (st->next < list_length(st->pre))
						result = cstring_to_text(list_nth(st->pre, st->next++));
					else
					{
						st->phase = EXPORT_DATA;
						st->next = 0;
					}
					break;
				case EXPORT_DATA:
					result = export_data_chunk(st);
					if (result == NULL)
						st->phase = EXPORT_POST_DATA;
					break;
				case EXPORT_POST_DATA:
					if (st->next < list_length(st->post))
						result = cstring_to_text(list_nth(st->post, st->next++));
					else
						st->phase = EXPORT_DONE;
					break;
				case EXPORT_DONE:
					break;
			}
		}
		AtEOXact_GUC(true, nestlevel);
	}
	PG_FINALLY();
	{
		tsov_internal_depth--;
	}
	PG_END_TRY();

	if (result != NULL)
	{
		st->values++;
		st->bytes += VARSIZE_ANY_EXHDR(result) + 1;	/* psql adds a newline */
	}
	return result;
}

/*
 * export_end
 *		Release the scan, the snapshot and the memory.  completed: the whole
 *		script was produced (and is audited); otherwise the consumer stopped
 *		early (LIMIT, a cursor closed).
 */
static void
export_end(ExportState *st, bool completed)
{
	if (st->econtext)
		UnregisterExprContextCallback(st->econtext, export_shutdown_callback, PointerGetDatum(st));
	st->econtext = NULL;
	export_close_table(st);
	if (st->snapshot)
		UnregisterSnapshot(st->snapshot);
	st->snapshot = NULL;
	if (completed && st->audit)
		export_audit(st);
	MemoryContextDelete(st->mcxt);
}

static void
export_shutdown_callback(Datum arg)
{
	ExportState *st = (ExportState *) DatumGetPointer(arg);

	st->econtext = NULL;		/* being called: already unregistered */
	export_end(st, false);
}

/* Owner of the function being called: the catalog walk runs as this role. */
static Oid
export_function_owner(FunctionCallInfo fcinfo)
{
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
	ReleaseSysCache(tup);
	return owner;
}

static void
export_check_args(FunctionCallInfo fcinfo, int nargs)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("domain name must not be null"),
				 errhint("Pass the name of a domain, e.g. tec_export_domain('life').")));
	for (int i = 1; i < nargs; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", i == 1 ? "with_data" : "with_audit")));
}

/*
 * tec_export_domain(domain text, with_data boolean, with_audit boolean)
 *		RETURNS SETOF text, value per call.
 */
Datum
tsov_export_domain(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	ExportState *st;
	text	   *value;

	if (SRF_IS_FIRSTCALL())
	{
		ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
		MemoryContext oldcxt;
		int			nestlevel;

		export_check_args(fcinfo, 3);
		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);

		tsov_internal_depth++;
		PG_TRY();
		{
			nestlevel = NewGUCNestLevel();
			export_pin_settings();
			st = export_begin(PG_GETARG_TEXT_PP(0), PG_GETARG_BOOL(1), PG_GETARG_BOOL(2),
							  export_function_owner(fcinfo), false);
			AtEOXact_GUC(true, nestlevel);
		}
		PG_FINALLY();
		{
			tsov_internal_depth--;
		}
		PG_END_TRY();

		st->audit = true;
		if (rsinfo && IsA(rsinfo, ReturnSetInfo) && rsinfo->econtext)
		{
			st->econtext = rsinfo->econtext;
			RegisterExprContextCallback(rsinfo->econtext, export_shutdown_callback, PointerGetDatum(st));
		}
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(oldcxt);
	}

	funcctx = SRF_PERCALL_SETUP();
	st = (ExportState *) funcctx->user_fctx;

	value = export_next(st);
	if (value != NULL)
		SRF_RETURN_NEXT(funcctx, PointerGetDatum(value));

	export_end(st, true);
	SRF_RETURN_DONE(funcctx);
}

/*
 * tec_sovereignty.export_checksum(domain text, OUT sha256 text, OUT bytes
 * bigint): the sha256 of the script as psql -XAt writes it (every value
 * followed by a newline) and its size, without sending it anywhere.
 */
Datum
tsov_export_checksum(PG_FUNCTION_ARGS)
{
	ExportState *st;
	pg_cryptohash_ctx *volatile ctx = NULL;
	MemoryContext itercxt;
	MemoryContext oldcxt;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_STRING_LENGTH];
	volatile uint64 bytes = 0;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int			nestlevel;

	export_check_args(fcinfo, 1);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	tsov_internal_depth++;
	PG_TRY();
	{
		nestlevel = NewGUCNestLevel();
		export_pin_settings();
		st = export_begin(PG_GETARG_TEXT_PP(0), true, false, export_function_owner(fcinfo), true);
		AtEOXact_GUC(true, nestlevel);
	}
	PG_FINALLY();
	{
		tsov_internal_depth--;
	}
	PG_END_TRY();

	itercxt = AllocSetContextCreate(CurrentMemoryContext, "tec_export checksum",
									ALLOCSET_DEFAULT_SIZES);
	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize a sha256 context");
	for (;;)
	{
		text	   *value;

		oldcxt = MemoryContextSwitchTo(itercxt);
		value = export_next(st);
		MemoryContextSwitchTo(oldcxt);
		if (value == NULL)
			break;
		if (pg_cryptohash_update(ctx, (uint8 *) VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value)) < 0 ||
			pg_cryptohash_update(ctx, (const uint8 *) "\n", 1) < 0)
			elog(ERROR, "could not update a sha256 context: %s", pg_cryptohash_error(ctx));
		bytes += VARSIZE_ANY_EXHDR(value) + 1;
		MemoryContextReset(itercxt);
	}
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish a sha256 context: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	export_end(st, true);
	MemoryContextDelete(itercxt);

	hex_encode((const char *) digest, sizeof(digest), hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	values[0] = CStringGetTextDatum(hex);
	values[1] = Int64GetDatum((int64) bytes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
