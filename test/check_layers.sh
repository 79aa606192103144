#!/usr/bin/env bash
# test/check_layers.sh -- keeps the architecture of src/ true (README.md,
# "Architecture"); part of `make test`, also runnable alone after `make`:
#
#   bash test/check_layers.sh [-v]        (-v: print the call graph too)
#
# Checks, each printed as "ok" or "FAILED" with what broke it:
#   1. includes go down only: a file includes headers of its own layer or
#      below, and another folder's private header never;
#   2. calls go down only: every symbol an object file uses from another
#      object of the extension (nm) is defined in the same layer and folder,
#      or in a lower layer;
#   3. no cycle between files of different folders in that call graph;
#   4. every hook slot is assigned in src/hooks.c only, and transaction
#      callbacks are registered there only;
#   5. *_init functions are called from src/tec_sovereignty.c only;
#   6. no source file (C, header, SQL fragment) is over 800 lines;
#   7. no header in src/common/ has the name of one of PostgreSQL's
#      common/ headers (with -I src first, ours would shadow it).
# Ends with "layers: N passed, N failed"; exits non-zero on a failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/src
verbose=${1:-}
passed=0
failed=0

result() {						# result NAME PROBLEMS...
	local name=$1
	shift
	if [ $# -eq 0 ] || [ -z "$*" ]; then
		echo "test $name ... ok"
		passed=$((passed + 1))
	else
		echo "test $name ... FAILED"
		printf '    %s\n' "$@"
		failed=$((failed + 1))
	fi
}

# layer_of PATH (relative to src/): the layer of a source file or header.
# L0 common/, L1 domain/, L2 the audit trail's core (record, channel, queue, batch,
# writer, chain), L3 the rule (enforce/decision, enforce/check), L4 the
# guards, the trail's consumers, export, L5 hooks.c and the entry point.
layer_of() {
	case $1 in
		common/*) echo 0 ;;
		domain/*) echo 1 ;;
		audit/audit.h|audit/internal.h|audit/record.*|audit/channel.*|audit/queue.*|audit/batch.*|audit/writer.*|audit/chain.*) echo 2 ;;
		enforce/decision.*|enforce/check.*) echo 3 ;;
		audit/*|enforce/*|export/*|prisma/*) echo 4 ;;
		hooks.*|tec_sovereignty.*) echo 5 ;;
		client/*) echo client ;;	# programs linked with libpq only (below)
		*) echo 9 ;;
	esac
}

# private_to HEADER: the folder whose files alone may include it ("" if
# public).  enforce.h is the guards' interface to hooks.c and _PG_init;
# "top" is the folder of src/hooks.c and src/tec_sovereignty.c.
private_to() {
	case $1 in
		audit/internal.h) echo audit ;;
		domain/internal.h) echo domain ;;
		enforce/enforce.h) echo "enforce top" ;;
		enforce/utility.h|enforce/objects.h|enforce/builtins.h) echo enforce ;;
		export/*.h) echo export ;;
		hooks.h) echo top ;;
		*) echo "" ;;
	esac
}

folder_of() {
	case $1 in
		*/*) echo "${1%%/*}" ;;
		*) echo top ;;
	esac
}

cd "$src" || exit 1
files=$(find . -name node_modules -prune -o \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)

# ---- 1. includes ----
problems=()
for f in $files; do
	fl=$(layer_of "$f")
	[ "$fl" = 9 ] && { problems+=("$f: in no layer (add it to test/check_layers.sh)"); continue; }
	if [ "$fl" = client ]; then
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[ -f "$h" ] && problems+=("$f (a client program) includes $h of the extension")
		done
		continue
	fi
	for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ -f "$h" ] || continue			# a PostgreSQL header
		hl=$(layer_of "$h")
		if [ "$hl" -gt "$fl" ]; then
			problems+=("$f (layer $fl) includes $h (layer $hl)")
		fi
		priv=$(private_to "$h")
		if [ -n "$priv" ]; then
			ff=$(folder_of "$f")
			case " $priv " in
				*" $ff "*) ;;
				*) problems+=("$f includes $h, private to $priv/") ;;
			esac
		fi
	done
done
result "includes go down only" "${problems[@]+"${problems[@]}"}"

# ---- 2. and 3. calls (needs the objects: make) ----
# (only objects whose source still exists: a stale one would add old edges;
# not the client programs, which are not linked into the library)
objs=$(find . -name '*.o' -not -path './client/*' | sed 's|^\./||' | sort | while read -r o; do
	[ -f "${o%.o}.c" ] && echo "$o"; done)
if [ -z "$objs" ]; then
	result "calls go down only" "no object files under src/: run make first"
	result "no cycle across folders" "no object files under src/: run make first"
