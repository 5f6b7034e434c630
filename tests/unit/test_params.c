/*
 * test_params - table tests for core/valid.c and the params catalog, and
 * params_host_load against the real postconf with a private config dir.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "params.h"
#include "target.h"
#include "valid.h"

struct vcase {
	const char *in;
	int ok;
};

typedef int (*validator)(const char *, struct err *);

/* run_cases - NULL and oversized first, then every case of the table. */
static void run_cases(validator fn, const char *fname, const struct vcase *c, size_t n)
{
	struct err e;
	char *big;

	err_clear(&e);
	assert_int_equal(fn(NULL, &e), -1);
	assert_true(e.msg[0] != '\0');

	big = malloc(VALID_VALUE_MAX + 100);
	assert_non_null(big);
	memset(big, 'a', VALID_VALUE_MAX + 99);
	big[VALID_VALUE_MAX + 99] = '\0';
	err_clear(&e);
	assert_int_equal(fn(big, &e), -1);
	free(big);

	for (size_t i = 0; i < n; i++) {
		int rc;

		err_clear(&e);
		rc = fn(c[i].in, &e);
		if ((rc == 0) != c[i].ok)
			fail_msg("%s('%s') returned %d, expected %s (%s)", fname, c[i].in, rc,
				 c[i].ok ? "ok" : "error", e.msg);
		if (rc < 0) {
			if (e.msg[0] == '\0' || strchr(e.msg, '\n'))
				fail_msg("%s('%s'): message must be one non-empty line: '%s'", fname,
					 c[i].in, e.msg);
		}
	}
}

#define RUN(fn, table) run_cases(fn, #fn, table, sizeof(table) / sizeof(table[0]))

static void test_hostname(void **state)
{
	static char long_label[80], long_name[300];
	const struct vcase c[] = {
		{ "", 0 }, { "smtp.example.com", 1 }, { "localhost", 1 }, { "a-b.example", 1 },
		{ "email-smtp.eu-west-1.amazonaws.com", 1 }, { "-a.example", 0 }, { "a-.example", 0 },
		{ "a..b", 0 }, { ".example.com", 0 }, { "example.com.", 0 }, { "ex_ample.com", 0 },
		{ "ex ample.com", 0 }, { "1.2.3.4", 0 }, { "host.123", 0 }, { "3com.example", 1 },
		{ long_label, 0 }, { long_name, 0 },
	};

	(void)state;
	memset(long_label, 'a', 64);
	memcpy(long_label + 64, ".com", 5);
	for (int i = 0; i < 290; i++)
		long_name[i] = (i % 10 == 9) ? '.' : 'b';
	long_name[290] = '\0';
	RUN(valid_hostname, c);
}

static void test_ipv4(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "127.0.0.1", 1 }, { "0.0.0.0", 1 }, { "255.255.255.255", 1 },
		{ "256.1.1.1", 0 }, { "1.2.3", 0 }, { "1.2.3.4.5", 0 }, { "01.2.3.4", 0 },
		{ "1.2.3.4 ", 0 }, { "a.b.c.d", 0 }, { "1..2.3", 0 }, { "1234.1.1.1", 0 },
	};

	(void)state;
	RUN(valid_ipv4, c);
}

static void test_ipv6(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "::1", 1 }, { "2001:db8::1", 1 }, { "fe80::1:2:3:4", 1 },
		{ "::ffff:192.0.2.1", 1 }, { "2001:db8::1::2", 0 }, { "12345::1", 0 },
		{ "[::1]", 0 }, { "127.0.0.1", 0 }, { "gggg::1", 0 }, { "fe80::1%eth0", 0 },
	};

	(void)state;
	RUN(valid_ipv6, c);
}

static void test_port(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "25", 1 }, { "1", 1 }, { "65535", 1 }, { "0", 0 }, { "65536", 0 },
		{ "-1", 0 }, { "587a", 0 }, { "submission", 0 }, { "999999", 0 }, { " 25", 0 },
	};

	(void)state;
	RUN(valid_port, c);
}

