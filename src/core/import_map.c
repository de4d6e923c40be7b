/*
 * import_map.c — what each column of an imported file is (core/import.h):
 * the known layouts, --map and --status, the default status mapping,
 * location splitting and dates.
 */
#include "core/import_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/text.h"

/* ==== destinations ===================================================== */

static const char *const dest_names[ID__MAX] = {
	[ID_ATTR] = "attr",
	[ID_IGNORE] = "ignore",
	[ID_TAG] = "asset_tag",
	[ID_SERIAL] = "serial_number",
	[ID_MANUFACTURER] = "manufacturer",
	[ID_TYPE] = "equipment_type",
	[ID_MODEL] = "model",
	[ID_MODEL_CODE] = "model_code",
	[ID_BUILDING] = "building",
	[ID_ROOM] = "room",
	[ID_NOTES] = "notes",
	[ID_CONDITION] = "condition",
	[ID_LOCATION] = "location",
	[ID_CASE] = "case",
	[ID_POSITION] = "position",
	[ID_STATE] = "state",
	[ID_STATUS] = "status",
	[ID_ARCHIVED] = "archived",
	[ID_HOLDER_NAME] = "holder.name",
	[ID_HOLDER_BADGE] = "holder.badge",
	[ID_HOLDER_USERNAME] = "holder.username",
	[ID_HOLDER_EMAIL] = "holder.email",
	[ID_CHECKOUT_TYPE] = "custody.type",
	[ID_CHECKED_OUT] = "custody.checked_out",
	[ID_SINCE] = "custody.since",
	[ID_DUE] = "custody.due",
	[ID_CASE_SLOTS] = "case.slots",
	[ID_CASE_BUILDING] = "case.building",
	[ID_CASE_ROOM] = "case.room",
	[ID_LAST_CASE] = "custody.last_case",
	[ID_LAST_POSITION] = "custody.last_position",
};

const char *import_dest_name(enum import_dest d)
{
	return d < ID__MAX ? dest_names[d] : "?";
}

/* Other names --map accepts for a destination. */
static const struct {
	const char *name;
	enum import_dest dest;
} dest_aliases[] = {
	{ "tag", ID_TAG },
	{ "serial", ID_SERIAL },
	{ "type", ID_TYPE },
	{ "holder", ID_HOLDER_NAME },
	{ "holder_name", ID_HOLDER_NAME },
	{ "badge", ID_HOLDER_BADGE },
	{ "holder_badge", ID_HOLDER_BADGE },
	{ "employee_number", ID_HOLDER_BADGE },
	{ "username", ID_HOLDER_USERNAME },
	{ "email", ID_HOLDER_EMAIL },
	{ "holder_email", ID_HOLDER_EMAIL },
	{ "checkout_type", ID_CHECKOUT_TYPE },
	{ "checked_out", ID_CHECKED_OUT },
	{ "since", ID_SINCE },
	{ "custody_since", ID_SINCE },
	{ "checkout_date", ID_SINCE },
	{ "due", ID_DUE },
	{ "expected_checkin", ID_DUE },
};

/* A --map destination: a name above, "attr:NAME" (into `attr`), or -1. */
static int parse_dest(const char *s, char *attr, size_t cap)
{
	if (strncasecmp(s, "attr:", 5) == 0) {
		snprintf(attr, cap, "%s", s + 5);
		return ID_ATTR;
	}
	for (int d = ID_IGNORE; d < ID__MAX; d++)
		if (strcasecmp(s, dest_names[d]) == 0)
			return d;
	for (size_t i = 0; i < sizeof(dest_aliases) / sizeof(dest_aliases[0]); i++)
		if (strcasecmp(s, dest_aliases[i].name) == 0)
			return (int)dest_aliases[i].dest;
	return -1;
}

/* ==== known headers ==================================================== */

/* Formats whose headers are told apart: a name table applies to all of
 * them (ANY) or to one. */
enum fmt { F_ANY, F_OURS, F_SNIPE, F_HOMEBOX, F_SHELF, F_CSV };

static const char *const fmt_names[] = {
	[F_ANY] = "csv", [F_OURS] = "assettrack", [F_SNIPE] = "snipe-it",
	[F_HOMEBOX] = "homebox", [F_SHELF] = "shelf", [F_CSV] = "csv",
};

/* Header names (lower case; HomeBox's "HB." prefix removed) and where
 * they go, with the reason shown for the ones not taken as they read. */
