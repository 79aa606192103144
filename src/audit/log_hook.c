/*-------------------------------------------------------------------------
 *
 * log_hook.c
 *	  Records the insufficient-privilege errors that PostgreSQL raises on
 *	  its own (before any hook of ours could decide) as DENIED events.
 *
 * A name in a schema without USAGE fails during parse analysis, and a table
 * without the privilege fails in ExecCheckRTPerms before the executor
 * permission hook runs: the extension never sees those attempts, yet they
 * are denials the trail must keep.  Every error passes emit_log_hook, which
 * runs in EmitErrorReport() before the message is sent to the client, so
 * the event is queued there and the hook waits until it is durable: by the
 * time the client reads the error, its audit row is committed.
 *
 * The hook may not access the catalogs (the transaction is failing): it
 * only copies what it can see (SQLSTATE 42501, the message, the statement,
 * user OIDs) and leaves the rest (user names, actor domain, the object's
 * domain from the schema named in the message) to the writer.
 *
 * emit_log_hook alone would lose refusals: an error that a PL/pgSQL
 * exception block (or a savepoint's C caller) catches is never reported,
 * and with log_min_messages above ERROR nothing reaches the hook at all.
 * So src/hooks.c calls tsov_audit_rethrow_refusal() when an error leaves
 * ExecutorStart (relation privileges in ExecCheckRTPerms, EXECUTE in
 * ExecInitFunc and friends) or ProcessUtility (CREATE in a schema, CALL,
 * ...): the refusal is recorded there, durably, before any handler can
 * catch it, and the error goes on marked as recorded.
 *
 * Whether an error was recorded is a property of the error itself, never
 * of the session (a flag set before raising went stale when the error was
 * caught, and then hid the next refusal):
 *	- errors raised by the extension's own recording sites (check.c's
 *	  raise_denial, trail_guard.c's refuse_ext) record before raising; the
 *	  site is in the error's filename/funcname, which survive ReThrowError
 *	  (PL/pgSQL's bare RAISE, a parallel leader re-raising a worker's error);
 *	- errors recorded by tsov_audit_rethrow_refusal() carry recorded_mark
 *	  as their message domain (used only to translate the message, which
 *	  was translated already when the error was raised).
 * Each refusal is therefore recorded exactly once, wherever it is caught.
 *
 * Refusals raised during parse analysis (no USAGE on a schema named in
 * the statement) have no hook of ours around them; they are recorded here
 * only, i.e. when not caught and while log_min_messages is at ERROR or
 * below (the default is WARNING); this is documented.
 *
 * IDENTIFICATION
 *	  src/audit/log_hook.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/elog.h"

#include "common/tsov.h"
#include "common/state.h"
#include "audit/internal.h"

static bool in_log_hook = false;

/* The message domain of an error recorded by tsov_audit_rethrow_refusal(). */
static const char recorded_mark[] = "tec_sovereignty (audit recorded)";

/*
 * "permission denied for schema life" -> kind "schema", name "life".
 * Returns false when the message has another shape.
 */
static bool
parse_denial(const char *msg, char *kind, size_t kindlen, char *name, size_t namelen)
{
	static const char prefix[] = "permission denied for ";
	const char *p,
			   *sp;

	if (msg == NULL || strncmp(msg, prefix, sizeof(prefix) - 1) != 0)
		return false;
	p = msg + sizeof(prefix) - 1;
	sp = strchr(p, ' ');
	if (sp == NULL || (size_t) (sp - p) >= kindlen)
		return false;
	memcpy(kind, p, sp - p);
	kind[sp - p] = '\0';
	strlcpy(name, sp + 1, namelen);
	return true;
}

/* First word of the statement, upper-cased: the best action we can know. */
static void
statement_verb(char *out, size_t outlen)
{
	const char *s = debug_query_string;
	size_t		n = 0;

	strlcpy(out, "UNKNOWN", outlen);
	if (s == NULL)
		return;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '(')
		s++;
	while (s[n] && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')) && n < outlen - 1)
	{
		out[n] = (s[n] >= 'a' && s[n] <= 'z') ? s[n] - 'a' + 'A' : s[n];
		n++;
	}
	if (n > 0)
		out[n] = '\0';
}

