/*-------------------------------------------------------------------------
 *
 * import.c
 *	  tec_export --import [-j N] FILE: run an export script against a
 *	  database, in one transaction (-j 1, what psql -1 -f FILE does) or over
 *	  N connections.
 *
 * The script (tec_export_domain()'s) has three parts: the schema (BEGIN,
 * settings, tec_create_domain, the objects without their indexes and
 * constraints), the data (one COPY ... FROM stdin block per table), and
 * the rest (keys, indexes, foreign keys, triggers, privileges, the audit
 * trail, COMMIT).  With -j N the client reads the file once, splitting it
 * into statements with a lexer that knows SQL's quoting (script.c), so
 * that nothing inside a function body or a comment string can pass for a
 * statement boundary; COPY blocks are remembered by their offsets only.
 * Then:
 *	 1. the schema part runs on the main connection and commits with the
 *		domain in state 'importing' (tec_sovereignty.import_parallel_begin);
 *	 2. the COPY blocks run on N worker connections, largest first;
 *	 3. the rest runs in script order: each run of consecutive index-like
 *		statements (CREATE INDEX, ALTER TABLE ONLY ... ADD CONSTRAINT
 *		... PRIMARY KEY / UNIQUE / EXCLUDE), and each run of ALTER TABLE
 *		ONLY ... ADD ... FOREIGN KEY, is spread over the workers and waited
 *		for; every other statement runs on the main connection; what
 *		follows the last such run, the audit trail included, runs in one
 *		transaction that ends with tec_sovereignty.import_parallel_end(),
 *		which makes the domain 'active'.
 * A failure anywhere after step 1, or SIGINT/SIGTERM, cancels the workers
 * and calls tec_import_abort(), which removes the domain, its objects and
 * the roles the import created; the database is as it was.  A client killed in
 * between leaves the domain 'importing' until a DBA calls
 * tec_import_abort().  A script whose shape is not the one above (no data,
 * a statement between COPY blocks, no domain creation) runs in one
 * transaction whatever -j says.
 *
 * Memory: the statements are kept (the DDL of a domain: kilobytes to a few
 * megabytes); the data is read from the file in 1 MB pieces by each
 * worker, so memory does not grow with the size of the domain.
 *
 * IDENTIFICATION
 *	  src/client/tec_export/import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"
#include "pqexpbuffer.h"

#include "tec_export.h"
#include "script.h"

/* ---- running statements ---- */

/* The first failure: reported once, the others are its consequences. */
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile bool failed = false;
static const char *domain_name = NULL;

/*
 * SIGINT and SIGTERM: cancel what every connection runs (PQcancel is safe
 * in a signal handler) and let the failure path undo the import; a second
 * signal ends the client at once, leaving the domain 'importing'.
 */
#define MAX_CONNS	(64 + 1)
static PGcancel *volatile cancels[MAX_CONNS];
static volatile sig_atomic_t ncancels = 0;
static volatile sig_atomic_t interrupted = 0;

static void
on_interrupt(int signo)
{
	char		err[256];

	interrupted = 1;
	for (int i = 0; i < ncancels; i++)
		(void) PQcancel(cancels[i], err, sizeof(err));
	signal(signo, SIG_DFL);
}

static void
watch_connection(PGconn *conn)
{
	PGcancel   *c = PQgetCancel(conn);

	if (c == NULL || ncancels >= MAX_CONNS)
		fail_local("could not prepare the cancellation of a connection");
	cancels[ncancels] = c;
	ncancels++;
}

static void
report_failure(PGconn *conn, const PGresult *res, const char *sql)
{
	pthread_mutex_lock(&fail_lock);
	if (!failed)
	{
		failed = true;
		if (res != NULL)
			print_server_error(res, "import", domain_name ? domain_name : "?");
		else
			fprintf(stderr, "%s: error: import failed: %s", progname, PQerrorMessage(conn));
		if (sql != NULL)
			fprintf(stderr, "%s: while running: %.200s%s\n", progname, sql, strlen(sql) > 200 ? "..." : "");
	}
	pthread_mutex_unlock(&fail_lock);
}

static void
report_interrupt(void)
{
	pthread_mutex_lock(&fail_lock);
	if (!failed)
	{
		failed = true;
		fprintf(stderr, "%s: import of domain \"%s\" interrupted\n", progname, domain_name ? domain_name : "?");
	}
	pthread_mutex_unlock(&fail_lock);
}

/*
 * Run one statement; false (reported) on failure.  A deadlock is retried:
 * foreign keys added side by side lock both their tables, and two that
 * point at each other's tables can deadlock; the one PostgreSQL cancels
 * runs again once the other is done.
 */
