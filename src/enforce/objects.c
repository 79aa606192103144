/*-------------------------------------------------------------------------
 *
 * objects.c
 *	  object_access_hook: name lookups in domain schemas, creation in /
 *	  alteration of / dropping from a domain schema, EXECUTE, TRUNCATE;
 *	  logical-replication workers entering a domain's schema.
 *
 * OAT_NAMESPACE_SEARCH is the first line: a role of domain A cannot even
 * resolve a name in domain B's schema (explicitly qualified: an error;
 * through search_path: the schema is silently skipped), unless B publishes
 * an API to A, whose name must then resolve.  This closes every path that
 * names an object (DDL, COMMENT, FK references, LIKE, PARTITION OF,
 * triggers, rules, 'b.t'::regclass at run time...).
 *
 * OAT_POST_CREATE enforces that objects created in a domain schema are
 * created by the domain's owner (so that they are owned by it); a
 * non-domain superuser may create them (pg_restore creates as superuser
 * and then changes the owner), audited as privileged.  OAT_POST_ALTER
 * re-checks the owner (ALTER ... OWNER TO, REASSIGN OWNED) and catches
 * objects moved into a domain (SET SCHEMA: the new namespace).  OAT_DROP
 * checks drops, including drops cascading from an object outside.  The
 * domain's schema and roles can only be renamed or dropped by the
 * extension itself (tec_drop_domain), since the registry names them.
 *
 * Around a domain (objects_rules.c, from OAT_POST_CREATE / OAT_POST_ALTER):
 * domain roles create and own nothing outside their schema, no extension
 * places objects inside one, and nothing outside a domain depends on its
 * objects (which would pin them against the domain's own ALTER and DROP).
 *
 * In a logical-replication worker (where the guards do not run) the
 * namespace search is also where the worker is let into a domain's schema,
 * the live move's subscription only (tsov_check_replication, check.c).
 *
 * New and just-altered catalog rows are not visible to the syscache before
 * the next CommandCounterIncrement, so they are read with SnapshotSelf.
 *
 * IDENTIFICATION
 *	  src/enforce/objects.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/objectaccess.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_language.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "replication/logicalworker.h"
#include "replication/worker_internal.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "common/state.h"
#include "enforce/decision.h"
#include "enforce/enforce.h"
#include "enforce/objects.h"



static HeapTuple
fetch_self(Oid classId, Oid objectId, Relation *relp)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			index = get_object_oid_index(classId);
	AttrNumber	oidatt = get_object_attnum_oid(classId);

	rel = table_open(classId, AccessShareLock);
	ScanKeyInit(&key, oidatt, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(objectId));
	scan = systable_beginscan(rel, index, true, SnapshotSelf, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	*relp = rel;
	return tup;
}

void
tsov_obj_info(Oid classId, Oid objectId, ObjInfo *info)
{
	Relation	rel;
	HeapTuple	tup;
	AttrNumber	att;
	bool		isnull;
	Datum		d;

	memset(info, 0, sizeof(*info));
	if (!is_objectclass_supported(classId))
		return;

	tup = fetch_self(classId, objectId, &rel);
	if (!HeapTupleIsValid(tup))
	{
		table_close(rel, AccessShareLock);
		return;
	}
	info->found = true;

	switch (classId)
	{
		case TriggerRelationId:
			info->parent_relid = ((Form_pg_trigger) GETSTRUCT(tup))->tgrelid;
			info->name = pstrdup(NameStr(((Form_pg_trigger) GETSTRUCT(tup))->tgname));
			break;
		case PolicyRelationId:
			info->parent_relid = ((Form_pg_policy) GETSTRUCT(tup))->polrelid;
			info->name = pstrdup(NameStr(((Form_pg_policy) GETSTRUCT(tup))->polname));
			break;
		case RewriteRelationId:
			info->parent_relid = ((Form_pg_rewrite) GETSTRUCT(tup))->ev_class;
			info->name = pstrdup(NameStr(((Form_pg_rewrite) GETSTRUCT(tup))->rulename));
			break;
		case AttrDefaultRelationId:
			info->parent_relid = ((Form_pg_attrdef) GETSTRUCT(tup))->adrelid;
			break;
		default:
			break;
	}

	if (classId == TypeRelationId)
	{
		Form_pg_type t = (Form_pg_type) GETSTRUCT(tup);

		/* row types and implicit array types come with their own object */
		info->typrelid = t->typrelid;
		if (t->typcategory == TYPCATEGORY_ARRAY && OidIsValid(t->typelem))
			info->typrelid = t->typelem;
	}
	if (classId == ProcedureRelationId)
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);

		/*
		 * PostgreSQL 15 creates the constructor functions of a range or
		 * multirange type in LANGUAGE internal, owned by the bootstrap
		 * superuser, whoever creates the type.  Nobody else can make such a
		 * function: LANGUAGE internal is for superusers only.
		 */
		info->system_made = (p->prolang == INTERNALlanguageId &&
							 p->proowner == BOOTSTRAP_SUPERUSERID);
	}
	if (classId == RelationRelationId)
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);

		info->relkind = c->relkind;
		info->rowsecurity = c->relrowsecurity && c->relforcerowsecurity;
	}

	att = get_object_attnum_namespace(classId);
	if (att != InvalidAttrNumber)
	{
		d = heap_getattr(tup, att, RelationGetDescr(rel), &isnull);
		if (!isnull)
			info->nspoid = DatumGetObjectId(d);
	}
	att = get_object_attnum_owner(classId);
	if (att != InvalidAttrNumber)
	{
		d = heap_getattr(tup, att, RelationGetDescr(rel), &isnull);
		if (!isnull)
			info->owner = DatumGetObjectId(d);
	}
	att = get_object_attnum_name(classId);
	if (att != InvalidAttrNumber && info->name == NULL)
	{
		d = heap_getattr(tup, att, RelationGetDescr(rel), &isnull);
		if (!isnull)
			info->name = pstrdup(NameStr(*DatumGetName(d)));
	}
	table_close(rel, AccessShareLock);

	if (OidIsValid(info->parent_relid))
	{
		ObjInfo		parent;

		tsov_obj_info(RelationRelationId, info->parent_relid, &parent);
		info->nspoid = parent.nspoid;
		info->owner = InvalidOid;
	}
}

