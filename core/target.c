/*
 * target - wrappers shared by every target implementation. See target.h.
 */
#include "config.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void target_free(struct target *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->config_dir);
	free(t->state_dir);
	if (t->ops && t->ops->free)
		t->ops->free(t);
	free(t);
}

void run_out_init(struct run_out *o)
{
	memset(o, 0, sizeof(*o));
	buf_init(&o->out, 0);
	buf_init(&o->err, 0);
	o->exit_code = -1;
}

void run_out_free(struct run_out *o)
{
	if (o == NULL)
		return;
	buf_free(&o->out);
	buf_free(&o->err);
}

void target_names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int target_read(struct target *t, const char *path, struct buf *out, struct err *e)
{
	return t->ops->read_file(t, path, out, e);
}

int target_write(struct target *t, const char *path, const void *data, size_t len,
		 mode_t mode, struct err *e)
{
	struct write_opts o = { mode, (uid_t)-1, (gid_t)-1 };

	return t->ops->write_atomic(t, path, data, len, &o, e);
}

int target_run(struct target *t, const char *const *argv, const struct buf *in,
	       struct run_out *out, int timeout_ms, struct err *e)
{
	return t->ops->run(t, argv, in, out, timeout_ms, e);
}

int target_stat(struct target *t, const char *path, struct target_stat *st, struct err *e)
{
	return t->ops->stat(t, path, st, e);
}

/* first_line - copy the first non-empty line of s (at most n-1 bytes). */
static void first_line(const char *s, char *dst, size_t n)
{
	size_t i = 0;

	while (*s == '\n')
		s++;
	while (s[i] && s[i] != '\n' && i + 1 < n) {
		dst[i] = s[i];
		i++;
	}
	dst[i] = '\0';
}

int target_run_ok(struct target *t, const char *const *argv, const struct buf *in,
		  struct run_out *out, int timeout_ms, struct err *e)
{
	char line[300];

	if (target_run(t, argv, in, out, timeout_ms, e) < 0)
		return -1;
	if (out->timed_out)
		return err_set(e, ERR_TIMEOUT, "%s: no answer within %d ms", argv[0], timeout_ms);
	if (out->exit_code != 0) {
		first_line(out->err.data ? out->err.data : "", line, sizeof(line));
		if (out->term_signal)
			return err_set(e, ERR_RUN, "%s: killed by signal %d", argv[0], out->term_signal);
		return err_set(e, ERR_RUN, "%s failed (exit %d)%s%s", argv[0], out->exit_code,
			       line[0] ? ": " : "", line);
	}
	return 0;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s%s", dir, (dir[0] && dir[strlen(dir) - 1] == '/') ? "" : "/", name);
	return p;
}

char *target_config_path(const struct target *t, const char *name)
{
	return path_join(t->config_dir, name);
}

char *target_state_path(const struct target *t, const char *name)
{
	return path_join(t->state_dir, name);
}
