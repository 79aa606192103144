/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  tec_audit_verify(): walk every hash chain of the trail and say, per
 *	  domain, whether it is intact, and where and why not.
 *
 * Each chain (domain, origin) is checked in three steps:
 *	 - where its walk starts: the genesis, or the anchor a purge left (the
 *	   last purged row's position and hash), and the head the writer
 *	   recorded for the chain (load_chains: audit_chain and audit_anchor,
 *	   read with SPI);
 *	 - each row (check_row): chain_seq follows the previous one (a
 *	   deleted, inserted or reordered row breaks this), prev_hash is the
 *	   previous row's hash, and the row's hash, recomputed from its content
 *	   (chain.c), is the stored one (a changed row breaks this);
 *	 - the end (check_end): the last row is the recorded head (a removed
 *	   tail breaks this).
 * The rows of every chain asked for are read in ONE pass over audit_log in
 * seq order (walk_rows: an ordered scan of its primary key, tuples deformed
 * once, no SPI copies, no sort), each row going to its chain's walk; a
 * chain stops at its first problem.  Everything is read in the calling
 * query's snapshot (the active one), so the heads match the rows.
 * With signed digests (tec_audit_verify(domain, digests), digest.c), each
 * digest's position and hash must still be on the chain: a row met on the
 * walk, or the purge anchor (check_digests_at); one beyond the last row
 * means the tail was cut and the head rewritten, and digests that all lie
 * below the anchor check nothing, which is a failure too
 * (check_digests_end).  The digests of a chain are walked in position
 * order (Assert).
 * tsov_audit_verify_chain_digests is also how an import checks the chains
 * it adds (import.c).
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

#include "access/genam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
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

/* One chain of a verification: its key, its walk, what was found. */
typedef struct VerifyChain
{
	char	   *domain;			/* chain_domain ('' outside any domain) */
	char	   *origin;
	int			dlen;
	int			olen;
	bool		listed;			/* has a head, rows or digests: reported */
	ChainWalk	w;
	int64		rows;			/* rows read, the first bad one included */
	char	   *why;			/* NULL: no problem (yet) */
	int64		bad_seq;		/* seq of the row that broke it, 0: none */
} VerifyChain;

/* The chains of one verification, sorted by (domain, origin). */
typedef struct ChainSet
{
	VerifyChain **c;
	int			n;
	int			cap;
	VerifyChain *last;			/* the chain of the previous row */
} ChainSet;

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

/* ---- the set of chains ---- */

static int
key_cmp(const char *d1, int dl1, const char *o1, int ol1,
		const char *d2, int dl2, const char *o2, int ol2)
{
	int			r = memcmp(d1, d2, Min(dl1, dl2));

	if (r == 0 && dl1 != dl2)
		r = dl1 < dl2 ? -1 : 1;
	if (r == 0)
		r = memcmp(o1, o2, Min(ol1, ol2));
	if (r == 0 && ol1 != ol2)
		r = ol1 < ol2 ? -1 : 1;
	return r;
}

/*
 * The chain (domain, origin) of the set (binary search), or, with add,
 * a new one put in its place; NULL when absent and not added.  The key
 * need not be NUL-terminated: rows give it as text.
 */
static VerifyChain *
chain_find(ChainSet *set, const char *d, int dl, const char *o, int ol, bool add)
{
	int			lo = 0,
				hi = set->n;
	VerifyChain *c;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		VerifyChain *m = set->c[mid];
		int			r = key_cmp(d, dl, o, ol, m->domain, m->dlen, m->origin, m->olen);

		if (r == 0)
			return m;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!add)
		return NULL;
	if (set->n == set->cap)
	{
		set->cap = Max(16, set->cap * 2);
		set->c = set->c ? repalloc(set->c, sizeof(VerifyChain *) * set->cap)
			: palloc(sizeof(VerifyChain *) * set->cap);
	}
	memmove(&set->c[lo + 1], &set->c[lo], sizeof(VerifyChain *) * (set->n - lo));
	c = palloc0(sizeof(VerifyChain));
	c->domain = pnstrdup(d, dl);
	c->dlen = dl;
	c->origin = pnstrdup(o, ol);
	c->olen = ol;
	c->w.origin = c->origin;
	c->w.expect = 1;
	set->c[lo] = c;
	set->n++;
#ifdef USE_ASSERT_CHECKING
	for (int i = 1; i < set->n; i++)
		Assert(key_cmp(set->c[i - 1]->domain, set->c[i - 1]->dlen, set->c[i - 1]->origin, set->c[i - 1]->olen,
					   set->c[i]->domain, set->c[i]->dlen, set->c[i]->origin, set->c[i]->olen) < 0);
#endif
	return c;
}

