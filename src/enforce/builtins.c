/*-------------------------------------------------------------------------
 *
 * builtins.c
 *	  Built-in functions that reach an object by OID, by a key or by a
 *	  channel name known only at run time: the one table of checked
 *	  built-ins, the planner rewrite that swaps in their checked twins, and
 *	  the refusal of those a domain role may not call at all.
 *
 * The executor guard (dml.c) sees the relations a plan names, regclass
 * constants included (the plan's relationOids), and name lookups in
 * another domain's schema are refused (objects.c); an OID computed while
 * the statement runs (nextval(c.oid), pg_relation_size(c.oid),
 * pg_get_viewdef(c.oid) over pg_class), an advisory lock key or a
 * notification channel escapes both.  Built-ins are called straight
 * through their C entry points (fmgr's built-in fast path skips
 * needs_fmgr_hook, and fmgr_hook never sees arguments), so the check has to
 * be in the call itself.  checked_builtins[] below says, for each of them,
 * what its argument names and what is done:
 *
 *	 - a planner hook replaces, in the query about to be planned (the
 *	   planner's input is always a private copy), every call of a checked
 *	   built-in by a call of its twin tec_sovereignty.guarded_<name>
 *	   (created by the install script from pg_proc: same arguments,
 *	   result, volatility, strictness and parallel safety).  Plans of every
 *	   kind come through here: SQL, PL/pgSQL (simple expressions too), SQL
 *	   functions, views, rules, column defaults of INSERT and UPDATE.  A
 *	   sequence built-in with a constant sequence is left alone: the
 *	   executor guard checks its regclass constant (plans, EXPLAIN VERBOSE
 *	   and ruleutils' output stay PostgreSQL's for every serial column);
 *	 - a SQL function whose body may call a checked built-in is never
 *	   inlined (tsov_func_info()->calls_sequence, a fact of
 *	   domain/funcinfo.c fed with this table's OIDs), so its body is
 *	   planned, and rewritten, on its own;
 *	 - CALL evaluates its arguments without the planner: ProcessUtility
 *	   hands them here (tsov_guard_call_args()); COPY FROM evaluates the
 *	   column defaults it is not given without the planner too
 *	   (tsov_guard_copy_defaults());
 *	 - the twin (tsov_guarded_builtin) checks what the argument names with
 *	   the rule (builtins_check.c), then calls the built-in with the same
 *	   arguments (an advisory lock key moved into the domain's key space);
 *	   a privilege test (has_table_privilege(oid, ...) and its kin, which
 *	   pg_stats and information_schema filter by) answers false, without a
 *	   record, where the rule denies what PostgreSQL's ACL allows;
 *	 - OAT_FUNCTION_EXECUTE, which PostgreSQL raises for every function an
 *	   expression, a FROM item, CALL or the fast-path protocol is about to
 *	   call, refuses to domain roles the built-ins the table marks
 *	   TB_REFUSE (server files, replication slots and origins, WAL
 *	   messages) and the C functions of the contrib extensions that read
 *	   the server's storage or open a connection out (refused_extensions[]);
 *	   and a checked built-in that reaches the executor without its twin
 *	   (a CHECK constraint, a trigger's WHEN, a domain constraint, COPY
 *	   FROM's defaults: expressions PostgreSQL plans without the planner
 *	   hook; a fast-path call, PQfn, sequence built-ins included) is
 *	   refused to domain roles rather than run unchecked.
 *
 * The cost for a statement without these calls is one walk of its query
 * tree at planning time (cached plans are not walked again), one array
 * lookup per function call node.
 *
 * IDENTIFICATION
 *	  src/enforce/builtins.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "common/tsov.h"
#include "common/state.h"
#include "domain/domain.h"
#include "enforce/builtins.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"

#define SEQ(f, act, w)	{f, TB_SEQUENCE, 0, w, false, act}
#define REL(f, n)		{f, TB_RELATION, n, false, true, "READ METADATA"}
#define DEF(f, t)		{f, t, 0, false, true, "READ DEFINITION"}
#define LOCK8(f)		{f, TB_LOCK_INT8, 0, true, false, "ADVISORY LOCK"}
#define LOCK4(f)		{f, TB_LOCK_INT4, 0, true, false, "ADVISORY LOCK"}
#define STATF(f)		{f, TB_FUNCTION, 0, false, true, "READ METADATA"}
#define REFUSE(f)		{f, TB_REFUSE, 0, true, false, "EXECUTE"}
#define PRIV(f, n)		{f, TB_PRIVILEGE, n, false, true, "READ PRIVILEGES"}

/*
 * The checked built-ins, once.  Adding a line is enough for a built-in
 * whose argument is of a kind below: the install script creates its twin
 * from this table (tec_sovereignty.checked_builtins()).
 */
