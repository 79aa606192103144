# test/t/045_export_client.pl
#
# tec_export, the streaming export client (src/client/tec_export):
#   - it writes byte for byte the file psql -XAt writes, with and without
#     data (--no-data), for a domain with values that COPY escapes, and
#     the in-server checksum of tec_complete_transfer() matches it;
#   - its memory stays bounded on a domain whose script (~150 MB) is far
#     larger than its buffers: it runs under ulimit -v 80 MB, where psql,
#     which holds the whole result, fails (the twin that shows the limit
#     bites);
#   - its file imports with psql -f into a fresh cluster with the same
#     content;
#   - errors: the server's SQLSTATE, message, detail and hint are passed
#     through with exit status 3, a failed connection exits with 2, bad
#     options with 1, and a failed export leaves no file (an existing file
#     stays as it was);
#   - an export whose server connection is terminated midway (the client
#     stopped with part of the script in its temporary file) exits with 2,
#     leaves neither the file nor the temporary file, and shows in the
#     audit trail as an EXPORT_START without its EXPORT.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(run start finish);
use Digest::SHA;
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
my @conn = ('-h', $src->host, '-p', $src->port, '-d', 'postgres');

# A small domain whose values COPY must escape, and a wide one: 3,000
# rows of 50 kB, a script of about 150 MB in values of about 1 MB.
$src->safe_psql('postgres', q{
	SELECT tec_create_domain('cli');
	CREATE TABLE cli.t (id int PRIMARY KEY, s text, b bytea, n numeric, ts timestamptz, j jsonb);
	ALTER TABLE cli.t OWNER TO cli_owner;
	INSERT INTO cli.t VALUES
		(1, E'tab\there, newline\nthere, backslash \\ and \r', '\x00ff5c0a', 1.5e-20, '2026-01-02 03:04:05+01', '{"a": [1, "\\n"]}'),
		(2, NULL, NULL, NULL, NULL, NULL),
		(3, 'ünïcödé ✓', '', 'NaN', 'infinity', '[]'),
		(4, '\.', '\x5c2e', -0.0, '0044-03-15 12:00:00+00 BC', 'null');
	CREATE INDEX ON cli.t (s);
	COMMENT ON TABLE cli.t IS E'a comment with a \' quote';
	SELECT tec_create_domain('wide');
	CREATE TABLE wide.w (id int PRIMARY KEY, payload text NOT NULL);
	ALTER TABLE wide.w OWNER TO wide_owner;
	INSERT INTO wide.w SELECT g, repeat(md5(g::text), 1600) FROM generate_series(1, 3000) g;
});

sub sha_file { return Digest::SHA->new(256)->addfile($_[0])->hexdigest; }

sub psql_export
{
	my ($call, $file) = @_;
	my $err = '';
	run [ 'psql', '-XAt', @conn, '-c', "SELECT $call", '-o', $file ], '2>', \$err
	  or die "psql export failed: $err";
}

# tec_export ARGS: (exit status, stdout, stderr); $limit_kb runs it under
# ulimit -v (bash's builtin: the kernel refuses the memory beyond it).
sub client
{
	my ($limit_kb, @args) = @_;
	my ($out, $err) = ('', '');
	my @cmd = $limit_kb
	  ? ('bash', '-c', "ulimit -v $limit_kb && exec \"\$@\"", 'bash', 'tec_export', @args)
	  : ('tec_export', @args);
	run \@cmd, '>', \$out, '2>', \$err;
	return ($? >> 8, $out, $err);
}

