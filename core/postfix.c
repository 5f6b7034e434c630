/*
 * postfix - the host's own Postfix tools, run through the target. See
 * postfix.h.
 *
 * Every command carries "-c config_dir". Deadlines: 10 s for postconf,
 * 30 s for postfix check/reload/status and postmap. Postfix prints its
 * warnings on stderr; they are handed back line by line so that the
 * change set can tell old warnings from new ones.
 *
 * Errors: ERR_RUN (program failed, first stderr line quoted), ERR_TIMEOUT,
 * and whatever target_run reports.
 */
#include "config.h"
#include "postfix.h"

#include <stdio.h>
#include <string.h>

#include "target.h"

#define POSTCONF_MS 10000
#define POSTFIX_MS 30000

/* append_lines - add text to warnings, ending with a newline. */
static void append_lines(struct buf *warnings, const struct buf *text)
{
	if (warnings == NULL || text->len == 0)
		return;
	buf_append(warnings, text->data, text->len);
	if (text->data[text->len - 1] != '\n')
		buf_putc(warnings, '\n');
}

/* postfix_conf_n - postconf -n; stderr lines are warnings. */
int postfix_conf_n(struct target *t, struct buf *out, struct buf *warnings, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-n", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTCONF_MS, e);
	if (r == 0 && out)
		r = buf_append(out, o.out.data, o.out.len) < 0
			? err_set(e, ERR_LIMIT, "postconf -n: output too large") : 0;
	append_lines(warnings, &o.err);
	run_out_free(&o);
	return r;
}

/* postfix_conf_nx - postconf -n -x: the set parameters, every $name expanded. */
int postfix_conf_nx(struct target *t, struct buf *out, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-n", "-x", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTCONF_MS, e);
	if (r == 0)
		r = buf_append(out, o.out.data, o.out.len) < 0
			? err_set(e, ERR_LIMIT, "postconf -n -x: output too large") : 0;
	run_out_free(&o);
	return r;
}

/* postfix_conf_value - find "name = value" (or "name =") in postconf output. */
int postfix_conf_value(const char *text, const char *name, struct buf *out)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len >= n + 2 && strncmp(p, name, n) == 0 && strncmp(p + n, " =", 2) == 0) {
			const char *v = p + n + 2;

			if (*v == ' ')
				v++;
			buf_reset(out);
			return buf_append(out, v, (size_t)(p + len - v));
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

/* postfix_expand - postconf -x -h NAME, newline trimmed. */
int postfix_expand(struct target *t, const char *name, struct buf *out, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-x", "-h", name, NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTCONF_MS, e);
	if (r == 0) {
		size_t n = o.out.len;

		while (n > 0 && o.out.data[n - 1] == '\n')
			n--;
		if (buf_append(out, o.out.data, n) < 0)
			r = err_set(e, ERR_LIMIT, "postconf %s: output too large", name);
	}
	run_out_free(&o);
	return r;
}

/* postfix_check - postfix check, as root only. */
int postfix_check(struct target *t, struct buf *warnings, struct err *e)
{
	const char *argv[] = { "postfix", "-c", t->config_dir, "check", NULL };
	struct run_out o;
	int r;

	/* `postfix check` is reserved for the superuser. */
	if (!t->is_root)
		return 1;
	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTFIX_MS, e);
	/* check writes both its own messages and those of the postconf it runs. */
	append_lines(warnings, &o.out);
	append_lines(warnings, &o.err);
	if (r < 0 && e->code == ERR_RUN && o.err.len == 0 && o.out.len == 0)
		snprintf(e->msg, sizeof(e->msg),
			 "postfix check failed (exit %d) for %s; Postfix logged the reason to "
			 "its log, not to the terminal", o.exit_code, t->config_dir);
	run_out_free(&o);
	return r < 0 ? -1 : 0;
}

/* postfix_running - postfix status: exit 0 means the master runs. */
int postfix_running(struct target *t, struct err *e)
{
	const char *argv[] = { "postfix", "-c", t->config_dir, "status", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run(t, argv, NULL, &o, POSTFIX_MS, e);
	if (r == 0 && o.timed_out)
		r = err_set(e, ERR_TIMEOUT, "postfix status: no answer within %d ms", POSTFIX_MS);
	if (r == 0)
		r = o.exit_code == 0 ? 1 : 0;
	run_out_free(&o);
	return r;
}

/* postfix_reload - postfix reload. */
int postfix_reload(struct target *t, struct err *e)
{
	const char *argv[] = { "postfix", "-c", t->config_dir, "reload", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTFIX_MS, e);
	run_out_free(&o);
	return r;
}

/* postfix_postmap - postmap [TYPE:]PATH. */
int postfix_postmap(struct target *t, const char *type, const char *path, struct err *e)
{
	char spec[4096];
	const char *argv[] = { "postmap", "-c", t->config_dir, spec, NULL };
	struct run_out o;
	int r;

	if (type && *type)
		r = snprintf(spec, sizeof(spec), "%s:%s", type, path);
	else
		r = snprintf(spec, sizeof(spec), "%s", path);
	if (r < 0 || (size_t)r >= sizeof(spec))
		return err_set(e, ERR_INVALID, "postmap %s: path too long", path);
	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTFIX_MS, e);
	run_out_free(&o);
	if (r < 0)
		err_at(e, path, 0);
	return r;
}
