/*-------------------------------------------------------------------------
 *
 * audit_queue.c
 *	  The shared-memory audit queue: GUCs, shared memory, per-database
 *	  channels, enqueue with back-pressure, and the wait until durable.
 *
 * Each database that produces events claims a channel: a ring of
 * tec_sovereignty.audit_queue_size bytes with its own LWLock and its own
 * writer (audit_worker.c), because a background worker is connected to one
 * database for life.  The lock is held only to reserve ring space and to
 * read or publish positions; records are copied outside it and stamped
 * last (see audit_internal.h for the protocol).
 *
 * Waking the writer.  Each wake costs the writer a transaction and a
 * commit, so producers do not wake it for every run of
 * events: only someone who waits for durability (a commit that wrote, a
 * denial, tec_audit_flush) wakes it at once, from tsov_audit_wait_durable.
 * Runs that nobody waits for (reads) wake it only when the ring is an
 * eighth full or when nobody has woken it for half of audit_max_delay;
 * otherwise the writer's own timeout (audit_max_delay) picks them up.
 * Reads thus still reach the table within audit_max_delay, and a busy
 * read-only workload costs the writer a few commits per second instead of
 * one per transaction.
 *
 * Back-pressure: a producer that finds no room sleeps on the channel's
 * space condition variable until the writer frees some, and counts the
 * wait.  Nothing is ever dropped.  Every wait is latch-based (condition
 * variables) with a timeout after which the waiter checks that a writer is
 * running and starts one if not.
 *
 * IDENTIFICATION
 *	  src/audit_queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xlog.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "tec_sovereignty.h"
#include "audit_internal.h"

int			tsov_audit_level_guc = TSOV_AUDIT_ALL;
int			tsov_audit_statement_max = 4096;
int			tsov_audit_max_delay = 200;
int			tsov_audit_queue_kb = 8192;
int			tsov_audit_max_databases = 4;
int			tsov_audit_worker_idle = 2000;
int			tsov_audit_fail_timeout = 5000;
bool		tsov_audit_echo = false;

TsovAuditShared *tsov_audit_shared = NULL;
uint64		tsov_audit_ring_size = 0;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static int	my_channel = -1;

static const struct config_enum_entry audit_level_options[] = {
	{"all", TSOV_AUDIT_ALL, false},
	{"write", TSOV_AUDIT_WRITE, false},
	{"denied", TSOV_AUDIT_DENIED, false},
	{"none", TSOV_AUDIT_NONE, false},
	{NULL, 0, false}
};

static Size
tsov_audit_shmem_size(void)
{
	Size		sz;

	sz = MAXALIGN(add_size(offsetof(TsovAuditShared, channels),
						   mul_size(sizeof(TsovAuditChannel), tsov_audit_max_databases)));
	sz = add_size(sz, mul_size((Size) tsov_audit_queue_kb * 1024, tsov_audit_max_databases));
	return sz;
}

static void
tsov_audit_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(tsov_audit_shmem_size());
	RequestNamedLWLockTranche(TSOV_NAME, 1 + tsov_audit_max_databases);
}

static void
tsov_audit_shmem_startup(void)
{
	bool		found;
	char	   *rings;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	tsov_audit_ring_size = (uint64) tsov_audit_queue_kb * 1024;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	tsov_audit_shared = ShmemInitStruct("tec_sovereignty audit queue",
										tsov_audit_shmem_size(), &found);
	rings = (char *) tsov_audit_shared +
		MAXALIGN(offsetof(TsovAuditShared, channels) +
				 sizeof(TsovAuditChannel) * tsov_audit_max_databases);
	if (!found)
	{
		LWLockPadded *locks = GetNamedLWLockTranche(TSOV_NAME);

		tsov_audit_shared->map_lock = &locks[0].lock;
		tsov_audit_shared->nchannels = tsov_audit_max_databases;
		for (int i = 0; i < tsov_audit_max_databases; i++)
		{
			TsovAuditChannel *ch = &tsov_audit_shared->channels[i];

			memset(ch, 0, sizeof(*ch));
			ch->lock = &locks[i + 1].lock;
			ch->dbid = InvalidOid;
			strlcpy(ch->state, "idle", sizeof(ch->state));
			pg_atomic_init_u32(&ch->waiters, 0);
			ConditionVariableInit(&ch->durable_cv);
			ConditionVariableInit(&ch->space_cv);
			ch->ring = rings + (Size) i * tsov_audit_ring_size;
			memset(ch->ring, 0, tsov_audit_ring_size);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * The channel of this backend's database, claiming a free one if create.
 * Returns NULL when none is free (or shared memory is not there).  The
 * channel map lock is taken briefly; the result stays this database's
 * channel while events are queued in it (a writer frees its channel only
 * when the ring is empty).
 */
