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
 * Memory.  ring -> batch -> chain -> table_multi_insert -> commit: every
 * value a batch's rows point to is allocated in one context, the batch
 * context, which is reset only once the batch's transaction has committed
 * or aborted.  The lookups of log-hook events run through SPI first, and
 * what they find is copied into the batch context before SPI_finish().
 *
 * The failure model: no event, whatever its size or content, can stop the
 * writer, and none is ever dropped.  The writer catches its own errors
 * (process_batch): the transaction is aborted, the chain heads reloaded,
 * and the batch stays at the head of the ring.  An environmental error
 * (lock timeout, resources, I/O; error_is_environmental) is retried as it
 * is after a back-off (100 ms doubling to 10 s, interruptible).  Any other
 * error may come from one event: the batch's records are then written one
 * per transaction, and the one that fails twice is written as a
 * quarantined row (audit_log.quarantine says why), first with its fields
 * cut to small limits, then with its free text withheld (hashed); only
 * when even that fails is the environment blamed and the writer backs off.
 * A writer that exits on an error anyway (FATAL, SIGTERM) leaves the
 * batch in the ring for the next one, which tsov_audit_ensure_worker
 * starts only after the back-off.  Failures, restarts and the last error
 * are in shared memory (audit_stats); commits waiting for a failing writer
 * are refused after audit_fail_timeout (tsov_audit_wait_durable).
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
#include "mb/pg_wchar.h"
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

#include "common/tsov.h"
#include "common/state.h"
#include "audit/internal.h"

#define TSOV_BATCH_MAX 8192
#define TSOV_AUDIT_NATTS 24

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
	"statement", "chain_domain", "chain_origin", "chain_seq", "prev_hash", "row_hash",
	"quarantine"
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
		static TimestampTz last_said = 0;
		TimestampTz now = GetCurrentTimestamp();

		/*
		 * No writer is a failing writer: from now on a commit that waits for
		 * its audit rows is refused after audit_fail_timeout (fail closed)
		 * rather than waiting for a slot forever, and audit_stats says why.
		 * The first batch a writer gets through clears it.
		 */
		LWLockAcquire(ch->lock, LW_EXCLUSIVE);
		ch->worker_launching = false;
		if (ch->dbid == dbid)
		{
			if (ch->failing_since == 0)
				ch->failing_since = now;
			ch->last_error_at = now;
			strlcpy(ch->last_error,
					"53000: no free background worker slot to start the audit writer (max_worker_processes)",
					sizeof(ch->last_error));
		}
		LWLockRelease(ch->lock);

		/*
		 * The DBA's problem, not the client's: a session whose own work
		 * touches no domain (a denial PostgreSQL raised, recorded outside
		 * any domain) must not see a WARNING PostgreSQL would not give.  A
		 * wait that cannot end for want of a writer fails closed with its
		 * own error.  Every waiter retries, so say it at most every 10 s
		 * per backend.
		 */
		if (last_said == 0 || TimestampDifferenceExceeds(last_said, now, 10000))
		{
			last_said = now;
			ereport(LOG,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("could not start the audit writer for database %u: no free background worker slot", dbid),
					 errdetail("Parallel workers and other extensions' workers share max_worker_processes (%d) with the audit writers.",
							   max_worker_processes),
					 errhint("Raise max_worker_processes above max_parallel_workers plus tec_sovereignty.audit_max_databases; events wait in the queue until a writer runs.")));
		}
	}
}

static long backoff_ms(int streak);

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
		if (code != 0)
		{
			TimestampTz now = GetCurrentTimestamp();

			/* no restart before the back-off (tsov_audit_ensure_worker) */
			wch->c.worker_failures++;
			wch->fail_streak++;
			wch->exit_streak++;
			if (wch->failing_since == 0)
				wch->failing_since = now;
			/*
			 * Paced by the exits alone: a writer stopped once (SIGTERM) is
			 * back in 100 ms even if it was backing off from a long streak
			 * of failed batches; one that keeps dying waits up to 10 s.
			 */
			wch->retry_at = TimestampTzPlusMilliseconds(now, backoff_ms(wch->exit_streak));
		}
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
		wch->fail_streak = wch->exit_streak = 0;
		wch->failing_since = wch->retry_at = 0;
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

	/*
	 * A quarantined row's marker is covered too, so that it can be neither
	 * removed nor forged.  Only when set: the hash of every ordinary row
	 * (and of every row written before quarantine existed) is unchanged.
	 */
	if (row->quarantine != NULL)
	{
		static const char qtag[] = "quarantine";

		pg_cryptohash_update(ctx, (const uint8 *) qtag, sizeof(qtag));
		hash_str(ctx, row->quarantine);
	}
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

