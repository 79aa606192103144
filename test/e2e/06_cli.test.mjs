// 06_cli.test.mjs -- tec-prisma, the command-line tool of src/prisma/cli, on
// all 24 domains: init (login roles, .env, apps/), generate:all, and the
// offline migration runner (migrate:all, migrate:domain, baseline), whose
// _prisma_migrations rows must be the ones `prisma migrate deploy` writes.
// pg comes from test/e2e/node_modules (NODE_PATH), Prisma from the job's.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { APPS_DIR, CLI_DIR, adminQuery, describeRun, domainUrl, port, prisma, requireFromPrisma } from './lib/env.mjs';

const require = createRequire(import.meta.url);
const project = path.join(APPS_DIR, 'cli-project');
const appsDir = path.join(project, 'apps');
const envFile = path.join(project, '.env');
const BIN = path.join(CLI_DIR, 'bin', 'tec-prisma.js');
const adminUrl = `postgresql://postgres@/${process.env.E2E_DATABASE}?host=${encodeURIComponent(process.env.E2E_SOCKET_DIR)}&port=${port}`;
const cliEnv = { NODE_PATH: path.join(import.meta.dirname, 'node_modules'), TEC_ADMIN_DATABASE_URL: adminUrl };
let domains;
let lifeDB;

function cli(args, { env = {} } = {}) {
	const r = spawnSync(process.execPath, [BIN, ...args], { cwd: project, env: { ...process.env, ...cliEnv, ...env }, encoding: 'utf8', timeout: 300_000 });
	return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function cliOk(args, opts) {
	const r = cli(args, opts);
	assert.equal(r.status, 0, describeRun(r));
	return r;
}

function envVars() {
	return new Map(fs.readFileSync(envFile, 'utf8').split('\n').map((l) => /^([A-Z0-9_]+)="(.*)"$/.exec(l)).filter(Boolean).map((m) => [m[1], m[2]]));
}

function writeMigration(domain, name, sql) {
	const dir = path.join(appsDir, domain, 'prisma', 'migrations', name);
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
	return path.join(dir, 'migration.sql');
}

async function history(domain) {
	const { rows } = await adminQuery(`SELECT * FROM ${domain}._prisma_migrations ORDER BY started_at`);
	return rows;
}

before(async () => {
	({ rows: domains } = await adminQuery('SELECT name, template FROM tec_sovereignty.domain ORDER BY name'));
	fs.rmSync(project, { recursive: true, force: true });
	fs.mkdirSync(project, { recursive: true });
	// A team adopting the tool: the four login roles run.sh made are in its
	// .env already; the tool keeps them and creates the other 44.
	const lines = [];
	for (const d of ['life', 'assets']) {
		lines.push(`${d.toUpperCase()}_DATABASE_URL="${await domainUrl(d)}"`, `${d.toUpperCase()}_MIGRATOR_DATABASE_URL="${await domainUrl(d, { migrator: true })}"`);
	}
	fs.writeFileSync(envFile, lines.join('\n') + '\nTEAM_SETTING="kept"\n');
	fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'cli-project', private: true, scripts: { 'migrate:all': 'ours' } }));
});

after(async () => {
	await lifeDB?.$disconnect();
});

