'use strict';
// Setting up the apps/<domain> layout: the domains' login roles, the .env
// with their URLs, and the generated files of each app.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { quote, readEnv, writeEnv } = require('./dotenv');

const ROLES = [
	{ suffix: 'app', access: 'writer', variable: 'DATABASE_URL' },
	{ suffix: 'migrator', access: 'owner', variable: 'MIGRATOR_DATABASE_URL' },
];

function loadPg() {
	try {
		return require('pg');
	} catch (e) {
		throw new Error(`tec-prisma needs the "pg" package (npm install pg): ${e.message}`);
	}
}

/** A client logged in with a URL; the caller ends it. */
async function connect(url) {
	const pg = loadPg();
	const client = new pg.Client({ connectionString: url, application_name: 'tec-prisma' });
	await client.connect();
	return client;
}

/** The domains of the database (all, or the one named), in name order. */
async function listDomains(admin, only) {
	const { rows } = await admin.query(
		`SELECT name, schema_name::text AS schema, template FROM tec_sovereignty.domain
		  WHERE $1::text IS NULL OR name = $1 ORDER BY name`,
		[only ?? null]
	);
	if (only && rows.length === 0) throw new Error(`domain "${only}" does not exist`);
	return rows;
}

/** A password for a generated role: 32 URL-safe characters, nothing to encode. */
function newPassword() {
	return crypto.randomBytes(24).toString('base64url');
}

/*
 * The SCRAM-SHA-256 verifier of a password, as PostgreSQL stores it: the
 * password itself never reaches the server, its log or the audit trail.
 */
function scramVerifier(password, iterations = 4096) {
	const salt = crypto.randomBytes(16);
	const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256');
	const clientKey = crypto.createHmac('sha256', salted).update('Client Key').digest();
	const storedKey = crypto.createHash('sha256').update(clientKey).digest();
	const serverKey = crypto.createHmac('sha256', salted).update('Server Key').digest();
	return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Create (idempotently) <domain>_app (writer) and <domain>_migrator (owner)
 * for each domain.  A role that exists keeps its password when `known` has
 * it (the .env of an earlier run); otherwise it gets a new one only with
 * resetPasswords, and is an error without.  Returns role -> password and
 * what was done.
 */
async function ensureRoles(admin, domains, known, { resetPasswords = false } = {}) {
	const wanted = domains.flatMap((d) => ROLES.map((r) => ({ domain: d.name, role: `${d.name}_${r.suffix}`, access: r.access })));
	const names = wanted.map((w) => w.role);
	const { rows: existing } = await admin.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [names]);
	const exists = new Set(existing.map((r) => r.rolname));
	const unknown = wanted.filter((w) => exists.has(w.role) && !known.has(w.role)).map((w) => w.role);
	if (unknown.length > 0 && !resetPasswords) {
		throw new Error(`these login roles exist but their passwords are not in the env file: ${unknown.join(', ')}\n` +
			'Add their URLs to the env file, or run again with --reset-passwords to give them new ones.');
	}
	const { rows: memberRows } = await admin.query('SELECT member::text AS member, domain, access FROM tec_sovereignty.members WHERE member = ANY($1)', [names]);
	const membership = new Map(memberRows.map((m) => [m.member, `${m.domain}/${m.access}`]));
	const passwords = new Map();
	const done = { created: [], kept: [], reset: [], added: [] };
	for (const w of wanted) {
		await admin.query('BEGIN');
		try {
			if (!exists.has(w.role)) {
				passwords.set(w.role, newPassword());
				await admin.query(`CREATE ROLE ${admin.escapeIdentifier(w.role)} LOGIN PASSWORD ${admin.escapeLiteral(scramVerifier(passwords.get(w.role)))}`);
				done.created.push(w.role);
			} else if (known.has(w.role)) {
				passwords.set(w.role, known.get(w.role));
				done.kept.push(w.role);
			} else {
				passwords.set(w.role, newPassword());
				await admin.query(`ALTER ROLE ${admin.escapeIdentifier(w.role)} LOGIN PASSWORD ${admin.escapeLiteral(scramVerifier(passwords.get(w.role)))}`);
				done.reset.push(w.role);
			}
			if (membership.get(w.role) !== `${w.domain}/${w.access}`) {
				await admin.query('SELECT tec_add_member($1, $2, $3)', [w.domain, w.role, w.access]);
				done.added.push(w.role);
			}
			await admin.query('COMMIT');
		} catch (e) {
			await admin.query('ROLLBACK');
			throw new Error(`role ${w.role}: ${e.message}`);
		}
	}
	return { passwords, done };
}

/** Role -> password of the URLs already in an env file. */
function knownPasswords(envVars) {
	const known = new Map();
	for (const [, value] of envVars) {
		try {
			const u = new URL(value);
			if (/^postgres(ql)?:$/.test(u.protocol) && u.username && u.password && u.password !== 'CHANGE_ME') {
				known.set(decodeURIComponent(u.username), decodeURIComponent(u.password));
			}
		} catch {
			// not a URL
		}
	}
	return known;
}

/**
 * The env file: tec_connection_env()'s lines (rows) with the host and port
 * of the admin URL and the passwords filled in, for the domains set up; other
 * variables of an existing file are kept.
 */
