/*-------------------------------------------------------------------------
 *
 * move.c
 *	  The cluster-wide mark of a domain moving to another database of the
 *	  same cluster.
 *
 * Roles are shared by every database of a cluster, the domain registry is
 * not: a database cannot read which domains another one holds.  When a
 * domain moves from database A to database B of the same cluster, the
 * import into B finds the domain's three roles already there, and must
 * tell "A hands these roles over to me" from "another database's domain
 * roles, which I must never capture".  tec_transfer_domain(), in A, when
 * its destination names a database of this cluster, labels each of the
 * three roles in pg_shseclabel under the provider TSOV_MOVE_PROVIDER with
 * "source=<A's oid>;destination=<B's oid>"; tec_create_domain() in B takes
 * the roles over only when that label names B (src/export/move.sql,
 * tec_sovereignty.adopt_domain_roles).  The label is shared (readable from
 * every database) and no SQL statement can write it: no security label
 * provider of that name is registered, so SECURITY LABEL FOR it fails
 * with "provider is not loaded", whoever runs it.  DROP ROLE removes it.
 *
 * tec_move_domain(domain, target, source) moves a domain live to another
 * server on PostgreSQL's logical replication, and tec_cancel_move(domain)
 * undoes a move that did not complete.  The function opens two libpq
 * connections of its own: to the target, and back to this database (the
 * "loopback"), because the publication, the slot and the freeze must be
 * committed where other sessions (walsenders, writers) see them while the
 * caller's transaction is still running.  The steps are SQL functions of
 * move.sql; the order and the waits are here.  Every wait is on the
 * backend's latch and the connection's socket: interrupts (a cancel,
 * statement_timeout) are served, postmaster death ends the backend, and a
 * stalled copy or catch-up (no progress for MOVE_STALL_MS) fails the move.
 * A failure before the target is active undoes the move on both sides
 * (move_undo(), with bounded waits and no interrupts, after the error was
 * copied), then re-raises the error.
 *
 * Memory: everything is allocated in the function's context (the SRF's
 * per-query memory); PGresults are cleared as soon as they are read.
 *
 * IDENTIFICATION
 *	  src/export/move.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "commands/seclabel.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "common/tsov.h"

#define TSOV_MOVE_PROVIDER	TSOV_NAME ".transfer"

/*
 * tec_sovereignty.mark_transfer(role regrole, label text): set the move
 * label of role, or remove it when label is NULL.  EXECUTE is revoked from
 * PUBLIC; the check below keeps it superuser-only even if someone grants
 * it, since the label decides who may take a domain's roles over.
 */
PG_FUNCTION_INFO_V1(tsov_mark_transfer);
Datum
tsov_mark_transfer(PG_FUNCTION_ARGS)
{
	Oid			role;
	ObjectAddress addr;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to mark a domain role for a move"),
				 errdetail("The mark decides which database may take a domain's roles over; only superusers set it."),
				 errhint("Start the move with tec_transfer_domain() as a superuser.")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("role must not be null")));
	role = PG_GETARG_OID(0);
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", role)));

	ObjectAddressSet(addr, AuthIdRelationId, role);
	SetSecurityLabel(&addr, TSOV_MOVE_PROVIDER,
					 PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}

/* ---- the live move ---- */

#define MOVE_CONNECT_MS		30000	/* a connection is made within this */
#define MOVE_STALL_MS		120000	/* copy or catch-up without progress: failed */
#define MOVE_UNDO_MS		10000	/* each step of an undo */

typedef struct MoveState
{
	const char *domain;
	const char *target;			/* conninfo: source -> target */
	const char *source;			/* conninfo: target -> source, and loopback */
	char		name[NAMEDATALEN];	/* publication, slot, subscription */
	char	   *slots;			/* SQL condition on slot_name: the move's slot, and
								 * the table-sync slots of its subscription */
	PGconn	   *tgt;
	PGconn	   *src;
	/* what exists, for move_undo() */
	bool		out_begun;		/* source state moving (or move_cutover) */
	bool		script_done;	/* target domain created */
	bool		in_begun;		/* target state moving_in */
	bool		published;
	bool		slotted;
	bool		subscribed;
	bool		target_active;	/* point of no return passed */
	ReturnSetInfo *rsinfo;
	instr_time	phase_start;
} MoveState;

