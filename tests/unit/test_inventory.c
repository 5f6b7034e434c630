/*
 * test_inventory - the YAML inventory reader: NULL, empty and oversized
 * input first; Ansible precedence (host over child group over parent,
 * siblings by name, ansible_group_priority), host:port and ranges,
 * relaydeck's own format, aliases and merge keys, the bounds on alias
 * expansion and loops, errors with line and column, and the group API
 * the fleet uses.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

static struct inventory *load(const char *text, struct err *e)
{
	struct inventory *inv = NULL;

	err_clear(e);
	if (inventory_load_mem("inv.yml", text, text ? strlen(text) : 0, &inv, e) < 0)
		return NULL;
	return inv;
}

static void test_null_empty_oversized(void **state)
{
	struct inventory *inv;
	struct err e;
	char *big;

	(void)state;
	inv = load(NULL, &e);
	assert_non_null(inv);
	assert_int_equal(inv->n_hosts, 0);
	inventory_free(inv);
	inv = load("", &e);
	assert_non_null(inv);
	assert_int_equal(inv->n_hosts, 0);
	assert_null(inventory_host(inv, NULL));
	inventory_free(inv);
	inventory_free(NULL);
	inv = load("~\n", &e);
	assert_non_null(inv);
	inventory_free(inv);
	big = malloc(INV_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', INV_MAX_BYTES + 1);
	big[INV_MAX_BYTES + 1] = '\0';
	assert_null(load(big, &e));
	assert_int_equal(e.code, ERR_LIMIT);
	free(big);
	assert_int_equal(inventory_load("/nonexistent/inv.yml", &inv, &e), -1);
	assert_null(inv);
	assert_null(load("[1, 2]\n", &e));
	assert_int_equal(e.code, ERR_PARSE);
}

/* A range of 50,000 names in one group (what the fuzzer found: two
 * ranges multiplied): collecting the group looks every member up by
 * name, which compared it with every host before (2.5 x 10^9 comparisons, a
 * hang); hashed, it is linear. */
static void test_large_range_group(void **state)
{
	struct inventory *inv;
	const struct inv_host **hs;
	size_t n;
	struct err e;

	(void)state;
	inv = load("relays:\n  hosts:\n    r[0:99]-[0:499].example.net:\n", &e);
	assert_non_null(inv);
	assert_int_equal(inv->n_hosts, 50000);
	assert_int_equal(inventory_group_hosts(inv, "relays", &hs, &n, &e), 0);
	assert_int_equal(n, 50000);
	assert_string_equal(hs[0]->name, "r0-0.example.net");
	assert_string_equal(hs[n - 1]->name, "r99-499.example.net");
	free(hs);
	assert_non_null(inventory_host(inv, "r42-421.example.net"));
	assert_null(inventory_host(inv, "r42-500.example.net"));
	inventory_free(inv);
}

/* A step as large as strtol gives (LONG_MAX, found by fuzz_inventory):
 * the next name after the first one overflowed a long (UBSan), and an
 * int step of a letter range could wrap. One name each; steps stay. */
static void test_range_huge_step(void **state)
{
	struct inventory *inv;
	struct err e;

	(void)state;
	inv = load("all:\n  hosts:\n    'h[3:11:99999999999999999999999]':\n"
		   "    'x[a:z:4294967296]':\n    'w[1:9:4]':\n    'v[a:e:2]':\n", &e);
	assert_non_null(inv);
	assert_int_equal(inv->n_hosts, 8);
	assert_non_null(inventory_host(inv, "h3"));
	assert_non_null(inventory_host(inv, "xa"));
	assert_null(inventory_host(inv, "xb"));
	assert_non_null(inventory_host(inv, "w1"));
	assert_non_null(inventory_host(inv, "w5"));
	assert_non_null(inventory_host(inv, "w9"));
	assert_non_null(inventory_host(inv, "va"));
	assert_non_null(inventory_host(inv, "vc"));
	assert_non_null(inventory_host(inv, "ve"));
	assert_null(inventory_host(inv, "vb"));
	inventory_free(inv);
}

