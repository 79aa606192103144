/*-------------------------------------------------------------------------
 *
 * utility_ddl.c
 *	  The utility guard's handlers for definitions of objects: CREATE
 *	  SCHEMA by a domain role, ALTER ... SET SCHEMA into or out of a
 *	  domain, COMMENT, and the DDL on a domain's relations (ALTER TABLE,
 *	  CREATE INDEX, triggers, rules, policies, RENAME).
 *
 * The object access hooks (objects.c) see most of these statements happen;
 * checking them here first names the statement and the object in the
 * denial, comes before PostgreSQL's own "must be owner" errors, and keeps
 * the fixed rules that no object access event can express: a domain's
 * objects stay in its schema, a domain role creates no other schema, and
 * a protected shared table keeps its row-level security.  Dispatched from
 * the table in utility.c.
 *
 * IDENTIFICATION
 *	  src/enforce/utility_ddl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "common/state.h"
#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/utility.h"

/* ---- CREATE SCHEMA by a domain role ---- */

/*
 * A domain's objects live in its schema: a domain role creates no other
 * schema, whatever was granted on the database (a schema of its own outside
 * the domain would be out of the domain's protection).  CREATE SCHEMA IF
 * NOT EXISTS naming the caller's own domain schema (the first statement of
 * every Prisma migration) is a no-op with PostgreSQL's own notice: the
 * statement is then done, not run.  Naming another domain's schema
 * is a cross-domain denial.
 */
void
tsov_util_create_schema(TsovUtilityCall *call)
{
	CreateSchemaStmt *stmt = castNode(CreateSchemaStmt, call->stmt);
	const char *tag = call->tag;
	const char *d = tsov_util_actor_domain();
	const char *name;
	Oid			nsp;
	const TsovDomain *dom;
	TsovObject	obj;

	if (d == NULL)
		return;
	name = stmt->schemaname ? stmt->schemaname : get_rolespec_name(stmt->authrole);
	nsp = get_namespace_oid(name, true);
	dom = OidIsValid(nsp) ? tsov_domain_of_namespace(nsp) : NULL;
	if (dom == NULL)
	{
		const TsovDomain *own = tsov_domain_by_name(d);	/* NULL: several */
		char	   *home = own ? get_namespace_name(own->nspoid) : NULL;

		tsov_deny(tag, GetUserId(), NULL,
				  psprintf("permission denied for role \"%s\" of domain \"%s\" to create schema \"%s\"",
						   GetUserNameFromId(GetUserId(), false), d, name),
				  home ?
				  psprintf("The objects of domain \"%s\" live in its schema \"%s\"; domain roles create no other schema, whatever was granted.",
						   d, home) :
				  "Domain roles create no schema, whatever was granted.",
				  home ? psprintf("Create the objects in schema \"%s\".", home) : NULL);
	}
	/* tsov_deny() does not return: the schema exists and is a domain's */
	Assert(dom != NULL && OidIsValid(nsp));
	tsov_util_schema_object(nsp, &obj);
	tsov_util_quiet_check(tag, true, GetUserId(), &obj);
	if (!stmt->if_not_exists || stmt->schemaElts != NIL)
		return;					/* PostgreSQL's own error follows */
	ereport(NOTICE,
			(errcode(ERRCODE_DUPLICATE_SCHEMA),
			 errmsg("schema \"%s\" already exists, skipping", name)));
	call->done = true;
}

/* ---- ALTER ... SET SCHEMA out of, or into, a domain ---- */

/* pg_extension.extnamespace (PostgreSQL 15 has no syscache for it) */
static Oid
extension_schema(Oid extoid)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	HeapTuple	tup = get_catalog_object_by_oid(rel, Anum_pg_extension_oid, extoid);
	Oid			nsp = InvalidOid;

	if (HeapTupleIsValid(tup))
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	table_close(rel, AccessShareLock);
	return nsp;
}

/*
 * The object an AlterObjectSchemaStmt names, or false when it does not
 * exist (PostgreSQL then reports that itself) or is not in a schema.
 *
 * The parse tree's "object" is not always what get_object_address() takes:
 * for ALTER TYPE/DOMAIN ... SET SCHEMA the grammar stores a bare name list
 * (ExecAlterObjectSchemaStmt hands it to AlterTypeNamespace, which makes
 * the TypeName), while get_object_address() expects a TypeName for those
 * kinds.  Passing the list through read it as a TypeName and crashed the
 * backend; every other kind takes stmt->object as it is, as PostgreSQL's
 * own ExecAlterObjectSchemaStmt passes it.
 */
