/*-------------------------------------------------------------------------
 *
 * decision.h
 *	  The single rule of sovereignty (decision.c) and what follows from its
 *	  verdict (check.c): may these subjects do this action on this object
 *	  of that domain?
 *
 * The guards of this folder translate PostgreSQL's many statement shapes
 * into calls of tsov_check() and its variants; those build the subjects,
 * ask the rule and record the audit event or raise the 42501 error.  The
 * guards' entry points, called by src/hooks.c only, are in enforce.h.
 *
 * IDENTIFICATION
 *	  src/enforce/decision.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_ENFORCE_DECISION_H
#define TSOV_ENFORCE_DECISION_H

#include "common/state.h"
#include "domain/domain.h"

/* ---- the rule (in decision.c): pure, no event, no error ---- */

/* Who acts, built by tsov_subjects() and nowhere else. */
typedef struct TsovSubjects
{
	Oid			checked;		/* the role whose privileges PostgreSQL checks:
								 * current user, view owner, definer */
	int			nprincipals;
	Oid			principals[2];	/* session user, authenticated user (those
								 * that differ from checked); none inside an
								 * API */
	const TsovApiFrame *api;	/* innermost published API, or NULL */
} TsovSubjects;

/* Verdicts, from best to worst for the sovereignty ones. */
typedef enum TsovVerdictKind
{
	TSOV_V_OK,					/* every subject belongs to the domain */
	TSOV_V_PRIVILEGED,			/* privileged non-domain subject, allowed */
	TSOV_V_CROSS,				/* a subject of another domain */
	TSOV_V_NONDOMAIN,			/* an unprivileged non-domain subject */
	TSOV_V_SEVERAL,				/* a subject in several domains */
	TSOV_V_POWER,				/* a domain subject holding a power that
								 * bypasses the rule (TSOV_POWER_*) */
	TSOV_V_PRIVILEGED_DENIED,	/* privileged, but privileged_access = deny */
	TSOV_V_TRANSFERRED,			/* domain transferred: everything refused */
	TSOV_V_TRANSFERRING,		/* domain being transferred: write refused */
	TSOV_V_DDL_LOCKED,			/* domain being moved live: schema changes
								 * refused (55006) */
	TSOV_V_RLS_BYPASS			/* shared table: subject would bypass RLS */
} TsovVerdictKind;

typedef struct TsovVerdict
{
	TsovVerdictKind kind;
	Oid			role;			/* the subject the verdict is about */
	char		subject_domain[NAMEDATALEN];	/* its domain, "" if none */
	bool		simulated;		/* a denial in a simulate-mode domain */
} TsovVerdict;

static inline bool
tsov_verdict_allows(const TsovVerdict *v)
{
	return v->kind == TSOV_V_OK || v->kind == TSOV_V_PRIVILEGED;
}

extern void tsov_subjects(Oid checked, TsovSubjects *s);
extern void tsov_verdict(const TsovSubjects *s, const TsovDomain *dom,
						 bool is_write, TsovVerdict *v);
extern void tsov_verdict_shared(const TsovSubjects *s, TsovVerdict *v);
extern void tsov_verdict_no_domain(const TsovSubjects *s, TsovVerdict *v);
extern const char *tsov_acting_domain(const TsovSubjects *s);
extern const char *tsov_subjects_domain(const TsovSubjects *s);
extern const TsovDomain *tsov_verdict_crossing(const TsovSubjects *s,
											   const TsovDomain *dom, Oid fnoid);
extern bool tsov_verdict_api_reach(const TsovSubjects *s, const TsovDomain *dom);
extern bool tsov_verdict_code_owner(const TsovSubjects *s, Oid owner,
									TsovVerdict *v);
extern bool tsov_verdict_apply_worker(const TsovDomain *dom, const char *subname,
									  bool owner_is_superuser);

/* ---- consequences (in check.c) ---- */

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
 * Check whether "role" (the role whose privileges PostgreSQL checks) may
 * perform "action" on obj.  Returns normally when allowed (recording the
 * event as the audit level wants), raises ERROR 42501 when denied (after
 * recording it durably).  In a domain in simulate mode, a would-be denial
 * is recorded as simulated and returns normally.
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

/* The row-level security predicate of shared tables (tec_row_visible). */
extern bool tsov_row_allowed(const char *domname);

/* A logical-replication worker about to write a domain's tables. */
extern void tsov_check_replication(Oid nspoid, const char *subname, Oid owner,
								   bool owner_is_superuser);

/* Record the crossing into a published API (EXECUTE by the caller). */
extern void tsov_audit_api_call(Oid role, const char *caller_domain,
								const char *domname, const TsovObject *obj,
								const char *api_name);

/* Build a display name for an object (kind + qualified name). */
extern void tsov_describe_object(const TsovObject *obj, const char **kind,
								 const char **name);

/* in check.c, from _PG_init: invalidation callbacks of the name cache */
extern void tsov_check_init(void);

/* ---- shared by the guards of this folder ---- */

/* in fmgr.c: EXECUTE of a domain function; true when it crosses through
 * a published API (then the names are filled) */
extern bool tsov_check_execute(Oid fnoid, bool at_start, char *api_name_out,
							   char *caller_domain_out, char *api_domain_out);

/* in builtins.c: checked built-ins outside the planner (CALL, COPY FROM) */
extern struct PlannedStmt *tsov_guard_call_args(struct PlannedStmt *pstmt);
extern void tsov_guard_copy_defaults(Oid relid, struct List *attnames);

/* in builtins_check.c: LISTEN, NOTIFY, pg_notify() on a channel */
extern void tsov_check_channel(const char *action, bool is_write,
							   const char *channel);

#endif							/* TSOV_ENFORCE_DECISION_H */
