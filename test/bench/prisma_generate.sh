#!/usr/bin/env bash
# test/bench/prisma_generate.sh -- how long `tec-prisma generate:all` takes
# for the 24 domains, against 24 sequential `npx prisma generate` calls (what
# a team types without the tool) in the same run, interleaved:
#
#   baseline   cd apps/<domain> && npx prisma generate, 24 times in a row
#   isolated   tec-prisma generate:all --isolated --force: one prisma generate
#              process per app, one per CPU at a time (generate:all before
#              the workers)
#   cold       tec-prisma generate:all --force after deleting every client:
#              workers that load the Prisma CLI once each
#   warm       tec-prisma generate:all again, nothing changed (all skipped)
#   one        tec-prisma generate:all after one schema changed
#
# A throwaway cluster with the extension and tec_create_ecosystem(), the
# project scaffolded by `tec-prisma init`, Prisma 7 from test/e2e's lockfile
# (npm ci when test/e2e/node_modules is missing).  Every run is checked to
# leave 24 clients.  Offline: stand-ins for the native engines, which
# generate never runs.
#
# Usage: bash test/bench/prisma_generate.sh [rounds]   (default 1)
set -u
. "$(dirname "$0")/../lib.sh"
rounds=${1:-1}
e2e=$TSOV_ROOT/test/e2e
cli=$TSOV_ROOT/src/prisma/cli/bin/tec-prisma.js

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || tsov_die "node and npm are needed"
work=$(tsov_tempdir bench-prisma)
trap 'tsov_stop_cluster "$work/c"; rm -rf "$work"' EXIT
if [ -n "${TSOV_BINDIR:-}" ] && [ -x "$TSOV_BINDIR/postgres" ]; then
	PG_CONFIG=$TSOV_BINDIR/pg_config PATH=$TSOV_BINDIR:$PATH
	export PG_CONFIG PATH
else
	tsov_ensure_deps
	tsov_temp_install "$work/install"
fi
mkdir -p "$work/c"; [ "$(id -u)" -eq 0 ] && chown postgres: "$work/c"
port=$(tsov_free_port)
tsov_start_cluster "$work/c" "$port" "fsync = off"
psql -X -q -v ON_ERROR_STOP=1 -h "$work/c" -p "$port" -U postgres -d postgres -c "CREATE DATABASE tec" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -h "$work/c" -p "$port" -U postgres -d tec \
	-c "CREATE EXTENSION tec_sovereignty" -c "SELECT count(*) FROM tec_create_ecosystem()" >/dev/null \
	|| tsov_die "creating the ecosystem failed"

if [ ! -x "$e2e/node_modules/.bin/prisma" ]; then
	tsov_log "npm ci (test/e2e, pinned Prisma 7)"
	(cd "$e2e" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 \
		|| { tail -20 "$work/npm.log"; tsov_die "npm ci failed"; }
fi
# The engines generate does not need: stand-ins, so that nothing is downloaded.
mkdir -p "$work/engines"
printf '#!/bin/sh\necho "no native Prisma engine offline" >&2\nexit 1\n' >"$work/engines/schema-engine"
chmod +x "$work/engines/schema-engine"
: >"$work/engines/libquery_engine.so.node"
export PRISMA_SCHEMA_ENGINE_BINARY=$work/engines/schema-engine PRISMA_QUERY_ENGINE_LIBRARY=$work/engines/libquery_engine.so.node
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 PRISMA_DISABLE_WARNINGS=1 NODE_PATH=$e2e/node_modules

proj=$work/proj
mkdir -p "$proj"
ln -s "$e2e/node_modules" "$proj/node_modules"
echo '{"name": "bench", "private": true}' >"$proj/package.json"
(cd "$proj" && node "$cli" init --database-url "postgresql://postgres@/tec?host=$work/c&port=$port" --url-host "127.0.0.1:$port") \
	>"$work/init.log" 2>&1 || { cat "$work/init.log"; tsov_die "tec-prisma init failed"; }
mapfile -t apps < <(cd "$proj/apps" && ls)
[ ${#apps[@]} -eq 24 ] || tsov_die "expected 24 apps, found ${#apps[@]}"

ms() { date +%s%N; }
clients() { ls "$proj"/apps/*/db/generated/index.js 2>/dev/null | wc -l; }
forget() { rm -rf "$proj"/apps/*/db/generated; }
# timed NAME EXPECTED-CLIENTS COMMAND...: the wall-clock ms of COMMAND in $proj.
timed() {
	local name=$1 want=$2 t0 t1
	shift 2
	t0=$(ms)
	(cd "$proj" && "$@") >"$work/$name.log" 2>&1 || { tail -20 "$work/$name.log"; tsov_die "$name failed"; }
	t1=$(ms)
	[ "$(clients)" -eq "$want" ] || tsov_die "$name left $(clients) clients, not $want"
	echo $(( (t1 - t0) / 1000000 ))
}
baseline_run() {
	local d
	for d in "${apps[@]}"; do
		(cd "apps/$d" && npx --no-install prisma generate) || return 1
	done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A t
for k in baseline isolated cold warm one ratio; do t[$k]=; done
for r in $(seq 1 "$rounds"); do
	forget; b=$(timed baseline 24 baseline_run)
	forget; i=$(timed isolated 24 node "$cli" generate:all --isolated --force)
	forget; c=$(timed cold 24 node "$cli" generate:all --force)
	w=$(timed warm 24 node "$cli" generate:all)
	grep -q '0 of 0 generated, 24 up to date' "$work/warm.log" || { cat "$work/warm.log"; tsov_die "the warm run did not skip every app"; }
	echo "// changed by the benchmark, round $r" >>"$proj/apps/life/prisma/schema.prisma"
	o=$(timed one 24 node "$cli" generate:all)
	grep -q '1 of 1 generated, 23 up to date' "$work/one.log" || { cat "$work/one.log"; tsov_die "the run after one change did not regenerate exactly that app"; }
	t[baseline]+=" $b" t[isolated]+=" $i" t[cold]+=" $c" t[warm]+=" $w" t[one]+=" $o"
	t[ratio]+=" $(ratio "$b" "$c")"
	echo "round $r: 24 x npx prisma generate $b ms, generate:all --isolated $i ms, generate:all cold $c ms ($(ratio "$b" "$c")x), warm $w ms, one schema changed $o ms (load average $(cut -d" " -f1 /proc/loadavg))"
done
# shellcheck disable=SC2086
{ mb=$(median ${t[baseline]}); mi=$(median ${t[isolated]}); mc=$(median ${t[cold]}); mw=$(median ${t[warm]}); mo=$(median ${t[one]}); }
echo "cpus: $(nproc), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "median of $rounds: baseline $mb ms; --isolated $mi ms ($(ratio "$mb" "$mi")x); cold $mc ms ($(ratio "$mb" "$mc")x faster than the baseline, $(ratio "$mi" "$mc")x than --isolated); warm $mw ms; one changed $mo ms"
# The load of a shared machine moves between rounds: the ratio within each round is the steadier figure.
# shellcheck disable=SC2086
echo "cold vs. baseline within each round:$(printf ' %sx' ${t[ratio]}) (median $(median ${t[ratio]})x)"
grep -h '^generate:all:' "$work/cold.log" "$work/warm.log"
