/*
 * vfs_fault.c — the fault-injecting SQLite VFS of test builds (see
 * vfs_fault.h).  Test builds only: part of the at_fakeclock object
 * library, so never in the shipped binary.
 *
 * The state is a handful of atomics: the server arms faults from a signal
 * handler while its workers are inside SQLite, and the unit tests arm and
 * read them between operations.  Everything the SIGUSR1 handler calls is
 * async-signal-safe: open/read/write/close/unlink and our own loops.
 */
#include "vfs_fault.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ==== state =========================================================== */

static struct {
	atomic_int armed;                    /* counting (and maybe failing) */
	atomic_int kind;                     /* enum vfs_fault_kind to fail */
	atomic_int err;                      /* enum vfs_fault_error */
	atomic_long target;                  /* fail this call of `kind`; 0 none */
	atomic_long count[VFS_FAULT_KINDS];
	atomic_long fired;
	atomic_int fired_file;               /* enum vfs_fault_file */
} g;

static sqlite3_vfs *g_real;              /* the VFS we wrap */

void vfs_fault_arm(enum vfs_fault_kind kind, long n, enum vfs_fault_error err)
{
	/* Stop first, so no call counts half against the old arming. */
	atomic_store(&g.armed, 0);
	for (int k = 0; k < VFS_FAULT_KINDS; k++)
		atomic_store(&g.count[k], 0);
	atomic_store(&g.fired, 0);
	atomic_store(&g.fired_file, VFS_FILE_NONE);
	atomic_store(&g.kind, (int)kind);
	atomic_store(&g.err, (int)err);
	atomic_store(&g.target, n);
	atomic_store(&g.armed, 1);
}

void vfs_fault_disarm(void)
{
	atomic_store(&g.armed, 0);
}

long vfs_fault_fired(void)
{
	return atomic_load(&g.fired);
}

enum vfs_fault_file vfs_fault_fired_file(void)
{
	return (enum vfs_fault_file)atomic_load(&g.fired_file);
}

long vfs_fault_count(enum vfs_fault_kind kind)
{
	return (unsigned)kind < VFS_FAULT_KINDS ? atomic_load(&g.count[kind]) : 0;
}

static const char *const kind_names[VFS_FAULT_KINDS] = { "write", "sync", "read", "truncate" };
static const char *const err_names[] = { "ioerr", "full" };
static const char *const file_names[] = { "none", "db", "wal", "journal" };

const char *vfs_fault_kind_name(enum vfs_fault_kind kind)
{
	return (unsigned)kind < VFS_FAULT_KINDS ? kind_names[kind] : "?";
}

const char *vfs_fault_error_name(enum vfs_fault_error err)
{
	return (unsigned)err <= VFS_FAULT_FULL ? err_names[err] : "?";
}

const char *vfs_fault_file_name(enum vfs_fault_file f)
{
	return (unsigned)f <= VFS_FILE_JOURNAL ? file_names[f] : "?";
}

/* ==== parsing (async-signal-safe: no locale, no strtol) =============== */

/* Does s[0..n) spell `word` exactly? */
static int word_is(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	for (; i < n && word[i]; i++)
		if (s[i] != word[i])
			return 0;
	return i == n && !word[i];
}

int vfs_fault_parse(const char *spec, enum vfs_fault_kind *kind, long *n,
                    enum vfs_fault_error *err)
{
	const char *p = spec, *f1, *f2, *f3;
	size_t l1, l2, l3;
	long v = 0;
	int k;

	f1 = p;
	while (*p && *p != ':')
		p++;
	l1 = (size_t)(p - f1);
	if (*p++ != ':')
		return -1;
	f2 = p;
	while (*p && *p != ':')
		p++;
	l2 = (size_t)(p - f2);
	if (*p++ != ':')
		return -1;
	f3 = p;
	while (*p && *p != '\n' && *p != '\r' && *p != ' ')
		p++;
	l3 = (size_t)(p - f3);
	for (k = 0; k < VFS_FAULT_KINDS && !word_is(f1, l1, kind_names[k]); k++)
		;
	if (k == VFS_FAULT_KINDS || l2 == 0 || l2 > 9)
		return -1;
	for (size_t i = 0; i < l2; i++) {
		if (f2[i] < '0' || f2[i] > '9')
			return -1;
		v = v * 10 + (f2[i] - '0');
	}
	if (word_is(f3, l3, "ioerr"))
		*err = VFS_FAULT_IOERR;
	else if (word_is(f3, l3, "full"))
		*err = VFS_FAULT_FULL;
	else
		return -1;
	*kind = (enum vfs_fault_kind)k;
	*n = v;
	return 0;
}

