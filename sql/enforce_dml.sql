--
-- enforce_dml: reads and writes across domains.  A superuser GRANTs domain
-- regress_eb's tables to a member of regress_ea, so that only the extension
-- stands in the way; the owning domain's member can, the other cannot.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ea');
SELECT tec_create_domain('regress_eb');
CREATE ROLE regress_alice LOGIN;
CREATE ROLE regress_bob LOGIN;
CREATE ROLE regress_nobody LOGIN;
SELECT tec_add_member('regress_ea', 'regress_alice', 'writer');
SELECT tec_add_member('regress_eb', 'regress_bob', 'writer');

SET ROLE regress_eb_owner;
CREATE TABLE regress_eb.secret (id int PRIMARY KEY, v text);
INSERT INTO regress_eb.secret VALUES (1, 'b-one'), (2, 'b-two');
CREATE VIEW regress_eb.secret_view AS SELECT id, v FROM regress_eb.secret;
RESET ROLE;
SET ROLE regress_ea_owner;
CREATE TABLE regress_ea.mine (id int PRIMARY KEY, v text);
INSERT INTO regress_ea.mine VALUES (1, 'a-one');
RESET ROLE;

-- Everything granted, by a superuser (audited as privileged; opens nothing).
GRANT USAGE ON SCHEMA regress_eb TO regress_alice, regress_nobody;
GRANT ALL ON ALL TABLES IN SCHEMA regress_eb TO regress_alice, regress_nobody;

-- The owning domain can.
SET SESSION AUTHORIZATION regress_bob;
SELECT * FROM regress_eb.secret ORDER BY id;
INSERT INTO regress_eb.secret VALUES (3, 'b-three');
UPDATE regress_eb.secret SET v = 'b-3' WHERE id = 3;
DELETE FROM regress_eb.secret WHERE id = 3;
MERGE INTO regress_eb.secret t USING (VALUES (2)) s(id) ON t.id = s.id
	WHEN MATCHED THEN UPDATE SET v = 'b-2';
SELECT * FROM regress_eb.secret_view ORDER BY id;
RESET SESSION AUTHORIZATION;

-- Another domain cannot, however it names the table.
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_eb.secret;
INSERT INTO regress_eb.secret VALUES (9, 'a-was-here');
UPDATE regress_eb.secret SET v = 'x';
DELETE FROM regress_eb.secret;
MERGE INTO regress_eb.secret t USING (VALUES (1)) s(id) ON t.id = s.id
	WHEN MATCHED THEN UPDATE SET v = 'x';
SELECT * FROM regress_eb.secret_view;
SET search_path = regress_eb, public;
SELECT * FROM secret;			-- the schema is skipped in the search path
RESET search_path;
WITH s AS (SELECT * FROM regress_eb.secret) SELECT * FROM s;
SELECT (SELECT v FROM regress_eb.secret WHERE id = 1);
SELECT 'regress_eb.secret'::regclass;
-- the own domain still works
SELECT * FROM regress_ea.mine;
RESET SESSION AUTHORIZATION;

-- A non-domain role cannot either.
SET SESSION AUTHORIZATION regress_nobody;
SELECT * FROM regress_eb.secret;
RESET SESSION AUTHORIZATION;

-- Paths that reach the table without naming it: relations behind a view
-- created by a superuser outside every domain, granted to everyone.
CREATE VIEW public.regress_leak AS SELECT * FROM regress_eb.secret;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.regress_leak TO PUBLIC;
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM public.regress_leak;
INSERT INTO public.regress_leak VALUES (9, 'x');
UPDATE public.regress_leak SET v = 'x';
DELETE FROM public.regress_leak;
-- cursors and prepared statements
BEGIN;
DECLARE c CURSOR FOR SELECT * FROM public.regress_leak;
ROLLBACK;
PREPARE p AS SELECT * FROM public.regress_leak;
EXECUTE p;
DEALLOCATE p;
-- dynamic SQL in plpgsql
DO $$BEGIN EXECUTE 'SELECT count(*) FROM public.regress_leak'; END$$;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_nobody;
SELECT * FROM public.regress_leak;
RESET SESSION AUTHORIZATION;
-- the owning domain reads through the same view
SET SESSION AUTHORIZATION regress_bob;
SELECT * FROM public.regress_leak ORDER BY id;
UPDATE public.regress_leak SET v = 'b-1' WHERE id = 1;
SELECT * FROM regress_eb.secret ORDER BY id;
RESET SESSION AUTHORIZATION;

-- A view created by the attacker's domain over the granted table: its
-- owner, regress_ea_owner, is checked for the table behind it.
GRANT USAGE ON SCHEMA regress_eb TO regress_ea_owner;
GRANT SELECT ON regress_eb.secret TO regress_ea_owner;
SET ROLE regress_ea_owner;
CREATE VIEW regress_ea.peek AS SELECT * FROM regress_eb.secret;
RESET ROLE;
-- (created by a superuser instead, it still runs as regress_ea_owner)
CREATE VIEW regress_ea.peek AS SELECT * FROM regress_eb.secret;
ALTER VIEW regress_ea.peek OWNER TO regress_ea_owner;
GRANT SELECT ON regress_ea.peek TO regress_ea_writer;
SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM regress_ea.peek;
RESET SESSION AUTHORIZATION;

-- Nothing changed.
SELECT * FROM regress_eb.secret ORDER BY id;

-- clean up
DROP VIEW public.regress_leak;
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob, regress_nobody;
