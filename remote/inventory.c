/*
 * inventory - relaydeck's own and Ansible's YAML inventories. See
 * inventory.h.
 *
 * libyaml's document loader builds the node graph (an alias becomes a
 * second reference to the anchored node, so a cycle is possible); every
 * walk counts the nodes it visits against one budget and its depth, which
 * bounds "billion laughs" and cycles alike. Groups and hosts are gathered
 * first, with each variable as a pointer into the document; the
 * precedence is applied at the end, host by host, and the strings copied.
 */
#include "config.h"
#include "inventory.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"

enum var {
	V_ADDRESS, V_PORT, V_USER, V_IDENTITY, V_KNOWN_HOSTS, V_CONFIG_DIR, V_SUDO, V_N
};

/* One host's or group's own variables: values point into the document. */
struct vars {
	const yaml_node_t *v[V_N];
};

struct group {
	char *name;
	struct vars vars;
	long priority;
	int depth;	/* all: 0; -1 while being computed */
	char **parents;
	size_t n_parents;
	int line;
};

struct host {
	struct vars vars;	/* merged over every place the host is listed, later wins */
};

struct load {
	const char *file;
	enum inv_kind kind;
	yaml_document_t doc;
	long visits;
	struct inventory *inv;
	struct group *g;	/* parallel to inv->groups */
	struct host *h;		/* parallel to inv->hosts */
	struct err *e;
	/* Hashed, so that thousands of hosts (or a range of 100,000 names)
	 * cost no comparison with every host for each name: host names
	 * (slot: index + 1) and the (group, host) memberships made. */
	size_t *hslot, hcap;
	size_t hosts_cap;	/* of inv->hosts and h */
	uint64_t *pslot;
	size_t pcap, pn;
};

static const struct {
	const char *name;
	enum var var;
	int own;	/* 1: relaydeck's inventory key, 0: Ansible's */
} var_names[] = {
	{ "host", V_ADDRESS, 1 }, { "port", V_PORT, 1 }, { "user", V_USER, 1 },
	{ "identity_file", V_IDENTITY, 1 }, { "known_hosts", V_KNOWN_HOSTS, 1 },
	{ "config_dir", V_CONFIG_DIR, 1 }, { "sudo", V_SUDO, 1 },
	{ "ansible_host", V_ADDRESS, 0 }, { "ansible_ssh_host", V_ADDRESS, 0 },
	{ "ansible_port", V_PORT, 0 }, { "ansible_ssh_port", V_PORT, 0 },
	{ "ansible_user", V_USER, 0 }, { "ansible_ssh_user", V_USER, 0 },
	{ "ansible_ssh_private_key_file", V_IDENTITY, 0 },
	{ "ansible_private_key_file", V_IDENTITY, 0 },
	{ "ansible_become", V_SUDO, 0 }, { "relaydeck_config_dir", V_CONFIG_DIR, 0 },
	{ "relaydeck_known_hosts", V_KNOWN_HOSTS, 0 },
};

