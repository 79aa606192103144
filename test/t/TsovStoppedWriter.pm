# TsovStoppedWriter: the setup of the TAP tests in which backends wait for
# an audit writer that cannot run (036-038).
#
# new_node(NAME, SETUP_SQL, EXTRA_CONF): a started node with the library
# preloaded, a 256 kB queue (the minimum: a few thousand events fill it), and
# long audit_max_delay / audit_worker_idle, so that the writer sleeps on its
# latch between batches, holding no lock, and never exits while stopped.
# Runs SETUP_SQL after creating the extension and the domain "life", then
# flushes the trail.
#
# stop_writer(NODE): stops the database's writer with SIGSTOP once it sleeps
# on its latch (as 022 does) and returns its pid.  Every commit of a domain
# write then waits at PRE_COMMIT, and enough events fill the queue.
package TsovStoppedWriter;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;
use Exporter 'import';
our @EXPORT = qw(new_node stop_writer $STATS_Q);

our $STATS_Q = q{SELECT %s FROM tec_sovereignty.audit_stats WHERE database = current_database()};

sub new_node
{
	my ($name, $setup_sql, $extra_conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'tec_sovereignty'
tec_sovereignty.audit_queue_size = 256kB
tec_sovereignty.audit_max_delay = 60000
tec_sovereignty.audit_worker_idle = 3600000
} . ($extra_conf // ''));
	$node->start;
	$node->safe_psql('postgres', qq{
CREATE EXTENSION tec_sovereignty;
CREATE EXTENSION tsov_bench;
SELECT tec_create_domain('life');
$setup_sql
SELECT tec_audit_flush();
});
	return $node;
}

sub stop_writer
{
	my ($node) = @_;
	my $wpid = $node->safe_psql('postgres', sprintf($STATS_Q, 'writer_pid'));
	ok($node->poll_query_until('postgres',
		"SELECT wait_event = 'Extension' FROM pg_stat_activity WHERE pid = $wpid"),
		'the writer sleeps on its latch');
	kill 'STOP', $wpid;
	return $wpid;
}

1;
