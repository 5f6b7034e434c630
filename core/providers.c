/*
 * providers - the smart-host catalog and the settings it turns into.
 * See providers.h for the API, ownership and errors.
 *
 * The YAML is read in two steps: libyaml's events become a small tree of
 * maps, sequences and scalars that remembers line:col (anchors and aliases
 * refused there, so no entry can silently stand for another), then the
 * tree is checked against the catalog's schema key by key.
 */
#include "config.h"
#include "providers.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"
#include "datafile.h"
#include "maincf.h"
#include "valid.h"

#define NODE_MAX_DEPTH 16

enum node_kind { N_SCALAR, N_MAP, N_SEQ };

struct node {
	enum node_kind kind;
	int line, col;
	int plain;		/* scalar written without quotes */
	char *s;		/* scalar value */
	struct node **kids;	/* map: key, value, key, value...; seq: items */
	size_t n, cap;
};

struct loader {
	yaml_parser_t yp;
	const char *path;
	struct err *e;
};

/* node_free - free a tree. */
static void node_free(struct node *nd)
{
	if (nd == NULL)
		return;
	for (size_t i = 0; i < nd->n; i++)
		node_free(nd->kids[i]);
	free(nd->kids);
	free(nd->s);
	free(nd);
}

/* at - error at a line:col of the file being read; returns -1. */
static int at(struct err *e, const char *path, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int at(struct err *e, const char *path, int line, int col, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err_set(e, ERR_PARSE, "%s:%d:%d: %s", path, line, col, what);
	return err_at(e, path, line);
}

/* node_add - append a child. */
static int node_add(struct node *parent, struct node *kid)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct node **k = realloc(parent->kids, cap * sizeof(*k));

		if (k == NULL)
			return -1;
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

/* load_node - build the node that starts with event ev (consumed here). */
static struct node *load_node(struct loader *l, yaml_event_t *ev, int depth)
{
	struct node *nd;
	const yaml_char_t *anchor = NULL;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		at(l->e, l->path, line, col, "aliases are not allowed");
		yaml_event_delete(ev);
		return NULL;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	default:
		at(l->e, l->path, line, col, "unexpected YAML event");
		yaml_event_delete(ev);
		return NULL;
	}
	if (anchor) {
		at(l->e, l->path, line, col, "anchors are not allowed");
		yaml_event_delete(ev);
		return NULL;
	}
	if (depth > NODE_MAX_DEPTH) {
		at(l->e, l->path, line, col, "nested too deeply");
		yaml_event_delete(ev);
		return NULL;
	}
	if ((nd = calloc(1, sizeof(*nd))) == NULL) {
		yaml_event_delete(ev);
		err_set(l->e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	nd->line = line;
	nd->col = col;
	if (ev->type == YAML_SCALAR_EVENT) {
		size_t slen = ev->data.scalar.length;

		nd->kind = N_SCALAR;
		nd->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		nd->s = strndup((const char *)ev->data.scalar.value, slen);
		yaml_event_delete(ev);
		if (nd->s == NULL || strlen(nd->s) != slen) {
			if (nd->s)
				at(l->e, l->path, line, col, "NUL byte in a value");
			else
				err_set(l->e, ERR_NOMEM, "out of memory");
			node_free(nd);
			return NULL;
		}
		return nd;
	}
	nd->kind = ev->type == YAML_MAPPING_START_EVENT ? N_MAP : N_SEQ;
	yaml_event_delete(ev);
	for (;;) {
		yaml_event_t next;
		struct node *kid;

		if (!yaml_parser_parse(&l->yp, &next)) {
			at(l->e, l->path, (int)l->yp.problem_mark.line + 1,
			   (int)l->yp.problem_mark.column + 1, "%s",
			   l->yp.problem ? l->yp.problem : "YAML syntax error");
			node_free(nd);
			return NULL;
		}
		if (next.type == YAML_MAPPING_END_EVENT || next.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&next);
			return nd;
		}
		if ((kid = load_node(l, &next, depth + 1)) == NULL) {
			node_free(nd);
			return NULL;
		}
		if (nd->kind == N_MAP && nd->n % 2 == 0 && kid->kind != N_SCALAR) {
			at(l->e, l->path, kid->line, kid->col, "a key must be a plain word");
			node_free(kid);
			node_free(nd);
			return NULL;
		}
		if (node_add(nd, kid) < 0) {
			node_free(kid);
			node_free(nd);
			err_set(l->e, ERR_NOMEM, "out of memory");
			return NULL;
		}
	}
}

/* load_tree - the document's root node (NULL for an empty file, with e clear). */
static struct node *load_tree(const char *path, const char *data, size_t len, struct err *e,
			      int *empty)
{
	struct loader l = { .path = path, .e = e };
	struct node *root = NULL;
	yaml_event_t ev;
	int done = 0;

	*empty = 0;
	if (!yaml_parser_initialize(&l.yp)) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&l.yp, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&l.yp, &ev)) {
			at(e, path, (int)l.yp.problem_mark.line + 1, (int)l.yp.problem_mark.column + 1,
			   "%s", l.yp.problem ? l.yp.problem : "YAML syntax error");
			node_free(root);
			root = NULL;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		default:
			if (root != NULL) {
				at(e, path, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
				   "only one YAML document is allowed");
				yaml_event_delete(&ev);
				node_free(root);
				root = NULL;
				done = 2;
				break;
			}
			if ((root = load_node(&l, &ev, 0)) == NULL)
				done = 2;
			break;
		}
	}
	yaml_parser_delete(&l.yp);
	if (done == 1 && root == NULL)
		*empty = 1;
	return root;
}

