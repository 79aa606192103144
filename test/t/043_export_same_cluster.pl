# test/t/043_export_same_cluster.pl
#
# A domain moves into another database of the same cluster (issue 13,
# "Into another database of the same cluster"): roles are cluster-wide, so
# the import into the new database finds the domain's roles already there.
# It may take them over only from a transfer to this very database
# (src/export/move.sql):
#   - allowed: tec_transfer_domain('life', ..., 'life_db') in tec, export
#     (with the audit trail), import into life_db, tec_complete_transfer,
#     tec_drop_domain(..., force => true) in tec; the roles stay (same
#     OIDs), own the moved domain, keep their members; the members log in
#     to life_db and work; sequences continue; tec_audit_verify holds;
#   - a parallel import (tec_export --import -j 2) that fails after it took
#     the roles over is undone by tec_import_abort(), which leaves them;
#   - refused, roles untouched and nothing created: the import without a
#     transfer; tec_create_domain('life') in another database (by a
#     superuser; its owner with CREATEDB can neither install the extension
#     nor call it) before, during and after
#     the move; an import while a clone of tec holds the domain too; an
#     import after the transfer was cancelled; roles of the same names that
#     are not the domain's; the mark written by SECURITY LABEL or by
#     mark_transfer() as a non-superuser.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run qw(run);
use FindBin;
use lib $FindBin::Bin;
use TsovMove;

my $node = PostgreSQL::Test::Cluster->new('same_cluster');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', q{
CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN;
CREATE ROLE mallory LOGIN CREATEDB;
CREATE DATABASE tec; CREATE DATABASE life_db; CREATE DATABASE evil_db OWNER mallory;
});
$node->safe_psql($_, 'CREATE EXTENSION tec_sovereignty') for qw(tec life_db evil_db);

$node->safe_psql('tec', q{
SELECT tec_create_domain('life', 'financial');
SELECT tec_add_member('life', 'alice', 'writer');
SELECT tec_add_member('life', 'bob', 'owner');
SET ROLE life_owner;
CREATE TABLE life.diary (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry text NOT NULL);
GRANT SELECT, INSERT ON life.diary TO life_writer;
RESET ROLE;
});
$node->safe_psql('tec', q{
INSERT INTO life."Portfolio" ("userId", name) SELECT 'u' || i, 'p' || i FROM generate_series(1, 50) i;
INSERT INTO life.diary (entry) SELECT 'entry ' || i FROM generate_series(1, 20) i;
}, extra_params => [ '-U', 'alice' ]);

my ($roles_q, $members_q) = ($ROLES_Q, $MEMBERS_Q);
my $roles = $node->safe_psql('tec', $roles_q);
my $members = $node->safe_psql('tec', $members_q);
is($members, 'alice>life_writer,bob>life_owner', 'members of the domain before the move');

sub export_life
{
	my $file = "$tmp/life.sql";
	my $err;
	run [ 'psql', '-XAt', '-h', $node->host, '-p', $node->port, '-d', 'tec',
		  '-c', "SELECT tec_export_domain('life', with_audit => true)", '-o', $file ], '2>', \$err
	  or die "export failed: $err";
	return $file;
}

sub import_into
{
	my ($db, $file) = @_;
	my ($out, $err);
	my $ok = run [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
				   '-d', $db, '-f', $file ], '>', \$out, '2>', \$err;
	return ($ok, $err);
}

# Nothing of the domain in db: no schema, no registry row.
sub nothing_in
{
	my ($db) = @_;
	return $node->safe_psql($db, q{SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'life')
		+ (SELECT count(*) FROM tec_sovereignty.domain WHERE name = 'life')});
}

sub roles_untouched
{
	my ($what) = @_;
	is($node->safe_psql('tec', $roles_q), $roles, "$what: the roles are the same");
	is($node->safe_psql('tec', $members_q), $members, "$what: their members are the same");
}

# --- Without a transfer, the import is refused --------------------------
my $file = export_life();
my ($ok, $err) = import_into('life_db', $file);
ok(!$ok, 'import without a transfer is refused');
like($err, qr/role "life_owner" belongs to domain "life" of another database/, '... naming the role and the reason');
like($err, qr/HINT:  In the database that holds domain "life", start the move with tec_transfer_domain\('life', to_owner, 'life_db'\)/,
	 '... with the transfer to start as hint');
is(nothing_in('life_db'), '0', '... and nothing is left in life_db');
roles_untouched('import without a transfer');

