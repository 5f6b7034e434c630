/*
 * target - wrappers shared by every target implementation. See target.h.
 */
#include "config.h"
#include "target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

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

void run_out_reset(struct run_out *o)
{
	buf_reset(&o->out);
	buf_reset(&o->err);
	o->exit_code = -1;
	o->term_signal = 0;
	o->timed_out = 0;
	o->cancelled = 0;
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

int target_exists(struct target *t, const char *path, struct err *e)
{
	struct target_stat st;

	if (t->ops->exists)
		return t->ops->exists(t, path, e);
	if (t->ops->stat(t, path, &st, e) < 0)
		return -1;
	return st.exists;
}

int target_run_stream(struct target *t, const char *const *argv, const struct buf *in,
		      target_chunk_fn on_out, void *arg, struct run_out *out, int timeout_ms,
		      struct err *e)
{
	if (t->ops->run_stream)
		return t->ops->run_stream(t, argv, in, on_out, arg, out, timeout_ms, e);
	out->cancelled = 0;
	if (t->ops->run(t, argv, in, out, timeout_ms, e) < 0)
		return -1;
	if (out->out.len && on_out(arg, out->out.data, out->out.len) != 0)
		out->cancelled = 1;
	buf_reset(&out->out);
	return 0;
}

int target_connect(struct target *t, const char *host, const char *port, int timeout_ms,
		   struct stream **out, struct stream_connect_info *info, struct err *e)
{
	if (t != NULL && t->ops->connect)
		return t->ops->connect(t, host, port, timeout_ms, out, info, e);
	*out = stream_tcp_connect(host, port, timeout_ms, info, e);
	return *out ? 0 : -1;
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

void target_escape_config_dir(const char *dir, char *out, size_t outlen)
{
	size_t o = 0;

	while (*dir == '/')
		dir++;
	for (; *dir && o + 4 < outlen; dir++) {
		unsigned char c = (unsigned char)*dir;

		if (c == '/')
			out[o++] = '_';
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '-')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "%%%02X", c);
	}
	out[o] = '\0';
	if (o > 0 && out[o - 1] == '_')
		out[o - 1] = '\0';
}

/* untrusted - why path lets someone other than root choose what runs, or NULL. */
static const char *untrusted(const struct target_stat *st, char *why, size_t len)
{
	if (!st->exists)
		return NULL;
	if (st->uid != 0)
		snprintf(why, len, "belongs to uid %u", (unsigned)st->uid);
	else if (st->mode & 002)
		snprintf(why, len, "is writable by everyone (mode %04o)", (unsigned)st->mode);
	else if ((st->mode & 020) && st->gid != 0)
		snprintf(why, len, "is writable by group %u (mode %04o)", (unsigned)st->gid,
			 (unsigned)st->mode);
	else
		return NULL;
	return why;
}

/* trust_stat - path's owner and mode for the trust check: as the target
 * saw them when it opened, else a stat now. */
static int trust_stat(struct target *t, const char *path, struct target_stat *st,
		      struct err *e)
{
	if (t->ops->stat_at_open && t->ops->stat_at_open(t, path, st) == 0)
		return 0;
	return target_stat(t, path, st, e);
}

/* untrusted_above - the first directory above dir that someone other than
 * root could use to put another config dir in dir's place (its owner, or
 * anyone who may write it; a sticky one such as /tmp keeps root's entries),
 * into above, with why; 0 when none, -1 on a failed stat. */
static int untrusted_above(struct target *t, const char *dir, char *above, size_t alen,
			   char *why, size_t wlen, struct err *e)
{
	struct target_stat st;
	char *slash;

	snprintf(above, alen, "%s", dir);
	while ((slash = strrchr(above, '/')) != NULL && above[1] != '\0') {
		if (slash == above)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (trust_stat(t, above, &st, e) < 0)
			return -1;
		if (st.exists && (st.uid != 0 || !(st.mode & 01000)) &&
		    untrusted(&st, why, wlen) != NULL)
			return 1;
	}
	return 0;
}

int target_config_trust(struct target *t, const char *what, struct err *e)
{
	struct target_stat st;
	char why[128], above[1024], *maincf;
	const char *bad = t->config_dir;
	int r;

	if (!t->is_root || t->trust_config_dir || t->config_trusted)
		return 0;
	if ((r = untrusted_above(t, t->config_dir, above, sizeof(above), why, sizeof(why), e)) < 0)
		return -1;
	if (r == 1) {
		err_set(e, ERR_SYS, "refusing to run %s as root: %s, above config directory %s, "
			"%s, so that user can put a config directory of theirs in its place and "
			"choose the programs it runs (sendmail_path, daemon_directory); move the "
			"config dir, or pass --trust-config-dir if you trust that user", what,
			above, t->config_dir, why);
		e->sys_errno = EPERM;
		return -1;
	}
	if (trust_stat(t, t->config_dir, &st, e) < 0)
		return -1;
	if (untrusted(&st, why, sizeof(why)) == NULL) {
		if ((maincf = target_config_path(t, "main.cf")) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		if (trust_stat(t, maincf, &st, e) < 0) {
			free(maincf);
			return -1;
		}
		if (untrusted(&st, why, sizeof(why)) == NULL) {
			free(maincf);
			t->config_trusted = 1;
			return 0;
		}
		err_set(e, ERR_SYS, "refusing to run %s as root: %s %s, so that user chooses the "
			"programs it runs (sendmail_path, daemon_directory); give the files to root, "
			"or pass --trust-config-dir if you trust its owner", what, maincf, why);
		free(maincf);
	} else {
		err_set(e, ERR_SYS, "refusing to run %s as root: config directory %s %s, so that "
			"user chooses the programs it runs (sendmail_path, daemon_directory); give "
			"it to root, or pass --trust-config-dir if you trust its owner", what, bad,
			why);
	}
	e->sys_errno = EPERM;
	return -1;
}