static const TsovCheckedBuiltin checked_builtins[] = {
	/* sequences computed at run time */
	SEQ(F_NEXTVAL, "NEXTVAL", true),
	SEQ(F_CURRVAL, "CURRVAL", false),
	SEQ(F_SETVAL_REGCLASS_INT8, "SETVAL", true),
	SEQ(F_SETVAL_REGCLASS_INT8_BOOL, "SETVAL", true),
	SEQ(F_PG_SEQUENCE_LAST_VALUE, "SELECT", false),

	/* a relation's size and files: NULL for another domain's */
	REL(F_PG_RELATION_SIZE_REGCLASS, 0),
	REL(F_PG_RELATION_SIZE_REGCLASS_TEXT, 0),
	REL(F_PG_TOTAL_RELATION_SIZE, 0),
	REL(F_PG_TABLE_SIZE, 0),
	REL(F_PG_INDEXES_SIZE, 0),
	REL(F_PG_RELATION_FILENODE, 0),
	REL(F_PG_RELATION_FILEPATH, 0),

	/* activity counters of a relation or function: NULL for another domain's */
	REL(F_PG_STAT_GET_NUMSCANS, 0),
	REL(F_PG_STAT_GET_TUPLES_RETURNED, 0),
	REL(F_PG_STAT_GET_TUPLES_FETCHED, 0),
	REL(F_PG_STAT_GET_TUPLES_INSERTED, 0),
	REL(F_PG_STAT_GET_TUPLES_UPDATED, 0),
	REL(F_PG_STAT_GET_TUPLES_DELETED, 0),
	REL(F_PG_STAT_GET_TUPLES_HOT_UPDATED, 0),
	REL(F_PG_STAT_GET_BLOCKS_FETCHED, 0),
	REL(F_PG_STAT_GET_BLOCKS_HIT, 0),
	REL(F_PG_STAT_GET_LIVE_TUPLES, 0),
	REL(F_PG_STAT_GET_DEAD_TUPLES, 0),
	REL(F_PG_STAT_GET_MOD_SINCE_ANALYZE, 0),
	REL(F_PG_STAT_GET_INS_SINCE_VACUUM, 0),
	REL(F_PG_STAT_GET_LAST_VACUUM_TIME, 0),
	REL(F_PG_STAT_GET_LAST_AUTOVACUUM_TIME, 0),
	REL(F_PG_STAT_GET_LAST_ANALYZE_TIME, 0),
	REL(F_PG_STAT_GET_LAST_AUTOANALYZE_TIME, 0),
	REL(F_PG_STAT_GET_VACUUM_COUNT, 0),
	REL(F_PG_STAT_GET_AUTOVACUUM_COUNT, 0),
	REL(F_PG_STAT_GET_ANALYZE_COUNT, 0),
	REL(F_PG_STAT_GET_AUTOANALYZE_COUNT, 0),
	REL(F_PG_STAT_GET_XACT_NUMSCANS, 0),
	REL(F_PG_STAT_GET_XACT_TUPLES_RETURNED, 0),
	REL(F_PG_STAT_GET_XACT_TUPLES_FETCHED, 0),
	REL(F_PG_STAT_GET_XACT_TUPLES_INSERTED, 0),
	REL(F_PG_STAT_GET_XACT_TUPLES_UPDATED, 0),
	REL(F_PG_STAT_GET_XACT_TUPLES_DELETED, 0),
	REL(F_PG_STAT_GET_XACT_TUPLES_HOT_UPDATED, 0),
	REL(F_PG_STAT_GET_XACT_BLOCKS_FETCHED, 0),
	REL(F_PG_STAT_GET_XACT_BLOCKS_HIT, 0),
	STATF(F_PG_STAT_GET_FUNCTION_CALLS),
	STATF(F_PG_STAT_GET_FUNCTION_TOTAL_TIME),
	STATF(F_PG_STAT_GET_FUNCTION_SELF_TIME),
	STATF(F_PG_STAT_GET_XACT_FUNCTION_CALLS),
	STATF(F_PG_STAT_GET_XACT_FUNCTION_TOTAL_TIME),
	STATF(F_PG_STAT_GET_XACT_FUNCTION_SELF_TIME),
	{F_PG_STAT_RESET_SINGLE_TABLE_COUNTERS, TB_RELATION, 0, true, false, "RESET STATISTICS"},
	{F_PG_STAT_RESET_SINGLE_FUNCTION_COUNTERS, TB_FUNCTION, 0, true, false, "RESET STATISTICS"},

	/* index maintenance by OID (PostgreSQL asks for ownership too) */
	{F_BRIN_SUMMARIZE_NEW_VALUES, TB_RELATION, 0, true, false, "MAINTAIN"},
	{F_BRIN_SUMMARIZE_RANGE, TB_RELATION, 0, true, false, "MAINTAIN"},
	{F_BRIN_DESUMMARIZE_RANGE, TB_RELATION, 0, true, false, "MAINTAIN"},
	{F_GIN_CLEAN_PENDING_LIST, TB_RELATION, 0, true, false, "MAINTAIN"},

	/* definitions (they can carry data): NULL for another domain's */
	DEF(F_PG_GET_VIEWDEF_OID, TB_RELATION),
	DEF(F_PG_GET_VIEWDEF_OID_BOOL, TB_RELATION),
	DEF(F_PG_GET_VIEWDEF_OID_INT4, TB_RELATION),
	DEF(F_PG_GET_INDEXDEF_OID, TB_RELATION),
	DEF(F_PG_GET_INDEXDEF_OID_INT4_BOOL, TB_RELATION),
	DEF(F_PG_GET_PARTKEYDEF, TB_RELATION),
	DEF(F_PG_GET_PARTITION_CONSTRAINTDEF, TB_RELATION),
	DEF(F_PG_GET_REPLICA_IDENTITY_INDEX, TB_RELATION),
	{F_PG_GET_EXPR_PG_NODE_TREE_OID, TB_RELATION, 1, false, true, "READ DEFINITION"},
	{F_PG_GET_EXPR_PG_NODE_TREE_OID_BOOL, TB_RELATION, 1, false, true, "READ DEFINITION"},
	DEF(F_PG_GET_FUNCTIONDEF, TB_FUNCTION),
	DEF(F_PG_GET_FUNCTION_ARGUMENTS, TB_FUNCTION),
	DEF(F_PG_GET_FUNCTION_IDENTITY_ARGUMENTS, TB_FUNCTION),
	DEF(F_PG_GET_FUNCTION_RESULT, TB_FUNCTION),
	DEF(F_PG_GET_FUNCTION_ARG_DEFAULT, TB_FUNCTION),
	DEF(F_PG_GET_FUNCTION_SQLBODY, TB_FUNCTION),
	DEF(F_PG_GET_TRIGGERDEF_OID, TB_TRIGGER),
	DEF(F_PG_GET_TRIGGERDEF_OID_BOOL, TB_TRIGGER),
	DEF(F_PG_GET_CONSTRAINTDEF_OID, TB_CONSTRAINT),
	DEF(F_PG_GET_CONSTRAINTDEF_OID_BOOL, TB_CONSTRAINT),
	DEF(F_PG_GET_RULEDEF_OID, TB_RULE),
	DEF(F_PG_GET_RULEDEF_OID_BOOL, TB_RULE),
	DEF(F_PG_GET_STATISTICSOBJDEF, TB_STATEXT),
	DEF(F_PG_GET_STATISTICSOBJDEF_COLUMNS, TB_STATEXT),
	DEF(F_PG_GET_STATISTICSOBJDEF_EXPRESSIONS, TB_STATEXT),

	/* another domain's sessions */
	{F_PG_CANCEL_BACKEND, TB_BACKEND, 0, true, false, "SIGNAL BACKEND"},
	{F_PG_TERMINATE_BACKEND, TB_BACKEND, 0, true, false, "SIGNAL BACKEND"},
	{F_PG_LOG_BACKEND_MEMORY_CONTEXTS, TB_BACKEND, 0, true, false, "SIGNAL BACKEND"},

	/* advisory locks: a domain's keys live in its own key space */
	LOCK8(F_PG_ADVISORY_LOCK_INT8),
	LOCK8(F_PG_ADVISORY_LOCK_SHARED_INT8),
	LOCK8(F_PG_TRY_ADVISORY_LOCK_INT8),
	LOCK8(F_PG_TRY_ADVISORY_LOCK_SHARED_INT8),
	LOCK8(F_PG_ADVISORY_UNLOCK_INT8),
	LOCK8(F_PG_ADVISORY_UNLOCK_SHARED_INT8),
	LOCK8(F_PG_ADVISORY_XACT_LOCK_INT8),
	LOCK8(F_PG_ADVISORY_XACT_LOCK_SHARED_INT8),
	LOCK8(F_PG_TRY_ADVISORY_XACT_LOCK_INT8),
	LOCK8(F_PG_TRY_ADVISORY_XACT_LOCK_SHARED_INT8),
	LOCK4(F_PG_ADVISORY_LOCK_INT4_INT4),
	LOCK4(F_PG_ADVISORY_LOCK_SHARED_INT4_INT4),
	LOCK4(F_PG_TRY_ADVISORY_LOCK_INT4_INT4),
	LOCK4(F_PG_TRY_ADVISORY_LOCK_SHARED_INT4_INT4),
	LOCK4(F_PG_ADVISORY_UNLOCK_INT4_INT4),
	LOCK4(F_PG_ADVISORY_UNLOCK_SHARED_INT4_INT4),
	LOCK4(F_PG_ADVISORY_XACT_LOCK_INT4_INT4),
	LOCK4(F_PG_ADVISORY_XACT_LOCK_SHARED_INT4_INT4),
	LOCK4(F_PG_TRY_ADVISORY_XACT_LOCK_INT4_INT4),
	LOCK4(F_PG_TRY_ADVISORY_XACT_LOCK_SHARED_INT4_INT4),

	/*
	 * What the ACL answers of a relation: false where the rule denies it
	 * (pg_stats, pg_stats_ext, pg_stats_ext_exprs and information_schema
	 * filter by them).  The variants naming the relation by text look the
	 * name up, which objects.c refuses in another domain's schema.
	 */
	PRIV(F_HAS_TABLE_PRIVILEGE_OID_TEXT, 0),
	PRIV(F_HAS_TABLE_PRIVILEGE_NAME_OID_TEXT, 1),
	PRIV(F_HAS_TABLE_PRIVILEGE_OID_OID_TEXT, 1),
	PRIV(F_HAS_SEQUENCE_PRIVILEGE_OID_TEXT, 0),
	PRIV(F_HAS_SEQUENCE_PRIVILEGE_NAME_OID_TEXT, 1),
	PRIV(F_HAS_SEQUENCE_PRIVILEGE_OID_OID_TEXT, 1),
	PRIV(F_HAS_ANY_COLUMN_PRIVILEGE_OID_TEXT, 0),
	PRIV(F_HAS_ANY_COLUMN_PRIVILEGE_NAME_OID_TEXT, 1),
	PRIV(F_HAS_ANY_COLUMN_PRIVILEGE_OID_OID_TEXT, 1),
	PRIV(F_HAS_COLUMN_PRIVILEGE_OID_TEXT_TEXT, 0),
	PRIV(F_HAS_COLUMN_PRIVILEGE_OID_INT2_TEXT, 0),
	PRIV(F_HAS_COLUMN_PRIVILEGE_NAME_OID_TEXT_TEXT, 1),
	PRIV(F_HAS_COLUMN_PRIVILEGE_NAME_OID_INT2_TEXT, 1),
	PRIV(F_HAS_COLUMN_PRIVILEGE_OID_OID_TEXT_TEXT, 1),
	PRIV(F_HAS_COLUMN_PRIVILEGE_OID_OID_INT2_TEXT, 1),

	/* notification channels (LISTEN and NOTIFY: utility_data.c) */
	{F_PG_NOTIFY, TB_CHANNEL, 0, true, false, "NOTIFY"},

	/* the server's files: outside every domain */
	REFUSE(F_PG_READ_FILE_OLD),
	REFUSE(F_PG_READ_FILE_TEXT),
	REFUSE(F_PG_READ_FILE_TEXT_INT8_INT8),
	REFUSE(F_PG_READ_FILE_TEXT_INT8_INT8_BOOL),
	REFUSE(F_PG_READ_BINARY_FILE_TEXT),
	REFUSE(F_PG_READ_BINARY_FILE_TEXT_INT8_INT8),
	REFUSE(F_PG_READ_BINARY_FILE_TEXT_INT8_INT8_BOOL),
	REFUSE(F_PG_STAT_FILE_TEXT),
	REFUSE(F_PG_STAT_FILE_TEXT_BOOL),
	REFUSE(F_PG_LS_DIR_TEXT),
	REFUSE(F_PG_LS_DIR_TEXT_BOOL_BOOL),
	REFUSE(F_PG_LS_LOGDIR),
	REFUSE(F_PG_LS_WALDIR),
	REFUSE(F_PG_LS_TMPDIR_),
	REFUSE(F_PG_LS_TMPDIR_OID),
	REFUSE(F_PG_LS_ARCHIVE_STATUSDIR),
	REFUSE(F_PG_LS_LOGICALSNAPDIR),
	REFUSE(F_PG_LS_LOGICALMAPDIR),
	REFUSE(F_PG_LS_REPLSLOTDIR),
	REFUSE(F_PG_CURRENT_LOGFILE_),
	REFUSE(F_PG_CURRENT_LOGFILE_TEXT),
	REFUSE(F_LO_IMPORT_TEXT),
	REFUSE(F_LO_IMPORT_TEXT_OID),
	REFUSE(F_LO_EXPORT),

	/* replication slots, origins, WAL messages: the whole database's changes */
	REFUSE(F_PG_CREATE_PHYSICAL_REPLICATION_SLOT),
	REFUSE(F_PG_CREATE_LOGICAL_REPLICATION_SLOT),
	REFUSE(F_PG_DROP_REPLICATION_SLOT),
	REFUSE(F_PG_LOGICAL_SLOT_GET_CHANGES),
	REFUSE(F_PG_LOGICAL_SLOT_GET_BINARY_CHANGES),
	REFUSE(F_PG_LOGICAL_SLOT_PEEK_CHANGES),
	REFUSE(F_PG_LOGICAL_SLOT_PEEK_BINARY_CHANGES),
	REFUSE(F_PG_REPLICATION_SLOT_ADVANCE),
	REFUSE(F_PG_COPY_PHYSICAL_REPLICATION_SLOT_NAME_NAME_BOOL),
	REFUSE(F_PG_COPY_PHYSICAL_REPLICATION_SLOT_NAME_NAME),
	REFUSE(F_PG_COPY_LOGICAL_REPLICATION_SLOT_NAME_NAME_BOOL_NAME),
	REFUSE(F_PG_COPY_LOGICAL_REPLICATION_SLOT_NAME_NAME_BOOL),
	REFUSE(F_PG_COPY_LOGICAL_REPLICATION_SLOT_NAME_NAME),
	REFUSE(F_PG_LOGICAL_EMIT_MESSAGE_BOOL_TEXT_TEXT),
	REFUSE(F_PG_LOGICAL_EMIT_MESSAGE_BOOL_TEXT_BYTEA),
	REFUSE(F_PG_REPLICATION_ORIGIN_CREATE),
	REFUSE(F_PG_REPLICATION_ORIGIN_DROP),
	REFUSE(F_PG_REPLICATION_ORIGIN_SESSION_SETUP),
	REFUSE(F_PG_REPLICATION_ORIGIN_XACT_SETUP),
	REFUSE(F_PG_REPLICATION_ORIGIN_ADVANCE),
};

