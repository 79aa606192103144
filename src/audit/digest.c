/*-------------------------------------------------------------------------
 *
 * digest.c
 *	  Signed digests of the audit chains' heads, for keeping outside the
 *	  database: tec_audit_digest(), tec_audit_public_key(), the per-domain
 *	  Ed25519 keys, and the check of a digest given back (verify.c,
 *	  import.c).
 *
 * A hash chain alone cannot tell a removed tail whose head was rewritten
 * from a chain that simply ended there, and anyone can compute a
 * self-consistent chain.  A digest is the head of one chain (domain,
 * origin, position, hash, the head row's time), signed with Ed25519 by a
 * key the database holds only in a file, as one line of JSON meant to be
 * stored elsewhere.  Given back to tec_audit_verify(domain, digests), the
 * position and hash it names must still be on the chain.
 *
 * Keys.  tec_sovereignty.audit_signing_key names a file, readable by the
 * server's OS user only (owned by it, mode 0600 or stricter: anything else
 * is refused), whose lines are
 *	   signing <64 hex digits>			a master seed of 32 bytes
 *	   verify <domain> <64 hex digits>	a domain's Ed25519 public key
 * ('#' starts a comment; the domain "-" is '').  Each domain has its own key pair (the design's
 * isolated keys): its private key's seed is HMAC-SHA256(master seed,
 * "tec_sovereignty domain key v1" NUL domain), the domain '' standing for
 * the events outside any domain.  A digest names the key it was signed
 * with by its key id, the first 16 hex digits of the SHA-256 of the public
 * key; it verifies with the key pair of its domain derived from the master
 * seed or with a "verify" line of its domain, whichever has that key id.
 * So a domain sold with its history is checked by its buyer with that
 * domain's public key alone (tec_audit_public_key() prints the line to
 * give): the buyer holds no key that signs, for that domain or any other.
 * The key material never reaches SQL, a log or an error message: errors
 * name the file and the line number only.
 *
 * What is signed: the bytes of "tec_sovereignty digest v1" and a NUL, then
 * domain, origin, seq, the 32 bytes of the head hash, time, database,
 * system identifier, signed_at and key id, in the chain's encoding
 * (integers 8 bytes big-endian, times in microseconds since 2000-01-01
 * UTC, a missing time as eight 0xff bytes, strings as their length in 8
 * bytes then their bytes).
 *
 * Invariants (Assert): a digest names a chain position of at least 1, and
 * a signature is exactly 64 bytes.
 *
 * Memory: everything in CurrentMemoryContext (the function call's or SPI's
 * procedure context); key bytes are zeroed after use, OpenSSL objects are
 * freed before any error is raised.
 *
 * IDENTIFICATION
 *	  src/audit/digest.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "common/cryptohash.h"
#include "common/hmac.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "access/xlog.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "common/guc.h"
#include "audit/internal.h"

PG_FUNCTION_INFO_V1(tsov_audit_digest);
PG_FUNCTION_INFO_V1(tsov_audit_public_key);
PG_FUNCTION_INFO_V1(tsov_audit_head_digest);

#define ED25519_LEN 32
#define ED25519_SIG_LEN 64
#define KEYFILE_MAX 65536
#define DIGEST_FORMAT "tec_sovereignty digest v1"

/* The keys of one domain this server knows. */
typedef struct DomainKeys
{
	bool		configured;		/* a key file is named */
	bool		can_sign;		/* a master seed: seed below */
	uint8		seed[ED25519_LEN];
	uint8		pub[ED25519_LEN];	/* public key of seed */
	int			nverify;
	uint8		verify[16][ED25519_LEN];	/* "verify" lines of the domain */
} DomainKeys;

static void
keyfile_error(const char *msg, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CONFIG_FILE_ERROR),
			 errmsg("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 2n hex digits into n bytes; false when s is not exactly that. */
static bool
parse_hex(const char *s, int n, uint8 *out)
{
	if (strlen(s) != 2 * n)
		return false;
	for (int i = 0; i < n; i++)
	{
		int			hi = hexval(s[2 * i]),
					lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8) (hi * 16 + lo);
	}
	return true;
}

static bool
parse_hex32(const char *s, uint8 *out)
{
	return parse_hex(s, ED25519_LEN, out);
}

