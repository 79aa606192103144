#!/usr/bin/env bash
# test/bench/audit_flood.sh -- sustained audit writer throughput.
#
# Floods the queue of one database with N allowed-read events from C
# (tec_sovereignty.audit_bench of the test-only module test/modules/tsov_bench,
# CLIENTS sessions in parallel) and measures
# the time until the writer has committed all of them (tec_audit_flush),
# on a throwaway cluster with fsync on (the writer commits synchronously).
# Prints rows/s and the audit table's size per million events.
#
#   bash test/bench/audit_flood.sh [EVENTS=1000000] [CLIENTS=1]
set -eu
. "$(dirname "$0")/../lib.sh"
events=${1:-1000000}
clients=${2:-1}
tsov_ensure_deps
work=$(tsov_tempdir bench)
trap 'tsov_stop_cluster "$work/c"; rm -rf "$work"' EXIT
tsov_temp_install "$work/install" >/dev/null
mkdir -p "$work/c"; [ "$(id -u)" -eq 0 ] && chown postgres: "$work/c"
port=$(tsov_free_port)
tsov_start_cluster "$work/c" "$port" "fsync = on" "shared_buffers = 512MB" "max_wal_size = 4GB" \
	"tec_sovereignty.audit_queue_size = 64MB"
psql_() { tsov_as_pg "$TSOV_BINDIR/psql" -X -q -At -h "$work/c" -p "$port" -U postgres -d postgres "$@"; }
psql_ -c "CREATE EXTENSION tec_sovereignty" -c "CREATE EXTENSION tsov_bench" -c "SELECT tec_create_domain('life', 'financial')" >/dev/null
# warm-up: starts the writer, loads the chain heads
psql_ -c "SELECT tec_sovereignty.audit_bench('life', 10000)" -c "SELECT tec_audit_flush()" >/dev/null

per=$((events / clients))
start=$(date +%s.%N)
for i in $(seq 1 "$clients"); do
	psql_ -c "SELECT tec_sovereignty.audit_bench('life', $per)" >/dev/null &
done
wait
psql_ -c "SELECT tec_audit_flush()" >/dev/null
end=$(date +%s.%N)
total=$((per * clients))
secs=$(echo "$end - $start" | bc -l)
psql_ -c "CHECKPOINT" >/dev/null
read -r rows bytes <<<"$(psql_ -F ' ' -c "SELECT count(*), pg_total_relation_size('tec_sovereignty.audit_log') FROM tec_sovereignty.audit_log")"
printf 'events: %d from %d session(s) in %.2f s -> %.0f audit rows/s written\n' "$total" "$clients" "$secs" "$(echo "$total / $secs" | bc -l)"
printf 'audit_log: %d rows, %.1f MB total (table + index) -> %.1f MB per million events\n' \
	"$rows" "$(echo "$bytes / 1048576" | bc -l)" "$(echo "$bytes / 1048576 * 1000000 / $rows" | bc -l)"
psql_ -c "SELECT 'space waits: ' || space_waits || ', batches: ' || batches FROM tec_sovereignty.audit_stats WHERE database = 'postgres'"
# where the bytes go: heap and index per event, and each column's stored
# size (pg_column_size: after compression, varlena header included) in a
# sample of rows; a heap tuple adds its 24-byte header and 4-byte line
# pointer, and alignment, to the sum of its columns
psql_ -c "SELECT 'per event: heap ' || round(pg_relation_size('tec_sovereignty.audit_log') / count(*)::numeric, 1)
	|| ' B, indexes ' || round(pg_indexes_size('tec_sovereignty.audit_log') / count(*)::numeric, 1) || ' B'
	FROM tec_sovereignty.audit_log"
expr=$(psql_ -c "SELECT string_agg(format('%L || '' '' || coalesce(round(avg(pg_column_size(%I)), 1), 0)', attname, attname), ' || '', '' || ' ORDER BY attnum)
	FROM pg_attribute WHERE attrelid = 'tec_sovereignty.audit_log'::regclass AND attnum > 0 AND NOT attisdropped")
psql_ -c "SELECT 'column bytes (average over the last 10000 rows): ' || $expr
	FROM (SELECT * FROM tec_sovereignty.audit_log ORDER BY seq DESC LIMIT 10000) l"
start=$(date +%s.%N)
psql_ -c "SELECT 'verify: ' || ok || ' ' || rows_checked FROM tec_audit_verify('life')"
end=$(date +%s.%N)
printf 'verify: %.0f rows/s\n' "$(echo "$rows / ($end - $start)" | bc -l)"
