/*-------------------------------------------------------------------------
 *
 * record.c
 *	  tsov_audit_record() and the per-transaction event buffer: what the
 *	  audit level keeps, when events are queued, and where commit waits.
 *
 * Events are serialized at once (every string copied, each field taken
 * and cut as the column table of chain.c says) into a per-backend
 * buffer in TopMemoryContext, which is queued as one run when it holds 64
 * events, when its oldest event is older than audit_max_delay, and at
 * transaction end.  Events of aborted subtransactions stay in it: forensics
 * wants attempts, not only successes, so nothing needs to be undone at
 * subtransaction abort and the buffer survives it untouched.
 *
 * Where a commit waits.  At XACT_EVENT_PRE_COMMIT (and PRE_PREPARE) the
 * buffer is queued and, if the transaction recorded a write, the backend
 * waits until the writer has committed those rows; it does not wait for
 * the writer's commit to be flushed.  Why that is enough: PRE_COMMIT runs
 * before RecordTransactionCommit() inserts our commit (or prepare) record,
 * and the writer's commit record was inserted before it published the
 * position we waited for, so ours comes strictly later in WAL.  WAL is
 * flushed, and replayed after a crash, as a prefix: whenever our commit is
 * durable (flushed by us with synchronous_commit = on before the client
 * hears of it, or later by anyone), the audit rows' commit is durable too,
 * and a commit record that survives a crash implies the audit rows'
 * commit record survives.  With synchronous_commit = off in this session,
 * neither is durable yet when the client is told; a crash may then lose
 * the write, or the write and its rows, but never keep the write without
 * its rows.  Synchronous replication waits for our LSN, so a standby has
 * the rows too.  Whatever instant a crash happens, a transaction whose
 * commit survives has audit rows that survive too.  (A transaction without
 * an xid writes no commit record: it flushes the writer's commit itself.)
 * The converse is allowed: a crash (or a
 * serialization failure raised after PRE_COMMIT) between the writer's
 * commit and ours leaves audit rows for a write that did not commit; the
 * rows carry the transaction id, and pg_xact_status(xid) tells the two
 * apart.  Waiting later (XACT_EVENT_COMMIT) would be too late: the commit
 * record is already durable there, and a crash at that point would leave a
 * committed write without its audit rows.  A cancel, a terminate or
 * statement_timeout end the wait with an error, which aborts the
 * transaction (fail closed): the write is not committed.
 *
 * On abort the buffer is queued without waiting (reads in aborted
 * transactions are recorded too).  That path may not fail and runs with
 * interrupts held, so its waits (for a channel, for queue space) are
 * bounded: what the queue does not take stays in the buffer for the next
 * transaction, and what is still there when the session exits is reported
 * in a WARNING (xbuf_at_exit).
 *
 * DROP DATABASE: an object_access_hook notes the database being dropped,
 * and the commit callback frees its audit channel (queue.c).
 *
 * IDENTIFICATION
 *	  src/audit/record.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_database.h"
#include "common/ip.h"
#include "utils/backend_status.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "common/tsov.h"
#include "common/state.h"
#include "domain/domain.h"
#include "audit/internal.h"

#define TSOV_XBUF_MAX_EVENTS 64
/* while a statement runs: what it records stays here to be marked if it fails */
#define TSOV_XBUF_HOLD_EVENTS 1024

static StringInfoData xbuf;
static int	xbuf_count = 0;
static bool xbuf_has_write = false;
static TimestampTz xbuf_first = 0;
static uint64 xact_wait_pos = 0;	/* position the commit must wait for */
static uint64 xbuf_serial = 0;	/* events ever put into xbuf: the last one's
								 * number (the first in xbuf is number
								 * xbuf_serial - xbuf_count + 1) */
static int	stmt_depth = 0;		/* statements running (nested), see
								 * tsov_audit_statement_begin */


/* one-entry caches for role names (no catalog access on hits) */
static Oid	cached_session_oid = InvalidOid;
static char cached_session_name[NAMEDATALEN];
static Oid	cached_user_oid = InvalidOid;
static char cached_user_name[NAMEDATALEN];

const char *
tsov_audit_decision_name(int d)
{
	switch (d)
	{
		case TSOV_ALLOWED:
			return "allowed";
		case TSOV_DENIED:
			return "denied";
		case TSOV_PRIVILEGED:
			return "privileged";
		case TSOV_SIMULATED:
			return "simulated";
		case TSOV_ABORTED:
			return "aborted";
	}
	return "unknown";
}

