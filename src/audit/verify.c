/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  tec_audit_verify(): walk every hash chain of the trail and say, per
 *	  domain, whether it is intact, and where and why not.
 *
 * Each chain (domain, origin) is walked in seq order inside one snapshot
 * (all its SPI calls are read-only, so they share the calling query's
 * snapshot, and the chain heads it reads match the rows), in three steps:
 *	 - where the walk starts (read_start): the genesis, or the anchor a
 *	   purge left (the last purged row's position and hash), and the head
 *	   the writer recorded for the chain;
 *	 - each row (check_row): chain_seq follows the previous one (a
 *	   deleted, inserted or reordered row breaks this), prev_hash is the
 *	   previous row's hash, and the row's hash, recomputed from its content
 *	   (chain.c), is the stored one (a changed row breaks this);
 *	 - the end (check_end): the last row is the recorded head (a removed
 *	   tail breaks this).
 * With signed digests (tec_audit_verify(domain, digests), digest.c), each
 * digest's position and hash must still be on the chain: a row met on the
 * walk, or the purge anchor (check_digests_at); one beyond the last row
 * means the tail was cut and the head rewritten, and digests that all lie
 * below the anchor check nothing, which is a failure too
 * (check_digests_end).  The digests of a chain are walked in position
 * order (Assert).
 * The rows are read with the columns of chain.c's column table.
 * tsov_audit_verify_chain is also how an import checks the chains it adds
 * (import.c).
 *
 * Memory.  Each row is read in a per-row context ("verify row") that is
 * reset after the row; a reason kept is copied to the caller's context.
 * Everything else lives in the calling function's context (SPI's
 * procedure context while SPI is connected).
 *
 * IDENTIFICATION
 *	  src/audit/verify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "audit/internal.h"

PG_FUNCTION_INFO_V1(tsov_audit_verify);
PG_FUNCTION_INFO_V1(tsov_audit_verify_digests);

/* Where a chain's walk stands. */
typedef struct ChainWalk
{
	const char *origin;
	int64		expect;			/* chain position of the next row */
	uint8		prev[TSOV_HASH_LEN];	/* hash the next row must point to */
	bool		have_head;
	int64		head_seq;
	uint8		head_hash[TSOV_HASH_LEN];
	const TsovDigest *dg;		/* signed digests of the chain, by seq */
	int			ndg;
	int			next_dg;		/* the first not yet reached */
	int			checked_dg;		/* how many matched a row or the anchor */
	int64		anchor_seq;		/* 0: no purge anchor */
} ChainWalk;

