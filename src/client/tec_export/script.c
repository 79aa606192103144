/*-------------------------------------------------------------------------
 *
 * script.c
 *	  Split an export script into statements and COPY blocks, for
 *	  tec_export --import (import.c).
 *
 * The lexer knows SQL's quoting as the server's has it with
 * standard_conforming_strings on (the script sets it): '...' with ''
 * inside, E'...' with backslash escapes, "...", $tag$...$tag$, -- and
 * nested block comments.  So nothing inside a function body, a comment
 * string, a quoted name or a value can pass for a statement boundary or a
 * COPY header: the domain's owner writes those, and the import runs as a
 * superuser.  COPY blocks are kept as file offsets, not read into memory.
 * Each statement is classified (classify) for what may run beside its
 * neighbours.
 *
 * IDENTIFICATION
 *	  src/client/tec_export/script.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres_fe.h"

#include <fcntl.h>
#include <unistd.h>

#include "pqexpbuffer.h"

#include "tec_export.h"
#include "script.h"

/* ---- reading and splitting the script ---- */

typedef struct Reader
{
	int			fd;
	char	   *buf;
	size_t		len;			/* bytes in buf */
	size_t		pos;			/* next byte */
	off_t		base;			/* file offset of buf[0] */
	bool		eof;
} Reader;

/* At least n bytes from pos, unless the file ends first; false then. */
static bool
rd_want(Reader *r, size_t n)
{
	while (r->len - r->pos < n && !r->eof)
	{
		ssize_t		got;

		if (r->pos > 0)
		{
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->base += r->pos;
			r->len -= r->pos;
			r->pos = 0;
		}
		got = read(r->fd, r->buf + r->len, READ_CHUNK * 2 - r->len);
		if (got < 0)
			fail_local("could not read the script: %m");
		if (got == 0)
			r->eof = true;
		r->len += got;
	}
	return r->len - r->pos >= n;
}

static int
rd_peek(Reader *r, size_t ahead)
{
	return rd_want(r, ahead + 1) ? (unsigned char) r->buf[r->pos + ahead] : EOF;
}

static off_t
rd_offset(const Reader *r)
{
	return r->base + (off_t) r->pos;
}

static void
add_item(Script *s, const Item *it)
{
	if (s->n == s->cap)
	{
		s->cap = s->cap ? s->cap * 2 : 256;
		s->items = pg_realloc(s->items, sizeof(Item) * s->cap);
	}
	s->items[s->n++] = *it;
}

bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Skip an identifier, plain or quoted, at p; NULL if there is none. */
static const char *
skip_ident(const char *p)
{
	if (*p == '"')
	{
		for (p++; *p; p++)
			if (*p == '"')
			{
				if (p[1] != '"')
					return p + 1;
				p++;
			}
		return NULL;
	}
	if (!(isalpha((unsigned char) *p) || *p == '_'))
		return NULL;
	while (isalnum((unsigned char) *p) || *p == '_' || *p == '$')
		p++;
	return p;
}

/*
 * What may run beside its neighbours: the forms the export writes for keys,
 * indexes and foreign keys (src/export/export.sql), on one table each.
 * ALTER TABLE without ONLY recurses to partitions and children, which
 * have statements of their own: those stay in order.
 */
static ItemClass
classify(const char *sql)
{
	const char *p;

	if (starts_with(sql, "CREATE INDEX ") || starts_with(sql, "CREATE UNIQUE INDEX "))
		return CLS_INDEX;
	if (!starts_with(sql, "ALTER TABLE ONLY "))
		return CLS_SEQ;
	p = skip_ident(sql + strlen("ALTER TABLE ONLY "));
	if (p == NULL)
		return CLS_SEQ;
	if (*p == '.' && (p = skip_ident(p + 1)) == NULL)
		return CLS_SEQ;
	if (!starts_with(p, " ADD CONSTRAINT ") || (p = skip_ident(p + strlen(" ADD CONSTRAINT "))) == NULL)
		return CLS_SEQ;
	if (starts_with(p, " PRIMARY KEY ") || starts_with(p, " UNIQUE ") || starts_with(p, " EXCLUDE "))
		return CLS_INDEX;
	if (starts_with(p, " FOREIGN KEY "))
		return CLS_FK;
	return CLS_SEQ;
}

/*
 * COPY ... FROM stdin; or COPY ... FROM stdin WITH (...); -- a statement
 * whose rows follow it in the file.  Only the statement's start and end are
 * looked at: a quoted name cannot end a statement, and a statement starts
 * where the previous one ended, outside any quotes.
 */
static bool
copy_from_stdin(const char *sql)
{
	const char *from = NULL;
	const char *p;

	if (!starts_with(sql, "COPY "))
		return false;
	for (p = strstr(sql, " FROM stdin"); p != NULL; p = strstr(p + 1, " FROM stdin"))
		from = p;
	if (from == NULL)
		return false;
	from += strlen(" FROM stdin");
	if (strcmp(from, ";") == 0)
		return true;
	return starts_with(from, " WITH (") && strlen(from) >= 9 && strcmp(from + strlen(from) - 2, ");") == 0;
}

