/*-------------------------------------------------------------------------
 *
 * tec_sovereignty.h
 *	  Declarations shared by every part of the tec_sovereignty extension.
 *
 * Each subsystem (domain cache, guards, audit, export) keeps its own
 * private header; this one only carries what _PG_init needs to wire them
 * together, plus the few constants every file agrees on.
 *
 * IDENTIFICATION
 *	  src/tec_sovereignty.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TEC_SOVEREIGNTY_H
#define TEC_SOVEREIGNTY_H

#define TSOV_NAME			"tec_sovereignty"	/* GUC prefix, tranche, schema */
#define TSOV_SCHEMA			"tec_sovereignty"
#define TSOV_VERSION		"1.0"

/*
 * Maximum length of a domain name.  Role names are "<domain>_writer" and
 * friends, and must fit in NAMEDATALEN - 1 bytes.
 */
#define TSOV_DOMAIN_NAME_MAX 48

/*
 * Greater than zero while the extension runs its own work (lifecycle and
 * export functions, the audit writer): the guards let it through and do not
 * audit it, so that the extension never recurses into itself.  Code that
 * raises it must lower it again in PG_FINALLY; a top-level abort resets it.
 */
extern PGDLLIMPORT int tsov_internal_depth;

#endif							/* TEC_SOVEREIGNTY_H */
