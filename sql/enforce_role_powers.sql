--
-- enforce_role_powers: a domain role holds no power that lets PostgreSQL
-- bypass the rule (principle 1).  Attributes, predefined roles, database
-- ownership and parameter privileges are refused at the source to the
-- roles of a domain (their members and the roles that are members of
-- those included), for superusers too; one forced anyway (a catalog
-- update, a grant made in another database) makes the role refused
-- everywhere.  Roles outside every domain are PostgreSQL's business.
--
\set SHOW_CONTEXT never
SELECT current_database() AS db \gset
SELECT tec_create_domain('regress_pa');
SELECT tec_create_domain('regress_pb');
CREATE ROLE regress_app LOGIN;
CREATE ROLE regress_other LOGIN;
CREATE ROLE regress_ops;			-- a group outside every domain
CREATE ROLE regress_crew;			-- another one, of which regress_app is a member
CREATE ROLE regress_admin CREATEROLE;	-- a careless DBA's delegate
SELECT tec_add_member('regress_pa', 'regress_app', 'writer');
SELECT tec_add_member('regress_pb', 'regress_other', 'writer');
GRANT regress_crew TO regress_app;
SET ROLE regress_pa_owner;
CREATE TABLE regress_pa.t (id int PRIMARY KEY, v text);
INSERT INTO regress_pa.t VALUES (1, 'one');
RESET ROLE;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset

-- Allowed twins: the same powers for roles outside every domain.
GRANT pg_monitor, pg_signal_backend, pg_read_server_files TO regress_ops;
ALTER ROLE regress_ops CREATEDB REPLICATION;
GRANT SET ON PARAMETER log_min_messages TO regress_ops;
GRANT SET ON PARAMETER work_mem TO regress_app;		-- USERSET: no power
REVOKE SET ON PARAMETER work_mem FROM regress_app;
SET SESSION AUTHORIZATION regress_app;
SELECT * FROM regress_pa.t;
RESET SESSION AUTHORIZATION;

-- Predefined roles, directly, to a domain's own role, through a group.
GRANT pg_monitor TO regress_app;
GRANT pg_read_all_stats TO regress_pa_reader;
GRANT pg_signal_backend TO regress_pa_owner;
GRANT pg_execute_server_program TO regress_crew;	-- regress_app is a member
GRANT regress_ops TO regress_app;					-- regress_ops holds them
GRANT regress_ops TO regress_crew;
ALTER GROUP regress_ops ADD USER regress_app;

-- Attributes, on members, domain roles, and groups with domain members.
ALTER ROLE regress_app REPLICATION;
ALTER ROLE regress_app CREATEROLE;
ALTER ROLE regress_app WITH CREATEDB;
ALTER ROLE regress_app BYPASSRLS;
ALTER ROLE regress_app SUPERUSER;
ALTER ROLE regress_pa_owner CREATEDB;
ALTER ROLE regress_crew CREATEROLE;
ALTER ROLE regress_app NOCREATEDB NOREPLICATION;	-- taking away is fine

-- CREATE ROLE ... IN ROLE / ROLE / ADMIN.
CREATE ROLE regress_x REPLICATION IN ROLE regress_pa_reader;
CREATE ROLE regress_x IN ROLE pg_read_all_data, regress_pa_reader;
CREATE ROLE regress_x IN ROLE pg_execute_server_program ROLE regress_app;
CREATE ROLE regress_x CREATEDB ADMIN regress_app;
CREATE ROLE regress_x IN ROLE pg_monitor;		-- outside every domain: fine
DROP ROLE regress_x;

-- tec_add_member of a role that holds a power, or whose member does.
SELECT tec_add_member('regress_pb', 'regress_ops', 'reader');
CREATE ROLE regress_y LOGIN CREATEDB;
SELECT tec_add_member('regress_pb', 'regress_y', 'owner');
ALTER ROLE regress_y NOCREATEDB;
GRANT regress_y TO regress_ops;
SELECT tec_add_member('regress_pb', 'regress_y', 'owner');
REVOKE regress_y FROM regress_ops;
SELECT tec_add_member('regress_pb', 'regress_y', 'owner');
SELECT tec_remove_member('regress_pb', 'regress_y');

-- Database ownership.
ALTER DATABASE :"db" OWNER TO regress_app;
ALTER DATABASE :"db" OWNER TO regress_crew;
CREATE DATABASE regress_tsov_owned OWNER regress_pa_owner;

-- Parameter privileges (PostgreSQL 15).
GRANT SET ON PARAMETER session_replication_role TO regress_app;
GRANT SET ON PARAMETER log_min_messages TO regress_crew;
GRANT ALTER SYSTEM ON PARAMETER work_mem TO regress_pa_writer;
GRANT ALL ON PARAMETER log_statement TO regress_app;
GRANT SET ON PARAMETER log_min_messages TO PUBLIC;
GRANT SET ON PARAMETER tec_sovereignty.audit TO regress_ops;
GRANT ALTER SYSTEM ON PARAMETER tec_sovereignty.privileged_access TO regress_ops;

