/*-------------------------------------------------------------------------
 *
 * session.c
 *	  Who a session is, decided once when it starts: replication
 *	  connections of domain roles are refused (principle 1), and owner
 *	  members act as their domain's owner role (principle 8).
 *
 * Replication.  A walsender (pg_basebackup, a physical or logical
 * replication client) reads every database's files or changes, past every
 * object privilege; REPLICATION is refused to domain roles at the source
 * (utility_powers.c), and a domain role that holds it anyway is refused
 * here, in ClientAuthentication_hook.  At that point no database is
 * connected, so the domain registry cannot be read: the domain's three
 * roles carry a shared security label under this extension's name
 * (tec_create_domain sets it in pg_shseclabel, the same in every database
 * and readable before one is connected), and a role that is, or is a
 * member of, a labelled role is a domain role.  No SQL statement can
 * change the label: no provider of that name is registered.
 *
 * Owner members.  A member added with tec_add_member(..., 'owner') acts as
 * <domain>_owner from the start of every session in every database where
 * the domain exists -- one cloned with CREATE DATABASE ... TEMPLATE or
 * restored without --create included -- because the fact is read from the
 * domain registry of the database connected to and the membership
 * (pg_auth_members, shared), not from a per-database role setting.  Before
 * the first statement of a session is analyzed, when the role is the
 * session user's and no role setting (ALTER ROLE ... SET role, the startup
 * packet) chose another, "role" gets the owner role as its default, as
 * ALTER ROLE ... IN DATABASE ... SET role would: SET ROLE and RESET ROLE
 * work as they did.
 *
 * IDENTIFICATION
 *	  src/enforce/session.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

/* Port's layout does not depend on it; the GSSAPI headers may be missing
 * (see src/hooks.c) */
#undef ENABLE_GSS

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_authid.h"
#include "commands/seclabel.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "replication/walsender.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "common/state.h"
#include "domain/domain.h"
#include "enforce/enforce.h"

/* ---- the label of a domain's roles ---- */

/*
 * tec_sovereignty.mark_domain_role(role, domain), from tec_create_domain():
 * the shared label (pg_shseclabel) is written directly.  No label provider
 * is registered, so that SECURITY LABEL behaves as in PostgreSQL (and
 * cannot change this label: "provider is not loaded"); DROP ROLE removes
 * it.
 */
PG_FUNCTION_INFO_V1(tsov_mark_domain_role);
Datum
tsov_mark_domain_role(PG_FUNCTION_ARGS)
{
	ObjectAddress addr;

	ObjectAddressSet(addr, AuthIdRelationId, PG_GETARG_OID(0));
	SetSecurityLabel(&addr, TSOV_NAME, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}

/*
 * The domain named by the label of role or of a role it is a member of
 * (directly or not), or NULL.  Shared catalogs only: no database needed.
 */
static char *
labelled_domain(Oid role)
{
	ListCell   *lc;

	foreach(lc, tsov_role_member_of(role))
	{
		ObjectAddress addr;
		char	   *label;

		ObjectAddressSet(addr, AuthIdRelationId, lfirst_oid(lc));
		label = GetSecurityLabel(&addr, TSOV_NAME);
		if (label != NULL)
			return label;
	}
	return NULL;
}

/*
 * From ClientAuthentication_hook (hooks.c), once the client is
 * authenticated: a replication connection of a domain role is refused.
 * There is no database, hence no audit trail yet: the refusal is logged.
 */
void
tsov_session_authenticated(Port *port, int status)
{
	Oid			role;
	char	   *dom;

	if (status != STATUS_OK || !am_walsender || port->user_name == NULL)
		return;
	role = get_role_oid(port->user_name, true);
	if (!OidIsValid(role))
		return;
	dom = labelled_domain(role);
	if (dom == NULL)
		return;
	ereport(FATAL,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("replication connection refused for role \"%s\" of domain \"%s\"",
					port->user_name, dom),
			 errdetail("A replication connection reads every database past object privileges; roles of a domain hold no such power."),
			 errhint("Replicate with a role outside every domain.")));
}

/* ---- owner members act as the owner ---- */

static bool owner_role_decided = false;

/*
 * From post_parse_analyze_hook (hooks.c): the first statement of a
 * backend's session decides, once.
 */
void
tsov_session_first_statement(void)
{
	Oid			session;
	const TsovRoleInfo *ri;
	const char *rolesetting;
	char	   *owner;

	if (owner_role_decided)
		return;
	if (MyBackendType != B_BACKEND || IsParallelWorker() || !IsTransactionState() ||
		!tsov_guards_active())
		return;
	owner_role_decided = true;
	session = GetSessionUserId();
	rolesetting = GetConfigOption("role", false, false);
	if (GetUserId() != session || GetOuterUserId() != session ||
		rolesetting == NULL || strcmp(rolesetting, "none") != 0)
		return;					/* a setting or SET ROLE chose already */
	ri = tsov_role_info(session);
	if (!ri->owner_member || ri->powers != 0)
		return;
	owner = GetUserNameFromId(ri->domain->owner_role, false);
	(void) set_config_option("role", owner, PGC_USERSET, PGC_S_DATABASE_USER,
							 GUC_ACTION_SET, true, WARNING, false);
}
