--
-- enforce_notify: LISTEN, NOTIFY and pg_notify() name channels of the whole
-- database.  A domain's channels are named after it ("d" or "d_..."): the
-- domain uses them, another domain can neither listen to them nor notify
-- them, and a domain session uses no channel of no domain.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_na');
SELECT tec_create_domain('regress_nb');
SELECT tec_create_domain('regress_na_x');
CREATE ROLE regress_nal LOGIN;
CREATE ROLE regress_nbob LOGIN;
CREATE ROLE regress_nnone LOGIN;
SELECT tec_add_member('regress_na', 'regress_nal', 'writer');
SELECT tec_add_member('regress_nb', 'regress_nbob', 'writer');
SELECT tec_audit_flush() AS flushed \gset
SELECT COALESCE(max(seq), 0) AS mark FROM tec_sovereignty.audit_log \gset

-- The own domain's channels.
SET SESSION AUTHORIZATION regress_nal;
LISTEN regress_na;
LISTEN regress_na_events;
SELECT pg_listening_channels() ORDER BY 1;
UNLISTEN *;
NOTIFY regress_na_events, 'hello';
SELECT pg_notify('regress_na_events', 'hello');
DO $$DECLARE ch text := 'regress_na_' || 'jobs'; BEGIN PERFORM pg_notify(ch, 'x'); END$$;
-- Another domain's, whatever the spelling: refused.
LISTEN regress_nb_events;
NOTIFY regress_nb_events, 'spoof';
SELECT pg_notify('regress_nb_events', 'spoof');
SELECT pg_notify(c, 'spoof') FROM (VALUES ('regress_nb')) v(c);
DO $$DECLARE ch text := 'regress_nb_' || 'jobs'; BEGIN PERFORM pg_notify(ch, 'x'); END$$;
-- The longest domain name wins: regress_na_x_... is regress_na_x's.
LISTEN regress_na_x_events;
-- A channel of no domain would let two domains talk: refused too.
LISTEN shared_events;
SELECT pg_notify('shared_events', 'x');
SELECT pg_notify('REGRESS_NA_events', 'x');
-- UNLISTEN only stops what the session started.
UNLISTEN regress_nb_events;
SELECT pg_listening_channels();
RESET SESSION AUTHORIZATION;

-- The other domain uses its own.
SET SESSION AUTHORIZATION regress_nbob;
LISTEN regress_nb_events;
UNLISTEN regress_nb_events;
SELECT pg_notify('regress_nb_events', 'ok');
LISTEN regress_na_events;
RESET SESSION AUTHORIZATION;

-- A role of no domain: a domain's channels are the domain's objects; the
-- other channels are PostgreSQL's.
SET SESSION AUTHORIZATION regress_nnone;
LISTEN regress_na_events;
SELECT pg_notify('regress_na_events', 'x');
LISTEN shared_events;
UNLISTEN *;
SELECT pg_notify('shared_events', 'x');
RESET SESSION AUTHORIZATION;
-- Superusers, as in PostgreSQL.
LISTEN regress_na_events;
UNLISTEN *;
SELECT pg_notify('regress_nb_events', 'admin');

SELECT action, decision, actor_domain, object_domain, object_name, reason
  FROM tec_sovereignty.audit_log WHERE seq > :mark AND decision = 'denied' ORDER BY seq;

-- clean up
SELECT tec_drop_domain('regress_na_x', force => true);
SELECT tec_drop_domain('regress_nb', force => true);
SELECT tec_drop_domain('regress_na', force => true);
DROP ROLE regress_nal, regress_nbob, regress_nnone;
