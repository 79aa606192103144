/*-------------------------------------------------------------------------
 *
 * audit_sql.c
 *	  SQL-callable functions of the audit trail: verify, purge, notes,
 *	  lifecycle events, flush, the queue statistics, and the import of a
 *	  domain's trail exported with tec_export_domain(with_audit => true).
 *
 * tec_audit_verify() walks each chain (domain, origin) in seq order inside
 * one snapshot (all its SPI calls are read-only, so they share the calling
 * query's snapshot and the chain heads it reads match the rows) and checks,
 * row by row, that chain_seq follows the previous one (a deleted, inserted
 * or reordered row breaks this), that prev_hash is the previous row's hash,
 * and that the row's hash, recomputed from its content, is the stored one
 * (a changed row breaks this); at the end, that the last row is the chain
 * head recorded by the writer (a removed tail breaks this).  A purge leaves
 * an anchor (the last purged row's position and hash) in the chain head,
 * from which the walk starts instead of the genesis.
 *
 * IDENTIFICATION
 *	  src/audit_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/xid8.h"

#include "common/tsov.h"
#include "common/state.h"
#include "domain/domain.h"
#include "audit/internal.h"

PG_FUNCTION_INFO_V1(tsov_audit_note);
PG_FUNCTION_INFO_V1(tsov_audit_lifecycle);
PG_FUNCTION_INFO_V1(tsov_audit_flush);
PG_FUNCTION_INFO_V1(tsov_audit_verify);
PG_FUNCTION_INFO_V1(tsov_audit_purge);
PG_FUNCTION_INFO_V1(tsov_audit_stats);
PG_FUNCTION_INFO_V1(tsov_audit_bench);
PG_FUNCTION_INFO_V1(tsov_audit_import);

static void
require_superuser(const char *fn)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", fn),
				 errdetail("Only superusers may call %s.", fn)));
}

static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * tec_audit_note(domain text, action text, detail text): a DBA's note in the
 * chain of a domain (NULL: outside any domain), e.g. a maintenance window.
 * Recorded as privileged, action "NOTE: <action>", durable at commit.
 */
Datum
tsov_audit_note(PG_FUNCTION_ARGS)
{
	char	   *domain = text_arg(fcinfo, 0);
	char	   *action = text_arg(fcinfo, 1);
	char	   *detail = text_arg(fcinfo, 2);
	TsovAuditEvent ev;

	require_superuser("tec_audit_note");
	if (action == NULL)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("action must not be null")));
	if (domain != NULL && tsov_domain_by_name(domain) == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("domain \"%s\" does not exist", domain)));
	memset(&ev, 0, sizeof(ev));
	ev.action = psprintf("NOTE: %s", action);
	ev.decision = TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.object_domain = domain;
	ev.object_schema = domain;
	ev.reason = detail;
	tsov_audit_record(&ev);
	PG_RETURN_VOID();
}

/*
 * tec_sovereignty.audit_lifecycle(action, domain, detail): called at the end
 * of the lifecycle functions (create/drop domain, members, audit level).
 */
Datum
tsov_audit_lifecycle(PG_FUNCTION_ARGS)
{
	TsovAuditEvent ev;

	memset(&ev, 0, sizeof(ev));
	ev.action = text_arg(fcinfo, 0);
	if (ev.action == NULL)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("action must not be null")));
	ev.decision = superuser() ? TSOV_PRIVILEGED : TSOV_ALLOWED;
	ev.is_write = true;
	ev.object_domain = text_arg(fcinfo, 1);
	ev.object_schema = ev.object_domain;
	ev.reason = text_arg(fcinfo, 2);
	/* lifecycle changes are always kept, whatever the level */
	if (ev.decision == TSOV_ALLOWED)
		ev.decision = TSOV_PRIVILEGED;
	tsov_audit_record(&ev);
	PG_RETURN_VOID();
}

/*
 * tec_audit_flush(): wait until every event queued so far in this database
 * (this session's buffered reads included) is written.  For tests and for
 * a DBA who wants to read the trail up to now.
 */


Datum
tsov_audit_flush(PG_FUNCTION_ARGS)
{
	TsovAuditChannel *ch;
	uint64		pos;

	tsov_audit_flush_buffer();
	ch = tsov_audit_channel(false);
	if (ch == NULL)
		PG_RETURN_VOID();
	LWLockAcquire(ch->lock, LW_SHARED);
	pos = ch->write_pos;
	LWLockRelease(ch->lock);
	(void) tsov_audit_wait_durable(pos, false, 0, true);
	PG_RETURN_VOID();
}

/* ---------------- verify ---------------- */

typedef struct VerifyResult
{
	char	   *domain;
	bool		ok;
	int64		rows;
	int64		first_bad;		/* 0: none */
	char	   *reason;
} VerifyResult;

