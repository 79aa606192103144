# test/t/047_move_same_cluster.pl
#
# tec_move_domain() (src/export/move.c) between two databases of ONE
# cluster (issue 14): roles are cluster-wide, so the target database finds
# the domain's roles already there.  The move marks them for the target
# database at prepare (the move mark, src/export/move_mark.c), the target's
# tec_create_domain() takes them over (tec_sovereignty.adopt_domain_roles),
# the slot is created on the source beside the subscription (CREATE
# SUBSCRIPTION cannot create it within one cluster):
#   - refused, roles untouched, nothing left: the target is the source
#     database itself; a target database with a schema of the domain's
#     name; a target while a third database (a clone) holds the domain's
#     roles too, which the move would otherwise capture;
#   - a move interrupted after the target created the domain is undone:
#     the roles stay (same OIDs, same members), the mark goes; so is one
#     whose backend was terminated mid-copy, by tec_cancel_move();
#   - the move tec -> life_db with a member writing throughout: per-table
#     hashes equal, every acknowledged write on the target, writes failed
#     only with the documented errors, the roles keep their OIDs, members
#     log in to life_db and work, sequences continue, tec_audit_verify holds
#     in both databases, no slot, publication or subscription is left, and
#     tec_drop_domain(..., force => true) in tec leaves the roles.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::Bin;
use TsovMove;

my $node = PostgreSQL::Test::Cluster->new('move_same');
$node->init(allows_streaming => 'logical');
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
$node->safe_psql('postgres', q{
CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN;
CREATE DATABASE tec; CREATE DATABASE life_db; CREATE DATABASE evil_db; CREATE DATABASE spare_db;
});
$node->safe_psql($_, 'CREATE EXTENSION tec_sovereignty') for qw(tec life_db evil_db spare_db);
my $conn = 'host=' . $node->host . ' port=' . $node->port;

$node->safe_psql('tec', q{
SELECT tec_create_domain('life', 'financial');
SELECT tec_add_member('life', 'alice', 'writer');
SELECT tec_add_member('life', 'bob', 'owner');
SET ROLE life_owner;
CREATE TABLE life.ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int NOT NULL UNIQUE);
GRANT SELECT, INSERT ON life.ledger TO life_writer;
RESET ROLE;
INSERT INTO life."Portfolio" (id, "userId", name) SELECT 'p' || i, 'u' || i, 'portfolio ' || i FROM generate_series(1, 2000) i;
INSERT INTO life."Investment" ("portfolioId", symbol, name, quantity)
	SELECT 'p' || (i % 2000 + 1), 'S' || (i % 50), 'investment ' || i, i FROM generate_series(1, 3000) i;
});

my ($roles_q, $members_q) = ($ROLES_Q, $MEMBERS_Q);
my $roles = $node->safe_psql('postgres', $roles_q);
my $members = $node->safe_psql('postgres', $members_q);
is($members, 'alice>life_writer,bob>life_owner', 'members of the domain before the move');
my $marks_q = q{SELECT count(*) FROM pg_shseclabel WHERE provider = 'tec_sovereignty.transfer'};
my $leftovers_q = q{SELECT (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_subscription)};

# Nothing of the move left: roles and members as they were, no mark, no
# slot or subscription, the domain active in tec, nothing of it in db.
sub nothing_left
{
	my ($what, $db) = @_;
	is($node->safe_psql('postgres', $roles_q), $roles, "$what: the roles are the same");
	is($node->safe_psql('postgres', $members_q), $members, "$what: their members are the same");
	is($node->safe_psql('postgres', $marks_q), '0', "$what: no move mark");
	is($node->safe_psql('tec', "SELECT ($leftovers_q) + (SELECT count(*) FROM pg_publication)"), '0',
	   "$what: no slot, publication or subscription");
	is($node->safe_psql('tec', q{SELECT state FROM tec_sovereignty.domain WHERE name = 'life'}), 'active', "$what: life is active in tec");
	is($node->safe_psql($db, q{SELECT (SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'life')
		+ (SELECT count(*) FROM pg_namespace WHERE nspname = 'life')}), '0', "$what: nothing of life in $db");
}

# --- Refused before anything is made -----------------------------------
my ($stdout, $stderr);
$node->psql('tec', "SELECT * FROM tec_move_domain('life', '$conn dbname=tec')", stderr => \$stderr);
like($stderr, qr/ERROR:  the target of the move is the database that holds domain "life"/, 'the source database itself is refused');
$node->safe_psql('evil_db', 'CREATE SCHEMA life');
$node->psql('tec', "SELECT * FROM tec_move_domain('life', '$conn dbname=evil_db')", stderr => \$stderr);
like($stderr, qr/ERROR:  the target of the move already has objects of domain "life"\nDETAIL:  Found: schema life\./,
	 'a target database with a schema of the name is refused, the roles are not counted');
nothing_left('target with a schema of the name', 'life_db');
$node->safe_psql('evil_db', 'DROP SCHEMA life');

