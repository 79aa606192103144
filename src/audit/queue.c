/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  The shared-memory audit queue: GUCs, shared memory, per-database
 *	  channels, enqueue with back-pressure, and the wait until durable.
 *
 * Each database that produces events claims a channel: a ring of
 * tec_sovereignty.audit_queue_size bytes with its own LWLock and its own
 * writer (writer.c), because a background worker is connected to one
 * database for life.  The lock is held only to reserve ring space and to
 * read or publish positions; records are copied outside it and stamped
 * last (see internal.h for the protocol).
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
 * Channels are claimed and freed as "Channels" below says; DROP DATABASE
 * frees its database's channel (record.c calls
 * tsov_audit_database_dropped at commit).
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


TsovAuditShared *tsov_audit_shared = NULL;
uint64		tsov_audit_ring_size = 0;


static int	my_channel = -1;


static Size
tsov_audit_shmem_size(void)
{
	Size		sz;

	sz = MAXALIGN(add_size(offsetof(TsovAuditShared, channels),
						   mul_size(sizeof(TsovAuditChannel), tsov_audit_max_databases)));
	sz = add_size(sz, mul_size((Size) tsov_audit_queue_kb * 1024, tsov_audit_max_databases));
	return sz;
}

/* From the shmem_request_hook (hooks.c). */
void
tsov_audit_shmem_request(void)
{
	RequestAddinShmemSpace(tsov_audit_shmem_size());
	RequestNamedLWLockTranche(TSOV_NAME, 1 + tsov_audit_max_databases);
}