static const struct known {
	enum fmt fmt;
	const char *name;
	enum import_dest dest;
	const char *note;
} known[] = {
	{ F_ANY, "asset_tag", ID_TAG, NULL },
	{ F_ANY, "asset tag", ID_TAG, NULL },
	{ F_HOMEBOX, "asset_id", ID_TAG, NULL },
	{ F_SHELF, "qr id", ID_TAG, "the code on Shelf's label" },
	{ F_ANY, "serial_number", ID_SERIAL, NULL },
	{ F_ANY, "serial", ID_SERIAL, NULL },
	{ F_ANY, "serial number", ID_SERIAL, NULL },
	{ F_ANY, "manufacturer", ID_MANUFACTURER, NULL },
	{ F_ANY, "equipment_type", ID_TYPE, NULL },
	{ F_ANY, "category", ID_TYPE, NULL },
	{ F_HOMEBOX, "labels", ID_TYPE, "HomeBox's labels name what the item is" },
	{ F_CSV, "type", ID_TYPE, NULL },
	{ F_ANY, "model", ID_MODEL, NULL },
	{ F_ANY, "model name", ID_MODEL, NULL },
	{ F_ANY, "model_code", ID_MODEL_CODE, NULL },
	{ F_ANY, "model number", ID_MODEL_CODE, NULL },
	{ F_ANY, "model_number", ID_MODEL_CODE, NULL },
	{ F_ANY, "model no.", ID_MODEL_CODE, NULL },
	{ F_ANY, "building", ID_BUILDING, NULL },
	{ F_ANY, "room", ID_ROOM, NULL },
	{ F_ANY, "location", ID_LOCATION, NULL },
	{ F_ANY, "notes", ID_NOTES, NULL },
	{ F_ANY, "condition", ID_CONDITION, NULL },
	{ F_ANY, "case", ID_CASE, NULL },
	{ F_ANY, "position", ID_POSITION, NULL },
	{ F_ANY, "state", ID_STATE, NULL },
	{ F_ANY, "status", ID_STATUS, NULL },
	{ F_HOMEBOX, "archived", ID_ARCHIVED, "true retires the item" },
	{ F_ANY, "holder_name", ID_HOLDER_NAME, NULL },
	{ F_ANY, "checked out to", ID_HOLDER_NAME, NULL },
	{ F_ANY, "full name", ID_HOLDER_NAME, NULL },
	{ F_SHELF, "custody", ID_HOLDER_NAME, "the custodian's name" },
	{ F_ANY, "holder_badge", ID_HOLDER_BADGE, NULL },
	{ F_ANY, "employee no.", ID_HOLDER_BADGE, NULL },
	{ F_ANY, "employee number", ID_HOLDER_BADGE, NULL },
	{ F_ANY, "employee_num", ID_HOLDER_BADGE, NULL },
	{ F_ANY, "username", ID_HOLDER_USERNAME, NULL },
	{ F_ANY, "holder_email", ID_HOLDER_EMAIL, NULL },
	{ F_ANY, "email", ID_HOLDER_EMAIL, NULL },
	{ F_ANY, "e-mail", ID_HOLDER_EMAIL, NULL },
	{ F_ANY, "checkout type", ID_CHECKOUT_TYPE, NULL },
	{ F_SNIPE, "type", ID_CHECKOUT_TYPE, "what it is checked out to: user, location or asset" },
	{ F_ANY, "checked out", ID_CHECKED_OUT, NULL },
	{ F_ANY, "custody_since", ID_SINCE, NULL },
	{ F_ANY, "checkout date", ID_SINCE, NULL },
	{ F_ANY, "last checkout", ID_SINCE, NULL },
	{ F_ANY, "due", ID_DUE, NULL },
	{ F_ANY, "expected checkin date", ID_DUE, NULL },
	{ F_ANY, "expected checkin", ID_DUE, NULL },
	{ F_ANY, "expected check-in date", ID_DUE, NULL },
	{ F_ANY, "case_slots", ID_CASE_SLOTS, NULL },
	{ F_ANY, "case_building", ID_CASE_BUILDING, NULL },
	{ F_ANY, "case_room", ID_CASE_ROOM, NULL },
	{ F_ANY, "last_case", ID_LAST_CASE, NULL },
	{ F_ANY, "last_position", ID_LAST_POSITION, NULL },
	{ F_OURS, "holder_id", ID_IGNORE,
	  "ids differ between databases: the holder is found by badge, e-mail or name" },
	{ F_OURS, "created_at", ID_IGNORE, "this import's events set it" },
	{ F_OURS, "updated_at", ID_IGNORE, "this import's events set it" },
	{ F_OURS, "retired_at", ID_IGNORE, "this import's events set it" },
};

