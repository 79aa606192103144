// 04_prisma_migrate.test.mjs -- migrations the Prisma way, offline: `prisma
// migrate diff` writes the DDL (WASM schema engine) and `prisma db execute`
// runs it through the pg driver adapter (prisma.config.ts), logged in as
// life_migrator, a member of life with owner access (it acts as life_owner
// from login on).  It works inside life and is refused in assets.
//
// Then a round trip that checks tec_prisma_schema() against Prisma itself:
// the DDL Prisma derives from the generated schema.prisma, applied to an
// empty domain, must rebuild the same tables, columns, types, defaults,
// keys and indexes as the domain the file was generated from.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { APPS_DIR, adminQuery, describeRun, prisma, url, writeApp } from './lib/env.mjs';

let lifeDir;
const goalModel = `
model Goal {
  id          String   @id @default(dbgenerated("(gen_random_uuid())::text"))
  userId      String
  portfolioId String?
  target      Decimal  @db.Decimal(18, 2)
  createdAt   DateTime @default(now()) @db.Timestamp(3)

  @@index([userId])
  @@schema("life")
}
`;

before(async () => {
	lifeDir = await writeApp('life');
});

function migrationSql(dir, fromFile, toFile) {
	const r = prisma(['migrate', 'diff', '--from-schema-datamodel', fromFile, '--to-schema-datamodel', toFile, '--script'], {
		cwd: dir,
		env: { LIFE_DATABASE_URL: url('life_migrator', 'life') },
	});
	assert.equal(r.status, 0, describeRun(r));
	return r.stdout;
}

function dbExecute(dir, file, role, schema) {
	return prisma(['db', 'execute', '--schema', path.join(dir, 'prisma', 'schema.prisma'), '--file', file], {
		cwd: dir,
		env: { LIFE_DATABASE_URL: url(role, schema) },
	});
}

