/*
 * cli_setup - `relaydeck providers [--json]` and the setup wizard's
 * non-interactive path:
 *
 *   relaydeck setup --provider ID [--host HOST] [--region R] [--port P]
 *       [--tls starttls|implicit] [--user U] [--password-file FILE|-] [--ca-file FILE]
 *       [--rewrite FROM=TO]... [--yes]
 *
 * setup detects the current state (Postfix running, relayhost, sasl_passwd
 * entries, default_database_type, lookup table types), turns the choice
 * into main.cf edits with providers_settings, and builds ONE change set:
 * main.cf (only parameters whose value differs), the sasl_passwd entry
 * (creds API, 0600, postmap) and smtp_generic_maps entries (maps API).
 * The diff (secrets masked) is shown on a terminal, then confirmed or
 * --yes, then applied (backup, postmap, postfix check, reload).
 *
 * --tls is for a custom host whose implicit-TLS port is not 465 or 2465;
 * for catalog ports it must agree with the catalog.
 *
 * The password never comes from argv: --password-file FILE (0600), or
 * stdin ("-", or no terminal), or a prompt without echo on a terminal.
 * Its buffer is wiped (secret_free) as soon as it is staged.
 */
#include "config.h"
#include "cli_setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "changeset.h"
#include "cli.h"
#include "cli_int.h"
#include "creds.h"
#include "json.h"
#include "maincf.h"
#include "maps.h"
#include "params.h"
#include "postfix.h"
#include "providers.h"
#include "secret.h"
#include "target.h"
#include "valid.h"

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define MAX_REWRITES 64

/* Lookup table types the wizard reports (from `postconf -m`). */
static const char *const map_types[] = { "hash", "lmdb", "btree", "cdb", "texthash",
					 "regexp", "pcre", "cidr" };

/* limits_text - "30/min, 10000/day, 500 recipients/message" (or "not published"). */
static void limits_text(const struct prov_limits *l, struct buf *out)
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

/* json_limit - one limit, null when unpublished. */
static void json_limit(struct json *j, const char *key, long v)
{
	json_key(j, key);
	if (v >= 0)
		json_int(j, v);
	else
		json_null(j);
}

