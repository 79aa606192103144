/*-------------------------------------------------------------------------
 *
 * builtins_check.c
 *	  What the argument of a checked built-in names, and the rule's verdict
 *	  on it: the object behind an OID (relation, function, trigger,
 *	  constraint, rule, statistics object), the domain of a backend, the
 *	  key space of an advisory lock, the domain of a notification channel.
 *
 * Called by the twins (builtins.c) with the call's arguments, and by the
 * LISTEN / NOTIFY handler of the utility guard (utility_data.c) for
 * channels.  Each decision is the rule's (tsov_check, tsov_check_skip,
 * tsov_deny), so it is audited like any other:
 *
 *	 - an object of another domain read by a metadata or definition
 *	   function (pg_relation_size, pg_stat_get_*, pg_get_viewdef, ...) is
 *	   hidden: the denial is recorded and the call answers NULL, as
 *	   PostgreSQL does for an object that does not exist, so that
 *	   introspection of every schema (psql's \dt+ *.*, pg_dump's catalog
 *	   queries) goes on for the caller's own objects;
 *	 - a write (pg_stat_reset_single_table_counters) or a signal to
 *	   another domain's backend (pg_cancel_backend, pg_terminate_backend)
 *	   is refused with 42501;
 *	 - an advisory lock key of a domain session is moved into the
 *	   domain's key space: the high 32 bits become the OID of the domain's
 *	   schema (pg_locks shows it as classid), the low 32 bits fold the key
 *	   (a bigint) or mix the pair (int, int), so two domains never meet on
 *	   a key and Prisma Migrate's pg_advisory_lock(72707369) of one domain
 *	   does not wait for another's; keys of non-domain sessions are
 *	   PostgreSQL's;
 *	 - a notification channel belongs to the domain it is named after
 *	   ("life" or "life_..."; the longest domain name wins); a domain
 *	   session may use its own channels only, another domain cannot listen
 *	   to them or notify them.
 *
 * IDENTIFICATION
 *	  src/enforce/builtins_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "common/state.h"
#include "domain/domain.h"
#include "enforce/builtins.h"
#include "enforce/decision.h"

/* The relation a row of a catalog without a syscache on its oid points at. */
static Oid
catalog_row_relid(Oid catalog, Oid index, AttrNumber oidcol,
				  AttrNumber relcol, Oid oid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			relid = InvalidOid;

	rel = table_open(catalog, AccessShareLock);
	ScanKeyInit(&key, oidcol, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(oid));
	scan = systable_beginscan(rel, index, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, relcol, RelationGetDescr(rel), &isnull);

		if (!isnull)
			relid = DatumGetObjectId(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return relid;
}

static void
set_object(TsovObject *obj, Oid classid, Oid objid, Oid nspoid)
{
	memset(obj, 0, sizeof(*obj));
	obj->classid = classid;
	obj->objid = objid;
	obj->nspoid = nspoid;
}

/*
 * A relation as the rule sees it.  A TOAST table (or its index) holds its
 * table's values: it counts as that table, found by the name PostgreSQL
 * gives it, pg_toast_<table oid>, kept across rewrites.
 */
static void
relation_object(Oid relid, TsovObject *obj)
{
	Oid			nsp = get_rel_namespace(relid);

	if (nsp == PG_TOAST_NAMESPACE)
	{
		char	   *name = get_rel_name(relid);
		unsigned int owner;

		if (name && sscanf(name, "pg_toast_%u", &owner) == 1)
			relid = (Oid) owner;
		nsp = get_rel_namespace(relid);
	}
	set_object(obj, RelationRelationId, relid, nsp);
}

/*
 * The object an OID argument names, as the rule sees it; false when it is
 * no domain's (or does not exist: the built-in says so itself).
 */
static bool
object_of(TsovBuiltinTarget target, Oid oid, TsovObject *obj)
{
	HeapTuple	tup;

	memset(obj, 0, sizeof(*obj));
	switch (target)
	{
		case TB_SEQUENCE:
		case TB_RELATION:
			relation_object(oid, obj);
			break;
		case TB_FUNCTION:
			set_object(obj, ProcedureRelationId, oid, get_func_namespace(oid));
			break;
		case TB_TRIGGER:
			relation_object(catalog_row_relid(TriggerRelationId, TriggerOidIndexId,
											  Anum_pg_trigger_oid, Anum_pg_trigger_tgrelid, oid),
							obj);
			break;
		case TB_RULE:
			relation_object(catalog_row_relid(RewriteRelationId, RewriteOidIndexId,
											  Anum_pg_rewrite_oid, Anum_pg_rewrite_ev_class, oid),
							obj);
			break;
		case TB_CONSTRAINT:
			tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(oid));
			if (HeapTupleIsValid(tup))
			{
				set_object(obj, ConstraintRelationId, oid,
						   ((Form_pg_constraint) GETSTRUCT(tup))->connamespace);
				ReleaseSysCache(tup);
			}
			break;
		case TB_STATEXT:
			tup = SearchSysCache1(STATEXTOID, ObjectIdGetDatum(oid));
			if (HeapTupleIsValid(tup))
			{
				set_object(obj, StatisticExtRelationId, oid,
						   ((Form_pg_statistic_ext) GETSTRUCT(tup))->stxnamespace);
				ReleaseSysCache(tup);
			}
			break;
		default:
			Assert(false);
	}
	return OidIsValid(obj->nspoid) && tsov_domain_of_namespace(obj->nspoid) != NULL;
}

