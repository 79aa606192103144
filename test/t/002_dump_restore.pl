# 002_dump_restore.pl -- pg_dump of a whole database carries the registry
# (configuration tables), and a restore into a fresh database gives back
# the same domains, templates and data.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'");
$node->start;

$node->safe_psql('postgres', q{
	CREATE DATABASE src;
});
$node->safe_psql('src', q{
	CREATE EXTENSION tec_sovereignty;
	SELECT tec_create_domain('life', 'financial');
	SELECT tec_create_domain('insure', 'insurance');
	SELECT tec_define_template('tiny', 'CREATE TABLE "Thing" (id text PRIMARY KEY)');
	SELECT tec_create_domain('zone', 'tiny');
	CREATE ROLE app_life LOGIN;
	SELECT tec_add_member('life', 'app_life', 'writer');
	INSERT INTO life."Portfolio" ("userId", name, type) VALUES ('u1', 'Retirement Fund', 'RETIREMENT');
});

my $registry = q{
	SELECT string_agg(format('%s|%s|%s|%s|%s|%s', name, schema_name, owner_role, template, state, enforcement), E'\n' ORDER BY name)
	  FROM tec_sovereignty.domain};
my $templates = q{SELECT string_agg(name || ':' || builtin, ',' ORDER BY name) FROM tec_sovereignty.template};
my $before = $node->safe_psql('src', $registry);
my $templates_before = $node->safe_psql('src', $templates);

my $dump = $node->basedir . '/src.dump';
command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump of the whole database');

$node->safe_psql('postgres', 'CREATE DATABASE dst');
command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ],
	'pg_restore into a fresh database');

is($node->safe_psql('dst', $registry), $before, 'registry rows restored');
is($node->safe_psql('dst', $templates), $templates_before,
	'built-in templates once each, user template restored');
is($node->safe_psql('dst', q{SELECT name, members, tables FROM tec_sovereignty.domains ORDER BY name}),
	"insure|0|5\nlife|1|5\nzone|0|1", 'domains view agrees after restore');
is($node->safe_psql('dst', q{SELECT "userId" || ':' || name FROM life."Portfolio"}),
	'u1:Retirement Fund', 'domain data restored');
is($node->safe_psql('dst', q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'life."Portfolio"'::regclass}),
	'life_owner', 'ownership restored');

# Roles are cluster-wide: dropping a domain in one database while another
# database still holds its objects is refused, naming the other database,
# and changes nothing.
my ($ret, $out, $err) = $node->psql('dst', q{SELECT tec_drop_domain('zone')});
isnt($ret, 0, 'drop refused while another database uses the roles');
like($err, qr/role "zone_(owner|writer|reader)" still owns or is granted objects outside the domain/, 'message names the role');
like($err, qr/in database src/, 'detail names the other database');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'zone'}), '1',
	'nothing was dropped');

$node->stop;
done_testing();