#define NBUILTINS lengthof(checked_builtins)

/*
 * Contrib extensions whose C functions read a relation's storage by OID
 * or name, the shared buffers, the WAL, or open a connection out of the
 * database: refused to domain roles (a twin would have to know each
 * one's signature; none is needed by an application).
 */
static const char *const refused_extensions[] = {
	"pgstattuple", "pg_visibility", "pg_buffercache", "pageinspect",
	"pg_freespacemap", "amcheck", "pg_prewarm", "pg_surgery", "pgrowlocks",
	"pg_walinspect", "dblink", "adminpack"
};

/* builtin oid -> index in checked_builtins, -1: not checked */
static int16 builtin_index[FirstGenbkiObjectId];

/* The twins' oids in this database (InvalidOid: extension not created). */
static Oid	twin_oids[NBUILTINS];
static Oid	refused_ext_oids[lengthof(refused_extensions)];
static bool twins_valid = false;
static bool twins_exist = false;


static void
twins_inval(Datum arg, int cacheid, uint32 hashvalue)
{
	twins_valid = false;
}

/*
 * Look the twins up in the extension's schema, by the name and argument
 * types of each built-in (no name search, no ACL check).  Cached until
 * pg_proc or pg_namespace change (CREATE EXTENSION of a refused contrib
 * extension creates functions, so its oid is looked up again then too).
 */
