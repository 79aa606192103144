# The writer: killed, restarted with the server, one per database (each
# database has its own trail), and never in the way of DROP DATABASE.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('audit_restart');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\n");
$node->start;
$node->safe_psql('postgres', q{CREATE EXTENSION tec_sovereignty; SELECT tec_create_domain('life');});

$node->safe_psql('postgres', q{SELECT tec_audit_note('life', 'ONE', '1'); SELECT tec_audit_flush();});
my $pid = $node->safe_psql('postgres',
	q{SELECT writer_pid FROM tec_sovereignty.audit_stats WHERE database = current_database()});
ok($pid ne '', "a writer runs ($pid)");

# Writer death: terminate it; the next event starts a new one.
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
$node->safe_psql('postgres', q{SELECT tec_audit_note('life', 'TWO', '2')});
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE action = 'NOTE: TWO'}),
	'1', 'event after the writer died is written (by a new writer) before commit returns');
cmp_ok($node->safe_psql('postgres', q{SELECT writer_starts FROM tec_sovereignty.audit_stats WHERE database = current_database()}),
	'>=', 2, 'a new writer was started');

# Restart: the chain continues where it was.
$node->restart;
$node->safe_psql('postgres', q{SELECT tec_audit_note('life', 'THREE', '3')});
is($node->safe_psql('postgres', q{SELECT string_agg(chain_seq::text, ',' ORDER BY seq) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life'}),
	'1,2,3,4', 'the chain continues across a restart');
is($node->safe_psql('postgres', q{SELECT ok FROM tec_audit_verify('life')}), 't', 'and verifies');

# Several databases: each has its own writer and its own trail.
for my $db (qw(db1 db2))
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION tec_sovereignty; SELECT tec_create_domain('d_$db'); SELECT tec_audit_note('d_$db', 'IN_$db', '$db');");
}
is($node->safe_psql('db1', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log}),
	'CREATE_DOMAIN,NOTE: IN_db1', 'db1 has its own trail');
is($node->safe_psql('db2', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log}),
	'CREATE_DOMAIN,NOTE: IN_db2', 'db2 has its own trail');
isnt($node->safe_psql('db1', q{SELECT chain_origin FROM tec_sovereignty.audit_log LIMIT 1}),
	$node->safe_psql('db2', q{SELECT chain_origin FROM tec_sovereignty.audit_log LIMIT 1}),
	'each database writes its own chains');

# A writer connected to a database does not block DROP DATABASE (it exits
# when idle, well within the 5 s DROP DATABASE waits).
my ($rc, $out, $err) = $node->psql('postgres', 'DROP DATABASE db2');
is($rc, 0, 'DROP DATABASE is not blocked by the audit writer') or diag($err);

# A database without the extension: a denial there is discarded, not stuck.
$node->safe_psql('postgres', 'CREATE DATABASE plain; CREATE ROLE nobody LOGIN');
($rc, $out, $err) = $node->psql('plain', 'SET ROLE nobody; CREATE SCHEMA nope;');
like($err, qr/permission denied/, 'denial in a database without the extension');
ok($node->poll_query_until('postgres', q{SELECT coalesce(sum(events_discarded), 0) >= 1 FROM tec_sovereignty.audit_stats}),
	'and its event is discarded, nothing waits forever');

# waiters in audit_stats: the backends waiting for the writer right now.
# Long timeouts keep the writer asleep on its latch (holding no lock) while
# it is stopped with SIGSTOP; a domain write then waits at commit, counted,
# until the writer runs again.
$node->append_conf('postgresql.conf', "tec_sovereignty.audit_max_delay = 60000\ntec_sovereignty.audit_worker_idle = 3600000\n");
$node->reload;
$node->safe_psql('postgres', q{SET ROLE life_owner; CREATE TABLE life.w (i int);});
$node->safe_psql('postgres', q{SELECT tec_audit_flush()});
my $stats = q{SELECT %s FROM tec_sovereignty.audit_stats WHERE database = current_database()};
is($node->safe_psql('postgres', sprintf($stats, 'waiters')), '0', 'waiters: 0 while nobody waits');
my $wpid = $node->safe_psql('postgres', sprintf($stats, 'writer_pid'));
ok($node->poll_query_until('postgres', "SELECT wait_event = 'Extension' FROM pg_stat_activity WHERE pid = $wpid"),
	'the writer sleeps on its latch');
kill 'STOP', $wpid;
my ($in, $bout, $berr) = ('', '', '');
my $bg = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'),
	  '-c', 'SET ROLE life_owner', '-c', 'INSERT INTO life.w VALUES (1)' ],
	'<', \$in, '>', \$bout, '2>', \$berr);
my $counted = $node->poll_query_until('postgres', sprintf($stats, 'waiters = 1'));
kill 'CONT', $wpid;
ok($counted, 'waiters: 1 while a committing write waits for the stopped writer');
IPC::Run::finish($bg);
is($node->safe_psql('postgres', 'SELECT count(*) FROM life.w'), '1', 'the write committed once the writer ran again');
is($node->safe_psql('postgres', sprintf($stats, 'waiters')), '0', 'waiters: back to 0');

$node->stop;
done_testing();
