// 02_prisma_client.test.mjs -- the Prisma flow of the design, end to end:
// tec_prisma_schema('life') -> apps/life/prisma/schema.prisma -> prisma
// generate -> apps/life/db/client.js (driver adapter @prisma/adapter-pg,
// no engine download) -> lifeDB.portfolio.findMany / create as life_app.
// Then a client generated for "assets", connected as a life role, gets the
// permission error back as Prisma 7 reports it: PrismaClientKnownRequestError
// P2039 (model queries) or P2010 (raw queries), the SQLSTATE under
// meta.driverAdapterError.cause.originalCode.  With E2E_PRISMA_VERSION=6 the
// same file runs in the Prisma 6 job (prisma6/02_prisma6_client.test.mjs).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PRISMA_VERSION, describeRun, domainUrl, generate, prisma, requireFromPrisma, writeApp } from './lib/env.mjs';

const require = createRequire(import.meta.url);
const userId = `prisma-user-${process.pid}`;
let lifeDir;
let lifeDB;
let assetsAsLife;

before(async () => {
	// The application's environment: its own URL, as tec_connection_env()
	// lays it out, with the password of this run.
	process.env.LIFE_DATABASE_URL = await domainUrl('life');
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

test(`prisma ${PRISMA_VERSION} generate builds the isolated life client (no engine download)`, () => {
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
 * Prisma 7 reports a database error through the driver adapter as
 * PrismaClientKnownRequestError: P2039 for a model query, P2010 for a raw
 * one, the SQLSTATE under meta.driverAdapterError.cause.originalCode.
 * (Prisma 6 with the adapter threw a bare DriverAdapterError for model
 * queries; the Prisma 6 job checks that shape.)
 */
function expectPrismaError(Prisma, code, sqlstate, message) {
	return (err) => {
		const text = `${err.name} ${err.code}: ${err.message} ${JSON.stringify(err.meta ?? {})} ${JSON.stringify(err.cause ?? {})}`;
		if (PRISMA_VERSION === 6 && err.name === 'DriverAdapterError') {
			assert.equal(err.cause.originalCode, sqlstate, text);
			assert.match(err.cause.message, message, text);
			return true;
		}
		assert.ok(err instanceof Prisma.PrismaClientKnownRequestError, text);
		assert.equal(err.name, 'PrismaClientKnownRequestError', text);
		assert.equal(err.code, code, text);
		assert.equal(err.meta.driverAdapterError.cause.originalCode, sqlstate, text);
		assert.match(err.meta.driverAdapterError.cause.message, message, text);
		return true;
	};
}

test('a client generated for assets, connected as a life role, gets a Prisma permission error', async () => {
	const assetsDir = await writeApp('assets');
	generate(assetsDir);
	// The life application tries to use assets' client with its own login.
	const { PrismaClient, Prisma } = require(path.join(assetsDir, 'db', 'generated'));
	const { PrismaPg } = requireFromPrisma('@prisma/adapter-pg');
	assetsAsLife = new PrismaClient({ adapter: new PrismaPg({ connectionString: await domainUrl('assets', { as: 'life_app' }) }), log: [] });
	const denied = expectPrismaError(Prisma, 'P2039', '42501', /permission denied/);
	await assert.rejects(assetsAsLife.portfolio.findMany(), denied);
	await assert.rejects(assetsAsLife.portfolio.create({ data: { userId, name: 'sneaky' } }), denied);
	await assert.rejects(assetsAsLife.portfolio.deleteMany({}), denied);
});

test('raw queries: a cross-domain read is P2010 with SQLSTATE 42501, any other error keeps its SQLSTATE', async () => {
	const { Prisma } = lifeDB;
	await assert.rejects(lifeDB.$queryRaw`SELECT * FROM assets."Portfolio"`, expectPrismaError(Prisma, 'P2010', '42501', /permission denied/));
	await assert.rejects(lifeDB.$executeRawUnsafe('SELECT 1/0'), expectPrismaError(Prisma, 'P2010', '22012', /division by zero/));
});

test("the README's catch example, as written", async () => {
	const { Prisma } = lifeDB;
	let seen = null;
	try {
		await assetsAsLife.portfolio.findMany();
	} catch (e) {
		if (e instanceof Prisma.PrismaClientKnownRequestError && e.meta?.driverAdapterError?.cause?.originalCode === '42501') {
			seen = { code: e.code, sqlstate: e.meta.driverAdapterError.cause.originalCode };
		} else if (PRISMA_VERSION === 6 && e.cause?.originalCode === '42501') {
			seen = { code: 'P2039', sqlstate: e.cause.originalCode };
		} else {
			throw e;
		}
	}
	assert.deepEqual(seen, { code: 'P2039', sqlstate: '42501' });
});
