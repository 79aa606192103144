#!/usr/bin/env bash
# test/bench/enforce_pgbench.sh -- cost of enforcement on the hot path.
#
# Two throwaway clusters from a private installation: "plain" (no library)
# and "ext" (tec_sovereignty preloaded, extension created, the 24 domains of
# tec_create_ecosystem()).  On both, pgbench tables live in schema "life"
# and the benchmark runs as a login role that is a writer of that schema
# (on "ext": a member of life_writer).  Built-in select-only and tpcb-like
# scripts, same client count, interleaved rounds (plain, ext, ext, plain...)
# so that machine noise hits both alike.  Prints the TPS of every round and
# the median ext/plain ratio.  The ext cluster runs with
# tec_sovereignty.audit = 'none' (set in postgresql.conf at start, checked
# from the benchmark role's own session before the rounds).
#
#   ROUNDS=5 DURATION=20 CLIENTS=4 SCALE=10 bash test/bench/enforce_pgbench.sh
#
# Not part of `make test`.
set -eu
. "$(dirname "$0")/../lib.sh"

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-4}
THREADS=${THREADS:-2}
SCALE=${SCALE:-10}
PROTOCOL=${PROTOCOL:-simple}

tsov_ensure_deps
work=$(tsov_tempdir bench)
tsov_temp_install "$work/install" >/dev/null
plain=$work/plain; ext=$work/ext
mkdir -p "$plain" "$ext"
[ "$(id -u)" -eq 0 ] && chown postgres: "$plain" "$ext"
pport=$(tsov_free_port); eport=$(tsov_free_port)
while [ "$eport" = "$pport" ]; do eport=$(tsov_free_port); done

cleanup() { tsov_stop_cluster "$plain"; tsov_stop_cluster "$ext"; rm -rf "$work"; }
trap cleanup EXIT

common=("fsync = off" "synchronous_commit = off" "shared_buffers = 256MB" "max_connections = 60")
tsov_start_cluster "$plain" "$pport" "${common[@]}" "shared_preload_libraries = ''"
tsov_start_cluster "$ext" "$eport" "${common[@]}" "tec_sovereignty.audit = 'none'"

run() { local dir=$1 port=$2; shift 2; tsov_as_pg env PATH="$PATH" "$@" -h "$dir" -p "$port"; }
sql() { local dir=$1 port=$2; shift 2; run "$dir" "$port" psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres "$@"; }

tsov_log "plain cluster: schema life, pgbench tables, writer role"
sql "$plain" "$pport" -c "CREATE SCHEMA life; CREATE ROLE bench LOGIN;
	GRANT USAGE ON SCHEMA life TO bench;
	ALTER DEFAULT PRIVILEGES IN SCHEMA life GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bench;"
run "$plain" "$pport" env PGOPTIONS="-c search_path=life" pgbench -q -i -s "$SCALE" -U postgres postgres >/dev/null 2>&1

tsov_log "ext cluster: extension, 24 domains, pgbench tables in domain life"
sql "$ext" "$eport" -c "CREATE EXTENSION tec_sovereignty;
	SELECT count(*) FROM tec_create_ecosystem();
	CREATE ROLE bench_owner LOGIN; CREATE ROLE bench LOGIN;
	SELECT tec_add_member('life', 'bench_owner', 'owner');
	SELECT tec_add_member('life', 'bench', 'writer');" >/dev/null
# created by the owner member, who acts as life_owner: the domain owns them
run "$ext" "$eport" env PGOPTIONS="-c search_path=life" pgbench -q -i -s "$SCALE" -U bench_owner postgres >/dev/null 2>&1
sql "$ext" "$eport" -Atc "SELECT count(*) || ' pgbench tables in life, owner ' || min(pg_get_userbyid(relowner))
	FROM pg_class WHERE relnamespace = 'life'::regnamespace AND relname LIKE 'pgbench%' AND relkind = 'r'"
# what the rounds measure, seen from the benchmark role's own session
check=$(run "$ext" "$eport" env PGOPTIONS="-c search_path=life" psql -X -Atq -U bench -d postgres -c "
	SELECT format('domains %s, audit %s, bench is life_writer member: %s, in life_owner: %s, superuser: %s',
		$(sql "$ext" "$eport" -Atc "SELECT count(*) FROM tec_sovereignty.domain"), current_setting('tec_sovereignty.audit'),
		pg_has_role('bench', 'life_writer', 'MEMBER'), pg_has_role('bench', 'life_owner', 'MEMBER'),
		(SELECT rolsuper FROM pg_roles WHERE rolname = current_user))")
echo "ext: $check"
case $check in
	"domains 24, audit none, bench is life_writer member: t, in life_owner: f, superuser: f") ;;
	*) tsov_die "the ext cluster does not have the setup the benchmark claims" ;;
esac
audit_rows() { sql "$ext" "$eport" -Atc "SELECT count(*) FROM tec_sovereignty.audit_log"; }
rows_before=$(audit_rows)

tps() {
	local dir=$1 port=$2 mode=$3 extra=()
	[ "$mode" = select-only ] && extra=(-S)
	run "$dir" "$port" env PGOPTIONS="-c search_path=life" pgbench -n "${extra[@]}" -M "$PROTOCOL" \
		-c "$CLIENTS" -j "$THREADS" -T "$DURATION" -U bench postgres 2>/dev/null \
		| awk '/^tps = / { printf "%.0f\n", $3 }'
}

results=$work/results.txt
: > "$results"
for mode in select-only tpcb-like; do
	tsov_log "$mode: $ROUNDS rounds of ${DURATION}s, $CLIENTS clients, scale $SCALE, -M $PROTOCOL"
	# warm-up
	tps "$plain" "$pport" "$mode" >/dev/null; tps "$ext" "$eport" "$mode" >/dev/null
	for r in $(seq 1 "$ROUNDS"); do
		# alternate which one opens the round: neither always pays for the
		# other's writeback and checkpoints
		if [ $((r % 2)) -eq 1 ]; then
			p=$(tps "$plain" "$pport" "$mode"); e=$(tps "$ext" "$eport" "$mode")
		else
			e=$(tps "$ext" "$eport" "$mode"); p=$(tps "$plain" "$pport" "$mode")
		fi
		echo "$mode $r $p $e" | tee -a "$results" | awk '{ printf "  round %d: plain %7d tps   ext %7d tps   ratio %.3f\n", $2, $3, $4, $4 / $3 }'
	done
done

echo
echo "audit rows written on ext during the rounds (audit = none: expect 0): $(( $(audit_rows) - rows_before ))"
echo "median ext/plain ratio (target >= 0.97):"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for mode in ("select-only", "tpcb-like"):
    r = [(int(p), int(e)) for m, _, p, e in rows if m == mode and int(p) > 0]
    if not r:
        continue
    ratios = [e / p for p, e in r]
    mp = statistics.median(p for p, _ in r)
    me = statistics.median(e for _, e in r)
    print(f"  {mode:12s} median ratio {statistics.median(ratios):.3f}   "
          f"(median tps: plain {mp:.0f}, ext {me:.0f}; ratio of medians {me / mp:.3f})")
PY
