/*
 * gen.c — benchmark data generator.
 *
 * Builds a realistic AssetTrack database through the real core operations
 * (case_create, holder_create, asset_create, custody_stock_out/_in,
 * slot_move/_assign/_force_vacate, asset_replace/_retire/_update,
 * holder_update), so every row is backed by genuine hash-chained events
 * and `assettrack verify` passes on the result.  Nothing is written with
 * SQL here: if the generator can do it, an operator could have.
 *
 * The generator keeps a mirror of where every asset is (slot, holder,
 * state) so it only asks for operations that should succeed; any refusal
 * means the mirror and the engine disagree, which is a bug, so it stops.
 *
 * Time is simulated through ASSETTRACK_FAKE_NOW (read by text_now() at
 * every operation): setup over the first weeks of 2025, then custody
 * traffic on working days and hours until mid-2026 — always in the past,
 * so events written later by the benchmark keep the log in time order.
 *
 * Deterministic: the same flags and seed give the same operations in the
 * same order (batch ids and therefore hashes are random, as in the product).
 *
 * Usage: gen --db PATH [--assets N] [--cases N] [--slots N] [--holders N]
 *            [--events N] [--custody-share PCT] [--seed N] [--force]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "core/asset.h"
#include "core/custody.h"
#include "core/holder.h"
#include "core/place.h"

#define ACTOR_SETUP "cli:bench-gen"
#define MAX_OUT_BATCH 200
#define MAX_IN_BATCH 200

/* ==== options ========================================================= */

struct opts {
	const char *db;
	long assets, cases, slots, holders, events, custody_pct;
	uint64_t seed;
	int force;
};

static void usage(void)
{
	fprintf(stderr,
	        "usage: gen --db PATH [--assets N] [--cases N] [--slots N] [--holders N]\n"
	        "           [--events N] [--custody-share PCT] [--seed N] [--force]\n");
	exit(2);
}

static long num_arg(const char *name, const char *v, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = v ? strtol(v, &end, 10) : 0;
	if (!v || errno || *end || n < min || n > max) {
		fprintf(stderr, "gen: %s must be a number from %ld to %ld\n", name, min, max);
		exit(2);
	}
	return n;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	o->db = NULL;
	o->assets = 100000;
	o->cases = 2000;
	o->slots = 50;
	o->holders = 1000;
	o->events = 1000000;
	o->custody_pct = 30;
	o->seed = 42;
	o->force = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--force") == 0) {
			o->force = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--db") == 0)
			o->db = v;
		else if (strcmp(a, "--assets") == 0)
			o->assets = num_arg(a, v, 10, 10000000);
		else if (strcmp(a, "--cases") == 0)
			o->cases = num_arg(a, v, 1, 1000000);
		else if (strcmp(a, "--slots") == 0)
			o->slots = num_arg(a, v, 1, AT_MAX_SLOTS);
		else if (strcmp(a, "--holders") == 0)
			o->holders = num_arg(a, v, 1, 1000000);
		else if (strcmp(a, "--events") == 0)
			o->events = num_arg(a, v, 0, 100000000);
		else if (strcmp(a, "--custody-share") == 0)
			o->custody_pct = num_arg(a, v, 1, 90);
		else if (strcmp(a, "--seed") == 0)
			o->seed = (uint64_t)num_arg(a, v, 0, 0x7fffffffL);
		else
			usage();
	}
	if (!o->db)
		usage();
	if (o->cases * o->slots < o->assets) {
		fprintf(stderr, "gen: %ld cases x %ld slots cannot hold %ld assets\n", o->cases,
		        o->slots, o->assets);
		exit(2);
	}
}

/* ==== deterministic randomness ======================================== */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: tiny, fast, good enough for choosing test data. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static long below(long n)
{
	return n <= 1 ? 0 : (long)(rnd() % (uint64_t)n);
}

/* True with probability pct/100. */
static int chance(double pct)
{
	return (double)(rnd() % 1000000) < pct * 10000.0;
}

/* ==== simulated clock ================================================= */

static int64_t sim_ms; /* milliseconds since the epoch */