/* Words for the mapping table, per destination. */
static const char *const dest_notes[ID__MAX] = {
	[ID_STATUS] = "state and condition through the status mapping; also kept as an attribute",
	[ID_STATE] = "STORAGE, IN_CUSTODY or RETIRED",
	[ID_HOLDER_NAME] = "the holder's name (a new holder's, or the last way to find one)",
	[ID_HOLDER_BADGE] = "the holder, found by badge first",
	[ID_HOLDER_USERNAME] = "the holder, found by username (as badge or e-mail); a new "
	                       "holder's badge when no employee number is given",
	[ID_HOLDER_EMAIL] = "the holder, found by e-mail",
	[ID_CHECKOUT_TYPE] = "user: custody; location or asset: kept as an attribute",
	[ID_CHECKED_OUT] = "yes: the row must name whom it is checked out to",
	[ID_SINCE] = "custody since (the checkout date)",
	[ID_DUE] = "custody due (the expected check-in date)",
	[ID_CASE] = "the slot's case; a case the database lacks is created",
	[ID_CASE_SLOTS] = "a new case's slot count (else the highest position it is given)",
	[ID_CASE_BUILDING] = "a new case's building (without this column: the asset's)",
	[ID_CASE_ROOM] = "a new case's room (without this column: the asset's)",
	[ID_LAST_CASE] = "the slot it left at Stock-Out: where a Stock-In returns it",
	[ID_LAST_POSITION] = "the position of that slot",
};

/* Trimmed, lower-case ASCII copy of a header name; "HB." dropped. */
static void norm_name(const char *in, char *out, size_t cap, int *homebox)
{
	size_t j = 0;

	while (*in == ' ' || *in == '\t')
		in++;
	*homebox = strncasecmp(in, "hb.", 3) == 0;
	if (*homebox)
		in += 3;
	for (; *in && j + 1 < cap; in++)
		out[j++] = (*in >= 'A' && *in <= 'Z') ? (char)(*in + 32) : *in;
	while (j && (out[j - 1] == ' ' || out[j - 1] == '\t'))
		j--;
	out[j] = '\0';
}

/* Which layout a header is, by the names only one of them uses. */
static enum fmt detect_format(char *const *names, size_t n)
{
	char norm[AT_ATTR_NAME_MAX * 2 + 1];
	int hb, shelf = 0;

	for (size_t i = 0; i < n; i++) {
		norm_name(names[i], norm, sizeof(norm), &hb);
		if (hb)
			return F_HOMEBOX;
	}
	for (size_t i = 0; i < n; i++) {
		norm_name(names[i], norm, sizeof(norm), &hb);
		if (strcmp(norm, "asset_tag") == 0)
			return F_OURS;
		if (strcmp(norm, "asset tag") == 0)
			return F_SNIPE;
		shelf |= strcmp(norm, "qr id") == 0 || strcmp(norm, "custody") == 0 ||
		         strcmp(norm, "available to book") == 0;
	}
	return shelf ? F_SHELF : F_CSV;
}

static const struct known *lookup_known(enum fmt f, const char *norm)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if ((known[i].fmt == F_ANY || known[i].fmt == f) && strcmp(known[i].name, norm) == 0)
			return &known[i];
	return NULL;
}

/* ==== building the layout ============================================== */

/* The attribute name a column is kept under: its header ("HB." and
 * "HB.field." dropped), made unique with " (2)" ... when repeated
 * (Snipe-IT's addresses are "Address", "Address"). */
static void attr_name_for(struct import_layout *L, size_t i, const char *header)
{
	char base[AT_ATTR_NAME_MAX * 2 + 1];
	int hb;

	norm_name(header, base, sizeof(base), &hb);
	while (*header == ' ' || *header == '\t')
		header++;
	if (hb) {
		header += 3;
		if (strncasecmp(header, "field.", 6) == 0)
			header += 6;
	}
	snprintf(base, sizeof(base), "%s", header);
	for (size_t k = strlen(base); k && (base[k - 1] == ' ' || base[k - 1] == '\t'); k--)
		base[k - 1] = '\0';
	snprintf(L->col[i].attr, sizeof(L->col[i].attr), "%s", base);
	for (int copy = 2;; copy++) {
		size_t j;
		for (j = 0; j < i; j++)
			if (strcmp(L->col[j].attr, L->col[i].attr) == 0)
				break;
		if (j == i)
			return;
		snprintf(L->col[i].attr, sizeof(L->col[i].attr), "%.55s (%d)", base, copy);
	}
}