static char *
to_hex(const uint8 *p, int n)
{
	char	   *s = palloc(2 * n + 1);

	for (int i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	return s;
}

/* The Ed25519 public key of a seed. */
static void
public_of_seed(const uint8 *seed, uint8 *pub)
{
	EVP_PKEY   *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, ED25519_LEN);
	size_t		len = ED25519_LEN;
	bool		ok;

	ok = pk != NULL && EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 && len == ED25519_LEN;
	EVP_PKEY_free(pk);
	if (!ok)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("could not compute an Ed25519 public key")));
}

/* The seed of domain's key pair: HMAC-SHA256(master, tag NUL domain). */
static void
derive_seed(const uint8 *master, const char *domain, uint8 *seed)
{
	static const char tag[] = "tec_sovereignty domain key v1";
	pg_hmac_ctx *h = pg_hmac_create(PG_SHA256);
	bool		ok;

	ok = h != NULL &&
		pg_hmac_init(h, master, ED25519_LEN) == 0 &&
		pg_hmac_update(h, (const uint8 *) tag, sizeof(tag)) == 0 &&
		pg_hmac_update(h, (const uint8 *) domain, strlen(domain)) == 0 &&
		pg_hmac_final(h, seed, ED25519_LEN) == 0;
	pg_hmac_free(h);
	if (!ok)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("could not derive the audit key of domain \"%s\"", domain)));
}

/*
 * The key file's name as errors show it: its path to a superuser only,
 * since the setting is superuser-only (an auditor may call the functions).
 */
static const char *
shown_path(const char *path)
{
	return superuser() ? path : "named by tec_sovereignty.audit_signing_key";
}

/*
 * Read the key file: refused unless it is a regular file owned by the
 * server's OS user with no group or other permission bits.
 */
static char *
read_keyfile(const char *path)
{
	int			fd;
	struct stat st;
	char	   *buf;
	ssize_t		n;

	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open audit signing key file \"%s\": %m", shown_path(path)),
				 errhint("tec_sovereignty.audit_signing_key must name a file the server's OS user can read.")));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		(st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		char	   *detail = psprintf("Its mode is %04o and its owner's user id is %d; the server runs as user id %d.",
									  (unsigned) (st.st_mode & 07777), (int) st.st_uid, (int) geteuid());

		CloseTransientFile(fd);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("audit signing key file \"%s\" is readable by others than the server's OS user", shown_path(path)),
				 errdetail_internal("%s", detail),
				 errhint("Make it a regular file owned by the server's OS user with mode 0600 (chmod 0600, chown).")));
	}
	buf = palloc0(KEYFILE_MAX + 1);
	n = read(fd, buf, KEYFILE_MAX + 1);
	CloseTransientFile(fd);
	if (n < 0 || n > KEYFILE_MAX)
	{
		explicit_bzero(buf, KEYFILE_MAX + 1);
		keyfile_error(psprintf("could not read audit signing key file \"%s\"", shown_path(path)),
					  n < 0 ? "The read failed." : "The file is larger than 64 kB.", NULL);
	}
	return buf;
}

/*
 * The keys this server has for domain ('' outside any domain).  No key
 * file named: k->configured is false.  A malformed file is an error.
 */
static void
domain_keys(const char *domain, DomainKeys *k)
{
	const char *path = tsov_audit_signing_key;
	char	   *buf;
	char	   *line;
	char	   *save = NULL;
	int			lineno = 0;
	bool		have_master = false;
	uint8		master[ED25519_LEN];

	memset(k, 0, sizeof(*k));
	if (path == NULL || path[0] == '\0')
		return;
	k->configured = true;
	buf = read_keyfile(path);
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
	{
		char	   *w[4];
		int			nw = 0;
		char	   *tok,
				   *s2 = NULL;
		bool		bad = false;

		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		for (tok = strtok_r(line, " \t\r", &s2); tok != NULL && nw < 4; tok = strtok_r(NULL, " \t\r", &s2))
			w[nw++] = tok;
		if (nw == 0)
			continue;
		if (nw == 2 && strcmp(w[0], "signing") == 0 && !have_master)
		{
			bad = !parse_hex32(w[1], master);
			have_master = !bad;
		}
		else if (nw == 3 && strcmp(w[0], "verify") == 0)
		{
			/* "-" names the chain of events outside any domain */
			const char *d = strcmp(w[1], "-") == 0 ? "" : w[1];

			if (strcmp(d, domain) == 0)
				bad = k->nverify >= lengthof(k->verify) ||
					!parse_hex32(w[2], k->verify[k->nverify++]);
		}
		else
			bad = true;
		if (bad)
		{
			explicit_bzero(buf, KEYFILE_MAX + 1);
			explicit_bzero(master, sizeof(master));
			keyfile_error(psprintf("line %d of audit signing key file \"%s\" is malformed", lineno, shown_path(path)),
						  "Each line is \"signing <64 hex digits>\" (at most one) or \"verify <domain> <64 hex digits>\" (at most 16 per domain).",
						  NULL);
		}
	}
	explicit_bzero(buf, KEYFILE_MAX + 1);
	pfree(buf);
	if (have_master)
	{
		derive_seed(master, domain, k->seed);
		explicit_bzero(master, sizeof(master));
		public_of_seed(k->seed, k->pub);
		k->can_sign = true;
	}
}

