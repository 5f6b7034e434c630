/*
 * test_samegroup - texts grouped by content: empty and NULL left out,
 * groups in order of their first member, members ascending, and a fleet
 * of 5,000 texts: every host in exactly one group.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "samegroup.h"

static void group(const char *const *text, size_t n, struct same_group **g, size_t *ng)
{
	size_t len[16];
	struct err e;

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		len[i] = text[i] ? strlen(text[i]) : 0;
	err_clear(&e);
	assert_int_equal(same_groups(text, len, n, g, ng, &e), 0);
}

static void test_none(void **state)
{
	const char *text[] = { NULL, "", NULL };
	struct same_group *g;
	size_t ng = 99;

	(void)state;
	group(text, 0, &g, &ng);
	assert_int_equal(ng, 0);
	same_groups_free(g, ng);
	group(text, 3, &g, &ng);
	assert_int_equal(ng, 0);
	same_groups_free(g, ng);
	same_groups_free(NULL, 0);
}

static void test_groups(void **state)
{
	/* 38 hosts and 2 hosts, in small: b and d differ from the rest */
	const char *text[] = { "diff A\n", "diff B\n", "diff A\n", NULL, "diff B\n", "diff A\n",
			       "diff A", "" };
	struct same_group *g;
	size_t ng;

	(void)state;
	group(text, 8, &g, &ng);
	assert_int_equal(ng, 3);
	/* by first member: 0 (A), 1 (B), 6 (A without its newline: not the same bytes) */
	assert_int_equal(g[0].n, 3);
	assert_int_equal(g[0].members[0], 0);
	assert_int_equal(g[0].members[1], 2);
	assert_int_equal(g[0].members[2], 5);
	assert_int_equal(g[1].n, 2);
	assert_int_equal(g[1].members[0], 1);
	assert_int_equal(g[1].members[1], 4);
	assert_int_equal(g[2].n, 1);
	assert_int_equal(g[2].members[0], 6);
	same_groups_free(g, ng);
}

/* A fleet: 5,000 hosts, 3 distinct diffs; every host in exactly one group. */
static void test_fleet(void **state)
{
	enum { N = 5000 };
	static const char *const kinds[] = { "x\n", "yy\n", "x\ny\n" };
	const char **text = calloc(N, sizeof(*text));
	size_t *len = calloc(N, sizeof(*len)), seen = 0;
	struct same_group *g;
	size_t ng;
	struct err e;

	(void)state;
	assert_non_null(text);
	assert_non_null(len);
	for (size_t i = 0; i < N; i++) {
		text[i] = kinds[(i * 7) % 3];
		len[i] = strlen(text[i]);
	}
	err_clear(&e);
	assert_int_equal(same_groups(text, len, N, &g, &ng, &e), 0);
	assert_int_equal(ng, 3);
	for (size_t k = 0; k < ng; k++) {
		for (size_t m = 0; m < g[k].n; m++) {
			assert_string_equal(text[g[k].members[m]], text[g[k].members[0]]);
			if (m)
				assert_true(g[k].members[m] > g[k].members[m - 1]);
		}
		seen += g[k].n;
	}
	assert_int_equal(seen, N);
	same_groups_free(g, ng);
	free(text);
	free(len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_fleet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
