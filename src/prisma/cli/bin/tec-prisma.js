#!/usr/bin/env node
'use strict';
// tec-prisma: the apps/<domain> layout of tec_sovereignty with Prisma 7.
// Run `tec-prisma help` for the commands.

const fs = require('node:fs');
const path = require('node:path');
const { loadEnv } = require('../lib/dotenv');
const { connect, init, listDomains, scaffold } = require('../lib/setup');
const { generateAll, listApps } = require('../lib/generate');
const { deploy, history, markApplied, writeBaseline } = require('../lib/migrate');

const USAGE = `usage: tec-prisma <command> [options]

  init             create each domain's login roles <domain>_app (writer) and
                   <domain>_migrator (owner) with generated passwords, write
                   the env file (mode 0600), scaffold apps/<domain>/
                   {prisma/schema.prisma, prisma.config.ts, db/client.js} and
                   add the scripts generate:all, migrate:all, migrate:domain
                   to ./package.json when there is one
  scaffold         regenerate schema.prisma and prisma.config.ts from the catalogs
  generate:all     prisma generate in every app whose schema, config or Prisma
                   version changed since its last generate (--force: every
                   app), by workers that load the Prisma CLI once each
  migrate:all      apply each app's pending prisma/migrations as its migrator
  migrate:domain   the same for one domain (--domain or DOMAIN=<domain>)
  baseline         record the baseline of a domain made from a template:
                   writes prisma/migrations/0_init/migration.sql (the template's
                   DDL) and marks it applied without running it
  status           the recorded migrations of each app

options:
  --database-url URL   a superuser's URL (init, scaffold, baseline);
                       default $TEC_ADMIN_DATABASE_URL
  --domain NAME        one domain instead of all (default $DOMAIN for migrate:domain)
  --env FILE           the env file (default .env); read by every command
  --apps DIR           the apps folder (default apps)
  --reset-passwords    init: give new passwords to existing roles whose
                       passwords the env file does not have
  --jobs N             generate:all: workers at a time (default: the number of CPUs)
  --force              generate:all: regenerate the apps that are up to date too
  --isolated           generate:all: one \`prisma generate\` process per app
                       (slower: each loads the CLI)
  --prisma PATH        the Prisma CLI (default $PRISMA_BIN, or node_modules/.bin/prisma)
  --url-host HOST[:PORT]  init: the host (and port) the applications' URLs name
                       (default: those of --database-url)
  --name NAME          baseline: the migration's name (default 0_init)
`;

function parse(argv) {
	const opts = { _: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--reset-passwords') opts.resetPasswords = true;
		else if (a === '--force') opts.force = true;
		else if (a === '--isolated') opts.isolated = true;
		else if (a === '-h' || a === '--help') opts._.unshift('help');
		else if (a.startsWith('--')) {
			const [k, inline] = a.slice(2).split(/=(.*)/s, 2);
			const v = inline ?? argv[++i];
			if (v === undefined) throw usage(`${a} needs a value`);
			opts[k.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = v;
		} else opts._.push(a);
	}
	return opts;
}

function usage(msg) {
	const e = new Error(msg);
	e.usage = true;
	return e;
}

function adminUrl(opts) {
	const url = opts.databaseUrl ?? process.env.TEC_ADMIN_DATABASE_URL;
	if (!url) throw usage('a superuser URL is needed: --database-url or TEC_ADMIN_DATABASE_URL');
	return url;
}

/** The schema an app's schema.prisma targets (its datasource's schemas). */
function appSchema(dir) {
	const m = /^\s*schemas\s*=\s*\[\s*"([^"]+)"/m.exec(fs.readFileSync(path.join(dir, 'prisma', 'schema.prisma'), 'utf8'));
	if (!m) throw new Error(`${dir}/prisma/schema.prisma names no schema (datasource schemas = [...])`);
	return m[1];
}

function migratorUrl(domain) {
	const name = `${domain.toUpperCase()}_MIGRATOR_DATABASE_URL`;
	const url = process.env[name];
	if (!url) throw new Error(`${name} is not set (tec-prisma init writes it to the env file)`);
	return url;
}

async function migrateApps(opts, only) {
	const apps = listApps(opts.apps, only);
	if (only && apps.length === 0) throw new Error(`no app ${only} in ${opts.apps} (run tec-prisma init --domain ${only})`);
	let total = 0;
	for (const dir of apps) {
		const domain = path.basename(dir);
		const migrationsDir = path.join(dir, 'prisma', 'migrations');
		if (!fs.existsSync(migrationsDir)) {
			console.log(`${domain}: no migrations`);
			continue;
		}
		const r = await deploy({ url: migratorUrl(domain), schema: appSchema(dir), migrationsDir });
		for (const w of r.warnings) console.warn(`warning: ${w}`);
		console.log(`${domain}: ${r.applied.length === 0 ? 'up to date' : `applied ${r.applied.join(', ')}`}`);
		total += r.applied.length;
	}
	console.log(`${total} migration(s) applied in ${apps.length} app(s)`);
}

