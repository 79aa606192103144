# test/t/044_move_live.pl
#
# tec_move_domain() (src/export/move.c) moves a domain of the financial
# template (200,000 rows) to a second cluster on logical replication while a member keeps
# writing to it (a pgbench custom script, two clients, updating Portfolio and inserting
# Investment rows: TsovMove.pm's start_pgbench_writer):
#   - the phases prepare, audit_stream, copy, catch_up, indexes, audit_trail,
#     write_block, cleanup are reported;
#   - every write the writer saw succeed is on the target, the rows no one
#     wrote are identical (hash), the updated column adds up, and each
#     write that failed failed with the documented move errors only;
#   - sequences continue on the target without reuse;
#   - the source refuses every access ("has moved"), the placements view
#     says where the domain lives on both sides; tec_audit_verify holds on
#     both; no slot, publication or subscription is left;
#   - the target's subscription workers write as the move's (audited
#     REPLICATE via tec_move:<id>) although privileged_access is 'deny';
#   - during the copy, DDL on the domain is refused on both sides (55006)
#     while writes go on;
#   - an interrupted move (the target stopped in the middle of the copy)
#     leaves the source domain active with nothing of the move left, and
#     tec_cancel_move() on the target removes what the move left there;
#   - a subscription the move did not make is refused in a domain.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::Bin;
use TsovMove;

my $src = move_cluster('move_source');
my $dst = move_cluster('move_target');
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $target = 'host=' . $dst->host . ' port=' . $dst->port . ' dbname=postgres';

$src->safe_psql('postgres', q{
SELECT tec_create_domain('life', 'financial');
CREATE ROLE app LOGIN;
SELECT tec_add_member('life', 'app', 'writer');
SET ROLE life_owner;
CREATE TABLE life.ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int NOT NULL UNIQUE);
CREATE TABLE life.journal (line text);		-- no primary key: the move picks a replica identity
RESET ROLE;
INSERT INTO life."Portfolio" (id, "userId", name) SELECT 'p' || i, 'u' || i, 'portfolio ' || i FROM generate_series(1, 80000) i;
INSERT INTO life."Investment" ("portfolioId", symbol, name, quantity)
	SELECT 'p' || (i % 80000 + 1), 'S' || (i % 500), 'investment ' || i, i FROM generate_series(1, 120000) i;
INSERT INTO life.journal SELECT 'line ' || i FROM generate_series(1, 1000) i;
});
my $sum_before = $src->safe_psql('postgres', q{SELECT sum("totalValue")::bigint FROM life."Portfolio"});
my $hash_q = q{SELECT count(*) || '/' || md5(string_agg(x::text, E'\n' ORDER BY x.id)) FROM life."Investment" x WHERE x.symbol <> 'W'};
my $investment = $src->safe_psql('postgres', $hash_q);
my $journal_q = q{SELECT count(*) || '/' || md5(string_agg(line, E'\n' ORDER BY line)) FROM life.journal};
my $journal = $src->safe_psql('postgres', $journal_q);

# --- Deferred indexes and constraints -----------------------------------
# The target gets them after the copy (move_in_defer): a NOT VALID check
# that old rows violate (the copy must not apply it to them), an exclusion
# constraint, a plain index on a table without a primary key, besides the
# template's indexes and foreign keys.  Afterwards every index and
# constraint of the schema must be the source's, validity included.
$src->safe_psql('postgres', q{
SET ROLE life_owner;
ALTER TABLE life.journal ADD CONSTRAINT journal_entry CHECK (line LIKE 'entry%') NOT VALID;
ALTER TABLE life.ledger ADD CONSTRAINT ledger_n_excl EXCLUDE USING btree (n WITH =);
CREATE INDEX journal_line ON life.journal (line);
COMMENT ON INDEX life.journal_line IS 'deferred, with its comment';
COMMENT ON CONSTRAINT ledger_n_excl ON life.ledger IS 'deferred too';
});
my $defs_q = q{SELECT string_agg(x, E'\n' ORDER BY x COLLATE "C") FROM (
	SELECT pg_get_indexdef(i.indexrelid) || ' ' || i.indisvalid || i.indisreplident FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
	 WHERE c.relnamespace = 'life'::regnamespace
	UNION ALL
	SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
		   || ' ' || coalesce(obj_description(oid, 'pg_constraint'), '') FROM pg_constraint
	 WHERE connamespace = 'life'::regnamespace
	UNION ALL
	SELECT indexrelid::regclass || ' ' || obj_description(indexrelid, 'pg_class') FROM pg_index
	 WHERE indexrelid::regclass::text LIKE 'life.%' AND obj_description(indexrelid, 'pg_class') IS NOT NULL) t(x)};
