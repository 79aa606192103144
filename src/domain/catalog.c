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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_parameter_acl.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/guc_tables.h"
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
 * Append to *roles (once each) the roles r is directly a member of (up)
 * or the direct members of r (down), from the pg_auth_members syscache.
 */
static void
append_memberships(List **roles, Oid r, bool up)
{
	CatCList   *memlist = SearchSysCacheList1(up ? AUTHMEMMEMROLE : AUTHMEMROLEMEM,
											  ObjectIdGetDatum(r));
	int			i;

	for (i = 0; i < memlist->n_members; i++)
	{
		Form_pg_auth_members m = (Form_pg_auth_members) GETSTRUCT(&memlist->members[i]->tuple);

		*roles = list_append_unique_oid(*roles, up ? m->roleid : m->member);
	}
	ReleaseSysCacheList(memlist);
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
		append_memberships(&todo, r, true);
	}
	list_free(seen);
	*several_out = several;
	return found_idx;
}

/*
 * The attributes of a role that let it bypass object privileges or
 * row-level security: superuser, BYPASSRLS, pg_read_all_data and
 * pg_write_all_data (through any membership); for a role of one domain
 * (domain already set by the caller), every power of tsov_role_powers()
 * and whether it is an owner member (tec_add_member(..., 'owner')).
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
	if (info->domain == NULL || info->several)
		return;
	info->powers = tsov_role_powers(roleid, NULL);
	info->owner_member = roleid != info->domain->owner_role &&
		roleid != info->domain->writer_role &&
		roleid != info->domain->reader_role &&
		SearchSysCacheExists2(AUTHMEMROLEMEM,
							  ObjectIdGetDatum(info->domain->owner_role),
							  ObjectIdGetDatum(roleid));
}

/* ---- powers that bypass the rule (principle 1) ---- */

/*
 * Predefined roles whose members read or write any table, read server
 * files or programs, see other sessions' statements and relations by OID,
 * or signal other sessions.  pg_monitor is a member of the stats roles and
 * so is covered by them; it is listed for the message.
 */
static const Oid bypassing_roles[] = {
	ROLE_PG_READ_ALL_DATA, ROLE_PG_WRITE_ALL_DATA,
	ROLE_PG_READ_SERVER_FILES, ROLE_PG_WRITE_SERVER_FILES,
	ROLE_PG_EXECUTE_SERVER_PROGRAM,
	ROLE_PG_MONITOR, ROLE_PG_READ_ALL_STATS, ROLE_PG_STAT_SCAN_TABLES,
	ROLE_PG_SIGNAL_BACKEND,
};

/* The attribute powers of one role's pg_authid row. */
static uint32
authid_powers(Form_pg_authid a, bool own, const char **what)
{
	uint32		p = 0;

	if (a->rolsuper)
		p |= TSOV_POWER_SUPERUSER;
	if (a->rolreplication)
		p |= TSOV_POWER_REPLICATION;
	if (a->rolcreaterole)
		p |= TSOV_POWER_CREATEROLE;
	if (a->rolcreatedb)
		p |= TSOV_POWER_CREATEDB;
	if (a->rolbypassrls)
		p |= TSOV_POWER_BYPASSRLS;
	if (what && p != 0 && *what == NULL)
		*what = psprintf(own ? "%s" : "%s (through role \"%s\")",
						 a->rolsuper ? "SUPERUSER" :
						 a->rolreplication ? "REPLICATION" :
						 a->rolcreaterole ? "CREATEROLE" :
						 a->rolcreatedb ? "CREATEDB" : "BYPASSRLS",
						 NameStr(a->rolname));
	return p;
}

/* Is a SET privilege on this parameter more than every role has anyway? */
bool
tsov_parameter_is_restricted(const char *name)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();
	int			i;

	for (i = 0; i < n; i++)
	{
		if (pg_strcasecmp(vars[i]->name, name) == 0)
			return vars[i]->context != PGC_USERSET ||
				(vars[i]->flags & GUC_CUSTOM_PLACEHOLDER) != 0;
	}
	return true;				/* not loaded in this backend: assume it is */
}

/*
 * roleid and every role it is a member of, directly or not, whatever
 * INHERIT says (a member may SET ROLE to any of them): read from
 * pg_auth_members, never through is_member_of_role(), which is true for
 * superusers.
 */
