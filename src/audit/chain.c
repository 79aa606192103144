/*-------------------------------------------------------------------------
 *
 * chain.c
 *	  THE column table of an audit row, the hash chain over it, the origin
 *	  of a chain, and the chain heads the writer appends to.
 *
 * The column table.  audit_columns below lists the columns of
 * tec_sovereignty.audit_log in table order: name, type, where the value
 * comes from (a string field of the queue record, TSOV_F_*, or one of the
 * row's own facts: seq, chain position, hashes ...), where it sits in the
 * canonical encoding the row hash covers, and, for the string fields of a
 * record, what the backend's serializer takes and how many bytes it keeps.
 * The writer forms its tuples from it (tsov_audit_row_datum), verify and
 * import read and name the columns from it (tsov_audit_row_from_values,
 * tsov_audit_column_list), the serializer (record.c) fills a record from
 * it, and the writer checks it against the table's actual TupleDesc once
 * per batch (tsov_audit_check_columns).  Adding a column is one entry here
 * plus the column in audit.sql (a new string field of the record also
 * needs its TSOV_F_* name in internal.h).
 *
 * The hash.  Each row's hash is SHA-256 (OpenSSL's EVP, see row_hasher) over a
 * canonical binary encoding, independent of DateStyle, TimeZone,
 * bytea_output and the like (format v2): logged_at big-endian in 8 bytes,
 * the other integers as unsigned LEB128 varints, strings as the varint of
 * their length plus one and their bytes (0 for NULL, so NULL is distinct
 * from empty), the previous row's hash as its 32 bytes.  A version tag
 * comes first, then the columns in the order of their hash ordinal, then,
 * for each column hashed "only when set" (quarantine), its name and value
 * when the value is not NULL: so a column added that way leaves the hash
 * of every older row as it was.  The local, gapless seq is deliberately
 * not hashed, so a domain's rows verify wherever they are restored or
 * imported.  Format v2 is v1 (8-byte integers and length prefixes, NULL as
 * eight 0xff bytes) made short: SHA-256 costs per 64-byte block, and a
 * read's row took 6 blocks in v1, 4 in v2 (the writer hashes every row).
 *
 * The chain.  Rows belong to the chain of their object's domain ('' for
 * events outside any domain) and of their origin, the writer that made
 * them: "<system identifier>/<database oid>" (tsov_audit_origin).  The
 * last row of every chain is kept in tec_sovereignty.audit_chain,
 * committed with the rows, so that a removed tail is detected too.  Only
 * the writer of a database appends to its origin's chains, so a chain can
 * never fork.
 *
 * Memory.  The chain heads are a hash table in TopMemoryContext of the
 * writer process; they are loaded (SPI) at the first batch, advanced by
 * each row, saved in the batch's transaction (by batch.c, with direct heap
 * access: tsov_chain_heads_dirty), and dropped to be reloaded
 * whenever that transaction aborts (tsov_chain_heads_forget).  Everything
 * else here allocates in the caller's CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/audit/chain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include <openssl/evp.h>

#include "audit/internal.h"

#define EV(member)	offsetof(TsovAuditEvent, member)
#define SESSION		(-1)		/* a fact of the session, not of the event */

/*
 * The columns of tec_sovereignty.audit_log, in table order (audit.sql).
 * hash: the position in the encoding (1, 2, ...), TSOV_HASH_NONE, or
 * TSOV_HASH_IF_SET.  For TSOV_COL_FIELD: the record's field, where the
 * serializer takes it (an offset in TsovAuditEvent, or SESSION) and the
 * bytes it keeps.
 */