test('tec-prisma package: a bin, pg as its only dependency, no node_modules shipped', () => {
	const pkg = JSON.parse(fs.readFileSync(path.join(CLI_DIR, 'package.json'), 'utf8'));
	assert.deepEqual(pkg.bin, { 'tec-prisma': 'bin/tec-prisma.js' });
	assert.deepEqual(Object.keys(pkg.dependencies), ['pg']);
	assert.ok(!fs.existsSync(path.join(CLI_DIR, 'node_modules')));
	assert.match(fs.readFileSync(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
	const help = cliOk(['help']);
	for (const c of ['init', 'generate:all', 'migrate:all', 'migrate:domain', 'baseline']) assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
	const bad = cli(['migrate:domain']);
	assert.equal(bad.status, 2, describeRun(bad));
	assert.match(bad.stderr, /needs --domain or DOMAIN=/);
	const badJobs = cli(['generate:all', '--jobs', '0']);
	assert.equal(badJobs.status, 2, describeRun(badJobs));
	assert.match(badJobs.stderr, /--jobs needs a positive whole number, not "0"/);
});

test('init: 48 login roles (44 created, 4 kept), .env mode 0600 with every URL, apps/ for all 24 domains', async () => {
	const r = cliOk(['init', '--url-host', `127.0.0.1:${port}`]);
	assert.match(r.stdout, /roles: 44 created, 4 kept, 0 given new passwords, 44 added to their domain/);
	assert.equal(domains.length, 24);
	const { rows: members } = await adminQuery(
		`SELECT m.domain, m.member::text, m.access, m.can_login FROM tec_sovereignty.members m
		  WHERE m.member::text ~ '_(app|migrator)$' ORDER BY 2`);
	assert.equal(members.length, 48);
	for (const m of members) {
		assert.equal(m.member, `${m.domain}_${m.access === 'owner' ? 'migrator' : 'app'}`);
		assert.ok(m.access === 'owner' || m.access === 'writer');
		assert.equal(m.can_login, true);
	}
	assert.equal(fs.statSync(envFile).mode & 0o777, 0o600);
	// The design's npm scripts, never replacing the project's own.
	assert.deepEqual(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).scripts,
		{ 'migrate:all': 'ours', 'generate:all': 'tec-prisma generate:all', 'migrate:domain': 'tec-prisma migrate:domain' });
	const vars = envVars();
	assert.equal(vars.get('TEAM_SETTING'), 'kept');
	assert.equal(vars.get('LIFE_DATABASE_URL'), await domainUrl('life'));
	const secrets = [];
	for (const { name } of domains) {
		for (const [v, role] of [[`${name.toUpperCase()}_DATABASE_URL`, `${name}_app`], [`${name.toUpperCase()}_MIGRATOR_DATABASE_URL`, `${name}_migrator`]]) {
			const u = new URL(vars.get(v));
			assert.equal(u.username, role);
			assert.match(u.password, /^[A-Za-z0-9_-]{20,}$/);
			assert.equal(u.searchParams.get('options'), `-c search_path=${name}`);
			secrets.push(u.password);
		}
		for (const f of ['prisma/schema.prisma', 'prisma.config.ts', 'db/client.js']) {
			assert.ok(fs.existsSync(path.join(appsDir, name, f)), `${name}: no ${f}`);
		}
		assert.match(fs.readFileSync(path.join(appsDir, name, 'prisma', 'schema.prisma'), 'utf8'), new RegExp(`schemas  = \\["${name}"\\]`));
	}
	assert.equal(new Set(secrets).size, 48);
	// Passwords are in .env only: not in apps/, not in the audit trail, not
	// in the server's catalogs in clear.
	const files = fs.readdirSync(appsDir, { recursive: true }).map((f) => path.join(appsDir, f)).filter((f) => fs.statSync(f).isFile());
	for (const f of files) {
		const text = fs.readFileSync(f, 'utf8');
		assert.ok(!secrets.some((s) => text.includes(s)), `a password is in ${f}`);
	}
	const { rows: audit } = await adminQuery(`SELECT count(*)::int AS n FROM tec_sovereignty.audit_log a WHERE to_jsonb(a)::text LIKE ANY ($1)`, [secrets.map((s) => `%${s}%`)])
		.catch(() => ({ rows: [{ n: 0 }] }));
	assert.equal(audit[0].n, 0);
	const { rows: hashes } = await adminQuery(`SELECT count(*)::int AS n FROM pg_authid WHERE rolname ~ '_(app|migrator)$' AND rolpassword LIKE 'SCRAM-SHA-256$%'`);
	assert.equal(hashes[0].n, 48);
});

test('init again changes nothing; a role whose password is not in .env needs --reset-passwords', async () => {
	const before = fs.readFileSync(envFile, 'utf8');
	const r = cliOk(['init', '--url-host', `127.0.0.1:${port}`]);
	assert.match(r.stdout, /roles: 0 created, 48 kept, 0 given new passwords, 0 added to their domain/);
	assert.equal(fs.readFileSync(envFile, 'utf8'), before);
	// Forget zone's migrator: refused, then reset on request.
	fs.writeFileSync(envFile, before.split('\n').filter((l) => !l.startsWith('ZONE_MIGRATOR_DATABASE_URL=')).join('\n'));
	const refused = cli(['init', '--domain', 'zone', '--url-host', `127.0.0.1:${port}`]);
	assert.equal(refused.status, 1, describeRun(refused));
	assert.match(refused.stderr, /exist but their passwords are not in the env file: zone_migrator/);
	cliOk(['init', '--domain', 'zone', '--reset-passwords', '--url-host', `127.0.0.1:${port}`]);
	const vars = envVars();
	assert.ok(vars.has('ZONE_MIGRATOR_DATABASE_URL'));
	assert.equal(vars.get('LIFE_DATABASE_URL'), await domainUrl('life'), 'init --domain zone kept the other domains');
	// Without --url-host, over the Unix socket: the URLs name localhost and the port.
	cliOk(['init', '--domain', 'zone']);
	assert.equal(new URL(envVars().get('ZONE_DATABASE_URL')).host, `localhost:${port}`);
	cliOk(['init', '--domain', 'zone', '--url-host', `127.0.0.1:${port}`]);
});

test('every URL of the .env logs in as its role, in its schema (node-postgres; psql for one)', async () => {
	for (const [name, value] of envVars()) {
		if (!name.endsWith('DATABASE_URL')) continue;
		const c = new pg.Client({ connectionString: value });
		await c.connect();
		const { rows } = await c.query(`SELECT session_user::text AS who, current_user::text AS acting, current_schema() AS s`);
		await c.end();
		const u = new URL(value);
		assert.equal(rows[0].who, decodeURIComponent(u.username), name);
		assert.equal(rows[0].s, u.searchParams.get('options').replace('-c search_path=', ''), name);
		if (name.includes('MIGRATOR')) assert.equal(rows[0].acting, `${rows[0].s}_owner`, name);
	}
	const r = spawnSync('bash', ['-c', 'set -a; . ./.env; psql -XAt "$NEXUS_DATABASE_URL" -c "SELECT current_user"'], { cwd: project, encoding: 'utf8' });
	assert.equal(r.stdout.trim(), 'nexus_app', describeRun(r));
});

function timed(args) {
	const t0 = process.hrtime.bigint();
	const r = cliOk(args);
	return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, out: r.stdout };
}

