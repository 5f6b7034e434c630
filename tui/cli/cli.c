/*
 * cli - the scriptable front end. See cli.h.
 *
 * Each subcommand opens the target, calls core/, and prints either text
 * for people or JSON for scripts. Only this file and the console print.
 */
#include "config.h"
#include "cli.h"
#include "cli_creds.h"
#include "cli_health.h"
#include "cli_hosts.h"
#include "cli_int.h"
#include "cli_maps.h"
#include "cli_probe.h"
#include "cli_queue.h"
#include "cli_logs.h"
#include "cli_setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canary.h"
#include "changeset.h"
#include "json.h"
#include "lines.h"
#include "maincf.h"
#include "params.h"
#include "pending.h"
#include "postfix.h"
#include "report.h"
#include "secrecy.h"
#include "inventory.h"
#include "sshhost.h"
#include "ssh_target.h"
#include "target.h"

int cli_exit_code(const struct err *e)
{
	switch (e->code) {
	case ERR_OK:
		return EXIT_OK;
	case ERR_USAGE:
		return EXIT_USAGE;
	case ERR_INVALID:
		return EXIT_INVALID;
	case ERR_PARSE:
		return EXIT_PARSE;
	case ERR_LOCKED:
		return EXIT_LOCKED;
	case ERR_CHANGED:
		return EXIT_CHANGED;
	case ERR_NOTFOUND:
		return EXIT_NOTFOUND;
	case ERR_AUTH:
	case ERR_HOSTKEY_UNKNOWN:
	case ERR_HOSTKEY_REFUSED:
		return EXIT_DENIED;
	case ERR_SYS:
		if (e->sys_errno == EACCES || e->sys_errno == EPERM || e->sys_errno == EROFS)
			return EXIT_DENIED;
		if (e->sys_errno == ENOENT)
			return EXIT_NOTFOUND;
		return EXIT_FAILED;
	default:
		return EXIT_FAILED;
	}
}

void cli_json_error(struct json *j, const struct err *e, const char *host, int with_place)
{
	json_key(j, "error");
	json_obj_begin(j);
	json_kv_str(j, "code", err_code_name(e->code));
	if (host)
		json_kv_str(j, "host", host);
	json_kv_str(j, "message", e->msg);
	if (with_place && e->file[0])
		json_kv_str(j, "file", e->file);
	if (with_place && e->line > 0)
		json_kv_int(j, "line", e->line);
	json_obj_end(j);
}

void cli_report_error(const struct cli_opts *o, const struct err *e)
{
	char line[1024];

	if (o->last_err)
		*o->last_err = *e;
	fprintf(stderr, "relaydeck: %s\n", err_format(e, line, sizeof(line)));
	if (o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		cli_json_error(&j, e, o->host, 1);
		json_obj_end(&j);
		printf("%s\n", b.data);
		buf_free(&b);
	}
}

int cli_load_inventory(const struct cli_opts *o, struct inventory **inv, struct err *e)
{
	const char *path = o->inventory ? o->inventory : inventory_default_path();

	*inv = NULL;
	if (path == NULL)
		return 0;
	return inventory_load(path, inv, e);
}

struct target *cli_connect_target(const struct cli_opts *o, struct err *e)
{
	struct ssh_target_opts so;
	struct sshhost_in in = { 0 };
	struct sshhost h;
	struct inventory *inv = NULL;
	struct target *t;

	if (o->host == NULL) {
		t = target_local_new(o->config_dir, o->state_dir, e);
		if (t)
			t->trust_config_dir = o->trust_config_dir;
		return t;
	}
	if (o->inv == NULL && cli_load_inventory(o, &inv, e) < 0)
		return NULL;
	in.spec = o->host;
	in.ssh_config = o->ssh_config;
	in.identities = o->identities;
	in.n_identities = (size_t)o->n_identities;
	in.known_hosts = o->known_hosts;
	in.connect_timeout_ms = o->connect_timeout_ms;
	in.inv = o->inv ? o->inv : inv;
	in.accept_new = o->accept_new;
	in.passphrase = o->passphrase;
	if (sshhost_resolve(&in, &h, e) < 0) {
		inventory_free(inv);
		return NULL;
	}
	memset(&so, 0, sizeof(so));
	so.ssh = *sshhost_opts(&h);
	so.config_dir = o->config_dir ? o->config_dir : h.config_dir;
	so.state_dir = o->state_dir;
	so.sudo = o->sudo || h.sudo == 1;
	so.name = o->host;
	t = ssh_target_new(&so, e);
	if (t)
		t->trust_config_dir = o->trust_config_dir;
	sshhost_free(&h);
	inventory_free(inv);
	return t;
}

