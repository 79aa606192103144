#!/usr/bin/env bash
# test/bench/callgrind_pgbench.sh -- instructions per pgbench transaction,
# counted by valgrind (callgrind) in the backend that runs them: a figure
# that does not depend on the load of the machine, to compare plain
# PostgreSQL with tec_sovereignty (and pgaudit) when TPS ratios are noisy.
#
# For each configuration a cluster is set up as in enforce_pgbench.sh /
# audit_pgbench.sh (pgbench tables in a domain schema, run as a member of
# the domain's writer role, 24 domains on tec_sovereignty clusters), then
# restarted with the postmaster under callgrind (children are followed
# across fork).  pgbench runs N1 and then N2 transactions on one
# connection each; the difference of the two backends' instruction counts
# divided by N2 - N1 is the cost of one transaction, connection set-up
# excluded.  With audit = all the audit writer's instructions are counted
# too (it shares the machine with the backends).
#
#   CONFIGS="plain none all pgaudit" MODES="select-only tpcb-like" N1=200 N2=1200 \
#     bash test/bench/callgrind_pgbench.sh
#
#   configs: plain (no library), pgaudit (pgaudit.log = 'read, write'),
#   none / write / all (tec_sovereignty with that audit level).
#   KEEP=1 keeps the callgrind files (for callgrind_annotate) in $TMPDIR.
#
# Not part of `make test`.
set -eu
. "$(dirname "$0")/../lib.sh"

CONFIGS=${CONFIGS:-plain none all pgaudit}
MODES=${MODES:-select-only tpcb-like}
N1=${N1:-200}
N2=${N2:-1200}
SCALE=${SCALE:-1}
KEEP=${KEEP:-0}

