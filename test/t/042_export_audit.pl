# test/t/042_export_audit.pl
#
# tec_export_domain(..., with_audit => true) carries a domain's audit trail
# to another cluster, where it is imported as the domain's prior history
# and still verifies:
#   - the source has activity on the domain: DBA notes, reads and writes by
#     member roles, denied attempts by another domain's role, a purge (so
#     the chain starts at a purge anchor);
#   - the export is imported with psql -v ON_ERROR_STOP=1 into a second
#     cluster; tec_audit_verify('life') is ok there, with as many rows of
#     the imported chain as the source had when it exported, the same head
#     and the same anchor; the import itself is recorded (AUDIT_IMPORT);
#   - published APIs travel: the one published to every domain is live,
#     the one published to a domain the target lacks is a comment;
#   - a script whose audit rows were changed, or lost a row, fails as a
#     whole: nothing is left behind.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(run);

my @nodes;
for my $name ('audit_source', 'audit_target')
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

$src->safe_psql('postgres', q{
SELECT tec_create_domain('life');
SELECT tec_create_domain('other');
CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN; CREATE ROLE mallory LOGIN;
SELECT tec_add_member('life', 'alice', 'writer');
SELECT tec_add_member('life', 'bob', 'reader');
SELECT tec_add_member('other', 'mallory', 'writer');
SET ROLE life_owner;
CREATE TABLE life.diary (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry text);
GRANT SELECT, INSERT, UPDATE ON life.diary TO life_writer;
GRANT SELECT ON life.diary TO life_reader;
CREATE FUNCTION life.entries() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS 'SELECT count(*) FROM life.diary';
CREATE FUNCTION life.secret() RETURNS int LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS 'SELECT 42';
RESET ROLE;
SELECT tec_publish_api('life.entries()'::regprocedure);
SELECT tec_publish_api('life.secret()'::regprocedure, 'other');
SELECT tec_audit_note('life', 'MAINTENANCE', 'before the purge');
});
sub activity
{
	my ($tag) = @_;
	$src->safe_psql('postgres', "SELECT tec_audit_note('life', 'NOTE', 'note $tag')");
	$src->safe_psql('postgres', "SET ROLE alice; INSERT INTO life.diary (entry) VALUES ('entry $tag'); UPDATE life.diary SET entry = entry || '!' WHERE id = 1");
	$src->safe_psql('postgres', "SET ROLE bob; SELECT count(*) FROM life.diary");
	my ($rc, $out, $err) = $src->psql('postgres', "SET ROLE mallory; SELECT * FROM life.diary");
	ok($rc != 0 && $err =~ /permission denied/, "$tag: another domain's role is refused");
	($rc, $out, $err) = $src->psql('postgres', "SET ROLE bob; INSERT INTO life.diary (entry) VALUES ('no')");
	ok($rc != 0, "$tag: a reader's write is refused");
}
activity('first');
$src->safe_psql('postgres', 'SELECT tec_audit_flush()');
sleep 2;
ok($src->safe_psql('postgres', q{SELECT tec_audit_purge('1 second')}) > 0, 'older rows purged');
activity('second');
$src->safe_psql('postgres', 'SELECT tec_audit_flush()');

my $origin = $src->safe_psql('postgres', q{SELECT chain_origin FROM tec_sovereignty.audit_chain WHERE chain_domain = 'life'});
is($src->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_anchor WHERE chain_domain = 'life'}), '1',
	'the chain of life starts at a purge anchor');
is($src->safe_psql('postgres', q{SELECT ok FROM tec_audit_verify('life')}), 't', 'source trail verifies');
my $denials = $src->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND decision = 'denied'});
ok($denials >= 1, "the chain holds denials ($denials)");

# Export with the trail.
my $file = "$tmp/life.sql";
my $err;
run [ 'psql', '-XAt', '-h', $src->host, '-p', $src->port, '-d', 'postgres',
	  '-c', "SELECT tec_export_domain('life', with_audit => true)", '-o', $file ], '2>', \$err
  or die "export failed: $err";