/* Parse one --status rule; items on `e` when it is not one. */
static int parse_rule(const char *arg, struct status_rule *r, struct at_errors *e)
{
	const char *eq = strrchr(arg, '='), *colon;
	char state[24];
	size_t n;

	memset(r, 0, sizeof(*r));
	if (!eq || eq == arg || (size_t)(eq - arg) > AT_ATTR_NAME_MAX) {
		at_item(e, "status", AT_INVALID,
		        "--status '%.80s': give NAME=STATE[:CONDITION], e.g. 'Out for Repair=STORAGE:FAULTY'",
		        arg);
		return -1;
	}
	snprintf(r->name, sizeof(r->name), "%.*s", (int)(eq - arg), arg);
	colon = strchr(eq + 1, ':');
	n = colon ? (size_t)(colon - eq - 1) : strlen(eq + 1);
	snprintf(state, sizeof(state), "%.*s", (int)(n < sizeof(state) ? n : sizeof(state) - 1),
	         eq + 1);
	if (strcasecmp(state, "STORAGE") == 0)
		r->kind = SK_STORAGE;
	else if (strcasecmp(state, "IN_CUSTODY") == 0 || strcasecmp(state, "CUSTODY") == 0)
		r->kind = SK_CUSTODY;
	else if (strcasecmp(state, "RETIRED") == 0)
		r->kind = SK_RETIRED;
	else if (strcasecmp(state, "AUTO") == 0)
		r->kind = SK_AUTO;
	else {
		at_item(e, "status", AT_INVALID,
		        "--status '%.80s': the state is STORAGE, IN_CUSTODY, RETIRED or AUTO, not '%s'",
		        arg, state);
		return -1;
	}
	if (colon) {
		char cond[16];
		snprintf(cond, sizeof(cond), "%s", colon + 1);
		for (char *c = cond; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 32);
		if (asset_condition_parse(cond, &r->cond) < 0) {
			at_item(e, "status", AT_INVALID,
			        "--status '%.80s': the condition is GOOD, DAMAGED or FAULTY, not '%s'",
			        arg, colon + 1);
			return -1;
		}
		r->has_cond = 1;
	}
	return 0;
}

/* Apply one --map "COLUMN=DESTINATION": the column found by its header
 * (any letter case), the destination named as import_dest_name() or an
 * alias.  The last '=' splits, so a column name may hold one. */
static void apply_map(struct import_layout *L, char *const *names, const char *arg,
                      int *dest_set, int *col_mapped, struct at_errors *e)
{
	const char *eq = strrchr(arg, '=');
	char col[AT_ATTR_NAME_MAX * 2 + 1], attr[AT_ATTR_NAME_MAX * 2 + 1] = "";
	int d;
	size_t i;

	if (!eq || eq == arg) {
		at_item(e, "map", AT_INVALID, "--map '%.80s': give COLUMN=DESTINATION", arg);
		return;
	}
	snprintf(col, sizeof(col), "%.*s", (int)(eq - arg), arg);
	for (i = 0; i < L->ncols; i++) {
		char a[AT_ATTR_NAME_MAX * 2 + 1], b[AT_ATTR_NAME_MAX * 2 + 1];
		int hb;
		norm_name(names[i], a, sizeof(a), &hb);
		norm_name(col, b, sizeof(b), &hb);
		if (strcasecmp(names[i], col) == 0 || strcmp(a, b) == 0)
			break;
	}
	if (i == L->ncols) {
		at_item(e, "map", AT_INVALID, "--map '%.80s': there is no column '%s' in the header row",
		        arg, col);
		return;
	}
	d = parse_dest(eq + 1, attr, sizeof(attr));
	if (d < 0) {
		at_item(e, "map", AT_INVALID,
		        "--map '%.80s': '%s' is not a destination (a field such as serial_number, "
		        "location, status, holder.badge, custody.since, attr:NAME or ignore)",
		        arg, eq + 1);
		return;
	}
	if (d != ID_ATTR && d != ID_IGNORE && dest_set[d]) {
		at_item(e, "map", AT_INVALID, "--map: two columns are mapped to %s",
		        import_dest_name((enum import_dest)d));
		return;
	}
	if (d == ID_ATTR && !attr[0]) {
		at_item(e, "map", AT_INVALID, "--map '%.80s': attr: needs a name", arg);
		return;
	}
	if (d != ID_ATTR && d != ID_IGNORE) {
		/* A column that had this destination by its name keeps its data. */
		for (size_t j = 0; j < L->ncols; j++)
			if (j != i && (int)L->col[j].dest == d)
				L->col[j].dest = ID_ATTR;
		dest_set[d] = 1;
	}
	L->col[i].dest = (enum import_dest)d;
	if (d == ID_ATTR)
		snprintf(L->col[i].attr, sizeof(L->col[i].attr), "%s", attr);
	col_mapped[i] = 1;
}