# --- The roles are held by a third database: capturing them is refused ---
$node->safe_psql('postgres', 'CREATE DATABASE tec_clone TEMPLATE tec');
$node->psql('tec', "SELECT * FROM tec_move_domain('life', '$conn dbname=life_db')", stderr => \$stderr);
like($stderr, qr/ERROR:  .*roles of domain "life" are in use in tec_clone/, 'a move while a clone holds the roles too is refused')
  or diag($stderr);
nothing_left('clone holds the roles', 'life_db');
$node->safe_psql('postgres', 'DROP DATABASE tec_clone');

# --- Interrupted while the target creates the domain: undone ------------
# A lock on life_db's move table holds the move back inside the target's
# script, whose last statement (move_in_begin) records the move there: the
# domain never exists on the target outside the state moving_in.
my ($lin, $lout) = ('', '');
my $locker = IPC::Run::start([ 'psql', '-XAtq', '-h', $node->host, '-p', $node->port, '-d', 'life_db' ], '<', \$lin, '>', \$lout);
END { $locker->kill_kill if $locker && $locker->pumpable; }
$lin .= "BEGIN; LOCK TABLE tec_sovereignty.move IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n";
$locker->pump until $lout =~ /locked/;
my ($mout, $merr) = ('', '');
my $move = IPC::Run::start([ 'psql', '-XAtq', '-h', $node->host, '-p', $node->port, '-d', 'tec',
							 '-c', "SELECT * FROM tec_move_domain('life', '$conn dbname=life_db')" ], '>', \$mout, '2>', \$merr);
ok($node->poll_query_until('life_db', q{SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	WHERE NOT l.granted AND c.relname = 'move' AND l.database = (SELECT oid FROM pg_database WHERE datname = 'life_db')}),
   "the interrupted move waits in the target script's transaction");
is($node->safe_psql('life_db', q{SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'life'}), '0',
   '... where the domain it creates is not visible before it is moving_in');
is($node->safe_psql('postgres', q{SELECT string_agg(DISTINCT label, ',') FROM pg_shseclabel WHERE provider = 'tec_sovereignty.transfer'}),
   'source=' . $node->safe_psql('postgres', q{SELECT oid FROM pg_database WHERE datname = 'tec'})
   . ';destination=' . $node->safe_psql('postgres', q{SELECT oid FROM pg_database WHERE datname = 'life_db'}),
   '... and the roles marked for life_db');
