/*-------------------------------------------------------------------------
 *
 * begin.c
 *	  The first call of an export: who may export, what the domain's
 *	  transfer state allows, the locks and the one snapshot every later
 *	  read uses, and (through ddl.c) the text of the script around the rows.
 *
 * export_begin() is a sequence of named steps, in the order their errors
 * must come: read the registry row, authorize the caller, apply the
 * transfer rule, check the audit trail (with_audit), find the schema, lock
 * the relations and take the snapshot, refuse what cannot be exported,
 * build the DDL, list the tables, check the caller may read them.
 *
 * Everything that needs SPI happens here, once: the later calls only scan
 * heaps (data.c).  The catalog queries run as helper_owner, the
 * extension's owner, so that a domain's owner may export without reading
 * the registry.  The caller's own rights are checked right after the
 * registry row is read, before anything else of the domain is looked at,
 * and again, as the caller, for every table the heap scans will read,
 * since they bypass the executor's permission checks.  An error anywhere leaves the cleanup to the transaction's
 * abort: SPI, the user id, the locks and the registered snapshot (a
 * resource owner's) are all released by it.
 *
 * Memory: a new context, st->mcxt, child of CurrentMemoryContext when
 * export_begin() is called, holds the ExportState and everything it
 * points to (the registry row's text, the statements, the table list)
 * until export_end(); CurrentMemoryContext is switched back to it after
 * every SPI call, so that SPI_getvalue() copies land there and outlive
 * SPI_finish().
 *
 * IDENTIFICATION
 *	  src/export/begin.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "common/tsov.h"
#include "common/state.h"
#include "enforce/decision.h"
#include "export/export.h"

/* The domain's relations that are locked: those pg_dump would lock. */
#define EXPORT_RELATIONS_SQL \
	"SELECT oid FROM pg_catalog.pg_class WHERE relnamespace OPERATOR(pg_catalog.=) $1" \
	"   AND relkind IN ('r', 'p', 'm', 'S', 'v') ORDER BY oid"

/* A new export's state, in a new memory context (see the file header). */
static ExportState *
export_state_create(text *domain_arg, bool with_data, bool with_audit)
{
	MemoryContext mcxt;
	MemoryContext oldcxt;
	ExportState *st;

	mcxt = AllocSetContextCreate(CurrentMemoryContext, "tec_export_domain",
								 ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(mcxt);
	st = palloc0(sizeof(ExportState));
	st->mcxt = mcxt;
	st->rowcxt = AllocSetContextCreate(mcxt, "tec_export_domain row",
									   ALLOCSET_DEFAULT_SIZES);
	st->phase = EXPORT_PRE_DATA;
	st->domain = text_to_cstring(domain_arg);
	st->with_data = with_data;
	st->with_audit = with_audit;
	MemoryContextSwitchTo(oldcxt);
	return st;
}

/*
 * The encoding the script names for its bytes: the client's, unless the
 * client takes the server's bytes as they are (SQL_ASCII).  The in-server
 * checksum describes what such a client receives.
 */
static const char *
export_script_encoding(bool for_checksum)
{
	if (for_checksum || pg_get_client_encoding() == PG_SQL_ASCII)
		return GetDatabaseEncodingName();
	return pg_get_client_encoding_name();
}

/*
 * Step 1: read the domain's registry row (42704 when there is none).  Read
 * without the export's snapshot, which is taken only once the domain is
 * locked: the registry says which schema to lock.
 */
static void
export_read_registry(ExportState *st, text *domain_arg, ExportRegistryRow *reg)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	args[0] = PointerGetDatum(domain_arg);
	if (SPI_execute_with_args("SELECT schema_name, owner_role, writer_role, reader_role, template, state, enforcement, audit_level"
							  "  FROM tec_sovereignty.domain WHERE name OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the domain registry");
	MemoryContextSwitchTo(st->mcxt);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("domain \"%s\" does not exist", st->domain),
				 errhint("List the domains with: SELECT name FROM tec_sovereignty.domains;")));
	reg->schema_name = export_getvalue(0, 1);
	reg->owner_role = export_getvalue(0, 2);
	reg->writer_role = export_getvalue(0, 3);
	reg->reader_role = export_getvalue(0, 4);
	reg->template = export_getvalue(0, 5);
	reg->state = export_getvalue(0, 6);
	reg->enforcement = export_getvalue(0, 7);
	reg->audit_level = export_getvalue(0, 8);
}