/* Host and port of a URL; none for one that names a Unix socket (postgresql://user@/db?host=/dir). */
function hostOf(url) {
	try {
		const u = new URL(url);
		return u.hostname ? { hostname: u.hostname, port: u.port || '5432' } : null;
	} catch {
		return null;
	}
}

function envLines(rows, adminUrl, domains, passwords, previous, urlHost) {
	// Over a Unix socket tec_connection_env() names localhost and the port.
	const a = hostOf(urlHost ? `postgresql://${urlHost}` : adminUrl);
	const ours = new Set(domains.map((d) => d.name.toUpperCase()));
	const lines = [];
	const written = new Set();
	for (const { l } of rows) {
		const m = /^([A-Z0-9_]+)="(.*)"$/.exec(l);
		if (!m) {
			lines.push(l);
			continue;
		}
		const [, name, value] = m;
		const dm = /^([A-Z0-9_]+?)_(MIGRATOR_)?DATABASE_URL$/.exec(name);
		if (name === 'DATABASE_URL' || !dm || !ours.has(dm[1])) {
			if (previous.has(name)) lines.push(`${name}=${quote(previous.get(name))}`);
			else if (name === 'DATABASE_URL') lines.push(`# ${l}  (no shared role is created by tec-prisma)`);
			written.add(name);
			continue;
		}
		const u = new URL(value);
		if (a) {
			u.hostname = a.hostname;
			u.port = a.port;
		}
		u.password = passwords.get(decodeURIComponent(u.username));
		lines.push(`${name}=${quote(u.toString())}`);
		written.add(name);
	}
	const extra = [...previous].filter(([k]) => !written.has(k));
	if (extra.length > 0) {
		lines.push('# Kept from the previous file:');
		for (const [k, v] of extra) lines.push(`${k}=${quote(v)}`);
	}
	return lines;
}

function clientJs(domain) {
	const ENV = `${domain.toUpperCase()}_DATABASE_URL`;
	return `// apps/${domain}/db/client.js -- the ${domain} domain's isolated Prisma client
// (scaffolded by tec-prisma; yours to edit, never overwritten).  It connects
// as ${domain}_app through the pg driver adapter: ${ENV}, falling back
// to the shared DATABASE_URL.
const { PrismaClient, Prisma } = require('./generated');
const { PrismaPg } = require('@prisma/adapter-pg');

const url = process.env.${ENV} || process.env.DATABASE_URL;
if (!url) throw new Error('${ENV} (or DATABASE_URL) is not set');

const globalKey = Symbol.for('tec.${domain}DB');
const db = globalThis[globalKey] ?? new PrismaClient({
  adapter: new PrismaPg({ connectionString: url }),
  log: process.env.NODE_ENV === 'production' ? ['error'] : ['warn', 'error'],
});
if (process.env.NODE_ENV !== 'production') globalThis[globalKey] = db;

module.exports = db;
module.exports.Prisma = Prisma;
`;
}

/**
 * apps/<domain>/{prisma/schema.prisma, prisma.config.ts, db/client.js}:
 * the first two regenerated from the catalogs every time, client.js
 * written only when absent.
 */
async function scaffold(admin, domains, appsDir, { prismaVersion = 7 } = {}) {
	const written = [];
	for (const d of domains) {
		const dir = path.join(appsDir, d.name);
		fs.mkdirSync(path.join(dir, 'prisma'), { recursive: true });
		fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
		const { rows } = await admin.query('SELECT tec_prisma_schema($1, prisma_version => $2) AS s, tec_prisma_config($1) AS c', [d.name, prismaVersion]);
		fs.writeFileSync(path.join(dir, 'prisma', 'schema.prisma'), rows[0].s);
		if (prismaVersion >= 7) fs.writeFileSync(path.join(dir, 'prisma.config.ts'), rows[0].c);
		const client = path.join(dir, 'db', 'client.js');
		if (!fs.existsSync(client)) fs.writeFileSync(client, clientJs(d.name));
		written.push(dir);
	}
	return written;
}

/** Roles, .env and apps/ for the domains (all, or one). */
async function init({ adminUrl, envFile, appsDir, domain, resetPasswords, urlHost, log = () => {} }) {
	const admin = await connect(adminUrl);
	try {
		const domains = await listDomains(admin, domain);
		const previous = readEnv(envFile);
		// Everything that can fail before any role changes.
		const { rows: envRows } = await admin.query('SELECT l FROM tec_connection_env() l');
		await admin.query('SELECT tec_prisma_config(name) FROM tec_sovereignty.domain WHERE name = ANY($1)', [domains.map((d) => d.name)]);
		const { passwords, done } = await ensureRoles(admin, domains, knownPasswords(previous), { resetPasswords });
		log(`roles: ${done.created.length} created, ${done.kept.length} kept, ${done.reset.length} given new passwords, ${done.added.length} added to their domain`);
		writeEnv(envFile, envLines(envRows, adminUrl, domains, passwords, previous, urlHost));
		log(`wrote ${envFile} (mode 0600)`);
		const dirs = await scaffold(admin, domains, appsDir);
		log(`scaffolded ${dirs.length} app(s) in ${appsDir}`);
		return { domains: domains.map((d) => d.name), done };
	} finally {
		await admin.end();
	}
}

module.exports = { connect, listDomains, ensureRoles, envLines, scaffold, init, clientJs, scramVerifier, knownPasswords };