$node->safe_psql('tec', q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%tec_move_domain(''life''%' AND pid <> pg_backend_pid()});
$move->finish;
like($merr, qr/ERROR:  canceling statement due to user request/, 'the cancelled move fails') or diag($merr);
$lin .= "COMMIT;\n\\q\n";
$locker->finish;
nothing_left('interrupted move', 'life_db');
is($node->safe_psql('tec', q{SELECT state FROM tec_sovereignty.move WHERE domain = 'life' ORDER BY id DESC LIMIT 1}), 'cancelled',
   'the move is recorded as cancelled in tec');

# --- The move's own backend ends in the middle: tec_cancel_move ---------
# No table-sync worker may start, so the copy waits; the move's backend is
# terminated there, leaving everything behind, which tec_cancel_move() in
# tec removes on both sides (into spare_db; within one cluster the trail's
# import begins only after the copy, so none has begun here, and one begun
# would roll back: it commits with the cut-over).
$node->safe_psql('postgres', q{ALTER SYSTEM SET max_sync_workers_per_subscription = 0; SELECT pg_reload_conf()});
($mout, $merr) = ('', '');
$move = IPC::Run::start([ 'psql', '-XAtq', '-h', $node->host, '-p', $node->port, '-d', 'tec',
						  '-c', "SELECT * FROM tec_move_domain('life', '$conn dbname=spare_db')" ], '>', \$mout, '2>', \$merr);
ok($node->poll_query_until('spare_db', q{SELECT count(*) > 0 AND bool_and(r.srsubstate = 'i') FROM pg_subscription_rel r
	JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = 'tsov_move_life'
	AND (SELECT state FROM tec_sovereignty.domain WHERE name = 'life') = 'moving_in'}), 'the move waits in its copy');
$node->safe_psql('tec', q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%tec_move_domain(''life''%' AND pid <> pg_backend_pid()});
$move->finish;
like($merr, qr/terminating connection due to administrator command/, "the move's backend is terminated") or diag($merr);
is($node->safe_psql('tec', q{SELECT state FROM tec_sovereignty.domain WHERE name = 'life'}) . '/'
   . $node->safe_psql('postgres', $marks_q), 'moving/3', '... leaving life moving in tec, its roles marked');
like($node->safe_psql('tec', q{SELECT tec_cancel_move('life')}), qr/cancelled/, 'tec_cancel_move in tec');
$node->safe_psql('postgres', q{ALTER SYSTEM RESET max_sync_workers_per_subscription; SELECT pg_reload_conf()});
nothing_left('tec_cancel_move', 'spare_db');

# --- The move, with a member writing --------------------------------------
my %hash;
my @tables = split /\n/, $node->safe_psql('tec', q{SELECT relname FROM pg_class WHERE relnamespace = 'life'::regnamespace AND relkind = 'r' ORDER BY 1});
sub table_hash
{
	my ($db, $t, $cols) = @_;
	return $node->safe_psql($db, qq{SELECT count(*) || '/' || md5(string_agg(($cols)::text, E'\\n' ORDER BY ($cols)::text)) FROM life."$t" x});
}
# the writer changes Portfolio's totalValue and adds ledger rows: the rest is compared whole
my %cols = map { $_ => ($_ eq 'Portfolio' ? 'x.id, x."userId", x.name' : 'x') } @tables;
$hash{$_} = table_hash('tec', $_, $cols{$_}) for grep { $_ ne 'ledger' } @tables;
my $sum_before = $node->safe_psql('tec', q{SELECT sum("totalValue")::bigint FROM life."Portfolio"});

my $writer = start_writer($node, 'tec', 'alice', $tmp);

my $result = $node->safe_psql('tec', "SELECT phase || '|' || detail FROM tec_move_domain('life', '$conn dbname=life_db')");
note $result;
$node->poll_query_until('tec', q{SELECT pg_sleep(0.3) IS NOT NULL});
my ($ok, $errs) = stop_writer($writer, $tmp);
my @ok = @$ok;
my @errors = @$errs;

is(join(',', map { (split /\|/)[0] } split /\n/, $result), 'prepare,copy,catch_up,audit_stream,indexes,audit_trail,write_block,cleanup',
   'the move reports its phases');
ok(@ok >= 20, scalar(@ok) . ' acknowledged writes');
my @unexpected = grep { !/ERROR:  domain "life" (is being moved|has moved to [^\n]*dbname=)/ } @errors;
is(scalar(@unexpected), 0, 'writes failed only with the move errors') or diag(join("\n", @unexpected[0 .. 4]));
ok((grep { /has moved to \S+/ } @errors) > 0, 'after the move, writes in tec are refused');

is(table_hash('life_db', $_, $cols{$_}), $hash{$_}, "table $_: the same rows in life_db") for grep { $_ ne 'ledger' } @tables;
my $acked = join(',', @ok);
is($node->safe_psql('life_db', "SELECT count(*) FROM life.ledger WHERE n IN ($acked)") . '/'
   . $node->safe_psql('life_db', 'SELECT count(*) FROM life.ledger'), scalar(@ok) . '/' . scalar(@ok),
   'table ledger: every acknowledged write in life_db, and no other');
my $updates = grep { $_ % 100 != 0 } @ok;
is($node->safe_psql('life_db', q{SELECT sum("totalValue")::bigint FROM life."Portfolio"}), $sum_before + $updates,
   'table Portfolio: every acknowledged update in life_db');

is($node->safe_psql('postgres', $roles_q), $roles, 'the roles keep their OIDs');
is($node->safe_psql('postgres', $members_q), $members, '... and their members');
my $max_id = $node->safe_psql('life_db', 'SELECT max(id) FROM life.ledger');
my $new_id = $node->safe_psql('life_db', q{INSERT INTO life.ledger (n) VALUES (-1) RETURNING id}, extra_params => [ '-U', 'alice' ]);
ok($new_id > $max_id, "alice writes in life_db, and the sequence continues ($new_id > $max_id)");
is($node->safe_psql('life_db', q{SELECT current_user}, extra_params => [ '-U', 'bob' ]), 'life_owner',
   'bob, an owner member, acts as life_owner in life_db');
$node->psql('tec', 'SELECT count(*) FROM life.ledger', stderr => \$stderr, extra_params => [ '-U', 'alice' ]);
like($stderr, qr/ERROR:  domain "life" has moved to [^\n]*dbname=life_db/, 'tec refuses the moved domain, naming where it went');
like($node->safe_psql('tec', q{SELECT location FROM tec_sovereignty.placements WHERE domain = 'life'}), qr/dbname=life_db/,
	 'placements in tec names life_db');
is($node->safe_psql('tec', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds in tec');
is($node->safe_psql('life_db', q{SELECT string_agg(ok::text, ',') FROM tec_audit_verify('life')}), 'true', 'tec_audit_verify holds in life_db');
is($node->safe_psql('tec', "SELECT ($leftovers_q) + (SELECT count(*) FROM pg_publication)"), '0',
   'no slot, publication or subscription left');
$node->psql('evil_db', "SELECT tec_create_domain('life')", stderr => \$stderr);
like($stderr, qr/ERROR:  role "life_owner" belongs to domain "life" of another database/,
	 'another database still cannot take the roles over');

$node->safe_psql('tec', q{SELECT tec_drop_domain('life', force => true)});
is($node->safe_psql('postgres', $roles_q), $roles, 'tec_drop_domain(force) in tec leaves the roles');
is($node->safe_psql('postgres', $marks_q), '0', '... and removes the move mark');
is($node->safe_psql('tec', q{SELECT count(*) FROM pg_shdepend WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tec')
	AND refobjid IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'life\_%')}), '0', '... which hold nothing in tec any more');
is($node->safe_psql('life_db', q{SELECT count(*) FROM life."Portfolio"}, extra_params => [ '-U', 'alice' ]), '2000',
   'alice still reads the domain in life_db');

$node->stop;
done_testing();
