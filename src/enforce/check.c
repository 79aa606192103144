/*-------------------------------------------------------------------------
 *
 * check.c
 *	  What follows from the rule's verdict: the audit event, the 42501
 *	  error with its message, detail and hint, or a quiet answer.
 *
 * Every guard calls the functions of this file (tsov_check and its
 * variants); each one builds the subjects with tsov_subjects(), asks
 * tsov_verdict() or tsov_verdict_shared() (decision.c) and turns the
 * verdict into its consequence.  Nothing here decides who may do what.
 *
 * Memory: messages and names are palloc'd in the caller's context (the
 * error is raised at once, or the event copied by the audit record);
 * the relation-name cache lives in CacheMemoryContext (dynahash) for the
 * backend's life and is invalidated by relcache and schema callbacks.
 *
 * IDENTIFICATION
 *	  src/enforce/check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "audit/audit.h"
#include "common/state.h"
#include "domain/domain.h"
#include "enforce/decision.h"

static void relname_relcache_cb(Datum arg, Oid relid);
static void relname_syscache_cb(Datum arg, int cacheid, uint32 hashvalue);

void
tsov_check_init(void)
{
	CacheRegisterRelcacheCallback(relname_relcache_cb, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, relname_syscache_cb, (Datum) 0);
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

	TSOV_INTERNAL_BEGIN();
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
	TSOV_INTERNAL_END();

	if (*kind == NULL)
		*kind = "object";
	if (*name == NULL)
	{
		char	   *nsp = get_namespace_name(obj->nspoid);

		*name = psprintf("%s.(oid %u)", nsp ? quote_identifier(nsp) : "?", obj->objid);
	}
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
	if (tsov_api_current() != NULL)
	{
		const TsovApiFrame *f = tsov_api_current();

		ev->via_api = f->api_name;
		/* inside an API, the access is attributed to the calling domain */
		ev->actor_domain = f->caller_domain_name[0] ? f->caller_domain_name : NULL;
	}
}

/*
 * Record a denial and raise its error.  In simulate mode the event is
 * recorded as simulated and the function returns; with raise = false the
 * denial is recorded (durably, like any denial) and the function returns
 * without an error, for statements that skip what they may not touch.
 */
static void
raise_denial_code(int sqlstate, const char *action, bool is_write, Oid role,
				  const char *actor_domain, const char *domname, bool simulate,
				  const TsovObject *obj, const char *reason, char *msg,
				  char *detail, char *hint, bool raise)
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
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/* A denial of the rule or of a fixed rule: 42501. */
static void
raise_denial(const char *action, bool is_write, Oid role, const char *actor_domain,
			 const char *domname, bool simulate, const TsovObject *obj,
			 const char *reason, char *msg, char *detail, char *hint, bool raise)
{
	raise_denial_code(ERRCODE_INSUFFICIENT_PRIVILEGE, action, is_write, role,
					  actor_domain, domname, simulate, obj, reason, msg, detail,
					  hint, raise);
}

static char *
role_name(Oid role)
{
	char	   *n = GetUserNameFromId(role, true);

	return n ? n : psprintf("(role %u)", role);
}


/* The object's kind with a capital letter, for details that start with it. */
static const char *
capitalized(const char *kind)
{
	char	   *k = pstrdup(kind);

	k[0] = pg_toupper((unsigned char) k[0]);
	return k;
}

/*
 * TSOV_V_POWER: a domain role holding a power that bypasses the rule
 * (domname NULL: a shared table).  Never softened by simulate mode.
 */