static void test_nexthop(void **state)
{
	const struct vcase c[] = {
		{ "", 1 }, { "smtp.example.com", 1 }, { "smtp.example.com:587", 1 },
		{ "[smtp.example.com]", 1 }, { "[smtp.example.com]:587", 1 },
		{ "[192.0.2.10]:2525", 1 }, { "[2001:db8::1]:587", 1 }, { "[2001:db8::1]", 1 },
		{ "192.0.2.10", 1 }, { "[smtp.example.com]:submission", 1 },
		{ "[smtp.example.com:587", 0 }, { "smtp.example.com]:587", 0 },
		{ "[smtp.example.com]:0", 0 }, { "[smtp.example.com]:99999", 0 },
		{ "[smtp.example.com]587", 0 }, { "[]:25", 0 }, { "2001:db8::1", 0 },
		{ "inet:smtp.example.com:25", 0 }, { "unix:/var/run/lmtp", 0 },
		{ "a.example, b.example", 0 }, { "smtp example", 0 }, { ":25", 0 },
		{ "[bad_host]:25", 0 }, { "[2001:db8::zz]:25", 0 }, { "host:", 0 },
	};

	(void)state;
	RUN(valid_nexthop, c);
}

static void test_nexthop_message(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(valid_nexthop("[smtp.example.com:587", &e), -1);
	assert_string_equal(e.msg,
			    "expected [host]:port, host:port or host, got '[smtp.example.com:587'");
}

static void test_nexthop_list(void **state)
{
	const struct vcase c[] = {
		{ "", 1 }, { "[a.example]:587, [b.example]:587", 1 }, { "a.example b.example", 1 },
		{ "$relayhost", 1 }, { "[a.example]:587,,[b.example]", 1 },
		{ "[a.example:587, b.example", 0 }, { "a.example, inet:b.example:25", 0 },
		{ "{a.example", 0 },
	};

	(void)state;
	RUN(valid_nexthop_list, c);
}

static void test_cidr(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "10.0.0.0/8", 1 }, { "192.0.2.1/32", 1 }, { "0.0.0.0/0", 1 },
		{ "[::1]/128", 1 }, { "[2001:db8::]/32", 1 }, { "[fe80::]/64", 1 },
		{ "10.0.0.1/8", 0 }, { "10.0.0.0/33", 0 }, { "10.0.0.0", 0 }, { "10.0.0.0/", 0 },
		{ "::1/128", 0 }, { "[::1]/129", 0 }, { "[2001:db8::1]/32", 0 }, { "[::1/128", 0 },
		{ "10.0.0.0/8/8", 0 }, { "10.0.0.0/a", 0 },
	};
	struct err e;

	(void)state;
	RUN(valid_cidr, c);
	err_clear(&e);
	assert_int_equal(valid_cidr("10.1.2.3/8", &e), -1);
	assert_non_null(strstr(e.msg, "did you mean 10.0.0.0/8"));
}

static void test_time(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "0", 1 }, { "0s", 1 }, { "30s", 1 }, { "5m", 1 }, { "2h", 1 },
		{ "5d", 1 }, { "1w", 1 }, { "1000", 1 }, { "100ms", 0 }, { "1.5s", 0 },
		{ "2S", 0 }, { "5x", 0 }, { "1mm", 0 }, { "5ss", 0 }, { "-1s", 0 }, { "+5s", 0 },
		{ " 5s", 0 }, { "5 s", 0 }, { "s", 0 }, { "2147483647", 1 }, { "2147483648", 0 },
		{ "3549w", 1 }, { "3550w", 0 }, { "100us", 0 },
	};
	struct err e;

	(void)state;
	RUN(valid_time, c);
	/* Postfix 3.7 reads "100ms" as 100 minutes: the message must say so. */
	err_clear(&e);
	assert_int_equal(valid_time("100ms", &e), -1);
	assert_non_null(strstr(e.msg, "100 minutes"));
}

static void test_uint(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "0", 1 }, { "50", 1 }, { "2147483647", 1 }, { "2147483648", 0 },
		{ "-1", 0 }, { "1e3", 0 }, { "12 ", 0 }, { "abc", 0 }, { "99999999999999999999", 0 },
	};

	(void)state;
	RUN(valid_uint, c);
}

static void test_bool(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "yes", 1 }, { "no", 1 }, { "YES", 1 }, { "No", 1 }, { "true", 0 },
		{ "1", 0 }, { "yes ", 0 }, { "y", 0 },
	};

	(void)state;
	RUN(valid_bool, c);
}

static void test_map_type(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "hash", 1 }, { "texthash", 1 }, { "lmdb", 1 }, { "cidr", 1 },
		{ "Hash", 0 }, { "1hash", 0 }, { "ha-sh", 0 }, { "hash:", 0 },
	};

	(void)state;
	RUN(valid_map_type, c);
}

