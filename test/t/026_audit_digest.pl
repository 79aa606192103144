# test/t/026_audit_digest.pl
#
# Signed digests (issue 16): tec_audit_digest() signs each chain's head
# with the domain's own Ed25519 key (from the file that
# tec_sovereignty.audit_signing_key names), and tec_audit_verify(domain,
# digests) finds what a hash chain alone cannot:
#   - the key file: refused when unset, group/world readable or malformed;
#     the key never appears in an error or in SQL;
#   - digests of the intact trail verify; a digest changed after signing,
#     or one of another domain than the one asked for, is refused;
#   - offline (server started without the library, the only way past the
#     append-only guard), for one domain the last rows are deleted and the
#     chain head rewritten, for another the whole chain is rewritten
#     self-consistently from its second row on (hashes recomputed in SQL
#     from the documented encoding): tec_audit_verify() alone finds
#     neither, with the digests kept before it finds both;
#   - a domain left alone still verifies with its digest;
#   - per-domain keys: each domain's digest has its own key id, and a
#     server holding only one domain's public key ("verify" line, as
#     tec_audit_public_key() prints it) checks that domain's digests and
#     refuses another domain's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Digest::SHA qw(hmac_sha256);

my $node = PostgreSQL::Test::Cluster->new('audit_digest');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
my $tmp = PostgreSQL::Test::Utils::tempdir;

my @domains = qw(d_ok d_trunc d_rewrite);
for my $d (@domains)
{
	$node->safe_psql('postgres', "SELECT tec_create_domain('$d')");
	$node->safe_psql('postgres', "SELECT tec_audit_note('$d', 'N$_', 'note $_')") for 1 .. 4;
}
$node->safe_psql('postgres', 'SELECT tec_audit_flush()');

sub fails_with
{
	my ($sql, $re, $name) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', $sql);
	ok($rc != 0 && $err =~ $re, $name) or diag("rc=$rc out=$out err=$err");
	return $err;
}

# --- the key file ---
fails_with('SELECT tec_audit_digest()', qr/no audit signing key is configured/, 'no key file: digest refused');
my $master = join '', map { sprintf '%02x', int(rand(256)) } 1 .. 32;
my $keyfile = "$tmp/audit.key";
open my $fh, '>', $keyfile or die;
print $fh "# audit signing key\nsigning $master\n";
close $fh;
chmod 0644, $keyfile;
$node->append_conf('postgresql.conf', "tec_sovereignty.audit_signing_key = '$keyfile'\n");
$node->reload;
my $err = fails_with('SELECT tec_audit_digest()', qr/readable by others than the server's OS user/,
	'a key file with mode 0644 is refused');
like($err, qr/HINT:.*0600/, 'and the hint says how to fix it');
unlike($err, qr/$master/, 'the error does not show the key');
$node->safe_psql('postgres', 'CREATE ROLE regress_auditor LOGIN IN ROLE tec_auditor');
$err = fails_with('SET ROLE regress_auditor; SELECT tec_audit_digest()', qr/readable by others than the server's OS user/,
	'an auditor gets the same refusal');
unlike($err, qr/\Q$keyfile\E/, 'without the path of the superuser-only setting');
chmod 0600, $keyfile;
$node->safe_psql('postgres', 'CREATE ROLE regress_nobody LOGIN');
my ($rc, $out, $e2) = $node->psql('postgres', 'SET ROLE regress_nobody; SHOW tec_sovereignty.audit_signing_key');
ok($rc != 0, 'a non-superuser cannot even see which file holds the key');

my @dig = split /\n/, $node->safe_psql('postgres', 'SELECT tec_audit_digest() ORDER BY 1::text');
my %dig = map { my $j = decode_json($_); $j->{domain} => $_ } @dig;
ok(exists $dig{$_}, "a digest for $_") for @domains;
my $j = decode_json($dig{d_trunc});
is($j->{algorithm}, 'ed25519', 'signed with Ed25519');
is($j->{seq}, $node->safe_psql('postgres', q{SELECT last_seq FROM tec_sovereignty.audit_chain WHERE chain_domain = 'd_trunc'}),
	'the digest names the head position');
