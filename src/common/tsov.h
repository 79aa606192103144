/*-------------------------------------------------------------------------
 *
 * tsov.h
 *	  The few constants every part of tec_sovereignty agrees on.
 *
 * Layer 0, like everything in common/: it includes nothing of the
 * extension.  The layers and the rule that calls and #includes go down
 * only are described in README.md ("Architecture") and checked by
 * test/check_layers.sh.
 *
 * IDENTIFICATION
 *	  src/common/tsov.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_COMMON_TSOV_H
#define TSOV_COMMON_TSOV_H

#define TSOV_NAME			"tec_sovereignty"	/* GUC prefix, tranche, schema */
#define TSOV_SCHEMA			"tec_sovereignty"
#define TSOV_VERSION		"1.0"

/*
 * Maximum length of a domain name.  Role names are "<domain>_writer" and
 * friends, and must fit in NAMEDATALEN - 1 bytes.
 */
#define TSOV_DOMAIN_NAME_MAX 48

#endif							/* TSOV_COMMON_TSOV_H */
