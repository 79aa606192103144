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

-- Memberships in domain roles are tec_add_member's and tec_remove_member's:
-- a CREATEROLE non-superuser changes none of them, whatever the statement.
CREATE ROLE regress_admin CREATEROLE;
CREATE ROLE regress_carol LOGIN;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET ROLE regress_admin;
GRANT regress_eb_reader TO regress_alice;
GRANT regress_eb_reader TO regress_ea_writer;
GRANT regress_eb_reader TO regress_carol;
GRANT regress_eb_owner TO regress_carol WITH ADMIN OPTION;
GRANT regress_bob TO regress_carol;
REVOKE regress_eb_writer FROM regress_bob;
GRANT regress_carol TO regress_eb_writer;
CREATE ROLE regress_dave IN ROLE regress_eb_reader;
CREATE ROLE regress_dave IN GROUP regress_bob;
CREATE ROLE regress_dave ROLE regress_eb_reader;
CREATE ROLE regress_dave ADMIN regress_eb_owner;
ALTER GROUP regress_eb_reader ADD USER regress_carol;
ALTER GROUP regress_eb_writer DROP USER regress_bob;
-- Roles outside every domain are its business.
CREATE ROLE regress_dave IN ROLE regress_carol;
ALTER GROUP regress_carol ADD USER regress_admin;
REVOKE regress_carol FROM regress_dave;
RESET ROLE;
SELECT * FROM tec_sovereignty.role_domains('regress_carol'::regrole);
SELECT * FROM tec_sovereignty.role_domains('regress_bob'::regrole);
SELECT action, decision, actor_domain, object_domain, object_name
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;
-- tec_add_member refuses a role whose member holds a power (regress_admin,
-- CREATEROLE, is a member of regress_carol); without it, it keeps working.
SELECT tec_add_member('regress_eb', 'regress_carol', 'reader');
REVOKE regress_carol FROM regress_admin;
SELECT tec_add_member('regress_eb', 'regress_carol', 'reader');
SELECT * FROM tec_sovereignty.role_domains('regress_carol'::regrole);
SELECT tec_remove_member('regress_eb', 'regress_carol');
SELECT * FROM tec_sovereignty.role_domains('regress_carol'::regrole);
-- A superuser's membership grants are PostgreSQL's (pg_dumpall restores
-- them that way).
CREATE ROLE regress_erin IN ROLE regress_eb_reader;
SELECT * FROM tec_sovereignty.role_domains('regress_erin'::regrole);
DROP ROLE regress_dave, regress_erin;
DROP ROLE regress_admin;

-- A superuser may, but the member stays confined: a role of two domains
-- is refused everywhere, and SET ROLE into the other domain is refused.
-- The grants are audited as privileged, directly or through a non-domain
-- group (one domain per role holds through groups too).
CREATE ROLE regress_group;
GRANT regress_eb_reader TO regress_group;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
GRANT regress_eb_reader TO regress_alice;
GRANT regress_group TO regress_ea_writer;
SELECT tec_audit_flush();
SELECT action, decision, actor_domain, object_domain, object_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND action = 'GRANT ROLE' ORDER BY seq;
SELECT * FROM tec_sovereignty.role_domains('regress_alice'::regrole);
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_eb.secret;
SET ROLE regress_eb_reader;
SELECT set_config('role', 'regress_eb_reader', false);
SELECT * FROM regress_eb.secret;
RESET ROLE;
RESET SESSION AUTHORIZATION;
REVOKE regress_eb_reader FROM regress_alice;

-- The same with a domain's own role, through the group: regress_ea_writer
-- stays in regress_ea.
SET ROLE regress_ea_writer;
SELECT * FROM regress_eb.secret;
RESET ROLE;
REVOKE regress_group FROM regress_ea_writer;
DROP ROLE regress_group;

-- ALTER DEFAULT PRIVILEGES follows the rules of GRANT: the owner grants
-- within its domain ...
SET ROLE regress_eb_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_eb GRANT TRUNCATE ON TABLES TO regress_eb_writer;
ALTER DEFAULT PRIVILEGES GRANT REFERENCES ON TABLES TO regress_eb_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_eb REVOKE TRUNCATE ON TABLES FROM regress_eb_writer;
ALTER DEFAULT PRIVILEGES REVOKE REFERENCES ON TABLES FROM regress_eb_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_eb REVOKE ALL ON TABLES FROM PUBLIC;
-- ... never to another domain, a non-domain role or PUBLIC (a GRANT to
-- PUBLIC is refused, so a deferred one is too).
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_eb GRANT SELECT ON TABLES TO regress_ea_reader;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO regress_alice;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_eb GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_eb_owner GRANT USAGE ON TYPES TO PUBLIC;
RESET ROLE;
-- Another domain may not touch regress_eb's schema or roles at all.
SET ROLE regress_ea_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_eb GRANT SELECT ON TABLES TO regress_ea_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_eb_owner REVOKE SELECT ON TABLES FROM regress_eb_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_ea_owner IN SCHEMA regress_eb REVOKE ALL ON TABLES FROM PUBLIC;
RESET ROLE;
SELECT action, decision, actor_domain, object_domain, object_schema, object_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;
SELECT defaclrole::regrole, defaclnamespace::regnamespace, defaclobjtype, defaclacl
  FROM pg_default_acl WHERE defaclrole = 'regress_eb_owner'::regrole
 ORDER BY 2, 3;
-- A superuser may (audited as privileged); it opens nothing.
ALTER DEFAULT PRIVILEGES FOR ROLE regress_eb_owner IN SCHEMA regress_eb GRANT SELECT ON TABLES TO regress_ea_writer;
SET ROLE regress_eb_owner;
CREATE TABLE regress_eb.later (id int);
RESET ROLE;
SELECT has_table_privilege('regress_alice', 'regress_eb.later', 'SELECT') AS granted;
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_eb.later;
RESET SESSION AUTHORIZATION;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_eb_owner IN SCHEMA regress_eb REVOKE SELECT ON TABLES FROM regress_ea_writer;
DROP TABLE regress_eb.later;

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
DROP ROLE regress_alice, regress_bob, regress_carol;