static double
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
static PGconn *
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
 * Run sql (one or more statements) and return the last result, or NULL
 * when it fails in undo mode.  In interruptible mode a failure is an
 * error naming the remote message; an interrupt cancels the remote query.
 */
static PGresult *
move_exec(PGconn *conn, const char *what, const char *sql, bool interruptible)
{
	PGresult   *last = NULL;
	PGresult   *res;
	instr_time	start;
	bool		failed = false;

	INSTR_TIME_SET_CURRENT(start);
	if (conn == NULL || !PQsendQuery(conn, sql))
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
		if (PQresultStatus(res) == PGRES_FATAL_ERROR || PQresultStatus(res) == PGRES_BAD_RESPONSE)
		{
			PQclear(last);
			last = res;
			failed = true;
			while ((res = PQgetResult(conn)) != NULL)
				PQclear(res);
			break;
		}
		PQclear(last);
		last = res;
	}
	if (!failed)
		return last;
	{
		char	   *msg = pchomp(last ? PQresultErrorMessage(last) : conn ? PQerrorMessage(conn) : "no connection");
		char	   *detail = last ? PQresultErrorField(last, PG_DIAG_MESSAGE_DETAIL) : NULL;
		char	   *hint = last ? PQresultErrorField(last, PG_DIAG_MESSAGE_HINT) : NULL;

		detail = detail ? pstrdup(detail) : NULL;
		hint = hint ? pstrdup(hint) : NULL;
		PQclear(last);
		if (!interruptible)
		{
			ereport(WARNING, (errmsg("undo of a move on the %s failed: %s", what, msg)));
			return NULL;
		}
		ereport(ERROR,
				(errcode(ERRCODE_SQL_ROUTINE_EXCEPTION),
				 errmsg("move step on the %s failed: %s", what, msg),
				 detail ? errdetail("%s", detail) : errdetail("The statement was: %.200s", sql),
				 hint ? errhint("%s", hint) : 0));
	}
	return NULL;				/* not reached */
}

