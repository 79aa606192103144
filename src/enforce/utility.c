/*-------------------------------------------------------------------------
 *
 * guard_utility.c
 *	  ProcessUtility: utility statements that touch domain objects, checked
 *	  before PostgreSQL runs them (and before its own privilege checks).
 *
 * Most DDL is also caught by the object access hooks (guard_object.c);
 * checking here first means the denial names the statement and the object,
 * comes before PostgreSQL's "must be owner" errors, and covers statements
 * that fire no object access hook at all: GRANT/REVOKE and ALTER DEFAULT
 * PRIVILEGES (refused at the source when a non-superuser would open a
 * domain object to PUBLIC or to another domain), memberships in domain
 * roles outside tec_add_member (GRANT/REVOKE role, CREATE ROLE ... IN ROLE
 * / ROLE / ADMIN, ALTER GROUP), SET ROLE / SET SESSION AUTHORIZATION, COPY,
 * LOCK, VACUUM/ANALYZE (a database-wide run becomes the list of tables the
 * caller may touch), REINDEX/CLUSTER/REFRESH, COMMENT, ALTER ... SET SCHEMA
 * out of a domain, CREATE SCHEMA by a domain role, LOAD, CALL arguments
 * (guard_sequence.c), and the statements that open a path for data to
 * leave the database (foreign servers, user mappings, foreign tables,
 * publications, subscriptions) when a domain role runs them.
 *
 * Checks made here record denials only; the allowed access is recorded by
 * the hook that sees it happen (object access hook, executor), so that an
 * allowed statement yields one event per object.
 *
 * IDENTIFICATION
 *	  src/guard_utility.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "enforce/decision.h"
#include "enforce/enforce.h"


static void
quiet_check(const char *action, bool is_write, Oid role, const TsovObject *obj)
{
	TSOV_QUIET_BEGIN(true);
	{
		tsov_check(action, is_write, role, obj);
	}
	TSOV_QUIET_END();
}

static Oid
rel_object(RangeVar *rv, TsovObject *obj)
{
	Oid			relid;

	memset(obj, 0, sizeof(*obj));
	if (rv == NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return InvalidOid;
	obj->classid = RelationRelationId;
	obj->objid = relid;
	obj->nspoid = get_rel_namespace(relid);
	return relid;
}

/* Check a relation named by a RangeVar; record: also record allowed. */
static void
check_rv(RangeVar *rv, const char *action, bool is_write, bool record)
{
	TsovObject	obj;

	if (!OidIsValid(rel_object(rv, &obj)))
		return;
	if (record)
		tsov_check(action, is_write, GetUserId(), &obj);
	else
		quiet_check(action, is_write, GetUserId(), &obj);
}

/* Is the current user or the session user a member of some domain? */
static const char *
acting_domain(void)
{
	const TsovRoleInfo *ri = tsov_role_info(GetUserId());

	if (ri->domain)
		return ri->domain->name;
	ri = tsov_role_info(GetSessionUserId());
	return ri->domain ? ri->domain->name : NULL;
}

static void
refuse_for_domain_roles(const char *tag, const char *what)
{
	const char *d = acting_domain();

	if (d == NULL)
		return;
	tsov_deny(tag, GetUserId(), NULL,
			  psprintf("permission denied for role \"%s\" of domain \"%s\" to %s",
					   GetUserNameFromId(GetUserId(), false), d, what),
			  "Domain roles may not open a path for data to leave the database.",
			  "Ask a database administrator; data leaves a domain through tec_export_domain().");
}

/* ---- GRANT / REVOKE on objects ---- */

/*
 * Refuse privileges on objects of domain "domname" to a grantee outside it
 * (grantee InvalidOid: PUBLIC; gdom: the grantee's domain or NULL).
 */
static void
deny_grantee(const char *action, const TsovObject *obj, const char *domname,
			 Oid grantee, const TsovDomain *gdom, const char *msg)
{
	tsov_deny(action, GetUserId(), obj, msg,
			  gdom ? psprintf("Role \"%s\" belongs to domain \"%s\"; a domain's objects are never granted to another domain.",
							  GetUserNameFromId(grantee, false), gdom->name)
			  : psprintf("Only roles of domain \"%s\" may hold privileges on its objects.", domname),
			  "Publish a SECURITY DEFINER function with tec_publish_api() instead.");
}