test('prisma migrate diff + db execute as a life owner member creates a table in life', async () => {
	const current = path.join(lifeDir, 'prisma', 'schema.prisma');
	const next = path.join(lifeDir, 'prisma', 'next.prisma');
	fs.writeFileSync(next, fs.readFileSync(current, 'utf8') + goalModel);
	const sql = migrationSql(lifeDir, current, next);
	assert.match(sql, /CREATE TABLE "life"\."Goal"/);
	const file = path.join(lifeDir, 'prisma', 'migration.sql');
	fs.writeFileSync(file, sql);
	const r = dbExecute(lifeDir, file, 'life_migrator', 'life');
	assert.equal(r.status, 0, describeRun(r));
	const { rows } = await adminQuery(`SELECT tableowner FROM pg_tables WHERE schemaname = 'life' AND tablename = 'Goal'`);
	assert.deepEqual(rows, [{ tableowner: 'life_owner' }]);
	// The regenerated schema.prisma has the new model, and still validates.
	const regenerated = (await adminQuery(`SELECT tec_prisma_schema('life') AS s`)).rows[0].s;
	assert.match(regenerated, /^model Goal \{$/m);
	fs.writeFileSync(current, regenerated);
	const v = prisma(['validate', '--schema', current], { cwd: lifeDir, env: { LIFE_DATABASE_URL: url('life_app', 'life') } });
	assert.equal(v.status, 0, describeRun(v));
	fs.rmSync(next);
});

test('the same migration aimed at assets is refused (42501)', async () => {
	const file = path.join(lifeDir, 'prisma', 'migration-assets.sql');
	fs.writeFileSync(file, fs.readFileSync(path.join(lifeDir, 'prisma', 'migration.sql'), 'utf8').replaceAll('"life".', '"assets".'));
	const r = dbExecute(lifeDir, file, 'life_migrator', 'assets');
	assert.notEqual(r.status, 0, describeRun(r));
	assert.match(r.stdout + r.stderr, /permission denied|42501/, describeRun(r));
	const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'assets' AND tablename = 'Goal'`);
	assert.equal(rows[0].n, 0);
});

test('plain DDL as a life owner member: allowed in life, refused in assets', async () => {
	const { connect } = await import('./lib/env.mjs');
	const c = await connect('life_migrator');
	try {
		const { rows } = await c.query('SELECT current_user AS who');
		assert.equal(rows[0].who, 'life_owner');
		await c.query('ALTER TABLE life."Goal" ADD COLUMN note text');
		await assert.rejects(c.query('ALTER TABLE assets."Portfolio" ADD COLUMN note text'), (err) => err.code === '42501');
		await assert.rejects(c.query('CREATE TABLE assets."Goal" (id text PRIMARY KEY)'), (err) => err.code === '42501');
		await assert.rejects(c.query('DROP TABLE assets."Investment"'), (err) => err.code === '42501');
	} finally {
		await c.end();
	}
});

/* A description of a schema's tables that does not depend on its name. */
async function fingerprint(schema) {
	const { rows } = await adminQuery(
		`SELECT 'column' AS kind, c.relname::text AS tbl, a.attname::text AS name,
				concat_ws(' ', format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'NOT NULL' END,
						  'DEFAULT ' || pg_get_expr(d.adbin, d.adrelid)) AS def
		   FROM pg_class c
		   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		   LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
		  WHERE c.relnamespace = $1::text::regnamespace AND c.relkind = 'r'
		 UNION ALL
		 SELECT 'constraint', c.relname, con.conname,
				replace(pg_get_constraintdef(con.oid), quote_ident($1::text) || '.', '')
		   FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
		  WHERE con.connamespace = $1::text::regnamespace
		 UNION ALL
		 SELECT 'index', c.relname, i.relname, replace(pg_get_indexdef(i.oid), quote_ident($1::text) || '.', '')
		   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
		  WHERE c.relnamespace = $1::text::regnamespace
		  ORDER BY 1, 2, 3`,
		[schema]
	);
	return rows.map((r) => `${r.kind} ${r.tbl}.${r.name}: ${r.def}`);
}

test('round trip: Prisma rebuilds each template from tec_prisma_schema() exactly', async () => {
	const { rows: samples } = await adminQuery(
		`SELECT DISTINCT ON (template) domain, template FROM tec_sovereignty.ecosystem() WHERE domain <> 'life' ORDER BY template, domain`
	);
	const dir = path.join(APPS_DIR, 'roundtrip');
	fs.mkdirSync(dir, { recursive: true });
	// The schema engine runs as WASM through the driver adapter (a
	// connection it does not write through: the diff starts from empty).
	fs.writeFileSync(path.join(dir, 'prisma.config.ts'), `import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  async adapter() { return new PrismaPg({ connectionString: process.env.RT_DATABASE_URL }); },
});
`);
	const differences = [];
	for (const { domain, template } of samples) {
		const copy = `rt_${template}`;
		await adminQuery('SELECT tec_create_domain($1)', [copy]);
		const src = (await adminQuery('SELECT tec_prisma_schema($1) AS s', [domain])).rows[0].s;
		const renamed = src.replaceAll(`"${domain}"`, `"${copy}"`);
		const file = path.join(dir, `${copy}.prisma`);
		fs.writeFileSync(file, renamed);
		const r = prisma(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', file, '--script'], {
			cwd: dir,
			env: { RT_DATABASE_URL: url('life_app', 'life'), [`${domain.toUpperCase()}_DATABASE_URL`]: url('life_app', copy) },
		});
		assert.equal(r.status, 0, describeRun(r));
		// Prisma's first migration of a multi-schema datasource starts with
		// CREATE SCHEMA IF NOT EXISTS, which needs CREATE on the database; a
		// domain owner has its schema already, so that line goes (see
		// doc/prisma.md, "Migrations").
		assert.match(r.stdout, new RegExp(`CREATE SCHEMA IF NOT EXISTS "${copy}";`));
		const ddl = r.stdout.replace(new RegExp(`^CREATE SCHEMA IF NOT EXISTS "${copy}";$`, 'm'), '');
		await adminQuery(`SET ROLE ${copy}_owner; ${ddl}; RESET ROLE`);
		const a = await fingerprint(domain);
		const b = await fingerprint(copy);
		const onlyA = a.filter((x) => !b.includes(x));
		const onlyB = b.filter((x) => !a.includes(x));
		if (onlyA.length || onlyB.length) {
			differences.push(`${domain} (${template}):\n  only in ${domain}: ${onlyA.join('\n    ')}\n  only in rebuilt: ${onlyB.join('\n    ')}`);
		}
		await adminQuery('SELECT tec_drop_domain($1, force => true)', [copy]);
	}
	assert.equal(samples.length, 10);
	assert.deepEqual(differences, []);
});