/*
 * Step 2: who may export -- a superuser, or a member of the domain's owner
 * role: exporting hands out every row of the domain, which only those who
 * own it (or own the server) may decide.
 */
static void
export_authorize(const ExportState *st, Oid caller, const ExportRegistryRow *reg)
{
	Oid			owner_oid = get_role_oid(reg->owner_role, true);
	TsovObject	obj;

	if (superuser_arg(caller) ||
		(OidIsValid(owner_oid) && has_privs_of_role(caller, owner_oid)))
		return;

	/*
	 * Recorded as the caller's EXPORT of the domain's schema (check.c), so
	 * the row names who tried and what: PostgreSQL's log hook would only
	 * see an error of this function.
	 */
	memset(&obj, 0, sizeof(obj));
	obj.classid = NamespaceRelationId;
	obj.objid = get_namespace_oid(reg->schema_name, true);
	obj.nspoid = obj.objid;
	obj.kind = "schema";
	obj.name = quote_identifier(reg->schema_name);
	tsov_deny("EXPORT", caller, &obj,
			  psprintf("permission denied to export domain \"%s\"", st->domain),
			  psprintf("Only a superuser or a member of role \"%s\" may export domain \"%s\".",
					   reg->owner_role, st->domain),
			  NULL);
}

/*
 * Step 3: the transfer rule.  During a transfer (and after it), only a
 * superuser exports: the export that travels is the one the DBA ships, and
 * the domain's own members no longer decide where its data goes.
 */
static void
export_apply_transfer_rule(const ExportState *st, Oid caller, const ExportRegistryRow *reg)
{
	/* half of a parallel import (src/export/import.sql): nobody exports it */
	if (strcmp(reg->state, "importing") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("domain \"%s\" is being imported", st->domain),
				 errdetail("A parallel import has loaded only part of it."),
				 errhint("Wait for the import to end, or undo it with tec_import_abort('%s').", st->domain)));
	if (strcmp(reg->state, "active") != 0 && !superuser_arg(caller))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("domain \"%s\" is %s", st->domain, reg->state),
				 errdetail("While a domain is being transferred, or after it was, only a superuser may export it."),
				 errhint("Ask the database administrator who runs the transfer for the export.")));
}

/*
 * Step 4: with_audit needs the audit trail's table; an installation
 * without it cannot carry a domain's history (0A000 rather than an empty
 * section that would look like a domain with no history).
 */
static void
export_check_audit_trail(const ExportState *st)
{
	if (st->with_audit &&
		!OidIsValid(get_relname_relid("audit_log", get_namespace_oid(TSOV_SCHEMA, false))))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot export the audit trail of domain \"%s\": the audit trail is not installed", st->domain),
				 errdetail("with_audit => true carries the rows of tec_sovereignty.audit_log, which this installation does not have."),
				 errhint("Export without with_audit.")));
}

/* Step 5: the domain's schema, which the registry names (3F000 if gone). */
static void
export_resolve_schema(ExportState *st, const ExportRegistryRow *reg)
{
	Oid			nspoid = get_namespace_oid(reg->schema_name, true);

	if (!OidIsValid(nspoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" of domain \"%s\" does not exist", reg->schema_name, st->domain),
				 errdetail("The registry lists the domain, but its schema is gone.")));
	st->schema_name = reg->schema_name;
	st->nspoid = nspoid;
}

/* Lock (ACCESS SHARE) the relations of SPI_tuptable not yet in relids. */
static List *
export_lock_listed(List *relids)
{
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));

		if (!list_member_oid(relids, relid))
		{
			LockRelationOid(relid, AccessShareLock);
			relids = lappend_oid(relids, relid);
		}
	}
	return relids;
}

/*
 * Step 6: lock the domain's relations, then take the snapshot: their
 * definitions cannot change under the export, and the snapshot sees them
 * as they are locked.  Relations created in between are locked when the
 * snapshot lists them; one dropped in between makes the export fail
 * (55000) rather than export a definition that no longer exists.
 */
static void
export_lock_and_snapshot(ExportState *st)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	List	   *relids = NIL;
	ListCell   *lc;

	Assert(st->snapshot == NULL);

	args[0] = ObjectIdGetDatum(st->nspoid);
	if (SPI_execute_with_args(EXPORT_RELATIONS_SQL,
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the relations of domain \"%s\"", st->domain);
	MemoryContextSwitchTo(st->mcxt);
	relids = export_lock_listed(relids);

	st->snapshot = RegisterSnapshot(GetTransactionSnapshot());

	export_query(st->snapshot, EXPORT_RELATIONS_SQL, 1, argtypes, args);
	relids = export_lock_listed(relids);
	foreach(lc, relids)
	{
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(lfirst_oid(lc))))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("a relation of domain \"%s\" was dropped while the export started", st->domain),
					 errhint("Run the export again.")));
	}
	list_free(relids);
}

