/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  Who belongs where: a per-backend cache of domains, their schemas and
 *	  roles, the published APIs and the protected shared tables.
 *
 * The guards ask on every statement which domain a schema and a role belong
 * to, so the answers are kept in backend memory as hash tables keyed by oid.
 * The registry tables (tec_sovereignty.domain, .api, .shared_table) store
 * names, never oids (they survive dump/restore); a rebuild reads them once
 * and resolves names to oids through the syscache.  Role -> domain and
 * function facts are computed lazily, once per role / function, by walking
 * pg_auth_members through the syscache.
 *
 * Invalidation: syscache callbacks on AUTHOID, AUTHMEMROLEMEM (roles and
 * memberships), NAMESPACEOID (schemas) and PROCOID (functions: extension
 * members, published APIs), and a relcache callback on the registry table.
 * Changes to the registry tables fire a statement-level trigger that
 * invalidates the registry's relcache entry, which reaches every backend at
 * commit.  A callback only marks the cache stale; the next lookup rebuilds
 * it into a fresh memory context.  The previous generation is kept until the
 * rebuild after that, so a pointer obtained just before an invalidation is
 * processed does not dangle at once.
 *
 * IDENTIFICATION
 *	  src/domain/cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "common/state.h"
#include "domain/domain.h"
#include "domain/internal.h"

typedef struct OidIdx
{
	Oid			oid;			/* hash key */
	int			idx;
} OidIdx;

typedef struct NameIdx
{
	char		name[NAMEDATALEN];	/* hash key */
	int			idx;
} NameIdx;

typedef struct RoleEntry
{
	Oid			roleid;			/* hash key */
	TsovRoleInfo info;
} RoleEntry;

typedef struct FuncEntry
{
	Oid			fnoid;			/* hash key */
	TsovFuncInfo info;
} FuncEntry;

typedef struct ApiEntry
{
	Oid			fnoid;			/* hash key */
	bool		to_all;
	List	   *to;				/* of int domain indexes */
} ApiEntry;

typedef struct SharedEntry
{
	Oid			relid;			/* hash key */
	AttrNumber	attnum;
	NameData	column;			/* the domain column's registered name */
} SharedEntry;

typedef struct Cache
{
	MemoryContext cxt;
	int			ndomains;
	TsovDomain *domains;
	HTAB	   *by_nsp;			/* nspoid -> idx */
	HTAB	   *by_name;		/* domain name -> idx */
	HTAB	   *by_domrole;		/* owner/writer/reader oid -> idx */
	HTAB	   *roles;			/* roleid -> RoleEntry (lazy) */
	HTAB	   *funcs;			/* fnoid -> FuncEntry (lazy) */
	HTAB	   *apis;			/* fnoid -> ApiEntry */
	HTAB	   *ext_funcs;		/* fnoid set: members of the extension */
	HTAB	   *shared;			/* relid -> SharedEntry */
	bool	   *publishes;		/* ndomains x ndomains: from publishes to */
	bool	   *publishes_all;	/* from publishes something to every domain */
	Oid			registry_relid;
} Cache;

static Cache cache;
static bool cache_valid = false;
static uint64 generation = 0;
static MemoryContext old_cxt = NULL;	/* previous generation, kept once */

static TsovDomain conflict_domain;

/* the domain tsov_domain_by_name() found last: audit asks for it per event */
static int	last_by_name = -1;

static void invalidate(void);

/* ----------------------------------------------------------------
 * Invalidation callbacks: only mark stale.
 * ---------------------------------------------------------------- */
static void
syscache_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	cache_valid = false;
}

static void
relcache_cb(Datum arg, Oid relid)
{
	if (!cache_valid)
		return;
	if (relid == InvalidOid || relid == cache.registry_relid)
		cache_valid = false;
}

static void
invalidate(void)
{
	cache_valid = false;
}