struct target *cli_open_target(const struct cli_opts *o, struct err *e)
{
	struct apply_report r;
	struct target *t = cli_connect_target(o, e);
	int rc;

	if (t == NULL)
		return NULL;
	apply_report_init(&r);
	rc = changeset_recover(t, &r, e);
	if (rc > 0) {
		const char *p = r.steps.data ? r.steps.data : "";

		fprintf(stderr, "relaydeck: an earlier apply to %s was interrupted; its files are "
			"back as they were before it\n", t->config_dir);
		while (*p) {
			int n = (int)strcspn(p, "\n");

			fprintf(stderr, "relaydeck:   %.*s\n", n, p);
			p += n + (p[n] == '\n');
		}
	}
	apply_report_free(&r);
	if (rc < 0) {
		target_free(t);
		return NULL;
	}
	return t;
}

/* ctx_open - open the target and parse main.cf. */
static int ctx_open(struct cli_ctx *c, const struct cli_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->t = cli_open_target(o, &c->e);
	if (c->t == NULL)
		return -1;
	if ((c->maincf_path = target_config_path(c->t, "main.cf")) == NULL)
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	c->m = postfix_read_maincf(c->t, &c->e);
	return c->m ? 0 : -1;
}

int cli_ctx_host(struct cli_ctx *c)
{
	if (c->host == NULL)
		c->host = params_host_load(c->t, &c->e);
	return c->host ? 0 : -1;
}

static void ctx_close(struct cli_ctx *c)
{
	params_host_free(c->host);
	maincf_free(c->m);
	free(c->maincf_path);
	target_free(c->t);
}

int cli_fail(struct cli_ctx *c)
{
	cli_report_error(c->o, &c->e);
	return cli_exit_code(&c->e);
}

int cli_usage_error(struct cli_ctx *c, const char *msg)
{
	err_set(&c->e, ERR_USAGE, "%s", msg);
	return cli_fail(c);
}

int cli_confirm(struct cli_ctx *c, const char *question)
{
	char answer[16];

	if (c->o->yes)
		return 1;
	if (c->o->fleet) {
		err_set(&c->e, ERR_USAGE, "several hosts: add --yes (nothing is asked host by host; "
			"`diff` shows each host's change): %s", question);
		return -1;
	}
	if (!isatty(STDIN_FILENO)) {
		err_set(&c->e, ERR_USAGE, "not a terminal: add --yes to %s without asking", question);
		return -1;
	}
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return 0;
	return answer[0] == 'y' || answer[0] == 'Y';
}

/* json_param - one parameter record for show/params --json. */
static void json_param(struct json *j, struct cli_ctx *c, const char *name,
		       const struct pending *p, const struct buf *expanded)
{
	const struct param_def *def = params_find(name);
	const struct pending_edit *pe = p ? pending_find(p, name) : NULL;
	const char *value = maincf_get(c->m, name);
	const char *def_value = c->host ? params_host_default(c->host, name) : NULL;
	struct buf x = BUF_INIT;
	int have_x = expanded && expanded->data &&
		     postfix_conf_value(expanded->data, name, &x) == 0;

	json_obj_begin(j);
	json_kv_str(j, "name", name);
	if (value == NULL && strcmp(name, "config_directory") == 0)
		json_kv_str(j, "value", c->t->config_dir);	/* named on the command line */
	else
		json_kv_str(j, "value", value ? value : def_value);
	if (have_x)
		json_kv_str(j, "expanded", x.data);
	buf_free(&x);
	json_kv_str(j, "default", def_value);
	json_kv_bool(j, "set", value != NULL);
	if (value) {
		json_kv_str(j, "file", c->maincf_path);
		json_kv_int(j, "line", maincf_line(c->m, name));
	} else {
		json_key(j, "file");
		json_null(j);
		json_key(j, "line");
		json_null(j);
	}
	json_kv_str(j, "group", def ? params_group_name(def->group) : NULL);
	json_kv_str(j, "type", def ? params_type_name(def->type) : NULL);
	if (pe) {
		json_key(j, "pending");
		json_obj_begin(j);
		json_kv_str(j, "action", pe->value ? "set" : "unset");
		json_kv_str(j, "value", pe->value);
		json_obj_end(j);
	} else {
		json_key(j, "pending");
		json_null(j);
	}
	json_obj_end(j);
}

/* Names `postconf -n` prints: those set in main.cf that Postfix counts as
 * used, plus config_directory when the directory was named by -c or
 * MAIL_CONFIG, as postconf adds it then. "Used" is Postfix's own answer:
 * the names in the host's `postconf -n` output. It alone knows every rule
 * (restriction class names, NAME_* parameters of ldap:NAME and other
 * tables named in main.cf, old names a default still refers to, $name in
 * master.cf -o values, service names from master.cf, read-only names). */
