/*-------------------------------------------------------------------------
 *
 * sequence.c
 *	  Sequence functions whose sequence is only known at run time:
 *	  nextval(c.oid), setval(v, ...) with a PL/pgSQL variable, currval(),
 *	  pg_sequence_last_value().
 *
 * The executor guard (dml.c) sees the sequences a plan names as
 * regclass constants (the plan's relationOids), and name lookups in another
 * domain's schema are refused (objects.c); a sequence OID computed
 * while the statement runs escapes both.  These five built-ins are called
 * straight through their C entry points (fmgr's built-in fast path skips
 * needs_fmgr_hook, and fmgr_hook never sees arguments), so the check has to
 * be in the call itself:
 *
 *	 - a planner hook replaces, in the query about to be planned (the
 *	   planner's input is always a private copy), every call of these
 *	   functions whose sequence argument is not a constant by a call of
 *	   the extension's checked twin
 *	   (tec_sovereignty.guarded_nextval(regclass), ...: same arguments,
 *	   result, volatility, strictness and parallel safety).  Plans of every
 *	   kind come through here: SQL, PL/pgSQL (simple expressions too), SQL
 *	   functions, views, rules, column defaults of INSERT and UPDATE;
 *	 - a SQL function whose body may call one of them is never inlined
 *	   (tsov_func_info()->calls_sequence makes needs_fmgr_hook say yes,
 *	   which the planner honours), so its body is planned, and checked, on
 *	   its own;
 *	 - CALL evaluates its arguments without the planner: ProcessUtility
 *	   hands them here (tsov_guard_call_args()); so does COPY FROM with the
 *	   column defaults it evaluates (tsov_guard_copy_defaults());
 *	 - the twin checks the sequence with tsov_check() (refusing with 42501
 *	   and the audit event, like any denial) and then calls the built-in
 *	   with the same arguments.  A call site remembers the last sequence and
 *	   roles it let through, so a per-row call costs one comparison after
 *	   the first row.  A call with a constant sequence was already checked
 *	   (and recorded) at executor start: it is checked quietly.
 *
 * The cost for a statement without these calls is one walk of its query
 * tree at planning time (cached plans are not walked again).
 *
 * IDENTIFICATION
 *	  src/enforce/sequence.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "common/tsov.h"
#include "common/state.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"

/* The built-ins and their checked twins. */
typedef struct SeqFunc
{
	Oid			builtin;		/* pg_proc oid of the built-in */
	const char *twin;			/* name of the twin in schema tec_sovereignty */
	int			nargs;
	const char *action;			/* audit action */
	bool		is_write;
} SeqFunc;

static const SeqFunc seq_funcs[] = {
	{F_NEXTVAL, "guarded_nextval", 1, "NEXTVAL", true},
	{F_CURRVAL, "guarded_currval", 1, "CURRVAL", false},
	{F_SETVAL_REGCLASS_INT8, "guarded_setval", 2, "SETVAL", true},
	{F_SETVAL_REGCLASS_INT8_BOOL, "guarded_setval", 3, "SETVAL", true},
	{F_PG_SEQUENCE_LAST_VALUE, "guarded_last_value", 1, "SELECT", false},
};

#define NSEQ_FUNCS lengthof(seq_funcs)

/* The twins' oids in this database (InvalidOid: extension not created). */
static Oid	twin_oids[NSEQ_FUNCS];
static bool twins_valid = false;


static void
twins_inval(Datum arg, int cacheid, uint32 hashvalue)
{
	twins_valid = false;
}

/*
 * Look the twins up in the extension's schema (no name search, no ACL
 * check: they are found by their exact signature).  Cached until pg_proc or
 * pg_namespace change.
 */
static void
load_twins(void)
{
	Oid			nsp = get_namespace_oid(TSOV_SCHEMA, true);
	int			i;

	for (i = 0; i < NSEQ_FUNCS; i++)
	{
		Oid			argtypes[3] = {REGCLASSOID, INT8OID, BOOLOID};

		twin_oids[i] = InvalidOid;
		if (OidIsValid(nsp))
			twin_oids[i] = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
										   CStringGetDatum(seq_funcs[i].twin),
										   PointerGetDatum(buildoidvector(argtypes, seq_funcs[i].nargs)),
										   ObjectIdGetDatum(nsp));
	}
	twins_valid = true;
}

static int
seq_func_index(Oid fnoid)
{
	int			i;

	if (fnoid >= FirstGenbkiObjectId)
		return -1;
	for (i = 0; i < NSEQ_FUNCS; i++)
		if (seq_funcs[i].builtin == fnoid)
			return i;
	return -1;
}

/*
 * Replace calls of the built-ins by calls of their twins, in place.  Runs
 * on every query planned, so the leaves most trees are made of return
 * before the generic walker is called for them.
 */
