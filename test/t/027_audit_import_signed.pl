# test/t/027_audit_import_signed.pl
#
# An export made with_audit => true carries the exporter's signed digest of
# each chain head (issue 16).  A target that holds the domain's public key
# (a "verify" line, as tec_audit_public_key() prints it on the source)
# checks the history against it:
#   - the genuine export imports, and the AUDIT_IMPORT row says the digest
#     was checked;
#   - a self-consistent history made up on another server (it verifies as
#     a hash chain) is refused: signed with a key the target does not have,
#     or without any digest;
#   - the genuine script with its digest changed (bad signature), or with
#     the chain cut and the head rewritten under the genuine digest, is
#     refused;
#   - a target without any key still imports the made-up history (the
#     documented limit of unkeyed chains), which shows the refusals above
#     come from the key.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(run);

my $tmp = PostgreSQL::Test::Utils::tempdir;

sub keyfile
{
	my ($name, $text) = @_;
	my $f = "$tmp/$name.key";
	open my $fh, '>', $f or die;
	print $fh $text;
	close $fh;
	chmod 0600, $f;
	return $f;
}

sub newnode
{
	my ($name, $key) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
	$node->append_conf('postgresql.conf', "tec_sovereignty.audit_signing_key = '$key'\n") if $key;
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
	return $node;
}

sub hex32 { return join '', map { sprintf '%02x', int(rand(256)) } 1 .. 32 }

my $src = newnode('signed_source', keyfile('source', 'signing ' . hex32() . "\n"));
my $forger = newnode('signed_forger', keyfile('forger', 'signing ' . hex32() . "\n"));
my $publine = $src->safe_psql('postgres', q{SELECT tec_audit_public_key('life')});
# the target has its own master key and the source's public key of life
my $dst = newnode('signed_target', keyfile('target', 'signing ' . hex32() . "\n$publine\n"));
my $nokey = newnode('signed_nokey', undef);

for my $n ($src, $forger)
{
	$n->safe_psql('postgres', q{
SELECT tec_create_domain('life');
SELECT tec_audit_note('life', 'NOTE', 'note ' || i) FROM generate_series(1, 5) i;
SELECT tec_audit_flush();
});
}

sub export_of
{
	my ($node, $name) = @_;
	my $file = "$tmp/$name.sql";
	my $err;
	run [ 'psql', '-XAt', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
		  '-c', "SELECT tec_export_domain('life', with_audit => true)", '-o', $file ], '2>', \$err
	  or die "export failed: $err";
	return slurp_file($file);
}
my $genuine = export_of($src, 'genuine');
my $made_up = export_of($forger, 'made_up');
like($genuine, qr/tsov_audit_import_chain VALUES \(.*'\{"seq": \d+.*"signature": "[0-9a-f]{128}".*\}'::pg_catalog.jsonb\);/,
	'the export carries the signed digest of the chain head');

my $ndb = 0;
sub import_script
{
	my ($node, $text) = @_;
	my $db = 'imp' . ++$ndb;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION tec_sovereignty');
	my $f = "$tmp/$db.sql";
	open my $fh, '>', $f or die;
	print $fh $text;
	close $fh;
	my ($out, $e);
	my $ok = run [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
				   '-d', $db, '-f', $f ], '>', \$out, '2>', \$e;
	return ($ok, $e, $db);
}

# refusals first: a successful import leaves the domain's roles, which are
# cluster-wide (forget_import drops them with the database)
my ($ok, $e, $db);
sub forget_import
{
	my ($node, $d) = @_;
	$node->safe_psql('postgres', "DROP DATABASE $d");
	$node->safe_psql('postgres', 'DROP ROLE life_owner, life_writer, life_reader');
}

# a made-up history, signed by the forger's own key
($ok, $e, $db) = import_script($dst, $made_up);
ok(!$ok, 'a self-consistent history made up elsewhere is refused');
like($e, qr/cannot import the audit trail of domain "life": chain "[^"]+": its digest is signed with key [0-9a-f]+, which this server does not have/,
	'because its digest is signed with an unknown key');
is($dst->safe_psql($db, q{SELECT count(*) FROM tec_sovereignty.domain}), '0', 'nothing of it is left behind');

