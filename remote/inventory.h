/*
 * inventory - the hosts relaydeck can manage, read with libyaml from
 * relaydeck's own inventory (relaydeck.yaml(5): top-level `hosts:`,
 * `groups:`, `vars:`) or an Ansible YAML inventory as it is (groups with
 * `hosts:`, `children:`, `vars:`, `ansible_host`, `ansible_port`,
 * `ansible_user`, `ansible_ssh_private_key_file`, `ansible_become`).
 *
 * Variables follow Ansible's precedence: `all` < parent group < child
 * group < host; groups of one depth in name order, later wins. YAML
 * anchors and aliases are allowed (as Ansible allows them) with the
 * expansion bounded: INV_MAX_VISITS nodes visited in all, nesting at most
 * INV_MAX_DEPTH. Bad input fails with file:line:col (ERR_PARSE) and
 * nothing is returned.
 *
 * Ownership: inventory_load returns an inventory the caller releases with
 * inventory_free; the hosts and groups it hands out live as long as it.
 */
#ifndef RELAYDECK_INVENTORY_H
#define RELAYDECK_INVENTORY_H

#include <stddef.h>

#include "err.h"

#define INV_MAX_BYTES (16u << 20)
#define INV_MAX_VISITS 1000000
#define INV_MAX_DEPTH 64
/* Names one host pattern's ranges may expand to. A fuzz build takes
 * fewer: the same code and the same refusal, but one input of 100,000
 * names takes 3 s under the fuzzer's instrumentation, 1,000 under 0.1 s
 * (the large case has its own unit test). */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define INV_MAX_RANGE_NAMES 1000
#else
#define INV_MAX_RANGE_NAMES 100000
#endif

enum inv_kind { INV_OWN, INV_ANSIBLE };

/* The connection variables of one host, after inheritance. */
struct inv_host {
	char *name;		/* inventory name: what -H NAME matches */
	char *address;		/* host / ansible_host; NULL: the name */
	int port;		/* 0: not set */
	char *user;
	char *identity;		/* identity_file / ansible_ssh_private_key_file */
	char *known_hosts;	/* known_hosts (own inventories) */
	char *config_dir;	/* Postfix config dir on the host */
	int sudo;		/* sudo / ansible_become: -1 not set, 0, 1 */
	char **groups;		/* every group it is in (with the parents), name order */
	size_t n_groups;
	int line;		/* where it first appears */
};

struct inv_group {
	char *name;
	char **hosts;		/* direct members, first-seen order */
	size_t n_hosts;
	char **children;	/* direct child groups, first-seen order */
	size_t n_children;
	int line;
};

struct inventory {
	char *file;
	enum inv_kind kind;
	struct inv_host *hosts;	/* first-seen order */
	size_t n_hosts;
	struct inv_group *groups;	/* first-seen order; Ansible's all and ungrouped included */
	size_t n_groups;
	/* private: host names hashed to index + 1 (inventory_host) */
	size_t *name_slot, name_cap;
};

int inventory_load(const char *path, struct inventory **out, struct err *e);
/* inventory_load_mem - the same from bytes; name is used in messages. */
int inventory_load_mem(const char *name, const char *text, size_t len, struct inventory **out,
		       struct err *e);
void inventory_free(struct inventory *inv);

/* inventory_host - the host of that inventory name, or NULL (hashed: a
 * group of 100,000 hosts from a range is collected in linear time). */
const struct inv_host *inventory_host(const struct inventory *inv, const char *name);

/* inventory_group - the group of that name, or NULL. */
const struct inv_group *inventory_group(const struct inventory *inv, const char *name);

/* inventory_group_hosts - every host in group or its descendants, in
 * inventory order, each once; *hosts is malloc'd (the caller frees the
 * array, not the hosts). ERR_NOTFOUND for an unknown group. */
int inventory_group_hosts(const struct inventory *inv, const char *group,
			  const struct inv_host ***hosts, size_t *n, struct err *e);

/* inventory_default_path - ~/.config/relaydeck/inventory.yml (or under
 * $XDG_CONFIG_HOME) when that file exists, else NULL; static storage. */
const char *inventory_default_path(void);

#endif