struct show_list {
	const char **names;	/* sorted; pointers into the model or static */
	size_t count;
	const char *config_dir_arg;	/* value printed for config_directory, or NULL */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* show_list_build - see struct show_list. conf is postconf -n (or -n -x)
 * output when the caller has it, else NULL and postconf -n runs here.
 * Names main.cf sets that Postfix does not use are reported on stderr, as
 * postconf does; when postconf fails, everything is listed and its reason
 * said. */
static int show_list_build(struct cli_ctx *c, struct show_list *sl, const struct buf *conf)
{
	const char **names = NULL, **used = NULL, **ro = NULL;
	size_t n = 0, nused = 0, nro = 0, kept = 0;
	const char *arg = c->o->config_dir ? c->o->config_dir : getenv("MAIL_CONFIG");
	struct buf out = BUF_INIT, warn = BUF_INIT;
	int have_used = 0;

	memset(sl, 0, sizeof(*sl));
	if (maincf_names(c->m, &names, &n) < 0)
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	if (conf == NULL) {
		struct err pe;

		err_clear(&pe);
		if (postfix_conf_n(c->t, &out, &warn, &pe) == 0)
			conf = &out;
		else if (!c->o->json) {
			char msg[600];

			fprintf(stderr, "relaydeck: warning: cannot tell which parameters Postfix "
				"uses, listing all that main.cf sets: %s\n",
				err_format(&pe, msg, sizeof(msg)));
		}
	}
	if (conf != NULL) {
		/* Postfix drops read-only names with its own words; say them too. */
		if (postfix_conf_names(conf->data, conf->len, &used, &nused, &c->e) < 0 ||
		    postfix_warned_names(warn.data, warn.len, "read-only parameter assignment",
					 &ro, &nro, &c->e) < 0) {
			buf_free(&out);
			buf_free(&warn);
			free(used);
			free(names);
			return -1;
		}
		have_used = 1;
	}
	buf_free(&out);
	buf_free(&warn);
	sl->names = malloc((n + 1) * sizeof(*sl->names));
	if (sl->names == NULL) {
		free(used);
		free(ro);
		free(names);
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	}
	if (arg && *arg && maincf_get(c->m, "config_directory") == NULL)
		sl->config_dir_arg = arg;
	for (size_t i = 0; i < n; i++) {
		if (sl->config_dir_arg && strcmp(names[i], "config_directory") > 0 &&
		    (kept == 0 || strcmp(sl->names[kept - 1], "config_directory") < 0))
			sl->names[kept++] = "config_directory";
		if (!have_used || (nused && bsearch(&names[i], used, nused, sizeof(*used), cmp_str))) {
			sl->names[kept++] = names[i];
		} else if (!c->o->json) {
			const char *v = maincf_get(c->m, names[i]);

			int readonly = nro && bsearch(&names[i], ro, nro, sizeof(*ro), cmp_str);

			/* masked as in Postfix's own warning in apply reports */
			fprintf(stderr, "relaydeck: warning: %s: %s: %s=%s\n", c->maincf_path,
				readonly ? "read-only parameter assignment" : "unused parameter",
				names[i], secrecy_param_secret(names[i], v) ? SECRECY_MASK_PARAM : v);
		}
	}
	if (sl->config_dir_arg && (kept == 0 || strcmp(sl->names[kept - 1], "config_directory") < 0))
		sl->names[kept++] = "config_directory";
	sl->count = kept;
	free(used);
	free(ro);
	free(names);
	return 0;
}

/* show_value - the value show prints for a listed name. */
static const char *show_value(const struct cli_ctx *c, const struct show_list *sl,
			      const char *name)
{
	const char *v = maincf_get(c->m, name);

	if (v == NULL && sl->config_dir_arg && strcmp(name, "config_directory") == 0)
		return sl->config_dir_arg;
	return v ? v : "";
}

static int cmd_show(struct cli_ctx *c, int argc, char **argv)
{
	struct buf out = BUF_INIT, expanded = BUF_INIT;
	struct pending *p = NULL;
	int status = EXIT_OK;

	if (!c->o->json && argc == 1) {
		struct show_list sl;

		if (show_list_build(c, &sl, NULL) < 0)
			return cli_fail(c);
		for (size_t i = 0; i < sl.count; i++) {
			const char *v = show_value(c, &sl, sl.names[i]);

			buf_printf(&out, *v ? "%s = %s\n" : "%s =\n", sl.names[i], v);
		}
		fwrite(out.data, 1, out.len, stdout);
		free(sl.names);
		buf_free(&out);
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			return cli_usage_error(c, "show: unknown option");
	}
	if (argc > 1 || c->o->json) {
		if (c->host == NULL && (c->host = params_host_load_defaults(c->t, &c->e)) == NULL)
			return cli_fail(c);
		for (int i = 1; i < argc; i++) {
			if (!params_host_known(c->host, argv[i]) && !maincf_get(c->m, argv[i])) {
				err_set(&c->e, ERR_INVALID, "unknown parameter: %s", argv[i]);
				return cli_fail(c);
			}
		}
	}
	if (!c->o->json) {
		for (int i = 1; i < argc; i++) {
			const char *v = maincf_get(c->m, argv[i]);

			if (v == NULL)
				v = params_host_default(c->host, argv[i]);
			printf("%s = %s\n", argv[i], v ? v : "");
		}
		return EXIT_OK;
	}
	p = pending_load(c->t, &c->e);
	if (p == NULL)
		return cli_fail(c);
	{
		/* One postconf run expands every $name for the JSON "expanded" field;
		 * without it the field is left out, the rest still stands. */
		struct err ignore;

		if (postfix_conf_nx(c->t, &expanded, &ignore) < 0)
			buf_reset(&expanded);
	}
	{
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_kv_str(&j, "host", c->t->name);
		json_kv_str(&j, "config_directory", c->t->config_dir);
		json_key(&j, "parameters");
		json_arr_begin(&j);
		if (argc > 1) {
			for (int i = 1; i < argc; i++)
				json_param(&j, c, argv[i], p, &expanded);
		} else {
			struct show_list sl;

			/* postconf -n -x lists the same names as postconf -n */
			if (show_list_build(c, &sl, expanded.len ? &expanded : NULL) == 0) {
				for (size_t i = 0; i < sl.count; i++)
					json_param(&j, c, sl.names[i], p, &expanded);
				free(sl.names);
			}
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	printf("%s\n", out.data);
	pending_free(p);
	buf_free(&out);
	buf_free(&expanded);
	return status;
}

static int cmd_params(struct cli_ctx *c, int argc, char **argv)
{
	const struct param_def *cat;
	struct pending *p;
	struct buf out = BUF_INIT;
	size_t n;

	if (argc > 1)
		return cli_usage_error(c, "params takes no arguments");
	if (cli_ctx_host(c) < 0 || (p = pending_load(c->t, &c->e)) == NULL)
		return cli_fail(c);
	cat = params_catalog(&n);
	if (c->o->json) {
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "parameters");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++)
			json_param(&j, c, cat[i].name, p, NULL);
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		int last = -1;

		for (size_t i = 0; i < n; i++) {
			const char *v = maincf_get(c->m, cat[i].name);
			const char *d = params_host_default(c->host, cat[i].name);
			const struct pending_edit *pe = pending_find(p, cat[i].name);

			if ((int)cat[i].group != last) {
				printf("%s[%s]\n", last < 0 ? "" : "\n", params_group_name(cat[i].group));
				last = (int)cat[i].group;
			}
			printf("  %-40s %s%s", cat[i].name, v ? "= " : "(default) ",
			       v ? v : (d ? d : ""));
			if (pe)
				printf("   [pending: %s%s]", pe->value ? "set " : "unset",
				       pe->value ? pe->value : "");
			putchar('\n');
		}
	}
	pending_free(p);
	buf_free(&out);
	return EXIT_OK;
}

/* split_assignment - "name=value" into its parts (name is copied). */
static int split_assignment(const char *arg, char *name, size_t namelen, const char **value)
{
	const char *eq = strchr(arg, '=');
	size_t n;

	if (eq == NULL)
		return -1;
	n = (size_t)(eq - arg);
	while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= namelen)
		return -1;
	memcpy(name, arg, n);
	name[n] = '\0';
	*value = eq + 1;
	while (**value == ' ' || **value == '\t')
		(*value)++;
	return 0;
}

