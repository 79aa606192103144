/*-------------------------------------------------------------------------
 *
 * move.c
 *	  A live move of a domain to another server: tec_move_domain() and
 *	  tec_cancel_move() (the SQL steps are in move.sql; the mark of a move
 *	  within one cluster is in move_mark.c).
 *
 * tec_move_domain(domain, target, source) moves a domain live to another
 * server on PostgreSQL's logical replication, and tec_cancel_move(domain)
 * undoes a move that did not complete.  The function opens two libpq
 * connections of its own: to the target, and back to this database (the
 * "loopback"), because the publication, the slot and the freeze must be
 * committed where other sessions (walsenders, writers) see them while the
 * caller's transaction is still running.  The steps are SQL functions of
 * move.sql; the order is here, the connections and the waits are in
 * move_conn.c (interruptible, bounded: see there), the audit trail's stream
 * in move_audit.c.  The steps that read or
 * change the domain's objects run in a transaction that calls
 * tec_break_glass() with the move as the reason, so that a move works, and
 * is audited as the move's, whatever privileged_access says on either side.
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

#include "commands/dbcommands.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "common/tsov.h"
#include "export/move.h"

/* ---- the live move ---- */


typedef struct MoveState
{
	const char *domain;
	const char *target;			/* conninfo: source -> target */
	const char *source;			/* conninfo: target -> source, and loopback */
	bool		with_audit;		/* carry the audit trail (the default) */
	char		name[NAMEDATALEN];	/* publication, slot, subscription */
	char	   *slots;			/* SQL condition on slot_name: the move's slot, and
								 * the table-sync slots of its subscription */
	int			ndeferred;		/* the target's indexes and constraints built
								 * after the copy (move_in_step) */
	PGconn	   *tgt;
	PGconn	   *src;
	PGconn	   *tga;			/* to the target: the audit trail's import,
								 * beside the copy (move_stream_audit) */
	char	   *audit_prologue; /* how its transaction begins */
	char	   *local_db;		/* the target's database OID when it is a
								 * database of this cluster, else NULL */
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
					move_conninfo_value(host), GetConfigOption("port", false, false),
					move_conninfo_value(get_database_name(MyDatabaseId)),
					move_conninfo_value(GetUserNameFromId(GetSessionUserId(), false)));
}

/*
 * The check of the target: PostgreSQL 15 with the extension preloaded, no
 * domain, schema or roles of the domain's name.  A database of this
 * cluster (same system identifier) shares the roles, which are then the
 * source's own: they are allowed there, marked at move_out_begin for that
 * database (move_mark.c), and taken over by the target's
 * tec_create_domain() only if tec_sovereignty.adopt_domain_roles() finds
 * them this domain's and held by no third database.  This very database
 * is refused.
 */
