/*-------------------------------------------------------------------------
 *
 * hooks.c
 *	  Every hook slot of the extension, installed once, each one chaining
 *	  to the hook that was there before and dispatching, in a fixed order,
 *	  to the layers that handle the event.
 *
 * Order, for each slot (the first is asked first):
 *
 *	 ExecutorStart       the sovereignty guard (enforce/dml.c) checks the
 *	                     plan, then the previous hook or PostgreSQL starts
 *	                     the executor; the guard's state is restored after,
 *	                     on error too, and a refusal that PostgreSQL raised
 *	                     is recorded (audit/log_hook.c) before the error
 *	                     leaves the hook, where a handler might catch it;
 *	                     the statement's events are bracketed
 *	                     (audit/record.c), so that those it was allowed
 *	                     are marked aborted when it fails.
 *	 ExecutorRun         common/state.c passes the enforcement state to
 *	                     the workers of a plan that may launch some, then
 *	                     the previous hook or PostgreSQL runs the plan; a
 *	                     refusal raised while it runs (nextval, a function
 *	                     called by the plan) is recorded, and its events
 *	                     bracketed, as in ExecutorStart.
 *	 ExecutorCheckPerms  the audit-trail guard (audit/trail_guard.c), then
 *	                     the previous hook, then the sovereignty guard
 *	                     (enforce/dml.c), which only sees what PostgreSQL
 *	                     and the previous hook allowed.
 *	 ProcessUtility      the audit-trail guard, then the sovereignty guards
 *	                     (enforce/utility.c), then the statement runs with
 *	                     its command tag visible to the other guards (a
 *	                     refusal it raises is recorded, and its events
 *	                     bracketed, as in ExecutorStart),
 *	                     then a change of an extension setting is recorded.
 *	 object_access       the previous hook, then the sovereignty guards
 *	                     (enforce/objects.c; enforce/builtins.c for
 *	                     OAT_FUNCTION_EXECUTE), then the audit record's DROP
 *	                     DATABASE bookkeeping (audit/record.c), then the
 *	                     audit-trail guard's DROP refusal.
 *	 needs_fmgr / fmgr   the previous hook, then enforce/fmgr.c.
 *	 planner             enforce/builtins.c rewrites the query, then
 *	                     enforce/plan_check.c decides on the domain
 *	                     functions the query calls, then the previous
 *	                     hook or PostgreSQL plans it (a refusal it raises is
 *	                     recorded as in ExecutorStart), then plan_check.c
 *	                     keeps PL/pgSQL from evaluating a plan that calls a
 *	                     domain function outside the executor.
 *	 emit_log            the previous hook, then audit/log_hook.c.
 *	 shmem request/startup  the previous hook, then audit/queue.c.
 *	 ClientAuthentication  the previous hook, then enforce/session.c
 *	                     (replication connections of domain roles).
 *	 post_parse_analyze  enforce/session.c (the first statement of a
 *	                     session: owner members act as the owner), then
 *	                     the previous hook.
 *	 transaction end     audit/record.c (flush, wait until durable), then
 *	                     common/state.c (reset of the per-transaction
 *	                     state), as one callback.
 *
 * No other file assigns a hook slot or registers a transaction callback
 * (test/check_layers.sh fails the build's tests if one does).
 *
 * IDENTIFICATION
 *	  src/hooks.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

/*
 * libpq/auth.h includes libpq-be.h, which wants <gssapi/gssapi.h> when the
 * server was built with GSSAPI; the headers of Debian's server-dev package
 * lack it.  Port only holds a pointer to the GSSAPI state, which has the
 * same layout either way, and nothing here uses it.
 */
#undef ENABLE_GSS

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "libpq/auth.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "parser/analyze.h"
#include "storage/ipc.h"
#include "tcop/utility.h"
#include "utils/elog.h"

