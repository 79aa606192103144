/*-------------------------------------------------------------------------
 *
 * decision.c
 *	  THE rule: may these subjects do this action on an object of that
 *	  domain?  Pure: no audit event, no error, no catalog write.
 *
 * An access to an object of domain D is allowed when every *subject* of
 * the access is acceptable for D.  The subjects are built in exactly one
 * place, tsov_subjects():
 *
 *	 - the role whose privileges PostgreSQL checks (the current user, a
 *	   view's owner, a SECURITY DEFINER function's owner);
 *	 - the session's principal: the session user (and the authenticated
 *	   user, if SET SESSION AUTHORIZATION changed it), or, while a published
 *	   API of domain B runs, domain B itself.  This is what makes SET ROLE,
 *	   set_config('role') or a superuser-granted membership useless: a
 *	   session of domain A stays in domain A whatever role it becomes.
 *
 * A subject is acceptable when it belongs to D; a non-domain subject that
 * is privileged (superuser, pg_read_all_data, pg_write_all_data,
 * BYPASSRLS) makes the access "privileged", governed by
 * tec_sovereignty.privileged_access ('audit': allowed and recorded;
 * 'deny': refused unless tec_break_glass() opened D in this transaction).
 * A domain subject that holds a power bypassing the rule (an attribute,
 * a predefined role, a database, a parameter privilege: TSOV_POWER_*),
 * which only a superuser can force on it, is refused everywhere.
 * Any other subject gets a denial; the worst subject decides.  The
 * transfer state of D comes first: 'transferring' refuses writes and DDL,
 * 'transferred' refuses everything; while a live move copies D ('moving'
 * on the source, 'moving_in' on the target) schema changes are refused.  In a domain whose enforcement is
 * 'simulate', a would-be sovereignty denial is marked simulated (the
 * caller records it and lets the access through).
 *
 * The consequences (audit events, errors, skipping) are in check.c, which
 * every guard calls; tec_row_visible() (api.c), published-API crossings
 * (fmgr.c) and name lookups (objects.c) call the functions of this file
 * directly.
 *
 * IDENTIFICATION
 *	  src/enforce/decision.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "common/guc.h"
#include "common/state.h"
#include "domain/domain.h"
#include "enforce/decision.h"

/*
 * The subjects of an access checked against "checked": see the header.
 * Principals equal to the checked role are not repeated.
 */
void
tsov_subjects(Oid checked, TsovSubjects *s)
{
	Oid			session = GetSessionUserId();
	Oid			authenticated = GetAuthenticatedUserId();

	Assert(OidIsValid(checked));
	s->checked = checked;
	s->nprincipals = 0;
	s->api = tsov_api_current();
	if (s->api != NULL)
		return;					/* the API's domain is the principal */
	if (session != checked)
		s->principals[s->nprincipals++] = session;
	if (authenticated != session && authenticated != checked)
		s->principals[s->nprincipals++] = authenticated;
	Assert(s->nprincipals <= lengthof(s->principals));
}

/*
 * The verdict for one subject, ordered from best to worst.  The subject's
 * domain name is copied only when the verdict is not TSOV_V_OK (the hot
 * path copies nothing).
 */
static TsovVerdictKind
subject_verdict(Oid role, const char *domname, char *subject_domain)
{
	const TsovRoleInfo *ri = tsov_role_info(role);

	if (ri->domain && !ri->several && ri->powers == 0 &&
		strcmp(ri->domain->name, domname) == 0)
		return TSOV_V_OK;
	subject_domain[0] = '\0';
	if (ri->domain)
		strlcpy(subject_domain, ri->domain->name, NAMEDATALEN);
	if (ri->several)
		return TSOV_V_SEVERAL;
	if (ri->powers != 0)
		return TSOV_V_POWER;	/* forced by a superuser: refused everywhere */
	if (ri->domain)
		return TSOV_V_CROSS;
	return ri->privileged ? TSOV_V_PRIVILEGED : TSOV_V_NONDOMAIN;
}