/* The first value of sql's result, palloc'd ("" for NULL). */
static char *
move_value(PGconn *conn, const char *what, const char *sql)
{
	PGresult   *res = move_exec(conn, what, sql, true);
	char	   *v;

	Assert(res != NULL);
	v = pstrdup(PQntuples(res) > 0 && PQnfields(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return v;
}

static void
move_run_sql(PGconn *conn, const char *what, const char *sql)
{
	PQclear(move_exec(conn, what, sql, true));
}

static void
move_phase(MoveState *ms, const char *phase, const char *detail)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = CStringGetTextDatum(phase);
	values[1] = Float8GetDatum(ms_since(ms->phase_start));
	values[2] = CStringGetTextDatum(detail);
	tuplestore_putvalues(ms->rsinfo->setResult, ms->rsinfo->setDesc, values, nulls);
	INSTR_TIME_SET_CURRENT(ms->phase_start);
}

/* A literal for SQL sent to the peers. */
static const char *
lit(const char *s)
{
	return quote_literal_cstr(s);
}

/* A conninfo value, quoted for libpq. */
static char *
conninfo_value(const char *v)
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
 * How the target reaches this server when the caller does not say: the
 * first Unix-socket directory of this server (or localhost), its port,
 * this database, the session user.
 */
static char *
move_default_source(void)
{
	const char *dirs = GetConfigOption("unix_socket_directories", false, false);
	char	   *host = pstrdup(dirs && dirs[0] ? dirs : "localhost");
	char	   *comma = strchr(host, ',');

	if (comma)
		*comma = '\0';
	return psprintf("host=%s port=%s dbname=%s user=%s",
					conninfo_value(host), GetConfigOption("port", false, false),
					conninfo_value(get_database_name(MyDatabaseId)),
					conninfo_value(GetUserNameFromId(GetSessionUserId(), false)));
}

/*
 * Poll query (a boolean first column, a progress text second) on conn
 * every step ms until it answers true; an error when the progress text
 * has not changed for MOVE_STALL_MS.
 */
static void
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

/* The check of the target: PostgreSQL 15 with the extension preloaded, another cluster, nothing of the domain. */
static void
move_check_target(MoveState *ms)
{
	const char *q = "SELECT pg_catalog.current_setting('server_version_num')::int / 10000,"
		" (SELECT count(*) FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'tec_sovereignty'),"
		" pg_catalog.current_setting('shared_preload_libraries') OPERATOR(pg_catalog.~) '(^|[\\s,])\"?tec_sovereignty\"?($|[\\s,])',"
		" (SELECT system_identifier FROM pg_catalog.pg_control_system())";
	PGresult   *t = move_exec(ms->tgt, "target", q, true);
	PGresult   *s = move_exec(ms->src, "source", q, true);
	char	   *sql;
	char	   *found;

	if (strcmp(PQgetvalue(t, 0, 0), "15") != 0 || strcmp(PQgetvalue(t, 0, 1), "1") != 0 ||
		strcmp(PQgetvalue(t, 0, 2), "t") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the target of the move is not ready for domain \"%s\"", ms->domain),
				 errdetail("It must run PostgreSQL 15 (it runs major version %s), have the extension installed (%s) and preloaded (%s).",
						   PQgetvalue(t, 0, 0), strcmp(PQgetvalue(t, 0, 1), "1") == 0 ? "yes" : "no",
						   strcmp(PQgetvalue(t, 0, 2), "t") == 0 ? "yes" : "no"),
				 errhint("On the target: shared_preload_libraries = 'tec_sovereignty', a restart, CREATE EXTENSION tec_sovereignty.")));
	if (strcmp(PQgetvalue(t, 0, 3), PQgetvalue(s, 0, 3)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the target of the move is a database of this cluster"),
				 errdetail("tec_move_domain() moves a domain to another server; within a cluster the domain's roles are shared."),
				 errhint("Move it with tec_transfer_domain('%s', to_owner, '<database>'), tec_export_domain() and an import there, which takes the roles over.",
						 ms->domain)));
	PQclear(t);
	PQclear(s);
	sql = psprintf("SELECT pg_catalog.concat_ws(', ',"
				   " (SELECT 'domain ' || name FROM tec_sovereignty.domain WHERE name OPERATOR(pg_catalog.=) %s),"
				   " (SELECT 'schema ' || nspname FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) %s),"
				   " (SELECT 'roles ' || pg_catalog.string_agg(rolname, ', ') FROM pg_catalog.pg_roles"
				   "   WHERE rolname OPERATOR(pg_catalog.=) ANY (ARRAY[%s || '_owner', %s || '_writer', %s || '_reader'])))",
				   lit(ms->domain), lit(ms->domain), lit(ms->domain), lit(ms->domain), lit(ms->domain));
	found = move_value(ms->tgt, "target", sql);
	if (found[0] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("the target of the move already has objects of domain \"%s\"", ms->domain),
				 errdetail("Found: %s.", found),
				 errhint("Drop them on the target, or move the domain elsewhere.")));
}

static void
move_prepare(MoveState *ms)
{
	char	   *script;
	char	   *ntables;

	move_check_target(ms);
	/* the schema and every object, no data: the export's own script */
	script = move_value(ms->src, "source",
						psprintf("SELECT pg_catalog.string_agg(s, E'\\n') FROM pg_catalog.tec_export_domain(%s, false, false) s",
								 lit(ms->domain)));
	ntables = move_value(ms->src, "source",
						 psprintf("SELECT tec_sovereignty.move_out_begin(%s, %s)", lit(ms->domain), lit(ms->target)));
	ms->out_begun = true;
	ms->script_done = true;		/* the script is one transaction: all or nothing */
	move_run_sql(ms->tgt, "target", script);
	move_run_sql(ms->tgt, "target",
				 psprintf("SELECT tec_sovereignty.move_in_begin(%s, %s)", lit(ms->domain), lit(ms->source)));
	ms->in_begun = true;
	move_phase(ms, "prepare", psprintf("target checked; domain created there without data (%s tables); source state moving", ntables));
}

