#!/usr/bin/env bash
# test/bench/ecosystem.sh -- how long tec_create_ecosystem() takes, against
# a baseline of the same DDL issued by hand (roles, schema, grants, default
# privileges, template tables) in the same run, and the catalog footprint of
# the 24 domains.
#
# Usage: bash test/bench/ecosystem.sh [rounds]   (default 5, interleaved)
set -u
. "$(dirname "$0")/../lib.sh"
rounds=${1:-5}

tsov_ensure_deps
work=$(tsov_tempdir bench-eco)
trap 'tsov_stop_cluster "$work/c"; rm -rf "$work"' EXIT
tsov_temp_install "$work/install"
mkdir -p "$work/c"; [ "$(id -u)" -eq 0 ] && chown postgres: "$work/c"
port=$(tsov_free_port)
tsov_start_cluster "$work/c" "$port"
psql_() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$work/c" -p "$port" -U postgres "$@"; }

psql_ -d postgres -c "CREATE DATABASE ext" -c "CREATE DATABASE plain" -c "CREATE DATABASE fresh"
psql_ -d ext -c "CREATE EXTENSION tec_sovereignty"

# The baseline script: what a DBA would type for the same 24 domains.
psql_ -d ext -c "
SELECT string_agg(format(\$f\$
CREATE ROLE %1\$I NOLOGIN; CREATE ROLE %2\$I NOLOGIN; CREATE ROLE %3\$I NOLOGIN;
CREATE SCHEMA %4\$I AUTHORIZATION %1\$I;
GRANT USAGE ON SCHEMA %4\$I TO %2\$I, %3\$I;
ALTER DEFAULT PRIVILEGES FOR ROLE %1\$I IN SCHEMA %4\$I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %2\$I;
ALTER DEFAULT PRIVILEGES FOR ROLE %1\$I IN SCHEMA %4\$I GRANT SELECT ON TABLES TO %3\$I;
SET ROLE %1\$I; SET search_path = %4\$I;
%5\$s
RESET ROLE; RESET search_path;
\$f\$, 'p_' || e.domain || '_owner', 'p_' || e.domain || '_writer', 'p_' || e.domain || '_reader',
   'p_' || e.domain, t.ddl), E'\n')
  FROM tec_sovereignty.ecosystem() e JOIN tec_sovereignty.template t ON t.name = e.template" > "$work/plain.sql"
psql_ -d ext -c "
SELECT string_agg(format('DROP SCHEMA %I CASCADE; DROP ROLE %I, %I, %I;', 'p_' || domain,
	'p_' || domain || '_owner', 'p_' || domain || '_writer', 'p_' || domain || '_reader'), E'\n')
  FROM tec_sovereignty.ecosystem()" > "$work/plain_drop.sql"

ms() { date +%s%N; }
eco=(); base=()
for r in $(seq 1 "$rounds"); do
	t0=$(ms); psql_ -d plain -1 -f "$work/plain.sql" >/dev/null; t1=$(ms)
	base+=($(( (t1 - t0) / 1000000 )))
	psql_ -d plain -f "$work/plain_drop.sql" >/dev/null 2>&1

	t0=$(ms); psql_ -d ext -c "SELECT count(*) FROM tec_create_ecosystem()" >/dev/null; t1=$(ms)
	eco+=($(( (t1 - t0) / 1000000 )))
	if [ "$r" -lt "$rounds" ]; then
		psql_ -d ext -c "SELECT count(*) FROM (SELECT tec_drop_domain(domain, true) FROM tec_sovereignty.ecosystem()) s" >/dev/null
	fi
	echo "round $r: hand-written DDL ${base[-1]} ms, tec_create_ecosystem() ${eco[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mb=$(median "${base[@]}"); me=$(median "${eco[@]}")
echo "median: hand-written DDL $mb ms, tec_create_ecosystem() $me ms, ratio $(awk -v a="$me" -v b="$mb" 'BEGIN {printf "%.2f", a / b}')"

echo "catalog footprint of the 24 domains (database ext, after the last round):"
psql_ -d ext -F ' ' -c "
SELECT 'schemas', count(*) FROM pg_namespace WHERE nspname IN (SELECT domain FROM tec_sovereignty.ecosystem())
UNION ALL SELECT 'roles', count(*) FROM pg_roles r JOIN tec_sovereignty.domain d ON r.rolname IN (d.owner_role, d.writer_role, d.reader_role)
UNION ALL SELECT 'relations (' || string_agg(DISTINCT relkind::text, '') || ')', count(*) FROM pg_class
	WHERE relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN (SELECT domain FROM tec_sovereignty.ecosystem()))
UNION ALL SELECT 'constraints', count(*) FROM pg_constraint
	WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN (SELECT domain FROM tec_sovereignty.ecosystem()))
UNION ALL SELECT 'default ACL entries', count(*) FROM pg_default_acl d JOIN pg_roles r ON r.oid = d.defaclrole WHERE r.rolname LIKE '%\_owner'
UNION ALL SELECT 'registry bytes', pg_total_relation_size('tec_sovereignty.domain')
UNION ALL SELECT 'domain data+index bytes', sum(size_bytes)::bigint FROM tec_sovereignty.domains"
# Catalog growth, measured without the bloat of the rounds above: a new
# database with only the extension, before and after one ecosystem.
catsize="SELECT pg_total_relation_size('pg_class') + pg_total_relation_size('pg_attribute') + pg_total_relation_size('pg_depend') + pg_total_relation_size('pg_constraint') + pg_total_relation_size('pg_index') + pg_total_relation_size('pg_namespace') + pg_total_relation_size('pg_default_acl') + pg_total_relation_size('pg_type')"
psql_ -d ext -c "SELECT count(*) FROM (SELECT tec_drop_domain(domain, true) FROM tec_sovereignty.ecosystem()) s" >/dev/null
psql_ -d fresh -c "CREATE EXTENSION tec_sovereignty"
before=$(psql_ -d fresh -c "$catsize")
psql_ -d fresh -c "SELECT count(*) FROM tec_create_ecosystem()" >/dev/null
after=$(psql_ -d fresh -c "$catsize")
echo "catalog growth for 24 domains (pg_class, pg_attribute, pg_depend, pg_constraint, pg_index, pg_namespace, pg_default_acl, pg_type): $(( (after - before) / 1024 )) kB"
