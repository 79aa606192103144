--
-- enforce_api: the only way across domains is a published API.
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
SELECT tec_create_domain('regress_ec');
CREATE ROLE regress_carl LOGIN;
SELECT tec_add_member('regress_ec', 'regress_carl', 'writer');
SET ROLE regress_eb_owner;
CREATE FUNCTION regress_eb.count_secrets() RETURNS bigint LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, regress_eb, pg_temp
	AS 'SELECT count(*) FROM secret';
CREATE FUNCTION regress_eb.add_secret(p_id int, p_v text) RETURNS void LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, regress_eb, pg_temp
	AS 'INSERT INTO secret VALUES (p_id, p_v)';
CREATE FUNCTION regress_eb.invoker() RETURNS bigint LANGUAGE sql
	SET search_path = pg_catalog, pg_temp AS 'SELECT count(*) FROM regress_eb.secret';
CREATE FUNCTION regress_eb.no_path() RETURNS bigint LANGUAGE sql
	SECURITY DEFINER AS 'SELECT count(*) FROM regress_eb.secret';
CREATE FUNCTION regress_eb.helper() RETURNS bigint LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'SELECT 42::bigint';
RESET ROLE;
CREATE FUNCTION regress_eb.not_owned() RETURNS int LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'SELECT 1';
-- everything granted by a superuser: only the extension stands in the way
GRANT USAGE ON SCHEMA regress_eb TO regress_alice, regress_carl;
GRANT SELECT ON regress_eb.secret TO regress_alice;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA regress_eb TO regress_alice, regress_carl;

-- Before publishing: refused.
SET SESSION AUTHORIZATION regress_alice;
SELECT regress_eb.count_secrets();
RESET SESSION AUTHORIZATION;

-- The domain owner publishes to regress_ea (EXECUTE on tec_publish_api is
-- granted to it by a DBA).
GRANT EXECUTE ON FUNCTION tec_publish_api(regprocedure, text), tec_revoke_api(regprocedure, text) TO regress_eb_owner, regress_ea_owner;
SET ROLE regress_eb_owner;
SELECT tec_publish_api('regress_eb.count_secrets()', 'regress_ea');
SELECT tec_publish_api('regress_eb.add_secret(int, text)', 'regress_ea');
SELECT tec_publish_api('regress_eb.count_secrets()', 'regress_ea');	-- idempotent
RESET ROLE;
SELECT domain, function_signature, to_domain FROM tec_sovereignty.api ORDER BY 2, 3;

-- regress_ea calls it; it runs as regress_eb and may touch regress_eb.
SET SESSION AUTHORIZATION regress_alice;
SELECT regress_eb.count_secrets();
SELECT regress_eb.add_secret(3, 'added through the API');
-- names of regress_eb now resolve for regress_ea, but only the API opens:
SELECT * FROM regress_eb.secret;
SELECT regress_eb.helper();
RESET SESSION AUTHORIZATION;
-- other domains are still refused
SET SESSION AUTHORIZATION regress_carl;
SELECT regress_eb.count_secrets();
RESET SESSION AUTHORIZATION;
-- to every domain
SELECT tec_publish_api('regress_eb.helper()');
SET SESSION AUTHORIZATION regress_carl;
SELECT regress_eb.helper();
RESET SESSION AUTHORIZATION;
SELECT * FROM regress_eb.secret ORDER BY id;

-- Unsafe functions are refused.
SELECT tec_publish_api('regress_eb.invoker()', 'regress_ea');
SELECT tec_publish_api('regress_eb.no_path()', 'regress_ea');
SELECT tec_publish_api('regress_eb.not_owned()', 'regress_ea');
-- and an API made unsafe afterwards stops working
SET ROLE regress_eb_owner;
ALTER FUNCTION regress_eb.count_secrets() SECURITY INVOKER;
RESET ROLE;
SET SESSION AUTHORIZATION regress_alice;
SELECT regress_eb.count_secrets();
RESET SESSION AUTHORIZATION;
SET ROLE regress_eb_owner;
ALTER FUNCTION regress_eb.count_secrets() SECURITY DEFINER;
RESET ROLE;

-- Only the function's domain owner (or a superuser) manages its APIs.
GRANT USAGE ON SCHEMA regress_eb TO regress_ea_owner;
SET ROLE regress_ea_owner;
SELECT tec_publish_api('regress_eb.helper()', 'regress_ec');
SELECT tec_revoke_api('regress_eb.count_secrets()', 'regress_ea');
RESET ROLE;

-- Bad input.
SELECT tec_publish_api(NULL);
SELECT tec_publish_api('regress_eb.nope()');
SELECT tec_publish_api('pg_catalog.now()', 'regress_ea');
SELECT tec_publish_api('regress_eb.helper()', 'regress_nope');
SELECT tec_publish_api('regress_eb.helper()', 'regress_eb');
SELECT tec_revoke_api('regress_eb.helper()', 'regress_ea');
SELECT tec_revoke_api(NULL, NULL);

-- Revoking closes the way again.
SET ROLE regress_eb_owner;
SELECT tec_revoke_api('regress_eb.count_secrets()', 'regress_ea');
RESET ROLE;
SELECT tec_revoke_api('regress_eb.helper()');
SET SESSION AUTHORIZATION regress_alice;
SELECT regress_eb.count_secrets();
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_carl;
SELECT regress_eb.helper();
RESET SESSION AUTHORIZATION;
SELECT domain, function_signature, to_domain FROM tec_sovereignty.api ORDER BY 2, 3;

REVOKE EXECUTE ON FUNCTION tec_publish_api(regprocedure, text), tec_revoke_api(regprocedure, text) FROM regress_eb_owner, regress_ea_owner;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA regress_eb FROM regress_alice, regress_carl;
REVOKE ALL ON regress_eb.secret FROM regress_alice;
REVOKE ALL ON SCHEMA regress_eb FROM regress_alice, regress_carl, regress_ea_owner;
SELECT tec_drop_domain('regress_ec', force => true);
DROP ROLE regress_carl;
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
