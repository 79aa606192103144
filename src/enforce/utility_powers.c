/*-------------------------------------------------------------------------
 *
 * utility_powers.c
 *	  Principle 1 at the source: a domain role holds no power that lets
 *	  PostgreSQL bypass the rule.  The utility guard's checks of the
 *	  statements that give powers (role attributes, memberships in roles
 *	  that hold them, database ownership, parameter privileges) and of the
 *	  statements that change a domain's roles.
 *
 * A power is what domain/catalog.c's tsov_role_powers() names:
 * SUPERUSER, REPLICATION, CREATEROLE, CREATEDB, BYPASSRLS, membership in
 * a predefined role that reads, writes or signals across the database
 * (pg_read_all_data, pg_read_server_files, pg_monitor, pg_signal_backend,
 * ...), the ownership of a database, and SET (on a parameter that is not
 * USERSET) or ALTER SYSTEM privileges on parameters.  A statement that
 * would leave a role of a domain -- the domain's own roles, its members,
 * and every role that is a member of those -- holding a power is refused,
 * for superusers too: there is no reason to give such a power to a domain
 * role, and a superuser who forces one anyway by another route (a catalog
 * update, an ALTER ROLE in a database where the domain does not exist)
 * only makes the role refused everywhere (enforce/decision.c,
 * TSOV_V_POWER).
 *
 * Changing a role of a domain (password, LOGIN, VALID UNTIL, settings) is
 * a superuser's or the role's own business: a CREATEROLE role could
 * otherwise log in as life_owner.
 *
 * IDENTIFICATION
 *	  src/enforce/utility_powers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "domain/domain.h"
#include "enforce/decision.h"
#include "enforce/utility.h"

static void
role_obj(TsovObject *obj, Oid role, const TsovDomain *dom)
{
	memset(obj, 0, sizeof(*obj));
	obj->classid = AuthIdRelationId;
	obj->objid = role;
	obj->nspoid = dom->nspoid;
	obj->kind = "role";
	obj->name = quote_identifier(GetUserNameFromId(role, false));
}

/* What a statement gives roles, and what refuse_powers() found. */
typedef struct PowerGrant
{
	char		gdom[NAMEDATALEN];	/* domain the roles get ("": none) */
	uint32		powers;			/* powers the roles get */
	const char *what;			/* the first of them, named */
	Oid			role;			/* out: the role that would be in a domain
								 * and hold a power */
	char		domname[NAMEDATALEN];	/* out: its domain */
	const char *role_what;		/* out: its own power, when it had one */
} PowerGrant;

/*
 * Would role r, once it also gets g->gdom and g->powers, be a role of a
 * domain holding a power it did not hold before?  (Called for every role
 * that gets them.)
 */
static bool
violates(Oid r, void *arg)
{
	PowerGrant *g = (PowerGrant *) arg;
	const TsovDomain *rdom;
	const char *own = NULL;

	if (g->powers == 0 && g->gdom[0] == '\0')
		return false;
	rdom = tsov_domain_of_role(r);
	if (rdom)
		strlcpy(g->domname, rdom->name, NAMEDATALEN);
	else if (g->gdom[0])
		strlcpy(g->domname, g->gdom, NAMEDATALEN);
	else
		return false;
	if (g->powers == 0 && (rdom != NULL || tsov_role_powers(r, &own) == 0))
		return false;
	g->role = r;
	g->role_what = own;
	return true;
}

/*
 * Refuse "action" when "target" or a role that is a member of it (they
 * all get what target gets) would end up in a domain with a power.
 */