static void
load_twins(void)
{
	Oid			nsp = get_namespace_oid(TSOV_SCHEMA, true);
	int			i;

	twins_exist = false;
	for (i = 0; i < NBUILTINS; i++)
	{
		HeapTuple	tup;

		twin_oids[i] = InvalidOid;
		if (!OidIsValid(nsp) || checked_builtins[i].target == TB_REFUSE)
			continue;
		tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(checked_builtins[i].builtin));
		if (!HeapTupleIsValid(tup))
			continue;
		twin_oids[i] = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
									   CStringGetDatum(psprintf("guarded_%s", NameStr(((Form_pg_proc) GETSTRUCT(tup))->proname))),
									   PointerGetDatum(&((Form_pg_proc) GETSTRUCT(tup))->proargtypes),
									   ObjectIdGetDatum(nsp));
		ReleaseSysCache(tup);
		twins_exist |= OidIsValid(twin_oids[i]);
	}
	for (i = 0; i < lengthof(refused_extensions); i++)
		refused_ext_oids[i] = get_extension_oid(refused_extensions[i], true);
	twins_valid = true;
}

static bool
twins_available(void)
{
	if (!IsTransactionState() || !IsNormalProcessingMode())
		return false;
	if (!twins_valid)
		load_twins();
	return twins_exist;
}