/*
 * Length of a string field as kept (NULL: -1), cut at max bytes on a
 * character boundary.
 */
static inline int
field_len(const char *s, int max)
{
	int			len;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len > max)
		len = pg_mbcliplen(s, len, max);
	return len;
}

/*
 * The client's address as text ("[local]" for a Unix socket, NULL for a
 * background process), computed once from the backend status entry.
 */
static const char *
client_addr(void)
{
	static bool done = false;
	static char addr[NI_MAXHOST];

	if (!done)
	{
		done = true;
		addr[0] = '\0';
		if (MyBEEntry != NULL && MyBEEntry->st_clientaddr.salen > 0)
		{
			if (MyBEEntry->st_clientaddr.addr.ss_family == AF_UNIX)
				strlcpy(addr, "[local]", sizeof(addr));
			else if (pg_getnameinfo_all(&MyBEEntry->st_clientaddr.addr,
										MyBEEntry->st_clientaddr.salen,
										addr, sizeof(addr), NULL, 0,
										NI_NUMERICHOST | NI_NUMERICSERV) != 0)
				addr[0] = '\0';
		}
	}
	return addr[0] ? addr : NULL;
}

/*
 * The column table (chain.c) as the serializer reads it per field: the
 * offset of the field's string in TsovAuditEvent (-1: a fact of the
 * session) and the bytes the record keeps.  Copied once per backend, so
 * that the per-event loop is plain array reads instead of a call per
 * field into the table.
 */
static int	field_ev_offset[TSOV_NFIELDS];
static int	field_max[TSOV_NFIELDS];
static bool field_layout_ready = false;

static void
load_field_layout(void)
{
	for (int i = 0; i < TSOV_NFIELDS; i++)
	{
		const TsovAuditColumn *col = tsov_audit_field_column(i);

		field_ev_offset[i] = col->ev_offset;
		field_max[i] = col->max;
		Assert(field_max[i] > 0);
	}
	field_layout_ready = true;
}

/*
 * Serialize one event at the end of buf, as a complete ring record.
 * catalog_ok: user names may be looked up (false in the log hook: names
 * not cached are left to the writer, which resolves them from the OIDs).
 * Returns the record's length.
 */
