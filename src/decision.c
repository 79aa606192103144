/*-------------------------------------------------------------------------
 *
 * decision.c
 *	  The single rule: may role R do action A on object O of domain D?
 *
 * Every guard ends up here, so the rule, its audit event and its error
 * message live in one place.  An access to an object of domain D is
 * allowed when every *subject* of the access is acceptable for D:
 *
 *	 - the role whose privileges PostgreSQL checks (the current user, a
 *	   view's owner, a SECURITY DEFINER function's owner);
 *	 - the session's principal: the session user (and the authenticated
 *	   user, if SET SESSION AUTHORIZATION changed it), or, while a published
 *	   API of domain B runs, domain B itself.  This is what makes SET ROLE,
 *	   set_config('role') or a superuser-granted membership useless: a
 *	   session of domain A stays in domain A whatever role it becomes.
 *
 * A subject is acceptable when it belongs to D; a non-domain subject that is
 * privileged (superuser, pg_read_all_data, pg_write_all_data, BYPASSRLS)
 * makes the access "privileged", governed by tec_sovereignty.privileged_access
 * ('audit': allowed and recorded; 'deny': refused unless tec_break_glass()
 * opened D in this transaction).  Any other subject gets a denial.  The
 * transfer state of D comes first: 'transferring' refuses writes and DDL,
 * 'transferred' refuses everything.  In a domain whose enforcement is
 * 'simulate', a would-be sovereignty denial is recorded as simulated and
 * allowed.  The extension's own work (tsov_internal_depth > 0) is never
 * checked.
 *
 * IDENTIFICATION
 *	  src/decision.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "postmaster/autovacuum.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "audit.h"
#include "decision.h"

int			tsov_privileged_access = TSOV_PRIV_AUDIT;
const char *tsov_current_command = NULL;
bool		tsov_audit_quiet = false;

static const struct config_enum_entry privileged_options[] = {
	{"audit", TSOV_PRIV_AUDIT, false},
	{"deny", TSOV_PRIV_DENY, false},
	{NULL, 0, false}
};

#define API_STACK_MAX 64
static TsovApiFrame api_stack[API_STACK_MAX];
static int	api_top = 0;

/* Domains opened by tec_break_glass(), in TopTransactionContext. */
static List *glass_open = NIL;

static void decision_xact_cb(XactEvent event, void *arg);
static void relname_relcache_cb(Datum arg, Oid relid);
static void relname_syscache_cb(Datum arg, int cacheid, uint32 hashvalue);

void
tsov_decision_init(void)
{
	DefineCustomEnumVariable("tec_sovereignty.privileged_access",
							 "Whether non-domain superusers and data-reading roles may access domain objects.",
							 "'audit' allows it and records every such access as privileged; 'deny' refuses it unless tec_break_glass() opened the domain for the transaction.",
							 &tsov_privileged_access,
							 TSOV_PRIV_AUDIT,
							 privileged_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	RegisterXactCallback(decision_xact_cb, NULL);
	CacheRegisterRelcacheCallback(relname_relcache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, relname_syscache_cb, (Datum) 0);
}

static void
decision_xact_cb(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			glass_open = NIL;	/* memory goes with the transaction */
			api_top = 0;
			tsov_current_command = NULL;
			break;
		default:
			break;
	}
}

bool		tsov_worker_leader_plan = false;

bool
tsov_guards_active(void)
{
	if (tsov_internal_depth > 0)
		return false;
	if (!IsNormalProcessingMode() || IsBinaryUpgrade)
		return false;
	if (tsov_worker_leader_plan)
		return false;
	if (IsAutoVacuumWorkerProcess() ||
		(IsBackgroundWorker && !IsParallelWorker()))
		return false;
	if (!IsTransactionState())
		return false;
	return true;
}

/* ---------------- API frames ---------------- */

void
tsov_api_push(const char *api_domain, const char *caller_domain,
			  const char *api_name)
{
	TsovApiFrame *f;

	if (api_top >= API_STACK_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("published API calls are nested too deeply")));
	f = &api_stack[api_top];
	strlcpy(f->api_domain_name, api_domain, NAMEDATALEN);
	strlcpy(f->caller_domain_name, caller_domain ? caller_domain : "", NAMEDATALEN);
	strlcpy(f->api_name, api_name, sizeof(f->api_name));
	api_top++;
}