const clientDir = (name) => path.join(appsDir, name, 'db', 'generated');
const forgetClients = () => domains.forEach(({ name }) => fs.rmSync(clientDir(name), { recursive: true, force: true }));
const mtimes = () => new Map(domains.map(({ name }) => [name, fs.statSync(path.join(clientDir(name), 'index.js')).mtimeMs]));
const generated = (out) => new Set([...out.matchAll(/^(\w+): generated in [0-9.]+ s$/gm)].map((m) => m[1]));

test('generate:all builds the 24 clients with workers that load the CLI once: timed against one process per app', (t) => {
	forgetClients();
	const isolated = timed(['generate:all', '--isolated', '--force']);
	assert.match(isolated.out, /generate:all: 24 of 24 generated, 0 up to date, .*process/);
	forgetClients();
	const workers = timed(['generate:all', '--force']);
	assert.match(workers.out, /generate:all: 24 of 24 generated, 0 up to date, .*workers? at a time\)$/m);
	assert.doesNotMatch(workers.out, /^note: /m);
	assert.equal(generated(workers.out).size, 24);
	for (const { name } of domains) assert.ok(fs.existsSync(path.join(clientDir(name), 'index.js')), name);
	const figures = `generate:all, 24 domains: one prisma generate process per app ${isolated.seconds.toFixed(1)} s, ` +
		`workers ${workers.seconds.toFixed(1)} s (${/\((\d+) workers? at a time/.exec(workers.out)[1]} at a time), ${(isolated.seconds / workers.seconds).toFixed(2)}x`;
	t.diagnostic(figures);
	fs.writeFileSync(path.join(process.env.E2E_WORK ?? project, 'generate-all.txt'), figures + '\n');
	// Each process loads the CLI (about 1.3 CPU-s) that a worker loads once:
	// on any machine the workers finish first, by a wide margin.
	assert.ok(workers.seconds < isolated.seconds, figures);
});

