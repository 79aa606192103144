/*-------------------------------------------------------------------------
 *
 * audit_worker.c
 *	  The audit writer: one dynamic background worker per database channel
 *	  drains the queue, chains each row to the previous row of its domain,
 *	  inserts the rows in batches and publishes what is durable.
 *
 * Started on demand by the first backend that queues an event for a
 * database (tsov_audit_ensure_worker), it connects to that database and
 * loops: take every complete record of the ring (up to a batch), start a
 * transaction, insert them with table_multi_insert plus index insertion
 * (the COPY FROM fast path; no SPI, no executor per row), update the chain
 * heads, commit with synchronous_commit = off, then publish the ring
 * position as committed together with the end LSN of the commit record
 * (XactLastCommitEnd), and wake the waiters.  Batching is natural: while a
 * batch commits the next one accumulates; while nobody waits for it, the
 * writer also paces itself (half of audit_max_delay between batches) so
 * that a read-only load does not cost it a transaction per few reads.
 *
 * Durability of what nobody waits for (reads): the commit is asynchronous,
 * so the WAL writer flushes it within wal_writer_delay (at worst three
 * times that, see the PostgreSQL documentation on asynchronous commit).
 * A read's row is thus durable within audit_max_delay + the batch +
 * wal_writer_delay: that is the loss window on a crash.  Writes and
 * denials do not depend on it (audit_queue.c, audit_xact.c).
 *
 * After tec_sovereignty.audit_worker_idle
 * without events it frees its channel and exits, so that DROP DATABASE is
 * never blocked by it.
 *
 * The chain.  Rows belong to the chain of their object's domain ('' for
 * events outside any domain) and of their origin: the writer that made
 * them, "<system identifier>/<database oid>".  Each row's hash is SHA-256
 * (PostgreSQL's cryptohash) over a canonical binary encoding of its content,
 * its place in the chain (chain_seq) and the previous row's hash; the
 * local, gapless seq is deliberately not hashed, so a domain's rows verify
 * wherever they are restored or imported.  The last row of every chain is
 * kept in tec_sovereignty.audit_chain, committed with the rows, so that a
 * removed tail is detected too.  Only this process appends, so a chain can
 * never fork.
 *
 * IDENTIFICATION
 *	  src/audit_worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "common/cryptohash.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "tec_sovereignty.h"
#include "audit_internal.h"

#define TSOV_BATCH_MAX 8192
#define TSOV_AUDIT_NATTS 23

typedef struct ChainHead
{
	char		domain[NAMEDATALEN];	/* hash key */
	int64		seq;
	uint8		hash[TSOV_HASH_LEN];
	bool		dirty;
} ChainHead;

static TsovAuditChannel *wch;
static int	wchannel;
static HTAB *heads = NULL;
static int64 next_seq = 0;
static char origin[64];
static SPIPlanPtr head_plan = NULL;
static TupleTableSlot **slots = NULL;
static Oid	slots_rel = InvalidOid;

static const char *const audit_columns[TSOV_AUDIT_NATTS] = {
	"seq", "logged_at", "xid", "pid", "session_user_name", "effective_user_name",
	"actor_domain", "object_domain", "object_schema", "object_name", "object_oid",
	"action", "decision", "reason", "via_api", "client_addr", "application_name",
	"statement", "chain_domain", "chain_origin", "chain_seq", "prev_hash", "row_hash"
};

/*
 * Register a writer for channel, database dbid.  On failure (no free
 * background worker slot) the launch is forgotten, to be retried by the
 * next waiter.
 */
