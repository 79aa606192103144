/*-------------------------------------------------------------------------
 *
 * copy.c
 *	  Formatting of table rows as COPY text-format lines for the export.
 *
 * The export's data sections are what COPY TO would write in text format:
 * every column's output-function text, escaped as CopyAttributeOutText
 * does, so that COPY FROM reads back exactly the same values.  This file
 * does that formatting, and does it faster than calling each output
 * function, because the export competes with pg_dump (whose COPY runs
 * while the client writes, where psql receives the whole result first):
 *
 *	- escaping scans eight bytes at a time and copies clean runs whole;
 *	- text, varchar and bpchar are their own bytes (no output call);
 *	- integers, booleans, dates and timestamps are formatted in place with
 *	  no palloc, and a timestamp column remembers the text of the last day
 *	  it formatted (rows written close in time share their date).
 *
 * The fast paths are used only where their text is the output function's
 * text byte for byte: DateStyle ISO (the export pins it), timestamptz only
 * when the session time zone is a fixed zero offset (the export pins UTC),
 * years 1 to 9999 AD only.  Anything else -- infinities, BC dates, years
 * past 9999, another DateStyle -- goes through the output function.  The
 * regress test export_format compares both on values chosen to hit every
 * branch.
 *
 * IDENTIFICATION
 *	  src/export/copy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

#include "export/export.h"

#define EXPORT_ONES		UINT64CONST(0x0101010101010101)
#define EXPORT_HIGHS	UINT64CONST(0x8080808080808080)

/*
 * Does any of the eight bytes in w need a look of its own: a control
 * character (below 0x20) or a backslash?  Exact as a yes/no answer (the
 * classic "has a byte less than n" and "has a zero byte" word tests);
 * bytes of multibyte characters (0x80 and up) never match.
 */
static inline bool
export_word_special(uint64 w)
{
	uint64		below = (w - EXPORT_ONES * 0x20) & ~w;
	uint64		bs = w ^ (EXPORT_ONES * '\\');
	uint64		is_bs = (bs - EXPORT_ONES) & ~bs;

	return ((below | is_bs) & EXPORT_HIGHS) != 0;
}

/*
 * Append n bytes that need no escaping: appendBinaryStringInfo() inlined,
 * because it runs for every value of every row and the call showed in
 * profiles (the buffer is sized for a whole chunk, so it rarely grows).
 */