static bool
same_pass(const TsovTwinCall *tc, int64 key)
{
	return tc->pass_valid && tc->pass_key == key &&
		tc->pass_user == GetUserId() && tc->pass_session == GetSessionUserId() &&
		tc->pass_api_depth == tsov_api_depth();
}

static void
set_pass(TsovTwinCall *tc, int64 key, bool allowed)
{
	tc->pass_valid = true;
	tc->pass_allowed = allowed;
	tc->pass_key = key;
	tc->pass_user = GetUserId();
	tc->pass_session = GetSessionUserId();
	tc->pass_api_depth = tsov_api_depth();
}

/* The rule on obj: a denial raises, or (hide) answers false. */
static bool
decide(const TsovCheckedBuiltin *b, const TsovObject *obj, bool quiet)
{
	volatile bool allowed = true;

	TSOV_QUIET_BEGIN(quiet || tsov_audit_quiet);
	{
		if (b->hide)
			allowed = tsov_check_skip(b->action, b->is_write, GetUserId(), obj);
		else
			tsov_check(b->action, b->is_write, GetUserId(), obj);
	}
	TSOV_QUIET_END();
	return allowed;
}

/* The domain whose key space a session's advisory locks use, or NULL. */
static const TsovDomain *
lock_domain(void)
{
	TsovSubjects s;
	const char *d;

	tsov_subjects(GetUserId(), &s);
	d = tsov_subjects_domain(&s);
	return d ? tsov_domain_by_name(d) : NULL;
}

static bool
check_lock(TsovTwinCall *tc, FunctionCallInfo call)
{
	const TsovCheckedBuiltin *b = tc->builtin;
	int64		key;
	uint32		low;

	if (b->target == TB_LOCK_INT8)
		key = DatumGetInt64(call->args[0].value);
	else
		key = ((int64) DatumGetInt32(call->args[0].value) << 32) |
			(uint32) DatumGetInt32(call->args[1].value);
	if (!same_pass(tc, key))
	{
		const TsovDomain *dom = lock_domain();

		tc->lock_space = InvalidOid;
		if (dom != NULL)
		{
			TsovObject	obj;
			Oid			space = dom->nspoid;

			set_object(&obj, NamespaceRelationId, space, space);
			obj.kind = "advisory lock";
			obj.name = psprintf("%s (key %lld)", quote_identifier(dom->name),
								(long long) key);
			(void) decide(b, &obj, false);
			tc->lock_space = space;
		}
		set_pass(tc, key, true);
	}
	if (!OidIsValid(tc->lock_space))
		return true;			/* a non-domain session: PostgreSQL's keys */

	if (b->target == TB_LOCK_INT8)
	{
		low = (uint32) ((uint64) key ^ ((uint64) key >> 32));
		call->args[0].value = Int64GetDatum(((int64) tc->lock_space << 32) | low);
	}
	else
	{
		uint32		k1 = (uint32) DatumGetInt32(call->args[0].value);

		low = (uint32) DatumGetInt32(call->args[1].value) ^ (k1 * 0x9E3779B1U);
		call->args[0].value = Int32GetDatum((int32) tc->lock_space);
		call->args[1].value = Int32GetDatum((int32) low);
	}
	return true;
}

/* pg_cancel_backend, pg_terminate_backend: the target's domain */
static bool
check_backend(TsovTwinCall *tc, FunctionCallInfo call)
{
	int			pid = DatumGetInt32(call->args[0].value);
	PGPROC	   *proc;
	Oid			role;
	const TsovDomain *dom;
	TsovObject	obj;

	if (same_pass(tc, pid))
		return true;
	proc = BackendPidGetProc(pid);
	if (proc == NULL)
		return true;			/* the built-in warns */
	role = proc->roleId;
	dom = OidIsValid(role) ? tsov_domain_of_role(role) : NULL;
	if (dom != NULL)
	{
		char	   *rolename = GetUserNameFromId(role, true);

		set_object(&obj, AuthIdRelationId, role, dom->nspoid);
		obj.kind = "backend of role";
		obj.name = rolename ? quote_identifier(rolename) : psprintf("(role %u)", role);
		(void) decide(tc->builtin, &obj, false);
	}
	set_pass(tc, pid, true);
	return true;
}

/*
 * Does a privilege string ask for writes only ("INSERT", "UPDATE, DELETE",
 * "USAGE" of a sequence)?  Any mention of SELECT makes it a read.
 */
static bool
privilege_is_write(text *mode)
{
	char	   *m = text_to_cstring(mode);
	char	   *p;

	for (p = m; *p; p++)
		*p = pg_ascii_tolower((unsigned char) *p);
	return strstr(m, "select") == NULL;
}

