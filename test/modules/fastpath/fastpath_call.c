/*
 * fastpath_call.c -- call one function through the fast-path protocol
 * (PQfn), the way libpq's large-object functions do, for TAP test
 * 012_fastpath: the planner never sees such a call, so a checked built-in
 * called this way must be refused to domain roles rather than run unchecked.
 *
 *   fastpath_call CONNINFO FUNCTION_OID RESULT_KIND [INT4_ARG]
 *
 * RESULT_KIND is int4 or int8.  Prints the result, or "ERROR <sqlstate>
 * <message>" (exit 0 both ways; exit 2 when it cannot connect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpq-fe.h"

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	PQArgBlock	arg;
	int			result_len = 0;
	int			is_int;
	union
	{
		int			i4;
		unsigned char b[8];
	}			out;

	if (argc < 4)
	{
		fprintf(stderr, "usage: %s CONNINFO FUNCTION_OID int4|int8 [INT4_ARG]\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(conn));
		return 2;
	}
	is_int = strcmp(argv[3], "int4") == 0;
	memset(&out, 0, sizeof(out));
	arg.isint = 1;
	arg.len = 4;
	arg.u.integer = argc > 4 ? atoi(argv[4]) : 0;
	res = PQfn(conn, atoi(argv[2]), is_int ? &out.i4 : (int *) out.b, &result_len,
			   is_int, &arg, argc > 4 ? 1 : 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		printf("ERROR %s %s\n", state ? state : "?", msg ? msg : PQerrorMessage(conn));
	}
	else if (is_int)
		printf("%d\n", out.i4);
	else
	{
		long long	v = 0;

		for (int i = 0; i < 8; i++)
			v = (v << 8) | out.b[i];	/* int8 arrives in network order */
		printf("%lld\n", v);
	}
	PQclear(res);
	PQfinish(conn);
	return 0;
}