static const TsovAuditColumn audit_columns[] = {
	{"seq", INT8OID, TSOV_COL_SEQ, -1, TSOV_HASH_NONE},
	{"logged_at", TIMESTAMPTZOID, TSOV_COL_LOGGED_AT, -1, 5},
	{"xid", XID8OID, TSOV_COL_XID, -1, 6},
	{"pid", INT4OID, TSOV_COL_PID, -1, 7},
	{"session_user_name", TEXTOID, TSOV_COL_FIELD, TSOV_F_SESSION_USER, 20, SESSION, NAMEDATALEN},
	{"effective_user_name", TEXTOID, TSOV_COL_FIELD, TSOV_F_EFFECTIVE_USER, 21, SESSION, NAMEDATALEN},
	{"actor_domain", TEXTOID, TSOV_COL_FIELD, TSOV_F_ACTOR_DOMAIN, 11, EV(actor_domain), NAMEDATALEN},
	{"object_domain", TEXTOID, TSOV_COL_FIELD, TSOV_F_OBJECT_DOMAIN, 12, EV(object_domain), NAMEDATALEN},
	{"object_schema", TEXTOID, TSOV_COL_FIELD, TSOV_F_OBJECT_SCHEMA, 13, EV(object_schema), NAMEDATALEN},
	{"object_name", TEXTOID, TSOV_COL_FIELD, TSOV_F_OBJECT_NAME, 14, EV(object_name), 1024},
	{"object_oid", OIDOID, TSOV_COL_OBJECT_OID, -1, 8},
	{"action", TEXTOID, TSOV_COL_FIELD, TSOV_F_ACTION, 10, EV(action), 200},
	{"decision", TEXTOID, TSOV_COL_DECISION, -1, 9},
	{"reason", TEXTOID, TSOV_COL_FIELD, TSOV_F_REASON, 15, EV(reason), 4000},
	{"via_api", TEXTOID, TSOV_COL_FIELD, TSOV_F_VIA_API, 16, EV(via_api), 1024},
	{"client_addr", TEXTOID, TSOV_COL_FIELD, TSOV_F_CLIENT_ADDR, 17, SESSION, 256},
	{"application_name", TEXTOID, TSOV_COL_FIELD, TSOV_F_APPLICATION_NAME, 18, SESSION, NAMEDATALEN},
	{"statement", TEXTOID, TSOV_COL_FIELD, TSOV_F_STATEMENT, 19, SESSION, 60000},
	{"chain_domain", TEXTOID, TSOV_COL_CHAIN_DOMAIN, -1, 1},
	{"chain_origin", TEXTOID, TSOV_COL_CHAIN_ORIGIN, -1, 2},
	{"chain_seq", INT8OID, TSOV_COL_CHAIN_SEQ, -1, 3},
	{"prev_hash", BYTEAOID, TSOV_COL_PREV_HASH, -1, 4},
	{"row_hash", BYTEAOID, TSOV_COL_ROW_HASH, -1, TSOV_HASH_NONE},
	{"quarantine", TEXTOID, TSOV_COL_QUARANTINE, -1, TSOV_HASH_IF_SET},
};

const int	tsov_audit_ncolumns = lengthof(audit_columns);

/* Derived once from the table: column of each field, hash order. */
static const TsovAuditColumn *field_column[TSOV_NFIELDS];
static const TsovAuditColumn *hash_order[lengthof(audit_columns)];
static int	nhash = 0;
static bool derived = false;

/*
 * Build the indexes above, checking the table: every field of a record
 * has exactly one column, the hash ordinals are 1..n without a gap.
 */
static void
derive(void)
{
	if (derived)
		return;
	for (int i = 0; i < lengthof(audit_columns); i++)
	{
		const TsovAuditColumn *c = &audit_columns[i];

		Assert((c->source == TSOV_COL_FIELD) == (c->field >= 0));
		if (c->source == TSOV_COL_FIELD)
		{
			Assert(c->field < TSOV_NFIELDS && field_column[c->field] == NULL);
			Assert(c->max > 0);
			field_column[c->field] = c;
		}
		if (c->hash > 0)
		{
			Assert(c->hash <= lengthof(audit_columns) && hash_order[c->hash - 1] == NULL);
			hash_order[c->hash - 1] = c;
			nhash++;
		}
	}
#ifdef USE_ASSERT_CHECKING
	for (int f = 0; f < TSOV_NFIELDS; f++)
		Assert(field_column[f] != NULL);
	for (int h = 0; h < nhash; h++)
		Assert(hash_order[h] != NULL);
#endif
	derived = true;
}

const TsovAuditColumn *
tsov_audit_column(int i)
{
	Assert(i >= 0 && i < lengthof(audit_columns));
	return &audit_columns[i];
}

