--
-- enforce_shared_protect: protected shared tables stay protected.  They
-- are tracked by OID (renaming the table or its schema changes nothing),
-- their domain column keeps its name, their owner belongs to no domain,
-- and only superusers add triggers, rules or defaults to them.  The
-- table's owner is a careless DBA's role with CREATE on the schema.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_sa');
SELECT tec_create_domain('regress_sb');
CREATE ROLE regress_sa_app LOGIN;
SELECT tec_add_member('regress_sa', 'regress_sa_app', 'writer');
CREATE ROLE regress_tabowner;
CREATE SCHEMA regress_shared AUTHORIZATION regress_tabowner;
GRANT USAGE ON SCHEMA regress_shared TO PUBLIC;
CREATE TABLE regress_shared.ledger (id int PRIMARY KEY, domain text NOT NULL, amount int);
INSERT INTO regress_shared.ledger VALUES (1, 'regress_sa', 10), (2, 'regress_sb', 20);
GRANT SELECT, INSERT, UPDATE, DELETE ON regress_shared.ledger TO PUBLIC;

-- The owner of a protected table belongs to no domain.
ALTER TABLE regress_shared.ledger OWNER TO regress_sa_owner;
SELECT tec_protect_shared_table('regress_shared.ledger', 'domain');
ALTER TABLE regress_shared.ledger OWNER TO regress_tabowner;
SELECT tec_protect_shared_table('regress_shared.ledger', 'domain');
ALTER TABLE regress_shared.ledger OWNER TO regress_sb_owner;
SELECT table_schema, table_name, domain_column, relid FROM tec_sovereignty.shared_table;

\c - regress_sa_app
SELECT * FROM regress_shared.ledger ORDER BY id;
\c - postgres

-- The table's owner cannot rename the domain column (the attack: rename
-- it, and a new session no longer found the table protected).
SET ROLE regress_tabowner;
ALTER TABLE regress_shared.ledger RENAME COLUMN domain TO owner_domain;
-- ... nor add code that runs on every domain's rows
CREATE FUNCTION regress_shared.stamp() RETURNS trigger LANGUAGE plpgsql
	AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER regress_stamp BEFORE INSERT ON regress_shared.ledger
	FOR EACH ROW EXECUTE FUNCTION regress_shared.stamp();
CREATE RULE regress_copy AS ON INSERT TO regress_shared.ledger DO ALSO NOTIFY regress_ledger;
ALTER TABLE regress_shared.ledger ALTER COLUMN amount SET DEFAULT 0;
ALTER TABLE regress_shared.ledger ADD COLUMN note text DEFAULT 'x';
-- allowed twins: a column without a default, renaming the table and its schema
ALTER TABLE regress_shared.ledger ADD COLUMN note text;
ALTER TABLE regress_shared.ledger RENAME TO journal;
RESET ROLE;
ALTER SCHEMA regress_shared RENAME TO regress_common;
-- a superuser cannot rename the domain column either
ALTER TABLE regress_common.journal RENAME COLUMN domain TO d;

-- A new session still finds the table protected, under its new names.
\c - regress_sa_app
SELECT id, domain, amount FROM regress_common.journal ORDER BY id;
INSERT INTO regress_common.journal VALUES (3, 'regress_sb', 30);
UPDATE regress_common.journal SET amount = 0 WHERE domain = 'regress_sb';
SELECT count(*) FROM regress_common.journal;
\c - postgres
SELECT relid, domain_column FROM tec_sovereignty.shared_table;

-- A superuser may add a trigger or a default (allowed twin); the code it
-- runs must be a superuser's too, or domain sessions refuse to run it.
ALTER TABLE regress_common.journal ALTER COLUMN amount SET DEFAULT 0;
CREATE TRIGGER regress_stamp BEFORE INSERT ON regress_common.journal
	FOR EACH ROW EXECUTE FUNCTION regress_common.stamp();
\c - regress_sa_app
INSERT INTO regress_common.journal (id, domain) VALUES (4, 'regress_sa');
\c - postgres
ALTER FUNCTION regress_common.stamp() OWNER TO postgres;
\c - regress_sa_app
INSERT INTO regress_common.journal (id, domain) VALUES (4, 'regress_sa');
SELECT id, domain, amount FROM regress_common.journal ORDER BY id;
\c - postgres

-- Protecting it again under the new names keeps one registry row.
SELECT tec_protect_shared_table('regress_common.journal', 'domain');
SELECT table_schema, table_name, domain_column, relid FROM tec_sovereignty.shared_table;

-- Known limit (documented): a unique constraint without the domain column
-- tells a domain that another domain's row with that key exists.
\c - regress_sa_app
INSERT INTO regress_common.journal VALUES (2, 'regress_sa', 1);
\c - postgres

-- The denials are in the trail.
SELECT action, decision, reason
  FROM tec_sovereignty.audit_log
 WHERE decision = 'denied' AND reason LIKE '%protected by tec_sovereignty%'
   AND (reason LIKE '%"ledger"%' OR reason LIKE '%"journal"%')
 ORDER BY seq;

-- Clean up.
DELETE FROM tec_sovereignty.shared_table;
DROP SCHEMA regress_common CASCADE;
SELECT tec_drop_domain('regress_sa', force => true);
SELECT tec_drop_domain('regress_sb', force => true);
DROP ROLE regress_sa_app, regress_tabowner;