/* The slots of the move, once the subscription's OID (subid) is known. */
static void
move_slots(MoveState *ms, const char *subid)
{
	ms->slots = psprintf("(slot_name OPERATOR(pg_catalog.=) %s%s%s%s)", lit(ms->name),
						 subid[0] ? " OR slot_name OPERATOR(pg_catalog.~~) " : "",
						 subid[0] ? lit(psprintf("pg\\_%s\\_sync\\_%%", subid)) : "", "");
}

static void
move_copy(MoveState *ms)
{
	char	   *lsn;

	move_run_sql(ms->src, "source",
				 psprintf("CREATE PUBLICATION %s FOR TABLES IN SCHEMA %s",
						  quote_identifier(ms->name), quote_identifier(ms->domain)));
	ms->published = true;
	/* created here, not by CREATE SUBSCRIPTION: it may be this cluster too */
	lsn = move_value(ms->src, "source",
					 psprintf("SELECT lsn FROM pg_catalog.pg_create_logical_replication_slot(%s, 'pgoutput')", lit(ms->name)));
	ms->slotted = true;
	move_run_sql(ms->tgt, "target",
				 psprintf("CREATE SUBSCRIPTION %s CONNECTION %s PUBLICATION %s"
						  " WITH (create_slot = false, slot_name = %s, copy_data = true, enabled = true)",
						  quote_identifier(ms->name), lit(ms->source), quote_identifier(ms->name), lit(ms->name)));
	ms->subscribed = true;
	move_slots(ms, move_value(ms->tgt, "target",
							  psprintf("SELECT oid FROM pg_catalog.pg_subscription WHERE subname OPERATOR(pg_catalog.=) %s",
									   lit(ms->name))));
	/* every table ready (srsubstate 'r'); an apply or sync error fails the move */
	move_poll(ms->tgt, "target",
			  psprintf("SELECT r.total OPERATOR(pg_catalog.>) 0 AND r.ready OPERATOR(pg_catalog.=) r.total,"
					   "   r.ready || '/' || r.total || ' tables ready',"
					   "   CASE WHEN COALESCE(e.errors, 0) OPERATOR(pg_catalog.>) 0"
					   "        THEN pg_catalog.format('The subscription on the target reported %%s apply or copy errors.', e.errors) END"
					   "  FROM (SELECT count(*) FILTER (WHERE x.srsubstate OPERATOR(pg_catalog.=) 'r') AS ready, count(*) AS total"
					   "          FROM pg_catalog.pg_subscription_rel x JOIN pg_catalog.pg_subscription s ON s.oid OPERATOR(pg_catalog.=) x.srsubid"
					   "         WHERE s.subname OPERATOR(pg_catalog.=) %s) r"
					   "  LEFT JOIN (SELECT apply_error_count + sync_error_count AS errors FROM pg_catalog.pg_stat_subscription_stats"
					   "              WHERE subname OPERATOR(pg_catalog.=) %s) e ON true",
					   lit(ms->name), lit(ms->name)),
			  20, "the initial copy of every table");
	move_phase(ms, "copy", psprintf("initial copy done (publication and slot %s, consistent from %s)", ms->name, lsn));
}

/* Wait until the target confirmed every change up to the source's current WAL position. */
static char *
move_catch_up(MoveState *ms, long step)
{
	char	   *lsn = move_value(ms->src, "source", "SELECT pg_catalog.pg_current_wal_lsn()");

	move_poll(ms->src, "source",
			  psprintf("SELECT confirmed_flush_lsn OPERATOR(pg_catalog.>=) %s::pg_catalog.pg_lsn, confirmed_flush_lsn::text"
					   "  FROM pg_catalog.pg_replication_slots WHERE slot_name OPERATOR(pg_catalog.=) %s",
					   lit(lsn), lit(ms->name)),
			  step, "the target to apply the source's changes");
	return lsn;
}

