--
-- domain_owner_members: owner members act as the domain's owner role from
-- the start of every session, from their membership and the registry of
-- the database connected to -- no per-database role setting, so that a
-- cloned or restored database behaves the same (TAP 011_role_powers).
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_om');
CREATE ROLE regress_dev LOGIN;
CREATE ROLE regress_wri LOGIN;
SELECT tec_add_member('regress_om', 'regress_dev', 'owner');
SELECT tec_add_member('regress_om', 'regress_wri', 'writer');
SELECT member, access, acts_as_owner FROM tec_sovereignty.members
 WHERE domain = 'regress_om' ORDER BY 1;
SELECT count(*) AS role_settings FROM pg_db_role_setting
 WHERE setrole IN ('regress_dev'::regrole, 'regress_wri'::regrole);

-- The owner member starts as the owner; what it creates is the domain's.
\c - regress_dev
SELECT session_user, current_user;
CREATE TABLE regress_om.made (id int);
SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'regress_om.made'::regclass;
-- SET ROLE and RESET ROLE work as with a role setting.
SET ROLE regress_dev;
SELECT current_user;
RESET ROLE;
SELECT current_user;

-- A SET ROLE as the session's first statement wins; RESET ROLE comes back
-- to the owner.
\c - regress_dev
SET ROLE regress_dev;
SELECT current_user;
RESET ROLE;
SELECT current_user;

-- A writer member does not act as the owner, and cannot become it.
\c - regress_wri
SELECT session_user, current_user;
SET ROLE regress_om_owner;
CREATE TABLE regress_om.not_mine (id int);
INSERT INTO regress_om.made VALUES (1);

-- An owner member forced to hold a power does not act as the owner (and
-- is refused everywhere, enforce_role_powers).
\c - postgres
\set SHOW_CONTEXT never
UPDATE pg_authid SET rolcreatedb = true WHERE rolname = 'regress_dev';
\c - regress_dev
SELECT session_user, current_user;
SELECT count(*) FROM regress_om.made;
\c - postgres
\set SHOW_CONTEXT never
UPDATE pg_authid SET rolcreatedb = false WHERE rolname = 'regress_dev';

-- Removed, or moved to writer: no longer the owner.
SELECT tec_add_member('regress_om', 'regress_dev', 'writer');
\c - regress_dev
SELECT session_user, current_user;
\c - postgres
\set SHOW_CONTEXT never
SELECT tec_remove_member('regress_om', 'regress_dev');
\c - regress_dev
SELECT session_user, current_user;
\c - postgres

-- clean up
SELECT tec_drop_domain('regress_om', force => true);
DROP ROLE regress_dev, regress_wri;