static int at(struct load *l, const yaml_node_t *n, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* at - an error at a node's line and column. */
static int at(struct load *l, const yaml_node_t *n, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	l->e->code = code;
	va_start(ap, fmt);
	vsnprintf(l->e->msg, sizeof(l->e->msg), fmt, ap);
	va_end(ap);
	if (n)
		return err_at_col(l->e, l->file, (int)n->start_mark.line + 1,
				  (int)n->start_mark.column + 1);
	return err_at(l->e, l->file, 0);
}

/* visit - count a node against the budget (aliases can multiply them). */
static int visit(struct load *l, const yaml_node_t *n, int depth)
{
	if (++l->visits > INV_MAX_VISITS)
		return at(l, n, ERR_LIMIT, "more than %d nodes after expanding aliases", INV_MAX_VISITS);
	if (depth > INV_MAX_DEPTH)
		return at(l, n, ERR_LIMIT, "nested deeper than %d (an alias loop?)", INV_MAX_DEPTH);
	return 0;
}

static const yaml_node_t *node(struct load *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* is_null - an empty value or ~ / null (plain). */
static int is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (n == NULL)
		return 1;
	if (s == NULL || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *s == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

typedef int (*pair_fn)(struct load *l, const yaml_node_t *key, const yaml_node_t *value,
		       void *arg, int depth);

/* each_pair - the pairs of a mapping, `<<` merge keys included (explicit
 * keys win over merged ones, as in YAML 1.1). */
static int each_pair(struct load *l, const yaml_node_t *m, pair_fn fn, void *arg, int depth)
{
	if (visit(l, m, depth) < 0)
		return -1;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *ks = scalar(k);

		if (visit(l, k, depth + 1) < 0)
			return -1;
		if (ks && strcmp(ks, "<<") == 0 && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			const yaml_node_t *src[64];
			size_t ns = 0;

			if (v && v->type == YAML_MAPPING_NODE) {
				src[ns++] = v;
			} else if (v && v->type == YAML_SEQUENCE_NODE) {
				for (yaml_node_item_t *it = v->data.sequence.items.start;
				     it < v->data.sequence.items.top && ns < 64; it++)
					src[ns++] = node(l, *it);
			}
			for (size_t i = 0; i < ns; i++) {
				const yaml_node_t *sm = src[i];

				if (sm == NULL || sm->type != YAML_MAPPING_NODE)
					return at(l, v, ERR_PARSE, "<< merges a mapping or a list of mappings");
				if (visit(l, sm, depth + 1) < 0)
					return -1;
				for (yaml_node_pair_t *q = sm->data.mapping.pairs.start;
				     q < sm->data.mapping.pairs.top; q++) {
					const yaml_node_t *mk = node(l, q->key);
					const char *mks = scalar(mk);
					int explicit = 0;

					for (yaml_node_pair_t *r = m->data.mapping.pairs.start;
					     mks && r < m->data.mapping.pairs.top; r++) {
						const char *rs = scalar(node(l, r->key));

						if (rs && strcmp(rs, mks) == 0)
							explicit = 1;
					}
					if (!explicit &&
					    fn(l, mk, node(l, q->value), arg, depth + 2) < 0)
						return -1;
				}
			}
			continue;
		}
		if (fn(l, k, v, arg, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* parse_bool - YAML 1.1 / Ansible booleans; -1 when not one. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "y", "1" };
	static const char *const no[] = { "no", "false", "off", "n", "0" };

	for (size_t i = 0; i < 5; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* check_value - a variable's value is a scalar the connection can use. */
static int check_value(struct load *l, const char *key, enum var var, const yaml_node_t *v)
{
	const char *s = scalar(v);

	if (s == NULL)
		return at(l, v, ERR_PARSE, "%s: expected a single value", key);
	if (strstr(s, "{{") || strstr(s, "{%"))
		return at(l, v, ERR_PARSE, "%s: templated values are not supported (%s)", key, s);
	if (var == V_PORT) {
		char *end;
		long p;

		errno = 0;
		p = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno || p < 1 || p > 65535)
			return at(l, v, ERR_PARSE, "%s: not a port number: '%s'", key, s);
	} else if (var == V_SUDO) {
		if (parse_bool(s) < 0)
			return at(l, v, ERR_PARSE, "%s: not a boolean: '%s'", key, s);
	} else if (*s == '\0' || strchr(s, '\n')) {
		return at(l, v, ERR_PARSE, "%s: empty or multi-line value", key);
	}
	return 0;
}

struct vars_arg {
	struct vars *vars;
	long *priority;
};

static int var_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
		    int depth)
{
	struct vars_arg *va = arg;
	const char *ks = scalar(k);

	(void)depth;
	if (ks == NULL)
		return at(l, k, ERR_PARSE, "a variable name must be a plain word");
	if (va->priority && strcmp(ks, "ansible_group_priority") == 0) {
		const char *s = scalar(v);
		char *end;

		if (s == NULL || (*va->priority = strtol(s, &end, 10), *end != '\0' || *s == '\0'))
			return at(l, v, ERR_PARSE, "ansible_group_priority: not a number");
		return 0;
	}
	for (size_t i = 0; i < sizeof(var_names) / sizeof(var_names[0]); i++) {
		if (strcmp(ks, var_names[i].name) != 0)
			continue;
		if (var_names[i].own != (l->kind == INV_OWN))
			break;
		if (check_value(l, ks, var_names[i].var, v) < 0)
			return -1;
		va->vars->v[var_names[i].var] = v;
		return 0;
	}
	if (l->kind == INV_OWN)
		return at(l, k, ERR_PARSE,
			  "unknown host variable '%s' (host, port, user, sudo, config_dir, "
			  "identity_file, known_hosts)", ks);
	return 0;	/* Ansible: every other variable is not ours */
}

static int read_vars(struct load *l, const yaml_node_t *m, struct vars *vars, long *priority,
		     int depth)
{
	struct vars_arg va = { vars, priority };

	if (is_null(m))
		return 0;
	if (m->type != YAML_MAPPING_NODE)
		return at(l, m, ERR_PARSE, "vars: expected a mapping of names to values");
	return each_pair(l, m, var_pair, &va, depth);
}

/* push_str - append a copy of s to the list (no check for a duplicate). */
static int push_str(char ***list, size_t *n, const char *s)
{
	char **nl;

	/* grow by doubling: the list's capacity is the next power of two */
	if ((*n & (*n - 1)) == 0 || *n == 0) {
		nl = realloc(*list, (*n ? *n * 2 : 4) * sizeof(**list));
		if (nl == NULL)
			return -1;
		*list = nl;
	}
	if (((*list)[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int name_index(struct inventory *inv);

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* host_lookup - the index of host name, or -1. */
static long host_lookup(const struct load *l, const char *name)
{
	size_t k;

	if (l->hcap == 0)
		return -1;
	for (k = name_hash(name) & (l->hcap - 1); l->hslot[k]; k = (k + 1) & (l->hcap - 1))
		if (strcmp(l->inv->hosts[l->hslot[k] - 1].name, name) == 0)
			return (long)l->hslot[k] - 1;
	return -1;
}

/* host_index_add - index host i by its name (grows the table at half full). */
static int host_index_add(struct load *l, size_t i)
{
	size_t k;

	if ((i + 1) * 2 > l->hcap) {
		size_t ncap = l->hcap ? l->hcap * 2 : 64;
		size_t *ns = calloc(ncap, sizeof(*ns));

		if (ns == NULL)
			return -1;
		free(l->hslot);
		l->hslot = ns;
		l->hcap = ncap;
		for (size_t j = 0; j < i; j++) {
			for (k = name_hash(l->inv->hosts[j].name) & (ncap - 1); ns[k];
			     k = (k + 1) & (ncap - 1))
				;
			ns[k] = j + 1;
		}
	}
	for (k = name_hash(l->inv->hosts[i].name) & (l->hcap - 1); l->hslot[k];
	     k = (k + 1) & (l->hcap - 1))
		;
	l->hslot[k] = i + 1;
	return 0;
}

/* member_add - record host hi in group g: 1 when new, 0 when it was, -1
 * without memory. */
static int member_add(struct load *l, size_t g, size_t hi)
{
	uint64_t v = ((uint64_t)(g + 1) << 32) | (uint64_t)(hi + 1), h;
	size_t k;

	if ((l->pn + 1) * 2 > l->pcap) {
		size_t ncap = l->pcap ? l->pcap * 2 : 64;
		uint64_t *ns = calloc(ncap, sizeof(*ns));

		if (ns == NULL)
			return -1;
		for (size_t j = 0; j < l->pcap; j++) {
			if (l->pslot[j] == 0)
				continue;
			h = l->pslot[j] * 0x9e3779b97f4a7c15ULL;
			for (k = (size_t)(h >> 20) & (ncap - 1); ns[k]; k = (k + 1) & (ncap - 1))
				;
			ns[k] = l->pslot[j];
		}
		free(l->pslot);
		l->pslot = ns;
		l->pcap = ncap;
	}
	h = v * 0x9e3779b97f4a7c15ULL;
	for (k = (size_t)(h >> 20) & (l->pcap - 1); l->pslot[k]; k = (k + 1) & (l->pcap - 1))
		if (l->pslot[k] == v)
			return 0;
	l->pslot[k] = v;
	l->pn++;
	return 1;
}

/* member_has - is host hi in group g? */
static int member_has(const struct load *l, size_t g, size_t hi)
{
	uint64_t v = ((uint64_t)(g + 1) << 32) | (uint64_t)(hi + 1), h;
	size_t k;

	if (l->pcap == 0)
		return 0;
	h = v * 0x9e3779b97f4a7c15ULL;
	for (k = (size_t)(h >> 20) & (l->pcap - 1); l->pslot[k]; k = (k + 1) & (l->pcap - 1))
		if (l->pslot[k] == v)
			return 1;
	return 0;
}

/* group_add_host - host hi into group g's list, once. */
static int group_add_host(struct load *l, size_t g, size_t hi)
{
	struct inv_group *gr = &l->inv->groups[g];
	int r = member_add(l, g, hi);

	if (r < 0 || (r == 1 && push_str(&gr->hosts, &gr->n_hosts, l->inv->hosts[hi].name) < 0))
		return err_set(l->e, ERR_NOMEM, "out of memory");
	return 0;
}

static int add_str(char ***list, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return 0;
	return push_str(list, n, s);
}

/* group_get - the group of that name, created on first sight. */
static int group_get(struct load *l, const char *name, const yaml_node_t *where, size_t *idx)
{
	struct inventory *inv = l->inv;
	struct inv_group *ng;
	struct group *nn;

	for (size_t i = 0; i < inv->n_groups; i++)
		if (strcmp(inv->groups[i].name, name) == 0) {
			*idx = i;
			return 0;
		}
	if (*name == '\0' || strchr(name, '\n'))
		return at(l, where, ERR_PARSE, "a group name must be a non-empty word");
	ng = realloc(inv->groups, (inv->n_groups + 1) * sizeof(*ng));
	if (ng == NULL)
		return err_set(l->e, ERR_NOMEM, "out of memory");
	inv->groups = ng;
	nn = realloc(l->g, (inv->n_groups + 1) * sizeof(*nn));
	if (nn == NULL)
		return err_set(l->e, ERR_NOMEM, "out of memory");
	l->g = nn;
	memset(&ng[inv->n_groups], 0, sizeof(*ng));
	memset(&nn[inv->n_groups], 0, sizeof(*nn));
	ng[inv->n_groups].line = where ? (int)where->start_mark.line + 1 : 0;
	if ((ng[inv->n_groups].name = strdup(name)) == NULL ||
	    (nn[inv->n_groups].name = strdup(name)) == NULL)
		return err_set(l->e, ERR_NOMEM, "out of memory");
	*idx = inv->n_groups++;
	return 0;
}

static int host_get(struct load *l, const char *name, const yaml_node_t *where, size_t *idx)
{
	struct inventory *inv = l->inv;
	struct inv_host *nh;
	struct host *nn;

	long found = host_lookup(l, name);

	if (found >= 0) {
		*idx = (size_t)found;
		return 0;
	}
	if (inv->n_hosts == l->hosts_cap) {	/* doubling: 100,000 names copy little */
		size_t ncap = l->hosts_cap ? l->hosts_cap * 2 : 16;

		nh = realloc(inv->hosts, ncap * sizeof(*nh));
		if (nh == NULL)
			return err_set(l->e, ERR_NOMEM, "out of memory");
		inv->hosts = nh;
		nn = realloc(l->h, ncap * sizeof(*nn));
		if (nn == NULL)
			return err_set(l->e, ERR_NOMEM, "out of memory");
		l->h = nn;
		l->hosts_cap = ncap;
	}
	nh = inv->hosts;
	nn = l->h;
	memset(&nh[inv->n_hosts], 0, sizeof(*nh));
	memset(&nn[inv->n_hosts], 0, sizeof(*nn));
	nh[inv->n_hosts].sudo = -1;
	nh[inv->n_hosts].line = where ? (int)where->start_mark.line + 1 : 0;
	if ((nh[inv->n_hosts].name = strdup(name)) == NULL)
		return err_set(l->e, ERR_NOMEM, "out of memory");
	*idx = inv->n_hosts++;
	if (host_index_add(l, *idx) < 0)
		return err_set(l->e, ERR_NOMEM, "out of memory");
	return 0;
}

static int link_child(struct load *l, size_t parent, size_t child, const yaml_node_t *where)
{
	struct inv_group *pg = &l->inv->groups[parent];

	if (parent == child)
		return at(l, where, ERR_PARSE, "group %s cannot be its own child", pg->name);
	if (add_str(&pg->children, &pg->n_children, l->inv->groups[child].name) < 0 ||
	    add_str(&l->g[child].parents, &l->g[child].n_parents, pg->name) < 0)
		return err_set(l->e, ERR_NOMEM, "out of memory");
	return 0;
}

/* merge_vars - set in dst what src sets (src wins). */
static void merge_vars(struct vars *dst, const struct vars *src)
{
	for (int i = 0; i < V_N; i++)
		if (src->v[i])
			dst->v[i] = src->v[i];
}

struct add_host_arg {
	size_t group;
	const yaml_node_t *vars;
};

/* expand_pattern - Ansible host patterns: "name:port", "[v6]:port" and
 * ranges "[01:10]", "[a:f]", "[1:9:2]"; calls add for each name. */
static int expand_pattern(struct load *l, const yaml_node_t *where, const char *pat,
			  struct add_host_arg *a, int depth, long *count);

static int add_host(struct load *l, const yaml_node_t *where, const char *name, int port,
		    struct add_host_arg *a, int depth)
{
	size_t hi;
	struct vars v = { { 0 } };

	if (*name == '\0' || strchr(name, '\n') || strchr(name, ' '))
		return at(l, where, ERR_PARSE, "bad host name '%s'", name);
	if (host_get(l, name, where, &hi) < 0)
		return -1;
	if (group_add_host(l, a->group, hi) < 0)
		return -1;
	if (read_vars(l, a->vars, &v, NULL, depth) < 0)
		return -1;
	merge_vars(&l->h[hi].vars, &v);
	if (port > 0)
		l->inv->hosts[hi].port = port;	/* "name:port": a host variable in Ansible */
	return 0;
}

static int expand_pattern(struct load *l, const yaml_node_t *where, const char *pat,
			  struct add_host_arg *a, int depth, long *count)
{
	const char *open = strchr(pat, '['), *close, *c1, *c2;
	char lo[32], hi[32], buf[1024];
	long step = 1;

	if (++*count > INV_MAX_RANGE_NAMES)
		return at(l, where, ERR_LIMIT, "host ranges expand to more than %d names",
			  INV_MAX_RANGE_NAMES);
	if (open == pat) {
		/* "[v6addr]" or "[v6addr]:port" */
		close = strchr(pat, ']');
		if (close && strchr(pat, ':') && strchr(pat, ':') < close &&
		    strchr(strchr(pat, ':') + 1, ':') && strchr(strchr(pat, ':') + 1, ':') < close) {
			int port = 0;

			if (close[1] == ':') {
				char *end;
				long p = strtol(close + 2, &end, 10);

				if (*end != '\0' || p < 1 || p > 65535)
					return at(l, where, ERR_PARSE, "bad port in '%s'", pat);
				port = (int)p;
			} else if (close[1] != '\0') {
				return at(l, where, ERR_PARSE, "bad host name '%s'", pat);
			}
			snprintf(buf, sizeof(buf), "%.*s", (int)(close - pat - 1), pat + 1);
			return add_host(l, where, buf, port, a, depth);
		}
	}
	if (open == NULL) {
		const char *colon = strchr(pat, ':');
		int port = 0;

		if (colon && strchr(colon + 1, ':') == NULL) {
			char *end;
			long p = strtol(colon + 1, &end, 10);

			if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
				return at(l, where, ERR_PARSE, "bad port in host '%s'", pat);
			port = (int)p;
			snprintf(buf, sizeof(buf), "%.*s", (int)(colon - pat), pat);
			return add_host(l, where, buf, port, a, depth);
		}
		return add_host(l, where, pat, 0, a, depth);
	}
	close = strchr(open, ']');
	c1 = memchr(open, ':', close ? (size_t)(close - open) : 0);
	if (close == NULL || c1 == NULL)
		return at(l, where, ERR_PARSE, "bad range in host '%s' ([START:END])", pat);
	c2 = memchr(c1 + 1, ':', (size_t)(close - c1 - 1));
	if ((size_t)(c1 - open - 1) >= sizeof(lo) ||
	    (size_t)((c2 ? c2 : close) - c1 - 1) >= sizeof(hi))
		return at(l, where, ERR_PARSE, "bad range in host '%s'", pat);
	snprintf(lo, sizeof(lo), "%.*s", (int)(c1 - open - 1), open + 1);
	snprintf(hi, sizeof(hi), "%.*s", (int)((c2 ? c2 : close) - c1 - 1), c1 + 1);
	if (c2) {
		char *end;

		step = strtol(c2 + 1, &end, 10);
		if (end != close || step < 1)
			return at(l, where, ERR_PARSE, "bad range step in host '%s'", pat);
	}
	if (isalpha((unsigned char)lo[0]) && lo[1] == '\0' && isalpha((unsigned char)hi[0]) &&
	    hi[1] == '\0') {
		if (lo[0] > hi[0])
			return at(l, where, ERR_PARSE, "range start after its end in host '%s'", pat);
		/* counted, not stepped: start + k * step never passes the end,
		 * so no step (strtol's LONG_MAX included) can overflow */
		for (long k = 0, n = (hi[0] - lo[0]) / step; k <= n; k++) {
			snprintf(buf, sizeof(buf), "%.*s%c%s", (int)(open - pat), pat,
				 (int)(lo[0] + k * step), close + 1);
			if (expand_pattern(l, where, buf, a, depth, count) < 0)
				return -1;
		}
		return 0;
	}
	{
		char *e1, *e2;
		long a0 = strtol(lo, &e1, 10), b0 = strtol(hi, &e2, 10);
		int width = lo[0] == '0' && lo[1] ? (int)strlen(lo) : 0;

		if (lo[0] == '\0' || hi[0] == '\0' || *e1 || *e2 || a0 < 0 || a0 > b0)
			return at(l, where, ERR_PARSE, "bad range in host '%s'", pat);
		if ((b0 - a0) / step > INV_MAX_RANGE_NAMES)
			return at(l, where, ERR_LIMIT, "host ranges expand to more than %d names",
				  INV_MAX_RANGE_NAMES);
		for (long k = 0, n = (b0 - a0) / step; k <= n; k++) {
			snprintf(buf, sizeof(buf), "%.*s%0*ld%s", (int)(open - pat), pat, width,
				 a0 + k * step, close + 1);
			if (expand_pattern(l, where, buf, a, depth, count) < 0)
				return -1;
		}
	}
	return 0;
}

static int ans_group(struct load *l, const char *name, const yaml_node_t *where,
		     const yaml_node_t *def, int depth, size_t *idx);

struct group_arg {
	size_t group;
};

static int ans_host_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			 int depth)
{
	struct group_arg *ga = arg;
	struct add_host_arg a = { ga->group, v };
	const char *ks = scalar(k);
	long count = 0;

	if (ks == NULL)
		return at(l, k, ERR_PARSE, "a host name must be a plain word");
	if (!is_null(v) && v->type != YAML_MAPPING_NODE)
		return at(l, v, ERR_PARSE, "host %s: expected a mapping of variables (or nothing)", ks);
	return expand_pattern(l, k, ks, &a, depth, &count);
}

static int ans_child_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			  int depth)
{
	struct group_arg *ga = arg;
	const char *ks = scalar(k);
	size_t child;

	if (ks == NULL)
		return at(l, k, ERR_PARSE, "a group name must be a plain word");
	if (ans_group(l, ks, k, v, depth, &child) < 0)
		return -1;
	return link_child(l, ga->group, child, k);
}

static int ans_group_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			  int depth)
{
	struct group_arg *ga = arg;
	const char *ks = scalar(k);

	if (ks && strcmp(ks, "hosts") == 0) {
		if (is_null(v))
			return 0;
		if (v->type != YAML_MAPPING_NODE)
			return at(l, v, ERR_PARSE, "hosts: expected a mapping of host names");
		return each_pair(l, v, ans_host_pair, ga, depth);
	}
	if (ks && strcmp(ks, "children") == 0) {
		if (is_null(v))
			return 0;
		if (v->type != YAML_MAPPING_NODE)
			return at(l, v, ERR_PARSE, "children: expected a mapping of group names");
		return each_pair(l, v, ans_child_pair, ga, depth);
	}
	if (ks && strcmp(ks, "vars") == 0) {
		struct vars nv = { { 0 } };

		if (read_vars(l, v, &nv, &l->g[ga->group].priority, depth) < 0)
			return -1;
		merge_vars(&l->g[ga->group].vars, &nv);
		return 0;
	}
	return at(l, k, ERR_PARSE, "group %s: unexpected key '%s' (hosts, children or vars)",
		  l->inv->groups[ga->group].name, ks ? ks : "?");
}

static int ans_group(struct load *l, const char *name, const yaml_node_t *where,
		     const yaml_node_t *def, int depth, size_t *idx)
{
	struct group_arg ga;

	if (group_get(l, name, where, idx) < 0)
		return -1;
	if (is_null(def))
		return 0;
	if (def->type != YAML_MAPPING_NODE)
		return at(l, def, ERR_PARSE, "group %s: expected hosts, children or vars", name);
	ga.group = *idx;
	return each_pair(l, def, ans_group_pair, &ga, depth);
}

static int ans_top_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			int depth)
{
	size_t idx, all = 0;
	const char *ks = scalar(k);

	(void)arg;
	if (ks == NULL)
		return at(l, k, ERR_PARSE, "a group name must be a plain word");
	(void)all;
	return ans_group(l, ks, k, v, depth, &idx);
}

/* own_* - relaydeck's inventory: hosts:, groups:, vars:. */
static int own_host_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			 int depth)
{
	size_t hi, all = *(size_t *)arg;
	struct vars nv = { { 0 } };
	const char *ks = scalar(k);

	if (ks == NULL || *ks == '\0' || strchr(ks, ' ') || strchr(ks, '\n'))
		return at(l, k, ERR_PARSE, "a host name must be a plain word");
	if (host_get(l, ks, k, &hi) < 0)
		return -1;
	if (group_add_host(l, all, hi) < 0)
		return -1;
	if (!is_null(v) && v->type != YAML_MAPPING_NODE)
		return at(l, v, ERR_PARSE, "host %s: expected a mapping of variables", ks);
	if (read_vars(l, v, &nv, NULL, depth) < 0)
		return -1;
	merge_vars(&l->h[hi].vars, &nv);
	return 0;
}

/* own_names - a list of names (or one name). */
static int own_names(struct load *l, const yaml_node_t *v, const char *what, int depth,
		     int (*fn)(struct load *, const char *, const yaml_node_t *, size_t), size_t g)
{
	if (is_null(v))
		return 0;
	if (v->type == YAML_SCALAR_NODE)
		return fn(l, scalar(v), v, g);
	if (v->type != YAML_SEQUENCE_NODE)
		return at(l, v, ERR_PARSE, "%s: expected a list of names", what);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *n = node(l, *it);

		if (visit(l, n, depth + 1) < 0)
			return -1;
		if (scalar(n) == NULL)
			return at(l, n, ERR_PARSE, "%s: expected a name", what);
		if (fn(l, scalar(n), n, g) < 0)
			return -1;
	}
	return 0;
}

static int own_member(struct load *l, const char *name, const yaml_node_t *where, size_t g)
{
	long hi = host_lookup(l, name);

	if (hi < 0)
		return at(l, where, ERR_PARSE, "group %s: host %s is not under hosts:",
			  l->inv->groups[g].name, name);
	return group_add_host(l, g, (size_t)hi);
}

static int own_child(struct load *l, const char *name, const yaml_node_t *where, size_t g)
{
	size_t c;

	if (group_get(l, name, where, &c) < 0)
		return -1;
	return link_child(l, g, c, where);
}

static int own_group_key(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			 int depth)
{
	size_t g = *(size_t *)arg;
	const char *ks = scalar(k);

	if (ks && strcmp(ks, "hosts") == 0)
		return own_names(l, v, "hosts", depth, own_member, g);
	if (ks && strcmp(ks, "children") == 0)
		return own_names(l, v, "children", depth, own_child, g);
	if (ks && strcmp(ks, "vars") == 0) {
		struct vars nv = { { 0 } };

		if (read_vars(l, v, &nv, NULL, depth) < 0)
			return -1;
		merge_vars(&l->g[g].vars, &nv);
		return 0;
	}
	return at(l, k, ERR_PARSE, "group %s: unexpected key '%s' (hosts, children or vars)",
		  l->inv->groups[g].name, ks ? ks : "?");
}

static int own_group_pair(struct load *l, const yaml_node_t *k, const yaml_node_t *v, void *arg,
			  int depth)
{
	size_t g;
	const char *ks = scalar(k);

	(void)arg;
	if (ks == NULL)
		return at(l, k, ERR_PARSE, "a group name must be a plain word");
	if (strcmp(ks, "all") == 0)
		return at(l, k, ERR_PARSE, "group all is implicit: put its variables under vars:");
	if (group_get(l, ks, k, &g) < 0)
		return -1;
	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, ERR_PARSE, "group %s: expected hosts, children or vars", ks);
	return each_pair(l, v, own_group_key, &g, depth);
}

static int own_top(struct load *l, const yaml_node_t *root)
{
	const yaml_node_t *hosts = NULL, *groups = NULL, *vars = NULL;
	size_t all;

	if (group_get(l, "all", NULL, &all) < 0)
		return -1;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key);
		const char *ks = scalar(k);

		if (ks && strcmp(ks, "hosts") == 0)
			hosts = node(l, p->value);
		else if (ks && strcmp(ks, "groups") == 0)
			groups = node(l, p->value);
		else if (ks && strcmp(ks, "vars") == 0)
			vars = node(l, p->value);
		else
			return at(l, k, ERR_PARSE, "unexpected key '%s' (hosts, groups or vars)",
				  ks ? ks : "?");
	}
	if (!is_null(hosts)) {
		if (hosts->type != YAML_MAPPING_NODE)
			return at(l, hosts, ERR_PARSE, "hosts: expected a mapping of host names");
		if (each_pair(l, hosts, own_host_pair, &all, 1) < 0)
			return -1;
	}
	if (read_vars(l, vars, &l->g[all].vars, NULL, 1) < 0)
		return -1;
	if (!is_null(groups)) {
		if (groups->type != YAML_MAPPING_NODE)
			return at(l, groups, ERR_PARSE, "groups: expected a mapping of group names");
		if (each_pair(l, groups, own_group_pair, NULL, 1) < 0)
			return -1;
	}
	/* every group without a parent hangs under all */
	for (size_t i = 0; i < l->inv->n_groups; i++)
		if (i != all && l->g[i].n_parents == 0 && link_child(l, all, i, NULL) < 0)
			return -1;
	return 0;
}

