/*
 * sqlite_mem.h — SQLite's small allocations from per-thread free lists
 * (sqlite_mem.c).  Internal to store/.
 */
#ifndef AT_STORE_SQLITE_MEM_H
#define AT_STORE_SQLITE_MEM_H

/* Before SQLite initialises (drv_sqlite.c's global_init); afterwards it
 * changes nothing.  A no-op in the sanitizer build. */
void sqlite_mem_install(void);

#endif
