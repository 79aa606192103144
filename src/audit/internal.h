/*-------------------------------------------------------------------------
 *
 * internal.h
 *	  Private declarations of the audit subsystem (src/audit/): the record
 *	  format of the shared-memory queue, the per-database channels, GUCs.
 *
 * Shape.  Backends serialize events into a per-backend buffer, then copy
 * them into the shared-memory ring of their database's *channel* (one
 * channel per database that produces events, claimed on first use).  Each
 * channel has exactly one writer, a dynamic background worker connected to
 * that database, started on demand by the first backend that enqueues: it
 * drains the ring in order, computes the per-domain hash chain, inserts the
 * rows in batches, commits (asynchronously: synchronous_commit = off) and
 * publishes the ring position up to which every event is committed,
 * together with the end LSN of the commit record that covers it.  Backends
 * that must not go on before their events are written wait on a condition
 * variable for that position: a commit that wrote only until they are
 * committed (its own commit record follows in WAL, see record.c), a
 * denial or tec_audit_flush() until committed and then XLogFlush() of the
 * published LSN themselves (durable).  Backends that find the ring full
 * wait on another condition variable for space (back-pressure: events are
 * never dropped).  Every such wait ends on cancel, terminate,
 * statement_timeout and postmaster death (queue.c, tsov_audit_sleep).
 * A channel is freed when its writer idles out with an empty ring, or when
 * its database is dropped (its queued events are then discarded and
 * counted in events_dropped).
 *
 * Ring protocol.  Positions are byte offsets that only grow (uint64); the
 * ring offset is pos % ring_size.  A producer reserves [pos, pos + len)
 * under the channel's LWLock, releases it, copies the record and stamps it
 * last (stamp = pos + 1, after a write barrier), so the lock is held only
 * for the arithmetic.  The writer reads records in position order and stops
 * at the first record whose stamp is not its position + 1 (still being
 * copied).  Records never wrap: a producer that would cross the end of the
 * ring first fills the rest with a SKIP record; when fewer than a header's
 * worth of bytes are left, both sides skip them implicitly.
 *
 * IDENTIFICATION
 *	  src/audit/internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_AUDIT_INTERNAL_H
#define TSOV_AUDIT_INTERNAL_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "access/xlogdefs.h"
#include "audit/audit.h"
#include "common/guc.h"
#include "common/state.h"
#include "domain/domain.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

/* String fields of a record, in this order. */
typedef enum TsovAuditField
{
	TSOV_F_ACTION,
	TSOV_F_ACTOR_DOMAIN,
	TSOV_F_OBJECT_DOMAIN,
	TSOV_F_OBJECT_SCHEMA,
	TSOV_F_OBJECT_NAME,
	TSOV_F_REASON,
	TSOV_F_VIA_API,
	TSOV_F_CLIENT_ADDR,
	TSOV_F_APPLICATION_NAME,
	TSOV_F_STATEMENT,
	TSOV_F_SESSION_USER,
	TSOV_F_EFFECTIVE_USER,
	TSOV_NFIELDS
} TsovAuditField;

#define TSOV_REC_EVENT		1
#define TSOV_REC_SKIP		2

#define TSOV_RECF_WRITE		0x01	/* is_write */
#define TSOV_RECF_LOGHOOK	0x02	/* from emit_log_hook: domains resolved by
									 * the writer */

/*
 * One queued event.  Strings follow the header, each NUL-terminated;
 * slen[i] is strlen + 1, or 0 for NULL.  len is MAXALIGNed.
 */
typedef struct TsovAuditRecord
{
	pg_atomic_uint64 stamp;		/* ring position + 1 once complete */
	uint32		len;
	uint8		kind;
	uint8		decision;		/* TsovDecision */
	uint8		flags;
	uint8		pad;
	TimestampTz ts;
	uint64		fxid;			/* FullTransactionId, 0 when none */
	int32		pid;
	Oid			session_user_id;
	Oid			effective_user_id;
	Oid			object_oid;
	uint16		slen[TSOV_NFIELDS];
	char		data[FLEXIBLE_ARRAY_MEMBER];
} TsovAuditRecord;

#define TSOV_REC_HDRSZ		MAXALIGN(offsetof(TsovAuditRecord, data))

