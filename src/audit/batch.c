/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  The rows of one batch of the audit writer: unpack the ring's records,
 *	  resolve what log-hook events could not know, cut or withhold what a
 *	  quarantined row may not keep, chain the rows and insert them.
 *
 * tsov_audit_write_batch() is called by the writer loop (writer.c) in the
 * batch's transaction with the audit table open; it forms one tuple per
 * record from the column table (chain.c), appends it to its chain, and
 * inserts the batch with table_multi_insert plus index insertion (the COPY
 * FROM fast path; no SPI, no executor per row), then updates the heads of
 * the chains it advanced in tec_sovereignty.audit_chain, the same way
 * (save_heads).
 *
 * A damaged record (lengths that do not fit, a string without its end, an
 * invalid byte sequence, an unknown decision) never stops the writer nor
 * is lost: what is wrong is left out or cut, with a note, which makes the
 * row quarantined (its column "quarantine" says what and why).  The same
 * notes record what the failure model of writer.c cut or withheld when a
 * record could not be written as it was (WriteLevel).
 *
 * Memory.  Everything a batch's rows point to is allocated in the batch
 * context (CurrentMemoryContext when tsov_audit_write_batch is called),
 * or lies in the ring, which the writer alone consumes and which is not
 * overwritten before the batch is published; the caller resets that
 * context only once the batch's transaction has committed or aborted.
 * The lookups of log-hook events run through SPI first (SPI's procedure
 * context, freed by SPI_finish), and what they find is copied into the
 * batch context before SPI_finish().  The tuple slots are made once per
 * writer, in TopMemoryContext, for TSOV_BATCH_MAX rows.
 *
 * IDENTIFICATION
 *	  src/audit/batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "audit/internal.h"

/*
 * Limits of a quarantined row's fields (bytes, cut on a character
 * boundary): small enough that the whole row fits in one heap page even
 * with no compression and no TOAST (12 text fields: 2048 + 1024 + 10 x 256
 * bytes), so that nothing in a field's size can stop it from being
 * written.  Documented in the README ("Operating it").
 */
#define TSOV_QUAR_STATEMENT_MAX 2048
#define TSOV_QUAR_REASON_MAX	1024
#define TSOV_QUAR_FIELD_MAX		256
#define TSOV_QUAR_NOTE_MAX		1024



/*
 * One row of a batch, as it is built.  Everything it points to lives in
 * the batch context (or in the ring, which the writer alone consumes and
 * which is not overwritten before the batch is published), so it stays
 * valid until the insert is done.
 */
typedef struct BatchItem
{
	TsovAuditRecord *rec;
	const char *str[TSOV_NFIELDS];
	const char *decision;
	StringInfoData note;		/* quarantine marker; len 0: none */
} BatchItem;

static void
add_note(BatchItem *it, const char *fmt,...) pg_attribute_printf(2, 3);

/*
 * Append to the row's quarantine marker.  Not cut here (a cut in the
 * middle of a character would be invalid text): write_batch cuts the
 * whole marker to TSOV_QUAR_NOTE_MAX on a character boundary.
 */
static void
add_note(BatchItem *it, const char *fmt,...)
{
	if (it->note.data == NULL)
		initStringInfo(&it->note);
	if (it->note.len > 0)
		appendStringInfoString(&it->note, "; ");
	for (;;)
	{
		va_list		ap;
		int			needed;

		va_start(ap, fmt);
		needed = appendStringInfoVA(&it->note, fmt, ap);
		va_end(ap);
		if (needed == 0)
			break;
		enlargeStringInfo(&it->note, needed);
	}
}

/* s cut to max bytes on a character boundary (a copy when cut). */
static const char *
cut_field(BatchItem *it, int f, const char *s, int max)
{
	int			len;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (len <= max)
		return s;
	len = pg_mbcliplen(s, len, max);
	add_note(it, "%s cut from %zu to %d bytes", tsov_audit_field_column(f)->name, strlen(s), len);
	return pnstrdup(s, len);
}

/*
 * Unpack a ring record into it->str, checking that it is well-formed:
 * the string lengths fit in the record and each string ends where its
 * length says, the decision is known, every string is valid in the
 * database encoding.  What is not is left out or cut, with a note (which
 * quarantines the row): a damaged record must never stop the writer nor be
 * lost.  Runs in the batch context.
 */
