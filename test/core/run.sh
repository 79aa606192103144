#!/usr/bin/env bash
# test/core/run.sh -- `make test-core`: PostgreSQL 15's own regression suite
# (src/test/regress, parallel_schedule) and isolation suite
# (src/test/isolation, isolation_schedule) as the extension's acceptance test.
#
# Each suite runs twice in one invocation, from the same source tree with the
# same psql, on two throwaway clusters started from a private copy of the
# PostgreSQL installation (test/lib.sh tsov_temp_install; the system
# installation is never touched):
#   baseline      no library;
#   with library  shared_preload_libraries = 'tec_sovereignty',
#                 CREATE EXTENSION tec_sovereignty in postgres and template1,
#                 the 24 ecosystem domains in template1
#                 (SELECT pg_catalog.tec_create_ecosystem()).
# In both, the test databases are created FROM template1, so with the library
# they contain the extension and the 24 domains.  A test counts as failed when
# it fails with the library but not without it, or fails in both with
# different output; a server crash in the with-library run is a failure too.
# Differences between the source's minor version and the server's cancel out
# because both runs use the same files.
#
# Usage: test/core/run.sh [options]
#   --tests "A B ..."      run only these tests; each name is looked up in both
#                          suites (regress:NAME / isolation:NAME to pick one)
#   --regress "A B ..."    only these regress tests (test_setup is run first)
#   --isolation "A B ..."  only these isolation specs
#                          (with any of the three, a suite given no names is
#                          skipped)
#   --reuse-baseline       take the baseline from the cache when one exists for
#                          the same source, server, client and test selection
#                          (development only: CI always runs both)
#   --conf 'name = value'  extra postgresql.conf line for both clusters
#                          (repeatable)
#   --out DIR              results folder (default: a new
#                          ${TMPDIR:-/tmp}/tsov-core.XXXXXX)
#   --keep                 keep the scratch directory (stopped clusters)
#
# Environment:
#   TSOV_CORE_CACHE  cache of the source, the psql client, the built test
#                    libraries and the baselines (default ${XDG_CACHE_HOME:-$HOME/.cache}/tec_sovereignty/core)
#   TSOV_CORE_SRC    use this PostgreSQL 15 source tree instead of fetching one
#   TSOV_CORE_SRC_VERSION  fetch exactly this Debian version of postgresql-15
#
# The source: the Debian source package of the installed server version,
# fetched with apt-get source through a private apt configuration holding a
# temporary deb-src entry (removed on exit; /etc/apt is not modified); when
# the mirror no longer has that version, the newest 15.x source apt offers
# that can be downloaded, run with the psql of that same version
# (postgresql-client-15 of that version, unpacked, never installed).
#
# Expected outputs of the with-library run can be overridden by
# test/core/expected/<test>.out (regress) and
# test/core/expected/isolation/<spec>.out (isolation): see
# test/core/expected/README.md.  The baseline always uses PostgreSQL's.
#
# Output: one line per suite, the tests failing with the library only, the
# crash count, the results folder, and "N passed, N failed".  Exit status 0
# when nothing failed, 1 on failures or when something could not be run, 2
# for a usage error.
set -u
set -o pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
fail_usage() { echo "test/core/run.sh: $*" >&2; echo "see: bash test/core/run.sh --help" >&2; exit 2; }

sel_tests="" sel_regress="" sel_isolation="" selected=0 reuse=0 out="" keep=0
confs=()
while [ $# -gt 0 ]; do
	case $1 in
		--tests) [ $# -ge 2 ] || fail_usage "--tests needs a list"; sel_tests=$2; selected=1; shift 2 ;;
		--regress) [ $# -ge 2 ] || fail_usage "--regress needs a list"; sel_regress=$2; selected=1; shift 2 ;;
		--isolation) [ $# -ge 2 ] || fail_usage "--isolation needs a list"; sel_isolation=$2; selected=1; shift 2 ;;
		--reuse-baseline) reuse=1; shift ;;
		--conf) [ $# -ge 2 ] || fail_usage "--conf needs a setting"; confs+=("$2"); shift 2 ;;
		--out) [ $# -ge 2 ] || fail_usage "--out needs a folder"; out=$2; shift 2 ;;
		--keep) keep=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) fail_usage "unknown option $1" ;;
	esac
done

. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || tsov_die "run test/core/run.sh as root (it fetches the PostgreSQL source with apt and runs the clusters as user postgres)"

