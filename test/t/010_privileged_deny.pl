# privileged_access = 'deny': non-domain superusers and DBAs cannot enter a
# domain, unless tec_break_glass() opens it for the current transaction;
# the extension's own functions keep working.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('deny');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'tec_sovereignty'
tec_sovereignty.privileged_access = 'deny'
});
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION tec_sovereignty;
	CREATE ROLE alice LOGIN;
	CREATE ROLE dba LOGIN IN ROLE pg_read_all_data;
});
# extension functions work for the superuser under 'deny'
is($node->safe_psql('postgres', q{SELECT tec_create_domain('life', 'financial')}),
	'life', 'tec_create_domain works under deny');
$node->safe_psql('postgres', q{SELECT tec_add_member('life', 'alice', 'writer')});

# the domain's own member writes and reads
$node->safe_psql('postgres',
	q{INSERT INTO life."Portfolio" ("userId", name, type) VALUES ('u1', 'p', 't')},
	extra_params => [ '-U', 'alice' ]);
is($node->safe_psql('postgres', q{SELECT count(*) FROM life."Portfolio"},
		extra_params => [ '-U', 'alice' ]),
	'1', 'domain member reads its domain');

# the superuser is refused
my ($ret, $out, $err) = $node->psql('postgres', q{SELECT count(*) FROM life."Portfolio"});
isnt($ret, 0, 'superuser refused under deny');
like($err, qr/permission denied for privileged role "\S+" on schema life of domain "life"/,
	'denial names the privileged role and the domain');
like($err, qr/tec_break_glass\('life'/, 'hint points at tec_break_glass');

# ... also through SET ROLE to the domain's owner
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE life_owner; SELECT count(*) FROM life."Portfolio"});
isnt($ret, 0, 'superuser cannot SET ROLE into the domain under deny');

# a DBA holding pg_read_all_data is refused
($ret, $out, $err) = $node->psql('postgres', q{SELECT count(*) FROM life."Portfolio"},
	extra_params => [ '-U', 'dba' ]);
isnt($ret, 0, 'pg_read_all_data holder refused under deny');

# a non-superuser cannot switch the setting off
($ret, $out, $err) = $node->psql('postgres', q{SET tec_sovereignty.privileged_access = 'audit'},
	extra_params => [ '-U', 'alice' ]);
like($err, qr/permission denied to set parameter/, 'domain role cannot change privileged_access');

# break glass: open for the current transaction only
is($node->safe_psql('postgres', q{
	BEGIN;
	SELECT tec_break_glass('life', 'incident 42: restore a row');
	SELECT count(*) FROM life."Portfolio";
	COMMIT;
}), "\n1", 'break glass opens the domain inside the transaction');
($ret, $out, $err) = $node->psql('postgres', q{SELECT count(*) FROM life."Portfolio"});
isnt($ret, 0, 'the next transaction is refused again');
($ret, $out, $err) = $node->psql('postgres', q{
	BEGIN;
	SELECT tec_break_glass('life', 'incident 43');
	ROLLBACK;
	SELECT count(*) FROM life."Portfolio";
});
isnt($ret, 0, 'a rolled back break glass opens nothing afterwards');
# another domain stays closed while one is open
$node->safe_psql('postgres', q{SELECT tec_create_domain('assets', 'financial')});
($ret, $out, $err) = $node->psql('postgres', q{
	BEGIN;
	SELECT tec_break_glass('life', 'incident 44');
	SELECT count(*) FROM assets."Portfolio";
	COMMIT;
});
isnt($ret, 0, 'break glass opens only the named domain');
# only superusers break glass
($ret, $out, $err) = $node->psql('postgres', q{SELECT tec_break_glass('life', 'x')},
	extra_params => [ '-U', 'dba' ]);
isnt($ret, 0, 'non-superuser cannot break glass');

# the extension's own lifecycle keeps working
$node->safe_psql('postgres', q{SELECT tec_remove_member('life', 'alice')});
$node->safe_psql('postgres', q{SELECT tec_drop_domain('life', force => true)});
$node->safe_psql('postgres', q{SELECT tec_drop_domain('assets', force => true)});
is($node->safe_psql('postgres', q{SELECT count(*) FROM tec_sovereignty.domain}),
	'0', 'tec_drop_domain works under deny');

$node->stop;
done_testing();
