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
 * and resolves names to oids through the syscache (registry.c).  Role -> domain and
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

#include "catalog/pg_authid.h"
#include "catalog/pg_proc.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/catcache.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "common/state.h"
#include "domain/domain.h"
#include "domain/internal.h"


static TsovCache cache;
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

/*
 * Index of a domain by name: a hash lookup, not a scan, because the audit
 * level of the object's domain is asked for on every access.  The domain
 * asked for last is checked first (one strcmp: a workload mostly touches
 * one domain).
 */
static int
domain_index_by_name(const char *name)
{
	TsovNameIdx    *e;

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

/*
 * Rebuild everything from the registry (registry.c fills the new
 * generation).  A rebuild that fails leaves the cache invalid, so the next
 * lookup tries again instead of answering from a half-read registry (a
 * domain missing from the cache would be no domain at all).
 */
static void
rebuild(void)
{
	MemoryContext cxt;
	MemoryContext oldcxt;

	if (!IsTransactionState())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("tec_sovereignty cannot check access outside a transaction"),
				 errdetail("The domain registry is read inside a transaction only.")));

	/*
	 * Lives until the rebuild after next (old_cxt): a pointer obtained just
	 * before an invalidation is processed stays valid that long.
	 */
	cxt = AllocSetContextCreate(CacheMemoryContext, "tec_sovereignty domain cache",
								ALLOCSET_SMALL_SIZES);
	if (old_cxt)
		MemoryContextDelete(old_cxt);
	old_cxt = cache.cxt;

	memset(&cache, 0, sizeof(cache));
	cache.cxt = cxt;
	generation++;
	last_by_name = -1;
	oldcxt = MemoryContextSwitchTo(cxt);

	/*
	 * Marked valid first: invalidations processed during the scans (our own
	 * table locks accept them) then correctly mark it stale again.
	 */
	cache_valid = true;
	PG_TRY();
	{
		tsov_cache_load(&cache, cxt);
	}
	PG_CATCH();
	{
		cache_valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();

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
	TsovOidIdx	   *e;

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
	TsovOidIdx	   *e = hash_search(cache.by_domrole, &roleid, HASH_FIND, NULL);

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
	TsovRoleEntry  *e;
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
	TsovFuncEntry  *e;
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
		TsovOidIdx	   *d;

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
			TsovApiEntry   *api;

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
	TsovSharedEntry *e;

	ensure_valid();
	if (hash_get_num_entries(cache.shared) == 0)
		return NULL;
	e = hash_search(cache.shared, &relid, HASH_FIND, NULL);
	return e ? NameStr(e->column) : NULL;
}

AttrNumber
tsov_shared_table_column(Oid relid)
{
	TsovSharedEntry *e;

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