-- A CREATEROLE role changes no role of a domain: no password and LOGIN
-- for an owner role, no settings for a member.
SET ROLE regress_admin;
ALTER ROLE regress_pa_owner LOGIN PASSWORD 'x';
ALTER ROLE regress_app PASSWORD 'x';
ALTER ROLE regress_app VALID UNTIL 'infinity';
ALTER ROLE regress_app SET search_path = public;
ALTER ROLE regress_app IN DATABASE :"db" SET role = regress_pa_owner;
DROP ROLE regress_app;
ALTER ROLE regress_y NOLOGIN;				-- outside every domain: its business
RESET ROLE;

-- Nothing was given.
SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
	   (SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname) FROM pg_auth_members m
		  JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of
  FROM pg_roles r WHERE r.rolname IN ('regress_app', 'regress_crew', 'regress_pa_owner', 'regress_pa_reader')
 ORDER BY 1;
SELECT count(*) AS parameter_grants FROM pg_parameter_acl
 WHERE array_to_string(paracl, ',') ~ '(regress_app|regress_crew|regress_pa_|^=|,=)';
SELECT count(*) AS role_settings FROM pg_db_role_setting WHERE setrole = 'regress_app'::regrole;

-- The refusals are in the audit trail.
SELECT action, decision, actor_domain, object_domain, object_name
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;

-- Forced anyway: a catalog update.  The role is refused everywhere, its own
-- domain included.
UPDATE pg_authid SET rolcreatedb = true WHERE rolname = 'regress_app';
SET SESSION AUTHORIZATION regress_app;
SELECT * FROM regress_pa.t;
INSERT INTO regress_pa.t VALUES (2, 'two');
RESET SESSION AUTHORIZATION;
UPDATE pg_authid SET rolcreatedb = false WHERE rolname = 'regress_app';
SET SESSION AUTHORIZATION regress_app;
SELECT * FROM regress_pa.t;
RESET SESSION AUTHORIZATION;

-- Forced anyway, on a caller of a published API: it crosses into nothing.
SET ROLE regress_pa_owner;
CREATE FUNCTION regress_pa.count_t() RETURNS bigint LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'SELECT count(*) FROM regress_pa.t';
RESET ROLE;
GRANT USAGE ON SCHEMA regress_pa TO regress_other;
GRANT EXECUTE ON FUNCTION regress_pa.count_t() TO regress_other;
SELECT tec_publish_api('regress_pa.count_t()', 'regress_pb');
SET SESSION AUTHORIZATION regress_other;
SELECT regress_pa.count_t();
RESET SESSION AUTHORIZATION;
UPDATE pg_authid SET rolbypassrls = true WHERE rolname = 'regress_other';
SET SESSION AUTHORIZATION regress_other;
SELECT regress_pa.count_t();
RESET SESSION AUTHORIZATION;
UPDATE pg_authid SET rolbypassrls = false WHERE rolname = 'regress_other';

-- Forced anyway: grants made in a database where the domain does not exist.
\c postgres
GRANT pg_signal_backend TO regress_app;
GRANT SET ON PARAMETER log_min_messages TO regress_crew;
ALTER DATABASE :"db" OWNER TO regress_pa_owner;
\c :db
\set SHOW_CONTEXT never
SET SESSION AUTHORIZATION regress_app;
SELECT * FROM regress_pa.t;
RESET SESSION AUTHORIZATION;
REVOKE pg_signal_backend FROM regress_app;
SET SESSION AUTHORIZATION regress_app;
SELECT * FROM regress_pa.t;		-- still: it has SET on log_min_messages through regress_crew
RESET SESSION AUTHORIZATION;
REVOKE SET ON PARAMETER log_min_messages FROM regress_crew;
SET SESSION AUTHORIZATION regress_app;
SELECT * FROM regress_pa.t;
RESET SESSION AUTHORIZATION;
SET ROLE regress_pa_owner;		-- which owns the database
SELECT * FROM regress_pa.t;
RESET ROLE;
ALTER DATABASE :"db" OWNER TO CURRENT_USER;
SET ROLE regress_pa_owner;
SELECT * FROM regress_pa.t;
RESET ROLE;

-- The extension's settings: superusers only, whatever was granted.  The
-- grant is forced into the catalog (GRANT refuses it, above).
INSERT INTO pg_parameter_acl (oid, parname, paracl)
VALUES (987654, 'tec_sovereignty.audit', ('{regress_ops=sA/' || current_user || '}')::aclitem[]),
	   (987655, 'tec_sovereignty.privileged_access', ('{regress_ops=s/' || current_user || '}')::aclitem[]);
SET ROLE regress_ops;
SET tec_sovereignty.audit = 'none';
SELECT set_config('tec_sovereignty.privileged_access', 'audit', false);
ALTER ROLE regress_ops SET tec_sovereignty.audit = 'none';
ALTER SYSTEM SET tec_sovereignty.audit = 'none';
SHOW tec_sovereignty.audit;
RESET ROLE;
SET tec_sovereignty.audit = 'all';		-- a superuser may
RESET tec_sovereignty.audit;
DELETE FROM pg_parameter_acl WHERE oid IN (987654, 987655);

-- clean up
REVOKE SET ON PARAMETER log_min_messages FROM regress_ops;
SELECT tec_drop_domain('regress_pa', force => true);
SELECT tec_drop_domain('regress_pb', force => true);
DROP ROLE regress_app, regress_other, regress_ops, regress_crew, regress_admin, regress_y;
