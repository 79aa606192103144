#!/usr/bin/env bash
# test/demo.sh -- `make demo`: a narrated walk through the mission on a
# throwaway cluster.
#
# Installs missing build dependencies (as root; otherwise prints the apt
# line), builds and installs the extension, starts a cluster as the
# "postgres" OS user on a free port with the library preloaded, and walks
# through: the 24-domain ecosystem, a member role working in its own domain,
# a cross-domain attempt denied, the audit trail, an export.  The cluster
# is left running; the last lines say how to connect and how to stop it.
set -u
. "$(dirname "$0")/lib.sh"

tsov_ensure_deps
tsov_build_install

dir=$(tsov_tempdir demo)
port=$(tsov_free_port)
tsov_log "starting a throwaway cluster in $dir on port $port"
tsov_start_cluster "$dir" "$port"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -v SHOW_CONTEXT=never -h "$dir" -p "$port" -U postgres -d postgres)

# say TEXT: narration.
say() { printf '\n\033[1;36m## %s\033[0m\n' "$*"; }
# run [psql options] SQL: show the statement, then its result.
run() {
	local sql=${*: -1}
	local opts=("${@:1:$#-1}")
	printf '\033[2m%s\033[0m\n' "$sql" | sed 's/^/    /'
	"${PSQL[@]}" "${opts[@]}" -c "$sql" 2>&1 | sed 's/^/    /'
}
# as ROLE SQL: the same, connected as ROLE (over TCP with its password).
as() {
	local role=$1 sql=$2
	printf '\033[2m[%s] %s\033[0m\n' "$role" "$sql" | sed 's/^/    /'
	PGPASSWORD=demo psql -X -q -v SHOW_CONTEXT=never -h 127.0.0.1 -p "$port" -U "$role" -d postgres -c "$sql" 2>&1 | sed 's/^/    /'
}

say "1. The extension: preloaded library + CREATE EXTENSION"
run "SHOW shared_preload_libraries"
run "CREATE EXTENSION tec_sovereignty"

say "2. The 24 domains of the ecosystem, each with its category template"
run -At "SELECT string_agg(d, ' ') FROM tec_create_ecosystem() d"
run "SELECT name, template, owner, tables, size FROM tec_sovereignty.domains ORDER BY name"

say "3. Each domain owns a schema, three roles and its tables"
run "\\dn+ life"
run "\\dt life.*"
run "\\dp life.\"Portfolio\""

say "4. Applications log in as members of exactly one domain"
run "CREATE ROLE life_app LOGIN PASSWORD 'demo'"
run "SELECT tec_add_member('life', 'life_app', 'writer')"
run "CREATE ROLE assets_app LOGIN PASSWORD 'demo'"
run "SELECT tec_add_member('assets', 'assets_app', 'writer')"
run "SELECT tec_add_member('assets', 'life_app', 'reader')"
run "SELECT * FROM tec_sovereignty.members ORDER BY domain, member"

say "5. A life application works in its own domain (the design's usage example)"
as life_app "INSERT INTO life.\"Portfolio\" (\"userId\", name, type) VALUES ('user-1', 'Retirement Fund', 'RETIREMENT') RETURNING name, type"
as life_app "INSERT INTO life.\"Investment\" (\"portfolioId\", symbol, name, quantity, \"costBasis\") SELECT id, 'VTI', 'Total market ETF', 10, 2150 FROM life.\"Portfolio\" RETURNING symbol, quantity"
as life_app "SELECT p.name, p.type, i.symbol, i.quantity FROM life.\"Portfolio\" p JOIN life.\"Investment\" i ON i.\"portfolioId\" = p.id WHERE p.\"userId\" = 'user-1'"

say "6. ... and cannot touch another domain's tables, even with a GRANT"
as assets_app "INSERT INTO assets.\"Portfolio\" (\"userId\", name, type, \"totalValue\") VALUES ('user-1', 'Gold', 'COMMODITY', 25000) RETURNING name"
as life_app "SELECT * FROM assets.\"Portfolio\""
run "GRANT USAGE ON SCHEMA assets TO life_app; GRANT SELECT, DELETE ON assets.\"Portfolio\" TO life_app"
as life_app "SELECT name FROM assets.\"Portfolio\""
as life_app "DELETE FROM assets.\"Portfolio\""
run "REVOKE ALL ON assets.\"Portfolio\" FROM life_app; REVOKE USAGE ON SCHEMA assets FROM life_app"

say "7. The only way across: an API that assets publishes"
run "SET ROLE assets_owner;
CREATE FUNCTION assets.portfolio_totals(user_id text) RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = assets, pg_temp
AS \$\$ SELECT coalesce(sum(\"totalValue\"), 0) FROM assets.\"Portfolio\" WHERE \"userId\" = user_id \$\$;
RESET ROLE;
SELECT tec_publish_api('assets.portfolio_totals(text)', 'life')"
as life_app "SELECT assets.portfolio_totals('user-1') AS assets_total_for_user_1"

say "8. The audit trail: every access and every attempt, durable and hash-chained"
run "SELECT tec_audit_flush()"
run "SELECT actor_domain, object_domain, action, decision, events FROM tec_sovereignty.access_summary WHERE object_domain IN ('life', 'assets') ORDER BY 2, 1, 3, 4"
run "SELECT effective_user_name AS who, actor_domain, object, action, reason FROM tec_sovereignty.violations ORDER BY seq LIMIT 5"
run "SELECT * FROM tec_audit_verify() WHERE domain IN ('life', 'assets', '')"
run "UPDATE tec_sovereignty.audit_log SET reason = 'nothing happened' WHERE decision = 'denied'"

say "9. Export: the whole life domain, schema and data, as one script"
"${PSQL[@]}" -At -c "SELECT tec_export_domain('life')" > "$dir/life.sql"
printf '    %s\n' "psql -XAt -c \"SELECT tec_export_domain('life')\" > $dir/life.sql"
printf '    %s lines, %s bytes; it starts and ends like this:\n' "$(wc -l < "$dir/life.sql")" "$(wc -c < "$dir/life.sql")"
{ head -14 "$dir/life.sql"; echo '    ...'; grep -m 3 -A 2 '^COPY life\."Portfolio"' "$dir/life.sql"; echo '    ...'; tail -4 "$dir/life.sql"; } | sed 's/^/      /'
echo "    (import it on another PostgreSQL 15 server with the extension: psql -X -v ON_ERROR_STOP=1 -d newdb -f life.sql)"
run "SELECT action, decision, reason FROM tec_sovereignty.audit_log WHERE action LIKE 'EXPORT%' ORDER BY seq"

say "10. Dropping a domain that still holds data is refused"
run "SELECT tec_drop_domain('life')"

cat <<EOF

$(printf '\033[1m')The demo cluster is still running.$(printf '\033[0m')
  connect:  psql -h $dir -p $port -U postgres
            (or over TCP as an application: PGPASSWORD=demo psql -h 127.0.0.1 -p $port -U life_app postgres)
  stop:     $( [ "$(id -u)" -eq 0 ] && printf 'runuser -u postgres -- ' )$("$PG_CONFIG" --bindir)/pg_ctl -D $dir/data stop && rm -rf $dir
EOF