static inline const TsovCheckedBuiltin *
checked_builtin(Oid fnoid)
{
	if (fnoid >= FirstGenbkiObjectId || builtin_index[fnoid] < 0)
		return NULL;
	return &checked_builtins[builtin_index[fnoid]];
}

/* Should this call be replaced by its twin? */
static inline bool
wants_twin(FuncExpr *f, int *index)
{
	const TsovCheckedBuiltin *b = checked_builtin(f->funcid);

	if (b == NULL || b->target == TB_REFUSE)
		return false;
	/*
	 * A sequence named by a regclass constant is already checked (and
	 * recorded) at executor start, from the plan's relationOids.
	 */
	if (b->target == TB_SEQUENCE && IsA(linitial(f->args), Const))
		return false;
	*index = b - checked_builtins;
	return OidIsValid(twin_oids[*index]);
}

/*
 * Replace calls of the built-ins by calls of their twins, in place.  Runs
 * on every query planned, so the leaves most trees are made of return
 * before the generic walker is called for them.
 */
static bool
replace_walker(Node *node, void *context)
{
	int			i;

	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, Const) || IsA(node, Param))
		return false;
	if (IsA(node, FuncExpr) && wants_twin((FuncExpr *) node, &i))
		((FuncExpr *) node)->funcid = twin_oids[i];
	else if (IsA(node, Query))
		return query_tree_walker((Query *) node, replace_walker, context, 0);
	return expression_tree_walker(node, replace_walker, context);
}

