#!/usr/bin/env bash
# test/bench/export_bench.sh -- tec_export_domain() against pg_dump, on demand
# (not part of make test).
#
#   bash test/bench/export_bench.sh [ROWS] [RUNS]     (defaults: 1000000, 5)
#
# Builds a private installation (test/lib.sh), starts a source and a target
# cluster, fills one domain "x" of the financial template with ROWS rows
# spread over its five tables (foreign keys consistent), then RUNS times,
# interleaved:
#   export:  psql -XAt -c "SELECT tec_export_domain('x')" > file
#            pg_dump -n x -f file
#   import:  psql -X -v ON_ERROR_STOP=1 -f <our script>     (fresh database)
#            psql -X -v ON_ERROR_STOP=1 -f <pg_dump's dump> (fresh database)
#            pg_restore -j 2 of pg_dump -Fc -n x            (fresh database)
#            tec_export --import -j $JOBS <our script>    (fresh database; the
#            parallel import, JOBS defaults to 2, against pg_restore -j 2)
#   client:  tec_export $CLIENT_OPTS -f file x   (src/client/tec_export: the
#            same file, streamed in single-row mode; checked identical to
#            psql's).  CLIENT_OPTS defaults to --no-sync, because pg_dump's
#            plain format does not fsync its file either (strace shows no
#            fsync); CLIENT_OPTS= times the client's default, which does.)
# IMPORT=0 skips the imports (the export figures alone, e.g. at 5M rows).
# With FETCH_COUNT=N in the environment, every run also times
#            psql -XAt -v FETCH_COUNT=N -c "SELECT tec_export_domain('x')" > file
# (psql fetching through a cursor: bounded client memory for big domains).
# It prints the median times, the ratios, sizes and rows/s, and the peak
# private memory (max RssAnon, sampled every 20 ms) and VmHWM of the
# exporting backend; the peak RSS of each client (psql, tec_export, pg_dump)
# from /usr/bin/time when it is installed (Debian package "time").
set -u
ROWS=${1:-1000000}
RUNS=${2:-5}
. "$(dirname "$0")/../lib.sh"

tsov_ensure_deps
work=$(tsov_tempdir bench)
tsov_temp_install "$work/install" >/dev/null
src=$work/src; dst=$work/dst
mkdir -p "$src" "$dst"; [ "$(id -u)" -eq 0 ] && chown postgres: "$src" "$dst" "$work"
psrc=$(tsov_free_port); tsov_start_cluster "$src" "$psrc" "fsync = off" "shared_buffers = 256MB" "max_wal_size = 4GB"
pdst=$(tsov_free_port); tsov_start_cluster "$dst" "$pdst" "fsync = off" "shared_buffers = 256MB" "max_wal_size = 4GB"
trap 'tsov_stop_cluster "$src"; tsov_stop_cluster "$dst"; rm -rf "$work"' EXIT

S() { psql -X -h "$src" -p "$psrc" -U postgres "$@"; }
T() { psql -X -h "$dst" -p "$pdst" -U postgres "$@"; }
now() { date +%s.%N; }

tsov_log "filling domain x with $ROWS rows (financial template)"
per=$((ROWS / 5))
S -q -v ON_ERROR_STOP=1 -v per=$per <<'SQL'
CREATE EXTENSION tec_sovereignty;
SELECT tec_create_domain('x', 'financial');
SET session_replication_role = replica;
INSERT INTO x."Portfolio" (id, "userId", name, type, description, "totalValue", "riskProfile")
SELECT md5('P' || g)::uuid::text, 'user-' || g % 5000, 'Portfolio ' || g, 'BROKERAGE', 'Long-term growth, rebalanced quarterly', g * 10.5, 'MODERATE'
  FROM generate_series(1, :per) g;