static const char *
relkind_name(char relkind)
{
	switch (relkind)
	{
		case RELKIND_RELATION:
			return "table";
		case RELKIND_PARTITIONED_TABLE:
			return "partitioned table";
		case RELKIND_VIEW:
			return "view";
		case RELKIND_MATVIEW:
			return "materialized view";
		case RELKIND_SEQUENCE:
			return "sequence";
		case RELKIND_FOREIGN_TABLE:
			return "foreign table";
		case RELKIND_INDEX:
		case RELKIND_PARTITIONED_INDEX:
			return "index";
		case RELKIND_COMPOSITE_TYPE:
			return "composite type";
		case RELKIND_TOASTVALUE:
			return "TOAST table";
	}
	return "relation";
}

static void
make_obj(TsovObject *obj, Oid classId, Oid objectId, int subId, const ObjInfo *info)
{
	char	   *nsp;

	memset(obj, 0, sizeof(*obj));
	obj->classid = classId;
	obj->objid = objectId;
	obj->subid = subId;
	obj->nspoid = info->nspoid;
	if (classId == RelationRelationId && subId == 0)
		obj->kind = relkind_name(info->relkind);
	else if (classId == ProcedureRelationId)
		obj->kind = "function";
	else if (classId == TypeRelationId)
		obj->kind = "type";
	else if (classId == TriggerRelationId)
		obj->kind = "trigger";
	else if (classId == PolicyRelationId)
		obj->kind = "policy";
	else if (classId == RewriteRelationId)
		obj->kind = "rule";
	if (info->name && obj->kind && !OidIsValid(info->parent_relid))
	{
		nsp = get_namespace_name(info->nspoid);
		obj->name = quote_qualified_identifier(nsp, info->name);
	}
	else if (info->name && obj->kind && OidIsValid(info->parent_relid))
	{
		ObjInfo		parent;

		tsov_obj_info(RelationRelationId, info->parent_relid, &parent);
		nsp = get_namespace_name(info->nspoid);
		obj->name = psprintf("%s on %s", quote_identifier(info->name),
							 quote_qualified_identifier(nsp, parent.name));
	}
}

static const char *
command(const char *fallback)
{
	return tsov_current_command ? tsov_current_command : fallback;
}

/* Does this catalog row carry an owner that must be the domain owner? */
static bool
owned_object(Oid classId, const ObjInfo *info, int subId)
{
	if (subId != 0 || !OidIsValid(info->owner))
		return false;
	if (classId == RelationRelationId)
		return info->relkind != RELKIND_INDEX &&
			info->relkind != RELKIND_PARTITIONED_INDEX &&
			info->relkind != RELKIND_TOASTVALUE;
	return true;
}