static void
refuse_powers(const char *action, Oid target, PowerGrant *g)
{
	TsovObject	obj;
	const TsovDomain *dom;
	const char *what;
	const char *target_name;

	if (!OidIsValid(tsov_role_members_find(target, violates, g)))
		return;
	dom = tsov_domain_by_name(g->domname);
	if (dom == NULL)
		return;
	what = g->powers != 0 ? g->what : g->role_what;
	target_name = GetUserNameFromId(target, false);
	role_obj(&obj, g->role, dom);
	tsov_deny(action, GetUserId(), &obj,
			  g->powers == 0 && g->role == target ?
			  psprintf("cannot add role \"%s\", which holds %s, to domain \"%s\"",
					   target_name, what, g->domname) :
			  g->powers == 0 ?
			  psprintf("cannot add role \"%s\" to domain \"%s\": its member \"%s\" holds %s",
					   target_name, g->domname, GetUserNameFromId(g->role, false), what) :
			  g->role == target ?
			  psprintf("cannot give %s to role \"%s\" of domain \"%s\"",
					   what, target_name, g->domname) :
			  psprintf("cannot give %s to role \"%s\": its member \"%s\" belongs to domain \"%s\"",
					   what, target_name, GetUserNameFromId(g->role, false), g->domname),
			  psprintf("A role of a domain holds no power that lets PostgreSQL bypass object privileges (here %s).",
					   what),
			  pstrdup(g->powers == 0 ?
					  "Remove the power from the role first, or add another role." :
					  "Give the power to a role outside every domain, or remove the role from its domain with tec_remove_member() first."));
}

/* ---- memberships: GRANT role, ALTER GROUP, CREATE ROLE ---- */

/* member (and its members) become members of "granted". */
void
tsov_util_powers_membership(const char *action, Oid granted, Oid member)
{
	PowerGrant	g;
	const TsovDomain *dom;

	memset(&g, 0, sizeof(g));
	g.powers = tsov_role_powers(granted, &g.what);
	dom = tsov_domain_of_role(granted);
	if (dom)
		strlcpy(g.gdom, dom->name, NAMEDATALEN);
	refuse_powers(action, member, &g);
}

/*
 * CREATE ROLE name [attributes] IN ROLE ... ROLE ... ADMIN ...: the new
 * role gets its attributes and what the IN ROLE roles hold; the ROLE and
 * ADMIN roles become its members.
 */
void
tsov_util_powers_create_role(TsovUtilityCall *call)
{
	CreateRoleStmt *stmt = castNode(CreateRoleStmt, call->stmt);
	PowerGrant	g;
	const TsovDomain *dom;
	ListCell   *lc;
	ListCell   *lc2;

	memset(&g, 0, sizeof(g));
	g.powers = tsov_attribute_powers(stmt->options, &g.what);
	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "addroleto") != 0)
			continue;
		foreach(lc2, (List *) d->arg)
		{
			Oid			in = get_rolespec_oid(lfirst_node(RoleSpec, lc2), true);
			const char *what;

			if (!OidIsValid(in))
				continue;
			g.powers |= tsov_role_powers(in, &what);
			if (g.what == NULL)
				g.what = what;
			dom = tsov_domain_of_role(in);
			if (dom && g.gdom[0] == '\0')
				strlcpy(g.gdom, dom->name, NAMEDATALEN);
		}
	}
	if (g.gdom[0] && g.powers != 0 &&
		(dom = tsov_domain_by_name(g.gdom)) != NULL)
	{
		TsovObject	obj;

		memset(&obj, 0, sizeof(obj));
		obj.classid = AuthIdRelationId;
		obj.nspoid = dom->nspoid;
		obj.kind = "role";
		obj.name = quote_identifier(stmt->role);
		tsov_deny(call->tag, GetUserId(), &obj,
				  psprintf("cannot create role \"%s\" of domain \"%s\" with %s",
						   stmt->role, g.gdom, g.what),
				  psprintf("A role of a domain holds no power that lets PostgreSQL bypass object privileges (%s).",
						   g.what),
				  pstrdup("Create the role without it; add roles to a domain with tec_add_member()."));
	}
	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "rolemembers") != 0 &&
			strcmp(d->defname, "adminmembers") != 0)
			continue;
		foreach(lc2, (List *) d->arg)
		{
			Oid			m = get_rolespec_oid(lfirst_node(RoleSpec, lc2), true);

			if (OidIsValid(m))
				refuse_powers(call->tag, m, &g);
		}
	}
}

/* ---- ALTER ROLE: attributes, and who may change a domain's role ---- */