/* depth_of - the longest path from all, as Ansible orders groups. */
static int depth_of(struct load *l, size_t g, int guard)
{
	int best = 0;

	if (strcmp(l->g[g].name, "all") == 0)
		return 0;
	if (l->g[g].depth != 0 || guard > INV_MAX_DEPTH)
		return l->g[g].depth;	/* known, or -1: a loop */
	l->g[g].depth = -1;
	for (size_t i = 0; i < l->g[g].n_parents; i++) {
		const struct inv_group *pg = inventory_group(l->inv, l->g[g].parents[i]);
		int d = depth_of(l, (size_t)(pg - l->inv->groups), guard + 1);

		if (d < 0)
			return -1;
		if (d + 1 > best)
			best = d + 1;
	}
	l->g[g].depth = best;
	return best;
}

/* add_ancestors - mark g and every group above it. */
static void add_ancestors(struct load *l, size_t g, char *mark, int guard)
{
	if (mark[g] || guard > INV_MAX_DEPTH)
		return;
	mark[g] = 1;
	for (size_t i = 0; i < l->g[g].n_parents; i++) {
		const struct inv_group *pg = inventory_group(l->inv, l->g[g].parents[i]);

		add_ancestors(l, (size_t)(pg - l->inv->groups), mark, guard + 1);
	}
}

