/*-------------------------------------------------------------------------
 *
 * utility_maintenance.c
 *	  The utility guard's handlers for maintenance: VACUUM and ANALYZE,
 *	  REINDEX, CLUSTER, REFRESH MATERIALIZED VIEW.
 *
 * A statement that names its tables is checked table by table, and the
 * allowed access is recorded here too (the DDL handlers leave that to the
 * object access hook).
 * A VACUUM or ANALYZE of the whole database is rewritten into the list of
 * tables the caller may touch, so that the run goes on past another
 * domain's tables instead of failing on the first one.  Dispatched from
 * the table in utility.c.
 *
 * IDENTIFICATION
 *	  src/enforce/utility_maintenance.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/utility.h"

/* ---- database-wide VACUUM / ANALYZE ---- */

typedef struct VacCandidate
{
	Oid			relid;
	Oid			nspoid;
} VacCandidate;

/*
 * A VACUUM or ANALYZE without a table list processes every table the caller
 * may maintain in PostgreSQL's eyes (its own; all but shared catalogs for
 * the database owner).  It becomes the explicit list of those tables by
 * OID, built as get_all_vacuum_rels() builds it (same ownership check, same
 * warnings, same relkinds, no RangeVar), minus the tables of domains the
 * caller may not touch.  Those are skipped with a warning, and each skip is
 * recorded as a denial, exactly as a VACUUM naming the table would be
 * (tsov_check_skip()); the rest of the run goes on, as PostgreSQL skips
 * tables the caller does not own.  Returns the statement to run, or NULL
 * when no table is left (the statement is then not run; VACUUM still
 * refuses a transaction block).
 */
static PlannedStmt *
database_vacuum(PlannedStmt *pstmt, bool isTopLevel)
{
	VacuumStmt *v = (VacuumStmt *) pstmt->utilityStmt;
	const char *action = v->is_vacuumcmd ? "VACUUM" : "ANALYZE";
	bits32		options = v->is_vacuumcmd ? VACOPT_VACUUM : VACOPT_ANALYZE;
	List	   *rels = NIL;
	VacCandidate *cand = NULL;
	int			ncand = 0;
	int			maxcand = 0;
	int			i;
	Relation	pgclass;
	TableScanDesc scan;
	HeapTuple	tuple;
	PlannedStmt *copy;

	Assert(v->rels == NIL);
	/* the scan first: the checks below record events and may wait */
	pgclass = table_open(RelationRelationId, AccessShareLock);
	scan = table_beginscan_catalog(pgclass, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);

		if (!vacuum_is_relation_owner(c->oid, c, options))
			continue;
		if (c->relkind != RELKIND_RELATION && c->relkind != RELKIND_MATVIEW &&
			c->relkind != RELKIND_PARTITIONED_TABLE)
			continue;
		if (ncand == maxcand)
		{
			maxcand = maxcand ? maxcand * 2 : 256;
			cand = cand ? repalloc(cand, sizeof(VacCandidate) * maxcand)
				: palloc(sizeof(VacCandidate) * maxcand);
		}
		cand[ncand].relid = c->oid;
		cand[ncand].nspoid = c->relnamespace;
		ncand++;
	}
	table_endscan(scan);
	table_close(pgclass, AccessShareLock);

	for (i = 0; i < ncand; i++)
	{
		const TsovDomain *dom = tsov_domain_of_namespace(cand[i].nspoid);

		if (dom)
		{
			TsovObject	obj;
			char		domname[NAMEDATALEN];

			strlcpy(domname, dom->name, NAMEDATALEN);
			memset(&obj, 0, sizeof(obj));
			obj.classid = RelationRelationId;
			obj.objid = cand[i].relid;
			obj.nspoid = cand[i].nspoid;
			if (!tsov_check_skip(action, true, GetUserId(), &obj))
			{
				ereport(WARNING,
						(errmsg("skipping \"%s\" --- it belongs to domain \"%s\"",
								get_rel_name(cand[i].relid), domname),
						 errdetail("%s of another domain's tables is refused whatever was granted; the refusal is recorded in the audit trail.",
								   action)));
				continue;
			}
		}
		rels = lappend(rels, makeVacuumRelation(NULL, cand[i].relid, NIL));
	}

	if (rels == NIL)
	{
		if (v->is_vacuumcmd)
			PreventInTransactionBlock(isTopLevel, "VACUUM");
		return NULL;
	}
	copy = copyObject(pstmt);
	((VacuumStmt *) copy->utilityStmt)->rels = rels;
	return copy;
}

/* VACUUM / ANALYZE, of the tables named or of the whole database */
void
tsov_util_vacuum(TsovUtilityCall *call)
{
	VacuumStmt *v = castNode(VacuumStmt, call->stmt);
	const char *action = v->is_vacuumcmd ? "VACUUM" : "ANALYZE";
	ListCell   *lc;

	if (v->rels == NIL)
	{
		call->pstmt = database_vacuum(call->pstmt,
									  call->context == PROCESS_UTILITY_TOPLEVEL);
		if (call->pstmt == NULL)
			call->done = true;
		return;
	}
	foreach(lc, v->rels)
	{
		VacuumRelation *vr = lfirst_node(VacuumRelation, lc);

		tsov_util_check_rv(vr->relation, action, true, true);
	}
}

/* REINDEX of a table or an index, or of a whole schema */
void
tsov_util_reindex(TsovUtilityCall *call)
{
	ReindexStmt *r = castNode(ReindexStmt, call->stmt);
	TsovObject	obj;
	Oid			nsp;

	if (r->relation)
	{
		tsov_util_check_rv(r->relation, "REINDEX", true, true);
		return;
	}
	if (r->kind != REINDEX_OBJECT_SCHEMA || r->name == NULL)
		return;
	nsp = get_namespace_oid(r->name, true);
	if (!OidIsValid(nsp))
		return;
	tsov_util_schema_object(nsp, &obj);
	tsov_check("REINDEX", true, GetUserId(), &obj);
}

void
tsov_util_cluster(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(ClusterStmt, call->stmt)->relation,
					   "CLUSTER", true, true);
}

void
tsov_util_refresh(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(RefreshMatViewStmt, call->stmt)->relation,
					   "REFRESH MATERIALIZED VIEW", true, true);
}
