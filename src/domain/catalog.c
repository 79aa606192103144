/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading the catalogs and the extension's own tables the way the
 *	  domain cache needs them: committed state without predicate locks,
 *	  columns by name, role memberships and attributes.
 *
 * These are the cache's raw reads (cache.c keeps their results); nothing
 * here is cached or decided.  Memory: results are palloc'd in the
 * caller's current context (cache.c switches to its generation context).
 *
 * IDENTIFICATION
 *	  src/domain/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "domain/domain.h"
#include "domain/internal.h"

/* The value of column "attname" as a C string (NULL: null or no such column). */
char *
tsov_getattr_cstring(HeapTuple tup, TupleDesc desc, const char *attname, bool *isnull)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Datum		d;

		if (att->attisdropped || strcmp(NameStr(att->attname), attname) != 0)
			continue;
		d = heap_getattr(tup, i + 1, desc, isnull);
		if (*isnull)
			return NULL;
		if (att->atttypid == NAMEOID)
			return pstrdup(NameStr(*DatumGetName(d)));
		return TextDatumGetCString(d);
	}
	*isnull = true;
	return NULL;
}

/*
 * Scan a table of the extension as of the latest committed state, calling
 * fn for every visible row until it returns false.
 *
 * The registry is read like a catalog, not like user data: in whatever
 * transaction first needs the cache, including a parallel worker's and a
 * SERIALIZABLE user transaction's.  So the scan itself runs with
 * SnapshotAny and each tuple is tested against a fresh catalog snapshot:
 *	 - GetCatalogSnapshot() takes a new MVCC snapshot for a relation that is
 *	   not a system catalog, so committed registry changes are seen (as
 *	   GetLatestSnapshot() would), but unlike GetLatestSnapshot() it is
 *	   allowed in a parallel worker;
 *	 - a scan under a non-MVCC snapshot takes no predicate locks (heapam
 *	   only locks and checks conflicts for MVCC scans), so the extension's
 *	   own reads never show up as SIReadLocks in the user's transaction or
 *	   cause serialization failures there.
 * Returns false when fn stopped the scan.
 */
bool
tsov_scan_committed(Oid relid, tsov_row_fn fn, void *arg)
{
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snap;
	bool		completed = true;

	if (!OidIsValid(relid))
		return true;
	rel = table_open(relid, AccessShareLock);
	snap = RegisterSnapshot(GetCatalogSnapshot(relid));
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, SnapshotAny, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		should_free;
		HeapTuple	tup;
		bool		more;

		if (!table_tuple_satisfies_snapshot(rel, slot, snap))
			continue;
		tup = ExecFetchSlotHeapTuple(slot, false, &should_free);
		more = fn(tup, RelationGetDescr(rel), arg);
		if (should_free)
			heap_freetuple(tup);
		if (!more)
		{
			completed = false;
			break;
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return completed;
}

/*
 * Walk the roles "roleid" is a member of (directly or not), collecting the
 * domains whose roles are reached: returns the index of the domain found
 * (-1: none), and sets *several_out when roles of two domains were
 * reached.  pg_auth_members is read through the
 * AUTHMEMMEMROLE syscache list, never through is_member_of_role(), which is
 * true for superusers.
 */
int
tsov_role_walk(Oid roleid, tsov_domrole_fn domain_of_domrole, bool *several_out)
{
	List	   *todo = list_make1_oid(roleid);
	List	   *seen = NIL;
	int			found_idx;
	bool		several = false;

	found_idx = domain_of_domrole(roleid);
	if (found_idx >= 0)
	{
		/* a domain's own role belongs to that domain, whatever else */
		todo = NIL;
	}

	while (todo != NIL)
	{
		Oid			r = linitial_oid(todo);
		CatCList   *memlist;
		int			i;

		todo = list_delete_first(todo);
		if (list_member_oid(seen, r))
			continue;
		seen = lappend_oid(seen, r);

		if (r != roleid)
		{
			int			idx = domain_of_domrole(r);

			if (idx >= 0)
			{
				if (found_idx >= 0 && found_idx != idx)
					several = true;
				found_idx = idx;
			}
		}
		memlist = SearchSysCacheList1(AUTHMEMMEMROLE, ObjectIdGetDatum(r));
		for (i = 0; i < memlist->n_members; i++)
		{
			Form_pg_auth_members m = (Form_pg_auth_members) GETSTRUCT(&memlist->members[i]->tuple);

			todo = lappend_oid(todo, m->roleid);
		}
		ReleaseSysCacheList(memlist);
	}
	list_free(seen);
	*several_out = several;
	return found_idx;
}

/*
 * The attributes of a role that let it bypass object privileges or
 * row-level security: superuser, BYPASSRLS, pg_read_all_data and
 * pg_write_all_data (through any membership).
 */
void
tsov_role_attributes(Oid roleid, TsovRoleInfo *info)
{
	HeapTuple	tup;

	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(roleid));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_authid a = (Form_pg_authid) GETSTRUCT(tup);

		info->superuser = a->rolsuper;
		info->bypassrls = a->rolbypassrls;
		ReleaseSysCache(tup);
	}
	info->privileged = info->superuser || info->bypassrls ||
		has_privs_of_role(roleid, ROLE_PG_READ_ALL_DATA) ||
		has_privs_of_role(roleid, ROLE_PG_WRITE_ALL_DATA);
}

