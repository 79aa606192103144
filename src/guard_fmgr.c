/*-------------------------------------------------------------------------
 *
 * guard_fmgr.c
 *	  Function calls: EXECUTE of domain functions, published-API crossings,
 *	  and the extension's own functions raising tsov_internal_depth.
 *
 * needs_fmgr_hook asks for the fmgr hook on two kinds of functions: those
 * living in a domain schema, and members of the extension.  Routing a
 * domain function through fmgr_security_definer catches every way it can
 * be called (expressions, triggers, operators, casts, index support...), and
 * also keeps the planner from inlining SQL functions whose bodies would
 * otherwise escape the check.
 *
 * At FHET_START:
 *	 - an extension function raises tsov_internal_depth until it returns,
 *	   so that the extension's own work (tec_create_domain under
 *	   privileged_access = 'deny', tec_export_domain of a transferred domain)
 *	   passes the guards;
 *	 - a domain function is checked: the principal's domain must be the
 *	   function's, unless the function is a published API for that domain,
 *	   in which case an API frame is pushed: while it runs, the session acts
 *	   as the API's domain, attributed to the caller.
 * FHET_END / FHET_ABORT undo what START pushed (START and END/ABORT nest
 * strictly, so one stack suffices; a top-level abort empties it).
 *
 * OAT_FUNCTION_EXECUTE (guard_object.c) makes the same check earlier, at
 * executor start, with the real caller as current user.
 *
 * IDENTIFICATION
 *	  src/guard_fmgr.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "decision.h"

static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
static fmgr_hook_type prev_fmgr_hook = NULL;

typedef enum
{
	PUSHED_NONE,
	PUSHED_DEPTH,
	PUSHED_API
} Pushed;

static char *pushed_stack = NULL;
static int	pushed_top = 0;
static int	pushed_max = 0;

static void
push(Pushed p)
{
	if (pushed_top >= pushed_max)
	{
		int			n = pushed_max ? pushed_max * 2 : 256;

		if (pushed_stack == NULL)
			pushed_stack = MemoryContextAlloc(TopMemoryContext, n);
		else
			pushed_stack = repalloc(pushed_stack, n);
		pushed_max = n;
	}
	pushed_stack[pushed_top++] = (char) p;
}

static void
fmgr_xact_cb(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
		pushed_top = 0;
}

static bool
guard_needs_fmgr_hook(Oid fn_oid)
{
	const TsovFuncInfo *f;

	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	if (!IsTransactionState() || !IsNormalProcessingMode())
		return false;
	f = tsov_func_info(fn_oid);
	if (f->extension_member || f->calls_sequence)
		return true;
	return tsov_domain_of_namespace(f->nspoid) != NULL;
}

/*
 * Check EXECUTE of a domain function by the current session.  Returns true
 * when the call crosses into another domain through a published API, and
 * then fills the names of the API, the calling domain and the API's domain.
 */
bool
tsov_check_execute(Oid fnoid, bool at_start, char *api_name_out,
				   char *caller_domain_out, char *api_domain_out)
{
	const TsovFuncInfo *f;
	const TsovDomain *dom;
	const TsovDomain *pdom;
	const char *p;
	char		domname[NAMEDATALEN];
	char		principal[NAMEDATALEN];
	TsovObject	obj;
	bool		save_quiet = tsov_audit_quiet;

	if (!tsov_guards_active())
		return false;
	f = tsov_func_info(fnoid);
	if (f->extension_member)
		return false;
	dom = tsov_domain_of_namespace(f->nspoid);
	if (dom == NULL)
		return false;
	strlcpy(domname, dom->name, NAMEDATALEN);

	memset(&obj, 0, sizeof(obj));
	obj.classid = ProcedureRelationId;
	obj.objid = fnoid;
	obj.nspoid = f->nspoid;

	p = tsov_principal_domain_name();
	principal[0] = '\0';
	if (p)
		strlcpy(principal, p, NAMEDATALEN);

	if (principal[0] && strcmp(principal, domname) != 0 &&
		dom->state != TSOV_STATE_TRANSFERRED &&
		(pdom = tsov_domain_by_name(principal)) != NULL &&
		tsov_api_published(fnoid, pdom))
	{
		char	   *api_name = quote_qualified_identifier(get_namespace_name(f->nspoid),
														  get_func_name(fnoid));

		if (!at_start)
			tsov_audit_api_call(GetUserId(), principal, domname, &obj, api_name);
		if (api_name_out)
		{
			strlcpy(api_name_out, api_name, 2 * NAMEDATALEN + 2);
			strlcpy(caller_domain_out, principal, NAMEDATALEN);
			strlcpy(api_domain_out, domname, NAMEDATALEN);
		}
		return true;
	}

	/* Ordinary call: the usual rule, recorded once (at executor start). */
	tsov_audit_quiet = at_start || save_quiet;
	PG_TRY();
	{
		tsov_check("EXECUTE", false, GetUserId(), &obj);
	}
	PG_FINALLY();
	{
		tsov_audit_quiet = save_quiet;
	}
	PG_END_TRY();
	return false;
}

static void
guard_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private)
{
	if (prev_fmgr_hook)
		prev_fmgr_hook(event, flinfo, private);

	if (event == FHET_START)
	{
		const TsovFuncInfo *f;

		if (!IsTransactionState())
		{
			push(PUSHED_NONE);
			return;
		}
		f = tsov_func_info(flinfo->fn_oid);
		if (f->extension_member)
		{
			push(PUSHED_DEPTH);
			tsov_internal_depth++;
			return;
		}
		if (tsov_guards_active() && tsov_domain_of_namespace(f->nspoid) != NULL)
		{
			char		api_name[2 * NAMEDATALEN + 2];
			char		caller[NAMEDATALEN];
			char		apidom[NAMEDATALEN];

			if (tsov_check_execute(flinfo->fn_oid, true, api_name, caller, apidom))
			{
				tsov_api_push(apidom, caller, api_name);
				push(PUSHED_API);
				return;
			}
		}
		push(PUSHED_NONE);
		return;
	}

	/* FHET_END, FHET_ABORT */
	if (pushed_top > 0)
	{
		Pushed		p = (Pushed) pushed_stack[--pushed_top];

		if (p == PUSHED_DEPTH && tsov_internal_depth > 0)
			tsov_internal_depth--;
		else if (p == PUSHED_API)
			tsov_api_pop();
	}
}

void
tsov_guard_fmgr_init(void)
{
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = guard_needs_fmgr_hook;
	prev_fmgr_hook = fmgr_hook;
	fmgr_hook = guard_fmgr_hook;
	RegisterXactCallback(fmgr_xact_cb, NULL);
}
