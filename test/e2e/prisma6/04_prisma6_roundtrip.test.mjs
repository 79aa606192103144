// prisma6/04_prisma6_roundtrip.test.mjs -- the Prisma 6 job's reason to be:
// a round trip that checks tec_prisma_schema() against Prisma itself.  The
// DDL Prisma derives from the generated schema.prisma (`migrate diff
// --from-empty`, Prisma 6's WASM schema engine through the driver adapter:
// offline), applied to an empty domain, must rebuild the same tables,
// columns, types, defaults, keys and indexes as the domain the file was
// generated from.  Prisma 7 has no offline schema engine, so this runs on 6.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { APPS_DIR, adminQuery, describeRun, prisma, url } from '../lib/env.mjs';

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
	// Prisma Migrate's history (06_cli.test.mjs migrates every domain) is no
	// model, so it is not rebuilt.
	return rows.filter((r) => r.tbl !== '_prisma_migrations').map((r) => `${r.kind} ${r.tbl}.${r.name}: ${r.def}`);
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
		const src = (await adminQuery('SELECT tec_prisma_schema($1, prisma_version => 6) AS s', [domain])).rows[0].s;
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