TsovAuditChannel *
tsov_audit_channel(bool create)
{
	TsovAuditShared *sh = tsov_audit_shared;
	int			i;

	if (sh == NULL || !OidIsValid(MyDatabaseId))
		return NULL;
	if (my_channel >= 0 && sh->channels[my_channel].dbid == MyDatabaseId)
		return &sh->channels[my_channel];

	LWLockAcquire(sh->map_lock, LW_SHARED);
	for (i = 0; i < sh->nchannels; i++)
		if (sh->channels[i].dbid == MyDatabaseId)
			break;
	LWLockRelease(sh->map_lock);
	if (i < sh->nchannels)
		return &sh->channels[my_channel = i];
	if (!create)
		return NULL;

	LWLockAcquire(sh->map_lock, LW_EXCLUSIVE);
	for (i = 0; i < sh->nchannels; i++)
		if (sh->channels[i].dbid == MyDatabaseId)
			break;
	if (i == sh->nchannels)
	{
		for (i = 0; i < sh->nchannels; i++)
		{
			TsovAuditChannel *ch = &sh->channels[i];

			if (!OidIsValid(ch->dbid) && ch->worker_pid == 0)
			{
				LWLockAcquire(ch->lock, LW_EXCLUSIVE);
				ch->dbid = MyDatabaseId;
				ch->worker_launching = false;
				ch->worker_failed = false;
				LWLockRelease(ch->lock);
				break;
			}
		}
	}
	LWLockRelease(sh->map_lock);
	if (i == sh->nchannels)
		return NULL;
	return &sh->channels[my_channel = i];
}

/*
 * Start the channel's writer unless one runs or is being started (a launch
 * that has not shown up within 10 s is retried).  Never raises an error:
 * it is called from abort paths too; a failed registration is retried at
 * the next wait timeout.
 *
 * After a writer exited on an error, the next one is not started before
 * ch->retry_at (set by the exiting writer, with a back-off that grows with
 * the number of writers in a row that exited so): every waiter calls this
 * at each wake-up, and a writer that dies of the same cause at once must
 * not be relaunched in a tight loop.
 */
void
tsov_audit_ensure_worker(TsovAuditChannel *ch)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		launch = false;
	Oid			dbid;

	LWLockAcquire(ch->lock, LW_EXCLUSIVE);
	dbid = ch->dbid;
	if (ch->worker_pid == 0 && OidIsValid(dbid) &&
		(!ch->worker_failed || now >= ch->retry_at) &&
		(!ch->worker_launching ||
		 TimestampDifferenceExceeds(ch->launch_time, now, 10000)))
	{
		ch->worker_launching = true;
		ch->launch_time = now;
		launch = true;
	}
	LWLockRelease(ch->lock);

	if (launch)
		tsov_audit_worker_register(ch - tsov_audit_shared->channels, dbid);
}

/*
 * Sleep on a condition variable for at most the given time.  Interrupts
 * are processed unless the caller holds them off (abort path, log hook).
 */
static void
tsov_audit_sleep(ConditionVariable *cv, long ms)
{
	(void) ConditionVariableTimedSleep(cv, ms, PG_WAIT_EXTENSION);
}

/*
 * The record at ring position pos, following implicit skips at the end of
 * the ring; *recpos receives its actual position.
 */
TsovAuditRecord *
tsov_audit_rec_at(TsovAuditChannel *ch, uint64 pos, uint64 *recpos)
{
	uint64		off = pos % tsov_audit_ring_size;

	if (tsov_audit_ring_size - off < TSOV_REC_HDRSZ)
	{
		pos += tsov_audit_ring_size - off;
		off = 0;
	}
	*recpos = pos;
	return (TsovAuditRecord *) (ch->ring + off);
}

/*
 * Copy a run of serialized records (buf, len; each with its len set) into
 * the ring of this database's channel and return the position just past
 * the last one: the position to wait for to know them durable.
 *
 * Waits for space when the ring is full (counted), never drops.  Raises an
 * error only when no channel can be had and !abort_path; on the abort
 * path (interrupts held, errors not allowed) it waits for a channel too.
 */