/* Does the tree call a built-in that wants its twin? */
static bool
find_walker(Node *node, void *context)
{
	int			i;

	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && wants_twin((FuncExpr *) node, &i))
		return true;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, find_walker, context, 0);
	return expression_tree_walker(node, find_walker, context);
}

/* From planner_hook (hooks.c), before planning: swap in the twins. */
void
tsov_builtins_plan(Query *parse)
{
	if (twins_available())
		(void) replace_walker((Node *) parse, NULL);
}

/*
 * CALL evaluates its arguments outside the planner.  Returns the statement
 * to run: pstmt itself, or a copy whose arguments call the twins.
 */
PlannedStmt *
tsov_guard_call_args(PlannedStmt *pstmt)
{
	CallStmt   *call = (CallStmt *) pstmt->utilityStmt;
	PlannedStmt *copy;

	if (call->funcexpr == NULL || !twins_available() ||
		!find_walker((Node *) call->funcexpr->args, NULL))
		return pstmt;
	copy = copyObject(pstmt);
	(void) replace_walker((Node *) ((CallStmt *) copy->utilityStmt)->funcexpr->args, NULL);
	return copy;
}

/*
 * COPY FROM evaluates the column defaults of the columns it is not given
 * without the planner (build_column_default, expression_planner), so
 * neither the twins nor the executor guard's regclass check reach them.
 * Checked here instead: a regclass constant (nextval('b.seq') written by a
 * superuser) like the executor guard checks a plan's, and a checked
 * built-in whose object is only known at run time refuses the COPY
 * (superusers excepted; any other checked built-in is refused to domain
 * roles at OAT_FUNCTION_EXECUTE).
 */
