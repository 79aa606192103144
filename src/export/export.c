/*-------------------------------------------------------------------------
 *
 * export.c
 *	  tec_export_domain(): one SQL call streams a psql script that recreates
 *	  a whole domain (schema, objects, data) on another server; and
 *	  tec_sovereignty.export_checksum(), the sha256 of that script.
 *
 * The export is a value-per-call set-returning function.  Called in a
 * target list (SELECT tec_export_domain('life')), each call returns one
 * value straight to the client, so nothing is materialized on the server:
 * memory stays at about one chunk (EXPORT_CHUNK_SIZE, ~1 MB) plus the DDL
 * of the schema, whatever the domain's size.  (Called in FROM, the
 * executor puts the values in a tuplestore that spills to disk past
 * work_mem: still bounded, only slower.)
 *
 * The first call does everything that needs SPI (export_begin(), begin.c
 * and ddl.c): it checks who may export, locks the domain's relations
 * (ACCESS SHARE, like pg_dump), registers one snapshot, and runs the
 * catalog walk (the SQL helpers of src/export/export.sql) in that
 * snapshot, keeping the DDL in memory.  The following calls stream, in
 * the phases of export_next(): the DDL that comes before the data, then
 * every table's rows as COPY ... FROM stdin blocks read by a heap scan in
 * the same registered snapshot (data.c), then the DDL that comes after the
 * data (constraints, indexes, triggers, policies, privileges).
 *
 * with_audit => true appends the domain's audit chains (heads, anchors and
 * rows, in the same snapshot) for tec_sovereignty.audit_import() on the
 * target; every export is itself audited (EXPORT_START before the first
 * value, EXPORT with its figures at the end: see export_audit_event()).
 *
 * Rows are formatted like COPY TO's text format (copy.c).  Output-function
 * settings that change the text (DateStyle, IntervalStyle, TimeZone,
 * extra_float_digits, bytea_output) are pinned while the export's code
 * runs, which makes the script a deterministic function of the domain's
 * state: tec_complete_transfer() relies on that to compute, in the server,
 * the sha256 of the file a DBA shipped.
 *
 * Memory: the ExportState lives in its own context (export.h), created in
 * the SRF's multi_call_memory_ctx and deleted by export_end(), at the last
 * value or, when the consumer stops early, by the expression context's
 * shutdown callback.  Each value is allocated in the per-call context the
 * executor resets; the checksum's values in a context reset after each.
 *
 * IDENTIFICATION
 *	  src/export/export.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/parallel.h"
#include "catalog/pg_proc.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "common/state.h"
#include "audit/audit.h"
#include "domain/domain.h"
#include "export/export.h"

PG_FUNCTION_INFO_V1(tsov_export_domain);
PG_FUNCTION_INFO_V1(tsov_export_checksum);

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

	/* export_begin() succeeded: the event names an existing schema. */
	Assert(st->schema_name != NULL && OidIsValid(st->nspoid));
	/* Audit events are enqueued by the leader only. */
	Assert(!IsParallelWorker());

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

/* Arguments 0 .. nargs-1 must not be null (22004). */
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
 * export_pinned
 *		Run fn(arg) as the extension's own work (the guards let the catalog
 *		walk and the heap scans through and do not audit them), with the
 *		export's settings pinned for it and restored after it, and return
 *		what fn returns.  On error the transaction's (or subtransaction's)
 *		abort restores the settings, and TSOV_INTERNAL_END the depth.
 */
static void *
export_pinned(void *(*fn) (void *arg), void *arg)
{
	void	   *result = NULL;

	TSOV_INTERNAL_BEGIN();
	{
		int			nestlevel = NewGUCNestLevel();

		export_pin_settings();
		result = fn(arg);
		AtEOXact_GUC(true, nestlevel);
	}
	TSOV_INTERNAL_END();
	return result;
}

/* The arguments of export_begin(), for export_pinned(). */
typedef struct ExportStartArgs
{
	text	   *domain_arg;
	bool		with_data;
	bool		with_audit;
	bool		for_checksum;
	Oid			helper_owner;
} ExportStartArgs;

static void *
export_begin_pinned(void *arg)
{
	ExportStartArgs *a = (ExportStartArgs *) arg;

	return export_begin(a->domain_arg, a->with_data, a->with_audit,
						a->helper_owner, a->for_checksum);
}