/* Key id: the first 16 hex digits of SHA-256(public key). */
static char *
key_id(const uint8 *pub)
{
	pg_cryptohash_ctx *ctx = tsov_audit_sha256();
	uint8		h[TSOV_HASH_LEN];

	if (pg_cryptohash_init(ctx) < 0 || pg_cryptohash_update(ctx, pub, ED25519_LEN) < 0 ||
		pg_cryptohash_final(ctx, h, sizeof(h)) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	return to_hex(h, 8);
}

/* ---- the signed message ---- */

static void
msg_u64(StringInfo m, uint64 v)
{
	uint8		b[8];

	for (int i = 7; i >= 0; i--)
	{
		b[i] = v & 0xff;
		v >>= 8;
	}
	appendBinaryStringInfo(m, (char *) b, 8);
}

static void
msg_str(StringInfo m, const char *s)
{
	msg_u64(m, strlen(s));
	appendBinaryStringInfo(m, s, strlen(s));
}

static void
signed_message(StringInfo m, const TsovDigest *d)
{
	initStringInfo(m);
	appendBinaryStringInfo(m, DIGEST_FORMAT, sizeof(DIGEST_FORMAT));
	msg_str(m, d->domain);
	msg_str(m, d->origin);
	msg_u64(m, (uint64) d->seq);
	appendBinaryStringInfo(m, (const char *) d->hash, TSOV_HASH_LEN);
	msg_u64(m, d->has_time ? (uint64) d->time : UINT64CONST(0xFFFFFFFFFFFFFFFF));
	msg_str(m, d->database);
	msg_str(m, d->sysid);
	msg_u64(m, (uint64) d->signed_at);
	msg_str(m, d->key_id);
	Assert(d->seq >= 1);
}

/* ---- making a digest ---- */

static void
refuse_no_signer(const DomainKeys *k)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot sign a digest of the audit trail: %s",
					k->configured ? "the audit signing key file has no signing key" :
					"no audit signing key is configured"),
			 errhint("Set tec_sovereignty.audit_signing_key to a file with a line \"signing <64 hex digits>\", mode 0600, owned by the server's OS user.")));
}

static void
json_field(StringInfo j, const char *key, const char *val, bool first)
{
	if (!first)
		appendStringInfoString(j, ", ");
	escape_json(j, key);
	appendStringInfoString(j, ": ");
	if (val == NULL)
		appendStringInfoString(j, "null");
	else
		escape_json(j, val);
}

static char *
time_text(TimestampTz t)
{
	return JsonEncodeDateTime(NULL, TimestampTzGetDatum(t), TIMESTAMPTZOID, NULL);
}

/*
 * The signed digest of the recorded head of chain (domain, origin), read in
 * the current snapshot (SPI connected), as jsonb; NULL when the chain has
 * no head, or when no key file is named and missing_key_ok.  Signs only
 * what audit_chain says: no caller chooses the head it gets signed.
 */