static struct load *sort_ctx;

static int group_order(const void *a, const void *b)
{
	const struct group *x = &sort_ctx->g[*(const size_t *)a], *y = &sort_ctx->g[*(const size_t *)b];

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int copy_var(char **dst, const yaml_node_t *n)
{
	if (n == NULL)
		return 0;
	*dst = strdup(scalar(n));
	return *dst ? 0 : -1;
}

/* finish - the precedence, host by host, and the "ungrouped" group. */
static int finish(struct load *l)
{
	struct inventory *inv = l->inv;
	size_t ng = inv->n_groups, *order = NULL, all = 0, ungrouped = 0;
	char *mark = NULL;
	int rc = -1;

	if (group_get(l, "all", NULL, &all) < 0)
		return -1;
	if (l->kind == INV_ANSIBLE) {
		/* Ansible puts hosts of no other group into "ungrouped" */
		int any = 0;

		for (size_t h = 0; h < inv->n_hosts; h++) {
			int other = 0;

			for (size_t g = 0; g < inv->n_groups && !other; g++)
				if (g != all && strcmp(inv->groups[g].name, "ungrouped") != 0 &&
				    member_has(l, g, h))
					other = 1;
			if (!other) {
				if (!any && (group_get(l, "ungrouped", NULL, &ungrouped) < 0 ||
					     (l->g[ungrouped].n_parents == 0 &&
					      link_child(l, all, ungrouped, NULL) < 0)))
					return -1;
				any = 1;
				if (group_add_host(l, ungrouped, h) < 0)
					return -1;
			}
		}
		if (!any && group_get(l, "ungrouped", NULL, &ungrouped) == 0 &&
		    l->g[ungrouped].n_parents == 0 && link_child(l, all, ungrouped, NULL) < 0)
			return -1;
		/* and lists all's own hosts only there */
		for (size_t k = 0; k < inv->groups[all].n_hosts; k++)
			free(inv->groups[all].hosts[k]);
		free(inv->groups[all].hosts);
		inv->groups[all].hosts = NULL;
		inv->groups[all].n_hosts = 0;
		ng = inv->n_groups;
		/* as Ansible reconciles: a group with no parent is a child of all */
		for (size_t g = 0; g < ng; g++)
			if (g != all && l->g[g].n_parents == 0 && link_child(l, all, g, NULL) < 0)
				return -1;
	}
	for (size_t g = 0; g < ng; g++)
		if (depth_of(l, g, 0) < 0)
			return err_set(l->e, ERR_PARSE, "%s: groups nested in a loop (group %s)",
				       l->file, inv->groups[g].name);
	order = malloc((ng ? ng : 1) * sizeof(*order));
	mark = calloc(ng ? ng : 1, 1);
	if (order == NULL || mark == NULL) {
		err_set(l->e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t h = 0; h < inv->n_hosts; h++) {
		struct inv_host *ih = &inv->hosts[h];
		struct vars v = { { 0 } };
		size_t n = 0;
		int port = ih->port;

		memset(mark, 0, ng);
		/* the hashed memberships, not each group's list: a range of
		 * 50,000 names made this 2.5 x 10^9 name comparisons */
		for (size_t g = 0; g < ng; g++)
			if (member_has(l, g, h))
				add_ancestors(l, g, mark, 0);
		mark[all] = 1;
		for (size_t g = 0; g < ng; g++)
			if (mark[g])
				order[n++] = g;
		sort_ctx = l;
		qsort(order, n, sizeof(*order), group_order);
		for (size_t i = 0; i < n; i++) {
			merge_vars(&v, &l->g[order[i]].vars);
			if (strcmp(inv->groups[order[i]].name, "all") != 0 &&
			    add_str(&ih->groups, &ih->n_groups, inv->groups[order[i]].name) < 0) {
				err_set(l->e, ERR_NOMEM, "out of memory");
				goto out;
			}
		}
		merge_vars(&v, &l->h[h].vars);
		if (copy_var(&ih->address, v.v[V_ADDRESS]) < 0 || copy_var(&ih->user, v.v[V_USER]) < 0 ||
		    copy_var(&ih->identity, v.v[V_IDENTITY]) < 0 ||
		    copy_var(&ih->known_hosts, v.v[V_KNOWN_HOSTS]) < 0 ||
		    copy_var(&ih->config_dir, v.v[V_CONFIG_DIR]) < 0) {
			err_set(l->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		/* a host's own ansible_port beats the ":port" of its name; a
		 * group's does not (Ansible keeps the name's port then) */
		if (l->h[h].vars.v[V_PORT] || (v.v[V_PORT] && port == 0))
			port = atoi(scalar(v.v[V_PORT]));
		ih->port = port;
		ih->sudo = v.v[V_SUDO] ? parse_bool(scalar(v.v[V_SUDO])) : -1;
		/* groups listed by name, as ansible-inventory sorts them */
		for (size_t a = 1; a < ih->n_groups; a++)
			for (size_t b = a; b > 0 && strcmp(ih->groups[b - 1], ih->groups[b]) > 0; b--) {
				char *t = ih->groups[b];

				ih->groups[b] = ih->groups[b - 1];
				ih->groups[b - 1] = t;
			}
	}
	rc = 0;
out:
	free(order);
	free(mark);
	return rc;
}

static void load_free(struct load *l)
{
	for (size_t i = 0; l->inv && i < l->inv->n_groups && l->g; i++) {
		free(l->g[i].name);
		for (size_t k = 0; k < l->g[i].n_parents; k++)
			free(l->g[i].parents[k]);
		free(l->g[i].parents);
	}
	free(l->g);
	free(l->h);
	free(l->hslot);
	free(l->pslot);
}

int inventory_load_mem(const char *name, const char *text, size_t len, struct inventory **out,
		       struct err *e)
{
	yaml_parser_t parser;
	struct load l;
	const yaml_node_t *root;
	int rc = -1;

	*out = NULL;
	if (name == NULL)
		name = "inventory";
	if (text == NULL)
		len = 0;
	if (len > INV_MAX_BYTES) {
		err_set(e, ERR_LIMIT, "%s: larger than %u bytes", name, INV_MAX_BYTES);
		return err_at(e, name, 0);
	}
	memset(&l, 0, sizeof(l));
	l.file = name;
	l.e = e;
	l.inv = calloc(1, sizeof(*l.inv));
	if (l.inv == NULL || (l.inv->file = strdup(name)) == NULL) {
		inventory_free(l.inv);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (!yaml_parser_initialize(&parser)) {
		inventory_free(l.inv);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);
	if (!yaml_parser_load(&parser, &l.doc)) {
		err_set(e, ERR_PARSE, "YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
			parser.context ? " " : "", parser.context ? parser.context : "");
		err_at_col(e, name, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1);
		yaml_parser_delete(&parser);
		inventory_free(l.inv);
		return -1;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&l.doc);
	if (root == NULL || is_null(root)) {
		/* an empty file: no hosts */
		size_t all;

		l.kind = INV_ANSIBLE;
		rc = group_get(&l, "all", NULL, &all);
		goto done;
	}
	if (root->type != YAML_MAPPING_NODE) {
		at(&l, root, ERR_PARSE, "an inventory is a mapping (hosts:/groups: or Ansible groups)");
		goto done;
	}
	l.kind = INV_ANSIBLE;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *ks = scalar(node(&l, p->key));

		if (ks && strcmp(ks, "hosts") == 0)
			l.kind = INV_OWN;
	}
	l.inv->kind = l.kind;
	if (l.kind == INV_OWN) {
		if (own_top(&l, root) < 0)
			goto done;
	} else {
		size_t all;

		if (group_get(&l, "all", NULL, &all) < 0 ||
		    each_pair(&l, root, ans_top_pair, NULL, 0) < 0)
			goto done;
	}
	rc = finish(&l);
	if (rc == 0 && name_index(l.inv) < 0)
		rc = err_set(e, ERR_NOMEM, "out of memory");
done:
	yaml_document_delete(&l.doc);
	load_free(&l);
	if (rc < 0) {
		inventory_free(l.inv);
		return -1;
	}
	*out = l.inv;
	return 0;
}

int inventory_load(const char *path, struct inventory **out, struct err *e)
{
	struct buf b = BUF_INIT;
	struct stat st;
	FILE *fp;
	char chunk[65536];
	size_t n;
	int r;

	*out = NULL;
	if (path == NULL)
		return err_set(e, ERR_USAGE, "no inventory file");
	if ((fp = fopen(path, "re")) == NULL) {
		err_sys(e, "open inventory %s", path);
		return err_at(e, path, 0);
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		err_set(e, ERR_PARSE, "inventory %s: not a regular file", path);
		return err_at(e, path, 0);
	}
	buf_init(&b, INV_MAX_BYTES + 1);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, n) < 0) {
			fclose(fp);
			buf_free(&b);
			err_set(e, ERR_LIMIT, "inventory %s: larger than %u bytes", path, INV_MAX_BYTES);
			return err_at(e, path, 0);
		}
	fclose(fp);
	r = inventory_load_mem(path, b.data, b.len, out, e);
	buf_free(&b);
	return r;
}

void inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	for (size_t i = 0; i < inv->n_hosts; i++) {
		struct inv_host *h = &inv->hosts[i];

		free(h->name);
		free(h->address);
		free(h->user);
		free(h->identity);
		free(h->known_hosts);
		free(h->config_dir);
		for (size_t k = 0; k < h->n_groups; k++)
			free(h->groups[k]);
		free(h->groups);
	}
	free(inv->hosts);
	for (size_t i = 0; i < inv->n_groups; i++) {
		struct inv_group *g = &inv->groups[i];

		free(g->name);
		for (size_t k = 0; k < g->n_hosts; k++)
			free(g->hosts[k]);
		free(g->hosts);
		for (size_t k = 0; k < g->n_children; k++)
			free(g->children[k]);
		free(g->children);
	}
	free(inv->groups);
	free(inv->name_slot);
	free(inv->file);
	free(inv);
}

/* name_index - hash the loaded hosts' names for inventory_host. */
static int name_index(struct inventory *inv)
{
	size_t cap = 64, k;

	while (cap < inv->n_hosts * 2)
		cap *= 2;
	if ((inv->name_slot = calloc(cap, sizeof(*inv->name_slot))) == NULL)
		return -1;
	inv->name_cap = cap;
	for (size_t i = 0; i < inv->n_hosts; i++) {
		for (k = name_hash(inv->hosts[i].name) & (cap - 1); inv->name_slot[k];
		     k = (k + 1) & (cap - 1))
			;
		inv->name_slot[k] = i + 1;
	}
	return 0;
}

const struct inv_host *inventory_host(const struct inventory *inv, const char *name)
{
	if (inv == NULL || name == NULL)
		return NULL;
	if (inv->name_slot) {
		for (size_t k = name_hash(name) & (inv->name_cap - 1); inv->name_slot[k];
		     k = (k + 1) & (inv->name_cap - 1))
			if (strcmp(inv->hosts[inv->name_slot[k] - 1].name, name) == 0)
				return &inv->hosts[inv->name_slot[k] - 1];
		return NULL;
	}
	for (size_t i = 0; i < inv->n_hosts; i++)
		if (strcmp(inv->hosts[i].name, name) == 0)
			return &inv->hosts[i];
	return NULL;
}

const struct inv_group *inventory_group(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; inv && name && i < inv->n_groups; i++)
		if (strcmp(inv->groups[i].name, name) == 0)
			return &inv->groups[i];
	return NULL;
}

