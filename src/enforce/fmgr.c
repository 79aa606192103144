/*-------------------------------------------------------------------------
 *
 * fmgr.c
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
 * strictly, so one frame stack suffices, in common/state.c; the end of
 * the transaction empties it).
 *
 * OAT_FUNCTION_EXECUTE (objects.c) makes the same check earlier, at
 * executor start, with the real caller as current user.
 *
 * IDENTIFICATION
 *	  src/enforce/fmgr.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "common/state.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"

/*
 * From needs_fmgr_hook (hooks.c): ask for the fmgr hook on domain
 * functions, members of the extension and SQL functions that may call the
 * sequence built-ins.
 */
bool
tsov_fmgr_needs_hook(Oid fn_oid)
{
	const TsovFuncInfo *f;

	if (!IsTransactionState() || !IsNormalProcessingMode())
		return false;
	f = tsov_func_info(fn_oid);
	if (f->extension_member || f->calls_sequence)
		return true;
	if (tsov_domain_of_namespace(f->nspoid) != NULL)
		return true;
	/* code that a domain session may have to be refused (see below) */
	return fn_oid >= FirstNormalObjectId && tsov_domains_exist() &&
		!tsov_role_info(f->owner)->superuser;
}

/*
 * Code outside every domain schema runs with the rights of its caller: in
 * a domain session it runs only when the domain, a superuser or
 * PostgreSQL owns it (tsov_verdict_code_owner).  This is what keeps an
 * overload in public (public.lower(varchar), an operator, a cast), a
 * trigger, default or policy function on a shared table, or a function a
 * database-level search_path puts first, from reading the domain's data
 * with the domain's rights.  Checked at executor start
 * (OAT_FUNCTION_EXECUTE) and at every call through fmgr (FHET_START:
 * triggers, operators, casts, type I/O, aggregates' support functions).
 */
static void
check_code_owner(Oid fnoid, const TsovFuncInfo *f)
{
	TsovSubjects s;
	TsovVerdict v;
	TsovObject	obj;
	const TsovDomain *home;
	char	   *name;
	Oid			owner = f->owner;	/* f may not survive a cache rebuild */
	Oid			nspoid = f->nspoid;

	if (fnoid < FirstNormalObjectId)
		return;
	tsov_subjects(GetUserId(), &s);
	if (tsov_verdict_code_owner(&s, owner, &v))
		return;
	memset(&obj, 0, sizeof(obj));
	obj.classid = ProcedureRelationId;
	obj.objid = fnoid;
	obj.nspoid = nspoid;
	obj.kind = "function";
	name = quote_qualified_identifier(get_namespace_name(nspoid),
									  get_func_name(fnoid));
	obj.name = name;
	home = tsov_domain_by_name(v.subject_domain);
	tsov_deny("EXECUTE", GetUserId(), &obj,
			  psprintf("permission denied for domain \"%s\" to run function %s owned by role \"%s\"",
					   v.subject_domain, name, GetUserNameFromId(owner, false)),
			  psprintf("Code outside the domain's schema runs with the rights of the domain's role that calls it; in a session of domain \"%s\" only code owned by the domain, a superuser or PostgreSQL runs, whatever was granted.",
					   v.subject_domain),
			  home ? psprintf("Qualify calls of built-in functions and operators (pg_catalog.lower(...), OPERATOR(pg_catalog.=)); shared code must be owned by a superuser; the domain's own code lives in schema \"%s\".",
							  get_namespace_name(home->nspoid)) : NULL);
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
	char		domname[NAMEDATALEN];
	bool		simulate;
	TsovSubjects s;
	TsovObject	obj;

	if (!tsov_guards_active())
		return false;
	f = tsov_func_info(fnoid);
	if (f->extension_member)
		return false;
	dom = tsov_domain_of_namespace(f->nspoid);
	if (dom == NULL)
	{
		check_code_owner(fnoid, f);
		return false;
	}
	strlcpy(domname, dom->name, NAMEDATALEN);
	simulate = dom->simulate;

	memset(&obj, 0, sizeof(obj));
	obj.classid = ProcedureRelationId;
	obj.objid = fnoid;
	obj.nspoid = f->nspoid;

	tsov_subjects(GetUserId(), &s);
	pdom = tsov_verdict_crossing(&s, dom, fnoid);
	if (pdom != NULL)
	{
		char		principal[NAMEDATALEN];
		char	   *api_name = quote_qualified_identifier(get_namespace_name(f->nspoid),
														  get_func_name(fnoid));

		strlcpy(principal, pdom->name, NAMEDATALEN);
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

	/*
	 * Published to the acting domain but no longer safe to publish (its
	 * owner, SECURITY DEFINER or search_path changed since): refused, and
	 * said so (in simulate mode the ordinary rule below records it).  The
	 * facts are looked up again: the lookups above may have rebuilt the
	 * cache.
	 */
	if (!simulate && tsov_acting_domain(&s) != NULL)
	{
		char		p[NAMEDATALEN];
		bool		to_p;
		int			i;

		strlcpy(p, tsov_acting_domain(&s), NAMEDATALEN);
		f = tsov_func_info(fnoid);
		to_p = !f->api_safe && f->published_to_all;
		for (i = 0; !f->api_safe && !to_p && i < f->npublished; i++)
			to_p = strcmp(f->published[i], p) == 0;
		if (to_p && strcmp(p, domname) != 0)
		{
			char	   *api_name = quote_qualified_identifier(get_namespace_name(f->nspoid),
															  get_func_name(fnoid));

			tsov_deny("EXECUTE", GetUserId(), &obj,
					  psprintf("published API %s of domain \"%s\" is no longer safe to call", api_name, domname),
					  "A published API must stay SECURITY DEFINER, owned by the domain owner, with a search_path that ends in pg_temp; it was changed after it was published.",
					  psprintf("Ask the owner of domain \"%s\" to restore it (ALTER FUNCTION ... SET search_path = ..., pg_temp) or to publish it again.", domname));
		}
	}

	/* Ordinary call: the usual rule, recorded once (at executor start). */
	TSOV_QUIET_BEGIN(at_start || tsov_audit_quiet);
	{
		tsov_check("EXECUTE", false, GetUserId(), &obj);
	}
	TSOV_QUIET_END();
	return false;
}

/*
 * From fmgr_hook (hooks.c).  Every FHET_START pushes exactly one frame,
 * which the matching FHET_END or FHET_ABORT pops (common/state.c).
 */
void
tsov_fmgr_event(FmgrHookEventType event, FmgrInfo *flinfo)
{
	if (event == FHET_START)
	{
		const TsovFuncInfo *f;

		if (!IsTransactionState())
		{
			tsov_frame_push(TSOV_FRAME_NONE);
			return;
		}
		f = tsov_func_info(flinfo->fn_oid);
		if (f->extension_member)
		{
			tsov_frame_push(TSOV_FRAME_INTERNAL);
			return;
		}
		if (tsov_guards_active() && tsov_domain_of_namespace(f->nspoid) == NULL)
			check_code_owner(flinfo->fn_oid, f);
		else if (tsov_guards_active())
		{
			char		api_name[2 * NAMEDATALEN + 2];
			char		caller[NAMEDATALEN];
			char		apidom[NAMEDATALEN];

			if (tsov_check_execute(flinfo->fn_oid, true, api_name, caller, apidom))
			{
				tsov_frame_push_api(apidom, caller, api_name);
				return;
			}
		}
		tsov_frame_push(TSOV_FRAME_NONE);
		return;
	}

	/* FHET_END, FHET_ABORT */
	Assert(event == FHET_END || event == FHET_ABORT);
	tsov_frame_pop();
}