static void
move_check_target(MoveState *ms)
{
	const char *q = "SELECT pg_catalog.current_setting('server_version_num')::int / 10000,"
		" (SELECT count(*) FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'tec_sovereignty'),"
		" pg_catalog.current_setting('shared_preload_libraries') OPERATOR(pg_catalog.~) '(^|[\\s,])\"?tec_sovereignty\"?($|[\\s,])',"
		" (SELECT system_identifier FROM pg_catalog.pg_control_system()),"
		" (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())";
	PGresult   *t = move_exec(ms->tgt, "target", q, true);
	PGresult   *s = move_exec(ms->src, "source", q, true);
	char	   *sql;
	char	   *found;
	char	   *own_roles = "{}";

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
	{
		if (strcmp(PQgetvalue(t, 0, 4), PQgetvalue(s, 0, 4)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the target of the move is the database that holds domain \"%s\"", ms->domain),
					 errdetail("The target connection string leads back to database \"%s\" of this cluster.",
							   get_database_name(MyDatabaseId)),
					 errhint("Name another database in the target, e.g. 'dbname=life_db'.")));
		ms->local_db = pstrdup(PQgetvalue(t, 0, 4));
		/* roles are shared: those of this domain may be there, no others */
		own_roles = move_value(ms->src, "source",
							   psprintf("SELECT pg_catalog.array_agg(r.oid)::text FROM tec_sovereignty.domain d"
										"  JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) ANY (ARRAY[d.owner_role, d.writer_role, d.reader_role])"
										" WHERE d.name OPERATOR(pg_catalog.=) %s", lit(ms->domain)));
		if (own_roles[0] == '\0')
			own_roles = "{}";
	}
	PQclear(t);
	PQclear(s);
	sql = psprintf("SELECT pg_catalog.concat_ws(', ',"
				   " (SELECT 'domain ' || name FROM tec_sovereignty.domain WHERE name OPERATOR(pg_catalog.=) %s),"
				   " (SELECT 'schema ' || nspname FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) %s),"
				   " (SELECT 'roles ' || pg_catalog.string_agg(rolname, ', ') FROM pg_catalog.pg_roles"
				   "   WHERE rolname OPERATOR(pg_catalog.=) ANY (ARRAY[%s || '_owner', %s || '_writer', %s || '_reader'])"
				   "     AND oid OPERATOR(pg_catalog.<>) ALL (%s::pg_catalog.oid[])))",
				   lit(ms->domain), lit(ms->domain), lit(ms->domain), lit(ms->domain), lit(ms->domain), lit(own_roles));
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
	char	   *deferred;

	move_check_target(ms);
	/*
	 * The schema and every object, without data and without the audit trail
	 * (move_stream_audit sends it): the export's own script, small whatever
	 * the domain's size.  Taken before the source changes a replica identity
	 * for the move.
	 */
	script = move_value(ms->src, "source",
						psprintf("SELECT pg_catalog.string_agg(s, E'\\n') FROM pg_catalog.tec_export_domain(%s, false, false) s",
								 lit(ms->domain)));
	{
		/* the script's own transaction opens the domain it creates (ddl.c's prologue) */
		char	   *at = strstr(script, "\nSELECT tec_sovereignty.import_domain_settings(");
		char	   *eol = at ? strchr(at + 1, '\n') : NULL;
		char	   *create = strstr(script, "\nSELECT pg_catalog.tec_create_domain(");
		char	   *end = NULL;
		char	   *glass = psprintf("SELECT pg_catalog.tec_break_glass(%s, %s);", lit(ms->domain),
									 lit(psprintf("live move of domain %s (tec_move_domain)", ms->domain)));

		/* the script's last statements (ddl.c: export_build_ddl() without with_audit) */
		for (char *p = script; (p = strstr(p, "\nRESET ROLE;\nCOMMIT;")) != NULL; p++)
			end = p;
		if (eol == NULL || create == NULL || end == NULL || create > eol || end < eol)
			elog(ERROR, "unexpected export script layout for domain \"%s\"", ms->domain);
		*create = '\0';
		*eol = '\0';
		*end = '\0';
		/*
		 * The audit trail goes in a transaction of its own, on a connection of
		 * its own, streamed while the tables copy (move_stream_audit): it
		 * opens with the prologue's settings and takes the domain's registry
		 * row (move_in_audit), which audit_import() requires.
		 */
		ms->audit_prologue = psprintf("%s\nSELECT tec_sovereignty.move_in_audit(%s);\n%s", script,
									  lit(ms->domain), glass);
		/*
		 * The domain goes moving_in in the script's own transaction, so
		 * that it never exists on the target as an ordinary active domain:
		 * a cancel later on the target (tec_cancel_move) removes what it
		 * finds moving_in, and nothing else.
		 */
		script = psprintf("%s\n%s\n%s\n%s\nRESET ROLE;\nSELECT tec_sovereignty.move_in_begin(%s, %s);\nCOMMIT;\n",
						  script, create + 1, glass, eol + 1, lit(ms->domain), lit(ms->source));
	}
	ntables = move_value(ms->src, "source",
						 move_glass(ms->domain,
									psprintf("SELECT tec_sovereignty.move_out_begin(%s, %s, %s)", lit(ms->domain), lit(ms->target),
											 ms->local_db ? ms->local_db : "NULL")));
	ms->out_begun = true;
	ms->script_done = true;		/* the script is one transaction: all or nothing */
	move_run_sql(ms->tgt, "target", script);
	ms->in_begun = true;		/* move_in_begin() ran in the script's transaction */
	/* how many statements build them after the copy (kept on the target) */
	deferred = move_value(ms->tgt, "target",
						  move_glass(ms->domain,
									 psprintf("SELECT tec_sovereignty.move_in_step(%s, 'defer')", lit(ms->domain))));
	ms->ndeferred = atoi(deferred);
	move_phase(ms, "prepare",
			   psprintf("target checked; domain created there without data (%s tables) and without the indexes and constraints that slow the copy (%d statements deferred); source state moving",
						ntables, ms->ndeferred));
}