static bool
is_protected_policy(Oid policyid, const ObjInfo *info)
{
	return OidIsValid(info->parent_relid) &&
		tsov_shared_table_column(info->parent_relid) > 0;
}

void
tsov_obj_deny_fixed(const char *action, Oid nspoid, Oid classId, Oid objid,
		   const char *msg, const char *detail, const char *hint)
{
	TsovObject	obj;

	memset(&obj, 0, sizeof(obj));
	obj.classid = classId;
	obj.objid = objid;
	obj.nspoid = nspoid;
	tsov_deny(action, GetUserId(), &obj, msg, detail, hint);
}

/* ---- OAT_NAMESPACE_SEARCH ---- */
static void
namespace_search(Oid nspoid, ObjectAccessNamespaceSearch *ns)
{
	const TsovDomain *dom;
	TsovSubjects s;
	TsovObject	obj;

	if (!ns->result)
		return;
	dom = tsov_domain_of_namespace(nspoid);
	if (dom == NULL)
		return;
	if (tsov_would_allow(GetUserId(), nspoid, false))
		return;

	/* A domain publishing an API to the caller's domain: names resolve. */
	tsov_subjects(GetUserId(), &s);
	if (tsov_verdict_api_reach(&s, dom))
		return;

	if (!ns->ereport_on_violation)
	{
		ns->result = false;
		return;
	}
	memset(&obj, 0, sizeof(obj));
	obj.classid = NamespaceRelationId;
	obj.objid = nspoid;
	obj.nspoid = nspoid;
	tsov_check("USAGE", false, GetUserId(), &obj);
	/* simulate mode lets it through */
}

/* ---- OAT_POST_CREATE ---- */
static void
post_create(Oid classId, Oid objectId, int subId)
{
	ObjInfo		info;
	TsovObject	obj;

	if (classId == AttrDefaultRelationId)
	{
		/* a column default, named by its relation and column */
		tsov_obj_info(RelationRelationId, objectId, &info);
		if (!info.found)
			return;
		tsov_obj_shared_table_rule(command("CREATE"), classId, objectId,
								   objectId, &info, true);
		tsov_obj_pin_rule(command("CREATE"), classId, objectId, subId, &info);
		return;
	}
	tsov_obj_info(classId, objectId, &info);
	if (!info.found)
		return;
	if (OidIsValid(info.parent_relid))
		tsov_obj_shared_table_rule(command("CREATE"), classId, objectId,
								   info.parent_relid, &info, true);
	if (classId == PolicyRelationId && is_protected_policy(objectId, &info) &&
		!superuser())
		tsov_obj_deny_fixed(command("CREATE POLICY"), info.nspoid, classId, objectId,
				   "permission denied to create a policy on a shared table protected by tec_sovereignty",
				   "Additional policies would widen which domains' rows are visible.",
				   NULL);
	if (tsov_domain_of_namespace(info.nspoid) == NULL)
	{
		tsov_obj_outside_domain_rule(command("CREATE"), classId, objectId, &info);
		tsov_obj_pin_rule(command("CREATE"), classId, objectId, subId, &info);
		return;
	}
	tsov_obj_pin_rule(command("CREATE"), classId, objectId, subId, &info);
	tsov_obj_extension_into_domain_rule(command("CREATE EXTENSION"), classId, objectId,
							   info.nspoid, true);
	/* a relation's row type: the relation itself is checked next */
	if (classId == TypeRelationId && OidIsValid(info.typrelid))
		return;
	make_obj(&obj, classId, objectId, subId, &info);

	if (owned_object(classId, &info, subId) && !info.system_made)
		tsov_check_owner_rule(command("CREATE"), GetUserId(), info.owner, &obj);
	else
		tsov_check(command("CREATE"), true, GetUserId(), &obj);
}

