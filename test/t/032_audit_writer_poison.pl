# Fault injection (issue 10): events the writer cannot write as they are.
#
#  - a 60 KB incompressible statement (the largest an event keeps) is not
#    a poison: it is written whole, through TOAST, not quarantined;
#  - a DBA's index on the audit table whose expression fails for some
#    rows makes the insert of a batch fail on two of its events: the
#    writer splits the batch, writes the good events as they are, and
#    stores each poisoned one as a quarantined row in its chain (the first
#    with its reason cut to the documented 1024 bytes, the second, which
#    still fails then, with its free text withheld and hashed); the chains
#    verify, the writer keeps going (same process), audit_stats and the
#    view audit_quarantined show them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('audit_writer_poison');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
log_statement = none
tec_sovereignty.audit_worker_idle = 60000
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION tec_sovereignty;
SELECT tec_create_domain('life');
SELECT tec_audit_flush();
});

# ---- a huge statement is written normally
my $noise = join('', map { sprintf('%08x', int(rand(2**32))) } 1 .. 9000);
$node->safe_psql('postgres', qq{
SET tec_sovereignty.audit_statement_max = '1MB';
SELECT tec_audit_note('life', 'HUGE', 'two') /* $noise */;
SELECT tec_audit_flush();});
is($node->safe_psql('postgres', q{
SELECT octet_length(statement) >= 60000, quarantine IS NULL
  FROM tec_sovereignty.audit_log WHERE action = 'NOTE: HUGE' AND reason = 'two'}), 't|t',
	'a 60 KB incompressible statement is written whole, not quarantined');

my $pid0 = $node->safe_psql('postgres',
	q{SELECT writer_pid FROM tec_sovereignty.audit_stats WHERE database = current_database()});

# ---- a poisoned insert: an index whose expression fails on some rows
$node->safe_psql('postgres', q{
CREATE FUNCTION public.poison_check(text) RETURNS int IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN $1 LIKE '%POISON%' THEN 1 / (length($1) * 0) ELSE 0 END $$;
CREATE INDEX audit_log_poison ON tec_sovereignty.audit_log (public.poison_check(reason));
});
# one transaction, one run of six events, one batch
$node->safe_psql('postgres', q{
SELECT tec_audit_note('life', 'P', 'fine 1'),
       tec_audit_note('life', 'P', repeat('x', 3000) || ' POISON after the cut'),
       tec_audit_note('life', 'P', 'fine 2'),
       tec_audit_note('life', 'P', 'POISON within the cut'),
       tec_audit_note('life', 'P', 'fine 3'),
       tec_audit_note(NULL, 'P', 'fine 4 outside any domain');
SELECT tec_audit_flush();});

is($node->safe_psql('postgres', q{
SELECT count(*) FROM tec_sovereignty.audit_log
 WHERE action = 'NOTE: P' AND reason LIKE 'fine %' AND quarantine IS NULL}), '4',
	'the good events of the batch are written as they are');
is($node->safe_psql('postgres', q{
SELECT octet_length(reason), quarantine ~ 'reason cut from 30[0-9][0-9] to 1024 bytes',
       quarantine LIKE '%division by zero%'
  FROM tec_sovereignty.audit_log WHERE action = 'NOTE: P' AND reason LIKE 'xxx%'}), '1024|t|t',
	'the first poisoned event is quarantined with its reason cut to 1024 bytes, and why');
is($node->safe_psql('postgres', q{
SELECT reason IS NULL AND statement IS NULL, quarantine ~ 'withheld \(SHA-256 of them: [0-9a-f]{64}\)',
       effective_user_name IS NOT NULL, chain_domain
  FROM tec_sovereignty.audit_log
 WHERE action = 'NOTE: P' AND reason IS NULL}), 't|t|t|life',
	'the second is quarantined with its free text withheld, in its chain, the rest kept');
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_quarantined}), '2',
	'the view audit_quarantined shows the two quarantined rows');
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0',
	'every chain verifies, quarantined rows included');
my ($pid1, $quar, $fails, $wfails, $streak, $lasterr) = split /\|/, $node->safe_psql('postgres', q{
SELECT writer_pid, events_quarantined, batch_failures, writer_failures, failure_streak, last_error
  FROM tec_sovereignty.audit_stats WHERE database = current_database()});
is($pid1, $pid0, 'the same writer process kept going');
is($quar, '2', 'audit_stats counts 2 quarantined events');
cmp_ok($fails, '>=', 5, "audit_stats counts the failed attempts ($fails)");
is("$wfails/$streak", '0/0', 'no writer failed, no failure streak left');
like($lasterr, qr/^22012: division by zero/, 'audit_stats keeps the last error');

# a quarantined row's marker is covered by the hash
$node->safe_psql('postgres', q{DROP INDEX tec_sovereignty.audit_log_poison});
$node->stop;
$node->append_conf('postgresql.conf', q{shared_preload_libraries = ''});
$node->start;
$node->safe_psql('postgres', q{
UPDATE tec_sovereignty.audit_log SET quarantine = NULL WHERE quarantine LIKE '%withheld%'});
$node->append_conf('postgresql.conf', q{shared_preload_libraries = 'tec_sovereignty'});
$node->restart;
like($node->safe_psql('postgres', q{SELECT ok, reason FROM tec_audit_verify('life')}),
	qr/^f\|.*row content does not match its hash/, 'removing a quarantine marker breaks the chain');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
like($log, qr/WARNING:  audit writer wrote 1 audit event as quarantined row/, 'the server log says so');

$node->stop;
done_testing();
