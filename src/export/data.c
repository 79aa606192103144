/*-------------------------------------------------------------------------
 *
 * data.c
 *	  The rows of an export: every listed table read by a heap scan in the
 *	  export's registered snapshot and written as a COPY ... FROM stdin
 *	  block, cut into values of about EXPORT_CHUNK_SIZE bytes.
 *
 * The scans bypass the executor, so that a domain of any size is streamed
 * with the memory of one chunk; begin.c checked, as the caller, that every
 * table may be read, and the snapshot makes the rows one consistent state
 * even under READ COMMITTED and concurrent writes.  Scans are never
 * synchronized: rows come in the same order every time, which keeps the
 * script a deterministic function of the domain's state (the transfer's
 * checksum relies on it).
 *
 * One table is open at a time (st->rel, its slot, scan and columns, all in
 * st->mcxt), from the first value that needs it until its block ends.  A
 * row's formatting allocates in st->rowcxt, reset after every row; a chunk
 * is built in the caller's CurrentMemoryContext, in place behind its
 * varlena header, and returned without a copy.
 *
 * IDENTIFICATION
 *	  src/export/data.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/rel.h"

#include "export/export.h"

/* Open the current table, set up its columns, start its scan. */
static void
export_open_table(ExportState *st)
{
	MemoryContext oldcxt;
	TupleDesc	tupdesc;

	/* One table at a time, read in the export's snapshot. */
	Assert(st->rel == NULL && st->cur < st->ntables);
	Assert(st->snapshot != InvalidSnapshot);

	oldcxt = MemoryContextSwitchTo(st->mcxt);
	st->rel = table_open(st->tables[st->cur].relid, AccessShareLock);
	tupdesc = RelationGetDescr(st->rel);
	st->cols = palloc0(sizeof(ExportColumn) * tupdesc->natts);
	st->ncols = 0;
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped || att->attgenerated)
			continue;
		export_column_init(&st->cols[st->ncols++], att);
	}
	st->slot = table_slot_create(st->rel, NULL);
	/* No synchronized scan: rows come in the same order every time. */
	st->scan = table_beginscan_strat(st->rel, st->snapshot, 0, NULL, true, false);
	MemoryContextSwitchTo(oldcxt);
}

void
export_close_table(ExportState *st)
{
	if (st->scan)
		table_endscan(st->scan);
	if (st->slot)
		ExecDropSingleTupleTableSlot(st->slot);
	if (st->rel)
		table_close(st->rel, NoLock);
	st->scan = NULL;
	st->slot = NULL;
	st->rel = NULL;
	if (st->cols)
		pfree(st->cols);
	st->cols = NULL;
}

/* Append the current row of the current table as one COPY text line. */
static inline void
export_append_row(ExportState *st, StringInfo buf)
{
	TupleTableSlot *slot = st->slot;
	MemoryContext oldcxt = MemoryContextSwitchTo(st->rowcxt);

	slot_getallattrs(slot);
	for (int i = 0; i < st->ncols; i++)
	{
		ExportColumn *col = &st->cols[i];
		int			off = col->attnum - 1;

		Assert(off >= 0 && off < slot->tts_tupleDescriptor->natts);
		if (i > 0)
			appendStringInfoCharMacro(buf, '\t');
		if (slot->tts_isnull[off])
			appendBinaryStringInfo(buf, "\\N", 2);
		else
			export_append_value(buf, col, slot->tts_values[off]);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(st->rowcxt);
	if (st->phase == EXPORT_AUDIT_DATA)
		st->audit_rows++;
	else
		st->rows++;
}

/* Is the current row one the current table's filter keeps? */
static inline bool
export_row_wanted(ExportState *st)
{
	ExportTable *t = &st->tables[st->cur];
	Datum		d;
	bool		isnull;
	text	   *v;
	bool		match;
	MemoryContext oldcxt;

	if (t->filter_attnum == InvalidAttrNumber)
		return true;
	oldcxt = MemoryContextSwitchTo(st->rowcxt);
	d = slot_getattr(st->slot, t->filter_attnum, &isnull);
	if (isnull)
		match = false;
	else
	{
		v = DatumGetTextPP(d);
		match = VARSIZE_ANY_EXHDR(v) == strlen(t->filter_value) &&
			memcmp(VARDATA_ANY(v), t->filter_value, VARSIZE_ANY_EXHDR(v)) == 0;
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(st->rowcxt);
	return match;
}

/*
 * export_data_chunk
 *		The next data value: whole lines, at least EXPORT_CHUNK_SIZE bytes
 *		unless the data ends, in CurrentMemoryContext; NULL when no data is
 *		left.  The text is built in place behind a varlena header, so that
 *		the chunk is never copied.
 */
text *
export_data_chunk(ExportState *st)
{
	StringInfoData buf;

	Assert(st->phase == EXPORT_DATA || st->phase == EXPORT_AUDIT_DATA);

	initStringInfo(&buf);
	enlargeStringInfo(&buf, EXPORT_CHUNK_SIZE + 64 * 1024);
	buf.len = VARHDRSZ;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (st->rel == NULL)
		{
			if (st->cur >= st->ntables)
				break;
			export_open_table(st);
			if (buf.len > VARHDRSZ)
				appendStringInfoChar(&buf, '\n');
			appendStringInfoString(&buf, st->tables[st->cur].copy_header);
		}
		if (buf.len >= EXPORT_CHUNK_SIZE)
			break;
		if (table_scan_getnextslot(st->scan, ForwardScanDirection, st->slot))
		{
			if (!export_row_wanted(st))
				continue;
			if (buf.len > VARHDRSZ)
				appendStringInfoCharMacro(&buf, '\n');
			export_append_row(st, &buf);
			continue;
		}
		if (buf.len > VARHDRSZ)
			appendStringInfoChar(&buf, '\n');
		appendStringInfoString(&buf, "\\.");
		export_close_table(st);
		st->cur++;
	}

	if (buf.len == VARHDRSZ)
	{
		/* The phase's tables are all copied, and closed. */
		Assert(st->rel == NULL);
		pfree(buf.data);
		return NULL;
	}
	SET_VARSIZE(buf.data, buf.len);
	return (text *) buf.data;
}