/* ---- OAT_POST_ALTER ---- */
static void
post_alter(Oid classId, Oid objectId, int subId)
{
	ObjInfo		info;
	TsovObject	obj;

	if (classId == NamespaceRelationId)
	{
		const TsovDomain *dom = tsov_domain_of_namespace(objectId);

		if (dom)
		{
			char	   *n = get_namespace_name(objectId);

			tsov_obj_info(classId, objectId, &info);
			if (!info.found || strcmp(info.name, dom->name) != 0 ||
				info.owner != dom->owner_role)
				tsov_obj_deny_fixed(command("ALTER SCHEMA"), objectId, classId, objectId,
						   psprintf("cannot rename or change the owner of schema \"%s\" of domain \"%s\"",
									n ? n : dom->name, dom->name),
						   "The registry names the domain's schema and its owner; they can only change through the extension.",
						   "Create a new domain and move the data, or transfer the domain with tec_transfer_domain().");
			tsov_check(command("ALTER SCHEMA"), true, GetUserId(),
					   &(TsovObject)
					   {
						   NamespaceRelationId, objectId, 0, objectId, "schema", NULL
					   });
		}
		return;
	}
	if (classId == AuthIdRelationId)
	{
		const TsovDomain *dom = tsov_domain_of_role(objectId);

		if (dom && (objectId == dom->owner_role || objectId == dom->writer_role ||
					objectId == dom->reader_role))
		{
			char	   *expected;

			tsov_obj_info(classId, objectId, &info);
			expected = psprintf("%s_%s", dom->name,
								objectId == dom->owner_role ? "owner" :
								objectId == dom->writer_role ? "writer" : "reader");
			if (info.found && info.name && strcmp(info.name, expected) != 0)
				tsov_obj_deny_fixed("ALTER ROLE", dom->nspoid, AuthIdRelationId, objectId,
						   psprintf("cannot rename role \"%s\" of domain \"%s\"", expected, dom->name),
						   "The registry names the domain's roles.",
						   NULL);
		}
		return;
	}

	tsov_obj_info(classId, objectId, &info);
	if (!info.found)
		return;

	/* The protections of a shared table stay in place. */
	if (classId == RelationRelationId)
		tsov_obj_shared_table_rule(command("ALTER TABLE"), classId, objectId,
								   objectId, &info, false);
	if (classId == RelationRelationId && subId == 0 &&
		tsov_shared_table_column_name(objectId) != NULL && !info.rowsecurity)
		tsov_obj_deny_fixed(command("ALTER TABLE"), info.nspoid, classId, objectId,
				   psprintf("cannot disable row-level security on table \"%s\"", info.name),
				   "The table is shared between domains and protected by tec_protect_shared_table(); its row-level security must stay enabled and forced.",
				   NULL);
	if (classId == PolicyRelationId && is_protected_policy(objectId, &info))
		tsov_obj_deny_fixed(command("ALTER POLICY"), info.nspoid, classId, objectId,
				   psprintf("cannot alter policy \"%s\" of a shared table protected by tec_sovereignty", info.name),
				   "The extension created this policy to keep each domain to its own rows.",
				   NULL);

	if (tsov_domain_of_namespace(info.nspoid) == NULL)
	{
		if (subId == 0 && OidIsValid(info.owner) &&
			tsov_role_info(info.owner)->domain != NULL)
			tsov_obj_outside_domain_rule(command("ALTER"), classId, objectId, &info);
		tsov_obj_pin_rule(command("ALTER"), classId, objectId, subId, &info);
		return;
	}
	tsov_obj_pin_rule(command("ALTER"), classId, objectId, subId, &info);
	if (subId == 0)
		tsov_obj_extension_into_domain_rule(command("ALTER EXTENSION"), classId, objectId,
								   info.nspoid, false);
	make_obj(&obj, classId, objectId, subId, &info);
	if (owned_object(classId, &info, subId))
		tsov_check_owner_rule(command("ALTER"), GetUserId(), info.owner, &obj);
	else
		tsov_check(command("ALTER"), true, GetUserId(), &obj);
}

