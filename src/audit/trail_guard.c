/*-------------------------------------------------------------------------
 *
 * trail_guard.c
 *	  Append-only guard of the audit trail, and the audit of the
 *	  extension's own settings.
 *
 * While the library is loaded nobody, superusers included, may change or
 * remove rows of tec_sovereignty.audit_log or of its chain heads and purge
 * anchors (audit_chain, audit_anchor), nor alter, truncate, lock or drop
 * them, nor
 * disable their triggers or rules or change their policies.  The checks
 * live in C hooks, not in triggers, so that session_replication_role,
 * ALTER TABLE ... DISABLE TRIGGER and the like have nothing to switch off:
 *
 *	 - ExecutorCheckPerms_hook (every DML plan, COPY FROM, SELECT FOR
 *	   UPDATE): INSERT, UPDATE, DELETE on the two tables are refused, except
 *	   to the audit subsystem's own work (tsov_audit_self_depth: writer,
 *	   purge) and except a superuser's INSERT into an *empty* table, which
 *	   is how pg_restore brings a trail back;
 *	 - ProcessUtility_hook: TRUNCATE, LOCK, ALTER TABLE (incl. DISABLE
 *	   TRIGGER/RULE, RLS), RENAME, SET SCHEMA, CREATE TRIGGER/RULE/POLICY,
 *	   ALTER/DROP POLICY/TRIGGER/RULE on them, ALTER EXTENSION ... DROP,
 *	   and a table inheriting from them (CREATE TABLE ... INHERITS,
 *	   ALTER TABLE ... INHERIT), whose rows every scan would show;
 *	 - object_access_hook (OAT_DROP): dropping the audit table while it
 *	   holds rows, however it is reached (DROP TABLE, DROP SCHEMA CASCADE,
 *	   DROP OWNED, DROP EXTENSION); (OAT_POST_CREATE of a constraint) a
 *	   foreign key that references one of the tables, however it is
 *	   created (CREATE TABLE, ALTER TABLE, a partition cloning its
 *	   parent's): its RI triggers would lock and act on the trail;
 *	 - PRE_PREPARE (tsov_trail_check_prepare, from record.c): preparing a
 *	   transaction that holds a lock on one of the tables which the
 *	   writer's inserts would wait for, however it was taken (LOCK of a
 *	   view over the trail, REINDEX, CREATE INDEX, ...): a prepared
 *	   transaction keeps it until resolved by hand.  A lock held by a live
 *	   session cannot be refused in advance; commits waiting behind it are
 *	   bounded by audit_commit_timeout instead (queue.c).
 *
 * The same ProcessUtility hook records SET / RESET / ALTER SYSTEM of the
 * extension's settings, as privileged events made durable at commit.
 *
 * Out of reach, and documented: DROP DATABASE, and a server started
 * without the library (what tec_audit_verify() is for).
 *
 * IDENTIFICATION
 *	  src/audit/trail_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "audit/internal.h"
#include "common/state.h"
#include "common/tsov.h"
#include "domain/domain.h"


/* Is relid one of the two protected tables?  Syscache lookups only. */
static bool
is_audit_rel(Oid relid)
{
	Oid			nsp;

	if (!OidIsValid(relid) || get_rel_namespace(relid) == InvalidOid)
		return false;
	nsp = get_namespace_oid(TSOV_SCHEMA, true);
	if (!OidIsValid(nsp) || get_rel_namespace(relid) != nsp)
		return false;
	return relid == get_relname_relid("audit_log", nsp) ||
		relid == get_relname_relid("audit_chain", nsp) ||
		relid == get_relname_relid("audit_anchor", nsp);
}

static bool
stop_at_first(HeapTuple tup, TupleDesc desc, void *arg)
{
	return false;
}

/* Has the table no committed row?  (no predicate locks, see the scan) */
static bool
rel_is_empty(Oid relid)
{
	return tsov_scan_committed(relid, stop_at_first, NULL);
}

