/*-------------------------------------------------------------------------
 *
 * state.c
 *	  The per-backend state of the extension and its one reset at the end
 *	  of each transaction (see state.h for what each part means).
 *
 * Memory: the frame stack is allocated in TopMemoryContext and grows by
 * doubling (it lives as long as the backend); the break-glass list lives
 * in TopTransactionContext and is forgotten, not freed, at the end of the
 * transaction, when that context goes.  Everything else is plain
 * variables.
 *
 * IDENTIFICATION
 *	  src/common/state.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "postmaster/autovacuum.h"
#include "utils/memutils.h"

#include "common/guc.h"
#include "common/state.h"

int			tsov_internal_depth = 0;
bool		tsov_audit_quiet = false;
int			tsov_audit_self_depth = 0;
const char *tsov_current_command = NULL;
bool		tsov_current_is_ddl = false;
bool		tsov_worker_leader_plan = false;

/*
 * Frames: one byte (TsovFrameKind) per call the fmgr hook saw start; the
 * API frames are kept apart, in order, one per TSOV_FRAME_API entry, so
 * that api_top always equals the number of API entries on the frame stack.
 */
#define API_STACK_MAX 64
static TsovApiFrame api_stack[API_STACK_MAX];
static int	api_top = 0;

static char *frame_stack = NULL;
static int	frame_top = 0;
static int	frame_max = 0;

/* Domains opened by tec_break_glass(), in TopTransactionContext. */
static List *glass_open = NIL;

bool
tsov_guards_active(void)
{
	Assert(tsov_internal_depth >= 0 && tsov_audit_self_depth >= 0);
	if (tsov_internal_depth > 0)
		return false;
	if (!IsNormalProcessingMode() || IsBinaryUpgrade)
		return false;
	if (tsov_worker_leader_plan)
		return false;
	if (IsAutoVacuumWorkerProcess() ||
		(IsBackgroundWorker && !IsParallelWorker()))
		return false;
	if (!IsTransactionState())
		return false;
	return true;
}

/* ---------------- frames ---------------- */

static void
frame_push_kind(TsovFrameKind kind)
{
	if (frame_top >= frame_max)
	{
		int			n = frame_max ? frame_max * 2 : 256;

		if (frame_stack == NULL)
			frame_stack = MemoryContextAlloc(TopMemoryContext, n);
		else
			frame_stack = repalloc(frame_stack, n);
		frame_max = n;
	}
	frame_stack[frame_top++] = (char) kind;
}

void
tsov_frame_push(TsovFrameKind kind)
{
	Assert(kind != TSOV_FRAME_API);
	frame_push_kind(kind);
	if (kind == TSOV_FRAME_INTERNAL)
		tsov_internal_depth++;
}

void
tsov_frame_push_api(const char *api_domain, const char *caller_domain,
					const char *api_name)
{
	TsovApiFrame *f;

	if (api_top >= API_STACK_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("published API calls are nested too deeply"),
				 errdetail("At most %d published API calls can be active at once.",
						   API_STACK_MAX)));
	/* grow the frame stack first: nothing is pushed if that fails */
	frame_push_kind(TSOV_FRAME_API);
	f = &api_stack[api_top++];
	strlcpy(f->api_domain_name, api_domain, NAMEDATALEN);
	strlcpy(f->caller_domain_name, caller_domain ? caller_domain : "", NAMEDATALEN);
	strlcpy(f->api_name, api_name, sizeof(f->api_name));
}

void
tsov_frame_pop(void)
{
	TsovFrameKind kind;

	if (frame_top == 0)
		return;					/* reset by an abort in between */
	kind = (TsovFrameKind) frame_stack[--frame_top];
	/* every API frame has its entry on the frame stack */
	Assert(api_top <= frame_top + (kind == TSOV_FRAME_API ? 1 : 0));
	if (kind == TSOV_FRAME_INTERNAL && tsov_internal_depth > 0)
		tsov_internal_depth--;
	else if (kind == TSOV_FRAME_API)
	{
		Assert(api_top > 0);
		if (api_top > 0)
			api_top--;
	}
}

const TsovApiFrame *
tsov_api_current(void)
{
	return api_top > 0 ? &api_stack[api_top - 1] : NULL;
}

int
tsov_api_depth(void)
{
	return api_top;
}

/* ---------------- break glass ---------------- */

void
tsov_break_glass_open(const char *domain)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	glass_open = lappend(glass_open, pstrdup(domain));
	MemoryContextSwitchTo(old);
}

bool
tsov_glass_open_for(const char *domain)
{
	ListCell   *lc;

	foreach(lc, glass_open)
		if (strcmp((char *) lfirst(lc), domain) == 0)
			return true;
	return false;
}

bool
tsov_glass_any_open(void)
{
	return glass_open != NIL;
}

/* ---------------- the state a parallel worker inherits ---------------- */

/*
 * Text form: "" when there is nothing to pass (the boot value of the
 * setting, so that work touching no domain never sets it), else
 *		I<0|1>,Q<0|1>,G<n>,{<len>:<domain>}A<n>,{<len>:<api domain><len>:<caller><len>:<api name>}
 * (internal work, quiet, the glass domains, the API frames innermost
 * last).  Lengths make it independent of what the names contain.
 */
static void
put_field(StringInfo buf, const char *v)
{
	appendStringInfo(buf, "%d:%s", (int) strlen(v), v);
}