/* From the shmem_startup_hook (hooks.c). */
void
tsov_audit_shmem_startup(void)
{
	bool		found;
	char	   *rings;

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
 * Channels.  A channel belongs to one database (dbid) from the moment a
 * backend of that database claims it until it is freed, which happens in
 * three ways only, each with map_lock and the channel's lock held:
 *  - its writer found nothing to do for audit_worker_idle (every event in
 *    it is committed: audit_worker.c, maybe_exit_idle);
 *  - a backend of another database that needs a channel reclaims it while
 *    it is empty and has no writer (claim_channel);
 *  - its database is dropped (tsov_audit_database_dropped): at the commit
 *    of DROP DATABASE in the dropping backend, or later by any backend that
 *    finds no free channel and sees in pg_database that the database is
 *    gone, or invalid: a DROP DATABASE interrupted after it marked the
 *    database invalid rolls back, so its commit callback never runs, and
 *    the database can only be dropped again.  (It must have no writer
 *    running then.)  Only then are queued events discarded (counted in
 *    events_dropped), and never while a backend of that database is alive:
 *    DROP DATABASE has waited for all of them to exit, a database that is
 *    not in pg_database has no backends, and one marked invalid has none
 *    either (DROP DATABASE marks it after they exited; nobody can connect).
 * So a free channel always has an empty ring (Assert()ed when it is
 * claimed), and a backend that finds its channel gone knows that its
 * events were committed.
 *
 * OIDs of dropped databases are reused only after OID wraparound; a new
 * database with the OID of a dropped one would take over its channel and
 * inherit its queued events.  It cannot: the dropping backend frees the
 * channel in its commit callback, which runs before it releases its lock on
 * the database, and nobody can connect to a database of that OID before
 * that lock is released.
 */

/* Free a channel whose database is gone (map_lock and ch->lock held). */
static void
release_dropped(TsovAuditShared *sh, TsovAuditChannel *ch)
{
	TsovAuditCounters *c = &ch->c;
	uint64		pending;

	/* events reserved but neither written nor discarded by the writer */
	pending = c->events_queued - c->events_written - c->events_discarded - c->events_dropped;
	c->events_dropped += pending;
	sh->dropped.events_queued += c->events_queued;
	sh->dropped.events_written += c->events_written;
	sh->dropped.events_discarded += c->events_discarded;
	sh->dropped.events_dropped += c->events_dropped;
	sh->dropped.space_waits += c->space_waits;
	sh->dropped.durable_waits += c->durable_waits;
	sh->dropped.batches += c->batches;
	sh->dropped.worker_starts += c->worker_starts;
	sh->dropped.batch_failures += c->batch_failures;
	sh->dropped.events_quarantined += c->events_quarantined;
	sh->dropped.worker_failures += c->worker_failures;
	sh->dropped.last_flush = Max(sh->dropped.last_flush, c->last_flush);
	memset(c, 0, sizeof(*c));

	ch->dbid = InvalidOid;
	ch->last_dbid = InvalidOid;
	ch->read_pos = ch->committed_pos = ch->write_pos;
	ch->worker_failed = false;
	ch->worker_launching = false;
	/* a free channel starts with a clean slate (audit_worker.c's failures) */
	ch->fail_streak = ch->exit_streak = 0;
	ch->failing_since = ch->retry_at = 0;
	ch->last_error[0] = '\0';
	ch->last_error_at = 0;
	strlcpy(ch->state, "idle", sizeof(ch->state));

	/*
	 * A writer may still be registered or starting (it cannot be connected:
	 * DROP DATABASE waited for every process of the database).  worker_pid
	 * stays set so that nobody claims the channel before it has exited; it
	 * will fail to connect, or see that the channel moved on.
	 */
}

/*
 * Free the channels of database dbid, which is gone, discarding what is
 * still queued for it.  only_unattended: leave a channel whose writer is
 * running (see free_channels_of_gone_databases).  Returns whether it freed
 * any.  LWLocks only: never fails, touches no catalog.
 */
static bool
free_db_channels(Oid dbid, bool only_unattended)
{
	TsovAuditShared *sh = tsov_audit_shared;
	bool		any = false;

	if (sh == NULL || !OidIsValid(dbid))
		return false;
	LWLockAcquire(sh->map_lock, LW_EXCLUSIVE);
	for (int i = 0; i < sh->nchannels; i++)
	{
		TsovAuditChannel *ch = &sh->channels[i];
		bool		freed = false;

		LWLockAcquire(ch->lock, LW_EXCLUSIVE);
		/* in use by it, or freed while idle and still holding its counters */
		if ((ch->dbid == dbid || (!OidIsValid(ch->dbid) && ch->last_dbid == dbid)) &&
			!(only_unattended && ch->worker_pid != 0))
		{
			release_dropped(sh, ch);
			freed = any = true;
		}
		LWLockRelease(ch->lock);
		if (freed)
		{
			/* nobody of that database waits; wake whoever might anyway */
			ConditionVariableBroadcast(&ch->durable_cv);
			ConditionVariableBroadcast(&ch->space_cv);
		}
	}
	if (any)
		sh->dropped_databases++;
	LWLockRelease(sh->map_lock);
	return any;
}

/*
 * The database dbid is gone: free its channel, discarding what is still
 * queued for it (its audit table went with it).  Called by the backend
 * that dropped it, from its commit callback: takes LWLocks only, never
 * fails, touches no catalog.
 */
void
tsov_audit_database_dropped(Oid dbid)
{
	(void) free_db_channels(dbid, false);
}

/*
 * Free the channels of databases that pg_database no longer has (or marks
 * invalid: an interrupted DROP DATABASE, which can only be dropped again).
 * For a backend that found no free channel: that the dropping backend
 * freed its channel at commit is what normally happens; this makes a
 * channel that somehow outlived its database no leak either.  Catalog
 * access, so only in a valid transaction and with no LWLock held.  Returns
 * whether it freed any.
 */
static bool
free_channels_of_gone_databases(void)
{
	TsovAuditShared *sh = tsov_audit_shared;
	Oid			dbids[64];
	int			n = 0;
	bool		freed = false;

	Assert(IsTransactionState());
	LWLockAcquire(sh->map_lock, LW_SHARED);
	for (int i = 0; i < sh->nchannels && n < lengthof(dbids); i++)
	{
		Oid			db = sh->channels[i].dbid;

		if (OidIsValid(db) && db != MyDatabaseId)
			dbids[n++] = db;
	}
	LWLockRelease(sh->map_lock);
	if (n == 0)
		return false;

	/*
	 * A channel exists only for a database whose creation committed, and
	 * its invalidation was queued before anyone could connect to it: after
	 * reading it, neither a stale negative cache entry nor a stale catalog
	 * snapshot can make a live database look gone.
	 */
	AcceptInvalidationMessages();
	for (int i = 0; i < n; i++)
	{
		HeapTuple	tup = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(dbids[i]));
		bool		gone = !HeapTupleIsValid(tup);

		if (!gone)
		{
			gone = database_is_invalid_form((Form_pg_database) GETSTRUCT(tup));
			ReleaseSysCache(tup);
		}
		/*
		 * Not while its writer runs: a writer that is connected would go on
		 * with positions of its own (a database made invalid by hand still
		 * has its sessions); one that is starting fails to connect and
		 * exits, and the next backend that needs a channel frees it then.
		 */
		if (gone && free_db_channels(dbids[i], true))
			freed = true;
	}
	return freed;
}

