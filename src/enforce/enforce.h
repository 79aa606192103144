/*-------------------------------------------------------------------------
 *
 * enforce.h
 *	  The guards' entry points, called by src/hooks.c only: one function
 *	  per hook event a guard handles, and the guards' init functions.
 *
 * A guard never installs a hook itself and never calls the previous hook:
 * hooks.c does both, in the documented order.
 *
 * IDENTIFICATION
 *	  src/enforce/enforce.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_ENFORCE_ENFORCE_H
#define TSOV_ENFORCE_ENFORCE_H

#include "catalog/objectaccess.h"
#include "executor/execdesc.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "tcop/utility.h"

/* in dml.c: the executor */
typedef struct TsovDmlStart
{
	List	   *save_checked;	/* range table checked by the outer level */
	bool		leader_plan;	/* a parallel worker starts its leader's plan */
} TsovDmlStart;

extern void tsov_dml_start_begin(QueryDesc *queryDesc, TsovDmlStart *st);
extern void tsov_dml_start_end(const TsovDmlStart *st);
extern bool tsov_dml_check_perms(List *rtable, bool ereport_on_violation);
extern const char *tsov_rte_action(const RangeTblEntry *rte, bool is_result,
								   CmdType op, bool *is_write);

/* in utility.c: utility statements; false: the statement is done */
extern bool tsov_utility_before(PlannedStmt **pstmt, bool *readOnlyTree,
								ProcessUtilityContext context, const char *tag);

/* in utility.c: does the statement change a schema (tsov_current_is_ddl)? */
extern bool tsov_utility_changes_schema(Node *parsetree);

/* in objects.c: object access events */
extern void tsov_objects_access(ObjectAccessType access, Oid classId,
								Oid objectId, int subId, void *arg);

/* in fmgr.c: function calls */
extern bool tsov_fmgr_needs_hook(Oid fn_oid);
extern void tsov_fmgr_event(FmgrHookEventType event, FmgrInfo *flinfo);

/* in builtins.c: the planner swaps in the checked twins of built-ins;
 * OAT_FUNCTION_EXECUTE refuses what a domain role may not call */
extern void tsov_builtins_plan(Query *parse);

/* in plan_check.c: the planner opened a relation (get_relation_info_hook) */
extern void tsov_plan_relation(PlannerInfo *root, Oid relid,
							   RelOptInfo *rel);
/* ... and the functions of a statement without relations (PL/pgSQL's
 * simple expressions), before and after planning */
extern void tsov_plan_functions_before(Query *parse);
extern void tsov_plan_functions_after(PlannedStmt *stmt);
extern void tsov_builtins_execute(Oid fnoid);
extern void tsov_builtins_init(void);	/* table, invalidation callbacks */

/* in session.c: who a session is, decided when it starts */
struct Port;
extern void tsov_session_authenticated(struct Port *port, int status);
extern void tsov_session_first_statement(void);

#endif							/* TSOV_ENFORCE_ENFORCE_H */