/*
 * Record the attempt, then refuse it: the one place this file raises a
 * refusal, which audit/log_hook.c knows as a recording site (so neither it
 * nor the hooks' rethrow records the error a second time).  locked: the
 * caller already holds a lock on the table that the writer's insert would
 * wait for (OAT_DROP, a foreign key being created, PREPARE), so the event
 * is queued without waiting for it (it is written as soon as the abort
 * releases the lock); otherwise it is durable before the error.
 */
static void
refuse_ext(Oid relid, const char *relname, const char *what, bool locked,
		   const char *reason, const char *message, const char *detail,
		   const char *hint)
{
	TsovAuditEvent ev;

	memset(&ev, 0, sizeof(ev));
	ev.action = what;
	ev.decision = TSOV_DENIED;
	ev.is_write = true;
	ev.object_oid = relid;
	ev.object_schema = TSOV_SCHEMA;
	ev.object_name = relname;
	ev.reason = reason;
	if (locked)
		tsov_audit_record_denial_nowait(&ev);
	else
		tsov_audit_record(&ev);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg_internal("%s", message),
			 errdetail_internal("%s", detail),
			 errhint("%s", hint)));
}

/* The append-only refusal of "what" on one of the trail's tables. */
static void
refuse_append_only(Oid relid, const char *what, bool locked)
{
	char	   *relname = get_rel_name(relid);

	refuse_ext(relid, relname, what, locked, "the audit trail is append-only",
			   "permission denied: the audit trail is append-only",
			   psprintf("%s on table %s is refused to every role while tec_sovereignty is loaded.",
						what, relname),
			   "Only the audit writer adds rows; old rows can be removed with tec_audit_purge().");
}

static void
refuse(Oid relid, const char *what)
{
	refuse_append_only(relid, what, false);
}

/* From ExecutorCheckPerms_hook (hooks.c), before every other check. */
bool
tsov_trail_check_perms(List *rtable, bool ereport_on_violation)
{
	ListCell   *lc;

	foreach(lc, rtable)
	{
		RangeTblEntry *rte = lfirst(lc);
		AclMode		m;

		if (rte->rtekind != RTE_RELATION)
			continue;
		m = rte->requiredPerms & (ACL_INSERT | ACL_UPDATE | ACL_DELETE);
		if (m == 0 || !is_audit_rel(rte->relid))
			continue;
		if (tsov_audit_self_depth > 0)
			continue;
		/* pg_restore into an empty trail */
		if (m == ACL_INSERT && superuser() && rel_is_empty(rte->relid))
			continue;
		if (!ereport_on_violation)
			return false;
		refuse(rte->relid, (m & ACL_DELETE) ? "DELETE" : (m & ACL_UPDATE) ? "UPDATE" : "INSERT");
	}
	return true;
}

static void
check_rangevar(RangeVar *rv, const char *what)
{
	Oid			relid;

	if (rv == NULL)
		return;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (OidIsValid(relid) && is_audit_rel(relid))
		refuse(relid, what);
}

/* DROP POLICY/TRIGGER/RULE: each object is (table name..., object name). */
static void
check_drop_on_table(DropStmt *stmt, const char *what)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		List	   *names = lfirst(lc);

		if (list_length(names) < 2)
			continue;
		check_rangevar(makeRangeVarFromNameList(list_truncate(list_copy(names),
															  list_length(names) - 1)),
					   what);
	}
}