void
tsov_audit_worker_register(int channel, Oid dbid)
{
	BackgroundWorker w;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(w.bgw_library_name, TSOV_NAME, BGW_MAXLEN);
	strlcpy(w.bgw_function_name, "tsov_audit_worker_main", BGW_MAXLEN);
	snprintf(w.bgw_name, BGW_MAXLEN, "tec_sovereignty audit writer for database %u", dbid);
	strlcpy(w.bgw_type, "tec_sovereignty audit writer", BGW_MAXLEN);
	w.bgw_main_arg = Int32GetDatum(channel);
	memcpy(w.bgw_extra, &dbid, sizeof(Oid));
	w.bgw_notify_pid = 0;

	if (!RegisterDynamicBackgroundWorker(&w, NULL))
	{
		TsovAuditChannel *ch = &tsov_audit_shared->channels[channel];

		LWLockAcquire(ch->lock, LW_EXCLUSIVE);
		ch->worker_launching = false;
		LWLockRelease(ch->lock);
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start the audit writer: no free background worker slot"),
				 errhint("Raise max_worker_processes; events wait in the queue until a writer runs.")));
	}
}

static void
set_state(const char *s)
{
	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	strlcpy(wch->state, s, sizeof(wch->state));
	LWLockRelease(wch->lock);
}

/*
 * On exit: the channel has no writer any more.  A writer that could not
 * even connect leaves the events and the channel as they are: when its
 * database was dropped, the dropping backend frees the channel at commit
 * (or a backend that needs a channel does, seeing the database gone from
 * pg_database; audit_queue.c, "Channels"); when it was not, the events
 * must still be written, and a backend that waits for them starts a new
 * writer.  Discarding them here would let those waiters commit without
 * their rows.
 */
static void
worker_cleanup(int code, Datum arg)
{
	LWLockAcquire(tsov_audit_shared->map_lock, LW_EXCLUSIVE);
	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	if (wch->worker_pid == MyProcPid)
	{
		wch->worker_pid = 0;
		wch->worker_latch = NULL;
		wch->worker_launching = false;
		wch->worker_failed = (code != 0);
		strlcpy(wch->state, code != 0 ? "failed" : "idle", sizeof(wch->state));
	}
	LWLockRelease(wch->lock);
	LWLockRelease(tsov_audit_shared->map_lock);
	ConditionVariableBroadcast(&wch->durable_cv);
	ConditionVariableBroadcast(&wch->space_cv);
}

/*
 * Free the channel and exit if nothing arrived meanwhile; returns if
 * something did.
 */
static void
maybe_exit_idle(void)
{
	bool		freed = false;

	LWLockAcquire(tsov_audit_shared->map_lock, LW_EXCLUSIVE);
	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	if (wch->write_pos == wch->read_pos)
	{
		wch->dbid = InvalidOid;
		wch->worker_pid = 0;
		wch->worker_latch = NULL;
		strlcpy(wch->state, "idle", sizeof(wch->state));
		freed = true;
	}
	LWLockRelease(wch->lock);
	LWLockRelease(tsov_audit_shared->map_lock);
	if (freed)
		proc_exit(0);
}

/* ---- chain hashing ---- */

static void
hash_u64(pg_cryptohash_ctx *ctx, uint64 v)
{
	uint8		b[8];

	for (int i = 7; i >= 0; i--)
	{
		b[i] = v & 0xff;
		v >>= 8;
	}
	pg_cryptohash_update(ctx, b, 8);
}

static void
hash_str(pg_cryptohash_ctx *ctx, const char *s)
{
	if (s == NULL)
		hash_u64(ctx, UINT64CONST(0xFFFFFFFFFFFFFFFF));
	else
	{
		size_t		len = strlen(s);

		hash_u64(ctx, len);
		pg_cryptohash_update(ctx, (const uint8 *) s, len);
	}
}

/*
 * SHA-256 of a row's canonical content.  The encoding is binary and
 * independent of DateStyle, TimeZone, bytea_output and the like: integers
 * big-endian, strings length-prefixed (NULL distinct from empty).  Version
 * tag first, so that a future format can coexist.
 */