/* Per-table row counts of the domain, "table=n,...": source and target must agree at the cut-over. */
static char *
move_counts(PGconn *conn, const char *what, const char *domain)
{
	char	   *q = move_value(conn, what,
							   psprintf("SELECT pg_catalog.string_agg(pg_catalog.format('SELECT %%L || ''='' || count(*) FROM %%s', c.relname, c.oid::regclass), ' UNION ALL ' ORDER BY c.relname COLLATE \"C\")"
										"  FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(%s) AND c.relkind IN ('r', 'p')",
										lit(domain)));

	if (q[0] == '\0')
		return q;
	return move_value(conn, what, psprintf("SELECT pg_catalog.string_agg(x, ',') FROM (%s) t(x)", q));
}

static void
move_cut_over(MoveState *ms)
{
	instr_time	block;
	char	   *lsn;
	char	   *setvals;
	char	   *src_counts;
	char	   *tgt_counts;
	char	   *detail;

	INSTR_TIME_SET_CURRENT(block);
	move_run_sql(ms->src, "source", psprintf("SELECT tec_sovereignty.move_out_freeze(%s)", lit(ms->domain)));
	lsn = move_catch_up(ms, 1);
	setvals = move_value(ms->src, "source",
						 psprintf("SELECT pg_catalog.string_agg(tec_sovereignty.export_setval(c.oid), E'\\n' ORDER BY c.oid)"
								  "  FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(%s)"
								  "   AND c.relkind OPERATOR(pg_catalog.=) 'S'", lit(ms->domain)));
	move_run_sql(ms->tgt, "target",
				 psprintf("ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET (slot_name = NONE); DROP SUBSCRIPTION %s",
						  quote_identifier(ms->name), quote_identifier(ms->name), quote_identifier(ms->name)));
	ms->subscribed = false;
	if (setvals[0] != '\0')
		move_run_sql(ms->tgt, "target", setvals);
	src_counts = move_counts(ms->src, "source", ms->domain);
	tgt_counts = move_counts(ms->tgt, "target", ms->domain);
	if (strcmp(src_counts, tgt_counts) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the target of the move does not hold the rows of domain \"%s\"", ms->domain),
				 errdetail("Rows per table on the frozen source: %s; on the target: %s.", src_counts, tgt_counts),
				 errhint("The move is undone; see the target's server log.")));
	detail = psprintf("rows applied by the move's subscription, per table: %s; frozen at %s", src_counts, lsn);
	move_run_sql(ms->tgt, "target",
				 psprintf("SELECT tec_sovereignty.move_in_end(%s, true, %s)", lit(ms->domain), lit(detail)));
	ms->target_active = true;
	move_run_sql(ms->src, "source",
				 psprintf("SELECT tec_sovereignty.move_out_end(%s, true, %s)", lit(ms->domain), lit(detail)));
	ms->out_begun = false;
	ms->phase_start = block;
	move_phase(ms, "write_block", psprintf("writes refused from the freeze until the target was active; %s", detail));
}

/*
 * Remove what the move made on the source: the slot (once its walsender
 * is gone), the publication; the domain active again unless the target
 * took over.  interruptible: as a step of a successful move.
 */
