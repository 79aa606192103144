--
-- export_transfer: the transfer state machine (active -> transferring ->
-- transferred, or back to active when cancelled), its history table, and
-- the export checksum recorded when a transfer completes.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_t', 'travel');
INSERT INTO regress_t."Destination" (id, "userId", name, country, latitude, "createdAt", "updatedAt")
VALUES ('d1', 'u1', 'Lisbon', 'PT', 38.7223, '2024-05-01 10:00', '2024-05-01 10:00');

-- Bad input.
SELECT tec_transfer_domain(NULL, 'x', 'y');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_transfer_domain('regress_nope', 'x', 'y');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_transfer_domain('regress_t', NULL, 'y');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_transfer_domain('regress_t', 'x', ' ');
\echo :LAST_ERROR_SQLSTATE

-- Nothing to complete or cancel yet.
SELECT tec_complete_transfer('regress_t');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_cancel_transfer('regress_t');
\echo :LAST_ERROR_SQLSTATE

-- Start: the domain is frozen and the transfer recorded.
SELECT tec_transfer_domain('regress_t', 'Travel Co.', 'db.travel.example:5432/travel') > 0 AS started;
SELECT name, state FROM tec_sovereignty.domain WHERE name = 'regress_t';
SELECT domain, from_owner, to_owner, destination, state, completed_at, cancelled_at, export_sha256
  FROM tec_sovereignty.transfer WHERE domain = 'regress_t' ORDER BY id;

-- A second start and a drop: refused.
SELECT tec_transfer_domain('regress_t', 'Other', 'elsewhere');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_drop_domain('regress_t', force => true);
\echo :LAST_ERROR_SQLSTATE

-- Cancel: active again, the history keeps the cancelled transfer.
SELECT tec_cancel_transfer('regress_t');
SELECT name, state FROM tec_sovereignty.domain WHERE name = 'regress_t';
SELECT state, cancelled_at IS NOT NULL AS cancelled FROM tec_sovereignty.transfer WHERE domain = 'regress_t' ORDER BY id;

-- Start again and complete.  The checksum is the sha256 of the script as
-- psql -XAt writes it; a file whose checksum differs is refused and the
-- transfer stays open.
SELECT tec_transfer_domain('regress_t', 'Travel Co.', 'db.travel.example:5432/travel') > 0 AS started;
SELECT tec_complete_transfer('regress_t', 'not-a-checksum');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT tec_complete_transfer('regress_t', repeat('0', 64)) IS NOT NULL;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT state FROM tec_sovereignty.domain WHERE name = 'regress_t';

CREATE TEMP TABLE shipped AS
SELECT encode(sha256(convert_to(string_agg(v || E'\n', '' ORDER BY n), 'UTF8')), 'hex') AS sha256,
	   sum(octet_length(v) + 1) AS bytes
  FROM tec_export_domain('regress_t') WITH ORDINALITY AS e(v, n);
SELECT s.sha256 = c.sha256 AS same_sha256, s.bytes = c.bytes AS same_size
  FROM shipped s, tec_sovereignty.export_checksum('regress_t') c;
SELECT tec_complete_transfer('regress_t', (SELECT sha256 FROM shipped)) = (SELECT sha256 FROM shipped) AS recorded;
SELECT name, state FROM tec_sovereignty.domain WHERE name = 'regress_t';
SELECT state, completed_at IS NOT NULL AS completed, export_sha256 = (SELECT sha256 FROM shipped) AS sha256_recorded,
	   export_bytes = (SELECT bytes FROM shipped) AS bytes_recorded
  FROM tec_sovereignty.transfer WHERE domain = 'regress_t' ORDER BY id;

-- Transferred: no way back, no new transfer; export still works.
SELECT tec_cancel_transfer('regress_t');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_transfer_domain('regress_t', 'x', 'y');
\echo :LAST_ERROR_SQLSTATE
SELECT tec_complete_transfer('regress_t');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS exports FROM tec_export_domain('regress_t');

-- Dropped with force; the history stays.
SELECT tec_drop_domain('regress_t', force => true);
SELECT count(*) AS history FROM tec_sovereignty.transfer WHERE domain = 'regress_t';

-- clean up
DELETE FROM tec_sovereignty.transfer WHERE domain LIKE 'regress\_%';
