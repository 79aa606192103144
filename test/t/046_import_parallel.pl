# test/t/046_import_parallel.pl
#
# tec_export --import -j N, the parallel import (src/client/tec_export/import.c,
# src/export/import.sql).  040 imports every hard case with it and 043 shows
# that an import undone after it took roles over from another database
# leaves them.  Here:
#   - the lexer: a domain whose names, comments, function bodies and
#     strings hold what could pass for statement boundaries, COPY headers,
#     end-of-data markers and comments imports identically in parallel;
#   - a client killed between its transactions leaves the domain
#     'importing': nobody may export it, a non-superuser may not undo it,
#     tec_import_abort() removes the domain, its schema and its roles, and
#     the trail records IMPORT_START and IMPORT_ABORT; SIGINT makes the
#     client undo the import itself;
#   - refusals: tec_import_abort() of an active domain, import_parallel_begin()
#     outside an import, bad options;
#   - a script without data imports in one transaction whatever -j says.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(run start);
use Time::HiRes qw(usleep);

my @nodes;
for my $name ('source', 'target')
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
	push @nodes, $node;
}
my ($src, $dst) = @nodes;
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub export_to
{
	my ($domain, $file, $call) = @_;
	my $err;
	$call //= "tec_export_domain('$domain')";
	run [ 'psql', '-XAt', '-h', $src->host, '-p', $src->port, '-d', 'postgres', '-c', "SELECT $call", '-o', $file ],
	  '2>', \$err
	  or die "export of $domain failed: $err";
}

sub import_par
{
	my ($db, $file, @opts) = @_;
	my ($out, $err) = ('', '');
	my $ok = run [ 'tec_export', '--import', @opts, '-h', $dst->host, '-p', $dst->port, '-d', $db, $file ],
	  '>', \$out, '2>', \$err;
	return ($ok, $err);
}

sub schema_dump
{
	my ($node, $schema) = @_;
	my ($out, $err);
	run [ 'pg_dump', '--schema-only', '-n', $schema, '-h', $node->host, '-p', $node->port, '-d', 'postgres' ],
	  '>', \$out, '2>', \$err
	  or die "pg_dump failed: $err";
	return join('', grep { !/^(\\(un)?restrict |-- Dumped (from|by) )/ } split /^/, $out);
}

# --- The lexer ------------------------------------------------------------
$src->safe_psql('postgres', <<'SQL');
SELECT tec_create_domain('lex');
SET ROLE lex_owner;
CREATE TABLE lex."semi;colon" (id int PRIMARY KEY, "a""b;" text DEFAULT ';', "--c" text DEFAULT '/* x */');
CREATE TABLE lex.child (id int PRIMARY KEY, p int REFERENCES lex."semi;colon" (id));
CREATE INDEX "idx; COPY lex.x FROM stdin;" ON lex.child (p);
CREATE FUNCTION lex.f() RETURNS text LANGUAGE sql AS $body$
SELECT ';
COPY lex."semi;colon" FROM stdin;
\.
COMMIT; DROP SCHEMA lex CASCADE; -- $$ $x$ '' "
/* unterminated? */'::text
$body$;
CREATE FUNCTION lex.g() RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN E'\'; \\ COMMIT; $$';
END
$fn$;
CREATE VIEW lex.v AS SELECT 'x;y'::text AS a, E'\\.' AS b, $q$;$q$ AS c;
COMMENT ON TABLE lex."semi;colon" IS E'it''s; -- not a comment\n\\.\n/* nor this';
INSERT INTO lex."semi;colon" VALUES (1, E'\\.', E'line\n\\.\nend'), (2, 'COPY x FROM stdin;', '-- ;'), (3, NULL, NULL);
INSERT INTO lex.child VALUES (10, 1), (20, 2), (30, NULL);
RESET ROLE;
SQL
my $file = "$tmp/lex.sql";
export_to('lex', $file);
my ($ok, $err) = import_par('postgres', $file, '-j', '2');
ok($ok, 'lex: the parallel import succeeds') or diag($err);
is(schema_dump($dst, 'lex'), schema_dump($src, 'lex'), 'lex: pg_dump --schema-only identical');
for my $q ('SELECT lex.f()', 'SELECT lex.g()', 'SELECT * FROM lex.v',
		   'SELECT string_agg(format(\'%s|%s|%s\', id, "a""b;", "--c"), \',\' ORDER BY id) FROM lex."semi;colon"',
		   'SELECT string_agg(id || \'>\' || COALESCE(p::text, \'-\'), \',\' ORDER BY id) FROM lex.child',
		   q{SELECT obj_description('lex."semi;colon"'::regclass)})
{
	is($dst->safe_psql('postgres', $q), $src->safe_psql('postgres', $q), "lex: same answer: $q");
}
is($dst->safe_psql('postgres', "SELECT state FROM tec_sovereignty.domain WHERE name = 'lex'"), 'active', 'lex: active');