static void
grant_target(GrantStmt *stmt, TsovObject *obj)
{
	const TsovDomain *dom;
	ListCell   *lc;
	char		domname[NAMEDATALEN];
	const char *action = stmt->is_grant ? "GRANT" : "REVOKE";

	dom = tsov_domain_of_namespace(obj->nspoid);
	if (dom == NULL)
		return;
	strlcpy(domname, dom->name, NAMEDATALEN);
	tsov_check(action, true, GetUserId(), obj);
	if (!stmt->is_grant)
		return;

	foreach(lc, stmt->grantees)
	{
		RoleSpec   *rs = lfirst_node(RoleSpec, lc);
		Oid			grantee;
		const TsovDomain *gdom;
		const char *kind;
		const char *name;
		char	   *who;

		if (rs->roletype == ROLESPEC_PUBLIC)
		{
			grantee = InvalidOid;
			gdom = NULL;
			who = pstrdup("PUBLIC");
		}
		else
		{
			grantee = get_rolespec_oid(rs, true);
			if (!OidIsValid(grantee))
				continue;
			gdom = tsov_domain_of_role(grantee);
			who = psprintf("role \"%s\"", GetUserNameFromId(grantee, false));
		}
		if (gdom && strcmp(gdom->name, domname) == 0)
			continue;
		if (superuser())
			continue;			/* allowed, recorded as privileged above;
								 * it opens nothing: the guards still deny */
		tsov_describe_object(obj, &kind, &name);
		deny_grantee(action, obj, domname, grantee, gdom,
					 psprintf("cannot grant privileges on %s %s of domain \"%s\" to %s",
							  kind, name, domname, who));
	}
}

static void
check_grant(GrantStmt *stmt)
{
	ListCell   *lc;
	TsovObject	obj;

	if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA)
	{
		foreach(lc, stmt->objects)
		{
			Oid			nsp = get_namespace_oid(strVal(lfirst(lc)), true);

			if (!OidIsValid(nsp))
				continue;
			memset(&obj, 0, sizeof(obj));
			obj.classid = NamespaceRelationId;
			obj.objid = nsp;
			obj.nspoid = nsp;
			grant_target(stmt, &obj);
		}
		return;
	}
	if (stmt->targtype != ACL_TARGET_OBJECT)
		return;

	foreach(lc, stmt->objects)
	{
		memset(&obj, 0, sizeof(obj));
		switch (stmt->objtype)
		{
			case OBJECT_TABLE:
			case OBJECT_SEQUENCE:
				if (!OidIsValid(rel_object(lfirst_node(RangeVar, lc), &obj)))
					continue;
				break;
			case OBJECT_FUNCTION:
			case OBJECT_PROCEDURE:
			case OBJECT_ROUTINE:
				{
					Oid			fn = LookupFuncWithArgs(stmt->objtype,
														lfirst_node(ObjectWithArgs, lc), true);

					if (!OidIsValid(fn))
						continue;
					obj.classid = ProcedureRelationId;
					obj.objid = fn;
					obj.nspoid = get_func_namespace(fn);
				}
				break;
			case OBJECT_SCHEMA:
				obj.classid = NamespaceRelationId;
				obj.objid = get_namespace_oid(strVal(lfirst(lc)), true);
				obj.nspoid = obj.objid;
				if (!OidIsValid(obj.objid))
					continue;
				break;
			case OBJECT_TYPE:
			case OBJECT_DOMAIN:
				{
					TypeName   *tn = makeTypeNameFromNameList((List *) lfirst(lc));
					Oid			typ = LookupTypeNameOid(NULL, tn, true);
					HeapTuple	tup;

					if (!OidIsValid(typ))
						continue;
					tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typ));
					if (!HeapTupleIsValid(tup))
						continue;
					obj.classid = TypeRelationId;
					obj.objid = typ;
					obj.nspoid = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
					ReleaseSysCache(tup);
				}
				break;
			default:
				continue;
		}
		grant_target(stmt, &obj);
	}
}

/* ---- role memberships: GRANT/REVOKE role, CREATE ROLE, ALTER GROUP ---- */

/* The domain whose own owner, writer or reader role this is, or NULL. */
static const TsovDomain *
core_role_domain(Oid role)
{
	const TsovDomain *d = tsov_domain_of_role(role);

	if (d && (role == d->owner_role || role == d->writer_role ||
			  role == d->reader_role))
		return d;
	return NULL;
}

static void
role_object(TsovObject *obj, Oid role, const char *rolename, const TsovDomain *dom)
{
	memset(obj, 0, sizeof(*obj));
	obj->classid = AuthIdRelationId;
	obj->objid = role;
	obj->nspoid = dom->nspoid;
	obj->kind = "role";
	obj->name = quote_identifier(rolename);
}

