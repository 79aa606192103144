# pg_terminate_backend and pg_cancel_backend end every wait of the
# extension, and a write whose audit rows are not written never commits.
#
# The writer is stopped with SIGSTOP (as in 022) while it sleeps on its
# latch, holding no lock.  Then:
#  - a domain write waits at PRE_COMMIT for its audit rows; it is ended by
#    pg_terminate_backend, and another one by pg_cancel_backend;
#  - a transaction that writes and queues more events than the queue holds
#    (256 kB) waits for room (back-pressure); it is cancelled, and its
#    abort must not wait forever for room with interrupts held; another is
#    terminated.
# Each must end promptly, its write must not be committed, and no backend
# may be left waiting in the extension.  Once the writer runs again, a new
# write commits with its row and every chain verifies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use TsovStoppedWriter;
use IPC::Run;
use Time::HiRes qw(time);

my $node = new_node('audit_wait_interrupt', q{
SET ROLE life_owner;
CREATE TABLE life.w (i int);
RESET ROLE;
});
my $stats = $STATS_Q;
my $wpid = stop_writer($node);

my $waiting_q = q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'};

# (The final write takes its xid first, so that its audit row carries it:
# the row of a write is matched to the write by xid below.)
# Start a session running @sql (one -c each), as life_owner unless the tag
# says "su" (audit_bench is for superusers); return its harness, its output
# refs and its backend pid once it waits in the extension.
sub start_waiting
{
	my ($tag, @sql) = @_;
	my ($in, $out, $err) = ('', '', '');
	my @cmd = ('psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
		'-c', "SET application_name = '$tag'");
	push @cmd, ('-c', 'SET ROLE life_owner') unless $tag =~ /^su_/;
	push @cmd, map { ('-c', $_) } @sql;
	my $h = IPC::Run::start(\@cmd, '<', \$in, '>', \$out, '2>', \$err);
	my $pid;
	$node->poll_query_until('postgres', qq{SELECT count(*) = 1 FROM pg_stat_activity
		WHERE application_name = '$tag' AND wait_event = 'Extension'})
	  or diag("$tag: did not start waiting: $err");
	$pid = $node->safe_psql('postgres', qq{SELECT pid FROM pg_stat_activity WHERE application_name = '$tag'});
	return ($h, \$out, \$err, $pid);
}

# End the session's wait with $fn (pg_terminate_backend or
# pg_cancel_backend); return the seconds until its backend is gone.
sub end_wait
{
	my ($h, $pid, $fn) = @_;
	my $t0 = time;
	$node->safe_psql('postgres', "SELECT $fn($pid)");
	my $gone = $node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
	my $dt = time - $t0;
	$h->finish;
	return $gone ? $dt : undef;
}

# 1. PRE_COMMIT wait, terminated.
my ($h, $out, $err, $pid) = start_waiting('commit_term', 'INSERT INTO life.w VALUES (1)');
ok($pid, 'a committing write waits for the stopped writer');
my $dt = end_wait($h, $pid, 'pg_terminate_backend');
ok(defined $dt && $dt < 10, sprintf('pg_terminate_backend ends the commit wait (%.1f s)', $dt // -1));
like($$err, qr/terminating connection/, 'the client is told its connection was terminated');

# 2. PRE_COMMIT wait in a transaction block, cancelled.
($h, $out, $err, $pid) = start_waiting('commit_cancel', 'BEGIN; INSERT INTO life.w VALUES (2); COMMIT;');
ok($pid, 'a COMMIT waits for the stopped writer');
$dt = end_wait($h, $pid, 'pg_cancel_backend');
ok(defined $dt && $dt < 10, sprintf('pg_cancel_backend ends the commit wait (%.1f s)', $dt // -1));
like($$err, qr/canceling statement due to user request/, 'the COMMIT fails with the cancel');

# 3. Back-pressure: more events than the queue holds, cancelled; the abort
# that follows finds the queue full too and must not wait forever.
my $flood = 'BEGIN; INSERT INTO life.w VALUES (3); SELECT tec_sovereignty.audit_bench(\'life\', 100000); COMMIT;';
($h, $out, $err, $pid) = start_waiting('su_full_cancel', $flood);
ok($node->poll_query_until('postgres', sprintf($stats, 'queue_bytes > queue_capacity / 2')),
	'the queue is full');
$dt = end_wait($h, $pid, 'pg_cancel_backend');
ok(defined $dt && $dt < 10, sprintf('pg_cancel_backend ends a wait for room in a full queue (%.1f s)', $dt // -1));
like($$err, qr/canceling statement due to user request/, 'the statement fails with the cancel');

# 4. The same, terminated.
($h, $out, $err, $pid) = start_waiting('su_full_term', $flood);
$dt = end_wait($h, $pid, 'pg_terminate_backend');
ok(defined $dt && $dt < 10, sprintf('pg_terminate_backend ends a wait for room in a full queue (%.1f s)', $dt // -1));

is($node->safe_psql('postgres', $waiting_q), '0', 'no backend is left waiting in the extension');
is($node->safe_psql('postgres', 'SELECT count(*) FROM life.w'), '0',
	'none of the interrupted writes is committed');

kill 'CONT', $wpid;
ok($node->poll_query_until('postgres', sprintf($stats, 'queue_bytes = 0')), 'the writer drains the queue');
$node->safe_psql('postgres', q{SET ROLE life_owner; BEGIN; SELECT txid_current(); INSERT INTO life.w VALUES (4); COMMIT;});
is($node->safe_psql('postgres', q{SELECT string_agg(i::text, ',') FROM life.w}), '4',
	'a write afterwards commits');
is($node->safe_psql('postgres', q{SELECT count(*) FROM life.w w WHERE NOT EXISTS
	(SELECT 1 FROM tec_sovereignty.audit_log a WHERE a.xid::text = w.xmin::text)}),
	'0', 'every committed write has its audit row');
is($node->safe_psql('postgres', q{SELECT bool_and(ok) FROM tec_audit_verify()}), 't', 'every chain verifies');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server keeps running');
unlike(slurp_file($node->logfile), qr/terminated by signal|PANIC/, 'no crash in the server log');

$node->stop;
done_testing();
