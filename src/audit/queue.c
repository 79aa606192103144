/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  The ring of a database's channel (channel.c): enqueue with
 *	  back-pressure, waking the writer, and the waits until durable.
 *
 * The channel's lock is held only to reserve ring space and to read or
 * publish positions; records are copied outside it and stamped last (see
 * internal.h for the protocol).  Positions only grow, and
 * committed_pos <= read_pos <= write_pos <= read_pos + ring size (the
 * writer publishes read_pos and committed_pos together, writer.c); both
 * sides Assert() it where they move a position.
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
 * wait.  Nothing is dropped while the backend lives.  Every wait is
 * latch-based (condition variables) with a timeout after which the waiter
 * checks that a writer is running and starts one if not, and every wait
 * sleeps through tsov_audit_sleep(), which is where cancel, terminate,
 * statement_timeout and postmaster death end it.  Waits that run with
 * interrupts held (abort paths, the log hook) are bounded as well.
 *
 * Memory: the ring is shared memory (channel.c); nothing here allocates
 * in a backend's contexts but what an error report needs.
 *
 * IDENTIFICATION
 *	  src/audit/queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "audit/internal.h"
#include "common/guc.h"
#include "common/tsov.h"


/*
 * The instant at which statement_timeout ends the current statement, or 0.
 * PostgreSQL disables the statement timer before it commits (postgres.c,
 * finish_xact_command), so a wait at PRE_COMMIT would outlive it: every
 * wait here compares the time against this instead.
 */
static TimestampTz
statement_deadline(void)
{
	if (StatementTimeout <= 0)
		return 0;
	return TimestampTzPlusMilliseconds(GetCurrentStatementStartTimestamp(),
									   StatementTimeout);
}

/*
 * Whether this backend may process interrupts now.  Not on an abort path
 * or in the log hook (interrupts held by PostgreSQL or by us), nor in a
 * critical section.
 */
static inline bool
interrupts_held(void)
{
	return InterruptHoldoffCount > 0 || CritSectionCount > 0;
}

/*
 * One sleep of a wait of the extension: at most ms, on cv (prepared by the
 * caller) or, when cv is NULL, on the process latch.  Every wait loops
 * over this, so that every wait ends the same ways:
 *	- postmaster death: the process exits (WL_EXIT_ON_PM_DEATH, also in
 *	  ConditionVariableTimedSleep);
 *	- when interrupts can be processed: a cancel or a terminate raises its
 *	  error here (CHECK_FOR_INTERRUPTS), and statement_timeout raises
 *	  ERRCODE_QUERY_CANCELED once the statement's time is up, even at
 *	  commit (see statement_deadline);
 *	- when interrupts are held: returns false as soon as a cancel or a
 *	  terminate is pending (PostgreSQL processes it once they are resumed)
 *	  or the statement's time is up.
 * Returns false too once deadline (0: none) has passed; true otherwise,
 * for the caller to look again at what it waits for.  what names that in
 * the error of a statement timeout ("the audit writer to write ...").
 */
static bool
tsov_audit_sleep(ConditionVariable *cv, long ms, TimestampTz deadline, const char *what)
{
	bool		held = interrupts_held();
	TimestampTz stmt_end = statement_deadline();
	TimestampTz now;
	TimestampTz end;

	if (held && (ProcDiePending || QueryCancelPending))
		return false;
	if (!held)
		CHECK_FOR_INTERRUPTS();
	now = GetCurrentTimestamp();
	if (stmt_end != 0 && now >= stmt_end)
	{
		if (held)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to statement timeout"),
				 errdetail("The statement was waiting for %s.", what),
				 errhint("Look at writer_state and waiters in tec_sovereignty.audit_stats.")));
	}
	if (deadline != 0 && now >= deadline)
		return false;

	/* wake up at the nearer end, so that it is seen without delay */
	end = deadline;
	if (stmt_end != 0 && (end == 0 || stmt_end < end))
		end = stmt_end;
	if (end != 0)
	{
		long		left = TimestampDifferenceMilliseconds(now, end);

		ms = Max(Min(ms, left), 1);
	}

	if (cv != NULL)
		(void) ConditionVariableTimedSleep(cv, ms, PG_WAIT_EXTENSION);
	else
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	if (!held)
		CHECK_FOR_INTERRUPTS();
	return true;
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
 * the last one queued: the position to wait for to know them durable (0
 * when nothing was queued).  *queued, when not NULL, is advanced past each
 * group of records as soon as it is in the ring, so that a caller whose
 * call ends in an error, or returns early, knows what is queued and what
 * is not.
 *
 * Waits for space when the ring is full (counted), and for a channel when
 * every channel is taken (an idle writer frees its channel within
 * audit_worker_idle); never drops.  Without abort_path every wait ends as
 * tsov_audit_sleep() says, and no channel within the bound is an error.
 * On the abort path (interrupts held, errors not allowed), and whenever
 * interrupts are held, the waits are bounded by TSOV_ABORT_WAIT_MS and
 * end early on a pending cancel or terminate; it then returns with
 * *queued < len, and the caller keeps the rest.
 */
