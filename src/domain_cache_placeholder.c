/*-------------------------------------------------------------------------
 *
 * domain_cache_placeholder.c
 *	  TEMPORARY stand-in for domain_cache.c, good enough for the audit
 *	  branch's tests: tsov_domain_by_name() reads the registry row with a
 *	  heap scan on every call (no cache, no invalidation).
 *
 * Deleted when the real src/domain_cache.c (enforcement branch) is merged;
 * the audit code uses nothing but domain_cache.h.
 *
 * IDENTIFICATION
 *	  src/domain_cache_placeholder.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "domain_cache.h"

const TsovDomain *
tsov_domain_by_name(const char *name)
{
	static TsovDomain result;
	Oid			nsp = get_namespace_oid(TSOV_SCHEMA, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("domain", nsp) : InvalidOid;
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		found = false;
	Snapshot	snap;
	int			name_att = 0,
				level_att = 0;

	if (!OidIsValid(relid) || name == NULL)
		return NULL;
	rel = table_open(relid, AccessShareLock);
	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		const char *a = NameStr(TupleDescAttr(RelationGetDescr(rel), i)->attname);

		if (strcmp(a, "name") == 0)
			name_att = i + 1;
		else if (strcmp(a, "audit_level") == 0)
			level_att = i + 1;
	}
	snap = RegisterSnapshot(GetLatestSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (!found && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		v = slot_getattr(slot, name_att, &isnull);
		char	   *n = TextDatumGetCString(v);

		if (strcmp(n, name) == 0)
		{
			char	   *lvl = NULL;

			found = true;
			memset(&result, 0, sizeof(result));
			strlcpy(result.name, n, NAMEDATALEN);
			v = slot_getattr(slot, level_att, &isnull);
			if (!isnull)
				lvl = TextDatumGetCString(v);
			result.audit_level = lvl == NULL ? TSOV_AUDIT_INHERIT :
				strcmp(lvl, "all") == 0 ? TSOV_AUDIT_ALL :
				strcmp(lvl, "write") == 0 ? TSOV_AUDIT_WRITE :
				strcmp(lvl, "denied") == 0 ? TSOV_AUDIT_DENIED : TSOV_AUDIT_NONE;
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return found ? &result : NULL;
}
