/*-------------------------------------------------------------------------
 *
 * tec_export.h
 *	  What the two halves of the tec_export client share: its options, the
 *	  connection, error reporting.  tec_export.c streams an export to a
 *	  file; import.c imports such a file, in parallel with --import -j N.
 *
 * IDENTIFICATION
 *	  src/client/tec_export/tec_export.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TEC_EXPORT_H
#define TEC_EXPORT_H

#include "libpq-fe.h"

#define EXIT_LOCAL		1
#define EXIT_CONNECTION	2
#define EXIT_SERVER		3

typedef struct ExportOptions
{
	const char *domain;			/* export: the domain; import: the script file */
	const char *file;			/* NULL: stdout */
	const char *dbname;			/* a name or a conninfo string */
	const char *host;
	const char *port;
	const char *user;
	bool		with_data;
	bool		with_audit;
	bool		no_password;
	bool		do_sync;
	bool		stats;
	bool		import;			/* --import: read the script, run it */
	int			jobs;			/* -j: connections of an import */
} ExportOptions;

extern const char *progname;

extern void fail_local(const char *fmt,...) pg_attribute_printf(1, 2);
extern void print_server_error(const PGresult *res, const char *what, const char *domain);
extern PGconn *connect_server(const ExportOptions *opt);
extern int	run_import(const ExportOptions *opt);

#endif							/* TEC_EXPORT_H */
