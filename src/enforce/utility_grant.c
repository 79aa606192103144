/*-------------------------------------------------------------------------
 *
 * utility_grant.c
 *	  The utility guard's handlers for who holds what: GRANT/REVOKE on
 *	  objects, ALTER DEFAULT PRIVILEGES, memberships in roles (GRANT/REVOKE
 *	  role, CREATE ROLE ... IN ROLE / ROLE / ADMIN, ALTER GROUP) and SET
 *	  ROLE / SET SESSION AUTHORIZATION.
 *
 * None of these statements fires an object access hook, so this is the one
 * place they are seen before they run.  A grant is refused at the source
 * when a non-superuser would open a domain object to PUBLIC or to another
 * domain; memberships in domain roles go through tec_add_member and
 * tec_remove_member only, which keep the registry and the one-domain rule
 * together.  Dispatched from the table in utility.c.
 *
 * IDENTIFICATION
 *	  src/enforce/utility_grant.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "common/state.h"
#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/utility.h"

/* ---- GRANT / REVOKE on objects ---- */

/*
 * Refuse privileges on objects of domain "domname" to a grantee outside it
 * (grantee InvalidOid: PUBLIC; gdom: the grantee's domain or NULL).
 */
static void
deny_grantee(const char *action, const TsovObject *obj, const char *domname,
			 Oid grantee, const TsovDomain *gdom, const char *msg)
{
	Assert(OidIsValid(grantee) || gdom == NULL);	/* PUBLIC is in no domain */
	tsov_deny(action, GetUserId(), obj, msg,
			  gdom ? psprintf("Role \"%s\" belongs to domain \"%s\"; a domain's objects are never granted to another domain.",
							  GetUserNameFromId(grantee, false), gdom->name)
			  : psprintf("Only roles of domain \"%s\" may hold privileges on its objects.", domname),
			  "Publish a SECURITY DEFINER function with tec_publish_api() instead.");
}

/*
 * PUBLIC's USAGE on a domain schema: tec_create_domain grants it, so that
 * PostgreSQL's own schema check always passes and the namespace search hook
 * (objects.c) decides, and records, every lookup.  Does this GRANT/REVOKE
 * on a schema name USAGE (only: nothing else, no grant option) for PUBLIC?
 */
static bool
public_schema_usage(GrantStmt *stmt, bool only)
{
	ListCell   *lc;
	bool		usage = (stmt->privileges == NIL && !only);	/* ALL */
	bool		other = (stmt->privileges == NIL);

	if (stmt->targtype != ACL_TARGET_OBJECT || stmt->objtype != OBJECT_SCHEMA)
		return false;
	foreach(lc, stmt->privileges)
	{
		AccessPriv *p = lfirst_node(AccessPriv, lc);

		if (p->priv_name && strcmp(p->priv_name, "usage") == 0)
			usage = true;
		else
			other = true;
	}
	if (!usage || stmt->grant_option || (only && other))
		return false;			/* REVOKE GRANT OPTION FOR keeps the privilege */
	foreach(lc, stmt->grantees)
	{
		if (lfirst_node(RoleSpec, lc)->roletype == ROLESPEC_PUBLIC)
			return true;
	}
	return false;
}

/*
 * Without PUBLIC's USAGE, PostgreSQL refuses names in the schema before the
 * extension is asked: the refusal would carry none of its detail and reach
 * the trail only through emit_log_hook (lost when an EXCEPTION block catches
 * it).  Refused to everyone but a superuser, whose REVOKE tsov_check() has
 * just recorded as privileged: a restore script revokes everything and
 * grants PUBLIC's USAGE again (export.sql), and a superuser can switch the
 * extension off anyway.
 */
