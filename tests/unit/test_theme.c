/*
 * test_theme - the theme loader: the shipped themes load, the built-in
 * default matches default.yaml, and every kind of bad input is refused
 * with file:line:col while the theme falls back to the built-in one.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

/* themes_dir - $top_srcdir/themes, or ./themes. */
static const char *themes_dir(void)
{
	static char dir[4096];
	const char *top = getenv("top_srcdir");

	snprintf(dir, sizeof(dir), "%s/themes", top ? top : ".");
	return dir;
}

/* load - parse a string theme; returns the loader's status. */
static int load(struct theme *th, const char *text, struct err *e)
{
	err_clear(e);
	return theme_load_mem(th, "t.yaml", text, strlen(text), e);
}

/* assert_builtin - th is exactly the built-in default. */
static void assert_builtin(const struct theme *th)
{
	struct theme def;

	theme_builtin(&def);
	assert_memory_equal(th->role, def.role, sizeof(def.role));
}

static void test_empty_and_garbage(void **state)
{
	struct theme th;
	struct err e;

	(void)state;
	assert_int_equal(load(&th, "", &e), -1);
	assert_non_null(strstr(e.msg, "empty theme"));
	assert_builtin(&th);
	assert_int_equal(load(&th, "- a\n- b\n", &e), -1);
	assert_non_null(strstr(e.msg, "t.yaml:1:1:"));
	assert_int_equal(load(&th, "normal: {fg: red\n", &e), -1);
	assert_non_null(strstr(e.msg, "t.yaml:"));
	assert_int_equal(load(&th, "\x01\x02\xff", &e), -1);
	assert_builtin(&th);
}

static void test_shipped_themes_load(void **state)
{
	static const char *const names[] = { "default", "light", "high-contrast", "monochrome" };
	struct theme th;
	struct err e;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err_clear(&e);
		if (theme_load(&th, themes_dir(), names[i], &e) < 0)
			fail_msg("%s: %s", names[i], e.msg);
		assert_string_equal(th.name, names[i]);
	}
	/* monochrome.yaml must not inherit colours from the default. */
	for (r = 0; r < ROLE_COUNT; r++) {
		assert_int_equal(th.role[r].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(th.role[r].bg, THEME_COLOR_DEFAULT);
	}
}

static void test_builtin_matches_default_yaml(void **state)
{
	struct theme th;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(theme_load(&th, themes_dir(), "default", &e), 0);
	assert_builtin(&th);
}

static void test_forms(void **state)
{
	struct theme th;
	struct err e;

	(void)state;
	assert_int_equal(load(&th, "error: { fg: bright-red, bg: color17, attrs: [bold, underline] }\n"
				   "ok:\n  fg: green\n  attrs: \"reverse, dim\"\n", &e), 0);
	assert_int_equal(th.role[ROLE_ERROR].fg, 9);
	assert_int_equal(th.role[ROLE_ERROR].bg, 17);
	assert_int_equal(th.role[ROLE_ERROR].attrs, THEME_A_BOLD | THEME_A_UNDERLINE);
	assert_int_equal(th.role[ROLE_OK].fg, 2);
	assert_int_equal(th.role[ROLE_OK].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(th.role[ROLE_OK].attrs, THEME_A_REVERSE | THEME_A_DIM);
	/* Roles the file leaves out keep the built-in style. */
	{
		struct theme def;

		theme_builtin(&def);
		assert_memory_equal(&th.role[ROLE_TITLE], &def.role[ROLE_TITLE],
				    sizeof(def.role[ROLE_TITLE]));
	}
}

static void test_errors_name_line_and_column(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "normal: { fg: red }\nfoo: { fg: red }\n", "t.yaml:2:1: unknown role 'foo'" },
		{ "normal: { fg: red, size: 3 }\n", "t.yaml:1:20: unknown key 'size'" },
		{ "normal: { fg: blu }\n", "t.yaml:1:15: unknown colour 'blu'" },
		{ "normal: { fg: color256 }\n", "unknown colour 'color256'" },
		{ "normal: { attrs: [bold, shiny] }\n", "unknown attribute 'shiny'" },
		{ "normal: &a { fg: red }\ntitle: *a\n", "t.yaml:1:9: anchors are not allowed" },
		{ "normal: *a\n", "t.yaml:1:9:" },
		{ "normal: { fg: red }\nnormal: { fg: blue }\n", "t.yaml:2:1: duplicate role" },
		{ "normal: red\n", "t.yaml:1:9: expected a mapping" },
		{ "normal: { fg: [red] }\n", "a colour must be a name" },
		{ "normal: { fg: red }\n---\nok: { fg: red }\n", "only one document" },
	};
	struct theme th;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load(&th, cases[i].text, &e) != -1)
			fail_msg("case %zu accepted", i);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, e.msg, cases[i].want);
		assert_builtin(&th);
	}
}

static void test_names_stay_in_dir(void **state)
{
	struct theme th;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(theme_load(&th, themes_dir(), "..", &e), -1);
	assert_int_equal(theme_load(&th, themes_dir(), "", &e), -1);
	assert_int_equal(theme_load(&th, themes_dir(), "a b", &e), -1);
	assert_int_equal(theme_load(&th, themes_dir(), "nosuchtheme", &e), -1);
	assert_non_null(strstr(e.msg, "nosuchtheme.yaml"));
	assert_int_equal(theme_load(&th, NULL, "default", &e), -1);
	assert_builtin(&th);
}

static void test_find_dir(void **state)
{
	char out[4096];

	(void)state;
	assert_int_equal(theme_find_dir(themes_dir(), out, sizeof(out)), 0);
	assert_string_equal(out, themes_dir());
	assert_int_equal(theme_find_dir("/nonexistent/themes", out, sizeof(out)), -1);
	setenv("RELAYDECK_THEMES_DIR", themes_dir(), 1);
	assert_int_equal(theme_find_dir(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, themes_dir());
	unsetenv("RELAYDECK_THEMES_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_garbage),
		cmocka_unit_test(test_shipped_themes_load),
		cmocka_unit_test(test_builtin_matches_default_yaml),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors_name_line_and_column),
		cmocka_unit_test(test_names_stay_in_dir),
		cmocka_unit_test(test_find_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