static Size
serialize_event(StringInfo buf, const TsovAuditEvent *ev, uint8 flags, bool catalog_ok)
{
	TsovAuditRecord hdr;
	int			start = buf->len;
	Oid			sess = GetSessionUserId();
	Oid			cur = GetUserId();
	const char *sname = NULL;
	const char *uname = NULL;
	const char *client = client_addr();
	int			stmt_max = tsov_audit_statement_max;
	const char *str[TSOV_NFIELDS];
	int			len[TSOV_NFIELDS];
	Size		total;
	char	   *p;

	if (sess != cached_session_oid && catalog_ok)
	{
		char	   *n = GetUserNameFromId(sess, true);

		if (n)
		{
			strlcpy(cached_session_name, n, NAMEDATALEN);
			cached_session_oid = sess;
		}
	}
	if (cur != cached_user_oid && catalog_ok)
	{
		char	   *n = GetUserNameFromId(cur, true);

		if (n)
		{
			strlcpy(cached_user_name, n, NAMEDATALEN);
			cached_user_oid = cur;
		}
	}
	if (sess == cached_session_oid)
		sname = cached_session_name;
	if (cur == cached_user_oid)
		uname = cached_user_name;

	memset(&hdr, 0, sizeof(hdr));
	hdr.kind = TSOV_REC_EVENT;
	hdr.decision = (uint8) ev->decision;
	hdr.flags = flags | (ev->is_write ? TSOV_RECF_WRITE : 0);
	hdr.ts = GetCurrentTimestamp();
	hdr.fxid = U64FromFullTransactionId(GetTopFullTransactionIdIfAny());
	hdr.pid = MyProcPid;
	hdr.session_user_id = sess;
	hdr.effective_user_id = OidIsValid(ev->actor_role) ? ev->actor_role : cur;
	hdr.object_oid = ev->object_oid;
	if (OidIsValid(ev->actor_role) && ev->actor_role != cur)
		uname = NULL;			/* resolved by the writer from the OID */

	/*
	 * Strings after the header, as the column table says (chain.c): from
	 * the event, or facts of the session.  Lengths first, then one
	 * enlargement and plain copies (this runs for every audited access).
	 */
	if (!field_layout_ready)
		load_field_layout();
	for (int i = 0; i < TSOV_NFIELDS; i++)
		str[i] = field_ev_offset[i] >= 0 ?
			*(const char *const *) ((const char *) ev + field_ev_offset[i]) : NULL;
	/* the facts of the session (columns whose ev_offset is -1) */
	Assert(field_ev_offset[TSOV_F_CLIENT_ADDR] < 0 && field_ev_offset[TSOV_F_STATEMENT] < 0);
	str[TSOV_F_CLIENT_ADDR] = client;
	str[TSOV_F_APPLICATION_NAME] = application_name;
	str[TSOV_F_STATEMENT] = stmt_max > 0 ? debug_query_string : NULL;
	str[TSOV_F_SESSION_USER] = sname;
	str[TSOV_F_EFFECTIVE_USER] = uname;
	if (str[TSOV_F_ACTION] == NULL)
		str[TSOV_F_ACTION] = "UNKNOWN";

	total = TSOV_REC_HDRSZ;
	for (int i = 0; i < TSOV_NFIELDS; i++)
	{
		len[i] = field_len(str[i], field_max[i]);
		hdr.slen[i] = len[i] + 1;	/* 0 for NULL */
		total += len[i] + 1;
	}
	if (len[TSOV_F_STATEMENT] > stmt_max)
	{
		/* the setting may keep less than the column allows */
		total -= len[TSOV_F_STATEMENT] - field_len(str[TSOV_F_STATEMENT], stmt_max);
		len[TSOV_F_STATEMENT] = field_len(str[TSOV_F_STATEMENT], stmt_max);
		hdr.slen[TSOV_F_STATEMENT] = len[TSOV_F_STATEMENT] + 1;
	}
	total = MAXALIGN(total);
	enlargeStringInfo(buf, total);
	p = buf->data + start + TSOV_REC_HDRSZ;
	for (int i = 0; i < TSOV_NFIELDS; i++)
	{
		if (len[i] < 0)
			continue;
		memcpy(p, str[i], len[i]);
		p[len[i]] = '\0';
		p += len[i] + 1;
	}
	/* padding to MAXALIGN */
	memset(p, 0, buf->data + start + total - p);

	hdr.len = total;
	memcpy(buf->data + start, &hdr, TSOV_REC_HDRSZ);
	buf->len = start + total;
	buf->data[buf->len] = '\0';
	return hdr.len;
}

/* Number of event records in a run of serialized records. */
static int
count_events(const char *buf, Size len)
{
	int			n = 0;

	for (Size o = 0; o < len;)
	{
		const TsovAuditRecord *r = (const TsovAuditRecord *) (buf + o);

		Assert(r->len >= TSOV_REC_HDRSZ && o + r->len <= len);
		n += (r->kind == TSOV_REC_EVENT);
		o += r->len;
	}
	return n;
}

/*
 * Drop the first n bytes of the buffer (records now in the ring), keeping
 * the rest for the next flush.  A write among the rest keeps
 * xbuf_has_write; so does a write among the queued ones, conservatively
 * (the commit then waits for everything queued so far, which covers them).
 */
static void
xbuf_consume(Size n)
{
	Assert(n <= xbuf.len);
	if (n == 0)
		return;
	if (n == xbuf.len)
	{
		resetStringInfo(&xbuf);
		xbuf_count = 0;
		xbuf_has_write = false;
		return;
	}
	memmove(xbuf.data, xbuf.data + n, xbuf.len - n);
	xbuf.len -= n;
	xbuf.data[xbuf.len] = '\0';
	xbuf_count = count_events(xbuf.data, xbuf.len);
}

static void xbuf_at_exit(int code, Datum arg);
static void xbuf_maybe_flush(void);

/*
 * Make sure that events left in the buffer between transactions are not
 * forgotten at exit.  on_shmem_exit: it runs after ShutdownPostgres has
 * aborted any transaction and released its locks, while MyProc and shared
 * memory are still there.
 */