/* print_staged - text or JSON listing of what is staged now; unchanged
 * names the arguments that changed nothing (NULL-terminated). */
static void print_staged(struct cli_ctx *c, const struct pending *p, const char **unchanged,
			 int unset)
{
	size_t n = pending_count(p);

	if (c->o->json) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "unchanged");
		json_arr_begin(&j);
		for (size_t i = 0; unchanged[i]; i++)
			json_str(&j, unchanged[i]);
		json_arr_end(&j);
		json_key(&j, "pending");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			const struct pending_edit *pe = pending_at(p, i);

			json_obj_begin(&j);
			json_kv_str(&j, "name", pe->name);
			json_kv_str(&j, "action", pe->value ? "set" : "unset");
			json_kv_str(&j, "value", pe->value);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
		return;
	}
	for (size_t i = 0; unchanged[i]; i++)
		printf(unset ? "no change: %s is not set in main.cf\n"
			     : "no change: %s already has that value\n", unchanged[i]);
	for (size_t i = 0; i < n; i++) {
		const struct pending_edit *pe = pending_at(p, i);

		if (pe->value)
			printf("staged: %s = %s\n", pe->name, pe->value);
		else
			printf("staged: unset %s\n", pe->name);
	}
	if (n)
		printf("%zu edit%s staged; review with `relaydeck diff`, then `relaydeck apply`\n", n,
		       n == 1 ? "" : "s");
}