uint64
tsov_audit_enqueue(const char *buf, Size len, bool abort_path, Size *queued)
{
	uint64		maxgroup = tsov_audit_ring_size / 4;
	Size		done = 0;
	uint64		end = 0;
	TsovAuditChannel *ch = NULL;
	TimestampTz deadline = 0;

	/* interrupts held by a caller that is not an abort path: bounded too */
	if (abort_path || interrupts_held())
		deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), TSOV_ABORT_WAIT_MS);

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
		TimestampTz channel_deadline = 0;

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

			ch = tsov_audit_channel_for(true, !abort_path && IsTransactionState());
			if (ch == NULL)
			{
				/*
				 * Every channel is taken by a database with a writer or with
				 * events.  An idle writer frees its channel after
				 * audit_worker_idle: wait that long (at most 10 s) before
				 * giving up, polling, since nothing signals a freed channel.
				 */
				if (channel_deadline == 0)
					channel_deadline = deadline != 0 ? deadline :
						TimestampTzPlusMilliseconds(now, Min(tsov_audit_worker_idle + 1000,
															 TSOV_DENIAL_WAIT_MS));
				if (tsov_audit_sleep(NULL, 100, channel_deadline, "an audit queue channel"))
					continue;
				if (abort_path)
					return end;
				ereport(ERROR,
						(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
						 errmsg("too many databases are producing audit events"),
						 errdetail("The audit queue has %d channels, one per database, and all are in use.",
								   tsov_audit_max_databases),
						 errhint("Raise tec_sovereignty.audit_max_databases and restart the server.")));
			}

			LWLockAcquire(ch->lock, LW_EXCLUSIVE);
			if (ch->dbid != MyDatabaseId)
			{
				/* freed or taken over meanwhile: look it up again */
				LWLockRelease(ch->lock);
				tsov_audit_channel_forget();
				continue;
			}
			pos = ch->write_pos;
			off = pos % tsov_audit_ring_size;
			skip = (tsov_audit_ring_size - off < glen) ? tsov_audit_ring_size - off : 0;
			if (pos + skip + glen - ch->read_pos <= tsov_audit_ring_size)
			{
				Assert(ch->committed_pos <= ch->read_pos && ch->read_pos <= pos);
				ch->write_pos = pos + skip + glen;
				Assert(ch->write_pos - ch->read_pos <= tsov_audit_ring_size);
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
			if (!tsov_audit_sleep(&ch->space_cv, 1000, deadline, "room in the audit queue"))
			{
				ConditionVariableCancelSleep();
				Assert(deadline != 0 || interrupts_held());
				return end;
			}
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
		if (queued != NULL)
			*queued += glen;

		if (worker_pid == 0 || latch == NULL)
			tsov_audit_ensure_worker(ch);
		else if (wake)
			SetLatch(latch);
	}
	return end;
}

/*
 * The position just past everything queued so far in this database's
 * channel (0 when it has none): waiting for it covers every event this
 * backend queued, whatever it knows of their positions.
 */
