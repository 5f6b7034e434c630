/*
 * params - what relaydeck knows about each relay-relevant parameter:
 * group, type, validation, help text; plus facts read from the host
 * (defaults from `postconf -d`, lookup table types from `postconf -m`).
 *
 * Defaults are never hard-coded: they come from the host's own Postfix.
 *
 * Ownership: the catalog is static. params_host_load returns an object
 * freed with params_host_free.
 */
#ifndef RELAYDECK_PARAMS_H
#define RELAYDECK_PARAMS_H

#include <stddef.h>

#include "err.h"

struct target;

enum param_group {
	PG_RELAY, PG_TLS, PG_SASL, PG_LIMITS, PG_QUEUE, PG_CACHE,
	PG_REWRITE, PG_RESTRICT, PG_DEBUG, PG_COUNT
};

enum param_type {
	PT_STRING,	/* free text (single line) */
	PT_NEXTHOP,	/* relayhost form: "", host, host:port, [host], [host]:port */
	PT_NEXTHOP_LIST,/* list of next hops (smtp_fallback_relay) */
	PT_BOOL,	/* yes | no */
	PT_ENUM,	/* one of choices */
	PT_DURATION,	/* number + optional unit s m h d w (postconf time) */
	PT_DURATION_MS,	/* rate delays; validated like PT_DURATION: Postfix 3.7 has
			 * no "ms" unit and reads "100ms" as 100 minutes */
	PT_INT,		/* non-negative integer */
	PT_LIST,	/* words separated by comma and/or whitespace */
	PT_TABLES,	/* list of lookup table references type:name */
	PT_FILE,	/* absolute path */
	PT_RESTRICTIONS,/* smtpd restriction list */
	PT_NETWORKS,	/* mynetworks: CIDR, host, [ipv6]/len, type:table, /file */
	PT_TLS_PROTOCOLS,/* e.g. ">=TLSv1.2" or "!SSLv2, !SSLv3" */
};

struct param_def {
	const char *name;
	enum param_group group;
	enum param_type type;
	const char *const *choices;	/* PT_ENUM: NULL-terminated */
	const char *help;		/* one or two sentences for the console */
};

/* The whole catalog, in display order (grouped). */
const struct param_def *params_catalog(size_t *count);
const struct param_def *params_find(const char *name);
const char *params_group_name(enum param_group g);
const char *params_type_name(enum param_type t);

/* Facts about the Postfix on a target. */
struct params_host;

/* params_host_load - run `postconf -c DIR -d` and `postconf -c DIR -m`. */
struct params_host *params_host_load(struct target *t, struct err *e);
/* params_host_load_defaults - `postconf -d` only (no table types: then
 * params_host_has_map_type says no to every type); for callers that only
 * need defaults or known names, at half the cost. */
struct params_host *params_host_load_defaults(struct target *t, struct err *e);
void params_host_free(struct params_host *h);
/* default value, or NULL when Postfix does not know the name */
const char *params_host_default(const struct params_host *h, const char *name);
int params_host_known(const struct params_host *h, const char *name);
int params_host_has_map_type(const struct params_host *h, const char *type);

/* params_validate - 0 when value is acceptable for def. host may be NULL
 * (then table types are checked by syntax only). On failure e->msg says
 * what is wrong in one line, naming the parameter. A value with a newline
 * or NUL is always invalid. */
int params_validate(const struct param_def *def, const struct params_host *host,
		    const char *value, struct err *e);

/* params_validate_name_value - look up name in the catalog; names not in
 * the catalog must be known to the host's Postfix (when host is given),
 * and get only the generic checks. */
int params_validate_name_value(const struct params_host *host, const char *name,
			       const char *value, struct err *e);

#endif
