# Fault injection (issue 10): no background worker slot for the audit writer.
#
# Parallel workers and other extensions' workers share max_worker_processes
# with the audit writers; when every slot is taken (here: none exists), no
# writer can start.  Then:
# - a session whose work touches no domain sees PostgreSQL's own behaviour:
#   its permission error, and no WARNING PostgreSQL would not give (the
#   missing writer is the DBA's problem: a LOG line in the server log);
# - a write of domain data is refused at commit after audit_fail_timeout
#   with a clear error (fail closed), instead of waiting for a slot forever;
#   the row is not there; audit_stats names the cause;
# - once slots exist again, writes commit with their audit rows and every
#   chain verifies; nothing crashed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('audit_no_worker_slot');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
tec_sovereignty.audit_fail_timeout = 2000
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION tec_sovereignty;
SELECT tec_create_domain('life');
SET ROLE life_owner;
CREATE TABLE life.t (id int);
RESET ROLE;
CREATE ROLE nobody LOGIN;
SELECT tec_audit_flush();
});

# No slot at all: the same as every slot taken by parallel workers.
$node->append_conf('postgresql.conf', "max_worker_processes = 0\n");
$node->restart;

my $t0 = time;
my ($rc, $out, $err) = $node->psql('postgres', 'SELECT * FROM pg_authid', extra_params => [ '-U', 'nobody' ], timeout => 60);
my $took = time - $t0;
like($err, qr/permission denied for table pg_authid/, 'non-domain denial: PostgreSQL\'s own error');
unlike($err, qr/WARNING/, 'non-domain denial: no WARNING PostgreSQL would not give');
cmp_ok($took, '<', 15, "non-domain denial: bounded wait for the missing writer (${took}s)");

$t0 = time;
($rc, $out, $err) = $node->psql('postgres', 'INSERT INTO life.t (id) VALUES (1)', timeout => 60);
$took = time - $t0;
isnt($rc, 0, 'domain write without a writer: refused');
like($err, qr/could not write the audit trail/, 'domain write: the clear error');
like($err, qr/no free background worker slot/, 'domain write: the DETAIL names the cause');
cmp_ok($took, '<', 20, "domain write: refused after audit_fail_timeout, not left waiting (${took}s)");
is($node->safe_psql('postgres', 'SELECT count(*) FROM life.t'), '0', 'the refused write did not commit');
like($node->safe_psql('postgres', q{SELECT last_error FROM tec_sovereignty.audit_stats WHERE database = current_database()}),
	qr/no free background worker slot/, 'audit_stats names the cause');
is($node->safe_psql('postgres', q{
SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Extension' AND backend_type = 'client backend'}),
	'0', 'no backend left waiting');
like(slurp_file($node->logfile), qr/could not start the audit writer for database \d+: no free background worker slot/,
	'the server log says why');

# Slots again: writes commit with their rows, the chains verify.
$node->append_conf('postgresql.conf', "max_worker_processes = 8\n");
$node->restart;
$node->safe_psql('postgres', 'INSERT INTO life.t (id) VALUES (2)');
is($node->safe_psql('postgres', q{
SELECT count(*) FROM tec_sovereignty.audit_log WHERE action = 'INSERT' AND object_name = 't'
   AND statement LIKE '%VALUES (2)%'}), '1', 'with a writer, the write commits with its audit row');
is($node->safe_psql('postgres', 'SELECT count(*) FROM tec_audit_verify() WHERE NOT ok'), '0', 'every chain verifies');
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'nothing crashed');

$node->stop;
done_testing();