/* The report's line for column i. */
static void column_row(const struct import_layout *L, size_t i, int mapped,
                       const struct known *k, struct import_column *out)
{
	const struct import_col *c = &L->col[i];
	const char *note = dest_notes[c->dest];

	snprintf(out->name, sizeof(out->name), "%s", c->header);
	out->note[0] = '\0';
	switch (c->dest) {
	case ID_ATTR:
		snprintf(out->to, sizeof(out->to), "attr:%s", c->attr);
		snprintf(out->note, sizeof(out->note), "kept as the attribute \"%s\"", c->attr);
		break;
	case ID_IGNORE:
		snprintf(out->to, sizeof(out->to), "ignore");
		snprintf(out->note, sizeof(out->note), "not imported: %s",
		         k && k->note ? k->note : "--map says so");
		break;
	case ID_LOCATION:
		snprintf(out->to, sizeof(out->to), "building, room");
		snprintf(out->note, sizeof(out->note),
		         "split at \", Room \" or \" / \"; otherwise all of it is the building and "
		         "the room is \"%s\"", L->default_room);
		break;
	case ID_ROOM:
		snprintf(out->to, sizeof(out->to), "room");
		snprintf(out->note, sizeof(out->note), "an empty cell: \"%s\"", L->default_room);
		break;
	default:
		snprintf(out->to, sizeof(out->to), "%s", import_dest_name(c->dest));
		if (note)
			snprintf(out->note, sizeof(out->note), "%s", note);
		else if (k && k->note)
			snprintf(out->note, sizeof(out->note), "%s", k->note);
	}
	if (mapped) {
		size_t len = strlen(out->note);
		snprintf(out->note + len, sizeof(out->note) - len, "%s(--map)", len ? " " : "");
	}
}

/* Single destinations a required field needs, and what to say. */
static void check_required(struct import_layout *L, struct at_errors *e)
{
	static const enum import_dest req[] = { ID_SERIAL, ID_MANUFACTURER, ID_TYPE };
	char missing[160] = "";
	size_t len = 0;

	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (L->at[req[i]] < 0)
			len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%s",
			                        len ? ", " : "", import_dest_name(req[i]));
	if (L->at[ID_BUILDING] < 0 && L->at[ID_LOCATION] < 0 && len < sizeof(missing))
		len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%sbuilding (or location)",
		                        len ? ", " : "");
	if (len)
		at_item(e, "header", AT_INVALID,
		        "no column gives %s: name one with --map 'COLUMN=%s'", missing,
		        L->at[ID_SERIAL] < 0 ? "serial_number"
		        : L->at[ID_MANUFACTURER] < 0 ? "manufacturer"
		        : L->at[ID_TYPE] < 0 ? "equipment_type" : "location");
}

enum at_code import_layout_build(struct import_layout *L, char *const *names, size_t n,
                                 const struct import_options *o, struct import_report *rep,
                                 struct at_errors *e)
{
	int dest_set[ID__MAX], col_mapped[AT_IMPORT_MAX_COLS];
	const struct known *k[AT_IMPORT_MAX_COLS];
	char norm[AT_ATTR_NAME_MAX * 2 + 1];
	enum fmt f = detect_format(names, n);
	size_t i, before = e->nitems;
	int hb;