my $defs = $src->safe_psql('postgres', $defs_q);

# The writer (TsovMove.pm), running through the move.
my $writer = start_pgbench_writer($src, 'postgres', 'app', $tmp);

# The target denies privileged access: the move's subscription writes anyway.
$dst->safe_psql('postgres', q{ALTER SYSTEM SET tec_sovereignty.privileged_access = 'deny'; SELECT pg_reload_conf()});
my $result = $src->safe_psql('postgres', "SELECT phase || '|' || (duration_ms >= 0) || '|' || detail FROM tec_move_domain('life', '$target')");
note $result;
# Writes go on against the moved domain for a moment, then stop.
$src->poll_query_until('postgres', q{SELECT pg_sleep(0.3) IS NOT NULL});
my ($ok, $errs) = stop_writer($writer, $tmp);

$dst->safe_psql('postgres', q{ALTER SYSTEM RESET tec_sovereignty.privileged_access; SELECT pg_reload_conf()});
my @phases = map { (split /\|/)[0] } split /\n/, $result;
is(join(',', @phases), 'prepare,audit_stream,copy,catch_up,indexes,audit_trail,write_block,cleanup', 'the move reports its phases');
like($result, qr/^write_block\|true\|.*ledger=\d+/m, 'the write block is timed and names the rows per table');

like($result, qr/^prepare\|true\|.*without the indexes and constraints that slow the copy \(([1-9]\d*) statements deferred\)/m,
	 'the target is created without the indexes and constraints that slow the copy');
my ($deferred) = $result =~ /\((\d+) statements deferred\)/;
like($result, qr/^indexes\|true\|$deferred deferred statements \(indexes, constraints, their comments\) run on the target/m, '... which it builds before the cut-over');
is($dst->safe_psql('postgres', $defs_q), $defs, "the target's indexes and constraints are the source's");
ok($defs =~ /journal_entry CHECK .* NOT VALID false/ && $defs =~ /EXCLUDE USING btree/ && $defs =~ /journal_line deferred, with its comment/
   && $defs =~ /ledger_n_excl .* deferred too/, '... a NOT VALID check, an exclusion constraint and comments included');

my @ok = @$ok;
my @errors = @$errs;
ok(@ok >= 20, scalar(@ok) . ' acknowledged writes');
my @unexpected = grep { !/ERROR:  domain "life" (is being moved|has moved to [^\n]*dbname=)/ } @errors;
is(scalar(@unexpected), 0, 'writes failed only with the move errors') or diag(join("\n", @unexpected[0 .. 4]));
ok((grep { /has moved to \S+/ } @errors) > 0, 'after the move, writes to the source are refused');
note scalar(grep { /is being moved/ } @errors) . ' writes refused during the write block';

my $acked = join(',', @ok);
is($dst->safe_psql('postgres', "SELECT count(*) FROM life.ledger WHERE n IN ($acked)"), scalar(@ok),
   'every acknowledged write is on the target');
is($dst->safe_psql('postgres', 'SELECT count(*) FROM life.ledger'), scalar(@ok), '... and no other');
is($dst->safe_psql('postgres', qq{SELECT count(*) FROM life."Investment" WHERE symbol = 'W' AND quantity IN ($acked)}), scalar(@ok),
   'every acknowledged Investment insert is on the target');
is($dst->safe_psql('postgres', q{SELECT count(*) FROM life."Investment" WHERE symbol = 'W'}), scalar(@ok), '... and no other');
my $updates = grep { $_ % 100 != 0 } @ok;
is($dst->safe_psql('postgres', q{SELECT sum("totalValue")::bigint FROM life."Portfolio"}), $sum_before + $updates,
   'every acknowledged update is on the target');
