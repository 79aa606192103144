/*-------------------------------------------------------------------------
 *
 * utility.h
 *	  Private to the utility-statement guard (src/enforce/utility*.c): the
 *	  call every handler gets, the handlers the dispatch table of utility.c
 *	  names, and the helpers they share.
 *
 * tsov_utility_before() (utility.c, called by hooks.c) looks the statement
 * kind up in one table and calls its handler; a kind the table does not
 * name is let through unchanged.  Handlers translate the statement into
 * calls of the rule (enforce/decision.h) and of the fixed rules
 * (tsov_deny); they record denials only: the allowed access is recorded by
 * the hook that sees it happen (object access hook, executor), so that an
 * allowed statement yields one event per object.
 *
 * Nothing outside this folder includes this header: the guard's entry
 * point is in enforce.h.
 *
 * IDENTIFICATION
 *	  src/enforce/utility.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_ENFORCE_UTILITY_H
#define TSOV_ENFORCE_UTILITY_H

#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/utility.h"

#include "enforce/decision.h"

/*
 * One utility statement on its way to PostgreSQL.  A handler may replace
 * pstmt by a checked copy (tsov_utility_before then clears readOnlyTree:
 * the copy is the guard's own) or set done when the statement must not
 * run at all (it did what there was to do, or nothing is left of it).
 */
typedef struct TsovUtilityCall
{
	Node	   *stmt;			/* the parse tree, as the statement came */
	const char *tag;			/* its command tag: the audited action */
	const char *what;			/* the table's words for it ("create a
								 * foreign server"), or NULL */
	ProcessUtilityContext context;
	PlannedStmt *pstmt;			/* what runs; may become a checked copy */
	bool		done;			/* the statement is done: do not run it */
} TsovUtilityCall;

typedef void (*TsovUtilityHandler) (TsovUtilityCall *call);

/* ---- shared helpers (in utility.c) ---- */

/* tsov_check() that records a denial only, not the allowed access. */
extern void tsov_util_quiet_check(const char *action, bool is_write, Oid role,
								  const TsovObject *obj);

/* The relation a RangeVar names, as an object; InvalidOid if none. */
extern Oid	tsov_util_rel_object(RangeVar *rv, TsovObject *obj);

/* A schema as the object checked. */
extern void tsov_util_schema_object(Oid nspoid, TsovObject *obj);

/* Check the relation a RangeVar names; record: record allowed too. */
extern void tsov_util_check_rv(RangeVar *rv, const char *action,
							   bool is_write, bool record);

/*
 * The domain of the current user, else of the session user, or NULL: for
 * the fixed rules "domain roles may not ..." (a fact, not a verdict).
 */
extern const char *tsov_util_actor_domain(void);

/* ---- roles and privileges (in utility_grant.c) ---- */
extern void tsov_util_grant(TsovUtilityCall *call);
extern void tsov_util_grant_role(TsovUtilityCall *call);
extern void tsov_util_create_role(TsovUtilityCall *call);
extern void tsov_util_alter_role(TsovUtilityCall *call);
extern void tsov_util_default_privileges(TsovUtilityCall *call);
extern void tsov_util_set_role(TsovUtilityCall *call);

/* ---- powers that bypass the rule (in utility_powers.c) ---- */
extern void tsov_util_powers_membership(const char *action, Oid granted,
										Oid member);
extern void tsov_util_powers_create_role(TsovUtilityCall *call);
extern void tsov_util_powers_alter_role(TsovUtilityCall *call, Oid role);
extern void tsov_util_alter_role_set(TsovUtilityCall *call);
extern void tsov_util_drop_role(TsovUtilityCall *call);
extern void tsov_util_alter_owner(TsovUtilityCall *call);
extern void tsov_util_createdb(TsovUtilityCall *call);
extern void tsov_util_grant_parameter(GrantStmt *stmt, const char *action);
extern void tsov_util_alter_system(TsovUtilityCall *call);

/* ---- definitions of objects (in utility_ddl.c) ---- */
extern void tsov_util_create_schema(TsovUtilityCall *call);
extern void tsov_util_set_schema(TsovUtilityCall *call);
extern void tsov_util_comment(TsovUtilityCall *call);
extern void tsov_util_security_label(TsovUtilityCall *call);
extern void tsov_util_alter_table(TsovUtilityCall *call);
extern void tsov_util_index(TsovUtilityCall *call);
extern void tsov_util_create_trigger(TsovUtilityCall *call);
extern void tsov_util_rule(TsovUtilityCall *call);
extern void tsov_util_create_policy(TsovUtilityCall *call);
extern void tsov_util_alter_policy(TsovUtilityCall *call);
extern void tsov_util_rename(TsovUtilityCall *call);
extern void tsov_util_drop(TsovUtilityCall *call);

/* ---- maintenance (in utility_maintenance.c) ---- */
extern void tsov_util_vacuum(TsovUtilityCall *call);
extern void tsov_util_reindex(TsovUtilityCall *call);
extern void tsov_util_cluster(TsovUtilityCall *call);
extern void tsov_util_refresh(TsovUtilityCall *call);

/* ---- data, and paths across the server's edge (in utility_data.c) ---- */
extern void tsov_util_copy(TsovUtilityCall *call);
extern void tsov_util_truncate(TsovUtilityCall *call);
extern void tsov_util_lock(TsovUtilityCall *call);
extern void tsov_util_call(TsovUtilityCall *call);
extern void tsov_util_exit_path(TsovUtilityCall *call);
extern void tsov_util_load(TsovUtilityCall *call);
extern void tsov_util_channel(TsovUtilityCall *call);

#endif							/* TSOV_ENFORCE_UTILITY_H */
