/*-------------------------------------------------------------------------
 *
 * import.c
 *	  tec_sovereignty.audit_import(): add the audit chains of a domain
 *	  exported elsewhere (tec_export_domain(with_audit => true)) to this
 *	  database's trail, as the domain's prior history.
 *
 * The import script of an export fills two temporary tables: chains, one
 * row per chain (chain_origin, last_seq, last_hash, anchor_seq,
 * anchor_hash: the chain's head and purge anchor on the source; digest,
 * when the table has that column: the source's signed digest of the head),
 * and log,
 * the rows, with the columns of tec_sovereignty.audit_log (chain.c's
 * column table names them).  The import runs in named steps:
 * check_target (a domain this transaction creates; the import lock),
 * check_chains (well-formed, foreign and new, or held here up to the
 * imported head), check_digests (the
 * exporter's signed digests, when this server has a key), check_rows (every row in the
 * domain and in a listed chain), insert_rows (rows, heads and anchors,
 * below every local seq number), verify_chains (each chain as
 * tec_audit_verify() checks it, with a summary for the success record).
 *
 * Trust model.  This is the only way rows enter the trail other than the
 * writer, so it is narrow:
 *	 - superusers only, and only for a domain whose registry row the current
 *	   transaction wrote (the import script creates the domain just before):
 *	   a guard against grafting a history onto a running domain by mistake,
 *	   not a security boundary, since a superuser can touch the row;
 *	 - it only creates chains: every chain must come from another origin
 *	   than this database's own (whose chains only the writer appends to)
 *	   and have no row, head or anchor here yet; every row must belong to
 *	   the domain (chain_domain and object_domain) and to a listed chain;
 *	 - except a chain already here that holds the imported head (a row at
 *	   the head's position with the head's hash, or the purge anchor
 *	   there): a domain coming back to a database it left, with its own
 *	   chain or one imported then.  Its rows are not imported again (by the
 *	   hash chain, the rows before that head are the same), and the chain
 *	   here is verified as it is; a chain here without the imported head
 *	   would be extended or forked: refused;
 *	 - the rows get local seq numbers below every existing one (they are
 *	   prior history, and the writer only ever appends above the maximum,
 *	   so the two never collide), in chain order;
 *	 - after insertion each chain is verified exactly as tec_audit_verify()
 *	   does it, anchor and head included; one failure refuses the whole
 *	   import (the transaction, hence the script, fails) and the refusal is
 *	   itself recorded, as a denial in the domain's local chain;
 *	 - a success is recorded (AUDIT_IMPORT, privileged) in the domain's
 *	   local chain, with each imported chain's origin, length and head hash.
 *	 - signed digests (digest.c): when this server has a key for the
 *	   domain's digests, every chain must carry the exporter's digest of
 *	   its head, signed with such a key, naming that head exactly
 *	   (check_digests), and the walk checks the row it names;
 * What remains possible without a shared key, and is documented: a
 * superuser can fabricate a self-consistent chain under an invented origin
 * for a domain being created (SHA-256 chains are unkeyed: anyone can
 * compute them).  It cannot
 * change, extend or interleave with any chain already here, and the
 * fabrication stays visible: the AUDIT_IMPORT row that names its head hash
 * sits in this database's own chain, and the source's EXPORT row names the
 * heads that really left.
 *
 * Concurrent imports are serialized by a transaction-level advisory lock.
 *
 * Memory.  Everything is allocated in the function's context or in SPI's
 * procedure context (freed by SPI_finish); what outlives SPI_finish (the
 * summary, the counts) is allocated before SPI_connect or is a plain
 * value.  (The chain origins are read while SPI is connected and used
 * before SPI_finish only.)
 *
 * IDENTIFICATION
 *	  src/audit/import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "audit/internal.h"

PG_FUNCTION_INFO_V1(tsov_audit_import);

/* What one import works on. */
typedef struct Import
{
	char	   *domain;
	Oid			nspoid;
	char	   *schema;
	char	   *chains_sql;		/* qualified, quoted names of the two tables */
	char	   *log_sql;
	char		own_origin[64];
	int			nchains;
	char	  **origins;
	Jsonb	  **digests;		/* the exporter's signed digest of each head, or NULL */
	TsovDigest *checked;		/* digests checked with a key of this server */
	bool	   *is_checked;
	bool		have_key;		/* this server has a key for the domain */
	bool		has_digest_col; /* the chains table has a digest column */
	bool	   *known;			/* the chain is already here, its head included */
	int			nknown;			/* how many are */
	Datum		known_origins;	/* text[] of those chains' origins */
	int64		nrows;			/* rows to insert: those of the other chains */
} Import;

