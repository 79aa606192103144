# Guarantee 6: never silently dropped.  With the smallest queue, floods from
# several sessions make backends wait for room (counted), and every event
# reaches the table.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('audit_backpressure');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
tec_sovereignty.audit_queue_size = 256kB
});
$node->start;
$node->safe_psql('postgres', q{CREATE EXTENSION tec_sovereignty; CREATE EXTENSION tsov_bench; SELECT tec_create_domain('life');});

# portable: run three floods concurrently with pgbench
my $script = $node->basedir . '/flood.sql';
open(my $fh, '>', $script) or die;
print $fh "SELECT tec_sovereignty.audit_bench('life', 20000);\n";
close $fh;
$node->command_ok(
	[ 'pgbench', '-n', '-c', '3', '-j', '3', '-t', '5', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'three sessions flood the queue');
$node->safe_psql('postgres', 'SELECT tec_audit_flush()');

is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE action = 'SELECT'}),
	'300000', 'all 300000 events are in the table');
cmp_ok($node->safe_psql('postgres', q{SELECT space_waits FROM tec_sovereignty.audit_stats WHERE database = current_database()}),
	'>', 0, 'backends waited for room, and the waits are counted');
is($node->safe_psql('postgres', q{SELECT events_queued = events_written FROM tec_sovereignty.audit_stats WHERE database = current_database()}),
	't', 'queued = written');
is($node->safe_psql('postgres', q{SELECT ok FROM tec_audit_verify('life')}), 't', 'chain verifies');
is($node->safe_psql('postgres', q{SELECT count(*) = max(seq) FROM tec_sovereignty.audit_log}), 't',
	'seq is gapless');

$node->stop;
done_testing();