test('every generated client works: a query through each domain\'s model as its app role', async () => {
	const { PrismaPg } = requireFromPrisma('@prisma/adapter-pg');
	const vars = envVars();
	for (const { name } of domains) {
		const { PrismaClient, Prisma } = require(clientDir(name));
		const models = Object.values(Prisma.ModelName);
		assert.ok(models.length > 0, `${name}: a client without models`);
		const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: vars.get(`${name.toUpperCase()}_DATABASE_URL`) }) });
		try {
			const delegate = models[0][0].toLowerCase() + models[0].slice(1);
			assert.equal(typeof (await db[delegate].count()), 'number', `${name}.${models[0]}`);
			const [row] = await db.$queryRaw`SELECT current_user::text AS who, current_schema() AS s`;
			assert.deepEqual(row, { who: `${name}_app`, s: name });
		} finally {
			await db.$disconnect();
		}
	}
});

test('generate:all again skips every app; a changed schema, a deleted client, --force regenerate', () => {
	const before = mtimes();
	const warm = cliOk(['generate:all']);
	assert.match(warm.stdout, /generate:all: 0 of 0 generated, 24 up to date, in/);
	assert.deepEqual(mtimes(), before, 'a skipped app was written');
	// A model added to zone's schema: zone only, and its client has the model.
	const schemaFile = path.join(appsDir, 'zone', 'prisma', 'schema.prisma');
	fs.appendFileSync(schemaFile, '\nmodel CliProbe {\n  id Int @id\n\n  @@schema("zone")\n}\n');
	const changed = cliOk(['generate:all']);
	assert.match(changed.stdout, /generate:all: 1 of 1 generated, 23 up to date/);
	assert.deepEqual(generated(changed.stdout), new Set(['zone']));
	const probe = spawnSync(process.execPath, ['-e', `console.log(Object.keys(require(${JSON.stringify(clientDir('zone'))}).Prisma.ModelName).includes('CliProbe'))`], { encoding: 'utf8' });
	assert.equal(probe.stdout.trim(), 'true', describeRun(probe));
	// Back to the catalogs' schema (scaffold rewrites it): regenerated again.
	cliOk(['scaffold', '--domain', 'zone']);
	assert.deepEqual(generated(cliOk(['generate:all']).stdout), new Set(['zone']));
	fs.rmSync(clientDir('assets'), { recursive: true });
	assert.deepEqual(generated(cliOk(['generate:all']).stdout), new Set(['assets']));
	assert.match(cliOk(['generate:all', '--force', '--domain', 'life']).stdout, /generate:all: 1 of 1 generated, 0 up to date/);
	// A schema Prisma refuses: exit 1 with Prisma's error, and no stamp, so
	// the app is tried again after the fix.
	const good = fs.readFileSync(schemaFile, 'utf8');
	fs.appendFileSync(schemaFile, '\nmodel Broken { id Int }\n');
	const broken = cli(['generate:all']);
	assert.equal(broken.status, 1, describeRun(broken));
	assert.match(broken.stdout, /^zone: failed \(exit 1\)/m);
	assert.match(broken.stdout, /generate:all: 0 of 1 generated, 23 up to date/);
	assert.match(broken.stderr, /^--- zone\n[^]*P1012[^]*This line is invalid/m);
	fs.writeFileSync(schemaFile, good);
	assert.deepEqual(generated(cliOk(['generate:all']).stdout), new Set(['zone']));
});

