--
-- domain_members: reader / writer / owner access, one domain per role, and
-- owner members acting as the domain owner so the domain owns what they create.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_m1', 'financial');
SELECT tec_create_domain('regress_m2');
CREATE ROLE regress_alice LOGIN;
CREATE ROLE regress_bob LOGIN;
CREATE ROLE regress_carol LOGIN;
CREATE ROLE regress_group NOLOGIN;
CREATE ROLE regress_dave LOGIN IN ROLE regress_group;

SELECT tec_add_member('regress_m1', 'regress_alice', 'reader');
SELECT tec_add_member('regress_m1', 'regress_bob', 'writer');
SELECT tec_add_member('regress_m1', 'regress_carol', 'owner');
SELECT domain, member, access, can_login, acts_as_owner
  FROM tec_sovereignty.members WHERE domain LIKE 'regress\_%' ORDER BY 1, 2;
SELECT name, members FROM tec_sovereignty.domains WHERE name LIKE 'regress\_%' ORDER BY 1;
SELECT * FROM tec_sovereignty.role_domains('regress_bob'::regrole);

-- A reader reads, a writer writes.
SET ROLE regress_alice;
SELECT count(*) FROM regress_m1."Portfolio";
INSERT INTO regress_m1."Portfolio" ("userId", name, type) VALUES ('u', 'x', 'y');
RESET ROLE;
SET ROLE regress_bob;
INSERT INTO regress_m1."Portfolio" ("userId", name, type) VALUES ('u', 'x', 'y');
SELECT "userId", name, type FROM regress_m1."Portfolio";
RESET ROLE;

-- The owner member's sessions start as regress_m1_owner, without a
-- per-database role setting (see domain_owner_members).
SELECT setrole::regrole, setconfig FROM pg_db_role_setting
 WHERE setrole = 'regress_carol'::regrole AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database());
\c - regress_carol
SELECT session_user, current_user;
CREATE TABLE regress_m1.migration_made (id int);
SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'migration_made';
\c - postgres

-- Changing the access level replaces the previous one.
SELECT tec_add_member('regress_m1', 'regress_carol', 'writer');
SELECT domain, member, access, acts_as_owner FROM tec_sovereignty.members WHERE member = 'regress_carol';

-- One domain per role, also through group membership.
SELECT tec_add_member('regress_m2', 'regress_bob', 'reader');
SELECT tec_add_member('regress_m1', 'regress_dave', 'reader');
SELECT tec_add_member('regress_m2', 'regress_group', 'reader');
SELECT tec_remove_member('regress_m1', 'regress_dave');
SELECT tec_add_member('regress_m2', 'regress_group', 'writer');
SELECT tec_add_member('regress_m1', 'regress_dave', 'reader');
SELECT domain, member, access FROM tec_sovereignty.members WHERE domain LIKE 'regress\_%' ORDER BY 1, 2;

-- Removing.
SELECT tec_remove_member('regress_m1', 'regress_bob');
SELECT tec_remove_member('regress_m1', 'regress_bob');
SELECT tec_add_member('regress_m2', 'regress_bob', 'reader');
SELECT domain, member, access FROM tec_sovereignty.members WHERE domain LIKE 'regress\_%' ORDER BY 1, 2;

-- Bad input.
SELECT tec_add_member('regress_m1', 'regress_nobody', 'reader');
SELECT tec_add_member('regress_m1', 'regress_alice', 'admin');
SELECT tec_add_member('regress_m1', 'regress_alice', NULL);
SELECT tec_add_member(NULL, 'regress_alice', 'reader');
SELECT tec_add_member('regress_none', 'regress_alice', 'reader');
SELECT tec_add_member('regress_m1', 'regress_m2_owner', 'reader');
SELECT tec_add_member('regress_m1', 'postgres', 'reader');
SELECT tec_remove_member('regress_m1', NULL);
SELECT tec_remove_member('regress_m1', 'regress_nobody');

-- Not for PUBLIC.
SET ROLE regress_alice;
SELECT tec_add_member('regress_m1', 'regress_alice', 'owner');
RESET ROLE;

-- clean up
SELECT tec_drop_domain('regress_m1', force => true);
SELECT tec_drop_domain('regress_m2', force => true);
SELECT count(*) AS settings_left FROM pg_db_role_setting WHERE setrole = 'regress_carol'::regrole;
DROP ROLE regress_alice, regress_bob, regress_carol, regress_dave, regress_group;