/* stage_edits - record argv[1..] as staged sets (NAME=VALUE) or unsets (NAME);
 * they were validated before, so one bad argument stages nothing. */
static int stage_edits(struct cli_ctx *c, int argc, char **argv, int unset)
{
	struct pending *p;
	char name[256];
	const char *value;
	char **unchanged;	/* names whose edit changes nothing (copies) */
	size_t nu = 0;
	int rc = 0;

	if ((unchanged = calloc((size_t)argc + 1, sizeof(*unchanged))) == NULL) {
		err_set(&c->e, ERR_NOMEM, "out of memory");
		return cli_fail(c);
	}
	if ((p = pending_load(c->t, &c->e)) == NULL) {
		free(unchanged);
		return cli_fail(c);
	}
	/* An edit to what main.cf already says stages nothing (and drops an
	 * earlier staged edit of that name): apply would change no byte. */
	for (int i = 1; i < argc && rc >= 0; i++) {
		const char *nm = argv[i];

		if (unset)
			rc = pending_stage_unset(p, c->m, nm, &c->e);
		else if (split_assignment(argv[i], name, sizeof(name), &value) == 0)
			rc = pending_stage_set(p, c->m, nm = name, value, &c->e);
		if (rc == 1 && (unchanged[nu++] = strdup(nm)) == NULL)
			rc = err_set(&c->e, ERR_NOMEM, "out of memory");
	}
	if (rc >= 0)
		rc = pending_save(p, &c->e);
	if (rc == 0)
		print_staged(c, p, (const char **)unchanged, unset);
	if (rc == 0 && pending_count(p) > 0 && pending_note_base(p, c->m) == 1)
		fprintf(stderr, "relaydeck: note: %s changed since the earlier edits were staged "
			"(by someone else); apply refuses until you review the new diff "
			"(`relaydeck diff`, then `relaydeck apply --rebase`)\n", c->maincf_path);
	for (size_t i = 0; i < nu; i++)
		free(unchanged[i]);
	free(unchanged);
	pending_free(p);
	return rc == 0 ? EXIT_OK : cli_fail(c);
}

static int cmd_set(struct cli_ctx *c, int argc, char **argv)
{
	char name[256];
	const char *value;

	if (argc < 2)
		return cli_usage_error(c, "set needs NAME=VALUE");
	if (cli_ctx_host(c) < 0)
		return cli_fail(c);
	for (int i = 1; i < argc; i++) {
		if (split_assignment(argv[i], name, sizeof(name), &value) < 0) {
			err_set(&c->e, ERR_USAGE, "set: expected NAME=VALUE, got '%s'", argv[i]);
			return cli_fail(c);
		}
		if (params_validate_name_value(c->host, name, value, &c->e) < 0)
			return cli_fail(c);
	}
	return stage_edits(c, argc, argv, 0);
}

static int cmd_unset(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(c, "unset needs a parameter name");
	if (cli_ctx_host(c) < 0)
		return cli_fail(c);
	for (int i = 1; i < argc; i++) {
		if (!params_host_known(c->host, argv[i]) && !maincf_get(c->m, argv[i])) {
			err_set(&c->e, ERR_INVALID, "unknown parameter: %s", argv[i]);
			return cli_fail(c);
		}
	}
	return stage_edits(c, argc, argv, 1);
}

