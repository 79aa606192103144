/*-------------------------------------------------------------------------
 *
 * tec_export.c
 *	  tec_export: a small libpq client that runs tec_export_domain() and
 *	  writes its script to a file or to stdout while the values arrive.
 *
 * The file it writes is byte for byte the one
 *		psql -XAt -c "SELECT tec_export_domain('life')" > life.sql
 * writes (each value of the function followed by a newline, a null as an
 * empty line; client_encoding chosen the way psql chooses it), so the
 * in-server checksum of tec_complete_transfer() holds for it too.  Unlike
 * psql, which keeps the whole result in memory before it prints the first
 * line (1.1 GB for a 5M-row domain), the query runs in libpq's single-row
 * mode: each value (the server cuts the data into values of about 1 MB) is
 * written out and freed before the next is read, so the client's memory is
 * bounded by the largest value plus one output buffer, whatever the size
 * of the domain.
 *
 * With -f FILE the script goes to a temporary file next to FILE (mode
 * 0600: an export is a whole domain's data), which is flushed to disk and
 * renamed to FILE only once the server has committed the export (its audit
 * row EXPORT is written at commit).  A failed or interrupted export never
 * leaves a FILE that looks complete; an existing FILE stays as it was.
 *
 * Exit status, as psql's: 0 done; 1 a local error (options, the output
 * file); 2 the connection failed or was lost; 3 the server refused or
 * failed the export (its message, SQLSTATE, detail and hint are printed).
 *
 * IDENTIFICATION
 *	  src/client/tec_export/tec_export.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"

#include "tec_export.h"

/* stdio buffer of the output: large writes, fewer system calls */
#define OUTPUT_BUFFER_SIZE	(1024 * 1024)

const char *progname = "tec_export";

/*
 * The temporary file while it is being written; the signal handler removes
 * it.  Set before the file exists and cleared once it is renamed.
 */
static char *volatile temp_path = NULL;


static void
usage(void)
{
	printf("%s streams the export of a tec_sovereignty domain to a file.\n\n", progname);
	printf("The file is the psql script that tec_export_domain() returns, byte for byte what\n"
		   "  psql -XAt -c \"SELECT tec_export_domain('DOMAIN')\" > FILE\n"
		   "writes, in constant client memory.  Import it with\n"
		   "  psql -X -v ON_ERROR_STOP=1 -d NEWDB -f FILE\n\n");
	printf("Usage:\n  %s [OPTION]... DOMAIN\n", progname);
	printf("  %s --import [-j N] [CONNECTION OPTION]... FILE\n\n", progname);
	printf("Options:\n");
	printf("  -f, --file=FILE          output file (default: stdout); written to a temporary\n"
		   "                           file renamed to FILE only when the export is complete\n");
	printf("      --no-data            the objects only, no table rows (with_data => false)\n");
	printf("      --with-audit         append the domain's audit trail (with_audit => true)\n");
	printf("      --no-sync            do not wait for FILE to be written safely to disk\n");
	printf("      --stats              print values, bytes, seconds and peak memory to stderr\n");
	printf("      --import             import FILE (a script this program or psql wrote) into\n"
		   "                           the database; with -j N > 1 the data and then the indexes\n"
		   "                           and constraints load over N connections\n");
	printf("  -j, --jobs=N             connections of an import (default 1: one transaction,\n"
		   "                           as psql -1 -f FILE)\n");
	printf("  -V, --version            output version information, then exit\n");
	printf("  -?, --help               show this help, then exit\n");
	printf("\nConnection options:\n");
	printf("  -d, --dbname=DBNAME      database to connect to (a name or a connection string)\n");
	printf("  -h, --host=HOSTNAME      database server host or socket directory\n");
	printf("  -p, --port=PORT          database server port number\n");
	printf("  -U, --username=NAME      connect as specified database user\n");
	printf("  -w, --no-password        never prompt for password\n");
	printf("\nThe user must be a superuser, or a member of the domain's owner role granted\n"
		   "EXECUTE on tec_export_domain.  A password comes from PGPASSWORD or ~/.pgpass.\n");
	printf("\nExit status: 0 done, 1 local error, 2 connection failed, 3 the export failed\n"
		   "in the server.\n");
}