else
	edges=$(for o in $objs; do
		nm "$o" | awk -v f="${o%.o}" '
			NF == 3 && $2 ~ /^[TDBRC]$/ { print "D", f, $3 }
			$1 == "U" { print "U", f, $2 }'
	done | awk '$1 == "D" { def[$3] = $2 }
		$1 == "U" { use[NR] = $2 " " $3 }
		END { for (i in use) { split(use[i], a, " ");
			if ((a[2] in def) && def[a[2]] != a[1]) print a[1], def[a[2]], a[2] } }' | sort -u)
	problems=()
	while read -r from to sym; do
		[ -z "$from" ] && continue
		fl=$(layer_of "$from.c"); tl=$(layer_of "$to.c")
		if [ "$tl" -gt "$fl" ] ||
			{ [ "$tl" -eq "$fl" ] && [ "$(folder_of "$from.c")" != "$(folder_of "$to.c")" ]; }; then
			problems+=("$from.c (layer $fl) calls $sym of $to.c (layer $tl)")
		fi
	done <<<"$edges"
	result "calls go down only" "${problems[@]+"${problems[@]}"}"

	graph=$(echo "$edges" | awk 'NF { print $1, $2 }' | sort -u)
	[ "$verbose" = -v ] && { echo "# call graph (file -> file it calls):"; echo "$graph" | sed 's/^/#   /'; }
	cycles=$(echo "$graph" | perl -e '
		my %g; my %n;
		while (<STDIN>) { my ($a, $b) = split; next unless defined $b;
			push @{$g{$a}}, $b; $n{$a} = $n{$b} = 1; }
		my ($i, %idx, %low, @st, %on, @out) = (0);
		sub sc { my $v = shift; $idx{$v} = $low{$v} = $i++; push @st, $v; $on{$v} = 1;
			for my $w (@{$g{$v} || []}) {
				if (!defined $idx{$w}) { sc($w); $low{$v} = $low{$w} if $low{$w} < $low{$v}; }
				elsif ($on{$w}) { $low{$v} = $idx{$w} if $idx{$w} < $low{$v}; } }
			if ($low{$v} == $idx{$v}) { my @c; my $w;
				do { $w = pop @st; $on{$w} = 0; push @c, $w; } while ($w ne $v);
				push @out, join(" ", sort @c) if @c > 1; } }
		for my $v (sort keys %n) { sc($v) unless defined $idx{$v}; }
		print "$_\n" for @out;')
	problems=()
	while read -r cyc; do
		[ -z "$cyc" ] && continue
		folders=$(for m in $cyc; do folder_of "$m.c"; done | sort -u | wc -l)
		if [ "$folders" -gt 1 ]; then
			problems+=("cycle across folders: $cyc")
		elif [ "$verbose" = -v ]; then
			echo "# cycle inside one folder (allowed): $cyc"
		fi
	done <<<"$cycles"
	result "no cycle across folders" "${problems[@]+"${problems[@]}"}"
fi

# ---- 4. hook slots and transaction callbacks ----
# The hook slots are the variables PostgreSQL's headers declare with a
# *_hook_type type.
# (a temporary installation may lack the headers: take the first that has them)
incdir=
for pgc in "${PG_CONFIG:-}" pg_config /usr/bin/pg_config; do
	[ -n "$pgc" ] || continue
	d=$("$pgc" --includedir-server 2>/dev/null) || continue
	[ -f "$d/utils/elog.h" ] && { incdir=$d; break; }
done
slots=$(grep -rhoE 'extern PGDLLIMPORT [A-Za-z_]+_hook_type [A-Za-z_]+;' "$incdir" |
	awk '{ sub(";", "", $4); print $4 }' | sort -u | paste -sd '|')
problems=()
[ -z "$slots" ] && { problems+=("no hook slot found in the server headers (${incdir:-none})"); slots=no_slot_found; }
while IFS= read -r hit; do
	[ -n "$hit" ] && problems+=("$hit")
done < <(grep -nE "(^|[^A-Za-z0-9_])($slots)[[:space:]]*=[^=]|Register(Sub)?XactCallback" $(echo "$files" | grep '\.c$') |
	grep -v '^hooks\.c:')
result "hook slots and transaction callbacks only in hooks.c" "${problems[@]+"${problems[@]}"}"

# ---- 5. *_init called from _PG_init only ----
problems=()
while IFS= read -r hit; do
	[ -n "$hit" ] && problems+=("$hit")
done < <(grep -nE '\btsov_[a-z_]+_init[[:space:]]*\(' $(echo "$files" | grep '\.c$') |
	grep -v '^tec_sovereignty\.c:' | grep -vE ':(tsov_[a-z_]+_init|extern)')
result "*_init called from _PG_init only" "${problems[@]+"${problems[@]}"}"

# ---- 6. file length ----
problems=()
for f in $files $(find . -name node_modules -prune -o -name '*.sql' -print | sed 's|^\./||' | sort); do
	n=$(wc -l <"$f")
	[ "$n" -gt 800 ] && problems+=("$f: $n lines")
done
result "no source file over 800 lines" "${problems[@]+"${problems[@]}"}"

# ---- 7. src/common/ must not shadow PostgreSQL's common/ headers ----
problems=()
for h in $(cd common && ls *.h); do
	[ -n "$incdir" ] && [ -f "$incdir/common/$h" ] &&
		problems+=("src/common/$h has the name of PostgreSQL's common/$h")
done
[ -z "$incdir" ] && problems+=("no server headers found to compare with")
result "src/common/ shadows no PostgreSQL header" "${problems[@]+"${problems[@]}"}"

echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