/* ---- building the rows of a batch ---- */

/*
 * Limits of a quarantined row's fields (bytes, cut on a character
 * boundary): small enough that the whole row fits in one heap page even
 * with no compression and no TOAST (12 text fields: 2048 + 1024 + 10 x 256
 * bytes), so that nothing in a field's size can stop it from being
 * written.  Documented in the README ("Operating it").
 */
#define TSOV_QUAR_STATEMENT_MAX 2048
#define TSOV_QUAR_REASON_MAX	1024
#define TSOV_QUAR_FIELD_MAX		256
#define TSOV_QUAR_NOTE_MAX		1024

/*
 * How hard the record at the head of the ring is being pushed through.
 * TSOV_WRITE_NORMAL: as it is.  TSOV_WRITE_CUT: quarantined, every field cut
 * to the limits above.  TSOV_WRITE_WITHHELD: quarantined, the free-text
 * fields (statement, reason, object name, API, client, application)
 * replaced by the SHA-256 of their content in the marker; what is left are
 * names of at most NAMEDATALEN - 1 bytes, the action and the numbers.
 */
typedef enum WriteLevel
{
	TSOV_WRITE_NORMAL,
	TSOV_WRITE_CUT,
	TSOV_WRITE_WITHHELD
} WriteLevel;

static const char *const field_names[TSOV_NFIELDS] = {
	"action", "actor_domain", "object_domain", "object_schema", "object_name",
	"reason", "via_api", "client_addr", "application_name", "statement",
	"session_user_name", "effective_user_name"
};

/*
 * One row of a batch, as it is built.  Everything it points to lives in
 * the batch context (or in the ring, which the writer alone consumes and
 * which is not overwritten before the batch is published), so it stays
 * valid until the insert is done.
 */
typedef struct BatchItem
{
	TsovAuditRecord *rec;
	const char *str[TSOV_NFIELDS];
	const char *decision;
	StringInfoData note;		/* quarantine marker; len 0: none */
} BatchItem;

static void
add_note(BatchItem *it, const char *fmt,...) pg_attribute_printf(2, 3);

/*
 * Append to the row's quarantine marker.  Not cut here (a cut in the
 * middle of a character would be invalid text): write_batch cuts the
 * whole marker to TSOV_QUAR_NOTE_MAX on a character boundary.
 */
static void
add_note(BatchItem *it, const char *fmt,...)
{
	if (it->note.data == NULL)
		initStringInfo(&it->note);
	if (it->note.len > 0)
		appendStringInfoString(&it->note, "; ");
	for (;;)
	{
		va_list		ap;
		int			needed;

		va_start(ap, fmt);
		needed = appendStringInfoVA(&it->note, fmt, ap);
		va_end(ap);
		if (needed == 0)
			break;
		enlargeStringInfo(&it->note, needed);
	}
}

/* s cut to max bytes on a character boundary (a copy when cut). */
static const char *
cut_field(BatchItem *it, int f, const char *s, int max)
{
	int			len;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (len <= max)
		return s;
	len = pg_mbcliplen(s, len, max);
	add_note(it, "%s cut from %zu to %d bytes", field_names[f], strlen(s), len);
	return pnstrdup(s, len);
}

/*
 * Unpack a ring record into it->str, checking that it is well-formed:
 * the string lengths fit in the record and each string ends where its
 * length says, the decision is known, every string is valid in the
 * database encoding.  What is not is left out or cut, with a note (which
 * quarantines the row): a damaged record must never stop the writer nor be
 * lost.  Runs in the batch context.
 */
