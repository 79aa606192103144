# A channel that outlives its database is freed by the next database that
# needs one; the channel of a live database is never taken from it.
#
# DROP DATABASE frees its database's channel when it commits (035).  One
# that is interrupted after it has marked the database invalid
# (pg_database.datconnlimit = -2, PostgreSQL 15.4 and later) rolls back: no
# commit, so the channel stays, with the events still queued for a
# database nobody can connect to again.  Here that state is made by hand
# (the writer terminated while reads are still queued, then the database
# marked invalid), with a single channel:
#  - while the database is valid, a second database gets no channel: it is
#    refused with "too many databases are producing audit events" (fail
#    closed; the first database's queued events are kept);
#  - once it is invalid, the second database frees the channel (seeing it
#    in pg_database), gets it, audits and verifies; audit_stats counts the
#    discarded events in its "dropped" row.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('audit_invalid_database');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'tec_sovereignty'
tec_sovereignty.audit_max_databases = 1
tec_sovereignty.audit_max_delay = 60000
tec_sovereignty.audit_worker_idle = 3600000
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE x; CREATE DATABASE y; CREATE ROLE app LOGIN');
$node->safe_psql('x', q{CREATE EXTENSION tec_sovereignty; SELECT tec_create_domain('life', 'financial');
	SELECT tec_add_member('life', 'app', 'writer');});
$node->safe_psql('y', 'CREATE EXTENSION tec_sovereignty');

# Reads are paced: the writer leaves them queued for up to 30 s.
$node->safe_psql('x', q{SET ROLE app; SELECT count(*) FROM life."Portfolio"; SELECT count(*) FROM life."Portfolio";});
# (audit_stats is read in y: it has the extension and, until the end, no
# channel)
my $stats = q{SELECT %s FROM tec_sovereignty.audit_stats WHERE database = 'x'};
my $wpid = $node->safe_psql('y', sprintf($stats, 'writer_pid'));
cmp_ok($node->safe_psql('y', sprintf($stats, 'queue_bytes')), '>', 0, 'x has reads queued');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($wpid)");
ok($node->poll_query_until('y', sprintf($stats, "writer_state = 'failed'")),
	'x has no writer any more, and its reads are still queued');

my ($rc, $out, $err) = $node->psql('y', q{SELECT tec_create_domain('fin')}, timeout => 60);
like($err, qr/too many databases are producing audit events/,
	'while x is valid, y gets no channel and its write is refused');
is($node->safe_psql('y', q{SELECT count(*) FROM tec_sovereignty.domain}), '0', 'the refused write is not committed');
cmp_ok($node->safe_psql('y', sprintf($stats, 'queue_bytes')), '>', 0, "x's queued events are kept");
# The refused session's exit must be over before x becomes invalid: its
# buffered events (the aborted attempt's) are queued at exit when a channel
# is free by then, which would make the count below depend on timing.
ok($node->poll_query_until('postgres', q{
SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = 'y' AND backend_type = 'client backend'}),
	"the refused session has ended");

# What an interrupted DROP DATABASE leaves behind.
$node->safe_psql('postgres', q{UPDATE pg_database SET datconnlimit = -2 WHERE datname = 'x'});
($rc, $out, $err) = $node->psql('y', q{SELECT tec_create_domain('fin')}, timeout => 60);
is($rc, 0, 'once x is invalid, y frees its channel and creates a domain') or diag($err);
is($node->safe_psql('y', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE action = 'CREATE_DOMAIN'}),
	'1', "y's trail has the row");
is($node->safe_psql('y', 'SELECT bool_and(ok) FROM tec_audit_verify()'), 't', "y's trail verifies");
cmp_ok($node->safe_psql('y',
	q{SELECT events_dropped FROM tec_sovereignty.audit_stats WHERE writer_state = 'dropped'}),
	'>=', 2, "audit_stats counts x's discarded reads");

($rc, $out, $err) = $node->psql('postgres', 'DROP DATABASE x');
is($rc, 0, 'the invalid database can still be dropped') or diag($err);
is($node->safe_psql('y',
	q{SELECT count(*) FROM tec_sovereignty.audit_stats WHERE writer_state = 'dropped'}), '1',
	'one row for the dropped databases');
unlike(slurp_file($node->logfile), qr/terminated by signal|PANIC/, 'no crash in the server log');

$node->stop;
done_testing();
