--
-- enforce_sequences: nextval/setval/currval are function calls taking a
-- regclass; column defaults and serial columns of another domain.
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
SET ROLE regress_eb_owner;
CREATE SEQUENCE regress_eb.counter;
RESET ROLE;
GRANT USAGE ON SCHEMA regress_eb TO regress_alice, regress_ea_owner;
GRANT ALL ON SEQUENCE regress_eb.counter TO regress_alice, regress_ea_owner;

-- The owning domain can.
SET SESSION AUTHORIZATION regress_bob;
SELECT nextval('regress_eb.counter');
SELECT currval('regress_eb.counter');
SET ROLE regress_eb_owner;
SELECT setval('regress_eb.counter', 10, false);
RESET ROLE;
RESET SESSION AUTHORIZATION;

-- Another domain cannot, whether named ...
SET SESSION AUTHORIZATION regress_alice;
SELECT nextval('regress_eb.counter');
SELECT setval('regress_eb.counter', 1);
SELECT currval('regress_eb.counter');
SELECT nextval('regress_eb.counter'::text::regclass);
RESET SESSION AUTHORIZATION;

-- ... or reached through a default or a regclass constant a superuser wrote.
SET ROLE regress_ea_owner;
CREATE TABLE regress_ea.t (id int);
RESET ROLE;
ALTER TABLE regress_ea.t ALTER id SET DEFAULT nextval('regress_eb.counter');
GRANT INSERT ON regress_ea.t TO regress_ea_writer;
CREATE FUNCTION public.regress_next() RETURNS bigint LANGUAGE sql
	AS $$SELECT nextval('regress_eb.counter'::regclass)$$;
SET SESSION AUTHORIZATION regress_alice;
INSERT INTO regress_ea.t DEFAULT VALUES;
SELECT public.regress_next();
RESET SESSION AUTHORIZATION;

-- The sequence did not move.
SELECT last_value FROM regress_eb.counter;

DROP FUNCTION public.regress_next();
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