/*
 * The source's audit trail into the target, as the domain's prior history
 * (move_audit.c): streamed on a connection of its own, whose transaction
 * stays open until the cut-over commits it with the domain going active.
 */
static void
move_stream_audit(MoveState *ms)
{
	int64		bytes;

	move_audit_stream(ms->src, ms->target, ms->domain, ms->audit_prologue, &ms->tga, &bytes);
	move_phase(ms, "audit_stream",
			   psprintf("the source's audit trail streamed to the target (%.1f MB); its import runs there beside the copy",
						(double) bytes / (1024.0 * 1024.0)));
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
				 move_glass(ms->domain, psprintf("CREATE PUBLICATION %s FOR TABLES IN SCHEMA %s",
												 quote_identifier(ms->name), quote_identifier(ms->domain))));
	ms->published = true;
	/* created here, not by CREATE SUBSCRIPTION: it may be this cluster too */
	lsn = move_value(ms->src, "source",
					 psprintf("SELECT lsn FROM pg_catalog.pg_create_logical_replication_slot(%s, 'pgoutput')", lit(ms->name)));
	ms->slotted = true;
	/*
	 * synchronous_commit = local: the apply worker reports a change applied
	 * only once its commit is flushed on the target, and commits
	 * asynchronously by default, so that the slot's confirmed position, which
	 * the cut-over waits for, would trail by up to wal_writer_delay.
	 */
	move_run_sql(ms->tgt, "target",
				 move_glass(ms->domain,
							psprintf("CREATE SUBSCRIPTION %s CONNECTION %s PUBLICATION %s"
									 " WITH (create_slot = false, slot_name = %s, copy_data = true, enabled = true,"
									 " synchronous_commit = local)",
									 quote_identifier(ms->name), lit(ms->source), quote_identifier(ms->name), lit(ms->name))));
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

/*
 * After the copy and its catch-up: build on the target what move_in_defer()
 * left out, in one transaction (as the extension's break-glass, like every
 * step there), with room to sort in memory, then catch up again with what
 * the source wrote meanwhile (the build holds off the apply worker), so
 * that the write block does not include either.
 */
static void
move_build_deferred(MoveState *ms)
{
	if (ms->ndeferred > 0)
		move_run_sql(ms->tgt, "target",
					 move_glass(ms->domain, psprintf("SET LOCAL maintenance_work_mem = '256MB';\n"
													 "SELECT tec_sovereignty.move_in_step(%s, 'build')",
													 lit(ms->domain))));
	(void) move_catch_up(ms, 20);
	move_phase(ms, "indexes", psprintf("%d deferred statements (indexes, constraints, their comments) run on the target; caught up again", ms->ndeferred));
}

/*
 * The query for the per-table row counts of the domain, "table=n,...",
 * which source and target must agree on at the cut-over; NULL when the
 * domain has no table.  Built before the freeze: the tables of a domain
 * that is moving do not change (DDL on it is refused).
 */
static char *
move_count_query(PGconn *conn, const char *what, const char *domain)
{
	char	   *q = move_value(conn, what,
							   psprintf("SELECT pg_catalog.string_agg(pg_catalog.format('SELECT %%L || ''='' || count(*) FROM %%s', c.relname, c.oid::regclass), ' UNION ALL ' ORDER BY c.relname COLLATE \"C\")"
										"  FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(%s) AND c.relkind IN ('r', 'p')",
										lit(domain)));

	if (q[0] == '\0')
		return NULL;
	return move_glass(domain, psprintf("SELECT pg_catalog.string_agg(x, ',' ORDER BY x COLLATE \"C\") FROM (%s) t(x)", q));
}