static void
check_utility(Node *parsetree)
{
	ListCell   *lc;

	switch (nodeTag(parsetree))
	{
		case T_LockStmt:
			foreach(lc, ((LockStmt *) parsetree)->relations)
				check_rangevar(lfirst(lc), "LOCK");
			break;
		case T_TruncateStmt:
			foreach(lc, ((TruncateStmt *) parsetree)->relations)
				check_rangevar(lfirst(lc), "TRUNCATE");
			break;
		case T_AlterTableStmt:
			check_rangevar(((AlterTableStmt *) parsetree)->relation, "ALTER TABLE");
			/* a child's rows would show in every scan of the trail */
			foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
			{
				AlterTableCmd *cmd = lfirst(lc);

				if (cmd->subtype == AT_AddInherit)
					check_rangevar((RangeVar *) cmd->def, "INHERIT");
			}
			break;
		case T_CreateStmt:
			foreach(lc, ((CreateStmt *) parsetree)->inhRelations)
				check_rangevar(lfirst(lc), "INHERITS");
			break;
		case T_RenameStmt:
			check_rangevar(((RenameStmt *) parsetree)->relation, "RENAME");
			break;
		case T_AlterObjectSchemaStmt:
			check_rangevar(((AlterObjectSchemaStmt *) parsetree)->relation, "SET SCHEMA");
			break;
		case T_CreateTrigStmt:
			check_rangevar(((CreateTrigStmt *) parsetree)->relation, "CREATE TRIGGER");
			break;
		case T_RuleStmt:
			check_rangevar(((RuleStmt *) parsetree)->relation, "CREATE RULE");
			break;
		case T_CreatePolicyStmt:
			check_rangevar(((CreatePolicyStmt *) parsetree)->table, "CREATE POLICY");
			break;
		case T_AlterPolicyStmt:
			check_rangevar(((AlterPolicyStmt *) parsetree)->table, "ALTER POLICY");
			break;
		case T_DropStmt:
			{
				DropStmt   *ds = (DropStmt *) parsetree;

				if (ds->removeType == OBJECT_POLICY)
					check_drop_on_table(ds, "DROP POLICY");
				else if (ds->removeType == OBJECT_TRIGGER)
					check_drop_on_table(ds, "DROP TRIGGER");
				else if (ds->removeType == OBJECT_RULE)
					check_drop_on_table(ds, "DROP RULE");
				break;
			}
		case T_AlterExtensionContentsStmt:
			{
				AlterExtensionContentsStmt *s = (AlterExtensionContentsStmt *) parsetree;

				if (strcmp(s->extname, TSOV_NAME) == 0 && s->action < 0 &&
					s->objtype == OBJECT_TABLE)
					check_rangevar(makeRangeVarFromNameList(castNode(List, s->object)),
								   "ALTER EXTENSION ... DROP");
				break;
			}
		default:
			break;
	}
}

/* SET / RESET / ALTER SYSTEM of one of our settings: the name, else NULL. */
static const char *
own_setting(Node *parsetree, const char **verb)
{
	VariableSetStmt *vs = NULL;

	if (IsA(parsetree, VariableSetStmt))
	{
		vs = (VariableSetStmt *) parsetree;
		*verb = vs->kind == VAR_RESET || vs->kind == VAR_RESET_ALL ? "RESET" : "SET";
	}
	else if (IsA(parsetree, AlterSystemStmt))
	{
		vs = ((AlterSystemStmt *) parsetree)->setstmt;
		*verb = "ALTER SYSTEM";
	}
	if (vs == NULL || vs->name == NULL)
		return NULL;
	if (strncmp(vs->name, TSOV_NAME ".", strlen(TSOV_NAME) + 1) != 0)
		return NULL;
	return vs->name;
}

/*
 * From ProcessUtility_hook (hooks.c), before the sovereignty guards:
 * refuse statements against the trail; returns the name of the setting of
 * the extension the statement changes (NULL: none), whose change
 * tsov_trail_utility_after() records once it is done.
 */
const char *
tsov_trail_utility_before(PlannedStmt *pstmt, const char **verb)
{
	Node	   *parsetree = pstmt->utilityStmt;

	if (tsov_audit_self_depth == 0 && !creating_extension)
		check_utility(parsetree);
	return own_setting(parsetree, verb);
}

