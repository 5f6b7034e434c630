/*
 * setup - the setup wizard's logic, shared by `relaydeck setup` and the
 * console's Setup wizard screen: detect what the target has now, turn
 * the admin's answers into a provider plan, and stage everything in one
 * change set (the sasl_passwd entry through creds, FROM=TO pairs in the
 * smtp_generic_maps table through maps, and main.cf with only the
 * parameters whose value differs).
 *
 * API: setup_detect / setup_state_free; setup_plan (pure apart from a
 * stat of the CA file) fills a prov_plan (free with providers_plan_free);
 * setup_stage edits the caller's main.cf model in place and stages it.
 *
 * Ownership: strings in setup_answers stay the caller's; the password is
 * only read (the caller wipes it with secret_free).
 * Errors: -1 with e filled: ERR_INVALID for a bad answer (user name,
 * rewrite pair, port or region the provider does not list), ERR_NOTFOUND
 * for a missing CA file; the password never appears in a message.
 */
#ifndef RELAYDECK_SETUP_H
#define RELAYDECK_SETUP_H

#include <stddef.h>

#include "buf.h"
#include "creds.h"
#include "err.h"
#include "providers.h"

struct changeset;
struct maincf;
struct params_host;
struct secret;
struct target;

#define SETUP_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* What the target has before setup changes anything. */
struct setup_state {
	int running;		/* 1, 0, or -1 when it could not be told */
	char relayhost[1024];	/* current relayhost, "" when none */
	char db_type[32];	/* default_database_type */
	struct creds_src src;	/* where credentials live (or will) */
	struct creds_entry *entries;
	size_t nentries;
	int have_entries;	/* creds_list ran */
};

/* setup_detect - fill d from the target and its main.cf model m. */
int setup_detect(struct target *t, const struct maincf *m, struct setup_state *d,
		 struct err *e);
void setup_state_free(struct setup_state *d);

/* setup_map_types - the lookup table types the wizard reports, NULL-terminated. */
const char *const *setup_map_types(void);

/* The admin's answers. */
struct setup_answers {
	const char *host;	/* custom host (or override); NULL: the catalog's */
	const char *region;	/* NULL: the provider's default */
	int port;		/* 0: the provider's default */
	int tls_set;		/* tls overrides the port's usual mode */
	enum prov_tls tls;
	const char *user;	/* NULL: the provider's fixed user name */
	int no_auth;		/* relay by IP address (providers where AUTH is optional) */
	const char *ca_file;	/* NULL: the system bundle when the target has it */
	const char *const *rewrites;	/* "FROM=TO" */
	size_t nrewrites;
	int skip_limits;	/* leave the provider's rate settings out */
	int keep_password;	/* no password given: keep the next hop's entry */
};

/* setup_user - the user name the answers mean (a's, else the provider's
 * fixed one; NULL when none); ERR_INVALID when a's contradicts it. */
int setup_user(const struct provider *p, const struct setup_answers *a, const char **user,
	       struct err *e);

/* setup_plan - check the answers and turn them into plan (main.cf edits
 * and the next hop); ERR_INVALID when AUTH is needed and no user given. */
int setup_plan(struct target *t, const struct provider *p, const struct setup_state *d,
	       const struct setup_answers *a, struct prov_plan *plan, struct err *e);

/* setup_stage - stage the credential (when plan->auth; pw must be set
 * unless a->keep_password leaves the existing entry alone),
 * the rewrites and main.cf (m edited in place, staged at maincf_path)
 * into cs. changed gets "name = value" / "name (removed)" lines for the
 * parameters that change; generic gets "type:path" of the rewrite table
 * when there are rewrites. Either buffer may be NULL. */
int setup_stage(struct changeset *cs, struct target *t, struct maincf *m,
		const char *maincf_path, const struct params_host *host, const struct provider *p,
		const struct setup_state *d, const struct setup_answers *a,
		struct prov_plan *plan, const struct secret *pw, struct buf *changed,
		struct buf *generic, struct err *e);

/* setup_stale_credential - after a switch to nexthop: the sasl_passwd
 * entry of the relay d says the target used before (d->relayhost), when
 * nothing will use it any more: it is not the new next hop, no other
 * value of m (main.cf as it will be: smtp_fallback_relay,
 * default_transport = smtp:[host]:port, ...) and no line of master.cf
 * (a service's -o relayhost=) names it, and no value of a transport_maps
 * or sender_dependent_relayhost_maps table does. A file or table that
 * cannot be read counts as using it. Returns 1 with the entry
 * in *out (d's, not a copy), 0 when there is none to remove, -1 with e
 * when main.cf's tables cannot be listed. */
int setup_stale_credential(struct target *t, const struct maincf *m,
			   const struct setup_state *d, const char *nexthop,
			   const struct creds_entry **out, struct err *e);

/* setup_limits_text - "30/min, 10000/day, 500 recipients/message" or
 * "not published", appended to out. */
void setup_limits_text(const struct prov_limits *l, struct buf *out);

#endif
