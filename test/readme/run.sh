#!/usr/bin/env bash
# test/readme/run.sh -- the README is a test: every fenced code block of
# README.md runs, in document order, against one throwaway cluster with the
# library preloaded, and shown output is compared with what the block prints.
# Called by `test/run_tests.sh readme` (part of `make test`).
#
# Which blocks run (decided by the fence's language and by a marker, an HTML
# comment on the last non-blank line before the fence; never by guessing):
#
#   ```sql        psql -X -v ON_ERROR_STOP=1 as postgres, in database "tec"
#                 (which this runner creates: the README's examples use it)
#   ```sh         bash -e, as the postgres OS user, in a scratch directory
#                 (the same one for every block), with PGHOST/PGPORT/PGUSER
#                 naming the cluster and no PGDATABASE: a psql without -d
#                 connects to database "postgres", as it would for a user
#   <!-- readme-test: session -->
#                 a shell session: lines "$ cmd" run as one bash -e script,
#                 the other lines are the output it must print
#   <!-- readme-test: output -->
#                 the output the previous block printed (stdout and stderr)
#   <!-- readme-test: output file=PATH -->
#                 the content of PATH in the scratch directory
#   <!-- readme-test: skip (reason) -->          not run; printed with the reason
#   <!-- readme-test: text (reason) -->          not a command (a signature,
#                                                a diagram, a file excerpt)
#   <!-- readme-test: fails -->
#                 an sql or sh block that must fail (its output is then
#                 compared by the output block that follows)
#   <!-- readme-test: known-failure [output ...] (reason) -->
#                 runs; a failure is counted and printed as a known failure
#                 (a bug of the extension the README must not hide), not as a
#                 pass; a pass is a failure (remove the marker)
#
# psql runs SQL blocks with -q (no command tags).
#
# Any other block (plain ``` or another language) without a marker is a
# failure: each one must say what it is.
#
# Comparing output: a line "..." in the expected text matches any number of
# lines; both sides are normalized first (the figures that vary from run to
# run): timestamps -> <TIMESTAMP>, 64-hex-digit hashes -> <HASH>, the host
# and port of a URL ("@host:port/") -> @<HOST>:<PORT>/, psql's error
# prefix, trailing blanks, blank lines at the end.  No output the README shows
# holds an OID or a pid today; add a rule to normalize() when one does.
#
# Ends with "readme: N passed, N failed, N skipped, N known failures"; exits
# non-zero on a failure.  Each block that runs or compares is one test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
readme=${TSOV_README:-$TSOV_ROOT/README.md}

work=$(tsov_tempdir readme)
if [ -n "${TSOV_BINDIR:-}" ] && [ -x "$TSOV_BINDIR/postgres" ] \
	&& [ -f "$("$TSOV_BINDIR/pg_config" --pkglibdir)/tec_sovereignty.so" ]; then
	PG_CONFIG=$TSOV_BINDIR/pg_config
	PATH=$TSOV_BINDIR:$PATH
	export PG_CONFIG PATH
else
	tsov_ensure_deps
	tsov_temp_install "$work/install"
fi
cluster=$work/cluster
run=$work/run
mkdir -p "$cluster" "$run" "$work/blocks"
[ "$(id -u)" -eq 0 ] && chown postgres: "$cluster" "$run" "$work/blocks"
port=$(tsov_free_port)
failed=0

