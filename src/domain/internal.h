/*-------------------------------------------------------------------------
 *
 * internal.h
 *	  What the files of src/domain/ share among themselves and nobody
 *	  else uses.
 *
 * IDENTIFICATION
 *	  src/domain/internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_DOMAIN_INTERNAL_H
#define TSOV_DOMAIN_INTERNAL_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/palloc.h"

#include "domain/domain.h"

/* in catalog.c */
extern char *tsov_getattr_cstring(HeapTuple tup, TupleDesc desc,
								  const char *attname, bool *isnull);

/* domain index of a domain's own role (owner, writer, reader), or -1 */
typedef int (*tsov_domrole_fn) (Oid roleid);
extern int	tsov_role_walk(Oid roleid, tsov_domrole_fn domain_of_domrole,
						   bool *several_out);
extern void tsov_role_attributes(Oid roleid, TsovRoleInfo *info);

/* ---- the domain cache (cache.c owns it, registry.c fills it) ---- */

typedef struct TsovOidIdx
{
	Oid			oid;			/* hash key */
	int			idx;
} TsovOidIdx;

typedef struct TsovNameIdx
{
	char		name[NAMEDATALEN];	/* hash key */
	int			idx;
} TsovNameIdx;

typedef struct TsovRoleEntry
{
	Oid			roleid;			/* hash key */
	TsovRoleInfo info;
} TsovRoleEntry;

typedef struct TsovFuncEntry
{
	Oid			fnoid;			/* hash key */
	TsovFuncInfo info;
} TsovFuncEntry;

typedef struct TsovApiEntry
{
	Oid			fnoid;			/* hash key */
	bool		to_all;
	List	   *to;				/* of int domain indexes */
} TsovApiEntry;

typedef struct TsovSharedEntry
{
	Oid			relid;			/* hash key */
	AttrNumber	attnum;
	NameData	column;			/* the domain column's registered name */
} TsovSharedEntry;

typedef struct TsovCache
{
	MemoryContext cxt;
	int			ndomains;
	TsovDomain *domains;
	HTAB	   *by_nsp;			/* nspoid -> idx */
	HTAB	   *by_name;		/* domain name -> idx */
	HTAB	   *by_domrole;		/* owner/writer/reader oid -> idx */
	HTAB	   *roles;			/* roleid -> TsovRoleEntry (lazy) */
	HTAB	   *funcs;			/* fnoid -> TsovFuncEntry (lazy) */
	HTAB	   *apis;			/* fnoid -> TsovApiEntry */
	HTAB	   *ext_funcs;		/* fnoid set: members of the extension */
	HTAB	   *shared;			/* relid -> TsovSharedEntry */
	bool	   *publishes;		/* ndomains x ndomains: from publishes to */
	bool	   *publishes_all;	/* from publishes something to every domain */
	Oid			registry_relid;
} TsovCache;

/* in registry.c: fill a zeroed cache from the registry, in cxt */
extern void tsov_cache_load(TsovCache *c, MemoryContext cxt);

#endif							/* TSOV_DOMAIN_INTERNAL_H */
