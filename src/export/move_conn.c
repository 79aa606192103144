/*-------------------------------------------------------------------------
 *
 * move_conn.c
 *	  The libpq side of a live move (move.c): connections made, queries run
 *	  and progress polled without ever blocking the backend beyond reach.
 *
 * Every wait is on the backend's latch and the connection's socket
 * (WaitLatchOrSocket): postmaster death ends the backend; in interruptible
 * mode interrupts are served (a cancel or statement_timeout raises its
 * error, and the remote query is cancelled first, so that it does not go
 * on and commit behind the error); in undo mode (after an error, see
 * move_undo()) interrupts stay pending and each step is bounded by
 * MOVE_UNDO_MS.  A connection is made within MOVE_CONNECT_MS; a poll fails
 * when its progress text has not changed for MOVE_STALL_MS.  Failures are
 * errors naming the remote message, or WARNINGs in undo mode.
 *
 * Memory: results are copied into the caller's context and PGresults
 * cleared as soon as they are read (on an error too).
 *
 * IDENTIFICATION
 *	  src/export/move_conn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"

#include "export/move.h"

double
ms_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

/*
 * Wait for the socket (or a timeout of ms, -1: none) on the latch.  In
 * interruptible mode interrupts are served; otherwise (an undo, after an
 * error) they are left pending.  Returns false on timeout.
 */
static bool
move_wait_socket(PGconn *conn, int events, long ms, bool interruptible)
{
	int			rc;

	rc = WaitLatchOrSocket(MyLatch,
						   WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | events | (ms >= 0 ? WL_TIMEOUT : 0),
						   PQsocket(conn), ms, PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		if (interruptible)
			CHECK_FOR_INTERRUPTS();
	}
	return (rc & WL_TIMEOUT) == 0 || (rc & (events | WL_LATCH_SET)) != 0;
}

/*
 * Wait for a query's result, serving interrupts; an interrupt (an error)
 * cancels the remote query first, so that it does not go on (and commit)
 * behind the error.
 */