void
tsov_trail_utility_after(const char *setting, const char *verb)
{
	if (setting != NULL && IsTransactionState() &&
		OidIsValid(get_extension_oid(TSOV_NAME, true)))
	{
		TsovAuditEvent ev;
		char		reason[512];
		const char *val = GetConfigOption(setting, true, false);

		snprintf(reason, sizeof(reason), "%s %s, now %s", verb, setting, val ? val : "(unset)");
		memset(&ev, 0, sizeof(ev));
		ev.action = verb;
		ev.decision = TSOV_PRIVILEGED;
		ev.is_write = true;
		ev.object_name = setting;
		ev.reason = reason;
		tsov_audit_record(&ev);
	}
}

/* Does this backend hold a lock on relid that RowExclusiveLock waits for? */
static bool
holds_blocking_lock(Oid relid)
{
	LOCKTAG		tag;
	LOCKMODE	mode;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (mode = ShareLock; mode <= AccessExclusiveLock; mode++)
		if (LockHeldByMe(&tag, mode))
			return true;
	return false;
}

/*
 * From the transaction callback at PRE_PREPARE (record.c), before the wait
 * for this transaction's audit rows (which the lock would block): refuse
 * to prepare a transaction that holds a lock on a table of the trail that
 * the writer's inserts conflict with.
 */
void
tsov_trail_check_prepare(void)
{
	const char *const names[] = {"audit_log", "audit_chain", "audit_anchor"};
	Oid			nsp;
	int			i;

	if (!IsTransactionState())
		return;
	nsp = get_namespace_oid(TSOV_SCHEMA, true);
	if (!OidIsValid(nsp))
		return;
	for (i = 0; i < lengthof(names); i++)
	{
		Oid			relid = get_relname_relid(names[i], nsp);

		if (!OidIsValid(relid) || !holds_blocking_lock(relid))
			continue;
		Assert(is_audit_rel(relid));
		/* we hold the lock the writer needs: do not wait for it */
		refuse_ext(relid, names[i], "PREPARE TRANSACTION", true,
				   "a prepared transaction may not hold a lock on the audit trail",
				   "cannot prepare a transaction that holds a lock on the audit trail",
				   psprintf("The transaction holds a lock on table %s.%s that the audit writer's inserts wait for; prepared, it would hold up every audited commit until resolved by hand.",
							TSOV_SCHEMA, names[i]),
				   "Commit or roll back the transaction instead; locks on the audit trail are refused to every role while tec_sovereignty is loaded.");
	}
}

/*
 * The referenced table of the foreign key conoid, just created by this
 * command (hence SnapshotSelf), or InvalidOid when conoid is not one.
 */
static Oid
new_fk_referenced(Oid conoid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			confrelid = InvalidOid;

	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_oid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(conoid));
	scan = systable_beginscan(rel, ConstraintOidIndexId, true, SnapshotSelf, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

		if (con->contype == CONSTRAINT_FOREIGN)
			confrelid = con->confrelid;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return confrelid;
}

/* From object_access_hook (hooks.c), after the sovereignty guards. */
void
tsov_trail_object_access(ObjectAccessType access, Oid classId, Oid objectId,
						 int subId, void *arg)
{
	if (access == OAT_DROP && classId == RelationRelationId && subId == 0 &&
		tsov_audit_self_depth == 0 && is_audit_rel(objectId) &&
		!rel_is_empty(objectId))
		refuse_append_only(objectId, "DROP", true);
	if (access == OAT_POST_CREATE && classId == ConstraintRelationId &&
		tsov_audit_self_depth == 0 && !creating_extension)
	{
		Oid			confrelid = new_fk_referenced(objectId);

		if (OidIsValid(confrelid) && is_audit_rel(confrelid))
		{
			char	   *relname = get_rel_name(confrelid);

			/* the command holds a lock on the trail: do not wait */
			refuse_ext(confrelid, relname, "FOREIGN KEY", true,
					   "a foreign key may not reference the audit trail",
					   "permission denied: a foreign key cannot reference the audit trail",
					   psprintf("Table %s.%s is referenced; its triggers and locks would hold up the audit writer and purge. Refused to every role while tec_sovereignty is loaded.",
								TSOV_SCHEMA, relname),
					   "Copy the values you need into a table of your own instead.");
		}
	}
}