uint64
tsov_audit_enqueue(const char *buf, Size len, bool abort_path)
{
	uint64		maxgroup = tsov_audit_ring_size / 4;
	Size		done = 0;
	uint64		end = 0;
	TsovAuditChannel *ch = NULL;

	while (done < len)
	{
		Size		glen = 0;
		int			nrec = 0;
		uint64		pos,
					start,
					skip;
		bool		waited = false;
		struct Latch *latch;
		int			worker_pid;
		bool		wake = false;
		TimestampTz now = GetCurrentTimestamp();

		/* A group: as many whole records as fit in a quarter ring. */
		while (done + glen < len)
		{
			const TsovAuditRecord *r = (const TsovAuditRecord *) (buf + done + glen);

			if (glen > 0 && glen + r->len > maxgroup)
				break;
			glen += r->len;
			nrec++;
		}
		if (glen > maxgroup)
			elog(ERROR, "audit event of %zu bytes does not fit in the audit queue (%zu, " UINT64_FORMAT ")", glen, len, maxgroup);

		for (;;)
		{
			uint64		off;

			ch = tsov_audit_channel(true);
			if (ch == NULL)
			{
				if (!abort_path)
					ereport(ERROR,
							(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							 errmsg("too many databases are producing audit events"),
							 errdetail("The audit queue has %d channels, one per database, and all are in use.",
									   tsov_audit_max_databases),
							 errhint("Raise tec_sovereignty.audit_max_databases and restart the server.")));
				(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
								 100, PG_WAIT_EXTENSION);
				ResetLatch(MyLatch);
				continue;
			}

			LWLockAcquire(ch->lock, LW_EXCLUSIVE);
			if (ch->dbid != MyDatabaseId)
			{
				/* freed by an idle writer meanwhile: look it up again */
				LWLockRelease(ch->lock);
				my_channel = -1;
				continue;
			}
			pos = ch->write_pos;
			off = pos % tsov_audit_ring_size;
			skip = (tsov_audit_ring_size - off < glen) ? tsov_audit_ring_size - off : 0;
			if (pos + skip + glen - ch->read_pos <= tsov_audit_ring_size)
			{
				ch->write_pos = pos + skip + glen;
				ch->c.events_queued += nrec;
				if (waited)
					ch->c.space_waits++;
				latch = ch->worker_latch;
				worker_pid = ch->worker_pid;
				/* see "Waking the writer" above */
				if (waited ||
					ch->write_pos - ch->read_pos > tsov_audit_ring_size / 8 ||
					TimestampDifferenceExceeds(ch->last_wake, now, tsov_audit_max_delay / 2))
				{
					wake = true;
					ch->last_wake = now;
				}
				LWLockRelease(ch->lock);
				break;
			}
			LWLockRelease(ch->lock);

			/* Full: wait for the writer (back-pressure). */
			waited = true;
			tsov_audit_ensure_worker(ch);
			ConditionVariablePrepareToSleep(&ch->space_cv);
			tsov_audit_sleep(&ch->space_cv, 1000);
			ConditionVariableCancelSleep();
		}

		if (skip >= TSOV_REC_HDRSZ)
		{
			TsovAuditRecord *s = (TsovAuditRecord *) (ch->ring + pos % tsov_audit_ring_size);

			s->len = skip;
			s->kind = TSOV_REC_SKIP;
			pg_write_barrier();
			pg_atomic_write_u64(&s->stamp, pos + 1);
		}
		start = pos + skip;
		memcpy(ch->ring + start % tsov_audit_ring_size, buf + done, glen);
		for (Size o = 0; o < glen;)
		{
			TsovAuditRecord *r = (TsovAuditRecord *) (ch->ring + (start + o) % tsov_audit_ring_size);

			pg_write_barrier();
			pg_atomic_write_u64(&r->stamp, start + o + 1);
			o += r->len;
		}
		end = start + glen;
		done += glen;

		if (worker_pid == 0 || latch == NULL)
			tsov_audit_ensure_worker(ch);
		else if (wake)
			SetLatch(latch);
	}
	return end;
}

/*
 * Wake this database's writer now (an event was queued that must be
 * written promptly but that nobody waits for here).
 */