static void
xbuf_exit_hook(void)
{
	static bool registered = false;

	if (!registered)
	{
		on_shmem_exit(xbuf_at_exit, (Datum) 0);
		registered = true;
	}
}

/*
 * Keep records that could not be queued (serialized: buf, len) in the
 * buffer, for the next flush (the next transaction end, or this session's
 * exit, at the latest).  Allocates in TopMemoryContext; never raises an
 * error other than out-of-memory.
 */
static void
xbuf_keep(const char *buf, Size len)
{
	MemoryContext old;

	if (len == 0)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	if (xbuf.data == NULL)
		initStringInfo(&xbuf);
	appendBinaryStringInfo(&xbuf, buf, len);
	MemoryContextSwitchTo(old);
	if (xbuf_count == 0)
		xbuf_first = GetCurrentTimestamp();
	{
		int			n = count_events(buf, len);

		xbuf_count += n;
		xbuf_serial += n;
	}
	xbuf_exit_hook();
}

/*
 * Queue one event now and, if wait, return only once it is durable.  Used
 * for denials (the transaction is about to abort) and by the log hook
 * (catalog access not allowed there).
 */
void
tsov_audit_record_now(const TsovAuditEvent *ev, bool wait)
{
	StringInfoData buf;
	uint64		pos;
	Size		queued = 0;

	initStringInfo(&buf);
	serialize_event(&buf, ev, 0, IsTransactionState());
	pos = tsov_audit_enqueue(buf.data, buf.len, false, &queued);
	/* not queued only when interrupts are held and one is pending */
	xbuf_keep(buf.data + queued, buf.len - queued);
	pfree(buf.data);
	if (wait && !tsov_audit_wait_durable(pos, false, TSOV_DENIAL_WAIT_MS, true))
		ereport(WARNING,
				(errmsg("audit row of a denial not yet written"),
				 errdetail("The event is queued and will be written when the audit writer can proceed.")));
}

/*
 * Queue a denial without waiting: for errors raised while holding locks
 * the writer needs.
 */
void
tsov_audit_record_denial_nowait(const TsovAuditEvent *ev)
{
	tsov_audit_record_now(ev, false);
	tsov_audit_wake_writer();	/* nobody waits, yet it must not lag */
}

/*
 * The log hook's entry: no catalog access, interrupts held while waiting.
 * What the queue cannot take within its bound stays in the buffer and is
 * queued when the transaction's abort flushes it.
 */
void
tsov_audit_record_from_hook(const TsovAuditEvent *ev)
{
	StringInfoData buf;
	uint64		pos;
	Size		queued = 0;

	initStringInfo(&buf);
	serialize_event(&buf, ev, TSOV_RECF_LOGHOOK, false);
	pos = tsov_audit_enqueue(buf.data, buf.len, true, &queued);
	xbuf_keep(buf.data + queued, buf.len - queued);
	pfree(buf.data);
	(void) tsov_audit_wait_durable(pos, true, TSOV_DENIAL_WAIT_MS, true);
}

/*
 * Queue the buffer.  Without abort_path it is all queued or an error is
 * raised; on the abort path what the queue does not take within its bound
 * stays in the buffer.  xbuf_queued follows the enqueue, so that the part
 * already in the ring when an error interrupted it is not queued twice.
 */
static Size xbuf_queued = 0;

static void
xbuf_flush(bool abort_path)
{
	uint64		pos;

	if (xbuf_queued > 0)
	{
		/* the last flush ended in an error after queuing this much */
		xbuf_consume(xbuf_queued);
		xbuf_queued = 0;
		if (xbuf_has_write)
			xact_wait_pos = Max(xact_wait_pos, tsov_audit_queued_upto());
	}
	if (xbuf_count == 0)
		return;
	pos = tsov_audit_enqueue(xbuf.data, xbuf.len, abort_path, &xbuf_queued);
	if (xbuf_has_write && pos > xact_wait_pos)
		xact_wait_pos = pos;
	xbuf_consume(xbuf_queued);
	xbuf_queued = 0;
	if (xbuf_count > 0)
	{
		Assert(abort_path);
		xbuf_exit_hook();
	}
}

/*
 * At exit: queue what earlier aborts could not (bounded, as on the abort
 * path), and say how many events are lost if even that fails.
 */