/*
 * Every recorded head and purge anchor of the chains asked for (domain
 * want, or all when NULL; origin only, when given): where their walks
 * start.  A chain with a head is listed; one with only an anchor is
 * listed once rows or digests name it.  SPI connected.
 */
static void
load_chains(ChainSet *set, const char *want, const char *origin)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	char		nulls[2] = {'n', 'n'};

	if (want)
	{
		args[0] = CStringGetTextDatum(want);
		nulls[0] = ' ';
	}
	if (origin)
	{
		args[1] = CStringGetTextDatum(origin);
		nulls[1] = ' ';
	}
	if (SPI_execute_with_args("SELECT k.chain_domain, k.chain_origin, c.last_seq, c.last_hash,"
							  "       a.anchor_seq, a.anchor_hash"
							  " FROM (SELECT chain_domain, chain_origin FROM tec_sovereignty.audit_chain"
							  "       UNION SELECT chain_domain, chain_origin FROM tec_sovereignty.audit_anchor) k"
							  " LEFT JOIN tec_sovereignty.audit_chain c"
							  "   ON c.chain_domain OPERATOR(pg_catalog.=) k.chain_domain"
							  "  AND c.chain_origin OPERATOR(pg_catalog.=) k.chain_origin"
							  " LEFT JOIN tec_sovereignty.audit_anchor a"
							  "   ON a.chain_domain OPERATOR(pg_catalog.=) k.chain_domain"
							  "  AND a.chain_origin OPERATOR(pg_catalog.=) k.chain_origin"
							  " WHERE ($1 IS NULL OR k.chain_domain OPERATOR(pg_catalog.=) $1)"
							  "   AND ($2 IS NULL OR k.chain_origin OPERATOR(pg_catalog.=) $2)",
							  2, types, args, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the audit chain heads");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *dom = tsov_audit_get_text(t, d, 1);
		char	   *orig = tsov_audit_get_text(t, d, 2);
		VerifyChain *c = chain_find(set, dom, strlen(dom), orig, strlen(orig), true);
		ChainWalk  *w = &c->w;
		bool		isnull;
		Datum		v;

		v = SPI_getbinval(t, d, 3, &isnull);
		w->have_head = !isnull;
		w->head_seq = isnull ? 0 : DatumGetInt64(v);
		if (!tsov_audit_get_hash(t, d, 4, w->head_hash))
			memset(w->head_hash, 0, sizeof(w->head_hash));
		c->listed = w->have_head;
		v = SPI_getbinval(t, d, 5, &isnull);
		if (!isnull)
		{
			w->expect = DatumGetInt64(v) + 1;
			if (!tsov_audit_get_hash(t, d, 6, w->prev))
				memset(w->prev, 0xff, sizeof(w->prev));	/* malformed anchor: fails below */
		}
	}
}

/*
 * Give each chain its digests (sorted by position; they name chains that
 * are then listed even when nothing of them is left) and check those at
 * its purge anchor.
 */