#define VERIFY_COLS "seq, logged_at, xid, pid, session_user_name, effective_user_name," \
	" actor_domain, object_domain, object_schema, object_name, object_oid, action, decision," \
	" reason, via_api, client_addr, application_name, statement, chain_seq, prev_hash, row_hash," \
	" quarantine"

static const int verify_field_col[TSOV_NFIELDS] = {
	/* TSOV_F_ACTION .. TSOV_F_EFFECTIVE_USER -> column number (1-based) */
	12, 7, 8, 9, 10, 14, 15, 16, 17, 18, 5, 6
};

static char *
getstr(HeapTuple t, TupleDesc d, int col)
{
	bool		isnull;
	Datum		v = SPI_getbinval(t, d, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(v);
}

static bool
get_hash(HeapTuple t, TupleDesc d, int col, uint8 *out)
{
	bool		isnull;
	Datum		v = SPI_getbinval(t, d, col, &isnull);
	bytea	   *b;

	if (isnull)
		return false;
	b = DatumGetByteaPP(v);
	if (VARSIZE_ANY_EXHDR(b) != TSOV_HASH_LEN)
		return false;
	memcpy(out, VARDATA_ANY(b), TSOV_HASH_LEN);
	return true;
}

/*
 * Verify one chain; fills *res (rows added, first problem if any).
 */
static void
verify_chain(const char *domain, const char *origin, VerifyResult *res,
			 pg_cryptohash_ctx *ctx)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	int64		expect;
	uint8		prev[TSOV_HASH_LEN];
	bool		have_head = false;
	int64		head_seq = 0;
	uint8		head_hash[TSOV_HASH_LEN];
	Portal		portal;
	bool		bad = false;
	char	   *why = NULL;
	int64		bad_seq = 0;
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "verify row", ALLOCSET_DEFAULT_SIZES);

	args[0] = CStringGetTextDatum(domain);
	args[1] = CStringGetTextDatum(origin);
	memset(prev, 0, sizeof(prev));
	expect = 1;

	if (SPI_execute_with_args("SELECT c.last_seq, c.last_hash, a.anchor_seq, a.anchor_hash"
							  " FROM (VALUES ($1, $2)) k(d, o)"
							  " LEFT JOIN tec_sovereignty.audit_chain c"
							  "   ON c.chain_domain OPERATOR(pg_catalog.=) k.d AND c.chain_origin OPERATOR(pg_catalog.=) k.o"
							  " LEFT JOIN tec_sovereignty.audit_anchor a"
							  "   ON a.chain_domain OPERATOR(pg_catalog.=) k.d AND a.chain_origin OPERATOR(pg_catalog.=) k.o",
							  2, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the audit chain head");
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		v;

		v = SPI_getbinval(t, d, 1, &isnull);
		have_head = !isnull;
		head_seq = isnull ? 0 : DatumGetInt64(v);
		if (!get_hash(t, d, 2, head_hash))
			memset(head_hash, 0, sizeof(head_hash));
		v = SPI_getbinval(t, d, 3, &isnull);
		if (!isnull)
		{
			expect = DatumGetInt64(v) + 1;
			if (!get_hash(t, d, 4, prev))
				memset(prev, 0xff, sizeof(prev));	/* malformed anchor: fails below */
		}
	}

	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT " VERIFY_COLS " FROM tec_sovereignty.audit_log"
									   " WHERE chain_domain OPERATOR(pg_catalog.=) $1"
									   " AND chain_origin OPERATOR(pg_catalog.=) $2 ORDER BY seq",
									   2, types, args, NULL, true, 0);
	while (!bad)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed && !bad; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];
			TupleDesc	d = SPI_tuptable->tupdesc;
			bool		isnull;
			TsovAuditRow row;
			uint8		stored_prev[TSOV_HASH_LEN],
						stored[TSOV_HASH_LEN],
						computed[TSOV_HASH_LEN];
			int64		seq = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
			Datum		v;
			MemoryContext old = MemoryContextSwitchTo(rowcxt);

			memset(&row, 0, sizeof(row));
			row.logged_at = DatumGetTimestampTz(SPI_getbinval(t, d, 2, &isnull));
			v = SPI_getbinval(t, d, 3, &isnull);
			row.fxid = isnull ? 0 : U64FromFullTransactionId(DatumGetFullTransactionId(v));
			row.pid = DatumGetInt32(SPI_getbinval(t, d, 4, &isnull));
			v = SPI_getbinval(t, d, 11, &isnull);
			row.object_oid = isnull ? InvalidOid : DatumGetObjectId(v);
			for (int f = 0; f < TSOV_NFIELDS; f++)
				row.str[f] = getstr(t, d, verify_field_col[f]);
			row.decision = getstr(t, d, 13);
			row.chain_domain = domain;
			row.chain_origin = origin;
			row.chain_seq = DatumGetInt64(SPI_getbinval(t, d, 19, &isnull));
			row.prev_hash = stored_prev;
			row.quarantine = getstr(t, d, 22);
			res->rows++;

			if (row.chain_seq != expect)
			{
				bad = true;
				bad_seq = seq;
				if (row.chain_seq > expect)
					why = psprintf("chain \"%s\": %s missing before this row (chain positions " INT64_FORMAT " to " INT64_FORMAT ")",
								   origin, row.chain_seq - expect == 1 ? "a row is" : "rows are",
								   expect, row.chain_seq - 1);
				else
					why = psprintf("chain \"%s\": row at chain position " INT64_FORMAT " where " INT64_FORMAT " was expected (inserted, duplicated or reordered row)",
								   origin, row.chain_seq, expect);
			}
			else if (!get_hash(t, d, 20, stored_prev) || memcmp(stored_prev, prev, TSOV_HASH_LEN) != 0)
			{
				bad = true;
				bad_seq = seq;
				why = psprintf("chain \"%s\": prev_hash does not match the previous row's hash (row inserted, replaced or reordered)", origin);
			}
			else
			{
				tsov_audit_hash_row(ctx, &row, computed);
				if (!get_hash(t, d, 21, stored) || memcmp(stored, computed, TSOV_HASH_LEN) != 0)
				{
					bad = true;
					bad_seq = seq;
					why = psprintf("chain \"%s\": row content does not match its hash (row changed)", origin);
				}
				else
				{
					memcpy(prev, stored, TSOV_HASH_LEN);
					expect++;
				}
			}
			MemoryContextSwitchTo(old);
			if (bad)
				why = pstrdup(why);
			MemoryContextReset(rowcxt);
		}
	}
	SPI_cursor_close(portal);

	if (!bad)
	{
		if (!have_head)
		{
			if (expect > 1)
			{
				bad = true;
				why = psprintf("chain \"%s\": its head in tec_sovereignty.audit_chain is missing", origin);
			}
		}
		else if (head_seq != expect - 1)
		{
			bad = true;
			why = psprintf("chain \"%s\": the chain head records " INT64_FORMAT " rows but the trail ends at " INT64_FORMAT " (rows at the end deleted)",
						   origin, head_seq, expect - 1);
		}
		else if (memcmp(head_hash, prev, TSOV_HASH_LEN) != 0)
		{
			bad = true;
			why = psprintf("chain \"%s\": the last row does not match the chain head (last row replaced)", origin);
		}
	}
	if (bad && res->ok)
	{
		res->ok = false;
		res->first_bad = bad_seq;
		res->reason = why;
	}
	MemoryContextDelete(rowcxt);
}

