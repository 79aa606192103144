/*-------------------------------------------------------------------------
 *
 * dml.c
 *	  The DML path: every relation a plan touches is checked before
 *	  PostgreSQL's own permission check runs.
 *
 * ExecutorStart walks the plan's range table (views and rules are already
 * expanded there: the view itself stays in the range table, and the
 * relations behind it carry the view owner as checkAsUser) and the plan's
 * relationOids, which also list regclass constants such as the sequence in
 * nextval('life.seq').  It runs before standard_ExecutorStart, because
 * ExecCheckRTPerms raises PostgreSQL's own ACL error before it would call a
 * permission hook.  ExecutorCheckPerms_hook catches the callers of
 * ExecCheckRTPerms that do not go through ExecutorStart (COPY FROM/TO a
 * table).
 *
 * IDENTIFICATION
 *	  src/enforce/dml.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "access/parallel.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/inval.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "rewrite/rowsecurity.h"

#include "common/guc.h"
#include "common/state.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"


/* The range table ExecutorStart has just checked (nesting-safe). */
static List *checked_rtable = NIL;

/*
 * The audit action of a range table entry and whether it writes; also
 * used by plan_check.c, so that the planner's early check names an access
 * exactly as this guard will.  A utility statement's command tag (COPY,
 * ...) names the access when the plan has no command type.
 */
const char *
tsov_rte_action(const RangeTblEntry *rte, bool is_result, CmdType op, bool *is_write)
{
	AclMode		p = rte->requiredPerms;

	*is_write = (p & (ACL_INSERT | ACL_UPDATE | ACL_DELETE)) != 0;
	if (tsov_current_command && !is_result && op == CMD_UNKNOWN)
		return tsov_current_command;
	if (is_result && op == CMD_MERGE)
		return "MERGE";
	if (p & ACL_INSERT)
		return "INSERT";
	if (p & ACL_DELETE)
		return "DELETE";
	if (p & ACL_UPDATE)
		return is_result ? "UPDATE" : "SELECT FOR UPDATE";
	return "SELECT";
}

/*
 * A relation outside every domain whose definition runs with the rights
 * of the role that queries it: a security_invoker view, or a table whose
 * row-level security policies apply (their expressions and subqueries
 * run as the querying role).  That code belongs to the relation's owner,
 * so in a domain session it runs only when the domain, a superuser or
 * PostgreSQL owns it (tsov_verdict_code_owner), as for functions: else a
 * view or policy of another party could read the domain's tables with the
 * domain's rights and pass what it saw on through a side effect
 * (nextval of its sequence, an advisory lock, a notification).  The
 * protected shared tables' policy is the extension's own.
 */
static void
check_foreign_code(Oid relid, Oid role, Oid nsp, const char *action)
{
	TsovSubjects s;
	TsovVerdict v;
	Relation	rel;
	Oid			owner;
	bool		runs_as_caller;
	bool		is_view;
	TsovObject	obj;
	char	   *name;

	tsov_subjects(role, &s);
	if (tsov_subjects_domain(&s) == NULL || tsov_shared_table_column_name(relid) != NULL)
		return;
	rel = RelationIdGetRelation(relid);
	if (!RelationIsValid(rel))
		return;
	owner = rel->rd_rel->relowner;
	is_view = rel->rd_rel->relkind == RELKIND_VIEW;
	runs_as_caller = is_view ? RelationHasSecurityInvoker(rel) :
		(rel->rd_rel->relrowsecurity && rel->rd_rsdesc != NULL &&
		 rel->rd_rsdesc->policies != NIL);
	RelationClose(rel);
	if (!runs_as_caller || tsov_verdict_code_owner(&s, owner, &v))
		return;
	name = quote_qualified_identifier(get_namespace_name(nsp), get_rel_name(relid));
	memset(&obj, 0, sizeof(obj));
	obj.classid = RelationRelationId;
	obj.objid = relid;
	obj.nspoid = nsp;
	obj.kind = is_view ? "view" : "table";
	obj.name = name;
	tsov_deny(action, role, &obj,
			  psprintf(is_view ?
					   "permission denied for domain \"%s\" to run view %s owned by role \"%s\"" :
					   "permission denied for domain \"%s\" to run the row-level security policies of table %s owned by role \"%s\"",
					   v.subject_domain, name, GetUserNameFromId(owner, false)),
			  psprintf("%s runs with the rights of the domain's role that queries it; in a session of domain \"%s\" only code owned by the domain, a superuser or PostgreSQL runs, whatever was granted.",
					   is_view ? "A security_invoker view's definition" : "A policy's expression",
					   v.subject_domain),
			  "Have a superuser own the relation, or query the tables it reads directly.");
}

typedef struct Seen
{
	Oid			relid;
	const char *action;
} Seen;