/*
 * has_*_privilege of a relation: PostgreSQL's answer, unless the rule
 * denies the role asked about (the current user, or argument 0) what the
 * answer would reveal.  A read denied answers false for every mode; a
 * write denied answers false for a mode that asks for writes only.  Only
 * answers: a denial here is not recorded (pg_stats or
 * information_schema.columns ask once per catalog row), the access itself
 * is checked, and recorded, when it is made.
 */
static bool
check_privilege(const TsovCheckedBuiltin *b, FunctionCallInfo call)
{
	TsovObject	obj;
	Oid			role = GetUserId();

	relation_object(DatumGetObjectId(call->args[b->argno].value), &obj);
	if (!OidIsValid(obj.nspoid) || tsov_domain_of_namespace(obj.nspoid) == NULL)
		return true;
	if (b->argno == 1)
	{
		if (get_fn_expr_argtype(call->flinfo, 0) == NAMEOID)
			role = get_role_oid(NameStr(*DatumGetName(call->args[0].value)), true);
		else
			role = DatumGetObjectId(call->args[0].value);
		if (!OidIsValid(role))
			return true;		/* no such role: the built-in says so */
	}
	Assert(!call->args[call->nargs - 1].isnull);
	if (!tsov_would_allow(role, obj.nspoid, false))
		return false;
	return !privilege_is_write(DatumGetTextPP(call->args[call->nargs - 1].value)) ||
		tsov_would_allow(role, obj.nspoid, true);
}

bool
tsov_builtin_check(TsovTwinCall *tc, FunctionCallInfo call)
{
	const TsovCheckedBuiltin *b = tc->builtin;
	Oid			oid;
	Node	   *arg = NULL;
	TsovObject	obj;
	bool		allowed;

	if (call->args[b->argno].isnull)
		return true;			/* not strict: the built-in decides */
	switch (b->target)
	{
		case TB_LOCK_INT8:
		case TB_LOCK_INT4:
			return check_lock(tc, call);
		case TB_BACKEND:
			return check_backend(tc, call);
		case TB_CHANNEL:
			tsov_check_channel(b->action, b->is_write,
							   TextDatumGetCString(call->args[b->argno].value));
			return true;
		case TB_PRIVILEGE:
			return check_privilege(b, call);
		case TB_REFUSE:
			Assert(false);
			return true;
		default:
			break;
	}

	oid = DatumGetObjectId(call->args[b->argno].value);
	if (same_pass(tc, oid))
		return tc->pass_allowed;
	allowed = true;
	if (object_of(b->target, oid, &obj))
	{
		/* a regclass constant was checked and recorded at executor start */
		if (call->flinfo->fn_expr && IsA(call->flinfo->fn_expr, FuncExpr))
			arg = list_nth(((FuncExpr *) call->flinfo->fn_expr)->args, b->argno);
		allowed = decide(b, &obj,
						 arg && IsA(arg, Const) && ((Const *) arg)->consttype == REGCLASSOID);
	}
	set_pass(tc, oid, allowed);
	return allowed;
}

/* The domain a channel is named after ("d" or "d_..."), or NULL. */
static const TsovDomain *
channel_domain(const char *channel)
{
	char		buf[NAMEDATALEN];
	int			i;
	const TsovDomain *dom;

	strlcpy(buf, channel, NAMEDATALEN);
	dom = tsov_domain_by_name(buf);
	for (i = strlen(buf) - 1; dom == NULL && i > 0; i--)
	{
		if (buf[i] != '_')
			continue;
		buf[i] = '\0';
		dom = tsov_domain_by_name(buf);
	}
	return dom;
}

/*
 * LISTEN, NOTIFY, pg_notify(): a channel named after a domain is that
 * domain's object; a domain session may use no other channel.
 */
void
tsov_check_channel(const char *action, bool is_write, const char *channel)
{
	const TsovDomain *dom;
	TsovSubjects s;
	const char *d;
	TsovObject	obj;

	if (!tsov_guards_active() || channel == NULL || channel[0] == '\0')
		return;
	dom = channel_domain(channel);
	if (dom != NULL)
	{
		set_object(&obj, NamespaceRelationId, dom->nspoid, dom->nspoid);
		obj.kind = "notification channel";
		obj.name = quote_identifier(channel);
		tsov_check(action, is_write, GetUserId(), &obj);
		return;
	}
	tsov_subjects(GetUserId(), &s);
	d = tsov_subjects_domain(&s);
	if (d == NULL)
		return;
	tsov_deny(action, GetUserId(), NULL,
			  psprintf("permission denied for role \"%s\" of domain \"%s\" to use notification channel \"%s\"",
					   GetUserNameFromId(GetUserId(), false), d, channel),
			  psprintf("Notification channels are shared by the whole database: the channels of domain \"%s\" are named \"%s\" or start with \"%s_\".",
					   d, d, d),
			  psprintf("Name the channel \"%s_%s\".", d, channel));
}