static void
xbuf_at_exit(int code, Datum arg)
{
	if (xbuf_count == 0 && xbuf_queued == 0)
		return;
	xbuf_flush(true);
	if (xbuf_count > 0)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("%d audit events of this session are lost", xbuf_count),
				 errdetail("The session ended while the audit queue of its database could not take them (no free channel, or the queue stayed full)."),
				 errhint("Look at tec_sovereignty.audit_stats; raise tec_sovereignty.audit_max_databases or tec_sovereignty.audit_queue_size if this recurs.")));
}

static void
echo_event(const TsovAuditEvent *ev)
{
	StringInfoData m;

	initStringInfo(&m);
	appendStringInfo(&m, "AUDIT: %s %s", tsov_audit_decision_name(ev->decision),
					 ev->action ? ev->action : "?");
	if (ev->object_domain)
		appendStringInfo(&m, " domain=%s", ev->object_domain);
	if (ev->object_schema && ev->object_name)
		appendStringInfo(&m, " object=%s.%s", ev->object_schema, ev->object_name);
	else if (ev->object_schema || ev->object_name)
		appendStringInfo(&m, " object=%s", ev->object_schema ? ev->object_schema : ev->object_name);
	if (ev->reason)
		appendStringInfo(&m, " reason=%s", ev->reason);
	ereport(NOTICE, (errmsg_internal("%s", m.data)));
	pfree(m.data);
}

bool
tsov_audit_wanted(const char *object_domain, bool is_write)
{
	int			level = tsov_audit_level_guc;

	if (object_domain != NULL)
	{
		const TsovDomain *d = tsov_domain_by_name(object_domain);

		if (d != NULL && d->audit_level != TSOV_AUDIT_INHERIT)
			level = d->audit_level;
	}
	switch (level)
	{
		case TSOV_AUDIT_ALL:
			return true;
		case TSOV_AUDIT_WRITE:
			return is_write;
		default:
			return false;
	}
}

void
tsov_audit_record(const TsovAuditEvent *ev)
{
	tsov_audit_record_flags(ev, 0);
}

void
tsov_audit_record_flags(const TsovAuditEvent *ev, int flags)
{
	if (ev->decision == TSOV_ALLOWED && (flags & TSOV_AUDIT_ALWAYS) == 0 &&
		!tsov_audit_wanted(ev->object_domain, ev->is_write))
		return;
	if (tsov_audit_echo)
		echo_event(ev);

	if (ev->decision == TSOV_DENIED || ev->decision == TSOV_SIMULATED ||
		(flags & TSOV_AUDIT_NOW) != 0)
	{
		tsov_audit_record_now(ev, true);
		return;
	}
	tsov_audit_buffer_event(ev);
}

/*
 * Add an event to this transaction's buffer (no level check); queued when
 * the buffer is full or old, and at transaction end.
 */
void
tsov_audit_buffer_event(const TsovAuditEvent *ev)
{
	MemoryContext old;

	old = MemoryContextSwitchTo(TopMemoryContext);
	if (xbuf.data == NULL)
		initStringInfo(&xbuf);
	serialize_event(&xbuf, ev, 0, true);
	MemoryContextSwitchTo(old);
	if (xbuf_count++ == 0)
		xbuf_first = GetCurrentTimestamp();
	xbuf_serial++;
	if (ev->is_write)
		xbuf_has_write = true;
	xbuf_maybe_flush();
}

/*
 * Queue the buffer when it holds enough events, or when its oldest one is
 * older than audit_max_delay.  While a statement runs, "enough" is
 * TSOV_XBUF_HOLD_EVENTS: its events stay in the buffer, where they can
 * still be marked if it fails (a DROP ... CASCADE records one event per
 * object); the delay is the same, so that no read waits longer.
 */
static void
xbuf_maybe_flush(void)
{
	if (xbuf_count >= (stmt_depth > 0 ? TSOV_XBUF_HOLD_EVENTS : TSOV_XBUF_MAX_EVENTS) ||
		(xbuf_count > 0 &&
		 TimestampDifferenceExceeds(xbuf_first, GetCurrentTimestamp(), tsov_audit_max_delay)))
		xbuf_flush(false);
}

/*
 * A statement starts (ExecutorStart, ProcessUtility; nested ones too):
 * its mark is the number the next event put into the buffer will have
 * minus one.
 */
uint64
tsov_audit_statement_begin(void)
{
	stmt_depth++;
	return xbuf_serial;
}