/*
 * tec_audit_verify(domain text DEFAULT NULL)
 *	 RETURNS TABLE (domain text, ok boolean, rows_checked bigint,
 *					first_bad_seq bigint, reason text)
 * One row per domain (NULL domain: the chain of events outside any
 * domain); with a NULL argument, every domain of the trail.
 */
Datum
tsov_audit_verify(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *want = text_arg(fcinfo, 0);
	Oid			types[1] = {TEXTOID};
	Datum		args[1];
	char		nulls[1];
	SPITupleTable *chains;
	uint64		nchains;
	pg_cryptohash_ctx *ctx;
	VerifyResult cur;
	char	   *cur_domain = NULL;
	bool		have_cur = false;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");

	args[0] = want ? CStringGetTextDatum(want) : (Datum) 0;
	nulls[0] = want ? ' ' : 'n';
	if (SPI_execute_with_args("SELECT chain_domain, chain_origin FROM ("
							  " SELECT DISTINCT chain_domain, chain_origin FROM tec_sovereignty.audit_log"
							  " UNION SELECT chain_domain, chain_origin FROM tec_sovereignty.audit_chain) c"
							  " WHERE $1 IS NULL OR chain_domain OPERATOR(pg_catalog.=) $1"
							  " ORDER BY 1, 2",
							  1, types, args, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the audit chains");
	chains = SPI_tuptable;
	nchains = SPI_processed;

	if (nchains == 0 && want != NULL)
	{
		if (tsov_domain_by_name(want) == NULL)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
							errmsg("domain \"%s\" has no audit trail and does not exist", want)));
	}

	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));

	for (uint64 i = 0; i <= nchains; i++)
	{
		char	   *dom = NULL;
		char	   *orig = NULL;

		if (i < nchains)
		{
			dom = getstr(chains->vals[i], chains->tupdesc, 1);
			orig = getstr(chains->vals[i], chains->tupdesc, 2);
		}
		if (have_cur && (i == nchains || strcmp(dom, cur_domain) != 0))
		{
			Datum		values[5];
			bool		isnull[5] = {0};

			values[0] = cur_domain[0] ? CStringGetTextDatum(cur_domain) : (Datum) 0;
			isnull[0] = cur_domain[0] == '\0';
			values[1] = BoolGetDatum(cur.ok);
			values[2] = Int64GetDatum(cur.rows);
			values[3] = Int64GetDatum(cur.first_bad);
			isnull[3] = cur.first_bad == 0;
			values[4] = cur.reason ? CStringGetTextDatum(cur.reason) : (Datum) 0;
			isnull[4] = cur.reason == NULL;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
			have_cur = false;
		}
		if (i == nchains)
			break;
		if (!have_cur)
		{
			memset(&cur, 0, sizeof(cur));
			cur.ok = true;
			cur_domain = dom;
			have_cur = true;
		}
		verify_chain(dom, orig, &cur, ctx);
	}
	if (nchains == 0 && want != NULL)
	{
		Datum		values[5] = {CStringGetTextDatum(want), BoolGetDatum(true), Int64GetDatum(0), 0, 0};
		bool		isnull[5] = {false, false, false, true, true};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	pg_cryptohash_free(ctx);
	SPI_finish();
	return (Datum) 0;
}

