/*
 * fuzz_inventory - libFuzzer target for the YAML inventory reader
 * (remote/inventory.c), relaydeck's own format and Ansible's.
 *
 * Any input must either load or fail with a message naming the file (and
 * a line and column for ERR_PARSE). A loaded inventory must be
 * consistent: every group member is a host, every child is a group, every
 * host's groups exist, ports are 0..65535, sudo is -1/0/1, and
 * inventory_group_hosts answers for every group with hosts of the
 * inventory. Aliases must stay within the visit budget (no timeout, no
 * memory blow-up). Any violation aborts.
 *
 * FUZZ_LIBS: -lyaml -lcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory *inv = NULL;
	struct err e;

	err_clear(&e);
	if (inventory_load_mem("fuzz.yml", (const char *)data, size, &inv, &e) < 0) {
		if (inv != NULL || strcmp(e.file, "fuzz.yml") != 0)
			abort();
		if (e.code == ERR_PARSE && e.line < 1)
			abort();
		return 0;
	}
	for (size_t i = 0; i < inv->n_groups; i++) {
		const struct inv_group *g = &inv->groups[i];
		const struct inv_host **hs;
		size_t n;

		for (size_t k = 0; k < g->n_hosts; k++)
			if (inventory_host(inv, g->hosts[k]) == NULL)
				abort();
		for (size_t k = 0; k < g->n_children; k++)
			if (inventory_group(inv, g->children[k]) == NULL)
				abort();
		if (inventory_group_hosts(inv, g->name, &hs, &n, &e) < 0 || n > inv->n_hosts)
			abort();
		for (size_t k = 0; k < n; k++)
			if (hs[k] < inv->hosts || hs[k] >= inv->hosts + inv->n_hosts)
				abort();
		free(hs);
	}
	for (size_t i = 0; i < inv->n_hosts; i++) {
		const struct inv_host *h = &inv->hosts[i];

		if (h->port < 0 || h->port > 65535 || h->sudo < -1 || h->sudo > 1)
			abort();
		for (size_t k = 0; k < h->n_groups; k++)
			if (inventory_group(inv, h->groups[k]) == NULL)
				abort();
	}
	inventory_free(inv);
	return 0;
}