# the same without its digest
(my $stripped = $made_up) =~ s/, '\{[^']*\}'::pg_catalog\.jsonb\);/, NULL);/g;
isnt($stripped, $made_up, 'the digest is stripped from the made-up script');
($ok, $e) = import_script($dst, $stripped);
ok(!$ok && $e =~ /carries no signed digest/, 'a history without a digest is refused') or diag($e);

# the genuine script with a changed digest
(my $changed = $genuine) =~ s/("signed_at": "\d{4}-\d\d-\d\dT\d\d:\d\d:)(\d\d)/$1 . sprintf('%02d', ($2 + 1) % 60)/e;
isnt($changed, $genuine, 'the digest of the genuine script is changed');
($ok, $e) = import_script($dst, $changed);
ok(!$ok && $e =~ /its digest has an invalid signature/, 'a changed digest is refused') or diag($e);

# the genuine script, chain cut at the end and head rewritten under the genuine digest
my @lines = split /\n/, $genuine, -1;
my ($copy_at) = grep { $lines[$_] =~ /^COPY pg_temp\.tsov_audit_import_log / } 0 .. $#lines;
my ($end_at) = grep { $_ > $copy_at && $lines[$_] eq '\\.' } 0 .. $#lines;
my @cols = split /, /, ($lines[$copy_at] =~ /\(([^)]*)\)/)[0];
my ($ci) = grep { $cols[$_] eq 'chain_seq' } 0 .. $#cols;
my ($hi) = grep { $cols[$_] eq 'row_hash' } 0 .. $#cols;
my ($last_seq) = $genuine =~ /tsov_audit_import_chain VALUES \('[^']*', (\d+),/;
my ($li) = grep { $_ > $copy_at && $_ < $end_at && (split /\t/, $lines[$_])[$ci] == $last_seq } 0 .. $#lines;
my ($pi) = grep { $_ > $copy_at && $_ < $end_at && (split /\t/, $lines[$_])[$ci] == $last_seq - 1 } 0 .. $#lines;
ok(defined $li && defined $pi, 'the last two rows of the chain are in the script');
(my $prev_hash = (split /\t/, $lines[$pi])[$hi]) =~ s/^\\\\x//;
my @cut = @lines;
splice(@cut, $li, 1);
$_ =~ s/(tsov_audit_import_chain VALUES \('[^']*', )(\d+), pg_catalog\.decode\('[0-9a-f]+'/$1 . ($2 - 1) . ", pg_catalog.decode('$prev_hash'"/e for @cut;
my $cut = join("\n", @cut);
isnt($cut, $genuine, 'the last row is cut and the head rewritten');
($ok, $e, $db) = import_script($nokey, $cut);
ok($ok, 'without a key the cut chain with a rewritten head imports (a hash chain alone cannot tell)') or diag($e);
forget_import($nokey, $db);
($ok, $e) = import_script($dst, $cut);
ok(!$ok && $e =~ /its signed digest does not name the chain's head/, 'with the key it is refused') or diag($e);

# a target without a key cannot tell the made-up history
($ok, $e, $db) = import_script($nokey, $made_up);
ok($ok, 'a target without a key imports the made-up history (documented limit)') or diag($e);
like($nokey->safe_psql($db, q{SELECT reason FROM tec_sovereignty.audit_log WHERE action = 'AUDIT_IMPORT' AND decision = 'privileged'}),
	qr/signed digest not checked: no key for the domain/, 'and its import record says the digest was not checked');

# the genuine export, last
($ok, $e, $db) = import_script($dst, $genuine);
ok($ok, 'the genuine export imports on a target that has the public key of life') or diag($e);
$dst->safe_psql($db, 'SELECT tec_audit_flush()');
is($dst->safe_psql($db, q{SELECT ok FROM tec_audit_verify('life')}), 't', 'and verifies there');
like($dst->safe_psql($db, q{SELECT reason FROM tec_sovereignty.audit_log WHERE action = 'AUDIT_IMPORT' AND decision = 'privileged'}),
	qr/signed digest checked with key [0-9a-f]{16}/, 'the import record says the digest was checked');

$_->stop for ($src, $forger, $dst, $nokey);
done_testing();