# 1. The same bytes as psql, with and without data.
psql_export("tec_export_domain('cli')", "$tmp/cli.psql.sql");
my ($rc, $out, $err) = client(0, @conn, '-f', "$tmp/cli.sql", 'cli');
is($rc, 0, 'tec_export -f exits with 0') or diag($err);
is(sha_file("$tmp/cli.sql"), sha_file("$tmp/cli.psql.sql"), 'tec_export -f writes the bytes psql -XAt writes');
is((stat "$tmp/cli.sql")[2] & 07777, 0600, 'the export file is readable by its owner only');
($rc, $out, $err) = client(0, @conn, 'cli');
is($rc, 0, 'tec_export to stdout exits with 0');
ok($out eq slurp_file("$tmp/cli.psql.sql"), 'tec_export to stdout writes the same bytes');
like($out, qr/ünïcödé ✓/, 'the script carries the non-ASCII text as it is');
psql_export("tec_export_domain('cli', false)", "$tmp/cli.nodata.psql.sql");
($rc, $out, $err) = client(0, @conn, '--no-data', '-f', "$tmp/cli.nodata.sql", 'cli');
is(sha_file("$tmp/cli.nodata.sql"), sha_file("$tmp/cli.nodata.psql.sql"), '--no-data is with_data => false, byte for byte');
unlike(slurp_file("$tmp/cli.nodata.sql"), qr/^COPY /m, '--no-data carries no rows');
is($src->safe_psql('postgres', "SELECT sha256 FROM tec_sovereignty.export_checksum('cli')"),
	sha_file("$tmp/cli.sql"), 'the in-server checksum (tec_complete_transfer) is the sha256 of the client\'s file');

# 2. Bounded memory: 80 MB of address space for a 150 MB script.
my $limit = 80 * 1024;
($rc, $out, $err) = client($limit, @conn, '--stats', '-f', "$tmp/wide.sql", 'wide');
is($rc, 0, 'tec_export exports a 150 MB domain within 80 MB of address space') or diag($err);
my $size = -s "$tmp/wide.sql";
cmp_ok($size, '>', 150_000_000, "the wide domain's script ($size bytes) is larger than the client's limit");
like($err, qr/^tec_export: \d+ values, $size bytes in .* peak memory (\d+) kB$/m, '--stats reports values, bytes and peak memory');
my ($peak) = $err =~ /peak memory (\d+) kB/;
cmp_ok($peak, '<', 100 * 1024, "the client's peak memory ($peak kB) is under 100 MB");
psql_export("tec_export_domain('wide')", "$tmp/wide.psql.sql");
is(sha_file("$tmp/wide.sql"), sha_file("$tmp/wide.psql.sql"), 'the wide script is byte for byte psql\'s');
{
	my $perr = '';
	my $ok = run [ 'bash', '-c', "ulimit -v $limit && exec psql -XAt \"\$@\"", 'bash', @conn,
				   '-c', "SELECT tec_export_domain('wide')", '-o', "$tmp/wide.psql2.sql" ], '2>', \$perr;
	ok(!$ok, 'twin: psql, which holds the whole result, fails under the same limit');
	like($perr, qr/out of memory/i, 'twin: psql runs out of memory') or diag($perr);
}

# 3. The client's file imports into a fresh cluster with the same content.
sub content
{
	my ($node, $table) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) || '|' || md5(string_agg(x::text, E'\\n' ORDER BY x.id)) FROM $table x");
}
for my $d ([ 'cli', 'cli.t' ], [ 'wide', 'wide.w' ])
{
	my ($domain, $table) = @$d;
	my $ierr = '';
	run [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $dst->host, '-p', $dst->port, '-d', 'postgres',
		  '-f', "$tmp/$domain.sql" ], '>', \my $iout, '2>', \$ierr
	  or die "import of $domain failed: $ierr";
	is(content($dst, $table), content($src, $table), "$domain: the imported table has the same rows");
}
is($dst->safe_psql('postgres', q{SELECT obj_description('cli.t'::regclass)}), "a comment with a ' quote",
	'cli: the comment came along');

# 4. Errors: passed through, distinct exit statuses, no file left.
PostgreSQL::Test::Utils::append_to_file("$tmp/keep.sql", "old content\n");
($rc, $out, $err) = client(0, @conn, '-f', "$tmp/keep.sql", 'nosuch');
is($rc, 3, 'an export the server refuses exits with 3');
like($err, qr/^tec_export: error: export of domain "nosuch" failed\nERROR:  42704: domain "nosuch" does not exist\nHINT:  List the domains with/,
	'the server\'s SQLSTATE, message and hint are passed through');
is(slurp_file("$tmp/keep.sql"), "old content\n", 'a failed export leaves an existing file as it was');
is(scalar(() = glob("$tmp/keep.sql.tec_export.*")), 0, 'and no temporary file');

