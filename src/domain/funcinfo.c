/*-------------------------------------------------------------------------
 *
 * funcinfo.c
 *	  Facts about a function read from its pg_proc tuple: may it be a
 *	  published API, may its SQL body call a checked built-in (nextval,
 *	  pg_relation_size, pg_advisory_lock, ...), does it belong to the
 *	  extension's own work, which extension is a C function part of.
 *
 * These are facts, not decisions: the enforcement layer decides what they
 * mean (enforce/fmgr.c, enforce/builtins.c).  cache.c computes them once
 * per function and keeps them in TsovFuncInfo until an invalidation.
 *
 * IDENTIFICATION
 *	  src/domain/funcinfo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "catalog/dependency.h"
#include "commands/extension.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "domain/domain.h"

/*
 * The built-ins that have a checked twin (enforce/builtins.c registers
 * them at init): a SQL function whose body may call one is not inlined,
 * so that its body goes through the planner hook that swaps the twins in.
 * Their lower-case names are looked up on first use.
 */
static const Oid *checked_oids = NULL;
static int	n_checked = 0;
static char **checked_names = NULL;

void
tsov_funcinfo_set_checked_builtins(const Oid *oids, int n)
{
	checked_oids = oids;
	n_checked = n;
}

static bool
is_checked_builtin(Oid fnoid)
{
	int			i;

	for (i = 0; i < n_checked; i++)
		if (checked_oids[i] == fnoid)
			return true;
	return false;
}

static char **
checked_builtin_names(void)
{
	if (checked_names == NULL)
	{
		char	  **names = MemoryContextAllocZero(TopMemoryContext,
												   sizeof(char *) * (n_checked + 2));
		int			i;

		for (i = 0; i < n_checked; i++)
		{
			char	   *n = get_func_name(checked_oids[i]);

			if (n == NULL)
				elog(ERROR, "cache lookup failed for function %u", checked_oids[i]);
			names[i] = MemoryContextStrdup(TopMemoryContext, n);
		}
		/* a Unicode-escaped identifier (U&"...") might be any of them */
		names[n_checked] = MemoryContextStrdup(TopMemoryContext, "u&");
		checked_names = names;
	}
	return checked_names;
}

/*
 * Does the function have a SET search_path clause, and does that path name
 * pg_temp explicitly as its last schema?  Without it PostgreSQL searches
 * the caller's temporary schema first, where any caller can shadow a table
 * or a view the function names unqualified.
 */
static bool
proconfig_search_path(HeapTuple proctup, bool *temp_last)
{
	bool		isnull;
	Datum		d;
	ArrayType  *arr;
	Datum	   *elems;
	int			n;
	int			i;
	bool		found = false;

	*temp_last = false;
	d = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_proconfig, &isnull);
	if (isnull)
		return false;
	arr = DatumGetArrayTypeP(d);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);
	for (i = 0; i < n; i++)
	{
		char	   *s = TextDatumGetCString(elems[i]);
		List	   *names = NIL;

		if (strncmp(s, "search_path=", 12) != 0)
			continue;
		found = true;
		*temp_last = SplitIdentifierString(pstrdup(s + 12), ',', &names) &&
			names != NIL && strcmp((char *) llast(names), "pg_temp") == 0;
	}
	return found;
}

/*
 * May the body of this SQL function call one of the checked built-ins?
 * Answers from the text, so that such a function is not inlined (its body
 * is then planned through the planner hook of enforce/builtins.c).  Any
 * spelling of the names counts, and a Unicode-escaped identifier (U&"...")
 * might be one of them.
 */
static bool
sql_body_calls_checked(HeapTuple proctup)
{
	Form_pg_proc p = (Form_pg_proc) GETSTRUCT(proctup);
	Datum		d;
	bool		isnull;
	char	   *src;
	char	  **names;

	if (p->prolang != SQLlanguageId || n_checked == 0)
		return false;
	d = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosrc, &isnull);
	if (!isnull)
	{
		char	   *body = TextDatumGetCString(d);

		src = asc_tolower(body, strlen(body));
		for (names = checked_builtin_names(); *names; names++)
			if (strstr(src, *names) != NULL)
				return true;
	}
	/* BEGIN ATOMIC: the stored tree names functions by oid */
	d = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosqlbody, &isnull);
	if (!isnull)
	{
		src = TextDatumGetCString(d);
		while ((src = strstr(src, ":funcid ")) != NULL)
		{
			src += strlen(":funcid ");
			if (is_checked_builtin((Oid) strtoul(src, NULL, 10)))
				return true;
		}
	}
	return false;
}

/*
 * Fill the facts of "info" that come from the function's tuple.  dom is
 * the domain whose schema holds the function (NULL: none);
 * extension_member says whether pg_depend makes it a member of the
 * extension.
 */
void
tsov_funcinfo_facts(HeapTuple proctup, bool extension_member,
					const TsovDomain *dom, TsovFuncInfo *info)
{
	Form_pg_proc p = (Form_pg_proc) GETSTRUCT(proctup);

	info->nspoid = p->pronamespace;
	info->prosecdef = p->prosecdef;
	info->owner = p->proowner;

	/*
	 * The extension's functions raise the internal depth while they run,
	 * except the row-level security predicate and the checked twins of
	 * built-ins: they run per row, for the user, and the twins exist to be
	 * checked.
	 */
	info->extension_member = extension_member &&
		strcmp(NameStr(p->proname), "tec_row_visible") != 0 &&
		strncmp(NameStr(p->proname), "guarded_", 8) != 0;
	info->calls_sequence = sql_body_calls_checked(proctup);
	/* for the contrib functions domain roles may not call (builtins.c) */
	info->extension_oid = p->prolang == ClanguageId ?
		getExtensionOfObject(ProcedureRelationId, p->oid) : InvalidOid;

	/*
	 * A published API must run as the domain owner with a fixed path that
	 * ends in pg_temp.
	 */
	info->has_search_path = proconfig_search_path(proctup, &info->path_temp_last);
	info->api_safe = dom != NULL && p->prosecdef &&
		p->proowner == dom->owner_role && info->has_search_path &&
		info->path_temp_last;
}