/* The chain's recorded head and purge anchor: where the walk starts. */
static void
read_start(Datum *args, ChainWalk *w)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;
	Datum		v;

	memset(w->prev, 0, sizeof(w->prev));
	w->expect = 1;
	if (SPI_execute_with_args("SELECT c.last_seq, c.last_hash, a.anchor_seq, a.anchor_hash"
							  " FROM (VALUES ($1, $2)) k(d, o)"
							  " LEFT JOIN tec_sovereignty.audit_chain c"
							  "   ON c.chain_domain OPERATOR(pg_catalog.=) k.d AND c.chain_origin OPERATOR(pg_catalog.=) k.o"
							  " LEFT JOIN tec_sovereignty.audit_anchor a"
							  "   ON a.chain_domain OPERATOR(pg_catalog.=) k.d AND a.chain_origin OPERATOR(pg_catalog.=) k.o",
							  2, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the audit chain head");
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	v = SPI_getbinval(t, d, 1, &isnull);
	w->have_head = !isnull;
	w->head_seq = isnull ? 0 : DatumGetInt64(v);
	if (!tsov_audit_get_hash(t, d, 2, w->head_hash))
		memset(w->head_hash, 0, sizeof(w->head_hash));
	v = SPI_getbinval(t, d, 3, &isnull);
	if (!isnull)
	{
		w->expect = DatumGetInt64(v) + 1;
		if (!tsov_audit_get_hash(t, d, 4, w->prev))
			memset(w->prev, 0xff, sizeof(w->prev));	/* malformed anchor: fails below */
	}
}

/*
 * The digests at chain position seq, whose hash is hash (a verified row's,
 * or the anchor's): NULL if each names that hash, else why not.  Digests
 * before seq were below the purge anchor: they cannot be checked.
 */
static char *
check_digests_at(ChainWalk *w, int64 seq, const uint8 *hash, const char *what)
{
	while (w->next_dg < w->ndg && w->dg[w->next_dg].seq < seq)
		w->next_dg++;
	for (; w->next_dg < w->ndg && w->dg[w->next_dg].seq == seq; w->next_dg++)
	{
		const TsovDigest *d = &w->dg[w->next_dg];

		if (memcmp(d->hash, hash, TSOV_HASH_LEN) != 0)
			return psprintf("chain \"%s\": %s at chain position " INT64_FORMAT " does not match the digest signed at %s (history rewritten)",
							w->origin, what, seq, timestamptz_to_str(d->signed_at));
		w->checked_dg++;
	}
	return NULL;
}

/*
 * One row: NULL if it continues the chain (the walk advances), else why
 * not (allocated in CurrentMemoryContext).
 */
static char *
check_row(ChainWalk *w, TsovAuditRow *row)
{
	uint8		computed[TSOV_HASH_LEN];

	if (row->chain_seq != w->expect)
	{
		if (row->chain_seq > w->expect)
			return psprintf("chain \"%s\": %s missing before this row (chain positions " INT64_FORMAT " to " INT64_FORMAT ")",
							w->origin, row->chain_seq - w->expect == 1 ? "a row is" : "rows are",
							w->expect, row->chain_seq - 1);
		return psprintf("chain \"%s\": row at chain position " INT64_FORMAT " where " INT64_FORMAT " was expected (inserted, duplicated or reordered row)",
						w->origin, row->chain_seq, w->expect);
	}
	if (row->prev_hash == NULL || memcmp(row->prev_hash, w->prev, TSOV_HASH_LEN) != 0)
		return psprintf("chain \"%s\": prev_hash does not match the previous row's hash (row inserted, replaced or reordered)",
						w->origin);
	tsov_audit_hash_row(row, computed);
	if (row->row_hash == NULL || memcmp(row->row_hash, computed, TSOV_HASH_LEN) != 0)
		return psprintf("chain \"%s\": row content does not match its hash (row changed)", w->origin);
	memcpy(w->prev, row->row_hash, TSOV_HASH_LEN);
	w->expect++;
	return check_digests_at(w, row->chain_seq, row->row_hash, "the row");
}

/* After the last row: NULL if it is the recorded head, else why not. */
static char *
check_end(const ChainWalk *w)
{
	if (!w->have_head)
	{
		if (w->expect > 1)
			return psprintf("chain \"%s\": its head in tec_sovereignty.audit_chain is missing", w->origin);
		return NULL;
	}
	if (w->head_seq != w->expect - 1)
		return psprintf("chain \"%s\": the chain head records " INT64_FORMAT " rows but the trail ends at " INT64_FORMAT " (rows at the end deleted)",
						w->origin, w->head_seq, w->expect - 1);
	if (memcmp(w->head_hash, w->prev, TSOV_HASH_LEN) != 0)
		return psprintf("chain \"%s\": the last row does not match the chain head (last row replaced)", w->origin);
	return NULL;
}

/*
 * After check_end: every digest must have been reached.  One beyond the
 * last row means rows were removed from the end and the head rewritten (a
 * chain alone cannot see that); digests that all precede the purge anchor
 * check nothing, and an anchor can be forged as easily as a head.
 */
static char *
check_digests_end(const ChainWalk *w)
{
	if (w->next_dg < w->ndg)
		return psprintf("chain \"%s\": the trail ends at chain position " INT64_FORMAT " but a digest signed at %s records position " INT64_FORMAT " (rows at the end deleted and the chain head rewritten)",
						w->origin, w->expect - 1, timestamptz_to_str(w->dg[w->ndg - 1].signed_at),
						w->dg[w->ndg - 1].seq);
	if (w->ndg > 0 && w->checked_dg == 0)
		return psprintf("chain \"%s\": every digest given precedes its purge anchor at chain position " INT64_FORMAT ", so none can be checked",
						w->origin, w->anchor_seq);
	return NULL;
}

static int
digest_seq_cmp(const void *a, const void *b)
{
	int64		x = ((const TsovDigest *) a)->seq;
	int64		y = ((const TsovDigest *) b)->seq;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Verify one chain; adds its rows to res->rows and, if res has no problem
 * yet, records the chain's first one.
 */
void
tsov_audit_verify_chain(const char *domain, const char *origin, VerifyResult *res)
{
	tsov_audit_verify_chain_digests(domain, origin, res, NULL, 0);
}

/*
 * The same, and each of the ndigests signed digests of this chain (checked
 * by digest.c) must name a row (or the purge anchor) that is still on it.
 */
void
tsov_audit_verify_chain_digests(const char *domain, const char *origin, VerifyResult *res,
								const TsovDigest *digests, int ndigests)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	ChainWalk	w;
	Portal		portal;
	char	   *why = NULL;
	int64		bad_seq = 0;
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "verify row", ALLOCSET_DEFAULT_SIZES);

	args[0] = CStringGetTextDatum(domain);
	args[1] = CStringGetTextDatum(origin);
	memset(&w, 0, sizeof(w));
	w.origin = origin;
	read_start(args, &w);
	w.anchor_seq = w.expect - 1;
	if (ndigests > 0)
	{
		TsovDigest *sorted = palloc(sizeof(TsovDigest) * ndigests);

		memcpy(sorted, digests, sizeof(TsovDigest) * ndigests);
		qsort(sorted, ndigests, sizeof(TsovDigest), digest_seq_cmp);
		for (int i = 1; i < ndigests; i++)
			Assert(sorted[i - 1].seq <= sorted[i].seq);
		w.dg = sorted;
		w.ndg = ndigests;
		/* a purge anchor is the hash of the last purged row */
		if (w.expect > 1)
			why = check_digests_at(&w, w.expect - 1, w.prev, "the purge anchor");
	}

	portal = SPI_cursor_open_with_args(NULL,
									   psprintf("SELECT %s FROM tec_sovereignty.audit_log"
												" WHERE chain_domain OPERATOR(pg_catalog.=) $1"
												" AND chain_origin OPERATOR(pg_catalog.=) $2 ORDER BY seq",
												tsov_audit_column_list("", NULL)),
									   2, types, args, NULL, true, 0);
	while (why == NULL)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed && why == NULL; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(rowcxt);
			TsovAuditRow row;
			char	   *bad;

			tsov_audit_row_from_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, &row);
			res->rows++;
			bad = check_row(&w, &row);
			MemoryContextSwitchTo(old);
			if (bad != NULL)
			{
				why = pstrdup(bad);
				bad_seq = row.seq;
			}
			MemoryContextReset(rowcxt);
		}
	}
	SPI_cursor_close(portal);

	if (why == NULL)
		why = check_end(&w);
	if (why == NULL)
		why = check_digests_end(&w);
	if (why != NULL && res->ok)
	{
		res->ok = false;
		res->first_bad = bad_seq;
		res->reason = why;
	}
	MemoryContextDelete(rowcxt);
}

