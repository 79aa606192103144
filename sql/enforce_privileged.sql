--
-- enforce_privileged: roles that PostgreSQL lets read or write everything
-- stay confined; non-domain superusers are audited (privileged_access =
-- 'audit'; 'deny' is tested in TAP); simulate mode; transfer states; the
-- extension's GUCs are for superusers only.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ea');
SELECT tec_create_domain('regress_eb');
CREATE ROLE regress_alice LOGIN;
CREATE ROLE regress_bob LOGIN;
SELECT tec_add_member('regress_ea', 'regress_alice', 'writer');
SELECT tec_add_member('regress_eb', 'regress_bob', 'writer');
SET ROLE regress_eb_owner;
CREATE TABLE regress_eb.secret (id int PRIMARY KEY, v text);
INSERT INTO regress_eb.secret VALUES (1, 'b-one'), (2, 'b-two');
RESET ROLE;
-- pg_read_all_data / pg_write_all_data do not free a domain role.
-- (forced past the refusal of the GRANT, enforce_role_powers, by a catalog insert)
INSERT INTO pg_auth_members (roleid, member, grantor, admin_option)
SELECT r.oid, 'regress_alice'::regrole, 'regress_alice'::regrole, false
  FROM pg_roles r WHERE r.rolname IN ('pg_read_all_data', 'pg_write_all_data');
GRANT USAGE ON SCHEMA regress_eb TO regress_alice;
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_eb.secret;
INSERT INTO regress_eb.secret VALUES (9, 'x');
RESET SESSION AUTHORIZATION;
REVOKE pg_read_all_data, pg_write_all_data FROM regress_alice;

-- A non-domain holder of pg_read_all_data is a DBA: allowed, audited.
CREATE ROLE regress_dba LOGIN IN ROLE pg_read_all_data;
SET SESSION AUTHORIZATION regress_dba;
SELECT * FROM regress_eb.secret ORDER BY id;
INSERT INTO regress_eb.secret VALUES (9, 'x');
RESET SESSION AUTHORIZATION;
-- and so is a superuser
SELECT count(*) FROM regress_eb.secret;

-- The extension's settings are for superusers only.
SET SESSION AUTHORIZATION regress_bob;
SET tec_sovereignty.privileged_access = 'audit';
SELECT set_config('tec_sovereignty.privileged_access', 'audit', false);
RESET SESSION AUTHORIZATION;
SHOW tec_sovereignty.privileged_access;
SET tec_sovereignty.privileged_access = 'nonsense';

-- Simulate mode: would-be denials are let through (and recorded).
GRANT SELECT ON regress_eb.secret TO regress_alice;
SELECT tec_set_enforcement('regress_eb', 'simulate');
SELECT name, enforcement FROM tec_sovereignty.domains WHERE name LIKE 'regress\_e%' ORDER BY 1;
SET SESSION AUTHORIZATION regress_alice;
SELECT count(*) FROM regress_eb.secret;
RESET SESSION AUTHORIZATION;
SELECT tec_set_enforcement('regress_eb', 'enforce');
SET SESSION AUTHORIZATION regress_alice;
SELECT count(*) FROM regress_eb.secret;
RESET SESSION AUTHORIZATION;
SELECT tec_set_enforcement('regress_eb', NULL);
SELECT tec_set_enforcement('regress_eb', 'loose');
SELECT tec_set_enforcement('regress_nope', 'enforce');
SELECT tec_set_enforcement(NULL, 'enforce');

-- Transfer states (set here in the registry directly).
UPDATE tec_sovereignty.domain SET state = 'transferring' WHERE name = 'regress_eb';
SET SESSION AUTHORIZATION regress_bob;
SELECT count(*) FROM regress_eb.secret;
INSERT INTO regress_eb.secret VALUES (10, 'frozen');
RESET SESSION AUTHORIZATION;
SET ROLE regress_eb_owner;
CREATE TABLE regress_eb.new_table (id int);
RESET ROLE;
UPDATE tec_sovereignty.domain SET state = 'transferred' WHERE name = 'regress_eb';
SET SESSION AUTHORIZATION regress_bob;		-- even becoming a member is refused
SELECT count(*) FROM regress_eb.secret;		-- (as the superuser)
UPDATE tec_sovereignty.domain SET state = 'active' WHERE name = 'regress_eb';
SET SESSION AUTHORIZATION regress_bob;
SELECT count(*) FROM regress_eb.secret;
RESET SESSION AUTHORIZATION;

-- Break-glass: superusers only, a reason is required, a known domain.
SELECT tec_break_glass('regress_eb', NULL);
SELECT tec_break_glass('regress_nope', 'incident 42');
SELECT tec_break_glass(NULL, 'incident 42');
SET SESSION AUTHORIZATION regress_dba;
SELECT tec_break_glass('regress_eb', 'incident 42');
RESET SESSION AUTHORIZATION;
BEGIN;
SELECT tec_break_glass('regress_eb', 'incident 42');
COMMIT;

REVOKE ALL ON SCHEMA regress_eb FROM regress_alice;
REVOKE ALL ON regress_eb.secret FROM regress_alice;
DROP ROLE regress_dba;
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
