/*-------------------------------------------------------------------------
 *
 * domain_cache.h
 *	  Who belongs where: the per-backend cache of domains, their schemas and
 *	  their roles, built from the registry (tec_sovereignty.domain).
 *
 * Every guard asks these questions on every statement, so answers come from
 * backend memory; the cache is rebuilt lazily after an invalidation
 * (registry change, role membership change, schema change).  When it
 * cannot be built, the lookups raise an error rather than guess: callers
 * fail closed.
 *
 * IDENTIFICATION
 *	  src/domain_cache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_DOMAIN_CACHE_H
#define TSOV_DOMAIN_CACHE_H

#include "access/htup.h"
#include "access/tupdesc.h"

#include "tec_sovereignty.h"

typedef enum TsovAuditLevel
{
	TSOV_AUDIT_INHERIT = -1,	/* per-domain override not set: use the GUC */
	TSOV_AUDIT_NONE = 0,
	TSOV_AUDIT_DENIED,
	TSOV_AUDIT_WRITE,
	TSOV_AUDIT_ALL
} TsovAuditLevel;

typedef enum TsovDomainState
{
	TSOV_STATE_ACTIVE,
	TSOV_STATE_TRANSFERRING,	/* reads only: writes and DDL refused */
	TSOV_STATE_TRANSFERRED		/* everything refused except export */
} TsovDomainState;

typedef struct TsovDomain
{
	char		name[NAMEDATALEN];
	Oid			nspoid;
	Oid			owner_role;
	Oid			writer_role;
	Oid			reader_role;
	TsovDomainState state;
	bool		simulate;		/* enforcement = 'simulate' */
	TsovAuditLevel audit_level;
} TsovDomain;

/*
 * Lookups.  Results point into the cache and stay valid until the next
 * invalidation is processed (i.e. until the next catalog access): copy what
 * must survive longer.  NULL means "not a domain schema" / "non-domain role"
 * / "no such domain".  They never return a wrong answer from a stale cache,
 * and raise an error when the registry cannot be read.
 */
extern const TsovDomain *tsov_domain_of_namespace(Oid nspoid);
extern const TsovDomain *tsov_domain_of_role(Oid roleid);
extern const TsovDomain *tsov_domain_by_name(const char *name);

/*
 * Read a table of the extension as of its latest committed state, the way
 * a catalog is read: allowed in parallel workers, no predicate locks.  fn
 * returns false to stop the scan; tsov_scan_committed() then returns false.
 */
typedef bool (*tsov_row_fn) (HeapTuple tup, TupleDesc desc, void *arg);
extern bool tsov_scan_committed(Oid relid, tsov_row_fn fn, void *arg);

extern void tsov_domain_cache_init(void);	/* from _PG_init: callbacks */

#endif							/* TSOV_DOMAIN_CACHE_H */
