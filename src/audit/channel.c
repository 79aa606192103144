/*-------------------------------------------------------------------------
 *
 * channel.c
 *	  The shared memory of the audit queue and its per-database channels:
 *	  which database a channel belongs to, when it is claimed and freed,
 *	  and the start of a channel's writer.
 *
 * Each database that produces events claims a channel: a ring of
 * tec_sovereignty.audit_queue_size bytes with its own LWLock and its own
 * writer (writer.c), because a background worker is connected to one
 * database for life.  What goes through the ring is queue.c's; here is
 * only who owns it.  DROP DATABASE frees its database's channel (record.c
 * calls tsov_audit_database_dropped at commit).
 *
 * Invariants (Assert()ed where they are relied on): a free channel has an
 * empty ring (read_pos == write_pos) and no writer; a channel's dbid
 * changes only with map_lock and the channel's lock both held.
 *
 * Memory: everything lives in shared memory, sized once at startup
 * (tsov_audit_shmem_request); nothing here allocates in a backend's
 * memory contexts but the catalog lookups of free_channels_of_gone_databases
 * (the caller's context, in a transaction).
 *
 * IDENTIFICATION
 *	  src/audit/channel.c
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


static int	my_channel = -1;		/* this backend's channel, a hint */

/* The channel this backend used is not its database's any more. */
void
tsov_audit_channel_forget(void)
{
	my_channel = -1;
}


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
 *    it is committed: writer.c, maybe_exit_idle in writer.c);
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
	/* a free channel starts with a clean slate (writer.c's failures) */
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
TsovAuditChannel *
tsov_audit_channel_for(bool create, bool catalog_ok)
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

/* This database's channel (claimed if create), without catalog access. */
TsovAuditChannel *
tsov_audit_channel(bool create)
{
	return tsov_audit_channel_for(create, false);
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