Jsonb *
tsov_digest_head(const char *domain, const char *origin, bool missing_key_ok)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	DomainKeys	k;
	TsovDigest	d;
	StringInfoData m;
	StringInfoData j;
	uint8		sig[ED25519_SIG_LEN];
	size_t		siglen = sizeof(sig);
	EVP_PKEY   *pk;
	EVP_MD_CTX *mc;
	bool		ok;
	bool		isnull;
	Datum		v;
	char		sysid[32];

	domain_keys(domain, &k);
	if (!k.can_sign)
	{
		if (!k.configured && missing_key_ok)
			return NULL;
		refuse_no_signer(&k);
	}

	args[0] = CStringGetTextDatum(domain);
	args[1] = CStringGetTextDatum(origin);
	if (SPI_execute_with_args("SELECT c.last_seq, c.last_hash, l.logged_at FROM tec_sovereignty.audit_chain c"
							  " LEFT JOIN tec_sovereignty.audit_log l ON l.chain_domain OPERATOR(pg_catalog.=) c.chain_domain"
							  "  AND l.chain_origin OPERATOR(pg_catalog.=) c.chain_origin AND l.chain_seq OPERATOR(pg_catalog.=) c.last_seq"
							  " WHERE c.chain_domain OPERATOR(pg_catalog.=) $1 AND c.chain_origin OPERATOR(pg_catalog.=) $2",
							  2, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the audit chain head");
	if (SPI_processed == 0)
	{
		explicit_bzero(&k, sizeof(k));
		return NULL;
	}
	memset(&d, 0, sizeof(d));
	d.domain = pstrdup(domain);
	d.origin = pstrdup(origin);
	d.seq = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!tsov_audit_get_hash(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, d.hash))
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
						errmsg("audit chain head of domain \"%s\" has a malformed hash", domain)));
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	d.has_time = !isnull;
	d.time = isnull ? 0 : DatumGetTimestampTz(v);
	d.database = get_database_name(MyDatabaseId);
	snprintf(sysid, sizeof(sysid), UINT64_FORMAT, GetSystemIdentifier());
	d.sysid = sysid;
	d.signed_at = GetCurrentTimestamp();
	d.key_id = key_id(k.pub);
	signed_message(&m, &d);

	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k.seed, ED25519_LEN);
	explicit_bzero(&k, sizeof(k));
	mc = EVP_MD_CTX_new();
	ok = pk != NULL && mc != NULL &&
		EVP_DigestSignInit(mc, NULL, NULL, NULL, pk) == 1 &&
		EVP_DigestSign(mc, sig, &siglen, (const unsigned char *) m.data, m.len) == 1 &&
		siglen == ED25519_SIG_LEN;
	EVP_MD_CTX_free(mc);
	EVP_PKEY_free(pk);
	if (!ok)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("could not sign the digest of the audit trail")));
	Assert(siglen == ED25519_SIG_LEN);

	initStringInfo(&j);
	appendStringInfoChar(&j, '{');
	json_field(&j, "format", DIGEST_FORMAT, true);
	json_field(&j, "algorithm", "ed25519", false);
	json_field(&j, "domain", d.domain, false);
	json_field(&j, "database", d.database, false);
	json_field(&j, "system_identifier", d.sysid, false);
	json_field(&j, "origin", d.origin, false);
	appendStringInfo(&j, ", \"seq\": " INT64_FORMAT, d.seq);
	json_field(&j, "hash", to_hex(d.hash, TSOV_HASH_LEN), false);
	json_field(&j, "time", d.has_time ? time_text(d.time) : NULL, false);
	json_field(&j, "signed_at", time_text(d.signed_at), false);
	json_field(&j, "key_id", d.key_id, false);
	json_field(&j, "signature", to_hex(sig, ED25519_SIG_LEN), false);
	appendStringInfoChar(&j, '}');
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(j.data)));
}

/* ---- checking a digest ---- */

static void
digest_bad(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("malformed audit digest: %s", why),
			 errhint("Pass the digests as tec_audit_digest() returned them: one object, or an array of them.")));
}

/* String member key of object o (NULL: absent or JSON null). */
static char *
member_text(JsonbContainer *o, const char *key, bool required)
{
	JsonbValue *v = getKeyJsonValueFromContainer(o, key, strlen(key), NULL);

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			digest_bad(psprintf("member \"%s\" is missing", key));
		return NULL;
	}
	if (v->type != jbvString)
		digest_bad(psprintf("member \"%s\" is not a string", key));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static TimestampTz
