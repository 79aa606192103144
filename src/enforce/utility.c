/*-------------------------------------------------------------------------
 *
 * utility.c
 *	  ProcessUtility: utility statements that touch domain objects, checked
 *	  before PostgreSQL runs them (and before its own privilege checks).
 *	  This file holds the entry point, the one table that maps a statement
 *	  kind to its handler, and the small helpers the handlers share.
 *
 * Most DDL is also caught by the object access hooks (objects.c); checking
 * here first means the denial names the statement and the object, comes
 * before PostgreSQL's "must be owner" errors, and covers statements that
 * fire no object access hook at all: GRANT/REVOKE and ALTER DEFAULT
 * PRIVILEGES (refused at the source when a non-superuser would open a
 * domain object to PUBLIC or to another domain), memberships in domain
 * roles outside tec_add_member (GRANT/REVOKE role, CREATE ROLE ... IN ROLE
 * / ROLE / ADMIN, ALTER GROUP), SET ROLE / SET SESSION AUTHORIZATION
 * (utility_grant.c); COMMENT and SECURITY LABEL, ALTER ... SET SCHEMA out of a domain, CREATE
 * SCHEMA by a domain role, ALTER TABLE, DROP and the other DDL on a
 * domain's relations (utility_ddl.c); VACUUM/ANALYZE (a database-wide run becomes
 * the list of tables the caller may touch), REINDEX/CLUSTER/REFRESH
 * (utility_maintenance.c); COPY, TRUNCATE, LOCK, LOAD, CALL arguments
 * (builtins.c), LISTEN and NOTIFY (a domain's channels are its own), and
 * the statements that open a path for data to leave the
 * database (foreign servers, user mappings, foreign tables, publications,
 * subscriptions) when a domain role runs them (utility_data.c).
 *
 * The handlers are named in one table rather than called from a switch:
 * the table is the list of what the guard looks at, one line per
 * statement kind, and the words a handler shared by several kinds uses
 * in its messages sit on the same line.
 *
 * IDENTIFICATION
 *	  src/enforce/utility.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"

#include "common/state.h"
#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"
#include "enforce/utility.h"

typedef struct UtilityEntry
{
	NodeTag		kind;
	TsovUtilityHandler handler;
	const char *what;			/* for a handler shared by several kinds */
} UtilityEntry;

/*
 * Every statement kind the guard looks at, once.  A kind not listed runs
 * unchecked here (the object access hooks and the executor still see
 * what it does).  TransactionStmt never gets this far.
 */
static const UtilityEntry utility_handlers[] = {
	/* roles and privileges: utility_grant.c */
	{T_VariableSetStmt, tsov_util_set_role},
	{T_GrantStmt, tsov_util_grant},
	{T_GrantRoleStmt, tsov_util_grant_role},
	{T_AlterDefaultPrivilegesStmt, tsov_util_default_privileges},
	{T_CreateRoleStmt, tsov_util_create_role},
	{T_AlterRoleStmt, tsov_util_alter_role},
	{T_AlterRoleSetStmt, tsov_util_alter_role_set},
	{T_DropRoleStmt, tsov_util_drop_role},
	{T_AlterOwnerStmt, tsov_util_alter_owner},
	{T_CreatedbStmt, tsov_util_createdb},
	{T_AlterSystemStmt, tsov_util_alter_system},

	/* definitions of objects: utility_ddl.c */
	{T_CreateSchemaStmt, tsov_util_create_schema},
	{T_AlterObjectSchemaStmt, tsov_util_set_schema},
	{T_CommentStmt, tsov_util_comment},
	{T_SecLabelStmt, tsov_util_security_label},
	{T_AlterTableStmt, tsov_util_alter_table},
	{T_IndexStmt, tsov_util_index},
	{T_CreateTrigStmt, tsov_util_create_trigger},
	{T_RuleStmt, tsov_util_rule},
	{T_CreatePolicyStmt, tsov_util_create_policy},
	{T_AlterPolicyStmt, tsov_util_alter_policy},
	{T_RenameStmt, tsov_util_rename},
	{T_DropStmt, tsov_util_drop},

	/* maintenance: utility_maintenance.c */
	{T_VacuumStmt, tsov_util_vacuum},
	{T_ReindexStmt, tsov_util_reindex},
	{T_ClusterStmt, tsov_util_cluster},
	{T_RefreshMatViewStmt, tsov_util_refresh},

	/* data, and paths across the server's edge: utility_data.c */
	{T_CopyStmt, tsov_util_copy},
	{T_TruncateStmt, tsov_util_truncate},
	{T_LockStmt, tsov_util_lock},
	{T_CallStmt, tsov_util_call},
	{T_LoadStmt, tsov_util_load},
	{T_ListenStmt, tsov_util_channel},
	{T_NotifyStmt, tsov_util_channel},
	{T_CreateForeignServerStmt, tsov_util_exit_path, "create a foreign server"},
	{T_CreateUserMappingStmt, tsov_util_exit_path, "create or alter a user mapping"},
	{T_AlterUserMappingStmt, tsov_util_exit_path, "create or alter a user mapping"},
	{T_CreateForeignTableStmt, tsov_util_exit_path, "create a foreign table"},
	{T_ImportForeignSchemaStmt, tsov_util_exit_path, "import a foreign schema"},
	{T_CreatePublicationStmt, tsov_util_exit_path, "create or alter a publication"},
	{T_AlterPublicationStmt, tsov_util_exit_path, "create or alter a publication"},
	{T_CreateSubscriptionStmt, tsov_util_exit_path, "create or alter a subscription"},
	{T_AlterSubscriptionStmt, tsov_util_exit_path, "create or alter a subscription"},
};

