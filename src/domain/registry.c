/*-------------------------------------------------------------------------
 *
 * registry.c
 *	  Reading the registry into a new generation of the domain cache.
 *
 * cache.c owns the cache (its memory context, its validity, the lookups
 * the guards make); this file fills a fresh TsovCache from the registry
 * tables (tec_sovereignty.domain, .api, .shared_table) and pg_depend (the
 * extension's own functions).  The registry stores names, never oids (they
 * survive dump/restore), so every row is resolved to oids here, through
 * the syscache.  Rows that no longer resolve (a schema or role dropped
 * since, a published function gone) are left out: what is not in the cache
 * belongs to no domain and publishes nothing.
 *
 * One more read: tsov_move_in_id(), the open move into a domain, for the
 * guard of logical-replication workers (enforce/objects.c).
 *
 * One write: tsov_shared_table_forget() deletes the registry row of a
 * protected shared table that is being dropped (a row left behind would
 * name a table that is gone, and whatever later got its OID).
 *
 * IDENTIFICATION
 *	  src/domain/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "parser/parse_relation.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "common/state.h"
#include "domain/domain.h"
#include "domain/internal.h"

static HTAB *
make_hash(const char *name, Size entrysize, MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = entrysize;
	ctl.hcxt = cxt;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}
/* Index of a domain of the cache being loaded, by name, or -1. */
static int
name_index(TsovCache *c, const char *name)
{
	TsovNameIdx *e;

	if (strnlen(name, NAMEDATALEN) >= NAMEDATALEN)
		return -1;				/* the key is NAMEDATALEN bytes: no match */
	e = hash_search(c->by_name, name, HASH_FIND, NULL);
	return e ? e->idx : -1;
}

static bool
registry_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	TsovCache  *c = (TsovCache *) arg;
	TsovDomain *d;
	bool		isnull;
	char	   *s;
	TsovOidIdx	   *e;
	TsovNameIdx    *ne;
	bool		found;
	Oid			roles[3];
	int			i;

	if (c->ndomains % 32 == 0)
		c->domains = repalloc(c->domains, sizeof(TsovDomain) * (c->ndomains + 32));
	d = &c->domains[c->ndomains];
	memset(d, 0, sizeof(*d));

	s = tsov_getattr_cstring(tup, desc, "name", &isnull);
	if (isnull)
		return true;
	strlcpy(d->name, s, NAMEDATALEN);
	ne = hash_search(c->by_name, d->name, HASH_ENTER, &found);
	if (found)
		return true;					/* the registry's primary key rules it out */
	ne->idx = c->ndomains;
	s = tsov_getattr_cstring(tup, desc, "schema_name", &isnull);
	d->nspoid = isnull ? InvalidOid : get_namespace_oid(s, true);
	s = tsov_getattr_cstring(tup, desc, "owner_role", &isnull);
	d->owner_role = isnull ? InvalidOid : get_role_oid(s, true);
	s = tsov_getattr_cstring(tup, desc, "writer_role", &isnull);
	d->writer_role = isnull ? InvalidOid : get_role_oid(s, true);
	s = tsov_getattr_cstring(tup, desc, "reader_role", &isnull);
	d->reader_role = isnull ? InvalidOid : get_role_oid(s, true);
	s = tsov_getattr_cstring(tup, desc, "state", &isnull);
	d->state = TSOV_STATE_ACTIVE;
	if (!isnull && strcmp(s, "transferring") == 0)
		d->state = TSOV_STATE_TRANSFERRING;
	else if (!isnull && strcmp(s, "transferred") == 0)
		d->state = TSOV_STATE_TRANSFERRED;
	else if (!isnull && strcmp(s, "move_cutover") == 0)
		d->state = TSOV_STATE_TRANSFERRING;
	else if (!isnull && strcmp(s, "moved") == 0)
		d->state = TSOV_STATE_TRANSFERRED;
	/* moving, moving_in and importing: active (src/export/move.sql, import.sql) */
	d->moving = !isnull && (strcmp(s, "move_cutover") == 0 || strcmp(s, "moved") == 0);
	d->moving_in = !isnull && strcmp(s, "moving_in") == 0;
	d->ddl_locked = d->moving_in || (!isnull && strcmp(s, "moving") == 0);
	s = tsov_getattr_cstring(tup, desc, "enforcement", &isnull);
	d->simulate = (!isnull && strcmp(s, "simulate") == 0);
	s = tsov_getattr_cstring(tup, desc, "audit_level", &isnull);
	d->audit_level = TSOV_AUDIT_INHERIT;
	if (!isnull)
	{
		if (strcmp(s, "none") == 0)
			d->audit_level = TSOV_AUDIT_NONE;
		else if (strcmp(s, "denied") == 0)
			d->audit_level = TSOV_AUDIT_DENIED;
		else if (strcmp(s, "write") == 0)
			d->audit_level = TSOV_AUDIT_WRITE;
		else if (strcmp(s, "all") == 0)
			d->audit_level = TSOV_AUDIT_ALL;
	}

	if (OidIsValid(d->nspoid))
	{
		e = hash_search(c->by_nsp, &d->nspoid, HASH_ENTER, &found);
		e->idx = c->ndomains;
	}
	roles[0] = d->owner_role;
	roles[1] = d->writer_role;
	roles[2] = d->reader_role;
	for (i = 0; i < 3; i++)
	{
		if (!OidIsValid(roles[i]))
			continue;
		e = hash_search(c->by_domrole, &roles[i], HASH_ENTER, &found);
		e->idx = c->ndomains;
	}
	c->ndomains++;
	return true;
}

