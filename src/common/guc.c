/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Every setting of the extension, defined once, from _PG_init.
 *
 * All settings are PGC_SUSET or stricter: they change what is enforced or
 * recorded, so only a superuser (or postgresql.conf) may change them.
 * PostgreSQL 15 lets a role granted SET ON PARAMETER (or a function's SET
 * clause run by it) set a PGC_SUSET setting too: the check hooks of the
 * PGC_SUSET settings refuse every value a non-superuser gives (SET,
 * set_config(), a function's SET clause, ALTER ROLE/DATABASE ... SET, the
 * startup packet), whatever was delegated.  Values from the configuration
 * files, from ALTER ROLE/DATABASE settings already in place (which a
 * superuser put there, checked when they were) and the extension's own
 * overrides are not refused.  The
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

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "common/guc.h"
#include "common/state.h"

int			tsov_privileged_access = TSOV_PRIV_AUDIT;
int			tsov_audit_level_guc = TSOV_AUDIT_ALL;
int			tsov_audit_statement_max = 4096;
int			tsov_audit_max_delay = 200;
int			tsov_audit_queue_kb = 8192;
int			tsov_audit_max_databases = 4;
int			tsov_audit_worker_idle = 2000;
int			tsov_audit_fail_timeout = 5000;
int			tsov_audit_commit_timeout = 30000;
bool		tsov_audit_echo = false;
char	   *tsov_audit_signing_key = NULL;
char	   *tsov_parallel_context = NULL;

/* true only while tsov_guc_set_parallel_context() sets the value */
static bool parallel_context_by_extension = false;

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

/*
 * May the value come from this source?  Only a superuser's, when the
 * source is the acting role (see the header).
 */
static bool
superuser_source(GucSource source)
{
	if (source != PGC_S_CLIENT && source != PGC_S_SESSION &&
		source != PGC_S_TEST && source != PGC_S_INTERACTIVE)
		return true;
	if (InitializingParallelWorker)
		return true;			/* the leader's values, checked there */
	if (IsTransactionState() && superuser())
		return true;
	GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
	GUC_check_errmsg("permission denied to set a setting of " TSOV_NAME);
	GUC_check_errdetail("The settings of " TSOV_NAME " decide what is enforced and recorded: only superusers change them, whatever was granted with GRANT SET ON PARAMETER.");
	GUC_check_errhint("Ask a superuser.");
	return false;
}

static bool
check_superuser_enum(int *newval, void **extra, GucSource source)
{
	return superuser_source(source);
}

static bool
check_superuser_int(int *newval, void **extra, GucSource source)
{
	return superuser_source(source);
}

static bool
check_superuser_bool(bool *newval, void **extra, GucSource source)
{
	return superuser_source(source);
}

/*
 * tec_sovereignty.parallel_context carries the leader's enforcement state
 * to its parallel workers (common/state.h).  Whoever could set it could
 * hand a worker an API frame or a break-glass domain: only the extension
 * itself sets it (tsov_guc_set_parallel_context), PostgreSQL copies it
 * into a starting worker, and the boot value is empty.  Every other
 * source is refused, superusers included; what a worker receives is
 * parsed here and a malformed value fails the worker's start.  (RESET
 * installs the empty value without asking this hook: that passes less,
 * never more, and the next parallel plan sets it again.)
 */
static bool
check_parallel_context(char **newval, void **extra, GucSource source)
{
	const char *v = *newval ? *newval : "";

	if (parallel_context_by_extension || InitializingParallelWorker)
	{
		if (tsov_state_restore(v, false))
			return true;
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("malformed " TSOV_NAME ".parallel_context");
		GUC_check_errdetail("A parallel worker received a sovereignty state it cannot read; it refuses to start.");
		return false;
	}
	if (source == PGC_S_DEFAULT && *v == '\0')
		return true;
	GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
	GUC_check_errmsg("permission denied to set " TSOV_NAME ".parallel_context");
	GUC_check_errdetail("The setting carries the published-API and break-glass state of a session to its parallel workers; only " TSOV_NAME " itself sets it.");
	return false;
}

void
tsov_guc_set_parallel_context(const char *value)
{
	Assert(!IsInParallelMode() && !IsParallelWorker());
	parallel_context_by_extension = true;
	PG_TRY();
	{
		(void) set_config_option(TSOV_NAME ".parallel_context", value,
								 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
								 true, ERROR, false);
	}
	PG_FINALLY();
	{
		parallel_context_by_extension = false;
	}
	PG_END_TRY();
}

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
							 check_superuser_enum, NULL, NULL);
	DefineCustomEnumVariable(TSOV_NAME ".audit",
							 "Which accesses to domain objects are audited.",
							 "all: every access, reads included; write: writes, DDL, denials, privileged accesses and APIs; denied: denials and privileged accesses only; none: only what is always recorded (denials, break-glass, privileged). A domain can override it with tec_set_audit_level().",
							 &tsov_audit_level_guc, TSOV_AUDIT_ALL, audit_level_options,
							 PGC_SUSET, 0, check_superuser_enum, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_statement_max",
							"Bytes of the statement text kept in each audit row (0: none).",
							NULL, &tsov_audit_statement_max, 4096, 0, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE, check_superuser_int, NULL, NULL);
	DefineCustomIntVariable(TSOV_NAME ".audit_max_delay",
							"Longest time a read's audit event may wait in a backend or the queue before it is written.",
							"With wal_writer_delay (the writer commits asynchronously) this is also the loss window on a crash for reads; writes and denials are durable before they complete.",
							&tsov_audit_max_delay, 200, 10, 60000,
							PGC_SUSET, GUC_UNIT_MS, check_superuser_int, NULL, NULL);
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
	/* issue 11, principle 7: no commit waits forever for its rows */
	DefineCustomIntVariable(TSOV_NAME ".audit_commit_timeout",
							"Longest time a commit waits for the audit writer to write its rows before it is refused.",
							"Bounds the wait whatever holds the writer up (a lock on the trail, a stopped writer); the transaction then fails closed and commits nothing.",
							&tsov_audit_commit_timeout, 30000, 100, 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	/* issue 16: signed digests; the file, never the key, is the setting */
	DefineCustomStringVariable(TSOV_NAME ".audit_signing_key",
							   "File with the Ed25519 key of the audit trail's signed digests.",
							   "Readable by the server's OS user only (mode 0600); empty: no digests are signed or checked.",
							   &tsov_audit_signing_key, "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomBoolVariable(TSOV_NAME ".audit_echo",
							 "Also report each audit event to the client as a NOTICE (for tests).",
							 NULL, &tsov_audit_echo, false,
							 PGC_SUSET, 0, check_superuser_bool, NULL, NULL);
	DefineCustomStringVariable(TSOV_NAME ".parallel_context",
							   "Internal: the enforcement state a parallel worker inherits from its leader.",
							   NULL, &tsov_parallel_context, "",
							   PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE |
							   GUC_DISALLOW_IN_FILE | GUC_NO_RESET_ALL,
							   check_parallel_context, NULL, NULL);
}