parse_time(const char *s)
{
	return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, CStringGetDatum(s),
												   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

/*
 * Parse one digest object and check its signature with a key this server
 * has for its domain (key id match).  A malformed digest is an error; one
 * signed with an unknown key, or whose signature does not verify, is an
 * error too, or, when why is not NULL, false with *why saying which (the
 * import records its refusal first); so is a digest of another domain than
 * want (NULL: any), checked before the signature.  Never half-trusted.
 */
bool
tsov_digest_check(JsonbContainer *o, TsovDigest *d, const char *want, char **why)
{
	JsonbValue *v;
	char	   *s;
	uint8		sig[ED25519_SIG_LEN];
	const uint8 *pub = NULL;
	DomainKeys	k;
	StringInfoData m;
	EVP_PKEY   *pk;
	EVP_MD_CTX *mc;
	int			rc;

	if (!JsonContainerIsObject(o))
		digest_bad("not an object");
	memset(d, 0, sizeof(*d));
	s = member_text(o, "format", true);
	if (strcmp(s, DIGEST_FORMAT) != 0 || strcmp(member_text(o, "algorithm", true), "ed25519") != 0)
		digest_bad("unknown format or algorithm");
	d->domain = member_text(o, "domain", true);
	if (want != NULL && strcmp(d->domain, want) != 0)
	{
		if (why != NULL)
		{
			*why = psprintf("its digest is of domain \"%s\"", d->domain);
			return false;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("audit digest is of domain \"%s\", not of \"%s\"", d->domain, want),
				 errhint("Pass NULL as the domain to verify every domain the digests name.")));
	}
	d->origin = member_text(o, "origin", true);
	d->database = member_text(o, "database", true);
	d->sysid = member_text(o, "system_identifier", true);
	d->key_id = member_text(o, "key_id", true);
	v = getKeyJsonValueFromContainer(o, "seq", 3, NULL);
	if (v == NULL || v->type != jbvNumeric)
		digest_bad("member \"seq\" is not a number");
	d->seq = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric)));
	if (d->seq < 1)
		digest_bad("member \"seq\" is not a chain position");
	if (!parse_hex32(member_text(o, "hash", true), d->hash))
		digest_bad("member \"hash\" is not 64 hex digits");
	s = member_text(o, "time", false);
	d->has_time = s != NULL;
	d->time = s ? parse_time(s) : 0;
	d->signed_at = parse_time(member_text(o, "signed_at", true));
	s = member_text(o, "signature", true);
	if (!parse_hex(s, ED25519_SIG_LEN, sig))
		digest_bad("member \"signature\" is not 128 hex digits");

	domain_keys(d->domain, &k);
	if (k.can_sign && strcmp(key_id(k.pub), d->key_id) == 0)
		pub = k.pub;
	for (int i = 0; pub == NULL && i < k.nverify; i++)
		if (strcmp(key_id(k.verify[i]), d->key_id) == 0)
			pub = k.verify[i];
	if (pub == NULL && why != NULL)
	{
		explicit_bzero(&k, sizeof(k));
		*why = psprintf("its digest is signed with key %s, which this server does not have for domain \"%s\"",
						d->key_id, d->domain);
		return false;
	}
	if (pub == NULL)
	{
		explicit_bzero(&k, sizeof(k));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot check an audit digest of domain \"%s\": it is signed with key %s, which this server does not have",
						d->domain, d->key_id),
				 errdetail(k.configured ? "No key of the audit signing key file for this domain has that key id." :
						   "No audit signing key is configured (tec_sovereignty.audit_signing_key)."),
				 errhint("Add the line tec_audit_public_key('%s') prints on the signing server to the audit signing key file.",
						 d->domain)));
	}
	signed_message(&m, d);
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, ED25519_LEN);
	explicit_bzero(&k, sizeof(k));
	mc = EVP_MD_CTX_new();
	rc = (pk != NULL && mc != NULL && EVP_DigestVerifyInit(mc, NULL, NULL, NULL, pk) == 1) ?
		EVP_DigestVerify(mc, sig, ED25519_SIG_LEN, (const unsigned char *) m.data, m.len) : -1;
	EVP_MD_CTX_free(mc);
	EVP_PKEY_free(pk);
	if (rc < 0)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("could not check the signature of an audit digest")));
	if (rc != 1 && why != NULL)
	{
		*why = psprintf("its digest has an invalid signature");
		return false;
	}
	if (rc != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("audit digest of domain \"%s\" at chain position " INT64_FORMAT " has an invalid signature",
						d->domain, d->seq),
				 errdetail("The digest was changed after it was signed, or forged."),
				 errhint("Use the digests exactly as tec_audit_digest() returned them.")));
	return true;
}

/* Does this server have any key for domain (so that a digest is required)? */
bool
tsov_digest_have_key(const char *domain)
{
	DomainKeys	k;
	bool		have;

	domain_keys(domain, &k);
	have = k.can_sign || k.nverify > 0;
	explicit_bzero(&k, sizeof(k));
	return have;
}

/*
 * The digests of a jsonb argument: one object or an array of objects, each
 * of domain want (NULL: any).  Returns a palloc'd array of checked
 * digests, *n set.
 */
