/*
 * cli - the scriptable front end. See cli.h.
 *
 * Each subcommand opens the target, calls core/, and prints either text
 * for people or JSON for scripts. Only this file and the console print.
 */
#include "config.h"
#include "cli.h"
#include "cli_creds.h"
#include "cli_int.h"
#include "cli_maps.h"
#include "cli_probe.h"
#include "cli_setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changeset.h"
#include "json.h"
#include "maincf.h"
#include "params.h"
#include "pending.h"
#include "postfix.h"
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
	case ERR_NOTFOUND:
		return EXIT_NOTFOUND;
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

void cli_report_error(const struct cli_opts *o, const struct err *e)
{
	char line[1024];

	fprintf(stderr, "relaydeck: %s\n", err_format(e, line, sizeof(line)));
	if (o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "error");
		json_obj_begin(&j);
		json_kv_str(&j, "code", err_code_name(e->code));
		json_kv_str(&j, "message", e->msg);
		if (e->file[0])
			json_kv_str(&j, "file", e->file);
		if (e->line > 0)
			json_kv_int(&j, "line", e->line);
		json_obj_end(&j);
		json_obj_end(&j);
		printf("%s\n", b.data);
		buf_free(&b);
	}
}

struct target *cli_open_target(const struct cli_opts *o, struct err *e)
{
	return target_local_new(o->config_dir, o->state_dir, e);
}

