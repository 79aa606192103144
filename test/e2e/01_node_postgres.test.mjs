// 01_node_postgres.test.mjs -- an application on node-postgres ("pg"),
// logged in over TCP with a password as life_app (a writer of "life"), runs
// the design's usage examples, is refused when it reads "assets", and
// reaches assets data through a function "assets" has published.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { adminQuery, auditRowsMatching, auditTableExists, connect, database, host, port } from './lib/env.mjs';

const userId = `user-${process.pid}`;
let life;

before(async () => {
	life = await connect('life_app');
});

after(async () => {
	await life?.end();
});

test('life_app logs in over TCP with a password and is a writer of life', async () => {
	const { rows } = await life.query('SELECT current_user AS who, inet_server_addr() IS NOT NULL AS tcp');
	assert.deepEqual(rows[0], { who: 'life_app', tcp: true });
	const { rows: m } = await adminQuery("SELECT domain, access FROM tec_sovereignty.members WHERE member = 'life_app'");
	assert.deepEqual(m, [{ domain: 'life', access: 'writer' }]);
	// The password is checked (scram-sha-256): a wrong one is refused.
	const wrong = new pg.Client({ host, port, database, user: 'life_app', password: 'not-the-password' });
	await assert.rejects(wrong.connect(), (err) => err.code === '28P01');
	await wrong.end().catch(() => {});
});

test('design example: create a portfolio', async () => {
	const { rows } = await life.query(
		`INSERT INTO life."Portfolio" ("userId", name, type) VALUES ($1, 'Retirement Fund', 'RETIREMENT') RETURNING *`,
		[userId]
	);
	assert.equal(rows.length, 1);
	assert.equal(rows[0].name, 'Retirement Fund');
	assert.equal(rows[0].type, 'RETIREMENT');
	assert.match(rows[0].id, /^[0-9a-f-]{36}$/);
	await life.query(
		`INSERT INTO life."Investment" ("portfolioId", symbol, name, quantity, "costBasis")
		 VALUES ($1, 'VTI', 'Total Stock Market', 10, 2300.50), ($1, 'BND', 'Total Bond Market', 5, 360)`,
		[rows[0].id]
	);
});

test("design example: list the user's portfolios with their investments", async () => {
	const { rows } = await life.query(
		`SELECT p.*, COALESCE(json_agg(i ORDER BY i.symbol) FILTER (WHERE i.id IS NOT NULL), '[]') AS investments
		   FROM life."Portfolio" p LEFT JOIN life."Investment" i ON i."portfolioId" = p.id
		  WHERE p."userId" = $1
		  GROUP BY p.id`,
		[userId]
	);
	assert.equal(rows.length, 1);
	assert.deepEqual(rows[0].investments.map((i) => i.symbol), ['BND', 'VTI']);
});

test('reading another domain (assets) is refused with SQLSTATE 42501', async () => {
	await assert.rejects(life.query('SELECT * FROM assets."Portfolio"'), (err) => {
		assert.equal(err.code, '42501', `expected 42501, got ${err.code}: ${err.message}`);
		assert.match(err.message, /permission denied/);
		return true;
	});
	// Writing and DDL are refused too.
	await assert.rejects(
		life.query(`INSERT INTO assets."Portfolio" ("userId", name) VALUES ('x', 'y')`),
		(err) => err.code === '42501'
	);
	await assert.rejects(life.query('CREATE TABLE assets.stolen (id int)'), (err) => err.code === '42501');
});

test('assets data is reachable through a function assets has published', async () => {
	// assets' own application puts data in, as assets_app.
	const assets = await connect('assets_app');
	try {
		await assets.query(
			`INSERT INTO assets."Portfolio" ("userId", name, type, "totalValue") VALUES ($1, 'Real estate', 'PROPERTY', 250000)`,
			[userId]
		);
	} finally {
		await assets.end();
	}
	// assets' owner writes the API and publishes it to life (DBA step).
	await adminQuery(`
		SET ROLE assets_owner;
		CREATE FUNCTION assets.portfolio_totals(user_id text)
		RETURNS TABLE (portfolios bigint, total numeric)
		LANGUAGE sql STABLE SECURITY DEFINER
		SET search_path = assets, pg_temp
		AS $$ SELECT count(*), coalesce(sum("totalValue"), 0) FROM assets."Portfolio" WHERE "userId" = user_id $$;
		RESET ROLE;
		SELECT tec_publish_api('assets.portfolio_totals(text)'::regprocedure, 'life');
	`);
	const { rows } = await life.query('SELECT * FROM assets.portfolio_totals($1)', [userId]);
	assert.equal(rows.length, 1);
	assert.equal(rows[0].portfolios, '1');
	assert.equal(Number(rows[0].total), 250000);
	// The table itself stays closed.
	await assert.rejects(life.query('SELECT * FROM assets."Portfolio"'), (err) => err.code === '42501');
});

test('the audit trail records all of this', async (t) => {
	if (!(await auditTableExists())) {
		t.skip('tec_sovereignty.audit_log does not exist on this branch (audit trail not merged yet)');
		return;
	}
	const denied = await auditRowsMatching(['life_app', 'assets', 'Portfolio', /"denied"/]);
	assert.ok(denied.length > 0, 'no audit row for the denied read of assets."Portfolio" by life_app');
	const allowed = await auditRowsMatching(['life_app', 'life', 'Portfolio', /"allowed"/]);
	assert.ok(allowed.length > 0, 'no audit row for life_app\'s own access to life."Portfolio"');
	const api = await auditRowsMatching(['portfolio_totals', /EXECUTE/i]);
	assert.ok(api.length > 0, 'no audit row for the call of the published API assets.portfolio_totals');
});
