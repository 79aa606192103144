/*-------------------------------------------------------------------------
 *
 * builtins.h
 *	  Private to the checked built-ins (src/enforce/builtins*.c): what a
 *	  line of the table of checked built-ins says, and the call of a twin
 *	  the checks get.
 *
 * builtins.c holds the table, the planner rewrite and the twins' entry
 * point; builtins_check.c turns what a call's argument names into a call
 * of the rule (enforce/decision.h).
 *
 * IDENTIFICATION
 *	  src/enforce/builtins.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_ENFORCE_BUILTINS_H
#define TSOV_ENFORCE_BUILTINS_H

#include "fmgr.h"

/* What the checked argument of a built-in names. */
typedef enum TsovBuiltinTarget
{
	TB_SEQUENCE,				/* a sequence (regclass): twin only when not
								 * a constant */
	TB_RELATION,				/* a relation or index (regclass or oid) */
	TB_FUNCTION,				/* a function (oid) */
	TB_TRIGGER,					/* a trigger (oid): its table */
	TB_CONSTRAINT,				/* a constraint (oid): its schema */
	TB_RULE,					/* a rewrite rule (oid): its relation */
	TB_STATEXT,					/* an extended statistics object (oid) */
	TB_BACKEND,					/* a backend (pid): its role's domain */
	TB_LOCK_INT8,				/* an advisory lock key (bigint) */
	TB_LOCK_INT4,				/* an advisory lock key (int, int) */
	TB_CHANNEL,					/* a notification channel (text) */
	TB_PRIVILEGE,				/* has_*_privilege of a relation (oid), for
								 * the role of argument 0 when argno is 1:
								 * false when the rule denies it */
	TB_REFUSE					/* no twin: refused to domain roles */
} TsovBuiltinTarget;

/* One line of the table of checked built-ins (builtins.c). */
typedef struct TsovCheckedBuiltin
{
	Oid			builtin;		/* pg_proc oid of the built-in */
	TsovBuiltinTarget target;
	int8		argno;			/* the argument that names the object */
	bool		is_write;
	bool		hide;			/* a denial answers NULL, as PostgreSQL
								 * does for an object that does not exist,
								 * instead of an error */
	const char *action;			/* audit action */
} TsovCheckedBuiltin;

#define TSOV_TWIN_MAXARGS 4

/*
 * A call site of a twin (in the twin's fn_extra): the built-in, its own
 * FmgrInfo, and what the site let through last, so that a per-row call
 * costs one comparison after the first row.
 */
typedef struct TsovTwinCall
{
	const TsovCheckedBuiltin *builtin;
	FmgrInfo	finfo;			/* the built-in's */
	Oid			acl_user;		/* EXECUTE on the built-in checked for */
	bool		pass_valid;
	bool		pass_allowed;	/* the decision for pass_key */
	int64		pass_key;		/* object oid, pid, or lock key */
	Oid			pass_user;
	Oid			pass_session;
	int			pass_api_depth;
	Oid			lock_space;		/* domain schema of the key space used */
} TsovTwinCall;

/*
 * in builtins_check.c: check the call about to be made with the arguments
 * in "call" (an advisory lock key is moved into the domain's key space
 * there); false: answer NULL without calling the built-in.
 */
extern bool tsov_builtin_check(TsovTwinCall *tc, FunctionCallInfo call);

#endif							/* TSOV_ENFORCE_BUILTINS_H */