# COPY ... FROM stdin WITH (...) is read as a COPY too (a hand-edited
# script, one transaction: FREEZE needs the table created in it).
{
	open(my $in, '<', $file) or die;
	open(my $out, '>', "$tmp/lex_freeze.sql") or die;
	while (my $line = <$in>)
	{
		$line =~ s/^(COPY lex\..*) FROM stdin;$/$1 FROM stdin WITH (FREEZE);/;
		print $out $line;
	}
	close($out);
	$dst->safe_psql('postgres', 'CREATE DATABASE lexf');
	$dst->safe_psql('lexf', 'CREATE EXTENSION tec_sovereignty');
	$dst->safe_psql('postgres', "SELECT tec_drop_domain('lex', force => true)");
	($ok, $err) = import_par('lexf', "$tmp/lex_freeze.sql");
	ok($ok, 'lex: a script with COPY ... FROM stdin WITH (FREEZE) imports in one transaction') or diag($err);
	is($dst->safe_psql('lexf', 'SELECT count(*) FROM lex."semi;colon"'), '3', 'lex: with its rows');
	$dst->safe_psql('lexf', "SELECT tec_drop_domain('lex', force => true)");
}

# --- A script without data: one transaction -------------------------------
$src->safe_psql('postgres', q{SELECT tec_create_domain('nodata'); CREATE TABLE nodata.t (i int PRIMARY KEY); ALTER TABLE nodata.t OWNER TO nodata_owner;});
export_to('nodata', "$tmp/nodata.sql", "tec_export_domain('nodata', with_data => false)");
($ok, $err) = import_par('postgres', "$tmp/nodata.sql", '-j', '4');
ok($ok, 'a script without data imports');
like($err, qr/not an export with data: importing it in one transaction/, '... in one transaction, and says so');
is($dst->safe_psql('postgres', "SELECT state FROM tec_sovereignty.domain WHERE name = 'nodata'"), 'active', 'nodata: active');

# --- Bad options ----------------------------------------------------------
for my $case ([ [ '--import', '-j', '0', $file ], qr/-j\/--jobs must be a number from 1 to 64, not "0"/ ],
			  [ [ '--import', '-j', 'x', $file ], qr/-j\/--jobs must be a number from 1 to 64/ ],
			  [ [ '-j', '2', 'lex' ], qr/-j\/--jobs is for --import/ ],
			  [ [ '--import', '-f', 'out.sql', $file ], qr/--import reads the FILE given as its argument/ ],
			  [ [ '--import', "$tmp/missing.sql" ], qr/could not open ".*missing.sql"/ ])
{
	my ($out, $e) = ('', '');
	run [ 'tec_export', @{ $case->[0] } ], '>', \$out, '2>', \$e;
	is($? >> 8, 1, "tec_export @{$case->[0]}: exit status 1");
	like($e, $case->[1], "... $case->[1]");
}

# --- A client killed between its transactions -----------------------------
$src->safe_psql('postgres', q{
	SELECT tec_create_domain('big');
	CREATE TABLE big.t (id int PRIMARY KEY, payload text NOT NULL);
	ALTER TABLE big.t OWNER TO big_owner;
	CREATE INDEX ON big.t (payload);
	INSERT INTO big.t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 400000) g;
});
export_to('big', "$tmp/big.sql");
my $roles_q = q{SELECT count(*) FROM pg_roles WHERE rolname LIKE 'big\_%'};
# Start the import of big and wait until its schema part has committed:
# (the client's handle, the domain's state then, a ref to its stderr).
sub start_big_import
{
	my ($out, $err) = ('', '');
	my $h = start [ 'tec_export', '--import', '-j', '2', '-h', $dst->host, '-p', $dst->port, '-d', 'postgres',
					"$tmp/big.sql" ], '>', \$out, '2>', \$err;
	my $state = '';
	for (1 .. 2000)
	{
		$state = $dst->safe_psql('postgres', "SELECT state FROM tec_sovereignty.domain WHERE name = 'big'");
		last if $state ne '';
		usleep(10_000);
	}
	return ($h, $state, \$err);
}
my ($h, $state, $e2) = start_big_import();
$h->signal('KILL');
$h->finish;
is($state, 'importing', 'big: the domain is importing once the schema part has committed');
is($dst->safe_psql('postgres', "SELECT state FROM tec_sovereignty.domain WHERE name = 'big'"), 'importing',
   'big: the client killed, the domain stays importing');
