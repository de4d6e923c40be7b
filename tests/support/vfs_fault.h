/*
 * vfs_fault.h — a test-only SQLite VFS that makes the Nth write, sync,
 * read or truncate fail (issue #7).  Test builds only: linked into the
 * unit tests and assettrack-testclock, never into assettrack.
 *
 * The shim wraps the default (unix) VFS and passes every call through,
 * shared memory and memory-mapped I/O included.  While armed it counts
 * the xWrite, xSync, xRead and xTruncate calls made on main database, WAL
 * and rollback-journal files (temporary files and statement journals are
 * not counted) and fails the Nth call of the armed kind, once, with
 * SQLITE_IOERR_WRITE / _FSYNC / _READ / _TRUNCATE or SQLITE_FULL, without
 * doing the I/O.  A test first arms with n = 0 to count what an operation
 * does, then arms n = 1..count.  Reads served from mmap (xFetch) are not
 * counted: the store leaves mmap_size at SQLite's default of 0.
 *
 * Environment (honoured by a constructor in this object, so by any binary
 * it is linked into):
 *   ASSETTRACK_FAULT=SPEC       install the shim at start-up and arm SPEC,
 *                               counting from then ("write:3:full").
 *   ASSETTRACK_FAULT_FILE=PATH  install the shim; on SIGUSR1 read a SPEC
 *                               from PATH and arm it (counting starts
 *                               then), write what the previous arming saw
 *                               to PATH.ack, and unlink PATH last, so a
 *                               test that waits for PATH to vanish knows
 *                               the fault is armed.
 * SPEC is "KIND:N:ERR" with KIND write|sync|read|truncate, N >= 0 (0 only
 * counts) and ERR ioerr|full; "count" (count only) or "off" (disarm).
 * The .ack line is "kind=K n=N err=E fired=F file=db|wal|journal|none
 * write=W sync=S read=R truncate=T" for the arming it ends.
 */
#ifndef AT_TESTS_VFS_FAULT_H
#define AT_TESTS_VFS_FAULT_H

enum vfs_fault_kind {
	VFS_FAULT_WRITE,
	VFS_FAULT_SYNC,
	VFS_FAULT_READ,
	VFS_FAULT_TRUNCATE,
	VFS_FAULT_KINDS
};

enum vfs_fault_error {
	VFS_FAULT_IOERR,   /* SQLITE_IOERR_WRITE, _FSYNC, _READ, _TRUNCATE */
	VFS_FAULT_FULL     /* SQLITE_FULL */
};

/* The file a counted call went to. */
enum vfs_fault_file { VFS_FILE_NONE, VFS_FILE_DB, VFS_FILE_WAL, VFS_FILE_JOURNAL };

/* Register the shim as SQLite's default VFS (idempotent).  Connections
 * opened earlier keep their VFS.  0, or -1 if SQLite refused. */
int vfs_fault_install(void);

/* Reset the counters and start counting; fail the nth call of `kind`
 * (n >= 1) with `err`, once.  n == 0 only counts. */
void vfs_fault_arm(enum vfs_fault_kind kind, long n, enum vfs_fault_error err);
/* Stop counting and failing; the counters keep what they saw. */
void vfs_fault_disarm(void);

/* Faults injected since the last arming (0 or 1). */
long vfs_fault_fired(void);
/* The file the injected fault hit (VFS_FILE_NONE if none fired). */
enum vfs_fault_file vfs_fault_fired_file(void);
/* Calls of `kind` counted since the last arming. */
long vfs_fault_count(enum vfs_fault_kind kind);

/* Parse "KIND:N:ERR"; 0, or -1 if it is not one.  ("count" and "off" are
 * understood by the environment controls only.) */
int vfs_fault_parse(const char *spec, enum vfs_fault_kind *kind, long *n,
                    enum vfs_fault_error *err);
/* "write", "sync", "read", "truncate". */
const char *vfs_fault_kind_name(enum vfs_fault_kind kind);
/* "ioerr", "full". */
const char *vfs_fault_error_name(enum vfs_fault_error err);
/* "none", "db", "wal", "journal". */
const char *vfs_fault_file_name(enum vfs_fault_file f);

#endif
