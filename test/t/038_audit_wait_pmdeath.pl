# Postmaster death ends every wait of the extension, and the restart finds
# no committed write without its audit row.
#
# With the writer stopped (SIGSTOP, as in 022), two domain writes wait at
# PRE_COMMIT for their audit rows and a third transaction waits for room in
# a full queue.  The postmaster is killed with SIGKILL: the waiting
# backends must exit on their own (the stopped writer cannot help them),
# then the writer is killed too and the server restarted.  After crash
# recovery no write may be committed without its audit row, every chain
# verifies, and the new server runs without a crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use TsovStoppedWriter;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = new_node('audit_wait_pmdeath', q{
SET ROLE life_owner;
CREATE TABLE life.w (i int, txid bigint);
RESET ROLE;
BEGIN; SET LOCAL ROLE life_owner; INSERT INTO life.w VALUES (0, txid_current());
RESET ROLE; SELECT tec_audit_note('life', 'WRITE', txid_current()::text); COMMIT;
}, q{
restart_after_crash = on
});
my $wpid = stop_writer($node);

# Each write takes its xid first and notes it in the trail (a write event):
# after the restart every row of life.w must have its note.
my @sessions;
for my $i (1 .. 2)
{
	my ($in, $out, $err) = ('', '', '');
	push @sessions, IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', "SET application_name = 'waiter$i'",
		  '-c', qq{BEGIN; SET LOCAL ROLE life_owner; INSERT INTO life.w VALUES ($i, txid_current());
				  RESET ROLE; SELECT tec_audit_note('life', 'WRITE', txid_current()::text); COMMIT;} ],
		'<', \$in, '>', \$out, '2>', \$err);
}
{
	my ($in, $out, $err) = ('', '', '');
	push @sessions, IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', "SET application_name = 'waiter3'",
		  '-c', q{BEGIN; INSERT INTO life.w VALUES (3, txid_current());
				  SELECT tec_audit_note('life', 'WRITE', txid_current()::text);
				  SELECT tec_sovereignty.audit_bench('life', 100000); COMMIT;} ],
		'<', \$in, '>', \$out, '2>', \$err);
}
ok($node->poll_query_until('postgres', q{SELECT count(*) = 3 FROM pg_stat_activity
	WHERE application_name LIKE 'waiter%' AND wait_event = 'Extension'}),
	'three backends wait in the extension (two commits, one full queue)');
my @pids = split /\n/, $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'waiter%'});

my $t0 = time;
$node->kill9;
my $alive = scalar @pids;
while ($alive > 0 && time - $t0 < 30)
{
	usleep(100_000);
	$alive = grep { kill(0, $_) } @pids;
}
my $dt = time - $t0;
is($alive, 0, sprintf('the waiting backends exit when the postmaster dies (%.1f s)', $dt));
ok($dt < 10, 'promptly');
$_->finish for @sessions;

# The stopped writer cannot exit by itself; kill it, as an OOM killer would.
kill 'KILL', $wpid;
usleep(200_000) while kill(0, $wpid);

my $started = 0;
for (1 .. 30)
{
	$node->{_pid} = undef;	# kill9 left a stale postmaster.pid behind
	if ($node->start(fail_ok => 1)) { $started = 1; last; }
	sleep 1;
}
ok($started, 'the server restarts');
my $logstart = -s $node->logfile;

is($node->safe_psql('postgres', q{SELECT count(*) FROM life.w w WHERE NOT EXISTS
	(SELECT 1 FROM tec_sovereignty.audit_log a
	  WHERE a.action = 'NOTE: WRITE' AND a.xid = w.txid::text::xid8)}),
	'0', 'no committed write without its audit row after the restart');
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM life.w'), '>=', 1,
	'the write committed before the crash is there');
is($node->safe_psql('postgres', q{SELECT bool_and(ok) FROM tec_audit_verify()}), 't', 'every chain verifies');
$node->safe_psql('postgres', q{BEGIN; SET LOCAL ROLE life_owner; INSERT INTO life.w VALUES (9, txid_current());
	RESET ROLE; SELECT tec_audit_note('life', 'WRITE', txid_current()::text); COMMIT;});
is($node->safe_psql('postgres', 'SELECT count(*) FROM life.w WHERE i = 9'), '1', 'writes commit after the restart');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'}), '0',
	'no backend waits in the extension');
my $newlog = substr(slurp_file($node->logfile), $logstart);
unlike($newlog, qr/terminated by signal|PANIC/, 'no crash in the server log after the restart');

$node->stop;
done_testing();
