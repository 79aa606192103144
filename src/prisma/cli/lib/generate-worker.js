'use strict';
// The worker of generate:all: one Node process that loads the Prisma CLI
// once and runs its `generate` command for app after app.
//
// Why: a `prisma generate` process spends most of its time (about 1.3 of
// 1.5 CPU-seconds with Prisma 7) loading the CLI bundle and compiling its
// WASM modules; generating one of our clients in an already loaded CLI takes
// 0.1-0.4 s.  Prisma 7 exposes no programmatic generate (the "prisma"
// package's build/cli.js is one bundle that runs its main function when
// loaded), so the worker compiles that bundle itself with two lines
// appended: a no-op in place of the function that starts the CLI, and an
// export of the CLI's main function and of the argument array it reads.
// Each app then goes through the CLI's own path (config file, schema,
// generators), as `cd apps/<domain> && prisma generate` would.  The two
// names are found by the shape of the code around them; when they are not
// there (another Prisma version), the worker says so and the parent runs
// one `prisma generate` process per app instead.
//
// Protocol (IPC, child_process.fork): the worker sends {type: 'ready'} or
// {type: 'unsupported', reason}; then for each {dir} it receives it runs
// generate with that directory as cwd and sends {type: 'done', dir, status,
// out, seconds}.  It exits when the parent disconnects.

const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

/*
 * The bundle ends with `function Start(){Main().then(e=>{e!==0&&process.exit(e)})...}`
 * called unconditionally, and Main passes the CLI's argv array to the
 * command parser as `await cli.parse(ARGV,config,baseDir)`.
 */
const START = /function ([\w$]+)\(\)\{([\w$]+)\(\)\.then\(e=>\{e!==0&&process\.exit\(e\)\}\)/;
const PARSE = /await [\w$]+\.parse\(([\w$]+),[\w$]+,[\w$]+\)/;

/** The CLI's main function and argv array, or a reason why not. */
function loadCli(cliJs) {
	const source = fs.readFileSync(cliJs, 'utf8');
	const start = START.exec(source);
	if (!start) return { reason: `${cliJs} has no recognizable start function` };
	const mainAt = source.indexOf(`async function ${start[2]}(`);
	const parse = mainAt < 0 ? null : PARSE.exec(source.slice(mainAt, mainAt + 20000));
	if (!parse) return { reason: `${cliJs}: the main function's argument array was not found` };
	// A later function declaration wins over the earlier one of the same
	// name: the bundle's own calls to its start function do nothing.
	const patched = `${source}\n;function ${start[1]}(){}\nmodule.exports.__tecPrisma={main:${start[2]},argv:${parse[1]}};\n`;
	const m = new Module(cliJs, null);
	m.filename = cliJs;
	m.paths = Module._nodeModulePaths(path.dirname(cliJs));
	m._compile(patched, cliJs);
	const api = m.exports.__tecPrisma;
	if (typeof api?.main !== 'function' || !Array.isArray(api.argv)) return { reason: `${cliJs}: the main function was not exported` };
	return api;
}

/* What the CLI writes during one run (it writes through console and the streams). */
function capture() {
	let out = '';
	const saved = [process.stdout.write, process.stderr.write];
	const sink = (chunk, encoding, cb) => {
		out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
		if (typeof encoding === 'function') encoding();
		else if (typeof cb === 'function') cb();
		return true;
	};
	process.stdout.write = sink;
	process.stderr.write = sink;
	return () => {
		[process.stdout.write, process.stderr.write] = saved;
		return out;
	};
}

async function generate(api, dir) {
	const t0 = process.hrtime.bigint();
	const release = capture();
	let status;
	let error = '';
	try {
		// Runs are strictly one after the other: the CLI reads the cwd.
		process.chdir(dir);
		api.argv.length = 0;
		api.argv.push('generate');
		status = await api.main();
	} catch (e) {
		// As the CLI's own start function reports it (the stack with DEBUG set).
		status = 1;
		error = `Error: ${process.env.DEBUG ? e?.stack : e?.message ?? e}\n`;
	}
	const out = release() + error;
	return { status: status === 0 ? 0 : 1, out, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function serve(cliJs) {
	let api;
	try {
		api = loadCli(cliJs);
	} catch (e) {
		api = { reason: `loading ${cliJs} failed: ${e.message}` };
	}
	if (api.reason) {
		process.send({ type: 'unsupported', reason: api.reason });
		process.disconnect();
		return;
	}
	let queue = Promise.resolve();
	process.on('message', (msg) => {
		queue = queue.then(async () => process.send({ type: 'done', dir: msg.dir, ...(await generate(api, msg.dir)) }));
	});
	process.on('disconnect', () => queue.then(() => process.exit(0)));
	process.send({ type: 'ready' });
}

if (require.main === module) serve(process.argv[2]);

module.exports = { loadCli };
