/*-------------------------------------------------------------------------
 *
 * writer.c
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
 * denials do not depend on it (queue.c, record.c).
 *
 * After tec_sovereignty.audit_worker_idle
 * without events it frees its channel and exits, so that DROP DATABASE is
 * never blocked by it.
 *
 * Memory.  ring -> batch -> chain -> table_multi_insert -> commit: every
 * value a batch's rows point to is allocated in one context, the batch
 * context (a child of TopMemoryContext made at start), which is reset only
 * once the batch's transaction has committed or aborted (process_batch).
 * The lookups of log-hook events run through SPI first, and what they find
 * is copied into the batch context before SPI_finish() (batch.c).  Error
 * data of a failed attempt is copied out of the batch context before it is
 * reset.
 *
 * Ring positions: the writer's read position only grows, never past the
 * write position, and a batch holds 1 to TSOV_BATCH_MAX records (1 while
 * a failure is being isolated).
 *
 * The failure model: no event, whatever its size or content, can stop the
 * writer, and none is ever dropped.  The writer catches its own errors
 * (process_batch): the transaction is aborted, the chain heads reloaded,
 * and the batch stays at the head of the ring.  An environmental error
 * (lock timeout, resources, I/O: tsov_audit_error_is_environmental in
 * batch.c) is retried as it is after a back-off (100 ms doubling to 10 s,
 * interruptible).  Any other
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
 * The rows of a batch are built and inserted by batch.c, chained by
 * chain.c (the column table, the hash, the heads).
 *
 * IDENTIFICATION
 *	  src/audit/writer.c
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

static TsovAuditChannel *wch;
static int	wchannel;
static char origin[64];

/* The origin of the chains this writer appends to (chain.c). */
const char *
tsov_audit_writer_origin(void)
{
	Assert(origin[0] != '\0');
	return origin;
}

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

/* The writer's state, for audit_stats. */
void
tsov_audit_writer_state(const char *s)
{
	Assert(wch != NULL);
	LWLockAcquire(wch->lock, LW_EXCLUSIVE);
	strlcpy(wch->state, s, sizeof(wch->state));
	LWLockRelease(wch->lock);
}

/*
 * On exit: the channel has no writer any more.  A writer that could not
 * even connect leaves the events and the channel as they are: when its
 * database was dropped, the dropping backend frees the channel at commit
 * (or a backend that needs a channel does, seeing the database gone from
 * pg_database; channel.c, "Channels"); when it was not, the events
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

static Oid
audit_relid(void)
{
	Oid			nsp = get_namespace_oid(TSOV_SCHEMA, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("audit_log", nsp);
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
	bool		env = tsov_audit_error_is_environmental(edata->sqlerrcode);
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
	tsov_chain_heads_forget();

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
	Assert(pos <= wpos && wpos - pos <= tsov_audit_ring_size);
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

	Assert(n >= 0 && n <= max && max <= TSOV_BATCH_MAX);
	if (n > 0)
	{
		Assert(head_level == TSOV_WRITE_NORMAL || n == 1);
		MemoryContextSwitchTo(batchcxt);
		PG_TRY();
		{
			Oid			relid;

			tsov_audit_writer_state(head_level != TSOV_WRITE_NORMAL ? "quarantining" : "writing");
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

				tsov_audit_check_columns(RelationGetDescr(rel));
				if (!tsov_chain_heads_loaded())
				{
					if (SPI_connect() != SPI_OK_CONNECT)
						elog(ERROR, "could not connect to SPI");
					tsov_chain_heads_load(origin);
					SPI_finish();
				}
				/* the rows and the chain heads they advance */
				quarantined = tsov_audit_write_batch(rel, recs, n, head_level, head_error);
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
	/* positions only grow; only this process consumes the ring */
	Assert(wch->read_pos == start && start < pos && pos <= wch->write_pos);
	Assert(wch->committed_pos <= start);
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

	tsov_audit_origin(origin, sizeof(origin));
	/* reset after every batch, once its transaction has ended */
	batchcxt = AllocSetContextCreate(TopMemoryContext, "tec_sovereignty audit batch",
									 ALLOCSET_DEFAULT_SIZES);
	tsov_audit_writer_state("waiting");

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