/*
 * tec_audit_purge(older_than interval) RETURNS bigint: remove, per chain,
 * the prefix of rows older than now() - older_than; the last removed row's
 * position and hash become the chain's anchor, from which verify starts.
 * Superuser only; recorded (action PURGE, in the chain of events outside
 * any domain) and durable before the purge commits.
 */
Datum
tsov_audit_purge(PG_FUNCTION_ARGS)
{
	Interval   *older;
	Oid			types[1] = {INTERVALOID};
	Datum		args[1];
	volatile int64 removed = 0;
	char	   *volatile anchors = "";
	TsovAuditEvent ev;
	char	   *reason;

	require_superuser("tec_audit_purge");
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("older_than must not be null")));
	older = PG_GETARG_INTERVAL_P(0);
	args[0] = IntervalPGetDatum(older);

	/*
	 * The request is durable before anything is removed (and before this
	 * transaction takes a lock): a purge can never go unrecorded.
	 */
	memset(&ev, 0, sizeof(ev));
	ev.action = "PURGE";
	ev.decision = TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.object_schema = TSOV_SCHEMA;
	ev.object_name = "audit_log";
	ev.reason = psprintf("purge of rows older than %s requested",
						 DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(older))));
	tsov_audit_record_now(&ev, true);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	tsov_audit_self_depth++;
	PG_TRY();
	{
		if (SPI_execute_with_args(
								  "WITH cut AS ("
								  "  SELECT chain_domain, chain_origin, pg_catalog.max(chain_seq) AS upto"
								  "    FROM tec_sovereignty.audit_log"
								  "   WHERE logged_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) $1)"
								  "   GROUP BY 1, 2),"
								  " anchor AS ("
								  "  SELECT c.chain_domain, c.chain_origin, c.upto, l.row_hash"
								  "    FROM cut c JOIN tec_sovereignty.audit_log l"
								  "      ON l.chain_domain OPERATOR(pg_catalog.=) c.chain_domain"
								  "     AND l.chain_origin OPERATOR(pg_catalog.=) c.chain_origin"
								  "     AND l.chain_seq OPERATOR(pg_catalog.=) c.upto),"
								  " upd AS ("
								  "  INSERT INTO tec_sovereignty.audit_anchor AS h (chain_domain, chain_origin, anchor_seq, anchor_hash)"
								  "  SELECT a.chain_domain, a.chain_origin, a.upto, a.row_hash FROM anchor a"
								  "  ON CONFLICT (chain_domain, chain_origin) DO UPDATE"
								  "  SET anchor_seq = EXCLUDED.anchor_seq, anchor_hash = EXCLUDED.anchor_hash"
								  "  RETURNING h.chain_domain, h.chain_origin, h.anchor_seq AS upto),"
								  " del AS ("
								  "  DELETE FROM tec_sovereignty.audit_log l USING upd"
								  "   WHERE l.chain_domain OPERATOR(pg_catalog.=) upd.chain_domain"
								  "     AND l.chain_origin OPERATOR(pg_catalog.=) upd.chain_origin"
								  "     AND l.chain_seq OPERATOR(pg_catalog.<=) upd.upto"
								  "  RETURNING 1)"
								  " SELECT (SELECT pg_catalog.count(*) FROM del),"
								  "        (SELECT pg_catalog.string_agg(pg_catalog.format('%s@%s:%s', chain_domain, chain_origin, upto), ', ' ORDER BY chain_domain, chain_origin) FROM upd)",
								  1, types, args, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not purge the audit trail");
		{
			bool		isnull;
			Datum		v;

			removed = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
			if (!isnull)
				anchors = TextDatumGetCString(v);
		}
	}
	PG_FINALLY();
	{
		tsov_audit_self_depth--;
	}
	PG_END_TRY();
	SPI_finish();

	reason = psprintf("purged " INT64_FORMAT " rows older than %s; anchors: %s", removed,
					  DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(older))),
					  anchors[0] ? anchors : "none");
	ev.reason = reason;
	tsov_audit_record(&ev);
	PG_RETURN_INT64(removed);
}

