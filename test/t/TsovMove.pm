# TsovMove: what the TAP tests of moves share (043, 044, 047).
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
package TsovMove;
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Exporter 'import';
our @EXPORT = qw(start_writer stop_writer $ROLES_Q $MEMBERS_Q);

our $ROLES_Q = q{SELECT string_agg(rolname || '=' || oid, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'life\_%'};
our $MEMBERS_Q = q{SELECT string_agg(m.rolname || '>' || r.rolname, ',' ORDER BY 1) FROM pg_auth_members a
	JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE r.rolname LIKE 'life\_%'};

my @writers;

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