void
fail_local(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (temp_path != NULL)
		(void) unlink(temp_path);
	exit(EXIT_LOCAL);
}

/* SIGINT, SIGTERM, SIGHUP, SIGPIPE: no half-written temporary file stays */
static void
on_signal(int signo)
{
	char	   *path = temp_path;

	if (path != NULL)
		(void) unlink(path);
	signal(signo, SIG_DFL);
	raise(signo);
}

/*
 * A server error as psql prints it with VERBOSITY verbose, without the
 * server's source location: severity, SQLSTATE, message, then detail,
 * hint and context when the server sent them.
 */
void
print_server_error(const PGresult *res, const char *what, const char *domain)
{
	static const struct
	{
		int			field;
		const char *label;
	}			extra[] = {
		{PG_DIAG_MESSAGE_DETAIL, "DETAIL"},
		{PG_DIAG_MESSAGE_HINT, "HINT"},
		{PG_DIAG_CONTEXT, "CONTEXT"},
	};
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	fprintf(stderr, "%s: error: %s of domain \"%s\" failed\n", progname, what, domain);
	if (primary == NULL)
	{
		/* an error libpq made itself (e.g. out of memory): its own text */
		fprintf(stderr, "%s", PQresultErrorMessage(res));
		return;
	}
	fprintf(stderr, "%s:  %s: %s\n", severity ? severity : "ERROR",
			sqlstate ? sqlstate : "XX000", primary);
	for (int i = 0; i < lengthof(extra); i++)
	{
		const char *v = PQresultErrorField(res, extra[i].field);

		if (v != NULL)
			fprintf(stderr, "%s:  %s\n", extra[i].label, v);
	}
}

static void
parse_options(int argc, char **argv, ExportOptions *opt)
{
	static const struct option long_options[] = {
		{"file", required_argument, NULL, 'f'},
		{"dbname", required_argument, NULL, 'd'},
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"no-password", no_argument, NULL, 'w'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, '?'},
		{"no-data", no_argument, NULL, 1},
		{"with-audit", no_argument, NULL, 2},
		{"no-sync", no_argument, NULL, 3},
		{"stats", no_argument, NULL, 4},
		{"import", no_argument, NULL, 5},
		{"jobs", required_argument, NULL, 'j'},
		{NULL, 0, NULL, 0}
	};
	int			c;

	memset(opt, 0, sizeof(*opt));
	opt->with_data = true;
	opt->do_sync = true;
	opt->jobs = 1;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0))
	{
		usage();
		exit(0);
	}
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
	{
		printf("%s (tec_sovereignty) 1.0, libpq %d\n", progname, PQlibVersion());
		exit(0);
	}

	while ((c = getopt_long(argc, argv, "f:d:h:p:U:j:wV?", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'f':
				opt->file = optarg;
				break;
			case 'd':
				opt->dbname = optarg;
				break;
			case 'h':
				opt->host = optarg;
				break;
			case 'p':
				opt->port = optarg;
				break;
			case 'U':
				opt->user = optarg;
				break;
			case 'w':
				opt->no_password = true;
				break;
			case 'V':
				printf("%s (tec_sovereignty) 1.0, libpq %d\n", progname, PQlibVersion());
				exit(0);
			case 1:
				opt->with_data = false;
				break;
			case 2:
				opt->with_audit = true;
				break;
			case 3:
				opt->do_sync = false;
				break;
			case 4:
				opt->stats = true;
				break;
			case 5:
				opt->import = true;
				break;
			case 'j':
				{
					char	   *end;
					long		n = strtol(optarg, &end, 10);

					if (*optarg == '\0' || *end != '\0' || n < 1 || n > 64)
						fail_local("-j/--jobs must be a number from 1 to 64, not \"%s\"", optarg);
					opt->jobs = (int) n;
				}
				break;
			default:
				/* -? and --help come first, as in PostgreSQL's programs */
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				exit(EXIT_LOCAL);
		}
	}
	if (optind >= argc)
	{
		fprintf(stderr, "%s: error: no %s given\n", progname, opt->import ? "file" : "domain");
		fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
		exit(EXIT_LOCAL);
	}
	opt->domain = argv[optind++];
	if (optind < argc)
	{
		fprintf(stderr, "%s: error: too many command-line arguments (first is \"%s\")\n",
				progname, argv[optind]);
		fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
		exit(EXIT_LOCAL);
	}
	if (opt->domain[0] == '\0')
		fail_local("the %s must not be empty", opt->import ? "file name" : "domain name");
	if (opt->import && (opt->file != NULL || !opt->with_data || opt->with_audit))
		fail_local("--import reads the FILE given as its argument: -f, --no-data and --with-audit are for an export");
	if (!opt->import && opt->jobs != 1)
		fail_local("-j/--jobs is for --import");
}

