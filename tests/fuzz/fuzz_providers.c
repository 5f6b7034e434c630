/*
 * fuzz_providers - libFuzzer target for the provider catalog loader
 * (YAML from the shipped file and the user's own catalog).
 *
 * Any input must either load or fail with a message that names the file.
 * A loaded catalog must hold what the schema promises (ids, names, ports
 * in range, a default port among the listed ones, regions for a host
 * template), and providers_settings on every entry must either succeed
 * with a relayhost edit or fail with a message. Any violation aborts.
 *
 * FUZZ_LIBS: -lyaml -lcrypto
 * FUZZ_SEEDS: data
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_entry - the invariants of one loaded entry. */
static void check_entry(const struct provider *p)
{
	struct prov_choice c = { .host = p->host ? NULL : "relay.example.net",
				 .db_type = "hash", .config_dir = "/etc/postfix" };
	struct prov_plan plan;
	struct err e;
	int listed = 0;

	if (p->id == NULL || p->name == NULL || p->nports == 0)
		abort();
	for (size_t i = 0; i < p->nports; i++) {
		if (p->ports[i].port < 1 || p->ports[i].port > 65535)
			abort();
		listed |= p->ports[i].port == p->default_port;
	}
	if (!listed || (p->host && strstr(p->host, "{region}") && p->nregions == 0))
		abort();
	if (providers_settings(p, &c, &plan, &e) == 0) {
		if (plan.nedits == 0 || strcmp(plan.edits[0].name, "relayhost") != 0)
			abort();
		providers_plan_free(&plan);
	} else if (e.msg[0] == '\0') {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct provider_catalog *cat;
	struct err e;

	cat = providers_parse("fuzz.yaml", (const char *)data, size, &e);
	if (cat == NULL) {
		if (strstr(e.msg, "fuzz.yaml") == NULL && e.code != ERR_NOMEM)
			abort();
		return 0;
	}
	for (size_t i = 0; i < cat->n; i++)
		check_entry(&cat->v[i]);
	providers_free(cat);
	return 0;
}