static bool
run_sql(PGconn *conn, const char *sql)
{
	if (interrupted)
	{
		report_interrupt();
		return false;
	}
	for (int attempt = 1;; attempt++)
	{
		PGresult   *res = PQexec(conn, sql);
		ExecStatusType st = PQresultStatus(res);
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		bool		ok = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);

		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT)
		{
			/* a COPY the lexer did not take for one: never guess at its rows */
			PQclear(res);
			if (st == PGRES_COPY_IN)
				PQputCopyEnd(conn, "tec_export could not read the rows of this COPY");
			while ((res = PQgetResult(conn)) != NULL)
				PQclear(res);
			pthread_mutex_lock(&fail_lock);
			if (!failed)
				fprintf(stderr, "%s: error: the script runs a COPY of a form tec_export does not read: %.200s\n",
						progname, sql);
			failed = true;
			pthread_mutex_unlock(&fail_lock);
			return false;
		}
		if (!ok && attempt < 5 && !failed && state != NULL && strcmp(state, "40P01") == 0 &&
			PQtransactionStatus(conn) == PQTRANS_IDLE)
		{
			PQclear(res);
			continue;
		}
		if (!ok)
			report_failure(conn, res, sql);
		PQclear(res);
		return ok;
	}
}

/* A COPY block: the statement, then its rows read from the file. */
static bool
run_copy(PGconn *conn, const Script *s, const Item *it, int fd, char *buf)
{
	PGresult   *res;
	off_t		done = 0;
	bool		ok;

	if (interrupted)
	{
		report_interrupt();
		return false;
	}
	res = PQexec(conn, it->sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		report_failure(conn, res, it->sql);
		PQclear(res);
		return false;
	}
	PQclear(res);
	while (done < it->data_len && !failed && !interrupted)
	{
		size_t		want = Min((off_t) READ_CHUNK, it->data_len - done);
		ssize_t		got = pread(fd, buf, want, it->data_off + done);

		if (got <= 0)
		{
			PQputCopyEnd(conn, "the import could not read its file");
			fail_local("could not read \"%s\": %m", s->path);
		}
		if (PQputCopyData(conn, buf, (int) got) != 1)
			break;
		done += got;
	}
	PQputCopyEnd(conn, done < it->data_len ? "import cancelled" : NULL);
	ok = true;
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			report_failure(conn, res, it->sql);
			ok = false;
		}
		PQclear(res);
	}
	return ok && done == it->data_len;
}

/* ---- workers ---- */

typedef struct Worker
{
	PGconn	   *conn;
	PGcancel   *cancel;
	int			fd;				/* the script, for the rows */
	char	   *buf;
	pthread_t	thread;
} Worker;

typedef struct Batch
{
	const Script *s;
	int		   *jobs;			/* item numbers */
	int			njobs;
	int			next;
	pthread_mutex_t lock;
	Worker	   *workers;
	int			nworkers;
} Batch;

static Batch *current_batch;

static void
cancel_all(Batch *b)
{
	char		err[256];

	for (int i = 0; i < b->nworkers; i++)
		(void) PQcancel(b->workers[i].cancel, err, sizeof(err));
}

static void *
worker_main(void *arg)
{
	Worker	   *w = arg;
	Batch	   *b = current_batch;

	for (;;)
	{
		int			j;
		const Item *it;
		bool		ok;

		pthread_mutex_lock(&b->lock);
		j = (failed || b->next >= b->njobs) ? -1 : b->jobs[b->next++];
		pthread_mutex_unlock(&b->lock);
		if (j < 0)
			break;
		it = &b->s->items[j];
		ok = it->copy ? run_copy(w->conn, b->s, it, w->fd, w->buf) : run_sql(w->conn, it->sql);
		if (!ok)
		{
			cancel_all(b);
			break;
		}
	}
	return NULL;
}