INSERT INTO x."Investment" (id, "portfolioId", symbol, name, "assetClass", quantity, "costBasis", "currentPrice", "purchasedAt")
SELECT md5('I' || g)::uuid::text, md5('P' || (g % :per + 1))::uuid::text, 'SYM' || g % 900, 'Instrument ' || g, 'EQUITY', g / 7.0, g * 1.5, g * 1.6, timestamp '2020-01-01' + g * interval '1 minute'
  FROM generate_series(1, :per) g;
INSERT INTO x."Account" (id, "userId", "portfolioId", name, institution, "accountNumberLast4", balance)
SELECT md5('A' || g)::uuid::text, 'user-' || g % 5000, md5('P' || (g % :per + 1))::uuid::text, 'Account ' || g, 'Bank ' || g % 40, lpad((g % 10000)::text, 4, '0'), g * 3.25
  FROM generate_series(1, :per) g;
INSERT INTO x."Transaction" (id, "userId", "accountId", "investmentId", type, amount, status, description, "occurredAt")
SELECT md5('T' || g)::uuid::text, 'user-' || g % 5000, md5('A' || (g % :per + 1))::uuid::text, md5('I' || (g % :per + 1))::uuid::text, 'BUY', g * 0.75, 'SETTLED', 'Order ' || g, timestamp '2021-01-01' + g * interval '1 minute'
  FROM generate_series(1, :per) g;
INSERT INTO x."Statement" (id, "userId", "accountId", "periodStart", "periodEnd", "openingBalance", "closingBalance", "documentUrl")
SELECT md5('S' || g)::uuid::text, 'user-' || g % 5000, md5('A' || (g % :per + 1))::uuid::text, timestamp '2022-01-01' + (g / :per) * interval '1 month', timestamp '2022-02-01' + (g / :per) * interval '1 month', g, g + 100, 'https://docs.example/statements/' || g || '.pdf'
  FROM generate_series(1, :per) g;
RESET session_replication_role;
VACUUM ANALYZE;
SQL
S -At -c "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = 'x'" | sed 's/^/rows: /'

