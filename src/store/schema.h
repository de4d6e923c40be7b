/*
 * schema.h — forward migrations; schema_migrations[i] takes user_version
 * i to i+1.  Internal to store/.
 */
#ifndef AT_STORE_SCHEMA_H
#define AT_STORE_SCHEMA_H

extern const char *const schema_migrations[];
extern const int schema_nmigrations;

#endif
