/*
 * fuzz_params - libFuzzer target for the validation of parameter values
 * (core/params.c over core/valid.c): what an admin types, or a provider
 * file or a script hands to `set`.
 *
 * The first byte picks a parameter of the catalog (or, past its end, a
 * name outside it) and whether the host's facts are known; the rest is
 * the value. The host's facts come from a short `postconf -d`/`-m`
 * answer fixed here, so every run sees the same host. A rejected value
 * must fail with ERR_INVALID (ERR_LIMIT when too long); an accepted one must be one line, and
 * main.cf must take it and give it back. The value also goes through
 * the pure validators and the list splitter, whose pieces must be
 * non-empty with no separator outside "{ ... }". Any violation aborts. Build with
 * tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maincf.h"
#include "params.h"
#include "target.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char postconf_d[] =
	"relayhost =\n"
	"mydomain = localdomain\n"
	"myhostname = host.localdomain\n"
	"myorigin = $myhostname\n"
	"inet_interfaces = all\n"
	"inet_protocols = all\n"
	"mynetworks = 127.0.0.0/8 [::1]/128\n"
	"smtp_tls_security_level =\n"
	"smtp_sasl_auth_enable = no\n"
	"smtp_sasl_password_maps =\n"
	"smtp_sasl_mechanism_filter =\n"
	"smtp_tls_protocols = >=TLSv1\n"
	"smtp_tls_mandatory_protocols = >=TLSv1\n"
	"smtp_destination_rate_delay = $default_destination_rate_delay\n"
	"default_destination_rate_delay = 0s\n"
	"smtp_generic_maps =\n"
	"header_checks =\n"
	"smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination\n"
	"smtp_tls_policy_maps =\n"
	"transport_maps =\n"
	"message_size_limit = 10240000\n"
	"my_own_parameter = x\n";
static const char postconf_m[] = "btree\ncidr\nenviron\nhash\ninline\nlmdb\npcre\nregexp\nstatic\ntexthash\nunix\n";

/* fake_run - the fixed postconf answers; nothing is run. */
static int fake_run(struct target *t, const char *const *argv, const struct buf *in,
		    struct run_out *out, int timeout_ms, struct err *e)
{
	const char *flag = NULL;

	(void)t;
	(void)in;
	(void)timeout_ms;
	for (size_t i = 0; argv[i]; i++)
		flag = argv[i];
	out->exit_code = 0;
	if (buf_puts(&out->out, strcmp(flag, "-d") == 0 ? postconf_d : postconf_m) < 0)
		return err_set(e, ERR_NOMEM, "nomem");
	return 0;
}

static const struct target_ops fake_ops = { .kind = "fuzz", .run = fake_run };
static struct params_host *host;

/* check_split - the list's pieces: non-empty, no separator outside braces. */
static void check_split(const char *v)
{
	char **items;
	size_t n;
	struct err e;

	if (valid_list_split(v, &items, &n, &e) < 0) {
		if (e.code != ERR_INVALID && e.code != ERR_PARSE)
			abort();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int depth = 0;

		if (items[i] == NULL || items[i][0] == '\0')
			abort();
		/* a separator only inside "{ ... }", which stays one item */
		for (const char *q = items[i]; *q; q++) {
			depth += (*q == '{') - (*q == '}');
			if (depth == 0 && strchr(" \t\r\n,", *q))
				abort();
		}
	}
	if (items[n] != NULL)
		abort();
	valid_list_free(items);
}

/* LLVMFuzzerTestOneInput - validate one value as one parameter. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int (*const pure[])(const char *, struct err *) = {
		valid_hostname, valid_ipv4, valid_ipv6, valid_port, valid_nexthop,
		valid_nexthop_list, valid_cidr, valid_time, valid_uint, valid_bool,
		valid_map_type, valid_table_ref, valid_table_list, valid_map_type_list,
		valid_tls_protocols, valid_queue_id,
	};
	const struct param_def *cat;
	const char *name;
	char *value;
	size_t ncat;
	struct err e;

	if (host == NULL) {
		struct target t = { .ops = &fake_ops, .name = "fuzz", .config_dir = "/fuzz/etc" };

		if ((host = params_host_load(&t, &e)) == NULL)
			abort();
	}
	if (size == 0)
		return 0;
	cat = params_catalog(&ncat);
	name = data[0] % (ncat + 2) < ncat ? cat[data[0] % (ncat + 2)].name
	       : data[0] % (ncat + 2) == ncat ? "my_own_parameter" : "no_such_parameter";
	if ((value = malloc(size)) == NULL)
		abort();
	memcpy(value, data + 1, size - 1);
	value[size - 1] = '\0';

	if (params_validate_name_value((data[0] & 0x80) ? NULL : host, name, value, &e) < 0) {
		if (e.code != ERR_INVALID && e.code != ERR_LIMIT)
			abort();
	} else {
		struct maincf *m = maincf_parse("main.cf", "", 0, &e);

		if (strpbrk(value, "\r\n") != NULL || m == NULL)
			abort();
		if (maincf_set(m, name, value, &e) < 0 || maincf_get(m, name) == NULL)
			abort();
		maincf_free(m);
	}
	for (size_t i = 0; i < sizeof(pure) / sizeof(pure[0]); i++)
		if (pure[i](value, &e) < 0 && e.code == ERR_OK)
			abort();
	(void)valid_single_line(value, strlen(value), &e);
	(void)valid_param_ref(value);
	check_split(value);
	free(value);
	return 0;
}