# --- Another database calls tec_create_domain('life') --------------------
my ($stdout, $stderr);
$node->psql('evil_db', "SELECT tec_create_domain('life')", stdout => \$stdout, stderr => \$stderr);
like($stderr, qr/ERROR:  role "life_owner" belongs to domain "life" of another database/,
	 'a superuser of another database cannot take the roles over');
# mallory, with CREATEDB, makes a database of her own: the extension is not
# hers to install there, nor are its functions hers to call in evil_db.
$node->psql('postgres', 'CREATE DATABASE mallory_db', stderr => \$stderr, extra_params => [ '-U', 'mallory' ]);
is($stderr, '', 'mallory creates a database of her own');
$node->psql('mallory_db', 'CREATE EXTENSION tec_sovereignty', stderr => \$stderr, extra_params => [ '-U', 'mallory' ]);
like($stderr, qr/ERROR:  permission denied to create extension "tec_sovereignty"/, '... but cannot install the extension there');
$node->psql('evil_db', "SELECT tec_create_domain('life')", stderr => \$stderr, extra_params => [ '-U', 'mallory' ]);
like($stderr, qr/ERROR:  permission denied for function tec_create_domain/, '... nor call tec_create_domain in the database she owns');
is(nothing_in('evil_db'), '0', '... and nothing is left in evil_db');
# Its allowed twin: a domain of a fresh name is created there.
is($node->safe_psql('evil_db', "SELECT tec_create_domain('shop')"), 'shop', 'a new domain is created in evil_db');
$node->safe_psql('evil_db', "SELECT tec_drop_domain('shop')");

# --- The mark cannot be forged ------------------------------------------
$node->psql('tec', q{SECURITY LABEL FOR "tec_sovereignty.transfer" ON ROLE life_owner IS 'source=1;destination=2'},
			stderr => \$stderr);
like($stderr, qr/security label provider "tec_sovereignty.transfer" is not loaded/, 'SECURITY LABEL cannot write the mark');
$node->safe_psql('evil_db', 'GRANT EXECUTE ON FUNCTION tec_sovereignty.mark_transfer(regrole, text) TO mallory');
$node->psql('evil_db', q{SELECT tec_sovereignty.mark_transfer('life_owner', 'source=1;destination=2')},
			stderr => \$stderr, extra_params => [ '-U', 'mallory' ]);
like($stderr, qr/ERROR:  permission denied to mark a domain role for a move/, 'mark_transfer() granted to a non-superuser refuses');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_shseclabel WHERE provider = 'tec_sovereignty.transfer'}), '0',
   'no role carries a move mark');

# --- Roles of the same names that are not a domain's ---------------------
$node->safe_psql('postgres', 'CREATE ROLE garden_owner NOLOGIN');
$node->psql('life_db', "SELECT tec_create_domain('garden')", stderr => \$stderr);
like($stderr, qr/ERROR:  role "garden_owner" already exists\n.*never adopts an existing role/s, 'a role that is not a domain role is never adopted');
$node->safe_psql('postgres', 'DROP ROLE garden_owner');

# --- A transfer to life_db, while a clone of tec holds the domain too -----
$node->safe_psql('postgres', 'CREATE DATABASE tec_clone TEMPLATE tec');
is($node->safe_psql('tec', "SELECT tec_transfer_domain('life', 'Life Inc.', 'life_db')"), '1', 'transfer to life_db started');
($ok, $err) = import_into('life_db', $file);
ok(!$ok, 'import while a clone holds the domain too is refused');
like($err, qr/roles of domain "life" are in use in tec_clone/, '... naming the clone');
is(nothing_in('life_db'), '0', '... and nothing is left in life_db');
$node->safe_psql('postgres', 'DROP DATABASE tec_clone');

# --- During the transfer, evil_db is still refused -----------------------
$node->psql('evil_db', "SELECT tec_create_domain('life')", stderr => \$stderr);
like($stderr, qr/ERROR:  role "life_owner" belongs to domain "life" of another database\nDETAIL:  Domain "life" is being transferred from database "tec" to database "life_db", not to this one\./,
	 'while the domain is transferred to life_db, evil_db cannot take the roles over');
is(nothing_in('evil_db'), '0', '... and nothing is left in evil_db');

# --- Cancelled: the mark goes ---------------------------------------------
$node->safe_psql('tec', "SELECT tec_cancel_transfer('life')");
($ok, $err) = import_into('life_db', $file);
ok(!$ok, 'import after the transfer was cancelled is refused');
like($err, qr/role "life_owner" belongs to domain "life" of another database/, '... as without a transfer');
roles_untouched('cancelled transfer');

