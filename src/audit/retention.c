/*-------------------------------------------------------------------------
 *
 * retention.c
 *	  Per-domain retention of the audit trail: tec_audit_purge() removes,
 *	  for every domain with a retention (tec_set_audit_retention(), the
 *	  audit_retention column of tec_sovereignty.domain), the rows of its
 *	  chains older than that retention, in bounded batches.
 *
 * It is an explicit call, meant for a scheduler (cron, pg_cron): a purge
 * deletes from the trail, which only a superuser may make happen, and a
 * function call says who did it and when; the writer's path stays as it
 * is.  Each call is bounded (at most PURGE_MAX_BATCHES batches of
 * PURGE_BATCH rows, then it returns; the next call goes on) and
 * interruptible between batches (CHECK_FOR_INTERRUPTS; a cancelled call
 * rolls back whole, anchors included).
 *
 * Per chain it removes a prefix, like tec_audit_purge(interval) (admin.c):
 * each batch moves the chain's anchor in tec_sovereignty.audit_anchor to
 * the last row it removes (position and hash), from which verify.c starts
 * the walk, so what remains verifies.  The purge is also written into the
 * domain's own chain: the request before anything is removed (durable at
 * once), and the result with each chain's new anchor position and hash
 * (PURGE, privileged), so that the anchor is named inside the chain that
 * continues after it.  Concurrent purges are serialized by a
 * transaction-level advisory lock.
 *
 * Invariant (Assert): a batch never moves an anchor backwards, and never
 * past the cut computed for the chain at the start of the call.
 *
 * Memory: SPI's procedure context between SPI_connect and SPI_finish; the
 * text of the result records is built in the function call's context.
 *
 * IDENTIFICATION
 *	  src/audit/retention.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "common/tsov.h"
#include "common/state.h"
#include "audit/internal.h"

PG_FUNCTION_INFO_V1(tsov_audit_purge_retention);

#define PURGE_BATCH			10000
#define PURGE_MAX_BATCHES	20

/* One chain of a domain, from its current anchor up to the cut. */
typedef struct PurgeChain
{
	char	   *origin;
	int64		from;			/* current anchor position, 0: none */
	int64		cut;			/* last position older than the retention */
} PurgeChain;

static void
record_purge(const char *domain, const char *reason, bool now)
{
	TsovAuditEvent ev;

	memset(&ev, 0, sizeof(ev));
	ev.action = "PURGE";
	ev.decision = TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.object_domain = domain;
	ev.object_schema = domain;
	ev.reason = reason;
	if (now)
		tsov_audit_record_now(&ev, true);
	else
		tsov_audit_record(&ev);
}

/* The chains of domain with rows older than keep, and where each stands. */
static PurgeChain *
chains_to_purge(const char *domain, Interval *keep, int *n)
{
	Oid			types[2] = {TEXTOID, INTERVALOID};
	Datum		args[2];
	PurgeChain *pc;

	args[0] = CStringGetTextDatum(domain);
	args[1] = IntervalPGetDatum(keep);
	if (SPI_execute_with_args("SELECT l.chain_origin, COALESCE(pg_catalog.min(a.anchor_seq), 0),"
							  "       pg_catalog.max(l.chain_seq)"
							  "  FROM tec_sovereignty.audit_log l"
							  "  LEFT JOIN tec_sovereignty.audit_anchor a"
							  "    ON a.chain_domain OPERATOR(pg_catalog.=) l.chain_domain"
							  "   AND a.chain_origin OPERATOR(pg_catalog.=) l.chain_origin"
							  " WHERE l.chain_domain OPERATOR(pg_catalog.=) $1"
							  "   AND l.logged_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) $2)"
							  " GROUP BY 1 ORDER BY l.chain_origin COLLATE \"C\"",
							  2, types, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the audit chains of domain \"%s\"", domain);
	*n = (int) SPI_processed;
	pc = palloc0(sizeof(PurgeChain) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		bool		isnull;

		pc[i].origin = tsov_audit_get_text(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		pc[i].from = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		pc[i].cut = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull));
	}
	return pc;
}

/*
 * One batch: move the anchor of (domain, origin) to position upto and
 * remove the rows up to it.  Returns the rows removed; *hash gets the new
 * anchor's hash in hex.
 */
