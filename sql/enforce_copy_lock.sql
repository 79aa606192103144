--
-- enforce_copy_lock: COPY TO/FROM, TRUNCATE and LOCK across domains, with
-- every privilege granted by a superuser.
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
GRANT USAGE ON SCHEMA regress_eb TO regress_alice;
GRANT ALL ON ALL TABLES IN SCHEMA regress_eb TO regress_alice;
-- alice may even resolve the names: regress_eb publishes an API to her domain
SET ROLE regress_eb_owner;
CREATE FUNCTION regress_eb.hello() RETURNS text LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS $$SELECT 'hello from eb'$$;
RESET ROLE;
SELECT tec_publish_api('regress_eb.hello()', 'regress_ea');

-- The owning domain can.
SET SESSION AUTHORIZATION regress_bob;
COPY regress_eb.secret TO STDOUT;
COPY regress_eb.secret FROM STDIN;
3	b-three
\.
COPY (SELECT count(*) FROM regress_eb.secret) TO STDOUT;
BEGIN;
LOCK TABLE regress_eb.secret IN ACCESS SHARE MODE;
COMMIT;
RESET SESSION AUTHORIZATION;

-- Another domain cannot.
SET SESSION AUTHORIZATION regress_alice;
SELECT regress_eb.hello();
COPY regress_eb.secret TO STDOUT;
COPY regress_eb.secret FROM STDIN;
9	a-was-here
\.
COPY (SELECT * FROM regress_eb.secret) TO STDOUT;
TRUNCATE regress_eb.secret;
BEGIN;
LOCK TABLE regress_eb.secret IN ACCESS EXCLUSIVE MODE;
ROLLBACK;
BEGIN;
LOCK TABLE regress_eb.secret IN ACCESS SHARE MODE;
ROLLBACK;
RESET SESSION AUTHORIZATION;
SELECT * FROM regress_eb.secret ORDER BY id;

-- Domain roles cannot reach server files, even when allowed to by PostgreSQL.
-- (forced past the refusal of the GRANT, enforce_role_powers, by a catalog insert)
INSERT INTO pg_auth_members (roleid, member, grantor, admin_option)
SELECT r.oid, 'regress_bob'::regrole, 'regress_bob'::regrole, false
  FROM pg_roles r WHERE r.rolname IN ('pg_write_server_files', 'pg_read_server_files');
SET SESSION AUTHORIZATION regress_bob;
COPY regress_eb.secret TO '/tmp/regress_tsov_copy.txt';
COPY regress_eb.secret FROM '/tmp/regress_tsov_copy.txt';
RESET SESSION AUTHORIZATION;
REVOKE pg_write_server_files, pg_read_server_files FROM regress_bob;

-- The owner truncates its own table.
SET SESSION AUTHORIZATION regress_bob;
TRUNCATE regress_eb.secret;
RESET SESSION AUTHORIZATION;
GRANT TRUNCATE ON regress_eb.secret TO regress_bob;
SET SESSION AUTHORIZATION regress_bob;
TRUNCATE regress_eb.secret;
SELECT count(*) FROM regress_eb.secret;
RESET SESSION AUTHORIZATION;

-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