is($j->{hash}, $node->safe_psql('postgres', q{SELECT encode(last_hash, 'hex') FROM tec_sovereignty.audit_chain WHERE chain_domain = 'd_trunc'}),
	'and the head hash');
is($j->{system_identifier}, $node->safe_psql('postgres', 'SELECT system_identifier FROM pg_control_system()'),
	'and the system identifier');
ok($j->{database} eq 'postgres' && $j->{time} && $j->{key_id} && length($j->{signature}) == 128,
	'database, time, key id and signature are there');
isnt(decode_json($dig{d_ok})->{key_id}, $j->{key_id}, 'each domain signs with its own key');
unlike(join('', @dig), qr/$master/, 'no digest shows the key');

sub lit { my $s = shift; $s =~ s/'/''/g; return "'$s'" }

# --- provable outside the database: the documented key derivation and
# signed message, checked with the openssl command-line tool alone ---
sub offline_check
{
	my ($json) = @_;
	my $d = decode_json($json);
	my $str = sub { my $v = shift; return pack('Q>', length($v)) . $v };
	my $us = sub {
		my $t = shift;
		return $node->safe_psql('postgres', "SELECT ((extract(epoch FROM '$t'::timestamptz) - 946684800) * 1000000)::bigint");
	};
	my $seed = hmac_sha256("tec_sovereignty domain key v1\0" . $d->{domain}, pack('H*', $master));
	my $der = pack('H*', '302e020100300506032b657004220420') . $seed;
	my $msg = "tec_sovereignty digest v1\0" . $str->($d->{domain}) . $str->($d->{origin})
	  . pack('Q>', $d->{seq}) . pack('H*', $d->{hash})
	  . (defined $d->{time} ? pack('Q>', $us->($d->{time})) : "\xff" x 8)
	  . $str->($d->{database}) . $str->($d->{system_identifier})
	  . pack('Q>', $us->($d->{signed_at})) . $str->($d->{key_id});
	my %f = (priv => $der, msg => $msg, sig => pack('H*', $d->{signature}));
	for my $k (keys %f)
	{
		open my $o, '>:raw', "$tmp/offline.$k" or die;
		print $o $f{$k};
		close $o;
	}
	system('openssl', 'pkey', '-inform', 'DER', '-in', "$tmp/offline.priv", '-pubout', '-out', "$tmp/offline.pub") == 0
	  or return 'openssl pkey failed';
	my $pubder = `openssl pkey -pubin -in $tmp/offline.pub -outform DER`;
	my $rc = system("openssl pkeyutl -verify -pubin -inkey $tmp/offline.pub -rawin -in $tmp/offline.msg -sigfile $tmp/offline.sig >/dev/null 2>&1");
	return ($rc == 0 ? 'verified' : 'not verified') . ' ' . unpack('H*', substr($pubder, -32));
}
my $all = '[' . join(',', @dig) . ']';
my ($pubhex) = $node->safe_psql('postgres', q{SELECT tec_audit_public_key('d_trunc')}) =~ /([0-9a-f]{64})$/;
is(offline_check($dig{d_trunc}), "verified $pubhex",
	'outside the database, openssl verifies the digest with the key derived as documented');
(my $bent = $dig{d_trunc}) =~ s/"seq": (\d+)/'"seq": ' . ($1 + 1)/e;
is(offline_check($bent), "not verified $pubhex", 'and refuses a changed digest');
is($node->safe_psql('postgres', "SELECT string_agg(domain || ':' || ok, ',' ORDER BY domain) FROM tec_audit_verify(NULL, ${\lit($all)}) WHERE domain LIKE 'd\\_%'"),
	'd_ok:true,d_rewrite:true,d_trunc:true', 'the intact trail verifies with its digests');

# a digest changed after it was signed: refused
(my $forged = $dig{d_trunc}) =~ s/"seq": (\d+)/'"seq": ' . ($1 - 1)/e;
fails_with("SELECT * FROM tec_audit_verify('d_trunc', ${\lit($forged)})", qr/has an invalid signature/,
	'a digest with a changed position is refused');
($forged = $dig{d_trunc}) =~ s/"hash": "(.)/'"hash": "' . ($1 eq 'a' ? 'b' : 'a')/e;
fails_with("SELECT * FROM tec_audit_verify('d_trunc', ${\lit($forged)})", qr/has an invalid signature/,
	'a digest with a changed hash is refused');
fails_with("SELECT * FROM tec_audit_verify('d_ok', ${\lit($dig{d_trunc})})", qr/is of domain "d_trunc", not of "d_ok"/,
	'a digest of another domain is refused');
fails_with(q{SELECT * FROM tec_audit_verify('d_ok', '{"format": "x"}')}, qr/malformed audit digest/,
	'a malformed digest is refused');

# --- retention: purge, then what remains verifies, with and without digests ---
for my $d (qw(r_ret r_ret2))
{
	$node->safe_psql('postgres', "SELECT tec_create_domain('$d')");
	$node->safe_psql('postgres', "SELECT tec_audit_note('$d', 'N$_', 'note $_')") for 1 .. 4;
}
$node->safe_psql('postgres', 'SELECT tec_audit_flush()');
my $before_purge = $node->safe_psql('postgres', q{SELECT tec_audit_digest('r_ret')});
$node->safe_psql('postgres', "SELECT tec_set_audit_retention('$_', '1 millisecond')") for qw(r_ret r_ret2);
$node->safe_psql('postgres', 'SELECT pg_sleep(0.1)');
ok($node->safe_psql('postgres', 'SELECT tec_audit_purge()') >= 12, 'tec_audit_purge() removes the old rows of both domains');
$node->safe_psql('postgres', "SELECT tec_set_audit_retention('$_', NULL)") for qw(r_ret r_ret2);
$node->safe_psql('postgres', 'SELECT tec_audit_flush()');
is($node->safe_psql('postgres', q{SELECT string_agg(domain || ':' || ok, ',' ORDER BY domain) FROM tec_audit_verify() WHERE domain LIKE 'r\_%'}),
	'r_ret:true,r_ret2:true', 'after the purge the rest verifies');
like($node->safe_psql('postgres', "SELECT ok || ' ' || reason FROM tec_audit_verify('r_ret', ${\lit($before_purge)})"),
	qr/^false .*every digest given precedes its purge anchor/, 'a digest older than the purge checks nothing, and says so');
my $after_purge = $node->safe_psql('postgres', q{SELECT tec_audit_digest('r_ret')});
is($node->safe_psql('postgres', "SELECT ok FROM tec_audit_verify('r_ret', ${\lit($after_purge)})"), 't',
	'a digest taken after the purge verifies');
my $ret_pos = decode_json($after_purge)->{seq};

# more rows after the digests were taken
$node->safe_psql('postgres', "SELECT tec_audit_note('$_', 'LATER', 'after the digest')") for @domains, qw(r_ret r_ret2);
$node->safe_psql('postgres', 'SELECT tec_audit_flush()');
my $pos = decode_json($dig{d_trunc})->{seq};

# --- offline tampering, without the library ---
$node->stop;
$node->append_conf('postgresql.conf', "shared_preload_libraries = ''\n");
$node->start;
$node->safe_psql('postgres', qq{
DELETE FROM tec_sovereignty.audit_log WHERE chain_domain = 'd_trunc' AND chain_seq >= $pos;
UPDATE tec_sovereignty.audit_chain SET last_seq = $pos - 1,
	last_hash = (SELECT row_hash FROM tec_sovereignty.audit_log WHERE chain_domain = 'd_trunc' AND chain_seq = $pos - 1)
 WHERE chain_domain = 'd_trunc';
DELETE FROM tec_sovereignty.audit_log WHERE chain_domain = 'r_ret' AND chain_seq >= $ret_pos;
UPDATE tec_sovereignty.audit_chain SET last_seq = $ret_pos - 1,
	last_hash = (SELECT row_hash FROM tec_sovereignty.audit_log WHERE chain_domain = 'r_ret' AND chain_seq = $ret_pos - 1)
 WHERE chain_domain = 'r_ret';
UPDATE tec_sovereignty.audit_log SET reason = 'nothing happened'
 WHERE chain_domain = 'r_ret2' AND chain_seq = (SELECT max(chain_seq) FROM tec_sovereignty.audit_log WHERE chain_domain = 'r_ret2');
CREATE FUNCTION pg_temp.v(x bigint) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS
\$\$DECLARE r bytea := ''::bytea;
BEGIN
	LOOP
		IF x < 128 THEN
			RETURN r || set_byte('\\x00'::bytea, 0, x::int);
		END IF;
		r := r || set_byte('\\x00'::bytea, 0, ((x & 127) | 128)::int);
		x := x >> 7;
	END LOOP;
END\$\$;
CREATE FUNCTION pg_temp.s(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS
\$\$SELECT CASE WHEN t IS NULL THEN '\\x00'::bytea
			  ELSE pg_temp.v(octet_length(t)::bigint + 1) || convert_to(t, current_setting('server_encoding')) END\$\$;
CREATE FUNCTION pg_temp.h(l tec_sovereignty.audit_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS
\$\$SELECT sha256(convert_to('tsov audit v2', 'SQL_ASCII') || '\\x00'::bytea
	|| pg_temp.s(l.chain_domain) || pg_temp.s(l.chain_origin) || pg_temp.v(l.chain_seq) || l.prev_hash
	|| int8send(((extract(epoch FROM l.logged_at) - 946684800) * 1000000)::bigint)
	|| pg_temp.v(COALESCE(l.xid::text::bigint, 0)) || pg_temp.v(l.pid::bigint) || pg_temp.v(COALESCE(l.object_oid::bigint, 0))
	|| pg_temp.s(l.decision) || pg_temp.s(l.action) || pg_temp.s(l.actor_domain)
	|| pg_temp.s(l.object_domain) || pg_temp.s(l.object_schema) || pg_temp.s(l.object_name)
	|| pg_temp.s(l.reason) || pg_temp.s(l.via_api) || pg_temp.s(l.client_addr)
	|| pg_temp.s(l.application_name) || pg_temp.s(l.statement)
	|| pg_temp.s(l.session_user_name) || pg_temp.s(l.effective_user_name))\$\$;
DO \$\$
DECLARE
	r tec_sovereignty.audit_log;
	prev bytea;
BEGIN
	FOR r IN SELECT * FROM tec_sovereignty.audit_log WHERE chain_domain = 'd_rewrite' ORDER BY chain_seq LOOP
		IF r.chain_seq = 2 THEN r.reason := 'nothing happened'; END IF;
		IF prev IS NOT NULL THEN r.prev_hash := prev; END IF;
		r.row_hash := pg_temp.h(r);
		UPDATE tec_sovereignty.audit_log SET reason = r.reason, prev_hash = r.prev_hash, row_hash = r.row_hash
		 WHERE seq = r.seq;
		prev := r.row_hash;
	END LOOP;
	UPDATE tec_sovereignty.audit_chain SET last_hash = prev WHERE chain_domain = 'd_rewrite';
END
\$\$;
});
$node->stop;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\n");
$node->start;

is($node->safe_psql('postgres', q{SELECT string_agg(domain || ':' || ok, ',' ORDER BY domain) FROM tec_audit_verify() WHERE domain LIKE 'd\_%'}),
	'd_ok:true,d_rewrite:true,d_trunc:true',
	'without digests neither the cut tail with a rewritten head nor the rewritten chain is found (the limit of a hash chain)');
my $res = $node->safe_psql('postgres', "SELECT domain, ok, COALESCE(reason, '-') FROM tec_audit_verify(NULL, ${\lit($all)}) WHERE domain LIKE 'd\\_%' ORDER BY domain");
note($res);
my %got = map { my @f = split /\|/; $f[0] => [ @f[ 1 .. 2 ] ] } split /\n/, $res;
is($got{d_ok}[0], 't', 'with digests: the untouched domain verifies');
is($got{d_trunc}[0], 'f', 'with digests: the cut tail with a rewritten head is found');
like($got{d_trunc}[1], qr/trail ends at chain position @{[ $pos - 1 ]} but a digest signed at .* records position $pos/,
	'and the reason names both positions');
is($got{d_rewrite}[0], 'f', 'with digests: the self-consistently rewritten chain is found');
like($got{d_rewrite}[1], qr/does not match the digest signed at/, 'and the reason says the history was rewritten');
is($node->safe_psql('postgres', "SELECT ok FROM tec_audit_verify('d_ok', ${\lit($dig{d_ok})})"), 't',
	'one digest, as an object, checks one domain');
is($node->safe_psql('postgres', q{SELECT string_agg(domain || ':' || ok, ',' ORDER BY domain) FROM tec_audit_verify() WHERE domain LIKE 'r\_%'}),
	'r_ret:true,r_ret2:false', 'after a purge a changed row is still found; a cut tail with a rewritten head is not, without a digest');
like($node->safe_psql('postgres', "SELECT ok || ' ' || reason FROM tec_audit_verify('r_ret', ${\lit($after_purge)})"),
	qr/^false .*records position $ret_pos/, 'with the digest taken after the purge the cut tail is found');

# --- per-domain keys: a server with one domain's public key only ---
my $publine = $node->safe_psql('postgres', q{SELECT tec_audit_public_key('d_ok')});
like($publine, qr/^verify d_ok [0-9a-f]{64}$/, 'tec_audit_public_key prints the verify line of a domain');
unlike($publine, qr/$master/, 'and not the seed');
my $buyer = PostgreSQL::Test::Cluster->new('audit_digest_buyer');
$buyer->init;
$buyer->append_conf('postgresql.conf', "shared_preload_libraries = 'tec_sovereignty'\nfsync = off\n");
my $bkey = "$tmp/buyer.key";
open $fh, '>', $bkey or die;
print $fh "$publine\n";
close $fh;
chmod 0600, $bkey;
$buyer->append_conf('postgresql.conf', "tec_sovereignty.audit_signing_key = '$bkey'\n");
$buyer->start;
$buyer->safe_psql('postgres', 'CREATE EXTENSION tec_sovereignty');
# the buyer's own trail has no chain d_ok: the digest's chain is missing there
like($buyer->safe_psql('postgres', "SELECT ok || ' ' || reason FROM tec_audit_verify(NULL, ${\lit($dig{d_ok})})"),
	qr/^false .*trail ends at chain position 0 but a digest/, 'the buyer checks the signature of d_ok with its public key alone');
($rc, $out, $e2) = $buyer->psql('postgres', "SELECT * FROM tec_audit_verify(NULL, ${\lit($dig{d_trunc})})");
ok($rc != 0 && $e2 =~ /signed with key .* which this server does not have/, 'and cannot check another domain\'s digest');
($rc, $out, $e2) = $buyer->psql('postgres', 'SELECT tec_audit_digest()');
ok($rc != 0 && $e2 =~ /has no signing key/, 'nor sign anything');
$buyer->stop;

$node->stop;
done_testing();
