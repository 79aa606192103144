# TsovMove: what the TAP tests of moves share (043, 044, 047, 048).
#
# move_cluster(NAME): a started cluster for a move, wal_level = logical,
# the library preloaded, the extension created in database postgres.
#
# $ROLES_Q, $MEMBERS_Q: the roles of domain "life" with their OIDs, and
# their members, one line each (roles are cluster-wide: any database).
#
# start_writer(NODE, DB, USER, TMP): a member writing to domain "life" in
# DB, one transaction per connection, an update of Portfolio and an insert
# into life.ledger; the insert's n is printed to TMP/ok.log only when it
# committed, errors go to TMP/err.log.  Returns once it has written 20
# rows.  stop_writer(WRITER, TMP) stops it and returns the acknowledged
# n (array ref) and the ERROR lines (array ref).
#
# start_pgbench_writer(NODE, DB, USER, TMP): the same writes from a pgbench
# custom script (TMP/writer.pgbench), two clients, each transaction an
# update of Portfolio, an insert into Investment (symbol 'W', quantity n)
# and one into life.ledger, where n comes from a counter shared by the
# clients (a file under flock); n is printed to
# TMP/ok.log by \shell after the COMMIT, so only when it committed.
# pgbench ends a client at its first error: the loop starts it again
# until stop_writer(), and its error lines go to TMP/err.log.
package TsovMove;
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Exporter 'import';
our @EXPORT = qw(move_cluster start_writer start_pgbench_writer stop_writer $ROLES_Q $MEMBERS_Q);

our $ROLES_Q = q{SELECT string_agg(rolname || '=' || oid, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'life\_%'};
our $MEMBERS_Q = q{SELECT string_agg(m.rolname || '>' || r.rolname, ',' ORDER BY 1) FROM pg_auth_members a
	JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE r.rolname LIKE 'life\_%'};

my @writers;

sub move_cluster
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => 'logical');
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
	return $node;
}

sub start_writer
{
	my ($node, $db, $user, $tmp) = @_;
	my $stop = "$tmp/stop";
	my $psql = 'psql -XAtq -h ' . $node->host . ' -p ' . $node->port . " -U $user -d $db";
	my $writer = IPC::Run::start(
		[ 'bash', '-c', qq{i=0; while [ ! -e $stop ] && [ -d $tmp ]; do i=\$((i+1));
			$psql -c "WITH u AS (UPDATE life.\\"Portfolio\\" SET \\"totalValue\\" = \\"totalValue\\" + 1 WHERE \\"userId\\" = 'u' || (\$i % 100))
				INSERT INTO life.ledger (n) SELECT \$i RETURNING 'ok ' || n" >> $tmp/ok.log 2>> $tmp/err.log; done} ]);
	push @writers, $writer;
	$node->poll_query_until($db, 'SELECT count(*) >= 20 FROM life.ledger') or die 'the writer does not write';
	return $writer;
}

sub start_pgbench_writer
{
	my ($node, $db, $user, $tmp) = @_;
	my $stop = "$tmp/stop";
	open(my $c, '>', "$tmp/next.sh") or die "could not write the counter script: $!";
	print $c <<"EOS";
exec 9> $tmp/counter.lock
flock 9
n=\$(( \$(cat $tmp/counter 2>/dev/null || echo 0) + 1 ))
echo \$n > $tmp/counter
echo \$n
EOS
	close($c);
	open(my $f, '>', "$tmp/writer.pgbench") or die "could not write the pgbench script: $!";
	print $f <<"EOS";
\\setshell i bash $tmp/next.sh
BEGIN;
UPDATE life."Portfolio" SET "totalValue" = "totalValue" + 1 WHERE "userId" = 'u' || (:i % 100);
INSERT INTO life."Investment" ("portfolioId", symbol, name, quantity) VALUES ('p' || (:i % 80000 + 1), 'W', 'written during the move', :i);
INSERT INTO life.ledger (n) VALUES (:i);
COMMIT;
\\shell echo ok :i >> $tmp/ok.log
EOS
	close($f);
	my $pgbench = 'pgbench -n -c 2 -T 5 -h ' . $node->host . ' -p ' . $node->port . " -U $user -f $tmp/writer.pgbench $db";
	my $writer = IPC::Run::start(
		[ 'bash', '-c', qq{while [ ! -e $stop ] && [ -d $tmp ]; do $pgbench > /dev/null 2>> $tmp/err.log; done} ]);
	push @writers, $writer;
	$node->poll_query_until($db, 'SELECT count(*) >= 20 FROM life.ledger') or die 'the writer does not write';
	return $writer;
}

sub stop_writer
{
	my ($writer, $tmp) = @_;
	IPC::Run::run([ 'touch', "$tmp/stop" ]);
	$writer->finish;
	my @ok = map { /^ok (\d+)$/ ? $1 : () } split /\n/, slurp_file("$tmp/ok.log");
	my @errors = grep { /ERROR/ } split /\n/, slurp_file("$tmp/err.log");
	return (\@ok, \@errors);
}

# A test that dies must not leave a writer looping.
END { $_->kill_kill for grep { $_->pumpable } @writers; }

1;
