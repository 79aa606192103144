/*-------------------------------------------------------------------------
 *
 * tsov_bench.c
 *	  Test-only module: tec_sovereignty.audit_bench(), which floods the
 *	  audit queue of the current database from C, for the benchmarks
 *	  (test/bench/audit_flood.sh) and the tests that need a queue full of
 *	  events (back-pressure, writer crashes, wait interrupts).
 *
 * Not part of the product: it is built and installed by test/lib.sh into
 * the private installations the tests and benchmarks use, and created
 * with CREATE EXTENSION tsov_bench (which requires tec_sovereignty).  It
 * calls tsov_audit_buffer_event() of tec_sovereignty.so, which the server
 * has loaded (shared_preload_libraries) with its symbols global, so this
 * library links against nothing but the server.
 *
 * Memory: the events are serialized into the audit layer's own buffer
 * (TopMemoryContext, audit/record.c); nothing is allocated here.
 *
 * IDENTIFICATION
 *	  test/modules/tsov_bench/tsov_bench.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "audit/internal.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(tsov_audit_bench);

/*
 * tec_sovereignty.audit_bench(domain text, events int) RETURNS bigint:
 * queues `events` allowed reads on `domain` as fast as it can (superuser
 * only).  The events go through the transaction's buffer like any
 * guard's (queued when it holds 64, at transaction end) without a level
 * check; the caller measures when the writer has written them.
 */
Datum
tsov_audit_bench(PG_FUNCTION_ARGS)
{
	char	   *domain = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		n = PG_GETARG_INT32(1);
	TsovAuditEvent ev;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", "tec_sovereignty.audit_bench"),
				 errdetail("Only superusers may call %s.", "tec_sovereignty.audit_bench")));
	memset(&ev, 0, sizeof(ev));
	ev.action = "SELECT";
	ev.decision = TSOV_ALLOWED;
	ev.is_write = false;
	ev.actor_domain = domain;
	ev.object_domain = domain;
	ev.object_schema = domain;
	ev.object_name = "audit_bench";	/* a made-up object: no OID */
	ev.object_oid = InvalidOid;
	for (int32 i = 0; i < n; i++)
	{
		tsov_audit_buffer_event(&ev);
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_INT64(n);
}
