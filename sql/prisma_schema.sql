--
-- prisma_schema: tec_prisma_schema() writes a domain's schema.prisma from
-- the catalogs (the e2e tests run `prisma validate` and `prisma generate`
-- on the same output).
--
\set SHOW_CONTEXT never
SELECT count(*) AS created FROM tec_create_ecosystem();

-- One domain of each built-in template, in full.
\pset format unaligned
\pset tuples_only on
SELECT tec_prisma_schema(d)
  FROM unnest(ARRAY['life', 'insure', 'commerce', 'dx', 'epic', 'estate', 'connection', 'explorer', 'titan', 'tec']) d;
\pset format aligned
\pset tuples_only off

-- All 24: one model per table, every foreign key on both sides, and never
-- a word about another domain's schema.
SELECT d.domain,
	   (SELECT count(*) FROM regexp_matches(s, '^model ', 'gn')) AS models,
	   (SELECT count(*) FROM regexp_matches(s, '@relation\([^)]*fields:', 'g')) AS relation_fields,
	   (SELECT count(*) FROM pg_constraint c WHERE c.contype = 'f'
		   AND c.connamespace = d.domain::regnamespace) AS foreign_keys,
	   (SELECT array_agg(DISTINCT m[1]) FROM regexp_matches(s, '@@schema\("([^"]*)"\)', 'g') m) AS schemas,
	   (SELECT count(*) FROM tec_sovereignty.domain o
		 WHERE o.name <> d.domain AND s ~ ('"' || o.name || '"')) AS mentions_other_domains
  FROM tec_sovereignty.ecosystem() d, tec_prisma_schema(d.domain) s
 ORDER BY 1;

-- Names that are not Prisma identifiers, reserved names, collisions after
-- mapping, enums, unsupported types, composite keys, self relations, two
-- relations between the same models, a table without a unique key, index
-- kinds Prisma cannot describe, and a foreign key into another domain.
SELECT tec_create_domain('regress_prisma');
SET ROLE regress_prisma_owner;
SET search_path = regress_prisma;
CREATE TYPE "Status" AS ENUM ('ACTIVE', 'on hold', '1st', 'on-hold');
CREATE TYPE "enum" AS ENUM ('a', 'b');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE "User" (
	id serial PRIMARY KEY,
	email varchar(320) NOT NULL,
	code char(3),
	"1st name" text,
	first_name text,
	status "Status" NOT NULL DEFAULT 'on hold',
	statuses "Status"[],
	kind "enum",
	tags text[] NOT NULL DEFAULT '{}',
	scores int4[],
	karma positive_int,
	big bigint DEFAULT -5,
	small smallint DEFAULT 7,
	ratio real DEFAULT 1.5,
	price numeric,
	cash money,
	uid uuid NOT NULL DEFAULT gen_random_uuid(),
	doc json,
	data jsonb DEFAULT '{"a": 1}',
	blob bytea,
	flag boolean DEFAULT false,
	born date,
	wakes time(0),
	seen timestamptz(3) DEFAULT now(),
	seen_at timestamp DEFAULT '2020-01-01 00:00:00',
	span interval,
	range int4range,
	loc point,
	addr inet,
	note text DEFAULT 'it''s "quoted" \ back',
	upper_email text GENERATED ALWAYS AS (upper(email)) STORED,
	updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
	CONSTRAINT user_email_unique UNIQUE (email));
COMMENT ON TABLE "User" IS E'People.\nTwo lines.';
COMMENT ON COLUMN "User".email IS 'Login e-mail';
CREATE UNIQUE INDEX "User_uid_key" ON "User"(uid);
CREATE INDEX user_lower_email ON "User" (lower(email));
CREATE INDEX "User_born_idx" ON "User" (born DESC);
CREATE INDEX user_tags_gin ON "User" USING gin (tags);
CREATE INDEX user_code_hash ON "User" USING hash (code);
CREATE INDEX user_partial ON "User" (status) WHERE status = 'ACTIVE';
CREATE TABLE "Follow" (
	"followerId" int NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
	"followeeId" int NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
	since timestamp(3) NOT NULL DEFAULT now(),
	PRIMARY KEY ("followerId", "followeeId"));
CREATE TABLE "Category" (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	"parentId" bigint REFERENCES "Category"(id),
	name text NOT NULL);
CREATE TABLE "Profile" (
	"userId" int PRIMARY KEY REFERENCES "User"(id),
	bio text);