/* --- schema ------------------------------------------------------------ */

struct ctx {
	const char *path;
	struct err *e;
};

/* bad - schema error at node nd. */
static int bad(struct ctx *c, const struct node *nd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct ctx *c, const struct node *nd, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return at(c->e, c->path, nd->line, nd->col, "%s", what);
}

/* is_null - a plain ~, null or empty scalar. */
static int is_null(const struct node *nd)
{
	return nd->kind == N_SCALAR && nd->plain &&
	       (nd->s[0] == '\0' || strcmp(nd->s, "~") == 0 || strcmp(nd->s, "null") == 0);
}

/* get_str - a one-line string (NULL for null); *out replaced. */
static int get_str(struct ctx *c, const struct node *nd, const char *key, char **out)
{
	if (nd->kind != N_SCALAR)
		return bad(c, nd, "%s: expected a text value", key);
	free(*out);
	*out = NULL;
	if (is_null(nd))
		return 0;
	for (const char *p = nd->s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n')
			return bad(c, nd, "%s: control character in value", key);
	if ((*out = strdup(nd->s)) == NULL)
		return err_set(c->e, ERR_NOMEM, "out of memory");
	return 0;
}

/* get_long - a decimal number 0..lim. */
static int get_long(struct ctx *c, const struct node *nd, const char *key, long lim, long *out)
{
	char *end;
	long v;

	if (nd->kind != N_SCALAR || !nd->plain || nd->s[0] < '0' || nd->s[0] > '9')
		return bad(c, nd, "%s: expected a number", key);
	errno = 0;
	v = strtol(nd->s, &end, 10);
	if (errno || *end || v < 0 || v > lim)
		return bad(c, nd, "%s: number out of range", key);
	*out = v;
	return 0;
}

/* word_ok - [a-z0-9] with '-' and '_' inside, 1..64 bytes: ids and regions. */
static int word_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

/* host_template_ok - a host name once {region} is replaced by a region
 * word; without {region} an IP address too (a relay of one's own that is
 * reached by address). */
static int host_template_ok(const char *s)
{
	char buf[VALID_HOSTNAME_MAX + 1];
	const char *r = strstr(s, "{region}");
	struct err ignore;

	if (r == NULL)
		return valid_hostname(s, &ignore) == 0 || valid_ipv4(s, &ignore) == 0 ||
		       valid_ipv6(s, &ignore) == 0;
	if (strstr(r + 1, "{region}") || strlen(s) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%.*sx%s", (int)(r - s), s, r + 8);
	return strchr(buf, '{') == NULL && valid_hostname(buf, &ignore) == 0;
}

/* parse_ports - the ports sequence. */
static int parse_ports(struct ctx *c, const struct node *nd, struct provider *p)
{
	if (nd->kind != N_SEQ || nd->n == 0)
		return bad(c, nd, "ports: expected a list of {port, tls}");
	if ((p->ports = calloc(nd->n, sizeof(*p->ports))) == NULL)
		return err_set(c->e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nd->n; i++) {
		const struct node *it = nd->kids[i];
		struct prov_port *pp = &p->ports[i];
		long port = 0;
		int have_tls = 0;

		if (it->kind != N_MAP)
			return bad(c, it, "ports: expected {port: N, tls: starttls|implicit}");
		for (size_t k = 0; k + 1 < it->n; k += 2) {
			const char *key = it->kids[k]->s;
			const struct node *v = it->kids[k + 1];

			if (strcmp(key, "port") == 0) {
				if (get_long(c, v, "port", 65535, &port) < 0)
					return -1;
				if (port == 0)
					return bad(c, v, "port: must be 1-65535");
			} else if (strcmp(key, "tls") == 0) {
				if (v->kind != N_SCALAR)
					return bad(c, v, "tls: expected starttls or implicit");
				if (strcmp(v->s, "starttls") == 0)
					pp->tls = PROV_TLS_STARTTLS;
				else if (strcmp(v->s, "implicit") == 0)
					pp->tls = PROV_TLS_IMPLICIT;
				else
					return bad(c, v, "tls: expected starttls or implicit, not '%s'", v->s);
				have_tls = 1;
			} else {
				return bad(c, it->kids[k], "ports: unknown key '%s'", key);
			}
		}
		if (port == 0 || !have_tls)
			return bad(c, it, "ports: each entry needs port and tls");
		for (size_t j = 0; j < i; j++)
			if (p->ports[j].port == port)
				return bad(c, it, "ports: port listed twice");
		pp->port = (int)port;
		p->nports++;
	}
	return 0;
}

/* parse_regions - the regions sequence: words, or {id, host}. */
static int parse_regions(struct ctx *c, const struct node *nd, struct provider *p)
{
	if (nd->kind != N_SEQ || nd->n == 0)
		return bad(c, nd, "regions: expected a list");
	if ((p->regions = calloc(nd->n, sizeof(*p->regions))) == NULL)
		return err_set(c->e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nd->n; i++) {
		const struct node *it = nd->kids[i];
		struct prov_region *r = &p->regions[i];
		struct err ignore;

		p->nregions++;
		if (it->kind == N_SCALAR) {
			if (get_str(c, it, "regions", &r->id) < 0)
				return -1;
		} else if (it->kind == N_MAP) {
			for (size_t k = 0; k + 1 < it->n; k += 2) {
				const char *key = it->kids[k]->s;
				const struct node *v = it->kids[k + 1];

				if (strcmp(key, "id") == 0) {
					if (get_str(c, v, "id", &r->id) < 0)
						return -1;
				} else if (strcmp(key, "host") == 0) {
					if (get_str(c, v, "host", &r->host) < 0)
						return -1;
					if (r->host == NULL || valid_hostname(r->host, &ignore) < 0)
						return bad(c, v, "host: not a host name");
				} else {
					return bad(c, it->kids[k], "regions: unknown key '%s'", key);
				}
			}
		} else {
			return bad(c, it, "regions: expected a region name or {id, host}");
		}
		if (r->id == NULL || !word_ok(r->id))
			return bad(c, it, "regions: a region needs an id of [a-z0-9-]");
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->regions[j].id, r->id) == 0)
				return bad(c, it, "regions: '%s' listed twice", r->id);
	}
	return 0;
}