static void
move_wait_or_cancel(PGconn *conn)
{
	PG_TRY();
	{
		(void) move_wait_socket(conn, WL_SOCKET_READABLE, -1, true);
	}
	PG_CATCH();
	{
		PGcancel   *c = PQgetCancel(conn);
		char		errbuf[256];

		if (c != NULL)
		{
			(void) PQcancel(c, errbuf, sizeof(errbuf));
			PQfreeCancel(c);
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/* Connect without blocking; NULL (undo) or an error when it fails. */
PGconn *
move_connect(const char *conninfo, const char *what, bool interruptible)
{
	PGconn	   *conn = PQconnectStart(conninfo);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	while (conn != NULL && PQstatus(conn) != CONNECTION_BAD &&
		   st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		long		left = MOVE_CONNECT_MS - (long) ms_since(start);

		if (left <= 0)
			break;
		(void) move_wait_socket(conn, st == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE,
								Min(left, 1000), interruptible);
		st = PQconnectPoll(conn);
	}
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return conn;
	if (!interruptible)
	{
		ereport(WARNING,
				(errmsg("could not connect to the %s for the undo of a move: %s", what,
						conn ? pchomp(PQerrorMessage(conn)) : "out of memory")));
		PQfinish(conn);
		return NULL;
	}
	{
		char	   *msg = conn ? pchomp(PQerrorMessage(conn)) : pstrdup("out of memory");

		PQfinish(conn);
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to the %s of the move", what),
				 errdetail("%s", msg[0] ? msg : "The connection timed out."),
				 errhint("Check the connection string; the %s must accept a superuser connection.", what)));
	}
	return NULL;				/* not reached */
}

/*
 * A remote failure: an error (interruptible) or a WARNING and NULL (undo).
 * The remote error is relayed by its fields, not its formatted text: the
 * primary message, detail and hint become ours, so that each appears once,
 * and the remote SQLSTATE is kept where it is a real one.  Clears last.
 */
static PGresult *
move_relay_error(PGresult *last, PGconn *conn, const char *what, const char *sql, bool interruptible)
{
	char	   *primary = last ? PQresultErrorField(last, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char	   *state = last ? PQresultErrorField(last, PG_DIAG_SQLSTATE) : NULL;
	char	   *detail = last ? PQresultErrorField(last, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char	   *hint = last ? PQresultErrorField(last, PG_DIAG_MESSAGE_HINT) : NULL;
	char	   *msg;
	int			sqlstate = ERRCODE_SQL_ROUTINE_EXCEPTION;

	if (primary)
		msg = pstrdup(primary);
	else
		msg = pchomp(last ? PQresultErrorMessage(last) : conn ? PQerrorMessage(conn) : "no connection");
	if (state && strlen(state) == 5 && strncmp(state, "XX", 2) != 0)
		sqlstate = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	detail = detail ? pstrdup(detail) : NULL;
	hint = hint ? pstrdup(hint) : NULL;
	PQclear(last);
	if (!interruptible)
	{
		ereport(WARNING, (errmsg("undo of a move on the %s failed: %s", what, msg)));
		return NULL;
	}
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("move step on the %s failed: %s", what, msg),
			 detail ? errdetail("%s", detail) : errdetail("The statement was: %.200s", sql ? sql : "COPY"),
			 hint ? errhint("%s", hint) : 0));
	return NULL;				/* not reached */
}

/*
 * Run sql (one or more statements) and return the last result, or NULL
 * when it fails in undo mode.  In interruptible mode a failure is an
 * error naming the remote message; an interrupt cancels the remote query.
 */
PGresult *
move_exec(PGconn *conn, const char *what, const char *sql, bool interruptible)
{
	PGresult   *last = NULL;
	PGresult   *res;
	instr_time	start;
	bool		failed = false;

	INSTR_TIME_SET_CURRENT(start);
	if (conn == NULL || (sql != NULL && !PQsendQuery(conn, sql)))
		failed = true;
	while (!failed)
	{
		while (PQisBusy(conn))
		{
			if (!interruptible && ms_since(start) > MOVE_UNDO_MS)
			{
				failed = true;
				break;
			}
			if (interruptible)
				move_wait_or_cancel(conn);
			else
				(void) move_wait_socket(conn, WL_SOCKET_READABLE, 1000, false);
			if (!PQconsumeInput(conn))
			{
				failed = true;
				break;
			}
		}
		if (failed)
			break;
		res = PQgetResult(conn);
		if (res == NULL)
			break;
		if (PQresultStatus(res) == PGRES_COPY_IN)
		{
			PQclear(last);
			return res;			/* the caller sends the rows (move_copy_begin) */
		}
		if (PQresultStatus(res) == PGRES_FATAL_ERROR || PQresultStatus(res) == PGRES_BAD_RESPONSE)
		{
			PQclear(last);
			last = res;
			failed = true;
			while ((res = PQgetResult(conn)) != NULL)
				PQclear(res);
			break;
		}
		/* the last result with rows wins (a statement between BEGIN and COMMIT) */
		if (last != NULL && PQresultStatus(last) == PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
			PQclear(res);
		else
		{
			PQclear(last);
			last = res;
		}
	}
	if (!failed)
		return last;
	return move_relay_error(last, conn, what, sql, interruptible);
}

/* The first value of sql's result, palloc'd ("" for NULL). */
char *
move_value(PGconn *conn, const char *what, const char *sql)
{
	PGresult   *res = move_exec(conn, what, sql, true);
	char	   *v;

	Assert(res != NULL);
	v = pstrdup(PQntuples(res) > 0 && PQnfields(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return v;
}

void
move_run_sql(PGconn *conn, const char *what, const char *sql)
{
	PQclear(move_exec(conn, what, sql, true));
}

/*
 * sql in a transaction that opens the domain to the move's superuser
 * connections whatever privileged_access says (tec_break_glass: audited,
 * with the move as the reason).  sql must not end the transaction.
 */
char *
move_glass(const char *domain, const char *sql)
{
	return psprintf("BEGIN; SELECT pg_catalog.tec_break_glass(%s, %s); %s; COMMIT",
					quote_literal_cstr(domain),
					quote_literal_cstr(psprintf("live move of domain %s (tec_move_domain)", domain)), sql);
}

/* A conninfo value, quoted for libpq. */
char *
move_conninfo_value(const char *v)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoChar(&s, '\'');
	for (; *v; v++)
	{
		if (*v == '\'' || *v == '\\')
			appendStringInfoChar(&s, '\\');
		appendStringInfoChar(&s, *v);
	}
	appendStringInfoChar(&s, '\'');
	return s.data;
}

/*
 * Poll query (a boolean first column, a progress text second) on conn
 * every step ms until it answers true; an error when the progress text
 * has not changed for MOVE_STALL_MS.
 */
void
move_poll(PGconn *conn, const char *what, const char *query, long step, const char *waiting_for)
{
	char	   *progress = NULL;
	instr_time	since;

	INSTR_TIME_SET_CURRENT(since);
	for (;;)
	{
		PGresult   *res = move_exec(conn, what, query, true);
		bool		done = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		char	   *now = pstrdup(PQntuples(res) > 0 ? PQgetvalue(res, 0, 1) : "");
		char	   *error = pstrdup(PQntuples(res) > 0 && PQnfields(res) > 2 ? PQgetvalue(res, 0, 2) : "");

		PQclear(res);
		if (error[0] != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("live move failed while waiting for %s", waiting_for),
					 errdetail("%s", error),
					 errhint("See the target's server log; the move is undone.")));
		if (done)
			return;
		if (progress == NULL || strcmp(progress, now) != 0)
		{
			progress = now;
			INSTR_TIME_SET_CURRENT(since);
		}
		else if (ms_since(since) > MOVE_STALL_MS)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("live move stalled while waiting for %s", waiting_for),
					 errdetail("No progress in %d seconds (last seen: %s).", MOVE_STALL_MS / 1000, progress),
					 errhint("See the server logs of the source and the target; the move is undone.")));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, step, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Hand one row's value to each(), and clear it, also when each() fails. */
static void
move_stream_one(PGresult *res, void (*each) (const char *value, int len, void *arg), void *arg)
{
	PG_TRY();
	{
		each(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0), arg);
	}
	PG_CATCH();
	{
		PQclear(res);
		PG_RE_THROW();
	}
	PG_END_TRY();
	PQclear(res);
}

/*
 * Run sql and hand each value of its one-column result to each(), one row
 * at a time (libpq's single-row mode), so that a result of any size is
 * never held whole: the values of a value-per-call function such as
 * tec_export_domain() reach each() as the server produces them.
 * Interruptible, as move_exec(); an error is relayed as move_exec() does.
 */
void
move_stream(PGconn *conn, const char *what, const char *sql,
			void (*each) (const char *value, int len, void *arg), void *arg)
{
	PGresult   *res;
	PGresult   *last;

	if (!PQsendQuery(conn, sql) || !PQsetSingleRowMode(conn))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
	for (;;)
	{
		while (PQisBusy(conn))
		{
			move_wait_or_cancel(conn);
			if (!PQconsumeInput(conn))
				ereport(ERROR,
						(errcode(ERRCODE_CONNECTION_FAILURE),
						 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
		}
		res = PQgetResult(conn);
		if (res == NULL || PQresultStatus(res) != PGRES_SINGLE_TUPLE)
			break;
		move_stream_one(res, each, arg);
	}
	if (res == NULL)
		return;
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		PQclear(res);
		/* the end of the query's results */
		PQclear(move_exec(conn, what, NULL, true));
		return;
	}
	while ((last = PQgetResult(conn)) != NULL)
		PQclear(last);
	(void) move_relay_error(res, conn, what, sql, true);
}

/*
 * Send len bytes of COPY data, waiting on the latch (interruptibly) while
 * the socket is full rather than blocking in libpq: the connection is in
 * non-blocking mode for the length of its COPY (move_copy_begin/end).  The
 * data goes in pieces of MOVE_COPY_PIECE, each flushed before the next is
 * queued: libpq moves what it could not send to the front of its output
 * buffer after every partial send, so a buffer grown to megabytes costs a
 * copy of megabytes per socket write (this made streaming a trail of
 * 300 MB take 9 s, nearly all in memmove).
 */
#define MOVE_COPY_PIECE (64 * 1024)

static void
move_copy_flush(PGconn *conn, const char *what)
{
	int			r;

	while ((r = PQflush(conn)) == 1)
		(void) move_wait_socket(conn, WL_SOCKET_WRITEABLE, -1, true);
	if (r < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
}

void
move_copy_send(PGconn *conn, const char *what, const char *data, int len)
{
	while (len > 0)
	{
		int			n = Min(len, MOVE_COPY_PIECE);

		if (PQputCopyData(conn, data, n) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
		move_copy_flush(conn, what);
		data += n;
		len -= n;
	}
}

/* Start the COPY sql on conn (its result PGRES_COPY_IN), in non-blocking mode. */
void
move_copy_begin(PGconn *conn, const char *what, const char *sql)
{
	PGresult   *res = move_exec(conn, what, sql, true);

	Assert(res != NULL);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		PQclear(res);
		ereport(ERROR,
				(errcode(ERRCODE_SQL_ROUTINE_EXCEPTION),
				 errmsg("move step on the %s failed: the COPY did not start", what),
				 errdetail("The statement was: %.200s", sql)));
	}
	PQclear(res);
	if (PQsetnonblocking(conn, 1) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
}

/* End the COPY: everything flushed, blocking mode again, the COPY's result read. */
void
move_copy_end(PGconn *conn, const char *what)
{
	/* the buffer was flushed by move_copy_send(): the end message fits */
	if (PQputCopyEnd(conn, NULL) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
	move_copy_flush(conn, what);
	if (PQsetnonblocking(conn, 0) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the %s failed: %s", what, pchomp(PQerrorMessage(conn)))));
	PQclear(move_exec(conn, what, NULL, true));
}

/*
 * tec_sovereignty.conninfo_get(conninfo text, keyword text): the value
 * libpq reads for keyword in conninfo (NULL when unset), so that SQL can
 * say where a moved domain lives (placements, tec_connection_env()).
 */
PG_FUNCTION_INFO_V1(tsov_conninfo_get);
Datum
tsov_conninfo_get(PG_FUNCTION_ARGS)
{
	char	   *keyword = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(text_to_cstring(PG_GETARG_TEXT_PP(0)), &err);
	char	   *val = NULL;

	if (opts == NULL)
	{
		char	   *msg = pstrdup(err ? err : "out of memory");

		PQfreemem(err);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid connection string"),
				 errdetail("%s", pchomp(msg))));
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val != NULL)
			val = pstrdup(o->val);
	PQconninfoFree(opts);
	if (val == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(val));
}