static void clock_set(void)
{
	char buf[40];
	time_t s = (time_t)(sim_ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (int)(sim_ms % 1000));
	setenv("ASSETTRACK_FAKE_NOW", buf, 1);
}

/* Advance by about `ms` (jittered), staying within working hours on
 * working days, then publish the new "now" to the engine. */
static void clock_advance(int64_t ms)
{
	time_t s;
	struct tm tm;

	sim_ms += ms / 2 + below(ms + 1);
	s = (time_t)(sim_ms / 1000);
	gmtime_r(&s, &tm);
	if (tm.tm_hour >= 18 || tm.tm_hour < 7 || tm.tm_wday == 0 || tm.tm_wday == 6) {
		/* Next working morning, 07:00 plus a few minutes. */
		do {
			tm.tm_mday++;
			tm.tm_hour = 7;
			tm.tm_min = (int)below(20);
			tm.tm_sec = (int)below(60);
			s = timegm(&tm);
			gmtime_r(&s, &tm);
		} while (tm.tm_wday == 0 || tm.tm_wday == 6);
		sim_ms = (int64_t)s * 1000 + below(1000);
	}
	clock_set();
}

static void date_plus_days(int days, char out[11])
{
	time_t s = (time_t)(sim_ms / 1000) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ==== index sets: O(1) add, remove and random pick ===================== */

struct iset {
	int *v;      /* members */
	int n;
	int *pos;    /* pos[id]: index in v, or -1 */
};

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		fprintf(stderr, "gen: out of memory\n");
		exit(3);
	}
	return p;
}

static void iset_init(struct iset *s, int universe)
{
	s->v = xcalloc((size_t)universe, sizeof(int));
	s->pos = xcalloc((size_t)universe, sizeof(int));
	s->n = 0;
	for (int i = 0; i < universe; i++)
		s->pos[i] = -1;
}

static void iset_add(struct iset *s, int id)
{
	if (s->pos[id] >= 0)
		return;
	s->pos[id] = s->n;
	s->v[s->n++] = id;
}

static void iset_del(struct iset *s, int id)
{
	int i = s->pos[id], last;

	if (i < 0)
		return;
	last = s->v[--s->n];
	s->v[i] = last;
	s->pos[last] = i;
	s->pos[id] = -1;
}

/* Remove and return a random member (-1 if empty). */
static int iset_take(struct iset *s)
{
	int id;

	if (s->n == 0)
		return -1;
	id = s->v[below(s->n)];
	iset_del(s, id);
	return id;
}

/* ==== the mirror ======================================================= */

enum { S_STORAGE, S_OUT, S_RETIRED };

struct sim_asset {
	int state;
	int slot;       /* slot id or -1 */
	int last_slot;  /* slot left at Stock-Out (reserved while out), or -1 */
	int holder;     /* holder index or -1 */
	int hpos;       /* index in its holder's list */
};

struct sim_holder {
	int64_t id;     /* database id */
	int *assets;
	int n, cap;
	int active;
};

static struct opts O;
static struct store *st;
static struct sim_asset *A;
static struct sim_holder *H;
static int *slot_owner;                 /* asset in slot, or -1 */
static struct iset pool;                /* STORAGE, slotted, available to issue */
static struct iset unslotted;           /* STORAGE, in no slot */
static struct iset faulty;              /* STORAGE, slotted, replaced: awaiting retirement */
static struct iset issued;             /* IN_CUSTODY */
static struct iset free_slots;          /* empty and not reserved by an asset in custody */
static struct iset active_holders;
static int64_t nevents, nops;
static int64_t counts[16];
enum { C_CASE, C_HOLDER, C_ASSET, C_OUT, C_IN, C_MOVE, C_ASSIGN, C_VACATE, C_RETIRE,
       C_REPLACE, C_UPDATE, C_HUPDATE, C__MAX };
static const char *const count_names[C__MAX] = {
	"cases created", "holders created", "assets created", "Stock-Out batches",
	"Stock-In batches", "slot moves", "slot assigns", "force vacates", "retirements",
	"replacements", "asset updates", "holder updates",
};

/* Names of things, derived from their index. */
static void tag_of(int a, char *out, size_t cap)
{
	snprintf(out, cap, "AT-%06d", a + 1);
}