/*
 * A role of a domain (its own roles and its members) is changed by a
 * superuser, by the extension, or by the role itself (PostgreSQL lets a
 * role change only its own password): a CREATEROLE role would otherwise
 * give one a password and LOGIN and log in as it.
 */
static void
refuse_foreign_change(const char *action, Oid role)
{
	const TsovDomain *dom;
	TsovObject	obj;

	if (superuser() || role == GetUserId())
		return;
	dom = tsov_domain_of_role(role);
	if (dom == NULL)
		return;
	role_obj(&obj, role, dom);
	tsov_deny(action, GetUserId(), &obj,
			  psprintf("permission denied to %s role \"%s\" of domain \"%s\"",
					   strcmp(action, "DROP ROLE") == 0 ? "drop" : "alter",
					   GetUserNameFromId(role, false), dom->name),
			  pstrdup("Only a superuser or the role itself may change a role of a domain, whatever CREATEROLE or ADMIN OPTION allows."),
			  pstrdup("Ask a superuser."));
}

/* DROP ROLE: a member of a domain is dropped by a superuser (or itself) */
void
tsov_util_drop_role(TsovUtilityCall *call)
{
	ListCell   *lc;

	foreach(lc, castNode(DropRoleStmt, call->stmt)->roles)
	{
		Oid			role = get_rolespec_oid(lfirst_node(RoleSpec, lc), true);

		if (OidIsValid(role))
			refuse_foreign_change(call->tag, role);
	}
}

/* ALTER ROLE r [WITH] attributes (ALTER GROUP is a membership change). */
void
tsov_util_powers_alter_role(TsovUtilityCall *call, Oid role)
{
	AlterRoleStmt *stmt = castNode(AlterRoleStmt, call->stmt);
	PowerGrant	g;
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		if (strcmp(lfirst_node(DefElem, lc)->defname, "rolemembers") == 0)
			return;				/* ALTER GROUP: tsov_util_powers_membership */
	}
	refuse_foreign_change(call->tag, role);
	memset(&g, 0, sizeof(g));
	g.powers = tsov_attribute_powers(stmt->options, &g.what);
	if (g.powers != 0)
		refuse_powers(call->tag, role, &g);
}

/* ALTER ROLE r [IN DATABASE d] SET / RESET (ALTER ROLE ALL: no role) */
void
tsov_util_alter_role_set(TsovUtilityCall *call)
{
	AlterRoleSetStmt *stmt = castNode(AlterRoleSetStmt, call->stmt);
	Oid			role;

	if (stmt->role == NULL)
		return;
	role = get_rolespec_oid(stmt->role, true);
	if (OidIsValid(role))
		refuse_foreign_change(call->tag, role);
}

/* ---- database ownership ---- */

static void
refuse_database_owner(const char *action, Oid owner, const char *dbname)
{
	PowerGrant	g;

	if (!OidIsValid(owner))
		return;
	memset(&g, 0, sizeof(g));
	g.powers = TSOV_POWER_DATABASE;
	g.what = psprintf("ownership of database \"%s\"", dbname);
	refuse_powers(action, owner, &g);
}

/* ALTER DATABASE d OWNER TO r */
void
tsov_util_alter_owner(TsovUtilityCall *call)
{
	AlterOwnerStmt *stmt = castNode(AlterOwnerStmt, call->stmt);

	if (stmt->objectType == OBJECT_DATABASE)
		refuse_database_owner(call->tag, get_rolespec_oid(stmt->newowner, true),
							  strVal(stmt->object));
}

/* CREATE DATABASE d OWNER r */
void
tsov_util_createdb(TsovUtilityCall *call)
{
	CreatedbStmt *stmt = castNode(CreatedbStmt, call->stmt);
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "owner") == 0 && d->arg != NULL)
			refuse_database_owner(call->tag, get_role_oid(defGetString(d), true),
								  stmt->dbname);
	}
}

/* ---- GRANT SET / ALTER SYSTEM ON PARAMETER ---- */