/* Run jobs on the workers, each job once, and wait for all of them. */
static bool
run_batch(const Script *s, int *jobs, int njobs, Worker *workers, int nworkers)
{
	Batch		b;
	int			started = 0;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.jobs = jobs;
	b.njobs = njobs;
	b.workers = workers;
	b.nworkers = Min(nworkers, njobs);
	pthread_mutex_init(&b.lock, NULL);
	current_batch = &b;
	for (int i = 0; i < b.nworkers; i++, started++)
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
		{
			report_failure(workers[i].conn, NULL, NULL);
			break;
		}
	for (int i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_mutex_destroy(&b.lock);
	current_batch = NULL;
	return !failed;
}

/* ---- the plan ---- */

/* The session form of a setting of the script's first transaction. */
static char *
session_form(const char *sql)
{
	if (starts_with(sql, "SET LOCAL "))
		return psprintf("SET %s", sql + strlen("SET LOCAL "));
	return pg_strdup(sql);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int
by_size_desc(const void *a, const void *b, void *arg)
{
	const Script *s = arg;
	off_t		x = s->items[*(const int *) a].data_len;
	off_t		y = s->items[*(const int *) b].data_len;

	return x > y ? -1 : (x < y ? 1 : 0);
}

/* One transaction, in script order, as psql -1 -f would. */
static int
import_serial(PGconn *conn, const Script *s)
{
	int			fd = open(s->path, O_RDONLY);
	char	   *buf = pg_malloc(READ_CHUNK);

	if (fd < 0)
		fail_local("could not open \"%s\": %m", s->path);
	for (int i = 0; i < s->n; i++)
	{
		const Item *it = &s->items[i];

		if (!(it->copy ? run_copy(conn, s, it, fd, buf) : run_sql(conn, it->sql)))
			return PQstatus(conn) == CONNECTION_BAD ? EXIT_CONNECTION : EXIT_SERVER;
	}
	close(fd);
	free(buf);
	return 0;
}

/* The domain an export script creates: its tec_create_domain('x', ...) call. */
static char *
script_domain(const Script *s, int upto)
{
	for (int i = 0; i < upto; i++)
	{
		const char *p = s->items[i].sql;
		const char *q;

		if (!starts_with(p, "SELECT pg_catalog.tec_create_domain('"))
			continue;
		p += strlen("SELECT pg_catalog.tec_create_domain('");
		q = strchr(p, '\'');
		if (q == NULL || q == p || q - p >= NAMEDATALEN)
			return NULL;
		return pnstrdup(p, q - p);
	}
	return NULL;
}

int
run_import(const ExportOptions *opt)
{
	Script		s;
	PGconn	   *conn;
	int			first_copy = -1,
				end_copy,
				last_par = -1,
				n;
	int			nworkers = opt->jobs;
	Worker	   *workers;
	int		   *jobs;
	char	   *role = NULL;
	PQExpBuffer session = createPQExpBuffer();
	struct timespec t0;
	double		t_read,
				t_schema,
				t_data,
				t_rest;
	PGresult   *res;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&s, 0, sizeof(s));
	s.path = opt->domain;
	read_script(&s);
	t_read = seconds_since(&t0);
	n = s.n;

	for (int i = 0; i < n; i++)
		if (s.items[i].copy)
		{
			first_copy = i;
			break;
		}
	end_copy = first_copy;
	while (end_copy >= 0 && end_copy < n && s.items[end_copy].copy)
		end_copy++;
	for (int i = end_copy; i >= 0 && i < n; i++)
		if (s.items[i].cls != CLS_SEQ)
			last_par = i;
	domain_name = first_copy > 0 ? script_domain(&s, first_copy) : NULL;

	conn = connect_server(opt);
	watch_connection(conn);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	if (nworkers == 1 || first_copy <= 0 || domain_name == NULL ||
		strcmp(s.items[0].sql, "BEGIN;") != 0 || strcmp(s.items[n - 1].sql, "COMMIT;") != 0)
	{
		int			rc;

		if (nworkers > 1)
			fprintf(stderr, "%s: the script is not an export with data: importing it in one transaction\n", progname);
		rc = import_serial(conn, &s);
		if (opt->stats)
			fprintf(stderr, "%s: imported %lld bytes of rows in one transaction in %.3f s\n",
					progname, s.data_bytes, seconds_since(&t0));
		PQfinish(conn);
		return rc;
	}

	/*
	 * The workers' sessions: the settings of the script's first transaction
	 * (SET LOCAL made session-wide: each worker statement is a transaction
	 * of its own) and the role the schema part ends in (the domain's owner).
	 */
	for (int i = 1; i < first_copy; i++)
	{
		const char *sql = s.items[i].sql;

		if (starts_with(sql, "SET LOCAL ROLE ") || starts_with(sql, "SET ROLE "))
			role = session_form(sql);
		else if (starts_with(sql, "RESET ROLE"))
			role = NULL;
		else if (starts_with(sql, "SET ") && role == NULL)
			appendPQExpBuffer(session, "%s\n", session_form(sql));
	}

	/* 1. the schema, committed with the domain 'importing' */
	for (int i = 0; i < first_copy; i++)
		if (!run_sql(conn, s.items[i].sql))
			goto fail_before;
	if (!run_sql(conn, "RESET ROLE;"))
		goto fail_before;
	res = PQexec(conn, "SELECT tec_sovereignty.import_parallel_begin();");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		report_failure(conn, res, "SELECT tec_sovereignty.import_parallel_begin();");
		PQclear(res);
		goto fail_before;
	}
	PQclear(res);
	if (!run_sql(conn, "COMMIT;"))
		goto fail_before;
	t_schema = seconds_since(&t0);

	/* the workers, in the sessions the rows and indexes need */
	workers = pg_malloc0(sizeof(Worker) * nworkers);
	for (int i = 0; i < nworkers; i++)
	{
		workers[i].conn = connect_server(opt);
		workers[i].cancel = PQgetCancel(workers[i].conn);
		watch_connection(workers[i].conn);
		workers[i].fd = open(s.path, O_RDONLY);
		workers[i].buf = pg_malloc(READ_CHUNK);
		if (workers[i].fd < 0)
			fail_local("could not open \"%s\": %m", s.path);
		if (!run_sql(workers[i].conn, session->data) || (role && !run_sql(workers[i].conn, role)))
			goto fail;
	}
	if (!run_sql(conn, session->data) || (role && !run_sql(conn, role)))
		goto fail;

	/* 2. the rows, largest table first */
	jobs = pg_malloc(sizeof(int) * n);
	for (int i = first_copy; i < end_copy; i++)
		jobs[i - first_copy] = i;
	qsort_arg(jobs, end_copy - first_copy, sizeof(int), by_size_desc, &s);
	if (!run_batch(&s, jobs, end_copy - first_copy, workers, nworkers))
		goto fail;
	t_data = seconds_since(&t0);

	/* 3. the rest, in order; runs of keys, indexes and foreign keys in parallel */
	for (int i = end_copy; i <= last_par;)
	{
		const Item *it = &s.items[i];

		if (it->cls == CLS_SEQ)
		{
			char	   *sql = session_form(it->sql);
			bool		ok;

			if (it->copy)
				ok = run_copy(conn, &s, it, workers[0].fd, workers[0].buf);
			else
				ok = run_sql(conn, sql);
			free(sql);
			if (!ok)
				goto fail;
			i++;
		}
		else
		{
			int			nj = 0;
			ItemClass	cls = it->cls;

			while (i <= last_par && s.items[i].cls == cls)
				jobs[nj++] = i++;
			if (!run_batch(&s, jobs, nj, workers, nworkers))
				goto fail;
		}
	}
	/* what follows the last run, and the switch to active, in one transaction */
	if (!run_sql(conn, "BEGIN;"))
		goto fail;
	for (int i = last_par + 1; i < n - 1; i++)
	{
		const Item *it = &s.items[i];

		if (!(it->copy ? run_copy(conn, &s, it, workers[0].fd, workers[0].buf) : run_sql(conn, it->sql)))
			goto fail;
	}
	{
		char	   *lit = PQescapeLiteral(conn, domain_name, strlen(domain_name));
		char	   *sql = psprintf("RESET ROLE; SELECT tec_sovereignty.import_parallel_end(%s);", lit);

		PQfreemem(lit);
		if (!run_sql(conn, sql) || !run_sql(conn, "COMMIT;"))
			goto fail;
		free(sql);
	}
	t_rest = seconds_since(&t0);
	for (int i = 0; i < nworkers; i++)
	{
		PQfreeCancel(workers[i].cancel);
		PQfinish(workers[i].conn);
		close(workers[i].fd);
		free(workers[i].buf);
	}
	PQfinish(conn);
	if (opt->stats)
		fprintf(stderr, "%s: imported domain \"%s\" over %d connections: %lld bytes of rows; "
				"read %.3f s, schema %.3f s, rows %.3f s, indexes, constraints and the rest %.3f s; total %.3f s\n",
				progname, domain_name, nworkers, s.data_bytes, t_read, t_schema - t_read,
				t_data - t_schema, t_rest - t_data, t_rest);
	return 0;

fail:
	/* undo: the domain is 'importing' and committed */
	if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	if (PQstatus(conn) != CONNECTION_OK)
	{
		PQfinish(conn);
		conn = connect_server(opt);
	}
	{
		char	   *lit = PQescapeLiteral(conn, domain_name, strlen(domain_name));
		char	   *sql = psprintf("RESET ROLE; SELECT pg_catalog.tec_import_abort(%s);", lit);

		res = PQexec(conn, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			fprintf(stderr, "%s: the import was undone (tec_import_abort): the database is as it was\n", progname);
		else
			fprintf(stderr, "%s: error: could not undo the import: %s"
					"%s: domain \"%s\" stays in state importing; run SELECT tec_import_abort('%s'); as a superuser\n",
					progname, PQresultErrorMessage(res), progname, domain_name, domain_name);
		PQclear(res);
	}
	PQfinish(conn);
	return EXIT_SERVER;

fail_before:
	/* the first transaction did not commit: nothing was left behind */
	PQfinish(conn);
	return EXIT_SERVER;
}