/* Statistics counters of a channel (under the channel lock). */
typedef struct TsovAuditCounters
{
	uint64		events_queued;
	uint64		events_written;
	uint64		events_discarded;	/* database without the extension */
	uint64		events_dropped; /* still queued when their database was
								 * dropped (its trail went with it) */
	uint64		space_waits;		/* back-pressure: enqueues that waited */
	uint64		durable_waits;		/* callers that waited for their events */
	uint64		batches;
	uint64		worker_starts;
	TimestampTz last_flush;
	/* the writer's failure model (writer.c) */
	uint64		batch_failures; /* attempts that raised an error */
	uint64		events_quarantined; /* written as quarantined rows */
	uint64		worker_failures;	/* writers that exited abnormally */
} TsovAuditCounters;

#define TSOV_LAST_ERROR_LEN 256

typedef struct TsovAuditChannel
{
	LWLock	   *lock;			/* protects everything below but the ring */
	Oid			dbid;			/* InvalidOid: free (changed only with
								 * map_lock held too) */
	Oid			last_dbid;		/* the database whose counters c holds:
								 * kept when an idle writer frees the
								 * channel, so that the database finds its
								 * counters again if it reclaims it */
	uint64		write_pos;		/* next position to reserve */
	uint64		read_pos;		/* the writer has consumed up to here */
	uint64		committed_pos;	/* every event before this is committed */
	XLogRecPtr	committed_lsn;	/* end of the writer's commit record that
								 * covers committed_pos: durable once WAL is
								 * flushed up to here */
	pg_atomic_uint32 waiters;	/* backends in tsov_audit_wait_durable: the
								 * writer does not pace its batches while
								 * someone waits */
	int			worker_pid;		/* 0: no writer running */
	bool		worker_launching;
	TimestampTz launch_time;
	bool		worker_failed;	/* last writer exited on an error */
	/*
	 * Failure model (writer.c).  fail_streak counts consecutive failed
	 * attempts (0: healthy); retry_at is when the writer tries again, and,
	 * after a writer exited on an error, the earliest time
	 * tsov_audit_ensure_worker starts the next one (never a tight restart
	 * loop).  failing_since: first failure of the current streak, for the
	 * commits that wait (fail closed after audit_fail_timeout).
	 */
	int			fail_streak;
	int			exit_streak;	/* writers in a row that exited on an error:
								 * paces their restarts */
	TimestampTz failing_since;
	TimestampTz retry_at;
	TimestampTz last_error_at;
	char		last_error[TSOV_LAST_ERROR_LEN];
	char		state[32];		/* writer state, for audit_stats */
	struct Latch *worker_latch;
	TimestampTz last_wake;		/* a producer last set worker_latch */
	ConditionVariable durable_cv;	/* committed_pos advanced */
	ConditionVariable space_cv; /* read_pos advanced */
	TsovAuditCounters c;
	char	   *ring;			/* tsov_audit_ring_size bytes */
} TsovAuditChannel;

typedef struct TsovAuditShared
{
	LWLock	   *map_lock;		/* protects the dbid of every channel, and
								 * the two fields below */
	int			nchannels;
	uint64		dropped_databases;	/* channels freed by DROP DATABASE */
	TsovAuditCounters dropped;	/* their counters, summed, the events
								 * discarded with them in events_dropped */
	TsovAuditChannel channels[FLEXIBLE_ARRAY_MEMBER];
} TsovAuditShared;

/* in channel.c */
extern TsovAuditShared *tsov_audit_shared;
extern uint64 tsov_audit_ring_size;

extern TsovAuditChannel *tsov_audit_channel(bool create);
extern TsovAuditChannel *tsov_audit_channel_for(bool create, bool catalog_ok);
extern void tsov_audit_channel_forget(void);
extern void tsov_audit_database_dropped(Oid dbid);
extern void tsov_audit_ensure_worker(TsovAuditChannel *ch);

/* in queue.c */
extern uint64 tsov_audit_enqueue(const char *buf, Size len, bool abort_path,
								 Size *queued);
extern bool tsov_audit_wait_durable(uint64 pos, bool hold_interrupts, int timeout_ms,
									bool flush);
extern uint64 tsov_audit_queued_upto(void);

/* longest wait of an error path for its denial's row (see wait_durable) */
#define TSOV_DENIAL_WAIT_MS 10000
/*
 * Longest wait of an abort path (interrupts held) for a channel or for
 * queue space; what is not queued by then stays in the backend's buffer
 * (record.c) and is queued by its next transaction.
 */
#define TSOV_ABORT_WAIT_MS 1000
extern void tsov_audit_wake_writer(void);
extern TsovAuditRecord *tsov_audit_rec_at(TsovAuditChannel *ch, uint64 pos,
										  uint64 *recpos);