/* json_provider - one catalog entry. */
static void json_provider(struct json *j, const struct provider *p)
{
	json_obj_begin(j);
	json_kv_str(j, "id", p->id);
	json_kv_str(j, "name", p->name);
	json_kv_str(j, "host", p->host);
	json_kv_str(j, "host_hint", p->host_hint);
	json_key(j, "regions");
	json_arr_begin(j);
	for (size_t i = 0; i < p->nregions; i++)
		json_str(j, p->regions[i].id);
	json_arr_end(j);
	json_kv_str(j, "default_region", p->default_region);
	json_key(j, "ports");
	json_arr_begin(j);
	for (size_t i = 0; i < p->nports; i++) {
		json_obj_begin(j);
		json_kv_int(j, "port", p->ports[i].port);
		json_kv_str(j, "tls", providers_tls_name(p->ports[i].tls));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_kv_int(j, "default_port", p->default_port);
	json_kv_str(j, "auth", providers_auth_name(p->auth));
	json_kv_str(j, "username", p->username);
	json_kv_str(j, "username_hint", p->username_hint);
	json_key(j, "limits");
	json_obj_begin(j);
	json_limit(j, "per_second", p->limits.per_second);
	json_limit(j, "per_minute", p->limits.per_minute);
	json_limit(j, "per_hour", p->limits.per_hour);
	json_limit(j, "per_day", p->limits.per_day);
	json_limit(j, "recipients_per_message", p->limits.recipients_per_message);
	json_kv_str(j, "note", p->limits.note);
	json_obj_end(j);
	json_key(j, "postfix");
	json_obj_begin(j);
	for (size_t i = 0; i < p->npostfix; i++)
		json_kv_str(j, p->postfix[i].name, p->postfix[i].value);
	json_obj_end(j);
	json_kv_str(j, "notice", p->notice);
	json_kv_str(j, "notes", p->notes);
	json_kv_str(j, "file", p->file);
	json_obj_end(j);
}

int cli_cmd_providers(struct cli_ctx *c, int argc, char **argv)
{
	struct provider_catalog *cat;
	struct buf out = BUF_INIT;

	(void)argv;
	if (argc > 1)
		return cli_usage_error(c, "providers takes no arguments (besides --json)");
	if ((cat = providers_load(&c->e)) == NULL)
		return cli_fail(c);
	if (c->o->json) {
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "providers");
		json_arr_begin(&j);
		for (size_t i = 0; i < cat->n; i++)
			json_provider(&j, &cat->v[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		for (size_t i = 0; i < cat->n; i++) {
			const struct provider *p = &cat->v[i];

			printf("%-24s %s\n", p->id, p->name);
			printf("    host:  %s", p->host ? p->host : "(--host) ");
			if (!p->host && p->host_hint)
				printf("%s", p->host_hint);
			putchar('\n');
			if (p->nregions) {
				printf("    regions:");
				for (size_t k = 0; k < p->nregions; k++)
					printf(" %s%s", p->regions[k].id,
					       strcmp(p->regions[k].id, p->default_region) ? "" : "*");
				putchar('\n');
			}
			printf("    ports:");
			for (size_t k = 0; k < p->nports; k++)
				printf(" %d/%s%s", p->ports[k].port, providers_tls_name(p->ports[k].tls),
				       p->ports[k].port == p->default_port ? "*" : "");
			printf("\n    auth:  %s", providers_auth_name(p->auth));
			if (p->username)
				printf(" (user name: %s)", p->username);
			buf_reset(&out);
			limits_text(&p->limits, &out);
			printf("\n    limits: %s\n", out.data);
		}
	}
	buf_free(&out);
	providers_free(cat);
	return EXIT_OK;
}

/* --- setup ---------------------------------------------------------------- */

struct setup_opts {
	const char *provider, *host, *region, *port, *tls, *user, *password_file, *ca_file;
	const char *rewrite[MAX_REWRITES];
	size_t nrewrite;
};

/* take - "--name VALUE" or "--name=VALUE" at argv[*i]; 1 when it matched. */
static int take(int argc, char **argv, int *i, const char *name, const char **out, int *bad)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		*bad = 1;
		return 1;
	}
	*out = argv[++*i];
	return 1;
}

/* parse_opts - setup's options; -1 with c->e set on a usage error. */
static int parse_opts(struct cli_ctx *c, int argc, char **argv, struct setup_opts *so)
{
	memset(so, 0, sizeof(*so));
	for (int i = 1; i < argc; i++) {
		const char *rw = NULL;
		int bad = 0;

		if (take(argc, argv, &i, "--provider", &so->provider, &bad) ||
		    take(argc, argv, &i, "--host", &so->host, &bad) ||
		    take(argc, argv, &i, "--region", &so->region, &bad) ||
		    take(argc, argv, &i, "--port", &so->port, &bad) ||
		    take(argc, argv, &i, "--tls", &so->tls, &bad) ||
		    take(argc, argv, &i, "--user", &so->user, &bad) ||
		    take(argc, argv, &i, "--password-file", &so->password_file, &bad) ||
		    take(argc, argv, &i, "--ca-file", &so->ca_file, &bad)) {
			if (bad)
				return err_set(&c->e, ERR_USAGE, "setup: %s needs a value", argv[i]);
			continue;
		}
		if (take(argc, argv, &i, "--rewrite", &rw, &bad)) {
			if (bad)
				return err_set(&c->e, ERR_USAGE, "setup: --rewrite needs FROM=TO");
			if (so->nrewrite == MAX_REWRITES)
				return err_set(&c->e, ERR_USAGE, "setup: at most %d --rewrite",
					       MAX_REWRITES);
			so->rewrite[so->nrewrite++] = rw;
			continue;
		}
		if (strncmp(argv[i], "--password", 10) == 0)
			return err_set(&c->e, ERR_USAGE,
				       "setup: a password is never taken from the command line; "
				       "use --password-file FILE or stdin");
		return err_set(&c->e, ERR_USAGE, "setup: unknown argument '%.100s'", argv[i]);
	}
	if (so->tls && strcmp(so->tls, "starttls") != 0 && strcmp(so->tls, "implicit") != 0)
		return err_set(&c->e, ERR_USAGE, "setup: --tls takes starttls or implicit");
	if (so->provider == NULL)
		return err_set(&c->e, ERR_USAGE,
			       "setup needs --provider ID (see `relaydeck providers`)");
	return 0;
}