void
tsov_audit_wake_writer(void)
{
	TsovAuditChannel *ch = tsov_audit_channel(false);
	struct Latch *latch;
	int			pid;

	if (ch == NULL)
		return;
	LWLockAcquire(ch->lock, LW_SHARED);
	latch = ch->worker_latch;
	pid = ch->worker_pid;
	LWLockRelease(ch->lock);
	if (pid != 0 && latch != NULL)
		SetLatch(latch);
	else
		tsov_audit_ensure_worker(ch);
}

/*
 * Undo this backend's count in ch->waiters, however the wait ends (error,
 * FATAL, or normally): a leaked count would not lose a wake-up, but it
 * would turn the writer's pacing off for good.
 */
static bool waiter_counted = false;

static void
waiter_done(int code, Datum arg)
{
	TsovAuditChannel *ch = (TsovAuditChannel *) DatumGetPointer(arg);

	if (waiter_counted)
	{
		waiter_counted = false;
		pg_atomic_fetch_sub_u32(&ch->waiters, 1);
	}
}

/*
 * Wait until every event before pos in this database's channel is written
 * by the writer, i.e. its transaction committed; with flush, also make
 * them durable: XLogFlush() up to the end of that commit record.  Counts
 * the wait.
 *
 * The writer commits with synchronous_commit = off, so "committed" is not
 * yet "durable".  Without flush this is for a transaction that wrote and
 * waits at PRE_COMMIT: its own commit record comes later in WAL, and WAL
 * is flushed in order, so its commit cannot become durable before the
 * audit rows are (audit_xact.c).  Everything that must be durable now,
 * whatever follows (denials, tec_audit_flush, the purge and export
 * requests), passes flush.
 *
 * XLogFlush() is safe in the log hook too (hold_interrupts): the hook only
 * acts on an ERROR 42501, raised by a permission check, never inside a
 * critical section (an error there is promoted to PANIC and skipped) nor
 * while holding a WAL lock; XLogFlush needs no transaction, and the hook
 * already takes LWLocks and sleeps on condition variables here.  It is
 * what RecordTransactionCommit() itself calls.
 *
 * hold_interrupts: called from the log hook, where a cancel must not turn
 * into a second error.  timeout_ms > 0 bounds the wait (returns false when
 * it expired): used where the caller may itself hold a lock the writer
 * needs (an error raised deep inside a command), so that a wait can never
 * become an undetected deadlock; the event stays queued and is written as
 * soon as the caller's abort releases its locks.  timeout_ms = 0 waits for
 * as long as it takes (commit of a write: that must not complete first).
 */
