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
 * with_audit => true appends the domain's audit chains (heads, anchors and
 * rows, in the same snapshot) for tec_sovereignty.audit_import() on the
 * target; every export is itself audited (EXPORT_START before the first
 * value, EXPORT with its figures at the end: see export_audit_event()).
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

#include "common/tsov.h"
#include "common/state.h"
#include "audit/audit.h"
#include "domain/domain.h"
#include "export/copy.h"

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
	EXPORT_AUDIT_DATA,			/* with_audit: the domain's audit rows */
	EXPORT_TAIL,				/* with_audit: the import call, COMMIT */
	EXPORT_DONE
} ExportPhase;

typedef struct ExportTable
{
	Oid			relid;
	char	   *copy_header;	/* COPY "d"."t" ("a", "b") FROM stdin; */
	AttrNumber	filter_attnum;	/* > 0: copy only rows whose text column */
	const char *filter_value;	/* filter_attnum equals filter_value */
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
	List	   *tail;			/* values after the audit rows (char *) */
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

	/* the audit trail rows (with_audit), copied after the post-data DDL */
	ExportTable *audit_tables;
	int			naudit_tables;

	/* totals, for the audit event */
	uint64		rows;
	uint64		bytes;
	uint64		values;
	uint64		audit_rows;

	/* what the audit events name */
	char	   *schema_name;
	Oid			nspoid;
	bool		with_data;
	bool		with_audit;
	char	   *audit_heads;	/* chains exported: "origin#seq:sha256, ..." */

	bool		audit;			/* record an EXPORT event at the end */
	ExprContext *econtext;		/* shutdown callback registered here */
} ExportState;

static ExportState *export_begin(text *domain_arg, bool with_data, bool with_audit,
								 Oid helper_owner, bool for_checksum);
static text *export_next(ExportState *st);
static void export_end(ExportState *st, bool completed);
static void export_shutdown_callback(Datum arg);
static void export_audit_section(ExportState *st);
static void export_audit_start(ExportState *st);
static void export_audit(ExportState *st, bool completed);

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
 * The audit events of an export.  An export is always recorded, whatever
 * the audit level (it moves a whole domain, like the lifecycle events), in
 * the domain's chain, with the domain's schema as its object:
 *
 *	 - EXPORT_START at the first call, before any value leaves the server,
 *	   queued at once and waited for (like a denial): a client that
 *	   disconnects halfway, or a backend that is killed, cannot take part
 *	   of a domain away unrecorded;
 *	 - EXPORT when the export ends, with what left: rows, bytes (as psql
 *	   -At writes them), and with_audit's audit rows and chain heads.  It is
 *	   a write, so the caller's commit waits for it; when the consumer
 *	   stopped early (LIMIT, a closed cursor) the figures say so.  An
 *	   export whose transaction aborts (client gone) keeps its EXPORT_START
 *	   and has no EXPORT row: that is how an interrupted export shows.
 *
 * The decision is "allowed" for a member of the domain's owner role and
 * "privileged" for a superuser outside the domain.
 */
static void
export_audit_event(ExportState *st, const char *action, const char *reason, bool now)
{
	TsovAuditEvent ev;
	Oid			caller = GetUserId();
	const TsovDomain *dom = tsov_domain_by_name(st->domain);
	const TsovDomain *actor = tsov_domain_of_role(caller);
	char		actor_domain[NAMEDATALEN];
	bool		own;

	own = dom != NULL && is_member_of_role_nosuper(caller, dom->owner_role);
	memset(&ev, 0, sizeof(ev));
	if (actor != NULL)
	{
		strlcpy(actor_domain, actor->name, NAMEDATALEN);
		ev.actor_domain = actor_domain;
	}
	ev.action = action;
	ev.decision = own ? TSOV_ALLOWED : TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.object_domain = st->domain;
	ev.object_schema = st->schema_name;
	ev.object_oid = st->nspoid;
	ev.reason = reason;
	tsov_audit_record_flags(&ev, TSOV_AUDIT_ALWAYS | (now ? TSOV_AUDIT_NOW : 0));
}

static void
export_audit_start(ExportState *st)
{
	export_audit_event(st, "EXPORT_START",
					   psprintf("with_data=%s, with_audit=%s",
								st->with_data ? "true" : "false",
								st->with_audit ? "true" : "false"),
					   true);
}