void
tsov_domain_cache_init(void)
{
	CacheRegisterSyscacheCallback(AUTHOID, syscache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, syscache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, syscache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, syscache_cb, (Datum) 0);
	/* the powers of domain roles (tsov_role_powers) */
	CacheRegisterSyscacheCallback(DATABASEOID, syscache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(PARAMETERACLOID, syscache_cb, (Datum) 0);
	CacheRegisterRelcacheCallback(relcache_cb, (Datum) 0);

	memset(&conflict_domain, 0, sizeof(conflict_domain));
	strlcpy(conflict_domain.name, "(several domains)", NAMEDATALEN);
	conflict_domain.nspoid = InvalidOid;
}

/* ----------------------------------------------------------------
 * Rebuild
 * ---------------------------------------------------------------- */

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

/*
 * Index of a domain by name: a hash lookup, not a scan, because the audit
 * level of the object's domain is asked for on every access.  The domain
 * asked for last is checked first (one strcmp: a workload mostly touches
 * one domain).
 */
static int
domain_index_by_name(const char *name)
{
	NameIdx    *e;

	if (last_by_name >= 0 && last_by_name < cache.ndomains &&
		strcmp(cache.domains[last_by_name].name, name) == 0)
		return last_by_name;
	/* the hash key is NAMEDATALEN bytes: a longer name matches nothing */
	if (cache.by_name == NULL || strnlen(name, NAMEDATALEN) >= NAMEDATALEN)
		return -1;
	e = hash_search(cache.by_name, name, HASH_FIND, NULL);
	if (e == NULL)
		return -1;
	last_by_name = e->idx;
	return e->idx;
}

static bool
registry_row(HeapTuple tup, TupleDesc desc, void *arg)
{
	TsovDomain *d;
	bool		isnull;
	char	   *s;
	OidIdx	   *e;
	NameIdx    *ne;
	bool		found;
	Oid			roles[3];
	int			i;

	if (cache.ndomains % 32 == 0)
		cache.domains = repalloc(cache.domains, sizeof(TsovDomain) * (cache.ndomains + 32));
	d = &cache.domains[cache.ndomains];
	memset(d, 0, sizeof(*d));

	s = tsov_getattr_cstring(tup, desc, "name", &isnull);
	if (isnull)
		return true;
	strlcpy(d->name, s, NAMEDATALEN);
	ne = hash_search(cache.by_name, d->name, HASH_ENTER, &found);
	if (found)
		return true;					/* the registry's primary key rules it out */
	ne->idx = cache.ndomains;
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
		e = hash_search(cache.by_nsp, &d->nspoid, HASH_ENTER, &found);
		e->idx = cache.ndomains;
	}
	roles[0] = d->owner_role;
	roles[1] = d->writer_role;
	roles[2] = d->reader_role;
	for (i = 0; i < 3; i++)
	{
		if (!OidIsValid(roles[i]))
			continue;
		e = hash_search(cache.by_domrole, &roles[i], HASH_ENTER, &found);
		e->idx = cache.ndomains;
	}
	cache.ndomains++;
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
	bool		isnull;
	char	   *sig;
	char	   *from;
	char	   *to;
	int			from_idx;
	int			to_idx = -1;
	Oid			fnoid;
	ApiEntry   *e;
	bool		found;

	from = tsov_getattr_cstring(tup, desc, "domain", &isnull);
	if (isnull)
		return true;
	sig = tsov_getattr_cstring(tup, desc, "function_signature", &isnull);
	if (isnull)
		return true;
	to = tsov_getattr_cstring(tup, desc, "to_domain", &isnull);
	from_idx = domain_index_by_name(from);
	if (from_idx < 0)
		return true;
	if (to != NULL)
	{
		to_idx = domain_index_by_name(to);
		if (to_idx < 0)
			return true;
	}
	fnoid = resolve_signature(sig);
	if (!OidIsValid(fnoid))
		return true;

	e = hash_search(cache.apis, &fnoid, HASH_ENTER, &found);
	if (!found)
	{
		e->to_all = false;
		e->to = NIL;
	}
	if (to_idx < 0)
	{
		e->to_all = true;
		cache.publishes_all[from_idx] = true;
	}
	else
	{
		e->to = lappend_int(e->to, to_idx);
		cache.publishes[from_idx * cache.ndomains + to_idx] = true;
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
	bool		isnull = true;
	char	   *column;
	Oid			relid = InvalidOid;
	SharedEntry *e;
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
	e = hash_search(cache.shared, &relid, HASH_ENTER, &found);
	e->attnum = get_attnum(relid, column);
	namestrcpy(&e->column, column);
	return true;
}

static void
load_extension_functions(Oid extoid)
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
			hash_search(cache.ext_funcs, &d->objid, HASH_ENTER, &found);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
}

/*
 * Rebuild everything from the registry.  Runs with tsov_internal_depth
 * raised, because resolving names calls namespace lookups whose hooks would
 * otherwise ask this very cache.
 */