/*
 * Resolve "schema.fn(args)" (stored fully qualified by tec_publish_api) to
 * an oid, or InvalidOid.
 *
 * The cache is rebuilt in whatever session first needs it, as whatever role
 * that session runs as; name lookup checks USAGE on the schemas it walks,
 * and an ordinary domain role has none on the publishing domain's schema.
 * The lookup therefore runs as the bootstrap superuser (and as the
 * extension's own work, so the namespace-search guard stays out of it):
 * otherwise the rebuild itself would fail with "permission denied for
 * schema" in the middle of an unrelated statement.
 */
static Oid
resolve_signature(const char *sig)
{
	LOCAL_FCINFO(fcinfo, 1);
	volatile Datum result = (Datum) 0;
	Oid			save_userid;
	int			save_sec;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(sig);
	fcinfo->args[0].isnull = false;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		TSOV_INTERNAL_BEGIN();
		{
			result = to_regprocedure(fcinfo);
		}
		TSOV_INTERNAL_END();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();

	if (fcinfo->isnull)
		return InvalidOid;
	return DatumGetObjectId(result);
}

static bool
api_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	TsovCache  *c = (TsovCache *) arg;
	bool		isnull;
	char	   *sig;
	char	   *from;
	char	   *to;
	int			from_idx;
	int			to_idx = -1;
	Oid			fnoid;
	TsovApiEntry   *e;
	bool		found;

	from = tsov_getattr_cstring(tup, desc, "domain", &isnull);
	if (isnull)
		return true;
	sig = tsov_getattr_cstring(tup, desc, "function_signature", &isnull);
	if (isnull)
		return true;
	to = tsov_getattr_cstring(tup, desc, "to_domain", &isnull);
	from_idx = name_index(c, from);
	if (from_idx < 0)
		return true;
	if (to != NULL)
	{
		to_idx = name_index(c, to);
		if (to_idx < 0)
			return true;
	}
	fnoid = resolve_signature(sig);
	if (!OidIsValid(fnoid))
		return true;

	e = hash_search(c->apis, &fnoid, HASH_ENTER, &found);
	if (!found)
	{
		e->to_all = false;
		e->to = NIL;
	}
	if (to_idx < 0)
	{
		e->to_all = true;
		c->publishes_all[from_idx] = true;
	}
	else
	{
		e->to = lappend_int(e->to, to_idx);
		c->publishes[from_idx * c->ndomains + to_idx] = true;
	}
	return true;
}

/*
 * A protected shared table is tracked by its OID (the registry's relid
 * column, a regclass: pg_dump writes it as a name and the restore reads
 * it back as the new OID, pg_upgrade keeps it), so that renaming the table
 * or its schema leaves it protected; the domain column is found by the
 * name it had when the table was protected (objects.c refuses to rename
 * it).  A row from before the relid column falls back to the names.
 */