/* parse_limits - the limits mapping. */
static int parse_limits(struct ctx *c, const struct node *nd, struct prov_limits *lim)
{
	static const char *const names[] = { "per_second", "per_minute", "per_hour", "per_day",
					     "recipients_per_message" };
	long *slots[] = { &lim->per_second, &lim->per_minute, &lim->per_hour, &lim->per_day,
			  &lim->recipients_per_message };

	if (nd->kind != N_MAP)
		return bad(c, nd, "limits: expected a mapping");
	for (size_t k = 0; k + 1 < nd->n; k += 2) {
		const char *key = nd->kids[k]->s;
		const struct node *v = nd->kids[k + 1];
		size_t i;

		if (strcmp(key, "note") == 0) {
			if (get_str(c, v, "note", &lim->note) < 0)
				return -1;
			continue;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return bad(c, nd->kids[k], "limits: unknown key '%s'", key);
		if (get_long(c, v, key, 1000000000L, slots[i]) < 0)
			return -1;
	}
	return 0;
}

/* parse_postfix - the postfix mapping: main.cf name → one-line value. */
static int parse_postfix(struct ctx *c, const struct node *nd, struct provider *p)
{
	if (nd->kind != N_MAP)
		return bad(c, nd, "postfix: expected a mapping of main.cf parameters");
	if (nd->n == 0)
		return 0;
	if ((p->postfix = calloc(nd->n / 2, sizeof(*p->postfix))) == NULL)
		return err_set(c->e, ERR_NOMEM, "out of memory");
	for (size_t k = 0; k + 1 < nd->n; k += 2) {
		const char *key = nd->kids[k]->s;
		const struct node *v = nd->kids[k + 1];
		struct prov_setting *s = &p->postfix[p->npostfix];

		if (!maincf_name_ok(key))
			return bad(c, nd->kids[k], "postfix: '%s' is not a parameter name", key);
		for (size_t j = 0; j < p->npostfix; j++)
			if (strcmp(p->postfix[j].name, key) == 0)
				return bad(c, nd->kids[k], "postfix: '%s' set twice", key);
		if (v->kind != N_SCALAR || strchr(v->s, '\n') || strchr(v->s, '\r'))
			return bad(c, v, "postfix: %s: expected a one-line value", key);
		if ((s->name = strdup(key)) == NULL || (s->value = strdup(v->s)) == NULL) {
			free(s->name);
			return err_set(c->e, ERR_NOMEM, "out of memory");
		}
		p->npostfix++;
	}
	return 0;
}

/* provider_clear - free what an entry holds. */
static void provider_clear(struct provider *p)
{
	free(p->id);
	free(p->name);
	free(p->host);
	free(p->host_hint);
	for (size_t i = 0; i < p->nregions; i++) {
		free(p->regions[i].id);
		free(p->regions[i].host);
	}
	free(p->regions);
	free(p->default_region);
	free(p->ports);
	free(p->username);
	free(p->username_hint);
	free(p->limits.note);
	for (size_t i = 0; i < p->npostfix; i++) {
		free(p->postfix[i].name);
		free(p->postfix[i].value);
	}
	free(p->postfix);
	free(p->notice);
	free(p->notes);
	free(p->file);
	memset(p, 0, sizeof(*p));
}

/* parse_provider - one entry of the providers list. */
static int parse_provider(struct ctx *c, const struct node *nd, struct provider *p)
{
	long dport = 0;
	const struct node *dport_nd = NULL, *dregion_nd = NULL;
	char *auth = NULL;

	memset(p, 0, sizeof(*p));
	p->limits.per_second = p->limits.per_minute = p->limits.per_hour = -1;
	p->limits.per_day = p->limits.recipients_per_message = -1;
	p->line = nd->line;
	if ((p->file = strdup(c->path)) == NULL)
		return err_set(c->e, ERR_NOMEM, "out of memory");
	if (nd->kind != N_MAP)
		return bad(c, nd, "providers: each entry must be a mapping");
	for (size_t k = 0; k + 1 < nd->n; k += 2) {
		const struct node *kn = nd->kids[k], *v = nd->kids[k + 1];
		const char *key = kn->s;
		int rc;

		for (size_t j = 0; j < k; j += 2)
			if (strcmp(nd->kids[j]->s, key) == 0)
				return bad(c, kn, "duplicate key '%s'", key);
		if (strcmp(key, "id") == 0)
			rc = get_str(c, v, key, &p->id);
		else if (strcmp(key, "name") == 0)
			rc = get_str(c, v, key, &p->name);
		else if (strcmp(key, "host") == 0)
			rc = get_str(c, v, key, &p->host);
		else if (strcmp(key, "host_hint") == 0)
			rc = get_str(c, v, key, &p->host_hint);
		else if (strcmp(key, "regions") == 0)
			rc = parse_regions(c, v, p);
		else if (strcmp(key, "default_region") == 0)
			rc = get_str(c, v, key, &p->default_region), dregion_nd = v;
		else if (strcmp(key, "ports") == 0)
			rc = parse_ports(c, v, p);
		else if (strcmp(key, "default_port") == 0)
			rc = get_long(c, v, key, 65535, &dport), dport_nd = v;
		else if (strcmp(key, "auth") == 0)
			rc = get_str(c, v, key, &auth);
		else if (strcmp(key, "username") == 0)
			rc = get_str(c, v, key, &p->username);
		else if (strcmp(key, "username_hint") == 0)
			rc = get_str(c, v, key, &p->username_hint);
		else if (strcmp(key, "limits") == 0)
			rc = parse_limits(c, v, &p->limits);
		else if (strcmp(key, "postfix") == 0)
			rc = parse_postfix(c, v, p);
		else if (strcmp(key, "notice") == 0)
			rc = get_str(c, v, key, &p->notice);
		else if (strcmp(key, "notes") == 0)
			rc = get_str(c, v, key, &p->notes);
		else
			rc = bad(c, kn, "unknown key '%s'", key);
		if (rc < 0) {
			free(auth);
			return -1;
		}
		if (strcmp(key, "auth") == 0) {
			if (auth && strcmp(auth, "required") == 0)
				p->auth = PROV_AUTH_REQUIRED;
			else if (auth && strcmp(auth, "optional") == 0)
				p->auth = PROV_AUTH_OPTIONAL;
			else if (auth && strcmp(auth, "none") == 0)
				p->auth = PROV_AUTH_NONE;
			else {
				free(auth);
				return bad(c, v, "auth: expected required, optional or none");
			}
			free(auth);
			auth = NULL;
		}
	}
	if (p->id == NULL || !word_ok(p->id))
		return bad(c, nd, "an entry needs an id of [a-z0-9-]");
	if (p->name == NULL)
		return bad(c, nd, "%s: an entry needs a name", p->id);
	if (p->nports == 0)
		return bad(c, nd, "%s: an entry needs ports", p->id);
	if (p->host && !host_template_ok(p->host))
		return bad(c, nd, "%s: host is not a host name, an IP address or a template "
			   "with one {region}", p->id);
	if (p->host && strstr(p->host, "{region}") && p->nregions == 0)
		return bad(c, nd, "%s: a host template with {region} needs regions", p->id);
	if (p->username && (strchr(p->username, ':') || strpbrk(p->username, " \t\n")))
		return bad(c, nd, "%s: username must not contain ':' or spaces", p->id);
	if (dport_nd) {
		size_t i;

		for (i = 0; i < p->nports; i++)
			if (p->ports[i].port == dport)
				break;
		if (i == p->nports)
			return bad(c, dport_nd, "default_port: not one of the listed ports");
		p->default_port = (int)dport;
	} else {
		p->default_port = p->ports[0].port;
	}
	if (p->default_region) {
		size_t i;

		for (i = 0; i < p->nregions; i++)
			if (strcmp(p->regions[i].id, p->default_region) == 0)
				break;
		if (i == p->nregions)
			return bad(c, dregion_nd, "default_region: '%s' is not listed",
				   p->default_region);
	} else if (p->nregions && (p->default_region = strdup(p->regions[0].id)) == NULL) {
		return err_set(c->e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

void providers_free(struct provider_catalog *cat)
{
	if (cat == NULL)
		return;
	for (size_t i = 0; i < cat->n; i++)
		provider_clear(&cat->v[i]);
	free(cat->v);
	free(cat);
}

struct provider_catalog *providers_parse(const char *path, const char *data, size_t len,
					 struct err *e)
{
	struct ctx c = { .path = path ? path : "providers.yaml", .e = e };
	struct provider_catalog *cat;
	const struct node *list = NULL;
	struct node *root;
	int empty;

	err_clear(e);
	if (len > PROVIDERS_MAX_BYTES) {
		err_set(e, ERR_LIMIT, "%s: catalog larger than %d bytes", c.path, PROVIDERS_MAX_BYTES);
		return NULL;
	}
	root = load_tree(c.path, data, len, e, &empty);
	if (root == NULL && !empty)
		return NULL;
	if ((cat = calloc(1, sizeof(*cat))) == NULL) {
		node_free(root);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (root == NULL)
		return cat;
	if (root->kind != N_MAP) {
		bad(&c, root, "expected a mapping with a 'providers' list");
		goto fail;
	}
	for (size_t k = 0; k + 1 < root->n; k += 2) {
		if (strcmp(root->kids[k]->s, "providers") != 0) {
			bad(&c, root->kids[k], "unknown key '%s'", root->kids[k]->s);
			goto fail;
		}
		if (list) {
			bad(&c, root->kids[k], "duplicate key '%s'", "providers");
			goto fail;
		}
		list = root->kids[k + 1];
	}
	if (list == NULL || is_null(list)) {
		node_free(root);
		return cat;
	}
	if (list->kind != N_SEQ) {
		bad(&c, list, "providers: expected a list");
		goto fail;
	}
	if (list->n && (cat->v = calloc(list->n, sizeof(*cat->v))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < list->n; i++) {
		int rc = parse_provider(&c, list->kids[i], &cat->v[i]);

		cat->n++;
		if (rc < 0)
			goto fail;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(cat->v[j].id, cat->v[i].id) == 0) {
				bad(&c, list->kids[i], "id '%s' appears twice", cat->v[i].id);
				goto fail;
			}
		}
	}
	node_free(root);
	return cat;
fail:
	node_free(root);
	providers_free(cat);
	return NULL;
}

struct provider_catalog *providers_load_file(const char *path, struct err *e)
{
	struct provider_catalog *cat;
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *fp;

	err_clear(e);
	if ((fp = fopen(path, "r")) == NULL) {
		err_sys(e, "open %s", path);
		if (errno == ENOENT)
			e->code = ERR_NOTFOUND;
		return NULL;
	}
	buf_init(&b, PROVIDERS_MAX_BYTES + 1);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			fclose(fp);
			buf_free(&b);
			err_set(e, ERR_LIMIT, "%s: catalog larger than %d bytes", path,
				PROVIDERS_MAX_BYTES);
			return NULL;
		}
	}
	if (ferror(fp)) {
		err_sys(e, "read %s", path);
		fclose(fp);
		buf_free(&b);
		return NULL;
	}
	fclose(fp);
	cat = providers_parse(path, b.data ? b.data : "", b.len, e);
	buf_free(&b);
	return cat;
}

int providers_merge(struct provider_catalog *cat, struct provider_catalog *over, struct err *e)
{
	struct provider *nv;

	if (over->n == 0)
		return 0;
	nv = realloc(cat->v, (cat->n + over->n) * sizeof(*nv));
	if (nv == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	cat->v = nv;
	for (size_t i = 0; i < over->n; i++) {
		size_t j;

		for (j = 0; j < cat->n; j++)
			if (strcmp(cat->v[j].id, over->v[i].id) == 0)
				break;
		if (j < cat->n)
			provider_clear(&cat->v[j]);
		else
			cat->n++;
		cat->v[j] = over->v[i];
		memset(&over->v[i], 0, sizeof(over->v[i]));
	}
	over->n = 0;
	return 0;
}

/* file_exists - a regular file is at path. */
static int file_exists(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* find_shipped - path of the shipped catalog; see providers_load. */
static int find_shipped(char *out, size_t outlen)
{
	const char *env = getenv("RELAYDECK_PROVIDERS_CATALOG");

	if (env && *env) {
		snprintf(out, outlen, "%s", env);
		return 0;
	}
	return datafile_find("providers.yaml", "data/providers.yaml", file_exists, out, outlen);
}

struct provider_catalog *providers_load(struct err *e)
{
	char path[PATH_MAX + 64], user[PATH_MAX + 64];
	const char *env = getenv("RELAYDECK_PROVIDERS");
	struct provider_catalog *cat, *over;

	err_clear(e);
	if (find_shipped(path, sizeof(path)) < 0) {
		err_set(e, ERR_NOTFOUND, "providers.yaml: the provider catalog is not installed");
		return NULL;
	}
	if ((cat = providers_load_file(path, e)) == NULL)
		return NULL;
	if (env && *env) {
		snprintf(user, sizeof(user), "%s", env);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

		if (xdg && *xdg)
			snprintf(user, sizeof(user), "%.*s/relaydeck/providers.yaml", PATH_MAX - 32, xdg);
		else if (home && *home)
			snprintf(user, sizeof(user), "%.*s/.config/relaydeck/providers.yaml",
				 PATH_MAX - 40, home);
		else
			return cat;
		if (!file_exists(user))
			return cat;
	}
	/* A named file ($RELAYDECK_PROVIDERS) must exist. */
	if ((over = providers_load_file(user, e)) == NULL || providers_merge(cat, over, e) < 0) {
		providers_free(over);
		providers_free(cat);
		return NULL;
	}
	providers_free(over);
	return cat;
}

const struct provider *providers_find(const struct provider_catalog *cat, const char *id)
{
	for (size_t i = 0; cat && id && i < cat->n; i++)
		if (strcmp(cat->v[i].id, id) == 0)
			return &cat->v[i];
	return NULL;
}

/* host_is - 1 when template (with {region} as region) spells host. */
static int host_is(const char *template, const char *region, const char *host)
{
	const char *t = strstr(template, "{region}");
	size_t pre, rl;

	if (t == NULL || region == NULL)
		return strcasecmp(template, host) == 0;
	pre = (size_t)(t - template);
	rl = strlen(region);
	return strlen(host) == pre + rl + strlen(t + 8) && strncasecmp(host, template, pre) == 0 &&
	       strncasecmp(host + pre, region, rl) == 0 &&
	       strcasecmp(host + pre + rl, t + 8) == 0;
}

/* providers_match_host - which catalog entry a relayhost's host belongs to. */
const struct provider *providers_match_host(const struct provider_catalog *cat,
					    const char *host, char *region, size_t regionlen)
{
	if (region && regionlen)
		region[0] = '\0';
	for (size_t i = 0; cat && host && i < cat->n; i++) {
		const struct provider *p = &cat->v[i];

		for (size_t k = 0; k < p->nregions; k++) {
			const struct prov_region *r = &p->regions[k];

			if ((r->host && strcasecmp(r->host, host) == 0) ||
			    (r->host == NULL && p->host && host_is(p->host, r->id, host))) {
				if (region && regionlen)
					snprintf(region, regionlen, "%s", r->id);
				return p;
			}
		}
		if (p->nregions == 0 && p->host && host_is(p->host, NULL, host))
			return p;
	}
	return NULL;
}

enum prov_tls providers_port_tls(const struct provider *p, int port)
{
	for (size_t i = 0; p && i < p->nports; i++)
		if (p->ports[i].port == port)
			return p->ports[i].tls;
	return (port == 465 || port == 2465) ? PROV_TLS_IMPLICIT : PROV_TLS_STARTTLS;
}

const char *providers_tls_name(enum prov_tls tls)
{
	return tls == PROV_TLS_IMPLICIT ? "implicit" : "starttls";
}

const char *providers_auth_name(enum prov_auth auth)
{
	return auth == PROV_AUTH_REQUIRED ? "required" : auth == PROV_AUTH_OPTIONAL ? "optional"
										     : "none";
}

/* --- settings ----------------------------------------------------------- */

/* plan_add - append one edit (value NULL: unset); a later edit of the same name replaces it. */
static int plan_add(struct prov_plan *plan, const char *name, const char *value, struct err *e)
{
	struct prov_edit *ed;

	for (size_t i = 0; i < plan->nedits; i++) {
		if (strcmp(plan->edits[i].name, name) == 0) {
			char *v = value ? strdup(value) : NULL;

			if (value && v == NULL)
				return err_set(e, ERR_NOMEM, "out of memory");
			free(plan->edits[i].value);
			plan->edits[i].value = v;
			return 0;
		}
	}
	ed = realloc(plan->edits, (plan->nedits + 1) * sizeof(*ed));
	if (ed == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	plan->edits = ed;
	ed = &plan->edits[plan->nedits];
	ed->name = strdup(name);
	ed->value = value ? strdup(value) : NULL;
	if (ed->name == NULL || (value && ed->value == NULL)) {
		free(ed->name);
		free(ed->value);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	plan->nedits++;
	return 0;
}

void providers_plan_free(struct prov_plan *plan)
{
	if (plan == NULL)
		return;
	for (size_t i = 0; i < plan->nedits; i++) {
		free(plan->edits[i].name);
		free(plan->edits[i].value);
	}
	free(plan->edits);
	free(plan->host);
	free(plan->nexthop);
	free(plan->password_maps);
	memset(plan, 0, sizeof(*plan));
}

/* resolve_host - the next-hop host for the choice (malloc'd). */
static char *resolve_host(const struct provider *p, const struct prov_choice *c, struct err *e)
{
	const char *region = c->region ? c->region : p->default_region;
	const struct prov_region *r = NULL;
	struct err ve;
	char *h;

	if (c->region && p->nregions == 0) {
		err_set(e, ERR_INVALID, "provider %s has no regions", p->id);
		return NULL;
	}
	for (size_t i = 0; region && i < p->nregions; i++)
		if (strcmp(p->regions[i].id, region) == 0)
			r = &p->regions[i];
	if (p->nregions && r == NULL) {
		err_set(e, ERR_INVALID, "provider %s: unknown region '%.64s'", p->id, region);
		return NULL;
	}
	if (c->host && *c->host) {
		if (valid_hostname(c->host, &ve) < 0 && valid_ipv4(c->host, &ve) < 0 &&
		    valid_ipv6(c->host, &ve) < 0) {
			err_set(e, ERR_INVALID, "host '%.200s' is not a host name or address", c->host);
			return NULL;
		}
		h = strdup(c->host);
	} else if (r && r->host) {
		h = strdup(r->host);
	} else if (p->host) {
		const char *t = strstr(p->host, "{region}");
		struct buf b = BUF_INIT;

		if (t && r)
			buf_printf(&b, "%.*s%s%s", (int)(t - p->host), p->host, r->id, t + 8);
		else
			buf_puts(&b, p->host);
		h = buf_steal(&b);
	} else {
		err_set(e, ERR_INVALID, "provider %s needs a host (--host): %s", p->id,
			p->host_hint ? p->host_hint : "the smart host's name");
		return NULL;
	}
	if (h == NULL)
		err_set(e, ERR_NOMEM, "out of memory");
	return h;
}

int providers_settings(const struct provider *p, const struct prov_choice *c,
		       struct prov_plan *plan, struct err *e)
{
	struct buf b = BUF_INIT;
	int port = c->port ? c->port : p->default_port;
	int listed = 0;

	memset(plan, 0, sizeof(*plan));
	err_clear(e);
	for (size_t i = 0; i < p->nports; i++)
		listed |= p->ports[i].port == port;
	/* Catalog hosts take only their published ports; an admin-given host any. */
	if (!listed && (p->host && !(c->host && *c->host))) {
		for (size_t i = 0; i < p->nports; i++)
			buf_printf(&b, "%s%d", i ? ", " : "", p->ports[i].port);
		err_set(e, ERR_INVALID, "provider %s: port %d is not one of %s", p->id, port, b.data);
		buf_free(&b);
		return -1;
	}
	if (port < 1 || port > 65535)
		return err_set(e, ERR_INVALID, "port %d out of range", port);
	if (c->no_auth && p->auth == PROV_AUTH_REQUIRED)
		return err_set(e, ERR_INVALID, "provider %s requires SMTP AUTH", p->id);
	if ((plan->host = resolve_host(p, c, e)) == NULL)
		return -1;
	plan->port = port;
	plan->tls = providers_port_tls(p, port);
	if (c->tls_set && c->tls != plan->tls) {
		if (listed) {
			err_set(e, ERR_INVALID, "provider %s: port %d uses %s TLS, not %s", p->id, port,
				providers_tls_name(plan->tls), providers_tls_name(c->tls));
			goto fail;
		}
		plan->tls = c->tls;
	}
	plan->auth = p->auth != PROV_AUTH_NONE && !c->no_auth;
	buf_printf(&b, "[%s]:%d", plan->host, port);
	if ((plan->nexthop = buf_steal(&b)) == NULL)
		goto nomem;
	if (plan_add(plan, "relayhost", plan->nexthop, e) < 0)
		goto fail;
	if (plan->auth) {
		const char *type = c->db_type && *c->db_type ? c->db_type : "hash";

		if (c->config_dir == NULL || c->config_dir[0] != '/') {
			err_set(e, ERR_INVALID, "config directory must be an absolute path");
			goto fail;
		}
		buf_printf(&b, "%s:%s/sasl_passwd", type, c->config_dir);
		if ((plan->password_maps = buf_steal(&b)) == NULL)
			goto nomem;
		if (plan_add(plan, "smtp_sasl_auth_enable", "yes", e) < 0 ||
		    plan_add(plan, "smtp_sasl_password_maps", plan->password_maps, e) < 0 ||
		    plan_add(plan, "smtp_sasl_security_options", "noanonymous", e) < 0 ||
		    plan_add(plan, "smtp_sasl_tls_security_options", "noanonymous", e) < 0)
			goto fail;
	} else if (plan_add(plan, "smtp_sasl_auth_enable", "no", e) < 0) {
		goto fail;
	}
	/* Implicit TLS: the whole session is TLS (wrapper mode); "encrypt" keeps
	 * Postfix from ever sending in clear. STARTTLS ports must not keep a
	 * wrapper mode left from an earlier choice. */
	if (plan_add(plan, "smtp_tls_security_level", "encrypt", e) < 0 ||
	    plan_add(plan, "smtp_tls_wrappermode", plan->tls == PROV_TLS_IMPLICIT ? "yes" : NULL,
		     e) < 0)
		goto fail;
	if (c->ca_file && *c->ca_file && plan_add(plan, "smtp_tls_CAfile", c->ca_file, e) < 0)
		goto fail;
	for (size_t i = 0; i < p->npostfix; i++)
		if (plan_add(plan, p->postfix[i].name, p->postfix[i].value, e) < 0)
			goto fail;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
fail:
	buf_free(&b);
	providers_plan_free(plan);
	return -1;
}

/* providers_match_nexthop - strip brackets and port, then compare hosts. */
const struct provider *providers_match_nexthop(const struct provider_catalog *cat,
					       const char *relayhost)
{
	char host[512];
	const char *s = relayhost;
	size_t n;

	if (cat == NULL || relayhost == NULL)
		return NULL;
	while (*s == ' ')
		s++;
	if (*s == '[') {
		s++;
		n = strcspn(s, "]");
	} else {
		n = strcspn(s, ": ,");
	}
	if (n == 0 || n >= sizeof(host))
		return NULL;
	memcpy(host, s, n);
	host[n] = '\0';
	return providers_match_host(cat, host, NULL, 0);
}