static void
rebuild(void)
{
	MemoryContext cxt;
	MemoryContext oldcxt;
	Oid			ext_nsp;

	if (!IsTransactionState())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("tec_sovereignty cannot check access outside a transaction")));

	cxt = AllocSetContextCreate(CacheMemoryContext, "tec_sovereignty domain cache",
								ALLOCSET_SMALL_SIZES);
	if (old_cxt)
		MemoryContextDelete(old_cxt);
	old_cxt = cache.cxt;

	memset(&cache, 0, sizeof(cache));
	cache.cxt = cxt;
	generation++;
	oldcxt = MemoryContextSwitchTo(cxt);

	cache.domains = palloc(sizeof(TsovDomain) * 32);
	cache.by_nsp = make_hash("tsov nsp", sizeof(OidIdx), cxt);
	cache.by_domrole = make_hash("tsov domrole", sizeof(OidIdx), cxt);
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = sizeof(NameIdx);
		ctl.hcxt = cxt;
		cache.by_name = hash_create("tsov domain names", 64, &ctl,
									HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	last_by_name = -1;
	cache.roles = make_hash("tsov roles", sizeof(RoleEntry), cxt);
	cache.funcs = make_hash("tsov funcs", sizeof(FuncEntry), cxt);
	cache.apis = make_hash("tsov apis", sizeof(ApiEntry), cxt);
	cache.ext_funcs = make_hash("tsov extfuncs", sizeof(Oid), cxt);
	cache.shared = make_hash("tsov shared", sizeof(SharedEntry), cxt);

	/* Marked valid first: invalidations processed during the scans (our
	 * own table locks accept them) then correctly mark it stale again. */
	cache_valid = true;

	TSOV_INTERNAL_BEGIN();
	{
		ext_nsp = get_namespace_oid(TSOV_SCHEMA, true);
		if (OidIsValid(ext_nsp))
		{
			Oid			extoid = get_extension_oid(TSOV_NAME, true);

			cache.registry_relid = get_relname_relid("domain", ext_nsp);
			(void) tsov_scan_committed(cache.registry_relid, registry_row, NULL);
			cache.publishes = palloc0(sizeof(bool) * Max(1, cache.ndomains * cache.ndomains));
			cache.publishes_all = palloc0(sizeof(bool) * Max(1, cache.ndomains));
			(void) tsov_scan_committed(get_relname_relid("api", ext_nsp), api_row, NULL);
			(void) tsov_scan_committed(get_relname_relid("shared_table", ext_nsp), shared_row, NULL);
			if (OidIsValid(extoid))
				load_extension_functions(extoid);
		}
		else
		{
			cache.publishes = palloc0(sizeof(bool));
			cache.publishes_all = palloc0(sizeof(bool));
		}
	}
	TSOV_INTERNAL_END();

	MemoryContextSwitchTo(oldcxt);
}

static inline void
ensure_valid(void)
{
	if (!cache_valid)
		rebuild();
}

/* ----------------------------------------------------------------
 * Lookups
 * ---------------------------------------------------------------- */

const TsovDomain *
tsov_domain_of_namespace(Oid nspoid)
{
	OidIdx	   *e;

	if (!OidIsValid(nspoid))
		return NULL;
	ensure_valid();
	if (cache.ndomains == 0)
		return NULL;
	e = hash_search(cache.by_nsp, &nspoid, HASH_FIND, NULL);
	Assert(e == NULL || (e->idx >= 0 && e->idx < cache.ndomains));
	return e ? &cache.domains[e->idx] : NULL;
}

const TsovDomain *
tsov_domain_by_name(const char *name)
{
	int			i;

	if (name == NULL)
		return NULL;
	ensure_valid();
	i = domain_index_by_name(name);
	Assert(i < cache.ndomains);
	return i >= 0 ? &cache.domains[i] : NULL;
}

bool
tsov_domains_exist(void)
{
	ensure_valid();
	return cache.ndomains > 0;
}

const TsovDomain *
tsov_conflict_domain(void)
{
	return &conflict_domain;
}

Oid
tsov_registry_relid(void)
{
	ensure_valid();
	return cache.registry_relid;
}

/* For tsov_role_walk(): the domain index of a domain's own role, or -1. */
static int
domain_index_of_domrole(Oid roleid)
{
	OidIdx	   *e = hash_search(cache.by_domrole, &roleid, HASH_FIND, NULL);

	return e ? e->idx : -1;
}

static void
compute_role(Oid roleid, TsovRoleInfo *info)
{
	bool		several;
	int			idx = tsov_role_walk(roleid, domain_index_of_domrole, &several);

	memset(info, 0, sizeof(*info));
	if (several)
	{
		info->domain = &conflict_domain;
		info->several = true;
	}
	else if (idx >= 0)
	{
		Assert(idx < cache.ndomains);
		info->domain = &cache.domains[idx];
	}
	tsov_role_attributes(roleid, info);
}

