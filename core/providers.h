/*
 * providers - the smart-host catalog (data/providers.yaml) and the main.cf
 * settings a choice of provider, region and port turns into.
 *
 * API: providers_parse reads one catalog file's bytes (libyaml events:
 * unknown keys, wrong types, anchors and aliases are errors with
 * file:line:col); providers_merge adds a user's entries to a catalog,
 * replacing whole entries with the same id; providers_load finds and
 * loads the shipped catalog and the user's file. providers_settings is
 * pure: it turns a provider and the admin's choices into the list of
 * main.cf edits (set or unset) the setup wizard stages.
 *
 * Ownership: catalogs are freed with providers_free; providers returned
 * by lookups belong to their catalog. A plan is freed with
 * providers_plan_free.
 *
 * Errors: -1 / NULL with struct err filled (ERR_PARSE with file and line
 * and the column in the message; ERR_INVALID for a bad choice such as an
 * unknown region or port; ERR_NOTFOUND for a missing shipped catalog).
 */
#ifndef RELAYDECK_PROVIDERS_H
#define RELAYDECK_PROVIDERS_H

#include <stddef.h>

#include "err.h"

#define PROVIDERS_MAX_BYTES (1024 * 1024)	/* largest catalog file read */

enum prov_tls { PROV_TLS_STARTTLS, PROV_TLS_IMPLICIT };
enum prov_auth { PROV_AUTH_REQUIRED, PROV_AUTH_OPTIONAL, PROV_AUTH_NONE };

struct prov_port {
	int port;
	enum prov_tls tls;
};

struct prov_region {
	char *id;
	char *host;		/* explicit host for this region, or NULL: use the template */
};

struct prov_setting {
	char *name;
	char *value;
};

/* Published limits; -1 when the provider publishes none (or it depends on the plan). */
struct prov_limits {
	long per_second, per_minute, per_hour, per_day, recipients_per_message;
	char *note;
};

struct provider {
	char *id;
	char *name;
	char *host;		/* may contain {region}; NULL: the admin gives the host */
	char *host_hint;
	struct prov_region *regions;
	size_t nregions;
	char *default_region;
	struct prov_port *ports;
	size_t nports;
	int default_port;
	enum prov_auth auth;
	char *username;		/* fixed user name (SendGrid "apikey"), or NULL */
	char *username_hint;
	struct prov_limits limits;
	struct prov_setting *postfix;	/* rate and size settings, in file order */
	size_t npostfix;
	char *notice;		/* printed by the wizard first (Office 365 retirement) */
	char *notes;
	int line;		/* where the entry starts in its file */
	char *file;
};

struct provider_catalog {
	struct provider *v;
	size_t n;
};

/* providers_parse - parse one catalog file's bytes; path names it in errors. */
struct provider_catalog *providers_parse(const char *path, const char *data, size_t len,
					 struct err *e);

/* providers_load_file - read (at most PROVIDERS_MAX_BYTES) and parse a local file. */
struct provider_catalog *providers_load_file(const char *path, struct err *e);

/* providers_merge - move over's entries into cat: an id already in cat is
 * replaced in place, a new id is appended. over is emptied (free it). */
int providers_merge(struct provider_catalog *cat, struct provider_catalog *over, struct err *e);

/* providers_load - the shipped catalog ($RELAYDECK_PROVIDERS_CATALOG, else
 * $(pkgdatadir)/providers.yaml, else data/providers.yaml beside the
 * binary's or the source tree) merged with the user's file
 * ($RELAYDECK_PROVIDERS, else $XDG_CONFIG_HOME or ~/.config
 * /relaydeck/providers.yaml; a missing user file is not an error). */
struct provider_catalog *providers_load(struct err *e);

void providers_free(struct provider_catalog *cat);

/* providers_find - the entry with this id, or NULL. */
const struct provider *providers_find(const struct provider_catalog *cat, const char *id);

/* providers_match_host - the entry whose host (a region's, or the
 * template with any region filled in) is host, compared without case;
 * region (may be NULL) gets the region's id or "". NULL when none. */
const struct provider *providers_match_host(const struct provider_catalog *cat,
					    const char *host, char *region, size_t regionlen);
/* providers_match_nexthop - the entry whose host (any region's) is the
 * host of a relayhost value ("[email-smtp.eu-west-1.amazonaws.com]:587",
 * "smtp.example:25", "host"), compared without case; NULL when none. */
const struct provider *providers_match_nexthop(const struct provider_catalog *cat,
					       const char *relayhost);

/* providers_port_tls - TLS mode of port for p: the catalog's, else 465 and
 * 2465 implicit, others STARTTLS. */
enum prov_tls providers_port_tls(const struct provider *p, int port);

const char *providers_tls_name(enum prov_tls tls);
const char *providers_auth_name(enum prov_auth auth);

/* What the admin chose. */
struct prov_choice {
	const char *host;	/* required when p->host is NULL; else overrides it */
	const char *region;	/* NULL: default_region */
	int port;		/* 0: default_port */
	int tls_set;		/* tls below overrides the port's usual mode */
	enum prov_tls tls;	/* (a custom host's implicit-TLS port other than 465) */
	int no_auth;		/* relay by IP (auth optional or none): no SASL settings */
	const char *db_type;	/* the host's default_database_type ("hash") */
	const char *config_dir;	/* Postfix config directory on the target */
	const char *ca_file;	/* smtp_tls_CAfile, or NULL to leave it alone */
};

/* One main.cf edit: value NULL means unset. */
struct prov_edit {
	char *name;
	char *value;
};

struct prov_plan {
	char *host;		/* resolved next-hop host */
	int port;
	enum prov_tls tls;
	int auth;		/* SASL settings included */
	char *nexthop;		/* "[host]:port": relayhost, and the sasl_passwd key */
	char *password_maps;	/* "TYPE:CONFIG_DIR/sasl_passwd", or NULL without auth */
	struct prov_edit *edits;
	size_t nedits;
};

/* providers_settings - the main.cf edits for a choice: relayhost; SASL
 * (auth enable, password maps, noanonymous security options) unless the
 * IP-relay path; smtp_tls_security_level = encrypt; smtp_tls_wrappermode
 * yes for implicit-TLS ports and unset otherwise; smtp_tls_CAfile when
 * given; the provider's postfix settings. ERR_INVALID for an unknown
 * region or a port the provider does not list, a TLS mode that contradicts
 * the catalog's for that port, a missing or bad host. */
int providers_settings(const struct provider *p, const struct prov_choice *c,
		       struct prov_plan *plan, struct err *e);
void providers_plan_free(struct prov_plan *plan);

#endif