test('generate:all with a CLI the worker cannot load (a wrapper script, another bundle): one process per app, saying so', () => {
	const wrapper = path.join(project, 'prisma-wrapper.sh');
	fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(path.join(import.meta.dirname, 'node_modules', '.bin', 'prisma'))} "$@"\n`, { mode: 0o755 });
	const r = cliOk(['generate:all', '--force', '--domain', 'life', '--prisma', wrapper]);
	assert.match(r.stdout, /^note: one `prisma generate` process per app instead of a worker: .*prisma-wrapper\.sh is not the "prisma" package's CLI$/m);
	assert.match(r.stdout, /generate:all: 1 of 1 generated, 0 up to date, in [0-9.]+ s \(1 process at a time\)/);
	// A "prisma" package whose build/cli.js is not the bundle the worker knows
	// (another Prisma version): the worker says why, the app gets a process.
	const fake = path.join(project, 'fake-prisma');
	fs.mkdirSync(path.join(fake, 'build'), { recursive: true });
	fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'prisma', version: '0.0.0-fake' }));
	fs.writeFileSync(path.join(fake, 'build', 'cli.js'), '// not the CLI bundle tec-prisma knows\n');
	fs.writeFileSync(path.join(fake, 'build', 'index.js'),
		`#!/usr/bin/env node\nrequire(${JSON.stringify(path.join(import.meta.dirname, 'node_modules', 'prisma', 'build', 'index.js'))});\n`, { mode: 0o755 });
	const other = cliOk(['generate:all', '--force', '--domain', 'life', '--prisma', path.join(fake, 'build', 'index.js')]);
	assert.match(other.stdout, /^note: one `prisma generate` process per app instead of a worker: .*fake-prisma\/build\/cli\.js has no recognizable start function$/m);
	assert.match(other.stdout, /generate:all: 1 of 1 generated, 0 up to date, in [0-9.]+ s \(1 worker at a time, 1 app\(s\) in a process of their own\)/);
	assert.ok(fs.existsSync(path.join(clientDir('life'), 'index.js')));
	// A bundle of the known shape whose generate kills the process: the app
	// the worker was on gets a process of its own.
	fs.writeFileSync(path.join(fake, 'build', 'cli.js'), 'var Pfe=process.argv.slice(2);' +
		'async function Tur(){if(Pfe.length<0)await r.parse(Pfe,c,o);process.exit(7)}' +
		'function Ife(){Tur().then(e=>{e!==0&&process.exit(e)})}Ife();\n');
	const died = cliOk(['generate:all', '--force', '--domain', 'life', '--prisma', path.join(fake, 'build', 'index.js')]);
	assert.match(died.stdout, /^note: one `prisma generate` process per app instead of a worker: life: the worker exited \(exit 7\)$/m);
	assert.match(died.stdout, /generate:all: 1 of 1 generated, 0 up to date, .*1 app\(s\) in a process of their own\)/);
});

test("a scaffolded db/client.js works with the .env's URL", async () => {
	process.env.LIFE_DATABASE_URL = envVars().get('LIFE_DATABASE_URL');
	lifeDB = require(path.join(appsDir, 'life', 'db', 'client.js'));
	const [row] = await lifeDB.$queryRaw`SELECT current_user::text AS who`;
	assert.equal(row.who, 'life_app');
});

const noteSql = (extra = '') => `-- CreateTable
CREATE TABLE "Note" (
    "id" TEXT NOT NULL,
    "body" TEXT NOT NULL,${extra}
    CONSTRAINT "Note_pkey" PRIMARY KEY ("id")
);
`;

