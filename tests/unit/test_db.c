/*
 * What front ends derive from --db (core/db.h): whether it names a
 * PostgreSQL database, how it is shown (never a password), and the path
 * the program's own files for it are named after.
 */
#include "testlib.h"

#include "core/db.h"

#include <stdlib.h>
#include <string.h>

static void test_db_is_server(void **state)
{
	(void)state;
	assert_true(db_is_server("postgresql:///assettrack?host=/run/postgresql"));
	assert_true(db_is_server("postgres://u@db.example/at"));
	assert_false(db_is_server("assettrack.db"));
	assert_false(db_is_server("./postgresql:/x.db"));
	assert_false(db_is_server("POSTGRESQL://h/db")); /* libpq's scheme is lower case */
	assert_false(db_is_server(""));
}

static void shown(const char *db, const char *want)
{
	char out[256];

	db_display(db, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_db_display_hides_passwords(void **state)
{
	char small[16];

	(void)state;
	shown("assettrack.db", "assettrack.db");
	shown("/var/lib/assettrack/a b:c@d.db", "/var/lib/assettrack/a b:c@d.db");
	shown("postgresql:///assettrack?host=/run/postgresql",
	      "postgresql:///assettrack?host=/run/postgresql");
	shown("postgresql://at:s3cr%40t@db.example:5432/assettrack",
	      "postgresql://at@db.example:5432/assettrack");
	shown("postgresql://:pw@db.example/assettrack", "postgresql://db.example/assettrack");
	shown("postgres://at@db.example/assettrack", "postgres://at@db.example/assettrack");
	shown("postgresql:///at?password=hunter2&host=/tmp", "postgresql:///at?host=/tmp");
	shown("postgresql:///at?host=/tmp&password=hunter2", "postgresql:///at?host=/tmp");
	shown("postgresql:///at?password=x", "postgresql:///at");
	shown("postgresql://u:p@h/at?user=v&password=q&sslmode=require",
	      "postgresql://u@h/at?user=v&sslmode=require");
	/* an '@' after the host is not the user's */
	shown("postgresql://h/at?application_name=a@b", "postgresql://h/at?application_name=a@b");
	/* cut to fit, never past the buffer */
	db_display("postgresql://user:password@host/db", small, sizeof(small));
	assert_string_equal(small, "postgresql://us");
	assert_null(strstr(small, "password"));
}

static void test_db_local_base(void **state)
{
	char a[512], b[512], c[512];

	(void)state;
	assert_int_equal(db_local_base("/srv/at.db", a, sizeof(a)), 0);
	assert_string_equal(a, "/srv/at.db");
	unsetenv("ASSETTRACK_STATE_DIR");
	assert_int_equal(db_local_base("postgresql://u:one@h/asset_track-1?x=y", a, sizeof(a)), 0);
	assert_int_equal(strncmp(a, "./assettrack-pg-asset_track-1-", 30), 0);
	assert_int_equal(strlen(a), 30 + 8);
	/* the same database with another password: the same files */
	assert_int_equal(db_local_base("postgresql://u:two@h/asset_track-1?x=y", b, sizeof(b)), 0);
	assert_string_equal(a, b);
	/* another database, or another host: others */
	assert_int_equal(db_local_base("postgresql://u@h2/asset_track-1?x=y", c, sizeof(c)), 0);
	assert_string_not_equal(a, c);
	setenv("ASSETTRACK_STATE_DIR", "/var/lib/assettrack", 1);
	assert_int_equal(db_local_base("postgresql:///a/../b?host=/run", c, sizeof(c)), 0);
	assert_int_equal(strncmp(c, "/var/lib/assettrack/assettrack-pg-ab-", 37), 0);
	assert_int_equal(db_local_base("postgresql://h", c, sizeof(c)), 0);
	assert_int_equal(strncmp(c, "/var/lib/assettrack/assettrack-pg-", 34), 0);
	assert_int_equal(strlen(c), 34 + 8);
	unsetenv("ASSETTRACK_STATE_DIR");
	assert_int_equal(db_local_base("postgresql://h/db", c, 12), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_is_server),
		cmocka_unit_test(test_db_display_hides_passwords),
		cmocka_unit_test(test_db_local_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
