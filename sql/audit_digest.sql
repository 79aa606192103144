--
-- audit_digest: the SQL surface of signed digests without a key file
-- (the keyed paths are TAP 026_audit_digest and 027_audit_import_signed).
-- No key configured: nothing is signed, a digest cannot be checked, and
-- every malformed argument is refused before the trail is read.  Who may
-- call what.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_dg');
CREATE ROLE regress_dg_user LOGIN;
CREATE ROLE regress_dg_auditor LOGIN IN ROLE tec_auditor;
SHOW tec_sovereignty.audit_signing_key;
SELECT * FROM tec_audit_digest();
SELECT * FROM tec_audit_digest('regress_dg');
SELECT tec_audit_public_key('regress_dg');
-- malformed digests
SELECT * FROM tec_audit_verify('regress_dg', NULL);
SELECT * FROM tec_audit_verify('regress_dg', '42');
SELECT * FROM tec_audit_verify('regress_dg', '[1]');
SELECT * FROM tec_audit_verify('regress_dg', '{"format": "tec_sovereignty digest v1"}');
SELECT * FROM tec_audit_verify('regress_dg', '{"format": "tec_sovereignty digest v2", "algorithm": "ed25519"}');
SELECT * FROM tec_audit_verify('regress_dg', '{"format": "tec_sovereignty digest v1", "algorithm": "ed25519",
  "domain": "regress_dg", "origin": "1/1", "database": "x", "system_identifier": "1", "key_id": "0011223344556677",
  "seq": "1", "hash": "00", "signed_at": "2026-01-01T00:00:00+00:00", "signature": "00"}');
SELECT * FROM tec_audit_verify('regress_dg', '{"format": "tec_sovereignty digest v1", "algorithm": "ed25519",
  "domain": "regress_dg", "origin": "1/1", "database": "x", "system_identifier": "1", "key_id": "0011223344556677",
  "seq": 0, "hash": "00", "signed_at": "2026-01-01T00:00:00+00:00", "signature": "00"}');
SELECT * FROM tec_audit_verify('regress_dg', '{"format": "tec_sovereignty digest v1", "algorithm": "ed25519",
  "domain": "regress_dg", "origin": "1/1", "database": "x", "system_identifier": "1", "key_id": "0011223344556677",
  "seq": 1, "hash": "00", "signed_at": "2026-01-01T00:00:00+00:00", "signature": "00"}');
-- well-formed, but this server has no key to check it with
SELECT * FROM tec_audit_verify('regress_dg', json_build_object('format', 'tec_sovereignty digest v1', 'algorithm', 'ed25519',
  'domain', 'regress_dg', 'origin', '1/1', 'database', 'x', 'system_identifier', '1', 'key_id', '0011223344556677',
  'seq', 1, 'hash', repeat('ab', 32), 'time', NULL, 'signed_at', '2026-01-01T00:00:00+00:00',
  'signature', repeat('cd', 64))::jsonb);
-- a digest of another domain than the one asked for
SELECT * FROM tec_audit_verify('regress_other', json_build_object('format', 'tec_sovereignty digest v1', 'algorithm', 'ed25519',
  'domain', 'regress_dg', 'origin', '1/1', 'database', 'x', 'system_identifier', '1', 'key_id', '0011223344556677',
  'seq', 1, 'hash', repeat('ab', 32), 'time', NULL, 'signed_at', '2026-01-01T00:00:00+00:00',
  'signature', repeat('cd', 64))::jsonb);
-- who: the key file is a superuser-only setting; an auditor may digest and
-- verify, any other role neither
SET ROLE regress_dg_user;
SHOW tec_sovereignty.audit_signing_key;
SELECT * FROM tec_audit_digest();
SELECT * FROM tec_audit_verify('regress_dg', '[]');
SELECT tec_audit_public_key('regress_dg');
SET tec_sovereignty.audit_signing_key = '/tmp/x';
RESET ROLE;
SET ROLE regress_dg_auditor;
SELECT * FROM tec_audit_digest('regress_dg');
SELECT domain, ok FROM tec_audit_verify('regress_dg', '[]');
RESET ROLE;
SET tec_sovereignty.audit_signing_key = '/tmp/x';

-- clean up
SELECT tec_drop_domain('regress_dg', force => true);
DROP ROLE regress_dg_user;
DROP ROLE regress_dg_auditor;