/* The design's npm scripts, in the project's package.json when it has one (never replacing a script). */
function addScripts(file) {
	if (!fs.existsSync(file)) return;
	const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
	pkg.scripts ??= {};
	const added = [];
	for (const name of ['generate:all', 'migrate:all', 'migrate:domain']) {
		if (pkg.scripts[name] === undefined) {
			pkg.scripts[name] = `tec-prisma ${name}`;
			added.push(name);
		}
	}
	if (added.length === 0) return;
	fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
	console.log(`package.json: added the scripts ${added.join(', ')}`);
}

async function main(argv) {
	const opts = parse(argv);
	const command = opts._[0] ?? 'help';
	opts.env = path.resolve(opts.env ?? '.env');
	opts.apps = path.resolve(opts.apps ?? 'apps');
	loadEnv(opts.env);
	switch (command) {
		case 'help':
			process.stdout.write(USAGE);
			return;
		case 'init':
			await init({ adminUrl: adminUrl(opts), envFile: opts.env, appsDir: opts.apps, domain: opts.domain, resetPasswords: opts.resetPasswords, urlHost: opts.urlHost, log: (m) => console.log(m) });
			addScripts(path.resolve('package.json'));
			return;
		case 'scaffold': {
			const admin = await connect(adminUrl(opts));
			try {
				const dirs = await scaffold(admin, await listDomains(admin, opts.domain), opts.apps);
				console.log(`scaffolded ${dirs.length} app(s) in ${opts.apps}`);
			} finally {
				await admin.end();
			}
			return;
		}
		case 'generate:all': {
			if (opts.jobs !== undefined && !/^[1-9][0-9]*$/.test(opts.jobs)) throw usage(`--jobs needs a positive whole number, not "${opts.jobs}"`);
			const r = await generateAll({ appsDir: opts.apps, prisma: opts.prisma, jobs: opts.jobs && Number(opts.jobs), only: opts.domain, force: opts.force, isolated: opts.isolated, log: (m) => console.log(m) });
			const failed = r.results.filter((x) => x.status !== 0);
			const skipped = r.results.filter((x) => x.skipped).length;
			const ran = r.results.length - skipped;
			for (const f of failed) console.error(`--- ${f.app}\n${f.out}`);
			const unit = r.mode === 'isolated' ? (r.jobs === 1 ? 'process' : 'processes') : r.jobs === 1 ? 'worker' : 'workers';
			const alone = r.mode === 'workers' ? r.results.filter((x) => !x.skipped && !x.inWorker).length : 0;
			const how = ran === 0 ? '' : ` (${r.jobs} ${unit} at a time${alone > 0 ? `, ${alone} app(s) in a process of their own` : ''})`;
			console.log(`generate:all: ${ran - failed.length} of ${ran} generated, ${skipped} up to date, in ${r.seconds.toFixed(1)} s${how}`);
			if (failed.length > 0) process.exitCode = 1;
			return;
		}
		case 'migrate:all':
			await migrateApps(opts, opts.domain);
			return;
		case 'migrate:domain': {
			const domain = opts.domain ?? process.env.DOMAIN;
			if (!domain) throw usage('migrate:domain needs --domain or DOMAIN=<domain>');
			await migrateApps(opts, domain);
			return;
		}
		case 'baseline': {
			if (!opts.domain) throw usage('baseline needs --domain');
			const dir = path.join(opts.apps, opts.domain);
			const migrationsDir = path.join(dir, 'prisma', 'migrations');
			const name = opts.name ?? '0_init';
			const admin = await connect(adminUrl(opts));
			try {
				console.log(`wrote ${await writeBaseline(admin, opts.domain, migrationsDir, name)}`);
			} finally {
				await admin.end();
			}
			const recorded = await markApplied({ url: migratorUrl(opts.domain), schema: appSchema(dir), migrationsDir, name });
			console.log(`${opts.domain}: ${name} ${recorded ? 'recorded as applied' : 'was recorded already'}`);
			return;
		}
		case 'status': {
			for (const dir of listApps(opts.apps, opts.domain)) {
				const domain = path.basename(dir);
				const schema = appSchema(dir);
				const c = await connect(migratorUrl(domain));
				try {
					const { rows } = await c.query('SELECT to_regclass($1) IS NOT NULL AS p', [`${c.escapeIdentifier(schema)}._prisma_migrations`]);
					const rowsH = rows[0].p ? await history(c, schema) : [];
					console.log(`${domain}: ${rowsH.map((r) => `${r.migration_name}${r.finished_at ? '' : ' (failed)'}${r.rolled_back_at ? ' (rolled back)' : ''}`).join(', ') || 'no migrations recorded'}`);
				} finally {
					await c.end();
				}
			}
			return;
		}
		default:
			throw usage(`unknown command "${command}"`);
	}
}

main(process.argv.slice(2)).catch((e) => {
	console.error(`tec-prisma: ${e.message}`);
	if (e.usage) console.error('run tec-prisma help for the commands');
	process.exit(e.usage ? 2 : 1);
});