static void
export_audit(ExportState *st, bool completed)
{
	StringInfoData r;

	initStringInfo(&r);
	appendStringInfo(&r, "rows=" UINT64_FORMAT ", bytes=" UINT64_FORMAT,
					 st->rows, st->bytes);
	if (st->with_audit)
		appendStringInfo(&r, ", audit_rows=" UINT64_FORMAT ", audit chains: %s",
						 st->audit_rows, st->audit_heads ? st->audit_heads : "none");
	if (!completed)
		appendStringInfoString(&r, "; incomplete: the consumer stopped before the end");
	export_audit_event(st, "EXPORT", r.data, false);
	pfree(r.data);
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
 * verify.  Runs inside export_begin(): SPI connected, as the helper owner.
 */
static void
export_audit_section(ExportState *st)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	Oid			logrel = get_relname_relid("audit_log", get_namespace_oid(TSOV_SCHEMA, false));
	StringInfoData sql;
	StringInfoData heads;
	ExportTable *t;

	initStringInfo(&sql);
	initStringInfo(&heads);
	appendStringInfoString(&sql,
						   "RESET ROLE;\n"
						   "-- The audit trail of the domain: the head (and purge anchor) of each chain, then\n"
						   "-- its rows.  tec_sovereignty.audit_import() verifies every chain like\n"
						   "-- tec_audit_verify() and refuses the whole import if one does not verify.\n"
						   "CREATE TEMPORARY TABLE tsov_audit_import_chain (chain_origin text, last_seq bigint,"
						   " last_hash bytea, anchor_seq bigint, anchor_hash bytea) ON COMMIT DROP;\n"
						   "CREATE TEMPORARY TABLE tsov_audit_import_log (LIKE tec_sovereignty.audit_log) ON COMMIT DROP;");
	args[0] = CStringGetTextDatum(st->domain);
	export_query(st->snapshot,
				 "SELECT c.chain_origin, c.last_seq, pg_catalog.encode(c.last_hash, 'hex'),"
				 "       pg_catalog.format('INSERT INTO pg_temp.tsov_audit_import_chain VALUES (%L, %s, pg_catalog.decode(%L, ''hex''), %s, %s);',"
				 "         c.chain_origin, c.last_seq, pg_catalog.encode(c.last_hash, 'hex'),"
				 "         COALESCE(a.anchor_seq::pg_catalog.text, 'NULL'),"
				 "         CASE WHEN a.anchor_hash IS NULL THEN 'NULL'"
				 "              ELSE pg_catalog.format('pg_catalog.decode(%L, ''hex'')', pg_catalog.encode(a.anchor_hash, 'hex')) END)"
				 "  FROM tec_sovereignty.audit_chain c"
				 "  LEFT JOIN tec_sovereignty.audit_anchor a"
				 "    ON a.chain_domain OPERATOR(pg_catalog.=) c.chain_domain AND a.chain_origin OPERATOR(pg_catalog.=) c.chain_origin"
				 " WHERE c.chain_domain OPERATOR(pg_catalog.=) $1"
				 " ORDER BY c.chain_origin COLLATE \"C\"",
				 1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		appendStringInfo(&sql, "\n%s", export_getvalue(i, 4));
		appendStringInfo(&heads, "%s%s#%s:%s", i > 0 ? ", " : "",
						 export_getvalue(i, 1), export_getvalue(i, 2), export_getvalue(i, 3));
	}
	st->audit_heads = heads.len > 0 ? heads.data : NULL;
	st->post = lappend(st->post, sql.data);

	argtypes[0] = OIDOID;
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
	st->tail = list_make1(psprintf("SELECT tec_sovereignty.audit_import(%s, 'pg_temp.tsov_audit_import_chain', 'pg_temp.tsov_audit_import_log');\n"
								   "COMMIT;", quote_literal_cstr(st->domain)));
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
 * non-superuser during a transfer), 0A000 (with_audit without an audit
 * trail, unsupported objects), 55000 (a reference to another domain).
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

	if (with_audit &&
		!OidIsValid(get_relname_relid("audit_log", get_namespace_oid(TSOV_SCHEMA, false))))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot export the audit trail of domain \"%s\": the audit trail is not installed", domain),
				 errdetail("with_audit => true carries the rows of tec_sovereignty.audit_log, which this installation does not have."),
				 errhint("Export without with_audit.")));

	nspoid = get_namespace_oid(schema_name, true);
	if (!OidIsValid(nspoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" of domain \"%s\" does not exist", schema_name, domain),
				 errdetail("The registry lists the domain, but its schema is gone.")));
	st->schema_name = schema_name;
	st->nspoid = nspoid;
	st->with_data = with_data;
	st->with_audit = with_audit;

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
	if (!with_audit)
		st->post = lappend(st->post, pstrdup("RESET ROLE;\nCOMMIT;"));
	else
		export_audit_section(st);

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

		if (att->attisdropped || att->attgenerated)
			continue;
		export_column_init(&st->cols[st->ncols++], att);
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
		else
			export_append_value(buf, col, slot->tts_values[off]);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(st->rowcxt);
	if (st->phase == EXPORT_AUDIT_DATA)
		st->audit_rows++;
	else
		st->rows++;
}

/* Is the current row one the current table's filter keeps? */
static inline bool
export_row_wanted(ExportState *st)
{
	ExportTable *t = &st->tables[st->cur];
	Datum		d;
	bool		isnull;
	text	   *v;
	bool		match;
	MemoryContext oldcxt;

	if (t->filter_attnum == InvalidAttrNumber)
		return true;
	oldcxt = MemoryContextSwitchTo(st->rowcxt);
	d = slot_getattr(st->slot, t->filter_attnum, &isnull);
	if (isnull)
		match = false;
	else
	{
		v = DatumGetTextPP(d);
		match = VARSIZE_ANY_EXHDR(v) == strlen(t->filter_value) &&
			memcmp(VARDATA_ANY(v), t->filter_value, VARSIZE_ANY_EXHDR(v)) == 0;
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(st->rowcxt);
	return match;
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
			if (!export_row_wanted(st))
				continue;
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
					else if (st->naudit_tables > 0)
					{
						st->phase = EXPORT_AUDIT_DATA;
						st->tables = st->audit_tables;
						st->ntables = st->naudit_tables;
						st->cur = 0;
					}
					else
						st->phase = EXPORT_DONE;
					break;
				case EXPORT_AUDIT_DATA:
					result = export_data_chunk(st);
					if (result == NULL)
					{
						st->phase = EXPORT_TAIL;
						st->next = 0;
					}
					break;
				case EXPORT_TAIL:
					if (st->next < list_length(st->tail))
						result = cstring_to_text(list_nth(st->tail, st->next++));
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
	if (st->audit)
		export_audit(st, completed);
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
		export_audit_start(st);
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
