/*
 * cli_setup - `relaydeck providers [--json]` and the setup wizard's
 * non-interactive path:
 *
 *   relaydeck setup --provider ID [--host HOST] [--region R] [--port P]
 *       [--tls starttls|implicit] [--user U] [--password-file FILE|-] [--ca-file FILE]
 *       [--rewrite FROM=TO]... [--remove-old-credential] [--yes]
 *
 * setup detects the current state (Postfix running, relayhost, sasl_passwd
 * entries, default_database_type, lookup table types), turns the choice
 * into main.cf edits with providers_settings, and builds ONE change set:
 * main.cf (only parameters whose value differs), the sasl_passwd entry
 * (creds API, 0600, postmap) and smtp_generic_maps entries (maps API).
 * The diff (secrets masked) is shown on a terminal, then confirmed or
 * --yes, then applied (backup, postmap, postfix check, reload).
 *
 * When the relay changes and the previous relay's sasl_passwd entry will
 * not be used any more (setup_stale_credential), setup says so;
 * --remove-old-credential removes that entry in the same change set, as
 * a stale secret is a liability.
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
#include <unistd.h>

#include "changeset.h"
#include "cli.h"
#include "cli_int.h"
#include "cli_prompt.h"
#include "creds.h"
#include "json.h"
#include "maincf.h"
#include "maps.h"
#include "params.h"
#include "postfix.h"
#include "providers.h"
#include "setup.h"
#include "secret.h"
#include "target.h"
#include "valid.h"

#define MAX_REWRITES 64

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
			setup_limits_text(&p->limits, &out);
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
	int remove_old;		/* --remove-old-credential */
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
		if (strcmp(argv[i], "--remove-old-credential") == 0) {
			so->remove_old = 1;
			continue;
		}
		if (strncmp(argv[i], "--password", 10) == 0)
			return err_set(&c->e, ERR_USAGE,
				       "setup: a password is never taken from the command line; "
				       "use --password-file FILE or stdin");
		/* the name only: "--pass=..." may be a mistyped secret */
		return err_set(&c->e, ERR_USAGE, "setup: unknown argument '%.*s'",
			       (int)strcspn(argv[i], "="), argv[i]);
	}
	if (so->tls && strcmp(so->tls, "starttls") != 0 && strcmp(so->tls, "implicit") != 0)
		return err_set(&c->e, ERR_USAGE, "setup: --tls takes starttls or implicit");
	if (so->provider == NULL)
		return err_set(&c->e, ERR_USAGE,
			       "setup needs --provider ID (see `relaydeck providers`)");
	return 0;
}

/* prompt_password - read a password from the terminal without echo. */
static int prompt_password(struct cli_ctx *c, const char *user, const char *nexthop,
			   struct secret *pw)
{
	char prompt[600];