/*
 * Was this error raised by one of the extension's own denial sites, which
 * record the event before they raise it?
 */
static bool
raised_by_recording_site(const ErrorData *edata)
{
	static const struct
	{
		const char *file;
		const char *func;
	}			sites[] = {
		{"check.c", "raise_denial"},
		{"trail_guard.c", "refuse_ext"},
	};
	const char *base;

	if (edata->filename == NULL || edata->funcname == NULL)
		return false;
	base = strrchr(edata->filename, '/');
	base = base ? base + 1 : edata->filename;
	for (int i = 0; i < lengthof(sites); i++)
		if (strcmp(base, sites[i].file) == 0 && strcmp(edata->funcname, sites[i].func) == 0)
			return true;
	return false;
}

/* Is this a refusal that nobody has recorded yet? */
static bool
unrecorded_refusal(const ErrorData *edata)
{
	if (edata->elevel != ERROR || edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
		return false;
	if (edata->domain != NULL && strcmp(edata->domain, recorded_mark) == 0)
		return false;
	if (raised_by_recording_site(edata))
		return false;
	return !(in_log_hook || proc_exit_inprogress || MyBackendType != B_BACKEND ||
			 tsov_audit_shared == NULL || !OidIsValid(MyDatabaseId) ||
			 tsov_audit_self_depth > 0);
}

/* Record one refusal of PostgreSQL's own; no catalog access. */
static void
record_refusal(const ErrorData *edata)
{
	TsovAuditEvent ev;
	char		kind[32];
	char		name[NAMEDATALEN * 2 + 8];
	char		verb[24];

	Assert(!in_log_hook);
	in_log_hook = true;
	memset(&ev, 0, sizeof(ev));
	statement_verb(verb, sizeof(verb));
	ev.action = verb;
	ev.decision = TSOV_DENIED;
	ev.is_write = false;
	ev.actor_role = InvalidOid;
	ev.object_oid = InvalidOid;
	ev.reason = edata->message;
	if (parse_denial(edata->message, kind, sizeof(kind), name, sizeof(name)))
	{
		if (strcmp(kind, "schema") == 0)
			ev.object_schema = name;
		else
			ev.object_name = name;
	}
	tsov_audit_record_from_hook(&ev);
	in_log_hook = false;
}

/* From emit_log_hook (hooks.c), after the previous hook. */
void
tsov_audit_log_event(ErrorData *edata)
{
	if (unrecorded_refusal(edata))
		record_refusal(edata);
}

/*
 * From a PG_CATCH block of src/hooks.c, with the error that interrupted
 * the hooked work still current: record it if it is an unrecorded refusal,
 * then throw it on, marked as recorded.  Never returns.
 *
 * A PG_CATCH block is entered in ErrorContext, which FlushErrorState()
 * resets: the copy of the error, and what recording it allocates, live in
 * refusal_cxt instead, from here until the next refusal passes (which
 * resets it; ReThrowError() copies the error back into ErrorContext).
 * Interrupts are held while recording, as in PostgresMain's error path
 * (where emit_log_hook runs): a cancel must not replace the refusal.
 */
void
tsov_audit_rethrow_refusal(void)
{
	static MemoryContext refusal_cxt = NULL;
	ErrorData  *edata;

	if (refusal_cxt == NULL)
		refusal_cxt = AllocSetContextCreate(TopMemoryContext,
											"tec_sovereignty refusal",
											ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(refusal_cxt);
	MemoryContextSwitchTo(refusal_cxt);
	edata = CopyErrorData();
	if (!unrecorded_refusal(edata))
	{
		MemoryContextSwitchTo(ErrorContext);
		PG_RE_THROW();
	}
	HOLD_INTERRUPTS();
	record_refusal(edata);
	RESUME_INTERRUPTS();
	edata->domain = recorded_mark;
	FlushErrorState();
	ReThrowError(edata);
}