/* What setup found on the target before changing anything. */
struct detect {
	int running;		/* 1, 0, or -1 when it could not be told */
	const char *relayhost;	/* current (points at relayhost_buf), or NULL */
	char relayhost_buf[1024];
	char db_type[32];
	struct creds_src src;
	struct creds_entry *entries;
	size_t nentries;
	int have_entries;	/* creds_list ran */
};

/* detect_state - fill d; only the database type is essential. */
static int detect_state(struct cli_ctx *c, struct detect *d)
{
	struct buf v = BUF_INIT;
	struct err ignore;

	memset(d, 0, sizeof(*d));
	d->running = postfix_running(c->t, &ignore);
	/* A copy: the model's string goes away with the edits below. */
	d->relayhost = maincf_get(c->m, "relayhost");
	if (d->relayhost && *d->relayhost) {
		snprintf(d->relayhost_buf, sizeof(d->relayhost_buf), "%s", d->relayhost);
		d->relayhost = d->relayhost_buf;
	} else {
		d->relayhost = NULL;
	}
	if (postfix_expand(c->t, "default_database_type", &v, &c->e) < 0) {
		buf_free(&v);
		return -1;
	}
	snprintf(d->db_type, sizeof(d->db_type), "%s", v.len ? v.data : "hash");
	buf_free(&v);
	if (creds_source(c->t, &d->src, &c->e) < 0)
		return -1;
	if (creds_list(c->t, &d->src, &d->entries, &d->nentries, &ignore) == 0)
		d->have_entries = 1;
	return 0;
}

static void detect_free(struct detect *d)
{
	creds_list_free(d->entries, d->nentries);
}

/* prompt_password - read a password from the terminal without echo. */
static int prompt_password(struct cli_ctx *c, const char *user, const char *nexthop,
			   struct secret *pw)
{
	struct termios old, quiet;
	int rc;