command -v valgrind >/dev/null || tsov_die "valgrind is needed (apt-get install valgrind)"
tsov_ensure_deps
work=$(tsov_tempdir callgrind)
tsov_temp_install "$work/install" >/dev/null
bindir=$TSOV_BINDIR
current=""
cleanup() {
	[ -n "$current" ] && tsov_stop_cluster "$current"
	[ "$KEEP" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

psql_() { local d=$1 p=$2; shift 2; tsov_as_pg "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$d" -p "$p" -U postgres -d postgres "$@"; }

setup() {
	local c=$1 d=$2 p=$3
	if [ "$c" = plain ] || [ "$c" = pgaudit ]; then
		psql_ "$d" "$p" -c "CREATE ROLE bench_owner LOGIN" -c "CREATE ROLE bench_writer NOLOGIN" \
			-c "CREATE SCHEMA bench AUTHORIZATION bench_owner" -c "GRANT USAGE ON SCHEMA bench TO bench_writer" \
			-c "ALTER DEFAULT PRIVILEGES FOR ROLE bench_owner IN SCHEMA bench GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bench_writer" \
			-c "CREATE ROLE bench_user LOGIN" -c "GRANT bench_writer TO bench_user" >/dev/null
		[ "$c" = pgaudit ] && psql_ "$d" "$p" -c "CREATE EXTENSION pgaudit" >/dev/null
	else
		psql_ "$d" "$p" -c "CREATE EXTENSION tec_sovereignty" -c "SELECT count(*) FROM tec_create_ecosystem()" \
			-c "SELECT tec_create_domain('bench')" -c "CREATE ROLE bench_user LOGIN" -c "ALTER ROLE bench_owner LOGIN" \
			-c "SELECT tec_add_member('bench', 'bench_user', 'writer')" >/dev/null
	fi
	tsov_as_pg env PGOPTIONS="-c search_path=bench" "$bindir/pgbench" -q -i -s "$SCALE" \
		-h "$d" -p "$p" -U bench_owner postgres >/dev/null 2>&1
	psql_ "$d" "$p" -c "ALTER ROLE bench_user SET search_path = bench" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
}

# instructions of the backend (and audit writer) that ran n transactions
measure() {
	local d=$1 p=$2 mode=$3 n=$4 opt="" mark files f ir back=0 writer=0
	[ "$mode" = select-only ] && opt="-S"
	mark=$d/mark.$n.$mode
	tsov_as_pg touch "$mark"
	sleep 1
	tsov_as_pg "$bindir/pgbench" -n $opt -c 1 -t "$n" -h "$d" -p "$p" -U bench_user postgres >/dev/null 2>&1 \
		|| tsov_die "pgbench failed"
	# The audit writer exits after audit_worker_idle (set to 5 s, below):
	# its callgrind file is written then.  The idle time must outlast
	# pgbench's start under valgrind: pgbench first counts
	# pgbench_branches on a connection of its own (an audited event) and
	# only seconds later starts the connection that runs the load; with a
	# shorter idle time the writer started for that first event sometimes
	# exits before the load, sometimes not, and the start-up of a second
	# writer (some 90 million instructions) fell into one of the two runs.
	sleep 8
	for f in $(find "$d/cg" -newer "$mark" -name 'cg.*' -type f); do
		ir=$(awk '/^totals:/ { print $2; exit }' "$f")
		if grep -q 'tsov_audit_worker_main' "$f"; then
			writer=$((writer + ir))
		elif grep -q 'exec_simple_query\|PostgresMain' "$f"; then
			back=$((back + ir))
		fi
		[ "$KEEP" = 1 ] && mv "$f" "$d/cg/done.$mode.$n.$(basename "$f")" || rm -f "$f"
	done
	echo "$back $writer"
}

results=$work/results.txt
: > "$results"
for c in $CONFIGS; do
	d=$work/$c
	mkdir -p "$d/cg"
	[ "$(id -u)" -eq 0 ] && chown -R postgres: "$d"
	port=$(tsov_free_port)
	conf=("autovacuum = off" "shared_buffers = 128MB" "fsync = off")
	case $c in
	plain) conf+=("shared_preload_libraries = ''") ;;
	pgaudit) conf+=("shared_preload_libraries = 'pgaudit'" "pgaudit.log = 'read, write'") ;;
	*) conf+=("tec_sovereignty.audit = '$c'" "tec_sovereignty.audit_worker_idle = 5000") ;;
	esac
	tsov_log "$c: setting up"
	tsov_start_cluster "$d" "$port" "${conf[@]}"
	current=$d
	setup "$c" "$d" "$port"
	tsov_stop_cluster "$d"
	tsov_log "$c: postmaster under callgrind"
	tsov_as_pg env TMPDIR="$d" bash -c "valgrind --tool=callgrind --callgrind-out-file='$d/cg/cg.%p' \
		'$bindir/postgres' -D '$d/data' >'$d/valgrind.log' 2>&1 &"
	for i in $(seq 1 120); do
		tsov_as_pg "$bindir/pg_isready" -q -h "$d" -p "$port" && break
		sleep 1
	done
	for mode in $MODES; do
		measure "$d" "$port" "$mode" 20 >/dev/null	# warm the shared buffers
		read -r b1 w1 <<<"$(measure "$d" "$port" "$mode" "$N1")"
		read -r b2 w2 <<<"$(measure "$d" "$port" "$mode" "$N2")"
		per=$(( (b2 - b1) / (N2 - N1) )); perw=$(( (w2 - w1) / (N2 - N1) ))
		echo "$c $mode $per $perw" | tee -a "$results" | \
			awk '{ printf "  %-8s %-12s %9d instructions/transaction in the backend, %7d in the audit writer\n", $1, $2, $3, $4 }'
	done
	tsov_stop_cluster "$d"
	current=""
done

echo
python3 - "$results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ir = {(c, m): (int(b), int(w)) for c, m, b, w in rows}
for (c, m), (b, w) in sorted(ir.items()):
    if c == "plain" or ("plain", m) not in ir:
        continue
    p = ir[("plain", m)][0]
    print(f"  {m:12s} {c:8s} instructions per transaction vs plain: backend {b / p:.3f}"
          + (f", backend + audit writer {(b + w) / p:.3f}" if w else "")
          + f"   (plain/{c} = {p / (b + w):.3f})")
PY