static bool
replace_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, Const) || IsA(node, Param))
		return false;
	if (IsA(node, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) node;
		int			i = seq_func_index(f->funcid);

		/*
		 * A regclass constant is already checked (and recorded) at executor
		 * start, from the plan's relationOids: only a sequence computed at
		 * run time needs the twin.  Leaving the constant calls alone keeps
		 * plans, EXPLAIN VERBOSE and ruleutils' output as PostgreSQL's for
		 * the common nextval('seq') of every serial column.
		 */
		if (i >= 0 && OidIsValid(twin_oids[i]) &&
			!IsA(linitial(f->args), Const))
			f->funcid = twin_oids[i];
	}
	else if (IsA(node, Query))
		return query_tree_walker((Query *) node, replace_walker, context, 0);
	return expression_tree_walker(node, replace_walker, context);
}

/* Does the tree call one of the built-ins? */
static bool
find_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && seq_func_index(((FuncExpr *) node)->funcid) >= 0)
		return true;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, find_walker, context, 0);
	return expression_tree_walker(node, find_walker, context);
}

static bool
twins_available(void)
{
	if (!IsTransactionState() || !IsNormalProcessingMode())
		return false;
	if (!twins_valid)
		load_twins();
	return OidIsValid(twin_oids[0]);
}

/* From planner_hook (hooks.c), before planning: swap in the twins. */
void
tsov_sequence_plan(Query *parse)
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
 * superuser) like the executor guard checks a plan's, and a sequence
 * function whose sequence is only known at run time, which cannot be
 * checked there, refuses the COPY (superusers excepted).
 */
static bool
copy_default_walker(Node *node, void *context)
{
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
	if (IsA(node, FuncExpr) && seq_func_index(((FuncExpr *) node)->funcid) >= 0 &&
		!IsA(linitial(((FuncExpr *) node)->args), Const) && !superuser())
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

/* ---- the twins ---- */

/* What a call site let through last (in fn_extra). */
typedef struct SeqPass
{
	Oid			relid;
	Oid			userid;
	Oid			session;
	int			api_depth;
} SeqPass;

/* Check a call of seq_funcs[fi] on sequence relid, if it is a domain's. */
static void
check_sequence(int fi, Oid relid, FmgrInfo *flinfo)
{
	Node	   *arg = NULL;

	if (flinfo->fn_expr && IsA(flinfo->fn_expr, FuncExpr))
		arg = linitial(((FuncExpr *) flinfo->fn_expr)->args);
	/* a constant was checked and recorded at executor start */
	TSOV_QUIET_BEGIN(tsov_audit_quiet || (arg && IsA(arg, Const)));
	{
		(void) tsov_check_relation(seq_funcs[fi].action, seq_funcs[fi].is_write,
								   GetUserId(), relid);
	}
	TSOV_QUIET_END();
}

static Datum
guarded_call(FunctionCallInfo fcinfo, int fi, PGFunction builtin)
{
	Oid			relid = PG_GETARG_OID(0);
	FmgrInfo   *flinfo = fcinfo->flinfo;
	SeqPass    *pass;

	if (flinfo == NULL)
		elog(ERROR, "%s called without function call information", seq_funcs[fi].twin);
	pass = (SeqPass *) flinfo->fn_extra;
	if (tsov_guards_active() &&
		(pass == NULL || pass->relid != relid || pass->userid != GetUserId() ||
		 pass->session != GetSessionUserId() || pass->api_depth != tsov_api_depth()))
	{
		check_sequence(fi, relid, flinfo);
		if (pass == NULL)
			pass = flinfo->fn_extra = MemoryContextAlloc(flinfo->fn_mcxt, sizeof(SeqPass));
		pass->relid = relid;
		pass->userid = GetUserId();
		pass->session = GetSessionUserId();
		pass->api_depth = tsov_api_depth();
	}
	return builtin(fcinfo);
}

PG_FUNCTION_INFO_V1(tsov_guarded_nextval);
PG_FUNCTION_INFO_V1(tsov_guarded_currval);
PG_FUNCTION_INFO_V1(tsov_guarded_setval);
PG_FUNCTION_INFO_V1(tsov_guarded_setval3);
PG_FUNCTION_INFO_V1(tsov_guarded_last_value);

Datum
tsov_guarded_nextval(PG_FUNCTION_ARGS)
{
	return guarded_call(fcinfo, 0, nextval_oid);
}

Datum
tsov_guarded_currval(PG_FUNCTION_ARGS)
{
	return guarded_call(fcinfo, 1, currval_oid);
}

Datum
tsov_guarded_setval(PG_FUNCTION_ARGS)
{
	return guarded_call(fcinfo, 2, setval_oid);
}

Datum
tsov_guarded_setval3(PG_FUNCTION_ARGS)
{
	return guarded_call(fcinfo, 3, setval3_oid);
}

Datum
tsov_guarded_last_value(PG_FUNCTION_ARGS)
{
	return guarded_call(fcinfo, 4, pg_sequence_last_value);
}

void
tsov_sequence_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, twins_inval, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, twins_inval, (Datum) 0);
}
