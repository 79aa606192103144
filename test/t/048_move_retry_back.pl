# test/t/048_move_retry_back.pl
#
# A live move (src/export/move.c) between two clusters that fails late is
# tried again, and a moved domain comes back to the database it left:
#   - a move cancelled after the target imported the source's audit trail
#     (the deferred index build held up by a lock, the move cancelled
#     there) leaves neither the domain nor any row of that trail on the
#     target: the trail's transaction commits only at the cut-over, with
#     the domain going active;
#   - the same move into the same target database then succeeds, and
#     tec_audit_verify holds on both sides;
#   - with_audit => false leaves the trail on the source: the target's
#     trail starts with the move, and the move's record says so;
#   - the domain moves back to the source database (its moved copy there
#     dropped first): the chains the source already holds up to the
#     imported head (its own) are not imported again (audit_import(),
#     src/audit/import.c), the target's chain is; no row is duplicated
#     and tec_audit_verify holds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::Bin;
use TsovMove;

my $src = move_cluster('back_source');
my $dst = move_cluster('back_target');
my $target = 'host=' . $dst->host . ' port=' . $dst->port . ' dbname=postgres';
my $source = 'host=' . $src->host . ' port=' . $src->port . ' dbname=postgres';
my $stderr;

# big: long enough to copy that the lock below is taken before the index
# build; big_pad: a secondary index, which the move builds after the copy.
$src->safe_psql('postgres', q{
SELECT tec_create_domain('life', 'financial');
SET ROLE life_owner;
CREATE TABLE life.big (id int PRIMARY KEY, pad text);
CREATE INDEX big_pad ON life.big (pad);
RESET ROLE;
INSERT INTO life.big SELECT i, md5(i::text) FROM generate_series(1, 300000) i;
INSERT INTO life."Portfolio" (id, "userId", name) SELECT 'p' || i, 'u' || i, 'portfolio ' || i FROM generate_series(1, 2000) i;
SELECT tec_audit_flush();
});
my $origin_q = q{SELECT pg_catalog.format('%s/%s', system_identifier, (SELECT oid FROM pg_database WHERE datname = current_database()))
	FROM pg_control_system()};
my $src_origin = $src->safe_psql('postgres', $origin_q);
my $dst_origin = $dst->safe_psql('postgres', $origin_q);
my $src_rows = $src->safe_psql('postgres', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life'");
ok($src_rows > 0, "the source's trail of life has $src_rows rows");

# --- A move cancelled after the trail's import ---------------------------
my ($lin, $lout) = ('', '');
my $locker;
END { $locker->kill_kill if $locker && $locker->pumpable; }
my ($mout, $merr) = ('', '');
my $move = IPC::Run::start([ 'psql', '-XAtq', '-h', $src->host, '-p', $src->port, '-d', 'postgres',
							 '-c', "SELECT * FROM tec_move_domain('life', '$target')" ], '>', \$mout, '2>', \$merr);
# Once the prepare step has set the index aside (move.deferred, committed
# before the copy), SHARE UPDATE EXCLUSIVE lets the copy write (ROW
# EXCLUSIVE) but not the index build (SHARE).  Taken earlier, it would hold
# up the prepare step itself.
ok($dst->poll_query_until('postgres', q{SELECT count(*) = 1 FROM tec_sovereignty.move
	WHERE domain = 'life' AND direction = 'in' AND deferred IS NOT NULL}), 'the move created the domain on the target');
$locker = IPC::Run::start([ 'psql', '-XAtq', '-h', $dst->host, '-p', $dst->port, '-d', 'postgres' ], '<', \$lin, '>', \$lout);
$lin .= "BEGIN; SELECT tec_break_glass('life', 'test: hold up the index build') IS NULL; LOCK TABLE life.big IN SHARE UPDATE EXCLUSIVE MODE; SELECT 'locked';\n";
$locker->pump until $lout =~ /locked/;
ok($dst->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_locks l WHERE NOT l.granted AND l.relation = 'life.big'::regclass}),
   'the index build waits, after the copy');
ok($dst->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE '%audit_import(%'}),
   "... and after the import of the source's trail, whose transaction is open");