	memset(L, 0, sizeof(*L));
	memset(dest_set, 0, sizeof(dest_set));
	memset(col_mapped, 0, sizeof(col_mapped));
	snprintf(L->format, sizeof(L->format), "%s", fmt_names[f]);
	snprintf(rep->format, sizeof(rep->format), "%s", L->format);
	snprintf(L->default_room, sizeof(L->default_room), "%s",
	         o->default_room && *o->default_room ? o->default_room : "unassigned");
	L->ncols = n;
	for (i = 0; i < ID__MAX; i++)
		L->at[i] = -1;
	/* Each column by its name; a destination taken twice keeps the
	 * first, and the later column is kept as an attribute. */
	for (i = 0; i < n; i++) {
		snprintf(L->col[i].header, sizeof(L->col[i].header), "%s", names[i]);
		norm_name(names[i], norm, sizeof(norm), &hb);
		k[i] = NULL;
		if (strncmp(norm, "attr:", 5) == 0) {
			L->col[i].dest = ID_ATTR;
			snprintf(L->col[i].attr, sizeof(L->col[i].attr), "%s",
			         strchr(names[i], ':') + 1);
			continue;
		}
		/* Every column has the name it would be kept under: a custody
		 * column's cell is kept on a row nobody holds. */
		attr_name_for(L, i, names[i]);
		k[i] = lookup_known(f, norm);
		L->col[i].dest = k[i] ? k[i]->dest : ID_ATTR;
		if (L->col[i].dest > ID_IGNORE)
			for (size_t j = 0; j < i; j++)
				if (L->col[j].dest == L->col[i].dest) {
					L->col[i].dest = ID_ATTR;
					k[i] = NULL;
					break;
				}
	}
	for (i = 0; i < o->nmaps; i++)
		apply_map(L, names, o->maps[i], dest_set, col_mapped, e);
	for (i = 0; i < n; i++)
		if (col_mapped[i])
			k[i] = NULL;
	if (o->nstatuses) {
		L->rules = calloc(o->nstatuses, sizeof(*L->rules));
		if (!L->rules)
			return at_fail(e, AT_INTERNAL, "out of memory");
		for (i = 0; i < o->nstatuses; i++)
			if (parse_rule(o->statuses[i], &L->rules[L->nrules], e) == 0)
				L->nrules++;
	}
	for (i = 0; i < n; i++)
		if (L->col[i].dest > ID_IGNORE && L->at[L->col[i].dest] < 0)
			L->at[L->col[i].dest] = (int)i;
	/* A building of its own wins over a location; the location is kept. */
	if (L->at[ID_BUILDING] >= 0 && L->at[ID_LOCATION] >= 0) {
		L->col[L->at[ID_LOCATION]].dest = ID_ATTR;
		L->at[ID_LOCATION] = -1;
	}
	L->nattr_cols = 0;
	for (i = 0; i < n; i++) {
		enum import_dest d = L->col[i].dest;
		/* The columns whose cells may be kept as attributes. */
		if (d == ID_ATTR || d == ID_STATUS || (d >= ID_HOLDER_NAME && d <= ID_HOLDER_EMAIL) ||
		    d == ID_SINCE || d == ID_DUE) {
			char why[AT_WHY_MAX], clean[AT_ATTR_NAME_MAX + 1];
			L->nattr_cols += d == ID_ATTR || d == ID_STATUS;
			if (text_clean_field(L->col[i].attr, clean, sizeof(clean), AT_ATTR_NAME_MAX, 1, 0,
			                     "attribute name", why) < 0 || strchr(clean, '='))
				at_item(e, "header", AT_INVALID,
				        "column '%.80s' cannot be kept as an attribute (%s): map it with "
				        "--map 'COLUMN=attr:NAME' or --map 'COLUMN=ignore'",
				        names[i], strchr(clean, '=') ? "its name holds '='" : why);
		}
	}
	if (L->at[ID_TAG] < 0) {
		at_item(e, "header", AT_INVALID,
		        "no asset tag column: expected 'asset_tag' (AssetTrack) or 'Asset Tag' "
		        "(Snipe-IT) in the header row, or one named with --map 'COLUMN=asset_tag'");
	} else {
		check_required(L, e);
	}
	if (L->nattr_cols > AT_ATTR_COUNT_MAX)
		at_item(e, "header", AT_INVALID,
		        "%zu columns would be kept as attributes; an asset holds at most %d: leave "
		        "some out with --map 'COLUMN=ignore'", L->nattr_cols, AT_ATTR_COUNT_MAX);

