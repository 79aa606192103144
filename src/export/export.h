/*-------------------------------------------------------------------------
 *
 * export.h
 *	  What the files of src/export/ share: the state of one export, and the
 *	  functions each file offers its peers.  Nothing outside this folder
 *	  includes it; the SQL functions are the folder's only public face.
 *
 * One export (tec_export_domain(), tec_sovereignty.export_checksum()) is
 * spread over these files, one stage each:
 *
 *	 begin.c	the first call: read the registry row, authorize the caller,
 *				apply the transfer rule, lock the domain's relations and
 *				register the snapshot every later read uses;
 *	 ddl.c		in that same first call, with SPI connected and in that
 *				snapshot: the text of the script that is not table rows
 *				(prologue, the DDL sections of export_ddl() in
 *				export.sql, the with_audit section) and the list of tables
 *				to copy with their COPY headers;
 *	 data.c		the following calls: heap scans of those tables in the
 *				snapshot, as COPY text blocks of about EXPORT_CHUNK_SIZE;
 *	 copy.c		the formatting of one row's values as COPY text;
 *	 export.c	the SQL-callable entry points, the order of the phases,
 *				the end of an export and its audit events.
 *
 * Memory: an ExportState and everything it points to live in st->mcxt, a
 * child of the context export_begin() was called in (the SRF's
 * multi_call_memory_ctx, or the checksum's calling context), deleted by
 * export_end().  st->rowcxt, a child of it, holds what one row's
 * formatting allocates and is reset after every row.  The values returned
 * to the caller are allocated in the caller's CurrentMemoryContext.
 *
 * Invariants (asserted where they are relied on):
 *	 - every catalog or data read after the locks uses st->snapshot, which
 *	   is registered from export_begin() until export_end();
 *	 - at most one table is open at a time (st->rel), only in the data
 *	   phases, and it is closed before the phase moves on;
 *	 - the extension's own work: export_begin() and export_next() run
 *	   with tsov_internal_depth raised, never in a parallel worker (an
 *	   export enqueues audit events and registers a snapshot).
 *
 * IDENTIFICATION
 *	  src/export/export.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_EXPORT_EXPORT_H
#define TSOV_EXPORT_EXPORT_H

#include "access/attnum.h"
#include "access/tableam.h"
#include "catalog/pg_attribute.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

/* A data value is returned once it holds at least this many bytes. */
#define EXPORT_CHUNK_SIZE	(1024 * 1024)

/* The DDL sections before the data are numbered below this one. */
#define EXPORT_POST_DATA_SECTION 70

/* ---- formatting of values as COPY text (in copy.c) ---- */

/* How a column's values are turned into text. */
typedef enum ExportValueKind
{
	EXPORT_VALUE_OUTFUNC,		/* the type's output function */
	EXPORT_VALUE_TEXT,			/* text, varchar, bpchar: the bytes themselves */
	EXPORT_VALUE_INT2,
	EXPORT_VALUE_INT4,
	EXPORT_VALUE_INT8,
	EXPORT_VALUE_BOOL,
	EXPORT_VALUE_DATE,
	EXPORT_VALUE_TIMESTAMP,
	EXPORT_VALUE_TIMESTAMPTZ
} ExportValueKind;

typedef struct ExportColumn
{
	AttrNumber	attnum;
	ExportValueKind kind;
	FmgrInfo	outfunc;		/* always set up: the fallback of every kind */
	/* Date kinds: the last day formatted, and its "YYYY-MM-DD" text. */
	bool		day_valid;
	int32		day;
	char		day_text[10];
} ExportColumn;

extern void export_column_init(ExportColumn *col, Form_pg_attribute att);
extern void export_append_value(StringInfo buf, ExportColumn *col, Datum value);
extern void export_append_escaped(StringInfo buf, const char *s, int len);

/* ---- the state of one export ---- */

typedef enum ExportPhase
{
	EXPORT_PRE_DATA,
	EXPORT_DATA,
	EXPORT_POST_DATA,
	EXPORT_AUDIT_DATA,			/* with_audit: the domain's audit rows */
	EXPORT_TAIL,				/* with_audit: the import call, COMMIT */
	EXPORT_DONE
} ExportPhase;

typedef struct ExportTable
{
	Oid			relid;
	char	   *copy_header;	/* COPY "d"."t" ("a", "b") FROM stdin; */
	AttrNumber	filter_attnum;	/* > 0: copy only rows whose text column */
	const char *filter_value;	/* filter_attnum equals filter_value */
} ExportTable;

typedef struct ExportState
{
	MemoryContext mcxt;			/* lives as long as the export */
	MemoryContext rowcxt;		/* reset after every row */
	char	   *domain;
	Snapshot	snapshot;		/* registered; every read uses it */
	ExportPhase phase;

	List	   *pre;			/* values before the data (char *) */
	List	   *post;			/* values after the data (char *) */
	List	   *tail;			/* values after the audit rows (char *) */
	int			next;			/* next value of pre, post or tail */

	ExportTable *tables;
	int			ntables;
	int			cur;			/* table being copied */

	/* the table being copied */
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	ExportColumn *cols;
	int			ncols;

	/* the audit trail rows (with_audit), copied after the post-data DDL */
	ExportTable *audit_tables;
	int			naudit_tables;

	/* totals, for the audit event */
	uint64		rows;
	uint64		bytes;
	uint64		values;
	uint64		audit_rows;

	/* what the audit events name */
	char	   *schema_name;
	Oid			nspoid;
	bool		with_data;
	bool		with_audit;
	char	   *audit_heads;	/* chains exported: "origin#seq:sha256, ..." */

	bool		audit;			/* record an EXPORT event at the end */
	ExprContext *econtext;		/* shutdown callback registered here */
} ExportState;

/* The domain's row of tec_sovereignty.domain, as text (NULL when null). */
typedef struct ExportRegistryRow
{
	char	   *schema_name;
	char	   *owner_role;
	char	   *writer_role;
	char	   *reader_role;
	char	   *template;
	char	   *state;
	char	   *enforcement;
	char	   *audit_level;
} ExportRegistryRow;

/* ---- the first call (in begin.c) ---- */

/*
 * Check the caller, lock the domain, take the snapshot, build the script's
 * DDL.  helper_owner is the role the catalog queries run as; for_checksum
 * names the server encoding in the script (see begin.c).
 */
extern ExportState *export_begin(text *domain_arg, bool with_data, bool with_audit,
								 Oid helper_owner, bool for_checksum);

/* ---- the script's text other than rows (in ddl.c); SPI connected ---- */

/* Run one catalog query in the export's snapshot; results in SPI_tuptable. */
extern void export_query(Snapshot snapshot, const char *sql, int nargs,
						 Oid *argtypes, Datum *values);
/* Text of column col (1-based) of result row row, or NULL. */
extern char *export_getvalue(int row, int col);

/* Fill st->pre, st->post (and st->tail, st->audit_tables with with_audit). */
extern void export_build_ddl(ExportState *st, const ExportRegistryRow *reg,
							 const char *encoding);
/* Fill st->tables: the tables whose rows are copied, with their headers. */
extern void export_list_tables(ExportState *st);

/* ---- the rows (in data.c) ---- */

/* The next data value of the current phase, or NULL when its tables end. */
extern text *export_data_chunk(ExportState *st);
/* Close the table being copied, if any. */
extern void export_close_table(ExportState *st);

#endif							/* TSOV_EXPORT_EXPORT_H */