/* One result row of tec_audit_verify. */
static void
put_result(ReturnSetInfo *rsinfo, const char *domain, const VerifyResult *r)
{
	Datum		values[5];
	bool		isnull[5] = {0};

	values[0] = domain[0] ? CStringGetTextDatum(domain) : (Datum) 0;
	isnull[0] = domain[0] == '\0';
	values[1] = BoolGetDatum(r->ok);
	values[2] = Int64GetDatum(r->rows);
	values[3] = Int64GetDatum(r->first_bad);
	isnull[3] = r->first_bad == 0;
	values[4] = r->reason ? CStringGetTextDatum(r->reason) : (Datum) 0;
	isnull[4] = r->reason == NULL;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
}

/*
 * tec_audit_verify(domain text DEFAULT NULL)
 *	 RETURNS TABLE (domain text, ok boolean, rows_checked bigint,
 *					first_bad_seq bigint, reason text)
 * One row per domain (NULL domain: the chain of events outside any
 * domain); with a NULL argument, every domain of the trail.  With digests
 * (tec_audit_verify(domain, digests jsonb)), each chain must also still
 * hold the heads its signed digests name, and the chains they name are
 * verified even when nothing of them is left.
 */
static Datum
verify_trail(FunctionCallInfo fcinfo, const char *want, const TsovDigest *dg, int ndg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			types[3] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	Datum	   *ddom = palloc(sizeof(Datum) * Max(ndg, 1));
	Datum	   *dorig = palloc(sizeof(Datum) * Max(ndg, 1));
	TsovDigest *mine = palloc(sizeof(TsovDigest) * Max(ndg, 1));
	SPITupleTable *chains;
	uint64		nchains;
	VerifyResult cur;
	char	   *cur_domain = NULL;

	for (int i = 0; i < ndg; i++)
	{
		ddom[i] = CStringGetTextDatum(dg[i].domain);
		dorig[i] = CStringGetTextDatum(dg[i].origin);
	}
	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");

	args[0] = want ? CStringGetTextDatum(want) : (Datum) 0;
	nulls[0] = want ? ' ' : 'n';
	args[1] = PointerGetDatum(construct_array(ddom, ndg, TEXTOID, -1, false, TYPALIGN_INT));
	args[2] = PointerGetDatum(construct_array(dorig, ndg, TEXTOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_with_args("SELECT chain_domain, chain_origin FROM ("
							  " SELECT DISTINCT chain_domain, chain_origin FROM tec_sovereignty.audit_log"
							  " UNION SELECT chain_domain, chain_origin FROM tec_sovereignty.audit_chain"
							  " UNION SELECT * FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3))) c(chain_domain, chain_origin)"
							  " WHERE $1 IS NULL OR chain_domain OPERATOR(pg_catalog.=) $1"
							  " ORDER BY 1, 2",
							  3, types, args, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the audit chains");
	chains = SPI_tuptable;
	nchains = SPI_processed;

	if (nchains == 0 && want != NULL && tsov_domain_by_name(want) == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("domain \"%s\" has no audit trail and does not exist", want)));

	/* the chains come ordered by domain: one result row per run */
	for (uint64 i = 0; i < nchains; i++)
	{
		char	   *dom = tsov_audit_get_text(chains->vals[i], chains->tupdesc, 1);
		char	   *orig = tsov_audit_get_text(chains->vals[i], chains->tupdesc, 2);
		int			nmine = 0;

		if (cur_domain != NULL && strcmp(dom, cur_domain) != 0)
		{
			put_result(rsinfo, cur_domain, &cur);
			cur_domain = NULL;
		}
		if (cur_domain == NULL)
		{
			memset(&cur, 0, sizeof(cur));
			cur.ok = true;
			cur_domain = dom;
		}
		for (int j = 0; j < ndg; j++)
			if (strcmp(dg[j].domain, dom) == 0 && strcmp(dg[j].origin, orig) == 0)
				mine[nmine++] = dg[j];
		tsov_audit_verify_chain_digests(dom, orig, &cur, mine, nmine);
	}
	if (cur_domain != NULL)
		put_result(rsinfo, cur_domain, &cur);
	if (nchains == 0 && want != NULL)
	{
		memset(&cur, 0, sizeof(cur));
		cur.ok = true;
		put_result(rsinfo, want, &cur);
	}
	SPI_finish();
	return (Datum) 0;
}

Datum
tsov_audit_verify(PG_FUNCTION_ARGS)
{
	return verify_trail(fcinfo, tsov_audit_text_arg(fcinfo, 0), NULL, 0);
}

/*
 * tec_audit_verify(domain text, digests jsonb): the same, against digests
 * of tec_audit_digest() kept elsewhere (one object or an array).  Every
 * digest is checked (its signature, with a key of this server) before the
 * trail is read; one that is malformed, of another domain than the one
 * asked for, or badly signed refuses the whole call.
 */
Datum
tsov_audit_verify_digests(PG_FUNCTION_ARGS)
{
	char	   *want = tsov_audit_text_arg(fcinfo, 0);
	TsovDigest *dg;
	int			ndg;

	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("digests must not be null"),
						errhint("Use tec_audit_verify(domain) to verify without digests.")));
	dg = tsov_digests_from_jsonb(PG_GETARG_JSONB_P(1), &ndg, want);
	return verify_trail(fcinfo, want, dg, ndg);
}
