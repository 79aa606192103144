/*-------------------------------------------------------------------------
 *
 * tec_sovereignty.c
 *	  Module entry point: refuses to load unless preloaded, then wires up
 *	  the layers (settings, caches, hooks; shared memory via hooks.c).
 *
 * The extension only works as a shared_preload_libraries module: its hooks
 * must be in place before any session touches a domain object, and the audit
 * queue lives in shared memory that can only be requested at postmaster
 * start.  Loading it any other way (CREATE EXTENSION, LOAD, a C function
 * call) therefore fails with an error that names the postgresql.conf line
 * to add, instead of half-working.
 *
 * This file only wires the layers together: the settings (common/guc.c),
 * the caches' invalidation callbacks (the only *_init functions, called
 * from here and nowhere else) and every hook slot (hooks.c).
 *
 * IDENTIFICATION
 *	  src/tec_sovereignty.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "common/guc.h"
#include "common/tsov.h"
#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"
#include "hooks.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

PG_FUNCTION_INFO_V1(tsov_library_version);

/*
 * _PG_init
 *		Refuse to run unless loaded from shared_preload_libraries; then
 *		settings, invalidation callbacks, hooks.
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

	/* settings first: the shared memory request reads them */
	tsov_guc_init();
	MarkGUCPrefixReserved(TSOV_NAME);

	/* invalidation callbacks of the caches, bottom layer first */
	tsov_domain_cache_init();
	tsov_check_init();
	tsov_builtins_init();

	/* every hook slot, once (hooks.c) */
	tsov_hooks_install();
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
