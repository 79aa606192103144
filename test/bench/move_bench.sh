#!/usr/bin/env bash
# test/bench/move_bench.sh -- tec_move_domain() with a writer running, against
# the offline route (freeze + export + import), on demand (not part of make test).
#
#   bash test/bench/move_bench.sh [ROWS] [RUNS]     (defaults: 1000000, 5)
#
# Builds a private installation (test/lib.sh), starts two clusters (A and B,
# wal_level = logical), fills domain "x" of the financial template on A with
# ROWS rows over its five tables (the template audits every row, so the
# trail is about as long as the data), and starts a writer: a loop of psql
# sessions of member x_app, each inserting one Transaction row (one
# transaction per connection, about 50-100 a second here).  Then RUNS
# times, the domain moves twice, A -> B -> A ..., each time into a fresh
# database: with its audit trail (tec_move_domain's default) and without
# (with_audit => false); after each move the old side drops its moved copy
# (tec_drop_domain(force)) and the member is added on the new side.
# Printed per move: every phase's duration, the write block's steps, the
# total.  Then RUNS times the offline route (tec_transfer_domain, psql -XAt
# export to a file, psql -f import into a fresh database of the other
# cluster: its whole duration is the write block), without the trail (the
# export's default) and with it (with_audit => true).  Last the medians:
# the write block, the copy's rows/s, and each kind of move against the
# offline route of the same content.
set -u
ROWS=${1:-1000000}
RUNS=${2:-5}
. "$(dirname "$0")/../lib.sh"

tsov_ensure_deps
work=$(tsov_tempdir bench)
tsov_temp_install "$work/install" >/dev/null
a=$work/a; b=$work/b
mkdir -p "$a" "$b"; [ "$(id -u)" -eq 0 ] && chown postgres: "$a" "$b" "$work"
conf=("fsync = off" "shared_buffers = 256MB" "max_wal_size = 4GB" "wal_level = logical" "log_min_duration_statement = 500")
pa=$(tsov_free_port); tsov_start_cluster "$a" "$pa" "${conf[@]}"
pb=$(tsov_free_port); tsov_start_cluster "$b" "$pb" "${conf[@]}"
trap 'touch "$work/stop"; wait; tsov_stop_cluster "$a"; tsov_stop_cluster "$b"; cp "$a/server.log" "${TMPDIR:-/tmp}/move_bench_a.log"; cp "$b/server.log" "${TMPDIR:-/tmp}/move_bench_b.log"; rm -rf "$work"' EXIT