# Peak private memory of the exporting backend: one extra, untimed export
# whose backend is sampled every 20 ms (bash builtins only, so the sampler
# does not steal CPU from a timed run).  RssAnon is the backend's private
# memory; VmHWM also counts the shared buffers it touched.
measure_memory() {
	local pid max=0 hwm=0 key val unit
	S -XAt -c "SELECT pg_backend_pid(), pg_sleep(0.3), count(*) FROM (SELECT tec_export_domain('x')) s" > "$work/mem.out" &
	sleep 0.1
	pid=$(S -XAt -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_backend_pid(), pg_sleep%' LIMIT 1")
	while [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; do
		while read -r key val unit; do
			case $key in
				RssAnon:) [ "$val" -gt "$max" ] && max=$val ;;
				VmHWM:) hwm=$val ;;
			esac
		done < "/proc/$pid/status" 2>/dev/null
		kill -0 "$pid" 2>/dev/null || break
		grep -q . "$work/mem.out" 2>/dev/null && break
		sleep 0.02
	done
	wait
	echo "$max $hwm" > "$work/memory"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$work/t_export"; : > "$work/t_dump"; : > "$work/t_import"; : > "$work/t_restore"
: > "$work/r_export"; : > "$work/r_import"; : > "$work/t_client"; : > "$work/r_client"
IMPORT=${IMPORT:-1}

# Peak RSS of a client, kB, appended to file $1 (empty when there is no
# /usr/bin/time): one fork and wait4 more than the plain command.
rss() {
	local out=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -a -o "$out" "$@"
	else
		"$@"
	fi
}

# One timed command: its wall time in seconds is appended to file $1.  The
# page cache's dirty pages are written out first (sync, untimed), so that
# no command pays for the writeback of the gigabyte the previous one wrote.
timed() {
	local out=$1 t0 t1
	shift
	sync
	t0=$(now); "$@"; t1=$(now)
	echo "$t1 - $t0" | bc >> "$out"
}
export_ours() { rss "$work/m_psql" psql -X -h "$src" -p "$psrc" -U postgres -XAt -c "SELECT tec_export_domain('x')" > "$work/x.sql"; }
CLIENT_OPTS=${CLIENT_OPTS---no-sync}
export_client() { rss "$work/m_client" tec_export $CLIENT_OPTS -h "$src" -p "$psrc" -U postgres -d postgres -f "$work/x.client.sql" x; }
FETCH_COUNT=${FETCH_COUNT:-}
: > "$work/t_fetch"
export_fetch() { S -XAt -v FETCH_COUNT="$FETCH_COUNT" -c "SELECT tec_export_domain('x')" > "$work/x.fetch.sql"; }
export_dump() { rss "$work/m_dump" pg_dump -h "$src" -p "$psrc" -U postgres -n x -f "$work/x.dump"; }
import_ours() {
	T -qc "DROP DATABASE IF EXISTS imp" -c "CREATE DATABASE imp"; T -d imp -qc "CREATE EXTENSION tec_sovereignty"
	T -qc CHECKPOINT
	timed "$work/t_import" T -d imp -q -v ON_ERROR_STOP=1 -f "$work/x.sql"
	T -d imp -qc "SELECT tec_drop_domain('x', force => true)" >/dev/null 2>&1
	T -qc "DROP DATABASE imp"
}
import_dump() {
	T -qc "CREATE ROLE x_owner NOLOGIN; CREATE ROLE x_writer NOLOGIN; CREATE ROLE x_reader NOLOGIN" -c "CREATE DATABASE res"
	T -qc CHECKPOINT
	timed "$work/t_restore" T -d res -q -v ON_ERROR_STOP=1 -f "$work/x.dump"
	T -qc "DROP DATABASE res" -c "DROP ROLE x_owner" -c "DROP ROLE x_writer" -c "DROP ROLE x_reader"
}

import_restore_j2() {
	[ -f "$work/x.custom" ] || pg_dump -h "$src" -p "$psrc" -U postgres -Fc -n x -f "$work/x.custom"
	T -qc "CREATE ROLE x_owner NOLOGIN; CREATE ROLE x_writer NOLOGIN; CREATE ROLE x_reader NOLOGIN" -c "CREATE DATABASE res2"
	T -qc CHECKPOINT
	timed "$work/t_restore_j2" pg_restore -h "$dst" -p "$pdst" -U postgres -j 2 -e -d res2 "$work/x.custom"
	T -qc "DROP DATABASE res2" -c "DROP ROLE x_owner" -c "DROP ROLE x_writer" -c "DROP ROLE x_reader"
}
: > "$work/t_restore_j2"; : > "$work/r_import_j2"
JOBS=${JOBS:-2}
import_par() {
	T -qc "DROP DATABASE IF EXISTS imp" -c "CREATE DATABASE imp"; T -d imp -qc "CREATE EXTENSION tec_sovereignty"
	T -qc CHECKPOINT
	timed "$work/t_import_par" rss "$work/m_import_par" tec_export --import -j "$JOBS" -h "$dst" -p "$pdst" -U postgres -d imp "$work/x.sql"
	T -d imp -qc "SELECT tec_drop_domain('x', force => true)" >/dev/null 2>&1
	T -qc "DROP DATABASE imp"
}
: > "$work/t_import_par"; : > "$work/r_import_par"

# Runs are interleaved and the order alternates (odd runs: ours first),
# so that a warm cache or a neighbour's burst does not always favour the
# same side; each run's ratio pairs two measurements taken moments apart.
for i in $(seq 1 "$RUNS"); do
	# each run writes its files afresh: replacing a gigabyte file frees its
	# pages inside the timed command (rename or O_TRUNC), unevenly
	rm -f "$work/x.sql" "$work/x.client.sql" "$work/x.dump" "$work/x.fetch.sql"
	if [ $((i % 2)) -eq 1 ]; then
		timed "$work/t_export" export_ours; timed "$work/t_client" export_client; timed "$work/t_dump" export_dump
		[ "$IMPORT" = 0 ] || { import_ours >/dev/null; import_par >/dev/null; import_dump >/dev/null; import_restore_j2 >/dev/null; }
	else
		timed "$work/t_dump" export_dump; timed "$work/t_client" export_client; timed "$work/t_export" export_ours
		[ "$IMPORT" = 0 ] || { import_restore_j2 >/dev/null; import_dump >/dev/null; import_par >/dev/null; import_ours >/dev/null; }
	fi
	cmp -s "$work/x.sql" "$work/x.client.sql" || tsov_die "tec_export wrote another file than psql"
	c=$(tail -1 "$work/t_client")
	echo "$c / $(tail -1 "$work/t_dump")" | bc -l >> "$work/r_client"
	printf 'run %d: tec_export %.3f s (%.2fx pg_dump, same file as psql)\n' "$i" "$c" "$(tail -1 "$work/r_client")"
	if [ -n "$FETCH_COUNT" ]; then
		timed "$work/t_fetch" export_fetch
		cmp -s "$work/x.sql" "$work/x.fetch.sql" || tsov_die "FETCH_COUNT=$FETCH_COUNT gave another file"
		printf 'run %d: export with FETCH_COUNT=%s %.3f s (same file)\n' "$i" "$FETCH_COUNT" "$(tail -1 "$work/t_fetch")"
	fi
	e=$(tail -1 "$work/t_export"); d=$(tail -1 "$work/t_dump")
	echo "$e / $d" | bc -l >> "$work/r_export"
	printf 'run %d: export %.3f s, pg_dump %.3f s (%.2fx)\n' "$i" "$e" "$d" "$(tail -1 "$work/r_export")"
	[ "$IMPORT" = 0 ] && continue
	im=$(tail -1 "$work/t_import"); re=$(tail -1 "$work/t_restore")
	echo "$im / $re" | bc -l >> "$work/r_import"
	printf 'run %d: import %.3f s, restore %.3f s (%.2fx)\n' "$i" "$im" "$re" "$(tail -1 "$work/r_import")"
	rj=$(tail -1 "$work/t_restore_j2")
	echo "$im / $rj" | bc -l >> "$work/r_import_j2"
	printf 'run %d: pg_restore -j 2 %.3f s (import %.2fx of it)\n' "$i" "$rj" "$(tail -1 "$work/r_import_j2")"
	ip=$(tail -1 "$work/t_import_par")
	echo "$ip / $rj" | bc -l >> "$work/r_import_par"
	printf 'run %d: tec_export --import -j %d %.3f s (%.2fx pg_restore -j 2)\n' "$i" "$JOBS" "$ip" "$(tail -1 "$work/r_import_par")"
done
# Where the time goes: the server side alone -- the export's values
# consumed in the server, against COPY TO of the same five tables -- so
# the rest of each wall time is the client's (psql holds the whole result
# before it writes the file; pg_dump writes while COPY streams).
: > "$work/t_srv"; : > "$work/t_copy"
server_ours() { S -XAt -c "SELECT sum(octet_length(v)) FROM (SELECT tec_export_domain('x') v) s" >/dev/null; }
server_copy() {
	local args=() t
	for t in Portfolio Investment Account Transaction Statement; do
		args+=(-c "COPY x.\"$t\" TO '/dev/null'")
	done
	S -q "${args[@]}"
}
for i in $(seq 1 "$RUNS"); do timed "$work/t_srv" server_ours; timed "$work/t_copy" server_copy; done
measure_memory

e=$(median < "$work/t_export"); d=$(median < "$work/t_dump"); c=$(median < "$work/t_client")
es=$(stat -c %s "$work/x.sql"); ds=$(stat -c %s "$work/x.dump")
read -r mem hwm < "$work/memory"
printf 'rows                    %d\n' "$ROWS"
printf 'export  (median of %d)   %.3f s   %d bytes (%.1f MB)   %.0f rows/s\n' "$RUNS" "$e" "$es" "$(echo "$es/1048576" | bc -l)" "$(echo "$ROWS/$e" | bc -l)"
printf 'pg_dump (median of %d)   %.3f s   %d bytes (%.1f MB)   %.0f rows/s\n' "$RUNS" "$d" "$ds" "$(echo "$ds/1048576" | bc -l)" "$(echo "$ROWS/$d" | bc -l)"
[ -n "$FETCH_COUNT" ] && printf 'export, FETCH_COUNT=%s  %.3f s (median), %.2fx pg_dump'"'"'s median\n' \
	"$FETCH_COUNT" "$(median < "$work/t_fetch")" "$(echo "$(median < "$work/t_fetch") / $d" | bc -l)"
printf 'export / pg_dump        %.2fx median of the runs'"'"' ratios, %.2fx..%.2fx (target <= 1.0x)\n' \
	"$(median < "$work/r_export")" "$(sort -n "$work/r_export" | head -1)" "$(sort -n "$work/r_export" | tail -1)"
printf 'tec_export %s (median) %.3f s   %.0f rows/s   %.2fx median of the runs'"'"' ratios to pg_dump, %.2fx..%.2fx (target <= 0.6x)\n' \
	"$CLIENT_OPTS" "$c" "$(echo "$ROWS/$c" | bc -l)" "$(median < "$work/r_client")" "$(sort -n "$work/r_client" | head -1)" "$(sort -n "$work/r_client" | tail -1)"
peak() { [ -s "$1" ] && printf '%d kB' "$(sort -n "$1" | tail -1)" || printf 'n/a (no /usr/bin/time)'; }
printf 'client peak RSS (max)   psql %s, tec_export %s, pg_dump %s\n' "$(peak "$work/m_psql")" "$(peak "$work/m_client")" "$(peak "$work/m_dump")"
printf 'server side (median)    export values %.3f s, COPY TO of the same tables %.3f s\n' "$(median < "$work/t_srv")" "$(median < "$work/t_copy")"
if [ "$IMPORT" != 0 ]; then
im=$(median < "$work/t_import"); re=$(median < "$work/t_restore")
printf 'import  (median)        %.3f s   %.0f rows/s\n' "$im" "$(echo "$ROWS/$im" | bc -l)"
printf 'restore (median)        %.3f s   %.0f rows/s\n' "$re" "$(echo "$ROWS/$re" | bc -l)"
printf 'import / restore        %.2fx median of the runs'"'"' ratios, %.2fx..%.2fx (target <= 1.1x)\n' \
	"$(median < "$work/r_import")" "$(sort -n "$work/r_import" | head -1)" "$(sort -n "$work/r_import" | tail -1)"
rj=$(median < "$work/t_restore_j2")
printf 'pg_restore -j 2 (median) %.3f s   %.0f rows/s   %d bytes custom dump\n' "$rj" "$(echo "$ROWS/$rj" | bc -l)" "$(stat -c %s "$work/x.custom")"
printf 'import / restore -j 2   %.2fx median of the runs'"'"' ratios, %.2fx..%.2fx (one transaction)\n' \
	"$(median < "$work/r_import_j2")" "$(sort -n "$work/r_import_j2" | head -1)" "$(sort -n "$work/r_import_j2" | tail -1)"
ip=$(median < "$work/t_import_par")
printf 'tec_export --import -j %d (median) %.3f s   %.0f rows/s   client peak RSS %s\n' "$JOBS" "$ip" "$(echo "$ROWS/$ip" | bc -l)" "$(peak "$work/m_import_par")"
printf 'parallel import / restore -j 2  %.2fx median of the runs'"'"' ratios, %.2fx..%.2fx (issue 13 goal <= 0.6x)\n' \
	"$(median < "$work/r_import_par")" "$(sort -n "$work/r_import_par" | head -1)" "$(sort -n "$work/r_import_par" | tail -1)"
fi
printf 'exporting backend       max RssAnon %d kB, VmHWM %d kB (VmHWM includes shared buffers touched)\n' "$mem" "$hwm"