/*
 * Membership of "member" in role "group" is granted (is_grant) or revoked.
 * Either may not exist yet (CREATE ROLE): InvalidOid.
 *
 * Domain memberships go through tec_add_member / tec_remove_member, which
 * keep the registry, the owner members' role setting and the one-domain
 * rule together; those functions run as the extension's internal work and
 * never get here.  So a non-superuser (CREATEROLE, or ADMIN OPTION) may
 * neither change the members of a role that belongs to a domain nor change
 * what a domain's own three roles are members of.  A superuser may (role
 * memberships are restored that way); a grant that puts a role of one
 * domain into another is audited as privileged, and the role, now in two
 * domains, is refused everywhere.
 */
static void
check_membership(const char *action, Oid group, const char *groupname,
				 Oid member, const char *membername, bool is_grant)
{
	const TsovDomain *gdom = OidIsValid(group) ? tsov_domain_of_role(group) : NULL;
	const TsovDomain *mdom;
	char		gname[NAMEDATALEN];
	TsovObject	obj;

	if (gdom)
		strlcpy(gname, gdom->name, NAMEDATALEN);
	if (superuser())
	{
		if (!is_grant || gdom == NULL || !OidIsValid(member))
			return;
		mdom = tsov_domain_of_role(member);
		if (mdom == NULL || strcmp(mdom->name, gname) == 0)
			return;
		/* audited as privileged; the role stays confined anyway */
		role_object(&obj, group, groupname, gdom);
		tsov_check(action, true, GetUserId(), &obj);
		return;
	}

	if (gdom)
	{
		const char *level = NULL;
		const TsovDomain *other = OidIsValid(member) ? tsov_domain_of_role(member) : NULL;
		char	   *hint;

		if (group == gdom->owner_role)
			level = "owner";
		else if (group == gdom->writer_role)
			level = "writer";
		else if (group == gdom->reader_role)
			level = "reader";
		if (!is_grant)
			hint = psprintf("Use tec_remove_member('%s', '%s').", gname, membername);
		else if (other && strcmp(other->name, gname) != 0 && core_role_domain(member))
			hint = psprintf("Role \"%s\" is a role of domain \"%s\"; a domain's own roles are members of no other domain.",
							membername, other->name);
		else if (other && strcmp(other->name, gname) != 0)
			hint = psprintf("Role \"%s\" belongs to domain \"%s\", and a role belongs to at most one domain: remove it with tec_remove_member('%s', '%s') before adding it with tec_add_member().",
							membername, other->name, other->name, membername);
		else if (level)
			hint = psprintf("Use tec_add_member('%s', '%s', '%s').", gname, membername, level);
		else
			hint = psprintf("Use tec_add_member('%s', '%s', 'reader' | 'writer' | 'owner').",
							gname, membername);
		role_object(&obj, group, groupname, gdom);
		tsov_deny(action, GetUserId(), &obj,
				  is_grant ?
				  psprintf("permission denied to grant role \"%s\" of domain \"%s\" to role \"%s\"",
						   groupname, gname, membername) :
				  psprintf("permission denied to revoke role \"%s\" of domain \"%s\" from role \"%s\"",
						   groupname, gname, membername),
				  "Memberships in domain roles are managed by tec_add_member and tec_remove_member.",
				  hint);
	}

	mdom = OidIsValid(member) ? core_role_domain(member) : NULL;
	if (mdom)
	{
		role_object(&obj, member, membername, mdom);
		tsov_deny(action, GetUserId(), &obj,
				  is_grant ?
				  psprintf("permission denied to grant role \"%s\" to role \"%s\" of domain \"%s\"",
						   groupname, membername, mdom->name) :
				  psprintf("permission denied to revoke role \"%s\" from role \"%s\" of domain \"%s\"",
						   groupname, membername, mdom->name),
				  "Memberships of domain roles are managed by tec_add_member and tec_remove_member.",
				  "Grant the role to a member of the domain instead, or ask a superuser.");
	}
}

static Oid
rolespec_oid(RoleSpec *rs, const char **name)
{
	Oid			oid = get_rolespec_oid(rs, true);

	/*
	 * A role that does not exist (yet) is PostgreSQL's to report, with its
	 * own message: get_rolespec_name() would raise "does not exist" first.
	 */
	if (OidIsValid(oid))
		*name = GetUserNameFromId(oid, false);
	else
		*name = rs->roletype == ROLESPEC_CSTRING ? rs->rolename : "?";
	return oid;
}