static void
deny_power(const TsovVerdict *v, const char *action, bool is_write,
		   const char *domname, const TsovObject *obj, bool raise)
{
	const char *kind;
	const char *name;
	const char *what;

	tsov_describe_object(obj, &kind, &name);
	(void) tsov_role_powers(v->role, &what);
	raise_denial(action, is_write, v->role, v->subject_domain, domname, false, obj,
				 "domain role with a bypassing power",
				 domname ?
				 psprintf("permission denied for role \"%s\" of domain \"%s\" on %s %s of domain \"%s\"",
						  role_name(v->role), v->subject_domain, kind, name, domname) :
				 psprintf("permission denied for role \"%s\" of domain \"%s\" on shared %s %s",
						  role_name(v->role), v->subject_domain, kind, name),
				 psprintf("Role \"%s\" holds %s, which lets PostgreSQL bypass object privileges; such a power is incompatible with domain membership.",
						  role_name(v->role), what ? what : "a bypassing power"),
				 pstrdup("Remove the attribute, membership, database ownership or parameter privilege, or remove the role from its domain with tec_remove_member()."),
				 raise);
}

/*
 * Turn a denying verdict into its event and its error (see raise_denial);
 * returns whether the access goes on anyway (simulate mode).
 */
static bool
deny_verdict(const TsovVerdict *v, const char *action, bool is_write,
			 const TsovDomain *dom, const TsovObject *obj, bool raise)
{
	const char *domname = dom->name;
	const char *sd = v->subject_domain[0] ? v->subject_domain : NULL;
	const char *kind;
	const char *name;

	tsov_describe_object(obj, &kind, &name);
	switch (v->kind)
	{
		case TSOV_V_TRANSFERRED:
			if (dom->moving)
			{
				char		where[1024];

				raise_denial(action, is_write, v->role, sd, domname, false, obj,
							 "domain moved",
							 tsov_moved_to(domname, where, sizeof(where)) ?
							 psprintf("domain \"%s\" has moved to %s", domname, where) :
							 psprintf("domain \"%s\" has moved", domname),
							 psprintf("%s %s can no longer be accessed here: the domain lives where it was moved to.",
									  capitalized(kind), name),
							 psprintf("Its location: SELECT location FROM tec_sovereignty.placements WHERE domain = '%s';",
									  domname), raise);
				return false;
			}
			raise_denial(action, is_write, v->role, sd, domname, false, obj,
						 "domain transferred",
						 psprintf("domain \"%s\" has been transferred", domname),
						 psprintf("%s %s can no longer be accessed: every access to a transferred domain is refused.",
								  capitalized(kind), name),
						 psprintf("Only tec_export_domain('%s') and tec_drop_domain('%s', force => true) still work.",
								  domname, domname), raise);
			return false;
		case TSOV_V_TRANSFERRING:
			if (dom->moving)
			{
				raise_denial(action, is_write, v->role, sd, domname, false, obj,
							 "domain being moved",
							 psprintf("domain \"%s\" is being moved", domname),
							 psprintf("%s %s can be read during the cut-over of a live move, but %s is refused.",
									  capitalized(kind), name, action),
							 pstrdup("Retry in a moment: the write block lasts until the target has applied the last writes."),
							 raise);
				return false;
			}
			raise_denial(action, is_write, v->role, sd, domname, false, obj,
						 "domain being transferred",
						 psprintf("domain \"%s\" is being transferred", domname),
						 psprintf("%s %s can be read while the transfer is under way, but %s is refused.",
								  capitalized(kind), name, action),
						 psprintf("Complete the transfer, or cancel it with tec_cancel_transfer('%s') to write again.",
								  domname), raise);
			return false;
		case TSOV_V_DDL_LOCKED:
			/* not a privilege: the object is in use by the move (55006) */
			raise_denial_code(ERRCODE_OBJECT_IN_USE, action, is_write, v->role, sd,
							  domname, false, obj, "domain being moved: schema change",
							  psprintf("domain \"%s\" is being moved", domname),
							  psprintf("Schema changes are refused while the domain is copied %s another server: logical replication does not carry them (%s on %s %s).",
									   dom->moving_in ? "here from" : "to", action, kind, name),
							  psprintf("Wait until the move has ended, or cancel it with tec_cancel_move('%s').",
									   domname), raise);
			return false;
		case TSOV_V_PRIVILEGED_DENIED:
			raise_denial(action, is_write, v->role, NULL, domname, v->simulated, obj,
						 "privileged access denied",
						 psprintf("permission denied for privileged role \"%s\" on %s %s of domain \"%s\"",
								  role_name(v->role), kind, name, domname),
						 psprintf("tec_sovereignty.privileged_access is \"deny\": superusers and holders of pg_read_all_data, pg_write_all_data or BYPASSRLS outside domain \"%s\" may not %s its objects.",
								  domname, action),
						 psprintf("To open the domain for the current transaction, call tec_break_glass('%s', '<reason>').",
								  domname), raise);
			break;
		case TSOV_V_CROSS:
			raise_denial(action, is_write, v->role, sd, domname, v->simulated, obj,
						 "cross-domain access",
						 psprintf("permission denied for role \"%s\" of domain \"%s\" on %s %s of domain \"%s\"",
								  role_name(v->role), sd, kind, name, domname),
						 psprintf("%s by domain \"%s\" on objects of domain \"%s\" is refused whatever was granted: a domain's objects are reachable from another domain only through the APIs it publishes.",
								  action, sd, domname),
						 psprintf("Ask the owner of domain \"%s\" to publish a SECURITY DEFINER function to domain \"%s\" with tec_publish_api(), and call it instead.",
								  domname, sd), raise);
			break;
		case TSOV_V_SEVERAL:
			raise_denial(action, is_write, v->role, sd, domname, v->simulated, obj,
						 "role in several domains",
						 psprintf("permission denied for role \"%s\", which belongs to several domains, on %s %s of domain \"%s\"",
								  role_name(v->role), kind, name, domname),
						 pstrdup("A role belongs to at most one domain; a role that is a member of roles of several domains is refused everywhere."),
						 pstrdup("Revoke the memberships that put the role in a second domain (see tec_sovereignty.members)."), raise);
			break;
		case TSOV_V_POWER:
			deny_power(v, action, is_write, domname, obj, raise);
			break;
		default:
			Assert(v->kind == TSOV_V_NONDOMAIN);
			raise_denial(action, is_write, v->role, NULL, domname, v->simulated, obj,
						 "non-domain role",
						 psprintf("permission denied for role \"%s\", which belongs to no domain, on %s %s of domain \"%s\"",
								  role_name(v->role), kind, name, domname),
						 psprintf("Only roles of domain \"%s\" may %s its objects, whatever was granted.",
								  domname, action),
						 psprintf("Add the role to domain \"%s\" with tec_add_member(), or call an API that domain publishes with tec_publish_api() from a domain role.",
								  domname), raise);
			break;
	}
	return v->simulated;
}