bool
tsov_audit_wait_durable(uint64 pos, bool hold_interrupts, int timeout_ms, bool flush)
{
	TsovAuditChannel *ch = tsov_audit_channel(false);
	volatile bool done = false;
	volatile XLogRecPtr lsn = InvalidXLogRecPtr;

	if (ch == NULL || pos == 0)
		return true;
	if (hold_interrupts)
		HOLD_INTERRUPTS();
	PG_ENSURE_ERROR_CLEANUP(waiter_done, PointerGetDatum(ch));
	{
		bool		counted = false;
		TimestampTz start = 0;
		TimestampTz failing_since;
		TimestampTz fail_wait_start = 0;
		char		last_error[TSOV_LAST_ERROR_LEN];

		if (timeout_ms > 0)
			start = GetCurrentTimestamp();
		ConditionVariablePrepareToSleep(&ch->durable_cv);
		for (;;)
		{
			uint64		durable;
			int			pid;
			struct Latch *latch = NULL;

			LWLockAcquire(ch->lock, counted ? LW_SHARED : LW_EXCLUSIVE);
			durable = ch->committed_pos;
			/* published with committed_pos: covers every event before it */
			lsn = ch->committed_lsn;
			pid = ch->worker_pid;
			failing_since = ch->failing_since;
			if (failing_since != 0)
				strlcpy(last_error, ch->last_error, sizeof(last_error));
			if (!counted && durable < pos)
			{
				ch->c.durable_waits++;
				counted = true;
				/*
				 * Count ourselves before setting the writer's latch: a
				 * writer that read waiters == 0 and went into its pacing
				 * sleep is woken by the SetLatch below, one that reads it
				 * later sees us and does not pace.
				 */
				pg_atomic_fetch_add_u32(&ch->waiters, 1);
				waiter_counted = true;
				/* enqueue left it asleep: someone waits now */
				latch = ch->worker_latch;
			}
			LWLockRelease(ch->lock);
			if (durable >= pos)
			{
				done = true;
				break;
			}
			if (pid != 0 && latch != NULL)
				SetLatch(latch);
			/*
			 * Fail closed: the writer has been failing (retrying with
			 * back-off) and we have waited audit_fail_timeout for it since
			 * we saw it fail: the caller (a commit that wrote,
			 * tec_audit_flush) is refused.  Callers with a bound of their
			 * own (denials, the log hook, which may not raise errors) end
			 * at that bound below instead.
			 */
			if (failing_since != 0 && timeout_ms == 0 && !hold_interrupts)
			{
				if (fail_wait_start == 0)
					fail_wait_start = GetCurrentTimestamp();
				else if (TimestampDifferenceExceeds(fail_wait_start, GetCurrentTimestamp(),
													tsov_audit_fail_timeout))
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("could not write the audit trail"),
							 errdetail("The audit writer has been failing for %ld s; last error: %s",
									   (long) ((GetCurrentTimestamp() - failing_since) / USECS_PER_SEC),
									   last_error),
							 errhint("The transaction is refused because its audit rows cannot be written. See tec_sovereignty.audit_stats and the server log.")));
			}
			if (timeout_ms > 0 &&
				TimestampDifferenceExceeds(start, GetCurrentTimestamp(), timeout_ms))
				break;
			if (pid == 0)
				tsov_audit_ensure_worker(ch);
			tsov_audit_sleep(&ch->durable_cv, Max(tsov_audit_max_delay, 100));
		}
		ConditionVariableCancelSleep();
	}
	PG_END_ENSURE_ERROR_CLEANUP(waiter_done, PointerGetDatum(ch));
	waiter_done(0, PointerGetDatum(ch));
	if (done && flush && !XLogRecPtrIsInvalid(lsn))
		XLogFlush(lsn);
	if (hold_interrupts)
		RESUME_INTERRUPTS();
	return done;
}

/*
 * tsov_audit_init
 *		Called from _PG_init: GUCs, shared memory hooks, and the other parts
 *		of the audit subsystem.
 */
void
tsov_audit_init(void)
{
	DefineCustomEnumVariable(TSOV_NAME ".audit",
							 "Which accesses to domain objects are audited.",
							 "all: every access, reads included; write: writes, DDL, denials, privileged accesses and APIs; denied: denials and privileged accesses only; none: only what is always recorded (denials, break-glass, privileged). A domain can override it with tec_set_audit_level().",
							 &tsov_audit_level_guc, TSOV_AUDIT_ALL, audit_level_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_statement_max",
							"Bytes of the statement text kept in each audit row (0: none).",
							NULL, &tsov_audit_statement_max, 4096, 0, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_max_delay",
							"Longest time a read's audit event may wait in a backend or the queue before it is written.",
							"With wal_writer_delay (the writer commits asynchronously) this is also the loss window on a crash for reads; writes and denials are durable before they complete.",
							&tsov_audit_max_delay, 200, 10, 60000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_queue_size",
							"Size of the shared-memory audit queue of each database.",
							NULL, &tsov_audit_queue_kb, 8192, 256, 1024 * 1024,
							PGC_POSTMASTER, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_max_databases",
							"Number of databases that can produce audit events at the same time (one queue and one writer each).",
							NULL, &tsov_audit_max_databases, 4, 1, 64,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_worker_idle",
							"Time after which an idle audit writer exits (a new one starts with the next event).",
							"Short enough that DROP DATABASE, which waits up to 5 s for other sessions, is not blocked by the writer.",
							&tsov_audit_worker_idle, 2000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_fail_timeout",
							"Longest time a commit waits for an audit writer that is failing before it is refused.",
							"While the writer cannot write (it retries with back-off), a transaction that wrote domain data waits this long for its audit rows, then fails closed with an error; reads are not held up.",
							&tsov_audit_fail_timeout, 5000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomBoolVariable(TSOV_NAME ".audit_echo",
							 "Also report each audit event to the client as a NOTICE (for tests).",
							 NULL, &tsov_audit_echo, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = tsov_audit_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = tsov_audit_shmem_startup;

	tsov_audit_xact_init();
	tsov_audit_log_hook_init();
	tsov_audit_guard_init();
}