List *
tsov_role_member_of(Oid roleid)
{
	List	   *roles = list_make1_oid(roleid);
	int			i;

	for (i = 0; i < list_length(roles); i++)
		append_memberships(&roles, list_nth_oid(roles, i), true);
	return roles;
}

/*
 * Every power roleid holds (TSOV_POWER_*); *what (if not NULL) names the
 * first one found, for messages.  Attributes are not inherited, but a
 * member can SET ROLE to any role it is a member of, so the attributes of
 * all those roles count.
 */
uint32
tsov_role_powers(Oid roleid, const char **what)
{
	uint32		p = 0;
	List	   *roles = tsov_role_member_of(roleid);
	ListCell   *lc;
	int			i;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	if (what)
		*what = NULL;
	foreach(lc, roles)
	{
		HeapTuple	atup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(lfirst_oid(lc)));

		if (!HeapTupleIsValid(atup))
			continue;
		p |= authid_powers((Form_pg_authid) GETSTRUCT(atup),
						   lfirst_oid(lc) == roleid, what);
		ReleaseSysCache(atup);
	}
	for (i = 0; i < lengthof(bypassing_roles); i++)
	{
		if (!list_member_oid(roles, bypassing_roles[i]))
			continue;
		if (what && *what == NULL)
			*what = psprintf("membership in %s",
							 GetUserNameFromId(bypassing_roles[i], false));
		p |= TSOV_POWER_PREDEFINED;
	}

	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (!list_member_oid(roles, db->datdba))
			continue;
		if (what && *what == NULL)
			*what = psprintf("ownership of database \"%s\"", NameStr(db->datname));
		p |= TSOV_POWER_DATABASE;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	rel = table_open(ParameterAclRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		char	   *name = TextDatumGetCString(heap_getattr(tup, Anum_pg_parameter_acl_parname,
															RelationGetDescr(rel), &isnull));
		bool		alter = pg_parameter_aclcheck(name, roleid, ACL_ALTER_SYSTEM) == ACLCHECK_OK;

		if (!alter && (pg_parameter_aclcheck(name, roleid, ACL_SET) != ACLCHECK_OK ||
					   !tsov_parameter_is_restricted(name)))
			continue;
		if (what && *what == NULL)
			*what = psprintf("privilege %s on parameter \"%s\"",
							 alter ? "ALTER SYSTEM" : "SET", name);
		p |= TSOV_POWER_PARAMETER;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	list_free(roles);
	return p;
}

/*
 * The powers a CREATE ROLE / ALTER ROLE option list gives the role
 * (*what: the first one, named as in the statement).
 */
uint32
tsov_attribute_powers(List *options, const char **what)
{
	static const struct
	{
		const char *defname;
		const char *keyword;
		uint32		power;
	}			attrs[] = {
		{"superuser", "SUPERUSER", TSOV_POWER_SUPERUSER},
		{"isreplication", "REPLICATION", TSOV_POWER_REPLICATION},
		{"createrole", "CREATEROLE", TSOV_POWER_CREATEROLE},
		{"createdb", "CREATEDB", TSOV_POWER_CREATEDB},
		{"bypassrls", "BYPASSRLS", TSOV_POWER_BYPASSRLS},
	};
	uint32		p = 0;
	ListCell   *lc;
	int			i;

	*what = NULL;
	foreach(lc, options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		for (i = 0; i < lengthof(attrs); i++)
		{
			if (strcmp(d->defname, attrs[i].defname) != 0 ||
				(d->arg != NULL && !boolVal(d->arg)))
				continue;
			if (*what == NULL)
				*what = attrs[i].keyword;
			p |= attrs[i].power;
		}
	}
	return p;
}

/*
 * The first of roleid and the roles that are (directly or not) members of
 * it -- they get whatever roleid holds -- for which fn is true, or
 * InvalidOid.
 */
Oid
tsov_role_members_find(Oid roleid, tsov_role_pred fn, void *arg)
{
	List	   *roles = list_make1_oid(roleid);
	Oid			found = InvalidOid;
	int			i;

	for (i = 0; i < list_length(roles); i++)
	{
		Oid			r = list_nth_oid(roles, i);

		if (fn(r, arg))
		{
			found = r;
			break;
		}
		append_memberships(&roles, r, false);
	}
	list_free(roles);
	return found;
}
