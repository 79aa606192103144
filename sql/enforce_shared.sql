--
-- enforce_shared: a shared table outside every domain, protected by
-- tec_protect_shared_table(): each domain sees and writes its own rows.
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
CREATE TABLE public.regress_payment (id int PRIMARY KEY, domain text NOT NULL, amount int);
INSERT INTO public.regress_payment VALUES (1, 'regress_ea', 10), (2, 'regress_eb', 20), (3, 'regress_eb', 30);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.regress_payment TO PUBLIC;
SELECT tec_protect_shared_table('public.regress_payment', 'domain');
SELECT table_schema, table_name, domain_column FROM tec_sovereignty.shared_table;

SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM public.regress_payment ORDER BY id;
INSERT INTO public.regress_payment VALUES (4, 'regress_ea', 40);
INSERT INTO public.regress_payment VALUES (5, 'regress_eb', 50);
UPDATE public.regress_payment SET domain = 'regress_eb' WHERE id = 1;
UPDATE public.regress_payment SET amount = 0 WHERE domain = 'regress_eb';
DELETE FROM public.regress_payment WHERE domain = 'regress_eb';
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_bob;
SELECT * FROM public.regress_payment ORDER BY id;
RESET SESSION AUTHORIZATION;

-- A non-domain role sees nothing; a superuser sees all (privileged).
CREATE ROLE regress_nobody;
SET ROLE regress_nobody;
SELECT count(*) FROM public.regress_payment;
RESET ROLE;
SELECT count(*) FROM public.regress_payment;

-- BYPASSRLS does not free a domain role, even when a superuser forces it
-- past the refusal of ALTER ROLE (enforce_role_powers) by a catalog update.
UPDATE pg_authid SET rolbypassrls = true WHERE rolname = 'regress_alice';
SET SESSION AUTHORIZATION regress_alice;
SELECT count(*) FROM public.regress_payment;
RESET SESSION AUTHORIZATION;
ALTER ROLE regress_alice NOBYPASSRLS;

-- The protections stay: the table's owner cannot lift them.
ALTER TABLE public.regress_payment OWNER TO regress_nobody;
SET ROLE regress_nobody;
ALTER TABLE public.regress_payment DISABLE ROW LEVEL SECURITY;
ALTER TABLE public.regress_payment NO FORCE ROW LEVEL SECURITY;
DROP POLICY tsov_domain_rows ON public.regress_payment;
ALTER POLICY tsov_domain_rows ON public.regress_payment USING (true);
CREATE POLICY open_all ON public.regress_payment USING (true);
RESET ROLE;
ALTER TABLE public.regress_payment OWNER TO postgres;

-- Bad input.
SELECT tec_protect_shared_table(NULL, 'domain');
SELECT tec_protect_shared_table('public.regress_payment', 'nope');
SELECT tec_protect_shared_table('public.regress_payment', 'amount');
SELECT tec_protect_shared_table('regress_eb.secret', 'v');
SET ROLE regress_eb_owner;
SELECT tec_protect_shared_table('public.regress_payment', 'domain');
RESET ROLE;

DROP TABLE public.regress_payment;
DELETE FROM tec_sovereignty.shared_table;
DROP ROLE regress_nobody;
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