uint64
tsov_audit_queued_upto(void)
{
	TsovAuditChannel *ch = tsov_audit_channel(false);
	uint64		pos;

	if (ch == NULL)
		return 0;
	LWLockAcquire(ch->lock, LW_SHARED);
	pos = ch->write_pos;
	LWLockRelease(ch->lock);
	return pos;
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
 * the wait.  Returns whether they are committed (and flushed).
 *
 * The writer commits with synchronous_commit = off, so "committed" is not
 * yet "durable".  Without flush this is for a transaction that wrote and
 * waits at PRE_COMMIT: its own commit record comes later in WAL, and WAL
 * is flushed in order, so its commit cannot become durable before the
 * audit rows are (record.c).  Everything that must be durable now,
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
 * How the wait ends (tsov_audit_sleep): when interrupts can be processed,
 * a cancel, a terminate or statement_timeout raise their error, so a
 * commit that waits here at PRE_COMMIT is rolled back (fail closed);
 * postmaster death exits.  hold_interrupts (the log hook, where a cancel
 * must not turn into a second error) or interrupts already held: returns
 * false at once when a cancel or terminate is pending, or the statement's
 * time is up.  timeout_ms > 0 bounds the wait (returns false when it
 * expired): used where the caller may itself hold a lock the writer needs
 * (an error raised deep inside a command), so that a wait can never become
 * an undetected deadlock.  Whenever it returns false the events stay
 * queued and are written as soon as the writer can proceed.  timeout_ms =
 * 0 (commit of a write, tec_audit_flush: that must not complete first)
 * waits at most audit_commit_timeout, then raises an error.
 */
bool
tsov_audit_wait_durable(uint64 pos, bool hold_interrupts, int timeout_ms, bool flush)
{
	TsovAuditChannel *ch = tsov_audit_channel(false);
	volatile bool done = false;
	volatile XLogRecPtr lsn = InvalidXLogRecPtr;

	/*
	 * A commit's wait (and tec_audit_flush's) is bounded by
	 * audit_commit_timeout, whatever holds the writer up: a lock on the
	 * trail that the writer's lock_timeout keeps running into, a writer that
	 * does not run.  Past it the caller fails closed below.
	 */
	bool		commit_bounded = (timeout_ms == 0 && !hold_interrupts);
	volatile TimestampTz commit_deadline = 0;

	if (pos == 0)
		return true;
	if (ch == NULL)
	{
		/*
		 * Our channel was freed after our events went in: that happens only
		 * once everything in it is committed (see "Channels").  The commit
		 * LSN went with the channel; WAL up to here covers it.
		 */
		if (flush)
			XLogFlush(GetXLogInsertRecPtr());
		return true;
	}
	if (hold_interrupts)
		HOLD_INTERRUPTS();
	PG_ENSURE_ERROR_CLEANUP(waiter_done, PointerGetDatum(ch));
	{
		bool		counted = false;
		TimestampTz deadline = 0;
		TimestampTz failing_since;
		TimestampTz fail_wait_start = 0;
		char		last_error[TSOV_LAST_ERROR_LEN];

		if (timeout_ms > 0)
			deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
		else if (commit_bounded)
			commit_deadline = deadline =
				TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											tsov_audit_commit_timeout);
		ConditionVariablePrepareToSleep(&ch->durable_cv);
		for (;;)
		{
			uint64		durable;
			uint64		written;
			int			pid;
			struct Latch *latch = NULL;

			LWLockAcquire(ch->lock, counted ? LW_SHARED : LW_EXCLUSIVE);
			durable = ch->committed_pos;
			written = ch->write_pos;
			/* published with committed_pos: covers every event before it */
			lsn = ch->committed_lsn;
			pid = ch->worker_pid;
			failing_since = ch->failing_since;
			if (failing_since != 0)
				strlcpy(last_error, ch->last_error, sizeof(last_error));
			if (ch->dbid != MyDatabaseId || pos > written)
			{
				/*
				 * Freed (and maybe taken by another database) while we
				 * looked, or pos is from a channel we had before: either
				 * way everything we queued is committed ("Channels").
				 */
				LWLockRelease(ch->lock);
				lsn = GetXLogInsertRecPtr();
				done = true;
				break;
			}
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
			if (pid == 0)
				tsov_audit_ensure_worker(ch);
			if (!tsov_audit_sleep(&ch->durable_cv, Max(tsov_audit_max_delay, 100), deadline,
								  "the audit writer to write this transaction's audit rows"))
				break;
		}
		ConditionVariableCancelSleep();
	}
	PG_END_ENSURE_ERROR_CLEANUP(waiter_done, PointerGetDatum(ch));
	waiter_done(0, PointerGetDatum(ch));
	if (!done && commit_bounded && GetCurrentTimestamp() >= commit_deadline)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("could not commit: the audit rows of this transaction were not written within tec_sovereignty.audit_commit_timeout"),
				 errdetail("The audit writer did not confirm them within %d ms; the transaction is rolled back and nothing of it is committed.",
						   tsov_audit_commit_timeout),
				 errhint("Look at writer_state and waiters in tec_sovereignty.audit_stats, and at locks held on the tables of the audit trail (pg_locks, pg_prepared_xacts).")));
	if (done && flush && !XLogRecPtrIsInvalid(lsn))
		XLogFlush(lsn);
	if (hold_interrupts)
		RESUME_INTERRUPTS();
	return done;
}