static int64
purge_batch(const char *domain, const char *origin, int64 upto, char **hash)
{
	Oid			types[3] = {TEXTOID, TEXTOID, INT8OID};
	Datum		args[3];
	bool		isnull;
	Datum		v;
	int64		removed;

	args[0] = CStringGetTextDatum(domain);
	args[1] = CStringGetTextDatum(origin);
	args[2] = Int64GetDatum(upto);
	if (SPI_execute_with_args("WITH a AS ("
							  "  INSERT INTO tec_sovereignty.audit_anchor AS h (chain_domain, chain_origin, anchor_seq, anchor_hash)"
							  "  SELECT l.chain_domain, l.chain_origin, l.chain_seq, l.row_hash FROM tec_sovereignty.audit_log l"
							  "   WHERE l.chain_domain OPERATOR(pg_catalog.=) $1 AND l.chain_origin OPERATOR(pg_catalog.=) $2"
							  "     AND l.chain_seq OPERATOR(pg_catalog.=) $3"
							  "  ON CONFLICT (chain_domain, chain_origin) DO UPDATE"
							  "  SET anchor_seq = EXCLUDED.anchor_seq, anchor_hash = EXCLUDED.anchor_hash"
							  "  RETURNING h.anchor_seq, h.anchor_hash),"
							  " d AS ("
							  "  DELETE FROM tec_sovereignty.audit_log l USING a"
							  "   WHERE l.chain_domain OPERATOR(pg_catalog.=) $1 AND l.chain_origin OPERATOR(pg_catalog.=) $2"
							  "     AND l.chain_seq OPERATOR(pg_catalog.<=) a.anchor_seq"
							  "  RETURNING 1)"
							  " SELECT (SELECT pg_catalog.count(*) FROM d),"
							  "        (SELECT pg_catalog.encode(a.anchor_hash, 'hex') FROM a)",
							  3, types, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not purge the audit trail of domain \"%s\"", domain);
	removed = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("cannot purge the audit trail of domain \"%s\": chain \"%s\" has no row at position " INT64_FORMAT,
						domain, origin, upto),
				 errdetail("A purge moves the chain's anchor to a row that is there; this chain is damaged."),
				 errhint("Check it with tec_audit_verify('%s').", domain)));
	*hash = TextDatumGetCString(v);
	return removed;
}

/*
 * tec_audit_purge() RETURNS bigint: one bounded round of retention (see
 * the header); the number of rows removed.  Superuser only.
 */
Datum
tsov_audit_purge_retention(PG_FUNCTION_ARGS)
{
	volatile int64 total = 0;
	volatile int batches = 0;
	SPITupleTable *doms;
	uint64		ndoms;

	tsov_audit_require_superuser("tec_audit_purge");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	if (SPI_execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tec_sovereignty.audit_purge'))",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock the audit purge");
	if (SPI_execute("SELECT name, audit_retention FROM tec_sovereignty.domain"
					" WHERE audit_retention IS NOT NULL ORDER BY name COLLATE \"C\"",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the audit retention of the domains");
	doms = SPI_tuptable;
	ndoms = SPI_processed;

	for (uint64 di = 0; di < ndoms && batches < PURGE_MAX_BATCHES; di++)
	{
		bool		isnull;
		char	   *domain = tsov_audit_get_text(doms->vals[di], doms->tupdesc, 1);
		Interval   *keep = DatumGetIntervalP(SPI_getbinval(doms->vals[di], doms->tupdesc, 2, &isnull));
		char	   *keep_text = DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(keep)));
		StringInfoData done;
		volatile int64 removed = 0;
		int			nchains;
		PurgeChain *pc;

		pc = chains_to_purge(domain, keep, &nchains);
		if (nchains == 0)
			continue;
		/* durable before anything is removed: a purge never goes unrecorded */
		record_purge(domain, psprintf("retention purge of rows older than %s requested", keep_text), true);

		initStringInfo(&done);
		TSOV_AUDIT_SELF_BEGIN();
		{
			for (int i = 0; i < nchains && batches < PURGE_MAX_BATCHES; i++)
			{
				int64		at = pc[i].from;
				char	   *hash = NULL;

				while (at < pc[i].cut && batches < PURGE_MAX_BATCHES)
				{
					int64		upto = Min(pc[i].cut, at + PURGE_BATCH);

					CHECK_FOR_INTERRUPTS();
					removed += purge_batch(domain, pc[i].origin, upto, &hash);
					Assert(upto > at && upto <= pc[i].cut);
					at = upto;
					batches++;
				}
				if (hash != NULL)
					appendStringInfo(&done, "%schain %s cut at position " INT64_FORMAT " (hash %s)%s",
									 done.len > 0 ? ", " : "", pc[i].origin, at, hash,
									 at < pc[i].cut ? ", more to purge" : "");
			}
		}
		TSOV_AUDIT_SELF_END();
		total += removed;
		record_purge(domain, psprintf("retention purge: removed " INT64_FORMAT " rows older than %s; %s",
									  removed, keep_text, done.len > 0 ? done.data : "no chain cut"),
					 false);
	}
	SPI_finish();
	PG_RETURN_INT64(total);
}
