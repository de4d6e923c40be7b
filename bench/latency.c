/*
 * latency.c — sequential HTTP latency client for the benchmark.
 *
 * One keep-alive connection to 127.0.0.1:PORT, one request at a time, the
 * clock running from the first byte sent to the last byte of the answer
 * read.  Plain sockets and a minimal HTTP/1.1 reader (Content-Length or
 * chunked): no client library between the clock and the server.
 *
 *   latency --port P --token T custody --tags FILE --holder ID
 *           [--sizes 1,50,500] [--reps 30,20,12] [--warmup N]
 *       For each size: Stock-Out `size` tags to the holder (timed), then
 *       Stock-In the same tags to the slots they left (timed), so each
 *       repetition starts where the last one did.  Tags are consumed in
 *       file order, the same slices bench/floor_sqlite uses.
 *
 *   latency --port P --token T get PATH [--reps N] [--warmup N]
 *       GET PATH repeatedly.
 *
 *   latency --port P --token T probe --tags FILE --holder ID --secs S [--gap-ms MS]
 *       What an operator sees while other work runs (bench/mixed.sh): every
 *       MS (20) milliseconds a single-asset Stock-Out, a lookup and the
 *       Stock-In back, until S seconds pass or SIGTERM; prints "PROBE name n
 *       p50 p99 max errors busy" per kind.  Refusals are counted, not fatal.
 *
 *   latency --port P --token T pace --tags FILE --rate R --secs S
 *       Background lookups at R per second on one connection.
 *
 * Prints "RESULT name size median_ms p95_ms reps [bytes]" lines; any
 * answer other than 200 stops the run with the answer on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXN 16

static int port;
static const char *token;
static int fd = -1;

/* ==== a growable byte buffer ============================================ */

struct bytes {
	char *p;
	size_t len, cap;
};

static void add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			fprintf(stderr, "latency: out of memory\n");
			exit(3);
		}
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void adds(struct bytes *b, const char *s)
{
	add(b, s, strlen(s));
}

/* ==== HTTP ================================================================ */

static void connect_server(void)
{
	struct sockaddr_in sa;
	int one = 1;

	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "latency: cannot connect to 127.0.0.1:%d: %s\n", port,
		        strerror(errno));
		exit(3);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void send_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "latency: send: %s\n", strerror(errno));
			exit(3);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Read more into `in`; exits on EOF or error. */
static void fill(struct bytes *in)
{
	char chunk[65536];
	ssize_t r;

	do
		r = recv(fd, chunk, sizeof(chunk), 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		fprintf(stderr, "latency: connection closed by the server\n");
		exit(3);
	}
	add(in, chunk, (size_t)r);
}

/* Send one request and read its answer; returns the status, the body in
 * `body`, and the elapsed milliseconds in `*ms`. */