/* After "COPY ... FROM stdin;": the rows up to the line "\.". */
static void
read_copy_rows(Reader *r, Item *it)
{
	int			c;

	/* the rest of the COPY line */
	while ((c = rd_peek(r, 0)) != EOF && c != '\n')
		r->pos++;
	if (c == EOF)
		fail_local("the script ends inside a COPY statement");
	r->pos++;
	it->data_off = rd_offset(r);
	for (;;)
	{
		char	   *nl;

		/* at the start of a line */
		if (rd_peek(r, 0) == '\\' && rd_peek(r, 1) == '.' && (rd_peek(r, 2) == '\n' || rd_peek(r, 2) == EOF))
		{
			it->data_len = rd_offset(r) - it->data_off;
			r->pos += rd_peek(r, 2) == '\n' ? 3 : 2;
			return;
		}
		for (;;)
		{
			if (!rd_want(r, 1))
				fail_local("the script ends inside the rows of \"%s\"", it->sql);
			nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
			if (nl != NULL)
			{
				r->pos = nl - r->buf + 1;
				break;
			}
			r->pos = r->len;
		}
	}
}

/*
 * Split the script into statements.  Quoting as the server's lexer has it
 * with standard_conforming_strings on (the script sets it): '...' with ''
 * inside, E'...' with backslash escapes, "...", $tag$...$tag$, -- and
 * nested block comments.  Comments are left out of the statements.
 */
void
read_script(Script *s)
{
	Reader		r;
	PQExpBuffer cur = createPQExpBuffer();
	int			c;

	memset(&r, 0, sizeof(r));
	r.fd = open(s->path, O_RDONLY);
	if (r.fd < 0)
		fail_local("could not open \"%s\": %m", s->path);
	r.buf = pg_malloc(READ_CHUNK * 2);

	while ((c = rd_peek(&r, 0)) != EOF)
	{
		if (cur->len == 0 && isspace(c))
		{
			r.pos++;
			continue;
		}
		if (c == '-' && rd_peek(&r, 1) == '-')
		{
			while ((c = rd_peek(&r, 0)) != EOF && c != '\n')
				r.pos++;
			continue;
		}
		if (c == '/' && rd_peek(&r, 1) == '*')
		{
			int			depth = 0;

			do
			{
				if (rd_peek(&r, 0) == EOF)
					fail_local("the script ends inside a comment");
				if (rd_peek(&r, 0) == '/' && rd_peek(&r, 1) == '*')
					depth++, r.pos += 2;
				else if (rd_peek(&r, 0) == '*' && rd_peek(&r, 1) == '/')
					depth--, r.pos += 2;
				else
					r.pos++;
			} while (depth > 0);
			appendPQExpBufferChar(cur, ' ');
			continue;
		}
		if (cur->len == 0 && c == '\\')
			fail_local("the script holds a psql meta-command at offset %lld: only SQL and COPY blocks can be imported",
					   (long long) rd_offset(&r));
		if (c == '\'' || c == '"')
		{
			bool		escapes = false;
			int			q = c;

			if (c == '\'' && cur->len > 0 && (cur->data[cur->len - 1] == 'E' || cur->data[cur->len - 1] == 'e') &&
				(cur->len == 1 || !(isalnum((unsigned char) cur->data[cur->len - 2]) || cur->data[cur->len - 2] == '_')))
				escapes = true;
			appendPQExpBufferChar(cur, c);
			r.pos++;
			for (;;)
			{
				c = rd_peek(&r, 0);
				if (c == EOF)
					fail_local("the script ends inside a quoted %s", q == '"' ? "identifier" : "string");
				appendPQExpBufferChar(cur, c);
				r.pos++;
				if (escapes && c == '\\')
				{
					if ((c = rd_peek(&r, 0)) == EOF)
						fail_local("the script ends inside a quoted string");
					appendPQExpBufferChar(cur, c);
					r.pos++;
				}
				else if (c == q)
				{
					if (rd_peek(&r, 0) != q)
						break;
					appendPQExpBufferChar(cur, q);
					r.pos++;
				}
			}
			continue;
		}
		if (c == '$' && !(cur->len > 0 && (isalnum((unsigned char) cur->data[cur->len - 1]) ||
										   cur->data[cur->len - 1] == '_' || cur->data[cur->len - 1] == '$')))
		{
			/* $tag$ with tag empty or an identifier not starting with a digit */
			size_t		k = 1;
			int			t;

			while ((t = rd_peek(&r, k)) != EOF && (isalpha(t) || t == '_' || (k > 1 && isdigit(t))))
				k++;
			if (t == '$')
			{
				char		tag[NAMEDATALEN + 2];
				size_t		taglen = k + 1;

				if (taglen >= sizeof(tag))
					fail_local("a dollar-quote tag in the script is too long");
				memcpy(tag, r.buf + r.pos, taglen);
				appendBinaryPQExpBuffer(cur, tag, taglen);
				r.pos += taglen;
				for (;;)
				{
					if (!rd_want(&r, taglen))
						fail_local("the script ends inside a dollar-quoted string");
					if (memcmp(r.buf + r.pos, tag, taglen) == 0)
						break;
					appendPQExpBufferChar(cur, r.buf[r.pos]);
					r.pos++;
				}
				appendBinaryPQExpBuffer(cur, tag, taglen);
				r.pos += taglen;
				continue;
			}
		}
		appendPQExpBufferChar(cur, c);
		r.pos++;
		if (c == ';')
		{
			Item		it;

			memset(&it, 0, sizeof(it));
			it.sql = pg_strdup(cur->data);
			it.cls = classify(it.sql);
			if (copy_from_stdin(it.sql))
			{
				it.copy = true;
				read_copy_rows(&r, &it);
				s->data_bytes += it.data_len;
			}
			add_item(s, &it);
			resetPQExpBuffer(cur);
		}
	}
	if (cur->len > 0)
		fail_local("the script ends inside a statement: %.60s", cur->data);
	destroyPQExpBuffer(cur);
	free(r.buf);
	close(r.fd);
}