cleanup() {
	tsov_stop_cluster "$cluster"
	if [ "${TSOV_KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
		echo "readme scratch directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# The blocks: $work/blocks/NNN.body, and one line per block in index.tsv:
# number, README line of the fence, language, marker (may be empty).
awk -v dir="$work/blocks" '
	function flush() { close(body) }
	!inblock && /^<!-- readme-test: .* -->[ \t]*$/ {
		m = $0; sub(/^<!-- readme-test: /, "", m); sub(/ -->[ \t]*$/, "", m); marker = m; next
	}
	!inblock && /^```/ {
		n++; inblock = 1; lang = substr($0, 4); gsub(/[ \t]/, "", lang); if (lang == "") lang = "plain"
		body = sprintf("%s/%03d.body", dir, n)
		printf "" > body
		printf "%03d\t%d\t%s\t%s\n", n, NR, lang, marker > (dir "/index.tsv")
		marker = ""; next
	}
	inblock && /^```[ \t]*$/ { inblock = 0; flush(); next }
	inblock { print > body; next }
	/[^ \t]/ { marker = "" }
' "$readme"
[ -s "$work/blocks/index.tsv" ] || tsov_die "no code blocks found in $readme"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$work/blocks"

tsov_log "README blocks against a throwaway cluster on port $port"
tsov_start_cluster "$cluster" "$port" "fsync = off"
tsov_as_pg psql -X -q -h "$cluster" -p "$port" -U postgres -d postgres -c 'CREATE DATABASE tec' \
	|| tsov_die "could not create database tec"

pgenv=(env PATH="$PATH" HOME="$run" PGHOST="$cluster" PGPORT="$port" PGUSER=postgres)

normalize() {
	perl -pe '
		s/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?|Z)?/<TIMESTAMP>/g;
		s/\b[0-9a-f]{64}\b/<HASH>/g;
		s{\@[A-Za-z0-9._-]+:\d+/}{\@<HOST>:<PORT>/}g;
		s/^psql:[^:\n]+:\d+: //;
		s/[ \t]+$//;
	' "$1"
}

# matches EXPECTED ACTUAL ACTUAL_NORM: ACTUAL matches EXPECTED ("..." lines are
# wildcards).  On a mismatch, prints the first expected line (after the
# longest prefix of EXPECTED that matches) that ACTUAL does not have.
matches() {
	normalize "$1" >"$1.norm"
	normalize "$2" >"$3"
	perl -e '
		sub slurp { local $/; open(my $f, "<", $_[0]) or die "$_[0]: $!"; my $t = <$f>;
			$t =~ s/\n*\z/\n/; return $t eq "\n" ? "" : $t; }
		my @exp = split /\n/, slurp($ARGV[0]);
		my $act = slurp($ARGV[1]);
		sub re { join "", map { /^\s*\.\.\.\s*$/ ? "(?:.*\\n)*?" : quotemeta($_) . "\\n" } @_ }
		my $all = re(@exp);
		exit 0 if $act =~ /\A$all\z/;
		for my $i (0 .. $#exp) {
			my $pre = re(@exp[0 .. $i]);
			next if $act =~ /\A$pre/;
			print "first expected line not printed (README block line ", $i + 1, "):\n  $exp[$i]\n";
			exit 1;
		}
		print "the output goes on after the last expected line\n";
		exit 1;
	' "$1.norm" "$3"
}

passed=0 skipped=0 known=0 texts=0
failures=()
last_out=
while IFS=$'\t' read -r n line lang marker; do
	b=$work/blocks/$n.body
	out=$work/blocks/$n.out
	# marker: [known-failure] [fails] [skip|text|output|session] [file=PATH] [(reason)]
	reason= kf=0 fails=0 kind= file=
	case $marker in *"("*")"*) reason=${marker#*(}; reason=${reason%)*} ;; esac
	for w in ${marker%%(*}; do
		case $w in
			known-failure) kf=1 ;;
			fails) fails=1 ;;
			skip|text|output|session) kind=$w ;;
			file=*) file=${w#file=} ;;
			*) kind=bad ;;
		esac
	done
	where="README.md:$line"
	mode=
	case $kind in
		skip) echo "readme: $where ($lang) ... skipped: $reason"; skipped=$((skipped + 1)); continue ;;
		text) texts=$((texts + 1)); continue ;;
		output|session) mode=$kind ;;
		"") case $lang in sql|sh) mode=$lang ;; esac ;;
	esac
	if [ -z "$mode" ]; then
		echo "readme: $where ($lang) ... FAILED: a block that is neither sql nor sh needs a readme-test marker${marker:+ (unknown marker \"$marker\")}"
		failed=$((failed + 1)); failures+=("$where"); continue
	fi
	ok=1 rc=0
	case $mode in
		sql)
			tsov_as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres -d tec -f "$b" \
				>"$out" 2>&1 </dev/null || rc=$? ;;
		sh)
			(cd "$run" && tsov_as_pg "${pgenv[@]}" bash -e "$b") >"$out" 2>&1 </dev/null || rc=$? ;;
		session)
			grep '^\$ ' "$b" | sed 's/^\$ //' >"$b.sh"
			grep -v '^\$ ' "$b" >"$b.expected" || true
			(cd "$run" && tsov_as_pg "${pgenv[@]}" bash -e "$b.sh") >"$out" 2>&1 </dev/null || rc=$? ;;
		output)
			target=$last_out
			[ -n "$file" ] && target=$run/$file
			if [ -z "$target" ] || [ ! -f "$target" ]; then
				echo "nothing to compare with: ${target:-no previous block}" >"$out"; ok=0
			elif ! matches "$b" "$target" "$out.norm" >"$out"; then
				ok=0
				{ echo "printed (normalized):"; head -12 "$out.norm"; } >>"$out"
			fi ;;
	esac
	if [ "$mode" != output ]; then
		last_out=$out
		if [ $fails = 1 ]; then
			[ $rc -ne 0 ] || { ok=0; echo "(expected to fail, but it succeeded)" >>"$out"; }
		else
			[ $rc -eq 0 ] || ok=0
		fi
		if [ $ok = 1 ] && [ "$mode" = session ] && [ -s "$b.expected" ] && ! matches "$b.expected" "$out" "$out.norm" >"$out.diff"; then
			ok=0
		fi
	fi
	if [ $kf = 1 ]; then
		if [ $ok = 1 ]; then
			echo "readme: $where ($mode) ... FAILED: marked known-failure but passes; remove the marker"
			failed=$((failed + 1)); failures+=("$where")
		else
			echo "readme: $where ($mode) ... KNOWN FAILURE: $reason"
			sed 's/^/    /' "$out" | tail -8
			known=$((known + 1))
		fi
	elif [ $ok = 1 ]; then
		echo "readme: $where ($mode) ... ok"
		passed=$((passed + 1))
	else
		echo "readme: $where ($mode) ... FAILED"
		sed 's/^/    /' "$out" | tail -30
		[ -s "$out.diff" ] && sed 's/^/    /' "$out.diff" | head -40
		failed=$((failed + 1)); failures+=("$where")
	fi
done <"$work/blocks/index.tsv"

[ ${#failures[@]} -gt 0 ] && echo "readme failures: ${failures[*]}"
echo "readme: $passed passed, $failed failed, $skipped skipped, $known known failures ($texts text blocks)"
[ "$failed" -eq 0 ]
