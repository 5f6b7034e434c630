/*
 * setup - detect, plan and stage a provider choice. See setup.h.
 */
#include "config.h"
#include "setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "changeset.h"
#include "maincf.h"
#include "maps.h"
#include "params.h"
#include "postfix.h"
#include "secrecy.h"
#include "secret.h"
#include "target.h"

/* Lookup table types the wizard reports (from `postconf -m`). */
static const char *const map_types[] = { "hash", "lmdb", "btree", "cdb", "texthash",
					 "regexp", "pcre", "cidr", NULL };

const char *const *setup_map_types(void)
{
	return map_types;
}

/* setup_limits_text - published limits in one line. */
void setup_limits_text(const struct prov_limits *l, struct buf *out)
{
	size_t start = out->len;

	if (l->per_second >= 0)
		buf_printf(out, "%ld/s, ", l->per_second);
	if (l->per_minute >= 0)
		buf_printf(out, "%ld/min, ", l->per_minute);
	if (l->per_hour >= 0)
		buf_printf(out, "%ld/hour, ", l->per_hour);
	if (l->per_day >= 0)
		buf_printf(out, "%ld/day, ", l->per_day);
	if (l->recipients_per_message >= 0)
		buf_printf(out, "%ld recipients/message, ", l->recipients_per_message);
	if (out->len > start)
		out->data[out->len -= 2] = '\0';
	else
		buf_puts(out, "not published");
}

/* setup_detect - only the database type and the credential source are
 * essential; the rest is reported when it can be told. */
int setup_detect(struct target *t, const struct maincf *m, struct setup_state *d,
		 struct err *e)
{
	struct buf v = BUF_INIT;
	struct err ignore;
	const char *rh;

	memset(d, 0, sizeof(*d));
	d->running = postfix_running(t, &ignore);
	/* A copy: the model's string goes away when main.cf is edited. */
	rh = m ? maincf_get(m, "relayhost") : NULL;
	snprintf(d->relayhost, sizeof(d->relayhost), "%s", rh ? rh : "");
	if (postfix_expand(t, "default_database_type", &v, e) < 0) {
		buf_free(&v);
		return -1;
	}
	snprintf(d->db_type, sizeof(d->db_type), "%s", v.len ? v.data : "hash");
	buf_free(&v);
	if (creds_source(t, &d->src, e) < 0)
		return -1;
	if (creds_list(t, &d->src, &d->entries, &d->nentries, &ignore) == 0)
		d->have_entries = 1;
	return 0;
}

void setup_state_free(struct setup_state *d)
{
	creds_list_free(d->entries, d->nentries);
	d->entries = NULL;
	d->nentries = 0;
}

/* table_names - does a value of a file-based table of param name key?
 * 1 also when the table cannot be read (it might). */
static int table_names(struct target *t, const struct map_ref *r, const char *key)
{
	struct buf b = BUF_INIT;
	struct maps *mm;
	struct map_entry me;
	struct err e;
	int found = 0;

	if (r->path[0] != '/' || maps_kind(r->type) == MAP_UNKNOWN)
		return strstr(r->spec, key) != NULL;
	err_clear(&e);
	if (target_read(t, r->path, &b, &e) < 0) {
		buf_free(&b);
		return e.code != ERR_NOTFOUND;
	}
	if ((mm = maps_parse(r->type, r->path, b.data ? b.data : "", b.len, &e)) == NULL)
		found = 1;
	for (size_t i = 0; mm && !found && maps_entry(mm, i, &me) == 0; i++)
		found = strstr(me.value, key) != NULL;
	maps_free(mm);
	buf_free(&b);
	return found;
}

/* maincf_names_relay - does a main.cf value other than relayhost's
 * (smtp_fallback_relay, default_transport = smtp:[host]:port, ...) name
 * key? 1 also when the names cannot be listed. */
static int maincf_names_relay(const struct maincf *m, const char *key)
{
	const char **names;
	size_t n;
	int found = 0;

	if (m == NULL)
		return 0;
	if (maincf_names(m, &names, &n) < 0)
		return 1;
	for (size_t i = 0; i < n && !found; i++) {
		const char *v = maincf_get(m, names[i]);

		found = strcmp(names[i], "relayhost") != 0 && v && strcasestr(v, key) != NULL;
	}
	free(names);
	return found;
}