static void test_table_ref(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "hash:/etc/postfix/sasl_passwd", 1 }, { "lmdb:/etc/postfix/x", 1 },
		{ "texthash:/etc/postfix/sasl_passwd", 1 }, { "regexp:/etc/postfix/header_checks", 1 },
		{ "pcre:/etc/postfix/header_checks.pcre", 1 },
		{ "hash:$config_directory/sasl_passwd", 1 },
		{ "inline:{ [smtp.example.com]:587=user:pass }", 1 },
		{ "inline:{a=b, c=d}", 1 }, { "static:relay:[smtp.example.com]:587", 1 },
		{ "static:{text with spaces}", 1 }, { "proxy:hash:/etc/postfix/x", 1 },
		{ "unionmap:{hash:/etc/a, cidr:/etc/b}", 1 }, { "tcp:127.0.0.1:2525", 1 },
		{ "pcre:{{/^Received:/ IGNORE}}", 1 },
		{ "/etc/postfix/sasl_passwd", 0 }, { "hash:", 0 }, { ":/etc/x", 0 },
		{ "hash:sasl_passwd", 0 }, { "regexp:header_checks", 0 }, { "inline:a=b", 0 },
		{ "inline:{}", 0 }, { "inline:{a=b", 0 }, { "inline:{a=b} x", 0 },
		{ "HASH:/etc/x", 0 }, { "hash:/etc/x y", 0 }, { "unionmap:{hash:/a, nothing}", 0 },
		{ "proxy:", 0 }, { "proxy:/etc/x", 0 },
	};

	(void)state;
	RUN(valid_table_ref, c);
}

static void test_table_list(void **state)
{
	const struct vcase c[] = {
		{ "", 1 }, { "hash:/etc/a, regexp:/etc/b", 1 }, { "hash:/etc/a regexp:/etc/b", 1 },
		{ "inline:{a=b, c=d}, hash:/etc/x", 1 }, { "$alias_maps", 1 },
		{ "hash:/etc/a, /etc/b", 0 }, { "inline:{a=b, hash:/x", 0 }, { "hash:/a }", 0 },
	};

	(void)state;
	RUN(valid_table_list, c);
}

static void test_map_type_list(void **state)
{
	const struct vcase c[] = {
		{ "", 0 }, { "btree\ncidr\nhash\n", 1 }, { "hash", 1 }, { "hash\n\n", 1 },
		{ "hash\nBad Type\n", 0 }, { "\n\n", 0 },
	};

	(void)state;
	RUN(valid_map_type_list, c);
}

/* split_ok - wrapper so the split can run through the case table. */
static int split_ok(const char *s, struct err *e)
{
	char **items;
	size_t n;

	if (valid_list_split(s, &items, &n, e) < 0)
		return -1;
	valid_list_free(items);
	return 0;
}

