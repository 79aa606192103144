/*-------------------------------------------------------------------------
 *
 * objects_rules.c
 *	  The object access guard's rules for what lies around a domain
 *	  (called from objects.c at OAT_POST_CREATE and OAT_POST_ALTER):
 *
 *	 - domain roles create and own nothing outside their schema;
 *	 - no extension places its objects in a domain schema;
 *	 - nothing outside a domain depends on (pins) its objects.
 *
 * IDENTIFICATION
 *	  src/enforce/objects_rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_database.h"
#include "catalog/pg_default_acl.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "audit/audit.h"
#include "enforce/decision.h"
#include "enforce/objects.h"

/*
 * Principle: domain roles create and own nothing outside their schema.
 * An object outside every domain schema (public, another shared schema,
 * or an object with no schema: extension, cast, event trigger, language)
 * that a domain role creates, or that a non-superuser hands to a domain
 * role, would be code or data of that domain that other parties run or
 * reach (a trigger, a default, an operator in public).  Temporary objects
 * stay in the session's own pg_temp and are allowed.  A superuser may
 * still give a domain role an object outside (tec_drop_domain reports it).
 */
void
tsov_obj_outside_domain_rule(const char *action, Oid classId, Oid objectId,
					const ObjInfo *info)
{
	const TsovRoleInfo *ri = tsov_role_info(GetUserId());
	const TsovRoleInfo *oi;
	const char *d;
	const TsovDomain *home;

	if (OidIsValid(info->nspoid) && isAnyTempNamespace(info->nspoid))
		return;
	/* the session's own temporary schemas, made on first use */
	if (classId == NamespaceRelationId && info->name != NULL &&
		(strncmp(info->name, "pg_temp_", 8) == 0 ||
		 strncmp(info->name, "pg_toast_temp_", 14) == 0))
		return;
	if (classId == AuthIdRelationId || classId == DatabaseRelationId ||
		classId == DefaultAclRelationId || classId == CastRelationId)
		return;					/* roles, databases: principle 1; default
								 * privileges only shape the role's own
								 * objects; a cast needs the ownership of
								 * one of its types, which for a domain role
								 * lives in its schema (PostgreSQL makes one
								 * for every range type) */
	oi = OidIsValid(info->owner) ? tsov_role_info(info->owner) : NULL;
	/*
	 * A superuser that is also a member of a domain (PostgreSQL runs CREATE
	 * INDEX as the table's owner, who may be one) could plant code anyway:
	 * the rule is about what domain roles can do with their own rights.
	 */
	if (ri->domain != NULL && !ri->superuser)
		d = ri->domain->name;
	else if (oi != NULL && oi->domain != NULL && !superuser())
		d = oi->domain->name;
	else
		return;
	home = tsov_domain_by_name(d);
	tsov_obj_deny_fixed(action, info->nspoid, classId, objectId,
			   psprintf("permission denied for domain \"%s\" to create or own %s outside its schema",
						d, info->name ? quote_identifier(info->name) : "an object"),
			   psprintf("Roles of domain \"%s\" create and own objects only in schema \"%s\", whatever was granted: code or data they put elsewhere would run or be reached with other parties' rights.",
						d, home ? get_namespace_name(home->nspoid) : d),
			   home ? psprintf("Create the object in schema \"%s\".", get_namespace_name(home->nspoid)) : NULL);
}

/*
 * Principle: nothing of another party appears inside a domain.  The
 * script of an extension runs as the bootstrap superuser (for a trusted
 * extension, whoever has CREATE on the database), so its objects would
 * land in the domain's schema owned by someone else, beyond the domain's
 * control and its export.  Refused for everyone, at creation
 * (CREATE EXTENSION ... SCHEMA d) and when an extension's objects move
 * into a domain (ALTER EXTENSION ... SET SCHEMA d).
 */
void
tsov_obj_extension_into_domain_rule(const char *action, Oid classId, Oid objectId,
						   Oid nspoid, bool creating)
{
	const TsovDomain *dom = tsov_domain_of_namespace(nspoid);
	Oid			ext;
	char	   *extname;

	if (dom == NULL)
		return;
	ext = creating ? (creating_extension ? CurrentExtensionObject : InvalidOid) :
		getExtensionOfObject(classId, objectId);
	if (!OidIsValid(ext))
		return;
	extname = get_extension_name(ext);
	tsov_obj_deny_fixed(action, nspoid, classId, objectId,
			   psprintf("extension \"%s\" cannot place objects in schema \"%s\" of domain \"%s\"",
						extname ? extname : "?", get_namespace_name(nspoid), dom->name),
			   "The objects of an extension belong to the extension and its superuser, not to the domain: inside a domain schema they would escape the domain's ownership and its export.",
			   "Create the extension in a shared schema (for instance CREATE SCHEMA extensions; CREATE EXTENSION ... SCHEMA extensions) and call its functions qualified.");
}

