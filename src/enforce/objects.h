/*-------------------------------------------------------------------------
 *
 * objects.h
 *	  Private to the object access guard: objects.c (the hook's dispatch,
 *	  the rule for objects in a domain schema) and objects_rules.c (the
 *	  rules for what lies around a domain: nothing created or owned
 *	  outside it by its roles, no extension inside it, nothing outside
 *	  pinning it).
 *
 * IDENTIFICATION
 *	  src/enforce/objects.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef TSOV_ENFORCE_OBJECTS_H
#define TSOV_ENFORCE_OBJECTS_H

/* What we need to know about a catalog object. */
typedef struct ObjInfo
{
	bool		found;
	Oid			nspoid;
	Oid			owner;			/* InvalidOid: no owner of its own */
	char		relkind;		/* for pg_class */
	bool		rowsecurity;	/* for pg_class */
	char	   *name;			/* unqualified */
	Oid			typrelid;		/* for pg_type: relation of a row type */
	Oid			parent_relid;	/* for sub-objects of a relation */
	bool		system_made;	/* made by PostgreSQL itself for its owner */
} ObjInfo;

/* in objects.c: the catalog row of an object, read with SnapshotSelf */
extern void tsov_obj_info(Oid classId, Oid objectId, ObjInfo *info);

/* in objects.c: a denial by a fixed rule, about one object */
extern void tsov_obj_deny_fixed(const char *action, Oid nspoid, Oid classId,
								Oid objid, const char *msg, const char *detail,
								const char *hint);

/* in objects_rules.c */
extern void tsov_obj_outside_domain_rule(const char *action, Oid classId,
										 Oid objectId, const ObjInfo *info);
extern void tsov_obj_extension_into_domain_rule(const char *action, Oid classId,
												Oid objectId, Oid nspoid,
												bool creating);
extern void tsov_obj_shared_table_rule(const char *action, Oid classId,
									   Oid objectId, Oid relid,
									   const ObjInfo *info, bool creating);
extern void tsov_obj_shared_table_dropped(const char *action, Oid relid);
extern void tsov_obj_pin_rule(const char *action, Oid classId, Oid objectId,
							  int subId, const ObjInfo *info);

#endif							/* TSOV_ENFORCE_OBJECTS_H */