/* collect - mark the hosts of g and its descendants. */
static void collect(const struct inventory *inv, const struct inv_group *g, char *hosts,
		    char *seen, int guard)
{
	size_t gi = (size_t)(g - inv->groups);

	if (seen[gi] || guard > INV_MAX_DEPTH)
		return;
	seen[gi] = 1;
	for (size_t k = 0; k < g->n_hosts; k++) {
		const struct inv_host *h = inventory_host(inv, g->hosts[k]);

		if (h)
			hosts[h - inv->hosts] = 1;
	}
	for (size_t k = 0; k < g->n_children; k++) {
		const struct inv_group *c = inventory_group(inv, g->children[k]);

		if (c)
			collect(inv, c, hosts, seen, guard + 1);
	}
}

int inventory_group_hosts(const struct inventory *inv, const char *group,
			  const struct inv_host ***hosts, size_t *n, struct err *e)
{
	const struct inv_group *g = inventory_group(inv, group);
	char *mh, *mg;

	*hosts = NULL;
	*n = 0;
	if (g == NULL)
		return err_set(e, ERR_NOTFOUND, "no group %s in %s", group ? group : "(null)",
			       inv ? inv->file : "the inventory");
	mh = calloc(inv->n_hosts + 1, 1);
	mg = calloc(inv->n_groups + 1, 1);
	*hosts = malloc((inv->n_hosts + 1) * sizeof(**hosts));
	if (mh == NULL || mg == NULL || *hosts == NULL) {
		free(mh);
		free(mg);
		free(*hosts);
		*hosts = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	collect(inv, g, mh, mg, 0);
	for (size_t i = 0; i < inv->n_hosts; i++)
		if (mh[i])
			(*hosts)[(*n)++] = &inv->hosts[i];
	free(mh);
	free(mg);
	return 0;
}

const char *inventory_default_path(void)
{
	static char path[1024];
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/relaydeck/inventory.yml", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/relaydeck/inventory.yml", home);
	else
		return NULL;
	return access(path, F_OK) == 0 ? path : NULL;
}