P() { local dir=$1 port=$2; shift 2; psql -X -h "$dir" -p "$port" -U postgres "$@"; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for side in "$a $pa" "$b $pb"; do
	# shellcheck disable=SC2086
	P $side -q -c 'CREATE ROLE x_app LOGIN'
done
tsov_log "filling domain x with $ROWS rows (financial template)"
per=$((ROWS / 5))
P "$a" "$pa" -q -v ON_ERROR_STOP=1 -v per=$per <<'SQL'
CREATE EXTENSION tec_sovereignty;
SELECT tec_create_domain('x', 'financial');
SELECT tec_add_member('x', 'x_app', 'writer');
INSERT INTO x."Portfolio" (id, "userId", name) SELECT 'P' || g, 'user-' || g % 5000, 'Portfolio ' || g FROM generate_series(1, :per) g;
INSERT INTO x."Investment" ("portfolioId", symbol, name, quantity) SELECT 'P' || (g % :per + 1), 'SYM' || g % 900, 'Instrument ' || g, g FROM generate_series(1, :per) g;
INSERT INTO x."Account" (id, "userId", name, balance) SELECT 'A' || g, 'user-' || g % 5000, 'Account ' || g, g FROM generate_series(1, :per) g;
INSERT INTO x."Transaction" ("userId", "accountId", type, amount) SELECT 'user-' || g % 5000, 'A' || g, 'BUY', g FROM generate_series(1, :per) g;
INSERT INTO x."Statement" ("userId", "accountId", "periodStart", "periodEnd", "openingBalance", "closingBalance")
	SELECT 'user-' || g % 5000, 'A' || g, '2022-01-01', '2022-02-01', g, g + 100 FROM generate_series(1, :per) g;
VACUUM ANALYZE;
SQL

# The writer follows the domain: it writes wherever $work/where says.
echo "$a $pa postgres" > "$work/where"
(
	while [ ! -e "$work/stop" ]; do
		read -r dir port db < "$work/where"
		psql -XAtq -h "$dir" -p "$port" -U x_app -d "$db" \
			-c "INSERT INTO x.\"Transaction\" (\"userId\", \"accountId\", type, amount) VALUES ('w', 'A1', 'BUY', 1)" \
			>/dev/null 2>>"$work/writer.err" && echo ok >> "$work/writer.ok"
	done
) &

# Each move goes to a fresh database of the other cluster (a domain's audit
# trail cannot be imported back into the database it came from), with its
# audit trail (the default) or without (with_audit => false).
from=("$a" "$pa" postgres); to=("$b" "$pb" m1); n=1
move_once() {
	local kind=$1 with=$2 i=$3
	P "${to[0]}" "${to[1]}" -q -c "CREATE DATABASE ${to[2]}"
	P "${to[0]}" "${to[1]}" -q -d "${to[2]}" -c 'CREATE EXTENSION tec_sovereignty'
	start=$(now)
	P "${from[0]}" "${from[1]}" -d "${from[2]}" -At -F ' ' -v ON_ERROR_STOP=1 \
		-c "SELECT phase, round(duration_ms::numeric, 1), substring(detail from '^writes refused [^(]*\((.*)\);') FROM tec_move_domain('x', 'host=${to[0]} port=${to[1]} dbname=${to[2]} user=postgres', with_audit => $with)" \
		> "$work/run$n" || { tsov_log "move $n failed"; exit 1; }
	total=$(echo "$(now) - $start" | bc -l)
	echo "${to[@]}" > "$work/where"
	block=$(awk '$1 == "write_block" {print $2}' "$work/run$n")
	copy=$(awk '$1 == "copy" {print $2}' "$work/run$n")
	echo "$block" >> "$work/t_block"; echo "$total" >> "$work/t_total_$kind"; echo "$copy" >> "$work/t_copy"
	printf 'run %d, %s: %s; total %.3f s\n' "$i" "$kind" "$(awk '{print $1, $2}' "$work/run$n" | tr '\n' ' ' | sed 's/ \([a-z_]*\) / ms, \1 /g; s/ $/ ms/')" "$total"
	printf '       write block: %s\n' "$(awk '$1 == "write_block" {$1 = $2 = ""; print}' "$work/run$n" | sed 's/^ *//')"
	P "${from[0]}" "${from[1]}" -d "${from[2]}" -q -c "SELECT tec_drop_domain('x', force => true)"
	P "${to[0]}" "${to[1]}" -d "${to[2]}" -q -c "SELECT tec_add_member('x', 'x_app', 'writer')" >/dev/null
	n=$((n + 1))
	tmp=("${from[@]}"); from=("${to[@]}"); to=("${tmp[0]}" "${tmp[1]}" "m$n")
}

# The offline route, RUNS times, from A before any move: the freeze
# (tec_transfer_domain), the export to a file and its import into a fresh
# database of the other cluster, without the trail (the export's default)
# and with it; then the freeze is lifted (tec_cancel_transfer) for the next.
tsov_log "offline route: freeze, export, import"
for j in $(seq 1 "$RUNS"); do
	P "${to[0]}" "${to[1]}" -q -c "CREATE DATABASE off$j"
	P "${to[0]}" "${to[1]}" -q -d "off$j" -c 'CREATE EXTENSION tec_sovereignty'
	start=$(now)
	P "${from[0]}" "${from[1]}" -d "${from[2]}" -q -c "SELECT tec_transfer_domain('x', 'bench', 'off$j')" >/dev/null
	freeze_s=$(echo "$(now) - $start" | bc -l)
	P "${from[0]}" "${from[1]}" -d "${from[2]}" -XAt -c "SELECT tec_export_domain('x')" -o "$work/x.sql"
	P "${to[0]}" "${to[1]}" -q -d "off$j" -v ON_ERROR_STOP=1 -f "$work/x.sql" >/dev/null
	echo "$(now) - $start" | bc -l >> "$work/t_off_notrail"
	# with the trail: the same freeze (timed above), its export and import
	P "${to[0]}" "${to[1]}" -q -d "off$j" -c "SELECT tec_drop_domain('x', force => true)" >/dev/null
	P "${to[0]}" "${to[1]}" -q -c "CREATE DATABASE off${j}t"
	P "${to[0]}" "${to[1]}" -q -d "off${j}t" -c 'CREATE EXTENSION tec_sovereignty'
	start=$(now)
	P "${from[0]}" "${from[1]}" -d "${from[2]}" -XAt -c "SELECT tec_export_domain('x', with_audit => true)" -o "$work/xa.sql"
	P "${to[0]}" "${to[1]}" -q -d "off${j}t" -v ON_ERROR_STOP=1 -f "$work/xa.sql" >/dev/null
	echo "$(now) - $start + $freeze_s" | bc -l >> "$work/t_off_trail"
	P "${to[0]}" "${to[1]}" -q -d "off${j}t" -c "SELECT tec_drop_domain('x', force => true)" >/dev/null
	P "${from[0]}" "${from[1]}" -d "${from[2]}" -q -c "SELECT tec_cancel_transfer('x')" >/dev/null
	rm -f "$work/x.sql" "$work/xa.sql"
done
# Then the moves: RUNS with the trail, each carrying all of it (as long
# as the offline route's, plus the moves' own events), then RUNS without.
for i in $(seq 1 "$RUNS"); do move_once trail true "$i"; done
for i in $(seq 1 "$RUNS"); do move_once notrail false "$i"; done
touch "$work/stop"; wait

bm=$(median < "$work/t_block"); cm=$(median < "$work/t_copy")
tt=$(median < "$work/t_total_trail"); tn=$(median < "$work/t_total_notrail")
ot=$(median < "$work/t_off_trail"); on=$(median < "$work/t_off_notrail")
printf 'rows                            %d\n' "$ROWS"
printf 'write block (median of %d)      %s ms\n' "$((2 * RUNS))" "$bm"
printf 'copy        (median of %d)      %s ms   %.0f rows/s\n' "$((2 * RUNS))" "$cm" "$(echo "$ROWS / ($cm / 1000)" | bc -l)"
printf 'with the audit trail (median of %d): move %.3f s, offline route %.3f s: %.2fx\n' "$RUNS" "$tt" "$ot" "$(echo "$tt / $ot" | bc -l)"
printf 'without it           (median of %d): move %.3f s, offline route %.3f s: %.2fx\n' "$RUNS" "$tn" "$on" "$(echo "$tn / $on" | bc -l)"
printf 'writer: %d writes acknowledged, %d refused (all runs)\n' "$(wc -l < "$work/writer.ok")" "$(grep -c ERROR "$work/writer.err")"
grep ERROR "$work/writer.err" | sed 's/^.*ERROR:  //' | sort | uniq -c
