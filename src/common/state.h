/*-------------------------------------------------------------------------
 *
 * state.h
 *	  The per-backend, per-transaction state every layer reads: the
 *	  extension's own work (internal depth), quiet and self-write switches,
 *	  the utility command being run, the frames of function calls (published
 *	  API crossings among them) and the domains opened by break-glass.
 *
 * One transaction callback (tsov_state_xact_event, called by hooks.c)
 * resets all of it at the end of a transaction, so that an error that
 * skipped the code lowering a switch never leaves it raised.  Code that
 * raises a switch for a stretch of work uses the TSOV_*_BEGIN / _END
 * pairs below, which restore the previous value on error too, instead of
 * writing its own PG_TRY block.
 *
 * The frame stack has one entry per function call the fmgr hook saw start
 * (FHET_START and FHET_END/ABORT nest strictly): the call either did
 * nothing, raised the internal depth (a function of the extension) or
 * crossed into a published API.  API frames are the entries of the latter
 * kind; the innermost one says which domain the session acts for.
 *
 * IDENTIFICATION
 *	  src/common/state.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_COMMON_STATE_H
#define TSOV_COMMON_STATE_H

#include "access/xact.h"

/* ---- switches (state.c) ---- */

/*
 * Greater than zero while the extension runs its own work (lifecycle and
 * export functions, the audit writer): the guards let it through and do
 * not audit it, so that the extension never recurses into itself.
 */
extern PGDLLIMPORT int tsov_internal_depth;

/* While set, allowed and privileged accesses are not recorded. */
extern bool tsov_audit_quiet;

/* Greater than zero while the audit code writes its own tables. */
extern int	tsov_audit_self_depth;

/* Command tag of the utility statement being run, for audit actions. */
extern const char *tsov_current_command;

/*
 * True while a utility statement that changes a schema runs (its guard
 * included): CREATE, ALTER, DROP, GRANT, COMMENT, SECURITY LABEL, ...
 * (PostgreSQL's log_statement = 'ddl' class, REFRESH MATERIALIZED VIEW
 * aside, which changes data).  The rule refuses such statements on a
 * domain a live move is copying (enforce/decision.c).  Set and restored,
 * on error too, by src/hooks.c around each utility statement.
 */
extern bool tsov_current_is_ddl;

/*
 * True in a parallel worker while it starts the plan its leader sent: the
 * leader checked and audited that same plan (range table, function calls
 * at executor start) before launching the worker, so the guards stay out
 * of it instead of deciding and recording everything once per worker.
 * Statements the worker runs itself later (SPI in a parallel-safe
 * function) are checked in the worker like anywhere else.  Set by
 * enforce/dml.c.
 */
extern bool tsov_worker_leader_plan;

/* Do the guards run in this process, now? */
extern bool tsov_guards_active(void);

/*
 * Run a stretch of the extension's own work: the guards let it through.
 * The depth is restored on error as well.  Use as
 *		TSOV_INTERNAL_BEGIN();
 *		{ ... }
 *		TSOV_INTERNAL_END();
 * (no return or goto out of the block, as with PG_TRY).
 */
#define TSOV_INTERNAL_BEGIN() \
	do { \
		int			tsov_saved_depth_ = tsov_internal_depth; \
		tsov_internal_depth++; \
		PG_TRY()

#define TSOV_INTERNAL_END() \
		PG_FINALLY(); \
		{ \
			tsov_internal_depth = tsov_saved_depth_; \
		} \
		PG_END_TRY(); \
	} while (0)

/* The same for tsov_audit_quiet, set to "value" for the block. */
#define TSOV_QUIET_BEGIN(value) \
	do { \
		bool		tsov_saved_quiet_ = tsov_audit_quiet; \
		tsov_audit_quiet = (value); \
		PG_TRY()

#define TSOV_QUIET_END() \
		PG_FINALLY(); \
		{ \
			tsov_audit_quiet = tsov_saved_quiet_; \
		} \
		PG_END_TRY(); \
	} while (0)

/* The same for the audit code's writes to its own tables. */
#define TSOV_AUDIT_SELF_BEGIN() \
	do { \
		int			tsov_saved_self_ = tsov_audit_self_depth; \
		tsov_audit_self_depth++; \
		PG_TRY()

#define TSOV_AUDIT_SELF_END() \
		PG_FINALLY(); \
		{ \
			tsov_audit_self_depth = tsov_saved_self_; \
		} \
		PG_END_TRY(); \
	} while (0)

/* ---- function-call frames and published-API frames (state.c) ---- */

typedef enum TsovFrameKind
{
	TSOV_FRAME_NONE,			/* a call the extension did nothing for */
	TSOV_FRAME_INTERNAL,		/* raised tsov_internal_depth */
	TSOV_FRAME_API				/* crossed into a published API */
} TsovFrameKind;

/* What an API frame says: the session acts for api_domain_name. */
typedef struct TsovApiFrame
{
	char		api_domain_name[NAMEDATALEN];
	char		caller_domain_name[NAMEDATALEN];	/* "" when non-domain */
	char		api_name[2 * NAMEDATALEN + 2];
} TsovApiFrame;

extern void tsov_frame_push(TsovFrameKind kind);
extern void tsov_frame_push_api(const char *api_domain, const char *caller_domain,
								const char *api_name);
extern void tsov_frame_pop(void);

/* The innermost API frame, or NULL outside any published API. */
extern const TsovApiFrame *tsov_api_current(void);
/* Number of API frames on the stack. */
extern int	tsov_api_depth(void);

/* ---- break-glass (state.c): domains opened for this transaction ---- */
extern void tsov_break_glass_open(const char *domain);
extern bool tsov_glass_open_for(const char *domain);
extern bool tsov_glass_any_open(void);

/*
 * ---- what a parallel worker inherits (state.c) ----
 * The leader's internal work, quiet switch, break-glass domains and API
 * frames travel to its workers as the hidden setting
 * tec_sovereignty.parallel_context (common/guc.c), which PostgreSQL copies
 * into every worker it launches.  tsov_state_serialize() gives the text
 * form ("" for nothing), tsov_state_restore() checks it (apply = false)
 * or installs it in a worker (apply = true); false means malformed.
 */
extern char *tsov_state_serialize(void);
extern bool tsov_state_restore(const char *text, bool apply);
/* from ExecutorRun_hook for a plan whose parallelModeNeeded is set */
extern void tsov_state_pass_to_workers(void);

/* ---- end of transaction (state.c), called from hooks.c ---- */
extern void tsov_state_xact_event(XactEvent event);

#endif							/* TSOV_COMMON_STATE_H */
