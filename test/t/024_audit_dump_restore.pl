# pg_dump / pg_restore of the whole database carries the trail, which still
# verifies after the restore; the guard lets a restore into an empty trail
# through, and nothing else.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('audit_dump');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
CREATE EXTENSION tec_sovereignty;
SELECT tec_create_domain('life', 'financial');
SELECT tec_create_domain('assets');
SELECT tec_audit_note('life', 'N', x::text) FROM generate_series(1, 50) x;
SELECT tec_audit_note('assets', 'N', 'a');
SELECT tec_audit_note(NULL, 'GLOBAL', 'g');
SELECT tec_audit_flush();
});
my $rows = $node->safe_psql('src', 'SELECT count(*) FROM tec_sovereignty.audit_log');

my $dump = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-h', $node->host, '-p', $node->port, '-f', $dump, 'src' ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok([ 'pg_restore', '-h', $node->host, '-p', $node->port, '-d', 'dst', $dump ], 'pg_restore into a new database');

# The restore itself is audited: once the registry rows are back, the
# superuser's DDL on domain objects (constraints, indexes: post-data) is
# recorded as privileged.  The trail's own rows come back first, unchanged.
my $hashes = q{SELECT string_agg(encode(row_hash, 'hex'), ',' ORDER BY seq) FROM tec_sovereignty.audit_log WHERE seq <= %s};
is($node->safe_psql('dst', sprintf($hashes, $rows)), $node->safe_psql('src', sprintf($hashes, $rows)),
	'every row restored, first and unchanged');
cmp_ok($node->safe_psql('dst', 'SELECT count(*) FROM tec_sovereignty.audit_log'), '>', $rows,
	'the restore itself was audited');
is($node->safe_psql('dst', q{SELECT count(*) FROM tec_sovereignty.audit_log WHERE seq > } . $rows . q{ AND decision <> 'privileged'}),
	'0', 'as privileged access');
is($node->safe_psql('dst', 'SELECT count(*) FROM tec_audit_verify() WHERE NOT ok'), '0', 'restored trail verifies');
cmp_ok($node->safe_psql('dst', q{SELECT rows_checked FROM tec_audit_verify('life')}), '>=', 51, 'life: the 51 restored rows and the restore\'s own are checked');

# The restored database goes on with chains of its own.
$node->safe_psql('dst', q{SELECT tec_audit_note('life', 'AFTER', 'restore'); SELECT tec_audit_flush();});
is($node->safe_psql('dst', 'SELECT count(*) FROM tec_audit_verify() WHERE NOT ok'), '0', 'still verifies after new events');
is($node->safe_psql('dst', q{SELECT max(seq) = count(*) FROM tec_sovereignty.audit_log}), 't', 'seq stays gapless');

# Restoring the data again into the now non-empty trail is refused.
my ($rc, $out, $err) = $node->psql('dst', q{COPY tec_sovereignty.audit_log FROM stdin;});
like($err, qr/append-only/, 'COPY into a non-empty trail is refused');

$node->stop;
done_testing();
