/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Every setting of the extension, defined once, from _PG_init.
 *
 * All settings are PGC_SUSET or stricter: they change what is enforced or
 * recorded, so only a superuser (or postgresql.conf) may change them.  The
 * prefix is reserved by _PG_init (MarkGUCPrefixReserved) after this runs,
 * so that a misspelt tec_sovereignty.* setting is an error, not a silently
 * ignored placeholder.
 *
 * IDENTIFICATION
 *	  src/common/guc.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "common/guc.h"

int			tsov_privileged_access = TSOV_PRIV_AUDIT;
int			tsov_audit_level_guc = TSOV_AUDIT_ALL;
int			tsov_audit_statement_max = 4096;
int			tsov_audit_max_delay = 200;
int			tsov_audit_queue_kb = 8192;
int			tsov_audit_max_databases = 4;
int			tsov_audit_worker_idle = 2000;
int			tsov_audit_fail_timeout = 5000;
bool		tsov_audit_echo = false;

static const struct config_enum_entry privileged_options[] = {
	{"audit", TSOV_PRIV_AUDIT, false},
	{"deny", TSOV_PRIV_DENY, false},
	{NULL, 0, false}
};

static const struct config_enum_entry audit_level_options[] = {
	{"all", TSOV_AUDIT_ALL, false},
	{"write", TSOV_AUDIT_WRITE, false},
	{"denied", TSOV_AUDIT_DENIED, false},
	{"none", TSOV_AUDIT_NONE, false},
	{NULL, 0, false}
};

void
tsov_guc_init(void)
{
	DefineCustomEnumVariable(TSOV_NAME ".privileged_access",
							 "Whether non-domain superusers and data-reading roles may access domain objects.",
							 "'audit' allows it and records every such access as privileged; 'deny' refuses it unless tec_break_glass() opened the domain for the transaction.",
							 &tsov_privileged_access,
							 TSOV_PRIV_AUDIT,
							 privileged_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable(TSOV_NAME ".audit",
							 "Which accesses to domain objects are audited.",
							 "all: every access, reads included; write: writes, DDL, denials, privileged accesses and APIs; denied: denials and privileged accesses only; none: only what is always recorded (denials, break-glass, privileged). A domain can override it with tec_set_audit_level().",
							 &tsov_audit_level_guc, TSOV_AUDIT_ALL, audit_level_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_statement_max",
							"Bytes of the statement text kept in each audit row (0: none).",
							NULL, &tsov_audit_statement_max, 4096, 0, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_max_delay",
							"Longest time a read's audit event may wait in a backend or the queue before it is written.",
							"With wal_writer_delay (the writer commits asynchronously) this is also the loss window on a crash for reads; writes and denials are durable before they complete.",
							&tsov_audit_max_delay, 200, 10, 60000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_queue_size",
							"Size of the shared-memory audit queue of each database.",
							NULL, &tsov_audit_queue_kb, 8192, 256, 1024 * 1024,
							PGC_POSTMASTER, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_max_databases",
							"Number of databases that can produce audit events at the same time (one queue and one writer each).",
							NULL, &tsov_audit_max_databases, 4, 1, 64,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_worker_idle",
							"Time after which an idle audit writer exits (a new one starts with the next event).",
							"Short enough that DROP DATABASE, which waits up to 5 s for other sessions, is not blocked by the writer.",
							&tsov_audit_worker_idle, 2000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_fail_timeout",
							"Longest time a commit waits for an audit writer that is failing before it is refused.",
							"While the writer cannot write (it retries with back-off), a transaction that wrote domain data waits this long for its audit rows, then fails closed with an error; reads are not held up.",
							&tsov_audit_fail_timeout, 5000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomBoolVariable(TSOV_NAME ".audit_echo",
							 "Also report each audit event to the client as a NOTICE (for tests).",
							 NULL, &tsov_audit_echo, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);
}