/* in record.c: the backend's side */
extern void tsov_audit_record_now(const TsovAuditEvent *ev, bool wait);
extern void tsov_audit_record_denial_nowait(const TsovAuditEvent *ev);
extern void tsov_audit_record_from_hook(const TsovAuditEvent *ev);
extern void tsov_audit_flush_buffer(void);
extern void tsov_audit_buffer_event(const TsovAuditEvent *ev);

/* in record.c */
extern const char *tsov_audit_decision_name(int d);

/* ---- the audit row and its chain (chain.c) ---- */

#define TSOV_HASH_LEN 32

/*
 * One row of tec_sovereignty.audit_log, as the writer forms it and as
 * verify reads it back: every column of the table (chain.c's column
 * table says which member each column is).
 */
typedef struct TsovAuditRow
{
	int64		seq;			/* local, gapless; not hashed */
	TimestampTz logged_at;
	uint64		fxid;			/* 0 = NULL */
	int32		pid;
	Oid			object_oid;		/* InvalidOid = NULL */
	const char *str[TSOV_NFIELDS];
	const char *decision;
	const char *chain_domain;
	const char *chain_origin;
	int64		chain_seq;
	const uint8 *prev_hash;		/* NULL (read rows): NULL or malformed */
	const uint8 *row_hash;		/* likewise; not hashed */
	const char *quarantine;		/* NULL: an ordinary row; else why the row
								 * is quarantined (hashed only when set) */
	uint8		prev_buf[TSOV_HASH_LEN];	/* storage of a read row's */
	uint8		hash_buf[TSOV_HASH_LEN];	/* hashes */
} TsovAuditRow;

/* Where a column's value comes from. */
typedef enum TsovColSource
{
	TSOV_COL_SEQ,				/* int8: row->seq */
	TSOV_COL_LOGGED_AT,			/* timestamptz: when the backend recorded it */
	TSOV_COL_XID,				/* xid8: row->fxid, NULL when 0 */
	TSOV_COL_PID,				/* int4 */
	TSOV_COL_OBJECT_OID,		/* oid, NULL when invalid */
	TSOV_COL_FIELD,				/* text: a string field of the record */
	TSOV_COL_DECISION,			/* text, NOT NULL */
	TSOV_COL_CHAIN_DOMAIN,		/* text */
	TSOV_COL_CHAIN_ORIGIN,		/* text */
	TSOV_COL_CHAIN_SEQ,			/* int8 */
	TSOV_COL_PREV_HASH,			/* bytea */
	TSOV_COL_ROW_HASH,			/* bytea */
	TSOV_COL_QUARANTINE			/* text, NULL for an ordinary row */
} TsovColSource;

#define TSOV_HASH_NONE		0	/* not covered by row_hash */
#define TSOV_HASH_IF_SET	(-1)	/* covered (name and value) when not NULL */

typedef struct TsovAuditColumn
{
	const char *name;
	Oid			type;
	TsovColSource source;
	int			field;			/* TSOV_F_* for TSOV_COL_FIELD, else -1 */
	int			hash;			/* position in the encoding (1..), or
								 * TSOV_HASH_NONE / TSOV_HASH_IF_SET */
	int			ev_offset;		/* TSOV_COL_FIELD: offset of the string in
								 * TsovAuditEvent, -1: a fact of the
								 * session (record.c) */
	int			max;			/* TSOV_COL_FIELD: bytes the record keeps */
} TsovAuditColumn;

struct pg_cryptohash_ctx;

/* in chain.c: the column table */
extern const int tsov_audit_ncolumns;
extern const TsovAuditColumn *tsov_audit_column(int i);
extern const TsovAuditColumn *tsov_audit_field_column(int field);
extern char *tsov_audit_column_list(const char *prefix, const char *seq_expr);
extern void tsov_audit_check_columns(TupleDesc d);
extern Datum tsov_audit_row_datum(const TsovAuditRow *row, int i, bool *isnull);
extern void tsov_audit_row_from_values(const Datum *values, const bool *isnull,
									   TsovAuditRow *row);
extern bool tsov_audit_get_hash(HeapTuple t, TupleDesc d, int col, uint8 *out);
extern char *tsov_audit_get_text(HeapTuple t, TupleDesc d, int col);