static int request(const char *method, const char *path, const char *json, struct bytes *body,
                   double *ms)
{
	struct bytes req = { 0 }, in = { 0 };
	char line[512];
	struct timespec t0, t1;
	size_t hdr_end, clen = 0;
	int status = 0, chunked = 0, close_after = 0;
	char *p, *h;

	snprintf(line, sizeof(line),
	         "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
	         "Accept: application/json\r\n",
	         method, path, port, token);
	adds(&req, line);
	if (json) {
		snprintf(line, sizeof(line),
		         "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(json));
		adds(&req, line);
	}
	adds(&req, "\r\n");
	if (json)
		adds(&req, json);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	send_all(req.p, req.len);
	for (;;) {
		if (in.len && (p = strstr(in.p, "\r\n\r\n")))
			break;
		fill(&in);
	}
	hdr_end = (size_t)(p - in.p) + 4;
	sscanf(in.p, "HTTP/1.%*d %d", &status);
	for (h = strstr(in.p, "\r\n"); h && h < in.p + hdr_end - 2; h = strstr(h + 2, "\r\n")) {
		const char *f = h + 2;
		if (strncasecmp(f, "Content-Length:", 15) == 0)
			clen = strtoul(f + 15, NULL, 10);
		else if (strncasecmp(f, "Transfer-Encoding:", 18) == 0 && strstr(f, "chunked"))
			chunked = 1;
		else if (strncasecmp(f, "Connection:", 11) == 0 && strstr(f, "close"))
			close_after = 1;
	}
	body->len = 0;
	if (chunked) {
		size_t pos = hdr_end;
		for (;;) {
			char *eol;
			size_t n;
			while (!(eol = strstr(in.p + pos, "\r\n")))
				fill(&in);
			n = strtoul(in.p + pos, NULL, 16);
			pos = (size_t)(eol - in.p) + 2;
			while (in.len < pos + n + 2)
				fill(&in);
			if (n == 0)
				break;
			add(body, in.p + pos, n);
			pos += n + 2;
		}
	} else {
		while (in.len < hdr_end + clen)
			fill(&in);
		add(body, in.p + hdr_end, clen);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (!body->p)
		add(body, "", 0);
	free(req.p);
	free(in.p);
	if (close_after)
		connect_server();
	return status;
}

static void expect_ok(int status, const char *what, const struct bytes *body)
{
	if (status == 200)
		return;
	fprintf(stderr, "latency: %s answered %d: %.2000s\n", what, status, body->p);
	exit(1);
}

/* ==== statistics ========================================================== */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, double p)
{
	int k = (int)((p / 100.0) * n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void result(const char *name, int size, double *v, int n, size_t bytes)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("RESULT %s %d %.3f %.3f %d %zu\n", name, size, pct(v, n, 50), pct(v, n, 95), n,
	       bytes);
	fflush(stdout);
}

static int parse_list(const char *s, int *out)
{
	int n = 0;

	while (*s && n < MAXN) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s || v < 1 || v > 100000)
			return -1;
		out[n++] = (int)v;
		if (*end && *end != ',')
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* ==== scenarios ============================================================ */

static char **read_tags(const char *file, size_t *n)
{
	char **tags = NULL, line[256];
	size_t cap = 0;
	FILE *f = fopen(file, "r");

	*n = 0;
	if (!f) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			tags = realloc(tags, cap * sizeof(*tags));
			if (!tags)
				exit(3);
		}
		tags[(*n)++] = strdup(line);
	}
	fclose(f);
	return tags;
}

static int custody(const char *tagfile, long holder, const int *sizes, const int *reps,
                   int nsizes, int warmup)
{
	size_t ntags, off = 0;
	char **tags = read_tags(tagfile, &ntags);
	struct bytes out = { 0 }, in = { 0 }, body = { 0 };
	char num[32];

	for (int k = 0; k < nsizes; k++) {
		int n = sizes[k], r = reps[k];
		double *t_out = calloc((size_t)r, sizeof(double));
		double *t_in = calloc((size_t)r, sizeof(double));
		size_t bytes_out = 0, bytes_in = 0;

		for (int rep = -warmup; rep < r; rep++) {
			double to, ti;
			if (off + (size_t)n > ntags) {
				fprintf(stderr, "latency: %s has too few tags (%zu)\n", tagfile, ntags);
				return 2;
			}
			out.len = in.len = 0;
			snprintf(num, sizeof(num), "%ld", holder);
			adds(&out, "{\"holder\":");
			adds(&out, num);
			adds(&out, ",\"asset_tags\":[");
			adds(&in, "{\"items\":[");
			for (int i = 0; i < n; i++) {
				const char *t = tags[off + (size_t)i];
				adds(&out, i ? ",\"" : "\"");
				adds(&out, t);
				adds(&out, "\"");
				adds(&in, i ? ",{\"asset_tag\":\"" : "{\"asset_tag\":\"");
				adds(&in, t);
				adds(&in, "\"}");
			}
			adds(&out, "]}");
			adds(&in, "]}");
			expect_ok(request("POST", "/api/v1/custody/stock-out", out.p, &body, &to),
			          "stock-out", &body);
			bytes_out = body.len;
			expect_ok(request("POST", "/api/v1/custody/stock-in", in.p, &body, &ti),
			          "stock-in", &body);
			bytes_in = body.len;
			off += (size_t)n;
			if (rep >= 0) {
				t_out[rep] = to;
				t_in[rep] = ti;
			}
		}
		result("stock_out", n, t_out, r, bytes_out);
		result("stock_in", n, t_in, r, bytes_in);
		free(t_out);
		free(t_in);
	}
	return 0;
}

