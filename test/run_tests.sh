#!/usr/bin/env bash
# test/run_tests.sh -- `make test`: every test CI runs, on clusters this
# script (or the TAP tests) start and stop.  Ends with "N passed, N failed".
#
#   1. installs missing Debian packages (as root), builds with -Werror and
#      installs into a private copy of the PostgreSQL installation (the
#      system installation is left alone);
#   2. copies the test inputs to a scratch directory the cluster user owns
#      (pg_regress writes its results next to its inputs);
#   3. pg_regress suites and isolation specs against a throwaway cluster
#      with the library preloaded, on a free port;
#   4. TAP tests (each starts its own nodes);
#   5. end-to-end client tests (test/e2e), when present;
#   5b. the README: every code block, in order (test/readme/run.sh);
#   6. the layer check of src/ (test/check_layers.sh) on the objects built
#      in step 1.
#
# Set TSOV_KEEP=1 to keep the scratch directory for inspection.
#
# One suite, or some of its tests, instead of everything:
#   test/run_tests.sh regress [NAME...]      (init runs first by itself)
#   test/run_tests.sh isolation [SPEC...]
#   test/run_tests.sh tap [020_audit_crash ...]
#   test/run_tests.sh e2e [FILE.test.mjs ...]
#   test/run_tests.sh readme
#   test/run_tests.sh layers
set -u
only=${1:-all}
shift $(( $# > 0 ? 1 : 0 ))
case $only in
	all|regress|isolation|tap|e2e|readme|layers) ;;
	*) echo "usage: $0 [regress|isolation|tap|e2e|readme|layers] [NAME...]" >&2; exit 2 ;;
esac
wanted() { [ "$only" = all ] || [ "$only" = "$1" ]; }
names=("$@")
. "$(dirname "$0")/lib.sh"

tsov_ensure_deps
work=$(tsov_tempdir test)
tsov_temp_install "$work/install"
tree=$work/tree
mkdir -p "$tree"
tar -C "$TSOV_ROOT" --exclude=node_modules --exclude=test/e2e/apps -cf - \
	Makefile tec_sovereignty.control sql expected test src | tar -C "$tree" -xf -
rm -rf "$tree"/results "$tree"/output_iso "$tree"/tmp_check
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$work"

cluster=$work/cluster
mkdir -p "$cluster"
[ "$(id -u)" -eq 0 ] && chown postgres: "$cluster"
port=$(tsov_free_port)

passed=0
failed=0
failures=()

cleanup() {
	tsov_stop_cluster "$cluster"
	if [ "${TSOV_KEEP:-0}" = 1 ] || [ $failed -gt 0 ]; then
		echo "scratch directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

pgmake() {
	tsov_as_pg env PATH="$PATH" PG_CONFIG="$PG_CONFIG" PGHOST="$cluster" PGPORT="$port" PGUSER=postgres \
		make -C "$tree" "$@"
}

# count_regress LOG: tally pg_regress / pg_isolation_regress result lines.
count_regress() {
	local log=$1 suite=$2 ok bad
	ok=$(grep -Ec '^(test | +)?[^ ].* \.\.\. ok' "$log")
	bad=$(grep -Ec '\.\.\. (FAILED|failed)' "$log")
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ]; then
		failures+=("$suite: $(grep -E '\.\.\. (FAILED|failed)' "$log" | awk '{print $2}' | tr '\n' ' ')")
	fi
	echo "$suite: $ok passed, $bad failed"
}

tsov_log "starting a throwaway cluster on port $port"
tsov_start_cluster "$cluster" "$port" "fsync = off"

sel=()
if [ ${#names[@]} -gt 0 ]; then
	case $only in
		regress) sel=("REGRESS=init ${names[*]/#init/}") ;;
		isolation) sel=("ISOLATION=${names[*]}") ;;
		tap) sel=("PROVE_TESTS=$(printf 'test/t/%s.pl ' "${names[@]%.pl}")") ;;
	esac
fi

if wanted regress; then
tsov_log "pg_regress suites"
pgmake installcheck ISOLATION= TAP_TESTS= "${sel[@]}" >"$work/regress.log" 2>&1
rc=$?
cat "$work/regress.log" | grep -E '^(test |     )' || true
count_regress "$work/regress.log" regress
if [ $rc -ne 0 ] && ! grep -q '\.\.\. FAILED' "$work/regress.log"; then
	failed=$((failed + 1)); failures+=("regress: harness error (see $work/regress.log)")
	tail -20 "$work/regress.log"
