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

-- ... or computed while the statement runs: an OID read from the catalog,
-- a PL/pgSQL variable (a simple expression too), a SQL function the
-- planner would inline, a procedure's argument.
CREATE FUNCTION public.regress_bump(r regclass) RETURNS bigint LANGUAGE sql
	AS 'SELECT nextval(r)';
CREATE FUNCTION public.regress_bump_atomic(r regclass) RETURNS bigint LANGUAGE sql
	BEGIN ATOMIC SELECT pg_catalog.nextval(r); END;
CREATE FUNCTION public.regress_pick() RETURNS regclass LANGUAGE sql STABLE
	AS $$SELECT c.oid::regclass FROM pg_class c WHERE c.relname = 'counter'$$;
CREATE PROCEDURE public.regress_take(v bigint) LANGUAGE plpgsql
	AS $$BEGIN RAISE NOTICE 'took %', v; END$$;
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset
SET SESSION AUTHORIZATION regress_alice;
SELECT nextval(c.oid) FROM pg_class c WHERE c.relname = 'counter';
SELECT setval(c.oid, 100) FROM pg_class c WHERE c.relname = 'counter';
SELECT setval(c.oid, 100, false) FROM pg_class c WHERE c.relname = 'counter';
SELECT currval(c.oid) FROM pg_class c WHERE c.relname = 'counter';
SELECT pg_sequence_last_value(c.oid) FROM pg_class c WHERE c.relname = 'counter';
SELECT nextval(public.regress_pick());
DO $$DECLARE r regclass := public.regress_pick(); v bigint;
BEGIN v := nextval(r); END$$;
DO $$DECLARE r regclass := public.regress_pick();
BEGIN PERFORM setval(r, 1); END$$;
SELECT public.regress_bump(public.regress_pick());
SELECT public.regress_bump_atomic(public.regress_pick());
CALL public.regress_take(nextval(public.regress_pick()));
RESET SESSION AUTHORIZATION;
SELECT action, decision, actor_domain, object_domain, object_schema, object_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;
SELECT last_value FROM regress_eb.counter;
-- The owning domain can, by every one of those paths.
SET SESSION AUTHORIZATION regress_bob;
SELECT nextval(c.oid) FROM pg_class c WHERE c.relname = 'counter';
SELECT currval(c.oid) FROM pg_class c WHERE c.relname = 'counter';
SELECT pg_sequence_last_value(c.oid) FROM pg_class c WHERE c.relname = 'counter';
DO $$DECLARE r regclass := public.regress_pick(); v bigint;
BEGIN v := nextval(r); RAISE NOTICE 'next %', v; END$$;
SELECT public.regress_bump(public.regress_pick());
SELECT public.regress_bump_atomic(public.regress_pick());
CALL public.regress_take(nextval(public.regress_pick()));
RESET SESSION AUTHORIZATION;
SET ROLE regress_eb_owner;
SELECT setval(c.oid, 10, false) FROM pg_class c WHERE c.relname = 'counter';
RESET ROLE;
-- COPY FROM evaluates the defaults of the columns it is not given outside
-- the planner: they are checked when COPY starts.
ALTER TABLE regress_ea.t ADD COLUMN n bigint;
ALTER TABLE regress_ea.t ALTER n SET DEFAULT nextval(public.regress_pick());
SET SESSION AUTHORIZATION regress_alice;
COPY regress_ea.t (n) FROM STDIN;
1
\.
COPY regress_ea.t (id) FROM STDIN;
1
\.
COPY regress_ea.t (id, n) FROM STDIN;
7	7
\.
COPY regress_ea.t FROM STDIN;
8	8
\.
RESET SESSION AUTHORIZATION;
SELECT * FROM regress_ea.t ORDER BY id;
ALTER TABLE regress_ea.t ALTER n DROP DEFAULT;
DROP PROCEDURE public.regress_take(bigint);
DROP FUNCTION public.regress_bump(regclass), public.regress_bump_atomic(regclass),
	public.regress_pick();

-- Only the owning domain moved the sequence.
SELECT last_value FROM regress_eb.counter;

DROP FUNCTION public.regress_next();
-- clean up
SELECT tec_drop_domain('regress_eb', force => true);
SELECT tec_drop_domain('regress_ea', force => true);
DROP ROLE regress_alice, regress_bob;
