/*-------------------------------------------------------------------------
 *
 * log_hook.c
 *	  Records the insufficient-privilege errors that PostgreSQL raises on
 *	  its own (before any hook of ours could decide) as DENIED events.
 *
 * A name in a schema without USAGE fails during parse analysis, and a table
 * without the privilege fails in ExecCheckRTPerms before the executor
 * permission hook runs: the extension never sees those attempts, yet they
 * are denials the trail must keep.  Every error passes emit_log_hook, which
 * runs in EmitErrorReport() before the message is sent to the client, so
 * the event is queued there and the hook waits until it is durable: by the
 * time the client reads the error, its audit row is committed.
 *
 * The hook may not access the catalogs (the transaction is failing): it
 * only copies what it can see (SQLSTATE 42501, the message, the statement,
 * user OIDs) and leaves the rest (user names, actor domain, the object's
 * domain from the schema named in the message) to the writer.  A refusal
 * seen only here that names a relation or function ("permission denied
 * for table t") therefore has no schema, and so no object domain: the
 * name alone cannot say which of two tables t of different schemas it was.
 *
 * emit_log_hook alone would lose refusals: an error that a PL/pgSQL
 * exception block (or a savepoint's C caller) catches is never reported,
 * and with log_min_messages above ERROR nothing reaches the hook at all.
 * So src/hooks.c calls tsov_audit_rethrow_refusal() when an error leaves
 * ExecutorStart (relation privileges in ExecCheckRTPerms, EXECUTE in
 * ExecInitFunc and friends), ExecutorRun (nextval and the like, checked
 * while the plan runs) or ProcessUtility (CREATE in a schema, CALL, ...):
 * the refusal is recorded there, durably, before any handler can catch
 * it, and the error goes on marked as recorded.
 *
 * There the statement is at hand.  When the refusal is a permission
 * check's (catalog_readable()), the object of that name among those the
 * statement names gives the event its schema and OID, and the writer the
 * object's domain: a relation of its range table, of its relation
 * constants or of a utility statement's RangeVars; a function its plan
 * calls; the procedure of a CALL.  Two of that name leave the event with
 * the name alone.  Before the refusal is recorded, the events that the
 * failed statement had buffered as allowed are marked aborted (record.c,
 * tsov_audit_statement_failed).
 *
 * Whether an error was recorded is a property of the error itself, never
 * of the session (a flag set before raising went stale when the error was
 * caught, and then hid the next refusal):
 *	- errors raised by the extension's own recording sites (check.c's
 *	  raise_denial_code, trail_guard.c's refuse_ext) record before raising; the
 *	  site is in the error's filename/funcname, which survive ReThrowError
 *	  (PL/pgSQL's bare RAISE, a parallel leader re-raising a worker's error);
 *	- errors recorded by tsov_audit_rethrow_refusal() carry recorded_mark
 *	  as their message domain (used only to translate the message, which
 *	  was translated already when the error was raised).
 * Each refusal is therefore recorded exactly once, wherever it is caught.
 *
 * Refusals raised during parse analysis (no USAGE on a schema named in
 * the statement) have no hook of ours around them; they are recorded here
 * only, i.e. when not caught and while log_min_messages is at ERROR or
 * below (the default is WARNING); this is documented.
 *
 * IDENTIFICATION
 *	  src/audit/log_hook.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "storage/ipc.h"
#include "tcop/cmdtag.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/catcache.h"
#include "utils/syscache.h"

#include "common/tsov.h"
#include "common/state.h"
#include "audit/internal.h"

static bool in_log_hook = false;

/* The message domain of an error recorded by tsov_audit_rethrow_refusal(). */
static const char recorded_mark[] = "tec_sovereignty (audit recorded)";

/*
 * The shapes of aclcheck_error()'s messages that name one object: "permission
 * denied for <kind> <name>" and "must be owner of <kind> <name>"; <name> is
 * the object's name as the catalog holds it (unquoted, unqualified).
 */
static const char *const denial_prefixes[] = {
	"permission denied for ",
	"must be owner of ",
};

/* Kinds of more than one word, which a split at the first blank would cut. */
static const char *const long_kinds[] = {
	"materialized view", "foreign table", "large object", "event trigger",
	"foreign-data wrapper", "foreign server", "operator class",
	"operator family", "statistics object", "text search configuration",
	"text search dictionary",
};

