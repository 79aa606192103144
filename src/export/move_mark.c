/*-------------------------------------------------------------------------
 *
 * move_mark.c
 *	  The cluster-wide mark of a domain moving to another database of the
 *	  same cluster.
 *
 * Roles are shared by every database of a cluster, the domain registry is
 * not: a database cannot read which domains another one holds.  When a
 * domain moves from database A to database B of the same cluster, the
 * import into B finds the domain's three roles already there, and must
 * tell "A hands these roles over to me" from "another database's domain
 * roles, which I must never capture".  tec_transfer_domain(), in A, when
 * its destination names a database of this cluster, and tec_move_domain(),
 * when its target is one (move_out_begin, in move.sql), label each of the
 * three roles in pg_shseclabel under the provider TSOV_MOVE_PROVIDER with
 * "source=<A's oid>;destination=<B's oid>"; tec_create_domain() in B takes
 * the roles over only when that label names B (src/export/move.sql,
 * tec_sovereignty.adopt_domain_roles).  The label is shared (readable from
 * every database) and no SQL statement can write it: no security label
 * provider of that name is registered, so SECURITY LABEL FOR it fails
 * with "provider is not loaded", whoever runs it.  DROP ROLE removes it.
 *
 * IDENTIFICATION
 *	  src/export/move_mark.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_authid.h"
#include "commands/seclabel.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

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