	rep->cols = calloc(n ? n : 1, sizeof(*rep->cols));
	if (!rep->cols)
		return at_fail(e, AT_INTERNAL, "out of memory");
	rep->ncols = n;
	for (i = 0; i < n; i++)
		column_row(L, i, col_mapped[i], L->col[i].dest == ID_ATTR ? NULL : k[i],
		           &rep->cols[i]);
	if (e->nitems > before)
		return at_items_done(e, e->nitems - before);
	return AT_OK;
}

void import_layout_free(struct import_layout *L)
{
	free(L->rules);
	L->rules = NULL;
	L->nrules = 0;
}

/* ==== statuses ========================================================= */

/* The default mapping (issue 8): deployable statuses go by whether the
 * row is checked out to a person; broken ones keep their condition;
 * gone ones retire.  Our own states and Shelf's statuses too. */
static const struct {
	const char *name;
	enum status_kind kind;
	enum asset_condition cond;
} default_status[] = {
	{ "deployed", SK_AUTO, COND_GOOD },
	{ "ready to deploy", SK_AUTO, COND_GOOD },
	{ "deployable", SK_AUTO, COND_GOOD },
	{ "pending", SK_AUTO, COND_GOOD },
	{ "available", SK_AUTO, COND_GOOD },
	{ "in custody", SK_AUTO, COND_GOOD },
	{ "in_custody", SK_AUTO, COND_GOOD },
	{ "checked out", SK_AUTO, COND_GOOD },
	{ "checked_out", SK_AUTO, COND_GOOD },
	{ "storage", SK_AUTO, COND_GOOD },
	{ "in storage", SK_AUTO, COND_GOOD },
	{ "out for repair", SK_AUTO, COND_FAULTY },
	{ "in repair", SK_AUTO, COND_FAULTY },
	{ "undeployable", SK_AUTO, COND_FAULTY },
	{ "faulty", SK_AUTO, COND_FAULTY },
	{ "damaged", SK_AUTO, COND_DAMAGED },
	{ "broken", SK_AUTO, COND_DAMAGED },
	{ "archived", SK_RETIRED, COND_GOOD },
	{ "lost", SK_RETIRED, COND_GOOD },
	{ "stolen", SK_RETIRED, COND_GOOD },
	{ "lost/stolen", SK_RETIRED, COND_GOOD },
	{ "lost / stolen", SK_RETIRED, COND_GOOD },
	{ "retired", SK_RETIRED, COND_GOOD },
	{ "disposed", SK_RETIRED, COND_GOOD },
};

static void say_kind(enum status_kind k, int has_cond, enum asset_condition c, char *to)
{
	const char *cond = has_cond ? asset_condition_name(c) : "GOOD";

	switch (k) {
	case SK_RETIRED:
		snprintf(to, 96, "RETIRED (the status is the reason)");
		break;
	case SK_STORAGE:
		snprintf(to, 96, "STORAGE %s", cond);
		break;
	case SK_CUSTODY:
		snprintf(to, 96, "IN_CUSTODY %s (a person must be named)", cond);
		break;
	default:
		snprintf(to, 96, "IN_CUSTODY %s if checked out to a person, else STORAGE %s", cond,
		         cond);
	}
}