my $script = slurp_file($file);
my ($head_seq) = $script =~ /tsov_audit_import_chain VALUES \('\Q$origin\E', (\d+),/;
ok(defined $head_seq, "the script carries the head of chain $origin");
my $src_rows = $src->safe_psql('postgres', qq{
	SELECT count(*) FROM tec_sovereignty.audit_log
	 WHERE chain_domain = 'life' AND chain_origin = '$origin' AND chain_seq <= $head_seq});
my $src_head = $src->safe_psql('postgres', qq{
	SELECT encode(row_hash, 'hex') FROM tec_sovereignty.audit_log
	 WHERE chain_domain = 'life' AND chain_origin = '$origin' AND chain_seq = $head_seq});
my $src_anchor = $src->safe_psql('postgres', qq{
	SELECT anchor_seq || ':' || encode(anchor_hash, 'hex') FROM tec_sovereignty.audit_anchor WHERE chain_domain = 'life'});
like($src->safe_psql('postgres', q{SELECT reason FROM tec_sovereignty.audit_log WHERE action = 'EXPORT' ORDER BY seq DESC LIMIT 1}),
	qr/audit_rows=$src_rows, audit chains: \Q$origin\E#$head_seq:$src_head/, 'the EXPORT row names the rows and the head that left');

sub import_file
{
	my ($node, $db, $f) = @_;
	my ($out, $e);
	my $ok = run [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
				   '-d', $db, '-f', $f ], '>', \$out, '2>', \$e;
	return ($ok, $e);
}

# Tampered copies first: each fails as a whole on a fresh database.
my @lines = split /\n/, $script, -1;
my ($copy_at) = grep { $lines[$_] =~ /^COPY pg_temp\.tsov_audit_import_log / } 0 .. $#lines;
ok(defined $copy_at, 'the script has the audit rows as COPY');
my $note_at;
for my $i ($copy_at + 1 .. $#lines)
{
	last if $lines[$i] eq '\\.';
	if ($lines[$i] =~ /\tnote second\t/) { $note_at = $i; last; }
}
ok(defined $note_at, 'a note is among the exported rows');
my %tampered = (
	changed => sub { my @l = @lines; $l[$note_at] =~ s/\tnote second\t/\tnothing happened\t/; @l },
	deleted => sub { my @l = @lines; splice(@l, $note_at, 1); @l },
	head    => sub { my @l = @lines; $_ =~ s/(tsov_audit_import_chain VALUES \('[^']*', )(\d+)/$1 . ($2 - 1)/e for @l; @l },
);
for my $kind (sort keys %tampered)
{
	my $db = "tampered_$kind";
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	$dst->safe_psql($db, 'CREATE EXTENSION tec_sovereignty');
	my $f = "$tmp/life_$kind.sql";
	open my $fh, '>', $f or die;
	print $fh join("\n", $tampered{$kind}->());
	close $fh;
	my ($ok, $e) = import_file($dst, $db, $f);
	ok(!$ok, "$kind audit row: the import fails");
	like($e, qr/audit trail of domain "life" does not verify/, "$kind audit row: and says why");
	is($dst->safe_psql($db, q{SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'life'}), '0',
		"$kind audit row: nothing left behind");
	is($dst->safe_psql($db, qq{SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_origin = '$origin'}), '0',
		"$kind audit row: no imported row either");
}
# The roles of a failed import are rolled back too: the real one works.
my ($ok, $e) = import_file($dst, 'postgres', $file);
ok($ok, 'the intact script imports') or diag($e);
$dst->safe_psql('postgres', 'SELECT tec_audit_flush()');
is($dst->safe_psql('postgres', q{SELECT ok::int || '|' || COALESCE(reason, '') FROM tec_audit_verify('life')}), '1|',
	'tec_audit_verify(life) is ok on the target');
is($dst->safe_psql('postgres', qq{SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND chain_origin = '$origin'}),
	$src_rows, "the imported chain has the source's $src_rows rows");
is($dst->safe_psql('postgres', qq{SELECT last_seq || ':' || encode(last_hash, 'hex') FROM tec_sovereignty.audit_chain WHERE chain_domain = 'life' AND chain_origin = '$origin'}),
	"$head_seq:$src_head", 'with the same head');
is($dst->safe_psql('postgres', qq{SELECT anchor_seq || ':' || encode(anchor_hash, 'hex') FROM tec_sovereignty.audit_anchor WHERE chain_domain = 'life' AND chain_origin = '$origin'}),
	$src_anchor, 'and the same purge anchor');
is($dst->safe_psql('postgres', qq{SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND chain_origin = '$origin' AND decision = 'denied'}),
	$src->safe_psql('postgres', qq{SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND chain_origin = '$origin' AND decision = 'denied' AND chain_seq <= $head_seq}),
	'the denials came along');
is($dst->safe_psql('postgres', qq{SELECT max(seq) < (SELECT min(seq) FROM tec_sovereignty.audit_log WHERE chain_origin <> '$origin') FROM tec_sovereignty.audit_log WHERE chain_origin = '$origin'}),
	't', 'imported rows come before the local history');
like($dst->safe_psql('postgres', q{SELECT decision || ' ' || reason FROM tec_sovereignty.audit_log WHERE action = 'AUDIT_IMPORT'}),
	qr/^privileged imported $src_rows rows of 1 chains: \Q$origin\E#$head_seq:$src_head/, 'the import is recorded in the local chain');

# New events on the target go to its own chain; everything still verifies.
$dst->safe_psql('postgres', q{SELECT tec_audit_note('life', 'ARRIVED', 'on the target'); SELECT tec_audit_flush()});
is($dst->safe_psql('postgres', q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0', 'the whole target trail verifies');
is($dst->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_chain WHERE chain_domain = 'life'}), '2',
	'life has its imported chain and its local one');

# The published APIs.
is($dst->safe_psql('postgres', q{SELECT function_signature || '|' || COALESCE(to_domain, 'every domain') FROM tec_sovereignty.api ORDER BY 1}),
	'life.entries()|every domain', 'the API published to every domain is published again');
like($script, qr/^-- SELECT pg_catalog\.tec_publish_api\('life\.secret\(\)'::pg_catalog\.regprocedure, 'other'\);$/m,
	'the one published to a domain the target may lack is a comment');
is($dst->safe_psql('postgres', q{SELECT has_function_privilege('public', 'life.entries()', 'EXECUTE')}), 't',
	'PUBLIC may call the published function');

done_testing();
