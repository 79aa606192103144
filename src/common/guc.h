/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  Every setting of the extension (tec_sovereignty.*), defined in one
 *	  place: common/guc.c.
 *
 * Layer 0: includes nothing of the extension but common/tsov.h.  The
 * values are plain variables that PostgreSQL's GUC machinery assigns; the
 * enums their values take live here too, so that every layer can read
 * them.
 *
 * IDENTIFICATION
 *	  src/common/guc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_COMMON_GUC_H
#define TSOV_COMMON_GUC_H

#include "common/tsov.h"

/* Audit levels: the GUC tec_sovereignty.audit and per-domain overrides. */
typedef enum TsovAuditLevel
{
	TSOV_AUDIT_INHERIT = -1,	/* per-domain override not set: use the GUC */
	TSOV_AUDIT_NONE = 0,
	TSOV_AUDIT_DENIED,
	TSOV_AUDIT_WRITE,
	TSOV_AUDIT_ALL
} TsovAuditLevel;

/* tec_sovereignty.privileged_access */
typedef enum
{
	TSOV_PRIV_AUDIT,
	TSOV_PRIV_DENY
} TsovPrivilegedAccess;

/* in guc.c */
extern int	tsov_privileged_access;		/* TsovPrivilegedAccess */
extern int	tsov_audit_level_guc;		/* TsovAuditLevel */
extern int	tsov_audit_statement_max;	/* bytes of statement text kept */
extern int	tsov_audit_max_delay;		/* ms a read's event may wait */
extern int	tsov_audit_queue_kb;		/* ring size per database */
extern int	tsov_audit_max_databases;	/* channels */
extern int	tsov_audit_worker_idle;		/* ms before an idle writer exits */
extern int	tsov_audit_fail_timeout;	/* ms a commit waits for a failing writer */
extern int	tsov_audit_commit_timeout;	/* ms a commit waits for its rows at most */
extern bool tsov_audit_echo;			/* NOTICE per event (tests) */
extern char *tsov_audit_signing_key;	/* key file of signed digests */

extern char *tsov_parallel_context;		/* hidden: see common/state.h */
extern void tsov_guc_set_parallel_context(const char *value);

extern void tsov_guc_init(void);	/* from _PG_init, before anything else */

#endif							/* TSOV_COMMON_GUC_H */