static void test_list_split(void **state)
{
	const struct vcase c[] = {
		{ "", 1 }, { "a, b c", 1 }, { "inline:{a=b, c=d}", 1 }, { "{ { x } }", 1 },
		{ "{a", 0 }, { "a}", 0 }, { "inline:{a={b}", 0 },
	};
	struct err e;
	char **items;
	size_t n;

	(void)state;
	RUN(split_ok, c);

	err_clear(&e);
	assert_int_equal(valid_list_split("  a,b\tc , inline:{ x=1, y=2 } ,, d\n e", &items, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_string_equal(items[0], "a");
	assert_string_equal(items[1], "b");
	assert_string_equal(items[2], "c");
	assert_string_equal(items[3], "inline:{ x=1, y=2 }");
	assert_string_equal(items[4], "d");
	assert_string_equal(items[5], "e");
	assert_null(items[6]);
	valid_list_free(items);

	assert_int_equal(valid_list_split(" , ", &items, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(items[0]);
	valid_list_free(items);
	valid_list_free(NULL);
}

static void test_tls_protocols(void **state)
{
	const struct vcase c[] = {
		{ "", 1 }, { ">=TLSv1.2", 1 }, { "<=TLSv1.3", 1 }, { ">=TLSv1.2, <=TLSv1.3", 1 },
		{ "!SSLv2, !SSLv3", 1 }, { "!SSLv2:!SSLv3", 1 }, { "TLSv1.2 TLSv1.3", 1 },
		{ ">=0x0303", 1 }, { ">=0303", 1 }, { "<=0305", 1 }, { ">=TLSv1", 1 },
		{ ">= TLSv1.2", 0 }, { "TLSv1.4", 0 }, { "tlsv1.2", 0 }, { "!0x0303", 0 },
		{ ">=0x12345", 0 }, { "=>TLSv1.2", 0 }, { "SSLv4", 0 }, { ">=", 0 },
	};

	(void)state;
	RUN(valid_tls_protocols, c);
}

static void test_queue_id(void **state)
{
	static char toolong[VALID_QUEUE_ID_MAX + 2];
	const struct vcase c[] = {
		{ "", 0 }, { "3F2A1B4C5D", 1 }, { "ABCDEF0123", 1 }, { "4Vb9Xk2Lq7zGh5n", 1 },
		{ "4ZJhbR0Cnbz9sVq", 1 }, { "3f2a", 0 }, { "ABCDEFa", 0 }, { "abc-def", 0 },
		{ "A B", 0 }, { "../../etc", 0 }, { toolong, 0 },
	};

	(void)state;
	memset(toolong, 'B', VALID_QUEUE_ID_MAX + 1);
	RUN(valid_queue_id, c);
}

static void test_single_line(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(valid_single_line(NULL, 0, &e), -1);
	assert_int_equal(valid_single_line("", 0, &e), 0);
	assert_int_equal(valid_single_line("a b", 3, &e), 0);
	assert_int_equal(valid_single_line("a\nb", 3, &e), -1);
	assert_non_null(strstr(e.msg, "line break"));
	assert_int_equal(valid_single_line("a\rb", 3, &e), -1);
	assert_int_equal(valid_single_line("a\0b", 3, &e), -1);
	assert_non_null(strstr(e.msg, "NUL"));
	assert_int_equal(valid_single_line("x", VALID_VALUE_MAX + 1, &e), -1);
	assert_int_equal(e.code, ERR_LIMIT);
	/* found by fuzz_params: a control character passed validation, was
	 * staged, and only main.cf refused it at apply; a tab is a blank */
	assert_int_equal(valid_single_line("a\x13" "b", 3, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "control character"));
	assert_int_equal(valid_single_line("a\x7f", 2, &e), -1);
	assert_int_equal(valid_single_line("a\fb", 3, &e), -1);
	assert_int_equal(valid_single_line("a\tb", 3, &e), 0);
	assert_int_equal(params_validate_name_value(NULL, "my_own_parameter", "x\x1b[2J", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
}

static void test_param_ref(void **state)
{
	(void)state;
	assert_false(valid_param_ref(NULL));
	assert_false(valid_param_ref(""));
	assert_false(valid_param_ref("$"));
	assert_true(valid_param_ref("$myhostname"));
	assert_true(valid_param_ref("${myhostname}"));
	assert_true(valid_param_ref("$(myhostname)"));
	assert_true(valid_param_ref("${{$compatibility_level} <level {3.6} ? {md5} : {sha256}}"));
	assert_false(valid_param_ref("$my hostname"));
	assert_false(valid_param_ref("${myhostname"));
	assert_false(valid_param_ref("${}"));
	assert_false(valid_param_ref("$a/b"));
}

/* ------------------------------------------------------------ catalog */

static void test_catalog_sanity(void **state)
{
	static const char *const required[] = {
		"relayhost", "smtp_fallback_relay", "smtp_tls_security_level", "smtp_tls_CAfile",
		"smtp_tls_CApath", "smtp_tls_mandatory_protocols", "smtp_tls_protocols",
		"smtp_tls_mandatory_ciphers", "smtp_tls_loglevel", "smtp_tls_fingerprint_digest",
		"smtp_tls_fingerprint_cert_match", "smtp_tls_policy_maps", "smtp_tls_wrappermode",
		"smtp_sasl_auth_enable", "smtp_sasl_password_maps", "smtp_sasl_security_options",
		"smtp_sasl_tls_security_options", "smtp_sasl_mechanism_filter",
		"smtp_sender_dependent_authentication", "smtp_generic_maps", "sender_canonical_maps",
		"smtp_header_checks", "sender_dependent_relayhost_maps", "transport_maps",
		"default_destination_rate_delay", "default_destination_recipient_limit",
		"default_destination_concurrency_limit", "smtp_destination_concurrency_limit",
		"smtp_destination_rate_delay", "smtp_destination_recipient_limit",
		"maximal_queue_lifetime", "bounce_queue_lifetime", "minimal_backoff_time",
		"maximal_backoff_time", "queue_run_delay", "smtp_connection_cache_on_demand",
		"smtp_connection_cache_destinations", "smtp_connection_cache_time_limit",
		"smtp_connection_reuse_time_limit", "smtpd_relay_restrictions",
		"smtpd_recipient_restrictions", "mynetworks", "inet_interfaces", "inet_protocols",
		"myhostname", "myorigin", "debug_peer_list", "debug_peer_level", NULL
	};
	const struct param_def *cat;
	size_t n;

	(void)state;
	cat = params_catalog(&n);
	assert_true(n >= 48);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(cat[i].name);
		if (cat[i].help == NULL || strlen(cat[i].help) < 20)
			fail_msg("%s: help missing or too short", cat[i].name);
		assert_true(cat[i].group < PG_COUNT);
		if (i > 0 && cat[i].group < cat[i - 1].group)
			fail_msg("%s: catalog not in group order", cat[i].name);
		if (cat[i].type == PT_ENUM && (cat[i].choices == NULL || cat[i].choices[0] == NULL))
			fail_msg("%s: enum without choices", cat[i].name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(cat[i].name, cat[j].name) == 0)
				fail_msg("%s: listed twice", cat[i].name);
		assert_ptr_equal(params_find(cat[i].name), &cat[i]);
		assert_string_not_equal(params_type_name(cat[i].type), "?");
	}
	for (size_t i = 0; required[i]; i++)
		if (params_find(required[i]) == NULL)
			fail_msg("%s: missing from the catalog", required[i]);
	for (int g = 0; g < PG_COUNT; g++)
		assert_string_not_equal(params_group_name((enum param_group)g), "?");
	assert_string_equal(params_group_name(PG_QUEUE), "Queue & retry");
	assert_null(params_find("no_such_parameter"));
	assert_null(params_find(NULL));
	assert_true(params_find("smtp_tls_security_level")->type == PT_ENUM);
}

/* check - params_validate on a catalog name; expect ok or an error. */
static void check(const struct params_host *h, const char *name, const char *value, int ok)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = params_validate(params_find(name), h, value, &e);
	if ((rc == 0) != ok)
		fail_msg("%s = '%s': got %d, expected %s (%s)", name, value, rc,
			 ok ? "ok" : "error", e.msg);
	if (rc < 0) {
		if (strncmp(e.msg, name, strlen(name)) != 0 || e.msg[strlen(name)] != ':')
			fail_msg("%s: message must start with the name: '%s'", name, e.msg);
		if (strchr(e.msg, '\n'))
			fail_msg("%s: message has a newline: '%s'", name, e.msg);
	}
}

static void test_validate_types(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(params_validate(NULL, NULL, "x", &e), -1);
	assert_int_equal(params_validate(params_find("relayhost"), NULL, NULL, &e), -1);

	check(NULL, "relayhost", "", 1);
	check(NULL, "relayhost", "[smtp.example.com]:587", 1);
	check(NULL, "relayhost", "[smtp.example.com]:587\n", 0);
	err_clear(&e);
	assert_int_equal(params_validate(params_find("relayhost"), NULL, "[smtp.example.com:587", &e), -1);
	assert_string_equal(e.msg, "relayhost: expected [host]:port, host:port or host, got '[smtp.example.com:587'");
	assert_int_equal(e.code, ERR_INVALID);

	check(NULL, "smtp_fallback_relay", "$fallback_relay", 1);
	check(NULL, "smtp_fallback_relay", "[a.example]:587, [b.example]:25", 1);
	check(NULL, "smtp_fallback_relay", "[a.example:587", 0);
	check(NULL, "smtp_tls_security_level", "encrypt", 1);
	check(NULL, "smtp_tls_security_level", "dane-only", 1);
	check(NULL, "smtp_tls_security_level", "", 1);
	check(NULL, "smtp_tls_security_level", "required", 0);
	check(NULL, "smtp_tls_mandatory_ciphers", "high", 1);
	check(NULL, "smtp_tls_mandatory_ciphers", "strong", 0);
	check(NULL, "smtp_tls_fingerprint_digest", "sha256", 1);
	check(NULL, "smtp_tls_fingerprint_digest",
	      "${{$compatibility_level} <level {3.6} ? {md5} : {sha256}}", 1);
	check(NULL, "smtp_tls_fingerprint_digest", "sha3", 0);
	check(NULL, "smtp_tls_loglevel", "1", 1);
	check(NULL, "smtp_tls_loglevel", "5", 0);
	check(NULL, "smtp_tls_wrappermode", "yes", 1);
	check(NULL, "smtp_tls_wrappermode", "on", 0);
	check(NULL, "smtp_tls_CAfile", "/etc/ssl/certs/ca-certificates.crt", 1);
	check(NULL, "smtp_tls_CAfile", "certs/ca.pem", 0);
	check(NULL, "smtp_tls_mandatory_protocols", ">=TLSv1.2", 1);
	check(NULL, "smtp_tls_protocols", "!SSLv2, !SSLv3", 1);
	check(NULL, "smtp_tls_protocols", ">=TLSv9", 0);
	check(NULL, "smtp_tls_fingerprint_cert_match", "AB:CD:EF:01, 12:34", 1);
	check(NULL, "smtp_tls_fingerprint_cert_match", "not-a-fingerprint", 0);
	check(NULL, "smtp_sasl_security_options", "noanonymous", 1);
	check(NULL, "smtp_sasl_security_options", "noplaintext, noanonymous", 1);
	check(NULL, "smtp_sasl_security_options", "", 1);
	check(NULL, "smtp_sasl_security_options", "noplaintext, secure", 0);
	check(NULL, "smtp_sasl_tls_security_options", "$smtp_sasl_security_options", 1);
	check(NULL, "smtp_sasl_mechanism_filter", "plain, login", 1);
	check(NULL, "smtp_sasl_mechanism_filter", "!gssapi, plain", 1);
	check(NULL, "smtp_sasl_mechanism_filter", "pl@in", 0);
	check(NULL, "smtp_sasl_password_maps", "hash:/etc/postfix/sasl_passwd", 1);
	check(NULL, "smtp_sasl_password_maps", "/etc/postfix/sasl_passwd", 0);
	check(NULL, "default_destination_rate_delay", "1s", 1);
	check(NULL, "default_destination_rate_delay", "100ms", 0);
	check(NULL, "smtp_destination_rate_delay", "$default_destination_rate_delay", 1);
	check(NULL, "smtp_destination_recipient_limit", "10", 1);
	check(NULL, "smtp_destination_recipient_limit", "-1", 0);
	check(NULL, "maximal_queue_lifetime", "5d", 1);
	check(NULL, "maximal_queue_lifetime", "0", 1);
	check(NULL, "maximal_queue_lifetime", "5 days", 0);
	check(NULL, "minimal_backoff_time", "0s", 0);
	check(NULL, "queue_run_delay", "300s", 1);
	check(NULL, "smtp_connection_cache_on_demand", "no", 1);
	check(NULL, "smtp_connection_cache_destinations", "[smtp.example.com]:587", 1);
	check(NULL, "smtp_connection_cache_destinations", "hash:/etc/postfix/cache", 1);
	check(NULL, "smtp_connection_cache_destinations", "[smtp.example.com:587", 0);
	check(NULL, "smtpd_relay_restrictions",
	      "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination", 1);
	check(NULL, "smtpd_relay_restrictions",
	      "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, defer_unauth_destination}}", 1);
	check(NULL, "smtpd_recipient_restrictions",
	      "check_recipient_access hash:/etc/postfix/access, reject_rbl_client zen.example.org, permit", 1);
	check(NULL, "smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:10023", 1);
	check(NULL, "smtpd_recipient_restrictions", "permit_mynetworks, example.com", 0);
	check(NULL, "smtpd_recipient_restrictions", "check_client_access", 0);
	check(NULL, "mynetworks", "127.0.0.0/8 192.0.2.0/24 [::1]/128 [fd00::]/64", 1);
	check(NULL, "mynetworks", "127.0.0.0/8, hash:/etc/postfix/network_table, /etc/postfix/nets", 1);
	check(NULL, "mynetworks", "!192.0.2.7, 192.0.2.0/24, host.example.com", 1);
	check(NULL, "mynetworks", "10.0.0.1/8", 0);
	check(NULL, "mynetworks", "::1/128", 0);
	check(NULL, "inet_interfaces", "loopback-only", 1);
	check(NULL, "inet_interfaces", "127.0.0.1, [::1]", 1);
	check(NULL, "inet_interfaces", "all, 1.2.3", 0);
	check(NULL, "inet_protocols", "ipv4, ipv6", 1);
	check(NULL, "inet_protocols", "ipv5", 0);
	check(NULL, "myhostname", "relay.example.com", 1);
	check(NULL, "myhostname", "relay example", 0);
	check(NULL, "myorigin", "$myhostname", 1);
	check(NULL, "debug_peer_list", ".example.com, 192.0.2.10", 1);
	check(NULL, "debug_peer_level", "2", 1);
	check(NULL, "debug_peer_level", "0", 0);
	check(NULL, "smtp_header_checks", "regexp:/etc/postfix/header_checks", 1);
	check(NULL, "smtp_header_checks", "regexp:{x", 0);
}

/* ------------------------------------------------------------ host */

struct hostfix {
	char dir[64];
	char state[80];
	struct target *t;
	struct params_host *h;
};

/* copy_file - copy src to dst (the test's own sandbox). */
static int copy_file(const char *src, const char *dst)
{
	char chunk[8192];
	FILE *in = fopen(src, "r"), *out;
	size_t n;

	if (in == NULL)
		return -1;
	if ((out = fopen(dst, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(in);
	return fclose(out);
}

/* host_setup - private config dir with an empty main.cf and Debian's master.cf. */
static int host_setup(void **state)
{
	struct hostfix *f = calloc(1, sizeof(*f));
	char path[128];
	struct err e;
	FILE *fp;

	if (f == NULL)
		return -1;
	/* postconf refuses to run at all without the default main.cf. */
	if (access("/etc/postfix/main.cf", F_OK) != 0 && (fp = fopen("/etc/postfix/main.cf", "a")))
		fclose(fp);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_params.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	mkdir(f->state, 0700);
	snprintf(path, sizeof(path), "%s/main.cf", f->dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fclose(fp);
	snprintf(path, sizeof(path), "%s/master.cf", f->dir);
	if (copy_file("/etc/postfix/master.cf", path) < 0)
		return -1;
	err_clear(&e);
	f->t = target_local_new(f->dir, f->state, &e);
	if (f->t == NULL) {
		fprintf(stderr, "# target_local_new: %s\n", e.msg);
		return -1;
	}
	f->h = params_host_load(f->t, &e);
	if (f->h == NULL) {
		fprintf(stderr, "# params_host_load: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int host_teardown(void **state)
{
	struct hostfix *f = *state;
	char path[128];

	if (f == NULL)
		return 0;
	params_host_free(f->h);
	target_free(f->t);
	snprintf(path, sizeof(path), "%s/main.cf", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/master.cf", f->dir);
	unlink(path);
	rmdir(f->state);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_host_defaults(void **state)
{
	struct hostfix *f = *state;
	const char *v;

	assert_non_null(f->h);
	v = params_host_default(f->h, "relayhost");
	assert_non_null(v);
	assert_string_equal(v, "");
	assert_string_equal(params_host_default(f->h, "maximal_queue_lifetime"), "5d");
	assert_string_equal(params_host_default(f->h, "smtp_tls_mandatory_ciphers"), "medium");
	assert_string_equal(params_host_default(f->h, "smtp_sasl_security_options"),
			    "noplaintext, noanonymous");
	assert_string_equal(params_host_default(f->h, "smtp_destination_rate_delay"),
			    "$default_destination_rate_delay");
	assert_true(params_host_known(f->h, "mail_version"));
	assert_false(params_host_known(f->h, "no_such_parameter_xyz"));
	assert_null(params_host_default(f->h, "no_such_parameter_xyz"));
	assert_null(params_host_default(NULL, "relayhost"));
	assert_null(params_host_default(f->h, NULL));
	assert_true(params_host_has_map_type(f->h, "hash"));
	assert_true(params_host_has_map_type(f->h, "texthash"));
	assert_false(params_host_has_map_type(f->h, "nosuchtype"));
	assert_false(params_host_has_map_type(NULL, "hash"));
}

/* Every catalog name must be a parameter the real Postfix knows. */
static void test_host_knows_catalog(void **state)
{
	struct hostfix *f = *state;
	const struct param_def *cat;
	size_t n;

	cat = params_catalog(&n);
	for (size_t i = 0; i < n; i++)
		if (!params_host_known(f->h, cat[i].name))
			fail_msg("%s: not known to postconf -d", cat[i].name);
}

/* The host's own defaults must pass our validation (no false alarms). */
static void test_host_defaults_validate(void **state)
{
	struct hostfix *f = *state;
	const struct param_def *cat;
	size_t n;
	struct err e;

	cat = params_catalog(&n);
	for (size_t i = 0; i < n; i++) {
		const char *d = params_host_default(f->h, cat[i].name);

		err_clear(&e);
		if (d && params_validate(&cat[i], f->h, d, &e) < 0)
			fail_msg("default of %s rejected: %s", cat[i].name, e.msg);
	}
}

static void test_host_validate(void **state)
{
	struct hostfix *f = *state;
	const char *prefix = "smtp_sasl_password_maps: table type 'foo' is not supported here "
			     "(postconf -m lists: ";
	struct err e;

	err_clear(&e);
	assert_int_equal(params_validate(params_find("smtp_sasl_password_maps"), f->h,
					 "foo:/etc/postfix/sasl_passwd", &e), -1);
	assert_int_equal(strncmp(e.msg, prefix, strlen(prefix)), 0);
	assert_non_null(strstr(e.msg, "hash"));
	/* Without host facts only the syntax is checked. */
	assert_int_equal(params_validate(params_find("smtp_sasl_password_maps"), NULL,
					 "foo:/etc/postfix/sasl_passwd", &e), 0);
	check(f->h, "smtp_sasl_password_maps", "hash:/etc/postfix/sasl_passwd", 1);
	check(f->h, "smtp_generic_maps", "proxy:foo:/etc/postfix/generic", 0);
	check(f->h, "transport_maps", "unionmap:{hash:/etc/a, nosuch:/etc/b}", 0);
	check(f->h, "smtpd_recipient_restrictions", "check_sender_access nosuch:/etc/x", 0);
	check(f->h, "mynetworks", "nosuch:/etc/x", 0);

	err_clear(&e);
	assert_int_equal(params_validate_name_value(f->h, "bogus_param_xyz", "1", &e), -1);
	assert_string_equal(e.msg, "unknown parameter bogus_param_xyz");
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(params_validate_name_value(NULL, "bogus_param_xyz", "1", &e), 0);
	assert_int_equal(params_validate_name_value(f->h, "alias_maps", "", &e), 0);
	assert_int_equal(params_validate_name_value(f->h, "alias_maps", "a\nb", &e), -1);
	assert_int_equal(strncmp(e.msg, "alias_maps: ", 12), 0);
	assert_int_equal(params_validate_name_value(f->h, "relayhost", "[a.example]:587", &e), 0);
	assert_int_equal(params_validate_name_value(f->h, "relayhost", "[a.example:587", &e), -1);
	assert_int_equal(params_validate_name_value(f->h, "relayhost", "a\n", &e), -1);
	assert_int_equal(params_validate_name_value(f->h, NULL, "x", &e), -1);
	assert_int_equal(params_validate_name_value(f->h, "", "x", &e), -1);
	assert_int_equal(params_validate_name_value(f->h, "bad name", "x", &e), -1);
	assert_int_equal(params_validate_name_value(f->h, "alias_maps", NULL, &e), -1);
}

static void test_host_load_errors(void **state)
{
	struct target *t;
	struct params_host *h;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_null(params_host_load(NULL, &e));
	/* A config dir without main.cf: postconf fails and the error says so. */
	t = target_local_new("/nonexistent/relaydeck-test", "/nonexistent/relaydeck-state", &e);
	if (t == NULL)
		return;
	err_clear(&e);
	h = params_host_load(t, &e);
	assert_null(h);
	assert_true(e.msg[0] != '\0');
	assert_non_null(strstr(e.msg, "postconf"));
	target_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_nexthop),
		cmocka_unit_test(test_nexthop_message),
		cmocka_unit_test(test_nexthop_list),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_map_type),
		cmocka_unit_test(test_table_ref),
		cmocka_unit_test(test_table_list),
		cmocka_unit_test(test_map_type_list),
		cmocka_unit_test(test_list_split),
		cmocka_unit_test(test_tls_protocols),
		cmocka_unit_test(test_queue_id),
		cmocka_unit_test(test_single_line),
		cmocka_unit_test(test_param_ref),
		cmocka_unit_test(test_catalog_sanity),
		cmocka_unit_test(test_validate_types),
		cmocka_unit_test(test_host_load_errors),
		cmocka_unit_test_setup_teardown(test_host_defaults, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_knows_catalog, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_defaults_validate, host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_validate, host_setup, host_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
