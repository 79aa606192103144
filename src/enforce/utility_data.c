/*-------------------------------------------------------------------------
 *
 * utility_data.c
 *	  The utility guard's handlers for statements that reach a table's data
 *	  outside the executor (COPY, TRUNCATE, LOCK, the arguments of CALL)
 *	  and for those that open a path across the server's edge: COPY to or
 *	  from a server file or program, foreign servers, user mappings,
 *	  foreign tables, publications and subscriptions (data out), LOAD
 *	  (code in), and LISTEN / NOTIFY, whose channels are shared by the
 *	  whole database (a domain's channels are its own: builtins_check.c).
 *
 * A domain role may not open a path for data to leave the database
 * whatever was granted (data leaves a domain through tec_export_domain());
 * that is a fixed rule about who runs the statement, checked before the
 * statement's objects are.  Dispatched from the table in utility.c.
 *
 * IDENTIFICATION
 *	  src/enforce/utility_data.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/lockdefs.h"

#include "enforce/decision.h"
#include "enforce/utility.h"

/*
 * Refuse the statement when a domain role runs it: it would let data
 * leave the database.  "what" completes "permission denied ... to".
 */
static void
refuse_exit_path(const char *tag, const char *what, const char *hint)
{
	const char *d = tsov_util_actor_domain();

	if (d == NULL)
		return;
	tsov_deny(tag, GetUserId(), NULL,
			  psprintf("permission denied for role \"%s\" of domain \"%s\" to %s",
					   GetUserNameFromId(GetUserId(), false), d, what),
			  "Domain roles may not open a path for data to leave the database.",
			  hint);
}

/* Foreign servers, user mappings, ..., subscriptions: words from the table */
void
tsov_util_exit_path(TsovUtilityCall *call)
{
	Assert(call->what != NULL);
	refuse_exit_path(call->tag, call->what,
					 "Ask a database administrator; data leaves a domain through tec_export_domain().");
}

/*
 * COPY: to or from a server file or program is an exit path; the table is
 * checked as read (TO) or write (FROM), a denial recorded here (not the
 * allowed access); COPY FROM also checks the sequences its
 * column defaults would advance (builtins.c).
 */
void
tsov_util_copy(TsovUtilityCall *call)
{
	CopyStmt   *c = castNode(CopyStmt, call->stmt);
	TsovObject	obj;

	if (c->filename != NULL || c->is_program)
		refuse_exit_path("COPY",
						 psprintf("COPY %s a server %s",
								  c->is_from ? "from" : "to",
								  c->is_program ? "program" : "file"),
						 "Use COPY ... TO STDOUT / FROM STDIN through the client.");
	if (c->relation == NULL)
		return;
	tsov_util_check_rv(c->relation, "COPY", c->is_from, false);
	if (c->is_from && OidIsValid(tsov_util_rel_object(c->relation, &obj)))
		tsov_guard_copy_defaults(obj.objid, c->attlist);
}

void
tsov_util_truncate(TsovUtilityCall *call)
{
	ListCell   *lc;

	foreach(lc, castNode(TruncateStmt, call->stmt)->relations)
		tsov_util_check_rv(lfirst_node(RangeVar, lc), "TRUNCATE", true, false);
}

/* LOCK: the mode writers take (ROW EXCLUSIVE) or a stronger one is a write */
void
tsov_util_lock(TsovUtilityCall *call)
{
	LockStmt   *l = castNode(LockStmt, call->stmt);
	ListCell   *lc;

	foreach(lc, l->relations)
		tsov_util_check_rv(lfirst_node(RangeVar, lc), "LOCK",
						   l->mode >= RowExclusiveLock, true);
}

/* CALL: checked built-ins among the arguments (builtins.c) */
void
tsov_util_call(TsovUtilityCall *call)
{
	call->pstmt = tsov_guard_call_args(call->pstmt);
	Assert(call->pstmt != NULL);
}

void
tsov_util_load(TsovUtilityCall *call)
{
	if (!superuser())
		tsov_deny("LOAD", GetUserId(), NULL,
				  psprintf("permission denied to load library \"%s\"",
						   castNode(LoadStmt, call->stmt)->filename),
				  "While tec_sovereignty is loaded, only superusers may load libraries.",
				  NULL);
}

/*
 * LISTEN and NOTIFY name a channel of the whole database: listening is a
 * read, notifying a write of the domain the channel is named after
 * (tsov_check_channel).  UNLISTEN only stops what the session started.
 */
void
tsov_util_channel(TsovUtilityCall *call)
{
	if (IsA(call->stmt, ListenStmt))
		tsov_check_channel("LISTEN", false,
						   castNode(ListenStmt, call->stmt)->conditionname);
	else
		tsov_check_channel("NOTIFY", true,
						   castNode(NotifyStmt, call->stmt)->conditionname);
}
