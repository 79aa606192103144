# Guarantee 1: no committed write without its audit rows, across a crash.
#
# Four clients commit transactions that each insert a history row carrying
# their own transaction id and record a write event (tec_audit_note is a
# write: durable before commit).  The postmaster is killed with SIGKILL in
# the middle of the load; after the restart, every history row (= every
# committed write) must have its audit row with the same transaction id,
# and every chain must still verify.  The commit waits at PRE_COMMIT, i.e.
# before the commit record exists; waiting any later would let a crash
# keep a committed write whose audit rows were still in the queue.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('audit_crash');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
fsync = on
synchronous_commit = on
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
SELECT tec_sovereignty.audit_bench('life', 3);
SELECT tec_audit_note('life', 'WRITE', txid_current()::text);
COMMIT;
SQL
close $fh;

my ($out, $err) = ('', '');
my $h = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '60', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);

# let the load run until a good number of writes committed
$node->poll_query_until('postgres', 'SELECT count(*) > 300 FROM life.history')
  or die "load did not start";
usleep(300_000);

$node->kill9;
IPC::Run::finish($h);	# pgbench fails: its server died
ok(1, 'postmaster killed with SIGKILL under load');

# orphaned backends exit when they notice the postmaster is gone
my $started = 0;
for (1 .. 30)
{
	sleep 1;
	$node->{_pid} = undef;	# kill9 left a stale postmaster.pid behind
	if ($node->start(fail_ok => 1)) { $started = 1; last; }
}
ok($started, 'server restarts after the crash');

my $writes = $node->safe_psql('postgres', 'SELECT count(*) FROM life.history');
cmp_ok($writes, '>', 300, "committed writes survived the crash ($writes)");

my $missing = $node->safe_psql('postgres', q{
SELECT count(*) FROM life.history h
 WHERE NOT EXISTS (SELECT 1 FROM tec_sovereignty.audit_log a
					WHERE a.xid = h.txid::text::xid8 AND a.action = 'NOTE: WRITE')});
is($missing, '0', 'every committed write has its audit row after the crash');

is($node->safe_psql('postgres',
	q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0',
	'every chain verifies after the crash');

# the trail goes on after the crash, in the same chain
$node->safe_psql('postgres', q{SELECT tec_audit_note('life', 'AFTER', 'crash'); SELECT tec_audit_flush();});
is($node->safe_psql('postgres', q{SELECT ok FROM tec_audit_verify('life')}), 't',
	'the chain continues after the crash');

$node->stop;
done_testing();