static bool
shared_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	TsovCache  *c = (TsovCache *) arg;
	bool		isnull = true;
	char	   *column;
	Oid			relid = InvalidOid;
	TsovSharedEntry *e;
	bool		found;
	int			i;

	column = tsov_getattr_cstring(tup, desc, "domain_column", &isnull);
	if (isnull)
		return true;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Datum		d;

		if (att->attisdropped || strcmp(NameStr(att->attname), "relid") != 0)
			continue;
		d = heap_getattr(tup, i + 1, desc, &isnull);
		if (!isnull)
			relid = DatumGetObjectId(d);
	}
	if (!OidIsValid(relid))
	{
		char	   *schema = tsov_getattr_cstring(tup, desc, "table_schema", &isnull);
		char	   *table = isnull ? NULL : tsov_getattr_cstring(tup, desc, "table_name", &isnull);
		Oid			nsp = table ? get_namespace_oid(schema, true) : InvalidOid;

		relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
	}
	if (!OidIsValid(relid) || !OidIsValid(get_rel_namespace(relid)))
		return true;			/* dropped since */
	e = hash_search(c->shared, &relid, HASH_ENTER, &found);
	e->attnum = get_attnum(relid, column);
	namestrcpy(&e->column, column);
	return true;
}

static void
load_extension_functions(TsovCache *c, Oid extoid)
{
	Relation	dep;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;

	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(ExtensionRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(extoid));
	scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		bool		found;

		if (d->classid == ProcedureRelationId && d->deptype == DEPENDENCY_EXTENSION)
			hash_search(c->ext_funcs, &d->objid, HASH_ENTER, &found);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
}

/*
 * Fill "c", zeroed by the caller, from the registry, allocating in "cxt"
 * (the new generation's context, current on entry).  Runs as the
 * extension's own work (tsov_internal_depth raised), because resolving
 * names calls namespace lookups whose hooks would otherwise ask the very
 * cache being built.
 */
void
tsov_cache_load(TsovCache *c, MemoryContext cxt)
{
	Oid			ext_nsp;

	Assert(CurrentMemoryContext == cxt && c->cxt == cxt && c->ndomains == 0);
	c->domains = palloc(sizeof(TsovDomain) * 32);
	c->by_nsp = make_hash("tsov nsp", sizeof(TsovOidIdx), cxt);
	c->by_domrole = make_hash("tsov domrole", sizeof(TsovOidIdx), cxt);
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = sizeof(TsovNameIdx);
		ctl.hcxt = cxt;
		c->by_name = hash_create("tsov domain names", 64, &ctl,
									HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	c->roles = make_hash("tsov roles", sizeof(TsovRoleEntry), cxt);
	c->funcs = make_hash("tsov funcs", sizeof(TsovFuncEntry), cxt);
	c->apis = make_hash("tsov apis", sizeof(TsovApiEntry), cxt);
	c->ext_funcs = make_hash("tsov extfuncs", sizeof(Oid), cxt);
	c->shared = make_hash("tsov shared", sizeof(TsovSharedEntry), cxt);

	TSOV_INTERNAL_BEGIN();
	{
		ext_nsp = get_namespace_oid(TSOV_SCHEMA, true);
		if (OidIsValid(ext_nsp))
		{
			Oid			extoid = get_extension_oid(TSOV_NAME, true);

			c->registry_relid = get_relname_relid("domain", ext_nsp);
			(void) tsov_scan_committed(c->registry_relid, registry_row, c);
			c->publishes = palloc0(sizeof(bool) * Max(1, c->ndomains * c->ndomains));
			c->publishes_all = palloc0(sizeof(bool) * Max(1, c->ndomains));
			(void) tsov_scan_committed(get_relname_relid("api", ext_nsp), api_row, c);
			(void) tsov_scan_committed(get_relname_relid("shared_table", ext_nsp), shared_row, c);
			if (OidIsValid(extoid))
				load_extension_functions(c, extoid);
		}
		else
		{
			c->publishes = palloc0(sizeof(bool));
			c->publishes_all = palloc0(sizeof(bool));
		}
	}
	TSOV_INTERNAL_END();
}

/*
 * From the DROP of relation relid (enforce/objects.c, OAT_DROP): delete
 * its rows of tec_sovereignty.shared_table, as the statement's own change
 * (it rolls back with the statement), and make every backend reload the
 * cache, as the registry's trigger would.  Returns whether a row
 * was deleted, with its names (palloc'd in the caller's context).  The
 * caller has checked that relid is protected: no catalog work otherwise.
 */
bool
tsov_shared_table_forget(Oid relid, char **schema, char **name, char **column)
{
	Oid			ext_nsp = get_namespace_oid(TSOV_SCHEMA, true);
	Oid			regrel = OidIsValid(ext_nsp) ? get_relname_relid("shared_table", ext_nsp) : InvalidOid;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	AttrNumber	relid_att;
	bool		deleted = false;

	if (!OidIsValid(regrel))
		return false;
	rel = table_open(regrel, RowExclusiveLock);
	relid_att = attnameAttNum(rel, "relid", false);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, relid_att, RelationGetDescr(rel), &isnull);

		if (isnull || DatumGetObjectId(d) != relid)
			continue;
		*schema = tsov_getattr_cstring(tup, RelationGetDescr(rel), "table_schema", &isnull);
		*name = tsov_getattr_cstring(tup, RelationGetDescr(rel), "table_name", &isnull);
		*column = tsov_getattr_cstring(tup, RelationGetDescr(rel), "domain_column", &isnull);
		simple_heap_delete(rel, &tup->t_self);
		deleted = true;
	}
	systable_endscan(scan);
	table_close(rel, RowExclusiveLock);
	/* as tsov_registry_changed: every backend reloads at commit (this one at the next command) */
	if (deleted && OidIsValid(tsov_registry_relid()))
		CacheInvalidateRelcacheByRelid(tsov_registry_relid());
	return deleted;
}