/* Milliseconds since *t; *t becomes now (the steps of the write block). */
static double
move_step(instr_time *t)
{
	double		ms = ms_since(*t);

	INSTR_TIME_SET_CURRENT(*t);
	return ms;
}

/*
 * The write block: freeze the source, wait until the target applied its
 * last change, copy the sequences, compare the rows, and hand over (the
 * target active, then the source moved).  Its steps are timed in the
 * detail.  Everything that can be done outside it is: the count queries
 * are built before; both sides count at once (the target's query runs
 * while the source's does); the subscription is dropped after the
 * hand-over (cleanup), which is safe because the frozen source sends
 * nothing more and its apply worker has nothing left to apply, while
 * DROP SUBSCRIPTION waits for that worker to exit.
 */
static void
move_cut_over(MoveState *ms)
{
	instr_time	block;
	instr_time	t;
	double		steps[5];
	char	   *lsn;
	char	   *setvals;
	char	   *src_q = move_count_query(ms->src, "source", ms->domain);
	char	   *tgt_q = move_count_query(ms->tgt, "target", ms->domain);
	char	   *src_counts = "";
	char	   *tgt_counts = "";
	char	   *detail;

	INSTR_TIME_SET_CURRENT(block);
	t = block;
	move_run_sql(ms->src, "source",
				 move_glass(ms->domain, psprintf("SELECT tec_sovereignty.move_out_freeze(%s)", lit(ms->domain))));
	steps[0] = move_step(&t);
	lsn = move_catch_up(ms, 1);
	steps[1] = move_step(&t);
	setvals = move_value(ms->src, "source", move_glass(ms->domain,
						 psprintf("SELECT pg_catalog.string_agg(tec_sovereignty.export_setval(c.oid), E'\\n' ORDER BY c.oid)"
								  "  FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(%s)"
								  "   AND c.relkind OPERATOR(pg_catalog.=) 'S'", lit(ms->domain))));
	if (setvals[0] != '\0')
		move_run_sql(ms->tgt, "target", move_glass(ms->domain, setvals));
	steps[2] = move_step(&t);
	/* the target counts while the source does; move_undo() collects an unread result */
	if (tgt_q != NULL && !PQsendQuery(ms->tgt, tgt_q))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("move step on the target failed: %s", pchomp(PQerrorMessage(ms->tgt))),
				 errhint("The move is undone; see the target's server log.")));
	if (src_q != NULL)
		src_counts = move_value(ms->src, "source", src_q);
	if (tgt_q != NULL)
		tgt_counts = move_value(ms->tgt, "target", NULL);
	if (strcmp(src_counts, tgt_counts) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the target of the move does not hold the rows of domain \"%s\"", ms->domain),
				 errdetail("Rows per table on the frozen source: %s; on the target: %s.", src_counts, tgt_counts),
				 errhint("The move is undone; see the target's server log.")));
	steps[3] = move_step(&t);
	detail = psprintf("rows applied by the move's subscription, per table: %s; frozen at %s; %s", src_counts, lsn,
					  ms->with_audit ? "audit trail carried as the target's prior history"
					  : "audit trail left on the source (with_audit => false)");
	if (ms->tga != NULL)
	{
		/* active, and the trail imported, in one commit (move_audit_done) */
		move_run_sql(ms->tga, "target",
					 psprintf("SELECT tec_sovereignty.move_in_end(%s, true, %s);\nCOMMIT;", lit(ms->domain), lit(detail)));
		PQfinish(ms->tga);
		ms->tga = NULL;
	}
	else
		move_run_sql(ms->tgt, "target",
					 move_glass(ms->domain, psprintf("SELECT tec_sovereignty.move_in_end(%s, true, %s)", lit(ms->domain), lit(detail))));
	ms->target_active = true;
	move_run_sql(ms->src, "source",
				 move_glass(ms->domain, psprintf("SELECT tec_sovereignty.move_out_end(%s, true, %s)", lit(ms->domain), lit(detail))));
	ms->out_begun = false;
	steps[4] = move_step(&t);
	ms->phase_start = block;
	move_phase(ms, "write_block",
			   psprintf("writes refused from the freeze until the target was active (freeze %.0f ms, apply %.0f ms, sequences %.0f ms, row counts %.0f ms, states %.0f ms); %s",
						steps[0], steps[1], steps[2], steps[3], steps[4], detail));
}

