// 05_connection_urls.test.mjs -- the URLs of tec_connection_env() work, as
// written, in the three clients: psql (libpq, in a shell step),
// node-postgres and Prisma 7 through @prisma/adapter-pg.  Each lands in the
// domain's schema (search_path) as the domain's login role; the migrator
// URL logs in as life_migrator acting as life_owner.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { describeRun, domainUrl, generate, writeApp } from './lib/env.mjs';

const require = createRequire(import.meta.url);
let lifeDB;

after(async () => {
	await lifeDB?.$disconnect();
});

/* psql in a shell, the URL in an environment variable as an .env gives it. */
function psqlShell(urlValue, sql) {
	const r = spawnSync('bash', ['-c', 'psql -XAt "$URL" -c "$SQL"'], {
		env: { ...process.env, URL: urlValue, SQL: sql },
		encoding: 'utf8',
	});
	return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

test('psql: LIFE_DATABASE_URL logs in as life_app with search_path life, unqualified names work', async () => {
	const r = psqlShell(await domainUrl('life'), `SELECT current_user || ' ' || current_setting('search_path') || ' ' || (SELECT count(*) >= 0 FROM "Portfolio")`);
	assert.equal(r.status, 0, describeRun(r));
	assert.equal(r.stdout, 'life_app life true');
});

test('psql: LIFE_MIGRATOR_DATABASE_URL acts as life_owner in life; assets stays out of reach', async () => {
	const u = await domainUrl('life', { migrator: true });
	const r = psqlShell(u, `SELECT current_user || ' ' || current_setting('search_path')`);
	assert.equal(r.status, 0, describeRun(r));
	assert.equal(r.stdout, 'life_owner life');
	const denied = psqlShell(u, 'SELECT count(*) FROM assets."Portfolio"');
	assert.notEqual(denied.status, 0);
	assert.match(denied.stderr, /permission denied/);
});

test("psql refuses Prisma's own schema= parameter (why the URLs carry options instead)", async () => {
	const u = new URL(await domainUrl('life'));
	u.search = '?schema=life';
	const r = psqlShell(u.toString(), 'SELECT 1');
	assert.notEqual(r.status, 0);
	assert.match(r.stderr, /invalid URI query parameter: "schema"/);
});

test('node-postgres: the same URL as connectionString sets search_path to life', async () => {
	const c = new pg.Client({ connectionString: await domainUrl('life') });
	await c.connect();
	try {
		const { rows } = await c.query(`SELECT current_user AS who, current_setting('search_path') AS sp`);
		assert.deepEqual(rows[0], { who: 'life_app', sp: 'life' });
		const { rows: n } = await c.query('SELECT count(*)::int AS n FROM "Portfolio"');
		assert.ok(n[0].n >= 0);
	} finally {
		await c.end();
	}
});

test('Prisma 7: the same URL in db/client.js (LIFE_DATABASE_URL) queries life as life_app', async () => {
	const dir = await writeApp('life', { dir: path.join(process.env.E2E_APPS_DIR ?? path.join(import.meta.dirname, 'apps'), 'urls', 'life') });
	generate(dir);
	process.env.LIFE_DATABASE_URL = await domainUrl('life');
	lifeDB = require(path.join(dir, 'db', 'client.js'));
	const [row] = await lifeDB.$queryRaw`SELECT current_user::text AS who, current_setting('search_path') AS sp`;
	assert.deepEqual(row, { who: 'life_app', sp: 'life' });
	assert.ok(Array.isArray(await lifeDB.portfolio.findMany({ take: 1 })));
});