static const char *const case_families[] = { "PELI", "STORM", "NANUK", "ZARGES" };

static void case_name_of(long c, char *out, size_t cap)
{
	snprintf(out, cap, "%s-%04ld", case_families[c % 4], c + 1);
}

static void slot_parts(int slot, char *case_name, size_t cap, int *pos)
{
	case_name_of(slot / O.slots, case_name, cap);
	*pos = (int)(slot % O.slots) + 1;
}

static void holder_add_asset(int h, int a)
{
	struct sim_holder *ho = &H[h];

	if (ho->n == ho->cap) {
		ho->cap = ho->cap ? ho->cap * 2 : 8;
		ho->assets = realloc(ho->assets, (size_t)ho->cap * sizeof(int));
		if (!ho->assets) {
			fprintf(stderr, "gen: out of memory\n");
			exit(3);
		}
	}
	A[a].holder = h;
	A[a].hpos = ho->n;
	ho->assets[ho->n++] = a;
}

static void holder_del_asset(int a)
{
	struct sim_holder *ho = &H[A[a].holder];
	int i = A[a].hpos, last = ho->assets[--ho->n];

	ho->assets[i] = last;
	A[last].hpos = i;
	A[a].holder = -1;
	A[a].hpos = -1;
}

/* A refusal means the mirror is wrong: report everything and stop. */
static void check(enum at_code c, struct at_errors *e, const char *what)
{
	if (c == AT_OK) {
		at_errors_reset(e);
		return;
	}
	fprintf(stderr, "gen: %s refused (%s): %s\n", what, at_code_name(c), e->message);
	for (size_t i = 0; i < e->nitems && i < 20; i++)
		fprintf(stderr, "  %s: %s\n", e->items[i].input, e->items[i].message);
	exit(1);
}

/* ==== progress ========================================================= */

static struct timespec t_start, t_last;

static double elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void progress(const char *phase, int force)
{
	if (!force && elapsed(&t_last) < 2.0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t_last);
	fprintf(stderr, "gen: %-8s %9lld events  %5.1f%% of target  in custody %6d  %6.0f s\n",
	        phase, (long long)nevents,
	        O.events ? 100.0 * (double)nevents / (double)O.events : 100.0, issued.n,
	        elapsed(&t_start));
}

/* ==== setup: cases, holders, assets ==================================== */

static const char *const buildings[] = { "HQ", "Depot North", "Depot South", "Station 3",
	                                 "Station 7", "Training Centre" };
static const char *const rooms[] = { "Store 1", "Store 2", "Cage A", "Cage B", "Armoury",
	                             "Radio Room", "Workshop", "Basement" };

static void make_cases(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char name[AT_NAME_MAX + 1];

	for (long c = 0; c < O.cases; c++) {
		const char *b = buildings[c % 6], *r = rooms[(c / 6) % 8];
		clock_advance(8000);
		case_name_of(c, name, sizeof(name));
		check(case_create(st, ACTOR_SETUP, name, O.slots, b, r,
		                  c % 10 == 0 ? "Foam insert cut for mixed kit" : NULL, NULL, &e),
		      &e, "case_create");
		nevents++;
		counts[C_CASE]++;
		progress("cases", 0);
	}
	at_errors_free(&e);
}

static const char *const first_names[] = {
	"Dana", "Alex", "Sam", "Jordan", "Morgan", "Casey", "Riley", "Taylor", "Jamie", "Avery",
	"Maria", "Jonas", "Lena", "Tomasz", "Aisha", "Kenji", "Priya", "Lucas", "Noor", "Emil",
	"Sofia", "Mateo", "Hana", "Oskar", "Ines", "Ravi", "Chloe", "Felix", "Yara", "Pablo",
};
static const char *const last_names[] = {
	"Ruiz", "Okafor", "Novak", "Schmidt", "Tanaka", "Kowalski", "Haddad", "Larsen", "Moreau",
	"Silva", "Nguyen", "Fischer", "O'Brien", "Jensen", "Rossi", "Patel", "Kaya", "Dubois",
	"Berg", "Costa", "Ivanova", "Murphy", "Yilmaz", "Andersson", "Kim", "Mendes",
};

