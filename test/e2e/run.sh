#!/usr/bin/env bash
# test/e2e/run.sh -- end-to-end tests with real clients (psql, node-postgres,
# Prisma through the pg driver adapter) and the tec-prisma tool of
# src/prisma/cli, called by test/run_tests.sh.
#
#   1. a private PostgreSQL installation with the extension (reused when
#      run_tests.sh already made one), a throwaway cluster on a free port,
#      TCP on 127.0.0.1 with scram-sha-256;
#   2. database "tec", the extension, the 24 ecosystem domains, and login
#      roles with passwords made up for this run: life_app / assets_app
#      (writers), life_migrator / assets_migrator (owner access);
#   3. `npm ci` of the pinned packages (package-lock.json) into
#      test/e2e/node_modules;
#   4. `node --test` on test/e2e/*.test.mjs (Prisma 7), then on
#      test/e2e/prisma6/*.test.mjs (the Prisma 6 job, below); generated apps
#      go to test/e2e/apps and test/e2e/prisma6/apps (ignored by git).
#
# Ends with "e2e: N passed, N failed[, N skipped]"; exits non-zero on
# failure.  Set TSOV_KEEP=1 to keep the scratch directory.  Arguments name
# test files to run instead of all (e.g. run.sh 02_prisma_client.test.mjs).
#
# Jobs: Prisma 7 (test/e2e/package-lock.json) runs every *.test.mjs; the
# Prisma 6 job (test/e2e/prisma6/package-lock.json) then runs
# prisma6/*.test.mjs against the same cluster: the files written with
# prisma_version => 6 and the round trip through Prisma 6's WASM schema
# engine, the only offline `migrate diff` there is.  E2E_PRISMA6=0 skips it.
#
# Offline: the Prisma CLI downloads native engines unless told where they
# are.  validate, format and generate need none (WASM); Prisma 7's migrate
# commands need the native schema engine.  PRISMA_SCHEMA_ENGINE_BINARY
# points at $E2E_SCHEMA_ENGINE when that is a real engine (then `prisma
# migrate deploy` is tested), else at a stand-in that fails if ever run,
# and the tests that need the engine are skipped, saying so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
	|| tsov_die "node and npm are needed for the end-to-end tests (Node.js 20 or later)"

work=$(tsov_tempdir e2e)
if [ -n "${TSOV_BINDIR:-}" ] && [ -x "$TSOV_BINDIR/postgres" ] \
	&& [ -f "$("$TSOV_BINDIR/pg_config" --pkglibdir)/tec_sovereignty.so" ]; then
	PG_CONFIG=$TSOV_BINDIR/pg_config
	PATH=$TSOV_BINDIR:$PATH
	export PG_CONFIG PATH
else
	tsov_ensure_deps
	tsov_temp_install "$work/install"
fi
cluster=$work/cluster
mkdir -p "$cluster"
[ "$(id -u)" -eq 0 ] && chown postgres: "$cluster"
port=$(tsov_free_port)
failed_setup=0