T0=$SECONDS
SYS_PG_CONFIG=$(command -v "$PG_CONFIG") || tsov_die "pg_config not found (set PG_CONFIG)"
CACHE=${TSOV_CORE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/tec_sovereignty/core}
mkdir -p "$CACHE" || tsov_die "cannot create the cache folder $CACHE"
CACHE=$(cd "$CACHE" && pwd)

work="" aptdir=""
clusters=()
cleanup() {
	local c
	for c in ${clusters[@]+"${clusters[@]}"}; do
		[ -f "$c/data/postmaster.pid" ] && tsov_as_pg "$bindir/pg_ctl" -D "$c/data" -m fast -w -t 60 stop >/dev/null 2>&1
	done
	[ -n "$aptdir" ] && rm -rf "$aptdir"
	if [ -n "$work" ] && [ -d "$work" ]; then
		if [ $keep = 1 ]; then echo "scratch directory kept: $work" >&2; else rm -rf "$work"; fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ apt
# A private apt configuration: its own sources (deb + deb-src of the
# machine's Debian mirrors), lists and cache in a temporary folder, so that
# nothing under /etc/apt or /var/lib/apt changes.
apt_private() {
	[ -n "$aptdir" ] && return 0
	aptdir=$(mktemp -d "${TMPDIR:-/tmp}/tsov-core-apt.XXXXXX")
	mkdir -p "$aptdir/parts" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	: >"$aptdir/empty.list"
	local f n=0
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822 stanzas that list Debian's own archive
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:[^\n]*deb/ && /debian/ && !/(^|\n)Enabled: *no/ {
				sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb deb-src"); print }' "$f" >>"$aptdir/parts/tsov-core.sources"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" && /debian/ { print; $1 = "deb-src"; print }' "$f" >>"$aptdir/parts/tsov-core.list"
	done
	n=$(cat "$aptdir"/parts/* 2>/dev/null | grep -cE '^(Types:|deb)')
	if [ "$n" -eq 0 ]; then
		cat >"$aptdir/parts/tsov-core.sources" <<-'EOF'
		Types: deb deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb deb-src
		URIs: http://deb.debian.org/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	APT_OPTS=(-o "Dir::Etc::SourceList=$aptdir/empty.list" -o "Dir::Etc::SourceParts=$aptdir/parts"
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache" -o "APT::Sandbox::User=root")
	tsov_log "apt: reading the package lists of $(grep -hE '^(URIs:|deb )' "$aptdir"/parts/* | awk '{print $2}' | sort -u | tr '\n' ' ')"
	apt-get "${APT_OPTS[@]}" -qq update >"$aptdir/update.log" 2>&1 \
		|| { cat "$aptdir/update.log" >&2; tsov_die "apt-get update (private source lists) failed"; }
}

# Source versions of postgresql-15 apt knows of, newest first.
apt_source_versions() {
	apt-cache "${APT_OPTS[@]}" showsrc postgresql-15 2>/dev/null | sed -n 's/^Version: //p' | sort -u \
		| while read -r v; do echo "$v"; done | sort -r -V
}

upstream() { local v=${1%%-*}; echo "${v#*:}"; }   # 15.20-0+deb12u1 -> 15.20

tree_ok() {
	[ -f "$1/src/test/regress/parallel_schedule" ] && [ -f "$1/src/test/isolation/isolation_schedule" ] \
		&& [ -f "$1/src/test/regress/regress.c" ] && [ -f "$1/contrib/spi/refint.c" ]
}

# fetch_source DEBVER: apt-get source into the cache, keeping only the test
# folders and contrib/spi.  Returns non-zero when apt cannot download it.
fetch_source() {
	local v=$1 dest=$CACHE/src/$1 tmp
	command -v dpkg-source >/dev/null 2>&1 && command -v bzip2 >/dev/null 2>&1 \
		|| { tsov_log "installing dpkg-dev and bzip2 (apt-get source needs them)"
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev bzip2 >/dev/null \
				|| tsov_die "apt-get install dpkg-dev bzip2 failed"; }
	tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
	tsov_log "apt-get source postgresql-15=$v"
	if ! (cd "$tmp" && apt-get "${APT_OPTS[@]}" -qq source "postgresql-15=$v") >"$tmp/apt-source.log" 2>&1; then
		grep -E '^(E|W):' "$tmp/apt-source.log" | grep -v unsandboxed | head -3 >&2
		rm -rf "$tmp"; return 1
	fi
	local t
	t=$tmp/postgresql-15-$(upstream "$v")
	tree_ok "$t" || { rm -rf "$tmp"; tsov_die "apt-get source postgresql-15=$v gave no usable tree"; }
	rm -rf "$dest"; mkdir -p "$dest/src/test" "$dest/contrib"
	mv "$t/src/test/regress" "$t/src/test/isolation" "$dest/src/test/"
	mv "$t/contrib/spi" "$dest/contrib/"
	rm -rf "$tmp"
	echo "$v" >"$dest/VERSION"
}

# Sets SRC (tree), SRC_VERSION (Debian version or "local") and SRC_NOTE.
find_source() {
	local v
	if [ -n "${TSOV_CORE_SRC:-}" ]; then
		tree_ok "$TSOV_CORE_SRC" || tsov_die "TSOV_CORE_SRC=$TSOV_CORE_SRC is not a PostgreSQL 15 source tree"
		SRC=$(cd "$TSOV_CORE_SRC" && pwd); SRC_VERSION=local; SRC_NOTE="TSOV_CORE_SRC"; return 0
	fi
	local want=${TSOV_CORE_SRC_VERSION:-$SERVER_DEBVER}
	[ -n "$want" ] || tsov_die "the server is not from the Debian package postgresql-15: set TSOV_CORE_SRC to its source tree"
	if tree_ok "$CACHE/src/$want"; then
		SRC=$CACHE/src/$want; SRC_VERSION=$want; SRC_NOTE="cached"; return 0
	fi
	# The installed version is not cached.  When an earlier run found apt
	# without it (less than a day ago), use the newest cached tree.
	local marker=$CACHE/src/.unavailable-$want newest
	if [ -z "${TSOV_CORE_SRC_VERSION:-}" ] && [ -n "$(find "$marker" -mmin -1440 2>/dev/null)" ]; then
		newest=$(cd "$CACHE/src" && for d in */; do tree_ok "${d%/}" && echo "${d%/}"; done | sort -r -V | head -1)
		if [ -n "$newest" ]; then
			SRC=$CACHE/src/$newest; SRC_VERSION=$newest
			SRC_NOTE="cached; $want was not downloadable on $(date -u -r "$marker" +%F)"
			return 0
		fi
	fi
	apt_private
	if fetch_source "$want"; then
		SRC=$CACHE/src/$want; SRC_VERSION=$want; SRC_NOTE="fetched"; return 0
	fi
	[ -n "${TSOV_CORE_SRC_VERSION:-}" ] && tsov_die "could not download postgresql-15=$want"
	mkdir -p "$CACHE/src"; touch "$marker"
	tsov_log "postgresql-15=$want is not downloadable: trying the newest 15.x source apt has"
	for v in $(apt_source_versions); do
		[ "$v" = "$want" ] && continue
		case $(upstream "$v") in 15.*) ;; *) continue ;; esac
		tree_ok "$CACHE/src/$v" && { SRC=$CACHE/src/$v; SRC_VERSION=$v; SRC_NOTE="cached; $want not downloadable"; return 0; }
		if fetch_source "$v"; then
			SRC=$CACHE/src/$v; SRC_VERSION=$v; SRC_NOTE="fetched; $want not downloadable"; return 0
		fi
	done
	tsov_die "no postgresql-15 source could be downloaded (apt offers: $(apt_source_versions | tr '\n' ' '))"
}