const TsovRoleInfo *
tsov_role_info(Oid roleid)
{
	RoleEntry  *e;
	bool		found;
	TsovRoleInfo info;
	MemoryContext oldcxt;
	uint64		gen;

	for (;;)
	{
		ensure_valid();
		e = hash_search(cache.roles, &roleid, HASH_FIND, NULL);
		if (e)
			return &e->info;
		gen = generation;
		oldcxt = MemoryContextSwitchTo(cache.cxt);
		compute_role(roleid, &info);
		MemoryContextSwitchTo(oldcxt);
		/* the syscache lookups may have processed invalidations */
		ensure_valid();
		if (gen == generation)
			break;
	}
	e = hash_search(cache.roles, &roleid, HASH_ENTER, &found);
	e->info = info;
	return &e->info;
}

const TsovDomain *
tsov_domain_of_role(Oid roleid)
{
	return tsov_role_info(roleid)->domain;
}

const TsovFuncInfo *
tsov_func_info(Oid fnoid)
{
	FuncEntry  *e;
	bool		found;
	HeapTuple	tup;
	TsovFuncInfo info;
	MemoryContext oldcxt;

	uint64		gen;

retry:
	ensure_valid();
	e = hash_search(cache.funcs, &fnoid, HASH_FIND, NULL);
	if (e)
		return &e->info;
	gen = generation;

	memset(&info, 0, sizeof(info));
	oldcxt = MemoryContextSwitchTo(cache.cxt);
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fnoid));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);
		OidIdx	   *d;

		d = hash_search(cache.by_nsp, &p->pronamespace, HASH_FIND, NULL);
		/* facts read from the tuple (funcinfo.c); scratch memory goes
		 * with the caller's context */
		MemoryContextSwitchTo(oldcxt);
		tsov_funcinfo_facts(tup,
							hash_search(cache.ext_funcs, &fnoid, HASH_FIND, NULL) != NULL,
							d ? &cache.domains[d->idx] : NULL, &info);
		MemoryContextSwitchTo(cache.cxt);
		if (d)
		{
			ApiEntry   *api;

			api = hash_search(cache.apis, &fnoid, HASH_FIND, NULL);
			if (api)
			{
				ListCell   *lc;

				info.published_to_all = api->to_all;
				info.published = palloc(sizeof(char *) * Max(1, list_length(api->to)));
				foreach(lc, api->to)
					info.published[info.npublished++] = cache.domains[lfirst_int(lc)].name;
			}
		}
		ReleaseSysCache(tup);
	}
	MemoryContextSwitchTo(oldcxt);
	ensure_valid();
	if (gen != generation)
		goto retry;
	e = hash_search(cache.funcs, &fnoid, HASH_ENTER, &found);
	e->info = info;
	return &e->info;
}

bool
tsov_api_published(Oid fnoid, const TsovDomain *to)
{
	const TsovFuncInfo *f = tsov_func_info(fnoid);
	int			i;

	if (!f->api_safe || to == NULL || to == &conflict_domain)
		return false;
	if (f->published_to_all)
		return true;
	for (i = 0; i < f->npublished; i++)
		if (strcmp(f->published[i], to->name) == 0)
			return true;
	return false;
}

bool
tsov_domain_publishes_to(const TsovDomain *from, const TsovDomain *to)
{
	int			fi;
	int			ti;

	if (from == NULL || to == NULL || to == &conflict_domain)
		return false;
	ensure_valid();
	fi = domain_index_by_name(from->name);
	ti = domain_index_by_name(to->name);
	if (fi < 0 || ti < 0)
		return false;
	return cache.publishes_all[fi] || cache.publishes[fi * cache.ndomains + ti];
}

const char *
tsov_shared_table_column_name(Oid relid)
{
	SharedEntry *e;

	ensure_valid();
	if (hash_get_num_entries(cache.shared) == 0)
		return NULL;
	e = hash_search(cache.shared, &relid, HASH_FIND, NULL);
	return e ? NameStr(e->column) : NULL;
}

AttrNumber
tsov_shared_table_column(Oid relid)
{
	SharedEntry *e;

	ensure_valid();
	if (hash_get_num_entries(cache.shared) == 0)
		return 0;
	e = hash_search(cache.shared, &relid, HASH_FIND, NULL);
	return e ? e->attnum : 0;
}

/*
 * Statement-level trigger on the registry tables: make every backend drop
 * its cache when the transaction commits (a relcache invalidation of the
 * registry is transactional and broadcast at commit).
 */
PG_FUNCTION_INFO_V1(tsov_registry_changed);

Datum
tsov_registry_changed(PG_FUNCTION_ARGS)
{
	Oid			relid;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "tsov_registry_changed: not called by trigger manager");
	relid = tsov_registry_relid();
	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
	invalidate();
	return PointerGetDatum(NULL);
}
