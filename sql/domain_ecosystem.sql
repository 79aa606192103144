--
-- domain_ecosystem: the 24 domains of the design, with their templates.
--
\set SHOW_CONTEXT never
SELECT count(*) AS created FROM tec_create_ecosystem();
SELECT name, template, state, owner, members, tables
  FROM tec_sovereignty.domains
 WHERE name IN (SELECT domain FROM tec_sovereignty.ecosystem())
 ORDER BY name;

-- Idempotent: a second call creates nothing.
SELECT * FROM tec_create_ecosystem();

-- A missing domain is recreated, the others are skipped.
SELECT tec_drop_domain('nx', force => true);
SELECT * FROM tec_create_ecosystem();

-- Catalog footprint of the 24 domains.
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname IN (SELECT domain FROM tec_sovereignty.ecosystem());
SELECT count(*) AS roles FROM pg_roles r JOIN tec_sovereignty.domain d
	ON r.rolname IN (d.owner_role, d.writer_role, d.reader_role);
SELECT c.relkind, count(*) FROM pg_class c
 WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN (SELECT domain FROM tec_sovereignty.ecosystem()))
 GROUP BY 1 ORDER BY 1;

-- clean up
SELECT count(*) AS dropped
  FROM (SELECT tec_drop_domain(domain, force => true) FROM tec_sovereignty.ecosystem()) s;
SELECT count(*) AS left_over FROM tec_sovereignty.domain;