test('baseline: a template domain records 0_init (the template DDL) as applied without running it', async () => {
	const r = cliOk(['baseline', '--domain', 'insure']);
	assert.match(r.stdout, /insure: 0_init recorded as applied/);
	const file = path.join(appsDir, 'insure', 'prisma', 'migrations', '0_init', 'migration.sql');
	const { rows: t } = await adminQuery(`SELECT ddl FROM tec_sovereignty.template WHERE name = 'insurance'`);
	assert.ok(fs.readFileSync(file, 'utf8').includes(t[0].ddl.trim()));
	const rows = await history('insure');
	assert.equal(rows.length, 1);
	assert.equal(rows[0].migration_name, '0_init');
	assert.equal(rows[0].checksum, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
	assert.equal(rows[0].logs, '');
	assert.equal(rows[0].applied_steps_count, 0);
	assert.deepEqual(rows[0].started_at, rows[0].finished_at);
	assert.equal(rows[0].rolled_back_at, null);
	assert.match(cliOk(['baseline', '--domain', 'insure']).stdout, /was recorded already/);
});

test('migrate:all applies a migration in each of the 24 domains as its migrator, recorded as prisma migrate deploy does', async () => {
	const files = new Map(domains.map(({ name }) => [name, writeMigration(name, '20260101000000_note', noteSql())]));
	const t0 = new Date();
	const r = cliOk(['migrate:all']);
	assert.match(r.stdout, /24 migration\(s\) applied in 24 app\(s\)/);
	const { rows: owners } = await adminQuery(
		`SELECT schemaname AS s, tableowner AS o FROM pg_tables WHERE tablename IN ('Note', '_prisma_migrations') ORDER BY 1, tablename`);
	assert.equal(owners.length, 48);
	for (const { s, o } of owners) assert.equal(o, `${s}_owner`);
	for (const { name } of domains) {
		const rows = (await history(name)).filter((x) => x.migration_name !== '0_init');
		assert.equal(rows.length, 1, name);
		const row = rows[0];
		assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		assert.equal(row.checksum, crypto.createHash('sha256').update(fs.readFileSync(files.get(name))).digest('hex'));
		assert.equal(row.migration_name, '20260101000000_note');
		assert.equal(row.logs, null);
		assert.equal(row.rolled_back_at, null);
		assert.equal(row.applied_steps_count, 1);
		assert.ok(row.started_at >= new Date(t0.getTime() - 1000) && row.finished_at >= row.started_at, name);
	}
	// The table is Prisma's, column for column.
	const { rows: cols } = await adminQuery(
		`SELECT string_agg(format('%s %s%s%s', attname, format_type(atttypid, atttypmod), CASE WHEN attnotnull THEN ' not null' END,
				' default ' || pg_get_expr(d.adbin, d.adrelid)), ', ' ORDER BY attnum) AS t
		   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		  WHERE attrelid = 'life._prisma_migrations'::regclass AND attnum > 0`);
	assert.equal(cols[0].t, 'id character varying(36) not null, checksum character varying(64) not null, finished_at timestamp with time zone, ' +
		'migration_name character varying(255) not null, logs text, rolled_back_at timestamp with time zone, ' +
		'started_at timestamp with time zone not null default now(), applied_steps_count integer not null default 0');
	assert.match(fs.readFileSync(path.join(appsDir, 'life', 'prisma', 'migrations', 'migration_lock.toml'), 'utf8'), /^provider = "postgresql"$/m);
	// Up to date the second time.
	assert.match(cliOk(['migrate:all']).stdout, /0 migration\(s\) applied in 24 app\(s\)/);
});

test('migrate:domain (DOMAIN=life) migrates life only', async () => {
	writeMigration('life', '20260102000000_note_title', 'ALTER TABLE "Note" ADD COLUMN "title" TEXT;\n');
	writeMigration('assets', '20260102000000_note_title', 'ALTER TABLE "Note" ADD COLUMN "title" TEXT;\n');
	const r = cliOk(['migrate:domain'], { env: { DOMAIN: 'life' } });
	assert.match(r.stdout, /life: applied 20260102000000_note_title/);
	const { rows } = await adminQuery(`SELECT table_schema AS s FROM information_schema.columns WHERE table_name = 'Note' AND column_name = 'title' ORDER BY 1`);
	assert.deepEqual(rows, [{ s: 'life' }]);
	fs.rmSync(path.join(appsDir, 'assets', 'prisma', 'migrations', '20260102000000_note_title'), { recursive: true });
});

test('a migration that reaches into another domain fails (42501), is recorded failed, and blocks the next run', async () => {
	writeMigration('life', '20260103000000_sneaky', 'ALTER TABLE "Note" ADD COLUMN "x" int;\nALTER TABLE assets."Note" ADD COLUMN "x" int;\n');
	const r = cli(['migrate:domain', '--domain', 'life']);
	assert.equal(r.status, 1, describeRun(r));
	assert.match(r.stderr, /life: migration 20260103000000_sneaky failed: permission denied/);
	const row = (await history('life')).find((x) => x.migration_name === '20260103000000_sneaky');
	assert.equal(row.finished_at, null);
	assert.equal(row.applied_steps_count, 0);
	assert.match(row.logs, /Database error code: 42501/);
	// The script ran as one transaction: life's half is not there either.
	const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'Note' AND column_name = 'x'`);
	assert.equal(rows[0].n, 0);
	const again = cli(['migrate:domain', '--domain', 'life']);
	assert.equal(again.status, 1);
	assert.match(again.stderr, /failed earlier and is not resolved \(Prisma's P3009\)/);
	// Resolved the way prisma migrate resolve --rolled-back does.
	await adminQuery(`UPDATE life._prisma_migrations SET rolled_back_at = now() WHERE migration_name = '20260103000000_sneaky'`);
	fs.rmSync(path.join(appsDir, 'life', 'prisma', 'migrations', '20260103000000_sneaky'), { recursive: true });
	assert.match(cliOk(['migrate:domain', '--domain', 'life']).stdout, /life: up to date/);
});

test('the runner and prisma migrate deploy take over from each other',
	{ skip: process.env.E2E_SCHEMA_ENGINE_PRESENT !== '1' && 'no native Prisma schema engine (set E2E_SCHEMA_ENGINE to one to run prisma migrate deploy)' }, async () => {
	const dir = path.join(appsDir, 'life');
	const env = { LIFE_MIGRATOR_DATABASE_URL: envVars().get('LIFE_MIGRATOR_DATABASE_URL') };
	const status = prisma(['migrate', 'status'], { cwd: dir, env });
	assert.equal(status.status, 0, describeRun(status));
	writeMigration('life', '20260104000000_by_prisma', 'ALTER TABLE "Note" ADD COLUMN "p" int;\n');
	const deployed = prisma(['migrate', 'deploy'], { cwd: dir, env });
	assert.equal(deployed.status, 0, describeRun(deployed));
	writeMigration('life', '20260105000000_by_runner', 'ALTER TABLE "Note" ADD COLUMN "r" int;\n');
	assert.match(cliOk(['migrate:domain', '--domain', 'life']).stdout, /applied 20260105000000_by_runner$/m);
	const again = prisma(['migrate', 'deploy'], { cwd: dir, env });
	assert.match(again.stdout, /No pending migrations/, describeRun(again));
});

test('baseline of a domain made without a template: the 0_init the team wrote, refused while there is none', async () => {
	await adminQuery(`SELECT tec_create_domain('cli_plain')`);
	try {
		cliOk(['init', '--domain', 'cli_plain', '--url-host', `127.0.0.1:${port}`]);
		const none = cli(['baseline', '--domain', 'cli_plain']);
		assert.equal(none.status, 1, describeRun(none));
		assert.match(none.stderr, /was not created from a template: write 0_init\/migration\.sql yourself/);
		const sql = 'CREATE TABLE "Thing" ("id" TEXT NOT NULL, CONSTRAINT "Thing_pkey" PRIMARY KEY ("id"));\n';
		const c = new pg.Client({ connectionString: envVars().get('CLI_PLAIN_MIGRATOR_DATABASE_URL') });
		await c.connect();
		await c.query(sql);
		await c.end();
		const file = writeMigration('cli_plain', '0_init', sql);
		assert.match(cliOk(['baseline', '--domain', 'cli_plain']).stdout, /cli_plain: 0_init recorded as applied/);
		const [row] = await history('cli_plain');
		assert.equal(row.checksum, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
		assert.match(cliOk(['migrate:domain', '--domain', 'cli_plain']).stdout, /cli_plain: up to date/);
	} finally {
		await adminQuery(`SELECT tec_drop_domain('cli_plain', force => true)`);
		await adminQuery('DROP ROLE IF EXISTS cli_plain_app, cli_plain_migrator');
		fs.rmSync(path.join(appsDir, 'cli_plain'), { recursive: true, force: true });
	}
});