static bool
copy_default_walker(Node *node, void *context)
{
	int			i;

	if (node == NULL)
		return false;
	if (IsA(node, Const) && ((Const *) node)->consttype == REGCLASSOID &&
		!((Const *) node)->constisnull)
	{
		/* as the executor guard checks a plan's regclass constants */
		(void) tsov_check_relation("REFERENCE", false, GetUserId(),
								   DatumGetObjectId(((Const *) node)->constvalue));
		return false;
	}
	if (IsA(node, FuncExpr) && wants_twin((FuncExpr *) node, &i) &&
		checked_builtins[i].target == TB_SEQUENCE && !superuser())
		tsov_deny("COPY", GetUserId(), NULL,
				  psprintf("cannot check the sequence used by a column default of table %s",
						   (const char *) context),
				  "COPY FROM evaluates column defaults outside the planner, where a sequence computed at run time cannot be checked.",
				  "Name the column in the COPY column list, or use INSERT.");
	return expression_tree_walker(node, copy_default_walker, context);
}

void
tsov_guard_copy_defaults(Oid relid, List *attnames)
{
	Relation	rel;
	TupleDesc	td;
	char	   *relname;
	int			i;

	if (attnames == NIL || !twins_available())
		return;					/* every column given: no default runs */
	rel = relation_open(relid, RowExclusiveLock);	/* COPY FROM's own lock */
	td = RelationGetDescr(rel);
	relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										 RelationGetRelationName(rel));
	for (i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);
		ListCell   *lc;
		bool		given = false;
		Node	   *def;

		if (att->attisdropped || att->attgenerated)
			continue;
		foreach(lc, attnames)
			if (namestrcmp(&att->attname, strVal(lfirst(lc))) == 0)
				given = true;
		if (given)
			continue;
		def = build_column_default(rel, i + 1);
		if (def)
			(void) copy_default_walker(def, relname);
	}
	relation_close(rel, NoLock);
}

/* ---- OAT_FUNCTION_EXECUTE: what a domain role may not call ---- */

static bool
refused_extension_function(Oid fnoid)
{
	const TsovFuncInfo *f = tsov_func_info(fnoid);
	int			i;

	if (!OidIsValid(f->extension_oid))
		return false;
	for (i = 0; i < lengthof(refused_ext_oids); i++)
		if (f->extension_oid == refused_ext_oids[i])
			return true;
	return false;
}

/*
 * Is the function called through the fast-path protocol (PQfn), which
 * takes its arguments from the client without a query, hence without the
 * planner?  postgres.c reports the state before it looks the function up;
 * without activity tracking (a superuser's setting), a call outside every
 * portal is taken for one.
 */
static bool
in_fast_path(void)
{
	if (pgstat_track_activities && MyBEEntry != NULL)
		return MyBEEntry->st_state == STATE_FASTPATH;
	return ActivePortal == NULL;
}

/*
 * From object_access_hook (hooks.c): PostgreSQL is about to call fnoid
 * (ExecInitFunc, a FROM item, CALL, the fast-path protocol), with the
 * privileges of the current user.
 */
void
tsov_builtins_execute(Oid fnoid)
{
	const TsovCheckedBuiltin *b = NULL;
	const char *d;
	TsovSubjects s;
	char	   *fname;

	if (fnoid < FirstGenbkiObjectId)
	{
		b = checked_builtin(fnoid);
		if (b == NULL)
			return;
		/*
		 * A sequence built-in left alone by the planner hook names its
		 * sequence by a constant, which the executor guard checks (COPY
		 * FROM's defaults: tsov_guard_copy_defaults); through the fast
		 * path, nothing checks the OID the client sends.
		 */
		if (b->target == TB_SEQUENCE && !in_fast_path())
			return;
	}
	if (!tsov_guards_active() || !twins_available())
		return;
	if (b == NULL && !refused_extension_function(fnoid))
		return;
	tsov_subjects(GetUserId(), &s);
	d = tsov_subjects_domain(&s);
	if (d == NULL)
		return;
	fname = get_func_name(fnoid);
	if (b == NULL || b->target == TB_REFUSE)
		tsov_deny("EXECUTE", GetUserId(), NULL,
				  psprintf("permission denied for role \"%s\" of domain \"%s\" to call function %s",
						   GetUserNameFromId(GetUserId(), false), d, fname),
				  psprintf("%s() reaches the server's files, storage, replication stream or network, outside every domain: domain roles may not call it, whatever was granted.",
						   fname),
				  "Ask a database administrator.");
	/* a checked built-in that did not come through the planner hook */
	tsov_deny("EXECUTE", GetUserId(), NULL,
			  psprintf("cannot check the call of function %s by role \"%s\" of domain \"%s\"",
					   fname, GetUserNameFromId(GetUserId(), false), d),
			  psprintf("%s() is checked when a query calls it; CHECK constraints, trigger WHEN conditions, domain constraints, the column defaults COPY FROM evaluates and fast-path function calls run without the planner, where what it reaches cannot be checked.",
					   fname),
			  "Call it from a query or from a function instead.");
}