/* The statement of this mark completed. */
void
tsov_audit_statement_end(uint64 mark)
{
	Assert(stmt_depth > 0 && mark <= xbuf_serial);
	stmt_depth--;
	if (stmt_depth == 0)
		xbuf_maybe_flush();
}

/*
 * The statement of this mark failed (called from a PG_CATCH block: only
 * memory writes, nothing that can fail).  Its events still in the buffer
 * that say allowed or privileged are marked aborted: what they allowed
 * was rolled back with the statement.  The trail keeps them (forensics
 * wants the attempt), but no view counts them as accesses that happened.
 * Denied and simulated events stay as they are.  Events already queued
 * (more than TSOV_XBUF_HOLD_EVENTS in the statement, or older than
 * audit_max_delay, or queued by tec_audit_flush()) keep their decision;
 * their xid says, with pg_xact_status(), whether the transaction
 * committed.
 */
void
tsov_audit_statement_failed(uint64 mark)
{
	uint64		serial;

	Assert(stmt_depth > 0 && mark <= xbuf_serial);
	stmt_depth--;
	serial = xbuf_serial - xbuf_count;
	for (Size o = 0; o < (Size) xbuf.len;)
	{
		TsovAuditRecord *r = (TsovAuditRecord *) (xbuf.data + o);

		Assert(r->len >= TSOV_REC_HDRSZ && o + r->len <= xbuf.len);
		if (r->kind == TSOV_REC_EVENT)
		{
			serial++;
			if (serial > mark &&
				(r->decision == TSOV_ALLOWED || r->decision == TSOV_PRIVILEGED))
				r->decision = TSOV_ABORTED;
		}
		o += r->len;
	}
	Assert(serial == xbuf_serial);
}

/*
 * DROP DATABASE: remember which database this transaction drops, to free
 * its audit channel once the drop is committed (and not before: a DROP
 * that fails must not discard the events of a database that stays).  A
 * transaction drops one database at most (DROP DATABASE cannot run in a
 * transaction block or a function).
 */
static Oid	dropping_dbid = InvalidOid;

/* From object_access_hook (hooks.c). */
void
tsov_audit_object_access(ObjectAccessType access, Oid classId, Oid objectId,
						 int subId, void *arg)
{
	if (access == OAT_DROP && classId == DatabaseRelationId)
	{
		Assert(!OidIsValid(dropping_dbid) || dropping_dbid == objectId);
		dropping_dbid = objectId;
	}
}

/* From the transaction callback (hooks.c), before common/state.c's. */
void
tsov_audit_xact_event(XactEvent event)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			xbuf_flush(false);
			if (xact_wait_pos > 0)
			{
				uint64		pos = xact_wait_pos;

				/*
				 * Committed by the writer is enough when our commit record
				 * follows (see the header).  Without an xid there is no
				 * commit record to carry the audit rows' durability (e.g.
				 * privileged notes, settings of the extension): flush
				 * them ourselves, so that they are still durable at commit.
				 * Keep the position set until then: an error here aborts.
				 * A cancel, a terminate or statement_timeout end the wait
				 * with an error; should it ever return without the rows
				 * (interrupts held by someone), refuse the commit.
				 */
				if (!tsov_audit_wait_durable(pos, false, 0,
											 !TransactionIdIsValid(GetTopTransactionIdIfAny())))
					ereport(ERROR,
							(errcode(ERRCODE_QUERY_CANCELED),
							 errmsg("could not commit: the audit rows of this transaction are not written"),
							 errdetail("The wait for the audit writer was interrupted; the transaction is rolled back."),
							 errhint("Look at writer_state and waiters in tec_sovereignty.audit_stats.")));
				xact_wait_pos = 0;
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			xbuf_flush(true);
			xact_wait_pos = 0;
			dropping_dbid = InvalidOid;
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			/* events recorded after PRE_COMMIT by other callbacks */
			xbuf_flush(true);
			xact_wait_pos = 0;
			/* the database is gone now: free its channel (LWLocks only) */
			if (OidIsValid(dropping_dbid))
				tsov_audit_database_dropped(dropping_dbid);
			dropping_dbid = InvalidOid;
			break;
	}
}

/* Queue this session's buffered events now (tec_audit_flush). */
void
tsov_audit_flush_buffer(void)
{
	xbuf_flush(false);
}
