/*
 * gen_snipeit.c — a Snipe-IT-like asset export for the import benchmark
 * (bench/import.sh) and tests: the columns of Snipe-IT's custom asset
 * report, written the way PHP's fputcsv writes them.
 *
 *   gen_snipeit ROWS [SEED] [--bom] [--crlf] > export.csv
 *
 * Of every 100,000 rows: 14,285 checked out to about 2,000 users ("Type"
 * user, "Deployed"; nine in ten users with an employee number, the rest
 * found by username only), 1,000 checked out to a location, and statuses
 * Ready to Deploy (most), Pending, Archived, "Broken – Not Fixable", Out
 * for Repair and Lost/Stolen.  Locations read "HQ Building 2, Room 114",
 * "Warehouse 3 / Bay 7" or "Remote Office 4" (no room).  Every row has 13
 * columns AssetTrack keeps as attributes (Company, Asset Name, Purchased,
 * Cost, EOL, Order Number, Supplier, Warranty, Warranty Expires, Created
 * At, Updated At, and two custom fields), and one note in 20 has commas,
 * quotes or a line break.  Deterministic for a seed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static uint32_t next(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static uint32_t below(uint32_t n)
{
	return next() % n;
}

/* One field as fputcsv writes it: quoted when it holds a delimiter, a
 * quote, a line break or a blank, quotes doubled. */
static void field(const char *s, int last, const char *eol)
{
	if (strpbrk(s, ",\"\r\n \t")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? eol : ",", stdout);
}

static const char *const header[] = {
	"Company", "Asset Name", "Asset Tag", "Model", "Model No.", "Category", "Manufacturer",
	"Serial", "Purchased", "Cost", "EOL", "Order Number", "Supplier", "Location",
	"Checked Out To", "Type", "Username", "Employee No.", "Status", "Warranty",
	"Warranty Expires", "Checkout Date", "Expected Checkin Date", "Created At", "Updated At",
	"Notes", "MAC Address", "RAM",
};
#define NCOLS (sizeof(header) / sizeof(header[0]))

static const char *const makers[] = { "Dell", "HP", "Lenovo", "Apple", "Zebra", "Motorola" };
static const char *const models[][2] = {
	{ "Latitude 5420", "LAT5420" }, { "EliteBook 840 G8", "EB840G8" },
	{ "ThinkPad T14", "20W0" },     { "MacBook Pro 14", "A2442" },
	{ "TC52 Scanner", "TC520K" },   { "APX 6000", "H98UCF9PW6AN" },
};
static const char *const cats[] = { "Laptop", "Laptop", "Laptop", "Laptop", "Scanner", "Radio" };
static const char *const companies[] = { "Acme Corp", "Acme Field Services", "Globex, Inc." };
static const char *const suppliers[] = { "CDW", "Insight", "SHI International" };