/* quoted, qualified name of a relation, for SQL text */
static char *
rel_sql_name(Oid relid)
{
	char	   *rel = get_rel_name(relid);
	Oid			nsp = get_rel_namespace(relid);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return quote_qualified_identifier(get_namespace_name(nsp), rel);
}

/* Record the refusal of an import (a denial in the domain's chain). */
static void
import_refuse(const Import *im, const char *why)
{
	TsovAuditEvent ev;

	memset(&ev, 0, sizeof(ev));
	ev.action = "AUDIT_IMPORT";
	ev.decision = TSOV_DENIED;
	ev.is_write = true;
	ev.object_domain = im->domain;
	ev.object_schema = im->schema;
	ev.reason = why;
	tsov_audit_record(&ev);
}

/* Refuse an import whose input is not acceptable: recorded, then an error. */
static void
refuse_input(const Import *im, const char *why, const char *detail)
{
	import_refuse(im, why);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot import the audit trail of domain \"%s\": %s", im->domain, why),
			 errdetail_internal("%s", detail)));
}

/* Only for a domain this transaction creates (the import script); lock. */
static void
check_target(const Import *im, Datum *a)
{
	Oid			t1[1] = {TEXTOID};
	bool		isnull;

	if (SPI_execute_with_args("SELECT x.xmin FROM tec_sovereignty.domain x WHERE x.name OPERATOR(pg_catalog.=) $1",
							  1, t1, a, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the registry row of domain \"%s\"", im->domain);
	if (!TransactionIdIsCurrentTransactionId(DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0],
																				 SPI_tuptable->tupdesc, 1, &isnull))))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot import an audit trail into domain \"%s\"", im->domain),
				 errdetail("An audit trail is imported only with its domain, in the transaction that creates it."),
				 errhint("Import the script of tec_export_domain('%s', with_audit => true) into a database without that domain.", im->domain)));

	if (SPI_execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tec_sovereignty.audit_import'))",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock the audit import");
}