/* ==== the file wrapper ================================================ */

struct fault_file {
	sqlite3_file base;               /* pMethods: one of fault_io[] */
	enum vfs_fault_file which;       /* VFS_FILE_NONE: not counted */
	sqlite3_file *real;              /* the wrapped file, right after us */
};

#define REAL(f) (((struct fault_file *)(f))->real)

/* Count a call of `kind` on `f`; non-zero if it is the one to fail. */
static int fault_hit(sqlite3_file *f, enum vfs_fault_kind kind)
{
	struct fault_file *ff = (struct fault_file *)f;
	long n;

	if (ff->which == VFS_FILE_NONE || !atomic_load(&g.armed))
		return 0;
	n = atomic_fetch_add(&g.count[kind], 1) + 1;
	if (atomic_load(&g.kind) != (int)kind || n != atomic_load(&g.target))
		return 0;
	atomic_fetch_add(&g.fired, 1);
	atomic_store(&g.fired_file, (int)ff->which);
	return 1;
}

/* The error an injected fault of `kind` reports. */
static int fault_rc(enum vfs_fault_kind kind)
{
	static const int ioerr[VFS_FAULT_KINDS] = {
		[VFS_FAULT_WRITE] = SQLITE_IOERR_WRITE,
		[VFS_FAULT_SYNC] = SQLITE_IOERR_FSYNC,
		[VFS_FAULT_READ] = SQLITE_IOERR_READ,
		[VFS_FAULT_TRUNCATE] = SQLITE_IOERR_TRUNCATE,
	};

	return atomic_load(&g.err) == VFS_FAULT_FULL ? SQLITE_FULL : ioerr[kind];
}

static int ff_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int ff_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	if (fault_hit(f, VFS_FAULT_READ)) {
		/* Garbage, not stale bytes, if SQLite ever used a failed read. */
		memset(buf, 0xA5, (size_t)amt);
		return fault_rc(VFS_FAULT_READ);
	}
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int ff_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	if (fault_hit(f, VFS_FAULT_WRITE))
		return fault_rc(VFS_FAULT_WRITE);
	return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (fault_hit(f, VFS_FAULT_TRUNCATE))
		return fault_rc(VFS_FAULT_TRUNCATE);
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int ff_sync(sqlite3_file *f, int flags)
{
	if (fault_hit(f, VFS_FAULT_SYNC))
		return fault_rc(VFS_FAULT_SYNC);
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int ff_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int ff_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int ff_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int ff_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int ff_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int ff_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int ff_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* Version 2: shared memory, which WAL mode needs; passed through. */
static int ff_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void ff_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int ff_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

/* Version 3: memory-mapped reads; passed through (and not counted). */
static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}

static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

#define FF_METHODS(version)                                                                  \
	{ (version), ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_file_size, ff_lock,  \
	  ff_unlock, ff_check_reserved, ff_file_control, ff_sector_size,                      \
	  ff_device_characteristics, ff_shm_map, ff_shm_lock, ff_shm_barrier, ff_shm_unmap,    \
	  ff_fetch, ff_unfetch }

/* One table per io_methods version: a wrapped file offers exactly the
 * methods its real file has, so SQLite never calls a missing one (a
 * version-1 file has no shared memory: SQLite then refuses WAL mode for
 * it, as it would without us). */
static const sqlite3_io_methods fault_io[3] = {
	FF_METHODS(1), FF_METHODS(2), FF_METHODS(3),
};