static void
move_drop_source_side(MoveState *ms, bool interruptible)
{
	if (ms->slotted && ms->src)
	{
		char	   *q;

		if (ms->slots == NULL)
			move_slots(ms, "");
		q = psprintf("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots"
					 " WHERE %s", ms->slots);
		/* their walsenders end when the subscription is gone (or the target) */
		for (int i = 0; i < MOVE_UNDO_MS / 50; i++)
		{
			PGresult   *r = move_exec(ms->src, "source",
									  psprintf("SELECT bool_or(active) FROM pg_catalog.pg_replication_slots WHERE %s",
											   ms->slots), interruptible);
			bool		active = r && PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;

			PQclear(r);
			if (!active)
				break;
			if (i == 0 && !ms->target_active)
				PQclear(move_exec(ms->src, "source",
								  psprintf("SELECT pg_catalog.pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots"
										   " WHERE %s AND active", ms->slots), interruptible));
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 50, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			if (interruptible)
				CHECK_FOR_INTERRUPTS();
		}
		PQclear(move_exec(ms->src, "source", q, interruptible));
		ms->slotted = false;
	}
	if (ms->published && ms->src)
	{
		PQclear(move_exec(ms->src, "source",
						  psprintf("DROP PUBLICATION IF EXISTS %s", quote_identifier(ms->name)), interruptible));
		ms->published = false;
	}
}

/* After an error: undo on both sides, bounded, without serving interrupts. */
static void
move_undo(MoveState *ms, const char *why)
{
	Assert(!ms->target_active);
	if (ms->tgt == NULL || PQstatus(ms->tgt) != CONNECTION_OK)
	{
		PQfinish(ms->tgt);
		ms->tgt = ms->target ? move_connect(ms->target, "target", false) : NULL;
	}
	if (ms->source != NULL &&
		(ms->src == NULL || PQstatus(ms->src) != CONNECTION_OK || PQtransactionStatus(ms->src) != PQTRANS_IDLE))
	{
		PQfinish(ms->src);
		ms->src = move_connect(ms->source, "source", false);
	}
	if (ms->tgt && ms->subscribed && ms->slots == NULL)
	{
		PGresult   *r = move_exec(ms->tgt, "target",
								  psprintf("SELECT oid FROM pg_catalog.pg_subscription WHERE subname OPERATOR(pg_catalog.=) %s",
										   lit(ms->name)), false);

		move_slots(ms, r && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
		PQclear(r);
	}
	if (ms->tgt && (ms->subscribed || ms->in_begun || ms->script_done))
	{
		/* the subscription without its slot (dropped on the source), then the domain */
		PQclear(move_exec(ms->tgt, "target",
						  psprintf("DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname OPERATOR(pg_catalog.=) %s) THEN"
								   " ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET (slot_name = NONE); END IF; END$$;"
								   " DROP SUBSCRIPTION IF EXISTS %s",
								   lit(ms->name), quote_identifier(ms->name), quote_identifier(ms->name), quote_identifier(ms->name)), false));
		PQclear(move_exec(ms->tgt, "target",
						  psprintf("SELECT CASE WHEN d.state OPERATOR(pg_catalog.=) 'moving_in' THEN tec_sovereignty.move_in_end(d.name, false, %s)::text"
								   " ELSE pg_catalog.tec_drop_domain(d.name, force => true)::text END"
								   "  FROM tec_sovereignty.domain d WHERE d.name OPERATOR(pg_catalog.=) %s"
								   "   AND (d.state OPERATOR(pg_catalog.=) 'moving_in' OR %s)",
								   lit(why), lit(ms->domain), ms->script_done && !ms->in_begun ? "true" : "false"), false));
	}
	move_drop_source_side(ms, false);
	if (ms->src && ms->out_begun)
		PQclear(move_exec(ms->src, "source",
						  psprintf("SELECT tec_sovereignty.move_out_end(d.name, false, %s) FROM tec_sovereignty.domain d"
								   " WHERE d.name OPERATOR(pg_catalog.=) %s AND d.state IN ('moving', 'move_cutover')",
								   lit(why), lit(ms->domain)), false));
}

static void
move_init(MoveState *ms, const char *domain)
{
	const char *p;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to move a domain"),
				 errdetail("A live move copies a whole domain to another server; only superusers start or cancel one.")));
	/* the names made from it are safe as they are: a domain name (lifecycle.sql) */
	for (p = domain; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (p > domain && ((*p >= '0' && *p <= '9') || *p == '_'))))
			break;
	if (*p != '\0' || p == domain || strlen(domain) > 48)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid domain name \"%s\"", domain)));
	ms->domain = domain;
	snprintf(ms->name, sizeof(ms->name), "tsov_move_%s", domain);
	INSTR_TIME_SET_CURRENT(ms->phase_start);
}