/*
 * Put one row of audit_stats_raw: counters c, under the name of database
 * dbid (NULL when it has none any more).
 */
static void
stats_row(ReturnSetInfo *rsinfo, Oid dbid, const char *state, int pid, uint64 depth,
		  const TsovAuditCounters *c, uint32 waiters, const TsovAuditChannel *ch)
{
	Datum		v[23];
	bool		n[23] = {0};
	char	   *dbname = OidIsValid(dbid) ? get_database_name(dbid) : NULL;

	v[0] = dbname ? CStringGetTextDatum(dbname) : (Datum) 0;
	n[0] = dbname == NULL;
	v[1] = CStringGetTextDatum(state);
	v[2] = Int32GetDatum(pid);
	n[2] = pid == 0;
	v[3] = Int64GetDatum(depth);
	v[4] = Int64GetDatum(tsov_audit_ring_size);
	v[5] = Int64GetDatum(c->events_queued);
	v[6] = Int64GetDatum(c->events_written);
	v[7] = Int64GetDatum(c->events_discarded);
	v[8] = Int64GetDatum(c->events_dropped);
	v[9] = Int64GetDatum(c->space_waits);
	v[10] = Int64GetDatum(c->durable_waits);
	v[11] = Int64GetDatum(c->batches);
	v[12] = Int64GetDatum(c->worker_starts);
	v[13] = TimestampTzGetDatum(c->last_flush);
	n[13] = c->last_flush == 0;
	v[14] = Int32GetDatum((int32) waiters);
	/* the writer's failure model (audit_worker.c); ch NULL: the "dropped" row */
	v[15] = Int64GetDatum(c->batch_failures);
	v[16] = Int64GetDatum(c->events_quarantined);
	v[17] = Int64GetDatum(c->worker_failures);
	v[18] = Int32GetDatum(ch ? ch->fail_streak : 0);
	v[19] = TimestampTzGetDatum(ch ? ch->failing_since : 0);
	n[19] = ch == NULL || ch->failing_since == 0;
	v[20] = TimestampTzGetDatum(ch ? ch->retry_at : 0);
	n[20] = ch == NULL || ch->retry_at == 0 || ch->failing_since == 0;
	v[21] = ch ? CStringGetTextDatum(ch->last_error) : (Datum) 0;
	n[21] = ch == NULL || ch->last_error[0] == '\0';
	v[22] = TimestampTzGetDatum(ch ? ch->last_error_at : 0);
	n[22] = ch == NULL || ch->last_error_at == 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
}

/*
 * tec_sovereignty.audit_stats_raw(): one row per queue channel in use (or
 * free but still holding the counters of its last database), and one row
 * "dropped" with the counters of the databases dropped since the server
 * started, summed (its events_dropped: the events discarded with them).
 * Counters are copied under the channel lock; waiters (backends now in
 * tsov_audit_wait_durable, the count the writer paces by) is an atomic
 * read outside it, a moment's value like writer_state.
 */
Datum
tsov_audit_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TsovAuditCounters dropped;
	uint64		ndropped;

	InitMaterializedSRF(fcinfo, 0);
	if (tsov_audit_shared == NULL)
		return (Datum) 0;
	for (int i = 0; i < tsov_audit_shared->nchannels; i++)
	{
		TsovAuditChannel *ch = &tsov_audit_shared->channels[i];
		TsovAuditChannel snap;

		LWLockAcquire(ch->lock, LW_SHARED);
		memcpy(&snap, ch, sizeof(snap));
		LWLockRelease(ch->lock);
		if (!OidIsValid(snap.dbid) && snap.c.events_queued == 0)
			continue;
		stats_row(rsinfo, OidIsValid(snap.dbid) ? snap.dbid : snap.last_dbid,
				  snap.worker_pid ? snap.state : (snap.worker_failed ? "failed" : "stopped"),
				  snap.worker_pid, snap.write_pos - snap.read_pos, &snap.c,
				  pg_atomic_read_u32(&ch->waiters), &snap);
	}
	LWLockAcquire(tsov_audit_shared->map_lock, LW_SHARED);
	dropped = tsov_audit_shared->dropped;
	ndropped = tsov_audit_shared->dropped_databases;
	LWLockRelease(tsov_audit_shared->map_lock);
	if (ndropped > 0)
		stats_row(rsinfo, InvalidOid, "dropped", 0, 0, &dropped, 0, NULL);
	return (Datum) 0;
}

/*
 * tec_sovereignty.audit_bench(domain text, events int) RETURNS bigint:
 * queues `events` allowed reads on `domain` as fast as it can (superuser
 * only; for test/bench/audit_flood.sh).  The events are queued without
 * waiting; the caller measures when the writer has written them.
 */
