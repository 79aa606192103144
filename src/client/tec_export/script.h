/*-------------------------------------------------------------------------
 *
 * script.h
 *	  An export script split into statements and COPY blocks (script.c),
 *	  for the import (import.c).
 *
 * IDENTIFICATION
 *	  src/client/tec_export/script.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TEC_EXPORT_SCRIPT_H
#define TEC_EXPORT_SCRIPT_H

#include <sys/types.h>

#define READ_CHUNK	(1024 * 1024)

typedef enum ItemClass
{
	CLS_SEQ,					/* runs on the main connection, in order */
	CLS_INDEX,					/* index-like: in parallel with its run */
	CLS_FK						/* foreign key: in parallel with its run */
} ItemClass;

typedef struct Item
{
	char	   *sql;			/* the statement, with its ';' */
	bool		copy;			/* COPY ... FROM stdin: rows follow */
	off_t		data_off;		/* COPY: the rows, "\." excluded */
	off_t		data_len;
	ItemClass	cls;
} Item;

typedef struct Script
{
	const char *path;
	Item	   *items;
	int			n;
	int			cap;
	long long	data_bytes;
} Script;

/* Read and split the file s->path (fail_local on any problem). */
extern void read_script(Script *s);
extern bool starts_with(const char *s, const char *prefix);

#endif							/* TEC_EXPORT_SCRIPT_H */