const TsovAuditColumn *
tsov_audit_field_column(int field)
{
	derive();
	Assert(field >= 0 && field < TSOV_NFIELDS);
	return field_column[field];
}

/*
 * The column names in table order, comma-separated, each prefixed by
 * prefix (e.g. "l."); the seq column is replaced by seq_expr when given.
 */
char *
tsov_audit_column_list(const char *prefix, const char *seq_expr)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < lengthof(audit_columns); i++)
	{
		const TsovAuditColumn *c = &audit_columns[i];

		if (i > 0)
			appendStringInfoString(&s, ", ");
		if (c->source == TSOV_COL_SEQ && seq_expr != NULL)
			appendStringInfoString(&s, seq_expr);
		else
			appendStringInfo(&s, "%s%s", prefix, c->name);
	}
	return s.data;
}

/* Does the audit table have the columns of the table above? */
void
tsov_audit_check_columns(TupleDesc d)
{
	if (d->natts != lengthof(audit_columns))
		elog(ERROR, "tec_sovereignty.audit_log has %d columns, expected %d",
			 d->natts, (int) lengthof(audit_columns));
	for (int i = 0; i < lengthof(audit_columns); i++)
	{
		Form_pg_attribute a = TupleDescAttr(d, i);

		if (strcmp(NameStr(a->attname), audit_columns[i].name) != 0)
			elog(ERROR, "column %d of tec_sovereignty.audit_log is \"%s\", expected \"%s\"",
				 i + 1, NameStr(a->attname), audit_columns[i].name);
		if (a->atttypid != audit_columns[i].type)
			elog(ERROR, "column \"%s\" of tec_sovereignty.audit_log has type %s, expected %s",
				 audit_columns[i].name, format_type_be(a->atttypid),
				 format_type_be(audit_columns[i].type));
	}
}

/* ---- one value of a row, by column ---- */

/* Where a row keeps the text of a text column. */
static const char **
row_text_slot(TsovAuditRow *row, const TsovAuditColumn *c)
{
	switch (c->source)
	{
		case TSOV_COL_FIELD:
			return &row->str[c->field];
		case TSOV_COL_DECISION:
			return &row->decision;
		case TSOV_COL_CHAIN_DOMAIN:
			return &row->chain_domain;
		case TSOV_COL_CHAIN_ORIGIN:
			return &row->chain_origin;
		case TSOV_COL_QUARANTINE:
			return &row->quarantine;
		default:
			elog(ERROR, "audit column \"%s\" is not text", c->name);
	}
	return NULL;					/* keep the compiler quiet */
}

/* The text of a text column (NULL: SQL NULL). */
static const char *
row_text(const TsovAuditRow *row, const TsovAuditColumn *c)
{
	return *row_text_slot(unconstify(TsovAuditRow *, row), c);
}

static bytea *
hash_bytea(const uint8 *h)
{
	bytea	   *b = palloc(VARHDRSZ + TSOV_HASH_LEN);

	SET_VARSIZE(b, VARHDRSZ + TSOV_HASH_LEN);
	memcpy(VARDATA(b), h, TSOV_HASH_LEN);
	return b;
}

/* The value of column i of row, for a tuple (allocated in CurrentMemoryContext). */
Datum
tsov_audit_row_datum(const TsovAuditRow *row, int i, bool *isnull)
{
	const TsovAuditColumn *c = tsov_audit_column(i);

	*isnull = false;
	switch (c->source)
	{
		case TSOV_COL_SEQ:
			return Int64GetDatum(row->seq);
		case TSOV_COL_LOGGED_AT:
			return TimestampTzGetDatum(row->logged_at);
		case TSOV_COL_XID:
			*isnull = (row->fxid == 0);
			return FullTransactionIdGetDatum(FullTransactionIdFromU64(row->fxid));
		case TSOV_COL_PID:
			return Int32GetDatum(row->pid);
		case TSOV_COL_OBJECT_OID:
			*isnull = !OidIsValid(row->object_oid);
			return ObjectIdGetDatum(row->object_oid);
		case TSOV_COL_CHAIN_SEQ:
			return Int64GetDatum(row->chain_seq);
		case TSOV_COL_PREV_HASH:
			return PointerGetDatum(hash_bytea(row->prev_hash));
		case TSOV_COL_ROW_HASH:
			return PointerGetDatum(hash_bytea(row->row_hash));
		default:
			{
				const char *s = row_text(row, c);

				*isnull = (s == NULL);
				return s ? CStringGetTextDatum(s) : (Datum) 0;
			}
	}
}