is($dst->safe_psql('postgres', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_origin = '$src_origin'"), '0',
   '... so that other sessions do not see it yet');
$src->safe_psql('postgres', q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%tec_move_domain(%' AND pid <> pg_backend_pid()});
$lin .= "COMMIT;\n\\q\n";
$locker->finish;
$move->finish;
like($merr, qr/ERROR:  canceling statement due to user request/, 'the move is cancelled') or diag($merr);
is($src->safe_psql('postgres', q{SELECT state FROM tec_sovereignty.domain WHERE name = 'life'}), 'active', 'the source domain is active again');
is($dst->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'life'}), '0', 'the target holds no domain life');
is($dst->safe_psql('postgres', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_origin = '$src_origin'"), '0',
   "... and no row of the source's trail");

# --- The same move again, to the same database ---------------------------
my $result = $src->safe_psql('postgres', "SELECT phase || '|' || detail FROM tec_move_domain('life', '$target')");
like($result, qr/^write_block\|.*audit trail carried as the target's prior history/m, 'the move tried again succeeds');
is($dst->safe_psql('postgres', 'SELECT count(*) FROM life.big'), '300000', '... with the rows');
is($dst->safe_psql('postgres', "SELECT count(*) >= $src_rows FROM tec_sovereignty.audit_log WHERE chain_origin = '$src_origin'"), 't',
   "... and the source's trail");
is($dst->safe_psql('postgres', "SELECT count(*) > 0 FROM tec_sovereignty.audit_log WHERE chain_origin = '$src_origin' AND action = 'MOVE_START'"), 't',
   "... up to the move's own start on the source");
is($dst->safe_psql('postgres', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds on the target');
is($src->safe_psql('postgres', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', '... and on the source');

# --- Back to the database it left -----------------------------------------
# The source drops its moved copy (the trail stays), then the domain moves
# back: the source's own chain is there up to the imported head.
$src->safe_psql('postgres', q{SELECT tec_drop_domain('life', force => true)});
$dst->safe_psql('postgres', q{INSERT INTO life."Portfolio" (id, "userId", name) VALUES ('written', 'u', 'on the target')});
my $own_before = $src->safe_psql('postgres', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND chain_origin = '$src_origin'");
$result = $dst->safe_psql('postgres', "SELECT phase || '|' || detail FROM tec_move_domain('life', '$source')");
like($result, qr/^cleanup\|/m, 'the domain moves back to the source database');
is($src->safe_psql('postgres', q{SELECT count(*) FROM life."Portfolio" WHERE id = 'written'}), '1', '... with what was written on the other side');
is($src->safe_psql('postgres', q{SELECT count(*) FROM (SELECT chain_origin, chain_seq FROM tec_sovereignty.audit_log WHERE chain_domain = 'life'
	GROUP BY 1, 2 HAVING count(*) > 1) d}), '0', '... and no row of its trail twice');
ok($src->safe_psql('postgres', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND chain_origin = '$src_origin'") >= $own_before,
   '... its own chain continued, not imported again');
ok($src->safe_psql('postgres', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_domain = 'life' AND chain_origin = '$dst_origin'") > 0,
   "... the other side's chain imported");
like($src->safe_psql('postgres', q{SELECT reason FROM tec_sovereignty.audit_log WHERE object_domain = 'life' AND action = 'AUDIT_IMPORT' AND decision = 'privileged' ORDER BY seq DESC LIMIT 1}),
	 qr/\Q$src_origin\E#\d+:[0-9a-f]{64} \(\d+ rows, already here up to the imported head: not imported again/, '... which the import records');
is($src->safe_psql('postgres', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds on the source');

# --- Without the trail -------------------------------------------------------
$dst->safe_psql('postgres', q{SELECT tec_drop_domain('life', force => true)});
$dst->safe_psql('postgres', 'CREATE DATABASE fresh');
$dst->safe_psql('fresh', 'CREATE EXTENSION tec_sovereignty');
$result = $src->safe_psql('postgres', "SELECT phase || '|' || detail FROM tec_move_domain('life', '$target dbname=fresh', with_audit => false)");
is(join(',', map { (split /\|/)[0] } split /\n/, $result), 'prepare,copy,catch_up,indexes,write_block,cleanup',
   'with_audit => false: the move without the trail phases');
like($result, qr/^write_block\|.*audit trail left on the source \(with_audit => false\)/m, '... which its record says');
is($dst->safe_psql('fresh', "SELECT count(*) FROM tec_sovereignty.audit_log WHERE chain_origin <> '"
	. $dst->safe_psql('fresh', $origin_q) . "'"), '0', '... and the target holds no row of another origin');
is($dst->safe_psql('fresh', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds there');
$src->psql('postgres', "SELECT * FROM tec_move_domain('life', '$target', with_audit => NULL)", stderr => \$stderr);
like($stderr, qr/ERROR:  with_audit must not be null/, 'with_audit => NULL is refused');

$src->stop;
$dst->stop;
done_testing();
