/*-------------------------------------------------------------------------
 *
 * audit.h
 *	  The contract between the guards (who decide) and the audit trail (who
 *	  records): one event per (statement, object, action).
 *
 * The guards (enforce/) call tsov_audit_record() for every decision they
 * make about a domain object; the audit layer (audit/) owns everything
 * after that: which events the audit level
 * keeps, the per-transaction buffer, the shared-memory queue, the writer
 * worker, the hash chain, and the waits that make the guarantees hold:
 *
 *	 - DENIED (and SIMULATED) events are enqueued at once and the caller
 *	   waits until they are durable, because the error that follows aborts
 *	   the transaction they would otherwise live in;
 *	 - allowed writes and DDL (is_write) are kept in the transaction and
 *	   made durable before the commit completes;
 *	 - allowed reads are enqueued at transaction end, commit or abort, with
 *	   no wait (they may lag by tec_sovereignty.audit_max_delay).
 *
 * Errors raised by the guards themselves go through tsov_audit_denied_error
 * flagging, so that the emit_log_hook (which records denials that PostgreSQL
 * raises on its own, e.g. "permission denied for schema") does not record
 * them a second time.
 *
 * IDENTIFICATION
 *	  src/audit/audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_AUDIT_H
#define TSOV_AUDIT_H

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "nodes/pg_list.h"
#include "nodes/plannodes.h"

typedef enum TsovDecision
{
	TSOV_ALLOWED,				/* ordinary access, inside the actor's domain */
	TSOV_DENIED,				/* refused (by the extension or by PostgreSQL) */
	TSOV_PRIVILEGED,			/* allowed to a non-domain superuser/DBA role */
	TSOV_SIMULATED,				/* would have been denied; domain in simulate mode */
	TSOV_ABORTED				/* allowed or privileged, but the statement then
								 * failed: what it was allowed did not happen
								 * (set by tsov_audit_statement_failed only) */
} TsovDecision;

typedef struct TsovAuditEvent
{
	const char *action;			/* "SELECT", "INSERT", ..., a DDL command tag,
								 * "EXECUTE", "EXPORT", "BREAK_GLASS", ... */
	TsovDecision decision;
	bool		is_write;		/* write or DDL: durable before commit */
	Oid			actor_role;		/* role whose privileges were checked */
	const char *actor_domain;	/* NULL: non-domain role */
	const char *object_domain;	/* NULL: not (known to be) a domain object */
	Oid			object_oid;		/* InvalidOid when unknown */
	const char *object_schema;	/* NULL when unknown */
	const char *object_name;	/* NULL when unknown */
	const char *reason;			/* why denied / why privileged; may be NULL */
	const char *via_api;		/* published API this access happened inside,
								 * "schema.function", or NULL */
} TsovAuditEvent;

/* ---- the contract (in record.c) ---- */

/*
 * Record one event.  Copies every string it keeps; the caller's memory may
 * be freed afterwards.  For TSOV_DENIED and TSOV_SIMULATED it returns only
 * once the event is durable (or raises an error if it cannot be queued,
 * failing closed).  Never called with an LWLock held.
 */
extern void tsov_audit_record(const TsovAuditEvent *ev);

/*
 * The same with flags, for events that are not a guard's decision about
 * one access (an export, a lifecycle step):
 *	 TSOV_AUDIT_ALWAYS	keep the event whatever the audit level;
 *	 TSOV_AUDIT_NOW		make it durable before returning, whatever the
 *						decision (an allowed event is otherwise kept in the
 *						transaction until commit).
 */
#define TSOV_AUDIT_ALWAYS	0x01
#define TSOV_AUDIT_NOW		0x02
extern void tsov_audit_record_flags(const TsovAuditEvent *ev, int flags);

/*
 * Cheap pre-check, so that the guards can skip building an event the audit
 * level would drop anyway: is an ALLOWED event of this kind on an object of
 * object_domain kept?  Denied, privileged and simulated events are always
 * kept and need no check.
 */
extern bool tsov_audit_wanted(const char *object_domain, bool is_write);


/* ---- entry points for src/hooks.c ---- */

/* in channel.c: shared memory */
extern void tsov_audit_shmem_request(void);
extern void tsov_audit_shmem_startup(void);

/* in record.c: end of transaction (before common/state.c's), DROP DATABASE */
extern void tsov_audit_xact_event(XactEvent event);
extern void tsov_audit_object_access(ObjectAccessType access, Oid classId,
									 Oid objectId, int subId, void *arg);

/* in log_hook.c: 42501 errors raised by PostgreSQL itself */
extern void tsov_audit_log_event(ErrorData *edata);
extern void tsov_audit_rethrow_refusal(const PlannedStmt *pstmt, uint64 mark) pg_attribute_noreturn();

/*
 * in record.c: a statement's events.  tsov_audit_statement_begin() before
 * ExecutorStart / ProcessUtility run a statement returns its mark; on
 * success tsov_audit_statement_end(mark), on error
 * tsov_audit_rethrow_refusal(pstmt, mark), which calls
 * tsov_audit_statement_failed(mark): the allowed and privileged events the
 * statement left in this backend's buffer become TSOV_ABORTED.
 */
extern uint64 tsov_audit_statement_begin(void);
extern void tsov_audit_statement_end(uint64 mark);
extern void tsov_audit_statement_failed(uint64 mark);

/* in trail_guard.c: the trail is append-only */
extern bool tsov_trail_check_perms(List *rtable, bool ereport_on_violation);
extern const char *tsov_trail_utility_before(PlannedStmt *pstmt, const char **verb);
extern void tsov_trail_utility_after(const char *setting, const char *verb);
extern void tsov_trail_check_prepare(void);
extern void tsov_trail_object_access(ObjectAccessType access, Oid classId,
									 Oid objectId, int subId, void *arg);

#endif							/* TSOV_AUDIT_H */
