// 03_prisma_validate_all.test.mjs -- the schema.prisma of every one of the
// 24 ecosystem domains, and the shared one, passes `prisma validate`, and
// `prisma generate` builds a client for one domain of each built-in
// template.  (02 checks that `prisma format` leaves the output unchanged.)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { APPS_DIR, PRISMA_VERSION, adminQuery, describeRun, generate, inParallel, prismaAsync, writeApp } from './lib/env.mjs';

let domains;
let envLines;

before(async () => {
	({ rows: domains } = await adminQuery(
		'SELECT e.domain, e.template FROM tec_sovereignty.ecosystem() e ORDER BY e.domain'
	));
	// The env file tec_connection_env() writes is what the CLI reads.
	envLines = (await adminQuery('SELECT l FROM tec_connection_env() l')).rows.map((r) => r.l);
	for (const line of envLines) {
		const m = /^([A-Z0-9_]+)="(.*)"$/.exec(line);
		if (m && !process.env[m[1]]) process.env[m[1]] = m[2];
	}
});

test('tec_connection_env() has an app and a migrator URL for each of the 24 domains and DATABASE_URL last', () => {
	const vars = envLines.filter((l) => !l.startsWith('#')).map((l) => l.split('=')[0]);
	assert.equal(vars.length, 49);
	assert.equal(vars.at(-1), 'DATABASE_URL');
	for (const { domain } of domains) {
		const D = domain.toUpperCase();
		for (const [name, role] of [[`${D}_DATABASE_URL`, `${domain}_app`], [`${D}_MIGRATOR_DATABASE_URL`, `${domain}_migrator`]]) {
			const line = envLines.find((l) => l.startsWith(`${name}=`));
			assert.match(line, new RegExp(`^${name}="postgresql://${role}:CHANGE_ME@[^/]+/[^?]+\\?options=-c%20search_path%3D${domain}"$`));
		}
	}
});

test(`prisma ${PRISMA_VERSION} validate accepts all 24 domain schemas and the shared one`, async () => {
	const names = [...domains.map((d) => d.domain), null];
	const failures = (
		await inParallel(names, 2, async (name) => {
			const dir = path.join(APPS_DIR, 'validate', name ?? 'shared');
			fs.mkdirSync(dir, { recursive: true });
			const file = path.join(dir, 'schema.prisma');
			const { rows } = await adminQuery('SELECT tec_prisma_schema($1, prisma_version => $2) AS s', [name, PRISMA_VERSION]);
			fs.writeFileSync(file, rows[0].s);
			const v = await prismaAsync(['validate', '--schema', file], { cwd: dir });
			return v.status === 0 ? null : `${name ?? 'shared'}: validate ${describeRun(v)}`;
		})
	).filter(Boolean);
	assert.deepEqual(failures, []);
});

test('prisma generate builds a client for one domain of each template', async () => {
	const seen = new Set();
	for (const { domain, template } of domains) {
		if (seen.has(template) || domain === 'life' || domain === 'assets') continue;
		seen.add(template);
		const dir = await writeApp(domain);
		generate(dir);
		assert.ok(fs.existsSync(path.join(dir, 'db', 'generated', 'index.js')), `${domain}: no client generated`);
	}
	assert.ok(seen.size >= 8);
});