static void
unpack_record(BatchItem *it, TsovAuditRecord *rec)
{
	const char *p = rec->data;
	Size		room = rec->len > TSOV_REC_HDRSZ ? rec->len - TSOV_REC_HDRSZ : 0;
	Size		need = 0;
	int			enc = GetDatabaseEncoding();

	memset(it, 0, sizeof(*it));
	it->rec = rec;
	for (int f = 0; f < TSOV_NFIELDS; f++)
		need += rec->slen[f];
	if (need > room)
	{
		add_note(it, "malformed queue record: %zu bytes of fields in a record of %zu", need, room);
		for (int f = 0; f < TSOV_NFIELDS; f++)
			it->str[f] = NULL;
	}
	else
	{
		for (int f = 0; f < TSOV_NFIELDS; f++)
		{
			int			slen = rec->slen[f];
			int			valid;

			if (slen == 0)
				continue;
			if (p[slen - 1] != '\0' || strlen(p) != (size_t) (slen - 1))
			{
				add_note(it, "%s malformed in the queue record, left out", tsov_audit_field_column(f)->name);
				p += slen;
				continue;
			}
			valid = pg_encoding_verifymbstr(enc, p, slen - 1);
			if (valid < slen - 1)
			{
				add_note(it, "%s has an invalid byte sequence at byte %d, cut there", tsov_audit_field_column(f)->name, valid);
				it->str[f] = pnstrdup(p, valid);
			}
			else
				it->str[f] = p;
			p += slen;
		}
	}
	if (rec->decision > TSOV_ABORTED)
	{
		add_note(it, "unrecognized decision %d", rec->decision);
		it->decision = "unknown";
	}
	else
		it->decision = tsov_audit_decision_name(rec->decision);
	if (it->str[TSOV_F_ACTION] == NULL)
	{
		if (it->note.len > 0)
			it->str[TSOV_F_ACTION] = "UNKNOWN";	/* NOT NULL column */
	}
}

/*
 * Is this error about the environment (locks, resources, shutdown, a
 * missing relation), so that the same batch will be written once the cause
 * is gone, rather than about the content of one event?  Environmental
 * failures are retried with back-off as they are; any other error is
 * suspected to come from an event: the batch is split to find it.
 */
bool
tsov_audit_error_is_environmental(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_CONNECTION_EXCEPTION:	/* 08 */
		case ERRCODE_INVALID_TRANSACTION_STATE: /* 25 */
		case ERRCODE_TRANSACTION_ROLLBACK:	/* 40: serialization, deadlock */
		case ERRCODE_INSUFFICIENT_RESOURCES:	/* 53: disk full, out of memory */
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:	/* 55: lock not available */
		case ERRCODE_OPERATOR_INTERVENTION: /* 57: cancel, lock/statement timeout */
		case ERRCODE_SYSTEM_ERROR:	/* 58: I/O */
			return true;
		default:
			return sqlerrcode == ERRCODE_UNDEFINED_TABLE;
	}
}

/*
 * Resolve what a log-hook event could not know without catalog access:
 * user names, the actor's domain, the object's domain from its schema.
 * Runs with SPI connected (CurrentMemoryContext is SPI's procedure
 * context, freed by SPI_finish): every result kept is copied into cxt,
 * the batch context.
 */