static void test_ansible_precedence(void **state)
{
	struct err e;
	struct inventory *inv = load(
		"all:\n"
		"  vars: {ansible_user: a, ansible_port: 1}\n"
		"  children:\n"
		"    zz:\n"
		"      vars: {ansible_user: zz}\n"
		"      hosts: {h1: , h2: {ansible_user: own}}\n"
		"    bb:\n"
		"      vars: {ansible_user: bb, ansible_port: 2}\n"
		"      hosts: {h1: , h3: }\n"
		"      children:\n"
		"        child: {vars: {ansible_user: child}, hosts: {h3: }}\n"
		"    prio:\n"
		"      vars: {ansible_user: prio, ansible_group_priority: 10}\n"
		"      hosts: {h4: }\n"
		"    az:\n"
		"      vars: {ansible_user: az}\n"
		"      hosts: {h4: , 'h5:2022': , 'web[08:10:2]': , 'x[a:b]y': }\n", &e);
	const struct inv_host *h;

	(void)state;
	if (inv == NULL)
		fail_msg("%s", e.msg);
	assert_int_equal(inv->kind, INV_ANSIBLE);
	/* siblings of one depth: by name, the later wins: zz over bb */
	h = inventory_host(inv, "h1");
	assert_string_equal(h->user, "zz");
	assert_int_equal(h->port, 2);
	assert_string_equal(inventory_host(inv, "h2")->user, "own");
	/* the child group over its parent */
	assert_string_equal(inventory_host(inv, "h3")->user, "child");
	/* ansible_group_priority beats the name order */
	assert_string_equal(inventory_host(inv, "h4")->user, "prio");
	h = inventory_host(inv, "h5");
	assert_non_null(h);
	assert_int_equal(h->port, 2022);
	assert_non_null(inventory_host(inv, "web08"));
	assert_non_null(inventory_host(inv, "web10"));
	assert_null(inventory_host(inv, "web09"));
	assert_non_null(inventory_host(inv, "xay"));
	assert_non_null(inventory_host(inv, "xby"));
	{
		const struct inv_host **hs;
		size_t n;

		assert_int_equal(inventory_group_hosts(inv, "bb", &hs, &n, &e), 0);
		assert_int_equal(n, 2);
		assert_string_equal(hs[0]->name, "h1");
		assert_string_equal(hs[1]->name, "h3");
		free(hs);
		assert_int_equal(inventory_group_hosts(inv, "nope", &hs, &n, &e), -1);
		assert_int_equal(e.code, ERR_NOTFOUND);
	}
	inventory_free(inv);
}

static void test_aliases(void **state)
{
	struct err e;
	struct inventory *inv;
	struct buf;
	char laughs[4096];
	size_t off = 0;

	(void)state;
	inv = load("all:\n  vars: &v {ansible_user: anchored}\n  children:\n"
		   "    g:\n      vars: *v\n      hosts: {h: {<<: *v, ansible_port: 7}}\n", &e);
	if (inv == NULL)
		fail_msg("%s", e.msg);
	assert_string_equal(inventory_host(inv, "h")->user, "anchored");
	assert_int_equal(inventory_host(inv, "h")->port, 7);
	inventory_free(inv);
	/* a billion laughs stops at the budget with an error, not memory */
	off += (size_t)snprintf(laughs + off, sizeof(laughs) - off, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 12; i++)
		off += (size_t)snprintf(laughs + off, sizeof(laughs) - off,
					"a%d: &a%d {hosts: {h: {<<: [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]}}}\n",
					i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	inv = load(laughs, &e);
	assert_null(inv);
	/* a cycle stops at the depth bound */
	inv = load("all: &x\n  children:\n    g: *x\n", &e);
	assert_null(inv);
	assert_true(e.code == ERR_LIMIT || e.code == ERR_PARSE);
}

static void test_own_format(void **state)
{
	struct err e;
	struct inventory *inv = load("vars: {user: u}\nhosts:\n  mx1: {host: 192.0.2.1, sudo: yes}\n"
				     "  mx2:\ngroups:\n  g: {hosts: [mx2], vars: {port: 2222}}\n", &e);

	(void)state;
	if (inv == NULL)
		fail_msg("%s", e.msg);
	assert_int_equal(inv->kind, INV_OWN);
	assert_string_equal(inventory_host(inv, "mx1")->address, "192.0.2.1");
	assert_int_equal(inventory_host(inv, "mx1")->sudo, 1);
	assert_int_equal(inventory_host(inv, "mx2")->port, 2222);
	assert_string_equal(inventory_host(inv, "mx2")->user, "u");
	assert_int_equal(inventory_host(inv, "mx2")->sudo, -1);
	inventory_free(inv);
}

struct bad {
	const char *text;
	int line, col;
	const char *msg;
};

static const struct bad bads[] = {
	{ "all:\n  hosts:\n    a:\n      ansible_port: 70000\n", 4, 21, "not a port number" },
	{ "all:\n  hosts:\n    a: {ansible_become: maybe}\n", 3, 25, "not a boolean" },
	{ "all:\n  hosts:\n    a: {ansible_host: '{{ x }}'}\n", 3, 23, "templated" },
	{ "all:\n  hosts: [a, b]\n", 2, 10, "expected a mapping" },
	{ "all:\n  bogus: 1\n", 2, 3, "unexpected key" },
	{ "all:\n  hosts:\n    'web[3:1]':\n", 3, 5, "bad range" },
	{ "all:\n  hosts: [a\n", 3, 1, "YAML" },
	{ "hosts:\n  a: {colour: red}\n", 2, 7, "unknown host variable" },
	{ "hosts:\n  a:\ngroups:\n  g: {hosts: [b]}\n", 4, 15, "not under hosts" },
	{ "hosts:\n  a:\ngroups:\n  g: {children: [g]}\n", 4, 18, "its own child" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct err e;
		char line[700];

		if (load(bads[i].text, &e) != NULL)
			fail_msg("bad row %zu accepted", i);
		if (strstr(e.msg, bads[i].msg) == NULL || e.line != bads[i].line ||
		    e.col != bads[i].col || strcmp(e.file, "inv.yml") != 0)
			fail_msg("bad row %zu: %s (want %d:%d %s)", i, err_format(&e, line, sizeof(line)),
				 bads[i].line, bads[i].col, bads[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_empty_oversized),
		cmocka_unit_test(test_large_range_group),
		cmocka_unit_test(test_range_huge_step),
		cmocka_unit_test(test_ansible_precedence),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_own_format),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
