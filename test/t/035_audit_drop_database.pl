# Dropped databases do not leak audit channels.
#
# Each round creates a database with the extension and a domain, reads from
# it in a session that stays connected (its read event is still queued: the
# writer paces itself for half of audit_max_delay while nobody waits), and
# drops the database WITH (FORCE).  With more rounds than
# audit_max_databases, a channel that a dropped database kept would make a
# new database fail ("too many databases are producing audit events") or
# hang.  Afterwards: a new database works, audit_stats counts the events
# discarded with the dropped databases, the trail verifies, no backend is
# left waiting in the extension and nothing crashed.  A database cloned from
# a template with a trail keeps a trail that verifies, and audits on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $max_db = 2;
my $rounds = 5;

my $node = PostgreSQL::Test::Cluster->new('audit_drop_database');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
tec_sovereignty.audit_max_databases = $max_db
tec_sovereignty.audit_max_delay = 60000
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');

my $stuck_q = q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'};
my $ok_rounds = 0;
for my $i (1 .. $rounds)
{
	my $db = "churn$i";
	$node->safe_psql('postgres', "CREATE DATABASE $db; CREATE ROLE app$i LOGIN");
	my ($rc, $out, $err) = $node->psql($db, qq{
		CREATE EXTENSION tec_sovereignty;
		SELECT tec_create_domain('d$i', 'financial');
		SELECT tec_add_member('d$i', 'app$i', 'writer');}, timeout => 30);
	if ($rc != 0)
	{
		diag("round $i: setting up the domain failed: $err");
		last;
	}
	# a member reads, then stays connected until the drop terminates it
	my ($in, $o, $e) = ('', '', '');
	my $reader = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr($db), '-U', "app$i",
		  '-c', qq{SELECT count(*) FROM d$i."Portfolio"}, '-c', 'SELECT pg_sleep(60)' ],
		'<', \$in, '>', \$o, '2>', \$e);
	$node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'app$i' AND query ~ 'pg_sleep'})
	  or diag("round $i: the reader did not start");
	($rc, $out, $err) = $node->psql('postgres', "DROP DATABASE $db WITH (FORCE)", timeout => 30);
	$reader->finish;
	if ($rc != 0)
	{
		diag("round $i: DROP DATABASE failed: $err");
		last;
	}
	$ok_rounds++;
	# the drop itself frees the channel, channels to spare or not
	is($node->safe_psql('postgres', q{SELECT events_dropped >= 1 FROM tec_sovereignty.audit_stats
		WHERE writer_state = 'dropped'}), 't', 'the first DROP DATABASE frees its channel at once')
	  if $i == 1;
}
is($ok_rounds, $rounds, "$rounds rounds of CREATE / use / DROP DATABASE WITH (FORCE), $max_db channels");

# A new database gets a channel and audits.
$node->safe_psql('postgres', 'CREATE DATABASE after_churn');
my ($rc, $out, $err) = $node->psql('after_churn', q{
	CREATE EXTENSION tec_sovereignty;
	SELECT tec_create_domain('fin', 'financial');}, timeout => 30);
is($rc, 0, 'a new database afterwards creates a domain') or diag($err);
is($node->safe_psql('after_churn', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE action = 'CREATE_DOMAIN'}),
	'1', 'and its trail has the CREATE_DOMAIN row');
is($node->safe_psql('after_churn', 'SELECT bool_and(ok) FROM tec_audit_verify()'), 't',
	'its trail verifies');

# What a DBA sees: the dropped databases in one row, with what was discarded.
my $dropped = $node->safe_psql('postgres', q{
	SELECT events_dropped, events_queued >= events_written + events_dropped
	  FROM tec_sovereignty.audit_stats WHERE writer_state = 'dropped'});
my ($ndropped, $consistent) = split /\|/, $dropped;
cmp_ok($ndropped // 0, '>=', $rounds, "audit_stats counts the queued events discarded with the dropped databases ($ndropped)");
is($consistent, 't', 'and they add up with what was queued and written');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM tec_sovereignty.audit_stats WHERE database IS NULL AND writer_state <> 'dropped'}),
	'0', 'no channel is left to a database that no longer exists');

# A template with a trail: the clone has it as it was, verifies, audits on.
$node->safe_psql('postgres', 'CREATE DATABASE tmpl');
$node->safe_psql('tmpl', q{CREATE EXTENSION tec_sovereignty; SELECT tec_create_domain('life'); SELECT tec_audit_note('life', 'IN_TEMPLATE', 'x'); SELECT tec_audit_flush();});
($rc, $out, $err) = $node->psql('postgres', 'CREATE DATABASE clone TEMPLATE tmpl', timeout => 30);
is($rc, 0, 'CREATE DATABASE ... TEMPLATE a database with a trail (its writer is not in the way)') or diag($err);
$node->safe_psql('clone', q{SELECT tec_audit_note('life', 'IN_CLONE', 'y')});
is($node->safe_psql('clone', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log}),
	'CREATE_DOMAIN,NOTE: IN_TEMPLATE,NOTE: IN_CLONE', 'the clone keeps the template trail and audits on');
is($node->safe_psql('clone', 'SELECT bool_and(ok) FROM tec_audit_verify()'), 't', 'the clone verifies');
is($node->safe_psql('tmpl', 'SELECT bool_and(ok) FROM tec_audit_verify()'), 't', 'the template verifies');

is($node->safe_psql('postgres', $stuck_q), '0', 'no backend is left waiting in the extension');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|PANIC/, 'no crash in the server log');
my $fatal_writers = () = $log =~ /FATAL:.*database \d+ does not exist/g;
cmp_ok($fatal_writers, '<=', $rounds, "no writer crash-loops on a dropped database ($fatal_writers)");

$node->stop;
done_testing();