Datum
tsov_audit_bench(PG_FUNCTION_ARGS)
{
	char	   *domain = text_arg(fcinfo, 0);
	int32		n = PG_GETARG_INT32(1);
	TsovAuditEvent ev;

	require_superuser("tec_sovereignty.audit_bench");
	memset(&ev, 0, sizeof(ev));
	ev.action = "SELECT";
	ev.decision = TSOV_ALLOWED;
	ev.is_write = false;
	ev.actor_domain = domain;
	ev.object_domain = domain;
	ev.object_schema = domain;
	ev.object_name = "Portfolio";
	ev.object_oid = 16384;
	for (int32 i = 0; i < n; i++)
	{
		tsov_audit_buffer_event(&ev);
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_INT64(n);
}

/* tec_sovereignty.audit_wanted(domain, is_write): tsov_audit_wanted(). */
PG_FUNCTION_INFO_V1(tsov_audit_wanted_sql);
Datum
tsov_audit_wanted_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(tsov_audit_wanted(text_arg(fcinfo, 0),
									 PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1)));
}

/* ---------------- import ---------------- */

/* quoted, qualified name of a relation, for SQL text */
static char *
rel_sql_name(Oid relid)
{
	char	   *rel = get_rel_name(relid);
	Oid			nsp = get_rel_namespace(relid);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return quote_qualified_identifier(get_namespace_name(nsp), rel);
}

static void
import_refuse(const char *domain, const char *schema, const char *why)
{
	TsovAuditEvent ev;

	memset(&ev, 0, sizeof(ev));
	ev.action = "AUDIT_IMPORT";
	ev.decision = TSOV_DENIED;
	ev.is_write = true;
	ev.object_domain = domain;
	ev.object_schema = schema;
	ev.reason = why;
	tsov_audit_record(&ev);
}

/*
 * tec_sovereignty.audit_import(domain text, chains regclass, log regclass)
 *	 RETURNS bigint
 * The import half of tec_export_domain(..., with_audit => true): adds the
 * audit chains of a domain exported elsewhere to this database's trail, as
 * the domain's prior history, and returns the number of rows added.  chains
 * holds one row per chain (chain_origin, last_seq, last_hash, anchor_seq,
 * anchor_hash: the chain's head and purge anchor on the source), log the
 * rows, with the columns of tec_sovereignty.audit_log (both are temporary
 * tables the export script fills).
 *
 * Trust model.  This is the only way rows enter the trail other than the
 * writer, so it is narrow:
 *	 - superusers only, and only for a domain whose registry row the current
 *	   transaction wrote (the import script creates the domain just before):
 *	   a guard against grafting a history onto a running domain by mistake,
 *	   not a security boundary, since a superuser can touch the row;
 *	 - it only creates chains: every chain must come from another origin
 *	   than this database's own (whose chains only the writer appends to)
 *	   and have no row, head or anchor here yet; every row must belong to
 *	   the domain (chain_domain and object_domain) and to a listed chain;
 *	 - the rows get local seq numbers below every existing one (they are
 *	   prior history, and the writer only ever appends above the maximum,
 *	   so the two never collide), in chain order;
 *	 - after insertion each chain is verified exactly as tec_audit_verify()
 *	   does it, anchor and head included; one failure refuses the whole
 *	   import (the transaction, hence the script, fails) and the refusal is
 *	   itself recorded, as a denial in the domain's local chain;
 *	 - a success is recorded (AUDIT_IMPORT, privileged) in the domain's
 *	   local chain, with each imported chain's origin, length and head hash.
 * What remains possible, and is documented: a superuser can fabricate a
 * self-consistent chain under an invented origin for a domain being
 * created (SHA-256 chains are unkeyed: anyone can compute them).  It cannot
 * change, extend or interleave with any chain already here, and the
 * fabrication stays visible: the AUDIT_IMPORT row that names its head hash
 * sits in this database's own chain, and the source's EXPORT row names the
 * heads that really left.
 *
 * Concurrent imports are serialized by a transaction-level advisory lock.
 */