# Sets CLIENT (folder with psql) and CLIENT_VERSION: the server's psql when
# the source is the server's version, else postgresql-client-15 of the
# source's version, unpacked into the cache.
find_client() {
	CLIENT=$bindir
	if [ "$SRC_VERSION" != local ] && [ "$SRC_VERSION" != "$SERVER_DEBVER" ]; then
		local c=$CACHE/client/$SRC_VERSION
		if [ ! -x "$c/usr/lib/postgresql/15/bin/psql" ]; then
			apt_private
			local tmp
			tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
			if (cd "$tmp" && apt-get "${APT_OPTS[@]}" -qq download "postgresql-client-15=$SRC_VERSION") >"$tmp/apt.log" 2>&1; then
				rm -rf "$c"; mkdir -p "$c"
				dpkg-deb -x "$tmp"/postgresql-client-15_*.deb "$c" || tsov_die "could not unpack postgresql-client-15=$SRC_VERSION"
			else
				tsov_log "WARNING: postgresql-client-15=$SRC_VERSION not downloadable; using the server's psql (more tests differ from the expected files, in both runs)"
			fi
			rm -rf "$tmp"
		fi
		[ -x "$c/usr/lib/postgresql/15/bin/psql" ] && CLIENT=$c/usr/lib/postgresql/15/bin
	fi
	CLIENT_VERSION=$("$CLIENT/psql" --version) || tsov_die "$CLIENT/psql does not run"
}

