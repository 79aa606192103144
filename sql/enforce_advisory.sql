--
-- enforce_advisory: advisory lock keys are database-wide in PostgreSQL, so
-- one domain could hold another's migration lock (Prisma Migrate takes
-- pg_advisory_lock(72707369)).  A domain session's keys live in the
-- domain's own key space; sessions of one domain still exclude each other.
-- Three sessions, through dblink: two of domain regress_la, one of
-- regress_lb.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_la');
SELECT tec_create_domain('regress_lb');
CREATE ROLE regress_lal LOGIN;
CREATE ROLE regress_lal2 LOGIN;
CREATE ROLE regress_lbob LOGIN;
SELECT tec_add_member('regress_la', 'regress_lal', 'owner');
SELECT tec_add_member('regress_la', 'regress_lal2', 'writer');
SELECT tec_add_member('regress_lb', 'regress_lbob', 'owner');
CREATE EXTENSION dblink;
CREATE FUNCTION pg_temp.conn(name text, who text) RETURNS text LANGUAGE sql AS $$
	SELECT dblink_connect(name, format('host=%s port=%s dbname=%s user=%s',
		current_setting('unix_socket_directories'), current_setting('port'),
		current_database(), who))
$$;
CREATE FUNCTION pg_temp.q(name text, sql text) RETURNS text LANGUAGE sql AS $$
	SELECT v FROM dblink(name, sql) AS t(v text)
$$;
SELECT pg_temp.conn('a1', 'regress_lal'), pg_temp.conn('a2', 'regress_lal2'),
	   pg_temp.conn('b', 'regress_lbob');
SELECT oid AS la_nsp FROM pg_namespace WHERE nspname = 'regress_la' \gset

-- Prisma Migrate's key, in regress_la: the other session of regress_la waits
-- for it, regress_lb does not, nor does a session of no domain.
SELECT pg_temp.q('a1', 'SELECT pg_advisory_lock(72707369)::text') AS a1_locks;
SELECT pg_temp.q('a2', 'SELECT pg_try_advisory_lock(72707369)::text') AS a2_same_domain;
SELECT pg_temp.q('b', 'SELECT pg_try_advisory_lock(72707369)::text') AS b_other_domain;
SELECT pg_try_advisory_lock(72707369) AS superuser;
SELECT pg_advisory_unlock(72707369);
-- The key regress_la holds, as pg_locks shows it (classid: the domain's
-- schema): regress_lb cannot name it either.
SELECT l.classid = :la_nsp AS in_la_space, l.objid, l.objsubid
  FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
   AND l.pid = pg_temp.q('a1', 'SELECT pg_backend_pid()::text')::int;
SELECT pg_temp.q('b', format('SELECT pg_try_advisory_lock(%s)::text',
	(:la_nsp::bigint << 32) | 72707369)) AS b_raw_key;
-- The (int, int) keys and the shared and transaction-level locks too.
SELECT pg_temp.q('a1', 'SELECT pg_advisory_lock_shared(1, 2)::text') AS a1_shared;
SELECT pg_temp.q('a2', 'SELECT pg_try_advisory_lock(1, 2)::text') AS a2_exclusive;
SELECT pg_temp.q('a2', 'SELECT pg_try_advisory_lock_shared(1, 2)::text') AS a2_shared;
SELECT pg_temp.q('b', 'SELECT pg_try_advisory_lock(1, 2)::text') AS b_exclusive;
SELECT pg_temp.q('a2', 'SELECT pg_try_advisory_xact_lock(72707369)::text') AS a2_xact;
-- A key computed at run time, in PL/pgSQL: the same space.
SELECT pg_temp.q('a2', $$SELECT (SELECT pg_try_advisory_lock(k) FROM (VALUES (72707369::bigint)) v(k))::text$$) AS a2_computed;
SELECT dblink_exec('a2', 'DO $d$DECLARE k bigint := 72707369; BEGIN
	IF pg_try_advisory_lock(k) THEN RAISE EXCEPTION ''got another session''''s lock''; END IF; END$d$');
-- Unlocking works in the space the lock was taken in.
SELECT pg_temp.q('a1', 'SELECT pg_advisory_unlock(72707369)::text') AS a1_unlocks;
SELECT pg_temp.q('a2', 'SELECT pg_try_advisory_lock(72707369)::text') AS a2_now;
SELECT pg_temp.q('a2', 'SELECT pg_advisory_unlock_all()::text');
SELECT pg_temp.q('a1', 'SELECT pg_advisory_unlock_all()::text');
SELECT pg_temp.q('b', 'SELECT pg_advisory_unlock_all()::text');
SELECT count(*) AS left_over FROM pg_locks WHERE locktype = 'advisory';

-- A CHECK constraint calling the built-in is evaluated without the
-- planner: refused to a domain role instead of taking a raw key.
SET ROLE regress_lb_owner;
CREATE TABLE regress_lb.grab (k bigint CHECK (pg_try_advisory_lock(k)));
RESET ROLE;
SELECT pg_temp.q('b', 'WITH i AS (INSERT INTO regress_lb.grab VALUES (72707369) RETURNING 1) SELECT count(*)::text FROM i');

SELECT dblink_disconnect('a1'), dblink_disconnect('a2'), dblink_disconnect('b');
DROP EXTENSION dblink;
SELECT tec_drop_domain('regress_lb', force => true);
SELECT tec_drop_domain('regress_la', force => true);
DROP ROLE regress_lal, regress_lal2, regress_lbob;
