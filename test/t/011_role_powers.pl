# 011_role_powers.pl -- what needs a server of its own: replication
# connections of domain roles are refused (principle 1), and owner members
# act as the domain owner in a database cloned with CREATE DATABASE ...
# TEMPLATE and in one restored without --create (principle 8).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('powers');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'");
$node->start;

$node->safe_psql('postgres', q{
	CREATE DATABASE app;
	CREATE ROLE dev LOGIN;
	CREATE ROLE app_user LOGIN;
	CREATE ROLE replicator LOGIN REPLICATION;
});
$node->safe_psql('app', q{
	CREATE EXTENSION tec_sovereignty;
	SELECT tec_create_domain('life');
	SELECT tec_add_member('life', 'dev', 'owner');
	SELECT tec_add_member('life', 'app_user', 'writer');
});
$node->safe_psql('app', q{CREATE TABLE life.t (id int); INSERT INTO life.t VALUES (1)},
	extra_params => [ '-U', 'dev' ]);
is($node->safe_psql('app', q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'life.t'::regclass}),
	'life_owner', 'owner member creates as the owner in the original database');

# ---- principle 8: a cloned database ----
$node->safe_psql('postgres', 'CREATE DATABASE app_clone TEMPLATE app');
is($node->safe_psql('app_clone', 'SELECT current_user', extra_params => [ '-U', 'dev' ]),
	'life_owner', 'owner member acts as the owner in a cloned database');
$node->safe_psql('app_clone', q{CREATE TABLE life.migrated (id int); ALTER TABLE life.t ADD COLUMN v text},
	extra_params => [ '-U', 'dev' ]);
is($node->safe_psql('app_clone',
		q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'life.migrated'::regclass}),
	'life_owner', 'a migration in the clone is owned by the domain');
is($node->safe_psql('app_clone', 'SELECT current_user', extra_params => [ '-U', 'app_user' ]),
	'app_user', 'a writer member stays itself in the clone');
is($node->safe_psql('postgres', 'SELECT current_user', extra_params => [ '-U', 'dev' ]),
	'dev', 'no domain in the database connected to: the member is itself');

# ---- principle 8: a database restored without --create ----
my $dump = $node->basedir . '/app.dump';
command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('app'), '-f', $dump ], 'pg_dump of the database');
$node->safe_psql('postgres', 'CREATE DATABASE app_restored');
command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('app_restored'), $dump ],
	'pg_restore into a fresh database, without --create');
is($node->safe_psql('app_restored', 'SELECT current_user', extra_params => [ '-U', 'dev' ]),
	'life_owner', 'owner member acts as the owner in a restored database');
$node->safe_psql('app_restored', q{CREATE TABLE life.after_restore (id int)},
	extra_params => [ '-U', 'dev' ]);
is($node->safe_psql('app_restored',
		q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'life.after_restore'::regclass}),
	'life_owner', 'a migration in the restored database is owned by the domain');

# ---- principle 1: replication connections ----
# The twin: a role outside every domain replicates.
my ($ret, $out, $err) = $node->psql('app', 'IDENTIFY_SYSTEM',
	extra_params => [ '-U', 'replicator' ], replication => 'database');
is($ret, 0, 'a non-domain REPLICATION role opens a logical replication connection');

# REPLICATION is refused to a domain role at the source ...
($ret, $out, $err) = $node->psql('app', 'ALTER ROLE app_user REPLICATION');
like($err, qr/cannot give REPLICATION to role "app_user" of domain "life"/,
	'ALTER ROLE ... REPLICATION of a domain member is refused');
# ... and where the domain cannot see it (another database), or forced by
# a superuser, the connection is refused: no database is connected yet.
$node->safe_psql('postgres', 'ALTER ROLE app_user REPLICATION');
($ret, $out, $err) = $node->psql('app', 'IDENTIFY_SYSTEM',
	extra_params => [ '-U', 'app_user' ], replication => 'database');
isnt($ret, 0, 'logical replication connection of a domain member fails');
like($err, qr/replication connection refused for role "app_user" of domain "life"/,
	'the refusal names the role and its domain');
($ret, $out, $err) = $node->psql('postgres', 'IDENTIFY_SYSTEM',
	extra_params => [ '-U', 'app_user' ], replication => '1');
like($err, qr/replication connection refused for role "app_user" of domain "life"/,
	'physical replication connection of a domain member fails');
my $backup = $node->basedir . '/bb';
command_fails_like([ 'pg_basebackup', '-d', $node->connstr('postgres') . ' user=app_user', '-D', $backup ],
	qr/replication connection refused for role "app_user"/,
	'pg_basebackup as a domain member fails');
# ... and the member is refused everywhere in its domain
($ret, $out, $err) = $node->psql('app', 'SELECT count(*) FROM life.t',
	extra_params => [ '-U', 'app_user' ]);
like($err, qr/Role "app_user" holds REPLICATION/, 'the member holding REPLICATION is refused its domain');
$node->safe_psql('postgres', 'ALTER ROLE app_user NOREPLICATION');
is($node->safe_psql('app', 'SELECT count(*) FROM life.t', extra_params => [ '-U', 'app_user' ]),
	'1', 'without it, the member reads its domain again');

# The shared mark of domain roles is the extension's: no SQL changes it,
# and no label provider changes what SECURITY LABEL does.
($ret, $out, $err) = $node->psql('app',
	q{SECURITY LABEL FOR tec_sovereignty ON ROLE life_owner IS NULL});
like($err, qr/security label provider "tec_sovereignty" is not loaded/,
	'even a superuser cannot remove the mark with SECURITY LABEL');
($ret, $out, $err) = $node->psql('app', q{SECURITY LABEL ON ROLE dev IS 'x'});
like($err, qr/no security label providers have been loaded/,
	'SECURITY LABEL behaves as in PostgreSQL');
is($node->safe_psql('app', q{SELECT label FROM pg_shseclabel WHERE provider = 'tec_sovereignty' AND objoid = 'life_writer'::regrole}),
	'life', 'the domain roles carry the mark');

# The extension's settings from the startup packet: superusers only, even
# with a SET privilege on them (forced into the catalog: GRANT refuses it).
$node->safe_psql('postgres', q{
	CREATE ROLE tuner LOGIN;
	INSERT INTO pg_parameter_acl (oid, parname, paracl)
	VALUES (987650, 'tec_sovereignty.audit', ('{tuner=s/' || current_user || '}')::aclitem[]);
});
{
	local $ENV{PGOPTIONS} = '-c tec_sovereignty.audit=none';
	($ret, $out, $err) = $node->psql('app', 'SHOW tec_sovereignty.audit',
		extra_params => [ '-U', 'tuner' ]);
	like($err, qr/permission denied to set a setting of tec_sovereignty/,
		'a non-superuser cannot set an extension setting at connection');
	is($node->safe_psql('app', 'SHOW tec_sovereignty.audit'), 'none',
		'a superuser can');
}
$node->safe_psql('postgres', q{DELETE FROM pg_parameter_acl WHERE oid = 987650});

$node->stop;
done_testing();