static void location(char *out, size_t cap)
{
	uint32_t r = below(100);

	if (r < 60)
		snprintf(out, cap, "HQ Building %u, Room %u", 1 + below(4), 100 + below(300));
	else if (r < 85)
		snprintf(out, cap, "Warehouse %u / Bay %u", 1 + below(3), 1 + below(20));
	else
		snprintf(out, cap, "Remote Office %u", 1 + below(9));
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	const char *eol = "\n";
	char buf[NCOLS][160];
	long user_out, loc_out;

	rng = argc > 2 && argv[2][0] != '-' ? strtoull(argv[2], NULL, 10) : 42;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bom") == 0)
			fputs("\xef\xbb\xbf", stdout);
		if (strcmp(argv[i], "--crlf") == 0)
			eol = "\r\n";
	}
	if (rows < 1)
		return 2;
	user_out = rows * 14285 / 100000;
	loc_out = rows / 100;
	for (size_t c = 0; c < NCOLS; c++)
		field(header[c], c + 1 == NCOLS, eol);
	for (long i = 0; i < rows; i++) {
		/* Checkouts spread over the file: every 7th row is a user's. */
		int to_user = i % 7 == 3 && i / 7 < user_out;
		int to_loc = !to_user && i % 100 == 50 && i / 100 < loc_out;
		uint32_t m = below(6), st = below(1000);
		uint32_t user = below(2000);
		const char *status = "Ready to Deploy";
		char *f[NCOLS];

		for (size_t c = 0; c < NCOLS; c++) {
			f[c] = buf[c];
			buf[c][0] = '\0';
		}
		if (to_user || to_loc)
			status = "Deployed";
		else if (st < 40)
			status = "Pending";
		else if (st < 70)
			status = "Archived";
		else if (st < 85)
			status = "Broken \xe2\x80\x93 Not Fixable";
		else if (st < 100)
			status = "Out for Repair";
		else if (st < 105)
			status = "Lost/Stolen";
		snprintf(buf[0], 160, "%s", companies[below(3)]);
		snprintf(buf[1], 160, "%s-%06ld", cats[m], i + 1);
		snprintf(buf[2], 160, "AT-%06ld", i + 1);
		snprintf(buf[3], 160, "%s", models[m][0]);
		snprintf(buf[4], 160, "%s", models[m][1]);
		snprintf(buf[5], 160, "%s", cats[m]);
		snprintf(buf[6], 160, "%s", makers[m]);
		snprintf(buf[7], 160, "SN%08X%04lX", next(), i & 0xffff);
		snprintf(buf[8], 160, "%u-%02u-%02u", 2020 + below(5), 1 + below(12), 1 + below(28));
		snprintf(buf[9], 160, "%u.%02u", 300 + below(2500), below(100));
		snprintf(buf[10], 160, "%u-%02u-01", 2025 + below(5), 1 + below(12));
		snprintf(buf[11], 160, "PO-%06u", below(999999));
		snprintf(buf[12], 160, "%s", suppliers[below(3)]);
		location(buf[13], 160);
		if (to_user) {
			snprintf(buf[14], 160, "User %04u Person", user);
			snprintf(buf[15], 160, "user");
			snprintf(buf[16], 160, "user%04u", user);
			if (user % 10)
				snprintf(buf[17], 160, "E%05u", 10000 + user);
			snprintf(buf[21], 160, "2025-%02u-%02u 09:%02u:00", 1 + below(9), 1 + below(28),
			         below(60));
			if (below(2))
				snprintf(buf[22], 160, "2026-%02u-%02u", 1 + below(12), 1 + below(28));
		} else if (to_loc) {
			snprintf(buf[14], 160, "HQ Lobby Kiosk %u", 1 + below(5));
			snprintf(buf[15], 160, "location");
			snprintf(buf[21], 160, "2025-%02u-%02u 10:00:00", 1 + below(9), 1 + below(28));
		}
		snprintf(buf[18], 160, "%s", status);
		snprintf(buf[19], 160, "%u", 12 * (1 + below(3)));
		snprintf(buf[20], 160, "%u-%02u-%02u", 2023 + below(5), 1 + below(12), 1 + below(28));
		snprintf(buf[23], 160, "2024-0%u-1%u 08:00:00", 1 + below(9), below(10));
		snprintf(buf[24], 160, "2025-0%u-1%u 17:30:00", 1 + below(9), below(10));
		if (i % 20 == 7)
			snprintf(buf[25], 160, "Screen has a crack, \"minor\"\nCharger missing");
		else if (i % 20 == 13)
			snprintf(buf[25], 160, "Reimaged, new SSD");
		snprintf(buf[26], 160, "00:1A:2B:%02X:%02X:%02X", below(256), below(256), below(256));
		snprintf(buf[27], 160, "%u GB", 8u << below(3));
		for (size_t c = 0; c < NCOLS; c++)
			field(f[c], c + 1 == NCOLS, eol);
	}
	return ferror(stdout) ? 1 : 0;
}