/* The table's line for a statement kind, or NULL. */
static const UtilityEntry *
utility_entry(NodeTag kind)
{
	const UtilityEntry *found = NULL;
	int			i;

	for (i = 0; i < lengthof(utility_handlers); i++)
	{
		if (utility_handlers[i].kind != kind)
			continue;
		/* one line per kind: the table is the one place that decides */
		Assert(found == NULL);
		found = &utility_handlers[i];
#ifndef USE_ASSERT_CHECKING
		break;
#endif
	}
	Assert(found == NULL || found->handler != NULL);
	Assert(found == NULL || (found->what != NULL) ==
		   (found->handler == tsov_util_exit_path));
	return found;
}

/*
 * From ProcessUtility_hook (hooks.c), before the statement runs.  Returns
 * false when the statement is done already (CREATE SCHEMA IF NOT EXISTS
 * of the domain's own schema, a database-wide VACUUM with nothing left to
 * process); may replace *pstmt with a checked copy (then *readOnlyTree
 * becomes false).
 */
bool
tsov_utility_before(PlannedStmt **pstmt, bool *readOnlyTree,
					ProcessUtilityContext context, const char *tag)
{
	Node	   *parsetree = (*pstmt)->utilityStmt;
	const UtilityEntry *entry;
	TsovUtilityCall call;

	if (!tsov_guards_active() || IsA(parsetree, TransactionStmt))
		return true;
	entry = utility_entry(nodeTag(parsetree));
	if (entry == NULL)
		return true;

	call.stmt = parsetree;
	call.tag = tag;
	call.what = entry->what;
	call.context = context;
	call.pstmt = *pstmt;
	call.done = false;
	entry->handler(&call);

	if (call.done)
		return false;
	Assert(call.pstmt != NULL && call.pstmt->utilityStmt != NULL);
	Assert(nodeTag(call.pstmt->utilityStmt) == nodeTag(parsetree));
	if (call.pstmt != *pstmt)
	{
		*pstmt = call.pstmt;
		*readOnlyTree = false;
	}
	return true;
}

/*
 * Does the statement change a schema?  PostgreSQL's own answer
 * (log_statement = 'ddl': CREATE, ALTER, DROP, GRANT, COMMENT, SECURITY
 * LABEL, ...), but REFRESH MATERIALIZED VIEW, which PostgreSQL counts
 * there, changes only data; TRUNCATE, COPY, VACUUM and the like are not in
 * that class.  hooks.c keeps the answer in tsov_current_is_ddl while the
 * statement runs, for the rule.
 */
bool
tsov_utility_changes_schema(Node *parsetree)
{
	if (IsA(parsetree, RefreshMatViewStmt))
		return false;
	return GetCommandLogLevel(parsetree) == LOGSTMT_DDL;
}

/* ---- helpers shared by the handlers (declared in utility.h) ---- */

void
tsov_util_quiet_check(const char *action, bool is_write, Oid role,
					  const TsovObject *obj)
{
	TSOV_QUIET_BEGIN(true);
	{
		tsov_check(action, is_write, role, obj);
	}
	TSOV_QUIET_END();
}

Oid
tsov_util_rel_object(RangeVar *rv, TsovObject *obj)
{
	Oid			relid;

	memset(obj, 0, sizeof(*obj));
	if (rv == NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return InvalidOid;
	obj->classid = RelationRelationId;
	obj->objid = relid;
	obj->nspoid = get_rel_namespace(relid);
	return relid;
}

void
tsov_util_schema_object(Oid nspoid, TsovObject *obj)
{
	Assert(OidIsValid(nspoid));
	memset(obj, 0, sizeof(*obj));
	obj->classid = NamespaceRelationId;
	obj->objid = nspoid;
	obj->nspoid = nspoid;
}

void
tsov_util_check_rv(RangeVar *rv, const char *action, bool is_write, bool record)
{
	TsovObject	obj;

	if (!OidIsValid(tsov_util_rel_object(rv, &obj)))
		return;
	if (record)
		tsov_check(action, is_write, GetUserId(), &obj);
	else
		tsov_util_quiet_check(action, is_write, GetUserId(), &obj);
}

/*
 * A fixed rule, not the verdict: "a domain role may not ..." holds for a
 * session in which any subject of the rule (enforce/decision.c) is a
 * domain role, whatever the object; there is no object domain to decide
 * against.  The subjects are the rule's own, so that who counts is
 * decided in one place.
 */
const char *
tsov_util_actor_domain(void)
{
	TsovSubjects s;

	tsov_subjects(GetUserId(), &s);
	return tsov_subjects_domain(&s);
}