static void
attach_digests(ChainSet *set, const TsovDigest *dg, int ndg)
{
	for (int i = 0; i < ndg; i++)
		chain_find(set, dg[i].domain, strlen(dg[i].domain),
				   dg[i].origin, strlen(dg[i].origin), true)->listed = true;
	for (int i = 0; i < set->n; i++)
	{
		VerifyChain *c = set->c[i];
		TsovDigest *mine = NULL;
		int			nmine = 0;

		c->w.anchor_seq = c->w.expect - 1;
		for (int j = 0; j < ndg; j++)
			if (strcmp(dg[j].domain, c->domain) == 0 && strcmp(dg[j].origin, c->origin) == 0)
			{
				if (mine == NULL)
					mine = palloc(sizeof(TsovDigest) * ndg);
				mine[nmine++] = dg[j];
			}
		if (nmine == 0)
			continue;
		qsort(mine, nmine, sizeof(TsovDigest), digest_seq_cmp);
		for (int j = 1; j < nmine; j++)
			Assert(mine[j - 1].seq <= mine[j].seq);
		c->w.dg = mine;
		c->w.ndg = nmine;
		/* a purge anchor is the hash of the last purged row */
		if (c->w.expect > 1)
			c->why = check_digests_at(&c->w, c->w.expect - 1, c->w.prev, "the purge anchor");
	}
}

/*
 * One pass over tec_sovereignty.audit_log in seq order (its primary key),
 * in the active snapshot: each row of a chain asked for goes to that
 * chain's walk, until the chain's first problem.  A chain that has rows
 * but no head or anchor is added (and fails at its end).
 */