static int get(const char *path, int reps, int warmup, const char *name)
{
	struct bytes body = { 0 };
	double *t = calloc((size_t)reps, sizeof(double)), ms;

	for (int rep = -warmup; rep < reps; rep++) {
		expect_ok(request("GET", path, NULL, &body, &ms), path, &body);
		if (rep >= 0)
			t[rep] = ms;
	}
	result(name, 0, t, reps, body.len);
	free(t);
	return 0;
}

/* ==== latency under other load (bench/mixed.sh) ========================= */

/* SIGTERM/SIGINT end a probe early; it still prints what it measured. */
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Seconds since `t0`. */
static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void sleep_ms(double ms)
{
	struct timespec d = { (time_t)(ms / 1e3), (long)((ms - (double)(long)(ms / 1e3) * 1e3) * 1e6) };

	if (ms > 0)
		nanosleep(&d, NULL);
}

/* A refusal that says the database was busy (503, or any answer naming a
 * lock): what an operator must never see. */
static int busy_answer(int status, const struct bytes *body)
{
	return status == 503 || (body->p && (strstr(body->p, "locked") || strstr(body->p, "BUSY")));
}

/* Print a "PROBE name n p50 p99 max errors busy" line. */
static void probe_result(const char *name, double *v, int n, int errors, int busy)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("PROBE %s %d %.3f %.3f %.3f %d %d\n", name, n, n ? pct(v, n, 50) : 0.0,
	       n ? pct(v, n, 99) : 0.0, n ? v[n - 1] : 0.0, errors, busy);
	fflush(stdout);
}

/*
 * What an operator at a scanner sees while other work runs: every
 * `gap_ms`, a single-asset Stock-Out (timed), a lookup of another asset
 * (timed), and the Stock-In that puts the first one back (timed too, but
 * reported apart), for `secs` seconds.  Tags are taken in turn from the
 * file and reused after a full round.  Non-200 answers are counted, not
 * fatal: under load they are what is measured.
 */
static int probe(const char *tagfile, long holder, double secs, double gap_ms)
{
	size_t ntags, next = 0, cap = (size_t)(secs * 1000.0 / (gap_ms > 1 ? gap_ms : 1)) + 1024;
	char **tags = read_tags(tagfile, &ntags);
	double *t_out = calloc(cap, sizeof(double)), *t_look = calloc(cap, sizeof(double));
	double *t_in = calloc(cap, sizeof(double));
	int n_out = 0, n_look = 0, n_in = 0, err_out = 0, err_look = 0, err_in = 0, busy = 0;
	struct bytes req = { 0 }, body = { 0 };
	struct timespec t0;
	char num[32], path[300];

	if (ntags < 2 || !t_out || !t_look || !t_in)
		return 2;
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stopping && since(&t0) < secs && (size_t)n_out < cap) {
		const char *tag = tags[next % ntags], *other = tags[(next + ntags / 2) % ntags];
		double ms;
		int st;

		next++;
		req.len = 0;
		snprintf(num, sizeof(num), "%ld", holder);
		adds(&req, "{\"holder\":");
		adds(&req, num);
		adds(&req, ",\"asset_tags\":[\"");
		adds(&req, tag);
		adds(&req, "\"]}");
		st = request("POST", "/api/v1/custody/stock-out", req.p, &body, &ms);
		t_out[n_out++] = ms;
		busy += busy_answer(st, &body);
		if (st != 200) {
			err_out++;
			if (err_out <= 3)
				fprintf(stderr, "probe: stock-out %s answered %d: %.300s\n", tag, st, body.p);
		}
		snprintf(path, sizeof(path), "/api/v1/assets/%s", other);
		st = request("GET", path, NULL, &body, &ms);
		t_look[n_look++] = ms;
		busy += busy_answer(st, &body);
		err_look += st != 200;
		req.len = 0;
		adds(&req, "{\"items\":[{\"asset_tag\":\"");
		adds(&req, tag);
		adds(&req, "\"}]}");
		st = request("POST", "/api/v1/custody/stock-in", req.p, &body, &ms);
		t_in[n_in++] = ms;
		busy += busy_answer(st, &body);
		if (st != 200) {
			err_in++;
			if (err_in <= 3)
				fprintf(stderr, "probe: stock-in %s answered %d: %.300s\n", tag, st, body.p);
		}
		sleep_ms(gap_ms);
	}
	probe_result("stock_out_1", t_out, n_out, err_out, busy);
	probe_result("lookup", t_look, n_look, err_look, 0);
	probe_result("stock_in_1", t_in, n_in, err_in, 0);
	free(t_out);
	free(t_look);
	free(t_in);
	free(req.p);
	free(body.p);
	return err_out || err_in || busy ? 1 : 0;
}