/*
 * Connect like psql: the dbname may be a conninfo string, other settings
 * fill in what it leaves open, and client_encoding is "auto" (from the
 * locale) unless PGCLIENTENCODING names one: the same bytes psql receives.
 */
PGconn *
connect_server(const ExportOptions *opt)
{
	const char *keywords[8];
	const char *values[8];
	int			n = 0;
	PGconn	   *conn;

	keywords[n] = "host";
	values[n++] = opt->host;
	keywords[n] = "port";
	values[n++] = opt->port;
	keywords[n] = "user";
	values[n++] = opt->user;
	keywords[n] = "dbname";
	values[n++] = opt->dbname;
	keywords[n] = "fallback_application_name";
	values[n++] = progname;
	keywords[n] = "client_encoding";
	values[n++] = getenv("PGCLIENTENCODING") ? NULL : "auto";
	keywords[n] = NULL;
	values[n] = NULL;
	Assert(n < lengthof(keywords));

	conn = PQconnectdbParams(keywords, values, true);
	if (conn == NULL)
	{
		fprintf(stderr, "%s: error: out of memory\n", progname);
		exit(EXIT_LOCAL);
	}
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "%s: error: %s", progname, PQerrorMessage(conn));
		if (PQconnectionNeedsPassword(conn))
			fprintf(stderr, "HINT:  Set PGPASSWORD or add the password to ~/.pgpass%s.\n",
					opt->no_password ? "" : " (tec_export does not prompt)");
		PQfinish(conn);
		exit(EXIT_CONNECTION);
	}
	return conn;
}

/* The output: stdout, or a temporary file next to opt->file. */
static FILE *
open_output(const ExportOptions *opt)
{
	FILE	   *out;
	char	   *path;
	int			fd;

	if (opt->file == NULL)
		out = stdout;
	else
	{
		path = malloc(strlen(opt->file) + 32);
		if (path == NULL)
			fail_local("out of memory");
		sprintf(path, "%s.tec_export.XXXXXX", opt->file);
		temp_path = path;
		fd = mkstemp(path);
		if (fd < 0)
		{
			temp_path = NULL;
			fail_local("could not create a temporary file next to \"%s\": %m", opt->file);
		}
		out = fdopen(fd, "w");
		if (out == NULL)
			fail_local("could not open \"%s\": %m", path);
	}
	if (setvbuf(out, NULL, _IOFBF, OUTPUT_BUFFER_SIZE) != 0)
		fail_local("could not set up the output buffer");
	return out;
}

/* fsync the directory holding path, so that a rename in it is durable */
static void
sync_parent_dir(const char *path)
{
	char	   *dir = strdup(path);
	char	   *slash;
	int			fd;

	if (dir == NULL)
		fail_local("out of memory");
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY);
	if (fd < 0 || fsync(fd) != 0)
		fail_local("could not fsync directory \"%s\": %m", dir);
	close(fd);
	free(dir);
}

