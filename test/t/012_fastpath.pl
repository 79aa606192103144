# 012_fastpath.pl -- calls through the fast-path protocol (PQfn, what
# libpq's large-object functions use) never reach the planner, so the
# checked twins of issue 11, principle 2 are not swapped in: a checked
# built-in called that way is refused to domain roles (fail closed, audited),
# while other built-ins and non-domain sessions keep PostgreSQL's behaviour.
# Needs a small libpq client (test/modules/fastpath/fastpath_call.c),
# compiled here.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $src = abs_path(dirname(__FILE__) . '/../modules/fastpath/fastpath_call.c');
my $node = PostgreSQL::Test::Cluster->new('fastpath');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'");
$node->start;

my $bin = $node->basedir . '/fastpath_call';
# libpq's client header: the private installation of the test run copies
# the server headers only, so fall back to the system's (libpq-dev, which
# postgresql-server-dev-15 depends on).
my ($incdir) = grep { -f "$_/libpq-fe.h" }
	(scalar(`pg_config --includedir` =~ s/\s+$//r), '/usr/include/postgresql');
plan skip_all => 'libpq-fe.h not found (install libpq-dev)' unless defined $incdir;
command_ok([ 'cc', '-o', $bin, "-I$incdir", $src, '-lpq' ], 'compile the fast-path client');

$node->safe_psql('postgres', q{
	CREATE EXTENSION tec_sovereignty;
	SELECT tec_create_domain('life');
	SELECT tec_create_domain('assets');
	CREATE ROLE life_app LOGIN;
	CREATE ROLE outsider LOGIN;
	SELECT tec_add_member('life', 'life_app', 'writer');
	SET ROLE life_owner;
	CREATE SEQUENCE life.s;
	RESET ROLE;
	SET ROLE assets_owner;
	CREATE SEQUENCE assets.s;
	RESET ROLE;
	CREATE SEQUENCE public.outsider_s;
	ALTER SEQUENCE public.outsider_s OWNER TO outsider;
	-- the careless grants: only the extension stands in the way
	GRANT USAGE ON SCHEMA assets TO life_app;
	GRANT USAGE, SELECT, UPDATE ON SEQUENCE assets.s TO life_app;
});

my $nextval = $node->safe_psql('postgres', q{SELECT 'nextval(regclass)'::regprocedure::oid});
my $pid_fn = $node->safe_psql('postgres', q{SELECT 'pg_backend_pid()'::regprocedure::oid});
my %seq = map { $_ => $node->safe_psql('postgres', "SELECT '$_'::regclass::oid") }
	qw(life.s assets.s public.outsider_s);

sub fastpath
{
	my ($user, @args) = @_;
	my $connstr = $node->connstr('postgres') . " user=$user";
	my ($stdout, $stderr);
	IPC::Run::run([ $bin, $connstr, @args ], '>', \$stdout, '2>', \$stderr);
	chomp $stdout;
	return $stdout;
}

my $mark = $node->safe_psql('postgres', 'SELECT COALESCE(max(seq), 0) FROM tec_sovereignty.audit_log');

# refused: a checked built-in by a domain role, on another domain's object
like(fastpath('life_app', $nextval, 'int8', $seq{'assets.s'}), qr/^ERROR 42501 /,
	"fast-path nextval of another domain's sequence is refused to a domain role");
# refused too on its own sequence: the fast path cannot be checked per object
like(fastpath('life_app', $nextval, 'int8', $seq{'life.s'}), qr/^ERROR 42501 /,
	"fast-path nextval of its own sequence is refused to a domain role (fail closed)");
is($node->safe_psql('postgres', q{SELECT is_called FROM assets.s}), 'f',
	"the other domain's sequence did not move");
# allowed: the same call as a plain SQL statement (the planner's twin)
is($node->safe_psql('postgres', q{SELECT nextval('life.s')}, extra_params => [ '-U', 'life_app' ]),
	'1', 'the same call in SQL is checked and allowed in its own domain');
# allowed: a built-in that is not checked, by a domain role
like(fastpath('life_app', $pid_fn, 'int4'), qr/^\d+$/,
	'a fast-path call of an unchecked built-in works for a domain role');
# PostgreSQL unchanged for work that touches no domain
is(fastpath('outsider', $nextval, 'int8', $seq{'public.outsider_s'}), '1',
	'a non-domain role calls nextval through the fast path as in PostgreSQL');

$node->safe_psql('postgres', 'SELECT tec_audit_flush()');
is($node->safe_psql('postgres', qq{
	SELECT count(*) FROM tec_sovereignty.audit_log
	 WHERE seq > $mark AND decision = 'denied' AND session_user_name = 'life_app'}),
	'2', 'both fast-path refusals are in the audit trail');

$node->stop;
done_testing();