/* master_names_relay - does a line of master.cf that is not a comment
 * (a service's -o relayhost=, -o smtp_fallback_relay=) name key? 1 also
 * when master.cf cannot be read (it might). */
static int master_names_relay(struct target *t, const char *key)
{
	struct buf b = BUF_INIT;
	char *path = target_config_path(t, "master.cf");
	struct err e;
	int found = 0;

	err_clear(&e);
	if (path == NULL)
		return 1;
	if (target_read(t, path, &b, &e) < 0) {
		found = e.code != ERR_NOTFOUND;
	} else {
		for (char *l = b.data; l && *l && !found;) {
			char *nl = strchr(l, '\n');

			if (nl)
				*nl = '\0';
			if (l[strspn(l, " \t")] != '#')
				found = strcasestr(l, key) != NULL;
			l = nl ? nl + 1 : NULL;
		}
	}
	buf_free(&b);
	free(path);
	return found;
}

/* setup_stale_credential - see setup.h. */
int setup_stale_credential(struct target *t, const struct maincf *m,
			   const struct setup_state *d, const char *nexthop,
			   const struct creds_entry **out, struct err *e)
{
	const struct creds_entry *ce = NULL;
	struct map_ref *refs = NULL;
	size_t n = 0;
	int used = 0;

	*out = NULL;
	if (d->relayhost[0] == '\0' || strcasecmp(d->relayhost, nexthop) == 0)
		return 0;
	for (size_t i = 0; i < d->nentries; i++)
		if (strcasecmp(d->entries[i].key, d->relayhost) == 0)
			ce = &d->entries[i];
	if (ce == NULL || maincf_names_relay(m, d->relayhost) ||
	    master_names_relay(t, d->relayhost))
		return 0;
	if (maps_refs(t, &refs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && !used; i++)
		if (strcmp(refs[i].param, "transport_maps") == 0 ||
		    strcmp(refs[i].param, "sender_dependent_relayhost_maps") == 0)
			used = table_names(t, &refs[i], d->relayhost);
	maps_refs_free(refs, n);
	if (used)
		return 0;
	*out = ce;
	return 1;
}

/* setup_user - the answer's user name must agree with a fixed one. */
int setup_user(const struct provider *p, const struct setup_answers *a, const char **user,
	       struct err *e)
{
	const char *u = a->user && *a->user ? a->user : NULL;

	*user = u ? u : p->username;
	if (p->username && u && strcmp(p->username, u) != 0)
		return err_set(e, ERR_INVALID, "provider %s takes the user name '%s', not '%.64s'",
			       p->id, p->username, u);
	if (p->auth == PROV_AUTH_NONE && u)
		return err_set(e, ERR_INVALID, "provider %s relays without SMTP AUTH: no user name",
			       p->id);
	return 0;
}

/* setup_plan - the CA bundle, the choice, providers_settings. */
int setup_plan(struct target *t, const struct provider *p, const struct setup_state *d,
	       const struct setup_answers *a, struct prov_plan *plan, struct err *e)
{
	struct prov_choice choice;
	struct target_stat st;
	struct err ve;
	const char *user;

	memset(plan, 0, sizeof(*plan));
	memset(&choice, 0, sizeof(choice));
	if (setup_user(p, a, &user, e) < 0)
		return -1;
	/* The CA bundle: the one given (it must exist there), else the system's. */
	if (a->ca_file) {
		if (target_stat(t, a->ca_file, &st, e) < 0)
			return -1;
		if (!st.exists || st.is_dir)
			return err_set(e, ERR_NOTFOUND, "CA file %.200s: no such file on %s",
				       a->ca_file, t->name);
		choice.ca_file = a->ca_file;
	} else if (target_stat(t, SETUP_SYSTEM_CA_BUNDLE, &st, &ve) == 0 && st.exists &&
		   !st.is_dir) {
		choice.ca_file = SETUP_SYSTEM_CA_BUNDLE;
	}
	choice.host = a->host && *a->host ? a->host : NULL;
	choice.region = a->region && *a->region ? a->region : NULL;
	choice.port = a->port;
	choice.tls_set = a->tls_set;
	choice.tls = a->tls;
	choice.no_auth = a->no_auth || (p->auth == PROV_AUTH_OPTIONAL && user == NULL);
	choice.db_type = d->db_type;
	choice.config_dir = t->config_dir;
	if (providers_settings(p, &choice, plan, e) < 0)
		return -1;
	if (plan->auth && user == NULL) {
		providers_plan_free(plan);
		return err_set(e, ERR_INVALID, "provider %s needs a user name: %s", p->id,
			       p->username_hint ? p->username_hint : "the SMTP user name");
	}
	return 0;
}

/* generic_table - the smtp_generic_maps source to edit: the first file-based
 * table main.cf names, else DB_TYPE:CONFIG_DIR/generic (*add_param = 1). */
static int generic_table(struct target *t, const struct maincf *m, const struct setup_state *d,
			 char **type, char **path, int *add_param, struct err *e)
{
	struct map_ref *refs = NULL;
	size_t n = 0;
	const char *cur = maincf_get(m, "smtp_generic_maps");

	*type = *path = NULL;
	*add_param = 0;
	if (cur && *cur) {
		if (maps_refs(t, &refs, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n && *type == NULL; i++) {
			enum map_kind k = maps_kind(refs[i].type);

			if (strcmp(refs[i].param, "smtp_generic_maps") == 0 && refs[i].path[0] == '/' &&
			    (k == MAP_INDEXED || k == MAP_TEXTHASH)) {
				*type = strdup(refs[i].type);
				*path = strdup(refs[i].path);
			}
		}
		maps_refs_free(refs, n);
		if (*type == NULL)
			return err_set(e, ERR_INVALID,
				       "smtp_generic_maps = %.200s has no hash-style table file "
				       "for the rewrites to edit",
				       cur);
	} else {
		*type = strdup(d->db_type);
		*path = target_config_path(t, "generic");
		*add_param = 1;
	}
	if (*type == NULL || *path == NULL) {
		free(*type);
		free(*path);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* plan_add - append a main.cf edit to the plan. */
static int plan_add(struct prov_plan *plan, const char *name, const char *value, struct err *e)
{
	struct prov_edit *ed = realloc(plan->edits, (plan->nedits + 1) * sizeof(*ed));

	if (ed == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	plan->edits = ed;
	ed[plan->nedits].name = strdup(name);
	ed[plan->nedits].value = strdup(value);
	if (ed[plan->nedits].name == NULL || ed[plan->nedits].value == NULL) {
		free(ed[plan->nedits].name);
		free(ed[plan->nedits].value);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	plan->nedits++;
	return 0;
}

/* stage_rewrites - add FROM TO entries to the generic table in cs; may add
 * a smtp_generic_maps edit to plan. */
static int stage_rewrites(struct changeset *cs, struct target *t, const struct maincf *m,
			  const struct setup_state *d, const struct setup_answers *a,
			  struct prov_plan *plan, struct buf *spec_out, struct err *e)
{
	char *type = NULL, *path = NULL;
	struct buf data = BUF_INIT, spec = BUF_INIT;
	struct maps *mm = NULL;
	int add_param, rc = -1;

	for (size_t i = 0; i < a->nrewrites; i++) {
		const char *eq = strchr(a->rewrites[i], '=');

		if (eq == NULL || eq == a->rewrites[i] || eq[1] == '\0')
			return err_set(e, ERR_INVALID, "rewrite wants FROM=TO, not '%.200s'",
				       a->rewrites[i]);
	}
	if (generic_table(t, m, d, &type, &path, &add_param, e) < 0)
		return -1;
	if (target_read(t, path, &data, e) < 0) {
		if (e->code != ERR_NOTFOUND)
			goto out;
		err_clear(e);
		buf_reset(&data);
	}
	if ((mm = maps_parse(type, path, data.data ? data.data : "", data.len, e)) == NULL)
		goto out;
	for (size_t i = 0; i < a->nrewrites; i++) {
		const char *eq = strchr(a->rewrites[i], '=');
		char *from = strndup(a->rewrites[i], (size_t)(eq - a->rewrites[i]));
		int r;

		if (from == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		r = maps_check_entry(maps_kind(type), from, eq + 1, e);
		if (r == 0) {
			const char *old = maps_get(mm, from);

			if (old == NULL || strcmp(old, eq + 1) != 0)
				r = maps_set(mm, from, eq + 1, e);
		}
		free(from);
		if (r < 0)
			goto out;
	}
	if (maps_stage(cs, mm, 0644, 0, e) < 0)
		goto out;
	if (buf_printf(&spec, "%s:%s", type, path) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (spec_out)
		buf_append(spec_out, spec.data, spec.len);
	if (add_param && plan_add(plan, "smtp_generic_maps", spec.data, e) < 0)
		goto out;
	rc = 0;
out:
	maps_free(mm);
	buf_free(&data);
	buf_free(&spec);
	free(type);
	free(path);
	return rc;
}

/* is_limit - is name one of the provider's rate settings? */
static int is_limit(const struct provider *p, const char *name)
{
	for (size_t i = 0; i < p->npostfix; i++)
		if (strcmp(p->postfix[i].name, name) == 0)
			return 1;
	return 0;
}

/* edit_maincf - apply the plan's edits whose value differs. */
static int edit_maincf(struct maincf *m, const struct params_host *host,
		       const struct provider *p, const struct setup_answers *a,
		       const struct prov_plan *plan, const struct setup_state *d,
		       struct buf *changed, struct err *e)
{
	for (size_t i = 0; i < plan->nedits; i++) {
		const struct prov_edit *ed = &plan->edits[i];
		const char *cur = maincf_get(m, ed->name);

		/* Credentials already configured elsewhere stay where they are. */
		if (strcmp(ed->name, "smtp_sasl_password_maps") == 0 && d->src.configured)
			continue;
		if (a->skip_limits && is_limit(p, ed->name))
			continue;
		if (ed->value == NULL) {
			if (cur == NULL)
				continue;
			if (maincf_unset(m, ed->name, e) < 0)
				return -1;
		} else {
			if (cur && strcmp(cur, ed->value) == 0)
				continue;
			if (params_validate_name_value(host, ed->name, ed->value, e) < 0 ||
			    maincf_set(m, ed->name, ed->value, e) < 0)
				return -1;
		}
		if (changed == NULL)
			continue;
		if (ed->value)
			buf_printf(changed, "%s = %s\n", ed->name, ed->value);
		else
			buf_printf(changed, "%s (removed)\n", ed->name);
	}
	return 0;
}

/* setup_stage - credential, rewrites, then main.cf (which may gain
 * smtp_generic_maps from the rewrites). */
int setup_stage(struct changeset *cs, struct target *t, struct maincf *m,
		const char *maincf_path, const struct params_host *host, const struct provider *p,
		const struct setup_state *d, const struct setup_answers *a,
		struct prov_plan *plan, const struct secret *pw, struct buf *changed,
		struct buf *generic, struct err *e)
{
	struct buf bytes = BUF_INIT;
	const char *user;
	int rc = -1;

	if (setup_user(p, a, &user, e) < 0)
		return -1;
	if (plan->auth && !(pw == NULL && a->keep_password)) {
		if (user == NULL || pw == NULL || pw->data == NULL)
			return err_set(e, ERR_INVALID, "provider %s needs a user name and a password",
				       p->id);
		if (creds_check_user(user, e) < 0 || creds_check_password(pw, e) < 0 ||
		    creds_set(cs, t, &d->src, plan->nexthop, user, pw, e) < 0)
			return -1;
	}
	if (a->nrewrites && stage_rewrites(cs, t, m, d, a, plan, generic, e) < 0)
		return -1;
	if (edit_maincf(m, host, p, a, plan, d, changed, e) < 0)
		goto out;
	/* Credentials configured elsewhere stay where they are, but not when
	 * the password sits in main.cf itself (static:, inline:). */
	if (secrecy_check_maincf(NULL, m, e) < 0)
		goto out;
	if (maincf_serialize(m, &bytes) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (changeset_stage(cs, maincf_path, bytes.data ? bytes.data : "", bytes.len, 0644, 0,
			    e) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&bytes);
	return rc;
}
