/*-------------------------------------------------------------------------
 *
 * api.c
 *	  SQL functions of the enforcement subsystem: tec_publish_api,
 *	  tec_revoke_api, tec_break_glass and the row-level security predicate
 *	  of protected shared tables (tec_row_visible).
 *
 * tec_publish_api / tec_revoke_api are callable by a domain's owner (and by
 * superusers), who holds no privilege on the extension's tables: they
 * check the caller here, in C, where the caller is still the current user,
 * and then write the registry as the bootstrap superuser through SPI.  As
 * members of the extension they run with tsov_internal_depth raised, so
 * the guards let their own GRANTs through.
 *
 * IDENTIFICATION
 *	  src/enforce/api.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_proc.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "audit/audit.h"
#include "enforce/decision.h"

PG_FUNCTION_INFO_V1(tsov_publish_api);
PG_FUNCTION_INFO_V1(tsov_revoke_api);
PG_FUNCTION_INFO_V1(tsov_break_glass);
PG_FUNCTION_INFO_V1(tsov_row_visible);

/* Run SQL as the bootstrap superuser (the caller owns nothing here). */
static void
run_as_superuser(const char *sql, int nargs, Oid *types, Datum *values,
				 const char *nulls, int expected)
{
	Oid			save_userid;
	int			save_sec;
	int			rc;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
		if (rc != expected)
			elog(ERROR, "SPI_execute_with_args returned %s for: %s",
				 SPI_result_code_string(rc), sql);
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
}

static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

typedef struct ApiTarget
{
	Oid			fnoid;
	char	   *signature;
	const TsovDomain *dom;
	char		domname[NAMEDATALEN];
	char	   *to;				/* NULL: every domain */
	Oid			to_roles[3];
} ApiTarget;

/*
 * Validate the arguments common to publish and revoke, and that the caller
 * may manage the APIs of the function's domain.
 */
static void
api_target(FunctionCallInfo fcinfo, const char *fname, ApiTarget *t)
{
	HeapTuple	tup;
	Form_pg_proc p;

	memset(t, 0, sizeof(*t));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("function must not be null"),
				 errhint("Pass the function with its argument types, e.g. %s('life.get_balance(text)').", fname)));
	t->fnoid = PG_GETARG_OID(0);
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(t->fnoid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function with OID %u does not exist", t->fnoid)));
	p = (Form_pg_proc) GETSTRUCT(tup);
	t->signature = format_procedure_qualified(t->fnoid);
	t->dom = tsov_domain_of_namespace(p->pronamespace);
	ReleaseSysCache(tup);
	if (t->dom == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("function %s does not belong to a domain", t->signature),
				 errdetail("Only functions in a domain's schema can be published as its API.")));
	strlcpy(t->domname, t->dom->name, NAMEDATALEN);

	if (!superuser() && !has_privs_of_role(GetUserId(), t->dom->owner_role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to manage the APIs of domain \"%s\"", t->domname),
				 errdetail("Only the owner of domain \"%s\" and superusers may publish or revoke its APIs.", t->domname),
				 errhint("Run it as the domain owner: SET ROLE %s;",
						 quote_identifier(GetUserNameFromId(t->dom->owner_role, false)))));

	t->to = text_arg(fcinfo, 1);
	if (t->to != NULL)
	{
		const TsovDomain *to = tsov_domain_by_name(t->to);

		if (to == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("domain \"%s\" does not exist", t->to),
					 errhint("List the domains with: SELECT name FROM tec_sovereignty.domains;")));
		if (strcmp(to->name, t->domname) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("function %s already belongs to domain \"%s\"", t->signature, t->domname),
					 errdetail("An API is published to other domains; the domain's own roles call its functions directly.")));
		t->to_roles[0] = to->owner_role;
		t->to_roles[1] = to->writer_role;
		t->to_roles[2] = to->reader_role;
	}
}

