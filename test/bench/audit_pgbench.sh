#!/usr/bin/env bash
# test/bench/audit_pgbench.sh -- pgbench TPS with the audit trail, against
# plain PostgreSQL and against pgaudit, interleaved in one run.
#
# Three clusters on the same machine and the same data: plain (no library),
# pgaudit (pgaudit.log = 'read, write'), tec_sovereignty (audit = all).  The
# pgbench tables live in a domain schema ("bench", with the 24 ecosystem
# domains present on the tec_sovereignty cluster), and pgbench runs as a
# member of the domain's writer role.  Rounds alternate between the
# clusters (plain, pgaudit, tsov, plain, ...) so that machine noise spreads
# evenly; the median TPS of each is reported with the ratios.
#
#   bash test/bench/audit_pgbench.sh [SECONDS=20] [ROUNDS=3] [SCALE=10] [CLIENTS=4]
#
# Needs the enforcement hooks merged to produce read/write events; before
# that, the tec_sovereignty figure measures the library's overhead only.
set -eu
. "$(dirname "$0")/../lib.sh"
secs=${1:-20}; rounds=${2:-3}; scale=${3:-10}; clients=${4:-4}
tsov_ensure_deps
work=$(tsov_tempdir bench)
tsov_temp_install "$work/install" >/dev/null
names=(plain pgaudit tsov)
declare -A port
cleanup() { for n in "${names[@]}"; do tsov_stop_cluster "$work/$n"; done; rm -rf "$work"; }
trap cleanup EXIT
common=("fsync = on" "shared_buffers = 256MB" "max_wal_size = 4GB" "synchronous_commit = on")
for n in "${names[@]}"; do
	mkdir -p "$work/$n"; [ "$(id -u)" -eq 0 ] && chown postgres: "$work/$n"
	port[$n]=$(tsov_free_port)
	case $n in
	plain)   tsov_start_cluster "$work/$n" "${port[$n]}" "${common[@]}" "shared_preload_libraries = ''" ;;
	pgaudit) tsov_start_cluster "$work/$n" "${port[$n]}" "${common[@]}" "shared_preload_libraries = 'pgaudit'" "pgaudit.log = 'read, write'" ;;
	tsov)    tsov_start_cluster "$work/$n" "${port[$n]}" "${common[@]}" "tec_sovereignty.audit = 'all'" ;;
	esac
done
psql_() { local n=$1; shift; tsov_as_pg "$TSOV_BINDIR/psql" -X -q -At -h "$work/$n" -p "${port[$n]}" -U postgres -d postgres "$@"; }

for n in "${names[@]}"; do
	if [ "$n" = tsov ]; then
		psql_ $n -c "CREATE EXTENSION tec_sovereignty" -c "SELECT count(*) FROM tec_create_ecosystem()" \
			-c "SELECT tec_create_domain('bench')" >/dev/null
		owner=bench_owner; writer=bench_writer
	else
		psql_ $n -c "CREATE ROLE bench_owner NOLOGIN" -c "CREATE ROLE bench_writer NOLOGIN" \
			-c "CREATE SCHEMA bench AUTHORIZATION bench_owner" -c "GRANT USAGE ON SCHEMA bench TO bench_writer" \
			-c "ALTER DEFAULT PRIVILEGES FOR ROLE bench_owner IN SCHEMA bench GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bench_writer" >/dev/null
		[ "$n" = pgaudit ] && psql_ $n -c "CREATE EXTENSION pgaudit" >/dev/null
	fi
	psql_ $n -c "CREATE ROLE bench_user LOGIN PASSWORD 'bench'" >/dev/null
	if [ "$n" = tsov ]; then psql_ $n -c "SELECT tec_add_member('bench', 'bench_user', 'writer')" >/dev/null
	else psql_ $n -c "GRANT bench_writer TO bench_user" >/dev/null; fi
	# tables created by the domain owner in the domain schema
	psql_ $n -c "ALTER ROLE bench_owner LOGIN" >/dev/null
	tsov_as_pg env PGOPTIONS="-c search_path=bench" "$TSOV_BINDIR/pgbench" -q -i -s "$scale" \
		-h "$work/$n" -p "${port[$n]}" -U bench_owner postgres >/dev/null 2>&1
	psql_ $n -c "ALTER ROLE bench_owner NOLOGIN" -c "ALTER ROLE bench_user SET search_path = bench" \
		-c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
done

declare -A results
run() {
	local n=$1 mode=$2 opt=""
	[ "$mode" = select-only ] && opt="-S"
	tsov_as_pg "$TSOV_BINDIR/pgbench" -n $opt -c "$clients" -j 2 -T "$secs" -h "$work/$n" -p "${port[$n]}" \
		-U bench_user postgres 2>/dev/null | awk '/^tps = /{print $3}'
}
for mode in select-only tpcb-like; do
	for r in $(seq 1 "$rounds"); do
		for n in "${names[@]}"; do
			t=$(run $n $mode)
			results[$mode,$n]="${results[$mode,$n]:-} $t"
			echo "$mode round $r $n: $t tps" >&2
		done
	done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
for mode in select-only tpcb-like; do
	p=$(echo ${results[$mode,plain]} | median); a=$(echo ${results[$mode,pgaudit]} | median); t=$(echo ${results[$mode,tsov]} | median)
	printf '%-12s plain %9.1f  pgaudit %9.1f (%.3f)  tec_sovereignty %9.1f (%.3f)\n' \
		"$mode" "$p" "$a" "$(echo "$a / $p" | bc -l)" "$t" "$(echo "$t / $p" | bc -l)"
done
echo "audit rows written by tec_sovereignty: $(psql_ tsov -c "SELECT count(*) FROM tec_sovereignty.audit_log")"
echo "audit_stats: $(psql_ tsov -c "SELECT format('queued %s written %s space_waits %s durable_waits %s', events_queued, events_written, space_waits, durable_waits) FROM tec_sovereignty.audit_stats")"
