/*-------------------------------------------------------------------------
 *
 * plan_check.c
 *	  The planner looks into a relation only after the rule has allowed
 *	  it: every relation the planner opens (get_relation_info_hook) is
 *	  checked before its statistics are read.
 *
 * PostgreSQL's planner decides from the ACL alone whether it may evaluate
 * a query's operators on a relation's statistics (examine_variable's
 * acl_ok, the MCV lists of extended statistics): with a superuser's
 * cross-domain GRANT SELECT in the ACL, a non-leakproof operator of the
 * querying role would see another domain's most common values and
 * histogram bounds while the query is planned (EXPLAIN without ANALYZE
 * too), before the executor guard (dml.c) refuses the plan.  So the
 * planner's own door is checked: get_relation_info_hook runs for each
 * relation the planner builds (inheritance children and partitions
 * included, which the query tree does not name), before any of its
 * statistics are looked at.
 *
 * The check is the executor guard's, earlier, never stricter or looser:
 * the same role (the range table entry's checkAsUser, else the current
 * user), the same read or write, the same rule.  tsov_would_allow() only
 * answers (an allowed access, a privileged one, a simulated denial record
 * nothing here: the executor guard records them once per execution); a
 * denial is raised through tsov_check(), which records it durably and
 * raises the error the executor guard would have raised.
 *
 * Functions (tsov_plan_functions_before, tsov_plan_functions_after): the
 * executor's ExecInitFunc checks EXECUTE before OAT_FUNCTION_EXECUTE asks
 * us, and PL/pgSQL evaluates a statement without relations (x := b.f();
 * IF b.f() THEN) as a "simple expression", outside the executor, where no
 * hook of ours runs: such a refusal reached the trail only through
 * emit_log_hook (lost under an EXCEPTION block, or with log_min_messages
 * above ERROR).  So before planning, the rule decides on every domain
 * function the query, its subqueries, CTEs and expanded views call: the
 * extension's refusal, recorded durably, before any check of PostgreSQL's,
 * also before the planner folds an immutable call (a call in a branch the
 * planner would fold away is refused too).  After planning, a plan
 * without relations that still calls a domain function is marked as
 * depending on the role: PL/pgSQL then never takes it for a simple
 * expression (CachedPlanAllowsSimpleValidityCheck), so each evaluation
 * goes through ExecutorStart, whose refusals hooks.c records; and the plan
 * cache plans it again for another role, which the rule then decides on.
 * Planning-time decisions only refuse: what they let through, the
 * executor guard and OAT_FUNCTION_EXECUTE decide (and record) again.
 *
 * IDENTIFICATION
 *	  src/enforce/plan_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "optimizer/plancat.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"

#include "common/state.h"
#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"

/*
 * From get_relation_info_hook (hooks.c): the planner has just opened
 * relation relid for the base relation rel of root's query.
 */
void
tsov_plan_relation(PlannerInfo *root, Oid relid, RelOptInfo *rel)
{
	RangeTblEntry *rte;
	Oid			nsp;
	Oid			role;
	bool		is_write;
	const char *action;
	TsovObject	obj;

	/* no syscache lookup per planned relation where no domain exists */
	if (!tsov_guards_active() || !tsov_domains_exist())
		return;
	nsp = get_rel_namespace(relid);
	if (tsov_domain_of_namespace(nsp) == NULL)
		return;
	rte = planner_rt_fetch(rel->relid, root);
	Assert(rte->rtekind == RTE_RELATION && rte->relid == relid);
	/*
	 * A base relation no privilege is asked for is no query's: CREATE INDEX
	 * and CLUSTER ask the planner for a worker count or a sort decision
	 * (plan_create_index_workers, plan_cluster_use_sort), before index_build
	 * switches to the table's owner and with no operator of the caller;
	 * the utility guard has decided on those.  Every relation a query
	 * names carries the privileges it needs, and an inheritance child or
	 * partition (no privileges of its own) is an "other member" relation.
	 */
	if (rel->reloptkind == RELOPT_BASEREL && rte->requiredPerms == 0)
		return;
	role = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	action = tsov_rte_action(rte, rel->relid == (Index) root->parse->resultRelation,
						 root->parse->commandType, &is_write);
	if (tsov_would_allow(role, nsp, is_write))
		return;
	memset(&obj, 0, sizeof(obj));
	obj.classid = RelationRelationId;
	obj.objid = relid;
	obj.nspoid = nsp;
	tsov_check(action, is_write, role, &obj);
	/* tsov_check raises the denial tsov_would_allow foresaw */
	elog(ERROR, "access to relation %u allowed at planning but not before it", relid);
}

/* ---- functions of statements without relations ---- */

/* Does function fn live in a domain schema? (check_functions_in_node) */
static bool
is_domain_function(Oid fn, void *context)
{
	if (fn < FirstNormalObjectId)
		return false;
	return tsov_domain_of_namespace(tsov_func_info(fn)->nspoid) != NULL;
}

/*
 * Refuse (recorded) a domain function the rule does not let the user call.
 * A domain in simulate mode is left to the executor, which records its
 * simulated denial once.
 */
static bool
decide_function(Oid fn, void *context)
{
	const TsovDomain *dom;

	if (!is_domain_function(fn, NULL))
		return false;
	dom = tsov_domain_of_namespace(tsov_func_info(fn)->nspoid);
	if (dom != NULL && !dom->simulate)
		(void) tsov_check_execute(fn, true, NULL, NULL, NULL);
	return false;				/* look at every function */
}

static bool
decide_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, decide_walker, context, 0);
	(void) check_functions_in_node(node, decide_function, context);
	return expression_tree_walker(node, decide_walker, context);
}

static bool
domain_function_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (check_functions_in_node(node, is_domain_function, context))
		return true;
	return expression_tree_walker(node, domain_function_walker, context);
}

/*
 * From planner_hook (hooks.c), before planning: every function of the
 * query, its subqueries, CTEs and the views the rewriter expanded.
 */
void
tsov_plan_functions_before(Query *parse)
{
	if (!tsov_guards_active() || !tsov_domains_exist())
		return;
	(void) decide_walker((Node *) parse, NULL);
}

/* Does a plan node, or one below it, call a domain function? */
static bool
plan_calls_domain_function(Plan *plan)
{
	for (; plan != NULL; plan = plan->lefttree)
	{
		if (domain_function_walker((Node *) plan->targetlist, NULL) ||
			domain_function_walker((Node *) plan->qual, NULL))
			return true;
		if (IsA(plan, Result) &&
			domain_function_walker(((Result *) plan)->resconstantqual, NULL))
			return true;
		if (plan->righttree && plan_calls_domain_function(plan->righttree))
			return true;
	}
	return false;
}

/*
 * From planner_hook (hooks.c), after planning: a plan without relations
 * that calls a domain function is never a PL/pgSQL simple expression.
 */
void
tsov_plan_functions_after(PlannedStmt *stmt)
{
	ListCell   *lc;

	if (!tsov_guards_active() || !tsov_domains_exist())
		return;
	if (stmt->commandType != CMD_SELECT || stmt->dependsOnRole)
		return;
	foreach(lc, stmt->rtable)
	{
		if (lfirst_node(RangeTblEntry, lc)->rtekind != RTE_RESULT)
			return;
	}
	if (stmt->subplans != NIL)
		return;					/* not simple: PL/pgSQL runs it through SPI */
	if (plan_calls_domain_function(stmt->planTree))
		stmt->dependsOnRole = true;
	Assert(!stmt->dependsOnRole || stmt->commandType == CMD_SELECT);
}
