# 001_preload.pl -- the library refuses to work unless preloaded, says how
# to fix it, and survives restarts once it is.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->start;

# Not preloaded: CREATE EXTENSION fails, names the exact postgresql.conf line,
# and leaves nothing behind.
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'CREATE EXTENSION tec_sovereignty');
isnt($ret, 0, 'CREATE EXTENSION fails without shared_preload_libraries');
like($stderr, qr/tec_sovereignty must be loaded via shared_preload_libraries/,
	'error says the library must be preloaded');
like($stderr,
	qr/HINT:  Add this line to postgresql.conf and restart the server: shared_preload_libraries = 'tec_sovereignty'/,
	'hint shows the exact postgresql.conf line');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_extension WHERE extname = 'tec_sovereignty'"),
	'0', 'no extension row left behind');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_namespace WHERE nspname = 'tec_sovereignty'"),
	'0', 'no schema left behind');

# LOAD by hand is refused the same way.
($ret, $stdout, $stderr) = $node->psql('postgres', "LOAD 'tec_sovereignty'");
like($stderr, qr/must be loaded via shared_preload_libraries/, 'LOAD is refused');

# Preloaded: everything works and survives a restart.
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'");
$node->restart;
$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
is($node->safe_psql('postgres', "SELECT tec_create_domain('life', 'financial')"),
	'life', 'domain created');
$node->restart;
is($node->safe_psql('postgres',
		"SELECT name || ':' || tables FROM tec_sovereignty.domains"),
	'life:5', 'domain and its tables survive a restart');

# The GUC prefix is reserved: a misspelt setting in postgresql.conf is
# reported at startup, not silently ignored.
$node->append_conf('postgresql.conf', "tec_sovereignty.no_such_setting = on");
$node->restart;
my $log = slurp_file($node->logfile);
like($log, qr/invalid configuration parameter name "tec_sovereignty.no_such_setting"/,
	'unknown tec_sovereignty.* setting is reported');

$node->stop;
done_testing();
