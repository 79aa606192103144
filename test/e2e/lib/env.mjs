// test/e2e/lib/env.mjs -- what run.sh hands the tests: the cluster, the login
// roles and their (per-run, random) passwords, and helpers to reach them.
//
// Applications connect the way the design lays out: over TCP with password
// authentication, one login role per domain, URLs from tec_connection_env().
// Only the setup and the checks that read the audit trail use the
// superuser, over the cluster's Unix socket.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const APPS_DIR = process.env.E2E_APPS_DIR ?? path.join(E2E_DIR, 'apps');
// The Prisma job: 7 (test/e2e/node_modules) or 6 (test/e2e/prisma6/node_modules).
export const PRISMA_VERSION = Number(process.env.E2E_PRISMA_VERSION ?? 7);
export const PRISMA_DIR = PRISMA_VERSION === 6 ? path.join(E2E_DIR, 'prisma6') : E2E_DIR;
const PRISMA_BIN = path.join(PRISMA_DIR, 'node_modules', '.bin', 'prisma');
// Packages of the job (@prisma/adapter-pg), resolved from its node_modules.
export const requireFromPrisma = createRequire(path.join(PRISMA_DIR, 'package.json'));
// The command-line tool shipped with the extension (src/prisma/cli).
export const CLI_DIR = path.resolve(E2E_DIR, '..', '..', 'src', 'prisma', 'cli');
const { clientJs } = createRequire(import.meta.url)(path.join(CLI_DIR, 'lib', 'setup.js'));

function need(name) {
	const v = process.env[name];
	if (!v) throw new Error(`${name} is not set: run the tests through test/e2e/run.sh`);
	return v;
}

export const host = '127.0.0.1';
export const port = Number(need('E2E_PORT'));
export const database = need('E2E_DATABASE');

/** Password of one of the login roles run.sh created. */
export function password(role) {
	return need(`E2E_PASSWORD_${role.toUpperCase()}`);
}

let envFile = null;

/**
 * The URLs tec_connection_env() writes (name -> URL), with host 127.0.0.1
 * (the cluster listens there only) and the placeholder left in.
 */
export async function connectionEnv() {
	if (!envFile) {
		envFile = new Map();
		const { rows } = await adminQuery('SELECT l FROM tec_connection_env() l');
		for (const { l } of rows) {
			const m = /^([A-Z0-9_]+)="(.*)"$/.exec(l);
			if (m) envFile.set(m[1], m[2].replace('@localhost:', `@${host}:`));
		}
	}
	return envFile;
}

/**
 * The URL of tec_connection_env() for a domain's app or migrator role, with
 * the role's password; `as` logs in as another role with the same URL
 * shape (a life role aimed at assets).
 */
export async function domainUrl(domain, { migrator = false, as } = {}) {
	const name = `${domain.toUpperCase()}_${migrator ? 'MIGRATOR_' : ''}DATABASE_URL`;
	const u = new URL((await connectionEnv()).get(name));
	if (as) u.username = as;
	u.password = encodeURIComponent(password(decodeURIComponent(u.username)));
	return u.toString();
}

/** A URL in Prisma's own form (schema=, which psql refuses), for the Prisma 6 CLI. */
export function url(role, schema) {
	return `postgresql://${encodeURIComponent(role)}:${encodeURIComponent(password(role))}@${host}:${port}/${encodeURIComponent(database)}?schema=${encodeURIComponent(schema)}`;
}

/** A node-postgres client logged in over TCP with a password. */
export async function connect(role) {
	const client = new pg.Client({ host, port, database, user: role, password: password(role), application_name: 'tsov-e2e' });
	await client.connect();
	return client;
}

/** The superuser, over the Unix socket (setup and audit checks only). */
export async function admin() {
	const client = new pg.Client({ host: need('E2E_SOCKET_DIR'), port, database, user: 'postgres', application_name: 'tsov-e2e-admin' });
	await client.connect();
	return client;
}

export async function adminQuery(sql, params = []) {
	const c = await admin();
	try {
		return await c.query(sql, params);
	} finally {
		await c.end();
	}
}

/**
 * Run the Prisma CLI; returns { status, stdout, stderr }.  The engine
 * paths run.sh sets keep the CLI from trying to download engines.
 */
export function prisma(args, { cwd = E2E_DIR, env = {} } = {}) {
	const r = spawnSync(PRISMA_BIN, args, {
		cwd,
		env: { ...process.env, ...env },
		encoding: 'utf8',
		timeout: 180_000,
	});
	return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** The same, without blocking: several CLI runs can share the two cores. */
export function prismaAsync(args, { cwd = E2E_DIR, env = {} } = {}) {
	return new Promise((resolve) => {
		const child = spawn(PRISMA_BIN, args, { cwd, env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', (error) => resolve({ status: null, stdout, stderr, error }));
		child.on('close', (status) => resolve({ status, stdout, stderr }));
	});
}

/** Run fn over items, at most `width` at a time. */
export async function inParallel(items, width, fn) {
	const results = [];
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			results[i] = await fn(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
	return results;
}

export function describeRun(r) {
	return `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/**
 * Lay out apps/<domain> as the design does: prisma/schema.prisma from
 * tec_prisma_schema() (for the job's Prisma version), db/client.js (the
 * isolated client with its fallback to DATABASE_URL, as tec-prisma
 * scaffolds it) and, for Prisma 7,
 * prisma.config.ts from tec_prisma_config().  Returns the app's directory.
 */
export async function writeApp(domain, { dir = path.join(APPS_DIR, domain) } = {}) {
	fs.mkdirSync(path.join(dir, 'prisma'), { recursive: true });
	fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
	const { rows } = await adminQuery('SELECT tec_prisma_schema($1, prisma_version => $2) AS s', [domain, PRISMA_VERSION]);
	fs.writeFileSync(path.join(dir, 'prisma', 'schema.prisma'), rows[0].s);
	fs.writeFileSync(path.join(dir, 'db', 'client.js'), clientJs(domain));
	if (PRISMA_VERSION >= 7) {
		const { rows: cfg } = await adminQuery('SELECT tec_prisma_config($1) AS c', [domain]);
		fs.writeFileSync(path.join(dir, 'prisma.config.ts'), cfg[0].c);
	}
	return dir;
}

/** `prisma generate` for an app; throws with the CLI's output on failure. */
export function generate(dir, env = {}) {
	const r = prisma(['generate', '--schema', path.join(dir, 'prisma', 'schema.prisma')], { cwd: dir, env });
	if (r.status !== 0) throw new Error(`prisma generate failed in ${dir}: ${describeRun(r)}`);
	return r;
}

/**
 * Audit rows newer than `since` (the audit trail is another subsystem:
 * when its table is absent the caller skips).  Rows are returned as JSON
 * text so that checks do not depend on its exact column names.
 */
export async function auditTableExists() {
	const { rows } = await adminQuery("SELECT to_regclass('tec_sovereignty.audit_log') IS NOT NULL AS present");
	return rows[0].present;
}

export async function auditRowsMatching(patterns, { timeoutMs = 15_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { rows } = await adminQuery('SELECT to_jsonb(a)::text AS j FROM tec_sovereignty.audit_log a');
		const hits = rows.map((r) => r.j).filter((j) => patterns.every((p) => (p instanceof RegExp ? p.test(j) : j.includes(p))));
		if (hits.length > 0 || Date.now() > deadline) return hits;
		await new Promise((r) => setTimeout(r, 250));
	}
}