/*
 * Principle: nothing outside a domain pins it.  An object that depends on
 * an object of domain D (a view over its table, a column of its row type,
 * enum or domain type, a nextval default on its sequence, a function
 * taking its type, an index with its collation) would block D's own ALTER
 * and DROP.  A domain publishing an API lets its schema's names resolve
 * for the target domain, so such a reference could be written; it is
 * refused here when the new or altered object lives outside D, whoever
 * the creator is, except a superuser (pg_restore, and a superuser's
 * deliberate choice).  The dependencies are read from pg_depend with
 * SnapshotSelf: PostgreSQL records them before it calls the hook.
 */
/*
 * The row of a per-column catalog (pg_attrdef, pg_attribute) for column
 * attnum of relid, read with SnapshotSelf; NULL if none.  The hook names a
 * column default by its relation and column
 * (InvokeObjectPostCreateHookArg(AttrDefaultRelationId, relid, attnum)),
 * pg_depend by the pg_attrdef row's own oid; and ALTER TABLE ... ADD
 * COLUMN records a column's type and collation dependencies only after
 * the hook, so they are read from pg_attribute.
 */
static HeapTuple
first_row(Oid catalog, Oid index, ScanKeyData *keys, int nkeys)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	rel = table_open(catalog, AccessShareLock);
	scan = systable_beginscan(rel, index, true, SnapshotSelf, nkeys, keys);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return tup;
}

static HeapTuple
column_row(Oid catalog, Oid index, AttrNumber relatt, AttrNumber numatt,
		   Oid relid, int attnum)
{
	ScanKeyData key[2];

	ScanKeyInit(&key[0], relatt, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], numatt, BTEqualStrategyNumber,
				F_INT2EQ, Int16GetDatum(attnum));
	return first_row(catalog, index, key, 2);
}

static Oid
attrdef_oid(Oid relid, int attnum)
{
	HeapTuple	tup = column_row(AttrDefaultRelationId, AttrDefaultIndexId,
								 Anum_pg_attrdef_adrelid, Anum_pg_attrdef_adnum,
								 relid, attnum);

	return HeapTupleIsValid(tup) ? ((Form_pg_attrdef) GETSTRUCT(tup))->oid : InvalidOid;
}

static void
column_refs(Oid relid, int attnum, Oid *typid, Oid *collid)
{
	HeapTuple	tup = column_row(AttributeRelationId, AttributeRelidNumIndexId,
								 Anum_pg_attribute_attrelid, Anum_pg_attribute_attnum,
								 relid, attnum);

	*typid = *collid = InvalidOid;
	if (HeapTupleIsValid(tup))
	{
		*typid = ((Form_pg_attribute) GETSTRUCT(tup))->atttypid;
		*collid = ((Form_pg_attribute) GETSTRUCT(tup))->attcollation;
	}
}

/* The domain of a referenced object when it is not "home"'s, else NULL. */
static const TsovDomain *
foreign_domain_of(Oid refclass, Oid refobj, const TsovDomain *home, Oid *nspoid)
{
	ObjInfo		ref;
	const TsovDomain *rdom;

	if (!OidIsValid(refobj) || refclass == NamespaceRelationId)
		return NULL;			/* the schema an object lives in */
	tsov_obj_info(refclass, refobj, &ref);
	if (!ref.found)
		return NULL;
	rdom = tsov_domain_of_namespace(ref.nspoid);
	if (rdom == NULL || (home != NULL && strcmp(home->name, rdom->name) == 0))
		return NULL;
	*nspoid = ref.nspoid;
	return rdom;
}

