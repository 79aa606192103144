'use strict';
// generate:all: `prisma generate` in every apps/<domain>, several at a time.
// The runs are independent (each app has its own schema, config and output
// folder).  A run is CPU-bound (about 1.2 CPU-seconds with Prisma 7, most of
// it the CLI loading itself), so the speed-up is at most the number of CPUs.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The Prisma CLI: --prisma, $PRISMA_BIN, or node_modules/.bin/prisma above cwd. */
function findPrisma(explicit, from = process.cwd()) {
	if (explicit) return explicit;
	if (process.env.PRISMA_BIN) return process.env.PRISMA_BIN;
	for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
		const bin = path.join(dir, 'node_modules', '.bin', 'prisma');
		if (fs.existsSync(bin)) return bin;
		if (path.dirname(dir) === dir) break;
	}
	throw new Error('the Prisma CLI was not found: npm install prisma, or pass --prisma PATH');
}

/** The app folders under appsDir (those with prisma/schema.prisma), in name order. */
function listApps(appsDir, only) {
	const names = only ? [only] : fs.readdirSync(appsDir).sort();
	return names
		.map((name) => path.join(appsDir, name))
		.filter((dir) => fs.existsSync(path.join(dir, 'prisma', 'schema.prisma')));
}

function run(bin, args, cwd) {
	return new Promise((resolve) => {
		const t0 = process.hrtime.bigint();
		const child = spawn(bin, args, { cwd, env: process.env });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('error', (error) => resolve({ status: null, out: out + String(error), seconds: 0 }));
		child.on('close', (status) => resolve({ status, out, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
	});
}

/**
 * Run `prisma generate` in each app, `jobs` at a time (default: one per
 * CPU).  Returns the results and the wall-clock seconds.
 */
async function generateAll({ appsDir, prisma, jobs, only, log = () => {} }) {
	const bin = findPrisma(prisma, appsDir);
	const apps = listApps(appsDir, only);
	if (apps.length === 0) throw new Error(`no apps with prisma/schema.prisma under ${appsDir}`);
	const width = Math.max(1, jobs ?? os.availableParallelism?.() ?? os.cpus().length);
	const t0 = process.hrtime.bigint();
	const results = new Array(apps.length);
	let next = 0;
	const worker = async () => {
		while (next < apps.length) {
			const i = next++;
			const r = await run(bin, ['generate'], apps[i]);
			results[i] = { app: path.basename(apps[i]), ...r };
			log(`${results[i].app}: ${r.status === 0 ? 'generated' : `failed (exit ${r.status})`} in ${r.seconds.toFixed(1)} s`);
		}
	};
	await Promise.all(Array.from({ length: Math.min(width, apps.length) }, worker));
	return { results, jobs: width, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

module.exports = { generateAll, findPrisma, listApps };