/* Background lookups at `rate` per second for `secs` seconds, paced on
 * one connection (open loop: late requests are sent at once, not
 * skipped).  Prints how many were sent and the rate reached. */
static int pace(const char *tagfile, double rate, double secs)
{
	size_t ntags, i = 0;
	char **tags = read_tags(tagfile, &ntags);
	struct bytes body = { 0 };
	struct timespec t0;
	char path[300];
	long errors = 0;
	double ms, el;

	if (!ntags || rate <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	signal(SIGTERM, on_stop);
	while (!stopping && (el = since(&t0)) < secs) {
		double due = (double)i / rate;
		if (due > el)
			sleep_ms((due - el) * 1e3);
		snprintf(path, sizeof(path), "/api/v1/assets/%s", tags[i % ntags]);
		errors += request("GET", path, NULL, &body, &ms) != 200;
		i++;
	}
	printf("PACE lookups %zu %.0f/s errors %ld\n", i, (double)i / since(&t0), errors);
	free(body.p);
	return errors ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: latency --port P --token T custody --tags FILE --holder ID\n"
	        "               [--sizes 1,50,500] [--reps 30,20,12] [--warmup N]\n"
	        "       latency --port P --token T get PATH [--reps N] [--warmup N] [--name N]\n"
	        "       latency --port P --token T probe --tags FILE --holder ID --secs S "
	        "[--gap-ms MS]\n"
	        "       latency --port P --token T pace --tags FILE --rate R --secs S\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *path = NULL, *tagfile = NULL, *name = "get";
	int sizes[MAXN] = { 1, 50, 500 }, reps[MAXN] = { 30, 20, 12 }, nsizes = 3, nreps = 3;
	int warmup = 1;
	long holder = 0;
	double secs = 10, gap_ms = 20, rate = 2000;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!mode && (strcmp(a, "custody") == 0 || strcmp(a, "get") == 0 ||
		              strcmp(a, "probe") == 0 || strcmp(a, "pace") == 0)) {
			mode = a;
			if (strcmp(a, "get") == 0) {
				if (!v)
					usage();
				path = v;
				i++;
			}
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--port") == 0)
			port = atoi(v);
		else if (strcmp(a, "--token") == 0)
			token = v;
		else if (strcmp(a, "--tags") == 0)
			tagfile = v;
		else if (strcmp(a, "--holder") == 0)
			holder = strtol(v, NULL, 10);
		else if (strcmp(a, "--sizes") == 0)
			nsizes = parse_list(v, sizes);
		else if (strcmp(a, "--reps") == 0)
			nreps = parse_list(v, reps);
		else if (strcmp(a, "--warmup") == 0)
			warmup = atoi(v);
		else if (strcmp(a, "--name") == 0)
			name = v;
		else if (strcmp(a, "--secs") == 0)
			secs = atof(v);
		else if (strcmp(a, "--gap-ms") == 0)
			gap_ms = atof(v);
		else if (strcmp(a, "--rate") == 0)
			rate = atof(v);
		else
			usage();
	}
	if (!mode || port <= 0 || !token || warmup < 0)
		usage();
	connect_server();
	if (strcmp(mode, "probe") == 0) {
		if (!tagfile || holder <= 0 || secs <= 0)
			usage();
		return probe(tagfile, holder, secs, gap_ms);
	}
	if (strcmp(mode, "pace") == 0) {
		if (!tagfile || secs <= 0)
			usage();
		return pace(tagfile, rate, secs);
	}
	if (strcmp(mode, "custody") == 0) {
		if (!tagfile || holder <= 0 || nsizes < 1 || nreps != nsizes)
			usage();
		return custody(tagfile, holder, sizes, reps, nsizes, warmup);
	}
	return get(path, nreps > 0 ? reps[0] : 30, warmup, name);
}
