/*-------------------------------------------------------------------------
 *
 * hooks.h
 *	  The one function that installs every hook slot (hooks.c), for
 *	  _PG_init.
 *
 * IDENTIFICATION
 *	  src/hooks.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_HOOKS_H
#define TSOV_HOOKS_H

extern void tsov_hooks_install(void);

#endif							/* TSOV_HOOKS_H */