static void
check_grant_role(GrantRoleStmt *stmt, const char *tag)
{
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, stmt->granted_roles)
	{
		AccessPriv *ap = (AccessPriv *) lfirst(lc);
		Oid			granted = get_role_oid(ap->priv_name, true);

		if (!OidIsValid(granted))
			continue;
		foreach(lc2, stmt->grantee_roles)
		{
			const char *mname;
			Oid			member = rolespec_oid(lfirst_node(RoleSpec, lc2), &mname);

			if (OidIsValid(member))
				check_membership(tag, granted, ap->priv_name, member, mname,
								 stmt->is_grant);
		}
	}
}

/* CREATE ROLE x IN ROLE g / ROLE m / ADMIN m */
static void
check_create_role(CreateRoleStmt *stmt, const char *tag)
{
	ListCell   *lc;
	ListCell   *lc2;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);
		bool		in_role = strcmp(d->defname, "addroleto") == 0;

		if (!in_role && strcmp(d->defname, "rolemembers") != 0 &&
			strcmp(d->defname, "adminmembers") != 0)
			continue;
		foreach(lc2, (List *) d->arg)
		{
			const char *name;
			Oid			other = rolespec_oid(lfirst_node(RoleSpec, lc2), &name);

			if (!OidIsValid(other))
				continue;
			if (in_role)
				check_membership(tag, other, name, InvalidOid, stmt->role, true);
			else
				check_membership(tag, InvalidOid, stmt->role, other, name, true);
		}
	}
}

/* ALTER GROUP g ADD USER m / DROP USER m */
static void
check_alter_group(AlterRoleStmt *stmt, const char *tag)
{
	ListCell   *lc;
	ListCell   *lc2;
	const char *gname;
	Oid			group;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "rolemembers") != 0)
			continue;
		group = rolespec_oid(stmt->role, &gname);
		if (!OidIsValid(group))
			return;
		foreach(lc2, (List *) d->arg)
		{
			const char *mname;
			Oid			member = rolespec_oid(lfirst_node(RoleSpec, lc2), &mname);

			if (OidIsValid(member))
				check_membership(tag, group, gname, member, mname, stmt->action > 0);
		}
	}
}

/* ---- ALTER DEFAULT PRIVILEGES ---- */

/*
 * Default privileges are grants made later, when the objects are created:
 * they follow the rules of GRANT.  The schemas named and the roles whose
 * future objects are concerned (FOR ROLE, default the current user) are
 * checked like objects of their domain, so that another domain cannot
 * change them; a non-superuser may then grant only to roles of the domain
 * concerned: never to another domain's roles, to non-domain roles or to
 * PUBLIC (a direct GRANT to PUBLIC is refused, so a deferred one is too).
 * Revoking is always allowed to whoever may change them.
 */
static void
check_default_privileges(AlterDefaultPrivilegesStmt *stmt, const char *tag)
{
	List	   *schemas = NIL;
	List	   *roles = NIL;
	List	   *targets = NIL;	/* roles whose future objects are concerned */
	List	   *domains = NIL;	/* schema oids of the domains concerned */
	ListCell   *lc;
	ListCell   *lc2;
	TsovObject	obj;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "schemas") == 0)
			schemas = (List *) d->arg;
		else if (strcmp(d->defname, "roles") == 0)
			roles = (List *) d->arg;
	}

	foreach(lc, schemas)
	{
		Oid			nsp = get_namespace_oid(strVal(lfirst(lc)), true);

		if (!OidIsValid(nsp) || tsov_domain_of_namespace(nsp) == NULL)
			continue;
		memset(&obj, 0, sizeof(obj));
		obj.classid = NamespaceRelationId;
		obj.objid = nsp;
		obj.nspoid = nsp;
		tsov_check(tag, true, GetUserId(), &obj);
		domains = list_append_unique_oid(domains, nsp);
	}
	foreach(lc, roles)
		targets = lappend_oid(targets, get_rolespec_oid(lfirst_node(RoleSpec, lc), true));
	if (roles == NIL)
		targets = list_make1_oid(GetUserId());
	foreach(lc, targets)
	{
		Oid			target = lfirst_oid(lc);
		const TsovDomain *d = OidIsValid(target) ? tsov_domain_of_role(target) : NULL;
		const char *name;

		if (d == NULL)
			continue;
		name = GetUserNameFromId(target, false);
		if (schemas == NIL)
			domains = list_append_unique_oid(domains, d->nspoid);
		role_object(&obj, target, name, d);
		tsov_check(tag, true, GetUserId(), &obj);
	}

	if (!stmt->action->is_grant || superuser())
		return;
	foreach(lc, domains)
	{
		Oid			nsp = lfirst_oid(lc);
		const TsovDomain *dom = tsov_domain_of_namespace(nsp);
		char		domname[NAMEDATALEN];

		if (dom == NULL)
			continue;
		strlcpy(domname, dom->name, NAMEDATALEN);
		foreach(lc2, stmt->action->grantees)
		{
			RoleSpec   *rs = lfirst_node(RoleSpec, lc2);
			const char *who = "PUBLIC";
			Oid			grantee = InvalidOid;
			const TsovDomain *gdom = NULL;

			if (rs->roletype != ROLESPEC_PUBLIC)
			{
				grantee = rolespec_oid(rs, &who);
				if (!OidIsValid(grantee))
					continue;
				gdom = tsov_domain_of_role(grantee);
				if (gdom && strcmp(gdom->name, domname) == 0)
					continue;
				who = psprintf("role \"%s\"", who);
			}
			memset(&obj, 0, sizeof(obj));
			obj.classid = NamespaceRelationId;
			obj.objid = nsp;
			obj.nspoid = nsp;
			deny_grantee(tag, &obj, domname, grantee, gdom,
						 psprintf("cannot grant default privileges on objects of domain \"%s\" to %s",
								  domname, who));
		}
	}
}