/* A stored hash into out; false when NULL or not TSOV_HASH_LEN bytes. */
static bool
hash_from_datum(Datum v, bool isnull, uint8 *out)
{
	bytea	   *b;

	if (isnull)
		return false;
	b = DatumGetByteaPP(v);
	if (VARSIZE_ANY_EXHDR(b) != TSOV_HASH_LEN)
		return false;
	memcpy(out, VARDATA_ANY(b), TSOV_HASH_LEN);
	return true;
}

/* The same for column col (from 1) of a tuple. */
bool
tsov_audit_get_hash(HeapTuple t, TupleDesc d, int col, uint8 *out)
{
	bool		isnull;
	Datum		v = SPI_getbinval(t, d, col, &isnull);

	return hash_from_datum(v, isnull, out);
}

char *
tsov_audit_get_text(HeapTuple t, TupleDesc d, int col)
{
	bool		isnull;
	Datum		v = SPI_getbinval(t, d, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(v);
}

/*
 * Read a row from its deformed values, in the columns of
 * tsov_audit_column_list("", NULL) (values[i] is column i of the table).
 * prev_hash and row_hash point into row's own buffers, or are NULL when the
 * stored value is NULL or malformed.  Strings are allocated in
 * CurrentMemoryContext.
 */
void
tsov_audit_row_from_values(const Datum *values, const bool *isnull, TsovAuditRow *row)
{
	memset(row, 0, sizeof(*row));
	for (int i = 0; i < lengthof(audit_columns); i++)
	{
		const TsovAuditColumn *c = &audit_columns[i];
		Datum		v = values[i];
		bool		null = isnull[i];

		switch (c->source)
		{
			case TSOV_COL_PREV_HASH:
				row->prev_hash = hash_from_datum(v, null, row->prev_buf) ? row->prev_buf : NULL;
				break;
			case TSOV_COL_ROW_HASH:
				row->row_hash = hash_from_datum(v, null, row->hash_buf) ? row->hash_buf : NULL;
				break;
			case TSOV_COL_FIELD:
			case TSOV_COL_DECISION:
			case TSOV_COL_CHAIN_DOMAIN:
			case TSOV_COL_CHAIN_ORIGIN:
			case TSOV_COL_QUARANTINE:
				*row_text_slot(row, c) = null ? NULL : TextDatumGetCString(v);
				break;
			case TSOV_COL_SEQ:
				row->seq = null ? 0 : DatumGetInt64(v);
				break;
			case TSOV_COL_LOGGED_AT:
				row->logged_at = null ? 0 : DatumGetTimestampTz(v);
				break;
			case TSOV_COL_XID:
				row->fxid = null ? 0 : U64FromFullTransactionId(DatumGetFullTransactionId(v));
				break;
			case TSOV_COL_PID:
				row->pid = null ? 0 : DatumGetInt32(v);
				break;
			case TSOV_COL_OBJECT_OID:
				row->object_oid = null ? InvalidOid : DatumGetObjectId(v);
				break;
			case TSOV_COL_CHAIN_SEQ:
				row->chain_seq = null ? 0 : DatumGetInt64(v);
				break;
		}
	}
}

/* ---- the hash ---- */

/*
 * The canonical encoding of a row is gathered into one buffer and hashed
 * with as few pg_cryptohash_update() calls as its size allows: the writer
 * hashes every row it writes, and an update call per 8-byte integer and
 * per string (some forty per row, each through OpenSSL's EVP layer) cost
 * more than the SHA-256 compression itself.  The bytes hashed are exactly
 * those of one call per item, so every stored hash stays valid.  A value
 * larger than the buffer (a long statement) is hashed in place after the
 * buffer is flushed.
 */
#define HASHBUF_SIZE 2048

/*
 * The row hash uses one EVP context and one explicitly fetched SHA-256
 * implementation for the life of the process, not pg_cryptohash: with
 * OpenSSL 3, pg_cryptohash_init() passes EVP_sha256(), a legacy method
 * that EVP_DigestInit_ex() fetches from the provider store again on every
 * call, and that fetch cost as much as hashing a whole row.  A fetched
 * EVP_MD given to EVP_DigestInit_ex2() is reused as is.  Both objects are
 * allocated by OpenSSL once and kept: nothing to free on error, and every
 * hash starts with an init, so an error in the middle of one leaves
 * nothing behind for the next.  The bytes hashed are unchanged.
 */
static EVP_MD *row_md = NULL;
static EVP_MD_CTX *row_evp = NULL;

static void
sha256_failed(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not %s SHA-256 of an audit row", what),
			 errdetail("OpenSSL's EVP digest interface failed."),
			 errhint("Check the OpenSSL installation the server uses.")));
}