static void
resolve_hook_event(BatchItem *it, MemoryContext cxt)
{
	TsovAuditRecord *rec = it->rec;
	Oid			t1[1] = {OIDOID};
	Oid			t2[1] = {TEXTOID};
	Datum		a[1];
	bool		isnull;
	char	   *n;

	if (it->str[TSOV_F_SESSION_USER] == NULL &&
		(n = GetUserNameFromId(rec->session_user_id, true)) != NULL)
		it->str[TSOV_F_SESSION_USER] = MemoryContextStrdup(cxt, n);
	if (it->str[TSOV_F_EFFECTIVE_USER] == NULL &&
		(n = GetUserNameFromId(rec->effective_user_id, true)) != NULL)
		it->str[TSOV_F_EFFECTIVE_USER] = MemoryContextStrdup(cxt, n);
	if (it->str[TSOV_F_ACTOR_DOMAIN] == NULL)
	{
		a[0] = ObjectIdGetDatum(rec->effective_user_id);
		if (SPI_execute_with_args("SELECT domain FROM tec_sovereignty.role_domains($1) LIMIT 1",
								  1, t1, a, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				it->str[TSOV_F_ACTOR_DOMAIN] = MemoryContextStrdup(cxt, TextDatumGetCString(d));
		}
	}
	if (it->str[TSOV_F_OBJECT_DOMAIN] == NULL && it->str[TSOV_F_OBJECT_SCHEMA] != NULL)
	{
		a[0] = CStringGetTextDatum(it->str[TSOV_F_OBJECT_SCHEMA]);
		if (SPI_execute_with_args("SELECT name FROM tec_sovereignty.domain"
								  " WHERE schema_name OPERATOR(pg_catalog.=) $1::name",
								  1, t2, a, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				it->str[TSOV_F_OBJECT_DOMAIN] = MemoryContextStrdup(cxt, TextDatumGetCString(d));
		}
	}
}

/*
 * Resolve every log-hook event of the batch, each in its own
 * subtransaction: an event whose lookups fail is kept with the fields it
 * has and a note (a quarantined row), unless the failure is environmental
 * (a lock timeout, say), which fails the whole attempt to be retried.
 */
static void
resolve_hook_events(BatchItem *items, int n, MemoryContext cxt)
{
	bool		any = false;

	for (int i = 0; i < n && !any; i++)
		any = (items[i].rec->flags & TSOV_RECF_LOGHOOK) != 0;
	if (!any)
		return;

	tsov_audit_writer_state("resolving");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	for (int i = 0; i < n; i++)
	{
		ResourceOwner owner = CurrentResourceOwner;
		MemoryContext spicxt = CurrentMemoryContext;

		if (!(items[i].rec->flags & TSOV_RECF_LOGHOOK))
			continue;
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(spicxt);
		PG_TRY();
		{
			resolve_hook_event(&items[i], cxt);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(spicxt);
			CurrentResourceOwner = owner;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(spicxt);
			CurrentResourceOwner = owner;
			if (tsov_audit_error_is_environmental(edata->sqlerrcode))
				ReThrowError(edata);
			{
				MemoryContext o = MemoryContextSwitchTo(cxt);

				add_note(&items[i], "could not resolve the log-hook event: %s", edata->message);
				MemoryContextSwitchTo(o);
			}
		}
		PG_END_TRY();
	}
	SPI_finish();
}

/*
 * Cut a row to be quarantined to the limits of its level, and say so in
 * its note.  Runs in the batch context.
 */
static void
apply_level(BatchItem *it, WriteLevel level, const char *why)
{
	static const int free_text[] = {TSOV_F_STATEMENT, TSOV_F_REASON, TSOV_F_OBJECT_NAME,
	TSOV_F_VIA_API, TSOV_F_CLIENT_ADDR, TSOV_F_APPLICATION_NAME};

	if (level == TSOV_WRITE_NORMAL)
		return;
	add_note(it, "could not be written as it was (%s)", why);
	if (level == TSOV_WRITE_WITHHELD)
	{
		pg_cryptohash_ctx *h = tsov_audit_sha256();
		uint8		d[TSOV_HASH_LEN];
		char		hex[TSOV_HASH_LEN * 2 + 1];

		if (pg_cryptohash_init(h) < 0)
			elog(ERROR, "could not initialize SHA-256");
		for (int k = 0; k < lengthof(free_text); k++)
		{
			const char *v = it->str[free_text[k]];

			tsov_audit_hash_str(h, v);
			it->str[free_text[k]] = NULL;
		}
		if (pg_cryptohash_final(h, d, TSOV_HASH_LEN) < 0)
			elog(ERROR, "could not compute SHA-256");
		pg_cryptohash_free(h);
		hex_encode((const char *) d, TSOV_HASH_LEN, hex);
		hex[TSOV_HASH_LEN * 2] = '\0';
		add_note(it, "statement, reason, object_name, via_api, client_addr and application_name withheld (SHA-256 of them: %s)", hex);
		for (int f = 0; f < TSOV_NFIELDS; f++)
			it->str[f] = cut_field(it, f, it->str[f], NAMEDATALEN - 1);
		return;
	}
	for (int f = 0; f < TSOV_NFIELDS; f++)
		it->str[f] = cut_field(it, f, it->str[f],
							   f == TSOV_F_STATEMENT ? TSOV_QUAR_STATEMENT_MAX :
							   f == TSOV_F_REASON ? TSOV_QUAR_REASON_MAX :
							   TSOV_QUAR_FIELD_MAX);
}

/*
 * The writer's tuple slots, one per row of a batch; made again when the
 * audit table is another relation (recreated extension).
 */
static TupleTableSlot **
batch_slots(Relation rel)
{
	static TupleTableSlot **slots = NULL;
	static Oid	slots_rel = InvalidOid;

	if (slots == NULL || slots_rel != RelationGetRelid(rel))
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		/* an unpinned copy: the slots outlive the transaction */
		TupleDesc	copy = CreateTupleDescCopy(RelationGetDescr(rel));

		slots = palloc(sizeof(TupleTableSlot *) * TSOV_BATCH_MAX);
		for (int i = 0; i < TSOV_BATCH_MAX; i++)
			slots[i] = MakeSingleTupleTableSlot(copy, &TTSOpsVirtual);
		slots_rel = RelationGetRelid(rel);
		MemoryContextSwitchTo(old);
	}
	return slots;
}

/*
 * The row of one item, ready to be chained: user names the record did not
 * carry, the quarantine level applied, its note cut to TSOV_QUAR_NOTE_MAX.
 * Returns whether the row is quarantined.
 */
static bool
item_row(BatchItem *it, WriteLevel level, const char *why, TsovAuditRow *row)
{
	TsovAuditRecord *rec = it->rec;

	if (it->str[TSOV_F_SESSION_USER] == NULL)
		it->str[TSOV_F_SESSION_USER] = GetUserNameFromId(rec->session_user_id, true);
	if (it->str[TSOV_F_EFFECTIVE_USER] == NULL)
		it->str[TSOV_F_EFFECTIVE_USER] = GetUserNameFromId(rec->effective_user_id, true);
	apply_level(it, level, why);
	if (it->note.len > TSOV_QUAR_NOTE_MAX)
		it->note.len = pg_mbcliplen(it->note.data, it->note.len, TSOV_QUAR_NOTE_MAX);
	if (it->note.len > 0)
		it->note.data[it->note.len] = '\0';

	memset(row, 0, sizeof(*row));
	memcpy(row->str, it->str, sizeof(row->str));
	row->logged_at = rec->ts;
	row->fxid = rec->fxid;
	row->pid = rec->pid;
	row->object_oid = rec->object_oid;
	row->decision = it->decision;
	row->chain_domain = row->str[TSOV_F_OBJECT_DOMAIN] ? row->str[TSOV_F_OBJECT_DOMAIN] : "";
	row->chain_origin = tsov_audit_writer_origin();
	row->quarantine = it->note.len > 0 ? it->note.data : NULL;
	return it->note.len > 0;
}

/*
 * The chain heads: one row of tec_sovereignty.audit_chain per chain,
 * updated (inserted for a new chain) in the batch's transaction, so that
 * a head is committed with its rows or not at all.  Written with direct
 * heap access, as the rows are: an INSERT ... ON CONFLICT DO UPDATE
 * through SPI cost some 60,000 instructions per batch and head, as much as
 * writing two rows, and a writing load makes a batch per commit.  An in-place update would be cheaper still, but it is not
 * transactional: a crash or an abort after it would leave a head ahead of
 * its rows, which verify reports as a cut chain.
 */
typedef struct HeadSave
{
	Relation	rel;			/* tec_sovereignty.audit_chain */
	Oid			pkey;			/* its primary key (chain_domain, chain_origin) */
	bool		heap;			/* a heap table (it is, unless someone changed it) */
	ResultRelInfo *rri;
	EState	   *estate;
	TupleTableSlot *slot;
} HeadSave;

/* the columns of audit_chain (audit.sql), in table order */
#define CHAIN_NATTS 5
static const Oid chain_types[CHAIN_NATTS] = {TEXTOID, TEXTOID, INT8OID, BYTEAOID, INT8OID};

/* Is text datum d the string s (a plain, uncompressed value only)? */
static bool
text_is(Datum d, const char *s)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
		return false;
	return VARSIZE_ANY_EXHDR(v) == strlen(s) && memcmp(VARDATA_ANY(v), s, strlen(s)) == 0;
}