/* The chains: well-formed, foreign, new.  Fills im->origins. */
static void
check_chains(Import *im, Datum *a)
{
	Oid			t1[1] = {TEXTOID};
	bool		isnull;

	if (SPI_execute_with_args(psprintf("SELECT chain_origin, last_seq, last_hash, anchor_seq, anchor_hash,"
									   " %s AS digest,"
									   " EXISTS (SELECT 1 FROM tec_sovereignty.audit_log l"
									   "          WHERE l.chain_domain OPERATOR(pg_catalog.=) $1 AND l.chain_origin OPERATOR(pg_catalog.=) c.chain_origin)"
									   " OR EXISTS (SELECT 1 FROM tec_sovereignty.audit_chain h"
									   "          WHERE h.chain_domain OPERATOR(pg_catalog.=) $1 AND h.chain_origin OPERATOR(pg_catalog.=) c.chain_origin)"
									   " OR EXISTS (SELECT 1 FROM tec_sovereignty.audit_anchor n"
									   "          WHERE n.chain_domain OPERATOR(pg_catalog.=) $1 AND n.chain_origin OPERATOR(pg_catalog.=) c.chain_origin)"
									   " AS exists_here,"
									   /* the chain here holds the imported head: a row, or its purge anchor */
									   " EXISTS (SELECT 1 FROM tec_sovereignty.audit_chain h"
									   "          WHERE h.chain_domain OPERATOR(pg_catalog.=) $1 AND h.chain_origin OPERATOR(pg_catalog.=) c.chain_origin"
									   "            AND h.last_seq OPERATOR(pg_catalog.>=) c.last_seq)"
									   " AND (EXISTS (SELECT 1 FROM tec_sovereignty.audit_log l"
									   "          WHERE l.chain_domain OPERATOR(pg_catalog.=) $1 AND l.chain_origin OPERATOR(pg_catalog.=) c.chain_origin"
									   "            AND l.chain_seq OPERATOR(pg_catalog.=) c.last_seq AND l.row_hash OPERATOR(pg_catalog.=) c.last_hash)"
									   "   OR EXISTS (SELECT 1 FROM tec_sovereignty.audit_anchor n"
									   "          WHERE n.chain_domain OPERATOR(pg_catalog.=) $1 AND n.chain_origin OPERATOR(pg_catalog.=) c.chain_origin"
									   "            AND n.anchor_seq OPERATOR(pg_catalog.=) c.last_seq AND n.anchor_hash OPERATOR(pg_catalog.=) c.last_hash))"
									   " AS holds_head"
									   " FROM %s c ORDER BY chain_origin COLLATE \"C\"",
									   im->has_digest_col ? "c.digest" : "NULL::pg_catalog.jsonb", im->chains_sql),
							  1, t1, a, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the imported audit chains");
	im->nchains = (int) SPI_processed;
	im->origins = palloc0(sizeof(char *) * (im->nchains + 1));
	im->digests = palloc0(sizeof(Jsonb *) * (im->nchains + 1));
	im->known = palloc0(sizeof(bool) * (im->nchains + 1));
	for (int i = 0; i < im->nchains; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		uint8		h[TSOV_HASH_LEN];
		bool		seq_null,
					aseq_null,
					ahash_null;
		int64		last_seq = DatumGetInt64(SPI_getbinval(t, d, 2, &seq_null));
		int64		anchor_seq = DatumGetInt64(SPI_getbinval(t, d, 4, &aseq_null));
		char	   *origin = tsov_audit_get_text(t, d, 1);
		char	   *why = NULL;

		im->origins[i] = origin;
		(void) SPI_getbinval(t, d, 5, &ahash_null);
		{
			Datum		dv = SPI_getbinval(t, d, 6, &isnull);

			im->digests[i] = isnull ? NULL : DatumGetJsonbPCopy(dv);
		}
		if (origin == NULL || origin[0] == '\0')
			why = "a chain without an origin";
		else if (seq_null || last_seq < 0 || !tsov_audit_get_hash(t, d, 3, h))
			why = psprintf("chain \"%s\": malformed head", origin);
		else if (aseq_null != ahash_null ||
				 (!aseq_null && (anchor_seq < 0 || anchor_seq > last_seq || !tsov_audit_get_hash(t, d, 5, h))))
			why = psprintf("chain \"%s\": malformed purge anchor", origin);
		else if (strcmp(origin, im->own_origin) == 0 || DatumGetBool(SPI_getbinval(t, d, 7, &isnull)))
		{
			/*
			 * A chain already here: the domain comes back to a database it
			 * left (its own chain, or one imported then), with nothing of
			 * that chain that is not here already.  Its imported rows are
			 * skipped; the chain here is verified below as it is.  By the
			 * hash chain, holding the imported head (same position, same
			 * hash) means holding every imported row before it.  Anything
			 * else would extend or fork a chain here: refused.
			 */
			if (DatumGetBool(SPI_getbinval(t, d, 8, &isnull)))
				im->known[i] = true;
			else if (strcmp(origin, im->own_origin) == 0)
				why = "a chain of this database's own origin: only the audit writer appends to it";
			else
				why = psprintf("chain \"%s\" of domain \"%s\" already has rows, a head or an anchor here", origin, im->domain);
		}
		if (why != NULL)
			refuse_input(im, why, "An import adds new chains from another database, each of which must verify; a chain already here is skipped only when it holds the imported head.");
	}
	{
		Datum	   *k = palloc0(sizeof(Datum) * (im->nchains + 1));

		for (int i = 0; i < im->nchains; i++)
			if (im->known[i])
				k[im->nknown++] = CStringGetTextDatum(im->origins[i]);
		im->known_origins = PointerGetDatum(construct_array(k, im->nknown, TEXTOID, -1, false, TYPALIGN_INT));
	}
}

/*
 * The exporter's signed digests.  When this server has a key for the
 * domain's digests (its own master key or a "verify" line of the domain),
 * every chain must carry a digest signed with one of them that names the
 * chain's head exactly: a history made up elsewhere, however consistent,
 * carries no such digest.  Without a key nothing can be checked, which
 * the success record says.  Must run while the chains' rows are read
 * (check_chains), before any row is inserted.
 */
static void
check_digests(Import *im, Datum *a)
{
	Oid			t2[2] = {TEXTOID, TEXTOID};

	im->have_key = tsov_digest_have_key(im->domain);
	im->checked = palloc0(sizeof(TsovDigest) * (im->nchains + 1));
	im->is_checked = palloc0(sizeof(bool) * (im->nchains + 1));
	if (!im->have_key)
		return;
	for (int i = 0; i < im->nchains; i++)
	{
		TsovDigest *dg = &im->checked[i];
		char	   *why = NULL;
		uint8		h[TSOV_HASH_LEN];
		int64		last_seq;
		bool		isnull;

		if (im->digests[i] == NULL)
			why = "it carries no signed digest";
		else if (!JB_ROOT_IS_OBJECT(im->digests[i]))
			why = "its digest is not an object";
		else if (tsov_digest_check(&im->digests[i]->root, dg, im->domain, &why))
		{
			a[1] = CStringGetTextDatum(im->origins[i]);
			if (SPI_execute_with_args(psprintf("SELECT last_seq, last_hash FROM %s c WHERE c.chain_origin OPERATOR(pg_catalog.=) $2",
											   im->chains_sql),
									  2, t2, a, NULL, false, 1) != SPI_OK_SELECT ||
				SPI_processed != 1)
				elog(ERROR, "could not read an imported chain head");
			last_seq = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			if (!tsov_audit_get_hash(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, h) ||
				strcmp(dg->origin, im->origins[i]) != 0 ||
				dg->seq != last_seq || memcmp(dg->hash, h, TSOV_HASH_LEN) != 0)
				why = "its signed digest does not name the chain's head";
		}
		if (why != NULL)
			refuse_input(im, psprintf("chain \"%s\": %s", im->origins[i], why),
						 psprintf("This server has a key for the signed digests of domain \"%s\": every imported chain must carry the exporter's digest of its head, signed with that key.",
								  im->domain));
		im->is_checked[i] = true;
	}
}

/* Every row belongs to the domain and to a listed chain.  Sets im->nrows. */
static void
check_rows(Import *im, Datum *a)
{
	Oid			t2[2] = {TEXTOID, TEXTARRAYOID};
	Datum		a2[2] = {a[0], im->known_origins};
	bool		isnull;

	if (SPI_execute_with_args(psprintf("SELECT pg_catalog.count(*) FILTER (WHERE NOT l.chain_origin OPERATOR(pg_catalog.=) ANY ($2)),"
									   " pg_catalog.count(*) FILTER (WHERE l.chain_domain IS DISTINCT FROM $1"
									   "   OR l.object_domain IS DISTINCT FROM $1"
									   "   OR NOT EXISTS (SELECT 1 FROM %s c WHERE c.chain_origin OPERATOR(pg_catalog.=) l.chain_origin))"
									   " FROM %s l", im->chains_sql, im->log_sql),
							  2, t2, a2, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the imported audit rows");
	im->nrows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) > 0)
		refuse_input(im, "rows of another domain or of an unlisted chain",
					 psprintf("Every imported row must be in a chain of domain \"%s\" listed with its head.", im->domain));

	/*
	 * The rows of a chain already here are skipped: each must be here, the
	 * same (position and hash), or at or below the purge anchor here (this
	 * database's retention removed it).  Anything else (a row past the
	 * listed head, a changed row) would be dropped unseen: refused.
	 */
	if (im->nknown > 0)
	{
		if (SPI_execute_with_args(psprintf("SELECT pg_catalog.count(*) FROM %s l"
										   " WHERE l.chain_origin OPERATOR(pg_catalog.=) ANY ($2)"
										   "   AND NOT EXISTS (SELECT 1 FROM tec_sovereignty.audit_log x"
										   "        WHERE x.chain_domain OPERATOR(pg_catalog.=) $1 AND x.chain_origin OPERATOR(pg_catalog.=) l.chain_origin"
										   "          AND x.chain_seq OPERATOR(pg_catalog.=) l.chain_seq AND x.row_hash OPERATOR(pg_catalog.=) l.row_hash)"
										   "   AND NOT EXISTS (SELECT 1 FROM tec_sovereignty.audit_anchor n"
										   "        WHERE n.chain_domain OPERATOR(pg_catalog.=) $1 AND n.chain_origin OPERATOR(pg_catalog.=) l.chain_origin"
										   "          AND l.chain_seq OPERATOR(pg_catalog.<=) n.anchor_seq)",
										   im->log_sql),
								  2, t2, a2, NULL, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not compare the imported audit rows with the chains here");
		if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) > 0)
			refuse_input(im, "rows of a chain already here that this database does not hold",
						 "The rows of a chain held here up to the imported head must be the rows here, the same.");
	}
}

/*
 * Insert the rows with local seq numbers below every existing one (prior
 * history), in chain order, the chains' heads and their purge anchors.
 * The audit tables are the audit code's own (trail_guard.c lets these
 * writes through) and the guards let the extension's work through.
 */
static void
insert_rows(const Import *im, Datum *a)
{
	Oid			t5[5] = {TEXTOID, INT8OID, INT8OID, TEXTOID, TEXTARRAYOID};
	Datum		a5[5];
	bool		isnull;
	int64		base;
	char	   *columns = tsov_audit_column_list("", NULL);
	char	   *values;

	if (SPI_execute("SELECT LEAST(COALESCE(pg_catalog.min(seq), 1), 1) FROM tec_sovereignty.audit_log",
					false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the first audit sequence number");
	base = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	values = tsov_audit_column_list("l.",
									"$2 OPERATOR(pg_catalog.-) $3 OPERATOR(pg_catalog.-) 1 OPERATOR(pg_catalog.+)"
									" pg_catalog.row_number() OVER (ORDER BY l.chain_origin COLLATE \"C\", l.chain_seq, l.seq)");

	a5[0] = a[0];
	a5[1] = Int64GetDatum(base);
	a5[2] = Int64GetDatum(im->nrows);
	a5[3] = a[0];
	a5[4] = im->known_origins;
	TSOV_AUDIT_SELF_BEGIN();
	{
		TSOV_INTERNAL_BEGIN();
		{
			if (SPI_execute_with_args(psprintf("WITH ins AS ("
											   " INSERT INTO tec_sovereignty.audit_log (%s)"
											   " SELECT %s"
											   "   FROM %s l WHERE NOT l.chain_origin OPERATOR(pg_catalog.=) ANY ($5)"
											   " RETURNING chain_origin, seq)"
											   " INSERT INTO tec_sovereignty.audit_chain (chain_domain, chain_origin, last_seq, last_hash, last_log_seq)"
											   " SELECT $1, c.chain_origin, c.last_seq, c.last_hash,"
											   "        COALESCE((SELECT pg_catalog.max(i.seq) FROM ins i WHERE i.chain_origin OPERATOR(pg_catalog.=) c.chain_origin),"
											   "                 $2 OPERATOR(pg_catalog.-) $3 OPERATOR(pg_catalog.-) 1)"
											   "   FROM %s c WHERE NOT c.chain_origin OPERATOR(pg_catalog.=) ANY ($5)", columns, values, im->log_sql, im->chains_sql),
									  5, t5, a5, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "could not insert the imported audit rows");
			if (SPI_execute_with_args(psprintf("INSERT INTO tec_sovereignty.audit_anchor (chain_domain, chain_origin, anchor_seq, anchor_hash)"
											   " SELECT $1, c.chain_origin, c.anchor_seq, c.anchor_hash FROM %s c"
											   "  WHERE c.anchor_seq IS NOT NULL AND NOT c.chain_origin OPERATOR(pg_catalog.=) ANY ($5)", im->chains_sql),
									  5, t5, a5, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "could not insert the imported purge anchors");
		}
		TSOV_INTERNAL_END();
	}
	TSOV_AUDIT_SELF_END();
}

/*
 * Verify each chain as tec_audit_verify() will, seeing our rows; one that
 * does not verify refuses the import.  Appends each chain's origin, head
 * and length to summary.
 */
static void
verify_chains(const Import *im, Datum *a, StringInfo summary)
{
	Oid			t2[2] = {TEXTOID, TEXTOID};

	CommandCounterIncrement();
	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	for (int i = 0; i < im->nchains; i++)
	{
		VerifyResult res;

		memset(&res, 0, sizeof(res));
		res.ok = true;
		tsov_audit_verify_chain_digests(im->domain, im->origins[i], &res,
										&im->checked[i], im->is_checked[i] ? 1 : 0);
		if (!res.ok)
		{
			import_refuse(im, psprintf("the imported chain does not verify: %s", res.reason));
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("audit trail of domain \"%s\" does not verify", im->domain),
					 errdetail("%s.", res.reason),
					 errhint("The export script was changed after it was made, or the trail was already damaged on the source: check it there with tec_audit_verify('%s').",
							 im->domain)));
		}
		a[1] = CStringGetTextDatum(im->origins[i]);
		if (SPI_execute_with_args("SELECT last_seq, pg_catalog.encode(last_hash, 'hex') FROM tec_sovereignty.audit_chain"
								  " WHERE chain_domain OPERATOR(pg_catalog.=) $1 AND chain_origin OPERATOR(pg_catalog.=) $2",
								  2, t2, a, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not read an imported chain head");
		appendStringInfo(summary, "%s%s#%s:%s (" INT64_FORMAT " rows%s, %s)", i > 0 ? ", " : "", im->origins[i],
						 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), res.rows,
						 im->known[i] ? ", already here up to the imported head: not imported again" : "",
						 im->is_checked[i] ? psprintf("signed digest checked with key %s", im->checked[i].key_id) :
						 im->digests[i] ? "signed digest not checked: no key for the domain" : "no signed digest");
	}
	PopActiveSnapshot();
}

/*
 * tec_sovereignty.audit_import(domain text, chains regclass, log regclass)
 *	 RETURNS bigint: the number of rows added (see the header).
 */
Datum
tsov_audit_import(PG_FUNCTION_ARGS)
{
	Import		im;
	const TsovDomain *dom;
	Datum		a[4];
	StringInfoData summary;
	TsovAuditEvent ev;
	int			guc_level;

	tsov_audit_require_superuser("tec_sovereignty.audit_import");
	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("arguments of tec_sovereignty.audit_import must not be null")));
	memset(&im, 0, sizeof(im));
	im.domain = tsov_audit_text_arg(fcinfo, 0);
	dom = tsov_domain_by_name(im.domain);
	if (dom == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("domain \"%s\" does not exist", im.domain)));
	im.nspoid = dom->nspoid;	/* dom is valid until the next catalog access */
	im.schema = get_namespace_name(im.nspoid);
	im.chains_sql = rel_sql_name(PG_GETARG_OID(1));
	im.log_sql = rel_sql_name(PG_GETARG_OID(2));
	{
		AttrNumber	att = get_attnum(PG_GETARG_OID(1), "digest");

		im.has_digest_col = att != InvalidAttrNumber;
		if (im.has_digest_col && get_atttype(PG_GETARG_OID(1), att) != JSONBOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"digest\" of the imported audit chains must be of type jsonb"),
					 errhint("Import the script of tec_export_domain(with_audit => true) as it was made.")));
	}
	tsov_audit_origin(im.own_origin, sizeof(im.own_origin));
	initStringInfo(&summary);

	/*
	 * Without JIT for the import's own statements: the row insertion is one
	 * INSERT ... SELECT over every column, whose compilation cost about
	 * 300 ms an import (23 % of importing 200,000 rows here) and gains
	 * nothing on a statement that runs once.  The setting is undone at the
	 * end, or by the transaction's abort.
	 */
	guc_level = NewGUCNestLevel();
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	a[0] = CStringGetTextDatum(im.domain);
	check_target(&im, a);
	check_chains(&im, a);
	check_digests(&im, a);
	check_rows(&im, a);
	insert_rows(&im, a);
	verify_chains(&im, a, &summary);
	SPI_finish();
	AtEOXact_GUC(true, guc_level);

	memset(&ev, 0, sizeof(ev));
	ev.action = "AUDIT_IMPORT";
	ev.decision = TSOV_PRIVILEGED;
	ev.is_write = true;
	ev.object_domain = im.domain;
	ev.object_schema = im.schema;
	ev.object_oid = im.nspoid;
	ev.reason = psprintf("imported " INT64_FORMAT " rows of %d chains: %s", im.nrows, im.nchains,
						 im.nchains > 0 ? summary.data : "none");
	tsov_audit_record(&ev);
	PG_RETURN_INT64(im.nrows);
}