is($dst->safe_psql('postgres', $hash_q), $investment, 'the rows nobody wrote are identical on the target');
is($dst->safe_psql('postgres', $journal_q), $journal, 'a table without a primary key is identical too');
is($dst->safe_psql('postgres', q{SELECT count(*) FROM life."Portfolio"}), '80000', 'Portfolio rows on the target');

# Sequences continue.
$dst->safe_psql('postgres', q{CREATE ROLE app LOGIN; SELECT tec_add_member('life', 'app', 'writer')});
my $max_id = $dst->safe_psql('postgres', 'SELECT max(id) FROM life.ledger');
my $new_id = $dst->safe_psql('postgres', q{INSERT INTO life.ledger (n) VALUES (-1) RETURNING id}, extra_params => [ '-U', 'app' ]);
ok($new_id > $max_id, "the target's sequence continues ($new_id > $max_id)");

# The source refuses every access, and says where to look.
my ($stdout, $stderr);
$src->psql('postgres', 'SELECT count(*) FROM life.ledger', stderr => \$stderr);
my $port_dst = $dst->port;
like($stderr, qr/ERROR:  domain "life" has moved to [^\n]*port=$port_dst[^\n]*\n.*HINT:  Its location: SELECT location FROM tec_sovereignty.placements/s,
	 'the source refuses reads of the moved domain, even by a superuser, naming where it went');
is($src->safe_psql('postgres', q{SELECT state || '|' || location || '|' || (since IS NOT NULL) || '|' || placed_by FROM tec_sovereignty.placements WHERE domain = 'life'}),
   "moved|$target|true|" . $src->safe_psql('postgres', 'SELECT current_user'), 'placements on the source: moved, where, when, by whom');