static void
keep_public_usage(const TsovObject *obj, const char *domname)
{
	Assert(obj->classid == NamespaceRelationId);
	if (superuser() || !tsov_guards_active())
		return;
	tsov_deny("REVOKE", GetUserId(), obj,
			  psprintf("cannot revoke USAGE on schema %s of domain \"%s\" from PUBLIC",
					   quote_identifier(get_namespace_name(obj->objid)), domname),
			  "PUBLIC's USAGE on a domain schema lets the extension, not PostgreSQL, decide and record every name lookup in it; it reaches no object by itself.",
			  "Tables, functions and types keep their own privileges; revoke those instead.  (An export script of an older version revokes ALL on the schema FROM PUBLIC: take PUBLIC out of that REVOKE.)");
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
	{
		if (public_schema_usage(stmt, false))
			keep_public_usage(obj, domname);
		return;
	}

	foreach(lc, stmt->grantees)
	{
		RoleSpec   *rs = lfirst_node(RoleSpec, lc);
		Oid			grantee;
		const TsovDomain *gdom;
		const char *kind;
		const char *name;
		char	   *who;

		if (rs->roletype == ROLESPEC_PUBLIC && public_schema_usage(stmt, true))
			continue;			/* the domain's own (an export script restores it) */
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

void
tsov_util_grant(TsovUtilityCall *call)
{
	GrantStmt  *stmt = castNode(GrantStmt, call->stmt);
	ListCell   *lc;
	TsovObject	obj;

	if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA)
	{
		foreach(lc, stmt->objects)
		{
			Oid			nsp = get_namespace_oid(strVal(lfirst(lc)), true);

			if (!OidIsValid(nsp))
				continue;
			tsov_util_schema_object(nsp, &obj);
			grant_target(stmt, &obj);
		}
		return;
	}
	if (stmt->targtype != ACL_TARGET_OBJECT)
		return;
	if (stmt->objtype == OBJECT_PARAMETER_ACL)
	{
		tsov_util_grant_parameter(stmt, call->tag);
		return;
	}

	foreach(lc, stmt->objects)
	{
		memset(&obj, 0, sizeof(obj));
		switch (stmt->objtype)
		{
			case OBJECT_TABLE:
			case OBJECT_SEQUENCE:
				if (!OidIsValid(tsov_util_rel_object(lfirst_node(RangeVar, lc), &obj)))
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
				{
					Oid			nsp = get_namespace_oid(strVal(lfirst(lc)), true);

					if (!OidIsValid(nsp))
						continue;
					tsov_util_schema_object(nsp, &obj);
				}
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
	Assert(OidIsValid(role) && dom != NULL);
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

	/* tec_add_member and tec_remove_member are internal work: never here */
	Assert(tsov_internal_depth == 0);
	Assert(OidIsValid(group) || OidIsValid(member));
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

void
tsov_util_grant_role(TsovUtilityCall *call)
{
	GrantRoleStmt *stmt = castNode(GrantRoleStmt, call->stmt);
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

			if (!OidIsValid(member))
				continue;
			check_membership(call->tag, granted, ap->priv_name, member, mname,
							 stmt->is_grant);
			if (stmt->is_grant)
				tsov_util_powers_membership(call->tag, granted, member);
		}
	}
}

/* CREATE ROLE x IN ROLE g / ROLE m / ADMIN m */
void
tsov_util_create_role(TsovUtilityCall *call)
{
	CreateRoleStmt *stmt = castNode(CreateRoleStmt, call->stmt);
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
				check_membership(call->tag, other, name, InvalidOid, stmt->role, true);
			else
				check_membership(call->tag, InvalidOid, stmt->role, other, name, true);
		}
	}
	tsov_util_powers_create_role(call);
}

/*
 * ALTER ROLE r attributes (utility_powers.c), ALTER GROUP g ADD USER m /
 * DROP USER m (an AlterRoleStmt)
 */
void
tsov_util_alter_role(TsovUtilityCall *call)
{
	AlterRoleStmt *stmt = castNode(AlterRoleStmt, call->stmt);
	ListCell   *lc;
	ListCell   *lc2;
	const char *gname;
	Oid			group = rolespec_oid(stmt->role, &gname);

	if (!OidIsValid(group))
		return;
	tsov_util_powers_alter_role(call, group);
	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "rolemembers") != 0)
			continue;
		foreach(lc2, (List *) d->arg)
		{
			const char *mname;
			Oid			member = rolespec_oid(lfirst_node(RoleSpec, lc2), &mname);

			if (!OidIsValid(member))
				continue;
			check_membership(call->tag, group, gname, member, mname, stmt->action > 0);
			if (stmt->action > 0)
				tsov_util_powers_membership(call->tag, group, member);
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
void
tsov_util_default_privileges(TsovUtilityCall *call)
{
	AlterDefaultPrivilegesStmt *stmt = castNode(AlterDefaultPrivilegesStmt, call->stmt);
	const char *tag = call->tag;
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
		tsov_util_schema_object(nsp, &obj);
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
			tsov_util_schema_object(nsp, &obj);
			deny_grantee(tag, &obj, domname, grantee, gdom,
						 psprintf("cannot grant default privileges on objects of domain \"%s\" to %s",
								  domname, who));
		}
	}
}

/* ---- SET ROLE / SET SESSION AUTHORIZATION (a VariableSetStmt) ---- */
void
tsov_util_set_role(TsovUtilityCall *call)
{
	VariableSetStmt *stmt = castNode(VariableSetStmt, call->stmt);
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
	/*
	 * A role of the session's own domain (or of any, for a non-domain
	 * session) that holds a power may be become, as it may log in:
	 * everything it then touches in a domain is refused (TSOV_V_POWER).
	 */
	if (tsov_role_info(target)->powers != 0)
	{
		const TsovDomain *sdom = tsov_domain_of_role(GetSessionUserId());
		char		sname[NAMEDATALEN];

		if (sdom == NULL)
			return;
		strlcpy(sname, sdom->name, NAMEDATALEN);
		tdom = tsov_domain_of_role(target);
		if (tdom == NULL || strcmp(sname, tdom->name) == 0)
			return;
	}

	role_object(&obj, target, rolename, tdom);
	tsov_check(strcmp(stmt->name, "role") == 0 ? "SET ROLE" : "SET SESSION AUTHORIZATION",
			   false, target, &obj);
}
