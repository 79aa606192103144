/*-------------------------------------------------------------------------
 *
 * move_step.c
 *	  tec_sovereignty.move_in_step(domain, step): the schema changes a live
 *	  move makes on its target while the domain is moving in, run as the
 *	  extension's own work.
 *
 * While a domain is moving_in, schema changes on it are refused to
 * everyone (enforce/decision.c: logical replication carries rows, not DDL).
 * The move itself must still drop, before the copy, the indexes and
 * constraints that would slow it, and build them again after the catch-up
 * (src/export/move.sql, move_in_defer).  Both happen here, at the
 * extension's internal depth, which the guards do not see:
 *	 'defer': move_in_defer() drops them and its statements that build them
 *			  again are kept in the open move's row (tec_sovereignty.move.
 *			  deferred), not handed to the caller;
 *	 'build': those statements, and only those, run, and the row forgets
 *			  them.
 * No SQL text comes from the caller, so this opens no way around the lock
 * but the move's own; it is a superuser's function, for a domain moving in
 * with its move open (move_in_domain), and each step is recorded in the
 * domain's audit chain (MOVE_INDEXES).
 *
 * IDENTIFICATION
 *	  src/export/move_step.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "common/state.h"

PG_FUNCTION_INFO_V1(tsov_move_in_step);

/* One query of this file, its single value (or NULL), as an int8/text. */
static Datum
step_value(const char *sql, Datum domain, bool *isnull, bool read_only)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {domain};

	if (SPI_execute_with_args(sql, 1, types, args, NULL, read_only, 0) < 0 || SPI_processed != 1)
		elog(ERROR, "move step query failed: %s", sql);
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
}

Datum
tsov_move_in_step(PG_FUNCTION_ARGS)
{
	Datum		domain;
	char	   *step;
	bool		isnull;
	volatile int64 n = 0;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function move_in_step"),
				 errdetail("Only a live move, run by a superuser, changes the schema of a domain moving in.")));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments of move_in_step must not be null")));
	domain = PG_GETARG_DATUM(0);
	step = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (strcmp(step, "defer") != 0 && strcmp(step, "build") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown move step \"%s\"", step),
				 errhint("The steps are defer and build.")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	/* raises unless the domain is moving in with its move open */
	(void) step_value("SELECT (tec_sovereignty.move_in_domain($1)).name", domain, &isnull, true);

	TSOV_INTERNAL_BEGIN();
	{
		if (strcmp(step, "defer") == 0)
		{
			Datum		v = step_value("UPDATE tec_sovereignty.move x"
									   "   SET deferred = (SELECT COALESCE(pg_catalog.array_agg(s ORDER BY o), '{}')"
									   "                     FROM tec_sovereignty.move_in_defer($1) WITH ORDINALITY t(s, o))"
									   " WHERE x.domain OPERATOR(pg_catalog.=) $1 AND x.direction OPERATOR(pg_catalog.=) 'in'"
									   "   AND x.state OPERATOR(pg_catalog.=) 'moving'"
									   " RETURNING pg_catalog.cardinality(x.deferred)::int8",
									   domain, &isnull, false);

			n = isnull ? 0 : DatumGetInt64(v);
		}
		else
		{
			Datum		v = step_value("SELECT x.deferred FROM tec_sovereignty.move x"
									   " WHERE x.domain OPERATOR(pg_catalog.=) $1 AND x.direction OPERATOR(pg_catalog.=) 'in'"
									   "   AND x.state OPERATOR(pg_catalog.=) 'moving' FOR UPDATE",
									   domain, &isnull, false);

			if (!isnull)
			{
				ArrayType  *a = DatumGetArrayTypePCopy(v);
				Datum	   *stmts;
				bool	   *nulls;
				int			count;

				deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &stmts, &nulls, &count);
				for (int i = 0; i < count; i++)
				{
					char	   *sql;

					Assert(!nulls[i]);
					sql = TextDatumGetCString(stmts[i]);
					if (SPI_execute(sql, false, 0) < 0)
						elog(ERROR, "deferred statement of the move failed: %s", sql);
				}
				n = count;
			}
			(void) step_value("UPDATE tec_sovereignty.move x SET deferred = NULL"
							  " WHERE x.domain OPERATOR(pg_catalog.=) $1 AND x.direction OPERATOR(pg_catalog.=) 'in'"
							  "   AND x.state OPERATOR(pg_catalog.=) 'moving' RETURNING 1",
							  domain, &isnull, false);
		}
	}
	TSOV_INTERNAL_END();

	{
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
		Datum		args[3];

		args[0] = CStringGetTextDatum("MOVE_INDEXES");
		args[1] = domain;
		args[2] = CStringGetTextDatum(psprintf("%s: " INT64_FORMAT " statements (indexes, constraints, their comments) %s",
											   step, n, strcmp(step, "defer") == 0 ? "dropped for the copy, kept to build after it"
											   : "built after the copy"));
		if (SPI_execute_with_args("SELECT tec_sovereignty.audit_lifecycle($1, $2, $3)", 3, types, args, NULL, false, 0) < 0)
			elog(ERROR, "could not record the move step");
	}
	SPI_finish();
	PG_RETURN_INT64(n);
}