$src->safe_psql('postgres', q{
	SELECT tec_create_domain('moving');
	CREATE ROLE mover LOGIN IN ROLE moving_owner;
	GRANT EXECUTE ON FUNCTION tec_export_domain(text, boolean, boolean) TO moving_owner;
	SELECT tec_transfer_domain('moving', 'New Owner Inc.', 'db.example:5432/moving');
});
($rc, $out, $err) = client(0, '-h', $src->host, '-p', $src->port, '-U', 'mover', '-d', 'dbname=postgres', '-f', "$tmp/moving.sql", 'moving');
is($rc, 3, 'a member of the owner role exporting a domain under transfer: exit 3');
like($err, qr/^ERROR:  55006: domain "moving" is transferring\nDETAIL:  While a domain is being transferred.*\nHINT:  Ask the database administrator/m,
	'SQLSTATE, detail and hint of the refusal are passed through') or diag($err);
ok(!-e "$tmp/moving.sql", 'a refused export writes no file');

($rc, $out, $err) = client(0, '-h', $tmp, '-p', '1', 'cli');
is($rc, 2, 'a failed connection exits with 2');
like($err, qr/^tec_export: error: connection to server on socket .* failed/, 'with libpq\'s message');
($rc, $out, $err) = client(0, '--bogus');
is($rc, 1, 'a bad option exits with 1');
like($err, qr/Try "tec_export --help"/, 'and points to --help');
($rc, $out, $err) = client(0, '--help');
is($rc, 0, '--help exits with 0');
like($out, qr/Usage:\n  tec_export \[OPTION\]\.\.\. DOMAIN/, '--help prints the usage');
($rc, $out, $err) = client(0, @conn, 'cli', 'extra');
is($rc, 1, 'a second domain argument is refused');

# 5. The server connection is terminated midway: the client is stopped
# (SIGSTOP) as soon as its temporary file holds part of the script, its
# backend is terminated, and the client, resumed, fails.
my $starts = q{SELECT count(*) FILTER (WHERE action = 'EXPORT_START') || '/' || count(*) FILTER (WHERE action = 'EXPORT')
				 FROM tec_sovereignty.audit_log WHERE object_domain = 'wide'};
# every earlier export has ended (the psql twin's backend too)
$src->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
									   WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()})
  or die 'earlier exports still running';
my $before = $src->safe_psql('postgres', $starts);
my ($kout, $kerr) = ('', '');
my $h = start [ 'tec_export', @conn, '-f', "$tmp/killed.sql", 'wide' ], '>', \$kout, '2>', \$kerr;
my $pid = $h->{KIDS}[0]{PID};
my $partial;
for (1 .. 20000)
{
	($partial) = grep { -s $_ } glob("$tmp/killed.sql.tec_export.*");
	last if $partial || -e "$tmp/killed.sql";
	usleep(1000);
}
kill 'STOP', $pid;
ok($partial && -s $partial > 0 && !-e "$tmp/killed.sql", 'the client was stopped midway, its temporary file partly written')
  or diag("partial: " . ($partial // 'none'));
is($src->safe_psql('postgres',
	"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_catalog.tec_export_domain(\$1%' AND pid <> pg_backend_pid()"),
	'1', 'its backend is terminated');
kill 'CONT', $pid;
finish $h;
is($? >> 8, 2, 'the client exits with 2: the connection was lost');
# the backend, blocked on a full socket, may not get its FATAL 57P01 out
like($kerr, qr/(57P01: terminating connection due to administrator command|server closed the connection unexpectedly).*\ntec_export: error: the connection to the server was lost$/s,
	'and says why') or diag($kerr);
ok(!-e "$tmp/killed.sql", 'no file is left');
is(scalar(() = glob("$tmp/killed.sql.tec_export.*")), 0, 'nor its temporary file');
my ($s0, $e0) = split m{/}, $before;
$src->poll_query_until('postgres', $starts, ($s0 + 1) . "/$e0")
  or diag('audit: ' . $src->safe_psql('postgres', $starts));
is($src->safe_psql('postgres', $starts), ($s0 + 1) . "/$e0",
	'the audit trail shows an EXPORT_START without its EXPORT');

done_testing();