# --- The move -------------------------------------------------------------
$node->safe_psql('tec', "SELECT tec_transfer_domain('life', 'Life Inc.', 'life_db')");
$file = export_life();

# A parallel import that fails after its first transaction took the roles
# over: tec_import_abort() must leave them, they are the source's.
{
	open(my $in, '<', $file) or die;
	open(my $out, '>', "$file.bad") or die;
	while (my $line = <$in>)
	{
		print $out $line;
		if ($line =~ /^COPY life\."Portfolio" /) { my $row = <$in>; print $out $row, $row; }
	}
	close($out);
	my ($o, $e);
	my $pok = run [ 'tec_export', '--import', '-j', '2', '-h', $node->host, '-p', $node->port,
					'-d', 'life_db', "$file.bad" ], '>', \$o, '2>', \$e;
	ok(!$pok, 'a parallel import with a duplicated key fails');
	like($e, qr/could not create unique index "Portfolio_pkey".*the import was undone/s, '... and is undone')
	  or diag($e);
	roles_untouched('parallel import undone in life_db');
	is(nothing_in('life_db'), '0', 'nothing of the domain is left in life_db');
	is($node->safe_psql('tec', "SELECT state FROM tec_sovereignty.domain WHERE name = 'life'"), 'transferring',
	   'the transfer in tec goes on');
}

($ok, $err) = import_into('life_db', $file);
ok($ok, 'the import into life_db takes the roles over') or diag($err);
roles_untouched('import into life_db');
$node->psql('evil_db', "SELECT tec_create_domain('life')", stderr => \$stderr);
like($stderr, qr/ERROR:  role "life_owner" belongs to domain "life" of another database/,
	 'once life_db holds the domain, evil_db is still refused');

my $sha = $node->safe_psql('tec', "SELECT tec_complete_transfer('life')");
like($sha, qr/^[0-9a-f]{64}$/, 'transfer completed');
$node->safe_psql('tec', "SELECT tec_drop_domain('life', force => true)");
roles_untouched('tec_drop_domain in tec');
is(nothing_in('tec'), '0', 'the domain is gone from tec');
is($node->safe_psql('tec', q{SELECT count(*) FROM pg_shdepend WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'tec')
	AND refobjid IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'life\_%')}), '0', 'the roles hold nothing in tec any more');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_shseclabel WHERE provider = 'tec_sovereignty.transfer'}), '0',
   'the move mark is gone');
is($node->safe_psql('postgres', q{SELECT string_agg(label, ',') FROM pg_shseclabel WHERE provider = 'tec_sovereignty'}),
   'life,life,life', 'the roles are still labelled as roles of domain life');

is($node->safe_psql('life_db', q{SELECT n.nspowner::regrole || '/' || d.state || '/' || d.template
	FROM tec_sovereignty.domain d JOIN pg_namespace n ON n.nspname = d.schema_name WHERE d.name = 'life'}),
   'life_owner/active/financial', 'life_db holds the domain, owned by life_owner, active');
is($node->safe_psql('life_db', q{SELECT count(*) FROM life."Portfolio"}, extra_params => [ '-U', 'alice' ]), '50',
   'alice reads the moved rows in life_db');
is($node->safe_psql('life_db', q{INSERT INTO life.diary (entry) VALUES ('after the move') RETURNING id}, extra_params => [ '-U', 'alice' ]),
   '21', 'alice writes in life_db, and the sequence continues');
is($node->safe_psql('life_db', q{SELECT current_user}, extra_params => [ '-U', 'bob' ]), 'life_owner',
   'bob, an owner member, acts as life_owner in life_db');
$node->safe_psql('life_db', q{CREATE TABLE life.notes (id int PRIMARY KEY)}, extra_params => [ '-U', 'bob' ]);
is($node->safe_psql('life_db', q{SELECT relowner::regrole FROM pg_class WHERE oid = 'life.notes'::regclass}), 'life_owner',
   'what bob creates is owned by the domain');
$node->psql('life_db', q{CREATE TABLE life.mine (i int)}, stderr => \$stderr, extra_params => [ '-U', 'alice' ]);
like($stderr, qr/permission denied for schema life/, 'alice, a writer, still cannot create in the domain');
like($node->safe_psql('life_db', "SELECT ok FROM tec_audit_verify('life')"), qr/^t$/m, 'tec_audit_verify holds in life_db');

# --- The moved domain can leave life_db the ordinary way ------------------
$node->safe_psql('life_db', q{SELECT tec_drop_domain('life', force => true)});
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_roles WHERE rolname LIKE 'life\_%'}), '0',
   'dropping the moved domain in life_db drops its roles');

$node->stop;
done_testing();