CREATE TABLE "my-table" (id int PRIMARY KEY);
CREATE TABLE my_table (id int PRIMARY KEY, "my-tableId" int REFERENCES "my-table"(id));
CREATE TABLE "class" (id int PRIMARY KEY, kind "enum" DEFAULT 'b');
CREATE TABLE "123" (id int PRIMARY KEY);
CREATE TABLE log_line (msg text, at timestamptz);
CREATE TABLE "Audit" ("lineMsg" text REFERENCES "User"(email),
	"userRef" int NOT NULL REFERENCES "User"(id) ON DELETE SET NULL);
CREATE TABLE "Spot" (id int PRIMARY KEY, loc point);
CREATE TABLE "Empty" ();
RESET ROLE;
RESET search_path;
-- Only a superuser can make a key that crosses domains; it is left out.
CREATE TABLE regress_prisma.crossref (id int PRIMARY KEY, life_id text REFERENCES life."Portfolio"(id));
\pset format unaligned
\pset tuples_only on
SELECT tec_prisma_schema('regress_prisma');
\pset format aligned
\pset tuples_only off
SET client_min_messages = warning;
SELECT tec_drop_domain('regress_prisma', force => true);
RESET client_min_messages;

-- Prisma 6 files (url = env(...) in the datasource, engineType = "client")
-- on request; Prisma Migrate's _prisma_migrations is never a model.
SET ROLE life_owner;
CREATE TABLE life._prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL);
RESET ROLE;
SELECT (SELECT count(*) FROM regexp_matches(tec_prisma_schema('life'), '^model ', 'gn')) AS models_7,
	   (SELECT count(*) FROM regexp_matches(tec_prisma_schema('life', prisma_version => 6), '^model ', 'gn')) AS models_6,
	   tec_prisma_schema('life') ~ '_prisma_migrations' AS mentions_migrations,
	   tec_prisma_schema('life') ~ 'url|engineType' AS has_url_7;
DROP TABLE life._prisma_migrations;
\pset format unaligned
\pset tuples_only on
SELECT left(tec_prisma_schema('life', prisma_version => 6), strpos(tec_prisma_schema('life', prisma_version => 6), '///') - 1);
\pset format aligned
\pset tuples_only off
-- Only 6 and 7.
SELECT tec_prisma_schema('life', prisma_version => 5);
SELECT tec_prisma_schema('life', prisma_version => NULL);

-- A domain without tables gets a valid file that says so.
SELECT tec_create_domain('regress_prisma_empty');
\pset format unaligned
\pset tuples_only on
SELECT tec_prisma_schema('regress_prisma_empty');
\pset format aligned
\pset tuples_only off
SELECT tec_drop_domain('regress_prisma_empty');

-- The shared schema.prisma covers the registered non-domain schemas.
CREATE SCHEMA regress_shared;
CREATE TABLE public.regress_user (id text PRIMARY KEY, "piId" text UNIQUE NOT NULL);
CREATE TABLE regress_shared.regress_user (id int PRIMARY KEY,
	owner text REFERENCES public.regress_user(id),
	portfolio text REFERENCES life."Portfolio"(id));
SELECT tec_register_shared_schema('regress_shared');
SELECT tec_register_shared_schema('regress_shared');	-- idempotent
SELECT name FROM tec_sovereignty.shared_schema ORDER BY name;
\pset format unaligned
\pset tuples_only on
SELECT tec_prisma_schema(NULL);
\pset format aligned
\pset tuples_only off

-- Bad input.
\set VERBOSITY verbose
SELECT tec_prisma_schema('no_such_domain');
SELECT tec_register_shared_schema('no_such_schema');
SELECT tec_register_shared_schema('life');
SELECT tec_register_shared_schema('pg_catalog');
SELECT tec_register_shared_schema('tec_sovereignty');
SELECT tec_register_shared_schema(NULL);
SELECT tec_unregister_shared_schema('no_such_schema');
SELECT tec_unregister_shared_schema('regress_shared');
SELECT tec_unregister_shared_schema('public');
SELECT tec_prisma_schema(NULL);
\set VERBOSITY default
SELECT tec_register_shared_schema('public');

-- Superuser-only, like every administrative function.
CREATE ROLE regress_prisma_nobody;
SET ROLE regress_prisma_nobody;
SELECT tec_prisma_schema('life');
SELECT tec_prisma_config('life');
SELECT * FROM tec_connection_env();
RESET ROLE;

-- clean up
SET client_min_messages = warning;
DROP ROLE regress_prisma_nobody;
DROP TABLE regress_shared.regress_user, public.regress_user;
DROP SCHEMA regress_shared;
SELECT count(*) AS dropped
  FROM (SELECT tec_drop_domain(domain, force => true) FROM tec_sovereignty.ecosystem()) s;
SELECT count(*) AS left_over FROM tec_sovereignty.domain;
SELECT name FROM tec_sovereignty.shared_schema;