/* ctx_open - open the target and parse main.cf. */
static int ctx_open(struct cli_ctx *c, const struct cli_opts *o)
{
	struct buf data = BUF_INIT;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->t = cli_open_target(o, &c->e);
	if (c->t == NULL)
		return -1;
	c->maincf_path = target_config_path(c->t, "main.cf");
	if (target_read(c->t, c->maincf_path, &data, &c->e) < 0) {
		buf_free(&data);
		return -1;
	}
	c->m = maincf_parse(c->maincf_path, data.data, data.len, &c->e);
	buf_free(&data);
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

/* Names `postconf -n` prints: those set in main.cf that Postfix knows or that
 * another set value refers to as $name, ${name} or $(name) (the rest it
 * drops with an "unused parameter" warning), plus config_directory when the
 * directory was named by -c or MAIL_CONFIG, as postconf adds it then. */
struct show_list {
	const char **names;	/* sorted; pointers into the model or static */
	size_t count;
	const char *config_dir_arg;	/* value printed for config_directory, or NULL */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* collect_refs - every $name reference in the set values, sorted (malloc'd copies). */
static char **collect_refs(const struct maincf *m, const char **names, size_t n, size_t *nrefs)
{
	char **refs = NULL;
	size_t count = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		const char *v = maincf_get(m, names[i]);

		for (const char *d = strchr(v, '$'); d; d = strchr(d + 1, '$')) {
			const char *q = d + 1;
			size_t len = 0;

			if (*q == '{' || *q == '(')
				q++;
			while ((q[len] >= 'a' && q[len] <= 'z') || (q[len] >= 'A' && q[len] <= 'Z') ||
			       (q[len] >= '0' && q[len] <= '9') || q[len] == '_')
				len++;
			if (len == 0)
				continue;
			if (count == cap) {
				char **nr = realloc(refs, (cap = cap ? cap * 2 : 64) * sizeof(*refs));

				if (nr == NULL)
					break;
				refs = nr;
			}
			if ((refs[count] = strndup(q, len)) != NULL)
				count++;
		}
	}
	if (count)
		qsort(refs, count, sizeof(*refs), cmp_str);
	*nrefs = count;
	return refs;
}

/* show_list_build - see struct show_list; warns on stderr like postconf. */
static int show_list_build(struct cli_ctx *c, struct show_list *sl)
{
	const char **names = NULL;
	char **refs;
	size_t n = 0, nrefs = 0, kept = 0;
	const char *arg = c->o->config_dir ? c->o->config_dir : getenv("MAIL_CONFIG");

	memset(sl, 0, sizeof(*sl));
	if (maincf_names(c->m, &names, &n) < 0)
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	/* Known names come from `postconf -d` alone (half the cost of a full host
	 * load). When even that fails, list everything rather than nothing. */
	if (c->host == NULL && (c->host = params_host_load_defaults(c->t, &c->e)) == NULL) {
		char msg[600];

		fprintf(stderr, "relaydeck: warning: cannot tell unused parameters apart: %s\n",
			err_format(&c->e, msg, sizeof(msg)));
		err_clear(&c->e);
	}
	sl->names = malloc((n + 1) * sizeof(*sl->names));
	if (sl->names == NULL) {
		free(names);
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	}
	refs = collect_refs(c->m, names, n, &nrefs);
	if (arg && *arg && maincf_get(c->m, "config_directory") == NULL)
		sl->config_dir_arg = arg;
	for (size_t i = 0; i < n; i++) {
		if (sl->config_dir_arg && strcmp(names[i], "config_directory") > 0 &&
		    (kept == 0 || strcmp(sl->names[kept - 1], "config_directory") < 0))
			sl->names[kept++] = "config_directory";
		if (c->host == NULL || params_host_known(c->host, names[i]) ||
		    (nrefs && bsearch(&names[i], refs, nrefs, sizeof(*refs), cmp_str))) {
			sl->names[kept++] = names[i];
		} else if (!c->o->json) {
			fprintf(stderr, "relaydeck: warning: %s: unused parameter: %s=%s\n",
				c->maincf_path, names[i], maincf_get(c->m, names[i]));
		}
	}
	if (sl->config_dir_arg && (kept == 0 || strcmp(sl->names[kept - 1], "config_directory") < 0))
		sl->names[kept++] = "config_directory";
	sl->count = kept;
	for (size_t i = 0; i < nrefs; i++)
		free(refs[i]);
	free(refs);
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

		if (show_list_build(c, &sl) < 0)
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
		json_kv_str(&j, "config_directory", c->t->config_dir);
		json_key(&j, "parameters");
		json_arr_begin(&j);
		if (argc > 1) {
			for (int i = 1; i < argc; i++)
				json_param(&j, c, argv[i], p, &expanded);
		} else {
			struct show_list sl;

			if (show_list_build(c, &sl) == 0) {
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

/* print_staged - text or JSON listing of what is staged now. */
static void print_staged(struct cli_ctx *c, const struct pending *p)
{
	size_t n = pending_count(p);

	if (c->o->json) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
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
	int rc = 0;

	if ((p = pending_load(c->t, &c->e)) == NULL)
		return cli_fail(c);
	for (int i = 1; i < argc && rc == 0; i++) {
		if (unset)
			rc = pending_unset(p, argv[i], &c->e);
		else if (split_assignment(argv[i], name, sizeof(name), &value) == 0)
			rc = pending_set(p, name, value, &c->e);
	}
	if (rc == 0)
		rc = pending_save(p, &c->e);
	if (rc == 0)
		print_staged(c, p);
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
		json_kv_str(&j, "diff", diff.data ? diff.data : "");
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
	} else if (diff.len) {
		fwrite(diff.data, 1, diff.len, stdout);
	} else {
		fprintf(stderr, "relaydeck: no staged changes\n");
	}
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
		json_kv_str(&j, "steps", r->steps.data ? r->steps.data : "");
		json_kv_str(&j, "warnings", r->warnings.data ? r->warnings.data : "");
		if (!ok) {
			json_key(&j, "error");
			json_obj_begin(&j);
			json_kv_str(&j, "code", err_code_name(c->e.code));
			json_kv_str(&j, "message", c->e.msg);
			json_obj_end(&j);
		}
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
		return;
	}
	if (r->steps.len)
		fputs(r->steps.data, stdout);
	if (r->warnings.len)
		printf("warnings already present (not caused by this change):\n%s", r->warnings.data);
}

static void describe_edits(const struct pending *p, char *out, size_t outlen)
{
	size_t n = pending_count(p), off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && off + 1 < outlen; i++) {
		const struct pending_edit *pe = pending_at(p, i);
		int w = snprintf(out + off, outlen - off, "%s%s %s", i ? ", " : "",
				 pe->value ? "set" : "unset", pe->name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int cli_apply_changeset(struct cli_ctx *c, struct changeset *cs, const char *description)
{
	struct buf diff = BUF_INIT;
	struct apply_report r;
	char question[512];
	size_t changed;
	int go, status = EXIT_OK;

	apply_report_init(&r);
	if (changeset_diff(cs, &diff, &c->e) < 0) {
		status = cli_fail(c);
		goto out;
	}
	changed = changeset_changed(cs, &c->e);
	if (changed == 0) {
		if (c->o->json)
			printf("{\"ok\":true,\"action\":\"apply\",\"changed\":0}\n");
		else
			printf("no changes\n");
		goto out;
	}
	if (!c->o->yes && !c->o->json && isatty(STDIN_FILENO))
		fwrite(diff.data, 1, diff.len, stdout);
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
	if (!c->o->json)
		printf("applied%s%s\n", r.backup_id[0] ? "; backup " : "", r.backup_id);
out:
	apply_report_free(&r);
	buf_free(&diff);
	return status;
}

static int cmd_apply(struct cli_ctx *c, int argc, char **argv)
{
	struct changeset *cs;
	struct pending *p;
	char desc[256];
	int status;

	(void)argv;
	if (argc > 1)
		return cli_usage_error(c, "apply takes no arguments (besides --yes)");
	if ((p = pending_load(c->t, &c->e)) == NULL)
		return cli_fail(c);
	if ((cs = changeset_new(c->t)) == NULL || pending_build(p, cs, &c->e) < 0) {
		if (cs == NULL)
			err_set(&c->e, ERR_NOMEM, "out of memory");
		changeset_free(cs);
		pending_free(p);
		return cli_fail(c);
	}
	describe_edits(p, desc, sizeof(desc));
	status = cli_apply_changeset(c, cs, desc);
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
		if (!c->o->json)
			printf("restored%s%s\n", r.backup_id[0] ? "; backup of the replaced files " : "",
			       r.backup_id);
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
};

int cli_run(const struct cli_opts *o, int argc, char **argv)
{
	struct cli_ctx c;
	int status;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		if (commands[i].needs_maincf) {
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