TsovDigest *
tsov_digests_from_jsonb(Jsonb *j, int *n, const char *want)
{
	TsovDigest *out;

	if (JB_ROOT_IS_SCALAR(j))
		digest_bad("a scalar");
	if (JB_ROOT_IS_OBJECT(j))
	{
		out = palloc(sizeof(TsovDigest));
		tsov_digest_check(&j->root, out, want, NULL);
		*n = 1;
		return out;
	}
	*n = JB_ROOT_COUNT(j);
	out = palloc0(sizeof(TsovDigest) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(&j->root, i);

		if (e == NULL || e->type != jbvBinary)
			digest_bad("an array element is not an object");
		tsov_digest_check(e->val.binary.data, &out[i], want, NULL);
	}
	return out;
}

/*
 * tec_audit_digest(domain text DEFAULT NULL) RETURNS SETOF jsonb: the signed
 * digest of each chain's head of the domain ('' or NULL domain: see
 * below); NULL: every chain of the trail.
 */
Datum
tsov_audit_digest(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *want = tsov_audit_text_arg(fcinfo, 0);
	Oid			types[1] = {TEXTOID};
	Datum		args[1];
	char		nulls[1];
	SPITupleTable *chains;

	/* refused without a signing key even when there is nothing to sign */
	{
		DomainKeys	k;

		domain_keys(want ? want : "", &k);
		if (!k.can_sign)
			refuse_no_signer(&k);
		explicit_bzero(&k, sizeof(k));
	}
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	args[0] = want ? CStringGetTextDatum(want) : (Datum) 0;
	nulls[0] = want ? ' ' : 'n';
	if (SPI_execute_with_args("SELECT chain_domain, chain_origin FROM tec_sovereignty.audit_chain"
							  " WHERE $1 IS NULL OR chain_domain OPERATOR(pg_catalog.=) $1"
							  " ORDER BY 1, 2",
							  1, types, args, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the audit chains");
	chains = SPI_tuptable;
	if (SPI_processed == 0 && want != NULL && want[0] != '\0' && tsov_domain_by_name(want) == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("domain \"%s\" has no audit trail and does not exist", want)));
	for (uint64 i = 0, n = SPI_processed; i < n; i++)
	{
		char	   *dom = tsov_audit_get_text(chains->vals[i], chains->tupdesc, 1);
		char	   *orig = tsov_audit_get_text(chains->vals[i], chains->tupdesc, 2);
		Jsonb	   *jd = tsov_digest_head(dom, orig, false);
		Datum		val;
		bool		isnull = false;

		if (jd == NULL)
			continue;
		val = PointerGetDatum(jd);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &val, &isnull);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * tec_audit_public_key(domain text) RETURNS text: the "verify" line of the
 * domain's public key, for the audit signing key file of a server that
 * must check this domain's digests (a buyer).  Public; the seed stays.
 */
Datum
tsov_audit_public_key(PG_FUNCTION_ARGS)
{
	char	   *domain = tsov_audit_text_arg(fcinfo, 0);
	DomainKeys	k;
	char	   *line;

	if (domain == NULL)
		domain = "";
	domain_keys(domain, &k);
	if (!k.can_sign)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot compute the audit public key of domain \"%s\": no signing key is configured", domain),
				 errhint("Set tec_sovereignty.audit_signing_key to a file with a line \"signing <64 hex digits>\".")));
	line = psprintf("verify %s %s", domain[0] ? domain : "-", to_hex(k.pub, ED25519_LEN));
	explicit_bzero(&k, sizeof(k));
	PG_RETURN_TEXT_P(cstring_to_text(line));
}

/*
 * tec_sovereignty.audit_head_digest(domain, origin) RETURNS jsonb: the
 * signed digest of that chain's recorded head in the caller's snapshot
 * (the export's), NULL when no key file is named or the chain has no head.
 */
Datum
tsov_audit_head_digest(PG_FUNCTION_ARGS)
{
	char	   *domain = tsov_audit_text_arg(fcinfo, 0);
	char	   *origin = tsov_audit_text_arg(fcinfo, 1);
	Jsonb	   *j;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "could not connect to SPI");
	j = tsov_digest_head(domain, origin, true);
	if (j != NULL)
	{
		/* out of SPI's procedure context, which SPI_finish frees */
		Jsonb	   *copy = SPI_palloc(VARSIZE(j));

		memcpy(copy, j, VARSIZE(j));
		j = copy;
	}
	SPI_finish();
	if (j == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(j);
}