/* Run fn; on an error, undo what the move made, then raise the error again. */
static void
move_guarded(MoveState *ms, void (*fn) (MoveState *))
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		fn(ms);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (!ms->target_active)
			move_undo(ms, edata->message);
		PQfinish(ms->tgt);
		PQfinish(ms->src);
		ms->tgt = ms->src = NULL;
		ReThrowError(edata);
	}
	PG_END_TRY();
}

static void
move_all(MoveState *ms)
{
	ms->tgt = move_connect(ms->target, "target", true);
	ms->src = move_connect(ms->source, "source", true);
	move_prepare(ms);
	move_copy(ms);
	(void) move_catch_up(ms, 20);
	move_phase(ms, "catch_up", "the target applied every change up to the source's WAL position");
	move_cut_over(ms);
	move_drop_source_side(ms, true);
	move_phase(ms, "cleanup", psprintf("slot and publication %s dropped on the source", ms->name));
}

/*
 * tec_move_domain(domain text, target text, source text DEFAULT NULL)
 * RETURNS TABLE (phase text, duration_ms double precision, detail text)
 */
PG_FUNCTION_INFO_V1(tsov_move_domain);
Datum
tsov_move_domain(PG_FUNCTION_ARGS)
{
	MoveState	ms = {0};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("domain and target must not be null"),
				 errhint("Pass the target as a libpq connection string to a superuser, e.g. 'host=db2.example dbname=tec user=postgres'.")));
	move_init(&ms, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	InitMaterializedSRF(fcinfo, 0);
	ms.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ms.target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ms.source = PG_ARGISNULL(2) ? move_default_source() : text_to_cstring(PG_GETARG_TEXT_PP(2));
	move_guarded(&ms, move_all);
	PQfinish(ms.tgt);
	PQfinish(ms.src);
	return (Datum) 0;
}

/* tec_cancel_move(domain): the undo of a move whose function did not finish. */
static void
move_cancel(MoveState *ms)
{
	char	   *target;

	ms->src = move_connect(ms->source, "source", true);
	/* the target of a move that could not undo itself here */
	if (strcmp(move_value(ms->src, "source",
						  psprintf("SELECT state FROM tec_sovereignty.domain WHERE name OPERATOR(pg_catalog.=) %s",
								   lit(ms->domain))), "moving_in") == 0)
	{
		ms->tgt = ms->src;
		ms->src = NULL;
		ms->source = NULL;
		ms->in_begun = ms->subscribed = true;
		move_undo(ms, "cancelled with tec_cancel_move() on the target");
		return;
	}
	target = move_value(ms->src, "source",
						psprintf("SELECT m.peer_conninfo FROM tec_sovereignty.move m JOIN tec_sovereignty.domain d"
								 "  ON d.name OPERATOR(pg_catalog.=) m.domain AND d.state IN ('moving', 'move_cutover')"
								 " WHERE m.domain OPERATOR(pg_catalog.=) %s AND m.direction OPERATOR(pg_catalog.=) 'out'"
								 "   AND m.state OPERATOR(pg_catalog.=) 'moving'", lit(ms->domain)));
	if (target[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("domain \"%s\" is not being moved", ms->domain),
				 errhint("See its state in tec_sovereignty.placements.")));
	ms->target = target;
	ms->out_begun = ms->in_begun = ms->subscribed = ms->published = ms->slotted = true;
	move_undo(ms, "cancelled with tec_cancel_move()");
}

PG_FUNCTION_INFO_V1(tsov_cancel_move);
Datum
tsov_cancel_move(PG_FUNCTION_ARGS)
{
	MoveState	ms = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("domain must not be null")));
	move_init(&ms, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	ms.source = move_default_source();
	move_guarded(&ms, move_cancel);
	PQfinish(ms.tgt);
	PQfinish(ms.src);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("move of domain \"%s\" cancelled", ms.domain)));
}