void
tsov_obj_pin_rule(const char *action, Oid classId, Oid objectId, int subId,
		 const ObjInfo *info)
{
	const TsovDomain *home;
	Relation	dep;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			pinned_class = InvalidOid;
	Oid			pinned_obj = InvalidOid;
	Oid			pinned_nsp = InvalidOid;

	if (superuser())
		return;
	home = tsov_domain_of_namespace(info->nspoid);
	if (home == NULL && OidIsValid(info->nspoid) && isAnyTempNamespace(info->nspoid))
		home = tsov_role_info(GetUserId())->domain;	/* the session's own */
	if (classId == RelationRelationId && subId != 0)
	{
		Oid			typid;
		Oid			collid;

		column_refs(objectId, subId, &typid, &collid);
		if (foreign_domain_of(TypeRelationId, typid, home, &pinned_nsp))
		{
			pinned_class = TypeRelationId;
			pinned_obj = typid;
		}
		else if (foreign_domain_of(CollationRelationId, collid, home, &pinned_nsp))
		{
			pinned_class = CollationRelationId;
			pinned_obj = collid;
		}
	}
	if (classId == AttrDefaultRelationId)
	{
		objectId = attrdef_oid(objectId, subId);
		subId = 0;
	}
	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(classId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(objectId));
	scan = systable_beginscan(dep, DependDependerIndexId, true, SnapshotSelf, 2, key);
	while (!OidIsValid(pinned_obj) && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		if (subId != 0 && d->objsubid != subId)
			continue;
		if (d->deptype != DEPENDENCY_NORMAL && d->deptype != DEPENDENCY_AUTO)
			continue;
		if (foreign_domain_of(d->refclassid, d->refobjid, home, &pinned_nsp))
		{
			pinned_class = d->refclassid;
			pinned_obj = d->refobjid;
		}
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
	if (!OidIsValid(pinned_obj))
		return;
	{
		const TsovDomain *rdom = tsov_domain_of_namespace(pinned_nsp);
		ObjectAddress addr;
		char	   *what;
		char	   *dependent;

		addr.classId = pinned_class;
		addr.objectId = pinned_obj;
		addr.objectSubId = 0;
		what = getObjectDescription(&addr, true);
		dependent = OidIsValid(info->parent_relid) ?
			get_rel_name(info->parent_relid) : info->name;
		tsov_obj_deny_fixed(action, pinned_nsp, pinned_class, pinned_obj,
				   psprintf("permission denied to make %s depend on %s of domain \"%s\"",
							dependent ? quote_identifier(dependent) : "an object",
							what ? what : "an object", rdom->name),
				   psprintf("An object outside domain \"%s\" that depends on its objects would block the domain's own ALTER and DROP; only the APIs it publishes are for other parties, and only to call.",
							rdom->name),
				   "Call the published API at run time instead of referencing the domain's objects in a definition.");
	}
}


/*
 * A name of a live column of relid, read with SnapshotSelf (a rename in
 * this command is seen)?
 */
static bool
column_named(Oid relid, const char *name)
{
	ScanKeyData key[2];
	HeapTuple	tup;

	ScanKeyInit(&key[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_attribute_attname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(name));
	tup = first_row(AttributeRelationId, AttributeRelidNameIndexId, key, 2);
	return HeapTupleIsValid(tup) &&
		!((Form_pg_attribute) GETSTRUCT(tup))->attisdropped;
}

/*
 * Principle: protected shared tables stay protected.  The table is
 * tracked by OID (domain/cache.c), so renaming it or its schema changes
 * nothing; its domain column keeps the name it was protected with, for
 * everyone (PostgreSQL's policy follows the column, the registry names
 * it); its owner stays outside every domain; and only superusers add
 * triggers, rules or column defaults to it: code of whoever owns the
 * table would run on every domain's rows, with every domain's rights.
 * relid is the protected table; classId/objectId what is created or
 * altered on it.
 */
void
tsov_obj_shared_table_rule(const char *action, Oid classId, Oid objectId,
						   Oid relid, const ObjInfo *info, bool creating)
{
	const char *column = tsov_shared_table_column_name(relid);
	char	   *relname;

	if (column == NULL)
		return;
	relname = get_rel_name(relid);
	if (creating && !superuser() &&
		(classId == TriggerRelationId || classId == RewriteRelationId ||
		 classId == AttrDefaultRelationId))
		tsov_obj_deny_fixed(action, info->nspoid, classId, objectId,
							psprintf("permission denied to add a %s to table \"%s\" protected by tec_sovereignty",
									 classId == TriggerRelationId ? "trigger" :
									 classId == RewriteRelationId ? "rule" : "column default",
									 relname ? relname : "?"),
							"The table is shared between domains: its triggers, rules and defaults would run on every domain's rows with that domain's rights; only superusers add them.",
							NULL);
	if (creating || classId != RelationRelationId)
		return;
	if (!column_named(relid, column))
		tsov_obj_deny_fixed(action, info->nspoid, classId, objectId,
							psprintf("cannot rename or drop column \"%s\" of table \"%s\" protected by tec_sovereignty",
									 column, relname ? relname : "?"),
							"The column names the domain of each row of the shared table; its row-level security and the extension's registry go by it.",
							NULL);
	if (OidIsValid(info->owner) && tsov_role_info(info->owner)->domain != NULL)
		tsov_obj_deny_fixed(action, info->nspoid, classId, objectId,
							psprintf("cannot make role \"%s\" of a domain the owner of table \"%s\" protected by tec_sovereignty",
									 GetUserNameFromId(info->owner, false), relname ? relname : "?"),
							"Whoever owns a shared table can change it for every domain; its owner belongs to no domain.",
							NULL);
}

/*
 * DROP of relation relid outside every domain: when it is a protected
 * shared table, its registry row goes with it (tsov_shared_table_forget),
 * and the trail says so whatever the audit level (the protection of every
 * domain's rows in it ends here).  Costs one hash lookup otherwise.
 */
void
tsov_obj_shared_table_dropped(const char *action, Oid relid)
{
	char	   *schema;
	char	   *name;
	char	   *column;
	TsovAuditEvent ev;

	if (tsov_shared_table_column_name(relid) == NULL ||
		!tsov_shared_table_forget(relid, &schema, &name, &column))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.action = action;
	ev.decision = superuser() ? TSOV_PRIVILEGED : TSOV_ALLOWED;
	ev.is_write = true;
	ev.actor_role = GetUserId();
	ev.object_oid = relid;
	ev.object_schema = schema;
	ev.object_name = quote_identifier(name);
	ev.reason = psprintf("protected shared table dropped: its row in tec_sovereignty.shared_table (domain column %s) is removed",
						 quote_identifier(column));
	tsov_audit_record_flags(&ev, TSOV_AUDIT_ALWAYS);
}