like($dst->safe_psql('postgres', q{SELECT state || '|' || location || '|' || moved_in_from FROM tec_sovereignty.placements WHERE domain = 'life'}),
	 qr/^active\|this database \(postgres\)\|host='.*' port=${\ $src->port } dbname='postgres' user='/, 'placements on the target: active here, moved in from the source');
is($src->safe_psql('postgres', q{SELECT (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_publication)}), '0',
   'no slot or publication left on the source');
is($dst->safe_psql('postgres', 'SELECT count(*) FROM pg_subscription'), '0', 'no subscription left on the target');
my $enc_host = $dst->host =~ s{/}{%2F}gr;
like($src->safe_psql('postgres', q{SELECT line FROM tec_connection_env() line WHERE line LIKE 'LIFE\_DATABASE\_URL=%'}),
	 qr{^LIFE_DATABASE_URL="postgresql://life_app:CHANGE_ME\@\Q$enc_host\E:${\ $dst->port }/postgres\?options=}, 'tec_connection_env() on the source prints the URL on the new server');
is($src->safe_psql('postgres', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds on the source');
is($dst->safe_psql('postgres', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds on the target');
like($dst->safe_psql('postgres', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log WHERE object_domain = 'life' AND action IN ('CREATE_DOMAIN', 'ADD_MEMBER', 'AUDIT_IMPORT')}),
	 qr/^CREATE_DOMAIN,ADD_MEMBER,CREATE_DOMAIN,AUDIT_IMPORT/, "the source's trail is the target's prior history (imported beside the copy, committed with the cut-over)");
like($dst->safe_psql('postgres', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log WHERE object_domain = 'life' AND action LIKE 'MOVE%'}),
	 qr/MOVE_IN_START.*MOVE_IN/, 'the target records the move, with what its subscription wrote');
like($src->safe_psql('postgres', q{SELECT string_agg(action, ',' ORDER BY seq) FROM tec_sovereignty.audit_log WHERE object_domain = 'life' AND action LIKE 'MOVE%'}),
	 qr/MOVE_START.*MOVE_FREEZE.*MOVE_COMPLETE/, 'the source records the move');
# The subscription's workers wrote as the move's (privileged_access was
# 'deny' on the target): REPLICATE events via tec_move:<id>, none refused.
is($dst->safe_psql('postgres', q{SELECT (count(*) > 0) || '|' || bool_and(decision = 'privileged') || '|'
		|| bool_and(via_api = 'tec_move:' || (SELECT id FROM tec_sovereignty.move WHERE domain = 'life' AND direction = 'in'))
		|| '|' || bool_and(reason LIKE '%subscription tsov_move_life') || '|' || bool_and(actor_domain IS NULL)
	FROM tec_sovereignty.audit_log WHERE object_domain = 'life' AND action = 'REPLICATE'}), 'true|true|true|true|true',
   "the apply and table-sync workers' writes are recorded on the target as the move's");
is($dst->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE object_domain = 'life' AND decision = 'denied'}), '0',
   '... and none of them was refused');

# --- Refusals before anything is made -----------------------------------
$src->psql('postgres', "SELECT * FROM tec_move_domain('life', '$target')", stderr => \$stderr);
like($stderr, qr/ERROR:  move step on the source failed: domain "life" is moved|the target of the move already has objects of domain "life"/,
	 'a moved domain cannot be moved again');
$src->safe_psql('postgres', q{CREATE ROLE app2 LOGIN; SELECT tec_create_domain('other'); SELECT tec_add_member('other', 'app2', 'writer')});
$src->psql('postgres', "SELECT * FROM tec_move_domain('other', '$target')", stderr => \$stderr, extra_params => [ '-U', 'app2' ]);
like($stderr, qr/permission denied for function tec_move_domain/, 'a member cannot move its domain');
$src->psql('postgres', "SELECT * FROM tec_move_domain('other', 'host=/nonexistent port=1')", stderr => \$stderr);
like($stderr, qr/ERROR:  could not connect to the target of the move/, 'an unreachable target is refused');
is($src->safe_psql('postgres', q{SELECT state FROM tec_sovereignty.domain WHERE name = 'other'}), 'active', '... and the domain stays active');

my $lo = $src->safe_psql('postgres', q{SELECT lo_create(0)});
$src->safe_psql('postgres', "ALTER LARGE OBJECT $lo OWNER TO other_owner");
$src->psql('postgres', "SELECT * FROM tec_move_domain('other', '$target')", stderr => \$stderr);
like($stderr, qr/ERROR:  move step on the source failed: cannot export domain "other": large object $lo \(owner other_owner\) is not supported\nDETAIL:  Large objects are not exported[^\n]*\nHINT:  [^\n]*\n?\z/,
	 'a domain with large objects is refused, naming them');
$src->psql('postgres', "\\set VERBOSITY verbose\nSELECT * FROM tec_move_domain('other', '$target')", stderr => \$stderr);
like($stderr, qr/ERROR:  0A000: move step on the source failed/, "... with the source's SQLSTATE");
is($dst->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'other'}), '0', '... and nothing is left on the target');
$src->safe_psql('postgres', "SELECT lo_unlink($lo)");

# --- The target stops in the middle of the copy --------------------------
$src->safe_psql('postgres', q{
SET ROLE other_owner;
CREATE TABLE other.big (id int PRIMARY KEY, pad text);
RESET ROLE;
INSERT INTO other.big SELECT i, repeat('x', 200) FROM generate_series(1, 400000) i;
});
my ($mout, $merr) = ('', '');
my $move = IPC::Run::start([ 'psql', '-XAtq', '-h', $src->host, '-p', $src->port, '-d', 'postgres',
							 '-c', "SELECT * FROM tec_move_domain('other', '$target')" ], '>', \$mout, '2>', \$merr);
$src->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_replication_slots WHERE slot_name = 'tsov_move_other' AND active}, 't')
  or die 'the move did not start copying';
# Schema changes are refused on both sides while the move copies; writes go on.
$src->psql('postgres', "\\set VERBOSITY verbose\nSET ROLE other_owner;\nALTER TABLE other.big ADD COLUMN c int", stderr => \$stderr);
like($stderr, qr/ERROR:  55006: domain "other" is being moved\nDETAIL:  Schema changes are refused while the domain is copied to another server/,
	 'DDL on the source during the move is refused (55006)');