static inline void
export_append_raw(StringInfo buf, const char *s, int n)
{
	if (unlikely(buf->len + n >= buf->maxlen))
		enlargeStringInfo(buf, n);
	memcpy(buf->data + buf->len, s, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
}

/*
 * Append s[0..len) to buf with COPY text-format escaping: backslash and
 * the control characters COPY FROM would misread become backslash
 * sequences (the column delimiter is a tab, rows end with a newline);
 * everything else, multibyte characters included, is copied as is.  The
 * server encoding is always ASCII-safe, so a byte below 0x80 is always a
 * character of its own.
 */
void
export_append_escaped(StringInfo buf, const char *s, int len)
{
	const char *start = s;
	const char *end = s + len;
	const char *p = s;

	while (p < end)
	{
		unsigned char c;
		char		esc;

		/* Skip whole words with nothing to escape. */
		if (end - p >= 8)
		{
			uint64		w;

			memcpy(&w, p, sizeof(w));
			if (!export_word_special(w))
			{
				p += 8;
				continue;
			}
		}
		c = (unsigned char) *p++;
		if (likely(c >= 0x20 && c != '\\'))
			continue;
		switch (c)
		{
			case '\\':
				esc = '\\';
				break;
			case '\b':
				esc = 'b';
				break;
			case '\f':
				esc = 'f';
				break;
			case '\n':
				esc = 'n';
				break;
			case '\r':
				esc = 'r';
				break;
			case '\t':
				esc = 't';
				break;
			case '\v':
				esc = 'v';
				break;
			default:
				/* other control characters travel as they are, as in COPY */
				continue;
		}
		if (p - 1 > start)
			export_append_raw(buf, start, p - 1 - start);
		appendStringInfoCharMacro(buf, '\\');
		appendStringInfoCharMacro(buf, esc);
		start = p;
	}
	if (p > start)
		export_append_raw(buf, start, p - start);
}

/* Two decimal digits of v (0..99) at p. */
static inline char *
export_two_digits(char *p, int v)
{
	p[0] = '0' + v / 10;
	p[1] = '0' + v % 10;
	return p + 2;
}

/*
 * Days since 2000-01-01 of the first and last day whose ISO text the fast
 * path writes: years 1 to 9999 AD, always four digits, never " BC".
 */
static int32
export_first_day(void)
{
	return date2j(1, 1, 1) - POSTGRES_EPOCH_JDATE;
}

static int32
export_last_day(void)
{
	return date2j(9999, 12, 31) - POSTGRES_EPOCH_JDATE;
}

/*
 * The ISO text of a day (days since 2000-01-01) into col->day_text, unless
 * it is already there.  false if the day is outside the fast path's range.
 */
static inline bool
export_day_text(ExportColumn *col, int64 day)
{
	int			year,
				month,
				mday;
	char	   *p = col->day_text;

	if (col->day_valid && col->day == day)
		return true;
	if (day < export_first_day() || day > export_last_day())
		return false;
	j2date((int) day + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
	p = export_two_digits(p, year / 100);
	p = export_two_digits(p, year % 100);
	*p++ = '-';
	p = export_two_digits(p, month);
	*p++ = '-';
	(void) export_two_digits(p, mday);
	col->day = (int32) day;
	col->day_valid = true;
	return true;
}

/*
 * A timestamp (or a timestamptz in a zero-offset zone) as timestamp_out
 * writes it in DateStyle ISO: "YYYY-MM-DD HH:MM:SS[.ffffff]" without the
 * fraction's trailing zeros, "+00" after it for timestamptz.  false when
 * the value is not one the fast path writes (see the file header).
 */
static bool
export_append_timestamp(StringInfo buf, ExportColumn *col, Timestamp ts, bool with_tz)
{
	char		out[10 + 1 + 8 + 7 + 3];
	char	   *p = out;
	int64		day;
	int64		time;
	int32		secs,
				hour,
				min,
				sec,
				fsec;

	if (TIMESTAMP_NOT_FINITE(ts))
		return false;
	day = ts / USECS_PER_DAY;
	time = ts % USECS_PER_DAY;
	if (time < 0)
	{
		time += USECS_PER_DAY;
		day--;
	}
	if (!export_day_text(col, day))
		return false;

	memcpy(p, col->day_text, 10);
	p += 10;
	*p++ = ' ';
	/* one 64-bit division; the rest fits in 32 bits */
	secs = (int32) (time / USECS_PER_SEC);
	fsec = (int32) (time - (int64) secs * USECS_PER_SEC);
	hour = secs / SECS_PER_HOUR;
	secs -= hour * SECS_PER_HOUR;
	min = secs / SECS_PER_MINUTE;
	sec = secs - min * SECS_PER_MINUTE;
	p = export_two_digits(p, hour);
	*p++ = ':';
	p = export_two_digits(p, min);
	*p++ = ':';
	p = export_two_digits(p, sec);
	if (fsec != 0)
	{
		/* six digits, then drop the trailing zeros (fsec != 0: one stays) */
		*p++ = '.';
		for (int i = 5; i >= 0; i--)
		{
			p[i] = '0' + fsec % 10;
			fsec /= 10;
		}
		p += 6;
		while (p[-1] == '0')
			p--;
	}
	if (with_tz)
	{
		memcpy(p, "+00", 3);
		p += 3;
	}
	export_append_raw(buf, out, p - out);
	return true;
}

/*
 * Set up col for attribute att: its output function (always: the fallback)
 * and the fastest kind that writes exactly that function's text under the
 * settings in force now.  The export calls this with its settings pinned.
 */
void
export_column_init(ExportColumn *col, Form_pg_attribute att)
{
	Oid			outfunc;
	bool		isvarlena;
	long		gmtoff;

	col->attnum = att->attnum;
	col->day_valid = false;
	getTypeOutputInfo(att->atttypid, &outfunc, &isvarlena);
	fmgr_info(outfunc, &col->outfunc);

	/* Domains have their base type's output function: same kinds apply. */
	switch (outfunc)
	{
		case F_TEXTOUT:
		case F_VARCHAROUT:
		case F_BPCHAROUT:
			col->kind = EXPORT_VALUE_TEXT;
			break;
		case F_INT2OUT:
			col->kind = EXPORT_VALUE_INT2;
			break;
		case F_INT4OUT:
			col->kind = EXPORT_VALUE_INT4;
			break;
		case F_INT8OUT:
			col->kind = EXPORT_VALUE_INT8;
			break;
		case F_BOOLOUT:
			col->kind = EXPORT_VALUE_BOOL;
			break;
		case F_DATE_OUT:
			col->kind = DateStyle == USE_ISO_DATES ?
				EXPORT_VALUE_DATE : EXPORT_VALUE_OUTFUNC;
			break;
		case F_TIMESTAMP_OUT:
			col->kind = DateStyle == USE_ISO_DATES ?
				EXPORT_VALUE_TIMESTAMP : EXPORT_VALUE_OUTFUNC;
			break;
		case F_TIMESTAMPTZ_OUT:
			col->kind = DateStyle == USE_ISO_DATES &&
				pg_get_timezone_offset(session_timezone, &gmtoff) && gmtoff == 0 ?
				EXPORT_VALUE_TIMESTAMPTZ : EXPORT_VALUE_OUTFUNC;
			break;
		default:
			col->kind = EXPORT_VALUE_OUTFUNC;
			break;
	}
}

/*
 * Append one non-null value of col, escaped.  Output functions may palloc
 * in CurrentMemoryContext: the caller resets it per row.
 */
void
export_append_value(StringInfo buf, ExportColumn *col, Datum value)
{
	char		num[MAXINT8LEN + 1];
	char	   *s;

	switch (col->kind)
	{
		case EXPORT_VALUE_TEXT:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

				export_append_escaped(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				return;
			}
		case EXPORT_VALUE_INT2:
			/* digits and a minus sign never need escaping */
			export_append_raw(buf, num, pg_itoa(DatumGetInt16(value), num));
			return;
		case EXPORT_VALUE_INT4:
			export_append_raw(buf, num, pg_ltoa(DatumGetInt32(value), num));
			return;
		case EXPORT_VALUE_INT8:
			export_append_raw(buf, num, pg_lltoa(DatumGetInt64(value), num));
			return;
		case EXPORT_VALUE_BOOL:
			appendStringInfoCharMacro(buf, DatumGetBool(value) ? 't' : 'f');
			return;
		case EXPORT_VALUE_DATE:
			{
				DateADT		d = DatumGetDateADT(value);

				if (!DATE_NOT_FINITE(d) && export_day_text(col, d))
				{
					export_append_raw(buf, col->day_text, 10);
					return;
				}
				break;
			}
		case EXPORT_VALUE_TIMESTAMP:
			if (export_append_timestamp(buf, col, DatumGetTimestamp(value), false))
				return;
			break;
		case EXPORT_VALUE_TIMESTAMPTZ:
			if (export_append_timestamp(buf, col, DatumGetTimestampTz(value), true))
				return;
			break;
		case EXPORT_VALUE_OUTFUNC:
			break;
	}
	s = OutputFunctionCall(&col->outfunc, value);
	export_append_escaped(buf, s, strlen(s));
}