void
tsov_api_pop(void)
{
	if (api_top > 0)
		api_top--;
}

int
tsov_api_depth(void)
{
	return api_top;
}

const char *
tsov_principal_domain_name(void)
{
	const TsovRoleInfo *ri;

	if (api_top > 0)
		return api_stack[api_top - 1].api_domain_name;
	ri = tsov_role_info(GetSessionUserId());
	return ri->domain ? ri->domain->name : NULL;
}

/* ---------------- break glass ---------------- */

void
tsov_break_glass_open(const char *domain)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	glass_open = lappend(glass_open, pstrdup(domain));
	MemoryContextSwitchTo(old);
}

static bool
glass_is_open(const char *domain)
{
	ListCell   *lc;

	foreach(lc, glass_open)
		if (strcmp((char *) lfirst(lc), domain) == 0)
			return true;
	return false;
}

/* ---------------- naming ---------------- */

void
tsov_describe_object(const TsovObject *obj, const char **kind, const char **name)
{
	ObjectAddress addr;

	*kind = obj->kind;
	*name = obj->name;
	if (*kind && *name)
		return;

	addr.classId = obj->classid;
	addr.objectId = obj->objid;
	addr.objectSubId = obj->subid;

	tsov_internal_depth++;
	PG_TRY();
	{
		if (*kind == NULL)
		{
			if (obj->classid == NamespaceRelationId)
				*kind = "schema";
			else if (OidIsValid(obj->objid))
				*kind = getObjectTypeDescription(&addr, true);
		}
		if (*name == NULL && OidIsValid(obj->objid))
		{
			if (obj->classid == NamespaceRelationId)
				*name = quote_identifier(get_namespace_name(obj->objid));
			else
				*name = getObjectIdentity(&addr, true);
		}
	}
	PG_FINALLY();
	{
		tsov_internal_depth--;
	}
	PG_END_TRY();

	if (*kind == NULL)
		*kind = "object";
	if (*name == NULL)
	{
		char	   *nsp = get_namespace_name(obj->nspoid);

		*name = psprintf("%s.(oid %u)", nsp ? quote_identifier(nsp) : "?", obj->objid);
	}
}

/* ---------------- the rule ---------------- */

typedef enum
{
	V_OK,
	V_PRIVILEGED,
	V_CROSS,
	V_NONDOMAIN,
	V_SEVERAL
} Verdict;

/*
 * The verdict for one subject.  subject_domain receives the subject's
 * domain name, except for V_OK, where it is domname itself and is left
 * alone (the hot path copies nothing).
 */
static Verdict
subject_verdict(Oid role, const char *domname, char *subject_domain)
{
	const TsovRoleInfo *ri = tsov_role_info(role);

	if (ri->domain && !ri->several && strcmp(ri->domain->name, domname) == 0)
		return V_OK;
	subject_domain[0] = '\0';
	if (ri->several)
	{
		strlcpy(subject_domain, ri->domain->name, NAMEDATALEN);
		return V_SEVERAL;
	}
	if (ri->domain)
	{
		strlcpy(subject_domain, ri->domain->name, NAMEDATALEN);
		return V_CROSS;
	}
	return ri->privileged ? V_PRIVILEGED : V_NONDOMAIN;
}

/*
 * Names of relations as audit events carry them (object_schema,
 * object_name), cached per relation: with audit = 'all' every statement
 * records an event per relation, and building the identity (several
 * syscache lookups, quoting, string building) cost more than the rest of
 * the event.  An entry is dropped by the relcache invalidation of its
 * relation (RENAME, SET SCHEMA, DROP) and the whole cache by any schema
 * change (RENAME of a schema), so a name is never stale.
 */
typedef struct RelNameEntry
{
	Oid			relid;			/* hash key */
	bool		valid;
	char		schema[NAMEDATALEN];
	char		name[2 * NAMEDATALEN + 8];	/* as getObjectIdentity, after
											 * the schema */
} RelNameEntry;

static HTAB *relname_cache = NULL;
static uint64 relname_invals = 0;	/* invalidations seen, of any relation */