/*
 * Step 7: refuse what the target could not recreate: objects the export
 * does not reproduce (0A000), and references to another domain's objects
 * (55000), which an export never carries.  Both lists come from export.sql.
 */
static void
export_refuse_unexportable(const ExportState *st)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];

	args[0] = ObjectIdGetDatum(st->nspoid);
	export_query(st->snapshot,
				 "SELECT object, reason FROM tec_sovereignty.export_unsupported($1)",
				 1, argtypes, args);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot export domain \"%s\": %s is not supported", st->domain, export_getvalue(0, 1)),
				 errdetail("%s.", export_getvalue(0, 2)),
				 errhint("Drop or replace the object, then export again.")));

	export_query(st->snapshot,
				 "SELECT dependent, referenced, other_domain FROM tec_sovereignty.export_foreign_refs($1)",
				 1, argtypes, args);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot export domain \"%s\": %s references %s of domain \"%s\"",
						st->domain, export_getvalue(0, 1), export_getvalue(0, 2), export_getvalue(0, 3)),
				 errdetail("An export never contains another domain's objects, and the target could not create this one without them."),
				 errhint("Remove the reference (or publish an API instead), then export again.")));
}

/*
 * Step 10 (after the DDL and the table list, ddl.c): the heap scans bypass
 * the executor, so check, as the caller, that every table is readable (a
 * superuser or the owner of the tables always can).
 */
static void
export_check_table_acls(const ExportState *st, Oid caller)
{
	Assert(GetUserId() == caller);

	for (int i = 0; i < st->ntables; i++)
	{
		if (pg_class_aclcheck(st->tables[i].relid, caller, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s", get_rel_name(st->tables[i].relid)),
					 errdetail("Exporting domain \"%s\" reads every table of its schema.", st->domain)));
	}
}

/*
 * export_begin
 *		Check the caller, lock the domain, take the snapshot, walk the
 *		catalog: the steps above, in order.  Everything it keeps is
 *		allocated in a new child of CurrentMemoryContext (st->mcxt).
 *		helper_owner is the role the catalog queries run as (the
 *		extension's owner).
 *
 * Raises: 42704 (no such domain), 42501 (not a superuser nor the domain's
 * owner; a table the caller cannot read), 55006 (a non-superuser during a
 * transfer), 0A000 (with_audit without an audit trail, unsupported
 * objects), 3F000 (the schema is gone), 55000 (a reference to another
 * domain, a relation dropped while the export started).
 */
ExportState *
export_begin(text *domain_arg, bool with_data, bool with_audit, Oid helper_owner,
			 bool for_checksum)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	Oid			caller = GetUserId();
	Oid			save_userid;
	int			save_sec;
	ExportState *st;
	ExportRegistryRow reg;
	const char *encoding;

	/* The extension's own work, in the leader: see export.h. */
	Assert(tsov_internal_depth > 0);
	Assert(!IsParallelWorker());

	st = export_state_create(domain_arg, with_data, with_audit);
	encoding = export_script_encoding(for_checksum);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* What SPI_getvalue() returns must outlive SPI_finish(). */
	MemoryContextSwitchTo(st->mcxt);

	/*
	 * The catalog walk reads the registry and the catalogs with the rights
	 * of the extension's owner, after the caller's rights are checked: a
	 * domain owner may export without being able to read the registry.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(helper_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);

	export_read_registry(st, domain_arg, &reg);

	/* refusals are raised (and audited) as the caller, not as the helper */
	SetUserIdAndSecContext(save_userid, save_sec);
	export_authorize(st, caller, &reg);
	export_apply_transfer_rule(st, caller, &reg);
	SetUserIdAndSecContext(helper_owner,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);

	export_check_audit_trail(st);
	export_resolve_schema(st, &reg);
	export_lock_and_snapshot(st);
	export_refuse_unexportable(st);
	export_build_ddl(st, &reg, encoding);
	export_list_tables(st);

	SetUserIdAndSecContext(save_userid, save_sec);

	export_check_table_acls(st, caller);

	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
	return st;
}