static void make_holders(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char name[AT_PERSON_MAX + 1], badge[32], email[AT_PERSON_MAX + 1];
	struct holder h;

	H = xcalloc((size_t)O.holders, sizeof(*H));
	iset_init(&active_holders, (int)O.holders);
	for (long i = 0; i < O.holders; i++) {
		const char *f = first_names[below(30)], *l = last_names[below(26)];
		clock_advance(6000);
		snprintf(name, sizeof(name), "%s %s", f, l);
		snprintf(badge, sizeof(badge), "B-%05ld", 10001 + i);
		snprintf(email, sizeof(email), "%c.%s%ld@example.org", f[0] | 0x20,
		         l[0] == 'O' && l[1] == '\'' ? "obrien" : l, i + 1);
		for (char *p = email; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p | 0x20);
		check(holder_create(st, ACTOR_SETUP, name, badge, chance(80) ? email : NULL, &h, &e),
		      &e, "holder_create");
		H[i].id = h.id;
		H[i].active = 1;
		iset_add(&active_holders, (int)i);
		nevents++;
		counts[C_HOLDER]++;
		progress("holders", 0);
	}
	at_errors_free(&e);
}

struct kind {
	const char *manufacturer, *type, *model, *model_code, *serial_prefix;
};

static const struct kind catalog[] = {
	{ "Panasonic", "Laptop", "Toughbook 55", "FZ-55", "4AKSA" },
	{ "Panasonic", "Tablet", "Toughbook G2", "FZ-G2", "5BKTA" },
	{ "Zebra", "Handheld Scanner", "TC52", "TC520K", "21045" },
	{ "Zebra", "Label Printer", "ZQ630", "ZQ63-AUFA", "XXZEJ" },
	{ "Motorola Solutions", "Radio", "APX 6000", "H98UCF9PW6BN", "481CJ" },
	{ "Motorola Solutions", "Radio", "APX NEXT", "H45TGD9PW7AN", "760CM" },
	{ "Garmin", "GPS", "GPSMAP 66i", "010-02088-01", "3QH" },
	{ "DJI", "Drone", "Mavic 3 Enterprise", "M3E", "1581F" },
	{ "Getac", "Laptop", "B360", "B360-G2", "RBB" },
	{ "Samsung", "Tablet", "Galaxy Tab Active4 Pro", "SM-T636B", "R52T" },
	{ "Axon", "Body Camera", "Body 3", "AX1023", "X6039" },
	{ "Fluke", "Multimeter", "87V", "FLUKE-87V", "5539" },
	{ "Leica", "Laser Distance Meter", "DISTO X4", "855138", "1420" },
	{ "Iridium", "Satellite Phone", "9575 Extreme", "BPKT1801", "30023" },
	{ "Honeywell", "Gas Detector", "BW MicroClip XL", "MCXL-XWHM", "KA1" },
	{ "Apple", "Tablet", "iPad (10th generation)", "MPQ03LL/A", "DMPX" },
};
#define NKINDS ((long)(sizeof(catalog) / sizeof(catalog[0])))

static const char *const notes_pool[] = {
	"Includes charger and spare battery",
	"Screen protector replaced",
	"Assigned to night shift pool",
	"Carry strap missing",
	"Firmware updated at last service",
};