static void
unpack_record(BatchItem *it, TsovAuditRecord *rec)
{
	const char *p = rec->data;
	Size		room = rec->len > TSOV_REC_HDRSZ ? rec->len - TSOV_REC_HDRSZ : 0;
	Size		need = 0;
	int			enc = GetDatabaseEncoding();

	memset(it, 0, sizeof(*it));
	it->rec = rec;
	for (int f = 0; f < TSOV_NFIELDS; f++)
		need += rec->slen[f];
	if (need > room)
	{
		add_note(it, "malformed queue record: %zu bytes of fields in a record of %zu", need, room);
		for (int f = 0; f < TSOV_NFIELDS; f++)
			it->str[f] = NULL;
	}
	else
	{
		for (int f = 0; f < TSOV_NFIELDS; f++)
		{
			int			slen = rec->slen[f];
			int			valid;

			if (slen == 0)
				continue;
			if (p[slen - 1] != '\0' || strlen(p) != (size_t) (slen - 1))
			{
				add_note(it, "%s malformed in the queue record, left out", field_names[f]);
				p += slen;
				continue;
			}
			valid = pg_encoding_verifymbstr(enc, p, slen - 1);
			if (valid < slen - 1)
			{
				add_note(it, "%s has an invalid byte sequence at byte %d, cut there", field_names[f], valid);
				it->str[f] = pnstrdup(p, valid);
			}
			else
				it->str[f] = p;
			p += slen;
		}
	}
	if (rec->decision > TSOV_SIMULATED)
	{
		add_note(it, "unrecognized decision %d", rec->decision);
		it->decision = "unknown";
	}
	else
		it->decision = tsov_audit_decision_name(rec->decision);
	if (it->str[TSOV_F_ACTION] == NULL)
	{
		if (it->note.len > 0)
			it->str[TSOV_F_ACTION] = "UNKNOWN";	/* NOT NULL column */
	}
}

/*
 * Is this error about the environment (locks, resources, shutdown, a
 * missing relation), so that the same batch will be written once the cause
 * is gone, rather than about the content of one event?  Environmental
 * failures are retried with back-off as they are; any other error is
 * suspected to come from an event: the batch is split to find it.
 */
static bool
error_is_environmental(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_CONNECTION_EXCEPTION:	/* 08 */
		case ERRCODE_INVALID_TRANSACTION_STATE: /* 25 */
		case ERRCODE_TRANSACTION_ROLLBACK:	/* 40: serialization, deadlock */
		case ERRCODE_INSUFFICIENT_RESOURCES:	/* 53: disk full, out of memory */
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:	/* 55: lock not available */
		case ERRCODE_OPERATOR_INTERVENTION: /* 57: cancel, lock/statement timeout */
		case ERRCODE_SYSTEM_ERROR:	/* 58: I/O */
			return true;
		default:
			return sqlerrcode == ERRCODE_UNDEFINED_TABLE;
	}
}

/*
 * Resolve what a log-hook event could not know without catalog access:
 * user names, the actor's domain, the object's domain from its schema.
 * Runs with SPI connected (CurrentMemoryContext is SPI's procedure
 * context, freed by SPI_finish): every result kept is copied into cxt,
 * the batch context.
 */
