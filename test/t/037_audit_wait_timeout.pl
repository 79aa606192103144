# statement_timeout ends every wait of the extension, the commit's too.
#
# PostgreSQL disables the statement timer before it commits (postgres.c,
# finish_xact_command), so a commit that waits at PRE_COMMIT for its audit
# rows is beyond the timer's reach: the extension has to honour
# statement_timeout itself there.  With the writer stopped (SIGSTOP, as in
# 022):
#  - an autocommit domain write, and a COMMIT of a transaction block, under
#    statement_timeout = 1s must fail with "canceling statement due to
#    statement timeout" within a few seconds, and their writes must not be
#    committed;
#  - a statement waiting for room in a full queue (back-pressure) is ended
#    by the same timeout, and its abort must not hang on the full queue.
# No backend may be left waiting, nothing may crash, and once the writer
# runs again every committed write has its row and every chain verifies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use TsovStoppedWriter;
use Time::HiRes qw(time);

my $node = new_node('audit_wait_timeout', q{
SET ROLE life_owner;
CREATE TABLE life.w (i int);
RESET ROLE;
});
my $stats = $STATS_Q;
my $wpid = stop_writer($node);

# Run $sql with statement_timeout = 1s; a hung wait is cut off after 60 s
# by psql's own timeout (the test then fails on the elapsed time).
sub timed
{
	my ($sql) = @_;
	my $t0 = time;
	my $timed_out;
	my ($rc, $out, $err) = $node->psql('postgres', "SET statement_timeout = '1s';\n$sql",
		timeout => 60, timed_out => \$timed_out, on_error_stop => 1);
	$err .= ' (psql timed out)' if $timed_out;
	return (time - $t0, $rc, $err);
}

my ($dt, $rc, $err) = timed(q{SET ROLE life_owner; INSERT INTO life.w VALUES (1);});
ok($dt < 10, sprintf('statement_timeout ends the commit wait of an autocommit write (%.1f s)', $dt));
like($err, qr/canceling statement due to statement timeout/, 'with the statement timeout error');

($dt, $rc, $err) = timed(q{SET ROLE life_owner; BEGIN; INSERT INTO life.w VALUES (2); COMMIT;});
ok($dt < 10, sprintf('statement_timeout ends the wait of a COMMIT (%.1f s)', $dt));
like($err, qr/canceling statement due to statement timeout/, 'with the statement timeout error');

($dt, $rc, $err) = timed(q{BEGIN; INSERT INTO life.w VALUES (3); SELECT tec_sovereignty.audit_bench('life', 100000); COMMIT;});
ok($dt < 10, sprintf('statement_timeout ends a wait for room in a full queue, abort included (%.1f s)', $dt));
like($err, qr/canceling statement due to statement timeout/, 'with the statement timeout error');

is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'}),
	'0', 'no backend is left waiting in the extension');
is($node->safe_psql('postgres', 'SELECT count(*) FROM life.w'), '0',
	'none of the timed-out writes is committed');

kill 'CONT', $wpid;
ok($node->poll_query_until('postgres', sprintf($stats, 'queue_bytes = 0')), 'the writer drains the queue');
($dt, $rc, $err) = timed(q{SET ROLE life_owner; BEGIN; SELECT txid_current(); INSERT INTO life.w VALUES (4); COMMIT;});
is($rc, 0, 'with the writer running, a write under statement_timeout commits') or diag($err);
is($node->safe_psql('postgres', q{SELECT count(*) FROM life.w w WHERE NOT EXISTS
	(SELECT 1 FROM tec_sovereignty.audit_log a WHERE a.xid::text = w.xmin::text)}),
	'0', 'every committed write has its audit row');
is($node->safe_psql('postgres', q{SELECT bool_and(ok) FROM tec_audit_verify()}), 't', 'every chain verifies');
unlike(slurp_file($node->logfile), qr/terminated by signal|PANIC/, 'no crash in the server log');

$node->stop;
done_testing();