void
tsov_audit_hash_row(pg_cryptohash_ctx *ctx, const TsovAuditRow *row, uint8 *out)
{
	static const char tag[] = "tec_sovereignty audit v1";

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_update(ctx, (const uint8 *) tag, sizeof(tag));
	hash_str(ctx, row->chain_domain);
	hash_str(ctx, row->chain_origin);
	hash_u64(ctx, (uint64) row->chain_seq);
	pg_cryptohash_update(ctx, row->prev_hash, TSOV_HASH_LEN);
	hash_u64(ctx, (uint64) row->logged_at);
	hash_u64(ctx, row->fxid);
	hash_u64(ctx, (uint64) (uint32) row->pid);
	hash_u64(ctx, (uint64) row->object_oid);
	hash_str(ctx, row->decision);
	for (int i = 0; i < TSOV_NFIELDS; i++)
		hash_str(ctx, row->str[i]);
	if (pg_cryptohash_final(ctx, out, TSOV_HASH_LEN) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
}

/* ---- heads ---- */

static void
load_heads(void)
{
	HASHCTL		ctl;
	Datum		arg[1];
	Oid			argtypes[1] = {TEXTOID};
	bool		isnull;
	int64		maxlog;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(ChainHead);
	heads = hash_create("tec_sovereignty chain heads", 64, &ctl, HASH_ELEM | HASH_STRINGS);

	arg[0] = CStringGetTextDatum(origin);
	if (SPI_execute_with_args("SELECT chain_domain, last_seq, last_hash FROM tec_sovereignty.audit_chain"
							  " WHERE chain_origin OPERATOR(pg_catalog.=) $1",
							  1, argtypes, arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the audit chain heads");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *dom = TextDatumGetCString(SPI_getbinval(t, d, 1, &isnull));
		ChainHead  *h;
		bytea	   *hb;

		h = hash_search(heads, dom, HASH_ENTER, NULL);
		h->seq = DatumGetInt64(SPI_getbinval(t, d, 2, &isnull));
		hb = DatumGetByteaPP(SPI_getbinval(t, d, 3, &isnull));
		if (VARSIZE_ANY_EXHDR(hb) != TSOV_HASH_LEN)
			elog(ERROR, "audit chain head of domain \"%s\" has a malformed hash", dom);
		memcpy(h->hash, VARDATA_ANY(hb), TSOV_HASH_LEN);
		h->dirty = false;
	}

	if (SPI_execute("SELECT pg_catalog.max(x) FROM ("
					" SELECT pg_catalog.max(seq) FROM tec_sovereignty.audit_log"
					" UNION ALL SELECT pg_catalog.max(last_log_seq) FROM tec_sovereignty.audit_chain) s(x)",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the last audit sequence number");
	maxlog = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	next_seq = isnull ? 1 : maxlog + 1;
}

static void
save_heads(void)
{
	HASH_SEQ_STATUS st;
	ChainHead  *h;

	if (head_plan == NULL)
	{
		Oid			types[5] = {TEXTOID, TEXTOID, INT8OID, BYTEAOID, INT8OID};

		head_plan = SPI_prepare("INSERT INTO tec_sovereignty.audit_chain AS h"
								" (chain_domain, chain_origin, last_seq, last_hash, last_log_seq)"
								" VALUES ($1, $2, $3, $4, $5)"
								" ON CONFLICT (chain_domain, chain_origin) DO UPDATE"
								" SET last_seq = EXCLUDED.last_seq, last_hash = EXCLUDED.last_hash,"
								" last_log_seq = EXCLUDED.last_log_seq",
								5, types);
		if (head_plan == NULL || SPI_keepplan(head_plan) != 0)
			elog(ERROR, "could not prepare the audit chain head update");
	}
	hash_seq_init(&st, heads);
	while ((h = hash_seq_search(&st)) != NULL)
	{
		Datum		v[5];
		bytea	   *hb;

		if (!h->dirty)
			continue;
		hb = palloc(VARHDRSZ + TSOV_HASH_LEN);
		SET_VARSIZE(hb, VARHDRSZ + TSOV_HASH_LEN);
		memcpy(VARDATA(hb), h->hash, TSOV_HASH_LEN);
		v[0] = CStringGetTextDatum(h->domain);
		v[1] = CStringGetTextDatum(origin);
		v[2] = Int64GetDatum(h->seq);
		v[3] = PointerGetDatum(hb);
		v[4] = Int64GetDatum(next_seq - 1);
		if (SPI_execute_plan(head_plan, v, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not update the audit chain head");
		h->dirty = false;
	}
}

/*
 * Fill in what a log-hook event could not know without catalog access:
 * user names, the actor's domain, the object's domain from its schema.
 */
static void
resolve_hook_event(TsovAuditRow *row, const TsovAuditRecord *rec)
{
	Oid			t1[1] = {OIDOID};
	Oid			t2[1] = {TEXTOID};
	Datum		a[1];
	bool		isnull;

	if (row->str[TSOV_F_SESSION_USER] == NULL)
		row->str[TSOV_F_SESSION_USER] = GetUserNameFromId(rec->session_user_id, true);
	if (row->str[TSOV_F_EFFECTIVE_USER] == NULL)
		row->str[TSOV_F_EFFECTIVE_USER] = GetUserNameFromId(rec->effective_user_id, true);
	if (row->str[TSOV_F_ACTOR_DOMAIN] == NULL)
	{
		a[0] = ObjectIdGetDatum(rec->effective_user_id);
		if (SPI_execute_with_args("SELECT domain FROM tec_sovereignty.role_domains($1) LIMIT 1",
								  1, t1, a, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				row->str[TSOV_F_ACTOR_DOMAIN] = TextDatumGetCString(d);
		}
	}
	if (row->str[TSOV_F_OBJECT_DOMAIN] == NULL && row->str[TSOV_F_OBJECT_SCHEMA] != NULL)
	{
		a[0] = CStringGetTextDatum(row->str[TSOV_F_OBJECT_SCHEMA]);
		if (SPI_execute_with_args("SELECT name FROM tec_sovereignty.domain"
								  " WHERE schema_name OPERATOR(pg_catalog.=) $1::name",
								  1, t2, a, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				row->str[TSOV_F_OBJECT_DOMAIN] = TextDatumGetCString(d);
		}
	}
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

static Oid
audit_relid(void)
{
	Oid			nsp = get_namespace_oid(TSOV_SCHEMA, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("audit_log", nsp);
}

/*
 * Write records[0..n) in the current transaction.
 */
static void
write_batch(Relation rel, TsovAuditRecord **recs, int n, pg_cryptohash_ctx *ctx)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bis = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	TupleDesc	desc = RelationGetDescr(rel);
	bool		any_hook = false;

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);

	for (int i = 0; i < n && !any_hook; i++)
		any_hook = (recs[i]->flags & TSOV_RECF_LOGHOOK) != 0;
	if (any_hook && SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");

	for (int i = 0; i < n; i++)
	{
		TsovAuditRecord *rec = recs[i];
		TupleTableSlot *slot = slots[i];
		Datum	   *v;
		bool	   *nl;
		TsovAuditRow row;
		const char *p = rec->data;
		ChainHead  *h;
		bool		found;
		uint8		hash[TSOV_HASH_LEN];
		bytea	   *prevb,
				   *hashb;
		static const uint8 zero[TSOV_HASH_LEN];

		memset(&row, 0, sizeof(row));
		for (int f = 0; f < TSOV_NFIELDS; f++)
		{
			if (rec->slen[f] == 0)
				row.str[f] = NULL;
			else
			{
				row.str[f] = p;
				p += rec->slen[f];
			}
		}
		if (rec->flags & TSOV_RECF_LOGHOOK)
			resolve_hook_event(&row, rec);
		if (row.str[TSOV_F_SESSION_USER] == NULL)
			row.str[TSOV_F_SESSION_USER] = GetUserNameFromId(rec->session_user_id, true);
		if (row.str[TSOV_F_EFFECTIVE_USER] == NULL)
			row.str[TSOV_F_EFFECTIVE_USER] = GetUserNameFromId(rec->effective_user_id, true);

		row.logged_at = rec->ts;
		row.fxid = rec->fxid;
		row.pid = rec->pid;
		row.object_oid = rec->object_oid;
		row.decision = tsov_audit_decision_name(rec->decision);
		row.chain_domain = row.str[TSOV_F_OBJECT_DOMAIN] ? row.str[TSOV_F_OBJECT_DOMAIN] : "";
		row.chain_origin = origin;

		h = hash_search(heads, row.chain_domain, HASH_ENTER, &found);
		if (!found)
		{
			h->seq = 0;
			memcpy(h->hash, zero, TSOV_HASH_LEN);
		}
		row.chain_seq = h->seq + 1;
		row.prev_hash = h->hash;
		tsov_audit_hash_row(ctx, &row, hash);

		prevb = palloc(VARHDRSZ + TSOV_HASH_LEN);
		SET_VARSIZE(prevb, VARHDRSZ + TSOV_HASH_LEN);
		memcpy(VARDATA(prevb), h->hash, TSOV_HASH_LEN);
		hashb = palloc(VARHDRSZ + TSOV_HASH_LEN);
		SET_VARSIZE(hashb, VARHDRSZ + TSOV_HASH_LEN);
		memcpy(VARDATA(hashb), hash, TSOV_HASH_LEN);
		h->seq = row.chain_seq;
		memcpy(h->hash, hash, TSOV_HASH_LEN);
		h->dirty = true;

		ExecClearTuple(slot);
		v = slot->tts_values;
		nl = slot->tts_isnull;
		memset(nl, 0, sizeof(bool) * desc->natts);
		v[0] = Int64GetDatum(next_seq++);
		v[1] = TimestampTzGetDatum(rec->ts);
		v[2] = FullTransactionIdGetDatum(FullTransactionIdFromU64(rec->fxid));
		nl[2] = (rec->fxid == 0);
		v[3] = Int32GetDatum(rec->pid);
		v[4] = text_or_null(row.str[TSOV_F_SESSION_USER], &nl[4]);
		v[5] = text_or_null(row.str[TSOV_F_EFFECTIVE_USER], &nl[5]);
		v[6] = text_or_null(row.str[TSOV_F_ACTOR_DOMAIN], &nl[6]);
		v[7] = text_or_null(row.str[TSOV_F_OBJECT_DOMAIN], &nl[7]);
		v[8] = text_or_null(row.str[TSOV_F_OBJECT_SCHEMA], &nl[8]);
		v[9] = text_or_null(row.str[TSOV_F_OBJECT_NAME], &nl[9]);
		v[10] = ObjectIdGetDatum(rec->object_oid);
		nl[10] = !OidIsValid(rec->object_oid);
		v[11] = text_or_null(row.str[TSOV_F_ACTION], &nl[11]);
		v[12] = CStringGetTextDatum(row.decision);
		v[13] = text_or_null(row.str[TSOV_F_REASON], &nl[13]);
		v[14] = text_or_null(row.str[TSOV_F_VIA_API], &nl[14]);
		v[15] = text_or_null(row.str[TSOV_F_CLIENT_ADDR], &nl[15]);
		v[16] = text_or_null(row.str[TSOV_F_APPLICATION_NAME], &nl[16]);
		v[17] = text_or_null(row.str[TSOV_F_STATEMENT], &nl[17]);
		v[18] = CStringGetTextDatum(row.chain_domain);
		v[19] = CStringGetTextDatum(origin);
		v[20] = Int64GetDatum(row.chain_seq);
		v[21] = PointerGetDatum(prevb);
		v[22] = PointerGetDatum(hashb);
		ExecStoreVirtualTuple(slot);
	}
	if (any_hook)
		SPI_finish();

	table_multi_insert(rel, slots, n, cid, 0, bis);
	for (int i = 0; i < n; i++)
	{
		if (rri->ri_NumIndices > 0)
		{
			List	   *r = ExecInsertIndexTuples(rri, slots[i], estate, false, false, NULL, NIL);

			list_free(r);
		}
		ExecClearTuple(slots[i]);
	}
	FreeBulkInsertState(bis);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

static void
check_columns(Relation rel)
{
	TupleDesc	d = RelationGetDescr(rel);

	if (d->natts != TSOV_AUDIT_NATTS)
		elog(ERROR, "tec_sovereignty.audit_log has %d columns, expected %d", d->natts, TSOV_AUDIT_NATTS);
	for (int i = 0; i < TSOV_AUDIT_NATTS; i++)
		if (strcmp(NameStr(TupleDescAttr(d, i)->attname), audit_columns[i]) != 0)
			elog(ERROR, "column %d of tec_sovereignty.audit_log is \"%s\", expected \"%s\"",
				 i + 1, NameStr(TupleDescAttr(d, i)->attname), audit_columns[i]);
}

/*
 * Take the complete records at the head of the ring (at most a batch),
 * write them in one transaction and publish them as durable.  Returns the
 * number of records handled.
 */
static int
process_batch(MemoryContext batchcxt)
{
	static TsovAuditRecord *recs[TSOV_BATCH_MAX];
	uint64		pos,
				wpos;
	int			n = 0;
	int			discarded = 0;
	XLogRecPtr	commit_lsn = InvalidXLogRecPtr;
	pg_cryptohash_ctx *ctx;

	LWLockAcquire(wch->lock, LW_SHARED);
	pos = wch->read_pos;
	wpos = wch->write_pos;
	LWLockRelease(wch->lock);
	if (pos == wpos)
		return 0;

	while (pos < wpos && n < TSOV_BATCH_MAX)
	{
		uint64		rp;
		TsovAuditRecord *r = tsov_audit_rec_at(wch, pos, &rp);

		if (rp >= wpos)
		{
			pos = rp;
			break;
		}
		if (pg_atomic_read_u64(&r->stamp) != rp + 1)
			break;
		pg_read_barrier();
		if (r->kind == TSOV_REC_EVENT)
			recs[n++] = r;
		pos = rp + r->len;
	}
	if (pos == wch->read_pos)
		return 0;

	if (n > 0)
	{
		Oid			relid;
		MemoryContext old = MemoryContextSwitchTo(batchcxt);

		set_state("writing");
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "writing audit events");

		relid = audit_relid();
		if (!OidIsValid(relid))
			discarded = n;	/* extension not installed in this database */
		else
		{
			Relation	rel = table_open(relid, RowExclusiveLock);

			check_columns(rel);
			if (slots == NULL || slots_rel != relid)
			{
				MemoryContext o2 = MemoryContextSwitchTo(TopMemoryContext);

				/* an unpinned copy: the slots outlive the transaction */
				TupleDesc	copy = CreateTupleDescCopy(RelationGetDescr(rel));

				slots = palloc(sizeof(TupleTableSlot *) * TSOV_BATCH_MAX);
				for (int i = 0; i < TSOV_BATCH_MAX; i++)
					slots[i] = MakeSingleTupleTableSlot(copy, &TTSOpsVirtual);
				slots_rel = relid;
				MemoryContextSwitchTo(o2);
			}
			if (heads == NULL)
			{
				if (SPI_connect() != SPI_OK_CONNECT)
					elog(ERROR, "could not connect to SPI");
				load_heads();
				SPI_finish();
			}
			/* owned by the transaction's resource owner: created per batch */
			ctx = pg_cryptohash_create(PG_SHA256);
			if (ctx == NULL)
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			write_batch(rel, recs, n, ctx);
			pg_cryptohash_free(ctx);
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "could not connect to SPI");
			save_heads();
			SPI_finish();
			table_close(rel, NoLock);
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
		/* end of our commit record; 0 when nothing was written */
		commit_lsn = XactLastCommitEnd;
		pgstat_report_activity(STATE_IDLE, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(batchcxt);
	}

	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	wch->read_pos = pos;
	wch->committed_pos = pos;
	if (commit_lsn > wch->committed_lsn)
		wch->committed_lsn = commit_lsn;
	wch->c.events_written += n - discarded;
	wch->c.events_discarded += discarded;
	wch->c.batches++;
	wch->c.last_flush = GetCurrentTimestamp();
	strlcpy(wch->state, "waiting", sizeof(wch->state));
	LWLockRelease(wch->lock);
	ConditionVariableBroadcast(&wch->durable_cv);
	ConditionVariableBroadcast(&wch->space_cv);
	return Max(n, 1);
}

void
tsov_audit_worker_main(Datum arg)
{
	Oid			dbid;
	MemoryContext batchcxt;
	TimestampTz idle_since;

	wchannel = DatumGetInt32(arg);
	memcpy(&dbid, MyBgworkerEntry->bgw_extra, sizeof(Oid));
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	wch = &tsov_audit_shared->channels[wchannel];
	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	if (wch->dbid != dbid || wch->worker_pid != 0)
	{
		/* another writer got there first, or the channel moved on */
		if (wch->dbid != dbid)
			wch->worker_launching = false;
		LWLockRelease(wch->lock);
		proc_exit(0);
	}
	wch->worker_pid = MyProcPid;
	wch->worker_latch = MyLatch;
	wch->worker_launching = false;
	wch->c.worker_starts++;
	strlcpy(wch->state, "starting", sizeof(wch->state));
	LWLockRelease(wch->lock);
	before_shmem_exit(worker_cleanup, (Datum) 0);

	/* a database that refuses new connections still has its trail written */
	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, BGWORKER_BYPASS_ALLOWCONN);

	/* Our own writes: never audited, never refused by our guards. */
	tsov_internal_depth = 1;
	tsov_audit_self_depth = 1;
	/*
	 * Commit asynchronously: nobody needs our commit flushed by us.  A
	 * backend that waits at PRE_COMMIT is made durable by its own commit's
	 * flush, which covers ours since it comes later in WAL; whoever needs
	 * the rows durable at once (denials, tec_audit_flush) flushes up to the
	 * published committed_lsn itself; reads are flushed by the WAL writer
	 * (see the header comment).  That saves a writer backend's commit one
	 * of its two sequential disk syncs.
	 */
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("tec_sovereignty.audit", "none", PGC_SUSET, PGC_S_OVERRIDE);

	snprintf(origin, sizeof(origin), UINT64_FORMAT "/%u", GetSystemIdentifier(), MyDatabaseId);
	batchcxt = AllocSetContextCreate(TopMemoryContext, "tec_sovereignty audit batch",
									 ALLOCSET_DEFAULT_SIZES);
	set_state("waiting");

	idle_since = GetCurrentTimestamp();
	for (;;)
	{
		long		timeout;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			tsov_internal_depth = 1;
		}
		if (process_batch(batchcxt) > 0)
		{
			idle_since = GetCurrentTimestamp();

			/*
			 * Pace the batches while nobody waits.  Each batch costs a
			 * transaction and a commit, and under a read-only load the
			 * loop would otherwise commit whatever arrived during the
			 * previous batch, dozens of times a second.  Reads may lag by
			 * audit_max_delay, so let them accumulate for half of it.
			 * Never while someone waits (a commit that wrote, a denial,
			 * tec_audit_flush): waiters count themselves in ch->waiters
			 * before setting our latch, so either we see the count here,
			 * or their SetLatch comes after this read and ends the sleep
			 * at once; no wake-up can be lost.  Producers also set the
			 * latch when the ring is an eighth full, and back-pressure
			 * waiters when it is full.
			 */
			if (pg_atomic_read_u32(&wch->waiters) == 0)
				(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
								 Max(tsov_audit_max_delay / 2, 1), PG_WAIT_EXTENSION);
			continue;
		}
		if (TimestampDifferenceExceeds(idle_since, GetCurrentTimestamp(), tsov_audit_worker_idle))
		{
			maybe_exit_idle();
			idle_since = GetCurrentTimestamp();
			continue;
		}
		timeout = Min(tsov_audit_worker_idle, tsov_audit_max_delay);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 timeout, PG_WAIT_EXTENSION);
	}
}
