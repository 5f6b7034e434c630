/*
 * cli_health - `relaydeck health`. See cli_health.h.
 *
 * Every failure is UNKNOWN (exit 3), as a monitoring plugin reports one:
 * a wrong option, a host that cannot be reached. Thresholds come from
 * the options; the rest of the check is core/health's.
 */
#include "config.h"
#include "cli_health.h"
#include "cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "lines.h"
#include "providers.h"
#include "queue.h"
#include "target.h"

#define USAGE "usage: health [--json|--nagios] [--warn-queue N] [--crit-queue N] " \
	      "[--warn-age AGE] [--crit-age AGE] [--warn-cert-days N] [--crit-cert-days N] " \
	      "[--warn-quota PCT] [--crit-quota PCT] [--warn-rise N] [--window AGE]"

/* unknown - say why the check could not run, the plugin's way too. */
static int unknown(struct cli_ctx *c, int nagios)
{
	if (nagios) {
		struct buf b = BUF_INIT;
		char msg[1024];

		buf_printf(&b, "RELAYDECK UNKNOWN - %s", err_format(&c->e, msg, sizeof(msg)));
		for (char *p = b.data; p && *p; p++)
			if (*p == '|' || *p == '\n')
				*p = *p == '|' ? '/' : ' ';
		printf("%s\n", b.data ? b.data : "");
		buf_free(&b);
	}
	cli_report_error(c->o, &c->e);
	return HEALTH_UNKNOWN;
}

/* num - a count option's value (0 or more), -1 when bad. */
static long long num(const char *v)
{
	char *end;
	long long n;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	n = strtoll(v, &end, 10);
	return *end ? -1 : n;
}

/* parse - options into the thresholds; -1 with c->e on a bad one. */
static int parse(struct cli_ctx *c, int argc, char **argv, struct health_thresholds *th,
		 int *nagios)
{
	static const struct {
		const char *name;
		int age;	/* takes a duration (90s, 30m, 2h, 1d) */
	} opts[] = {
		{ "--warn-queue", 0 }, { "--crit-queue", 0 }, { "--warn-age", 1 },
		{ "--crit-age", 1 }, { "--warn-cert-days", 0 }, { "--crit-cert-days", 0 },
		{ "--warn-quota", 0 }, { "--crit-quota", 0 }, { "--warn-rise", 0 },
		{ "--window", 1 },
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		size_t k, n = sizeof(opts) / sizeof(opts[0]);
		long long x;

		if (strcmp(a, "--nagios") == 0) {
			*nagios = 1;
			continue;
		}
		for (k = 0; k < n; k++) {
			size_t l = strlen(opts[k].name);

			if (strncmp(a, opts[k].name, l) == 0 && a[l] == '=') {
				v = a + l + 1;
				break;
			}
			if (strcmp(a, opts[k].name) == 0) {
				if (i + 1 >= argc)
					return err_set(&c->e, ERR_USAGE, "%s needs a value", a);
				v = argv[++i];
				break;
			}
		}
		if (k == n)
			return err_set(&c->e, ERR_USAGE, "health: unknown argument %.100s; %s", a,
				       USAGE);
		x = opts[k].age ? queue_duration_parse(v) : num(v);
		if (x < 0)
			return err_set(&c->e, ERR_USAGE, "%s takes %s, not %.100s", opts[k].name,
				       opts[k].age ? "an age (90s, 30m, 2h, 1d)" : "a number", v);
		switch (k) {
		case 0: th->warn_queue = x; break;
		case 1: th->crit_queue = x; break;
		case 2: th->warn_age = x; break;
		case 3: th->crit_age = x; break;
		case 4: th->warn_cert_days = (long)x; break;
		case 5: th->crit_cert_days = (long)x; break;
		case 6: th->warn_quota = (int)(x > 1000 ? 1000 : x); break;
		case 7: th->crit_quota = (int)(x > 1000 ? 1000 : x); break;
		case 8: th->warn_rise = x; break;
		default: th->window = x > 0 ? x : 1; break;
		}
	}
	if (th->crit_queue < th->warn_queue || th->crit_age < th->warn_age ||
	    th->crit_quota < th->warn_quota || th->crit_cert_days > th->warn_cert_days)
		return err_set(&c->e, ERR_USAGE, "health: a critical threshold is milder than "
			       "its warning");
	return 0;
}

int cli_cmd_health(struct cli_ctx *c, int argc, char **argv)
{
	struct health_thresholds th;
	struct health_facts f;
	struct health_report *r;
	struct provider_catalog *cat;
	struct buf out = BUF_INIT;
	struct err pe;
	int nagios = 0, level;

	health_thresholds_default(&th);
	if (parse(c, argc, argv, &th, &nagios) < 0)
		return unknown(c, nagios);
	if (nagios && c->o->json) {
		err_set(&c->e, ERR_USAGE, "health: --json or --nagios, not both");
		return unknown(c, 1);
	}
	if ((c->t = cli_open_target(c->o, &c->e)) == NULL)
		return unknown(c, nagios);
	err_clear(&pe);
	/* Without a catalog the provider and its quota stay unknown. */
	cat = providers_load(&pe);
	if (health_gather(c->t, cat, &th, &f, NULL, &c->e) < 0 || (r = malloc(sizeof(*r))) == NULL) {
		providers_free(cat);
		if (c->e.code == ERR_OK)
			err_set(&c->e, ERR_NOMEM, "out of memory");
		return unknown(c, nagios);
	}
	providers_free(cat);
	health_judge(&f, &th, r);
	if (nagios) {
		health_nagios(r, &out);
		printf("%s\n", out.data);
	} else if (c->o->json) {
		health_json(r, &out);
		printf("%s\n", out.data);
	} else {
		struct lines l = LINES_INIT;

		health_lines(r, &l);
		for (size_t i = 0; i < l.n; i++)
			printf("%s\n", l.v[i].text);
		lines_free(&l);
	}
	level = r->level;
	buf_free(&out);
	free(r);
	return level;
}
