--
-- enforce_grant: GRANT/REVOKE refused at the source, role memberships
-- across domains, SET ROLE and SET SESSION AUTHORIZATION.
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
-- The domain owner grants within its domain ...
SET ROLE regress_eb_owner;
GRANT TRUNCATE ON regress_eb.secret TO regress_eb_writer;
REVOKE TRUNCATE ON regress_eb.secret FROM regress_eb_writer;
-- ... but not to PUBLIC, another domain, or a non-domain role.
GRANT SELECT ON regress_eb.secret TO PUBLIC;
GRANT SELECT ON regress_eb.secret TO regress_alice;
GRANT SELECT ON regress_eb.secret TO regress_ea_writer;
GRANT USAGE ON SCHEMA regress_eb TO regress_ea_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA regress_eb TO regress_alice;
CREATE FUNCTION regress_eb.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION regress_eb.f() TO regress_ea_writer;
RESET ROLE;
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_schema = 'regress_eb' AND grantee NOT LIKE 'regress_eb%' ORDER BY 1, 2;

-- Another domain cannot grant on it either.
GRANT USAGE ON SCHEMA regress_eb TO regress_ea_owner;
SET ROLE regress_ea_owner;
GRANT SELECT ON regress_eb.secret TO regress_ea_owner;
RESET ROLE;

-- A superuser may (audited as privileged), but it opens nothing.
GRANT USAGE ON SCHEMA regress_eb TO regress_alice;
GRANT SELECT ON regress_eb.secret TO regress_alice;
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_eb.secret;
RESET SESSION AUTHORIZATION;

-- Domain roles are not granted to another domain's roles by non-superusers.
CREATE ROLE regress_admin CREATEROLE;
SET ROLE regress_admin;
GRANT regress_eb_reader TO regress_alice;
GRANT regress_eb_reader TO regress_ea_writer;
RESET ROLE;
DROP ROLE regress_admin;

-- A superuser may, but the member stays confined: a role of two domains
-- is refused everywhere, and SET ROLE into the other domain is refused.
GRANT regress_eb_reader TO regress_alice;
SELECT * FROM tec_sovereignty.role_domains('regress_alice'::regrole);
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_eb.secret;
SET ROLE regress_eb_reader;
SELECT set_config('role', 'regress_eb_reader', false);
SELECT * FROM regress_eb.secret;
RESET ROLE;
RESET SESSION AUTHORIZATION;
REVOKE regress_eb_reader FROM regress_alice;

-- The same with a domain's own role: regress_ea_writer stays in regress_ea.
GRANT regress_eb_reader TO regress_ea_writer;
SET ROLE regress_ea_writer;
SELECT * FROM regress_eb.secret;
RESET ROLE;
REVOKE regress_eb_reader FROM regress_ea_writer;

-- The owning domain's member may SET ROLE within its domain.
GRANT regress_eb_reader TO regress_bob;
SET SESSION AUTHORIZATION regress_bob;
SET ROLE regress_eb_reader;
SELECT count(*) FROM regress_eb.secret;
RESET ROLE;
RESET SESSION AUTHORIZATION;
REVOKE regress_eb_reader FROM regress_bob;

-- SET SESSION AUTHORIZATION into a domain: a superuser's act, audited.
SET SESSION AUTHORIZATION regress_bob;
SELECT session_user, current_user;
RESET SESSION AUTHORIZATION;

REVOKE ALL ON SCHEMA regress_eb FROM regress_alice, regress_ea_owner;
REVOKE ALL ON regress_eb.secret FROM regress_alice;
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
