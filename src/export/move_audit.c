/*-------------------------------------------------------------------------
 *
 * move_audit.c
 *	  The audit trail of a live move (move.c): the source's trail streamed
 *	  into the target's import, as the domain's prior history there.
 *
 * The source's tec_export_domain(with_audit => true) is read in libpq's
 * single-row mode (move_stream) and its audit section (the temporary
 * tables, the chain heads, the rows as one COPY, the audit_import() call)
 * goes to the target as it comes, one chunk of about 1 MB at a time, so
 * that a trail of any length passes through the moving backend.  The
 * target's transaction is left open after audit_import(): move.c commits
 * it at the cut-over, with the domain going active, so that a move that
 * fails before leaves no trail behind (an import cannot be undone later:
 * the trail is append-only).
 *
 * Memory: the statements and rows not yet sent are in two StringInfos of
 * the caller's context (the move's per-query memory), the rows flushed
 * every AUDIT_SEND_AT bytes; each value's PGresult is cleared once handled.
 *
 * IDENTIFICATION
 *	  src/export/move_audit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "export/move.h"

/*
 * What a stream has seen.  Of the export only its audit section is sent:
 * its DDL ran in move.c's prepare step, and the export of the rows is empty
 * (with_data => false).
 */
typedef struct AuditStream
{
	PGconn	   *tga;			/* to the target */
	bool		in_section;		/* past the DDL, in the audit section */
	bool		in_copy;		/* between a COPY line and its "\." */
	int64		bytes;			/* of the audit section sent */
	StringInfoData sql;			/* statements not yet sent */
	StringInfoData rows;		/* COPY data not yet sent */
} AuditStream;

#define AUDIT_SECTION	"RESET ROLE;\n-- The audit trail of the domain:"
#define AUDIT_SEND_AT	(1024 * 1024)

static void
audit_stream_rows_flush(AuditStream *as)
{
	if (as->rows.len > 0)
		move_copy_send(as->tga, "target", as->rows.data, as->rows.len);
	resetStringInfo(&as->rows);
}

/*
 * One value of the export: before the audit section, skipped; then line by
 * line (a value holds whole lines; psql would end each with a newline):
 * statements are gathered and run before each COPY, COPY data is sent, and
 * what follows the last COPY (the import call and COMMIT) is kept for
 * move_audit_stream() to send without waiting.
 */
static void
audit_stream_value(const char *value, int len, void *arg)
{
	AuditStream *as = (AuditStream *) arg;
	const char *p = value;
	const char *end = value + len;

	if (!as->in_section)
	{
		if (strncmp(value, AUDIT_SECTION, strlen(AUDIT_SECTION)) != 0)
			return;
		as->in_section = true;
	}
	as->bytes += len + 1;
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		int			n = (nl ? nl : end) - p;

		if (as->in_copy)
		{
			if (n == 2 && p[0] == '\\' && p[1] == '.')
			{
				audit_stream_rows_flush(as);
				move_copy_end(as->tga, "target");
				as->in_copy = false;
			}
			else
			{
				appendBinaryStringInfo(&as->rows, p, n);
				appendStringInfoChar(&as->rows, '\n');
				if (as->rows.len >= AUDIT_SEND_AT)
					audit_stream_rows_flush(as);
			}
		}
		else if (n > 5 + 12 && strncmp(p, "COPY ", 5) == 0 && strncmp(p + n - 12, " FROM stdin;", 12) == 0)
		{
			if (as->sql.len > 0)
				move_run_sql(as->tga, "target", as->sql.data);
			resetStringInfo(&as->sql);
			move_copy_begin(as->tga, "target", pnstrdup(p, n));
			as->in_copy = true;
		}
		else
		{
			appendBinaryStringInfo(&as->sql, p, n);
			appendStringInfoChar(&as->sql, '\n');
		}
		p += n + 1;
	}
	audit_stream_rows_flush(as);
}

/*
 * Stream the audit section of the source's tec_export_domain(domain,
 * with_data => false, with_audit => true) into a transaction on the target
 * that begins with prologue, and send the import call without waiting
 * (move_audit_wait reads it).  *tga is the target connection, set as soon
 * as it is made, so that the caller can cancel and close it whatever fails
 * later; *bytes the size of the section.
 */
void
move_audit_stream(PGconn *src, const char *target, const char *domain, const char *prologue,
				  PGconn **tga, int64 *bytes)
{
	AuditStream as;

	memset(&as, 0, sizeof(as));
	initStringInfo(&as.sql);
	initStringInfo(&as.rows);
	*tga = as.tga = move_connect(target, "target", true);
	/* its transaction stays open until the cut-over */
	move_run_sql(as.tga, "target", "SET idle_in_transaction_session_timeout = 0");
	move_run_sql(as.tga, "target", prologue);
	/* the trail as it stands now, the move's own events included */
	move_run_sql(src, "source", "SELECT pg_catalog.tec_audit_flush()");
	move_stream(src, "source",
				psprintf("SELECT pg_catalog.tec_export_domain(%s, false, true)", quote_literal_cstr(domain)),
				audit_stream_value, &as);
	/*
	 * What is left is audit_import() and COMMIT.  The COMMIT waits for the
	 * cut-over (move.c, move_cut_over), where the domain goes active in this
	 * same transaction: a move that fails or is cancelled before leaves no
	 * trail on the target, so that it can be tried again there.
	 */
	if (!as.in_section || as.in_copy || as.sql.len < (int) strlen("COMMIT;\n") ||
		strcmp(as.sql.data + as.sql.len - strlen("COMMIT;\n"), "COMMIT;\n") != 0)
		elog(ERROR, "unexpected export script layout for the audit trail of domain \"%s\"", domain);
	as.sql.data[as.sql.len - strlen("COMMIT;\n")] = '\0';
	if (!PQsendQuery(as.tga, as.sql.data))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the target failed: %s", pchomp(PQerrorMessage(as.tga)))));
	*bytes = as.bytes;
}

/*
 * Wait for the trail's import (move_audit_stream); its transaction stays
 * open, without its temporary tables, until the cut-over commits it.
 */
void
move_audit_wait(PGconn *tga)
{
	PQclear(move_exec(tga, "target", NULL, true));
	move_run_sql(tga, "target", "DROP TABLE pg_temp.tsov_audit_import_log, pg_temp.tsov_audit_import_chain");
}