/* After the hand-over: the subscription goes (its slot is dropped on the source). */
static void
move_drop_subscription(MoveState *ms)
{
	move_run_sql(ms->tgt, "target",
				 psprintf("ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET (slot_name = NONE); DROP SUBSCRIPTION %s",
						  quote_identifier(ms->name), quote_identifier(ms->name), quote_identifier(ms->name)));
	ms->subscribed = false;
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
	/* a query sent and not read (the cut-over's count), then */
	if (ms->tgt && PQtransactionStatus(ms->tgt) == PQTRANS_ACTIVE)
		PQclear(move_exec(ms->tgt, "target", NULL, false));
	/* a step that failed between BEGIN and COMMIT left its transaction open */
	if (ms->tgt && PQtransactionStatus(ms->tgt) != PQTRANS_IDLE)
		PQclear(move_exec(ms->tgt, "target", "ROLLBACK", false));
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
		PQclear(move_exec(ms->tgt, "target", move_glass(ms->domain,
						  psprintf("SELECT CASE WHEN d.state OPERATOR(pg_catalog.=) 'moving_in' THEN tec_sovereignty.move_in_end(d.name, false, %s)::text"
								   " ELSE pg_catalog.tec_drop_domain(d.name, force => true)::text END"
								   "  FROM tec_sovereignty.domain d WHERE d.name OPERATOR(pg_catalog.=) %s"
								   "   AND (d.state OPERATOR(pg_catalog.=) 'moving_in' OR %s)",
								   lit(why), lit(ms->domain), ms->script_done && !ms->in_begun ? "true" : "false")), false));
	}
	move_drop_source_side(ms, false);
	if (ms->src && ms->out_begun)
		PQclear(move_exec(ms->src, "source", move_glass(ms->domain,
						  psprintf("SELECT tec_sovereignty.move_out_end(d.name, false, %s) FROM tec_sovereignty.domain d"
								   " WHERE d.name OPERATOR(pg_catalog.=) %s AND d.state IN ('moving', 'move_cutover')",
								   lit(why), lit(ms->domain))), false));
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
		if (ms->tga != NULL)
		{
			/* the import rolls back: its transaction holds the domain's registry row */
			PGcancel   *c = PQgetCancel(ms->tga);
			char		errbuf[256];

			if (c != NULL)
			{
				(void) PQcancel(c, errbuf, sizeof(errbuf));
				PQfreeCancel(c);
			}
			PQfinish(ms->tga);
			ms->tga = NULL;
		}
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
	/*
	 * The trail's transaction on the target stays open until the cut-over
	 * (move_stream_audit).  Within one cluster it must begin after the
	 * copy: creating a logical slot (the move's, and each table-sync
	 * worker's) waits for every transaction of the cluster that is running.
	 */
	if (ms->with_audit && ms->local_db == NULL)
		move_stream_audit(ms);
	move_copy(ms);
	(void) move_catch_up(ms, 20);
	move_phase(ms, "catch_up", "the target applied every change up to the source's WAL position");
	if (ms->with_audit && ms->local_db != NULL)
		move_stream_audit(ms);
	move_build_deferred(ms);
	if (ms->with_audit)
	{
		move_audit_wait(ms->tga);
		(void) move_catch_up(ms, 20);
		move_phase(ms, "audit_trail", "the source's audit trail imported on the target as its prior history (it commits with the cut-over); caught up again");
	}
	move_cut_over(ms);
	move_drop_subscription(ms);
	move_drop_source_side(ms, true);
	move_phase(ms, "cleanup", psprintf("subscription %s dropped on the target, slot and publication on the source", ms->name));
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
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("with_audit must not be null"),
				 errhint("Pass true to carry the domain's audit trail to the target (the default), false to leave it on the source.")));
	ms.with_audit = PG_GETARG_BOOL(3);
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