/* ==== the VFS ========================================================= */

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                   int *out_flags)
{
	struct fault_file *ff = (struct fault_file *)f;
	int rc, version;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	ff->which = (flags & SQLITE_OPEN_MAIN_DB)        ? VFS_FILE_DB
	            : (flags & SQLITE_OPEN_WAL)          ? VFS_FILE_WAL
	            : (flags & SQLITE_OPEN_MAIN_JOURNAL) ? VFS_FILE_JOURNAL
	                                                 : VFS_FILE_NONE;
	rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
	/* SQLite calls xClose after a failed xOpen that set pMethods. */
	if (!ff->real->pMethods) {
		f->pMethods = NULL;
		return rc;
	}
	version = ff->real->pMethods->iVersion;
	f->pMethods = &fault_io[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
	return rc;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return g_real->xDelete(g_real, name, sync_dir);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return g_real->xAccess(g_real, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return g_real->xFullPathname(g_real, name, n, out);
}

static void *fv_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return g_real->xDlOpen(g_real, name);
}

static void fv_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	g_real->xDlError(g_real, n, out);
}

static void (*fv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return g_real->xDlSym(g_real, h, sym);
}

static void fv_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	g_real->xDlClose(g_real, h);
}

static int fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return g_real->xRandomness(g_real, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return g_real->xSleep(g_real, us);
}

static int fv_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return g_real->xCurrentTime(g_real, out);
}

static int fv_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return g_real->xGetLastError ? g_real->xGetLastError(g_real, n, out) : 0;
}

static int fv_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return g_real->xCurrentTimeInt64(g_real, out);
}

static int fv_set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr p)
{
	(void)vfs;
	return g_real->xSetSystemCall(g_real, name, p);
}

static sqlite3_syscall_ptr fv_get_system_call(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return g_real->xGetSystemCall(g_real, name);
}

static const char *fv_next_system_call(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return g_real->xNextSystemCall(g_real, name);
}

static sqlite3_vfs fault_vfs = {
	.zName = "assettrack-fault",
	.xOpen = fv_open,
	.xDelete = fv_delete,
	.xAccess = fv_access,
	.xFullPathname = fv_full_pathname,
	.xDlOpen = fv_dlopen,
	.xDlError = fv_dlerror,
	.xDlSym = fv_dlsym,
	.xDlClose = fv_dlclose,
	.xRandomness = fv_randomness,
	.xSleep = fv_sleep,
	.xCurrentTime = fv_current_time,
	.xGetLastError = fv_get_last_error,
	.xCurrentTimeInt64 = fv_current_time_int64,
	.xSetSystemCall = fv_set_system_call,
	.xGetSystemCall = fv_get_system_call,
	.xNextSystemCall = fv_next_system_call,
};

int vfs_fault_install(void)
{
	sqlite3_vfs *def;

	if (g_real)
		return 0;
	/* The store's first open would do this (store.c global_init); the
	 * lookup below initialises SQLite, after which it is too late. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	def = sqlite3_vfs_find(NULL);
	if (!def)
		return -1;
	/* Offer what the real VFS offers, no more (iVersion 1..3). */
	fault_vfs.iVersion = def->iVersion > 3 ? 3 : def->iVersion;
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + def->szOsFile;
	fault_vfs.mxPathname = def->mxPathname;
	g_real = def;
	if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK) {
		g_real = NULL;
		return -1;
	}
	return 0;
}

/* ==== environment controls ============================================ */

static char g_spec_path[1024];
static char g_ack_path[1024 + 8];

/* Append text / a number to buf[*len] (cap bytes); async-signal-safe. */
static void put_s(char *buf, size_t cap, size_t *len, const char *s)
{
	while (*s && *len + 1 < cap)
		buf[(*len)++] = *s++;
	buf[*len] = '\0';
}

static void put_l(char *buf, size_t cap, size_t *len, long v)
{
	char digits[24];
	size_t n = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u && n < sizeof(digits));
	if (v < 0)
		put_s(buf, cap, len, "-");
	while (n && *len + 1 < cap)
		buf[(*len)++] = digits[--n];
	buf[*len] = '\0';
}

