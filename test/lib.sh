# test/lib.sh -- shell helpers shared by the demo, the test runner and the
# benchmarks: dependency check, build, throwaway clusters on free ports.
#
# Everything here works both as root (CI, a fresh Debian machine: initdb and
# postgres are then run as the "postgres" OS user) and as an ordinary user
# who can write to the PostgreSQL install directories.

TSOV_ROOT=${TSOV_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_CONFIG=${PG_CONFIG:-pg_config}
TSOV_DEBS="postgresql-15 postgresql-server-dev-15 postgresql-contrib libipc-run-perl postgresql-15-pgaudit libpq-dev make gcc"

tsov_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
tsov_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install the Debian packages the build and the tests need, when missing.
tsov_ensure_deps() {
	local missing=()
	command -v "$PG_CONFIG" >/dev/null 2>&1 || missing+=(pg_config)
	if command -v "$PG_CONFIG" >/dev/null 2>&1; then
		[ -f "$("$PG_CONFIG" --includedir-server)/postgres.h" ] || missing+=(server-headers)
		[ -x "$("$PG_CONFIG" --bindir)/initdb" ] || missing+=(server)
		[ -f "$("$PG_CONFIG" --pkglibdir)/pgaudit.so" ] || missing+=(pgaudit)
		# the streaming export client (src/client/tec_export) links libpq
		[ -f "$("$PG_CONFIG" --includedir)/libpq-fe.h" ] || missing+=(libpq-dev)
	fi
	perl -MIPC::Run -e 1 >/dev/null 2>&1 || missing+=(IPC::Run)
	command -v gcc >/dev/null 2>&1 || missing+=(gcc)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		tsov_log "installing build dependencies (missing: ${missing[*]})"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null && apt-get install -y -qq $TSOV_DEBS >/dev/null \
			|| tsov_die "apt-get install failed"
	else
		tsov_die "missing ${missing[*]}; run: sudo apt-get install -y $TSOV_DEBS"
	fi
}

# Build with -Werror and install the extension.
tsov_build_install() {
	tsov_log "building (warnings are errors) and installing tec_sovereignty"
	make -s -C "$TSOV_ROOT" COPT=-Werror >/dev/null || tsov_die "build failed"
	if [ "$(id -u)" -eq 0 ] || [ -w "$("$PG_CONFIG" --pkglibdir)" ]; then
		make -s -C "$TSOV_ROOT" install >/dev/null || tsov_die "make install failed"
	else
		tsov_die "cannot write to $("$PG_CONFIG" --pkglibdir); run: sudo make -C $TSOV_ROOT install"
	fi
}

# tsov_temp_install DIR: a private copy of the PostgreSQL installation with
# this extension installed into it, the way PostgreSQL's own "make check"
# works.  PostgreSQL finds its share and lib directories relative to the
# postgres binary, so the copy is self-contained: test runs never touch the
# system installation and never collide with each other.  Sets TSOV_BINDIR
# and puts it first in PATH.
tsov_temp_install() {
	local dest=$1 bindir sharedir
	bindir=$("$PG_CONFIG" --bindir)
	sharedir=$("$PG_CONFIG" --sharedir)
	tsov_log "building (warnings are errors) into a private installation"
	mkdir -p "$dest$(dirname "$bindir")" "$dest$(dirname "$sharedir")"
	cp -a "$(dirname "$bindir")/." "$dest$(dirname "$bindir")/"
	cp -a "$sharedir" "$dest$(dirname "$sharedir")/"
	make -s -C "$TSOV_ROOT" COPT=-Werror >/dev/null || tsov_die "build failed"
	make -s -C "$TSOV_ROOT" install DESTDIR="$dest" >/dev/null || tsov_die "make install failed"
	# the test-only helpers (tec_sovereignty.audit_bench): tests and benchmarks only
	make -s -C "$TSOV_ROOT/test/modules/tsov_bench" install DESTDIR="$dest" >/dev/null \
		|| tsov_die "make install of test/modules/tsov_bench failed"
	TSOV_BINDIR=$dest$bindir
	PG_CONFIG=$TSOV_BINDIR/pg_config
	PATH=$TSOV_BINDIR:$PATH
	export TSOV_BINDIR PG_CONFIG PATH
	[ -n "${TSOV_VALGRIND:-}" ] && tsov_valgrind_wrap "$TSOV_BINDIR"
	return 0
}

# tsov_valgrind_wrap BINDIR: replace BINDIR/postgres by a script that runs
# it under Valgrind (test/valgrind.sh; never in make test).  postgres finds
# its lib and share directories from its own path, which stays BINDIR.
tsov_valgrind_wrap() {
	local bin=$1
	[ -f "$bin/postgres.bin" ] || mv "$bin/postgres" "$bin/postgres.bin"
	cat >"$bin/postgres" <<WRAP
#!/bin/sh
case "\$1" in
	--boot|--single|-V|--version|-C|--describe-config|--check)
		exec "$bin/postgres.bin" "\$@" ;;
esac
exec valgrind --quiet --trace-children=yes --leak-check=no --gen-suppressions=all \\
	--suppressions="$TSOV_ROOT/test/valgrind.supp" --time-stamp=yes \\
	--error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \\
	--log-file="${TSOV_VALGRIND_LOGS:-/tmp/tsov.valgrind.logs}/%p.log" \\
	"$bin/postgres.bin" "\$@"
WRAP
	chmod 755 "$bin/postgres"
}

# Run a command as the OS user that owns the clusters.
tsov_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# A fresh temporary directory that the cluster user can write to.
tsov_tempdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/tsov.$1.XXXXXX")
	chmod 755 "$d"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$d"
	echo "$d"
}

# A TCP port nobody listens on, picked at random so that parallel runs
# rarely even try the same one.
tsov_free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$(( 20000 + (RANDOM * 7 + $$ + i) % 30000 ))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	tsov_die "no free port found"
}

# tsov_start_cluster DIR PORT [extra postgresql.conf lines...]
# initdb in DIR/data with the library preloaded, and start it.  Local
# connections trust; TCP uses scram-sha-256 (what applications use).
tsov_start_cluster() {
	local dir=$1 port=$2
	shift 2
	local bindir
	bindir=$("$PG_CONFIG" --bindir)
	tsov_as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log"; tsov_die "initdb failed"; }
	{
		echo "port = $port"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$dir'"
		echo "shared_preload_libraries = 'tec_sovereignty'"
		echo "max_connections = 60"
		echo "log_min_messages = warning"
		for line in "$@"; do echo "$line"; done
	} | tsov_as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
	tsov_as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
		|| { cat "$dir/server.log"; tsov_die "server did not start"; }
}

tsov_stop_cluster() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] || return 0
	tsov_as_pg "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
