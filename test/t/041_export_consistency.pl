# test/t/041_export_consistency.pl
#
# tec_export_domain() under concurrent writes, and the import's atomicity:
#   - while pgbench moves money between two tables of a domain, every export
#     taken satisfies the invariant (sum of balances + sum of the ledger is
#     constant): all tables are read in one snapshot;
#   - an import that fails midway (a bad row in the last COPY block) leaves
#     nothing behind on the target: no schema, no roles, no registry row;
#   - the checksum tec_complete_transfer() records is the sha256 of the file
#     psql -XAt wrote.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(run start finish);
use Digest::SHA qw(sha256_hex);

my $node = PostgreSQL::Test::Cluster->new('consistency');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\nmax_connections = 40\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', q{
	SELECT tec_create_domain('bank');
	CREATE TABLE bank.acct (id int PRIMARY KEY, balance bigint NOT NULL);
	CREATE TABLE bank.ledger (id bigserial PRIMARY KEY, acct int NOT NULL, amount bigint NOT NULL);
	ALTER TABLE bank.acct OWNER TO bank_owner;
	ALTER TABLE bank.ledger OWNER TO bank_owner;
	ALTER SEQUENCE bank.ledger_id_seq OWNER TO bank_owner;
	INSERT INTO bank.acct SELECT g, 1000 FROM generate_series(1, 100) g;
	INSERT INTO bank.ledger (acct, amount) SELECT g % 100 + 1, 0 FROM generate_series(1, 300000) g;
});

sub export_to_file
{
	my ($domain, $file) = @_;
	my $err;
	run [ 'psql', '-XAt', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
		  '-c', "SELECT tec_export_domain('$domain')", '-o', $file ], '2>', \$err
	  or die "export of $domain failed: $err";
}

sub import_file
{
	my ($db, $file) = @_;
	my ($out, $err);
	my $ok = run [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
				   '-d', $db, '-f', $file ], '>', \$out, '2>', \$err;
	return ($ok, $err);
}

# Each transaction takes money from an account and writes it to the ledger.
my $script = "$tmp/move.sql";
PostgreSQL::Test::Utils::append_to_file($script, q{
\set a random(1, 100)
\set amt random(1, 50)
BEGIN;
UPDATE bank.acct SET balance = balance - :amt WHERE id = :a;
INSERT INTO bank.ledger (acct, amount) VALUES (:a, :amt);
COMMIT;
});
my ($pb_out, $pb_err);
my $pgbench = start [ 'pgbench', '-n', '-c', '4', '-T', '6', '-f', $script, '-h', $node->host, '-p', $node->port, 'postgres' ],
  '>', \$pb_out, '2>', \$pb_err;

my $exports = 0;
for my $i (1 .. 4)
{
	sleep 1;
	my $file = "$tmp/bank_$i.sql";
	export_to_file('bank', $file);
	my $text = PostgreSQL::Test::Utils::slurp_file($file);
	# check the invariant directly on the exported data
	my ($acct) = $text =~ /^COPY bank\.acct .*?\n(.*?)\n\\\.$/ms;
	my ($ledger) = $text =~ /^COPY bank\.ledger .*?\n(.*?)\n\\\.$/ms;
	my $sum = 0;
	$sum += (split /\t/)[1] for split /\n/, $acct;
	$sum += (split /\t/)[2] for split /\n/, $ledger;
	is($sum, 100 * 1000, "export $i taken during writes is consistent (balances + ledger = 100000)");
	$exports++;
}
finish $pgbench;
like($pb_out, qr/number of transactions actually processed: [1-9]/, 'pgbench ran while exporting');
my $moved = $node->safe_psql('postgres', 'SELECT count(*) FROM bank.ledger WHERE amount > 0');
ok($moved > 0, "writes committed during the exports ($moved)");

# Roles are cluster-wide, so the import goes back into this cluster once
# the domain is dropped.
my $file = "$tmp/bank_final.sql";
export_to_file('bank', $file);
my $before = $node->safe_psql('postgres', 'SELECT sum(balance) FROM bank.acct');
$node->safe_psql('postgres', "SELECT tec_drop_domain('bank', force => true)");

# --- A failing import leaves nothing behind ------------------------------
my $text = PostgreSQL::Test::Utils::slurp_file($file);
# the last row of the last COPY block (bank.ledger) gets a bad amount
my $end = rindex($text, "\n\\.\n");
my $start = rindex($text, "\n", $end - 1) + 1;
my $broken = substr($text, 0, $start) . "999999\t1\tnot_a_number" . substr($text, $end);
isnt($broken, $text, 'script corrupted in its last COPY row');
PostgreSQL::Test::Utils::append_to_file("$tmp/broken.sql", $broken);
my ($ok, $err) = import_file('postgres', "$tmp/broken.sql");
ok(!$ok, 'the corrupted script fails');
like($err, qr/invalid input syntax for type bigint/, 'and says why');
is($node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'bank') || '/' ||
		   (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'bank\_%') || '/' ||
		   (SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'bank')}),
   '0/0/0', 'nothing left behind: no schema, no roles, no registry row');

# --- The intact script restores the domain -------------------------------
($ok, $err) = import_file('postgres', $file);
ok($ok, 'the intact script imports') or diag($err);
is($node->safe_psql('postgres', 'SELECT sum(balance) FROM bank.acct'), $before, 'balances restored');
is($node->safe_psql('postgres', 'SELECT sum(a.balance) + (SELECT sum(amount) FROM bank.ledger) FROM bank.acct a'),
   '100000', 'invariant holds after the round trip');

# --- The transfer checksum is the file's sha256 --------------------------
$node->safe_psql('postgres', q{SELECT tec_transfer_domain('bank', 'Bank Corp', 'db.bank.example/bank')});
my $shipped = "$tmp/bank_shipped.sql";
export_to_file('bank', $shipped);
my $sha = sha256_hex(PostgreSQL::Test::Utils::slurp_file($shipped));
is($node->safe_psql('postgres', "SELECT tec_complete_transfer('bank', '$sha')"), $sha,
   'tec_complete_transfer records the sha256 of the shipped file');
is($node->safe_psql('postgres', q{SELECT state || ' ' || export_bytes FROM tec_sovereignty.transfer WHERE domain = 'bank'}),
   'transferred ' . (-s $shipped), 'and its size');

done_testing();