/* Does the GRANT give ALTER SYSTEM (true) or only SET? */
static bool
grants_alter_system(GrantStmt *stmt)
{
	ListCell   *lc;

	if (stmt->privileges == NIL)
		return true;			/* ALL */
	foreach(lc, stmt->privileges)
	{
		AccessPriv *p = lfirst_node(AccessPriv, lc);

		if (p->priv_name && strcmp(p->priv_name, "alter system") == 0)
			return true;
	}
	return false;
}

/*
 * The extension's own settings are never delegated (their check hooks
 * refuse non-superusers anyway, common/guc.c); a privilege on any other
 * parameter that is a power (tsov_role_powers) is refused to roles of a
 * domain, and to PUBLIC while a domain exists.
 */
void
tsov_util_grant_parameter(GrantStmt *stmt, const char *action)
{
	ListCell   *lc;
	ListCell   *lc2;
	bool		alter = grants_alter_system(stmt);

	if (!stmt->is_grant)
		return;
	foreach(lc, stmt->objects)
	{
		const char *param = strVal(lfirst(lc));
		PowerGrant	g;

		if (pg_strncasecmp(param, TSOV_NAME ".", strlen(TSOV_NAME) + 1) == 0)
			tsov_deny(action, GetUserId(), NULL,
					  psprintf("cannot grant privileges on parameter \"%s\"", param),
					  "The settings of tec_sovereignty decide what is enforced and recorded; only superusers change them, whatever was granted.",
					  "Ask a superuser to change the setting.");
		if (!alter && !tsov_parameter_is_restricted(param))
			continue;
		memset(&g, 0, sizeof(g));
		g.powers = TSOV_POWER_PARAMETER;
		g.what = psprintf("privilege %s on parameter \"%s\"",
						  alter ? "ALTER SYSTEM" : "SET", param);
		foreach(lc2, stmt->grantees)
		{
			RoleSpec   *rs = lfirst_node(RoleSpec, lc2);
			Oid			grantee;

			if (rs->roletype == ROLESPEC_PUBLIC)
			{
				if (!tsov_domains_exist())
					continue;
				tsov_deny(action, GetUserId(), NULL,
						  psprintf("cannot grant %s to PUBLIC", g.what),
						  "PUBLIC includes the roles of every domain, and a role of a domain holds no power that lets PostgreSQL bypass object privileges.",
						  "Grant it to a role outside every domain.");
			}
			grantee = get_rolespec_oid(rs, true);
			if (OidIsValid(grantee))
				refuse_powers(action, grantee, &g);
		}
	}
}

/*
 * ALTER SYSTEM SET tec_sovereignty.*: PostgreSQL validates the value as if
 * it came from the configuration file, which the settings' check hooks
 * accept (common/guc.c); a non-superuser holding ALTER SYSTEM on such a
 * parameter (granted before, or forced into pg_parameter_acl) is refused
 * here.
 */
void
tsov_util_alter_system(TsovUtilityCall *call)
{
	AlterSystemStmt *stmt = castNode(AlterSystemStmt, call->stmt);
	const char *name = stmt->setstmt->name;

	if (name == NULL || superuser() ||
		pg_strncasecmp(name, TSOV_NAME ".", strlen(TSOV_NAME) + 1) != 0)
		return;
	tsov_deny(call->tag, GetUserId(), NULL,
			  psprintf("permission denied to set parameter \"%s\"", name),
			  "The settings of tec_sovereignty decide what is enforced and recorded; only superusers change them, whatever was granted.",
			  "Ask a superuser to change the setting.");
}

/* ---- tec_add_member ---- */

/*
 * tec_sovereignty.refuse_member_powers(domain, member): called by
 * tec_add_member() before the membership is granted (the extension's own
 * GRANT is internal work, which the utility guard does not see).  Refuses
 * when the member or a role that is a member of it holds a power.
 */
PG_FUNCTION_INFO_V1(tsov_refuse_member_powers);
Datum
tsov_refuse_member_powers(PG_FUNCTION_ARGS)
{
	char	   *domname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			member = PG_GETARG_OID(1);
	PowerGrant	g;

	memset(&g, 0, sizeof(g));
	strlcpy(g.gdom, domname, NAMEDATALEN);
	refuse_powers("ADD MEMBER", member, &g);
	PG_RETURN_VOID();
}