/* GRANT or REVOKE EXECUTE on the function to the target's roles. */
static void
api_grant(ApiTarget *t, bool grant)
{
	StringInfoData sql;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "%s EXECUTE ON FUNCTION %s %s ",
					 grant ? "GRANT" : "REVOKE", t->signature, grant ? "TO" : "FROM");
	if (t->to == NULL)
		appendStringInfoString(&sql, "PUBLIC");
	else
		for (i = 0; i < 3; i++)
			appendStringInfo(&sql, "%s%s", i ? ", " : "",
							 quote_identifier(GetUserNameFromId(t->to_roles[i], false)));
	run_as_superuser(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
}

/*
 * A published function must be reachable by name, and PostgreSQL checks
 * USAGE on its schema before any hook of ours runs: the roles of every
 * domain the owning domain publishes to (PUBLIC when it publishes to every
 * domain) get USAGE on its schema, and lose it again when the last API to
 * them is withdrawn.  USAGE opens nothing else: the guards still refuse
 * every object of the schema that is not a published API.
 */
static void
api_sync_schema_usage(ApiTarget *t)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(t->domname);
	run_as_superuser("SELECT tec_sovereignty.api_sync_schema_usage($1)",
					 1, types, values, NULL, SPI_OK_SELECT);
}

/*
 * tec_publish_api(fn regprocedure, to_domain text DEFAULT NULL)
 */
Datum
tsov_publish_api(PG_FUNCTION_ARGS)
{
	ApiTarget	t;
	HeapTuple	tup;
	Form_pg_proc p;
	StringInfoData why;
	bool		has_path = false;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};

	api_target(fcinfo, "tec_publish_api", &t);

	if (t.dom->state != TSOV_STATE_ACTIVE)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("domain \"%s\" is being transferred or was transferred", t.domname),
				 errdetail("APIs cannot be published while a domain is transferred.")));

	/* Safe to publish: SECURITY DEFINER, owned by the owner, fixed path. */
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(t.fnoid));
	p = (Form_pg_proc) GETSTRUCT(tup);
	initStringInfo(&why);
	if (!p->prosecdef)
		appendStringInfoString(&why, " It is not SECURITY DEFINER.");
	if (p->proowner != t.dom->owner_role)
		appendStringInfo(&why, " It is owned by \"%s\", not by \"%s\".",
						 GetUserNameFromId(p->proowner, false),
						 GetUserNameFromId(t.dom->owner_role, false));
	has_path = tsov_func_info(t.fnoid)->has_search_path;
	if (!has_path)
		appendStringInfoString(&why, " It has no SET search_path clause.");
	else if (!tsov_func_info(t.fnoid)->path_temp_last)
		appendStringInfoString(&why, " Its search_path does not end with pg_temp, so a caller's temporary table could take the place of a table it names.");
	ReleaseSysCache(tup);
	if (why.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("function %s is unsafe to publish", t.signature),
				 errdetail("An API runs with the rights of its domain's owner, so it must be SECURITY DEFINER, owned by the domain owner and have a fixed search_path ending in pg_temp.%s", why.data),
				 errhint("ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, %s, pg_temp; ALTER FUNCTION %s OWNER TO %s;",
						 t.signature, quote_identifier(t.domname), t.signature,
						 quote_identifier(GetUserNameFromId(t.dom->owner_role, false)))));

	values[0] = CStringGetTextDatum(t.domname);
	values[1] = CStringGetTextDatum(t.signature);
	if (t.to)
		values[2] = CStringGetTextDatum(t.to);
	else
		nulls[2] = 'n';
	run_as_superuser("INSERT INTO tec_sovereignty.api (domain, function_signature, to_domain, published_by) "
					 "SELECT $1, $2, $3, pg_catalog.session_user() "
					 "WHERE NOT EXISTS (SELECT 1 FROM tec_sovereignty.api a "
					 "WHERE a.function_signature OPERATOR(pg_catalog.=) $2 "
					 "AND a.to_domain IS NOT DISTINCT FROM $3)",
					 3, types, values, nulls, SPI_OK_INSERT);
	api_grant(&t, true);
	api_sync_schema_usage(&t);
	PG_RETURN_VOID();
}

/*
 * tec_revoke_api(fn regprocedure, to_domain text DEFAULT NULL): NULL
 * withdraws every publication of the function.
 */