static bool
set_schema_object(AlterObjectSchemaStmt *stmt, TsovObject *obj)
{
	Relation	rel = NULL;
	ObjectAddress addr;
	Node	   *object = stmt->object;

	memset(obj, 0, sizeof(*obj));
	if (stmt->relation)
		return OidIsValid(tsov_util_rel_object(stmt->relation, obj));

	switch (stmt->objectType)
	{
		case OBJECT_EXTENSION:

			/*
			 * The extension's members move with it, into the extension's
			 * schema: that schema is what decides (a trusted extension can
			 * belong to an ordinary role).
			 */
			obj->classid = ExtensionRelationId;
			obj->objid = get_extension_oid(strVal(stmt->object), true);
			if (!OidIsValid(obj->objid))
				return false;
			obj->nspoid = extension_schema(obj->objid);
			return OidIsValid(obj->nspoid);
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			object = (Node *) makeTypeNameFromNameList(castNode(List, object));
			break;
		default:
			break;
	}
	addr = get_object_address(stmt->objectType, object, &rel,
							  AccessExclusiveLock, true);
	if (rel)
		relation_close(rel, NoLock);
	if (!OidIsValid(addr.objectId) || !is_objectclass_supported(addr.classId) ||
		get_object_attnum_namespace(addr.classId) == InvalidAttrNumber)
		return false;
	obj->classid = addr.classId;
	obj->objid = addr.objectId;
	obj->nspoid = get_object_namespace(&addr);
	return OidIsValid(obj->nspoid);
}

void
tsov_util_set_schema(TsovUtilityCall *call)
{
	AlterObjectSchemaStmt *stmt = castNode(AlterObjectSchemaStmt, call->stmt);
	TsovObject	obj;
	const TsovDomain *src;
	const TsovDomain *dst;
	Oid			target = get_namespace_oid(stmt->newschema, true);
	const char *kind;
	const char *name;
	char		srcname[NAMEDATALEN];

	if (!set_schema_object(stmt, &obj) || target == obj.nspoid)
		return;
	Assert(OidIsValid(obj.nspoid));
	src = tsov_domain_of_namespace(obj.nspoid);
	dst = OidIsValid(target) ? tsov_domain_of_namespace(target) : NULL;

	/* Out of a domain's schema: refused to everyone but a superuser. */
	if (src != NULL)
	{
		strlcpy(srcname, src->name, NAMEDATALEN);
		tsov_util_quiet_check("ALTER SET SCHEMA", true, GetUserId(), &obj);
		if (!superuser())
		{
			tsov_describe_object(&obj, &kind, &name);
			tsov_deny("ALTER SET SCHEMA", GetUserId(), &obj,
					  psprintf("cannot move %s %s out of domain \"%s\"", kind, name, srcname),
					  "Objects of a domain stay in the domain's schema; moving one out would take it out of the domain's protection.",
					  psprintf("To hand data over, export the domain with tec_export_domain('%s').", srcname));
		}
	}

	/*
	 * Into a domain's schema: the same rule as creating an object there (a
	 * role of another domain or of none is refused, whatever was granted).
	 */
	if (dst != NULL && dst != src)
	{
		TsovObject	into = obj;

		into.nspoid = target;
		tsov_util_quiet_check("ALTER SET SCHEMA", true, GetUserId(), &into);
	}
}

/* ---- COMMENT, SECURITY LABEL ---- */

/*
 * Neither fires an object access hook: the object they name is checked
 * here as a write (a change of its definition), recorded by the rule.
 */
static void
check_named_object(const char *action, ObjectType objtype, Node *object)
{
	Relation	rel = NULL;
	ObjectAddress addr;
	TsovObject	obj;

	addr = get_object_address(objtype, object, &rel,
							  ShareUpdateExclusiveLock, true);
	if (rel)
		relation_close(rel, NoLock);
	if (!OidIsValid(addr.objectId))
		return;
	memset(&obj, 0, sizeof(obj));
	obj.classid = addr.classId;
	obj.objid = addr.objectId;
	obj.subid = addr.objectSubId;
	if (addr.classId == NamespaceRelationId)
		obj.nspoid = addr.objectId;
	else if (is_objectclass_supported(addr.classId) &&
			 get_object_attnum_namespace(addr.classId) != InvalidAttrNumber)
		obj.nspoid = get_object_namespace(&addr);
	else if (objtype == OBJECT_TRIGGER || objtype == OBJECT_POLICY ||
			 objtype == OBJECT_RULE || objtype == OBJECT_TABCONSTRAINT)
	{
		/* sub-objects of a relation: the relation's schema */
		List	   *names = castNode(List, object);

		if (list_length(names) >= 2)
		{
			RangeVar   *rv = makeRangeVarFromNameList(list_truncate(list_copy(names),
																	list_length(names) - 1));
			Oid			relid = RangeVarGetRelid(rv, NoLock, true);

			obj.nspoid = get_rel_namespace(relid);
		}
	}
	if (OidIsValid(obj.nspoid))
		tsov_check(action, true, GetUserId(), &obj);
}