/*
 * Is the row this process last wrote for head still its visible head row?
 * Then *otid is where it is.  A fetch and a key check instead of an index
 * scan (some 14,000 instructions a batch).  The place is right unless the
 * table was rewritten (VACUUM FULL, a recreated extension: a new
 * relfilenode) or the row was changed by someone else (the trail guard
 * lets no one, but the key is checked anyway); then the index is asked.
 * (Had someone else deleted the row and VACUUM cut its page off, the
 * fetch would fail the batch: closed, not wrong.)
 */
static bool
head_at_place(HeadSave *hs, const TsovChainHeadRow *head, ItemPointer otid)
{
	HeapTupleData tuple;
	Buffer		buf;
	bool		isnull1,
				isnull2;
	bool		ok;
	Datum		d1,
				d2;

	if (!hs->heap || head->place->relfilenode != hs->rel->rd_node.relNode)
		return false;
	tuple.t_self = head->place->tid;
	if (!heap_fetch(hs->rel, GetActiveSnapshot(), &tuple, &buf, false))
		return false;
	d1 = heap_getattr(&tuple, 1, RelationGetDescr(hs->rel), &isnull1);
	d2 = heap_getattr(&tuple, 2, RelationGetDescr(hs->rel), &isnull2);
	ok = !isnull1 && !isnull2 && text_is(d1, head->domain) && text_is(d2, head->origin);
	ReleaseBuffer(buf);
	if (ok)
		*otid = tuple.t_self;
	return ok;
}