static void make_assets(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char tag[AT_TAG_MAX + 1], serial[64], case_name[AT_NAME_MAX + 1];
	long nslots = O.cases * O.slots, slotted = O.assets - O.assets / 50;
	int *perm = xcalloc((size_t)nslots, sizeof(int));

	/* Which slot each asset starts in: a shuffled fill, leaving 2% of the
	 * assets unslotted (imported or awaiting a slot) and the rest of the
	 * slots empty. */
	for (long i = 0; i < nslots; i++)
		perm[i] = (int)i;
	for (long i = nslots - 1; i > 0; i--) {
		long j = below(i + 1);
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (long a = 0; a < O.assets; a++) {
		const struct kind *k = &catalog[below(NKINDS)];
		struct asset_input in;
		int slot = a < slotted ? perm[a] : -1, pos = 0;
		/* A bijection on 0..10^8-1, so serials look random and never repeat. */
		long digits = (long)(((uint64_t)a * 48271u + 12345u) % 100000000u);

		memset(&in, 0, sizeof(in));
		clock_advance(1500);
		tag_of((int)a, tag, sizeof(tag));
		snprintf(serial, sizeof(serial), "%s%08ld", k->serial_prefix, digits);
		in.tag = tag;
		in.serial = serial;
		in.manufacturer = k->manufacturer;
		in.equipment_type = k->type;
		in.model = k->model;
		in.model_code = chance(85) ? k->model_code : NULL;
		in.notes = chance(10) ? notes_pool[below(5)] : NULL;
		if (slot >= 0) {
			long c = slot / O.slots;
			slot_parts(slot, case_name, sizeof(case_name), &pos);
			in.building = buildings[c % 6];
			in.room = rooms[(c / 6) % 8];
			in.slot_case = case_name;
			in.slot_position = pos;
		} else {
			in.building = buildings[below(6)];
			in.room = "Goods In";
		}
		check(asset_create(st, ACTOR_SETUP, &in, NULL, &e), &e, "asset_create");
		A[a].state = S_STORAGE;
		A[a].slot = slot;
		A[a].last_slot = -1;
		A[a].holder = -1;
		A[a].hpos = -1;
		if (slot >= 0) {
			slot_owner[slot] = (int)a;
			iset_add(&pool, (int)a);
			nevents += 2;
		} else {
			iset_add(&unslotted, (int)a);
			nevents++;
		}
		counts[C_ASSET]++;
		progress("assets", 0);
	}
	for (long i = slotted; i < nslots; i++)
		iset_add(&free_slots, perm[i]);
	free(perm);
	at_errors_free(&e);
}

/* ==== custody traffic =================================================== */

/* Batch size of a Stock-Out: mostly a few devices, sometimes a whole team. */
static int out_batch_size(void)
{
	long r = below(100);

	if (r < 35)
		return 1;
	if (r < 65)
		return 2 + (int)below(4);
	if (r < 85)
		return 6 + (int)below(15);
	if (r < 97)
		return 21 + (int)below(40);
	return 61 + (int)below(MAX_OUT_BATCH - 60);
}

static char (*tagbuf)[AT_TAG_MAX + 1];
static const char **taglist;
static char (*casebuf)[AT_NAME_MAX + 1];

static void stock_out(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct holder_ref hr = { 0, NULL, 0 };
	char due[11];
	int want = out_batch_size(), n = 0, h;
	int picked[MAX_OUT_BATCH];

	if (active_holders.n == 0 || pool.n == 0)
		return;
	h = active_holders.v[below(active_holders.n)];
	if (want > pool.n)
		want = pool.n;
	for (n = 0; n < want; n++) {
		picked[n] = iset_take(&pool);
		tag_of(picked[n], tagbuf[n], sizeof(tagbuf[n]));
		taglist[n] = tagbuf[n];
	}
	hr.id = H[h].id;
	if (chance(30))
		date_plus_days(7 + (int)below(84), due);
	else
		due[0] = '\0';
	check(custody_stock_out(st, "ops.desk", hr, due[0] ? due : NULL, taglist, (size_t)n, NULL,
	                        &e),
	      &e, "custody_stock_out");
	for (int i = 0; i < n; i++) {
		struct sim_asset *a = &A[picked[i]];
		slot_owner[a->slot] = -1;
		a->last_slot = a->slot; /* stays reserved: its Stock-In default */
		a->slot = -1;
		a->state = S_OUT;
		holder_add_asset(h, picked[i]);
		iset_add(&issued, picked[i]);
	}
	nevents += n;
	counts[C_OUT]++;
	at_errors_free(&e);
}

static void stock_in(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct stock_in_item items[MAX_IN_BATCH];
	int picked[MAX_IN_BATCH], dest[MAX_IN_BATCH];
	struct sim_holder *ho;
	int n, want;

	if (issued.n == 0)
		return;
	/* Someone comes back to the desk and returns all or some of their kit. */
	ho = &H[A[issued.v[below(issued.n)]].holder];
	want = chance(70) ? ho->n : 1 + (int)below(ho->n);
	if (want > MAX_IN_BATCH)
		want = MAX_IN_BATCH;
	for (n = 0; n < want; n++) {
		int a = ho->assets[ho->n - 1 - n];
		picked[n] = a;
		tag_of(a, tagbuf[n], sizeof(tagbuf[n]));
		items[n].tag = tagbuf[n];
		items[n].case_name = NULL;
		items[n].position = 0;
		dest[n] = A[a].last_slot;
		/* Now and then the operator puts it somewhere else. */
		if (chance(1) && free_slots.n > 0) {
			int pos;
			dest[n] = iset_take(&free_slots);
			slot_parts(dest[n], casebuf[n], sizeof(casebuf[n]), &pos);
			items[n].case_name = casebuf[n];
			items[n].position = pos;
		}
	}
	check(custody_stock_in(st, "ops.desk", items, (size_t)n, NULL, &e), &e,
	      "custody_stock_in");
	for (int i = 0; i < n; i++) {
		struct sim_asset *a = &A[picked[i]];
		if (dest[i] != a->last_slot)
			iset_add(&free_slots, a->last_slot);
		holder_del_asset(picked[i]);
		iset_del(&issued, picked[i]);
		a->state = S_STORAGE;
		a->slot = dest[i];
		slot_owner[dest[i]] = picked[i];
		iset_add(&pool, picked[i]);
	}
	nevents += n;
	counts[C_IN]++;
	at_errors_free(&e);
}

/* ==== corrections and admin work ======================================== */

static void do_slot_move(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char tag[AT_TAG_MAX + 1], cname[AT_NAME_MAX + 1];
	int a, dest, pos;

	if (pool.n == 0 || free_slots.n == 0)
		return;
	a = pool.v[below(pool.n)];
	dest = iset_take(&free_slots);
	tag_of(a, tag, sizeof(tag));
	slot_parts(dest, cname, sizeof(cname), &pos);
	check(slot_move(st, "admin.kim", tag, cname, pos, NULL, &e), &e, "slot_move");
	slot_owner[A[a].slot] = -1;
	iset_add(&free_slots, A[a].slot);
	A[a].slot = dest;
	slot_owner[dest] = a;
	nevents++;
	counts[C_MOVE]++;
	at_errors_free(&e);
}

static void do_slot_assign(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char tag[AT_TAG_MAX + 1], cname[AT_NAME_MAX + 1];
	int a, dest, pos;

	if (unslotted.n == 0 || free_slots.n == 0)
		return;
	a = iset_take(&unslotted);
	dest = iset_take(&free_slots);
	tag_of(a, tag, sizeof(tag));
	slot_parts(dest, cname, sizeof(cname), &pos);
	check(slot_assign(st, "admin.kim", tag, cname, pos, NULL, &e), &e, "slot_assign");
	A[a].slot = dest;
	slot_owner[dest] = a;
	iset_add(&pool, a);
	nevents++;
	counts[C_ASSIGN]++;
	at_errors_free(&e);
}

static void do_force_vacate(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char cname[AT_NAME_MAX + 1];
	int a, pos;

	if (pool.n == 0)
		return;
	a = iset_take(&pool);
	slot_parts(A[a].slot, cname, sizeof(cname), &pos);
	check(slot_force_vacate(st, "admin.kim", cname, pos, "Sent to workshop for inspection",
	                        NULL, &e),
	      &e, "slot_force_vacate");
	slot_owner[A[a].slot] = -1;
	iset_add(&free_slots, A[a].slot);
	A[a].slot = -1;
	iset_add(&unslotted, a);
	nevents++;
	counts[C_VACATE]++;
	at_errors_free(&e);
}

/* A device in custody breaks: the holder gets a replacement from a slot
 * and the faulty one goes into that slot until it is retired. */
static void do_replace(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char old_tag[AT_TAG_MAX + 1], repl_tag[AT_TAG_MAX + 1];
	int old, repl, h;

	if (issued.n == 0 || pool.n == 0)
		return;
	old = issued.v[below(issued.n)];
	repl = iset_take(&pool);
	tag_of(old, old_tag, sizeof(old_tag));
	tag_of(repl, repl_tag, sizeof(repl_tag));
	check(asset_replace(st, "admin.kim", old_tag, repl_tag, "Screen cracked in the field",
	                    chance(50) ? "FAULTY" : "DAMAGED", NULL, NULL, &e),
	      &e, "asset_replace");
	h = A[old].holder;
	holder_del_asset(old);
	iset_del(&issued, old);
	A[repl].state = S_OUT;
	A[repl].last_slot = A[old].last_slot;
	holder_add_asset(h, repl);
	iset_add(&issued, repl);
	A[old].state = S_STORAGE;
	A[old].slot = A[repl].slot;
	A[old].last_slot = -1;
	slot_owner[A[old].slot] = old;
	A[repl].slot = -1;
	iset_add(&faulty, old);
	nevents += 2;
	counts[C_REPLACE]++;
	at_errors_free(&e);
}

static void do_retire(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char tag[AT_TAG_MAX + 1];
	int a;

	if (faulty.n > 0)
		a = iset_take(&faulty);
	else if (unslotted.n > 0)
		a = iset_take(&unslotted);
	else
		return;
	tag_of(a, tag, sizeof(tag));
	check(asset_retire(st, "admin.kim", tag, "Beyond economical repair", NULL, &e), &e,
	      "asset_retire");
	if (A[a].slot >= 0) {
		slot_owner[A[a].slot] = -1;
		iset_add(&free_slots, A[a].slot);
	}
	A[a].slot = -1;
	A[a].state = S_RETIRED;
	nevents++;
	counts[C_RETIRE]++;
	at_errors_free(&e);
}

/* Events in the log: for operations that may legitimately write none. */
static int64_t log_length(void)
{
	char hash[AT_HASH_HEX + 1];
	int64_t seq = 0;

	if (store_event_last(st, &seq, hash) != AT_OK) {
		fprintf(stderr, "gen: cannot read the event log: %s\n", store_errmsg(st));
		exit(3);
	}
	return seq;
}

static void do_asset_update(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct asset_input in;
	char tag[AT_TAG_MAX + 1];
	int a;

	if (pool.n == 0)
		return;
	a = pool.v[below(pool.n)];
	tag_of(a, tag, sizeof(tag));
	memset(&in, 0, sizeof(in));
	in.notes = notes_pool[below(5)];
	if (chance(30))
		in.condition = "DAMAGED";
	check(asset_update(st, "admin.kim", tag, &in, NULL, &e), &e, "asset_update");
	/* An update that changes nothing writes no event. */
	nevents = log_length();
	counts[C_UPDATE]++;
	at_errors_free(&e);
}

static void do_holder_update(void)
{
	struct at_errors e = AT_ERRORS_INIT;
	char email[64];
	int h;

	if (active_holders.n == 0)
		return;
	h = active_holders.v[below(active_holders.n)];
	if (H[h].n == 0 && active_holders.n > O.holders * 9 / 10 && chance(30)) {
		/* Left the organisation with nothing outstanding. */
		check(holder_update(st, "admin.kim", H[h].id, NULL, NULL, NULL, 0, NULL, &e), &e,
		      "holder_update");
		H[h].active = 0;
		iset_del(&active_holders, h);
	} else {
		snprintf(email, sizeof(email), "holder%lld@example.net", (long long)H[h].id);
		check(holder_update(st, "admin.kim", H[h].id, NULL, NULL, email, -1, NULL, &e), &e,
		      "holder_update");
	}
	nevents = log_length();
	counts[C_HUPDATE]++;
	at_errors_free(&e);
}

static void traffic(void)
{
	int64_t target_out = O.assets * O.custody_pct / 100;
	/* Spread the traffic over about 370 working days. */
	int64_t remaining = O.events > nevents ? O.events - nevents : 0;
	int64_t batches = remaining / 10 + 1;
	int64_t step = (int64_t)370 * 11 * 3600 * 1000 / batches;

	while (nevents < O.events) {
		long r = below(1000);
		clock_advance(step);
		if (r < 4)
			do_slot_move();
		else if (r < 6)
			do_slot_assign();
		else if (r < 7)
			do_force_vacate();
		else if (r < 9)
			do_replace();
		else if (r < 11)
			do_retire();
		else if (r < 14)
			do_asset_update();
		else if (r < 16)
			do_holder_update();
		/* Steer the share in custody towards its target.  A Stock-In
		 * returns a holder's kit, often far more than one Stock-Out
		 * issues (holdings are skewed), hence the strong bias. */
		else if (issued.n < target_out ? chance(93) : chance(30))
			stock_out();
		else
			stock_in();
		nops++;
		progress("traffic", 0);
	}
}

/* ==== main ============================================================== */

int main(int argc, char **argv)
{
	struct at_errors e = AT_ERRORS_INIT;
	struct stat sb;
	char last_hash[AT_HASH_HEX + 1];
	int64_t last_seq = 0;
	long nslots;

	parse_opts(argc, argv, &O);
	if (stat(O.db, &sb) == 0) {
		char side[4096];
		if (!O.force) {
			fprintf(stderr, "gen: %s exists (use --force to replace it)\n", O.db);
			return 2;
		}
		unlink(O.db);
		snprintf(side, sizeof(side), "%s-wal", O.db);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", O.db);
		unlink(side);
	}
	rng_state = O.seed;
	/* 2025-01-06 (a Monday) 08:00 UTC. */
	sim_ms = (int64_t)1736150400 * 1000;
	clock_set();
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	t_last = t_start;

	if (store_open(O.db, STORE_CREATE | STORE_BULK, &st, &e) != AT_OK) {
		fprintf(stderr, "gen: %s\n", e.message);
		return 3;
	}
	nslots = O.cases * O.slots;
	A = xcalloc((size_t)O.assets, sizeof(*A));
	slot_owner = xcalloc((size_t)nslots, sizeof(int));
	for (long i = 0; i < nslots; i++)
		slot_owner[i] = -1;
	iset_init(&pool, (int)O.assets);
	iset_init(&unslotted, (int)O.assets);
	iset_init(&faulty, (int)O.assets);
	iset_init(&issued, (int)O.assets);
	iset_init(&free_slots, (int)nslots);
	tagbuf = xcalloc(MAX_OUT_BATCH > MAX_IN_BATCH ? MAX_OUT_BATCH : MAX_IN_BATCH,
	                 sizeof(*tagbuf));
	taglist = xcalloc(MAX_OUT_BATCH, sizeof(*taglist));
	casebuf = xcalloc(MAX_IN_BATCH, sizeof(*casebuf));

	make_cases();
	make_holders();
	make_assets();
	progress("setup", 1);
	traffic();
	progress("done", 1);

	store_event_last(st, &last_seq, last_hash);
	if (last_seq != nevents) {
		fprintf(stderr, "gen: the log holds %lld events, the generator counted %lld\n",
		        (long long)last_seq, (long long)nevents);
		return 1;
	}
	printf("database        %s\n", O.db);
	printf("events          %lld (last hash %.16s...)\n", (long long)last_seq, last_hash);
	printf("assets          %lld: %lld in storage, %lld in custody, %lld retired\n",
	       (long long)store_asset_count(st, 0, ASSET_STORAGE),
	       (long long)store_asset_count(st, 1, ASSET_STORAGE),
	       (long long)store_asset_count(st, 1, ASSET_IN_CUSTODY),
	       (long long)store_asset_count(st, 1, ASSET_RETIRED));
	printf("                %d slotted and issuable, %d unslotted, %d faulty awaiting "
	       "retirement\n",
	       pool.n, unslotted.n, faulty.n);
	printf("cases           %ld x %ld slots, %d slots free\n", O.cases, O.slots,
	       free_slots.n);
	printf("holders         %ld (%d active)\n", O.holders, active_holders.n);
	for (int i = 0; i < C__MAX; i++)
		printf("  %-22s %lld\n", count_names[i], (long long)counts[i]);
	printf("simulated time  2025-01-06 .. %s\n", getenv("ASSETTRACK_FAKE_NOW"));
	printf("took            %.1f s\n", elapsed(&t_start));
	store_close(st);
	at_errors_free(&e);
	return 0;
}