void
tsov_util_comment(TsovUtilityCall *call)
{
	CommentStmt *stmt = castNode(CommentStmt, call->stmt);

	check_named_object("COMMENT", stmt->objtype, stmt->object);
}

void
tsov_util_security_label(TsovUtilityCall *call)
{
	SecLabelStmt *stmt = castNode(SecLabelStmt, call->stmt);

	check_named_object("SECURITY LABEL", stmt->objtype, stmt->object);
}

/* ---- DDL on a domain's relations ---- */

/*
 * ALTER TABLE: checked like any DDL on the relation; on a shared table
 * protected by tec_protect_shared_table() row-level security may not be
 * disabled or unforced, by anyone (a fixed rule: the policies are what
 * keeps each domain's rows apart).
 */
void
tsov_util_alter_table(TsovUtilityCall *call)
{
	AlterTableStmt *a = castNode(AlterTableStmt, call->stmt);
	TsovObject	obj;
	ListCell   *lc;

	tsov_util_check_rv(a->relation, call->tag, true, false);
	if (!OidIsValid(tsov_util_rel_object(a->relation, &obj)) ||
		tsov_shared_table_column(obj.objid) <= 0)
		return;
	foreach(lc, a->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_DisableRowSecurity ||
			cmd->subtype == AT_NoForceRowSecurity)
			tsov_deny(call->tag, GetUserId(), &obj,
					  psprintf("cannot disable row-level security on table %s",
							   quote_qualified_identifier(get_namespace_name(obj.nspoid),
														  get_rel_name(obj.objid))),
					  "The table is shared between domains and protected by tec_protect_shared_table(); its row-level security must stay enabled and forced.",
					  NULL);
	}
}

/*
 * The statements below change a relation's definition and name it by a
 * RangeVar: checked as a write of the relation, the denial recorded, the
 * allowed access left to the object access hook.
 */
void
tsov_util_index(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(IndexStmt, call->stmt)->relation,
					   call->tag, true, false);
}

void
tsov_util_create_trigger(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(CreateTrigStmt, call->stmt)->relation,
					   call->tag, true, false);
}

void
tsov_util_rule(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(RuleStmt, call->stmt)->relation,
					   call->tag, true, false);
}

void
tsov_util_create_policy(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(CreatePolicyStmt, call->stmt)->table,
					   call->tag, true, false);
}

void
tsov_util_alter_policy(TsovUtilityCall *call)
{
	tsov_util_check_rv(castNode(AlterPolicyStmt, call->stmt)->table,
					   call->tag, true, false);
}

/*
 * DROP of relations: checked by the name the statement gives, so that a
 * refusal names the table, not whichever of its dependents (its row type,
 * an index) the object access hook sees dropped first.  No lock is taken
 * (PostgreSQL checks ownership before it locks); the object access hook
 * checks every object the drop reaches anyway.
 */
void
tsov_util_drop(TsovUtilityCall *call)
{
	DropStmt   *stmt = castNode(DropStmt, call->stmt);
	ListCell   *lc;

	switch (stmt->removeType)
	{
		case OBJECT_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_INDEX:
		case OBJECT_FOREIGN_TABLE:
			break;
		default:
			return;
	}
	foreach(lc, stmt->objects)
		tsov_util_check_rv(makeRangeVarFromNameList(castNode(List, lfirst(lc))),
						   call->tag, true, false);
}

/* RENAME that names a relation (of it, its columns, constraints, triggers, ...) */
void
tsov_util_rename(TsovUtilityCall *call)
{
	RenameStmt *stmt = castNode(RenameStmt, call->stmt);

	if (stmt->relation)
		tsov_util_check_rv(stmt->relation, call->tag, true, false);
}