# Sets DLDIR: regress.so (src/test/regress/regress.c) and autoinc.so /
# refint.so (contrib/spi), built with PGXS against the installed server.
build_dlpath() {
	local b=$CACHE/lib/$SRC_VERSION stamp
	stamp="$("$SYS_PG_CONFIG" --version) $SERVER_DEBVER $SRC"
	if [ -f "$b/stamp" ] && [ "$(cat "$b/stamp")" = "$stamp" ]; then
		DLDIR=$b/out; return 0
	fi
	tsov_log "building regress.so, autoinc.so and refint.so from the $SRC_VERSION source"
	rm -rf "$b"; mkdir -p "$b/regress" "$b/out"
	cp "$SRC/src/test/regress/regress.c" "$b/regress/"
	# shellcheck disable=SC2016  # make syntax
	printf 'MODULES = regress\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' >"$b/regress/Makefile"
	cp -r "$SRC/contrib/spi" "$b/spi"
	{ make -C "$b/regress" PG_CONFIG="$SYS_PG_CONFIG" && make -C "$b/spi" USE_PGXS=1 PG_CONFIG="$SYS_PG_CONFIG"; } \
		>"$b/build.log" 2>&1 || { tail -20 "$b/build.log" >&2; tsov_die "building the core test libraries failed ($b/build.log)"; }
	cp "$b/regress/regress.so" "$b/spi/autoinc.so" "$b/spi/refint.so" "$b/out/"
	echo "$stamp" >"$b/stamp"
	DLDIR=$b/out
}

# ------------------------------------------------------------------ selection
tsov_ensure_deps
SERVER_DEBVER=""
if dpkg -S "$("$SYS_PG_CONFIG" --bindir)/postgres" >/dev/null 2>&1; then
	SERVER_DEBVER=$(dpkg-query -W -f '${Version}' postgresql-15 2>/dev/null)
fi
bindir=$("$SYS_PG_CONFIG" --bindir)   # the server's psql, for find_client
srcinfo=$(mktemp "${TMPDIR:-/tmp}/tsov-core-src.XXXXXX")
(
	# a subshell has no EXIT trap of its own: remove the private apt folder here
	trap '[ -n "$aptdir" ] && rm -rf "$aptdir"' EXIT
	flock 9
	find_source
	find_client
	build_dlpath
	printf 'SRC=%q\nSRC_VERSION=%q\nSRC_NOTE=%q\nCLIENT=%q\nCLIENT_VERSION=%q\nDLDIR=%q\n' \
		"$SRC" "$SRC_VERSION" "$SRC_NOTE" "$CLIENT" "$CLIENT_VERSION" "$DLDIR" >"$srcinfo"
) 9>"$CACHE/.lock" || { rm -f "$srcinfo"; exit 1; }
# shellcheck disable=SC1090  # written just above
. "$srcinfo"
rm -f "$srcinfo"

