// 04_prisma_migrate.test.mjs -- migrations with Prisma 7 and the domain's
// migrator role (life_migrator, owner access: it acts as life_owner from
// login on).
//
// Prisma 7's migrate commands need the native schema engine; offline it
// cannot be downloaded.  `prisma migrate deploy` is tested when run.sh was
// given one (E2E_SCHEMA_ENGINE), and skipped with a message otherwise; the
// offline runner (tec-prisma migrate, 06_cli.test.mjs) writes the same
// _prisma_migrations rows.  What is checked here offline: plain DDL as the
// migrator, and that Prisma 7's `migrate diff` produces no migration
// without the engine (so nothing may rely on it offline).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { adminQuery, connect, describeRun, domainUrl, prisma, writeApp } from './lib/env.mjs';

const engine = process.env.E2E_SCHEMA_ENGINE_PRESENT === '1';
let lifeDir;
const goalSql = `CREATE TABLE "life"."Goal" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "userId" TEXT NOT NULL,
    "target" DECIMAL(18,2) NOT NULL,
    CONSTRAINT "Goal_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Goal_userId_idx" ON "life"."Goal"("userId");
`;

before(async () => {
	lifeDir = await writeApp('life');
});

test('prisma 7 migrate diff without the native engine writes no migration (never rely on it offline)', { skip: engine && 'the native schema engine is present' }, () => {
	const r = prisma(['migrate', 'diff', '--from-empty', '--to-schema', path.join(lifeDir, 'prisma', 'schema.prisma'), '--script'], { cwd: lifeDir });
	assert.doesNotMatch(r.stdout, /CREATE TABLE/, describeRun(r));
	// The CLI asked the stand-in engine, which refused.
	assert.ok(fs.existsSync(process.env.E2E_ENGINE_CALLS), 'the schema engine stand-in was not called');
});

test('prisma migrate deploy as life_migrator creates the table in life and records it in life._prisma_migrations',
	{ skip: !engine && 'no native Prisma schema engine (set E2E_SCHEMA_ENGINE to one to run prisma migrate deploy)' }, async () => {
	const dir = path.join(lifeDir, 'prisma', 'migrations', '20260101000000_goal');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'migration.sql'), goalSql);
	fs.writeFileSync(path.join(lifeDir, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
	const r = prisma(['migrate', 'deploy'], { cwd: lifeDir, env: { LIFE_MIGRATOR_DATABASE_URL: await domainUrl('life', { migrator: true }) } });
	assert.equal(r.status, 0, describeRun(r));
	const { rows } = await adminQuery(`SELECT tableowner FROM pg_tables WHERE schemaname = 'life' AND tablename IN ('Goal', '_prisma_migrations') ORDER BY tablename`);
	assert.deepEqual(rows, [{ tableowner: 'life_owner' }, { tableowner: 'life_owner' }]);
	await adminQuery('DROP TABLE life."Goal", life._prisma_migrations');
	fs.rmSync(path.join(lifeDir, 'prisma', 'migrations'), { recursive: true });
});

test('plain DDL as a life owner member: allowed in life, refused in assets', async () => {
	const c = await connect('life_migrator');
	try {
		const { rows } = await c.query('SELECT current_user AS who');
		assert.equal(rows[0].who, 'life_owner');
		await c.query(goalSql);
		await c.query('ALTER TABLE life."Goal" ADD COLUMN note text');
		await assert.rejects(c.query('ALTER TABLE assets."Portfolio" ADD COLUMN note text'), (err) => err.code === '42501');
		await assert.rejects(c.query('CREATE TABLE assets."Goal" (id text PRIMARY KEY)'), (err) => err.code === '42501');
		await assert.rejects(c.query('DROP TABLE assets."Investment"'), (err) => err.code === '42501');
		await c.query('DROP TABLE life."Goal"');
	} finally {
		await c.end();
	}
});
