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
# evenly (the first configuration of a round rotates); the median TPS of
# each is reported with the ratios.
#
#   bash test/bench/audit_pgbench.sh [SECONDS=20] [ROUNDS=3] [SCALE=10] [CLIENTS=4]
#
# Each round also counts the audit events that reached the trail: rows
# added to tec_sovereignty.audit_log (after tec_audit_flush(), so that the
# count includes everything the round produced) and AUDIT lines added to
# the pgaudit cluster's server log.
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

# What the rounds measure, checked from the benchmark role's own session.
for n in "${names[@]}"; do
	echo "$n: $(tsov_as_pg "$TSOV_BINDIR/psql" -X -q -At -h "$work/$n" -p "${port[$n]}" -U bench_user -d postgres -c "
		SELECT format('user %s, superuser %s, member of bench_writer %s, owner of the tables %s, search_path %s, pgaudit.log %s, tec_sovereignty.audit %s',
			current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
			pg_has_role('bench_writer', 'MEMBER'), pg_has_role((SELECT min(relowner) FROM pg_class WHERE relname = 'pgbench_accounts'), 'MEMBER'),
			current_setting('search_path'), current_setting('pgaudit.log', true), current_setting('tec_sovereignty.audit', true))")"
done
echo "tsov: $(psql_ tsov -c "SELECT count(*) FROM tec_sovereignty.domain") domains in the registry"

# Events that reach the audit trail: rows of tec_sovereignty.audit_log
# (tsov) and AUDIT lines in the server log (pgaudit), counted per round.
# The tsov count is taken once the writer has caught up (tec_audit_flush).
audit_rows() { psql_ tsov -c "SELECT tec_audit_flush()" -c "SELECT count(*) FROM tec_sovereignty.audit_log" | tail -1; }
log_lines() { grep -c 'AUDIT: SESSION' "$work/pgaudit/server.log" || true; }

declare -A results
declare -A events
run() {
	local n=$1 mode=$2 opt=""
	[ "$mode" = select-only ] && opt="-S"
	tsov_as_pg "$TSOV_BINDIR/pgbench" -n $opt -c "$clients" -j 2 -T "$secs" -h "$work/$n" -p "${port[$n]}" \
		-U bench_user postgres 2>/dev/null | awk '/^tps = /{print $3}'
}
count() { case $1 in tsov) audit_rows ;; pgaudit) log_lines ;; *) echo 0 ;; esac; }
echo "load before: $(uptime)" >&2
for mode in select-only tpcb-like; do
	for r in $(seq 1 "$rounds"); do
		# the first of a round is rotated: no configuration always follows
		# the same one (checkpoints and writeback of the previous run)
		k=$(( (r - 1) % ${#names[@]} ))
		for n in "${names[@]:k}" "${names[@]:0:k}"; do
			before=$(count $n)
			t=$(run $n $mode)
			ev=$(( $(count $n) - before ))
			results[$mode,$n]="${results[$mode,$n]:-} $t"
			events[$mode,$n]=$(( ${events[$mode,$n]:-0} + ev ))
			printf '%s round %s %-8s %9.1f tps  %8d audit events (%.0f/s, %.2f per transaction)\n' \
				"$mode" "$r" "$n" "$t" "$ev" "$(echo "$ev / $secs" | bc -l)" "$(echo "$ev / ($t * $secs)" | bc -l)" >&2
		done
	done
done
echo "load after: $(uptime)" >&2
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
for mode in select-only tpcb-like; do
	p=$(echo ${results[$mode,plain]} | median); a=$(echo ${results[$mode,pgaudit]} | median); t=$(echo ${results[$mode,tsov]} | median)
	printf '%-12s plain %9.1f  pgaudit %9.1f (%.3f)  tec_sovereignty %9.1f (%.3f)\n' \
		"$mode" "$p" "$a" "$(echo "$a / $p" | bc -l)" "$t" "$(echo "$t / $p" | bc -l)"
done
echo "median of the per-round ratios (each round: the three runs in a row):"
for mode in select-only tpcb-like; do
	read -ra P <<<"${results[$mode,plain]}"; read -ra A <<<"${results[$mode,pgaudit]}"; read -ra T <<<"${results[$mode,tsov]}"
	ra=""; rt=""
	for i in "${!P[@]}"; do ra="$ra $(echo "${A[$i]} / ${P[$i]}" | bc -l)"; rt="$rt $(echo "${T[$i]} / ${P[$i]}" | bc -l)"; done
	printf '%-12s pgaudit/plain %.3f  tec_sovereignty/plain %.3f   audit events: tec_sovereignty %d (%.0f/s), pgaudit %d (%.0f/s)\n' "$mode" \
		"$(echo $ra | median)" "$(echo $rt | median)" \
		"${events[$mode,tsov]}" "$(echo "${events[$mode,tsov]} / ($secs * $rounds)" | bc -l)" \
		"${events[$mode,pgaudit]}" "$(echo "${events[$mode,pgaudit]} / ($secs * $rounds)" | bc -l)"
done
echo "audit rows written by tec_sovereignty: $(psql_ tsov -c "SELECT count(*) FROM tec_sovereignty.audit_log")"
echo "audit_stats: $(psql_ tsov -c "SELECT format('queued %s written %s space_waits %s durable_waits %s', events_queued, events_written, space_waits, durable_waits) FROM tec_sovereignty.audit_stats")"
