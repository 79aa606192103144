/*-------------------------------------------------------------------------
 *
 * tec_sovereignty.c
 *	  Module entry point: refuses to load unless preloaded, then wires up
 *	  every subsystem (GUCs, hooks, shared memory, background worker).
 *
 * The extension only works as a shared_preload_libraries module: its hooks
 * must be in place before any session touches a domain object, and the audit
 * queue lives in shared memory that can only be requested at postmaster
 * start.  Loading it any other way (CREATE EXTENSION, LOAD, a C function
 * call) therefore fails with an error that names the postgresql.conf line
 * to add, instead of half-working.
 *
 * This file only dispatches: each subsystem defines its own GUCs and
 * installs its own hooks from its *_init function.
 *
 * IDENTIFICATION
 *	  src/tec_sovereignty.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "audit.h"
#include "decision.h"
#include "domain_cache.h"
#include "tec_sovereignty.h"
#include "audit.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

int			tsov_internal_depth = 0;

static void tsov_xact_callback(XactEvent event, void *arg);

PG_FUNCTION_INFO_V1(tsov_library_version);

/*
 * _PG_init
 *		Refuse to run unless loaded from shared_preload_libraries.
 */
void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tec_sovereignty must be loaded via shared_preload_libraries"),
				 errdetail("The extension installs executor, utility and object access hooks, a shared-memory audit queue and a background worker, which can only be set up when the server starts."),
				 errhint("Add this line to postgresql.conf and restart the server: shared_preload_libraries = 'tec_sovereignty'")));

	RegisterXactCallback(tsov_xact_callback, NULL);

	/* Subsystems: each defines its GUCs and installs its hooks. */
	tsov_domain_cache_init();
	tsov_decision_init();
	tsov_guard_exec_init();
	tsov_guard_utility_init();
	tsov_guard_object_init();
	tsov_guard_fmgr_init();
	tsov_guard_sequence_init();
	tsov_audit_init();

	MarkGUCPrefixReserved(TSOV_NAME);
}

/*
 * A top-level abort ends whatever internal work was under way, even if the
 * code that raised tsov_internal_depth never got to lower it.
 */
static void
tsov_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		tsov_internal_depth = 0;
}

/*
 * tec_sovereignty.library_version() returns the version of the loaded
 * shared library, so that an install or upgrade script can be checked
 * against the binary actually running.
 */
Datum
tsov_library_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(TSOV_VERSION));
}
