# The audit writer and a batch that holds a log-hook event (issue 10).
#
# A superuser's privileged reads with ~4 KB statements and a 42501 that
# PostgreSQL raises itself (recorded by the emit_log_hook, resolved by the
# writer with SPI lookups) land in ONE writer batch, as in
# /work/shared/repro/audit_writer_crash.sh.  The writer used to build the
# rows in SPI's procedure context and insert them after SPI_finish() had
# freed it: "tuple is too big", then a segfault and a restart of every
# server process, the denial lost.  Here: no writer error, no crash, the
# denial is in the trail, the 4 KB statements are written whole and not
# quarantined, and every chain verifies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('audit_loghook');
# UTF8 as in the repro: with SQL_ASCII the old writer happened to survive its
# use of freed memory here
$node->init(extra => ['-E', 'UTF8', '--locale=C.UTF-8']);
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
log_statement = none
tec_sovereignty.audit_worker_idle = 300
});
$node->start;

my $ntab = 7;
$node->safe_psql('postgres', join("\n",
	q{CREATE EXTENSION tec_sovereignty;},
	q{SELECT tec_create_domain('life');},
	q{CREATE ROLE intruder LOGIN;},
	q{CREATE TABLE public.not_yours (id int);},
	q{SET ROLE life_owner;},
	(map { "CREATE TABLE life.t$_ (id int);" } 1 .. $ntab),
	q{RESET ROLE;}));

# No writer running: the trigger's first queued run starts a fresh one,
# whose first batch then holds every event of the trigger.
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'tec_sovereignty audit writer'}),
	'no audit writer is running before the trigger');

my $pad = $node->safe_psql('postgres', q{
SELECT left(string_agg(pg_get_viewdef(c.oid), E'\n' ORDER BY c.relname), 4000)
  FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'});
my $from = join(', ', map { "life.t$_" } 2 .. $ntab);
my ($ret, $out, $err) = $node->psql('postgres', qq{
DO \$\$
BEGIN
  PERFORM count(*) FROM $from;
  PERFORM pg_sleep(0.3);
  PERFORM count(*) FROM life.t1;
  SET ROLE intruder;
  PERFORM count(*) FROM public.not_yours;
END
\$\$ /* $pad */;
RESET ROLE;
SET statement_timeout = '20s';
SELECT tec_audit_flush();
});
like($err, qr/permission denied for table not_yours/, 'the read is refused by PostgreSQL itself');
unlike($err, qr/server closed the connection|terminating connection|statement timeout/,
	'the client was not disconnected, its flush completed');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no server process was terminated by a signal');
unlike($log, qr/tuple is too big|row is too big/, 'the writer never found a row too big');
unlike($log, qr/audit writer could not write/, 'the writer wrote every batch at the first attempt');

is($node->safe_psql('postgres', q{
SELECT count(*) FROM tec_sovereignty.audit_log
 WHERE decision = 'denied' AND reason = 'permission denied for table not_yours'
   AND effective_user_name = 'intruder' AND session_user_name IS NOT NULL}), '1',
	'the denial raised by PostgreSQL is in the trail, its users resolved by the writer');
is($node->safe_psql('postgres', q{
SELECT count(*) FILTER (WHERE octet_length(statement) >= 4000), count(*) FILTER (WHERE quarantine IS NOT NULL)
  FROM tec_sovereignty.audit_log WHERE statement LIKE 'DO%'}), ($ntab + 1) . '|0',
	'the 4 KB statements are written whole, nothing quarantined');
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0',
	'every chain verifies');
is($node->safe_psql('postgres', q{
SELECT coalesce(sum(batch_failures), -1) || '/' || coalesce(sum(events_quarantined), -1) || '/' ||
       coalesce(sum(writer_failures), -1)
  FROM tec_sovereignty.audit_stats}), '0/0/0',
	'audit_stats: no failed batch, nothing quarantined, no writer failure');

$node->stop;
done_testing();