static void
walk_rows(ChainSet *set, const char *want, const char *origin)
{
	Oid			nsp = get_namespace_oid(TSOV_SCHEMA, false);
	Oid			relid = get_relname_relid("audit_log", nsp);
	Relation	rel;
	Relation	idx;
	Oid			pk;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	MemoryContext rowcxt;
	int			dcol = -1,
				ocol = -1;
	int			wlen = want ? strlen(want) : 0;
	int			olen = origin ? strlen(origin) : 0;

	if (!OidIsValid(relid))
		elog(ERROR, "tec_sovereignty.audit_log does not exist");
	rel = table_open(relid, AccessShareLock);
	tsov_audit_check_columns(RelationGetDescr(rel));
	for (int i = 0; i < tsov_audit_ncolumns; i++)
	{
		if (tsov_audit_column(i)->source == TSOV_COL_CHAIN_DOMAIN)
			dcol = i;
		else if (tsov_audit_column(i)->source == TSOV_COL_CHAIN_ORIGIN)
			ocol = i;
	}
	Assert(dcol >= 0 && ocol >= 0);
	pk = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pk))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tec_sovereignty.audit_log has no primary key"),
				 errdetail("The trail is verified in seq order, read through its primary key (seq)."),
				 errhint("The extension's table was altered: recreate its primary key on seq.")));
	idx = index_open(pk, AccessShareLock);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "verify row", ALLOCSET_DEFAULT_SIZES);
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), 0, 0);
	index_rescan(scan, NULL, 0, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		text	   *dt,
				   *ot;
		VerifyChain *c;
		MemoryContext old;
		TsovAuditRow row;
		char	   *bad;

		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		Assert(!slot->tts_isnull[dcol] && !slot->tts_isnull[ocol]);	/* NOT NULL */
		old = MemoryContextSwitchTo(rowcxt);
		dt = DatumGetTextPP(slot->tts_values[dcol]);
		ot = DatumGetTextPP(slot->tts_values[ocol]);
		if ((want && (VARSIZE_ANY_EXHDR(dt) != wlen || memcmp(VARDATA_ANY(dt), want, wlen) != 0)) ||
			(origin && (VARSIZE_ANY_EXHDR(ot) != olen || memcmp(VARDATA_ANY(ot), origin, olen) != 0)))
		{
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
			continue;
		}
		c = set->last;
		if (c == NULL ||
			key_cmp(VARDATA_ANY(dt), VARSIZE_ANY_EXHDR(dt), VARDATA_ANY(ot), VARSIZE_ANY_EXHDR(ot),
					c->domain, c->dlen, c->origin, c->olen) != 0)
		{
			MemoryContextSwitchTo(old);
			c = chain_find(set, VARDATA_ANY(dt), VARSIZE_ANY_EXHDR(dt),
						   VARDATA_ANY(ot), VARSIZE_ANY_EXHDR(ot), true);
			c->listed = true;
			set->last = c;
			MemoryContextSwitchTo(rowcxt);
		}
		if (c->why == NULL)
		{
			tsov_audit_row_from_values(slot->tts_values, slot->tts_isnull, &row);
			c->rows++;
			bad = check_row(&c->w, &row);
			if (bad != NULL)
			{
				MemoryContextSwitchTo(old);
				c->why = pstrdup(bad);
				c->bad_seq = row.seq;
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
}

/* After the rows: the end of every chain, and its digests. */
static void
finish_chains(ChainSet *set)
{
	for (int i = 0; i < set->n; i++)
	{
		VerifyChain *c = set->c[i];

		if (c->why == NULL)
			c->why = check_end(&c->w);
		if (c->why == NULL)
			c->why = check_digests_end(&c->w);
	}
}

/* Add chain c to res: its rows, and its problem if res has none yet. */
static void
add_result(VerifyResult *res, const VerifyChain *c)
{
	res->rows += c->rows;
	if (c->why != NULL && res->ok)
	{
		res->ok = false;
		res->first_bad = c->bad_seq;
		res->reason = c->why;
	}
}

/* All of it, for the chains of domain want (NULL: all), origin (NULL: all). */
static ChainSet *
verify_set(const char *want, const char *origin, const TsovDigest *dg, int ndg)
{
	ChainSet   *set = palloc0(sizeof(ChainSet));

	load_chains(set, want, origin);
	attach_digests(set, dg, ndg);
	walk_rows(set, want, origin);
	finish_chains(set);
	return set;
}

/*
 * Verify one chain; adds its rows to res->rows and, if res has no problem
 * yet, records the chain's first one.  Each of the ndigests signed digests
 * of this chain (checked by digest.c) must name a row (or the purge
 * anchor) that is still on it.  SPI connected.
 */
void
tsov_audit_verify_chain_digests(const char *domain, const char *origin, VerifyResult *res,
								const TsovDigest *digests, int ndigests)
{
	ChainSet   *set;
	VerifyChain *c;

	for (int i = 0; i < ndigests; i++)
		Assert(strcmp(digests[i].domain, domain) == 0 && strcmp(digests[i].origin, origin) == 0);
	set = verify_set(domain, origin, digests, ndigests);
	c = chain_find(set, domain, strlen(domain), origin, strlen(origin), false);
	/* none: no head, anchor, row or digest, an empty chain, which verifies */
	if (c != NULL)
		add_result(res, c);
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
	ChainSet   *set;
	VerifyResult cur;
	const char *cur_domain = NULL;
	int			nlisted = 0;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	set = verify_set(want, NULL, dg, ndg);

	/* the chains are sorted by domain: one result row per run */
	for (int i = 0; i < set->n; i++)
	{
		const VerifyChain *c = set->c[i];

		if (!c->listed)
			continue;
		nlisted++;
		if (cur_domain != NULL && strcmp(c->domain, cur_domain) != 0)
		{
			put_result(rsinfo, cur_domain, &cur);
			cur_domain = NULL;
		}
		if (cur_domain == NULL)
		{
			memset(&cur, 0, sizeof(cur));
			cur.ok = true;
			cur_domain = c->domain;
		}
		add_result(&cur, c);
	}
	if (cur_domain != NULL)
		put_result(rsinfo, cur_domain, &cur);
	if (nlisted == 0 && want != NULL)
	{
		if (tsov_domain_by_name(want) == NULL)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
							errmsg("domain \"%s\" has no audit trail and does not exist", want)));
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