/* ---- the open move into a domain (tec_sovereignty.move) ---- */

typedef struct MoveInScan
{
	const char *domain;
	int64		id;
} MoveInScan;

/*
 * The id of a row of tec_sovereignty.move for domain, direction and state,
 * or 0 when the row is another's.
 */
static int64
move_row_id(HeapTuple tup, TupleDesc desc, const char *domain, const char *direction,
			const char *state)
{
	static const char *const cols[3] = {"domain", "direction", "state"};
	const char *want[3] = {domain, direction, state};
	bool		isnull;
	int64		id = 0;

	for (int i = 0; i < 3; i++)
	{
		char	   *s = tsov_getattr_cstring(tup, desc, cols[i], &isnull);

		if (isnull || strcmp(s, want[i]) != 0)
			return 0;
	}
	for (int att = 0; att < desc->natts; att++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, att);
		Datum		d;

		if (a->attisdropped || a->atttypid != INT8OID || strcmp(NameStr(a->attname), "id") != 0)
			continue;
		d = heap_getattr(tup, att + 1, desc, &isnull);
		if (!isnull)
			id = DatumGetInt64(d);
	}
	return id;
}

/*
 * fn over the committed rows of tec_sovereignty.move (none when the
 * extension is not installed here), as the extension's own work.
 */
static void
scan_moves(tsov_row_fn fn, void *arg)
{
	TSOV_INTERNAL_BEGIN();
	{
		Oid			ext_nsp = get_namespace_oid(TSOV_SCHEMA, true);

		if (OidIsValid(ext_nsp))
			(void) tsov_scan_committed(get_relname_relid("move", ext_nsp), fn, arg);
	}
	TSOV_INTERNAL_END();
}

static bool
move_in_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	MoveInScan *m = (MoveInScan *) arg;
	int64		id = move_row_id(tup, desc, m->domain, "in", "moving");

	if (id == 0)
		return true;
	m->id = id;
	return false;				/* one open move per domain (move_one_open) */
}

/*
 * The id of the move into domain that is under way here (move.sql's
 * move_in_begin() records it with the state moving_in), or 0: read as of
 * the latest committed state, like the registry.
 */
int64
tsov_move_in_id(const char *domain)
{
	MoveInScan	m = {domain, 0};

	scan_moves(move_in_row, &m);
	return m.id;
}

/* ---- where a domain moved to (tec_sovereignty.move) ---- */

typedef struct MovedToScan
{
	const char *domain;
	int64		best_id;		/* the latest completed move out seen */
	char	   *buf;
	Size		len;
} MovedToScan;

static bool
moved_to_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	MovedToScan *m = (MovedToScan *) arg;
	int64		id = move_row_id(tup, desc, m->domain, "out", "moved");
	bool		isnull;
	char	   *s;

	if (id <= m->best_id)
		return true;
	s = tsov_getattr_cstring(tup, desc, "peer", &isnull);
	if (!isnull)
	{
		strlcpy(m->buf, s, m->len);
		m->best_id = id;
	}
	return true;
}

/*
 * Where domain moved to, as its latest completed move out recorded it (the
 * target's location, never a password: move.sql's peer column), into buf;
 * false when no completed move out is recorded.  For the refusal of every
 * access to a moved domain, which names the new location.
 */
bool
tsov_moved_to(const char *domain, char *buf, Size len)
{
	MovedToScan m = {domain, 0, buf, len};

	Assert(len > 0);
	buf[0] = '\0';
	scan_moves(moved_to_row, &m);
	return m.best_id > 0;
}
