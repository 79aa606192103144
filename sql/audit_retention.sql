--
-- audit_retention: per-domain retention of the audit trail.
-- tec_set_audit_retention(domain, interval) sets it (shown by
-- tec_sovereignty.domains); tec_audit_purge() removes that domain's rows
-- older than it, leaves an anchor so the rest verifies, and records the
-- purge, with the anchor, in the domain's own chain.  A domain without a
-- retention is left alone; only superusers set or run it.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_r1');
SELECT tec_create_domain('regress_r2');
CREATE ROLE regress_r_user LOGIN;
SELECT tec_audit_note(d, 'NOTE', 'note ' || i) FROM unnest(ARRAY['regress_r1', 'regress_r2']) d, generate_series(1, 3) i;
SELECT tec_audit_flush();

-- refused: a retention that is not positive, an unknown domain, a non-superuser
SELECT tec_set_audit_retention('regress_r1', '0 seconds');
SELECT tec_set_audit_retention('regress_r1', '-1 day');
SELECT tec_set_audit_retention('regress_nosuch', '1 day');
SET ROLE regress_r_user;
SELECT tec_set_audit_retention('regress_r1', '1 day');
SELECT tec_audit_purge();
RESET ROLE;

-- a retention far in the future removes nothing
SELECT tec_set_audit_retention('regress_r1', '100 years');
SELECT name, audit_retention FROM tec_sovereignty.domains WHERE name LIKE 'regress\_r%' ORDER BY 1;
SELECT tec_audit_purge() AS removed;

SELECT tec_set_audit_retention('regress_r1', '1 millisecond');
SELECT name, audit_retention FROM tec_sovereignty.domains WHERE name LIKE 'regress\_r%' ORDER BY 1;
SELECT pg_sleep(0.05);
SELECT count(*) AS r1_before FROM tec_sovereignty.audit_log WHERE chain_domain = 'regress_r1' \gset
SELECT count(*) AS r2_before FROM tec_sovereignty.audit_log WHERE chain_domain = 'regress_r2' \gset
SELECT tec_audit_purge() AS removed \gset
SELECT tec_audit_flush();
SELECT :removed >= 5 AS removed_old_rows,
	   (SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'regress_r2') = :r2_before AS r2_untouched;
-- the anchor is the last purged row; the remaining rows start right after it
SELECT a.anchor_seq > 0 AS anchored,
	   (SELECT min(chain_seq) FROM tec_sovereignty.audit_log l
		 WHERE l.chain_domain = 'regress_r1') = a.anchor_seq + 1 AS rest_follows
  FROM tec_sovereignty.audit_anchor a WHERE a.chain_domain = 'regress_r1';
SELECT count(*) AS r2_anchors FROM tec_sovereignty.audit_anchor WHERE chain_domain = 'regress_r2';
-- recorded in the domain's own chain: the request, then the result naming the anchor
SELECT regexp_replace(regexp_replace(reason, '[0-9]+/[0-9]+', 'ORIGIN'), 'position [0-9]+ \(hash [0-9a-f]{64}\)', 'position N (hash H)') AS reason,
	   decision
  FROM tec_sovereignty.audit_log
 WHERE chain_domain = 'regress_r1' AND action = 'PURGE' ORDER BY seq;
SELECT (SELECT reason FROM tec_sovereignty.audit_log WHERE chain_domain = 'regress_r1' AND action = 'PURGE'
		 ORDER BY seq DESC LIMIT 1)
	   LIKE '%cut at position ' || a.anchor_seq || ' (hash ' || encode(a.anchor_hash, 'hex') || ')%' AS names_the_anchor
  FROM tec_sovereignty.audit_anchor a WHERE a.chain_domain = 'regress_r1';
-- what remains verifies
SELECT domain, ok, reason FROM tec_audit_verify() WHERE domain IN ('regress_r1', 'regress_r2') ORDER BY 1;
-- forever again
SELECT tec_set_audit_retention('regress_r1', NULL);
SELECT name, audit_retention FROM tec_sovereignty.domains WHERE name LIKE 'regress\_r%' ORDER BY 1;
SELECT action, reason FROM tec_sovereignty.audit_log
 WHERE chain_domain = 'regress_r1' AND action = 'SET_AUDIT_RETENTION' ORDER BY seq;

-- a chain longer than one batch (10000 rows) is cut in several, all anchored
SELECT tec_create_domain('regress_r3');
SELECT count(tec_audit_note('regress_r3', 'BULK', 'row ' || i)) FROM generate_series(1, 25000) i;
SELECT tec_audit_flush();
SELECT tec_set_audit_retention('regress_r3', '1 millisecond');
SELECT pg_sleep(0.05);
SELECT tec_audit_purge() AS removed;
SELECT tec_audit_flush();
SELECT regexp_replace(reason, '[0-9]+/[0-9]+ cut at position [0-9]+ \(hash [0-9a-f]{64}\)', 'ORIGIN cut at position N (hash H)') AS reason
  FROM tec_sovereignty.audit_log
 WHERE chain_domain = 'regress_r3' AND action = 'PURGE' ORDER BY seq DESC LIMIT 1;
SELECT a.anchor_seq = 25002 AS anchored_at_last_old_row,
	   (SELECT count(*) FROM tec_sovereignty.audit_log l WHERE l.chain_domain = 'regress_r3') AS rows_left
  FROM tec_sovereignty.audit_anchor a WHERE a.chain_domain = 'regress_r3';
SELECT domain, ok, reason FROM tec_audit_verify('regress_r3');
SELECT tec_drop_domain('regress_r3', force => true);

-- clean up
SELECT tec_drop_domain('regress_r1', force => true);
SELECT tec_drop_domain('regress_r2', force => true);
DROP ROLE regress_r_user;
