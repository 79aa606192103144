--
-- audit_trail_pinning: issue 11, principle 7.  Nobody, superusers
-- included, can make the trail's tables a referenced or a parent table:
-- a foreign key's RI triggers would lock and act on the trail, and a
-- child's rows would show in every scan of it.  The prepared-transaction
-- lock and the bounded commit wait need a cluster of their own
-- (test/t/025_audit_commit_bounded.pl).
--
\set SHOW_CONTEXT never
SELECT tec_audit_flush();
SELECT coalesce(max(seq), 0) AS last FROM tec_sovereignty.audit_log \gset

-- The twins: a foreign key to, and a child of, an ordinary table work.
CREATE TABLE regress_pin_parent (seq bigint PRIMARY KEY);
CREATE TABLE regress_pin_ok (s bigint REFERENCES regress_pin_parent (seq));
ALTER TABLE regress_pin_ok ADD FOREIGN KEY (s) REFERENCES regress_pin_parent (seq);
CREATE TABLE regress_pin_child () INHERITS (regress_pin_parent);
SELECT count(*) AS foreign_keys FROM pg_constraint
 WHERE conrelid = 'regress_pin_ok'::regclass AND contype = 'f';

-- Foreign keys referencing the trail, however they come.
CREATE TABLE regress_pin_fk (s bigint REFERENCES tec_sovereignty.audit_log (seq));
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE regress_pin_fk (s bigint, FOREIGN KEY (s) REFERENCES tec_sovereignty.audit_log);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE regress_pin_fk (d text, o text);
ALTER TABLE regress_pin_fk ADD FOREIGN KEY (d, o) REFERENCES tec_sovereignty.audit_chain;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE regress_pin_fk ADD FOREIGN KEY (d, o) REFERENCES tec_sovereignty.audit_anchor NOT VALID;
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE regress_pin_part (s bigint, FOREIGN KEY (s) REFERENCES tec_sovereignty.audit_log) PARTITION BY RANGE (s);
\echo :LAST_ERROR_SQLSTATE

-- Children of the trail.
CREATE TABLE regress_pin_inh () INHERITS (tec_sovereignty.audit_log);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE regress_pin_inh (LIKE tec_sovereignty.audit_chain);
ALTER TABLE regress_pin_inh INHERIT tec_sovereignty.audit_chain;
\echo :LAST_ERROR_SQLSTATE

-- Nothing of it was made.
SELECT count(*) AS referencing FROM pg_constraint
 WHERE confrelid IN ('tec_sovereignty.audit_log'::regclass,
					 'tec_sovereignty.audit_chain'::regclass,
					 'tec_sovereignty.audit_anchor'::regclass);
SELECT count(*) AS children FROM pg_inherits
 WHERE inhparent IN ('tec_sovereignty.audit_log'::regclass,
					 'tec_sovereignty.audit_chain'::regclass,
					 'tec_sovereignty.audit_anchor'::regclass);
SELECT to_regclass('regress_pin_part') AS part;

-- Every attempt is in the trail, as a denial.
SELECT tec_audit_flush();
SELECT action, object, count(*) FROM tec_sovereignty.violations
 WHERE seq > :last AND object LIKE 'tec_sovereignty.audit%' GROUP BY 1, 2 ORDER BY 2, 1;
-- and once: no second row from the log hook or the hooks' rethrow
SELECT count(*) AS denied_rows FROM tec_sovereignty.audit_log WHERE seq > :last AND decision = 'denied';

DROP TABLE regress_pin_fk, regress_pin_inh, regress_pin_ok, regress_pin_child, regress_pin_parent;
