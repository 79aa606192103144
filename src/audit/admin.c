/*-------------------------------------------------------------------------
 *
 * admin.c
 *	  SQL-callable functions of the audit trail for DBAs and the lifecycle
 *	  functions: notes, lifecycle events, flush, purge, the queue
 *	  statistics, audit_wanted.  (Verify: verify.c; import: import.c.)
 *
 * A purge removes, per chain, the prefix of rows older than the age it is
 * given and leaves an anchor (the last purged row's position and hash) in
 * tec_sovereignty.audit_anchor, from which verify.c starts the walk
 * instead of the genesis.  The request is durable before anything is
 * removed, and the result is recorded with the purge.
 *
 * The statistics are copied from shared memory under each channel's lock
 * (queue.c); nothing here waits but tec_audit_flush and a purge's record.
 *
 * Memory: every function allocates in its caller's context (the function
 * call's), or in SPI's procedure context between SPI_connect and
 * SPI_finish; what a purge reads there is copied out before SPI_finish.
 *
 * IDENTIFICATION
 *	  src/audit/admin.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "common/tsov.h"
#include "common/state.h"
#include "domain/domain.h"
#include "audit/internal.h"

PG_FUNCTION_INFO_V1(tsov_audit_note);
PG_FUNCTION_INFO_V1(tsov_audit_lifecycle);
PG_FUNCTION_INFO_V1(tsov_audit_flush);
PG_FUNCTION_INFO_V1(tsov_audit_purge);
PG_FUNCTION_INFO_V1(tsov_audit_stats);

/* Refuse a caller who is not a superuser. */
void
tsov_audit_require_superuser(const char *fn)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", fn),
				 errdetail("Only superusers may call %s.", fn)));
}

/* Argument n as a C string, NULL for NULL. */
char *
tsov_audit_text_arg(FunctionCallInfo fcinfo, int n)
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
	char	   *domain = tsov_audit_text_arg(fcinfo, 0);
	char	   *action = tsov_audit_text_arg(fcinfo, 1);
	char	   *detail = tsov_audit_text_arg(fcinfo, 2);
	TsovAuditEvent ev;

	tsov_audit_require_superuser("tec_audit_note");
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
	ev.action = tsov_audit_text_arg(fcinfo, 0);
	if (ev.action == NULL)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("action must not be null")));
	ev.decision = superuser() ? TSOV_PRIVILEGED : TSOV_ALLOWED;
	ev.is_write = true;
	ev.object_domain = tsov_audit_text_arg(fcinfo, 1);
	ev.object_schema = ev.object_domain;
	ev.reason = tsov_audit_text_arg(fcinfo, 2);
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

	tsov_audit_require_superuser("tec_audit_purge");
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
	TSOV_AUDIT_SELF_BEGIN();
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
	TSOV_AUDIT_SELF_END();
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
	/* the writer's failure model (writer.c); ch NULL: the "dropped" row */
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

/* tec_sovereignty.audit_wanted(domain, is_write): tsov_audit_wanted(). */
PG_FUNCTION_INFO_V1(tsov_audit_wanted_sql);
Datum
tsov_audit_wanted_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(tsov_audit_wanted(tsov_audit_text_arg(fcinfo, 0),
									 PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1)));
}