void
tsov_verdict(const TsovSubjects *s, const TsovDomain *dom, bool is_write,
			 TsovVerdict *v)
{
	char		sdom[NAMEDATALEN];
	int			i;

	Assert(dom != NULL);
	v->role = s->checked;
	v->simulated = false;
	v->subject_domain[0] = '\0';

	/* Transfer states come first, for everyone. */
	if (dom->state == TSOV_STATE_TRANSFERRED ||
		(dom->state == TSOV_STATE_TRANSFERRING && is_write))
	{
		const TsovRoleInfo *ri = tsov_role_info(s->checked);

		v->kind = dom->state == TSOV_STATE_TRANSFERRED ?
			TSOV_V_TRANSFERRED : TSOV_V_TRANSFERRING;
		if (ri->domain)
			strlcpy(v->subject_domain, ri->domain->name, NAMEDATALEN);
		return;
	}

	/*
	 * A live move copies the domain with logical replication, which carries
	 * rows, not schema changes: one made now on either side would leave the
	 * target silently different.  A consistency guard, not a privilege:
	 * superusers and break-glass too; the move's own steps run as the
	 * extension's internal work, which the guards do not see.
	 */
	if (dom->ddl_locked && is_write && tsov_current_is_ddl)
	{
		const TsovRoleInfo *ri = tsov_role_info(s->checked);

		v->kind = TSOV_V_DDL_LOCKED;
		if (ri->domain)
			strlcpy(v->subject_domain, ri->domain->name, NAMEDATALEN);
		return;
	}

	/* The checked role, then the principal. */
	v->kind = subject_verdict(s->checked, dom->name, sdom);
	if (v->kind != TSOV_V_OK)
		strlcpy(v->subject_domain, sdom, NAMEDATALEN);
	if (s->api != NULL)
	{
		if (strcmp(s->api->api_domain_name, dom->name) != 0 &&
			v->kind < TSOV_V_CROSS)
		{
			v->kind = TSOV_V_CROSS;
			strlcpy(v->subject_domain, s->api->api_domain_name, NAMEDATALEN);
		}
	}
	for (i = 0; i < s->nprincipals; i++)
	{
		TsovVerdictKind k = subject_verdict(s->principals[i], dom->name, sdom);

		if (k > v->kind)
		{
			v->kind = k;
			v->role = s->principals[i];
			strlcpy(v->subject_domain, sdom, NAMEDATALEN);
		}
	}

	/* privileged: as tec_sovereignty.privileged_access says */
	if (v->kind == TSOV_V_PRIVILEGED &&
		tsov_privileged_access == TSOV_PRIV_DENY &&
		!tsov_glass_open_for(dom->name))
		v->kind = TSOV_V_PRIVILEGED_DENIED;

	/* simulate mode softens sovereignty denials, not transfer states or powers */
	v->simulated = dom->simulate && !tsov_verdict_allows(v) &&
		v->kind != TSOV_V_POWER;

	/* a verdict about another subject than the checked role is a denial's */
	Assert(v->role == s->checked || v->kind != TSOV_V_OK);
}

/*
 * A row of a shared table whose domain column names no domain: only a
 * privileged non-domain role sees it, as privileged_access says (no
 * break-glass can open a domain that does not exist).
 */
void
tsov_verdict_no_domain(const TsovSubjects *s, TsovVerdict *v)
{
	const TsovRoleInfo *ri = tsov_role_info(s->checked);

	v->role = s->checked;
	v->simulated = false;
	v->subject_domain[0] = '\0';
	if (ri->domain != NULL)
	{
		strlcpy(v->subject_domain, ri->domain->name, NAMEDATALEN);
		v->kind = ri->several ? TSOV_V_SEVERAL : TSOV_V_CROSS;
	}
	else if (!ri->privileged)
		v->kind = TSOV_V_NONDOMAIN;
	else
		v->kind = tsov_privileged_access == TSOV_PRIV_DENY ?
			TSOV_V_PRIVILEGED_DENIED : TSOV_V_PRIVILEGED;
}

/*
 * Shared tables protected by tec_protect_shared_table(): row-level
 * security does the per-row work (tec_row_visible, which applies
 * tsov_verdict per row's domain); this rule stops the subjects that would
 * skip it: a domain subject with BYPASSRLS or in several domains
 * (TSOV_V_RLS_BYPASS) or with another power (TSOV_V_POWER), and
 * non-domain superusers or BYPASSRLS roles, which follow
 * privileged_access like anywhere else.  subject_domain gets
 * the domain of the first domain subject, to which the access is
 * attributed.
 */
void
tsov_verdict_shared(const TsovSubjects *s, TsovVerdict *v)
{
	Oid			subjects[3];
	int			n = 0;
	int			i;
	bool		privileged = false;

	subjects[n++] = s->checked;
	for (i = 0; i < s->nprincipals; i++)
		subjects[n++] = s->principals[i];

	v->kind = TSOV_V_OK;
	v->role = s->checked;
	v->simulated = false;
	v->subject_domain[0] = '\0';
	for (i = 0; i < n; i++)
	{
		const TsovRoleInfo *ri = tsov_role_info(subjects[i]);

		if (ri->domain && !ri->several && v->subject_domain[0] == '\0')
			strlcpy(v->subject_domain, ri->domain->name, NAMEDATALEN);
		if (ri->domain && !ri->several && ri->powers != 0 && !ri->bypassrls)
		{
			v->kind = TSOV_V_POWER;
			v->role = subjects[i];
			strlcpy(v->subject_domain, ri->domain->name, NAMEDATALEN);
			return;
		}
		if (ri->several || (ri->domain && ri->bypassrls))
		{
			v->kind = TSOV_V_RLS_BYPASS;
			v->role = subjects[i];
			strlcpy(v->subject_domain, ri->domain->name, NAMEDATALEN);
			return;
		}
		if (ri->domain == NULL && (ri->superuser || ri->bypassrls))
			privileged = true;
	}
	if (privileged)
		v->kind = (tsov_privileged_access == TSOV_PRIV_DENY && !tsov_glass_any_open()) ?
			TSOV_V_PRIVILEGED_DENIED : TSOV_V_PRIVILEGED;
}

