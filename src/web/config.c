/*
 * config.c — `serve` settings from ASSETTRACK_CONFIG's file and the
 * environment; the first-start password file (web/config.h).
 */
#include "web/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/text.h"

enum config_key { K_LISTEN, K_THREADS, K_TLS_CERT, K_TLS_KEY, K_QUIET, K_PWFILE, K__MAX };

static const struct {
	const char *name, *env;
} keys[K__MAX] = {
	[K_LISTEN] = { "listen", "ASSETTRACK_LISTEN" },
	[K_THREADS] = { "threads", "ASSETTRACK_THREADS" },
	[K_TLS_CERT] = { "tls_cert", "ASSETTRACK_TLS_CERT" },
	[K_TLS_KEY] = { "tls_key", "ASSETTRACK_TLS_KEY" },
	[K_QUIET] = { "quiet", "ASSETTRACK_QUIET" },
	[K_PWFILE] = { "initial_password_file", "ASSETTRACK_INITIAL_PASSWORD_FILE" },
};

/* The values in force and where each came from ("FILE:LINE" or the
 * variable's name), for messages.  Set once, before any thread starts. */
static char *vals[K__MAX];
static char where[K__MAX][256];
static const char *pw_file;
static atomic_int pw_file_done;

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
	                   end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int key_index(const char *name)
{
	for (int k = 0; k < K__MAX; k++)
		if (strcmp(keys[k].name, name) == 0)
			return k;
	return -1;
}

/* Keep `value` for key `k`, noting where it came from. */
static int keep(int k, const char *value, const char *from)
{
	char *copy = strdup(value);

	if (!copy) {
		fprintf(stderr, "assettrack: out of memory reading the configuration\n");
		return -1;
	}
	free(vals[k]);
	vals[k] = copy;
	snprintf(where[k], sizeof(where[k]), "%s", from);
	return 0;
}

/* Read `path`: every line a `key = value`, a comment or blank. */
static int read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], from[256];
	int seen[K__MAX] = { 0 }, lineno = 0, rc = 0;

	if (!f) {
		fprintf(stderr, "assettrack: cannot read the configuration %s (ASSETTRACK_CONFIG): %s\n",
		        path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *value;
		int k;

		lineno++;
		snprintf(from, sizeof(from), "%s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "assettrack: %s: the line is too long\n", from);
			rc = -1;
			break;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			fprintf(stderr, "assettrack: %s: expected 'key = value', not '%.60s'\n", from, s);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		k = key_index(key);
		if (k < 0) {
			fprintf(stderr, "assettrack: %s: unknown setting '%.60s' (listen, threads, "
			        "tls_cert, tls_key, quiet, initial_password_file)\n", from, key);
			rc = -1;
		} else if (seen[k]++) {
			fprintf(stderr, "assettrack: %s: '%s' is set twice\n", from, key);
			rc = -1;
		} else if (*value) {
			rc = keep(k, value, from);
		}
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "assettrack: cannot read %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

/* yes/no for `quiet`: 1, 0, or -1 after a message. */
static int parse_bool(int k)
{
	const char *v = vals[k];

	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		return 1;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		return 0;
	fprintf(stderr, "assettrack: %s: %s is yes or no, not '%.40s'\n", where[k], keys[k].name, v);
	return -1;
}

int web_config_load(struct web_config *cfg)
{
	const char *file = getenv("ASSETTRACK_CONFIG");
	int64_t n;
	int q;

	if (file && *file && read_file(file) < 0)
		return -1;
	for (int k = 0; k < K__MAX; k++) {
		const char *v = getenv(keys[k].env);
		if (v && *v && keep(k, v, keys[k].env) < 0)
			return -1;
	}
	if (!cfg->listen && vals[K_LISTEN])
		cfg->listen = vals[K_LISTEN];
	if (cfg->threads <= 0 && vals[K_THREADS]) {
		if (text_parse_int(vals[K_THREADS], 1, 64, &n) < 0) {
			fprintf(stderr, "assettrack: %s: threads is a whole number from 1 to 64, not "
			        "'%.40s'\n", where[K_THREADS], vals[K_THREADS]);
			return -1;
		}
		cfg->threads = (int)n;
	}
	/* The two TLS files go together: one from the command line and the
	 * other from here would be a mix nobody meant. */
	if (!cfg->tls_cert && !cfg->tls_key) {
		cfg->tls_cert = vals[K_TLS_CERT];
		cfg->tls_key = vals[K_TLS_KEY];
	}
	if (!cfg->quiet && vals[K_QUIET]) {
		if ((q = parse_bool(K_QUIET)) < 0)
			return -1;
		cfg->quiet = q;
	}
	pw_file = vals[K_PWFILE];
	return 0;
}

const char *web_config_password_file(void)
{
	return pw_file;
}

int web_config_write_password(const char *password)
{
	size_t len = strlen(password);
	int fd, ok;

	if (!pw_file)
		return 0;
	/* O_EXCL after the unlink: never through a link someone left there. */
	if (unlink(pw_file) < 0 && errno != ENOENT) {
		fprintf(stderr, "assettrack: cannot replace %s: %s\n", pw_file, strerror(errno));
		return -1;
	}
	fd = open(pw_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "assettrack: cannot write %s: %s\n", pw_file, strerror(errno));
		return -1;
	}
	ok = write(fd, password, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "assettrack: cannot write %s: %s\n", pw_file, strerror(errno));
		unlink(pw_file);
		return -1;
	}
	return 0;
}

void web_config_login_seen(const char *username)
{
	if (!pw_file || strcmp(username, "admin") != 0 || atomic_exchange(&pw_file_done, 1))
		return;
	if (unlink(pw_file) == 0)
		fprintf(stderr, "assettrack: admin has logged in: deleted %s\n", pw_file);
	else if (errno != ENOENT)
		fprintf(stderr, "assettrack: cannot delete %s: %s\n", pw_file, strerror(errno));
}