static EVP_MD_CTX *
row_hasher(void)
{
	if (row_md == NULL && (row_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		sha256_failed("initialize");
	if (row_evp == NULL && (row_evp = EVP_MD_CTX_new()) == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (EVP_DigestInit_ex2(row_evp, row_md, NULL) != 1)
		sha256_failed("initialize");
	return row_evp;
}

typedef struct HashBuf
{
	pg_cryptohash_ctx *ctx;		/* either this (tsov_audit_hash_str) */
	EVP_MD_CTX *evp;			/* or this (tsov_audit_hash_row) */
	int			len;
	uint8		data[HASHBUF_SIZE];
} HashBuf;

static void
hashbuf_update(HashBuf *hb, const uint8 *p, size_t n)
{
	if (hb->evp != NULL)
	{
		if (EVP_DigestUpdate(hb->evp, p, n) != 1)
			sha256_failed("compute");
	}
	else if (pg_cryptohash_update(hb->ctx, p, n) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(hb->ctx));
}

static void
hashbuf_flush(HashBuf *hb)
{
	if (hb->len > 0)
		hashbuf_update(hb, hb->data, hb->len);
	hb->len = 0;
}

static void
hashbuf_bytes(HashBuf *hb, const uint8 *p, size_t n)
{
	if (hb->len + n > HASHBUF_SIZE)
	{
		hashbuf_flush(hb);
		if (n > HASHBUF_SIZE)
		{
			hashbuf_update(hb, p, n);
			return;
		}
	}
	memcpy(hb->data + hb->len, p, n);
	hb->len += n;
	Assert(hb->len <= HASHBUF_SIZE);
}

/* an integer, big-endian in 8 bytes */
static inline void
hashbuf_u64(HashBuf *hb, uint64 v)
{
	uint8	   *b;

	if (hb->len + 8 > HASHBUF_SIZE)
		hashbuf_flush(hb);
	b = hb->data + hb->len;
	for (int i = 7; i >= 0; i--)
	{
		b[i] = v & 0xff;
		v >>= 8;
	}
	hb->len += 8;
}

/* an unsigned integer as LEB128: 7 bits a byte, lowest first, 0x80 = more */
static inline void
hashbuf_varint(HashBuf *hb, uint64 v)
{
	if (hb->len + 10 > HASHBUF_SIZE)
		hashbuf_flush(hb);
	do
	{
		uint8		b = v & 0x7f;

		v >>= 7;
		hb->data[hb->len++] = b | (v != 0 ? 0x80 : 0);
	} while (v != 0);
}

/* a string of format v2: the varint of its length + 1 (0: NULL), its bytes */
static inline void
hashbuf_str2(HashBuf *hb, const char *s)
{
	if (s == NULL)
		hashbuf_varint(hb, 0);
	else
	{
		size_t		len = strlen(s);

		hashbuf_varint(hb, (uint64) len + 1);
		hashbuf_bytes(hb, (const uint8 *) s, len);
	}
}

/*
 * a string, length-prefixed in 8 bytes, NULL distinct from empty: the form
 * of the digest of withheld text (tsov_audit_hash_str), as in row format v1
 */
static inline void
hashbuf_str(HashBuf *hb, const char *s)
{
	if (s == NULL)
		hashbuf_u64(hb, UINT64CONST(0xFFFFFFFFFFFFFFFF));
	else
	{
		size_t		len = strlen(s);

		hashbuf_u64(hb, len);
		hashbuf_bytes(hb, (const uint8 *) s, len);
	}
}

/* A string in the canonical encoding, straight into ctx (batch.c). */
void
tsov_audit_hash_str(pg_cryptohash_ctx *ctx, const char *s)
{
	HashBuf		hb;

	hb.ctx = ctx;
	hb.evp = NULL;
	hb.len = 0;
	hashbuf_str(&hb, s);
	hashbuf_flush(&hb);
}

/* One column's value in the canonical encoding (format v2). */
static void
hash_column(HashBuf *hb, const TsovAuditRow *row, const TsovAuditColumn *c)
{
	switch (c->source)
	{
		case TSOV_COL_SEQ:
			elog(ERROR, "seq is not hashed");
			break;
		case TSOV_COL_LOGGED_AT:
			hashbuf_u64(hb, (uint64) row->logged_at);
			break;
		case TSOV_COL_XID:
			hashbuf_varint(hb, row->fxid);
			break;
		case TSOV_COL_PID:
			hashbuf_varint(hb, (uint64) (uint32) row->pid);
			break;
		case TSOV_COL_OBJECT_OID:
			hashbuf_varint(hb, (uint64) row->object_oid);
			break;
		case TSOV_COL_CHAIN_SEQ:
			hashbuf_varint(hb, (uint64) row->chain_seq);
			break;
		case TSOV_COL_PREV_HASH:
			hashbuf_bytes(hb, row->prev_hash, TSOV_HASH_LEN);
			break;
		case TSOV_COL_ROW_HASH:
			elog(ERROR, "row_hash cannot cover itself");
			break;
		default:
			hashbuf_str2(hb, row_text(row, c));
			break;
	}
}

/*
 * SHA-256 of a row's canonical content (see the header).  Version tag
 * first, so that a future format can coexist.
 */
void
tsov_audit_hash_row(const TsovAuditRow *row, uint8 *out)
{
	static const char tag[] = "tsov audit v2";
	HashBuf		hb;
	unsigned int outlen = 0;

	derive();
	Assert(row->prev_hash != NULL);
	hb.ctx = NULL;
	hb.evp = row_hasher();
	hb.len = 0;
	hashbuf_bytes(&hb, (const uint8 *) tag, sizeof(tag));
	for (int h = 0; h < nhash; h++)
		hash_column(&hb, row, hash_order[h]);

	/*
	 * A column hashed only when set (the quarantine marker: it can be
	 * neither removed nor forged) is covered by its name, NUL included, and
	 * its value; the hash of every row where it is NULL (and of every row
	 * written before the column existed) is unchanged.
	 */
	for (int i = 0; i < lengthof(audit_columns); i++)
	{
		const TsovAuditColumn *c = &audit_columns[i];
		const char *v;

		if (c->hash != TSOV_HASH_IF_SET || (v = row_text(row, c)) == NULL)
			continue;
		hashbuf_bytes(&hb, (const uint8 *) c->name, strlen(c->name) + 1);
		hashbuf_str2(&hb, v);
	}
	hashbuf_flush(&hb);
	if (EVP_DigestFinal_ex(hb.evp, out, &outlen) != 1 || outlen != TSOV_HASH_LEN)
		sha256_failed("compute");
}

/* A SHA-256 context owned by the current resource owner. */
pg_cryptohash_ctx *
tsov_audit_sha256(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	return ctx;
}

/* "<system identifier>/<database oid>": this database's chains. */
void
tsov_audit_origin(char *buf, Size len)
{
	snprintf(buf, len, UINT64_FORMAT "/%u", GetSystemIdentifier(), MyDatabaseId);
}

/* ---- chain heads (the writer process only) ---- */

typedef struct ChainHead
{
	char		domain[NAMEDATALEN];	/* hash key */
	int64		seq;
	uint8		hash[TSOV_HASH_LEN];
	bool		dirty;
	TsovHeadPlace place;		/* where batch.c last wrote its row */
} ChainHead;

static HTAB *heads = NULL;
static int64 next_seq = 0;
static char head_origin[64];

bool
tsov_chain_heads_loaded(void)
{
	return heads != NULL;
}

/*
 * Load the heads of origin's chains and the next local seq number.  Runs
 * with SPI connected, in the writer's transaction.
 */
void
tsov_chain_heads_load(const char *origin)
{
	HASHCTL		ctl;
	Datum		arg[1];
	Oid			argtypes[1] = {TEXTOID};
	bool		isnull;
	int64		maxlog;

	Assert(heads == NULL);
	strlcpy(head_origin, origin, sizeof(head_origin));
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(ChainHead);
	heads = hash_create("tec_sovereignty chain heads", 64, &ctl, HASH_ELEM | HASH_STRINGS);

	arg[0] = CStringGetTextDatum(origin);
	if (SPI_execute_with_args("SELECT chain_domain, last_seq, last_hash FROM tec_sovereignty.audit_chain"
							  " WHERE chain_origin OPERATOR(pg_catalog.=) $1",
							  1, argtypes, arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the audit chain heads");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *dom = TextDatumGetCString(SPI_getbinval(t, d, 1, &isnull));
		ChainHead  *h;

		h = hash_search(heads, dom, HASH_ENTER, NULL);
		h->seq = DatumGetInt64(SPI_getbinval(t, d, 2, &isnull));
		if (!tsov_audit_get_hash(t, d, 3, h->hash))
			elog(ERROR, "audit chain head of domain \"%s\" has a malformed hash", dom);
		h->dirty = false;
		h->place.relfilenode = InvalidOid;
	}

	if (SPI_execute("SELECT pg_catalog.max(x) FROM ("
					" SELECT pg_catalog.max(seq) FROM tec_sovereignty.audit_log"
					" UNION ALL SELECT pg_catalog.max(last_log_seq) FROM tec_sovereignty.audit_chain) s(x)",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the last audit sequence number");
	maxlog = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	next_seq = isnull ? 1 : maxlog + 1;
}

/* After an aborted batch: the heads advanced by rows that were not written. */
void
tsov_chain_heads_forget(void)
{
	if (heads != NULL)
	{
		hash_destroy(heads);
		heads = NULL;
	}
}

/*
 * Append row to its chain (row->chain_domain): set its local seq, its
 * chain position and prev_hash (pointing to prev, TSOV_HASH_LEN bytes the
 * caller owns), compute its hash into hash and make it the chain's head.
 * The heads are reloaded from the table if the transaction aborts.
 */
void
tsov_chain_append(TsovAuditRow *row, uint8 *prev, uint8 *hash)
{
	ChainHead  *h;
	bool		found;
	int64		last PG_USED_FOR_ASSERTS_ONLY;

	Assert(heads != NULL && next_seq > 0);
	h = hash_search(heads, row->chain_domain, HASH_ENTER, &found);
	if (!found)
	{
		h->seq = 0;
		memset(h->hash, 0, TSOV_HASH_LEN);
		h->place.relfilenode = InvalidOid;
	}
	last = h->seq;
	memcpy(prev, h->hash, TSOV_HASH_LEN);
	row->seq = next_seq++;
	row->chain_seq = h->seq + 1;
	row->prev_hash = prev;
	tsov_audit_hash_row(row, hash);
	row->row_hash = hash;
	h->seq = row->chain_seq;
	memcpy(h->hash, hash, TSOV_HASH_LEN);
	h->dirty = true;
	Assert(h->seq == last + 1);
}

/*
 * Hand each head the batch advanced to save (batch.c writes them into
 * tec_sovereignty.audit_chain in the batch's transaction, with the rows)
 * and mark it saved.  Marking before the write succeeds is safe: if the
 * transaction aborts, every head is forgotten and reloaded anyway.
 */
void
tsov_chain_heads_dirty(void (*save) (const TsovChainHeadRow *head, void *arg), void *arg)
{
	HASH_SEQ_STATUS st;
	ChainHead  *h;

	Assert(heads != NULL);
	hash_seq_init(&st, heads);
	while ((h = hash_seq_search(&st)) != NULL)
	{
		TsovChainHeadRow r;

		if (!h->dirty)
			continue;
		r.domain = h->domain;
		r.origin = head_origin;
		r.seq = h->seq;
		r.hash = h->hash;
		r.last_log_seq = next_seq - 1;
		r.place = &h->place;
		h->dirty = false;
		save(&r, arg);
	}
}