/*
 * Whether ch can be given to another database (ch->lock held): free, or
 * empty with no writer running or starting.  worker_pid and the positions
 * change under ch->lock alone, hence the lock.
 */
static inline bool
channel_takeable(TsovAuditChannel *ch, bool free_only)
{
	if (ch->worker_pid != 0 || ch->committed_pos != ch->write_pos)
		return false;
	if (!OidIsValid(ch->dbid))
		return true;
	return !free_only && !ch->worker_launching;
}

/*
 * Claim a channel for MyDatabaseId (map_lock held exclusively): a free
 * one, preferably the one whose counters are ours; else one that is empty
 * and has no writer (its database gets another one when it needs it; its
 * backends notice, since they check dbid under the channel lock).
 * Returns its index, or -1.
 */
static int
claim_channel(TsovAuditShared *sh)
{
	int			pick = -1;

	for (int pass = 0; pass < 3 && pick < 0; pass++)
	{
		for (int i = 0; i < sh->nchannels && pick < 0; i++)
		{
			TsovAuditChannel *ch = &sh->channels[i];

			/* pass 0: our old channel; 1: any free one; 2: an empty one */
			if (pass == 0 && ch->last_dbid != MyDatabaseId)
				continue;
			LWLockAcquire(ch->lock, LW_EXCLUSIVE);
			if (channel_takeable(ch, pass < 2))
			{
				/* a free channel's ring is empty (see "Channels") */
				Assert(ch->read_pos == ch->write_pos);
				ch->dbid = MyDatabaseId;
				ch->worker_launching = false;
				ch->worker_failed = false;
				strlcpy(ch->state, "idle", sizeof(ch->state));
				if (ch->last_dbid != MyDatabaseId)
				{
					memset(&ch->c, 0, sizeof(ch->c));
					ch->last_dbid = MyDatabaseId;
				}
				pick = i;
			}
			LWLockRelease(ch->lock);
		}
	}
	return pick;
}

/*
 * The channel of this backend's database, claiming one if create.  Returns
 * NULL when none can be had (or shared memory is not there).  catalog_ok:
 * when no channel is free, look in pg_database for channels of dropped
 * databases and free them (never from an abort path or the log hook).
 * The map lock is taken briefly; the result stays this database's channel
 * while events are queued in it (see "Channels" above).
 */
static TsovAuditChannel *
get_channel(bool create, bool catalog_ok)
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

	for (int attempt = 0; attempt < 2; attempt++)
	{
		LWLockAcquire(sh->map_lock, LW_EXCLUSIVE);
		for (i = 0; i < sh->nchannels; i++)
			if (sh->channels[i].dbid == MyDatabaseId)
				break;
		if (i == sh->nchannels)
			i = claim_channel(sh);
		LWLockRelease(sh->map_lock);
		if (i >= 0)
			return &sh->channels[my_channel = i];
		if (!catalog_ok || !free_channels_of_gone_databases())
			break;
	}
	return NULL;
}

TsovAuditChannel *
tsov_audit_channel(bool create)
{
	return get_channel(create, false);
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

			ch = get_channel(true, !abort_path && IsTransactionState());
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
 * 0 waits for as long as it takes (commit of a write: that must not
 * complete first).
 */
bool
tsov_audit_wait_durable(uint64 pos, bool hold_interrupts, int timeout_ms, bool flush)
{
	TsovAuditChannel *ch = tsov_audit_channel(false);
	volatile bool done = false;
	volatile XLogRecPtr lsn = InvalidXLogRecPtr;

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
	if (done && flush && !XLogRecPtrIsInvalid(lsn))
		XLogFlush(lsn);
	if (hold_interrupts)
		RESUME_INTERRUPTS();
	return done;
}

