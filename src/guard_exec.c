/*-------------------------------------------------------------------------
 *
 * guard_exec.c
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
 *	  src/guard_exec.c
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
#include "utils/lsyscache.h"

#include "decision.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorCheckPerms_hook_type prev_ExecutorCheckPerms = NULL;

/* The range table ExecutorStart has just checked (nesting-safe). */
static List *checked_rtable = NIL;

static const char *
rte_action(RangeTblEntry *rte, CmdType op, bool is_result, bool *is_write)
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
		action = rte_action(rte, op, list_member_int(result_rtis, (int) rti), &is_write);

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

static void
guard_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	List	   *save_checked = checked_rtable;
	volatile bool leader_plan = false;

	if (IsParallelWorker() && !worker_plan_started)
	{
		/*
		 * ParallelQueryMain() starts the leader's plan before anything else
		 * runs in this process; the leader's ExecutorStart checked it.
		 */
		worker_plan_started = true;
		leader_plan = true;
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

	PG_TRY();
	{
		if (prev_ExecutorStart)
			prev_ExecutorStart(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
	}
	PG_FINALLY();
	{
		checked_rtable = save_checked;
		if (leader_plan)
			tsov_worker_leader_plan = false;
	}
	PG_END_TRY();
}

/*
 * ExecCheckRTPerms calls this after PostgreSQL's own checks passed.  Range
 * tables that ExecutorStart has already checked are let through; others
 * (COPY) are checked here.
 */
static bool
guard_ExecutorCheckPerms(List *rtable, bool ereport_on_violation)
{
	if (prev_ExecutorCheckPerms &&
		!prev_ExecutorCheckPerms(rtable, ereport_on_violation))
		return false;
	if (rtable != checked_rtable && tsov_guards_active())
		check_rtable(rtable, CMD_UNKNOWN, NIL, NIL);
	return true;
}

void
tsov_guard_exec_init(void)
{
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = guard_ExecutorStart;
	prev_ExecutorCheckPerms = ExecutorCheckPerms_hook;
	ExecutorCheckPerms_hook = guard_ExecutorCheckPerms;
}