static void
save_head(const TsovChainHeadRow *head, void *arg)
{
	HeadSave   *hs = arg;
	TupleTableSlot *slot = hs->slot;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	old;
	ItemPointerData otid;
	bool		found;
	bool		update_indexes = true;
	union
	{
		bytea		b;
		char		data[VARHDRSZ + TSOV_HASH_LEN];
	}			hash;

	/*
	 * The current head: where this process wrote it last, or else the
	 * unique key, through its index.
	 */
	ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(head->domain));
	ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_TEXTEQ, CStringGetTextDatum(head->origin));
	key[0].sk_collation = key[1].sk_collation = DEFAULT_COLLATION_OID;
	found = head_at_place(hs, head, &otid);
	if (!found)
	{
		scan = systable_beginscan(hs->rel, hs->pkey, true, GetActiveSnapshot(), 2, key);
		old = systable_getnext(scan);
		found = HeapTupleIsValid(old);
		if (found)
			otid = old->t_self;
		systable_endscan(scan);
	}

	SET_VARSIZE(&hash.b, VARHDRSZ + TSOV_HASH_LEN);
	memcpy(VARDATA(&hash.b), head->hash, TSOV_HASH_LEN);
	ExecClearTuple(slot);
	memset(slot->tts_isnull, 0, sizeof(bool) * CHAIN_NATTS);
	slot->tts_values[0] = key[0].sk_argument;
	slot->tts_values[1] = key[1].sk_argument;
	slot->tts_values[2] = Int64GetDatum(head->seq);
	slot->tts_values[3] = PointerGetDatum(&hash.b);
	slot->tts_values[4] = Int64GetDatum(head->last_log_seq);
	ExecStoreVirtualTuple(slot);

	/*
	 * Only this writer writes its origin's heads, so the row cannot change
	 * under us; if it did anyway, simple_table_tuple_update fails the batch
	 * (retried with the heads reloaded), as a failed unique check would.
	 */
	if (found)
		simple_table_tuple_update(hs->rel, &otid, slot, GetActiveSnapshot(), &update_indexes);
	else
		simple_table_tuple_insert(hs->rel, slot);
	/*
	 * A HOT update (the usual case, fillfactor 10) needs no index entry,
	 * so the indexes are opened only when one is needed.
	 */
	if (update_indexes)
	{
		if (hs->rri == NULL)
		{
			hs->rri = makeNode(ResultRelInfo);
			InitResultRelInfo(hs->rri, hs->rel, 1, NULL, 0);
			ExecOpenIndices(hs->rri, false);
		}
		/*
		 * update = false: the hint that the key is unchanged (for
		 * bottom-up index deletion) needs a range table, which this
		 * EState has not; the entry made is the same.
		 */
		if (hs->rri->ri_NumIndices > 0)
			list_free(ExecInsertIndexTuples(hs->rri, slot, hs->estate, false, false, NULL, NIL));
	}
	head->place->relfilenode = hs->rel->rd_node.relNode;
	head->place->tid = slot->tts_tid;
	ExecClearTuple(slot);
}