$src->psql('postgres', q{CREATE INDEX ON other.big (pad)}, stderr => \$stderr);
like($stderr, qr/ERROR:  domain "other" is being moved/, '... for a superuser too');
$dst->psql('postgres', q{ALTER TABLE other.big ADD COLUMN c int}, stderr => \$stderr);
like($stderr, qr/ERROR:  domain "other" is being moved\nDETAIL:  Schema changes are refused while the domain is copied here from another server/,
	 '... and on the target');
$src->psql('postgres', q{INSERT INTO other.big VALUES (-1, 'during the copy')}, stderr => \$stderr, extra_params => [ '-U', 'app2' ]);
is($stderr, '', 'writes to the source go on during the copy');
$dst->stop('immediate');
$move->finish;
like($merr, qr/ERROR:  (move step on the target failed|live move)/, 'the interrupted move fails') or diag($merr);
is($src->safe_psql('postgres', q{SELECT state FROM tec_sovereignty.domain WHERE name = 'other'}), 'active', 'the source domain is active again');
is($src->safe_psql('postgres', q{SELECT (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_publication)}), '0',
   'no slot or publication left on the source');
is($src->safe_psql('postgres', q{SELECT state FROM tec_sovereignty.move WHERE domain = 'other'}), 'cancelled', 'the move is recorded as cancelled');
is($src->safe_psql('postgres', q{SELECT relreplident FROM pg_class WHERE relname = 'journal'}), 'd',
   'the replica identity the first move chose is restored');
$src->psql('postgres', q{INSERT INTO other.big VALUES (0, 'after')}, stderr => \$stderr, extra_params => [ '-U', 'app2' ]);
is($stderr, '', 'members write to the domain again');

$dst->start;
is($dst->safe_psql('postgres', q{SELECT state FROM tec_sovereignty.domain WHERE name = 'other'}), 'moving_in',
   'the stopped target still holds the half-moved domain');
like($dst->safe_psql('postgres', q{SELECT tec_cancel_move('other')}), qr/cancelled/, 'tec_cancel_move on the target');
is($dst->safe_psql('postgres', q{SELECT (SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'other') + (SELECT count(*) FROM pg_subscription)
	+ (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'other\_%')}), '0', '... removes the domain, its roles and the subscription');
$src->psql('postgres', q{SELECT tec_cancel_move('other')}, stderr => \$stderr);
like($stderr, qr/ERROR:  domain "other" is not being moved/, 'tec_cancel_move of a domain that is not moving is refused');

# --- Logical replication into a domain other than the move's ---------------
# Fail closed: a subscription the move did not make may not write a domain's
# tables, even a superuser's; the refusal is in the target's trail.
$src->safe_psql('postgres', q{CREATE PUBLICATION sneak FOR TABLE other.big});
$dst->safe_psql('postgres', q{
SELECT tec_create_domain('other');
SET ROLE other_owner;
CREATE TABLE other.big (id int PRIMARY KEY, pad text);
RESET ROLE;
});
my $src_conn = 'host=' . $src->host . ' port=' . $src->port . ' dbname=postgres';
$dst->safe_psql('postgres', "CREATE SUBSCRIPTION sneak CONNECTION '$src_conn' PUBLICATION sneak");
ok($dst->poll_query_until('postgres', q{SELECT count(*) > 0 FROM tec_sovereignty.audit_log
	WHERE object_domain = 'other' AND action = 'REPLICATE' AND decision = 'denied' AND reason = 'logical replication into a domain'}),
   "another subscription's worker is refused in a domain, and the refusal recorded");
is($dst->safe_psql('postgres', 'SELECT count(*) FROM other.big'), '0', '... and wrote nothing');
$dst->safe_psql('postgres', 'ALTER SUBSCRIPTION sneak DISABLE');
$dst->safe_psql('postgres', 'DROP SUBSCRIPTION sneak');
$src->safe_psql('postgres', 'DROP PUBLICATION sneak');

$src->stop;
$dst->stop;
done_testing();