/* ---- SET ROLE / SET SESSION AUTHORIZATION ---- */
static void
check_set_role(VariableSetStmt *stmt)
{
	A_Const    *con;
	char	   *rolename;
	Oid			target;
	const TsovDomain *tdom;
	TsovObject	obj;

	if (stmt->kind != VAR_SET_VALUE || stmt->args == NIL)
		return;
	if (strcmp(stmt->name, "role") != 0 && strcmp(stmt->name, "session_authorization") != 0)
		return;
	con = (A_Const *) linitial(stmt->args);
	if (!IsA(con, A_Const) || con->isnull || !IsA(&con->val, String))
		return;
	rolename = strVal(&con->val);
	if (strcmp(rolename, "none") == 0)
		return;
	target = get_role_oid(rolename, true);
	if (!OidIsValid(target))
		return;
	tdom = tsov_domain_of_role(target);
	if (tdom == NULL || tdom == tsov_conflict_domain())
		return;

	memset(&obj, 0, sizeof(obj));
	obj.classid = AuthIdRelationId;
	obj.objid = target;
	obj.nspoid = tdom->nspoid;
	obj.kind = "role";
	obj.name = quote_identifier(rolename);
	tsov_check(strcmp(stmt->name, "role") == 0 ? "SET ROLE" : "SET SESSION AUTHORIZATION",
			   false, target, &obj);
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
		return OidIsValid(rel_object(stmt->relation, obj));

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

static void
check_set_schema(AlterObjectSchemaStmt *stmt)
{
	TsovObject	obj;
	const TsovDomain *src;
	const TsovDomain *dst;
	Oid			target = get_namespace_oid(stmt->newschema, true);
	const char *kind;
	const char *name;
	char		srcname[NAMEDATALEN];

	if (!set_schema_object(stmt, &obj) || target == obj.nspoid)
		return;
	src = tsov_domain_of_namespace(obj.nspoid);
	dst = OidIsValid(target) ? tsov_domain_of_namespace(target) : NULL;

	/* Out of a domain's schema: refused to everyone but a superuser. */
	if (src != NULL)
	{
		strlcpy(srcname, src->name, NAMEDATALEN);
		quiet_check("ALTER SET SCHEMA", true, GetUserId(), &obj);
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
		quiet_check("ALTER SET SCHEMA", true, GetUserId(), &into);
	}
}

/* ---- COMMENT ---- */
static void
check_comment(CommentStmt *stmt)
{
	Relation	rel = NULL;
	ObjectAddress addr;
	TsovObject	obj;

	addr = get_object_address(stmt->objtype, stmt->object, &rel,
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
	else if (stmt->objtype == OBJECT_TRIGGER || stmt->objtype == OBJECT_POLICY ||
			 stmt->objtype == OBJECT_RULE || stmt->objtype == OBJECT_TABCONSTRAINT)
	{
		/* sub-objects of a relation: the relation's schema */
		List	   *names = castNode(List, stmt->object);

		if (list_length(names) >= 2)
		{
			RangeVar   *rv = makeRangeVarFromNameList(list_truncate(list_copy(names),
																	list_length(names) - 1));
			Oid			relid = RangeVarGetRelid(rv, NoLock, true);

			obj.nspoid = get_rel_namespace(relid);
		}
	}
	if (OidIsValid(obj.nspoid))
		tsov_check("COMMENT", true, GetUserId(), &obj);
}

/* ---- CREATE SCHEMA by a domain role ---- */

/*
 * A domain's objects live in its schema: a domain role creates no other
 * schema, whatever was granted on the database (a schema of its own outside
 * the domain would be out of the domain's protection).  CREATE SCHEMA IF
 * NOT EXISTS naming the caller's own domain schema (the first statement of
 * every Prisma migration) is a no-op with PostgreSQL's own notice: returns
 * true, and the statement is then not run.  Naming another domain's schema
 * is a cross-domain denial.
 */
static bool
check_create_schema(CreateSchemaStmt *stmt, const char *tag)
{
	const char *d = acting_domain();
	const char *name;
	Oid			nsp;
	const TsovDomain *dom;
	TsovObject	obj;

	if (d == NULL)
		return false;
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
	memset(&obj, 0, sizeof(obj));
	obj.classid = NamespaceRelationId;
	obj.objid = nsp;
	obj.nspoid = nsp;
	quiet_check(tag, true, GetUserId(), &obj);
	if (!stmt->if_not_exists || stmt->schemaElts != NIL)
		return false;			/* PostgreSQL's own error follows */
	ereport(NOTICE,
			(errcode(ERRCODE_DUPLICATE_SCHEMA),
			 errmsg("schema \"%s\" already exists, skipping", name)));
	return true;
}

/* ---- database-wide VACUUM / ANALYZE ---- */

typedef struct VacCandidate
{
	Oid			relid;
	Oid			nspoid;
} VacCandidate;

/*
 * A VACUUM or ANALYZE without a table list processes every table the caller
 * may maintain in PostgreSQL's eyes (its own; all but shared catalogs for
 * the database owner).  It becomes the explicit list of those tables by
 * OID, built as get_all_vacuum_rels() builds it (same ownership check, same
 * warnings, same relkinds, no RangeVar), minus the tables of domains the
 * caller may not touch.  Those are skipped with a warning, and each skip is
 * recorded as a denial, exactly as a VACUUM naming the table would be
 * (tsov_check_skip()); the rest of the run goes on, as PostgreSQL skips
 * tables the caller does not own.  Returns the statement to run, or NULL
 * when no table is left (the statement is then not run; VACUUM still
 * refuses a transaction block).
 */
static PlannedStmt *
database_vacuum(PlannedStmt *pstmt, bool isTopLevel)
{
	VacuumStmt *v = (VacuumStmt *) pstmt->utilityStmt;
	const char *action = v->is_vacuumcmd ? "VACUUM" : "ANALYZE";
	bits32		options = v->is_vacuumcmd ? VACOPT_VACUUM : VACOPT_ANALYZE;
	List	   *rels = NIL;
	VacCandidate *cand = NULL;
	int			ncand = 0;
	int			maxcand = 0;
	int			i;
	Relation	pgclass;
	TableScanDesc scan;
	HeapTuple	tuple;
	PlannedStmt *copy;

	/* the scan first: the checks below record events and may wait */
	pgclass = table_open(RelationRelationId, AccessShareLock);
	scan = table_beginscan_catalog(pgclass, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);

		if (!vacuum_is_relation_owner(c->oid, c, options))
			continue;
		if (c->relkind != RELKIND_RELATION && c->relkind != RELKIND_MATVIEW &&
			c->relkind != RELKIND_PARTITIONED_TABLE)
			continue;
		if (ncand == maxcand)
		{
			maxcand = maxcand ? maxcand * 2 : 256;
			cand = cand ? repalloc(cand, sizeof(VacCandidate) * maxcand)
				: palloc(sizeof(VacCandidate) * maxcand);
		}
		cand[ncand].relid = c->oid;
		cand[ncand].nspoid = c->relnamespace;
		ncand++;
	}
	table_endscan(scan);
	table_close(pgclass, AccessShareLock);

	for (i = 0; i < ncand; i++)
	{
		const TsovDomain *dom = tsov_domain_of_namespace(cand[i].nspoid);

		if (dom)
		{
			TsovObject	obj;
			char		domname[NAMEDATALEN];

			strlcpy(domname, dom->name, NAMEDATALEN);
			memset(&obj, 0, sizeof(obj));
			obj.classid = RelationRelationId;
			obj.objid = cand[i].relid;
			obj.nspoid = cand[i].nspoid;
			if (!tsov_check_skip(action, true, GetUserId(), &obj))
			{
				ereport(WARNING,
						(errmsg("skipping \"%s\" --- it belongs to domain \"%s\"",
								get_rel_name(cand[i].relid), domname),
						 errdetail("%s of another domain's tables is refused whatever was granted; the refusal is recorded in the audit trail.",
								   action)));
				continue;
			}
		}
		rels = lappend(rels, makeVacuumRelation(NULL, cand[i].relid, NIL));
	}

	if (rels == NIL)
	{
		if (v->is_vacuumcmd)
			PreventInTransactionBlock(isTopLevel, "VACUUM");
		return NULL;
	}
	copy = copyObject(pstmt);
	((VacuumStmt *) copy->utilityStmt)->rels = rels;
	return copy;
}

static void
check_statement(Node *parsetree, const char *tag)
{
	switch (nodeTag(parsetree))
	{
		case T_TransactionStmt:
			return;
		case T_VariableSetStmt:
			check_set_role((VariableSetStmt *) parsetree);
			return;
		case T_GrantStmt:
			check_grant((GrantStmt *) parsetree);
			return;
		case T_GrantRoleStmt:
			check_grant_role((GrantRoleStmt *) parsetree, tag);
			return;
		case T_AlterDefaultPrivilegesStmt:
			check_default_privileges((AlterDefaultPrivilegesStmt *) parsetree, tag);
			return;
		case T_CreateRoleStmt:
			check_create_role((CreateRoleStmt *) parsetree, tag);
			return;
		case T_AlterRoleStmt:
			check_alter_group((AlterRoleStmt *) parsetree, tag);
			return;
		case T_LoadStmt:
			if (!superuser())
				tsov_deny("LOAD", GetUserId(), NULL,
						  psprintf("permission denied to load library \"%s\"",
								   ((LoadStmt *) parsetree)->filename),
						  "While tec_sovereignty is loaded, only superusers may load libraries.",
						  NULL);
			return;
		case T_CreateForeignServerStmt:
			refuse_for_domain_roles(tag, "create a foreign server");
			return;
		case T_CreateUserMappingStmt:
		case T_AlterUserMappingStmt:
			refuse_for_domain_roles(tag, "create or alter a user mapping");
			return;
		case T_CreateForeignTableStmt:
			refuse_for_domain_roles(tag, "create a foreign table");
			return;
		case T_ImportForeignSchemaStmt:
			refuse_for_domain_roles(tag, "import a foreign schema");
			return;
		case T_CreatePublicationStmt:
		case T_AlterPublicationStmt:
			refuse_for_domain_roles(tag, "create or alter a publication");
			return;
		case T_CreateSubscriptionStmt:
		case T_AlterSubscriptionStmt:
			refuse_for_domain_roles(tag, "create or alter a subscription");
			return;
		case T_CopyStmt:
			{
				CopyStmt   *c = (CopyStmt *) parsetree;

				if (c->filename != NULL || c->is_program)
				{
					const char *d = acting_domain();

					if (d)
						tsov_deny("COPY", GetUserId(), NULL,
								  psprintf("permission denied for role \"%s\" of domain \"%s\" to COPY %s a server %s",
										   GetUserNameFromId(GetUserId(), false), d,
										   c->is_from ? "from" : "to",
										   c->is_program ? "program" : "file"),
								  "Domain roles may not open a path for data to leave the database.",
								  "Use COPY ... TO STDOUT / FROM STDIN through the client.");
				}
				if (c->relation)
				{
					TsovObject	obj;

					check_rv(c->relation, "COPY", c->is_from, false);
					if (c->is_from && OidIsValid(rel_object(c->relation, &obj)))
						tsov_guard_copy_defaults(obj.objid, c->attlist);
				}
			}
			return;
		case T_TruncateStmt:
			{
				ListCell   *lc;

				foreach(lc, ((TruncateStmt *) parsetree)->relations)
					check_rv(lfirst_node(RangeVar, lc), "TRUNCATE", true, false);
			}
			return;
		case T_LockStmt:
			{
				LockStmt   *l = (LockStmt *) parsetree;
				ListCell   *lc;

				foreach(lc, l->relations)
					check_rv(lfirst_node(RangeVar, lc), "LOCK", l->mode >= RowExclusiveLock, true);
			}
			return;
		case T_VacuumStmt:
			{
				VacuumStmt *v = (VacuumStmt *) parsetree;
				ListCell   *lc;

				foreach(lc, v->rels)
				{
					VacuumRelation *vr = lfirst_node(VacuumRelation, lc);

					check_rv(vr->relation, v->is_vacuumcmd ? "VACUUM" : "ANALYZE", true, true);
				}
			}
			return;
		case T_ReindexStmt:
			{
				ReindexStmt *r = (ReindexStmt *) parsetree;

				if (r->relation)
					check_rv(r->relation, "REINDEX", true, true);
				else if (r->kind == REINDEX_OBJECT_SCHEMA && r->name)
				{
					TsovObject	obj;
					Oid			nsp = get_namespace_oid(r->name, true);

					if (OidIsValid(nsp))
					{
						memset(&obj, 0, sizeof(obj));
						obj.classid = NamespaceRelationId;
						obj.objid = nsp;
						obj.nspoid = nsp;
						tsov_check("REINDEX", true, GetUserId(), &obj);
					}
				}
			}
			return;
		case T_ClusterStmt:
			check_rv(((ClusterStmt *) parsetree)->relation, "CLUSTER", true, true);
			return;
		case T_RefreshMatViewStmt:
			check_rv(((RefreshMatViewStmt *) parsetree)->relation, "REFRESH MATERIALIZED VIEW", true, true);
			return;
		case T_AlterObjectSchemaStmt:
			check_set_schema((AlterObjectSchemaStmt *) parsetree);
			return;
		case T_CommentStmt:
			check_comment((CommentStmt *) parsetree);
			return;
		case T_AlterTableStmt:
			{
				AlterTableStmt *a = (AlterTableStmt *) parsetree;
				TsovObject	obj;
				ListCell   *lc;

				check_rv(a->relation, tag, true, false);
				if (OidIsValid(rel_object(a->relation, &obj)) &&
					tsov_shared_table_column(obj.objid) > 0)
				{
					foreach(lc, a->cmds)
					{
						AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

						if (cmd->subtype == AT_DisableRowSecurity ||
							cmd->subtype == AT_NoForceRowSecurity)
							tsov_deny(tag, GetUserId(), &obj,
									  psprintf("cannot disable row-level security on table %s",
											   quote_qualified_identifier(get_namespace_name(obj.nspoid),
																		  get_rel_name(obj.objid))),
									  "The table is shared between domains and protected by tec_protect_shared_table(); its row-level security must stay enabled and forced.",
									  NULL);
					}
				}
			}
			return;
		case T_IndexStmt:
			check_rv(((IndexStmt *) parsetree)->relation, tag, true, false);
			return;
		case T_CreateTrigStmt:
			check_rv(((CreateTrigStmt *) parsetree)->relation, tag, true, false);
			return;
		case T_RuleStmt:
			check_rv(((RuleStmt *) parsetree)->relation, tag, true, false);
			return;
		case T_CreatePolicyStmt:
			check_rv(((CreatePolicyStmt *) parsetree)->table, tag, true, false);
			return;
		case T_AlterPolicyStmt:
			check_rv(((AlterPolicyStmt *) parsetree)->table, tag, true, false);
			return;
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->relation)
				check_rv(((RenameStmt *) parsetree)->relation, tag, true, false);
			return;
		default:
			return;
	}
}