/*
 * For tsov_check() and tsov_check_skip(): true when the access is allowed
 * (or simulated); a denial is recorded, then raised when "raise", else
 * answered with false.
 */
static bool
decide(const char *action, bool is_write, Oid role, const TsovObject *obj,
	   bool raise)
{
	const TsovDomain *dom;
	TsovSubjects s;
	TsovVerdict v;
	TsovAuditEvent ev;

	Assert(obj != NULL && action != NULL);
	if (!tsov_guards_active())
		return true;
	dom = tsov_domain_of_namespace(obj->nspoid);
	if (dom == NULL)
		return true;
	tsov_subjects(role, &s);
	tsov_verdict(&s, dom, is_write, &v);

	switch (v.kind)
	{
		case TSOV_V_OK:
			if (!tsov_audit_quiet && tsov_audit_wanted(dom->name, is_write))
			{
				/* the checked role belongs to the object's domain */
				fill_event(&ev, action, TSOV_ALLOWED, is_write, role, dom->name,
						   dom->name, obj, NULL);
				tsov_audit_record(&ev);
			}
			return true;
		case TSOV_V_PRIVILEGED:
			if (tsov_audit_quiet)
				return true;
			fill_event(&ev, action, TSOV_PRIVILEGED, is_write, v.role, NULL,
					   dom->name, obj,
					   tsov_glass_open_for(dom->name) ? "break glass" : "privileged role outside the domain");
			tsov_audit_record(&ev);
			return true;
		default:
			return deny_verdict(&v, action, is_write, dom, obj, raise);
	}
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

/*
 * Would tsov_check() let this access through?  No event, no error: for
 * the search_path probe of namespace lookups, which must silently skip a
 * schema rather than fail.
 */
bool
tsov_would_allow(Oid role, Oid nspoid, bool is_write)
{
	const TsovDomain *dom;
	TsovSubjects s;
	TsovVerdict v;

	if (!tsov_guards_active())
		return true;
	dom = tsov_domain_of_namespace(nspoid);
	if (dom == NULL)
		return true;
	tsov_subjects(role, &s);
	tsov_verdict(&s, dom, is_write, &v);
	return tsov_verdict_allows(&v) || v.simulated;
}

/*
 * Protected shared table (tec_protect_shared_table): see
 * tsov_verdict_shared().  Accesses are audited like domain objects,
 * attributed to the actor's domain.
 */
void
tsov_check_shared(const char *action, bool is_write, Oid role, Oid relid,
				  Oid nspoid)
{
	TsovSubjects s;
	TsovVerdict v;
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

	tsov_subjects(role, &s);
	tsov_verdict_shared(&s, &v);
	switch (v.kind)
	{
		case TSOV_V_RLS_BYPASS:
			tsov_describe_object(&obj, &kind, &name);
			raise_denial(action, is_write, v.role, v.subject_domain, NULL, false, &obj,
						 "row-level security bypass",
						 psprintf("permission denied for role \"%s\" of domain \"%s\" on shared %s %s",
								  role_name(v.role), v.subject_domain, kind, name),
						 psprintf("Table %s is shared between domains and protected by row-level security, which role \"%s\" would bypass.",
								  name, role_name(v.role)),
						 pstrdup("Remove BYPASSRLS from the role (ALTER ROLE ... NOBYPASSRLS), or revoke the memberships that put it in several domains."), true);
			return;
		case TSOV_V_POWER:
			deny_power(&v, action, is_write, NULL, &obj, true);
			return;
		case TSOV_V_PRIVILEGED_DENIED:
			tsov_describe_object(&obj, &kind, &name);
			raise_denial(action, is_write, role, NULL, NULL, false, &obj,
						 "privileged access denied",
						 psprintf("permission denied for privileged role \"%s\" on shared %s %s",
								  role_name(role), kind, name),
						 pstrdup("tec_sovereignty.privileged_access is \"deny\", and a role that bypasses row-level security would see every domain's rows."),
						 pstrdup("To open a domain for the current transaction, call tec_break_glass('<domain>', '<reason>')."), true);
			return;
		case TSOV_V_PRIVILEGED:
			if (tsov_audit_quiet)
				return;
			fill_event(&ev, action, TSOV_PRIVILEGED, is_write, role, NULL, NULL,
					   &obj, "privileged role on a shared table");
			tsov_audit_record(&ev);
			return;
		default:
			Assert(v.kind == TSOV_V_OK);
			if (v.subject_domain[0] && !tsov_audit_quiet &&
				tsov_audit_wanted(v.subject_domain, is_write))
			{
				fill_event(&ev, action, TSOV_ALLOWED, is_write, role, v.subject_domain,
						   v.subject_domain, &obj, NULL);
				tsov_audit_record(&ev);
			}
			return;
	}
}

/*
 * The row-level security predicate of shared tables, for a row of domain
 * "domname": the rule applied to the current role, as a read.  A row of a
 * name that is no domain is visible to privileged non-domain roles only.
 * Simulate mode does not widen row-level security, which is PostgreSQL's
 * own enforcement.
 */
bool
tsov_row_allowed(const char *domname)
{
	const TsovDomain *dom = tsov_domain_by_name(domname);
	TsovSubjects s;
	TsovVerdict v;

	tsov_subjects(GetUserId(), &s);
	if (dom == NULL)
		tsov_verdict_no_domain(&s, &v);
	else
		tsov_verdict(&s, dom, false, &v);
	return tsov_verdict_allows(&v);
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
 * Record an allowed access made through a published API (the crossing
 * itself: EXECUTE of the API function by the calling domain).  A crossing
 * of a domain boundary is kept at audit level 'write' as writes are, but
 * like a read it is not made durable before the commit (the writes inside
 * the API are, each on its own).
 */
void
tsov_audit_api_call(Oid role, const char *caller_domain, const char *domname,
					const TsovObject *obj, const char *api_name)
{
	TsovAuditEvent ev;

	if (tsov_audit_quiet || !tsov_audit_wanted(domname, true))
		return;
	fill_event(&ev, "EXECUTE", TSOV_ALLOWED, false, role, caller_domain,
			   domname, obj, NULL);
	ev.via_api = api_name;
	ev.actor_domain = caller_domain;
	/* the level was asked above, as for a write */
	tsov_audit_record_flags(&ev, TSOV_AUDIT_ALWAYS);
}


/*
 * A logical-replication worker (apply or table sync) of subscription
 * subname, owned by owner, resolves a name in schema nspoid before it
 * writes a table there: see tsov_verdict_apply_worker().  The move's own
 * subscription is let in whatever privileged_access says, and recorded as
 * the move's: action REPLICATE, decision privileged, the subscription's
 * owner (as whom PostgreSQL applies) the actor, via "tec_move:<id>" (the
 * move's row in tec_sovereignty.move).  Anything else is refused (the
 * worker stops, PostgreSQL retries it), recorded as a denial.
 */
void
tsov_check_replication(Oid nspoid, const char *subname, Oid owner,
					   bool owner_is_superuser)
{
	const TsovDomain *dom = tsov_domain_of_namespace(nspoid);
	char		domname[NAMEDATALEN];
	bool		fits;
	int64		move_id = 0;
	TsovObject	obj;
	TsovAuditEvent ev;

	if (dom == NULL)
		return;
	strlcpy(domname, dom->name, NAMEDATALEN);
	fits = tsov_verdict_apply_worker(dom, subname, owner_is_superuser);
	/* dom may be gone from here on: catalog reads follow */
	memset(&obj, 0, sizeof(obj));
	obj.classid = NamespaceRelationId;
	obj.objid = nspoid;
	obj.nspoid = nspoid;
	if (fits)
		move_id = tsov_move_in_id(domname);
	if (move_id > 0)
	{
		fill_event(&ev, "REPLICATE", TSOV_PRIVILEGED, true, owner, NULL,
				   domname, &obj,
				   psprintf("live move %lld: logical replication worker of subscription %s",
							(long long) move_id, subname));
		ev.via_api = psprintf("tec_move:%lld", (long long) move_id);
		tsov_audit_record_flags(&ev, TSOV_AUDIT_ALWAYS);
		return;
	}
	raise_denial("REPLICATE", true, owner, NULL,
				 domname, false, &obj, "logical replication into a domain",
				 psprintf("permission denied for subscription \"%s\" to write the tables of domain \"%s\"",
						  subname ? subname : "?", domname),
				 psprintf("Logical replication writes to a domain only through the subscription tec_move_domain() makes on the target (tsov_move_%s, owned by a superuser), while domain \"%s\" is moving in.",
						  domname, domname),
				 pstrdup("Move a domain with tec_move_domain(); drop or disable this subscription, or leave the domain's schema out of its publication."),
				 true);
}