cleanup() {
	tsov_stop_cluster "$cluster"
	if [ "${TSOV_KEEP:-0}" = 1 ] || [ "$failed_setup" -ne 0 ] || [ "${e2e_failed:-1}" -ne 0 ]; then
		echo "e2e scratch directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

setup_failed() {
	failed_setup=1
	echo "e2e setup failed: $*" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

tsov_log "e2e: starting a cluster on port $port"
tsov_start_cluster "$cluster" "$port" "fsync = off"

# Passwords for this run only (never a real secret, never written to git).
pw() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
declare -A password
for role in life_app assets_app life_migrator assets_migrator; do
	password[$role]=$(pw)
done

psql_admin() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres "$@"
}

psql_admin -d postgres -c "CREATE DATABASE tec" >/dev/null || setup_failed "CREATE DATABASE"
{
	cat <<-SQL
	CREATE EXTENSION tec_sovereignty;
	SELECT count(*) FROM tec_create_ecosystem();
	CREATE ROLE life_app LOGIN PASSWORD '${password[life_app]}';
	SELECT tec_add_member('life', 'life_app', 'writer');
	CREATE ROLE assets_app LOGIN PASSWORD '${password[assets_app]}';
	SELECT tec_add_member('assets', 'assets_app', 'writer');
	CREATE ROLE life_migrator LOGIN PASSWORD '${password[life_migrator]}';
	SELECT tec_add_member('life', 'life_migrator', 'owner');
	CREATE ROLE assets_migrator LOGIN PASSWORD '${password[assets_migrator]}';
	SELECT tec_add_member('assets', 'assets_migrator', 'owner');
	SQL
} | psql_admin -d tec >/dev/null || setup_failed "creating the ecosystem and the login roles"

tsov_log "e2e: npm ci (pinned packages, test/e2e/node_modules)"
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 \
	|| { tail -30 "$work/npm.log"; setup_failed "npm ci"; }

stub=$work/engines
mkdir -p "$stub"
# The stand-in notes that it was called (not its arguments: they hold URLs).
printf '#!/bin/sh\necho "the native Prisma schema engine is not available offline" >&2\necho called >>"%s/schema-engine.calls"\nexit 1\n' "$stub" >"$stub/schema-engine"
chmod +x "$stub/schema-engine"
: >"$stub/libquery_engine.so.node"
if [ -n "${E2E_SCHEMA_ENGINE:-}" ] && [ -x "$E2E_SCHEMA_ENGINE" ]; then
	export PRISMA_SCHEMA_ENGINE_BINARY=$E2E_SCHEMA_ENGINE E2E_SCHEMA_ENGINE_PRESENT=1
else
	export PRISMA_SCHEMA_ENGINE_BINARY=$stub/schema-engine E2E_SCHEMA_ENGINE_PRESENT=0
fi
export E2E_ENGINE_CALLS=$stub/schema-engine.calls

rm -rf "$here/apps"
mkdir -p "$here/apps"

export E2E_PORT=$port E2E_DATABASE=tec E2E_SOCKET_DIR=$cluster E2E_WORK=$work
for role in "${!password[@]}"; do
	export "E2E_PASSWORD_${role^^}=${password[$role]}"
done
export PRISMA_QUERY_ENGINE_LIBRARY=$stub/libquery_engine.so.node
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 PRISMA_DISABLE_WARNINGS=1
export NODE_ENV=test

tsov_log "e2e: node --test (Prisma 7)"
# Arguments, if any, name the test files to run (default: all of them).
if [ $# -gt 0 ]; then tests=("$@"); else tests=("$here"/*.test.mjs); fi
tap=$work/e2e.tap
run_node_tests() {
	local tapfile=$1
	shift
	(cd "$here" && node --test --test-concurrency=1 \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$tapfile" \
		"$@")
}
rc=0
v7=()
v6=()
for t in "${tests[@]}"; do
	case $t in prisma6/*|*/prisma6/*) v6+=("$t") ;; *) v7+=("$t") ;; esac
done
[ $# -eq 0 ] && [ "${E2E_PRISMA6:-1}" != 0 ] && v6=("$here"/prisma6/*.test.mjs)
: >"$tap"
if [ ${#v7[@]} -gt 0 ]; then
	run_node_tests "$work/e2e7.tap" "${v7[@]}" || rc=1
	cat "$work/e2e7.tap" >>"$tap"
fi
if [ ${#v6[@]} -gt 0 ]; then
	tsov_log "e2e: npm ci (Prisma 6 job, test/e2e/prisma6/node_modules)"
	(cd "$here/prisma6" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$work/npm6.log" 2>&1 \
		|| { tail -30 "$work/npm6.log"; setup_failed "npm ci (Prisma 6)"; }
	rm -rf "$here/prisma6/apps"
	tsov_log "e2e: node --test (Prisma 6 job)"
	E2E_PRISMA_VERSION=6 E2E_APPS_DIR=$here/prisma6/apps run_node_tests "$work/e2e6.tap" "${v6[@]}" || rc=1
	cat "$work/e2e6.tap" >>"$tap"
fi

sum_tap() { grep -E "^# $1 [0-9]+" "$tap" | awk '{s += $3} END {print s + 0}'; }
pass=$(sum_tap pass)
fail=$(sum_tap fail)
skip=$(sum_tap skipped)
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
e2e_failed=$fail
if [ "$skip" -gt 0 ]; then
	grep -E '^ *ok .* # SKIP' "$tap" | sed 's/^ */skipped: /'
	echo "e2e: $pass passed, $fail failed, $skip skipped"
else
	echo "e2e: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
