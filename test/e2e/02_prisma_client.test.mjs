// 02_prisma_client.test.mjs -- the Prisma flow of the design, end to end:
// tec_prisma_schema('life') -> apps/life/prisma/schema.prisma -> prisma
// generate -> apps/life/db/client.js (driver adapter @prisma/adapter-pg,
// no engine download) -> lifeDB.portfolio.findMany / create as life_app.
// Then a client generated for "assets", connected as a life role, gets the
// permission error back as a Prisma error.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeRun, generate, prisma, url, writeApp } from './lib/env.mjs';

const require = createRequire(import.meta.url);
const userId = `prisma-user-${process.pid}`;
let lifeDir;
let lifeDB;
let assetsAsLife;

before(async () => {
	// The application's environment: its own URL, as tec_connection_env()
	// lays it out, with the password of this run.
	process.env.LIFE_DATABASE_URL = url('life_app', 'life');
	lifeDir = await writeApp('life');
});

after(async () => {
	await lifeDB?.$disconnect();
	await assetsAsLife?.$disconnect();
});

test('tec_prisma_schema(life) passes prisma validate and is already in prisma format', () => {
	const schemaFile = path.join(lifeDir, 'prisma', 'schema.prisma');
	const r = prisma(['validate', '--schema', schemaFile], { cwd: lifeDir });
	assert.equal(r.status, 0, describeRun(r));
	const before = fs.readFileSync(schemaFile, 'utf8');
	const copy = path.join(lifeDir, 'prisma', 'formatted.prisma');
	fs.writeFileSync(copy, before);
	const f = prisma(['format', '--schema', copy], { cwd: lifeDir });
	assert.equal(f.status, 0, describeRun(f));
	assert.equal(fs.readFileSync(copy, 'utf8'), before, 'prisma format changed the generated file');
	fs.rmSync(copy);
});

test('prisma generate builds the isolated life client (engineType client, no engine download)', () => {
	const r = generate(lifeDir);
	assert.match(r.stdout + r.stderr, /Generated Prisma Client/);
	assert.ok(fs.existsSync(path.join(lifeDir, 'db', 'generated', 'index.js')));
});

test('lifeDB.portfolio.create(...) as in the design', async () => {
	lifeDB = require(path.join(lifeDir, 'db', 'client.js'));
	const newPortfolio = await lifeDB.portfolio.create({
		data: {
			userId,
			name: 'Retirement Fund',
			type: 'RETIREMENT',
		},
	});
	assert.equal(newPortfolio.name, 'Retirement Fund');
	assert.equal(newPortfolio.status, 'ACTIVE');
	assert.ok(newPortfolio.createdAt instanceof Date);
	// A relation written through Prisma too.
	await lifeDB.investment.create({
		data: { portfolio: { connect: { id: newPortfolio.id } }, symbol: 'VXUS', name: 'Total International', quantity: '12.5' },
	});
});

test("lifeDB.portfolio.findMany({ where: { userId }, include: { investments: true } })", async () => {
	const portfolios = await lifeDB.portfolio.findMany({
		where: { userId },
		include: { investments: true },
	});
	assert.equal(portfolios.length, 1);
	assert.equal(portfolios[0].type, 'RETIREMENT');
	assert.equal(portfolios[0].investments.length, 1);
	assert.equal(portfolios[0].investments[0].symbol, 'VXUS');
	assert.equal(portfolios[0].investments[0].quantity.toString(), '12.5');
	// Connected as the domain's login role, not as a superuser.
	const [{ who }] = await lifeDB.$queryRaw`SELECT current_user::text AS who`;
	assert.equal(who, 'life_app');
});

/*
 * With the driver adapter, Prisma hands a database error it has no P-code
 * for back as a DriverAdapterError (@prisma/driver-adapter-utils) whose
 * cause carries the SQLSTATE, message, detail and hint; the Rust engine
 * would wrap it in PrismaClientUnknownRequestError or P2010.  Accept those
 * Prisma error types, and insist on SQLSTATE 42501.
 */
function isPermissionError(err) {
	const text = `${err.name}: ${err.message} ${JSON.stringify(err.cause ?? {})} ${JSON.stringify(err.meta ?? {})}`;
	assert.match(err.name, /^(DriverAdapterError|PrismaClient(Known|Unknown)RequestError)$/, text);
	if (err.name === 'DriverAdapterError') {
		assert.equal(err.cause.kind, 'postgres', text);
		assert.equal(err.cause.originalCode, '42501', text);
	}
	assert.match(text, /42501/, text);
	assert.match(err.message, /permission denied/, text);
	return true;
}

test('a client generated for assets, connected as a life role, gets a Prisma permission error', async () => {
	const assetsDir = await writeApp('assets');
	generate(assetsDir);
	// The life application tries to use assets' client with its own login.
	const { PrismaClient } = require(path.join(assetsDir, 'db', 'generated'));
	const { PrismaPg } = require('@prisma/adapter-pg');
	assetsAsLife = new PrismaClient({ adapter: new PrismaPg({ connectionString: url('life_app', 'assets') }), log: [] });
	await assert.rejects(assetsAsLife.portfolio.findMany(), isPermissionError);
	await assert.rejects(assetsAsLife.portfolio.create({ data: { userId, name: 'sneaky' } }), isPermissionError);
	await assert.rejects(assetsAsLife.portfolio.deleteMany({}), isPermissionError);
});