REGRESS_NAMES=() ISOLATION_NAMES=()
run_regress=1 run_isolation=1
if [ $selected = 1 ]; then
	run_regress=0 run_isolation=0
	for t in $sel_regress; do REGRESS_NAMES+=("$t"); done
	for t in $sel_isolation; do ISOLATION_NAMES+=("$t"); done
	for t in $sel_tests; do
		case $t in
			regress:*) REGRESS_NAMES+=("${t#regress:}") ;;
			isolation:*) ISOLATION_NAMES+=("${t#isolation:}") ;;
			*)
				found=0
				[ -f "$SRC/src/test/regress/sql/$t.sql" ] && { REGRESS_NAMES+=("$t"); found=1; }
				[ -f "$SRC/src/test/isolation/specs/$t.spec" ] && { ISOLATION_NAMES+=("$t"); found=1; }
				[ $found = 1 ] || fail_usage "no core test named $t (neither sql/$t.sql nor specs/$t.spec in $SRC/src/test)" ;;
		esac
	done
	for t in ${REGRESS_NAMES[@]+"${REGRESS_NAMES[@]}"}; do
		[ -f "$SRC/src/test/regress/sql/$t.sql" ] || fail_usage "no regress test $t in $SRC/src/test/regress/sql"
	done
	for t in ${ISOLATION_NAMES[@]+"${ISOLATION_NAMES[@]}"}; do
		[ -f "$SRC/src/test/isolation/specs/$t.spec" ] || fail_usage "no isolation spec $t in $SRC/src/test/isolation/specs"
	done
	# PostgreSQL 15's regress tests build on test_setup's tables and functions.
	if [ ${#REGRESS_NAMES[@]} -gt 0 ]; then
		run_regress=1
		rest=()
		for t in "${REGRESS_NAMES[@]}"; do [ "$t" = test_setup ] || rest+=("$t"); done
		REGRESS_NAMES=(test_setup ${rest[@]+"${rest[@]}"})
	fi
	[ ${#ISOLATION_NAMES[@]} -gt 0 ] && run_isolation=1
fi

# ------------------------------------------------------------------ scratch
work=$(tsov_tempdir core)
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/tsov-core.XXXXXX")
else
	mkdir -p "$out" || tsov_die "cannot create $out"
fi
out=$(cd "$out" && pwd)
chmod 755 "$out"
tsov_temp_install "$work/install"
bindir=$TSOV_BINDIR
pgxs_dir=$("$PG_CONFIG" --pgxs); pgxs_dir=${pgxs_dir%/src/makefiles/pgxs.mk}
PG_REGRESS=$pgxs_dir/src/test/regress/pg_regress
PG_ISOLATION_REGRESS=$pgxs_dir/src/test/isolation/pg_isolation_regress
[ -x "$PG_REGRESS" ] || tsov_die "no pg_regress in the installation ($PG_REGRESS): install postgresql-server-dev-15"
[ -x "$PG_ISOLATION_REGRESS" ] || tsov_die "no pg_isolation_regress in the installation ($PG_ISOLATION_REGRESS)"

# What the cluster user reads: the test folders (one copy per run, the
# with-library one with the overrides), the test libraries and psql.
mkdir -p "$work/lib" "$work/client"
cp "$DLDIR"/*.so "$work/lib/"
cp -a "$CLIENT/." "$work/client/"
overrides="$TSOV_ROOT/test/core/expected"
prepare_tree() {   # RUN: $work/RUN/{regress,isolation}
	local run=$1 f name
	mkdir -p "$work/$run"
	cp -r "$SRC/src/test/regress" "$work/$run/regress"
	cp -r "$SRC/src/test/isolation" "$work/$run/isolation"
	[ "$run" = library ] || return 0
	for f in "$overrides"/*.out "$overrides"/isolation/*.out; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .out)
		case $f in
			"$overrides"/isolation/*) suite=isolation; [ -f "$SRC/src/test/isolation/specs/$name.spec" ] ;;
			*) suite=regress; [ -f "$SRC/src/test/regress/sql/$name.sql" ] ;;
		esac || tsov_die "override $f names no core $suite test"
		rm -f "$work/$run/$suite/expected/$name.out" "$work/$run/$suite/expected/${name}"_[0-9].out
		cp "$f" "$work/$run/$suite/expected/$name.out"
		echo "$suite $name" >>"$work/overrides.txt"
	done
}
prepare_tree baseline
prepare_tree library
chown -R postgres: "$work"
cd "$work" || tsov_die "cannot enter $work"   # the cluster user must be able to read the cwd

psql_c() {   # CLUSTER DB SQL...
	local c=$1 db=$2; shift 2
	tsov_as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$c" -p "$(cat "$c/port")" -d "$db" "$@"
}

start_cluster() {   # RUN PRELOAD
	local run=$1 preload=$2 c=$work/$1/cluster port
	mkdir -p "$c"; chown postgres: "$c"
	port=$(tsov_free_port); echo "$port" >"$c/port"
	tsov_as_pg "$bindir/initdb" -D "$c/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$c/initdb.log" 2>&1 || { cat "$c/initdb.log" >&2; tsov_die "initdb ($run) failed"; }
	{
		echo "# test/core/run.sh: the settings of pg_regress's temporary instance"
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$c'"
		echo "fsync = off"
		echo "max_prepared_transactions = 10"
		echo "log_autovacuum_min_duration = 0"
		echo "log_checkpoints = on"
		echo "log_line_prefix = '%m %b[%p] %q%a '"
		echo "log_lock_waits = on"
		echo "log_temp_files = 128kB"
		echo "shared_preload_libraries = '$preload'"
		for l in ${confs[@]+"${confs[@]}"}; do echo "$l"; done
	} | tsov_as_pg tee -a "$c/data/postgresql.conf" >/dev/null
	clusters+=("$c")
	tsov_as_pg "$bindir/pg_ctl" -D "$c/data" -l "$c/server.log" -w -t 120 start >/dev/null \
		|| { tail -20 "$c/server.log" >&2; tsov_die "the $run server did not start"; }
	[ "$(psql_c "$c" postgres -Atc 'SHOW shared_preload_libraries')" = "$preload" ] \
		|| tsov_die "the $run server does not preload '$preload'"
}

setup_library() {   # CLUSTER
	local c=$1 n
	for db in postgres template1; do
		psql_c "$c" "$db" -c 'CREATE EXTENSION tec_sovereignty' >/dev/null \
			|| tsov_die "CREATE EXTENSION tec_sovereignty failed in $db"
	done
	n=$(psql_c "$c" template1 -Atc 'SELECT count(*) FROM pg_catalog.tec_create_ecosystem()') \
		|| tsov_die "tec_create_ecosystem() failed in template1"
	[ "$n" = 24 ] || tsov_die "tec_create_ecosystem() created $n domains in template1, not 24"
}

# What pg_regress's create_database() does, but FROM template1.
create_test_db() {   # CLUSTER DB
	local c=$1 db=$2
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if psql_c "$c" postgres -c "CREATE DATABASE \"$db\" TEMPLATE=template1" >"$c/createdb.log" 2>&1; then
			psql_c "$c" postgres -c "ALTER DATABASE \"$db\" SET lc_messages TO 'C';
				ALTER DATABASE \"$db\" SET lc_monetary TO 'C'; ALTER DATABASE \"$db\" SET lc_numeric TO 'C';
				ALTER DATABASE \"$db\" SET lc_time TO 'C'; ALTER DATABASE \"$db\" SET bytea_output TO 'hex';
				ALTER DATABASE \"$db\" SET timezone_abbreviations TO 'Default';" >/dev/null \
				|| tsov_die "ALTER DATABASE $db failed"
			return 0
		fi
		sleep 1   # template1 still in use (an exiting backend, autovacuum)
	done
	cat "$c/createdb.log" >&2; tsov_die "could not create database $db from template1"
}

# "STATUS NAME" per test from a pg_regress log (ok, FAILED, ignored).
parse_log() {
	sed -nE 's/^(test |     )([^ ]+) +\.\.\. (ok|FAILED|failed \(ignored\)).*/\3 \2/p' "$1" \
		| sed -E 's/^failed \(ignored\)/ignored/'
}

run_suite() {   # RUN SUITE
	local run=$1 suite=$2 c=$work/$1/cluster dir=$work/$1/$2 db prog rc=0 t=$SECONDS
	local res=$out/$suite/$run
	case $suite in
		regress) db=regression; prog=$PG_REGRESS
			set -- --schedule="$dir/parallel_schedule"
			[ ${#REGRESS_NAMES[@]} -gt 0 ] && set -- "${REGRESS_NAMES[@]}" ;;
		isolation) db=isolation_regression; prog=$PG_ISOLATION_REGRESS
			set -- --schedule="$dir/isolation_schedule"
			[ ${#ISOLATION_NAMES[@]} -gt 0 ] && set -- "${ISOLATION_NAMES[@]}" ;;
	esac
	create_test_db "$c" "$db"
	if [ "$run" = library ]; then
		[ "$(psql_c "$c" "$db" -Atc 'SELECT count(*) FROM tec_sovereignty.domain')" = 24 ] \
			|| tsov_die "database $db (from template1) does not hold the 24 ecosystem domains"
	fi
	tsov_as_pg mkdir -p "$dir/out"
	tsov_log "core $suite, $run: $prog"
	(cd "$dir" && tsov_as_pg "$prog" --host="$c" --port="$(cat "$c/port")" --user=postgres \
		--bindir="$work/client" --dlpath="$work/lib" --inputdir="$dir" --outputdir="$dir/out" \
		--dbname="$db" --use-existing --max-concurrent-tests=20 "$@") >"$dir.log" 2>&1 || rc=$?
	rm -rf "$res"; mkdir -p "$res"
	cp "$dir.log" "$res/pg_regress.log"
	[ -d "$dir/out/results" ] && cp -r "$dir/out/results" "$res/results"
	[ -f "$dir/out/regression.diffs" ] && cp "$dir/out/regression.diffs" "$res/regression.diffs"
	parse_log "$dir.log" >"$res/status.txt"
	if [ ! -s "$res/status.txt" ]; then
		tail -20 "$dir.log" >&2
		tsov_die "core $suite ($run) ran no test (pg_regress exit $rc, log $res/pg_regress.log)"
	fi
	echo $((SECONDS - t)) >"$res/seconds"
}

# crash_lines SERVER_LOG: one line per crashed process: the test it ran for
# (its application_name, pg_regress/<test> or isolation/<spec>/<session>)
# and the statement; then any PANIC or assertion failure.
crash_lines() {
	local log=$1 pid app stmt
	grep -E 'was terminated by signal|exited with exit code [2-9]' "$log" | while read -r line; do
		pid=$(echo "$line" | sed -nE 's/.*\(PID ([0-9]+)\).*/\1/p')
		app=$(grep -m1 -E "\[$pid\] [^ ]+/[^ ]* " "$log" | sed -nE "s/.*\[$pid\] ([^ ]+) .*/\1/p")
		stmt=$(grep -A1 -F "(PID $pid)" "$log" | sed -n 's/.*DETAIL:  Failed process was running: //p' | head -1)
		echo "${line#*LOG:  } [${app:-test unknown}]${stmt:+ running: $stmt}" | cut -c1-300
	done
	grep -E 'PANIC:|TRAP:' "$log" | head -5 || true
}
crash_count() {   # SERVER_LOG: crash-restart cycles (or crashed processes, if more)
	local a b
	a=$(grep -c 'terminating any other active server processes' "$1")
	b=$(grep -cE 'was terminated by signal|PANIC:|TRAP:' "$1")
	echo $(( a > b ? a : b ))
}

suites=()
[ $run_regress = 1 ] && suites+=(regress)
[ $run_isolation = 1 ] && suites+=(isolation)

# The baseline cache key: everything that decides the baseline's results.
server_version=$("$bindir/postgres" --version)
sel_key() {   # SUITE
	case $1 in
		regress) echo "${REGRESS_NAMES[*]-}" ;;
		isolation) echo "${ISOLATION_NAMES[*]-}" ;;
	esac
}
base_key() {   # SUITE
	printf '%s\n' "$1" "$SRC_VERSION" "$SRC" "$server_version" "$SERVER_DEBVER" "$CLIENT_VERSION" \
		"$(sel_key "$1")" ${confs[@]+"${confs[@]}"} | sha256sum | cut -c1-16
}

# ------------------------------------------------------------------ runs
# Baselines nobody reused for a month are dropped.
[ -d "$CACHE/baseline" ] && find "$CACHE/baseline" -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} +
need_base=()
for s in "${suites[@]}"; do
	k=$(base_key "$s")
	if [ $reuse = 1 ] && [ -f "$CACHE/baseline/$k/status.txt" ]; then
		tsov_log "core $s, baseline: reusing $CACHE/baseline/$k"
		rm -rf "$out/$s/baseline"; mkdir -p "$out/$s"
		cp -r "$CACHE/baseline/$k" "$out/$s/baseline"
		touch "$CACHE/baseline/$k"
	else
		need_base+=("$s")
	fi
done

if [ ${#need_base[@]} -gt 0 ]; then
	start_cluster baseline ""
	for s in "${need_base[@]}"; do
		run_suite baseline "$s"
		k=$(base_key "$s")
		rm -rf "$CACHE/baseline/$k"; mkdir -p "$CACHE/baseline"
		cp -r "$out/$s/baseline" "$CACHE/baseline/$k"
	done
	tsov_as_pg "$bindir/pg_ctl" -D "$work/baseline/cluster/data" -m fast -w -t 60 stop >/dev/null
	cp "$work/baseline/cluster/server.log" "$out/server-baseline.log"
fi

start_cluster library tec_sovereignty
setup_library "$work/library/cluster"
for s in "${suites[@]}"; do
	run_suite library "$s"
done
tsov_as_pg "$bindir/pg_ctl" -D "$work/library/cluster/data" -m fast -w -t 60 stop >/dev/null \
	|| echo "WARNING: the with-library server did not stop cleanly" >&2
cp "$work/library/cluster/server.log" "$out/server-library.log"

# ------------------------------------------------------------------ compare
passed=0 failed=0
# first_diff FILE_A FILE_B: the first removed and the first added line.
first_diff() {
	diff -U0 "$1" "$2" 2>/dev/null | awk '
		/^(---|\+\+\+|@@)/ { next }
		/^-/ && m == "" { m = substr($0, 1, 100) }
		/^\+/ && p == "" { p = substr($0, 1, 100) }
		END { printf "%s | %s", (m == "" ? "(nothing removed)" : m), (p == "" ? "(nothing added)" : p) }'
}
expected_file() {   # SUITE TEST: the expected file the with-library run compared against
	local d=$work/library/$1/expected best="" f n bestn=999999
	for f in "$d/$2.out" "$d/$2"_[0-9].out; do
		[ -f "$f" ] || continue
		n=$(diff "$f" "$out/$1/library/results/$2.out" 2>/dev/null | wc -l)
		[ "$n" -lt "$bestn" ] && { best=$f; bestn=$n; }
	done
	echo "$best"
}

report=$out/summary.txt
: >"$report"
say() { echo "$*" | tee -a "$report"; }
for s in "${suites[@]}"; do
	b=$out/$s/baseline l=$out/$s/library
	n=$(wc -l <"$l/status.txt")
	lok=$(awk '$1 != "FAILED"' "$l/status.txt" | wc -l)
	bok=$(awk '$1 != "FAILED"' "$b/status.txt" | wc -l)
	bn=$(wc -l <"$b/status.txt")
	say "core $s: with library $lok/$n, without $bok/$bn  ($(cat "$l/seconds")s with, $(cat "$b/seconds")s without)"
	mkdir -p "$out/$s/new"
	new=() changed=()
	while read -r st name; do
		bst=$(awk -v t="$name" '$2 == t { print $1 }' "$b/status.txt")
		if [ "$st" = FAILED ] && [ "$bst" != FAILED ]; then
			new+=("$name")
		elif [ "$st" = FAILED ] && ! cmp -s "$b/results/$name.out" "$l/results/$name.out"; then
			changed+=("$name")
		fi
	done <"$l/status.txt"
	for name in ${new[@]+"${new[@]}"}; do
		e=$(expected_file "$s" "$name")
		diff -U3 "$e" "$l/results/$name.out" >"$out/$s/new/$name.diff" 2>&1
		lost=""
		grep -qE 'server closed the connection unexpectedly|connection to server .* failed|terminating connection because of crash' \
			"$l/results/$name.out" 2>/dev/null && lost=" (lost its connection in a crash)"
		say "  new failure: $name$lost: $(first_diff "$e" "$l/results/$name.out")"
	done
	for name in ${changed[@]+"${changed[@]}"}; do
		diff -U3 "$b/results/$name.out" "$l/results/$name.out" >"$out/$s/new/$name.vs-baseline.diff" 2>&1
		say "  fails in both, output differs: $name: $(first_diff "$b/results/$name.out" "$l/results/$name.out")"
	done
	bad=$(( ${#new[@]} + ${#changed[@]} ))
	failed=$((failed + bad))
	passed=$((passed + n - bad))
done

crashes=$(crash_count "$out/server-library.log")
base_crashes="baseline from the cache,"
[ ${#need_base[@]} -gt 0 ] && base_crashes=$(crash_count "$out/server-baseline.log")
say "core crashes: $crashes in the with-library server log ($base_crashes $( [ ${#need_base[@]} -gt 0 ] && echo without || echo not counted))"
crash_lines "$out/server-library.log" | head -10 | sed 's/^/  /' | tee -a "$report"
failed=$((failed + crashes))
[ -f "$work/overrides.txt" ] && say "core expected-output overrides used: $(awk '{print $1 ":" $2}' "$work/overrides.txt" | tr '\n' ' ')"
{
	echo "source: $SRC_VERSION ($SRC_NOTE) $SRC"
	echo "server: $server_version (package ${SERVER_DEBVER:-none})"
	echo "client: $CLIENT_VERSION ($CLIENT)"
	echo "duration: $((SECONDS - T0))s"
} | tee -a "$report"
say "core results (diffs of new failures under <suite>/new/, all outputs under <suite>/{baseline,library}/): $out"
say "$passed passed, $failed failed"
[ $failed -eq 0 ]