#include "audit/audit.h"
#include "common/state.h"
#include "enforce/enforce.h"
#include "hooks.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorCheckPerms_hook_type prev_ExecutorCheckPerms = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static object_access_hook_type prev_object_access = NULL;
static needs_fmgr_hook_type prev_needs_fmgr = NULL;
static fmgr_hook_type prev_fmgr = NULL;
static planner_hook_type prev_planner = NULL;
static get_relation_info_hook_type prev_get_relation_info = NULL;
static emit_log_hook_type prev_emit_log = NULL;
static shmem_request_hook_type prev_shmem_request = NULL;
static shmem_startup_hook_type prev_shmem_startup = NULL;
static ClientAuthentication_hook_type prev_ClientAuthentication = NULL;
static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;

static void
tsov_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	TsovDmlStart st;
	uint64		mark = tsov_audit_statement_begin();

	PG_TRY();
	{
		/* inside: a denial here ends the statement's events too */
		tsov_dml_start_begin(queryDesc, &st);
		if (prev_ExecutorStart)
			prev_ExecutorStart(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
	}
	PG_CATCH();
	{
		tsov_dml_start_end(&st);
		tsov_audit_rethrow_refusal(queryDesc->plannedstmt, mark);
	}
	PG_END_TRY();
	tsov_dml_start_end(&st);
	tsov_audit_statement_end(mark);
}

static void
tsov_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction, uint64 count,
				 bool execute_once)
{
	uint64		mark;

	/* serial plans pay this one branch */
	if (unlikely(queryDesc->plannedstmt->parallelModeNeeded))
		tsov_state_pass_to_workers();
	mark = tsov_audit_statement_begin();
	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_CATCH();
	{
		tsov_audit_rethrow_refusal(queryDesc->plannedstmt, mark);
	}
	PG_END_TRY();
	tsov_audit_statement_end(mark);
}

static bool
tsov_ExecutorCheckPerms(List *rtable, bool ereport_on_violation)
{
	if (!tsov_trail_check_perms(rtable, ereport_on_violation))
		return false;
	if (prev_ExecutorCheckPerms &&
		!prev_ExecutorCheckPerms(rtable, ereport_on_violation))
		return false;
	return tsov_dml_check_perms(rtable, ereport_on_violation);
}

/*
 * tsov_utility_before() with tsov_current_is_ddl already saying what the
 * statement is (the guard's checks are the rule's too), restored on error.
 */
static bool
utility_before(PlannedStmt **pstmt, bool *readOnlyTree,
			   ProcessUtilityContext context, const char *tag, bool ddl)
{
	bool		save_ddl = tsov_current_is_ddl;
	volatile bool go_on = false;

	tsov_current_is_ddl = ddl;
	PG_TRY();
	{
		go_on = tsov_utility_before(pstmt, readOnlyTree, context, tag);
	}
	PG_FINALLY();
	{
		tsov_current_is_ddl = save_ddl;
	}
	PG_END_TRY();
	return go_on;
}

static void
tsov_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					bool readOnlyTree, ProcessUtilityContext context,
					ParamListInfo params, QueryEnvironment *queryEnv,
					DestReceiver *dest, QueryCompletion *qc)
{
	const char *tag = GetCommandTagName(CreateCommandTag(pstmt->utilityStmt));
	const char *verb = NULL;
	const char *setting;
	const char *save_command = tsov_current_command;
	bool		save_ddl = tsov_current_is_ddl;
	bool		ddl = tsov_utility_changes_schema(pstmt->utilityStmt);
	uint64		mark;

	setting = tsov_trail_utility_before(pstmt, &verb);
	if (!utility_before(&pstmt, &readOnlyTree, context, tag, ddl))
		return;

	tsov_current_command = tag;
	tsov_current_is_ddl = ddl;
	mark = tsov_audit_statement_begin();
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_CATCH();
	{
		tsov_current_command = save_command;
		tsov_current_is_ddl = save_ddl;
		tsov_audit_rethrow_refusal(pstmt, mark);
	}
	PG_END_TRY();
	tsov_current_command = save_command;
	tsov_current_is_ddl = save_ddl;
	tsov_audit_statement_end(mark);

	tsov_trail_utility_after(setting, verb);
}

static void
tsov_object_access(ObjectAccessType access, Oid classId, Oid objectId,
				   int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	tsov_objects_access(access, classId, objectId, subId, arg);
	if (access == OAT_FUNCTION_EXECUTE)
		tsov_builtins_execute(objectId);
	tsov_audit_object_access(access, classId, objectId, subId, arg);
	tsov_trail_object_access(access, classId, objectId, subId, arg);
}