static void
relname_relcache_cb(Datum arg, Oid relid)
{
	RelNameEntry *e;

	relname_invals++;
	if (relname_cache == NULL)
		return;
	if (!OidIsValid(relid))
	{
		HASH_SEQ_STATUS st;

		hash_seq_init(&st, relname_cache);
		while ((e = hash_seq_search(&st)) != NULL)
			e->valid = false;
		return;
	}
	e = hash_search(relname_cache, &relid, HASH_FIND, NULL);
	if (e)
		e->valid = false;
}

static void
relname_syscache_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	relname_relcache_cb(arg, InvalidOid);
}

static void
event_names(const TsovObject *obj, const char **schema, const char **objname)
{
	const char *kind;
	const char *name;
	const char *dot;
	RelNameEntry *e = NULL;
	bool		cacheable;
	uint64		invals = relname_invals;

	cacheable = obj->classid == RelationRelationId && obj->subid == 0 &&
		obj->kind == NULL && obj->name == NULL && OidIsValid(obj->objid);
	if (cacheable)
	{
		if (relname_cache == NULL)
		{
			HASHCTL		ctl;

			memset(&ctl, 0, sizeof(ctl));
			ctl.keysize = sizeof(Oid);
			ctl.entrysize = sizeof(RelNameEntry);
			relname_cache = hash_create("tec_sovereignty relation names", 64, &ctl,
										HASH_ELEM | HASH_BLOBS);
		}
		e = hash_search(relname_cache, &obj->objid, HASH_FIND, NULL);
		if (e && e->valid)
		{
			*schema = e->schema;
			*objname = e->name;
			return;
		}
	}

	tsov_describe_object(obj, &kind, &name);
	*schema = get_namespace_name(obj->nspoid);
	/* the identity is schema-qualified: keep what follows the schema */
	dot = *schema ? strchr(name, '.') : NULL;
	*objname = dot ? dot + 1 : name;

	/*
	 * Cache what fits, unless an invalidation arrived while the names were
	 * looked up (it could concern this relation, which had no entry yet).
	 */
	if (cacheable && invals == relname_invals && *schema && strlen(*schema) < NAMEDATALEN &&
		strlen(*objname) < sizeof(e->name))
	{
		bool		found;

		e = hash_search(relname_cache, &obj->objid, HASH_ENTER, &found);
		strlcpy(e->schema, *schema, sizeof(e->schema));
		strlcpy(e->name, *objname, sizeof(e->name));
		e->valid = true;
	}
}

static void
fill_event(TsovAuditEvent *ev, const char *action, TsovDecision decision,
		   bool is_write, Oid role, const char *actor_domain,
		   const char *domname, const TsovObject *obj, const char *reason)
{

	memset(ev, 0, sizeof(*ev));
	ev->action = action;
	ev->decision = decision;
	ev->is_write = is_write;
	ev->actor_role = role;
	ev->actor_domain = (actor_domain && actor_domain[0]) ? actor_domain : NULL;
	ev->object_domain = domname;
	ev->object_oid = obj ? obj->objid : InvalidOid;
	ev->reason = reason;
	if (obj)
	{
		event_names(obj, &ev->object_schema, &ev->object_name);
		if (obj->classid == NamespaceRelationId)
		{
			ev->object_schema = get_namespace_name(obj->objid);
			ev->object_name = NULL;
		}
	}
	if (api_top > 0)
	{
		ev->via_api = api_stack[api_top - 1].api_name;
		/* inside an API, the access is attributed to the calling domain */
		ev->actor_domain = api_stack[api_top - 1].caller_domain_name[0] ?
			api_stack[api_top - 1].caller_domain_name : NULL;
	}
}

/*
 * Record a denial and raise its error.  In simulate mode the event is
 * recorded as simulated and the function returns; with raise = false the
 * denial is recorded (durably, like any denial) and the function returns
 * without an error, for statements that skip what they may not touch.
 */
