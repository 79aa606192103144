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

say "6. ... and cannot read another domain's tables"
as assets_app "INSERT INTO assets.\"Portfolio\" (\"userId\", name, type) VALUES ('user-1', 'Gold', 'COMMODITY')"
as life_app "SELECT * FROM assets.\"Portfolio\""

say "7. Dropping a domain that still holds data is refused"
run "SELECT tec_drop_domain('life')"

cat <<EOF

$(printf '\033[1m')The demo cluster is still running.$(printf '\033[0m')
  connect:  psql -h $dir -p $port -U postgres
            (or over TCP as an application: PGPASSWORD=demo psql -h 127.0.0.1 -p $port -U life_app postgres)
  stop:     $( [ "$(id -u)" -eq 0 ] && printf 'runuser -u postgres -- ' )$("$PG_CONFIG" --bindir)/pg_ctl -D $dir/data stop && rm -rf $dir
EOF
