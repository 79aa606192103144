/*-------------------------------------------------------------------------
 *
 * move.h
 *	  What move.c (the phases of a live move) takes from move_conn.c (its
 *	  libpq connections and waits) and move_audit.c (the audit trail's
 *	  stream).  Private to src/export/.
 *
 * IDENTIFICATION
 *	  src/export/move.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_EXPORT_MOVE_H
#define TSOV_EXPORT_MOVE_H

#include "libpq-fe.h"
#include "portability/instr_time.h"

#define MOVE_CONNECT_MS		30000	/* a connection is made within this */
#define MOVE_STALL_MS		120000	/* copy or catch-up without progress: failed */
#define MOVE_UNDO_MS		10000	/* each step of an undo */

extern double ms_since(instr_time start);
extern PGconn *move_connect(const char *conninfo, const char *what, bool interruptible);
extern PGresult *move_exec(PGconn *conn, const char *what, const char *sql, bool interruptible);
extern char *move_value(PGconn *conn, const char *what, const char *sql);
extern void move_run_sql(PGconn *conn, const char *what, const char *sql);
extern char *move_glass(const char *domain, const char *sql);
extern char *move_conninfo_value(const char *v);
extern void move_stream(PGconn *conn, const char *what, const char *sql,
						void (*each) (const char *value, int len, void *arg), void *arg);
extern void move_copy_begin(PGconn *conn, const char *what, const char *sql);
extern void move_copy_send(PGconn *conn, const char *what, const char *data, int len);
extern void move_copy_end(PGconn *conn, const char *what);
extern void move_audit_stream(PGconn *src, const char *target, const char *domain, const char *prologue,
							  PGconn **tga, int64 *bytes);
extern void move_audit_wait(PGconn *tga);
extern void move_poll(PGconn *conn, const char *what, const char *query, long step, const char *waiting_for);

#endif							/* TSOV_EXPORT_MOVE_H */