/*
 * Check every relation of a range table.  result_rtis: range table indexes
 * of the result relations.
 */
static void
check_rtable(List *rtable, CmdType op, List *result_rtis, List *relation_oids)
{
	ListCell   *lc;
	Index		rti = 0;
	Seen		seen_local[16];
	Seen	   *seen = seen_local;
	int			nseen = 0;
	int			maxseen = lengthof(seen_local);
	Oid			userid = GetUserId();

	foreach(lc, rtable)
	{
		RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);
		Oid			nsp;
		Oid			role;
		const char *action;
		bool		is_write;
		TsovObject	obj;
		int			i;
		bool		dup = false;

		rti++;
		if (rte->rtekind != RTE_RELATION)
			continue;
		nsp = get_rel_namespace(rte->relid);
		role = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : userid;
		action = tsov_rte_action(rte, list_member_int(result_rtis, (int) rti), op, &is_write);

		for (i = 0; i < nseen; i++)
			if (seen[i].relid == rte->relid && strcmp(seen[i].action, action) == 0)
				dup = true;
		if (dup)
			continue;
		if (nseen == maxseen)
		{
			Seen	   *n = palloc(sizeof(Seen) * maxseen * 2);

			memcpy(n, seen, sizeof(Seen) * nseen);
			seen = n;
			maxseen *= 2;
		}
		seen[nseen].relid = rte->relid;
		seen[nseen].action = action;
		nseen++;

		if (tsov_domain_of_namespace(nsp) == NULL)
		{
			if (tsov_shared_table_column(rte->relid) > 0)
				tsov_check_shared(action, is_write, role, rte->relid, nsp);
			else
				check_foreign_code(rte->relid, role, nsp, action);
			continue;
		}
		memset(&obj, 0, sizeof(obj));
		obj.classid = RelationRelationId;
		obj.objid = rte->relid;
		obj.nspoid = nsp;
		tsov_check(action, is_write, role, &obj);
	}

	/*
	 * Relations the plan depends on without scanning them: regclass
	 * constants (nextval('b.seq'), 'b.t'::regclass passed to a function).
	 */
	foreach(lc, relation_oids)
	{
		Oid			relid = lfirst_oid(lc);
		int			i;
		bool		dup = false;

		for (i = 0; i < nseen; i++)
			if (seen[i].relid == relid)
				dup = true;
		if (!dup)
			(void) tsov_check_relation("REFERENCE", false, userid, relid);
	}
}

/* a parallel worker runs exactly one plan from its leader, first */
static bool worker_plan_started = false;

/*
 * From ExecutorStart_hook (hooks.c), before the executor starts: check the
 * plan's range table, or mark a worker's start of its leader's plan.
 * tsov_dml_start_end() undoes what this set, on error too.
 */
void
tsov_dml_start_begin(QueryDesc *queryDesc, TsovDmlStart *st)
{
	st->save_checked = checked_rtable;
	st->leader_plan = false;

	if (IsParallelWorker() && !worker_plan_started)
	{
		/*
		 * ParallelQueryMain() starts the leader's plan before anything else
		 * runs in this process; the leader's ExecutorStart checked it.
		 * What the worker runs itself later is decided with the leader's
		 * state (API frames, break-glass, internal work), which the leader
		 * put into tec_sovereignty.parallel_context before launching us;
		 * the setting's check hook already refused a malformed value.
		 */
		worker_plan_started = true;
		if (!tsov_state_restore(tsov_parallel_context ? tsov_parallel_context : "", true))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("parallel worker received a malformed sovereignty state"),
					 errdetail("The worker cannot decide with its leader's state and refuses to run.")));
		st->leader_plan = true;
		tsov_worker_leader_plan = true;
	}
	else if (tsov_guards_active())
	{
		PlannedStmt *ps = queryDesc->plannedstmt;

		/* a membership change committed elsewhere counts from now on */
		AcceptInvalidationMessages();
		check_rtable(ps->rtable, ps->commandType, ps->resultRelations,
					 ps->relationOids);
		checked_rtable = ps->rtable;
	}
}

void
tsov_dml_start_end(const TsovDmlStart *st)
{
	/* only a worker's first plan is its leader's */
	Assert(!st->leader_plan || (IsParallelWorker() && tsov_worker_leader_plan));
	checked_rtable = st->save_checked;
	if (st->leader_plan)
		tsov_worker_leader_plan = false;
}

/*
 * From ExecutorCheckPerms_hook (hooks.c), after PostgreSQL's own checks
 * passed.  Range tables that ExecutorStart has already checked are let
 * through; others (COPY) are checked here.
 */
bool
tsov_dml_check_perms(List *rtable, bool ereport_on_violation)
{
	if (rtable != checked_rtable && tsov_guards_active())
		check_rtable(rtable, CMD_UNKNOWN, NIL, NIL);
	return true;
}