/* Apply "off", "count" or "KIND:N:ERR"; -1 if it is none of them. */
static int apply_spec(const char *spec)
{
	enum vfs_fault_kind kind;
	enum vfs_fault_error err;
	long n;

	if (word_is(spec, 3, "off") && (spec[3] == '\0' || spec[3] == '\n')) {
		vfs_fault_disarm();
		return 0;
	}
	if (word_is(spec, 5, "count") && (spec[5] == '\0' || spec[5] == '\n')) {
		vfs_fault_arm(VFS_FAULT_WRITE, 0, VFS_FAULT_IOERR);
		return 0;
	}
	if (vfs_fault_parse(spec, &kind, &n, &err) < 0)
		return -1;
	vfs_fault_arm(kind, n, err);
	return 0;
}

/* The .ack line: what the arming now ending saw. */
static size_t ack_line(char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	put_s(buf, cap, &len, "kind=");
	put_s(buf, cap, &len, vfs_fault_kind_name((enum vfs_fault_kind)atomic_load(&g.kind)));
	put_s(buf, cap, &len, " n=");
	put_l(buf, cap, &len, atomic_load(&g.target));
	put_s(buf, cap, &len, " err=");
	put_s(buf, cap, &len, vfs_fault_error_name((enum vfs_fault_error)atomic_load(&g.err)));
	put_s(buf, cap, &len, " fired=");
	put_l(buf, cap, &len, vfs_fault_fired());
	put_s(buf, cap, &len, " file=");
	put_s(buf, cap, &len, vfs_fault_file_name(vfs_fault_fired_file()));
	for (int k = 0; k < VFS_FAULT_KINDS; k++) {
		put_s(buf, cap, &len, " ");
		put_s(buf, cap, &len, kind_names[k]);
		put_s(buf, cap, &len, "=");
		put_l(buf, cap, &len, vfs_fault_count((enum vfs_fault_kind)k));
	}
	put_s(buf, cap, &len, "\n");
	return len;
}

static void say(const char *msg)
{
	ssize_t w = write(2, msg, strlen(msg));

	(void)w;
}

/* SIGUSR1: report the ending arming to PATH.ack, arm PATH's spec, and
 * unlink PATH last: its absence is the test's signal that it is armed. */
static void on_sigusr1(int sig)
{
	int saved = errno, fd;
	char spec[128], line[256];
	ssize_t n = 0;
	size_t len;

	(void)sig;
	fd = open(g_spec_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, spec, sizeof(spec) - 1);
		close(fd);
	}
	if (fd < 0 || n <= 0) {
		say("vfs_fault: SIGUSR1 but no spec in ASSETTRACK_FAULT_FILE\n");
		errno = saved;
		return;
	}
	spec[n] = '\0';
	len = ack_line(line, sizeof(line));
	fd = open(g_ack_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, line, len);
		(void)w;
		close(fd);
	}
	if (apply_spec(spec) < 0) {
		/* Leave the spec file in place: the waiting test times out and
		 * shows this. */
		say("vfs_fault: bad spec in ASSETTRACK_FAULT_FILE (want KIND:N:ERR, count, off)\n");
		errno = saved;
		return;
	}
	unlink(g_spec_path);
	errno = saved;
}

/* Test binaries start faulty on request (see vfs_fault.h).  A bad spec is
 * a broken test: say so and stop, rather than run without the fault. */
__attribute__((constructor)) static void vfs_fault_from_env(void)
{
	const char *spec = getenv("ASSETTRACK_FAULT");
	const char *file = getenv("ASSETTRACK_FAULT_FILE");
	struct sigaction sa;

	if ((!spec || !*spec) && (!file || !*file))
		return;
	if (vfs_fault_install() < 0) {
		fprintf(stderr, "vfs_fault: cannot register the fault VFS\n");
		exit(2);
	}
	if (file && *file) {
		if (strlen(file) >= sizeof(g_spec_path)) {
			fprintf(stderr, "vfs_fault: ASSETTRACK_FAULT_FILE path too long\n");
			exit(2);
		}
		snprintf(g_spec_path, sizeof(g_spec_path), "%s", file);
		snprintf(g_ack_path, sizeof(g_ack_path), "%s.ack", file);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigusr1;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}
	if (spec && *spec && apply_spec(spec) < 0) {
		fprintf(stderr, "vfs_fault: bad ASSETTRACK_FAULT '%s' (want KIND:N:ERR, count, off)\n",
		        spec);
		exit(2);
	}
}