fi
[ -f "$tree/regression.diffs" ] && head -200 "$tree/regression.diffs"
fi

if wanted isolation && ls "$tree"/test/specs/*.spec >/dev/null 2>&1; then
	tsov_log "isolation specs"
	pgmake installcheck REGRESS= TAP_TESTS= "${sel[@]}" >"$work/isolation.log" 2>&1
	rc=$?
	grep -E '^(test |     )' "$work/isolation.log" || true
	count_regress "$work/isolation.log" isolation
	if [ $rc -ne 0 ] && ! grep -q '\.\.\. FAILED' "$work/isolation.log"; then
		failed=$((failed + 1)); failures+=("isolation: harness error (see $work/isolation.log)")
		tail -20 "$work/isolation.log"
	fi
	[ -f "$tree/output_iso/regression.diffs" ] && head -200 "$tree/output_iso/regression.diffs"
fi
tsov_stop_cluster "$cluster"

if wanted tap && ls "$tree"/test/t/*.pl >/dev/null 2>&1; then
	tsov_log "TAP tests"
	pgmake installcheck REGRESS= ISOLATION= PROVE_FLAGS=-v "${sel[@]}" >"$work/tap.log" 2>&1
	rc=$?
	grep -E '^(t/|test/t/|ok |not ok |# )' "$work/tap.log" | grep -v '^# Looks like' | grep -Ev '^# (Subtest|  )' | head -400
	ok=$(grep -Ec '^ok [0-9]+' "$work/tap.log")
	bad=$(grep -Ec '^not ok [0-9]+' "$work/tap.log")
	if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
		tail -30 "$work/tap.log"
	fi
	passed=$((passed + ok)); failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("tap: $(grep -E '^test/t/\S+ +\(Wstat' "$work/tap.log" | awk '{print $1}' | tr '\n' ' ')")
	echo "tap: $ok passed, $bad failed"
	if [ "$bad" -gt 0 ]; then
		for f in "$tree"/tmp_check/log/regress_log_*; do
			[ -f "$f" ] && { echo "--- $f (tail)"; tail -40 "$f"; }
		done
	fi
fi

if wanted e2e && [ -x "$TSOV_ROOT/test/e2e/run.sh" ]; then
	tsov_log "end-to-end client tests"
	out=$(bash "$TSOV_ROOT/test/e2e/run.sh" ${names[@]+"${names[@]}"} 2>&1)
	rc=$?
	echo "$out" | tail -60
	ok=$(echo "$out" | grep -Ec '^# pass [0-9]+' | head -1)
	line=$(echo "$out" | grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -n "$line" ]; then
		ok=$(echo "$line" | sed -E 's/^e2e: ([0-9]+) passed.*/\1/')
		bad=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	else
		ok=0; bad=1
	fi
	[ $rc -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	passed=$((passed + ok)); failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("e2e")
fi

if wanted readme; then
	tsov_log "README code blocks"
	out=$(bash "$TSOV_ROOT/test/readme/run.sh" 2>&1)
	rc=$?
	echo "$out" | grep -E "^(readme|    )"
	line=$(echo "$out" | grep -E "^readme: [0-9]+ passed, [0-9]+ failed" | tail -1)
	if [ -n "$line" ]; then
		ok=$(echo "$line" | sed -E "s/^readme: ([0-9]+) passed.*/\1/")
		bad=$(echo "$line" | sed -E "s/^readme: [0-9]+ passed, ([0-9]+) failed.*/\1/")
	else
		ok=0; bad=1; echo "$out" | tail -30
	fi
	[ $rc -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	passed=$((passed + ok)); failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("readme")
fi

if wanted layers; then
	tsov_log "layer check of src/"
	out=$(bash "$TSOV_ROOT/test/check_layers.sh" 2>&1)
	echo "$out"
	ok=$(echo "$out" | grep -c '\.\.\. ok$')
	bad=$(echo "$out" | grep -c '\.\.\. FAILED$')
	[ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && bad=1
	passed=$((passed + ok)); failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("layers")
fi

if [ $failed -gt 0 ]; then
	echo "failures: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