	snprintf(prompt, sizeof(prompt), "Password for %s at %s: ", user, nexthop);
	return cli_prompt_password(prompt, pw, &c->e);
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

/* print_detect_text - what setup found, for people. */
static void print_detect_text(struct cli_ctx *c, const struct setup_state *d)
{
	printf("Postfix in %s: %s\n", c->t->config_dir,
	       d->running == 1 ? "running" : d->running == 0 ? "not running" : "state unknown");
	printf("current relayhost: %s\n", d->relayhost[0] ? d->relayhost : "(none: direct delivery)");
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
	for (const char *const *mt = setup_map_types(); *mt; mt++)
		if (params_host_has_map_type(c->host, *mt))
			printf(" %s", *mt);
	putchar('\n');
}

/* print_plan_text - the choice and the parameters that change. */
static void print_plan_text(const struct provider *p, const struct prov_plan *plan,
			    const char *user, const struct buf *changed)
{
	struct buf lim = BUF_INIT;

	setup_limits_text(&p->limits, &lim);
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
		      const struct setup_state *d, const struct buf *changed, const char *user,
		      const struct creds_entry *stale, int stale_removed)
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
	json_kv_str(&j, "relayhost", d->relayhost[0] ? d->relayhost : NULL);
	json_kv_str(&j, "default_database_type", d->db_type);
	json_key(&j, "map_types");
	json_arr_begin(&j);
	for (const char *const *mt = setup_map_types(); *mt; mt++)
		if (params_host_has_map_type(c->host, *mt))
			json_str(&j, *mt);
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
	json_key(&j, "old_credential");
	if (stale) {
		json_obj_begin(&j);
		json_kv_str(&j, "key", stale->key);
		json_kv_str(&j, "user", stale->user);
		json_kv_bool(&j, "removed", stale_removed && applied);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_kv_int(&j, "changed", (long long)nchanged);
	json_kv_bool(&j, "applied", applied);
	json_kv_str(&j, "backup", r.backup_id[0] ? r.backup_id : NULL);
	json_kv_bool(&j, "validated", r.validated);
	json_kv_bool(&j, "reloaded", r.reloaded);
	json_kv_bool(&j, "restored", r.restored);
	json_kv_str(&j, "diff", diff.data ? diff.data : "");
	if (!ok)
		cli_json_error(&j, &c->e, NULL, 0);
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
	struct setup_answers ans;
	struct prov_plan plan = { 0 };
	struct setup_state d = { 0 };
	struct changeset *cs = NULL;
	struct buf changed = BUF_INIT, generic = BUF_INIT;
	struct secret pw = { 0 };
	struct err ve;
	const struct creds_entry *stale = NULL;
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
	memset(&ans, 0, sizeof(ans));
	ans.host = so.host;
	ans.region = so.region;
	ans.port = so.port ? atoi(so.port) : 0;
	if (so.tls) {
		ans.tls_set = 1;
		ans.tls = strcmp(so.tls, "implicit") == 0 ? PROV_TLS_IMPLICIT : PROV_TLS_STARTTLS;
	}
	ans.user = so.user;
	ans.ca_file = so.ca_file;
	ans.rewrites = so.rewrite;
	ans.nrewrites = so.nrewrite;
	if (setup_user(p, &ans, &user, &c->e) < 0)
		goto fail;
	/* Optional AUTH without a user name is the relay-by-IP path. */
	ans.no_auth = p->auth == PROV_AUTH_OPTIONAL && user == NULL && so.password_file == NULL;
	if (cli_ctx_host(c) < 0 || setup_detect(c->t, c->m, &d, &c->e) < 0)
		goto fail;
	if (setup_plan(c->t, p, &d, &ans, &plan, &c->e) < 0) {
		if (c->e.code == ERR_INVALID && user == NULL && p->auth != PROV_AUTH_NONE)
			c->e.code = ERR_USAGE;
		goto fail;
	}
	if ((cs = changeset_new(c->t)) == NULL) {
		err_set(&c->e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (plan.auth) {
		if (creds_check_user(user, &c->e) < 0 ||
		    read_password(c, so.password_file, user, plan.nexthop, &pw) < 0)
			goto fail;
	}
	if (setup_stage(cs, c->t, c->m, c->maincf_path, c->host, p, &d, &ans, &plan,
			plan.auth ? &pw : NULL, &changed, &generic, &c->e) < 0)
		goto fail;
	secret_free(&pw);
	/* The previous relay's secret: removed when asked, else pointed out. */
	if (setup_stale_credential(c->t, c->m, &d, plan.nexthop, &stale, &c->e) < 0)
		goto fail;
	if (stale && so.remove_old && creds_remove(cs, c->t, &d.src, stale->key, &c->e) < 0)
		goto fail;
	snprintf(desc, sizeof(desc), "setup %s %s", p->id, plan.nexthop);
	if (c->o->json) {
		status = apply_json(c, cs, desc, p, &plan, &d, &changed, user, stale,
				    so.remove_old);
	} else {
		print_detect_text(c, &d);
		print_plan_text(p, &plan, user, &changed);
		if (generic.len)
			printf("sender rewriting: %s\n", generic.data);
		if (p->notes)
			printf("notes: %s\n", p->notes);
		if (stale && so.remove_old)
			printf("previous relay's credential: %s (user %s) is removed from %s; "
			       "nothing uses it after this change\n", stale->key, stale->user,
			       d.src.path);
		status = cli_apply_changeset(c, cs, desc);
		if (stale && !so.remove_old && status == EXIT_OK)
			printf("note: the previous relay's credential %s (user %s) in %s is no "
			       "longer used; a stale secret is a liability: remove it with "
			       "`relaydeck creds remove '%s'` (or run setup with "
			       "--remove-old-credential)\n", stale->key, stale->user, d.src.path,
			       stale->key);
	}
	goto out;
fail:
	if (c->e.code == ERR_INVALID && strncmp(c->e.msg, "rewrite wants", 13) == 0)
		c->e.code = ERR_USAGE;
	status = cli_fail(c);
out:
	secret_free(&pw);
	changeset_free(cs);
	providers_plan_free(&plan);
	setup_state_free(&d);
	providers_free(cat);
	buf_free(&changed);
	buf_free(&generic);
	return status;
}
