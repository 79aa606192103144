/*-------------------------------------------------------------------------
 *
 * decision.h
 *	  The single rule of sovereignty, shared by every guard: may this role
 *	  do this action on this object of that domain?
 *
 * The guards (guard_exec.c, guard_utility.c, guard_object.c,
 * guard_fmgr.c) translate PostgreSQL's many statement shapes into calls of
 * tsov_check(); decision.c answers, records the audit event and raises the
 * 42501 error.  This header also carries the few domain-cache lookups that
 * go beyond the contract in domain_cache.h (roles, published APIs,
 * protected shared tables, extension functions): they are private to the
 * enforcement subsystem.
 *
 * IDENTIFICATION
 *	  src/decision.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_DECISION_H
#define TSOV_DECISION_H

#include "access/htup.h"

#include "domain_cache.h"

/* ---- domain cache extras (domain_cache.c) ---- */

/* Per-role facts, cached; valid until the next invalidation. */
typedef struct TsovRoleInfo
{
	const TsovDomain *domain;	/* NULL: non-domain role */
	bool		several;		/* member of roles of more than one domain */
	bool		privileged;		/* superuser, pg_read/write_all_data, BYPASSRLS */
	bool		superuser;
	bool		bypassrls;
} TsovRoleInfo;

extern const TsovRoleInfo *tsov_role_info(Oid roleid);

/* Pseudo-domain of roles that are members of several domains. */
extern const TsovDomain *tsov_conflict_domain(void);

/* Facts about one function, cached per function oid. */
typedef struct TsovFuncInfo
{
	Oid			nspoid;
	bool		extension_member;	/* raises tsov_internal_depth */
	bool		prosecdef;
	bool		api_safe;		/* SECURITY DEFINER, owned by the domain owner,
								 * SET search_path */
	bool		calls_sequence;	/* SQL body may call nextval() & co:
								 * never inlined (guard_sequence.c) */
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

extern Oid	tsov_registry_relid(void);

/* ---- the decision (decision.c) ---- */

/* What is touched: enough to name it; names are resolved only if needed. */
typedef struct TsovObject
{
	Oid			classid;		/* RelationRelationId, ProcedureRelationId, ... */
	Oid			objid;
	int32		subid;
	Oid			nspoid;			/* schema the object lives in */
	const char *kind;			/* "table", "function", ...; NULL: derive */
	const char *name;			/* qualified display name; NULL: derive */
} TsovObject;

/*
 * Check whether "role" (the role whose privileges PostgreSQL checks:
 * current user, view owner, ...) may perform "action" on obj, given the
 * session's principal (session user, or the domain of the published API
 * being executed).  Returns normally when allowed (recording the event as
 * the audit level wants), raises ERROR 42501 when denied (after recording
 * it durably).  In a domain in simulate mode, a would-be denial is recorded
 * as simulated and returns normally.
 */
extern void tsov_check(const char *action, bool is_write, Oid role,
					   const TsovObject *obj);

/*
 * Like tsov_check, but a denial (recorded durably, as a denial) is answered
 * with false instead of an error: for statements that skip what they may
 * not touch, such as a database-wide VACUUM.
 */
extern bool tsov_check_skip(const char *action, bool is_write, Oid role,
							const TsovObject *obj);

/*
 * tsov_check() of a relation given by OID when it is in a domain's schema;
 * returns false at once for any other relation (and for an OID that is no
 * longer a relation), true once the domain's relation was checked.
 */
extern bool tsov_check_relation(const char *action, bool is_write, Oid role,
								Oid relid);

/* Variant that also enforces "objects in a domain are owned by its owner". */
extern void tsov_check_owner_rule(const char *action, Oid creator, Oid owner,
								  const TsovObject *obj);

/* Raise a denial that is not about cross-domain access (fixed rules). */
extern void tsov_deny(const char *action, Oid role, const TsovObject *obj,
					  const char *message, const char *detail, const char *hint);

/* Like tsov_check, but only answers; no event, no error. */
extern bool tsov_would_allow(Oid role, Oid nspoid, bool is_write);

/* Shared tables protected by tec_protect_shared_table(). */
extern void tsov_check_shared(const char *action, bool is_write, Oid role,
							  Oid relid, Oid nspoid);

extern void tsov_audit_api_call(Oid role, const char *caller_domain,
								const char *domname, const TsovObject *obj,
								const char *api_name);

/* EXECUTE of a domain function: true when the call crosses through a
 * published API (guard_fmgr.c). */
extern bool tsov_check_execute(Oid fnoid, bool at_start, char *api_name_out,
							   char *caller_domain_out, char *api_domain_out);

extern bool tsov_glass_any_open(void);
extern bool tsov_glass_open_for(const char *domain);

/* While set, allowed and privileged accesses are not recorded. */
extern bool tsov_audit_quiet;

/* Is the session currently acting inside a published API? */
typedef struct TsovApiFrame
{
	char		api_domain_name[NAMEDATALEN];
	char		caller_domain_name[NAMEDATALEN];	/* "" when non-domain */
	char		api_name[2 * NAMEDATALEN + 2];
} TsovApiFrame;

extern void tsov_api_push(const char *api_domain, const char *caller_domain,
						  const char *api_name);
extern void tsov_api_pop(void);
extern int	tsov_api_depth(void);

/* The domain name of the session principal (NULL when non-domain). */
extern const char *tsov_principal_domain_name(void);

/* Break-glass: open a domain for the current transaction. */
extern void tsov_break_glass_open(const char *domain);

/* Command tag of the utility statement being run, for audit actions. */
extern const char *tsov_current_command;

/* Build a display name for an object (kind + qualified name). */
extern void tsov_describe_object(const TsovObject *obj, const char **kind,
								 const char **name);

/* GUC */
typedef enum
{
	TSOV_PRIV_AUDIT,
	TSOV_PRIV_DENY
} TsovPrivilegedAccess;
extern int	tsov_privileged_access;

/* ---- init functions, one per file ---- */
extern void tsov_decision_init(void);
extern void tsov_guard_exec_init(void);
extern void tsov_guard_utility_init(void);
extern void tsov_guard_object_init(void);
extern void tsov_guard_fmgr_init(void);
extern void tsov_guard_sequence_init(void);

/* Sequence functions with a run-time sequence (guard_sequence.c). */
extern bool tsov_sql_body_calls_sequence(HeapTuple proctup);
extern struct PlannedStmt *tsov_guard_call_args(struct PlannedStmt *pstmt);
extern void tsov_guard_copy_defaults(Oid relid, struct List *attnames);

/* guards skip work in these processes */
extern bool tsov_guards_active(void);

/*
 * True in a parallel worker while it starts the plan its leader sent: the
 * leader checked and audited that same plan (range table, function calls
 * at executor start) before launching the worker, so the guards stay out
 * of it instead of deciding and recording everything once per worker.
 * Statements the worker runs itself later (SPI in a parallel-safe
 * function) are checked in the worker like anywhere else.  Set by
 * guard_exec.c.
 */
extern bool tsov_worker_leader_plan;

#endif							/* TSOV_DECISION_H */
