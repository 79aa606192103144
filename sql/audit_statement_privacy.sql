--
-- audit_statement_privacy: a row about one domain's object may hold the
-- statement another domain's session ran, with its literals.  The object's
-- owner reads the row without that statement; the auditor and superusers
-- read it all; tec_audit_verify still checks the real text.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_pa');
SELECT tec_create_domain('regress_pl');
CREATE ROLE regress_pa_boss LOGIN;
CREATE ROLE regress_pl_boss LOGIN;
CREATE ROLE regress_pl_app LOGIN;
CREATE ROLE regress_pv_auditor LOGIN IN ROLE tec_auditor;
SELECT tec_add_member('regress_pa', 'regress_pa_boss', 'owner');
SELECT tec_add_member('regress_pl', 'regress_pl_boss', 'owner');
SELECT tec_add_member('regress_pl', 'regress_pl_app', 'writer');
SET ROLE regress_pa_owner;
CREATE TABLE regress_pa.t (k text);
CREATE FUNCTION regress_pa.api(k text) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = regress_pa, pg_temp
	AS 'SELECT count(*) FROM regress_pa.t WHERE t.k = api.k';
RESET ROLE;
SELECT tec_publish_api('regress_pa.api(text)'::regprocedure, 'regress_pl');
SELECT tec_audit_flush();
SELECT max(seq) + 1 AS mark FROM tec_sovereignty.audit_log \gset

-- the domain's own session, with a literal
\c - regress_pa_boss
SELECT count(*) FROM regress_pa.t WHERE k = 'pa-own-literal';

-- life's sessions: a call of the API and a refused attempt, both with
-- literals, both recorded in rows about regress_pa's objects
\c - regress_pl_app
SELECT regress_pa.api('pl-api-literal');
SELECT count(*) FROM regress_pa.t WHERE k = 'pl-refused-literal';
\c - postgres
SELECT tec_audit_flush();

-- The superuser reads every statement.
SELECT actor_domain, object_domain, action, decision, statement
  FROM tec_sovereignty.audit_trail
 WHERE seq >= :mark AND object_domain = 'regress_pa' AND action <> 'SET ROLE' ORDER BY seq;

-- regress_pa's owner: its own statement, life's withheld, in the trail and
-- in violations; the statement column of the table is not its to read.
SET ROLE regress_pa_boss;
SELECT actor_domain, object_domain, action, decision, via_api, statement
  FROM tec_sovereignty.audit_trail
 WHERE seq >= :mark AND action <> 'SET ROLE' ORDER BY seq;
SELECT actor_domain, action, statement FROM tec_sovereignty.violations
 WHERE seq >= :mark;
SELECT count(*) AS rows_seen FROM tec_sovereignty.audit_log
 WHERE seq >= :mark AND object_domain = 'regress_pa' AND action <> 'SET ROLE';
SELECT statement FROM tec_sovereignty.audit_log WHERE seq >= :mark;
SELECT * FROM tec_sovereignty.audit_log WHERE seq >= :mark;
SELECT count(*) AS leaked FROM tec_sovereignty.audit_trail WHERE statement LIKE '%pl-%-literal%';
RESET ROLE;

-- life's owner: none of regress_pa's rows, so none of these statements.
SET ROLE regress_pl_boss;
SELECT count(*) AS rows_about_pa FROM tec_sovereignty.audit_trail WHERE object_domain = 'regress_pa';
RESET ROLE;

-- The auditor reads them all, and the chain verifies.
SET ROLE regress_pv_auditor;
SELECT count(*) AS life_statements FROM tec_sovereignty.audit_trail
 WHERE seq >= :mark AND statement LIKE '%pl-%-literal%';
SELECT count(*) AS in_table FROM tec_sovereignty.audit_log
 WHERE seq >= :mark AND statement LIKE '%pl-%-literal%';
SELECT domain, ok FROM tec_audit_verify('regress_pa');
RESET ROLE;

SELECT tec_drop_domain('regress_pa', force => true);
SELECT tec_drop_domain('regress_pl', force => true);
DROP ROLE regress_pa_boss, regress_pl_boss, regress_pl_app, regress_pv_auditor;