/* The export is complete: flush, sync and put the file in place. */
static void
close_output(FILE *out, const ExportOptions *opt)
{
	if (fflush(out) != 0)
		fail_local("could not write to %s: %m", opt->file ? opt->file : "stdout");
	if (opt->file == NULL)
		return;
	Assert(temp_path != NULL);
	if (opt->do_sync && fsync(fileno(out)) != 0)
		fail_local("could not fsync \"%s\": %m", temp_path);
	if (fclose(out) != 0)
		fail_local("could not write to \"%s\": %m", temp_path);
	if (rename(temp_path, opt->file) != 0)
		fail_local("could not rename \"%s\" to \"%s\": %m", temp_path, opt->file);
	free(temp_path);
	temp_path = NULL;
	if (opt->do_sync)
		sync_parent_dir(opt->file);
}

int
main(int argc, char **argv)
{
	ExportOptions opt;
	PGconn	   *conn;
	PGresult   *res;
	PGresult   *failure = NULL;
	FILE	   *out;
	const char *params[3];
	bool		completed = false;
	long long	nvalues = 0;
	long long	nbytes = 0;
	struct timespec t0,
				t1;

	parse_options(argc, argv, &opt);
	if (opt.import)
		return run_import(&opt);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, on_signal);

	conn = connect_server(&opt);
	out = open_output(&opt);

	params[0] = opt.domain;
	params[1] = opt.with_data ? "true" : "false";
	params[2] = opt.with_audit ? "true" : "false";
	if (!PQsendQueryParams(conn,
						   "SELECT pg_catalog.tec_export_domain($1::pg_catalog.text, "
						   "$2::pg_catalog.bool, $3::pg_catalog.bool)",
						   3, NULL, params, NULL, NULL, 0) ||
		!PQsetSingleRowMode(conn))
	{
		fprintf(stderr, "%s: error: could not send the export query: %s",
				progname, PQerrorMessage(conn));
		if (temp_path != NULL)
			(void) unlink(temp_path);
		exit(PQstatus(conn) == CONNECTION_BAD ? EXIT_CONNECTION : EXIT_SERVER);
	}

	/*
	 * One result per value, then PGRES_TUPLES_OK once the statement and its
	 * implicit transaction have ended (the commit writes the audit row
	 * EXPORT: an error there comes as the last result), then NULL.
	 */
	while ((res = PQgetResult(conn)) != NULL)
	{
		switch (PQresultStatus(res))
		{
			case PGRES_SINGLE_TUPLE:
				if (failure == NULL)
				{
					int			len = PQgetlength(res, 0, 0);

					Assert(PQnfields(res) == 1 && PQntuples(res) == 1);
					if (!PQgetisnull(res, 0, 0) &&
						fwrite(PQgetvalue(res, 0, 0), 1, len, out) != (size_t) len)
						fail_local("could not write to %s: %m", opt.file ? opt.file : "stdout");
					if (putc('\n', out) == EOF)
						fail_local("could not write to %s: %m", opt.file ? opt.file : "stdout");
					nvalues++;
					nbytes += len + 1;
				}
				PQclear(res);
				break;
			case PGRES_TUPLES_OK:
				/* the end of a statement that succeeded */
				completed = (failure == NULL);
				PQclear(res);
				break;
			default:
				if (failure == NULL)
					failure = res;
				else
					PQclear(res);
				completed = false;
				break;
		}
	}

	if (!completed || failure != NULL)
	{
		bool		lost = PQstatus(conn) == CONNECTION_BAD;

		if (temp_path != NULL)
			(void) unlink(temp_path);
		if (failure != NULL)
			print_server_error(failure, "export", opt.domain);
		else
			fprintf(stderr, "%s: error: export of domain \"%s\" failed: %s",
					progname, opt.domain, PQerrorMessage(conn));
		if (lost)
			fprintf(stderr, "%s: error: the connection to the server was lost\n", progname);
		PQfinish(conn);
		exit(lost ? EXIT_CONNECTION : EXIT_SERVER);
	}
	PQfinish(conn);
	close_output(out, &opt);

	if (opt.stats)
	{
		struct rusage ru;
		double		secs;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "%s: %lld values, %lld bytes in %.3f s (%.1f MB/s), peak memory %ld kB\n",
				progname, nvalues, nbytes, secs,
				secs > 0 ? nbytes / 1048576.0 / secs : 0.0, ru.ru_maxrss);
	}
	return 0;
}
