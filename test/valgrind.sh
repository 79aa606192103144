#!/usr/bin/env bash
# test/valgrind.sh -- run some of the tests with every server process under
# Valgrind (memcheck), to catch a use of freed or uninitialised memory that
# a normal run survives (issue 10: the audit writer inserted rows built in
# a memory context SPI_finish() had freed).  NOT part of `make test`: it is
# slow (tens of minutes for the audit tests on 2 cores).
#
#   test/valgrind.sh                       the audit regress files and TAP tests
#   test/valgrind.sh regress audit_trail   one suite, some of its tests
#   test/valgrind.sh tap 030_audit_writer_loghook
#
# How: test/run_tests.sh with TSOV_VALGRIND set; its private installation
# (test/lib.sh, tsov_temp_install) then gets a `postgres` that runs the real
# binary under valgrind --trace-children=yes with PostgreSQL's own
# suppressions (test/valgrind.supp, a copy of src/tools/valgrind.supp of
# PostgreSQL 15).  initdb's bootstrap and single-user runs and the version
# probes are not traced (they would only make every initdb take minutes).
# One log per process in $TSOV_VALGRIND_LOGS (default /tmp/tsov.valgrind.logs);
# the script ends with the number of Valgrind errors found and prints each.
#
# Limits: the Debian server is not built with USE_VALGRIND, so memcheck
# sees malloc'ed blocks, not palloc chunks: a read of a chunk freed inside a
# block that stays allocated goes unseen, while a read of memory whose block
# was returned to malloc (a deleted or reset context's non-keeper blocks:
# the audit writer's bug) is found.  Exit status: 0 when no Valgrind error
# was reported and the tests passed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
logs=${TSOV_VALGRIND_LOGS:-/tmp/tsov.valgrind.logs}
rm -rf "$logs"; mkdir -p "$logs"; chmod 777 "$logs"
export TSOV_VALGRIND=1 TSOV_VALGRIND_LOGS=$logs
export PG_TEST_TIMEOUT_DEFAULT=${PG_TEST_TIMEOUT_DEFAULT:-900}
if [ $# -eq 0 ]; then
	bash "$here/run_tests.sh" regress audit_trail audit_guard export_audit enforce_privileged
	rc1=$?
	bash "$here/run_tests.sh" tap 030_audit_writer_loghook 032_audit_writer_poison 022_audit_restart
	rc2=$?
else
	bash "$here/run_tests.sh" "$@"
	rc1=$?; rc2=0
fi
n=$(cat "$logs"/*.log 2>/dev/null | grep -c 'VALGRINDERROR-BEGIN')
for f in $(grep -l 'VALGRINDERROR-BEGIN' "$logs"/*.log 2>/dev/null); do
	echo "--- $f"
	sed -n '/VALGRINDERROR-BEGIN/,/VALGRINDERROR-END/p' "$f" | head -80
done
echo "valgrind: $(ls "$logs" | wc -l) process logs, $n errors"
[ "$n" -eq 0 ] && [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