static void
resolve_hook_event(BatchItem *it, MemoryContext cxt)
{
	TsovAuditRecord *rec = it->rec;
	Oid			t1[1] = {OIDOID};
	Oid			t2[1] = {TEXTOID};
	Datum		a[1];
	bool		isnull;
	char	   *n;

	if (it->str[TSOV_F_SESSION_USER] == NULL &&
		(n = GetUserNameFromId(rec->session_user_id, true)) != NULL)
		it->str[TSOV_F_SESSION_USER] = MemoryContextStrdup(cxt, n);
	if (it->str[TSOV_F_EFFECTIVE_USER] == NULL &&
		(n = GetUserNameFromId(rec->effective_user_id, true)) != NULL)
		it->str[TSOV_F_EFFECTIVE_USER] = MemoryContextStrdup(cxt, n);
	if (it->str[TSOV_F_ACTOR_DOMAIN] == NULL)
	{
		a[0] = ObjectIdGetDatum(rec->effective_user_id);
		if (SPI_execute_with_args("SELECT domain FROM tec_sovereignty.role_domains($1) LIMIT 1",
								  1, t1, a, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				it->str[TSOV_F_ACTOR_DOMAIN] = MemoryContextStrdup(cxt, TextDatumGetCString(d));
		}
	}
	if (it->str[TSOV_F_OBJECT_DOMAIN] == NULL && it->str[TSOV_F_OBJECT_SCHEMA] != NULL)
	{
		a[0] = CStringGetTextDatum(it->str[TSOV_F_OBJECT_SCHEMA]);
		if (SPI_execute_with_args("SELECT name FROM tec_sovereignty.domain"
								  " WHERE schema_name OPERATOR(pg_catalog.=) $1::name",
								  1, t2, a, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				it->str[TSOV_F_OBJECT_DOMAIN] = MemoryContextStrdup(cxt, TextDatumGetCString(d));
		}
	}
}

/*
 * Resolve every log-hook event of the batch, each in its own
 * subtransaction: an event whose lookups fail is kept with the fields it
 * has and a note (a quarantined row), unless the failure is environmental
 * (a lock timeout, say), which fails the whole attempt to be retried.
 */
static void
resolve_hook_events(BatchItem *items, int n, MemoryContext cxt)
{
	bool		any = false;

	for (int i = 0; i < n && !any; i++)
		any = (items[i].rec->flags & TSOV_RECF_LOGHOOK) != 0;
	if (!any)
		return;

	set_state("resolving");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	for (int i = 0; i < n; i++)
	{
		ResourceOwner owner = CurrentResourceOwner;
		MemoryContext spicxt = CurrentMemoryContext;

		if (!(items[i].rec->flags & TSOV_RECF_LOGHOOK))
			continue;
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(spicxt);
		PG_TRY();
		{
			resolve_hook_event(&items[i], cxt);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(spicxt);
			CurrentResourceOwner = owner;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(spicxt);
			CurrentResourceOwner = owner;
			if (error_is_environmental(edata->sqlerrcode))
				ReThrowError(edata);
			{
				MemoryContext o = MemoryContextSwitchTo(cxt);

				add_note(&items[i], "could not resolve the log-hook event: %s", edata->message);
				MemoryContextSwitchTo(o);
			}
		}
		PG_END_TRY();
	}
	SPI_finish();
}

/*
 * Cut a row to be quarantined to the limits of its level, and say so in
 * its note.  Runs in the batch context.
 */
static void
apply_level(BatchItem *it, WriteLevel level, const char *why)
{
	static const int free_text[] = {TSOV_F_STATEMENT, TSOV_F_REASON, TSOV_F_OBJECT_NAME,
	TSOV_F_VIA_API, TSOV_F_CLIENT_ADDR, TSOV_F_APPLICATION_NAME};

	if (level == TSOV_WRITE_NORMAL)
		return;
	add_note(it, "could not be written as it was (%s)", why);
	if (level == TSOV_WRITE_WITHHELD)
	{
		pg_cryptohash_ctx *h = pg_cryptohash_create(PG_SHA256);
		uint8		d[TSOV_HASH_LEN];
		char		hex[TSOV_HASH_LEN * 2 + 1];

		if (h == NULL || pg_cryptohash_init(h) < 0)
			elog(ERROR, "could not initialize SHA-256");
		for (int k = 0; k < lengthof(free_text); k++)
		{
			const char *v = it->str[free_text[k]];

			hash_str(h, v);
			it->str[free_text[k]] = NULL;
		}
		if (pg_cryptohash_final(h, d, TSOV_HASH_LEN) < 0)
			elog(ERROR, "could not compute SHA-256");
		pg_cryptohash_free(h);
		hex_encode((const char *) d, TSOV_HASH_LEN, hex);
		hex[TSOV_HASH_LEN * 2] = '\0';
		add_note(it, "statement, reason, object_name, via_api, client_addr and application_name withheld (SHA-256 of them: %s)", hex);
		for (int f = 0; f < TSOV_NFIELDS; f++)
			it->str[f] = cut_field(it, f, it->str[f], NAMEDATALEN - 1);
		return;
	}
	for (int f = 0; f < TSOV_NFIELDS; f++)
		it->str[f] = cut_field(it, f, it->str[f],
							   f == TSOV_F_STATEMENT ? TSOV_QUAR_STATEMENT_MAX :
							   f == TSOV_F_REASON ? TSOV_QUAR_REASON_MAX :
							   TSOV_QUAR_FIELD_MAX);
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
 * Write records[0..n) in the current transaction.  level and why apply to
 * a batch of one record that failed before (the failure model, see
 * process_batch).  Returns the number of rows written as quarantined.
 *
 * Memory: everything the rows point to is allocated in CurrentMemoryContext,
 * the batch context, which the caller resets only after the transaction
 * has committed or aborted: the slots hold pointers into it until
 * table_multi_insert and the index insertions are done.  SPI (for the
 * log-hook lookups) runs and finishes before the first row is built.
 */
static int
write_batch(Relation rel, TsovAuditRecord **recs, int n, pg_cryptohash_ctx *ctx,
			WriteLevel level, const char *why)
{
	MemoryContext batchcxt = CurrentMemoryContext;
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bis = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	TupleDesc	desc = RelationGetDescr(rel);
	BatchItem  *items = palloc(sizeof(BatchItem) * n);
	int			nquarantined = 0;

	Assert(level == TSOV_WRITE_NORMAL || n == 1);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);

	for (int i = 0; i < n; i++)
		unpack_record(&items[i], recs[i]);
	resolve_hook_events(items, n, batchcxt);
	Assert(CurrentMemoryContext == batchcxt);
	set_state("writing");

	for (int i = 0; i < n; i++)
	{
		BatchItem  *it = &items[i];
		TsovAuditRecord *rec = it->rec;
		TupleTableSlot *slot = slots[i];
		Datum	   *v;
		bool	   *nl;
		TsovAuditRow row;
		ChainHead  *h;
		bool		found;
		uint8		hash[TSOV_HASH_LEN];
		bytea	   *prevb,
				   *hashb;
		static const uint8 zero[TSOV_HASH_LEN];

		if (it->str[TSOV_F_SESSION_USER] == NULL)
			it->str[TSOV_F_SESSION_USER] = GetUserNameFromId(rec->session_user_id, true);
		if (it->str[TSOV_F_EFFECTIVE_USER] == NULL)
			it->str[TSOV_F_EFFECTIVE_USER] = GetUserNameFromId(rec->effective_user_id, true);
		apply_level(it, level, why);
		if (it->note.len > TSOV_QUAR_NOTE_MAX)
			it->note.len = pg_mbcliplen(it->note.data, it->note.len, TSOV_QUAR_NOTE_MAX);
		if (it->note.len > 0)
		{
			it->note.data[it->note.len] = '\0';
			nquarantined++;
		}

		memset(&row, 0, sizeof(row));
		memcpy(row.str, it->str, sizeof(row.str));
		row.logged_at = rec->ts;
		row.fxid = rec->fxid;
		row.pid = rec->pid;
		row.object_oid = rec->object_oid;
		row.decision = it->decision;
		row.chain_domain = row.str[TSOV_F_OBJECT_DOMAIN] ? row.str[TSOV_F_OBJECT_DOMAIN] : "";
		row.chain_origin = origin;
		row.quarantine = it->note.len > 0 ? it->note.data : NULL;

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
		/* the heads are reloaded from the table if this transaction aborts */
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
		v[23] = text_or_null(row.quarantine, &nl[23]);
		ExecStoreVirtualTuple(slot);
	}

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
	return nquarantined;
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

/* ---- the failure model ---- */

/*
 * Back-off after the streak-th consecutive failure: 100 ms doubling up to
 * 10 s.  Bounded, so that the trail catches up soon after the cause goes
 * away; never zero, so that a cause that stays never turns into a tight
 * loop of transactions (or, for a writer that exits, of restarts).
 */
#define TSOV_BACKOFF_MIN_MS 100
#define TSOV_BACKOFF_MAX_MS 10000

static long
backoff_ms(int streak)
{
	long		ms = TSOV_BACKOFF_MIN_MS;

	for (int i = 1; i < streak && ms < TSOV_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return Min(ms, TSOV_BACKOFF_MAX_MS);
}

/*
 * Where the writer stands with the records at the head of the ring.  After
 * a batch fails on an error that may come from an event, the records up to
 * isolate_end are written one per transaction, to find the event; the
 * one that still fails is pushed through at rising levels (quarantined with
 * its fields cut, then with its free text withheld).  Only when even that
 * fails is the failure the environment's: back off and start over.
 */
static uint64 isolate_end = 0;
static WriteLevel head_level = TSOV_WRITE_NORMAL;
static int	head_attempts = 0;	/* failures of the head record at head_level */
static char head_error[TSOV_LAST_ERROR_LEN];

/* Count a failed attempt in shared memory; returns the back-off in ms. */
static long
note_failure(const char *what, bool backoff)
{
	TimestampTz now = GetCurrentTimestamp();
	long		ms;

	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	wch->c.batch_failures++;
	if (backoff)
		wch->fail_streak++;
	ms = backoff ? backoff_ms(wch->fail_streak) : 0;
	if (wch->failing_since == 0)
		wch->failing_since = now;
	wch->retry_at = TimestampTzPlusMilliseconds(now, ms);
	wch->last_error_at = now;
	strlcpy(wch->last_error, what, sizeof(wch->last_error));
	strlcpy(wch->state, backoff ? "backoff" : "isolating", sizeof(wch->state));
	LWLockRelease(wch->lock);
	return ms;
}

/*
 * After an attempt failed: the transaction is aborted, the in-memory chain
 * heads (advanced by the rows that were not written) are dropped to be
 * reloaded, and the next step is chosen.  n: records of the attempt; end:
 * ring position past them.  Returns the back-off (0: try the next step at
 * once).
 */
static long
handle_failure(ErrorData *edata, int n, uint64 end)
{
	char		what[TSOV_LAST_ERROR_LEN];
	bool		env = error_is_environmental(edata->sqlerrcode);
	long		ms;
	const char *next;

	{
		char	   *full = psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode),
									edata->message ? edata->message : "(no message)");
		int			len = pg_mbcliplen(full, strlen(full), sizeof(what) - 1);

		/* cut on a character boundary: it is shown as text in audit_stats */
		memcpy(what, full, len);
		what[len] = '\0';
		pfree(full);
	}
	if (heads != NULL)
	{
		hash_destroy(heads);
		heads = NULL;
	}

	/* from here on, one record per attempt until past this one */
	if (!env && isolate_end < end)
		isolate_end = end;
	if (!env && n > 1)
	{
		/* an event may be the cause: write them one by one to find it */
		head_level = TSOV_WRITE_NORMAL;
		head_attempts = 0;
		next = "writing them one by one to find the event that fails";
	}
	else if (!env && n == 1 && ++head_attempts < 2)
	{
		/*
		 * Once more at the same level first: a failure that comes and goes
		 * (the cause is not the event) should not get an event quarantined.
		 */
		next = "trying it once more";
	}
	else if (!env && n == 1 && head_level < TSOV_WRITE_WITHHELD)
	{
		head_level++;
		head_attempts = 0;
		strlcpy(head_error, what, sizeof(head_error));
		next = head_level == TSOV_WRITE_CUT ?
			"writing it as a quarantined row with its fields cut" :
			"writing it as a quarantined row with its free text withheld";
	}
	else
	{
		/* the environment (or even a minimal row fails): back off */
		isolate_end = 0;
		head_level = TSOV_WRITE_NORMAL;
		head_attempts = 0;
		next = NULL;
	}
	ms = note_failure(what, next == NULL);
	ereport(next ? LOG : WARNING,
			(errcode(edata->sqlerrcode),
			 errmsg("audit writer could not write %d audit event%s: %s",
					n, n == 1 ? "" : "s", edata->message ? edata->message : "(no message)"),
			 next ? errdetail("Retrying at once, %s.", next) :
			 errdetail("The events stay queued; retrying in %ld ms (failure %d in a row).",
					   ms, wch->fail_streak),
			 next ? 0 : errhint("Commits that wait for their audit rows are refused after tec_sovereignty.audit_fail_timeout; see tec_sovereignty.audit_stats.")));
	return ms;
}

/*
 * Take the complete records at the head of the ring (at most a batch; one
 * while isolating a failure), write them in one transaction and publish
 * them as committed.  Returns the number of records handled (0: nothing to
 * do); -1 when the attempt failed, with *backoff set to how long to wait
 * before the next one.
 *
 * Memory: batchcxt holds everything the batch builds, from the first field
 * to the last index entry, and is reset only once the transaction has
 * committed or aborted.  Errors are caught here: a writer failure never
 * takes the process down (a FATAL, e.g. SIGTERM, still ends it, with the
 * batch left in the ring for the next writer).
 */
static int
process_batch(MemoryContext batchcxt, long *backoff)
{
	static TsovAuditRecord *recs[TSOV_BATCH_MAX];
	uint64		pos,
				wpos,
				start;
	int			n = 0;
	int			max;
	volatile int discarded = 0;
	volatile int quarantined = 0;
	volatile XLogRecPtr commit_lsn = InvalidXLogRecPtr;
	MemoryContext old = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool failed = false;

	LWLockAcquire(wch->lock, LW_SHARED);
	start = pos = wch->read_pos;
	wpos = wch->write_pos;
	LWLockRelease(wch->lock);
	if (pos == wpos)
		return 0;
	if (pos >= isolate_end)
	{
		isolate_end = 0;
		head_level = TSOV_WRITE_NORMAL;
		head_attempts = 0;
	}
	max = isolate_end > 0 ? 1 : TSOV_BATCH_MAX;

	while (pos < wpos && n < max)
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
	if (pos == start)
		return 0;

	if (n > 0)
	{
		Assert(head_level == TSOV_WRITE_NORMAL || n == 1);
		MemoryContextSwitchTo(batchcxt);
		PG_TRY();
		{
			Oid			relid;

			set_state(head_level != TSOV_WRITE_NORMAL ? "quarantining" : "writing");
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
				pg_cryptohash_ctx *ctx;

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
				quarantined = write_batch(rel, recs, n, ctx, head_level, head_error);
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
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			/* out of the batch context, which is reset below */
			MemoryContextSwitchTo(old);
			edata = CopyErrorData();
			FlushErrorState();
			AbortCurrentTransaction();
			CurrentResourceOwner = owner;
			MemoryContextSwitchTo(old);
			*backoff = handle_failure(edata, n, pos);
			FreeErrorData(edata);
			failed = true;
		}
		PG_END_TRY();
		pgstat_report_activity(STATE_IDLE, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(batchcxt);
		if (failed)
			return -1;
		if (quarantined > 0)
			ereport(WARNING,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("audit writer wrote %d audit event%s as quarantined row%s",
							quarantined, quarantined == 1 ? "" : "s", quarantined == 1 ? "" : "s"),
					 errdetail("A quarantined row keeps its place in its hash chain; its column \"quarantine\" says what was cut or withheld and why."),
					 errhint("See the view tec_sovereignty.audit_quarantined.")));
		head_level = TSOV_WRITE_NORMAL;
		head_attempts = 0;
	}

	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	wch->read_pos = pos;
	wch->committed_pos = pos;
	if (commit_lsn > wch->committed_lsn)
		wch->committed_lsn = commit_lsn;
	wch->c.events_written += n - discarded;
	wch->c.events_discarded += discarded;
	wch->c.events_quarantined += quarantined;
	wch->c.batches++;
	wch->c.last_flush = GetCurrentTimestamp();
	/* a batch went through: the failure streak (if any) is over */
	if (wch->fail_streak > 0 || wch->failing_since != 0)
	{
		wch->fail_streak = 0;
		wch->exit_streak = 0;
		wch->failing_since = 0;
		wch->retry_at = 0;
	}
	strlcpy(wch->state, "waiting", sizeof(wch->state));
	LWLockRelease(wch->lock);
	ConditionVariableBroadcast(&wch->durable_cv);
	ConditionVariableBroadcast(&wch->space_cv);
	return Max(n, 1);
}

/*
 * Sleep ms after a failed attempt.  Interruptible: SIGTERM (die() sets the
 * latch) ends the process at once, with the events still queued; SIGHUP
 * reloads the settings; other wake-ups (producers setting the latch) do
 * not shorten it.
 */
static void
backoff_sleep(long ms)
{
	TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);

		CHECK_FOR_INTERRUPTS();
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			tsov_internal_depth = 1;
		}
	}
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
	/*
	 * Never wait unboundedly for a lock on the audit tables (a session
	 * holding one would stall the trail silently): fail the attempt, back
	 * off, and let the waiting commits fail closed meanwhile.
	 */
	SetConfigOption("lock_timeout", "1000", PGC_SUSET, PGC_S_OVERRIDE);

	snprintf(origin, sizeof(origin), UINT64_FORMAT "/%u", GetSystemIdentifier(), MyDatabaseId);
	/* reset after every batch, once its transaction has ended */
	batchcxt = AllocSetContextCreate(TopMemoryContext, "tec_sovereignty audit batch",
									 ALLOCSET_DEFAULT_SIZES);
	set_state("waiting");

	idle_since = GetCurrentTimestamp();
	for (;;)
	{
		long		timeout;
		long		backoff = 0;
		int			r;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			tsov_internal_depth = 1;
		}
		r = process_batch(batchcxt, &backoff);
		if (r < 0)
		{
			if (backoff > 0)
				backoff_sleep(backoff);
			idle_since = GetCurrentTimestamp();
			continue;
		}
		if (r > 0)
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
			 * waiters when it is full.  Not while isolating a failure.
			 */
			if (pg_atomic_read_u32(&wch->waiters) == 0 && isolate_end == 0)
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
