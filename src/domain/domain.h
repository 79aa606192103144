/*-------------------------------------------------------------------------
 *
 * domain.h
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
 *	  src/domain/domain.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_DOMAIN_DOMAIN_H
#define TSOV_DOMAIN_DOMAIN_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "nodes/pg_list.h"

#include "common/guc.h"
#include "common/tsov.h"

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
	bool		moving;			/* the state is a live move's (src/export/move.sql):
								 * move_cutover (TRANSFERRING), moved (TRANSFERRED) */
	bool		ddl_locked;		/* moving (source) or moving_in (target): state
								 * ACTIVE, but schema changes are refused, since
								 * logical replication does not carry them */
	bool		moving_in;		/* moving_in: the move's subscription writes */
	TsovAuditLevel audit_level;
} TsovDomain;

/* ---- domains (in cache.c) ---- */

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

/* ---- roles, functions, APIs, shared tables (in cache.c) ---- */

/* Per-role facts, cached; valid until the next invalidation. */
typedef struct TsovRoleInfo
{
	const TsovDomain *domain;	/* NULL: non-domain role */
	bool		several;		/* member of roles of more than one domain */
	bool		privileged;		/* superuser, pg_read/write_all_data, BYPASSRLS */
	bool		superuser;
	bool		bypassrls;
	uint32		powers;			/* TSOV_POWER_*: computed for domain roles only */
	bool		owner_member;	/* a direct member of its domain's owner role
								 * (not a domain role itself): acts as the owner */
} TsovRoleInfo;

extern const TsovRoleInfo *tsov_role_info(Oid roleid);

/*
 * Powers that let PostgreSQL bypass object privileges, reach other
 * sessions or change the server (principle 1: incompatible with domain
 * membership).  Attributes count on the role itself and on every role it
 * can SET ROLE to; predefined roles, database ownership and parameter
 * privileges through any membership.
 */
#define TSOV_POWER_SUPERUSER	0x0001
#define TSOV_POWER_REPLICATION	0x0002
#define TSOV_POWER_CREATEROLE	0x0004
#define TSOV_POWER_CREATEDB		0x0008
#define TSOV_POWER_BYPASSRLS	0x0010
#define TSOV_POWER_PREDEFINED	0x0020	/* pg_read_all_data, pg_monitor, ... */
#define TSOV_POWER_DATABASE		0x0040	/* owns a database */
#define TSOV_POWER_PARAMETER	0x0080	/* SET (not USERSET) or ALTER SYSTEM on a parameter */

/* in catalog.c: the powers roleid holds, and (if what) the first one named */
extern uint32 tsov_role_powers(Oid roleid, const char **what);

/* in catalog.c: the powers an attribute list (CREATE/ALTER ROLE) gives */
extern uint32 tsov_attribute_powers(List *options, const char **what);

/*
 * in catalog.c: the first of roleid and the roles that are (directly or
 * not) members of it for which fn returns true, or InvalidOid
 */
typedef bool (*tsov_role_pred) (Oid roleid, void *arg);
extern Oid	tsov_role_members_find(Oid roleid, tsov_role_pred fn, void *arg);

/*
 * in catalog.c: roleid and every role it is (directly or not) a member of,
 * whatever INHERIT says; from pg_auth_members (shared): no database needed
 */
extern List *tsov_role_member_of(Oid roleid);

/* in catalog.c: is a SET privilege on this parameter more than PUBLIC has? */
extern bool tsov_parameter_is_restricted(const char *name);

/* in cache.c: is there any domain in this database? */
extern bool tsov_domains_exist(void);

/* Pseudo-domain of roles that are members of several domains. */
extern const TsovDomain *tsov_conflict_domain(void);

/* Facts about one function, cached per function oid. */
typedef struct TsovFuncInfo
{
	Oid			nspoid;
	bool		extension_member;	/* its calls are the extension's own work */
	bool		prosecdef;
	Oid			owner;			/* proowner */
	bool		has_search_path;	/* SET search_path clause */
	bool		path_temp_last; /* ... naming pg_temp last */
	bool		api_safe;		/* SECURITY DEFINER, owned by the domain owner,
								 * SET search_path ending in pg_temp */
	bool		calls_sequence;	/* SQL body may call a checked built-in
								 * (nextval() & co, enforce/builtins.c):
								 * never inlined */
	Oid			extension_oid;	/* C function: the extension it is a
								 * member of, or InvalidOid */
	bool		published_to_all;
	int			npublished;		/* domains it is published to */
	char	  **published;		/* their names */
} TsovFuncInfo;

extern const TsovFuncInfo *tsov_func_info(Oid fnoid);

/* Is fn (of domain "owner") published to domain "to"? */
extern bool tsov_api_published(Oid fnoid, const TsovDomain *to);

/* Does domain "from" publish at least one API to domain "to"? */
extern bool tsov_domain_publishes_to(const TsovDomain *from, const TsovDomain *to);

/* Protected shared table: attnum of its domain column, or 0. */
extern AttrNumber tsov_shared_table_column(Oid relid);
/* ... and the name its domain column had when it was protected, or NULL */
extern const char *tsov_shared_table_column_name(Oid relid);
/* in registry.c: DROP of a protected shared table removes its registry row */
extern bool tsov_shared_table_forget(Oid relid, char **schema, char **name, char **column);

extern Oid	tsov_registry_relid(void);

/* in funcinfo.c: the facts read from the function's pg_proc tuple */
extern void tsov_funcinfo_set_checked_builtins(const Oid *oids, int n);
extern void tsov_funcinfo_facts(HeapTuple proctup, bool extension_member,
								const TsovDomain *dom, TsovFuncInfo *info);

/* ---- reading the extension's tables (in catalog.c) ---- */

/*
 * Read a table of the extension as of its latest committed state, the way
 * a catalog is read: allowed in parallel workers, no predicate locks.  fn
 * returns false to stop the scan; tsov_scan_committed() then returns false.
 */
typedef bool (*tsov_row_fn) (HeapTuple tup, TupleDesc desc, void *arg);
extern bool tsov_scan_committed(Oid relid, tsov_row_fn fn, void *arg);

/* in registry.c: the id of the move into domain under way here, or 0 */
extern int64 tsov_move_in_id(const char *domain);
/* in registry.c: where a moved domain lives now (its move's record) */
extern bool tsov_moved_to(const char *domain, char *buf, Size len);

/* in cache.c, from _PG_init: invalidation callbacks */
extern void tsov_domain_cache_init(void);

#endif							/* TSOV_DOMAIN_DOMAIN_H */