/* ---- the twins ---- */

PG_FUNCTION_INFO_V1(tsov_guarded_builtin);
PG_FUNCTION_INFO_V1(tsov_checked_builtins);

/*
 * The one C entry point of every twin: check what the argument names
 * (builtins_check.c), then call the built-in through its own FmgrInfo
 * (its fn_extra and fn_oid are its own, its fn_expr the call's), with the
 * same arguments.
 */
Datum
tsov_guarded_builtin(PG_FUNCTION_ARGS)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	TsovTwinCall *tc;
	LOCAL_FCINFO(inner, TSOV_TWIN_MAXARGS);
	Datum		result;
	int			i;

	if (flinfo == NULL || fcinfo->nargs > TSOV_TWIN_MAXARGS)
		elog(ERROR, "checked built-in called without function call information");
	tc = (TsovTwinCall *) flinfo->fn_extra;
	if (tc == NULL)
	{
		int			fi = -1;

		if (!twins_valid)
			load_twins();
		for (i = 0; i < NBUILTINS && fi < 0; i++)
			if (twin_oids[i] == flinfo->fn_oid)
				fi = i;
		if (fi < 0)
			elog(ERROR, "function %u is not a checked built-in", flinfo->fn_oid);
		tc = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(TsovTwinCall));
		tc->builtin = &checked_builtins[fi];
		fmgr_info_cxt(tc->builtin->builtin, &tc->finfo, flinfo->fn_mcxt);
		tc->finfo.fn_expr = flinfo->fn_expr;
		flinfo->fn_extra = tc;
	}

	/* the plan's ACL check was the twin's: check the built-in's */
	if (tc->acl_user != GetUserId())
	{
		AclResult	aclresult = pg_proc_aclcheck(tc->builtin->builtin, GetUserId(), ACL_EXECUTE);

		if (aclresult != ACLCHECK_OK)
			aclcheck_error(aclresult, OBJECT_FUNCTION, get_func_name(tc->builtin->builtin));
		tc->acl_user = GetUserId();
	}

	InitFunctionCallInfoData(*inner, &tc->finfo, fcinfo->nargs,
							 fcinfo->fncollation, fcinfo->context,
							 fcinfo->resultinfo);
	for (i = 0; i < fcinfo->nargs; i++)
		inner->args[i] = fcinfo->args[i];

	if (tsov_guards_active() && !tsov_builtin_check(tc, inner))
	{
		/* the rule says no: so does a privilege test */
		if (tc->builtin->target == TB_PRIVILEGE)
			PG_RETURN_BOOL(false);
		PG_RETURN_NULL();		/* hidden: as for an object that does not exist */
	}

	result = FunctionCallInvoke(inner);
	fcinfo->isnull = inner->isnull;
	return result;
}

/*
 * tec_sovereignty.checked_builtins(): the built-ins that have a twin, for
 * the install script, which creates the twins from pg_proc.
 */
Datum
tsov_checked_builtins(PG_FUNCTION_ARGS)
{
	Datum	   *elems = palloc(sizeof(Datum) * NBUILTINS);
	int			n = 0;
	int			i;

	for (i = 0; i < NBUILTINS; i++)
		if (checked_builtins[i].target != TB_REFUSE)
			elems[n++] = ObjectIdGetDatum(checked_builtins[i].builtin);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, OIDOID, sizeof(Oid), true,
										  TYPALIGN_INT));
}

void
tsov_builtins_init(void)
{
	static Oid	twinned[NBUILTINS];
	int			n = 0;
	int			i;

	memset(builtin_index, -1, sizeof(builtin_index));
	for (i = 0; i < NBUILTINS; i++)
	{
		Assert(checked_builtins[i].builtin < FirstGenbkiObjectId);
		Assert(builtin_index[checked_builtins[i].builtin] < 0);
		builtin_index[checked_builtins[i].builtin] = i;
		if (checked_builtins[i].target != TB_REFUSE)
			twinned[n++] = checked_builtins[i].builtin;
	}
	/* SQL functions calling these are not inlined (domain/funcinfo.c) */
	tsov_funcinfo_set_checked_builtins(twinned, n);
	CacheRegisterSyscacheCallback(PROCOID, twins_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, twins_inval, (Datum) 0);
}
