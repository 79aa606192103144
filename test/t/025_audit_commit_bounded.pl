# Nobody can pin the audit trail, and a commit's wait for its rows is bounded.
#
# A strong lock on audit_log (or audit_chain, audit_anchor) held by a
# prepared transaction would block the writer's inserts until someone
# resolves it by hand, and with them every commit that wrote domain data.
# Here, for a superuser:
#  - LOCK of the trail through a view over it, REINDEX and CREATE INDEX on
#    it, each followed by PREPARE TRANSACTION, must be refused at PREPARE
#    (the direct LOCK TABLE is refused already, checked too);
#  - a foreign key referencing audit_log (its RI triggers would sit on the
#    trail) must be refused, in CREATE TABLE and in ALTER TABLE;
#  - an ordinary session that holds such a lock in an open transaction
#    (nothing can refuse that before PREPARE or COMMIT) must not hang
#    other commits: they fail closed within audit_commit_timeout, with
#    SQLSTATE 57014 and nothing committed, and stay cancellable;
#  - the twin: PREPARE of a transaction that only wrote domain data (an
#    ordinary RowExclusiveLock on the trail is not taken by backends at all)
#    works, and COMMIT PREPARED has its rows.
# At the end every chain verifies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use TsovStoppedWriter;
use Time::HiRes qw(time);

my $node = new_node('audit_commit_bounded', q{
SET ROLE life_owner;
CREATE TABLE life.w (i int);
RESET ROLE;
CREATE VIEW public.trail_v AS SELECT * FROM tec_sovereignty.audit_log;
}, q{
max_prepared_transactions = 4
tec_sovereignty.audit_max_delay = 20
tec_sovereignty.audit_fail_timeout = 3600000
tec_sovereignty.audit_commit_timeout = 3s
});

# Run $sql; a hung wait is cut off after 60 s by psql's own timeout.
sub timed
{
	my ($sql) = @_;
	my $t0 = time;
	my $timed_out;
	my ($rc, $out, $err) = $node->psql('postgres', $sql,
		timeout => 60, timed_out => \$timed_out, on_error_stop => 1,
		extra_params => ['-v', 'VERBOSITY=verbose']);
	$err .= ' (psql timed out)' if $timed_out;
	return (time - $t0, $rc, $err);
}

my ($dt, $rc, $err);
for my $case (
	[ 'LOCK through a view', 'LOCK public.trail_v IN ACCESS EXCLUSIVE MODE;' ],
	[ 'REINDEX', 'REINDEX TABLE tec_sovereignty.audit_log;' ],
	[ 'CREATE INDEX', 'CREATE INDEX ON tec_sovereignty.audit_chain (chain_domain);' ],
	[ 'LOCK of audit_anchor through a view', 'CREATE VIEW public.anchor_v AS SELECT * FROM tec_sovereignty.audit_anchor; LOCK public.anchor_v IN SHARE MODE;' ])
{
	my ($what, $sql) = @$case;
	($dt, $rc, $err) = timed("BEGIN; $sql PREPARE TRANSACTION 'pin';");
	like($err, qr/42501.*cannot prepare a transaction that holds a lock on the audit trail/s,
		"$what then PREPARE TRANSACTION is refused");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts'), '0',
		"$what: nothing prepared");
}

($dt, $rc, $err) = timed(q{BEGIN; LOCK tec_sovereignty.audit_log IN ACCESS EXCLUSIVE MODE;});
like($err, qr/permission denied: the audit trail is append-only/, 'LOCK TABLE audit_log is refused');

($dt, $rc, $err) = timed(q{CREATE TABLE public.fk1 (s bigint REFERENCES tec_sovereignty.audit_log (seq));});
like($err, qr/42501.*a foreign key cannot reference the audit trail/s, 'CREATE TABLE with a foreign key to audit_log is refused');
($dt, $rc, $err) = timed(q{CREATE TABLE public.fk2 (s bigint); ALTER TABLE public.fk2 ADD FOREIGN KEY (s) REFERENCES tec_sovereignty.audit_log (seq);});
like($err, qr/42501.*a foreign key cannot reference the audit trail/s, 'ALTER TABLE ADD FOREIGN KEY to audit_log is refused');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_constraint WHERE confrelid = 'tec_sovereignty.audit_log'::regclass}),
	'0', 'no foreign key references audit_log');

# twin: a prepared transaction that wrote domain data
($dt, $rc, $err) = timed(q{SET ROLE life_owner; BEGIN; INSERT INTO life.w VALUES (10); RESET ROLE; PREPARE TRANSACTION 'ok';});
is($rc, 0, 'PREPARE of a transaction that wrote domain data works') or diag $err;
$node->safe_psql('postgres', q{COMMIT PREPARED 'ok'});
$node->safe_psql('postgres', q{SELECT tec_audit_flush()});
is($node->safe_psql('postgres', q{SELECT count(*) FROM life.w WHERE i = 10}), '1', 'COMMIT PREPARED committed the write');

# an open transaction that holds a lock on the trail through the view
my $holder = $node->background_psql('postgres');
$holder->query_safe(q{BEGIN; LOCK public.trail_v IN ACCESS EXCLUSIVE MODE;});

($dt, $rc, $err) = timed(q{SET ROLE life_owner; INSERT INTO life.w VALUES (1);});
ok($dt < 20, sprintf('a commit behind a held lock on the trail ends (%.1f s)', $dt));
like($err, qr/57014.*could not commit: the audit rows of this transaction were not written within tec_sovereignty.audit_commit_timeout/s,
	'it fails closed with SQLSTATE 57014');
like($err, qr/HINT:/, 'with a hint');

# the wait stays cancellable
my $t0 = time;
my $waiter = $node->background_psql('postgres', on_error_stop => 0);
$waiter->query_until(qr/started/, q{\echo started
SET tec_sovereignty.audit_commit_timeout = '1h';
SET ROLE life_owner;
INSERT INTO life.w VALUES (2);
});
ok($node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'}), 'a commit waits');
$node->safe_psql('postgres', q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'});
ok($node->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
	WHERE backend_type = 'client backend' AND wait_event = 'Extension'}), 'pg_cancel_backend ends the wait');
$waiter->quit;

$holder->query_safe('ROLLBACK');
$holder->quit;
$node->safe_psql('postgres', q{SELECT tec_audit_flush()});
is($node->safe_psql('postgres', q{SELECT count(*) FROM life.w WHERE i IN (1, 2)}), '0',
	'the commits that failed closed committed nothing');
is($node->safe_psql('postgres', q{SELECT bool_and(ok) FROM tec_audit_verify()}), 't', 'every chain verifies');

# the setting is superuser-only
($dt, $rc, $err) = timed(q{SET ROLE life_owner; SET tec_sovereignty.audit_commit_timeout = '1h';});
like($err, qr/permission denied to set parameter/, 'audit_commit_timeout is superuser-only');

$node->stop;
done_testing();