/*
 * The domain of the first subject that has one (the checked role, then
 * the published API's domain or the principals), NULL when every subject
 * is a non-domain role: for the fixed rules that hold for any domain
 * session ("a domain role may not open a path for data to leave").
 */
const char *
tsov_subjects_domain(const TsovSubjects *s)
{
	const TsovRoleInfo *ri = tsov_role_info(s->checked);
	int			i;

	if (ri->domain)
		return ri->domain->name;
	if (s->api != NULL)
		return s->api->api_domain_name;
	for (i = 0; i < s->nprincipals; i++)
	{
		ri = tsov_role_info(s->principals[i]);
		if (ri->domain)
			return ri->domain->name;
	}
	return NULL;
}

/*
 * The domain the session acts for: the innermost published API's, or the
 * session user's (NULL: a non-domain session).
 */
const char *
tsov_acting_domain(const TsovSubjects *s)
{
	const TsovRoleInfo *ri;

	if (s->api != NULL)
		return s->api->api_domain_name;
	ri = tsov_role_info(GetSessionUserId());
	return ri->domain ? ri->domain->name : NULL;
}

/* Does a subject hold a power that bypasses the rule (TSOV_V_POWER)? */
static bool
subjects_hold_power(const TsovSubjects *s)
{
	int			i;

	if (tsov_role_info(s->checked)->powers != 0)
		return true;
	for (i = 0; i < s->nprincipals; i++)
		if (tsov_role_info(s->principals[i])->powers != 0)
			return true;
	return false;
}

/*
 * Does the call of function fnoid of domain dom cross into it through an
 * API dom publishes to the acting domain?  Then the call is allowed, and
 * while it runs the session acts for dom (fmgr.c pushes an API frame).  A
 * caller holding a bypassing power crosses into nothing: its call is
 * judged by the rule, which refuses it.
 */
const TsovDomain *
tsov_verdict_crossing(const TsovSubjects *s, const TsovDomain *dom, Oid fnoid)
{
	const char *p = tsov_acting_domain(s);
	const TsovDomain *pdom;

	if (p == NULL || strcmp(p, dom->name) == 0 ||
		dom->state == TSOV_STATE_TRANSFERRED || subjects_hold_power(s))
		return NULL;
	pdom = tsov_domain_by_name(p);
	if (pdom == NULL || !tsov_api_published(fnoid, pdom))
		return NULL;
	return pdom;
}

/*
 * May the checked role resolve names in dom's schema to reach the APIs dom
 * publishes to its domain?  Only outside any API, when the checked role
 * and the acting domain agree: a published function must be callable by
 * its qualified name, while everything else in the schema stays refused
 * by the rule when used.
 */
bool
tsov_verdict_api_reach(const TsovSubjects *s, const TsovDomain *dom)
{
	const TsovDomain *rdom = tsov_domain_of_role(s->checked);
	const char *p;

	if (rdom == NULL || s->api != NULL || dom->state == TSOV_STATE_TRANSFERRED)
		return false;
	p = tsov_acting_domain(s);
	return p != NULL && strcmp(p, rdom->name) == 0 &&
		tsov_domain_publishes_to(dom, rdom);
}

/*
 * May code owned by "owner" (a function outside every domain schema that
 * is not PostgreSQL's own: called directly, or as an operator, cast,
 * trigger, default, policy or aggregate) run for these subjects?  Code
 * runs with the rights of whoever calls it, so in a session of domain D
 * it may run only when D, a superuser (PostgreSQL's bootstrap superuser,
 * the superuser who created an extension) owns it.  No subject of a
 * domain: PostgreSQL's own rules alone.  False fills v with the refusal.
 */
bool
tsov_verdict_code_owner(const TsovSubjects *s, Oid owner, TsovVerdict *v)
{
	const char *d = tsov_subjects_domain(s);
	const TsovRoleInfo *oi;

	if (d == NULL)
		return true;
	oi = tsov_role_info(owner);
	if (oi->superuser && oi->domain == NULL)
		return true;
	if (oi->domain != NULL && !oi->several && strcmp(oi->domain->name, d) == 0)
		return true;
	v->role = owner;
	v->simulated = false;
	strlcpy(v->subject_domain, d, NAMEDATALEN);
	v->kind = oi->several ? TSOV_V_SEVERAL :
		oi->domain ? TSOV_V_CROSS : TSOV_V_NONDOMAIN;
	return false;
}

/*
 * May a logical-replication worker (apply or table sync) of subscription
 * subname write the tables of dom?  Only the subscription a live move made
 * on its target (named tsov_move_<domain>, src/export/move.c, owned by a
 * superuser, as only superusers create subscriptions in PostgreSQL 15),
 * and only while dom is moving in: replication into a domain is otherwise
 * refused, whatever privileged_access says, since nothing would decide
 * or record its writes.
 */
bool
tsov_verdict_apply_worker(const TsovDomain *dom, const char *subname,
						  bool owner_is_superuser)
{
	char		expected[NAMEDATALEN];

	if (!dom->moving_in || subname == NULL || !owner_is_superuser)
		return false;
	snprintf(expected, sizeof(expected), "tsov_move_%s", dom->name);
	return strcmp(subname, expected) == 0;
}
