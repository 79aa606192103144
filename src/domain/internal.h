/*-------------------------------------------------------------------------
 *
 * internal.h
 *	  What the files of src/domain/ share among themselves and nobody
 *	  else uses.
 *
 * IDENTIFICATION
 *	  src/domain/internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_DOMAIN_INTERNAL_H
#define TSOV_DOMAIN_INTERNAL_H

#include "access/htup.h"
#include "access/tupdesc.h"

#include "domain/domain.h"

/* in catalog.c */
extern char *tsov_getattr_cstring(HeapTuple tup, TupleDesc desc,
								  const char *attname, bool *isnull);

/* domain index of a domain's own role (owner, writer, reader), or -1 */
typedef int (*tsov_domrole_fn) (Oid roleid);
extern int	tsov_role_walk(Oid roleid, tsov_domrole_fn domain_of_domrole,
						   bool *several_out);
extern void tsov_role_attributes(Oid roleid, TsovRoleInfo *info);

#endif							/* TSOV_DOMAIN_INTERNAL_H */
