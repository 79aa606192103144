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
#include "nodes/pg_list.h"
#include "postmaster/autovacuum.h"
#include "utils/memutils.h"

#include "common/state.h"

int			tsov_internal_depth = 0;
bool		tsov_audit_quiet = false;
int			tsov_audit_self_depth = 0;
const char *tsov_current_command = NULL;
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
			break;
		default:
			break;
	}
}