Datum
tsov_revoke_api(PG_FUNCTION_ARGS)
{
	ApiTarget	t;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	volatile uint64 n = 0;
	int			rc;
	Oid			save_userid;
	int			save_sec;

	api_target(fcinfo, "tec_revoke_api", &t);
	values[0] = CStringGetTextDatum(t.signature);
	if (t.to)
		values[1] = CStringGetTextDatum(t.to);
	else
		nulls[1] = 'n';

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		rc = SPI_execute_with_args("DELETE FROM tec_sovereignty.api a "
								   "WHERE a.function_signature OPERATOR(pg_catalog.=) $1 "
								   "AND ($2::text IS NULL OR a.to_domain OPERATOR(pg_catalog.=) $2) "
								   "RETURNING a.to_domain",
								   2, types, values, nulls, false, 0);
		if (rc != SPI_OK_DELETE_RETURNING)
			elog(ERROR, "could not delete the API");
		n = SPI_processed;
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 t.to ? errmsg("function %s is not published to domain \"%s\"", t.signature, t.to)
				 : errmsg("function %s is not published", t.signature),
				 errhint("See the published APIs with: SELECT * FROM tec_sovereignty.api;")));

	if (t.to)
		api_grant(&t, false);
	else
	{
		/* withdrawn everywhere: no role keeps EXECUTE but the domain's */
		StringInfoData sql;

		initStringInfo(&sql);
		appendStringInfo(&sql, "REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC", t.signature);
		run_as_superuser(sql.data, 0, NULL, NULL, NULL, SPI_OK_UTILITY);
		run_as_superuser(psprintf("DO $$DECLARE r record; BEGIN "
								  "FOR r IN SELECT d.owner_role, d.writer_role, d.reader_role FROM tec_sovereignty.domain d "
								  "WHERE d.name OPERATOR(pg_catalog.<>) %s LOOP "
								  "EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %%s FROM %%I, %%I, %%I', %s, r.owner_role, r.writer_role, r.reader_role); "
								  "END LOOP; END$$",
								  quote_literal_cstr(t.domname), quote_literal_cstr(t.signature)),
						 0, NULL, NULL, NULL, SPI_OK_UTILITY);
	}
	api_sync_schema_usage(&t);
	PG_RETURN_VOID();
}

/*
 * tec_break_glass(domain text, reason text): superusers only; opens the
 * domain to them for the current transaction under privileged_access =
 * 'deny', and records why.
 */
Datum
tsov_break_glass(PG_FUNCTION_ARGS)
{
	char	   *domain = text_arg(fcinfo, 0);
	char	   *reason = text_arg(fcinfo, 1);
	const TsovDomain *dom;
	TsovAuditEvent ev;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to break glass"),
				 errdetail("Only superusers may open a domain with tec_break_glass().")));
	if (domain == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("domain name must not be null")));
	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a reason is required to break glass"),
				 errdetail("The reason is recorded in the audit trail with the access it opens.")));
	dom = tsov_domain_by_name(domain);
	if (dom == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("domain \"%s\" does not exist", domain),
				 errhint("List the domains with: SELECT name FROM tec_sovereignty.domains;")));
	if (!IsTransactionBlock())
		ereport(WARNING,
				(errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				 errmsg("tec_break_glass() opens the domain for the current transaction only"),
				 errhint("Call it inside BEGIN ... COMMIT, before the statements that need it.")));

	memset(&ev, 0, sizeof(ev));
	ev.action = "BREAK_GLASS";
	ev.decision = TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.actor_role = GetUserId();
	ev.object_domain = dom->name;
	ev.object_oid = dom->nspoid;
	ev.object_schema = dom->name;
	ev.reason = reason;
	tsov_audit_record(&ev);
	tsov_break_glass_open(dom->name);
	PG_RETURN_VOID();
}

/*
 * tec_row_visible(domain text): the row-level security predicate of shared
 * tables.  True when the current role may see and write rows of that
 * domain: the rule (enforce/decision.c) applied to the row's domain, as
 * tsov_row_allowed() says.
 */
Datum
tsov_row_visible(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(tsov_row_allowed(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}