is($dst->safe_psql('postgres', 'SELECT domain FROM tec_sovereignty.import_parallel'), 'big',
   'big: the import is listed in tec_sovereignty.import_parallel');
my ($rc, $o, $stderr) = $dst->psql('postgres', "SELECT count(*) FROM tec_export_domain('big')");
like($stderr, qr/ERROR:  domain "big" is being imported\nDETAIL:  A parallel import has loaded only part of it\.\nHINT:  Wait for the import to end, or undo it with tec_import_abort\('big'\)\./,
	 'big: a half-imported domain cannot be exported');
$dst->safe_psql('postgres', 'CREATE ROLE nobody LOGIN');
($rc, $o, $stderr) = $dst->psql('postgres', "SELECT tec_import_abort('big')", extra_params => [ '-U', 'nobody' ]);
like($stderr, qr/ERROR:  permission denied for function tec_import_abort/, 'big: only a superuser may undo an import');
$dst->safe_psql('postgres', "SELECT tec_import_abort('big')");
is($dst->safe_psql('postgres', q{SELECT (SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'big')
	+ (SELECT count(*) FROM pg_namespace WHERE nspname = 'big') + (SELECT count(*) FROM tec_sovereignty.import_parallel)}),
   '0', 'big: tec_import_abort removes the registry row, the schema and the import row');
is($dst->safe_psql('postgres', $roles_q), '0', 'big: and the roles the import created');
$dst->safe_psql('postgres', 'SELECT tec_audit_flush()');
is($dst->safe_psql('postgres', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log
	WHERE object_domain = 'big' AND action IN ('CREATE_DOMAIN', 'IMPORT_START', 'IMPORT_ABORT', 'IMPORT')}),
   'CREATE_DOMAIN,IMPORT_START,IMPORT_ABORT', 'big: the trail tells the story');

# SIGINT (a DBA's Ctrl-C): the client cancels its connections and undoes
# the import itself.
($h, $state, $e2) = start_big_import();
$h->signal('INT');
$h->finish;
is($state, 'importing', 'big: importing again when SIGINT comes');
is($? >> 8, 3, 'big: interrupted, the client exits with status 3');
like($$e2, qr/the import was undone \(tec_import_abort\): the database is as it was/, 'big: and undoes the import')
  or diag($$e2);
is($dst->safe_psql('postgres', q{SELECT (SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'big')
	+ (SELECT count(*) FROM pg_namespace WHERE nspname = 'big') + (SELECT count(*) FROM tec_sovereignty.import_parallel)}),
   '0', 'big: nothing of the domain is left after SIGINT');
is($dst->safe_psql('postgres', $roles_q), '0', 'big: nor its roles');

($ok, $err) = import_par('postgres', "$tmp/big.sql", '-j', '2');
ok($ok, 'big: imported again after the abort') or diag($err);
is($dst->safe_psql('postgres', 'SELECT count(*) FROM big.t'), '400000', 'big: every row is there');

# --- Refusals ---------------------------------------------------------------
($rc, $o, $stderr) = $dst->psql('postgres', "SELECT tec_import_abort('big')");
like($stderr, qr/ERROR:  domain "big" is not being imported\nDETAIL:  Its state is active; tec_import_abort\(\) undoes only a parallel import that did not finish\.\nHINT:  To remove an active domain, use tec_drop_domain\('big', force => true\)\./,
	 'tec_import_abort of an active domain is refused');
($rc, $o, $stderr) = $dst->psql('postgres', "SELECT tec_sovereignty.import_parallel_begin()");
like($stderr, qr/ERROR:  the parallel import must follow the creation of exactly one domain in its transaction \(found 0\)/,
	 'import_parallel_begin outside an import is refused');
($rc, $o, $stderr) = $dst->psql('postgres', "SELECT tec_import_abort('nosuch')");
like($stderr, qr/ERROR:  domain "nosuch" does not exist/, 'tec_import_abort of an unknown domain');

done_testing();