/* ---- OAT_DROP ---- */
static void
drop(Oid classId, Oid objectId, int subId)
{
	ObjInfo		info;
	TsovObject	obj;

	if (classId == NamespaceRelationId)
	{
		const TsovDomain *dom = tsov_domain_of_namespace(objectId);

		if (dom)
			tsov_obj_deny_fixed(command("DROP SCHEMA"), objectId, classId, objectId,
					   psprintf("cannot drop schema \"%s\" of domain \"%s\"", dom->name, dom->name),
					   "A domain's schema, roles and registry row are dropped together.",
					   psprintf("Use tec_drop_domain('%s').", dom->name));
		return;
	}
	if (classId == AuthIdRelationId)
	{
		const TsovDomain *dom = tsov_domain_of_role(objectId);

		if (dom && (objectId == dom->owner_role || objectId == dom->writer_role ||
					objectId == dom->reader_role))
			tsov_obj_deny_fixed("DROP ROLE", dom->nspoid, AuthIdRelationId, objectId,
					   psprintf("cannot drop role \"%s\" of domain \"%s\"",
								GetUserNameFromId(objectId, false), dom->name),
					   "A domain's schema, roles and registry row are dropped together.",
					   psprintf("Use tec_drop_domain('%s').", dom->name));
		return;
	}

	tsov_obj_info(classId, objectId, &info);
	if (!info.found)
		return;
	if (classId == PolicyRelationId && is_protected_policy(objectId, &info) &&
		!superuser())
	{
		/*
		 * The policy depends on its table alone: any other DROP that reaches
		 * it drops the shared table (DROP TABLE, DROP SCHEMA ... CASCADE,
		 * DROP OWNED), and the refusal says so.
		 */
		if (strcmp(command("DROP POLICY"), "DROP POLICY") != 0)
			tsov_obj_deny_fixed(command("DROP TABLE"), info.nspoid, RelationRelationId,
								info.parent_relid,
								psprintf("cannot drop table %s protected by tec_sovereignty",
										 quote_qualified_identifier(get_namespace_name(info.nspoid),
																	get_rel_name(info.parent_relid))),
								"The table is shared between domains: its rows are every domain's; only a superuser drops it (its row in tec_sovereignty.shared_table goes with it).",
								NULL);
		tsov_obj_deny_fixed(command("DROP POLICY"), info.nspoid, classId, objectId,
				   psprintf("cannot drop policy \"%s\" of a shared table protected by tec_sovereignty", info.name),
				   "The extension created this policy to keep each domain to its own rows.",
				   NULL);
	}
	if (tsov_domain_of_namespace(info.nspoid) == NULL)
	{
		if (classId == RelationRelationId && subId == 0)
			tsov_obj_shared_table_dropped(command("DROP TABLE"), objectId);
		return;
	}
	make_obj(&obj, classId, objectId, subId, &info);
	tsov_check(command("DROP"), true, GetUserId(), &obj);
}

/*
 * ---- logical-replication workers ----
 * An apply or table-sync worker is a background worker, in which the
 * guards do not run, and its writes (ExecSimpleRelationInsert and the like,
 * CopyFrom for the initial copy) pass no executor hook.  What it does
 * before it writes a table is resolve the table's qualified name
 * (logicalrep_rel_open, LookupExplicitNamespace): that is where it is let
 * into a domain, or refused (tsov_check_replication).  Not the extension's
 * own lookups inside the worker (the cache rebuild resolves published
 * functions at internal depth).
 */
static void
replication_search(Oid nspoid, ObjectAccessNamespaceSearch *ns)
{
	Subscription *sub = MySubscription;

	if (!ns->result || tsov_internal_depth > 0 || !IsTransactionState() ||
		!IsNormalProcessingMode())
		return;
	tsov_check_replication(nspoid, sub ? sub->name : NULL,
						   sub ? sub->owner : GetUserId(),
						   superuser_arg(sub ? sub->owner : GetUserId()));
}

/* From object_access_hook (hooks.c). */
void
tsov_objects_access(ObjectAccessType access, Oid classId, Oid objectId,
					int subId, void *arg)
{
	if (access == OAT_NAMESPACE_SEARCH && IsLogicalWorker())
	{
		replication_search(objectId, (ObjectAccessNamespaceSearch *) arg);
		return;
	}
	if (!tsov_guards_active())
		return;

	switch (access)
	{
		case OAT_NAMESPACE_SEARCH:
			namespace_search(objectId, (ObjectAccessNamespaceSearch *) arg);
			break;
		case OAT_FUNCTION_EXECUTE:
			if (objectId >= FirstNormalObjectId)
				(void) tsov_check_execute(objectId, false, NULL, NULL, NULL);
			break;
		case OAT_POST_CREATE:
			if (arg == NULL || !((ObjectAccessPostCreate *) arg)->is_internal)
				post_create(classId, objectId, subId);
			break;
		case OAT_POST_ALTER:
			if (arg == NULL || !((ObjectAccessPostAlter *) arg)->is_internal)
				post_alter(classId, objectId, subId);
			break;
		case OAT_DROP:
			if (arg == NULL || !(((ObjectAccessDrop *) arg)->dropflags & PERFORM_DELETION_INTERNAL))
				drop(classId, objectId, subId);
			break;
		case OAT_TRUNCATE:
			{
				Oid			nsp = get_rel_namespace(objectId);
				TsovObject	obj;

				memset(&obj, 0, sizeof(obj));
				obj.classid = RelationRelationId;
				obj.objid = objectId;
				obj.nspoid = nsp;
				tsov_check("TRUNCATE", true, GetUserId(), &obj);
			}
			break;
	}
}
