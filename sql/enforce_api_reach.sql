--
-- enforce_api_reach: publishing is all it takes to reach an API, with no
-- GRANT by hand (tec_publish_api gives the target domain USAGE on the
-- schema and EXECUTE on the function, and takes them back on revoke); a
-- cache rebuild in a session of the target domain never trips over the
-- publishing domain's schema.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_ra', 'financial');
SELECT tec_create_domain('regress_rb', 'financial');
CREATE ROLE regress_ra_app LOGIN;
SELECT tec_add_member('regress_ra', 'regress_ra_app', 'writer');
INSERT INTO regress_rb."Portfolio" ("userId", name, type, "totalValue") VALUES ('u1', 'Gold', 'COMMODITY', 100);
SET ROLE regress_rb_owner;
CREATE FUNCTION regress_rb.totals(user_id text) RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = regress_rb, pg_temp
AS $$ SELECT coalesce(sum("totalValue"), 0) FROM regress_rb."Portfolio" WHERE "userId" = user_id $$;
RESET ROLE;

-- Before publishing: nothing reaches it.
SET ROLE regress_ra_app;
SELECT regress_rb.totals('u1');
RESET ROLE;

SELECT tec_publish_api('regress_rb.totals(text)'::regprocedure, 'regress_ra');
SELECT has_schema_privilege('regress_ra_writer', 'regress_rb', 'USAGE') AS ra_usage,
	   has_schema_privilege('public', 'regress_rb', 'USAGE') AS public_usage;

-- Published: the call works; the tables stay closed; a denial does not
-- poison the statements after it (the domain cache is rebuilt as needed).
\c - regress_ra_app
SELECT regress_rb.totals('u1');
SELECT * FROM regress_rb."Portfolio";
SELECT count(*) FROM regress_ra."Portfolio";
SELECT regress_rb.totals('u1');
\c - postgres

-- To every domain, then withdrawn: PUBLIC keeps the USAGE every domain
-- schema grants it (the extension decides name lookups), EXECUTE goes.
SELECT tec_publish_api('regress_rb.totals(text)'::regprocedure);
SELECT has_schema_privilege('public', 'regress_rb', 'USAGE') AS public_usage;
SELECT tec_revoke_api('regress_rb.totals(text)'::regprocedure);
SELECT has_schema_privilege('regress_ra_writer', 'regress_rb', 'USAGE') AS ra_usage,
	   has_schema_privilege('public', 'regress_rb', 'USAGE') AS public_usage,
	   has_function_privilege('regress_ra_writer', 'regress_rb.totals(text)', 'EXECUTE') AS ra_execute,
	   has_schema_privilege('regress_rb_reader', 'regress_rb', 'USAGE') AS own_reader_keeps_usage;
\c - regress_ra_app
SELECT regress_rb.totals('u1');
\c - postgres

-- clean up
SELECT tec_drop_domain('regress_ra', force => true);
SELECT tec_drop_domain('regress_rb', force => true);
DROP ROLE regress_ra_app;