/* Lower-case, blanks collapsed, en and em dashes read as '-'. */
static void norm_status(const char *in, char *out, size_t cap)
{
	size_t j = 0;
	int space = 0;

	for (const unsigned char *s = (const unsigned char *)in; *s && j + 1 < cap; s++) {
		if (*s == 0xe2 && s[1] == 0x80 && (s[2] == 0x93 || s[2] == 0x94)) {
			s += 2;
			out[j++] = '-';
			space = 0;
			continue;
		}
		if (*s == ' ' || *s == '\t') {
			space = j > 0;
			continue;
		}
		if (space && j + 2 < cap)
			out[j++] = ' ';
		space = 0;
		out[j++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : (char)*s;
	}
	out[j] = '\0';
}

static int lookup_status(const struct import_layout *L, const char *norm, enum status_kind *kind,
                         int *has_cond, enum asset_condition *cond)
{
	char rn[AT_ATTR_NAME_MAX * 2 + 1];

	for (size_t i = 0; i < L->nrules; i++) {
		norm_status(L->rules[i].name, rn, sizeof(rn));
		if (strcmp(rn, norm) == 0) {
			*kind = L->rules[i].kind;
			*has_cond = L->rules[i].has_cond;
			*cond = L->rules[i].cond;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(default_status) / sizeof(default_status[0]); i++) {
		size_t n = strlen(default_status[i].name);
		/* "Broken" covers "Broken - Not Fixable" and the like. */
		if (strcmp(default_status[i].name, norm) == 0 ||
		    (strcmp(default_status[i].name, "broken") == 0 && strncmp(norm, "broken", n) == 0)) {
			*kind = default_status[i].kind;
			*has_cond = 1;
			*cond = default_status[i].cond;
			return 0;
		}
	}
	return -1;
}

int import_status_map(const struct import_layout *L, const char *status, enum status_kind *kind,
                      int *has_cond, enum asset_condition *cond, char *to)
{
	char norm[AT_ATTR_VALUE_MAX + 1];
	size_t n;

	norm_status(status, norm, sizeof(norm));
	*has_cond = 0;
	if (!norm[0]) {
		*kind = SK_AUTO;
		say_kind(*kind, 0, COND_GOOD, to);
		return 0;
	}
	if (lookup_status(L, norm, kind, has_cond, cond) == 0)
		goto found;
	/* Snipe-IT's report writes "Label (meta)": the label, else the meta
	 * (deployable, deployed, pending, archived, undeployable). */
	n = strlen(norm);
	if (n > 2 && norm[n - 1] == ')') {
		char *open = strrchr(norm, '(');
		if (open && open > norm) {
			char meta[64];
			snprintf(meta, sizeof(meta), "%.*s", (int)(n - 1 - (size_t)(open - norm) - 1),
			         open + 1);
			*open = '\0';
			for (size_t k = strlen(norm); k && norm[k - 1] == ' '; k--)
				norm[k - 1] = '\0';
			if (lookup_status(L, norm, kind, has_cond, cond) == 0 ||
			    lookup_status(L, meta, kind, has_cond, cond) == 0)
				goto found;
		}
	}
	return -1;
found:
	say_kind(*kind, *has_cond, *cond, to);
	return 0;
}

/* ==== locations, dates, yes/no ======================================== */

/* Where `needle` last occurs in `s`, any ASCII letter case, or NULL. */
static const char *last_case(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	const char *hit = NULL;

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			hit = s;
	return hit;
}

static void copy_trimmed(const char *s, size_t n, char *out, size_t cap)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	snprintf(out, cap, "%.*s", (int)n, s);
}

void import_split_location(const char *loc, const char *dflt, char *building, size_t bcap,
                           char *room, size_t rcap)
{
	const char *at = last_case(loc, ", room ");
	size_t skip = 7;

	if (!at) {
		at = last_case(loc, " / ");
		skip = 3;
	}
	if (at && at > loc && at[skip]) {
		copy_trimmed(loc, (size_t)(at - loc), building, bcap);
		copy_trimmed(at + skip, strlen(at + skip), room, rcap);
		if (building[0] && room[0])
			return;
	}
	copy_trimmed(loc, strlen(loc), building, bcap);
	snprintf(room, rcap, "%s", dflt);
}

int import_parse_date(const char *in, char *date, char *when, char *why)
{
	char t[40], canon[AT_TIME_LEN + 1];
	size_t n;

	copy_trimmed(in, strlen(in), t, sizeof(t));
	n = strlen(t);
	if (n < 10)
		goto bad;
	memcpy(date, t, 10);
	date[10] = '\0';
	if (text_valid_date(date, NULL) < 0)
		goto bad;
	if (n == 10) {
		if (when)
			snprintf(when, AT_TIME_LEN + 1, "%sT00:00:00.000Z", date);
		return 0;
	}
	/* Seconds only matter to the canonical form: "HH:MM" gets ":00". */
	if (text_parse_time(t, canon, NULL) < 0)
		goto bad;
	if (when)
		snprintf(when, AT_TIME_LEN + 1, "%s", canon);
	return 0;
bad:
	snprintf(why, AT_WHY_MAX, "'%.40s' is not a date: use YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS)",
	         in);
	return -1;
}

int import_yes_no(const char *s)
{
	char v[8];
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n >= sizeof(v))
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	v[n] = '\0';
	if (!v[0] || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "n"))
		return 0;
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "y") ||
	    !strcmp(v, "x"))
		return 1;
	return -1;
}
