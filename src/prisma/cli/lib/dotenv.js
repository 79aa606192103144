'use strict';
// .env files: KEY="value" lines and # comments, the format
// tec_connection_env() writes and Prisma's tooling reads.

const fs = require('node:fs');

/** The variables of an env file (an absent file has none). */
function readEnv(file) {
	const vars = new Map();
	let text;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (e) {
		if (e.code === 'ENOENT') return vars;
		throw e;
	}
	for (const line of text.split(/\r?\n/)) {
		const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (!m) continue;
		let v = m[2];
		if (/^"(.*)"$/.test(v)) v = v.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
		else if (/^'(.*)'$/.test(v)) v = v.slice(1, -1);
		vars.set(m[1], v);
	}
	return vars;
}

/** Put the variables of an env file into process.env, never overriding one already set. */
function loadEnv(file) {
	for (const [k, v] of readEnv(file)) {
		if (process.env[k] === undefined) process.env[k] = v;
	}
}

/** Write an env file readable by its owner only (mode 0600, also when it existed). */
function writeEnv(file, lines) {
	const text = lines.join('\n') + '\n';
	const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o600);
	try {
		fs.fchmodSync(fd, 0o600);
		fs.writeSync(fd, text);
	} finally {
		fs.closeSync(fd);
	}
}

function quote(v) {
	return `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

module.exports = { readEnv, loadEnv, writeEnv, quote };
