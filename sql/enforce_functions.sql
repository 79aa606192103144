--
-- enforce_functions: functions, procedures, triggers, rules and views as
-- ways across domains.
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
CREATE FUNCTION regress_eb.peek() RETURNS SETOF text LANGUAGE sql
	AS 'SELECT v FROM regress_eb.secret ORDER BY id';
CREATE FUNCTION regress_eb.peek_definer() RETURNS SETOF text LANGUAGE sql
	SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'SELECT v FROM regress_eb.secret ORDER BY id';
CREATE PROCEDURE regress_eb.wipe() LANGUAGE sql AS 'DELETE FROM regress_eb.secret';
CREATE FUNCTION regress_eb.trig() RETURNS trigger LANGUAGE plpgsql
	AS $$BEGIN NEW.v := upper(NEW.v); RETURN NEW; END$$;
CREATE FUNCTION regress_eb.plus(int, int) RETURNS int LANGUAGE sql AS 'SELECT $1 + $2';
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA regress_eb TO regress_eb_writer;
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA regress_eb TO regress_eb_writer;
RESET ROLE;
-- every privilege granted to the other domain, by a superuser
GRANT USAGE ON SCHEMA regress_eb TO regress_alice, regress_ea_owner;
GRANT ALL ON ALL TABLES IN SCHEMA regress_eb TO regress_alice, regress_ea_owner;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA regress_eb TO regress_alice, regress_ea_owner;
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA regress_eb TO regress_alice, regress_ea_owner;

-- The owning domain can.
SET SESSION AUTHORIZATION regress_bob;
SELECT regress_eb.peek();
SELECT regress_eb.peek_definer();
SELECT regress_eb.plus(1, 2);
RESET SESSION AUTHORIZATION;

-- Another domain cannot: not by name ...
SET SESSION AUTHORIZATION regress_alice;
SELECT regress_eb.peek();
CALL regress_eb.wipe();
RESET SESSION AUTHORIZATION;

-- ... nor through objects that hold oids: a superuser builds the paths
-- (a view, an operator, a trigger, a rule, a function) outside the domain.
CREATE VIEW public.regress_fview AS SELECT regress_eb.peek() AS v;
CREATE OPERATOR public.## (LEFTARG = int, RIGHTARG = int, FUNCTION = regress_eb.plus);
CREATE FUNCTION public.regress_wrap() RETURNS SETOF text LANGUAGE sql
	AS 'SELECT regress_eb.peek_definer()';
CREATE PROCEDURE public.regress_wrap_call() LANGUAGE sql AS 'CALL regress_eb.wipe()';
GRANT SELECT ON public.regress_fview TO PUBLIC;
SET ROLE regress_ea_owner;
CREATE TABLE regress_ea.t (id int, v text);
RESET ROLE;
CREATE TRIGGER t_upper BEFORE INSERT ON regress_ea.t
	FOR EACH ROW EXECUTE FUNCTION regress_eb.trig();
CREATE RULE r_copy AS ON INSERT TO regress_ea.t
	DO ALSO INSERT INTO regress_eb.secret VALUES (NEW.id, NEW.v);
GRANT INSERT, SELECT ON regress_ea.t TO regress_ea_writer;

SET SESSION AUTHORIZATION regress_alice;
SELECT * FROM public.regress_fview;
SELECT 1 OPERATOR(public.##) 2;
SELECT public.regress_wrap();
CALL public.regress_wrap_call();
INSERT INTO regress_ea.t VALUES (7, 'seven');		-- the trigger
RESET SESSION AUTHORIZATION;
DROP TRIGGER t_upper ON regress_ea.t;
SET SESSION AUTHORIZATION regress_alice;
INSERT INTO regress_ea.t VALUES (7, 'seven');		-- the rule
RESET SESSION AUTHORIZATION;
DROP RULE r_copy ON regress_ea.t;
SET SESSION AUTHORIZATION regress_alice;
INSERT INTO regress_ea.t VALUES (7, 'seven');
SELECT * FROM regress_ea.t;
RESET SESSION AUTHORIZATION;

-- The owning domain goes through the same paths.
SET SESSION AUTHORIZATION regress_bob;
SELECT * FROM public.regress_fview;
SELECT 1 OPERATOR(public.##) 2;
RESET SESSION AUTHORIZATION;

-- Nothing changed in regress_eb.
SELECT * FROM regress_eb.secret ORDER BY id;

DROP VIEW public.regress_fview;
DROP OPERATOR public.## (int, int);
DROP FUNCTION public.regress_wrap();
DROP PROCEDURE public.regress_wrap_call();
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