/*
 * From ProcessUtility_hook (hooks.c), before the statement runs.  Returns
 * false when the statement is done already (CREATE SCHEMA IF NOT EXISTS
 * of the domain's own schema, a database-wide VACUUM with nothing left to
 * process); may replace *pstmt with a checked copy (then *readOnlyTree
 * becomes false).
 */
bool
tsov_utility_before(PlannedStmt **pstmt, bool *readOnlyTree,
					ProcessUtilityContext context, const char *tag)
{
	Node	   *parsetree = (*pstmt)->utilityStmt;

	if (!tsov_guards_active() || IsA(parsetree, TransactionStmt))
		return true;
	check_statement(parsetree, tag);
	if (IsA(parsetree, CreateSchemaStmt) &&
		check_create_schema((CreateSchemaStmt *) parsetree, tag))
		return false;
	if (IsA(parsetree, CallStmt))
	{
		PlannedStmt *checked = tsov_guard_call_args(*pstmt);

		if (checked != *pstmt)
		{
			*pstmt = checked;
			*readOnlyTree = false;
		}
	}
	if (IsA(parsetree, VacuumStmt) && ((VacuumStmt *) parsetree)->rels == NIL)
	{
		*pstmt = database_vacuum(*pstmt, context == PROCESS_UTILITY_TOPLEVEL);
		if (*pstmt == NULL)
			return false;
		*readOnlyTree = false;
	}
	return true;
}
