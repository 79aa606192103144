/*-------------------------------------------------------------------------
 *
 * export_copy.h
 *	  Formatting of table rows as COPY text-format lines for the export.
 *
 * IDENTIFICATION
 *	  src/export_copy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_EXPORT_COPY_H
#define TSOV_EXPORT_COPY_H

#include "access/attnum.h"
#include "catalog/pg_attribute.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

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

#endif							/* TSOV_EXPORT_COPY_H */
