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
 * IDENTIFICATION
 *	  src/enforce/plan_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
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