char *
tsov_state_serialize(void)
{
	StringInfoData buf;
	ListCell   *lc;
	int			i;

	if (tsov_internal_depth == 0 && !tsov_audit_quiet && glass_open == NIL &&
		api_top == 0)
		return pstrdup("");
	initStringInfo(&buf);
	appendStringInfo(&buf, "I%d,Q%d,G%d,", tsov_internal_depth > 0 ? 1 : 0,
					 tsov_audit_quiet ? 1 : 0, list_length(glass_open));
	foreach(lc, glass_open)
		put_field(&buf, (const char *) lfirst(lc));
	appendStringInfo(&buf, "A%d,", api_top);
	for (i = 0; i < api_top; i++)
	{
		put_field(&buf, api_stack[i].api_domain_name);
		put_field(&buf, api_stack[i].caller_domain_name);
		put_field(&buf, api_stack[i].api_name);
	}
	return buf.data;
}

/* read "<tag><n>," with 0 <= n <= max; false when malformed */
static bool
get_number(const char **p, char tag, int max, int *n)
{
	char	   *end;
	long		v;

	if (**p != tag || !isdigit((unsigned char) (*p)[1]))
		return false;
	v = strtol(*p + 1, &end, 10);
	if (v < 0 || v > max || *end != ',')
		return false;
	*n = (int) v;
	*p = end + 1;
	return true;
}

/* read "<len>:<bytes>" into out (size outlen, non-empty unless allow_empty) */
static bool
get_field(const char **p, char *out, int outlen, bool allow_empty)
{
	char	   *end;
	long		len;

	if (!isdigit((unsigned char) **p))
		return false;
	len = strtol(*p, &end, 10);
	if (*end != ':' || len < (allow_empty ? 0 : 1) || len >= outlen ||
		(long) strnlen(end + 1, len) < len)
		return false;
	memcpy(out, end + 1, len);
	out[len] = '\0';
	*p = end + 1 + len;
	return true;
}

/*
 * Parse the text form; with apply, install it into this (worker) process:
 * raise the internal depth, set quiet, open the glass domains and push the
 * API frames, which stay below every frame the worker pushes itself.
 * Returns false, having applied nothing, when the text is malformed.
 */
bool
tsov_state_restore(const char *text, bool apply)
{
	const char *p = text;
	int			internal,
				quiet,
				nglass,
				napi,
				i;
	char		glass[API_STACK_MAX][NAMEDATALEN];
	TsovApiFrame frames[API_STACK_MAX];

	if (*p == '\0')
		return true;
	if (!get_number(&p, 'I', 1, &internal) || !get_number(&p, 'Q', 1, &quiet) ||
		!get_number(&p, 'G', API_STACK_MAX, &nglass))
		return false;
	for (i = 0; i < nglass; i++)
		if (!get_field(&p, glass[i], NAMEDATALEN, false))
			return false;
	if (!get_number(&p, 'A', API_STACK_MAX, &napi))
		return false;
	for (i = 0; i < napi; i++)
		if (!get_field(&p, frames[i].api_domain_name, NAMEDATALEN, false) ||
			!get_field(&p, frames[i].caller_domain_name, NAMEDATALEN, true) ||
			!get_field(&p, frames[i].api_name, sizeof(frames[i].api_name), false))
			return false;
	if (*p != '\0')
		return false;
	if (!apply)
		return true;

	/* a worker receives it once, before it runs anything of its own */
	Assert(IsParallelWorker() && api_top == 0 && frame_top == 0 &&
		   glass_open == NIL);
	if (internal)
		tsov_internal_depth++;
	if (quiet)
		tsov_audit_quiet = true;
	for (i = 0; i < nglass; i++)
		tsov_break_glass_open(glass[i]);
	for (i = 0; i < napi; i++)
		tsov_frame_push_api(frames[i].api_domain_name,
							frames[i].caller_domain_name, frames[i].api_name);
	return true;
}

/*
 * From ExecutorRun_hook (hooks.c), for a plan that may launch workers:
 * PostgreSQL copies every non-default setting into the workers when it
 * launches them, so put this process's state into the hidden setting.
 * Set locally (the value goes with the transaction, or with the function
 * whose SET clause raised the GUC nesting level), and only when it
 * changed.  In parallel mode no setting can change: a nested plan whose
 * state differs from what the running parallel operation passed cannot
 * give its workers the right state, so it is refused (fail closed).
 */
void
tsov_state_pass_to_workers(void)
{
	char	   *value;

	if (IsParallelWorker())
		return;					/* a worker launches no workers */
	value = tsov_state_serialize();
	if (strcmp(value, tsov_parallel_context ? tsov_parallel_context : "") != 0)
	{
		if (IsInParallelMode())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
					 errmsg("cannot pass the sovereignty state of a nested query to parallel workers"),
					 errdetail("The query runs inside a parallel operation, in a published API or break-glass state that differs from the one its workers would inherit; " TSOV_NAME " refuses rather than let them decide with the wrong state."),
					 errhint("Declare the function that crosses into the published API PARALLEL UNSAFE, or run the query without parallel workers (SET max_parallel_workers_per_gather = 0).")));
		tsov_guc_set_parallel_context(value);
	}
	pfree(value);
}

/* ---------------- end of transaction ---------------- */

/*
 * Everything above is per transaction: forget it at commit, abort and
 * prepare.  The internal depth is reset by an abort only: at commit, the
 * code that raised it is still running (a function of the extension that
 * commits from a procedure) and lowers it itself.
 */
void
tsov_state_xact_event(XactEvent event)
{
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			tsov_internal_depth = 0;
			/* FALLTHROUGH */
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			glass_open = NIL;	/* memory goes with the transaction */
			api_top = 0;
			frame_top = 0;
			tsov_current_command = NULL;
			tsov_current_is_ddl = false;
			break;
		default:
			break;
	}
}