	fprintf(stderr, "Password for %s at %s: ", user, nexthop);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return err_sys(&c->e, "terminal");
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
		return err_sys(&c->e, "terminal");
	rc = secret_read_fd(STDIN_FILENO, "the terminal", pw, &c->e);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* read_password - --password-file FILE, "-" or stdin, or a prompt on a terminal. */
static int read_password(struct cli_ctx *c, const char *file, const char *user,
			 const char *nexthop, struct secret *pw)
{
	if (file && strcmp(file, "-") != 0)
		return secret_read_file(file, pw, &c->e);
	if (file == NULL && isatty(STDIN_FILENO))
		return prompt_password(c, user, nexthop, pw);
	return secret_read_fd(STDIN_FILENO, "stdin", pw, &c->e);
}

/* generic_table - the smtp_generic_maps source to edit: the first file-based
 * table main.cf names, else DB_TYPE:CONFIG_DIR/generic (*add_param = 1). */
static int generic_table(struct cli_ctx *c, const struct detect *d, char **type, char **path,
			 int *add_param)
{
	struct map_ref *refs = NULL;
	size_t n = 0;
	const char *cur = maincf_get(c->m, "smtp_generic_maps");

	*type = *path = NULL;
	*add_param = 0;
	if (cur && *cur) {
		if (maps_refs(c->t, &refs, &n, &c->e) < 0)
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
			return err_set(&c->e, ERR_INVALID,
				       "smtp_generic_maps = %.200s has no hash-style table file "
				       "for --rewrite to edit",
				       cur);
	} else {
		*type = strdup(d->db_type);
		*path = target_config_path(c->t, "generic");
		*add_param = 1;
	}
	if (*type == NULL || *path == NULL) {
		free(*type);
		free(*path);
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* stage_rewrites - add FROM TO entries to the generic table in cs; may add
 * a smtp_generic_maps edit to plan. */
static int stage_rewrites(struct cli_ctx *c, const struct detect *d, const struct setup_opts *so,
			  struct changeset *cs, struct prov_plan *plan, struct buf *spec_out)
{
	char *type = NULL, *path = NULL;
	struct buf data = BUF_INIT;
	struct maps *mm = NULL;
	int add_param, rc = -1;

	for (size_t i = 0; i < so->nrewrite; i++) {
		const char *eq = strchr(so->rewrite[i], '=');

		if (eq == NULL || eq == so->rewrite[i] || eq[1] == '\0')
			return err_set(&c->e, ERR_USAGE, "setup: --rewrite wants FROM=TO, not '%.200s'",
				       so->rewrite[i]);
	}
	if (generic_table(c, d, &type, &path, &add_param) < 0)
		return -1;
	if (target_read(c->t, path, &data, &c->e) < 0) {
		if (c->e.code != ERR_NOTFOUND)
			goto out;
		err_clear(&c->e);
		buf_reset(&data);
	}
	if ((mm = maps_parse(type, path, data.data ? data.data : "", data.len, &c->e)) == NULL)
		goto out;
	for (size_t i = 0; i < so->nrewrite; i++) {
		const char *eq = strchr(so->rewrite[i], '=');
		char *from = strndup(so->rewrite[i], (size_t)(eq - so->rewrite[i]));
		int r;

		if (from == NULL) {
			err_set(&c->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		r = maps_check_entry(maps_kind(type), from, eq + 1, &c->e);
		if (r == 0) {
			const char *old = maps_get(mm, from);

			if (old == NULL || strcmp(old, eq + 1) != 0)
				r = maps_set(mm, from, eq + 1, &c->e);
		}
		free(from);
		if (r < 0)
			goto out;
	}
	if (maps_stage(cs, mm, 0644, 0, &c->e) < 0)
		goto out;
	buf_printf(spec_out, "%s:%s", type, path);
	if (add_param) {
		struct prov_edit *ed = realloc(plan->edits, (plan->nedits + 1) * sizeof(*ed));

		if (ed == NULL) {
			err_set(&c->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		plan->edits = ed;
		ed[plan->nedits].name = strdup("smtp_generic_maps");
		ed[plan->nedits].value = strdup(spec_out->data);
		if (ed[plan->nedits].name == NULL || ed[plan->nedits].value == NULL) {
			free(ed[plan->nedits].name);
			free(ed[plan->nedits].value);
			err_set(&c->e, ERR_NOMEM, "out of memory");
			goto out;
		}
		plan->nedits++;
	}
	rc = 0;
out:
	maps_free(mm);
	buf_free(&data);
	free(type);
	free(path);
	return rc;
}

/* edit_maincf - apply the plan's edits whose value differs; the changed
 * parameters go to changed, one "name = value" or "name (removed)" a line. */
static int edit_maincf(struct cli_ctx *c, const struct prov_plan *plan, const struct detect *d,
		       struct buf *changed)
{
	for (size_t i = 0; i < plan->nedits; i++) {
		const struct prov_edit *ed = &plan->edits[i];
		const char *cur = maincf_get(c->m, ed->name);

		/* Credentials already configured elsewhere stay where they are. */
		if (strcmp(ed->name, "smtp_sasl_password_maps") == 0 && d->src.configured)
			continue;
		if (ed->value == NULL) {
			if (cur == NULL)
				continue;
			if (maincf_unset(c->m, ed->name, &c->e) < 0)
				return -1;
		} else {
			if (cur && strcmp(cur, ed->value) == 0)
				continue;
			if (params_validate_name_value(c->host, ed->name, ed->value, &c->e) < 0 ||
			    maincf_set(c->m, ed->name, ed->value, &c->e) < 0)
				return -1;
		}
		if (ed->value)
			buf_printf(changed, "%s = %s\n", ed->name, ed->value);
		else
			buf_printf(changed, "%s (removed)\n", ed->name);
	}
	return 0;
}

/* print_detect_text - what setup found, for people. */
static void print_detect_text(struct cli_ctx *c, const struct detect *d)
{
	printf("Postfix in %s: %s\n", c->t->config_dir,
	       d->running == 1 ? "running" : d->running == 0 ? "not running" : "state unknown");
	printf("current relayhost: %s\n", d->relayhost ? d->relayhost : "(none: direct delivery)");
	printf("credentials: %s:%s%s", d->src.type, d->src.path,
	       d->src.configured ? "" : " (not configured yet)");
	if (d->have_entries) {
		printf(", %zu entr%s\n", d->nentries, d->nentries == 1 ? "y" : "ies");
		for (size_t i = 0; i < d->nentries; i++)
			printf("    %s %s\n", d->entries[i].key, d->entries[i].masked);
	} else {
		putchar('\n');
	}
	printf("default_database_type: %s; lookup table types:", d->db_type);
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (params_host_has_map_type(c->host, map_types[i]))
			printf(" %s", map_types[i]);
	putchar('\n');
}

/* print_plan_text - the choice and the parameters that change. */
static void print_plan_text(const struct provider *p, const struct prov_plan *plan,
			    const char *user, const struct buf *changed)
{
	struct buf lim = BUF_INIT;

	limits_text(&p->limits, &lim);
	printf("provider: %s; next hop %s (%s)", p->name, plan->nexthop,
	       plan->tls == PROV_TLS_IMPLICIT ? "implicit TLS" : "STARTTLS");
	if (plan->auth)
		printf(", SMTP AUTH as %s\n", user);
	else
		printf(", no SMTP AUTH (relay by IP address)\n");
	printf("published limits: %s\n", lim.data);
	if (p->limits.note)
		printf("    %s\n", p->limits.note);
	if (changed->len)
		printf("main.cf parameters that change:\n%s", changed->data);
	else
		printf("main.cf parameters: already as this choice needs\n");
	buf_free(&lim);
}

/* apply_json - confirm and apply, then one JSON object for the whole run. */
static int apply_json(struct cli_ctx *c, struct changeset *cs, const char *desc,
		      const struct provider *p, const struct prov_plan *plan,
		      const struct detect *d, const struct buf *changed, const char *user)
{
	struct buf out = BUF_INIT, diff = BUF_INIT;
	struct apply_report r;
	struct json j;
	size_t nchanged;
	int ok = 1, applied = 0, status = EXIT_OK;

	apply_report_init(&r);
	if (changeset_diff(cs, &diff, &c->e) < 0)
		goto fail;
	nchanged = changeset_changed(cs, &c->e);
	if (nchanged) {
		char question[512];
		int go;

		snprintf(question, sizeof(question), "Apply %zu changed files to %s?", nchanged,
			 c->t->config_dir);
		if ((go = cli_confirm(c, question)) < 0)
			goto fail;
		if (go == 0) {
			ok = 0;
			status = EXIT_FAILED;
			err_set(&c->e, ERR_USAGE, "not applied");
		} else if (changeset_apply(cs, desc, &r, &c->e) < 0) {
			ok = 0;
			status = cli_exit_code(&c->e);
		} else {
			applied = 1;
		}
	}
	json_init(&j, &out);
	json_obj_begin(&j);
	json_kv_bool(&j, "ok", ok);
	json_kv_str(&j, "action", "setup");
	json_kv_str(&j, "provider", p->id);
	json_kv_str(&j, "nexthop", plan->nexthop);
	json_kv_str(&j, "tls", providers_tls_name(plan->tls));
	json_kv_bool(&j, "auth", plan->auth);
	json_kv_str(&j, "user", plan->auth ? user : NULL);
	json_kv_str(&j, "notice", p->notice);
	json_key(&j, "detected");
	json_obj_begin(&j);
	json_key(&j, "running");
	if (d->running < 0)
		json_null(&j);
	else
		json_bool(&j, d->running);
	json_kv_str(&j, "relayhost", d->relayhost);
	json_kv_str(&j, "default_database_type", d->db_type);
	json_key(&j, "map_types");
	json_arr_begin(&j);
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (params_host_has_map_type(c->host, map_types[i]))
			json_str(&j, map_types[i]);
	json_arr_end(&j);
	json_key(&j, "credentials");
	json_arr_begin(&j);
	for (size_t i = 0; i < d->nentries; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "key", d->entries[i].key);
		json_kv_str(&j, "user", d->entries[i].user);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_key(&j, "parameters");
	json_arr_begin(&j);
	for (const char *s = changed->data; s && *s;) {
		const char *nl = strchr(s, '\n');
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, " \n"), s);
		json_str(&j, name);
		s = nl ? nl + 1 : s + strlen(s);
	}
	json_arr_end(&j);
	json_kv_int(&j, "changed", (long long)nchanged);
	json_kv_bool(&j, "applied", applied);
	json_kv_str(&j, "backup", r.backup_id[0] ? r.backup_id : NULL);
	json_kv_bool(&j, "validated", r.validated);
	json_kv_bool(&j, "reloaded", r.reloaded);
	json_kv_bool(&j, "restored", r.restored);
	json_kv_str(&j, "diff", diff.data ? diff.data : "");
	if (!ok) {
		json_key(&j, "error");
		json_obj_begin(&j);
		json_kv_str(&j, "code", err_code_name(c->e.code));
		json_kv_str(&j, "message", c->e.msg);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	printf("%s\n", out.data);
	if (!ok && status != EXIT_FAILED)
		cli_report_error(&(struct cli_opts){ .json = 0 }, &c->e);
	goto out;
fail:
	status = cli_fail(c);
out:
	apply_report_free(&r);
	buf_free(&diff);
	buf_free(&out);
	return status;
}

int cli_cmd_setup(struct cli_ctx *c, int argc, char **argv)
{
	struct setup_opts so;
	struct provider_catalog *cat = NULL;
	const struct provider *p;
	struct prov_choice choice = { 0 };
	struct prov_plan plan = { 0 };
	struct detect d = { 0 };
	struct changeset *cs = NULL;
	struct buf changed = BUF_INIT, bytes = BUF_INIT, generic = BUF_INIT;
	struct target_stat st;
	struct err ve;
	const char *user = NULL;
	char desc[256];
	int status = EXIT_OK;

	if (parse_opts(c, argc, argv, &so) < 0)
		return cli_fail(c);
	if (so.port && valid_port(so.port, &ve) < 0) {
		err_set(&c->e, ERR_USAGE, "setup: --port %.20s: %s", so.port, ve.msg);
		return cli_fail(c);
	}
	if ((cat = providers_load(&c->e)) == NULL)
		return cli_fail(c);
	if ((p = providers_find(cat, so.provider)) == NULL) {
		err_set(&c->e, ERR_NOTFOUND, "unknown provider '%.64s' (see `relaydeck providers`)",
			so.provider);
		goto fail;
	}
	if (p->notice && !c->o->json)
		printf("NOTICE (%s): %s\n\n", p->name, p->notice);
	if (p->auth == PROV_AUTH_NONE && (so.user || so.password_file)) {
		err_set(&c->e, ERR_USAGE, "provider %s relays without SMTP AUTH: drop --user and "
			"--password-file", p->id);
		goto fail;
	}
	user = so.user ? so.user : p->username;
	if (p->username && so.user && strcmp(p->username, so.user) != 0) {
		err_set(&c->e, ERR_INVALID, "provider %s takes the user name '%s', not '%.64s'",
			p->id, p->username, so.user);
		goto fail;
	}
	if (cli_ctx_host(c) < 0 || detect_state(c, &d) < 0)
		goto fail;

	/* The CA bundle: the one given (it must exist there), else the system's. */
	if (so.ca_file) {
		if (target_stat(c->t, so.ca_file, &st, &c->e) < 0)
			goto fail;
		if (!st.exists || st.is_dir) {
			err_set(&c->e, ERR_NOTFOUND, "--ca-file %.200s: no such file on %s", so.ca_file,
				c->t->name);
			goto fail;
		}
		choice.ca_file = so.ca_file;
	} else if (target_stat(c->t, SYSTEM_CA_BUNDLE, &st, &ve) == 0 && st.exists && !st.is_dir) {
		choice.ca_file = SYSTEM_CA_BUNDLE;
	}
	choice.host = so.host;
	choice.region = so.region;
	choice.port = so.port ? atoi(so.port) : 0;
	if (so.tls) {
		choice.tls_set = 1;
		choice.tls = strcmp(so.tls, "implicit") == 0 ? PROV_TLS_IMPLICIT : PROV_TLS_STARTTLS;
	}
	/* Optional AUTH without a user name is the relay-by-IP path. */
	choice.no_auth = p->auth == PROV_AUTH_OPTIONAL && user == NULL && so.password_file == NULL;
	choice.db_type = d.db_type;
	choice.config_dir = c->t->config_dir;
	if (providers_settings(p, &choice, &plan, &c->e) < 0)
		goto fail;
	if (plan.auth && user == NULL) {
		err_set(&c->e, ERR_USAGE, "provider %s needs --user: %s", p->id,
			p->username_hint ? p->username_hint : "the SMTP user name");
		goto fail;
	}
	if ((cs = changeset_new(c->t)) == NULL) {
		err_set(&c->e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (plan.auth) {
		struct secret pw = { 0 };
		int r;

		if (creds_check_user(user, &c->e) < 0)
			goto fail;
		r = read_password(c, so.password_file, user, plan.nexthop, &pw);
		if (r == 0)
			r = creds_check_password(&pw, &c->e);
		if (r == 0)
			r = creds_set(cs, c->t, &d.src, plan.nexthop, user, &pw, &c->e);
		secret_free(&pw);
		if (r < 0)
			goto fail;
	}
	if (so.nrewrite && stage_rewrites(c, &d, &so, cs, &plan, &generic) < 0)
		goto fail;
	if (edit_maincf(c, &plan, &d, &changed) < 0 || maincf_serialize(c->m, &bytes) < 0 ||
	    changeset_stage(cs, c->maincf_path, bytes.data ? bytes.data : "", bytes.len, 0644, 0,
			    &c->e) < 0)
		goto fail;
	snprintf(desc, sizeof(desc), "setup %s %s", p->id, plan.nexthop);
	if (c->o->json) {
		status = apply_json(c, cs, desc, p, &plan, &d, &changed, user);
	} else {
		print_detect_text(c, &d);
		print_plan_text(p, &plan, user, &changed);
		if (generic.len)
			printf("sender rewriting: %s\n", generic.data);
		if (p->notes)
			printf("notes: %s\n", p->notes);
		status = cli_apply_changeset(c, cs, desc);
	}
	goto out;
fail:
	status = cli_fail(c);
out:
	changeset_free(cs);
	providers_plan_free(&plan);
	detect_free(&d);
	providers_free(cat);
	buf_free(&changed);
	buf_free(&bytes);
	buf_free(&generic);
	return status;
}