/* export_begin() for an entry point, pinned; the domain is argument 0. */
static ExportState *
export_start(FunctionCallInfo fcinfo, bool with_data, bool with_audit, bool for_checksum)
{
	ExportStartArgs a;
	ExportState *st;

	a.domain_arg = PG_GETARG_TEXT_PP(0);
	a.with_data = with_data;
	a.with_audit = with_audit;
	a.for_checksum = for_checksum;
	a.helper_owner = export_function_owner(fcinfo);
	st = (ExportState *) export_pinned(export_begin_pinned, &a);

	Assert(st != NULL && st->snapshot != NULL);
	return st;
}

/*
 * The next value of one of the lists of statements (pre, post, tail), or
 * NULL when that list is done; st->next is then reset for the next list.
 */
static text *
export_list_value(ExportState *st, List *values)
{
	if (st->next < list_length(values))
		return cstring_to_text(list_nth(values, st->next++));
	st->next = 0;
	return NULL;
}

/* The next value of the current phase, or NULL when the phase is done. */
static text *
export_phase_value(ExportState *st)
{
	switch (st->phase)
	{
		case EXPORT_PRE_DATA:
			return export_list_value(st, st->pre);
		case EXPORT_DATA:
		case EXPORT_AUDIT_DATA:
			return export_data_chunk(st);
		case EXPORT_POST_DATA:
			return export_list_value(st, st->post);
		case EXPORT_TAIL:
			return export_list_value(st, st->tail);
		case EXPORT_DONE:
			break;
	}
	return NULL;
}

/*
 * The phase after the current one, in script order: DDL before the data,
 * the rows, DDL after the data, then with_audit the audit rows (which the
 * data phase's table fields now point to) and the import call.
 */
static ExportPhase
export_phase_after(ExportState *st)
{
	/* A table is open only while its phase copies it. */
	Assert(st->rel == NULL);

	switch (st->phase)
	{
		case EXPORT_PRE_DATA:
			return EXPORT_DATA;
		case EXPORT_DATA:
			return EXPORT_POST_DATA;
		case EXPORT_POST_DATA:
			if (st->naudit_tables == 0)
				return EXPORT_DONE;
			st->tables = st->audit_tables;
			st->ntables = st->naudit_tables;
			st->cur = 0;
			return EXPORT_AUDIT_DATA;
		case EXPORT_AUDIT_DATA:
			return EXPORT_TAIL;
		case EXPORT_TAIL:
		case EXPORT_DONE:
			break;
	}
	return EXPORT_DONE;
}

/* The next value of the script, or NULL once the phase is EXPORT_DONE. */
static text *
export_next_value(ExportState *st)
{
	text	   *result = NULL;

	while (result == NULL && st->phase != EXPORT_DONE)
	{
		result = export_phase_value(st);
		if (result == NULL)
			st->phase = export_phase_after(st);
	}
	return result;
}

/*
 * export_next
 *		The next value of the script, in CurrentMemoryContext, or NULL at
 *		the end, produced by export_next_value() under export_pinned().
 */
static void *
export_next_pinned(void *arg)
{
	return export_next_value((ExportState *) arg);
}

static text *
export_next(ExportState *st)
{
	text	   *result = (text *) export_pinned(export_next_pinned, st);

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
	Assert(!completed || st->phase == EXPORT_DONE);

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

		export_check_args(fcinfo, 3);
		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);

		st = export_start(fcinfo, PG_GETARG_BOOL(1), PG_GETARG_BOOL(2), false);
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
 * Feed every value of the script, each followed by a newline as psql -XAt
 * writes it, to a sha256; return the digest's hex text and the bytes.
 * Each value is allocated in a context reset after it.
 */
static void
export_sha256_script(ExportState *st, char *hex, uint64 *bytes)
{
	MemoryContext itercxt;
	MemoryContext oldcxt;
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];

	itercxt = AllocSetContextCreate(CurrentMemoryContext, "tec_export checksum",
									ALLOCSET_DEFAULT_SIZES);
	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize a sha256 context");
	*bytes = 0;
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
		*bytes += VARSIZE_ANY_EXHDR(value) + 1;
		MemoryContextReset(itercxt);
	}
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finish a sha256 context: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	MemoryContextDelete(itercxt);

	hex_encode((const char *) digest, sizeof(digest), hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
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
	char		hex[PG_SHA256_DIGEST_STRING_LENGTH];
	uint64		bytes;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	export_check_args(fcinfo, 1);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	st = export_start(fcinfo, true, false, true);
	export_sha256_script(st, hex, &bytes);
	export_end(st, true);

	values[0] = CStringGetTextDatum(hex);
	values[1] = Int64GetDatum((int64) bytes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
