# Fault injection (issue 10): the audit table cannot be written.
#
# 1. Another session holds a lock on tec_sovereignty.audit_log (CREATE
#    INDEX in an open transaction: SHARE, which the writer's ROW EXCLUSIVE
#    waits for).  The writer gives up after its lock_timeout and backs off;
#    a write of domain data waits at most audit_fail_timeout for its audit
#    rows and is then refused with a clear error (fail closed; the row is
#    not there); reads go on; audit_stats says what is wrong; once the lock
#    is gone the writer catches up by itself, with nothing lost.
# 2. Every insert into the audit table fails (an index expression that
#    raises while a flag is set): the same, although the error is not a
#    lock's, and no event is lost or quarantined for it.
# After each: no backend left waiting, every committed write has its audit
# row, every chain verifies, no process terminated by a signal.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('audit_writer_unwritable');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
log_statement = none
tec_sovereignty.audit_fail_timeout = 2000
tec_sovereignty.audit_worker_idle = 60000
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION tec_sovereignty;
CREATE EXTENSION tsov_bench;
SELECT tec_create_domain('life');
SET ROLE life_owner;
CREATE TABLE life.t (id int);
INSERT INTO life.t (id) VALUES (0);
RESET ROLE;
SELECT tec_audit_flush();
});

my $stats = q{SELECT writer_state, failure_streak > 0, batch_failures > 0, last_error
  FROM tec_sovereignty.audit_stats WHERE database = current_database()};

sub check_clean
{
	my ($what) = @_;
	ok($node->poll_query_until('postgres', q{
SELECT queue_bytes = 0 AND failure_streak = 0 FROM tec_sovereignty.audit_stats
 WHERE database = current_database()}), "$what: the writer catches up by itself");
	is($node->safe_psql('postgres', q{
SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Extension' AND backend_type = 'client backend'}),
		'0', "$what: no backend left waiting");
	is($node->safe_psql('postgres', q{
SELECT count(*) FROM life.t t WHERE NOT EXISTS (
  SELECT 1 FROM tec_sovereignty.audit_log a
   WHERE a.action = 'INSERT' AND a.object_name = 't'
     AND a.statement LIKE '%INSERT INTO life.t (id) VALUES (' || t.id || ')%')}),
		'0', "$what: every committed write has its audit row");
	is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_audit_verify() WHERE NOT ok}), '0',
		"$what: every chain verifies");
	is($node->safe_psql('postgres', q{
SELECT events_quarantined FROM tec_sovereignty.audit_stats WHERE database = current_database()}),
		'0', "$what: nothing was quarantined for it");
}

sub refused_write
{
	my ($what, $id) = @_;
	my $t0 = time;
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET ROLE life_owner; INSERT INTO life.t (id) VALUES ($id);",
		timeout => 60);
	my $secs = time - $t0;
	isnt($ret, 0, "$what: a write of domain data is refused");
	like($err, qr/could not write the audit trail/, "$what: with a clear error")
	  or diag($err);
	like($err, qr/DETAIL:  The audit writer has been failing/, "$what: the detail says why");
	cmp_ok($secs, '<', 20, sprintf("$what: after a bounded wait (%.1f s)", $secs));
	is($node->safe_psql('postgres', "SELECT count(*) FROM life.t WHERE id = $id"), '0',
		"$what: the refused row is not there");
}

# ---- 1. a lock held on the audit table
my $locker = $node->background_psql('postgres', on_error_stop => 0);
$locker->query_safe(q{BEGIN; CREATE INDEX audit_log_extra ON tec_sovereignty.audit_log (logged_at);});
# a read queues its event, the writer tries and fails on the lock
is($node->safe_psql('postgres', q{SET ROLE life_owner; SELECT count(*) FROM life.t}), '1',
	'lock: a read works');
$node->safe_psql('postgres', q{SELECT tec_sovereignty.audit_bench('life', 10)});
ok($node->poll_query_until('postgres', q{SELECT failure_streak > 0 FROM tec_sovereignty.audit_stats WHERE database = current_database()}),
	'lock: the writer reports the failure');
refused_write('lock', 1);
my $t0 = time;
is($node->safe_psql('postgres', q{SET ROLE life_owner; SELECT count(*) FROM life.t}), '1',
	'lock: reads keep working while the trail cannot be written');
cmp_ok(time - $t0, '<', 3, 'lock: and do not wait for the writer');
like($node->safe_psql('postgres', $stats), qr/^(backoff|writing)\|t\|t\|55P03: canceling statement due to lock timeout/,
	'lock: audit_stats shows the back-off and the last error');
# SIGTERM while the writer backs off: it ends at once, the events stay
# queued, and the next writer is started (after the back-off) by the waiters
my $wpid = $node->safe_psql('postgres',
	q{SELECT writer_pid FROM tec_sovereignty.audit_stats WHERE database = current_database()});
$t0 = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($wpid)");
ok($node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $wpid"),
	'lock: a writer that backs off ends on SIGTERM');
cmp_ok(time - $t0, '<', 5, 'lock: at once');
$locker->query_safe('ROLLBACK');
$node->safe_psql('postgres', q{SELECT tec_audit_flush()});
check_clean('lock');
$node->safe_psql('postgres', q{SET ROLE life_owner; INSERT INTO life.t (id) VALUES (2);});
is($node->safe_psql('postgres', q{SELECT count(*) FROM life.t WHERE id = 2}), '1',
	'lock: writes commit again');

# ---- 2. every insert fails
$node->safe_psql('postgres', q{
CREATE TABLE public.audit_broken (b boolean);
INSERT INTO public.audit_broken VALUES (true);
CREATE FUNCTION public.audit_break(bigint) RETURNS int IMMUTABLE LANGUAGE plpgsql
  AS $$ BEGIN IF (SELECT b FROM public.audit_broken) THEN RAISE EXCEPTION 'audit table broken'; END IF; RETURN 0; END $$;
});
$node->safe_psql('postgres', q{UPDATE public.audit_broken SET b = false;
CREATE INDEX audit_log_break ON tec_sovereignty.audit_log (public.audit_break(seq));
UPDATE public.audit_broken SET b = true;});
refused_write('insert fails', 3);
like($node->safe_psql('postgres', $stats), qr/^(backoff|isolating|quarantining|writing)\|t\|t\|P0001: audit table broken/,
	'insert fails: audit_stats shows the back-off and the last error');
my $log = slurp_file($node->logfile);
like($log, qr/WARNING:  audit writer could not write \d+ audit events?: audit table broken\n.*DETAIL:  The events stay queued; retrying in \d+ ms/,
	'insert fails: the server log says the events stay queued and when it retries');
$node->safe_psql('postgres', q{UPDATE public.audit_broken SET b = false});
check_clean('insert fails');
$node->safe_psql('postgres', q{SET ROLE life_owner; INSERT INTO life.t (id) VALUES (4);});
is($node->safe_psql('postgres', q{SELECT count(*) FROM life.t WHERE id = 4}), '1',
	'insert fails: writes commit again');

$log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
my $exits = () = $log =~ /audit writer" \(PID \d+\) exited/g;
is($exits, 1, 'the writer exited only on the SIGTERM: it backed off instead');

$locker->quit;
$node->stop;
done_testing();