/* in chain.c: the hash and the origin */
extern void tsov_audit_hash_row(const TsovAuditRow *row, uint8 *out);
extern void tsov_audit_hash_str(struct pg_cryptohash_ctx *ctx, const char *s);
extern struct pg_cryptohash_ctx *tsov_audit_sha256(void);
extern void tsov_audit_origin(char *buf, Size len);

/* in chain.c: the chain heads (writer process only) */
extern bool tsov_chain_heads_loaded(void);
extern void tsov_chain_heads_load(const char *origin);
extern void tsov_chain_heads_forget(void);
extern void tsov_chain_append(TsovAuditRow *row, uint8 *prev, uint8 *hash);
/*
 * Where this process last wrote a head's row of audit_chain (batch.c), so
 * that the next save finds it without an index scan; checked before use.
 * Forgotten with the heads when a batch's transaction aborts.
 */
typedef struct TsovHeadPlace
{
	Oid			relfilenode;	/* InvalidOid: not known */
	ItemPointerData tid;
} TsovHeadPlace;

/* a head to save into tec_sovereignty.audit_chain (one row of it) */
typedef struct TsovChainHeadRow
{
	const char *domain;			/* chain_domain */
	const char *origin;			/* chain_origin */
	int64		seq;			/* last_seq */
	const uint8 *hash;			/* last_hash, TSOV_HASH_LEN bytes */
	int64		last_log_seq;	/* the last local seq given out */
	TsovHeadPlace *place;		/* the saver reads and sets it */
} TsovChainHeadRow;
extern void tsov_chain_heads_dirty(void (*save) (const TsovChainHeadRow *head, void *arg),
								   void *arg);

/* ---- the writer (writer.c, batch.c) ---- */

/* most records in one batch */
#define TSOV_BATCH_MAX 8192

/*
 * How hard the record at the head of the ring is being pushed through.
 * TSOV_WRITE_NORMAL: as it is.  TSOV_WRITE_CUT: quarantined, every field cut
 * to small limits (batch.c).  TSOV_WRITE_WITHHELD: quarantined, the
 * free-text fields (statement, reason, object name, API, client,
 * application) replaced by the SHA-256 of their content in the marker;
 * what is left are names of at most NAMEDATALEN - 1 bytes, the action and
 * the numbers.
 */
typedef enum WriteLevel
{
	TSOV_WRITE_NORMAL,
	TSOV_WRITE_CUT,
	TSOV_WRITE_WITHHELD
} WriteLevel;

/* in writer.c */
extern void tsov_audit_worker_register(int channel, Oid dbid);
PGDLLEXPORT void tsov_audit_worker_main(Datum arg);
extern void tsov_audit_writer_state(const char *s);
extern const char *tsov_audit_writer_origin(void);

/* in batch.c */
extern int	tsov_audit_write_batch(Relation rel, TsovAuditRecord **recs, int n,
								   WriteLevel level, const char *why);
extern bool tsov_audit_error_is_environmental(int sqlerrcode);

/* ---- the SQL functions (admin.c, verify.c, import.c) ---- */

/* in admin.c */
extern void tsov_audit_require_superuser(const char *fn);
extern char *tsov_audit_text_arg(FunctionCallInfo fcinfo, int n);

/* in verify.c: one chain, as tec_audit_verify() checks it */
typedef struct VerifyResult
{
	char	   *domain;
	bool		ok;
	int64		rows;
	int64		first_bad;		/* 0: none */
	char	   *reason;
} VerifyResult;


/* in digest.c: signed digests of chain heads (issue 16) */
typedef struct TsovDigest
{
	char	   *domain;			/* chain_domain ('' outside any domain) */
	char	   *origin;
	int64		seq;			/* the head's chain position */
	uint8		hash[TSOV_HASH_LEN];
	bool		has_time;
	TimestampTz time;			/* logged_at of the head row */
	char	   *database;
	char	   *sysid;
	TimestampTz signed_at;
	char	   *key_id;
} TsovDigest;

extern Jsonb *tsov_digest_head(const char *domain, const char *origin,
									  bool missing_key_ok);
extern bool tsov_digest_check(JsonbContainer *o, TsovDigest *d, const char *want,
							  char **why);
extern bool tsov_digest_have_key(const char *domain);
extern TsovDigest *tsov_digests_from_jsonb(Jsonb *j, int *n, const char *want);

/* in verify.c: one chain, optionally against signed digests of it */
extern void tsov_audit_verify_chain_digests(const char *domain, const char *origin,
											VerifyResult *res,
											const TsovDigest *digests, int ndigests);

#endif							/* TSOV_AUDIT_INTERNAL_H */
