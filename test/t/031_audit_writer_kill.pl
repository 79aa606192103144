# Fault injection (issue 10): the audit writer killed mid-batch under load.
#
# Four clients commit transactions that insert a row carrying their
# transaction id and record write events (durable before commit).  The
# writer is killed with SIGTERM several times in the middle of the load,
# then once with SIGKILL (which makes the postmaster restart every server
# process).  What a DBA checks afterwards: every committed write has its
# audit row, every chain verifies, the writer was restarted once per kill
# (back-off, no restart loop), audit_stats counts the failed writers, and no
# backend was terminated by a signal.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('audit_writer_kill');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
log_statement = none
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION tec_sovereignty;
CREATE EXTENSION tsov_bench;
SELECT tec_create_domain('life');
CREATE TABLE life.history (id bigserial PRIMARY KEY, txid bigint NOT NULL);
});

my $script = $node->basedir . '/load.sql';
open(my $fh, '>', $script) or die;
print $fh <<'SQL';
BEGIN;
INSERT INTO life.history (txid) VALUES (txid_current());
SELECT tec_sovereignty.audit_bench('life', 20);
SELECT tec_audit_note('life', 'WRITE', txid_current()::text);
COMMIT;
SQL
close $fh;

sub start_load
{
	my ($secs) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', $secs, '-f', $script,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out, '2>', \$err);
	return ($h, \$out, \$err);
}

sub writer_pid
{
	my $pid = '';
	for (1 .. 100)
	{
		$pid = $node->safe_psql('postgres',
			q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'tec_sovereignty audit writer'});
		return $pid if $pid =~ /^\d+$/;
		usleep(50_000);
	}
	return '';
}

sub missing_rows
{
	return $node->safe_psql('postgres', q{
SELECT count(*) FROM life.history h
 WHERE NOT EXISTS (SELECT 1 FROM tec_sovereignty.audit_log a
					WHERE a.xid = h.txid::text::xid8 AND a.action = 'NOTE: WRITE')});
}

# ---- SIGTERM, five times, each while the writer is busy with the load
my ($h, $out, $err) = start_load(8);
$node->poll_query_until('postgres', 'SELECT count(*) > 100 FROM life.history')
  or die "load did not start";
my $kills = 5;
for my $i (1 .. $kills)
{
	my $pid = writer_pid();
	ok($pid, "a writer runs before SIGTERM $i");
	kill 'TERM', $pid;
	usleep(700_000);
}
my $before = $node->safe_psql('postgres', 'SELECT count(*) FROM life.history');
usleep(1_000_000);
my $after = $node->safe_psql('postgres', 'SELECT count(*) FROM life.history');
cmp_ok($after, '>', $before, 'writes still commit after the writers were killed');
IPC::Run::finish($h);
like($$out, qr/number of failed transactions: 0/, 'no client transaction failed while the writers were killed');

$node->safe_psql('postgres', 'SELECT tec_audit_flush()');
is(missing_rows(), '0', 'every committed write has its audit row after the SIGTERMs');
my ($starts, $failures, $streak) = split /\|/, $node->safe_psql('postgres', q{
SELECT writer_starts, writer_failures, failure_streak
  FROM tec_sovereignty.audit_stats WHERE database = current_database()});
is($failures, $kills, "audit_stats counts $kills writers that exited on an error");
cmp_ok($starts, '<=', $kills + 3, "no restart loop: $starts writer starts for $kills kills");
is($streak, '0', 'the failure streak is over once a batch went through');
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0',
	'every chain verifies after the SIGTERMs');

# ---- SIGKILL: the postmaster restarts every process
($h, $out, $err) = start_load(8);
$node->poll_query_until('postgres', 'SELECT count(*) > 100 + ' . $after . ' FROM life.history')
  or die "load did not restart";
my $pid = writer_pid();
ok($pid, 'a writer runs before SIGKILL');
kill 'KILL', $pid;
IPC::Run::finish($h);	# pgbench fails: its backends were terminated
ok($node->poll_query_until('postgres', 'SELECT true'), 'the server is back after the SIGKILL');
# clients reconnect and go on writing
($h, $out, $err) = start_load(2);
IPC::Run::finish($h);
$node->safe_psql('postgres', 'SELECT tec_audit_flush()');
is(missing_rows(), '0', 'every committed write has its audit row after the SIGKILL');
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0',
	'every chain verifies after the SIGKILL');

my $log = slurp_file($node->logfile);
my @signalled = grep { /terminated by signal/ && !/audit writer" \(PID $pid\) was terminated by signal 9/ }
  split /\n/, $log;
is(scalar(@signalled), 0, 'no other process was terminated by a signal')
  or diag(join("\n", @signalled));
my $exits = () = $log =~ /audit writer" \(PID \d+\) exited with exit code 1/g;
is($exits, $kills, "the server log shows $kills writer exits, one per SIGTERM");
unlike($log, qr/audit writer could not write/, 'no batch failed: the kills cost no event');

$node->stop;
done_testing();