/* Save the heads the batch advanced, next to audit_log (rel). */
static void
save_heads(Relation rel, EState *estate)
{
	HeadSave	hs;
	Oid			relid = get_relname_relid("audit_chain", RelationGetNamespace(rel));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.audit_chain\" does not exist",
						get_namespace_name(RelationGetNamespace(rel))),
				 errdetail("The audit writer keeps the head of every hash chain in it."),
				 errhint("Reinstall the extension tec_sovereignty.")));
	hs.rel = table_open(relid, RowExclusiveLock);
	if (RelationGetDescr(hs.rel)->natts != CHAIN_NATTS)
		elog(ERROR, "tec_sovereignty.audit_chain has %d columns, expected %d",
			 RelationGetDescr(hs.rel)->natts, CHAIN_NATTS);
	for (int i = 0; i < CHAIN_NATTS; i++)
		if (TupleDescAttr(RelationGetDescr(hs.rel), i)->atttypid != chain_types[i])
			elog(ERROR, "column %d of tec_sovereignty.audit_chain has type %s, expected %s",
				 i + 1, format_type_be(TupleDescAttr(RelationGetDescr(hs.rel), i)->atttypid),
				 format_type_be(chain_types[i]));
	hs.pkey = RelationGetPrimaryKeyIndex(hs.rel);
	if (!OidIsValid(hs.pkey))
		elog(ERROR, "tec_sovereignty.audit_chain has no primary key");
	hs.heap = (hs.rel->rd_rel->relam == HEAP_TABLE_AM_OID);
	hs.estate = estate;
	hs.rri = NULL;				/* opened by save_head when needed */
	hs.slot = MakeSingleTupleTableSlot(RelationGetDescr(hs.rel), &TTSOpsVirtual);

	tsov_chain_heads_dirty(save_head, &hs);

	ExecDropSingleTupleTableSlot(hs.slot);
	if (hs.rri != NULL)
		ExecCloseIndices(hs.rri);
	table_close(hs.rel, NoLock);
}

/*
 * From how many rows a batch is inserted with a bulk-write buffer ring
 * (BulkInsertState), so that a flood of events does not push the rest of
 * the database out of shared buffers.  Below it the ring is not worth
 * its set-up (some 9,000 instructions: its buffer array is allocated and
 * zeroed each time), which the small batches of a writing load (one
 * commit's few rows each) paid on every batch.
 */
#define TSOV_BULK_MIN 256

/*
 * Write records[0..n) in the current transaction.  level and why apply to
 * a batch of one record that failed before (the failure model, writer.c).
 * Returns the number of rows written as quarantined.
 *
 * Memory: see the header.  The slots hold pointers into the batch context
 * until table_multi_insert and the index insertions are done.
 */
int
tsov_audit_write_batch(Relation rel, TsovAuditRecord **recs, int n,
					   WriteLevel level, const char *why)
{
	MemoryContext batchcxt = CurrentMemoryContext;
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bis = n >= TSOV_BULK_MIN ? GetBulkInsertState() : NULL;
	CommandId	cid = GetCurrentCommandId(true);
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot **slots = batch_slots(rel);
	BatchItem  *items = palloc(sizeof(BatchItem) * n);
	int			nquarantined = 0;

	Assert(n > 0 && n <= TSOV_BATCH_MAX);
	Assert(level == TSOV_WRITE_NORMAL || n == 1);
	Assert(desc->natts == tsov_audit_ncolumns);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);

	for (int i = 0; i < n; i++)
		unpack_record(&items[i], recs[i]);
	resolve_hook_events(items, n, batchcxt);
	Assert(CurrentMemoryContext == batchcxt);
	tsov_audit_writer_state("writing");

	for (int i = 0; i < n; i++)
	{
		TupleTableSlot *slot = slots[i];
		TsovAuditRow row;
		uint8	   *prev = palloc(TSOV_HASH_LEN);
		uint8	   *hash = palloc(TSOV_HASH_LEN);

		if (item_row(&items[i], level, why, &row))
			nquarantined++;
		tsov_chain_append(&row, prev, hash);

		ExecClearTuple(slot);
		for (int c = 0; c < desc->natts; c++)
			slot->tts_values[c] = tsov_audit_row_datum(&row, c, &slot->tts_isnull[c]);
		ExecStoreVirtualTuple(slot);
	}

	table_multi_insert(rel, slots, n, cid, 0, bis);
	for (int i = 0; i < n; i++)
	{
		if (rri->ri_NumIndices > 0)
		{
			List	   *r = ExecInsertIndexTuples(rri, slots[i], estate, false, false, NULL, NIL);

			list_free(r);
		}
		ExecClearTuple(slots[i]);
	}
	save_heads(rel, estate);
	if (bis != NULL)
		FreeBulkInsertState(bis);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	return nquarantined;
}