/* Kinds whose name is a relation's (pg_class.relname). */
static bool
relation_kind(const char *kind)
{
	static const char *const kinds[] = {
		"table", "view", "materialized view", "sequence", "foreign table", "index",
	};

	for (int i = 0; i < lengthof(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

/*
 * "permission denied for schema life" -> kind "schema", name "life";
 * "permission denied for materialized view mv" -> "materialized view", "mv".
 * Returns false when the message has another shape (a column's refusal
 * names the column and its relation: not one object).
 */
static bool
parse_denial(const char *msg, char *kind, size_t kindlen, char *name, size_t namelen)
{
	const char *p = NULL,
			   *sp;

	if (msg == NULL)
		return false;
	for (int i = 0; i < lengthof(denial_prefixes) && p == NULL; i++)
		if (strncmp(msg, denial_prefixes[i], strlen(denial_prefixes[i])) == 0)
			p = msg + strlen(denial_prefixes[i]);
	if (p == NULL || strncmp(p, "column ", 7) == 0)
		return false;
	sp = strchr(p, ' ');
	for (int i = 0; i < lengthof(long_kinds); i++)
	{
		size_t		n = strlen(long_kinds[i]);

		if (strncmp(p, long_kinds[i], n) == 0 && p[n] == ' ')
			sp = p + n;
	}
	if (sp == NULL || (size_t) (sp - p) >= kindlen || sp[1] == '\0')
		return false;
	memcpy(kind, p, sp - p);
	kind[sp - p] = '\0';
	strlcpy(name, sp + 1, namelen);
	return true;
}

/* First word of the statement, upper-cased: the best action we can know. */
static void
statement_verb(char *out, size_t outlen)
{
	const char *s = debug_query_string;
	size_t		n = 0;

	strlcpy(out, "UNKNOWN", outlen);
	if (s == NULL)
		return;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '(')
		s++;
	while (s[n] && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')) && n < outlen - 1)
	{
		out[n] = (s[n] >= 'a' && s[n] <= 'z') ? s[n] - 'a' + 'A' : s[n];
		n++;
	}
	if (n > 0)
		out[n] = '\0';
}

/*
 * Was this error raised by one of the extension's own denial sites, which
 * record the event before they raise it?
 */
static bool
raised_by_recording_site(const ErrorData *edata)
{
	static const struct
	{
		const char *file;
		const char *func;
	}			sites[] = {
		{"check.c", "raise_denial_code"},	/* raise_denial() calls it */
		{"trail_guard.c", "refuse_ext"},
	};
	const char *base;

	if (edata->filename == NULL || edata->funcname == NULL)
		return false;
	base = strrchr(edata->filename, '/');
	base = base ? base + 1 : edata->filename;
	for (int i = 0; i < lengthof(sites); i++)
		if (strcmp(base, sites[i].file) == 0 && strcmp(edata->funcname, sites[i].func) == 0)
			return true;
	return false;
}

/* Is this a refusal that nobody has recorded yet? */
static bool
unrecorded_refusal(const ErrorData *edata)
{
	if (edata->elevel != ERROR || edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
		return false;
	if (edata->domain != NULL && strcmp(edata->domain, recorded_mark) == 0)
		return false;
	if (raised_by_recording_site(edata))
		return false;
	return !(in_log_hook || proc_exit_inprogress || MyBackendType != B_BACKEND ||
			 tsov_audit_shared == NULL || !OidIsValid(MyDatabaseId) ||
			 tsov_audit_self_depth > 0);
}

/*
 * Can the catalogs be read in the PG_CATCH block where this error is
 * current?  Only for an error of a permission check that holds no buffer,
 * LWLock or critical section when it raises (aclcheck_error(), and the
 * sequence functions' own checks, made before they read the sequence), in
 * a transaction that has not begun to abort: then the syscache lookups
 * that the check itself has just made are as safe here as they were there.
 */
static bool
catalog_readable(const ErrorData *edata)
{
	static const char *const checks[] = {
		"aclcheck_error", "nextval_internal", "currval_oid", "do_setval",
	};

	if (!IsTransactionState() || InterruptHoldoffCount > 0 || CritSectionCount > 0 ||
		edata->funcname == NULL)
		return false;
	for (int i = 0; i < lengthof(checks); i++)
		if (strcmp(edata->funcname, checks[i]) == 0)
			return true;
	return false;
}

/* Add the relation a RangeVar names (looked up as the statement did). */
static List *
add_rangevar(List *oids, const RangeVar *rv)
{
	Oid			relid;

	if (rv == NULL)
		return oids;
	relid = RangeVarGetRelid(rv, NoLock, true);
	return OidIsValid(relid) ? lappend_oid(oids, relid) : oids;
}

/*
 * The relations a statement names: its range table's (a plannable
 * statement), or the RangeVars of the utility statements that can be
 * refused on a relation.  Catalog access (catalog_readable()).
 */
static List *
statement_relations(const PlannedStmt *pstmt)
{
	List	   *oids = NIL;
	Node	   *u = pstmt->utilityStmt;
	ListCell   *lc;

	if (u == NULL)
	{
		foreach(lc, pstmt->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (rte->rtekind == RTE_RELATION)
				oids = lappend_oid(oids, rte->relid);
		}
		/* and those it names as constants: nextval('s'), 't'::regclass */
		return list_concat(oids, pstmt->relationOids);
	}
	switch (nodeTag(u))
	{
		case T_TruncateStmt:
			foreach(lc, ((TruncateStmt *) u)->relations)
				oids = add_rangevar(oids, lfirst_node(RangeVar, lc));
			break;
		case T_LockStmt:
			foreach(lc, ((LockStmt *) u)->relations)
				oids = add_rangevar(oids, lfirst_node(RangeVar, lc));
			break;
		case T_CopyStmt:
			oids = add_rangevar(oids, ((CopyStmt *) u)->relation);
			break;
		case T_AlterTableStmt:
			oids = add_rangevar(oids, ((AlterTableStmt *) u)->relation);
			break;
		case T_IndexStmt:
			oids = add_rangevar(oids, ((IndexStmt *) u)->relation);
			break;
		case T_RenameStmt:
			oids = add_rangevar(oids, ((RenameStmt *) u)->relation);
			break;
		case T_CreateTrigStmt:
			oids = add_rangevar(oids, ((CreateTrigStmt *) u)->relation);
			break;
		case T_ClusterStmt:
			oids = add_rangevar(oids, ((ClusterStmt *) u)->relation);
			break;
		case T_ReindexStmt:
			oids = add_rangevar(oids, ((ReindexStmt *) u)->relation);
			break;
		case T_RefreshMatViewStmt:
			oids = add_rangevar(oids, ((RefreshMatViewStmt *) u)->relation);
			break;
		case T_VacuumStmt:
			foreach(lc, ((VacuumStmt *) u)->rels)
				oids = add_rangevar(oids, lfirst_node(VacuumRelation, lc)->relation);
			break;
		case T_GrantStmt:
			{
				GrantStmt  *g = (GrantStmt *) u;

				if (g->targtype == ACL_TARGET_OBJECT &&
					(g->objtype == OBJECT_TABLE || g->objtype == OBJECT_SEQUENCE))
					foreach(lc, g->objects)
						oids = add_rangevar(oids, lfirst_node(RangeVar, lc));
			}
			break;
		case T_DropStmt:
			{
				DropStmt   *d = (DropStmt *) u;

				if (d->removeType == OBJECT_TABLE || d->removeType == OBJECT_VIEW ||
					d->removeType == OBJECT_MATVIEW || d->removeType == OBJECT_SEQUENCE ||
					d->removeType == OBJECT_FOREIGN_TABLE || d->removeType == OBJECT_INDEX)
					foreach(lc, d->objects)
						oids = add_rangevar(oids, makeRangeVarFromNameList(lfirst_node(List, lc)));
			}
			break;
		default:
			break;
	}
	return oids;
}

/*
 * The function of that name that a plan calls: the plan lists the
 * functions it depends on as PROCOID hash values (invalItems); among the
 * functions of that name, the one whose hash is listed.  Two of them (two
 * schemas' f in one query) give InvalidOid: not ours to pick.
 */
static Oid
planned_function(const PlannedStmt *pstmt, const char *name)
{
	CatCList   *list = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
	Oid			found = InvalidOid;
	bool		ambiguous = false;

	for (int i = 0; i < list->n_members && !ambiguous; i++)
	{
		Oid			fn = ((Form_pg_proc) GETSTRUCT(&list->members[i]->tuple))->oid;
		uint32		h = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(fn));
		ListCell   *lc;

		foreach(lc, pstmt->invalItems)
		{
			PlanInvalItem *item = lfirst_node(PlanInvalItem, lc);

			if (item->cacheId != PROCOID || item->hashValue != h)
				continue;
			ambiguous = OidIsValid(found);
			found = fn;
			break;
		}
	}
	ReleaseSysCacheList(list);
	return ambiguous ? InvalidOid : found;
}

/*
 * Fill in the schema and OID of the object a refusal names, from the
 * statement that was refused: among the relations it names (or the
 * procedure a CALL names), the one with that name.  Two different
 * relations of that name (a.t and b.t in one statement) leave the event as
 * it was: the message does not say which one was refused, and the trail
 * does not guess.
 */
static void
resolve_from_statement(const PlannedStmt *pstmt, const char *kind, const char *name,
					   TsovAuditEvent *ev)
{
	Oid			found = InvalidOid;
	Oid			nsp = InvalidOid;
	ListCell   *lc;

	if (relation_kind(kind))
	{
		foreach(lc, statement_relations(pstmt))
		{
			Oid			relid = lfirst_oid(lc);
			char	   *rel = get_rel_name(relid);

			if (rel == NULL || strcmp(rel, name) != 0 || relid == found)
				continue;
			if (OidIsValid(found))
				return;			/* two of that name: not ours to pick */
			found = relid;
		}
		if (OidIsValid(found))
			nsp = get_rel_namespace(found);
	}
	else if ((strcmp(kind, "function") == 0 || strcmp(kind, "procedure") == 0) &&
			 pstmt->utilityStmt == NULL)
	{
		found = planned_function(pstmt, name);
		if (OidIsValid(found))
			nsp = get_func_namespace(found);
	}
	else if ((strcmp(kind, "procedure") == 0 || strcmp(kind, "function") == 0) &&
			 pstmt->utilityStmt != NULL && IsA(pstmt->utilityStmt, CallStmt))
	{
		FuncExpr   *f = ((CallStmt *) pstmt->utilityStmt)->funcexpr;
		char	   *fn = f ? get_func_name(f->funcid) : NULL;

		if (fn != NULL && strcmp(fn, name) == 0)
		{
			found = f->funcid;
			nsp = get_func_namespace(found);
		}
	}
	if (!OidIsValid(found) || !OidIsValid(nsp))
		return;
	ev->object_oid = found;
	ev->object_schema = get_namespace_name(nsp);
	if (!relation_kind(kind))
	{
		/* a routine's identity names its arguments: shut_proc(integer) */
		ObjectAddress addr = {ProcedureRelationId, found, 0};
		char	   *id = getObjectIdentity(&addr, true);
		char	   *qnsp = ev->object_schema ? (char *) quote_identifier(ev->object_schema) : NULL;

		if (id != NULL && qnsp != NULL && strncmp(id, qnsp, strlen(qnsp)) == 0 &&
			id[strlen(qnsp)] == '.')
			ev->object_name = id + strlen(qnsp) + 1;
	}
}

/* The action of a refused statement, as its command tag says. */
static const char *
statement_action(const PlannedStmt *pstmt)
{
	if (pstmt->utilityStmt != NULL)
		return GetCommandTagName(CreateCommandTag(pstmt->utilityStmt));
	switch (pstmt->commandType)
	{
		case CMD_SELECT:
			return "SELECT";
		case CMD_INSERT:
			return "INSERT";
		case CMD_UPDATE:
			return "UPDATE";
		case CMD_DELETE:
			return "DELETE";
		case CMD_MERGE:
			return "MERGE";
		default:
			return NULL;
	}
}

/*
 * Record one refusal of PostgreSQL's own.  pstmt: the statement whose
 * PG_CATCH block this is (NULL from emit_log_hook); catalog_ok: what
 * catalog_readable() said before interrupts were held (false from
 * emit_log_hook, where the catalogs may not be read).  The writer resolves the rest: user names, the actor's
 * domain, the object's domain from its schema.
 *
 * Names follow the trail's one rule (audit.sql, audit_log): object_schema
 * is the schema's name as the catalog holds it, object_name the object's
 * identity within its schema as SQL writes it (quoted where needed).  A
 * message names its object unquoted: quote it here.
 */
static void
record_refusal(const ErrorData *edata, const PlannedStmt *pstmt, bool catalog_ok)
{
	TsovAuditEvent ev;
	char		kind[32];
	char		name[NAMEDATALEN * 2 + 8];
	char		verb[24];

	Assert(!in_log_hook);
	in_log_hook = true;
	memset(&ev, 0, sizeof(ev));
	statement_verb(verb, sizeof(verb));
	/* the statement refused, which may run inside the one the client sent */
	ev.action = pstmt ? statement_action(pstmt) : NULL;
	if (ev.action == NULL)
		ev.action = verb;
	ev.decision = TSOV_DENIED;
	ev.is_write = false;
	ev.actor_role = InvalidOid;
	ev.object_oid = InvalidOid;
	ev.reason = edata->message;
	if (parse_denial(edata->message, kind, sizeof(kind), name, sizeof(name)))
	{
		if (strcmp(kind, "schema") == 0)
			ev.object_schema = name;
		else
		{
			ev.object_name = quote_identifier(name);
			if (pstmt != NULL && catalog_ok)
			{
				MemoryContext cxt = CurrentMemoryContext;

				/* a lookup that fails leaves the event as the message has it */
				PG_TRY();
				{
					resolve_from_statement(pstmt, kind, name, &ev);
				}
				PG_CATCH();
				{
					MemoryContextSwitchTo(cxt);
					FlushErrorState();
					ev.object_oid = InvalidOid;
					ev.object_schema = NULL;
				}
				PG_END_TRY();
			}
		}
	}
	tsov_audit_record_from_hook(&ev);
	in_log_hook = false;
}

/* From emit_log_hook (hooks.c), after the previous hook. */
void
tsov_audit_log_event(ErrorData *edata)
{
	if (unrecorded_refusal(edata))
		record_refusal(edata, NULL, false);
}

/*
 * From a PG_CATCH block of src/hooks.c, with the error that interrupted
 * the hooked work still current: record it if it is an unrecorded refusal,
 * then throw it on, marked as recorded.  Never returns.
 *
 * A PG_CATCH block is entered in ErrorContext, which FlushErrorState()
 * resets: the copy of the error, and what recording it allocates, live in
 * a context of their own, one per refusal passing through here.  The
 * error being handled may point into the previous refusal's context (an
 * inner hook's copy, thrown on from there): so the previous context is
 * deleted only after the error has been copied and the error stack
 * flushed, and the error always goes on as our copy (ReThrowError()
 * copies it back into ErrorContext), never as the entry it was.
 * Interrupts are held while recording, as in PostgresMain's error path
 * (where emit_log_hook runs): a cancel must not replace the refusal.
 */
void
tsov_audit_rethrow_refusal(const PlannedStmt *pstmt, uint64 mark)
{
	static MemoryContext refusal_cxt = NULL;
	MemoryContext previous = refusal_cxt;
	ErrorData  *edata;
	bool		catalog_ok;

	refusal_cxt = AllocSetContextCreate(TopMemoryContext,
										"tec_sovereignty refusal",
										ALLOCSET_SMALL_SIZES);
	MemoryContextSwitchTo(refusal_cxt);
	edata = CopyErrorData();
	/* the statement did not happen: neither did what it was allowed */
	tsov_audit_statement_failed(mark);
	if (unrecorded_refusal(edata))
	{
		catalog_ok = catalog_readable(edata);	/* before interrupts are held */
		HOLD_INTERRUPTS();
		record_refusal(edata, pstmt, catalog_ok);
		RESUME_INTERRUPTS();
		edata->domain = recorded_mark;
	}
	FlushErrorState();
	/* nothing refers to the previous refusal's copy any more */
	if (previous != NULL)
		MemoryContextDelete(previous);
	ReThrowError(edata);
}