Datum
tsov_audit_import(PG_FUNCTION_ARGS)
{
	char	   *domain;
	const TsovDomain *dom;
	Oid			nspoid;
	char	   *schema;
	char	   *chains_sql;
	char	   *log_sql;
	char		own_origin[64];
	Oid			t1[1] = {TEXTOID};
	Oid			t2[2] = {TEXTOID, TEXTOID};
	Oid			t4[4] = {TEXTOID, INT8OID, INT8OID, TEXTOID};
	Datum		a[4];
	bool		isnull;
	int64		nrows;
	int64		base;
	int			nchains;
	char	  **origins;
	StringInfoData summary;
	pg_cryptohash_ctx *ctx;
	TsovAuditEvent ev;

	require_superuser("tec_sovereignty.audit_import");
	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("arguments of tec_sovereignty.audit_import must not be null")));
	domain = text_arg(fcinfo, 0);
	dom = tsov_domain_by_name(domain);
	if (dom == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("domain \"%s\" does not exist", domain)));
	nspoid = dom->nspoid;		/* dom is valid until the next catalog access */
	schema = get_namespace_name(nspoid);
	chains_sql = rel_sql_name(PG_GETARG_OID(1));
	log_sql = rel_sql_name(PG_GETARG_OID(2));
	snprintf(own_origin, sizeof(own_origin), UINT64_FORMAT "/%u",
			 GetSystemIdentifier(), MyDatabaseId);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");

	/* Only for a domain this transaction creates (the import script). */
	a[0] = CStringGetTextDatum(domain);
	if (SPI_execute_with_args("SELECT x.xmin FROM tec_sovereignty.domain x WHERE x.name OPERATOR(pg_catalog.=) $1",
							  1, t1, a, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the registry row of domain \"%s\"", domain);
	if (!TransactionIdIsCurrentTransactionId(DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0],
																				 SPI_tuptable->tupdesc, 1, &isnull))))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot import an audit trail into domain \"%s\"", domain),
				 errdetail("An audit trail is imported only with its domain, in the transaction that creates it."),
				 errhint("Import the script of tec_export_domain('%s', with_audit => true) into a database without that domain.", domain)));

	if (SPI_execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tec_sovereignty.audit_import'))",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock the audit import");

	/* The chains: well-formed, foreign, new. */
	if (SPI_execute_with_args(psprintf("SELECT chain_origin, last_seq, last_hash, anchor_seq, anchor_hash,"
									   " EXISTS (SELECT 1 FROM tec_sovereignty.audit_log l"
									   "          WHERE l.chain_domain OPERATOR(pg_catalog.=) $1 AND l.chain_origin OPERATOR(pg_catalog.=) c.chain_origin)"
									   " OR EXISTS (SELECT 1 FROM tec_sovereignty.audit_chain h"
									   "          WHERE h.chain_domain OPERATOR(pg_catalog.=) $1 AND h.chain_origin OPERATOR(pg_catalog.=) c.chain_origin)"
									   " OR EXISTS (SELECT 1 FROM tec_sovereignty.audit_anchor n"
									   "          WHERE n.chain_domain OPERATOR(pg_catalog.=) $1 AND n.chain_origin OPERATOR(pg_catalog.=) c.chain_origin)"
									   " FROM %s c ORDER BY chain_origin COLLATE \"C\"", chains_sql),
							  1, t1, a, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the imported audit chains");
	nchains = (int) SPI_processed;
	origins = palloc0(sizeof(char *) * (nchains + 1));
	for (int i = 0; i < nchains; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		uint8		h[TSOV_HASH_LEN];
		bool		seq_null,
					aseq_null,
					ahash_null;
		int64		last_seq = DatumGetInt64(SPI_getbinval(t, d, 2, &seq_null));
		int64		anchor_seq = DatumGetInt64(SPI_getbinval(t, d, 4, &aseq_null));
		char	   *why = NULL;

		origins[i] = getstr(t, d, 1);
		(void) SPI_getbinval(t, d, 5, &ahash_null);
		if (origins[i] == NULL || origins[i][0] == '\0')
			why = "a chain without an origin";
		else if (strcmp(origins[i], own_origin) == 0)
			why = "a chain of this database's own origin: only the audit writer appends to it";
		else if (DatumGetBool(SPI_getbinval(t, d, 6, &isnull)))
			why = psprintf("chain \"%s\" of domain \"%s\" already has rows, a head or an anchor here", origins[i], domain);
		else if (seq_null || last_seq < 0 || !get_hash(t, d, 3, h))
			why = psprintf("chain \"%s\": malformed head", origins[i]);
		else if (aseq_null != ahash_null ||
				 (!aseq_null && (anchor_seq < 0 || anchor_seq > last_seq || !get_hash(t, d, 5, h))))
			why = psprintf("chain \"%s\": malformed purge anchor", origins[i]);
		if (why != NULL)
		{
			import_refuse(domain, schema, why);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot import the audit trail of domain \"%s\": %s", domain, why),
					 errdetail("An import only adds new chains from another database, each of which must verify.")));
		}
	}

	/* Every row belongs to the domain and to a listed chain. */
	if (SPI_execute_with_args(psprintf("SELECT pg_catalog.count(*),"
									   " pg_catalog.count(*) FILTER (WHERE l.chain_domain IS DISTINCT FROM $1"
									   "   OR l.object_domain IS DISTINCT FROM $1"
									   "   OR NOT EXISTS (SELECT 1 FROM %s c WHERE c.chain_origin OPERATOR(pg_catalog.=) l.chain_origin))"
									   " FROM %s l", chains_sql, log_sql),
							  1, t1, a, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the imported audit rows");
	nrows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) > 0)
	{
		char	   *why = psprintf("rows of another domain or of an unlisted chain");

		import_refuse(domain, schema, why);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot import the audit trail of domain \"%s\": %s", domain, why),
				 errdetail("Every imported row must be in a chain of domain \"%s\" listed with its head.", domain)));
	}

	/* Local seq numbers below every existing one: prior history. */
	if (SPI_execute("SELECT LEAST(COALESCE(pg_catalog.min(seq), 1), 1) FROM tec_sovereignty.audit_log",
					false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the first audit sequence number");
	base = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	a[1] = Int64GetDatum(base);
	a[2] = Int64GetDatum(nrows);
	a[3] = a[0];
	tsov_audit_self_depth++;
	tsov_internal_depth++;
	PG_TRY();
	{
		if (SPI_execute_with_args(psprintf("WITH ins AS ("
										   " INSERT INTO tec_sovereignty.audit_log (" VERIFY_COLS ", chain_domain, chain_origin)"
										   " SELECT $2 OPERATOR(pg_catalog.-) $3 OPERATOR(pg_catalog.-) 1 OPERATOR(pg_catalog.+)"
										   "        pg_catalog.row_number() OVER (ORDER BY l.chain_origin COLLATE \"C\", l.chain_seq, l.seq),"
										   "        l.logged_at, l.xid, l.pid, l.session_user_name, l.effective_user_name,"
										   "        l.actor_domain, l.object_domain, l.object_schema, l.object_name, l.object_oid, l.action, l.decision,"
										   "        l.reason, l.via_api, l.client_addr, l.application_name, l.statement, l.chain_seq, l.prev_hash, l.row_hash,"
										   "        l.quarantine,"
										   "        l.chain_domain, l.chain_origin"
										   "   FROM %s l"
										   " RETURNING chain_origin, seq)"
										   " INSERT INTO tec_sovereignty.audit_chain (chain_domain, chain_origin, last_seq, last_hash, last_log_seq)"
										   " SELECT $1, c.chain_origin, c.last_seq, c.last_hash,"
										   "        COALESCE((SELECT pg_catalog.max(i.seq) FROM ins i WHERE i.chain_origin OPERATOR(pg_catalog.=) c.chain_origin),"
										   "                 $2 OPERATOR(pg_catalog.-) $3 OPERATOR(pg_catalog.-) 1)"
										   "   FROM %s c", log_sql, chains_sql),
								  4, t4, a, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert the imported audit rows");
		if (SPI_execute_with_args(psprintf("INSERT INTO tec_sovereignty.audit_anchor (chain_domain, chain_origin, anchor_seq, anchor_hash)"
										   " SELECT $1, c.chain_origin, c.anchor_seq, c.anchor_hash FROM %s c"
										   "  WHERE c.anchor_seq IS NOT NULL", chains_sql),
								  1, t1, a, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert the imported purge anchors");
	}
	PG_FINALLY();
	{
		tsov_audit_self_depth--;
		tsov_internal_depth--;
	}
	PG_END_TRY();

	/* Verify each chain as tec_audit_verify() will, seeing our rows. */
	CommandCounterIncrement();
	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	initStringInfo(&summary);
	for (int i = 0; i < nchains; i++)
	{
		VerifyResult res;

		memset(&res, 0, sizeof(res));
		res.ok = true;
		verify_chain(domain, origins[i], &res, ctx);
		if (!res.ok)
		{
			char	   *why = psprintf("the imported chain does not verify: %s", res.reason);

			import_refuse(domain, schema, why);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("audit trail of domain \"%s\" does not verify", domain),
					 errdetail("%s.", res.reason),
					 errhint("The export script was changed after it was made, or the trail was already damaged on the source: check it there with tec_audit_verify('%s').",
							 domain)));
		}
		a[1] = CStringGetTextDatum(origins[i]);
		if (SPI_execute_with_args("SELECT last_seq, pg_catalog.encode(last_hash, 'hex') FROM tec_sovereignty.audit_chain"
								  " WHERE chain_domain OPERATOR(pg_catalog.=) $1 AND chain_origin OPERATOR(pg_catalog.=) $2",
								  2, t2, a, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not read an imported chain head");
		appendStringInfo(&summary, "%s%s#%s:%s (" INT64_FORMAT " rows)", i > 0 ? ", " : "", origins[i],
						 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), res.rows);
	}
	pg_cryptohash_free(ctx);
	PopActiveSnapshot();
	SPI_finish();

	memset(&ev, 0, sizeof(ev));
	ev.action = "AUDIT_IMPORT";
	ev.decision = TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.object_domain = domain;
	ev.object_schema = schema;
	ev.object_oid = nspoid;
	ev.reason = psprintf("imported " INT64_FORMAT " rows of %d chains: %s", nrows, nchains,
						 nchains > 0 ? summary.data : "none");
	tsov_audit_record(&ev);
	PG_RETURN_INT64(nrows);
}
