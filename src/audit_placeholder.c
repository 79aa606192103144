/*-------------------------------------------------------------------------
 *
 * audit_placeholder.c
 *	  TEMPORARY no-op implementation of audit.h, so that the enforcement
 *	  branch links on its own.  The audit subsystem (audit_*.c) replaces it:
 *	  DELETE THIS FILE WHEN MERGING the audit branch.
 *
 * IDENTIFICATION
 *	  src/audit_placeholder.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "audit.h"

void
tsov_audit_record(const TsovAuditEvent *ev)
{
}

bool
tsov_audit_wanted(const char *object_domain, bool is_write)
{
	return false;
}

void
tsov_audit_denial_recorded(void)
{
}

void
tsov_audit_init(void)
{
}