static bool
tsov_needs_fmgr(Oid fn_oid)
{
	if (prev_needs_fmgr && prev_needs_fmgr(fn_oid))
		return true;
	return tsov_fmgr_needs_hook(fn_oid);
}

static void
tsov_fmgr(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private)
{
	if (prev_fmgr)
		prev_fmgr(event, flinfo, private);
	tsov_fmgr_event(event, flinfo);
}

static PlannedStmt *
tsov_planner(Query *parse, const char *query_string, int cursorOptions,
			 ParamListInfo boundParams)
{
	PlannedStmt *result;
	uint64		mark;

	tsov_builtins_plan(parse);
	tsov_plan_functions_before(parse);
	mark = tsov_audit_statement_begin();
	PG_TRY();
	{
		if (prev_planner)
			result = prev_planner(parse, query_string, cursorOptions, boundParams);
		else
			result = standard_planner(parse, query_string, cursorOptions, boundParams);
	}
	PG_CATCH();
	{
		/*
		 * EXECUTE refused while the planner folds a call (PL/pgSQL too):
		 * no plan yet to name the object from, so the row keeps what the
		 * message says
		 */
		tsov_audit_rethrow_refusal(NULL, mark);
	}
	PG_END_TRY();
	tsov_audit_statement_end(mark);
	tsov_plan_functions_after(result);
	return result;
}

static void
tsov_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent,
					   RelOptInfo *rel)
{
	tsov_plan_relation(root, relid, rel);
	if (prev_get_relation_info)
		prev_get_relation_info(root, relid, inhparent, rel);
}

static void
tsov_emit_log(ErrorData *edata)
{
	if (prev_emit_log)
		prev_emit_log(edata);
	tsov_audit_log_event(edata);
}

static void
tsov_shmem_request(void)
{
	if (prev_shmem_request)
		prev_shmem_request();
	tsov_audit_shmem_request();
}

static void
tsov_shmem_startup(void)
{
	if (prev_shmem_startup)
		prev_shmem_startup();
	tsov_audit_shmem_startup();
}

static void
tsov_ClientAuthentication(Port *port, int status)
{
	if (prev_ClientAuthentication)
		prev_ClientAuthentication(port, status);
	tsov_session_authenticated(port, status);
}

static void
tsov_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	tsov_session_first_statement();
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
}

static void
tsov_xact_callback(XactEvent event, void *arg)
{
	/* before the audit's wait, which a lock held on the trail would block */
	if (event == XACT_EVENT_PRE_PREPARE)
		tsov_trail_check_prepare();
	tsov_audit_xact_event(event);
	tsov_state_xact_event(event);
}

void
tsov_hooks_install(void)
{
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = tsov_ExecutorStart;
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = tsov_ExecutorRun;
	prev_ExecutorCheckPerms = ExecutorCheckPerms_hook;
	ExecutorCheckPerms_hook = tsov_ExecutorCheckPerms;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = tsov_ProcessUtility;
	prev_object_access = object_access_hook;
	object_access_hook = tsov_object_access;
	prev_needs_fmgr = needs_fmgr_hook;
	needs_fmgr_hook = tsov_needs_fmgr;
	prev_fmgr = fmgr_hook;
	fmgr_hook = tsov_fmgr;
	prev_planner = planner_hook;
	planner_hook = tsov_planner;
	prev_get_relation_info = get_relation_info_hook;
	get_relation_info_hook = tsov_get_relation_info;
	prev_emit_log = emit_log_hook;
	emit_log_hook = tsov_emit_log;
	prev_shmem_request = shmem_request_hook;
	shmem_request_hook = tsov_shmem_request;
	prev_shmem_startup = shmem_startup_hook;
	shmem_startup_hook = tsov_shmem_startup;
	prev_ClientAuthentication = ClientAuthentication_hook;
	ClientAuthentication_hook = tsov_ClientAuthentication;
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = tsov_post_parse_analyze;
	RegisterXactCallback(tsov_xact_callback, NULL);
}