static void
raise_denial(const char *action, bool is_write, Oid role, const char *actor_domain,
			 const char *domname, bool simulate, const TsovObject *obj,
			 const char *reason, char *msg, char *detail, char *hint, bool raise)
{
	TsovAuditEvent ev;

	if (simulate)
	{
		fill_event(&ev, action, TSOV_SIMULATED, is_write, role, actor_domain,
				   domname, obj, reason);
		tsov_audit_record(&ev);
		return;
	}
	fill_event(&ev, action, TSOV_DENIED, is_write, role, actor_domain,
			   domname, obj, reason);
	tsov_audit_record(&ev);
	if (!raise)
		return;
	tsov_audit_denial_recorded();
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg_internal("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

static char *
role_name(Oid role)
{
	char	   *n = GetUserNameFromId(role, true);

	return n ? n : psprintf("(role %u)", role);
}

/*
 * The rule itself, for tsov_check() and tsov_check_skip(): true when the
 * access is allowed (or simulated); a denial is recorded, then raised when
 * "raise", else answered with false.
 */
static bool
decide(const char *action, bool is_write, Oid role, const TsovObject *obj,
	   bool raise)
{
	const TsovDomain *dom;
	char		domname[NAMEDATALEN];
	bool		simulate;
	TsovDomainState state;
	Verdict		v;
	Verdict		worst;
	Oid			worst_role;
	char		worst_domain[NAMEDATALEN];
	char		sdom[NAMEDATALEN];
	const char *kind;
	const char *name;
	Oid			principals[2];
	int			np = 0;
	int			i;

	if (!tsov_guards_active())
		return true;
	dom = tsov_domain_of_namespace(obj->nspoid);
	if (dom == NULL)
		return true;
	strlcpy(domname, dom->name, NAMEDATALEN);
	simulate = dom->simulate;
	state = dom->state;

	/* Transfer states come first, for everyone. */
	if (state == TSOV_STATE_TRANSFERRED ||
		(state == TSOV_STATE_TRANSFERRING && is_write))
	{
		const TsovRoleInfo *ri = tsov_role_info(role);
		const char *rd = ri->domain ? ri->domain->name : NULL;

		tsov_describe_object(obj, &kind, &name);
		{
			char	   *k = pstrdup(kind);

			k[0] = pg_toupper((unsigned char) k[0]);
			kind = k;
		}
		if (state == TSOV_STATE_TRANSFERRED)
			raise_denial(action, is_write, role, rd, domname, false, obj,
						 "domain transferred",
						 psprintf("domain \"%s\" has been transferred", domname),
						 psprintf("%s %s can no longer be accessed: every access to a transferred domain is refused.",
								  kind, name),
						 psprintf("Only tec_export_domain('%s') and tec_drop_domain('%s', force => true) still work.",
								  domname, domname), raise);
		else
			raise_denial(action, is_write, role, rd, domname, false, obj,
						 "domain being transferred",
						 psprintf("domain \"%s\" is being transferred", domname),
						 psprintf("%s %s can be read while the transfer is under way, but %s is refused.",
								  kind, name, action),
						 psprintf("Complete the transfer, or cancel it with tec_cancel_transfer('%s') to write again.",
								  domname), raise);
		return false;
	}

	/* The checked role. */
	worst = subject_verdict(role, domname, sdom);
	worst_role = role;
	if (worst != V_OK)
		strlcpy(worst_domain, sdom, NAMEDATALEN);

	/* The principal, unless a published API of this domain is running. */
	if (api_top > 0)
	{
		if (strcmp(api_stack[api_top - 1].api_domain_name, domname) != 0 &&
			worst < V_CROSS)
		{
			worst = V_CROSS;
			strlcpy(worst_domain, api_stack[api_top - 1].api_domain_name, NAMEDATALEN);
		}
	}
	else
	{
		principals[np++] = GetSessionUserId();
		if (GetAuthenticatedUserId() != principals[0])
			principals[np++] = GetAuthenticatedUserId();
		for (i = 0; i < np; i++)
		{
			if (principals[i] == role)
				continue;
			v = subject_verdict(principals[i], domname, sdom);
			if (v > worst)
			{
				worst = v;
				worst_role = principals[i];
				strlcpy(worst_domain, sdom, NAMEDATALEN);
			}
		}
	}

	if (worst == V_OK)
	{
		if (!tsov_audit_quiet && tsov_audit_wanted(domname, is_write))
		{
			TsovAuditEvent ev;

			/* V_OK: the checked role belongs to the object's domain */
			fill_event(&ev, action, TSOV_ALLOWED, is_write, role, domname,
					   domname, obj, NULL);
			tsov_audit_record(&ev);
		}
		return true;
	}

	if (worst == V_PRIVILEGED)
	{
		TsovAuditEvent ev;

		if (tsov_privileged_access == TSOV_PRIV_DENY && !glass_is_open(domname))
		{
			tsov_describe_object(obj, &kind, &name);
			raise_denial(action, is_write, worst_role, NULL, domname, simulate, obj,
						 "privileged access denied",
						 psprintf("permission denied for privileged role \"%s\" on %s %s of domain \"%s\"",
								  role_name(worst_role), kind, name, domname),
						 psprintf("tec_sovereignty.privileged_access is \"deny\": superusers and holders of pg_read_all_data, pg_write_all_data or BYPASSRLS outside domain \"%s\" may not %s its objects.",
								  domname, action),
						 psprintf("To open the domain for the current transaction, call tec_break_glass('%s', '<reason>').",
								  domname), raise);
			return simulate;
		}
		if (tsov_audit_quiet)
			return true;
		fill_event(&ev, action, TSOV_PRIVILEGED, is_write, worst_role, NULL,
				   domname, obj,
				   glass_is_open(domname) ? "break glass" : "privileged role outside the domain");
		tsov_audit_record(&ev);
		return true;
	}

	tsov_describe_object(obj, &kind, &name);
	if (worst == V_CROSS)
		raise_denial(action, is_write, worst_role, worst_domain, domname, simulate, obj,
					 "cross-domain access",
					 psprintf("permission denied for role \"%s\" of domain \"%s\" on %s %s of domain \"%s\"",
							  role_name(worst_role), worst_domain, kind, name, domname),
					 psprintf("%s by domain \"%s\" on objects of domain \"%s\" is refused whatever was granted: a domain's objects are reachable from another domain only through the APIs it publishes.",
							  action, worst_domain, domname),
					 psprintf("Ask the owner of domain \"%s\" to publish a SECURITY DEFINER function to domain \"%s\" with tec_publish_api(), and call it instead.",
							  domname, worst_domain), raise);
	else if (worst == V_SEVERAL)
		raise_denial(action, is_write, worst_role, worst_domain, domname, simulate, obj,
					 "role in several domains",
					 psprintf("permission denied for role \"%s\", which belongs to several domains, on %s %s of domain \"%s\"",
							  role_name(worst_role), kind, name, domname),
					 pstrdup("A role belongs to at most one domain; a role that is a member of roles of several domains is refused everywhere."),
					 pstrdup("Revoke the memberships that put the role in a second domain (see tec_sovereignty.members)."), raise);
	else
		raise_denial(action, is_write, worst_role, NULL, domname, simulate, obj,
					 "non-domain role",
					 psprintf("permission denied for role \"%s\", which belongs to no domain, on %s %s of domain \"%s\"",
							  role_name(worst_role), kind, name, domname),
					 psprintf("Only roles of domain \"%s\" may %s its objects, whatever was granted.",
							  domname, action),
					 psprintf("Add the role to domain \"%s\" with tec_add_member(), or call an API that domain publishes with tec_publish_api() from a domain role.",
							  domname), raise);
	return simulate;
}

void
tsov_check(const char *action, bool is_write, Oid role, const TsovObject *obj)
{
	(void) decide(action, is_write, role, obj, true);
}

bool
tsov_check_skip(const char *action, bool is_write, Oid role, const TsovObject *obj)
{
	return decide(action, is_write, role, obj, false);
}

bool
tsov_check_relation(const char *action, bool is_write, Oid role, Oid relid)
{
	Oid			nsp = get_rel_namespace(relid);
	TsovObject	obj;

	if (!OidIsValid(nsp) || tsov_domain_of_namespace(nsp) == NULL)
		return false;
	memset(&obj, 0, sizeof(obj));
	obj.classid = RelationRelationId;
	obj.objid = relid;
	obj.nspoid = nsp;
	tsov_check(action, is_write, role, &obj);
	return true;
}

void
tsov_check_owner_rule(const char *action, Oid creator, Oid owner,
					  const TsovObject *obj)
{
	const TsovDomain *dom;
	const TsovRoleInfo *ri;
	const char *kind;
	const char *name;
	char		domname[NAMEDATALEN];
	Oid			owner_role;
	bool		simulate;

	tsov_check(action, true, creator, obj);
	if (!tsov_guards_active())
		return;
	dom = tsov_domain_of_namespace(obj->nspoid);
	if (dom == NULL || owner == dom->owner_role)
		return;
	strlcpy(domname, dom->name, NAMEDATALEN);
	owner_role = dom->owner_role;
	simulate = dom->simulate;
	ri = tsov_role_info(creator);
	if (ri->domain == NULL)
	{
		/*
		 * A privileged creator (pg_restore) may own the object for a while,
		 * audited above; but not hand it to a role of another domain.
		 */
		const TsovRoleInfo *oi = tsov_role_info(owner);

		if (oi->domain == NULL || strcmp(oi->domain->name, domname) == 0)
			return;
	}
	tsov_describe_object(obj, &kind, &name);
	raise_denial(action, true, creator, ri->domain ? ri->domain->name : NULL,
				 domname, simulate, obj,
				 "object not owned by the domain owner",
				 psprintf("%s %s of domain \"%s\" must be owned by role \"%s\"",
						  kind, name, domname, role_name(owner_role)),
				 psprintf("Objects in a domain schema belong to the domain owner; role \"%s\" may not create or own them.",
						  role_name(owner)),
				 psprintf("Run the statement as the domain owner: SET ROLE %s;",
						  quote_identifier(role_name(owner_role))), true);
}

void
tsov_deny(const char *action, Oid role, const TsovObject *obj,
		  const char *message, const char *detail, const char *hint)
{
	const TsovDomain *dom = NULL;
	const TsovRoleInfo *ri;
	char		domname[NAMEDATALEN];
	bool		simulate = false;

	domname[0] = '\0';
	if (obj)
	{
		dom = tsov_domain_of_namespace(obj->nspoid);
		if (dom)
			strlcpy(domname, dom->name, NAMEDATALEN);
	}
	/* fixed rules are never simulated: they protect the registry itself */
	ri = tsov_role_info(role);
	raise_denial(action, true, role, ri->domain ? ri->domain->name : NULL,
				 domname[0] ? domname : NULL, simulate, obj, message,
				 pstrdup(message), detail ? pstrdup(detail) : NULL,
				 hint ? pstrdup(hint) : NULL, true);
}

/*
 * Would tsov_check() let this access through?  No event, no error: for
 * the search_path probe of namespace lookups, which must silently skip a
 * schema rather than fail.
 */
bool
tsov_would_allow(Oid role, Oid nspoid, bool is_write)
{
	const TsovDomain *dom;
	char		domname[NAMEDATALEN];
	char		sdom[NAMEDATALEN];
	bool		simulate;
	TsovDomainState state;
	Verdict		worst;
	Verdict		v;
	Oid			principals[2];
	int			np = 0;
	int			i;

	if (!tsov_guards_active())
		return true;
	dom = tsov_domain_of_namespace(nspoid);
	if (dom == NULL)
		return true;
	strlcpy(domname, dom->name, NAMEDATALEN);
	simulate = dom->simulate;
	state = dom->state;
	if (state == TSOV_STATE_TRANSFERRED ||
		(state == TSOV_STATE_TRANSFERRING && is_write))
		return false;
	worst = subject_verdict(role, domname, sdom);
	if (api_top > 0)
	{
		if (strcmp(api_stack[api_top - 1].api_domain_name, domname) != 0 &&
			worst < V_CROSS)
			worst = V_CROSS;
	}
	else
	{
		principals[np++] = GetSessionUserId();
		if (GetAuthenticatedUserId() != principals[0])
			principals[np++] = GetAuthenticatedUserId();
		for (i = 0; i < np; i++)
		{
			if (principals[i] == role)
				continue;
			v = subject_verdict(principals[i], domname, sdom);
			if (v > worst)
				worst = v;
		}
	}
	if (worst == V_OK)
		return true;
	if (worst == V_PRIVILEGED)
		return tsov_privileged_access != TSOV_PRIV_DENY || glass_is_open(domname);
	return simulate;
}

/*
 * Record an allowed access made through a published API (the crossing
 * itself: EXECUTE of the API function by the calling domain).
 */
void
tsov_audit_api_call(Oid role, const char *caller_domain, const char *domname,
					const TsovObject *obj, const char *api_name)
{
	TsovAuditEvent ev;

	if (tsov_audit_quiet || !tsov_audit_wanted(domname, false))
		return;
	fill_event(&ev, "EXECUTE", TSOV_ALLOWED, false, role, caller_domain,
			   domname, obj, NULL);
	ev.via_api = api_name;
	ev.actor_domain = caller_domain;
	tsov_audit_record(&ev);
}

/*
 * Protected shared table (tec_protect_shared_table): row-level security
 * does the per-row work; here only the roles that would skip it are
 * stopped: domain roles with BYPASSRLS, and non-domain privileged roles,
 * which follow tec_sovereignty.privileged_access.  Accesses are audited
 * like domain objects, attributed to the actor's domain.
 */
void
tsov_check_shared(const char *action, bool is_write, Oid role, Oid relid,
				  Oid nspoid)
{
	Oid			subjects[3];
	int			n = 0;
	int			i;
	bool		privileged = false;
	char		actor_domain[NAMEDATALEN];
	TsovObject	obj;
	TsovAuditEvent ev;
	const char *kind;
	const char *name;

	if (!tsov_guards_active())
		return;
	memset(&obj, 0, sizeof(obj));
	obj.classid = RelationRelationId;
	obj.objid = relid;
	obj.nspoid = nspoid;
	actor_domain[0] = '\0';

	subjects[n++] = role;
	if (api_top == 0)
	{
		if (GetSessionUserId() != role)
			subjects[n++] = GetSessionUserId();
		if (GetAuthenticatedUserId() != GetSessionUserId() &&
			GetAuthenticatedUserId() != role)
			subjects[n++] = GetAuthenticatedUserId();
	}
	for (i = 0; i < n; i++)
	{
		const TsovRoleInfo *ri = tsov_role_info(subjects[i]);

		if (ri->domain && !ri->several && actor_domain[0] == '\0')
			strlcpy(actor_domain, ri->domain->name, NAMEDATALEN);
		if (ri->several || (ri->domain && ri->bypassrls))
		{
			tsov_describe_object(&obj, &kind, &name);
			raise_denial(action, is_write, subjects[i], ri->domain->name, NULL, false, &obj,
						 "row-level security bypass",
						 psprintf("permission denied for role \"%s\" of domain \"%s\" on shared %s %s",
								  role_name(subjects[i]), ri->domain->name, kind, name),
						 psprintf("Table %s is shared between domains and protected by row-level security, which role \"%s\" would bypass.",
								  name, role_name(subjects[i])),
						 pstrdup("Remove BYPASSRLS from the role (ALTER ROLE ... NOBYPASSRLS), or revoke the memberships that put it in several domains."), true);
			return;
		}
		if (ri->domain == NULL && (ri->superuser || ri->bypassrls))
			privileged = true;
	}
	if (privileged)
	{
		if (tsov_privileged_access == TSOV_PRIV_DENY && glass_open == NIL)
		{
			tsov_describe_object(&obj, &kind, &name);
			raise_denial(action, is_write, role, NULL, NULL, false, &obj,
						 "privileged access denied",
						 psprintf("permission denied for privileged role \"%s\" on shared %s %s",
								  role_name(role), kind, name),
						 pstrdup("tec_sovereignty.privileged_access is \"deny\", and a role that bypasses row-level security would see every domain's rows."),
						 pstrdup("To open a domain for the current transaction, call tec_break_glass('<domain>', '<reason>')."), true);
			return;
		}
		if (tsov_audit_quiet)
			return;
		fill_event(&ev, action, TSOV_PRIVILEGED, is_write, role, NULL, NULL,
				   &obj, "privileged role on a shared table");
		tsov_audit_record(&ev);
		return;
	}
	if (actor_domain[0] && !tsov_audit_quiet &&
		tsov_audit_wanted(actor_domain, is_write))
	{
		fill_event(&ev, action, TSOV_ALLOWED, is_write, role, actor_domain,
				   actor_domain, &obj, NULL);
		tsov_audit_record(&ev);
	}
}

/* For the row-level security policy function. */
bool
tsov_glass_any_open(void)
{
	return glass_open != NIL;
}

bool
tsov_glass_open_for(const char *domain)
{
	return glass_is_open(domain);
}