static int cmd_discard(struct cli_ctx *c, int argc, char **argv)
{
	struct pending *p;
	size_t n;

	(void)argv;
	if (argc > 1)
		return cli_usage_error(c, "discard takes no arguments");
	if ((p = pending_load(c->t, &c->e)) == NULL)
		return cli_fail(c);
	n = pending_count(p);
	if (pending_clear(p, &c->e) < 0) {
		pending_free(p);
		return cli_fail(c);
	}
	pending_free(p);
	if (c->o->json)
		printf("{\"discarded\":%zu}\n", n);
	else
		printf("discarded %zu staged edit%s\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

/* build_changes - the change set for the staged edits, and its diff. */
static struct changeset *build_changes(struct cli_ctx *c, struct pending *p, struct buf *diff,
				       size_t *changed)
{
	struct changeset *cs = changeset_new(c->t);

	if (cs == NULL) {
		err_set(&c->e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (pending_build(p, cs, &c->e) < 0 || changeset_diff(cs, diff, &c->e) < 0) {
		changeset_free(cs);
		return NULL;
	}
	*changed = changeset_changed(cs, &c->e);
	return cs;
}

static int cmd_diff(struct cli_ctx *c, int argc, char **argv)
{
	struct buf diff = BUF_INIT;
	struct changeset *cs;
	struct pending *p;
	size_t changed = 0;

	(void)argv;
	if (argc > 1)
		return cli_usage_error(c, "diff takes no arguments");
	if ((p = pending_load(c->t, &c->e)) == NULL)
		return cli_fail(c);
	if ((cs = build_changes(c, p, &diff, &changed)) == NULL) {
		pending_free(p);
		buf_free(&diff);
		return cli_fail(c);
	}
	if (c->o->json) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_kv_int(&j, "changed", (long long)changed);
		json_kv_int(&j, "pending", (long long)pending_count(p));
		json_kv_bool(&j, "changed_since_staged", pending_stale(p));
		json_kv_str(&j, "diff", diff.data ? diff.data : "");
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
	} else if (diff.len) {
		fwrite(diff.data, 1, diff.len, stdout);
	} else {
		fprintf(stderr, "relaydeck: no staged changes\n");
	}
	if (!c->o->json && pending_stale(p))
		fprintf(stderr, "relaydeck: note: %s changed since you staged these edits (by someone "
			"else); this is the diff of your edits on the new file; `relaydeck apply "
			"--rebase` applies it\n", c->maincf_path);
	changeset_free(cs);
	pending_free(p);
	buf_free(&diff);
	return EXIT_OK;
}

void cli_print_report(struct cli_ctx *c, const struct apply_report *r, int ok,
			 const char *what)
{
	if (c->o->json) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_kv_bool(&j, "ok", ok);
		json_kv_str(&j, "action", what);
		json_kv_str(&j, "backup", r->backup_id[0] ? r->backup_id : NULL);
		json_kv_bool(&j, "validated", r->validated);
		json_kv_bool(&j, "check_skipped", r->check_skipped);
		json_kv_bool(&j, "reloaded", r->reloaded);
		json_kv_bool(&j, "restored", r->restored);
		json_kv_str(&j, "rejected_before", r->rejected_before[0] ? r->rejected_before : NULL);
		json_kv_str(&j, "steps", r->steps.data ? r->steps.data : "");
		json_kv_str(&j, "warnings", r->warnings.data ? r->warnings.data : "");
		if (!ok)
			cli_json_error(&j, &c->e, NULL, 0);
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
		return;
	}
	/* core/report's words, as the console shows them; on failure the
	 * first line (the error) goes to stderr through cli_report_error. */
	{
		struct lines l = LINES_INIT;

		report_apply(&l, strcmp(what, "rollback") == 0 ? "Rollback" : "Apply",
			     ok ? 0 : -1, r, &c->e, c->t->config_dir);
		for (size_t i = ok ? 0 : 1; i < l.n; i++)
			printf("%s\n", l.v[i].text);
		lines_free(&l);
	}
}

/* canary - after the apply on a fleet change's canary: core/canary's
 * probe, the backup put back when it fails (the staged edits stay, so
 * the next apply probes it again). */
static int canary(struct cli_ctx *c, const char *backup_id)
{
	struct canary_result res;

	if (canary_check(c->t, backup_id, &res) == 0) {
		if (c->o->json) {
			struct buf out = BUF_INIT;
			struct json j;

			json_init(&j, &out);
			json_obj_begin(&j);
			json_kv_bool(&j, "ok", 1);
			json_kv_str(&j, "action", "canary");
			json_kv_str(&j, "checked", res.said);
			json_obj_end(&j);
			printf("%s\n", out.data);
			buf_free(&out);
		} else {
			printf("%s\n", res.said);
		}
		return EXIT_OK;
	}
	if (res.restored)
		err_set(&c->e, ERR_VALIDATE, "canary: %s; its files are back as they were "
			"(backup %s), the edits still staged", res.why, backup_id);
	else
		err_set(&c->e, ERR_VALIDATE, "canary: %s", res.why);
	return cli_fail(c);
}

int cli_apply_changeset(struct cli_ctx *c, struct changeset *cs, const char *description)
{
	struct buf diff = BUF_INIT;
	struct apply_report r;
	char question[512];
	size_t changed;
	int go, show, status = EXIT_OK;

	apply_report_init(&r);
	/* the diff is made only to be shown: on a 1M-line table it costs as
	 * much as the edit */
	show = !c->o->yes && !c->o->json && isatty(STDIN_FILENO);
	if (show && changeset_diff(cs, &diff, &c->e) < 0) {
		status = cli_fail(c);
		goto out;
	}
	err_clear(&c->e);
	changed = changeset_changed(cs, &c->e);
	if (changed == 0 && c->e.code != ERR_OK) {
		status = cli_fail(c);
		goto out;
	}
	if (changed == 0) {
		if (c->o->json)
			printf("{\"ok\":true,\"action\":\"apply\",\"changed\":0}\n");
		else
			printf("no changes\n");
		goto out;
	}
	if (show) {
		struct postfix_verdict v;

		fwrite(diff.data, 1, diff.len, stdout);
		/* Before the question: a change is not what broke these files. */
		postfix_verdict_init(&v);
		postfix_verdict_get(c->t, &v);
		if (postfix_verdict_rejected(&v))
			printf("Postfix already rejects this main.cf: %s\n", v.reason);
		postfix_verdict_free(&v);
	}
	snprintf(question, sizeof(question), "Apply %zu changed file%s to %s?", changed,
		 changed == 1 ? "" : "s", c->t->config_dir);
	go = cli_confirm(c, question);
	if (go <= 0) {
		status = go < 0 ? cli_fail(c) : EXIT_FAILED;
		if (go == 0)
			printf("not applied\n");
		goto out;
	}
	if (changeset_apply(cs, description, &r, &c->e) < 0) {
		cli_print_report(c, &r, 0, "apply");
		cli_report_error(&(struct cli_opts){ .json = 0 }, &c->e);
		status = cli_exit_code(&c->e);
		goto out;
	}
	cli_print_report(c, &r, 1, "apply");
	if (c->o->canary)
		status = canary(c, r.backup_id);
out:
	apply_report_free(&r);
	buf_free(&diff);
	return status;
}

/* changed_hint - after a refusal because main.cf changed: the way on. */
static void changed_hint(const struct cli_ctx *c)
{
	if (c->e.code == ERR_CHANGED)
		fprintf(stderr, "relaydeck: `relaydeck diff` shows your staged edits on the new "
			"main.cf; `relaydeck apply --rebase` applies them on it\n");
}

static int cmd_apply(struct cli_ctx *c, int argc, char **argv)
{
	struct changeset *cs;
	struct pending *p;
	char desc[256];
	int status, rebase = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rebase") == 0)
			rebase = 1;
		else
			return cli_usage_error(c, "apply takes no arguments besides --rebase "
					       "(and --yes)");
	}
	if ((p = pending_load(c->t, &c->e)) == NULL)
		return cli_fail(c);
	if (rebase)
		pending_rebase(p);
	if ((cs = changeset_new(c->t)) == NULL || pending_build(p, cs, &c->e) < 0) {
		if (cs == NULL)
			err_set(&c->e, ERR_NOMEM, "out of memory");
		changeset_free(cs);
		pending_free(p);
		return cli_fail(c);
	}
	/* Refused before the question; apply checks again under the lock. */
	if (pending_stale(p)) {
		err_set(&c->e, ERR_CHANGED, "main.cf changed since you staged this edit (by "
			"someone else); review the new diff");
		err_at(&c->e, c->maincf_path, 0);
		status = cli_fail(c);
		changed_hint(c);
		changeset_free(cs);
		pending_free(p);
		return status;
	}
	if (rebase && !c->o->json && (c->o->yes || !isatty(STDIN_FILENO))) {
		struct buf diff = BUF_INIT;

		/* rebased without a question: the diff applied is on record */
		if (changeset_diff(cs, &diff, &c->e) < 0) {
			buf_free(&diff);
			changeset_free(cs);
			pending_free(p);
			return cli_fail(c);
		}
		printf("the staged edits on main.cf as it is now:\n");
		fwrite(diff.data ? diff.data : "", 1, diff.len, stdout);
		buf_free(&diff);
	}
	pending_describe(p, desc, sizeof(desc));
	status = cli_apply_changeset(c, cs, desc);
	changed_hint(c);
	/* Applied, or nothing left to apply: the staged edits are done with. */
	if (status == EXIT_OK && pending_clear(p, &c->e) < 0)
		status = cli_fail(c);
	changeset_free(cs);
	pending_free(p);
	return status;
}

static void format_time(long long when, char *out, size_t outlen)
{
	time_t t = (time_t)when;
	struct tm tm;

	strftime(out, outlen, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
}

static int cmd_history(struct cli_ctx *c, int argc, char **argv)
{
	struct backup_info *list = NULL;
	struct buf out = BUF_INIT;
	size_t n = 0;
	char when[64];

	(void)argv;
	if (argc > 1)
		return cli_usage_error(c, "history takes no arguments");
	if (changeset_history(c->t, &list, &n, &c->e) < 0)
		return cli_fail(c);
	if (c->o->json) {
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "backups");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_kv_str(&j, "id", list[i].id);
			json_kv_int(&j, "time", list[i].when);
			json_kv_str(&j, "description", list[i].description);
			json_key(&j, "files");
			json_arr_begin(&j);
			for (size_t k = 0; k < list[i].nfiles; k++)
				json_str(&j, list[i].files[k]);
			json_arr_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else if (n == 0) {
		printf("no backups yet\n");
	} else {
		for (size_t i = 0; i < n; i++) {
			format_time(list[i].when, when, sizeof(when));
			printf("%-22s %s  %s\n", list[i].id, when, list[i].description);
			for (size_t k = 0; k < list[i].nfiles; k++)
				printf("%-22s   %s\n", "", list[i].files[k]);
		}
	}
	changeset_history_free(list, n);
	buf_free(&out);
	return EXIT_OK;
}

static int cmd_rollback(struct cli_ctx *c, int argc, char **argv)
{
	struct apply_report r;
	char question[512];
	const char *id = argc > 1 ? argv[1] : NULL;
	int go, status = EXIT_OK;

	if (argc > 2)
		return cli_usage_error(c, "rollback takes at most one backup ID");
	snprintf(question, sizeof(question), "Restore %s in %s?", id ? id : "the newest backup",
		 c->t->config_dir);
	go = cli_confirm(c, question);
	if (go < 0)
		return cli_fail(c);
	if (go == 0) {
		printf("not restored\n");
		return EXIT_FAILED;
	}
	apply_report_init(&r);
	if (changeset_rollback(c->t, id, &r, &c->e) < 0) {
		cli_print_report(c, &r, 0, "rollback");
		cli_report_error(&(struct cli_opts){ .json = 0 }, &c->e);
		status = cli_exit_code(&c->e);
	} else {
		cli_print_report(c, &r, 1, "rollback");
	}
	apply_report_free(&r);
	return status;
}

struct command {
	const char *name;
	int (*run)(struct cli_ctx *, int, char **);
	int needs_maincf;	/* parse main.cf up front (and fail early when it cannot be) */
};

static const struct command commands[] = {
	{ "show", cmd_show, 1 },
	{ "params", cmd_params, 1 },
	{ "set", cmd_set, 1 },
	{ "unset", cmd_unset, 1 },
	{ "discard", cmd_discard, 0 },
	{ "diff", cmd_diff, 1 },
	{ "apply", cmd_apply, 1 },
	{ "history", cmd_history, 0 },
	{ "rollback", cmd_rollback, 0 },
	{ "creds", cli_cmd_creds, 1 },
	{ "map", cli_cmd_map, 1 },
	{ "providers", cli_cmd_providers, 0 },
	{ "setup", cli_cmd_setup, 1 },
	{ "probe", cli_cmd_probe, 0 },
	{ "pin", cli_cmd_pin, 1 },
	{ "hosts", cli_cmd_hosts, -1 },	/* reads the inventory, opens no target */
	{ "queue", cli_cmd_queue, -1 },	/* opens the target itself (--input needs none) */
	{ "health", cli_cmd_health, -1 },	/* opens the target itself: a failure is UNKNOWN */
	{ "logs", cli_cmd_logs, 0 },
};

int cli_run(const struct cli_opts *o, int argc, char **argv)
{
	struct cli_ctx c;
	int status;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		if (commands[i].needs_maincf < 0) {
			memset(&c, 0, sizeof(c));
			c.o = o;
		} else if (commands[i].needs_maincf) {
			if (ctx_open(&c, o) < 0) {
				status = cli_fail(&c);
				ctx_close(&c);
				return status;
			}
		} else {
			memset(&c, 0, sizeof(c));
			c.o = o;
			if ((c.t = cli_open_target(o, &c.e)) == NULL)
				return cli_fail(&c);
		}
		status = commands[i].run(&c, argc, argv);
		ctx_close(&c);
		return status;
	}
	fprintf(stderr, "relaydeck: unknown command '%s' (see relaydeck --help)\n", argv[0]);
	return EXIT_USAGE;
}
