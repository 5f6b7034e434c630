/*
 * ssh_target - the target interface over SSH. See ssh_target.h for the
 * design (commands as a script on /bin/sh's stdin, files over SFTP or
 * sudo'd commands, a lock that dies with the channel); doc/REMOTE.md
 * says why.
 */
#include "config.h"
#include "ssh_target.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2_sftp.h>
#include <openssl/rand.h>

#include "fiber.h"
#include "sftp_ext.h"
#include "shquote.h"
#include "ssh_shell.h"
#include "stream.h"

#define OP_TIMEOUT_MS 30000

struct seen_stat {
	char *path;
	struct target_stat st;
};

struct sshx {
	pthread_mutex_t mu;	/* one libssh2 session: one caller at a time */
	struct ssh_session *s;
	struct ssh_shell *sh;	/* the kept shell: commands without stdin data */
	LIBSSH2_SFTP *sftp;
	struct sftp_ext *ext;	/* posix-rename channel, opened on first need */
	int ext_tried;
	int sudo;
	int state_checked;	/* the state dir passed remote_state_dir_check */
	int have_uid;		/* uid: the owner of the opening probe's /proc/self */
	unsigned long uid;
	struct seen_stat *seen;	/* what the opening probe's stat said (stat_at_open) */
	size_t nseen;
	char *marks[2];		/* the markers it looked for ... */
	int mark_there[2];	/* ... and whether each was there (exists, once) */
};

static struct sshx *X(struct target *t)
{
	return t->impl;
}

static long long op_deadline(void)
{
	return ssh_now_ms() + OP_TIMEOUT_MS;
}

/* ---- commands -------------------------------------------------------- */

/* build_script - the text /bin/sh -s runs: a fixed PATH and locale, the
 * marker (nonce and the shell's pid) on stderr and the nonce on stdout
 * (what a login rc file printed before them is not the command's), then
 * exec of the quoted argv. The braces make the shell parse the whole
 * command before it prints the marker, so it never reads past the script. */
static int build_script(const struct sshx *x, const char *const *argv, const char *nonce,
			struct buf *out, struct err *e)
{
	buf_printf(out, "PATH=%s:$PATH; export PATH; LC_ALL=C; export LC_ALL\n"
		   "{ printf '%%s %%s\\n' %s \"$$\" >&2; printf '%%s\\n' %s; exec %s", SSH_REMOTE_PATH,
		   nonce, nonce, x->sudo ? "sudo -n -- " : "");
	if (shquote_argv(out, argv, e) < 0)
		return -1;
	if (buf_puts(out, "; }\n") < 0)
		return err_set(e, ERR_LIMIT, "%s: command too long", argv[0]);
	return 0;
}

/* take_marker - move stderr bytes after the marker line into err; 1 once seen. */
static int take_marker(struct buf *pre, const char *nonce, long *pid, struct buf *err)
{
	char *m = pre->data ? strstr(pre->data, nonce) : NULL;
	char *nl;

	if (m == NULL || (nl = strchr(m, '\n')) == NULL)
		return 0;
	*pid = strtol(m + strlen(nonce), NULL, 10);
	buf_append(err, nl + 1, pre->len - (size_t)(nl + 1 - pre->data));
	return 1;
}

/* exec_channel - run argv on a channel of its own, for a command that
 * reads stdin data: stdout into o->out, or to on_out as it comes
 * (non-zero from on_out kills the command). *started: the shell got as
 * far as the command. */
static int exec_channel(struct target *t, const char *const *argv, const struct buf *in,
			target_chunk_fn on_out, void *arg, struct run_out *o, int timeout_ms,
			int *started, struct err *e)
{
	struct sshx *x = X(t);
	struct buf script = BUF_INIT, pre = BUF_INIT, opre = BUF_INIT;
	char nonce[40], chunk[32768], sig[32];
	size_t soff = 0, ioff = 0, in_len = in ? in->len : 0;
	int marker = 0, out_marker = 0, eof_sent = 0, overflow = 0, rc = -1;
	long pid = 0;
	long long deadline;
	LIBSSH2_CHANNEL *ch;

	run_out_reset(o);
	deadline = ssh_now_ms() + timeout_ms;
	ssh_make_nonce(nonce, sizeof(nonce));
	if (build_script(x, argv, nonce, &script, e) < 0)
		goto out;
	ch = ssh_session_channel(x->s, "/bin/sh -s", NULL, deadline, e);
	if (ch == NULL)
		goto out;
	for (;;) {
		int progress = 0;
		ssize_t n = 0;

		/* stdin: the script, then (after the marker) the command's data */
		if (soff < script.len) {
			n = libssh2_channel_write(ch, script.data + soff, script.len - soff);
			if (n > 0) {
				soff += (size_t)n;
				progress = 1;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				ssh_session_error(x->s, "send command", e);
				break;
			}
		} else if (marker && ioff < in_len) {
			n = libssh2_channel_write(ch, in->data + ioff, in_len - ioff);
			if (n > 0) {
				ioff += (size_t)n;
				progress = 1;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				/* the command stopped reading: like EPIPE locally */
				ioff = in_len;
			}
		}
		if (!eof_sent && soff == script.len && (in_len == 0 || (marker && ioff == in_len))) {
			n = libssh2_channel_send_eof(ch);
			if (n == 0 || n != LIBSSH2_ERROR_EAGAIN) {
				eof_sent = 1;
				progress = 1;
			}
		}
		/* stdout and stderr, kept apart */
		while (!o->cancelled && (n = libssh2_channel_read(ch, chunk, sizeof(chunk))) > 0) {
			const char *p = chunk;
			size_t len = (size_t)n;

			progress = 1;
			if (!out_marker) {	/* the login's output, then the nonce line */
				char *m;

				if (buf_append(&opre, chunk, len) < 0) {
					overflow = 1;
					continue;
				}
				m = memmem(opre.data, opre.len, nonce, strlen(nonce));
				if (m == NULL || (p = memchr(m, '\n', opre.len -
							       (size_t)(m - opre.data))) == NULL)
					continue;
				out_marker = 1;
				p++;
				len = opre.len - (size_t)(p - opre.data);
			}
			if (len == 0)
				continue;
			if (on_out) {
				if (on_out(arg, p, len) != 0)
					o->cancelled = 1;
			} else if (buf_append(&o->out, p, len) < 0) {
				overflow = 1;
			}
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			ssh_session_error(x->s, argv[0], e);
			break;
		}
		while ((n = libssh2_channel_read_stderr(ch, chunk, sizeof(chunk))) > 0) {
			progress = 1;
			if (marker) {
				if (buf_append(&o->err, chunk, (size_t)n) < 0)
					overflow = 1;
			} else if (buf_append(&pre, chunk, (size_t)n) < 0) {
				overflow = 1;
			} else {
				marker = take_marker(&pre, nonce, &pid, &o->err);
			}
		}
		/* after stderr: the marker names the process to end */
		if (o->cancelled) {
			ssh_kill_group(x->s, x->sudo, pid);
			rc = 0;
			break;
		}
		if (overflow) {
			ssh_kill_group(x->s, x->sudo, pid);
			err_set(e, ERR_LIMIT, "%s: output larger than the limit", argv[0]);
			break;
		}
		if (libssh2_channel_eof(ch)) {
			rc = 0;
			break;
		}
		/* A read of one stream may have pulled the other's data off the
		 * socket: it waits in libssh2, and polling the socket for it
		 * would sleep until the deadline. */
		if (!progress && libssh2_poll_channel_read(ch, 1))
			progress = 1;
		if (!progress) {
			struct err w;

			if (ssh_session_wait(x->s, deadline, argv[0], &w) < 0) {
				if (w.code == ERR_TIMEOUT) {
					o->timed_out = 1;
					ssh_kill_group(x->s, x->sudo, pid);
					rc = 0;
				} else {
					*e = w;
				}
				break;
			}
		}
	}
	if (rc == 0 && !o->timed_out && !o->cancelled) {
		ssh_channel_close(x->s, ch, deadline + 2000, &o->exit_code, sig, sizeof(sig));
		if (sig[0])
			o->term_signal = 9;	/* by name; the number is not portable */
	} else {
		ssh_channel_close(x->s, ch, ssh_now_ms() + 1000, NULL, NULL, 0);
	}
	if (!marker && pre.len)
		buf_append(&o->err, pre.data, pre.len);	/* what the login shell said */
	if (rc < 0)
		goto out;
	if (o->out.data == NULL)
		buf_append(&o->out, "", 0);
	if (o->err.data == NULL)
		buf_append(&o->err, "", 0);
	*started = marker;
out:
	buf_free(&script);
	buf_wipe_free(&pre);
	buf_wipe_free(&opre);
	return rc;
}

/* exec_verdict - the failures of a finished command that are the host's,
 * not the command's: sudo refusing, the program missing, /bin/sh failing. */
static int exec_verdict(struct target *t, const char *const *argv, const struct run_out *o,
			int started, struct err *e)
{
	struct sshx *x = X(t);

	if (o->timed_out || o->cancelled)
		return 0;
	if (x->sudo && o->exit_code == 1 &&
	    (strstr(o->err.data, "sudo: a password is required") ||
	     strstr(o->err.data, "sudo: a terminal is required") ||
	     strstr(o->err.data, "is not in the sudoers file") ||
	     strstr(o->err.data, "is not allowed to execute"))) {
		return err_set(e, ERR_AUTH, "sudo on %s refused %s without a password (sudo -n): "
			       "%.*s", ssh_session_label(x->s), argv[0],
			       (int)strcspn(o->err.data, "\n"), o->err.data);
	} else if (o->exit_code == 127 && strstr(o->err.data, "not found") &&
		   strstr(o->err.data, argv[0])) {
		return err_set(e, ERR_RUN, "%s: program not found on %s", argv[0],
			       ssh_session_label(x->s));
	} else if (!started && o->exit_code != 0) {
		return err_set(e, ERR_RUN, "%s: /bin/sh could not run the command on %s: %.*s",
			       argv[0], ssh_session_label(x->s), (int)strcspn(o->err.data, "\n"),
			       o->err.data);
	}
	return 0;
}

static int kept_shell(struct sshx *x, struct err *e)
{
	if (x->sh == NULL && (x->sh = ssh_shell_new(x->s, x->sudo)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

/* ssh_exec - run argv: in the kept shell (ssh_shell.h), or on a channel
 * of its own when it reads stdin data. stdout into o->out, or to on_out
 * as it comes (non-zero from on_out kills the command). */
static int ssh_exec(struct target *t, const char *const *argv, const struct buf *in,
		    target_chunk_fn on_out, void *arg, struct run_out *o, int timeout_ms,
		    struct err *e)
{
	struct sshx *x = X(t);
	struct buf cmd = BUF_INIT;
	int started = 1, r;

	if (argv == NULL || argv[0] == NULL)
		return err_set(e, ERR_USAGE, "run: empty command");
	if (timeout_ms <= 0)
		timeout_ms = RUN_TIMEOUT_DEFAULT_MS;
	if (in && in->len > 0) {
		r = exec_channel(t, argv, in, on_out, arg, o, timeout_ms, &started, e);
	} else {
		if (kept_shell(x, e) < 0)
			return -1;
		if (buf_puts(&cmd, x->sudo ? "sudo -n -- " : "") < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
		if (shquote_argv(&cmd, argv, e) < 0) {
			buf_free(&cmd);
			return -1;
		}
		r = ssh_shell_run(x->sh, cmd.data, argv[0], on_out, arg, o,
				  ssh_now_ms() + timeout_ms, e);
		buf_free(&cmd);
	}
	return r < 0 ? -1 : exec_verdict(t, argv, o, started, e);
}

static int ssh_run(struct target *t, const char *const *argv, const struct buf *in,
		   struct run_out *o, int timeout_ms, struct err *e)
{
	return ssh_exec(t, argv, in, NULL, NULL, o, timeout_ms, e);
}

/* run_simple - a helper command for sudo file operations; -1 unless exit 0. */
static int run_cmd(struct target *t, const char *const *argv, const struct buf *in,
		   struct run_out *o, struct err *e)
{
	return ssh_run(t, argv, in, o, OP_TIMEOUT_MS, e);
}

/* first_err_line - stderr's first line, for messages. */
static int errlen(const struct run_out *o)
{
	return (int)strcspn(o->err.data ? o->err.data : "", "\n");
}

/* ---- files over SFTP ------------------------------------------------- */

static LIBSSH2_SFTP *sftp(struct target *t, long long deadline, struct err *e)
{
	struct sshx *x = X(t);

	while (x->sftp == NULL) {
		x->sftp = libssh2_sftp_init(ssh_session_raw(x->s));
		if (x->sftp)
			break;
		if (libssh2_session_last_errno(ssh_session_raw(x->s)) != LIBSSH2_ERROR_EAGAIN) {
			ssh_session_error(x->s, "start sftp", e);
			return NULL;
		}
		if (ssh_session_wait(x->s, deadline, "start sftp", e) < 0)
			return NULL;
	}
	return x->sftp;
}

/* sftp_fail - an SFTP status as an err naming the operation and path. */
static int sftp_fail(struct target *t, const char *op, const char *path, struct err *e)
{
	struct sshx *x = X(t);
	int last = libssh2_session_last_errno(ssh_session_raw(x->s));
	unsigned long st;

	if (last != LIBSSH2_ERROR_SFTP_PROTOCOL || x->sftp == NULL) {
		char what[600];

		snprintf(what, sizeof(what), "%s %s", op, path);
		ssh_session_error(x->s, what, e);
		return err_at(e, path, 0);
	}
	st = libssh2_sftp_last_error(x->sftp);
	switch (st) {
	case LIBSSH2_FX_NO_SUCH_FILE:
	case LIBSSH2_FX_NO_SUCH_PATH:
		err_set(e, ERR_NOTFOUND, "%s %s: No such file or directory", op, path);
		e->sys_errno = ENOENT;
		break;
	case LIBSSH2_FX_PERMISSION_DENIED:
	case LIBSSH2_FX_WRITE_PROTECT:
		err_set(e, ERR_SYS, "%s %s on %s: Permission denied", op, path,
			ssh_session_label(x->s));
		e->sys_errno = EACCES;
		break;
	case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
	case LIBSSH2_FX_QUOTA_EXCEEDED:
		err_set(e, ERR_SYS, "%s %s on %s: No space left on device", op, path,
			ssh_session_label(x->s));
		e->sys_errno = ENOSPC;
		break;
	case LIBSSH2_FX_FILE_ALREADY_EXISTS:
		err_set(e, ERR_SYS, "%s %s on %s: File exists", op, path, ssh_session_label(x->s));
		e->sys_errno = EEXIST;
		break;
	default:
		err_set(e, ERR_SYS, "%s %s on %s: sftp status %lu", op, path,
			ssh_session_label(x->s), st);
		e->sys_errno = EIO;
	}
	return err_at(e, path, 0);
}

/* Retry a libssh2 SFTP call while it would block. */
#define SFTP_INT(t, dl, e, call)                                                        \
	({                                                                              \
		int _r;                                                                 \
		while ((_r = (call)) == LIBSSH2_ERROR_EAGAIN)                           \
			if (ssh_session_wait(X(t)->s, (dl), "sftp", (e)) < 0)           \
				break;                                                  \
		_r;                                                                     \
	})

/* sftp_stat_path - 1 and attrs when it exists, 0 when not, -1 on error. */
static int sftp_stat_path(struct target *t, const char *path, LIBSSH2_SFTP_ATTRIBUTES *a,
			  long long dl, struct err *e)
{
	LIBSSH2_SFTP *sf = sftp(t, dl, e);
	int r;

	if (sf == NULL)
		return -1;
	memset(a, 0, sizeof(*a));
	r = SFTP_INT(t, dl, e, libssh2_sftp_stat_ex(sf, path, (unsigned)strlen(path),
						      LIBSSH2_SFTP_STAT, a));
	if (r == LIBSSH2_ERROR_EAGAIN)
		return -1;
	if (r == 0)
		return 1;
	if (r == LIBSSH2_ERROR_SFTP_PROTOCOL) {
		unsigned long st = libssh2_sftp_last_error(sf);

		if (st == LIBSSH2_FX_NO_SUCH_FILE || st == LIBSSH2_FX_NO_SUCH_PATH ||
		    st == LIBSSH2_FX_NOT_A_DIRECTORY)
			return 0;
	}
	return sftp_fail(t, "stat", path, e);
}

static LIBSSH2_SFTP_HANDLE *sftp_open(struct target *t, const char *path, unsigned long flags,
				      long mode, int type, long long dl, struct err *e)
{
	LIBSSH2_SFTP *sf = sftp(t, dl, e);
	LIBSSH2_SFTP_HANDLE *h;

	if (sf == NULL)
		return NULL;
	while ((h = libssh2_sftp_open_ex(sf, path, (unsigned)strlen(path), flags, mode, type)) ==
	       NULL) {
		if (libssh2_session_last_errno(ssh_session_raw(X(t)->s)) != LIBSSH2_ERROR_EAGAIN) {
			sftp_fail(t, "open", path, e);
			return NULL;
		}
		if (ssh_session_wait(X(t)->s, dl, "sftp open", e) < 0)
			return NULL;
	}
	return h;
}

static void sftp_close(struct target *t, LIBSSH2_SFTP_HANDLE *h, long long dl)
{
	struct err ignore;

	if (h)
		SFTP_INT(t, dl, &ignore, libssh2_sftp_close_handle(h));
}

static int cmd_read_file(struct target *t, const char *path, struct buf *out, struct err *e);
static int cmd_stat(struct target *t, const char *path, struct target_stat *st, struct err *e);
static int cmd_write_atomic(struct target *t, const char *path, const void *data, size_t len,
			    const struct write_opts *o, struct err *e);
static int cmd_unlink(struct target *t, const char *path, struct err *e);
static int cmd_fail(struct target *t, const char *op, const char *path, const struct run_out *o,
		    struct err *e);
static int cmd_mkdir_p(struct target *t, const char *path, mode_t mode, struct err *e);
static int cmd_list_dir(struct target *t, const char *path, char ***names, size_t *count,
			struct err *e);

static int ssh_read_file(struct target *t, const char *path, struct buf *out, struct err *e)
{
	long long dl = op_deadline();
	LIBSSH2_SFTP_ATTRIBUTES a;
	LIBSSH2_SFTP_HANDLE *h;
	char chunk[32768];
	ssize_t n;
	int r;

	if (X(t)->sudo)
		return cmd_read_file(t, path, out, e);
	buf_reset(out);
	r = sftp_stat_path(t, path, &a, dl, e);
	if (r < 0)
		return -1;
	if (r == 0) {
		err_set(e, ERR_NOTFOUND, "open %s: No such file or directory", path);
		e->sys_errno = ENOENT;
		return err_at(e, path, 0);
	}
	if (!LIBSSH2_SFTP_S_ISREG(a.permissions)) {
		err_set(e, ERR_INVALID, "read %s on %s: not a regular file", path,
			ssh_session_label(X(t)->s));
		return err_at(e, path, 0);
	}
	h = sftp_open(t, path, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE, dl, e);
	if (h == NULL)
		return -1;
	for (;;) {
		n = libssh2_sftp_read(h, chunk, sizeof(chunk));
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_wait(X(t)->s, dl, "sftp read", e) < 0)
				goto fail;
			continue;
		}
		if (n < 0) {
			sftp_fail(t, "read", path, e);
			goto fail;
		}
		if (n == 0)
			break;
		if (buf_append(out, chunk, (size_t)n) < 0) {
			err_set(e, ERR_LIMIT, "read %s: file too large", path);
			err_at(e, path, 0);
			goto fail;
		}
	}
	sftp_close(t, h, dl);
	if (out->data == NULL)
		buf_append(out, "", 0);
	return 0;
fail:
	sftp_close(t, h, dl);
	return -1;
}

/* cmd_read_at - with sudo: dd reads the piece (SFTP runs as the login user). */
static int cmd_read_at(struct target *t, const char *path, long long off, size_t max,
		       struct buf *out, struct err *e)
{
	char ifa[2100], skip[64], count[64];
	const char *argv[] = { "dd", ifa, "bs=65536", skip, count, "iflag=skip_bytes,count_bytes",
			       "status=none", NULL };
	struct run_out o;
	int r;

	snprintf(ifa, sizeof(ifa), "if=%s", path);
	snprintf(skip, sizeof(skip), "skip=%lld", off);
	snprintf(count, sizeof(count), "count=%zu", max);
	run_out_init(&o);
	buf_init(&o.out, max + 1);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0)
		r = cmd_fail(t, "read", path, &o, e);
	if (r == 0) {
		buf_reset(out);
		if (buf_append(out, o.out.data ? o.out.data : "", o.out.len) < 0)
			r = err_set(e, ERR_LIMIT, "read %s: piece too large", path);
	}
	run_out_free(&o);
	return r;
}

/* ssh_read_at - open, seek, read up to max bytes, close: one piece of a
 * large file (a mail log) without reading what comes before it. */
static int ssh_read_at(struct target *t, const char *path, long long off, size_t max,
		       struct buf *out, struct err *e)
{
	long long dl = op_deadline();
	LIBSSH2_SFTP_HANDLE *h;
	ssize_t n;

	if (off < 0)
		return err_set(e, ERR_INVALID, "read %s: negative offset", path);
	if (X(t)->sudo)
		return cmd_read_at(t, path, off, max, out, e);
	buf_reset(out);
	if (buf_reserve(out, max + 1) < 0)
		return err_set(e, ERR_LIMIT, "read %s: piece too large", path);
	h = sftp_open(t, path, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE, dl, e);
	if (h == NULL)
		return -1;
	libssh2_sftp_seek64(h, (libssh2_uint64_t)off);
	while (out->len < max) {
		n = libssh2_sftp_read(h, out->data + out->len, max - out->len);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_wait(X(t)->s, dl, "sftp read", e) < 0)
				goto fail;
			continue;
		}
		if (n < 0) {
			sftp_fail(t, "read", path, e);
			goto fail;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	sftp_close(t, h, dl);
	return 0;
fail:
	sftp_close(t, h, dl);
	return -1;
}

/* stat_id - an identity for core/secrecy, which tells files apart by
 * device and inode (a symlink to sasl_passwd is sasl_passwd). SFTP carries
 * neither, and a stat(1) per call would cost a remote process start each
 * time, so the identity is the canonical path the server's realpath gives
 * (every symlink, "//", "." and ".." resolved), hashed into ino with dev 0.
 * Hard links to one file count as two files here. When realpath fails,
 * has_id stays 0 and the caller compares paths. */
static void stat_id(struct target *t, const char *path, struct target_stat *st, long long dl)
{
	LIBSSH2_SFTP *sf = X(t)->sftp;
	char real[4096];
	unsigned long long h = 14695981039346656037ULL;	/* FNV-1a 64 */
	struct err ignore;
	int r;

	if (sf == NULL)
		return;
	r = SFTP_INT(t, dl, &ignore, libssh2_sftp_symlink_ex(sf, path, (unsigned)strlen(path), real,
							   sizeof(real) - 1, LIBSSH2_SFTP_REALPATH));
	if (r <= 0)
		return;
	for (int i = 0; i < r; i++)
		h = (h ^ (unsigned char)real[i]) * 1099511628211ULL;
	st->has_id = 1;
	st->dev = 0;
	st->ino = h;
}

static int ssh_stat(struct target *t, const char *path, struct target_stat *st, struct err *e)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int r;

	if (X(t)->sudo)
		return cmd_stat(t, path, st, e);
	memset(st, 0, sizeof(*st));
	r = sftp_stat_path(t, path, &a, op_deadline(), e);
	if (r <= 0)
		return r;
	st->exists = 1;
	st->is_dir = LIBSSH2_SFTP_S_ISDIR(a.permissions);
	st->mode = (mode_t)(a.permissions & 07777);
	st->uid = (uid_t)a.uid;
	st->gid = (gid_t)a.gid;
	st->size = (long long)a.filesize;
	st->mtime = (long long)a.mtime;
	stat_id(t, path, st, op_deadline());
	return 0;
}

/* temp_name - "DIR/.NAME.rdXXXXXXXX" beside path, random. */
static int temp_name(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	unsigned char r[6];
	char hex[13];

	if (slash == NULL || RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return snprintf(out, outlen, "%.*s.%s.rd%s", (int)(slash - path + 1), path, slash + 1,
			hex) >= (int)outlen ? -1 : 0;
}

/* rename_over - replace path by tmp atomically: posix-rename when the
 * server offers it, else `mv -f` (rename(2) on the host) as an argv. */
static int rename_over(struct target *t, const char *tmp, const char *path, long long dl,
		       struct err *e)
{
	struct sshx *x = X(t);
	const char *mv[] = { "mv", "-f", "--", tmp, path, NULL };
	struct run_out o;
	int r;

	if (!x->ext_tried) {
		struct err ignore;

		x->ext_tried = 1;
		x->ext = sftp_ext_open(x->s, dl, &ignore);
	}
	if (x->ext && sftp_ext_has(x->ext, "posix-rename@openssh.com") &&
	    !getenv("RELAYDECK_TEST_NO_POSIX_RENAME"))
		return sftp_ext_posix_rename(x->ext, tmp, path, dl, e);
	run_out_init(&o);
	r = ssh_run(t, mv, NULL, &o, OP_TIMEOUT_MS, e);
	if (r == 0 && o.exit_code != 0)
		r = err_set(e, ERR_SYS, "rename %s to %s on %s: %.*s", tmp, path,
			    ssh_session_label(x->s), errlen(&o), o.err.data);
	run_out_free(&o);
	return r;
}

/* sftp_link_target - when path is a symbolic link, the file it names
 * (the server's realpath) into out and 1; 0 when path is no link. A write
 * then replaces that file in its own directory and the link stays. */
static int sftp_link_target(struct target *t, const char *path, char *out, size_t outlen,
			    long long dl, struct err *e)
{
	LIBSSH2_SFTP *sf = sftp(t, dl, e);
	LIBSSH2_SFTP_ATTRIBUTES a;
	int r;

	if (sf == NULL)
		return -1;
	memset(&a, 0, sizeof(a));
	r = SFTP_INT(t, dl, e, libssh2_sftp_stat_ex(sf, path, (unsigned)strlen(path),
						      LIBSSH2_SFTP_LSTAT, &a));
	if (r != 0 || !LIBSSH2_SFTP_S_ISLNK(a.permissions))
		return r == LIBSSH2_ERROR_EAGAIN ? -1 : 0;	/* missing: a new file */
	/* another user's link would choose what root overwrites */
	if (t->is_root && (a.flags & LIBSSH2_SFTP_ATTR_UIDGID) && a.uid != 0) {
		err_set(e, ERR_SYS, "write %s: a symbolic link of uid %lu, who would choose the "
			"file written; replace it with a link of root's or with the file itself",
			path, (unsigned long)a.uid);
		e->sys_errno = EPERM;
		return -1;
	}
	r = SFTP_INT(t, dl, e, libssh2_sftp_symlink_ex(sf, path, (unsigned)strlen(path), out,
						      (unsigned)outlen - 1, LIBSSH2_SFTP_REALPATH));
	if (r <= 0)
		return r == LIBSSH2_ERROR_EAGAIN ? -1 : sftp_fail(t, "follow the link", path, e);
	out[r] = '\0';
	return 1;
}

static int ssh_write_atomic(struct target *t, const char *path, const void *data, size_t len,
			    const struct write_opts *o, struct err *e)
{
	struct sshx *x = X(t);
	long long dl = op_deadline();
	LIBSSH2_SFTP_ATTRIBUTES cur, set;
	LIBSSH2_SFTP_HANDLE *h;
	char tmp[4096], real[4096];
	const char *p = data, *link = path;
	size_t left = len;
	int r, exists;

	if (x->sudo)
		return cmd_write_atomic(t, path, data, len, o, e);
	if ((r = sftp_link_target(t, path, real, sizeof(real), dl, e)) < 0)
		return err_at(e, link, 0);
	if (r == 1)
		path = real;
	if (temp_name(path, tmp, sizeof(tmp)) < 0)
		return err_set(e, ERR_INVALID, "path too long or not absolute: %s", path);
	exists = sftp_stat_path(t, path, &cur, dl, e);
	if (exists < 0)
		return -1;
	/* Created 0600 and exclusive: nothing readable before the mode is final. */
	h = sftp_open(t, tmp, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL, 0600,
		      LIBSSH2_SFTP_OPENFILE, dl, e);
	if (h == NULL)
		return err_at(e, path, 0);
	memset(&set, 0, sizeof(set));
	set.uid = o->uid != (uid_t)-1 ? o->uid : exists ? cur.uid : (unsigned long)-1;
	set.gid = o->gid != (gid_t)-1 ? o->gid : exists ? cur.gid : (unsigned long)-1;
	if (set.uid != (unsigned long)-1 && set.gid != (unsigned long)-1) {
		set.flags = LIBSSH2_SFTP_ATTR_UIDGID;
		r = SFTP_INT(t, dl, e, libssh2_sftp_fstat_ex(h, &set, 1));
		if (r != 0) {
			if (r != LIBSSH2_ERROR_EAGAIN)
				sftp_fail(t, "chown", tmp, e);
			goto fail;
		}
	}
	set.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
	set.permissions = o->mode & 07777;
	r = SFTP_INT(t, dl, e, libssh2_sftp_fstat_ex(h, &set, 1));
	if (r != 0) {
		if (r != LIBSSH2_ERROR_EAGAIN)
			sftp_fail(t, "chmod", tmp, e);
		goto fail;
	}
	while (left > 0) {
		ssize_t n = libssh2_sftp_write(h, p, left);

		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_wait(x->s, dl, "sftp write", e) < 0)
				goto fail;
			continue;
		}
		if (n < 0) {
			sftp_fail(t, "write", tmp, e);
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	r = SFTP_INT(t, dl, e, libssh2_sftp_fsync(h));
	if (r == LIBSSH2_ERROR_EAGAIN)
		goto fail;
	if (r != 0 && libssh2_sftp_last_error(x->sftp) != LIBSSH2_FX_OP_UNSUPPORTED) {
		sftp_fail(t, "fsync", tmp, e);
		goto fail;
	}
	r = SFTP_INT(t, dl, e, libssh2_sftp_close_handle(h));
	h = NULL;
	if (r != 0) {
		if (r != LIBSSH2_ERROR_EAGAIN)
			sftp_fail(t, "close", tmp, e);
		goto fail;
	}
	if (getenv("RELAYDECK_TEST_STALL_BEFORE_RENAME_MS")) {
		long ms = strtol(getenv("RELAYDECK_TEST_STALL_BEFORE_RENAME_MS"), NULL, 10);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (rename_over(t, tmp, path, dl, e) < 0)
		goto fail;
	return 0;
fail:
	sftp_close(t, h, dl);
	{
		struct err ignore;
		LIBSSH2_SFTP *sf = x->sftp;

		if (sf)
			SFTP_INT(t, ssh_now_ms() + 5000, &ignore,
				 libssh2_sftp_unlink_ex(sf, tmp, (unsigned)strlen(tmp)));
	}
	return err_at(e, link, 0);
}

static int ssh_unlink(struct target *t, const char *path, struct err *e)
{
	long long dl = op_deadline();
	LIBSSH2_SFTP *sf;
	int r;

	if (X(t)->sudo)
		return cmd_unlink(t, path, e);
	if ((sf = sftp(t, dl, e)) == NULL)
		return -1;
	r = SFTP_INT(t, dl, e, libssh2_sftp_unlink_ex(sf, path, (unsigned)strlen(path)));
	if (r == 0)
		return 0;
	if (r == LIBSSH2_ERROR_SFTP_PROTOCOL &&
	    libssh2_sftp_last_error(sf) == LIBSSH2_FX_NO_SUCH_FILE)
		return 0;
	if (r == LIBSSH2_ERROR_EAGAIN)
		return -1;
	return sftp_fail(t, "remove", path, e);
}

static int ssh_mkdir_p(struct target *t, const char *path, mode_t mode, struct err *e)
{
	long long dl = op_deadline();
	LIBSSH2_SFTP_ATTRIBUTES a;
	char p[4096];
	size_t n = strlen(path);

	if (X(t)->sudo)
		return cmd_mkdir_p(t, path, mode, e);
	if (n == 0 || n >= sizeof(p) || path[0] != '/')
		return err_set(e, ERR_INVALID, "bad directory name: %s", path);
	memcpy(p, path, n + 1);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			int r;

			*s = '\0';
			r = sftp_stat_path(t, p, &a, dl, e);
			if (r < 0)
				return -1;
			if (r == 0) {
				r = SFTP_INT(t, dl, e, libssh2_sftp_mkdir_ex(X(t)->sftp, p,
									    (unsigned)strlen(p), (long)mode));
				if (r != 0) {
					if (r == LIBSSH2_ERROR_EAGAIN)
						return -1;
					return sftp_fail(t, "mkdir", p, e);
				}
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names_add - append a copy of name to a growing vector. */
static int names_add(char ***v, size_t *n, size_t *cap, const char *name, size_t len)
{
	if (*n == *cap) {
		char **nv = realloc(*v, (*cap = *cap ? *cap * 2 : 16) * sizeof(**v));

		if (nv == NULL)
			return -1;
		*v = nv;
	}
	if (((*v)[*n] = strndup(name, len)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int ssh_list_dir(struct target *t, const char *path, char ***names, size_t *count,
			struct err *e)
{
	long long dl = op_deadline();
	LIBSSH2_SFTP_ATTRIBUTES a;
	LIBSSH2_SFTP_HANDLE *h;
	char name[1024];
	char **v = NULL;
	size_t n = 0, cap = 0;
	int r;

	if (X(t)->sudo)
		return cmd_list_dir(t, path, names, count, e);
	*names = NULL;
	*count = 0;
	r = sftp_stat_path(t, path, &a, dl, e);
	if (r <= 0)
		return r;
	h = sftp_open(t, path, 0, 0, LIBSSH2_SFTP_OPENDIR, dl, e);
	if (h == NULL)
		return -1;
	for (;;) {
		r = libssh2_sftp_readdir_ex(h, name, sizeof(name), NULL, 0, &a);
		if (r == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_wait(X(t)->s, dl, "sftp readdir", e) < 0)
				goto fail;
			continue;
		}
		if (r < 0) {
			sftp_fail(t, "list", path, e);
			goto fail;
		}
		if (r == 0)
			break;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (names_add(&v, &n, &cap, name, (size_t)r) < 0) {
			err_set(e, ERR_NOMEM, "list %s: out of memory", path);
			goto fail;
		}
	}
	sftp_close(t, h, dl);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
fail:
	sftp_close(t, h, dl);
	target_names_free(v, n);
	return -1;
}

/* ---- files through sudo'd commands ------------------------------------ */

/* not_found - the command's stderr says the path does not exist. */
static int not_found(const struct run_out *o)
{
	return o->err.data && strstr(o->err.data, "No such file or directory") != NULL;
}

static int cmd_fail(struct target *t, const char *op, const char *path, const struct run_out *o,
		    struct err *e)
{
	err_set(e, ERR_SYS, "%s %s on %s: %.*s", op, path, ssh_session_label(X(t)->s), errlen(o),
		o->err.data ? o->err.data : "");
	e->sys_errno = o->err.data && strstr(o->err.data, "Permission denied") ? EACCES :
		       not_found(o) ? ENOENT : EIO;
	if (e->sys_errno == ENOENT)
		e->code = ERR_NOTFOUND;
	return err_at(e, path, 0);
}

static int cmd_read_file(struct target *t, const char *path, struct buf *out, struct err *e)
{
	/* test -f first: cat of a FIFO would hang, of a directory would fail oddly */
	const char *argv[] = { "/bin/sh", "-c", "test -f \"$1\" || { test -e \"$1\" && "
			       "{ echo \"$1: not a regular file\" >&2; exit 3; }; }; exec cat -- \"$1\"",
			       "sh", path, NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0) {
		r = cmd_fail(t, "read", path, &o, e);
		if (o.exit_code == 3)
			e->code = ERR_INVALID;
	}
	if (r == 0) {
		buf_reset(out);
		if (buf_append(out, o.out.data, o.out.len) < 0)
			r = err_set(e, ERR_LIMIT, "read %s: file too large", path);
	}
	buf_wipe_free(&o.out);	/* the file may be a secret table */
	run_out_free(&o);
	return r;
}

static int cmd_stat(struct target *t, const char *path, struct target_stat *st, struct err *e)
{
	const char *argv[] = { "stat", "-L", "-c", "%f %u %g %s %Y %d %i", "--", path, NULL };
	struct run_out o;
	unsigned long mode = 0, uid = 0, gid = 0;
	unsigned long long dev = 0, ino = 0;
	long long size = 0, mtime = 0;
	int r;

	memset(st, 0, sizeof(*st));
	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0 && !not_found(&o))
		r = cmd_fail(t, "stat", path, &o, e);
	if (r == 0 && o.exit_code == 0) {
		if (sscanf(o.out.data, "%lx %lu %lu %lld %lld %llu %llu", &mode, &uid, &gid, &size,
			   &mtime, &dev, &ino) != 7)
			r = err_set(e, ERR_RUN, "stat %s on %s: unexpected output", path,
				    ssh_session_label(X(t)->s));
		st->has_id = 1;
		st->dev = dev;
		st->ino = ino;
		st->exists = 1;
		st->is_dir = (mode & 0170000) == 0040000;
		st->mode = (mode_t)(mode & 07777);
		st->uid = (uid_t)uid;
		st->gid = (gid_t)gid;
		st->size = size;
		st->mtime = mtime;
	}
	run_out_free(&o);
	return r;
}

/* The replace, as root on the host: mktemp creates the file 0600, owner
 * and mode are set before the data arrives on stdin, sync, rename. */
/* A symbolic link at $1 stays: the file it names is replaced, the temp file
 * made beside that file ($2 is only a name template then). */
static const char write_script[] =
	"set -e; umask 077; "
	"if [ -L \"$1\" ]; then [ \"$(stat -c %u -- \"$1\")\" = 0 ] || "
	"{ echo \"$1: a symbolic link of another user, who would choose the file written; "
	"replace it with a link of root's or with the file itself\" >&2; exit 1; }; "
	"f=$(readlink -f -- \"$1\"); "
	"tp=\"${f%/*}/.${f##*/}.rdXXXXXXXX\"; else f=$1; tp=$2; fi; "
	"t=$(mktemp \"$tp\"); trap 'rm -f -- \"$t\"' EXIT; "
	"if [ -n \"$4\" ]; then chown -- \"$4\" \"$t\"; "
	"elif [ -e \"$f\" ]; then chown --reference=\"$f\" -- \"$t\"; fi; "
	"chmod -- \"$3\" \"$t\"; cat >\"$t\"; sync -- \"$t\" 2>/dev/null || sync; "
	"mv -f -- \"$t\" \"$f\"; trap - EXIT";

static int cmd_write_atomic(struct target *t, const char *path, const void *data, size_t len,
			    const struct write_opts *wo, struct err *e)
{
	char tmpl[4096], mode[16], owner[64] = "";
	const char *argv[] = { "/bin/sh", "-c", write_script, "sh", path, tmpl, mode, owner, NULL };
	struct buf in = BUF_INIT;
	struct run_out o;
	const char *slash = strrchr(path, '/');
	int r;

	if (slash == NULL || snprintf(tmpl, sizeof(tmpl), "%.*s.%s.rdXXXXXXXX",
				      (int)(slash - path + 1), path, slash + 1) >= (int)sizeof(tmpl))
		return err_set(e, ERR_INVALID, "path too long or not absolute: %s", path);
	snprintf(mode, sizeof(mode), "%o", (unsigned)(wo->mode & 07777));
	if (wo->uid != (uid_t)-1 && wo->gid != (gid_t)-1)
		snprintf(owner, sizeof(owner), "%ld:%ld", (long)wo->uid, (long)wo->gid);
	else if (wo->uid != (uid_t)-1)
		snprintf(owner, sizeof(owner), "%ld", (long)wo->uid);
	else if (wo->gid != (gid_t)-1)
		snprintf(owner, sizeof(owner), ":%ld", (long)wo->gid);
	if (buf_append(&in, data, len) < 0)
		return err_set(e, ERR_LIMIT, "write %s: too large", path);
	run_out_init(&o);
	r = run_cmd(t, argv, &in, &o, e);
	if (r == 0 && o.exit_code != 0)
		r = cmd_fail(t, "write", path, &o, e);
	buf_wipe_free(&in);
	run_out_free(&o);
	return r;
}

static int cmd_unlink(struct target *t, const char *path, struct err *e)
{
	const char *argv[] = { "rm", "-f", "--", path, NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0)
		r = cmd_fail(t, "remove", path, &o, e);
	run_out_free(&o);
	return r;
}

static int cmd_mkdir_p(struct target *t, const char *path, mode_t mode, struct err *e)
{
	char m[16];
	const char *argv[] = { "mkdir", "-p", "-m", m, "--", path, NULL };
	struct run_out o;
	int r;

	snprintf(m, sizeof(m), "%o", (unsigned)(mode & 07777));
	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0)
		r = cmd_fail(t, "mkdir", path, &o, e);
	run_out_free(&o);
	return r;
}

static int cmd_list_dir(struct target *t, const char *path, char ***names, size_t *count,
			struct err *e)
{
	const char *argv[] = { "find", path, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0",
			       NULL };
	struct run_out o;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int r;

	*names = NULL;
	*count = 0;
	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0 && !not_found(&o))
		r = cmd_fail(t, "list", path, &o, e);
	for (size_t off = 0; r == 0 && o.exit_code == 0 && off < o.out.len;) {
		size_t l = strnlen(o.out.data + off, o.out.len - off);

		if (names_add(&v, &n, &cap, o.out.data + off, l) < 0)
			r = err_set(e, ERR_NOMEM, "list %s: out of memory", path);
		off += l + 1;
	}
	run_out_free(&o);
	if (r < 0) {
		target_names_free(v, n);
		return -1;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
}

/* ---- the change lock --------------------------------------------------- */

struct ssh_lock {
	LIBSSH2_CHANNEL *ch;
};

/* The holder: flock(1) keeps the lock while `cat` waits for our EOF; when
 * relaydeck exits or the connection drops, sshd closes the channel, cat
 * ends, and so does the lock. Without flock(1), a lock directory that the
 * same waiting shell removes. */
static int lock_script(const char *path, int wait_ms, int sudo, struct buf *s, struct err *e)
{
	struct buf q = BUF_INIT;
	int secs = (wait_ms + 999) / 1000;

	if (shquote_arg(&q, path, e) < 0)
		return -1;
	buf_printf(s, "PATH=%s:$PATH; export PATH; umask 077\n", SSH_REMOTE_PATH);
	buf_printf(s, "if command -v flock >/dev/null 2>&1 || [ -x /usr/bin/flock ]; then\n"
		   "  exec %sflock -x -w %d %s sh -c 'echo locked; exec cat >/dev/null'\n"
		   "else\n"
		   "  exec %ssh -c 'i=0; while ! mkdir \"$1.d\" 2>/dev/null; do i=$((i+1)); "
		   "[ $i -gt \"$2\" ] && exit 1; sleep 1; done; "
		   "trap \"rmdir -- \\\"\\$1.d\\\"\" EXIT HUP TERM; echo locked; cat >/dev/null' "
		   "sh %s %d\n"
		   "fi\n",
		   sudo ? "sudo -n -- " : "", secs, q.data, sudo ? "sudo -n -- " : "", q.data,
		   secs);
	buf_free(&q);
	return 0;
}

static int ssh_lock(struct target *t, const char *path, int wait_ms, void **handle,
		    struct err *e)
{
	struct sshx *x = X(t);
	long long dl = ssh_now_ms() + wait_ms + OP_TIMEOUT_MS;
	struct buf script = BUF_INIT, out = BUF_INIT;
	struct ssh_lock *l;
	size_t off = 0;
	char chunk[256];
	LIBSSH2_CHANNEL *ch;
	int code;

	if (lock_script(path, wait_ms, x->sudo, &script, e) < 0)
		return -1;
	ch = ssh_session_channel(x->s, "/bin/sh -s", NULL, dl, e);
	if (ch == NULL) {
		buf_free(&script);
		return -1;
	}
	for (;;) {
		ssize_t n;
		int progress = 0;

		if (off < script.len) {
			n = libssh2_channel_write(ch, script.data + off, script.len - off);
			if (n > 0) {
				off += (size_t)n;
				progress = 1;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				ssh_session_error(x->s, "lock", e);
				goto fail;
			}
		}
		while ((n = libssh2_channel_read(ch, chunk, sizeof(chunk))) > 0) {
			buf_append(&out, chunk, (size_t)n);
			progress = 1;
		}
		while ((n = libssh2_channel_read_stderr(ch, chunk, sizeof(chunk))) > 0)
			progress = 1;
		if (out.data && strstr(out.data, "locked\n"))
			break;
		if (libssh2_channel_eof(ch)) {
			ssh_channel_close(x->s, ch, dl, &code, NULL, 0);
			ch = NULL;
			err_set(e, ERR_LOCKED,
				"another relaydeck is changing this configuration on %s (lock %s)",
				ssh_session_label(x->s), path);
			goto fail;
		}
		if (!progress && ssh_session_wait(x->s, dl, "lock", e) < 0)
			goto fail;
	}
	buf_free(&script);
	buf_free(&out);
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		ssh_channel_close(x->s, ch, ssh_now_ms() + 2000, NULL, NULL, 0);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	l->ch = ch;
	*handle = l;
	return 0;
fail:
	if (ch)
		ssh_channel_close(x->s, ch, ssh_now_ms() + 2000, NULL, NULL, 0);
	buf_free(&script);
	buf_free(&out);
	return -1;
}

static void ssh_unlock(struct target *t, void *handle)
{
	struct ssh_lock *l = handle;
	struct err ignore;
	long long dl = ssh_now_ms() + 5000;
	int r;

	if (l == NULL)
		return;
	/* EOF ends cat, so flock (or the mkdir holder) releases; wait for it. */
	while ((r = libssh2_channel_send_eof(l->ch)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_session_wait(X(t)->s, dl, "unlock", &ignore) < 0)
			break;
	for (;;) {
		char chunk[256];
		ssize_t n = libssh2_channel_read(l->ch, chunk, sizeof(chunk));

		if (libssh2_channel_eof(l->ch) || (n < 0 && n != LIBSSH2_ERROR_EAGAIN))
			break;
		if (n == LIBSSH2_ERROR_EAGAIN && ssh_session_wait(X(t)->s, dl, "unlock", &ignore) < 0)
			break;
	}
	ssh_channel_close(X(t)->s, l->ch, dl, NULL, NULL, 0);
	free(l);
}

/* ---- the target -------------------------------------------------------- */

static void ssh_free(struct target *t)
{
	struct sshx *x = X(t);

	if (x == NULL)
		return;
	ssh_shell_free(x->sh);
	for (size_t i = 0; i < x->nseen; i++)
		free(x->seen[i].path);
	free(x->seen);
	free(x->marks[0]);
	free(x->marks[1]);
	sftp_ext_free(x->ext);
	if (x->sftp) {
		struct err ignore;
		long long dl = ssh_now_ms() + 2000;

		while (libssh2_sftp_shutdown(x->sftp) == LIBSSH2_ERROR_EAGAIN)
			if (ssh_session_wait(x->s, dl, "sftp", &ignore) < 0)
				break;
	}
	ssh_session_free(x->s);
	pthread_mutex_destroy(&x->mu);
	free(x);
	t->impl = NULL;
}

static int state_guard(struct target *t, const char *path, struct err *e);

/* The console loads host facts in a worker thread while the main thread
 * may read files: every operation takes the session's mutex (recursive:
 * an operation may run a command of its own, e.g. mv -f for a rename). */
#define LOCKED(t, call)                                 \
	({                                              \
		struct sshx *_x = X(t);                 \
		int _r;                                 \
		pthread_mutex_lock(&_x->mu);            \
		_r = (call);                            \
		pthread_mutex_unlock(&_x->mu);          \
		_r;                                     \
	})
/* LOCKED, after the state dir's check when path is in it */
#define GUARDED(t, path, e, call) LOCKED(t, state_guard(t, path, e) < 0 ? -1 : (call))

static int op_read_file(struct target *t, const char *path, struct buf *out, struct err *e)
{
	return GUARDED(t, path, e, ssh_read_file(t, path, out, e));
}

static int op_write_atomic(struct target *t, const char *path, const void *data, size_t len,
			   const struct write_opts *o, struct err *e)
{
	return GUARDED(t, path, e, ssh_write_atomic(t, path, data, len, o, e));
}

static int op_run(struct target *t, const char *const *argv, const struct buf *in,
		  struct run_out *o, int timeout_ms, struct err *e)
{
	return LOCKED(t, ssh_run(t, argv, in, o, timeout_ms, e));
}

static int op_run_stream(struct target *t, const char *const *argv, const struct buf *in,
			 target_chunk_fn on_out, void *arg, struct run_out *o, int timeout_ms,
			 struct err *e)
{
	return LOCKED(t, ssh_exec(t, argv, in, on_out, arg, o, timeout_ms, e));
}

static int op_read_at(struct target *t, const char *path, long long off, size_t max,
		      struct buf *out, struct err *e)
{
	return GUARDED(t, path, e, ssh_read_at(t, path, off, max, out, e));
}

static int op_stat(struct target *t, const char *path, struct target_stat *st, struct err *e)
{
	return GUARDED(t, path, e, ssh_stat(t, path, st, e));
}

static int op_unlink(struct target *t, const char *path, struct err *e)
{
	return GUARDED(t, path, e, ssh_unlink(t, path, e));
}

/* ssh_sync_dir - coreutils' `sync DIR` fsyncs the directory (SFTP has
 * no way to). */
static int ssh_sync_dir(struct target *t, const char *path, struct err *e)
{
	const char *argv[] = { "sync", "--", path, NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code != 0)
		r = cmd_fail(t, "sync", path, &o, e);
	run_out_free(&o);
	return r;
}

/* remote_uid - the uid commands run as on the host (0 with sudo). */
static int remote_uid(struct target *t, unsigned long *uid, struct err *e)
{
	const char *argv[] = { "id", "-u", NULL };
	struct run_out o;
	char *end;

	if (t->is_root) {
		*uid = 0;
		return 0;
	}
	if (X(t)->have_uid) {
		*uid = X(t)->uid;
		return 0;
	}
	run_out_init(&o);
	if (target_run_ok(t, argv, NULL, &o, OP_TIMEOUT_MS, e) < 0) {
		run_out_free(&o);
		return -1;
	}
	*uid = strtoul(o.out.data, &end, 10);
	if (end == o.out.data) {
		run_out_free(&o);
		return err_set(e, ERR_RUN, "id -u on %s: no uid in its answer",
			       ssh_session_label(X(t)->s));
	}
	run_out_free(&o);
	return 0;
}

/* remote_state_dir_check - as locally: the state dir, when it exists, is
 * a directory of the user commands run as, and no one else can write it
 * (its pending edits and backups decide what is written to the host). */
static int remote_state_dir_check(struct target *t, struct err *e)
{
	struct target_stat st;
	unsigned long uid;

	if (t->ops->stat(t, t->state_dir, &st, e) < 0)
		return -1;
	if (!st.exists)
		return 0;
	if (!st.is_dir)
		return err_set(e, ERR_INVALID, "state directory %s on %s is not a directory; "
			       "remove it or give --state-dir DIR", t->state_dir,
			       ssh_session_label(X(t)->s));
	if (remote_uid(t, &uid, e) < 0)
		return -1;
	if ((unsigned long)st.uid != uid)
		err_set(e, ERR_SYS, "state directory %s on %s belongs to uid %u, not to uid %lu "
			"that relaydeck runs as there: its staged edits and backups could be "
			"another user's; use --state-dir DIR with a directory of your own",
			t->state_dir, ssh_session_label(X(t)->s), (unsigned)st.uid, uid);
	else if (st.mode & 022)
		err_set(e, ERR_SYS, "state directory %s on %s is writable by %s (mode %04o): "
			"others could change what relaydeck applies; `chmod 700 %s`",
			t->state_dir, ssh_session_label(X(t)->s),
			(st.mode & 002) ? "everyone" : "its group", (unsigned)st.mode, t->state_dir);
	else
		return 0;
	e->sys_errno = EPERM;
	return -1;
}

/* state_guard - the first operation on a path in the state dir checks
 * the state dir before it (remote_state_dir_check): an operation that
 * never touches relaydeck's state (show, queue list, a fleet's reads)
 * spends no round trip on it. */
static int state_guard(struct target *t, const char *path, struct err *e)
{
	struct sshx *x = X(t);
	size_t n;

	if (x->state_checked || t->state_dir == NULL || path == NULL)
		return 0;
	n = strlen(t->state_dir);
	if (strncmp(path, t->state_dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return 0;
	x->state_checked = 1;	/* the check stats the state dir itself */
	if (remote_state_dir_check(t, e) < 0) {
		x->state_checked = 0;
		return -1;
	}
	return 0;
}

/* ssh_link_target - the file a symbolic link at path names (as the write
 * follows it: SFTP realpath, or readlink -f as root with sudo). */
static int ssh_link_target(struct target *t, const char *path, char *out, size_t outlen,
			   struct err *e)
{
	const char *argv[] = { "sh", "-c", "[ -L \"$1\" ] || exit 3; readlink -f -- \"$1\"",
			       "sh", path, NULL };
	struct run_out o;
	int r;

	if (!X(t)->sudo)
		return sftp_link_target(t, path, out, outlen, op_deadline(), e);
	run_out_init(&o);
	r = run_cmd(t, argv, NULL, &o, e);
	if (r == 0 && o.exit_code == 3) {
		r = 0;
	} else if (r == 0 && o.exit_code != 0) {
		r = cmd_fail(t, "follow the link", path, &o, e);
	} else if (r == 0) {
		o.out.data[strcspn(o.out.data, "\n")] = '\0';
		if (snprintf(out, outlen, "%s", o.out.data) >= (int)outlen)
			r = err_set(e, ERR_INVALID, "path too long: %s", o.out.data);
		else
			r = 1;
	}
	run_out_free(&o);
	return r;
}

/* stat_at_open - the owner, group, mode and type the opening probe saw;
 * 1 for a path it did not list. */
static int op_stat_at_open(struct target *t, const char *path, struct target_stat *st)
{
	struct sshx *x = X(t);

	for (size_t i = 0; i < x->nseen; i++)
		if (strcmp(x->seen[i].path, path) == 0) {
			*st = x->seen[i].st;
			return 0;
		}
	return 1;
}

/* ssh_exists - the opening probe's answer for an apply's marker, the
 * first time it is asked (the check when a command opens the target; a
 * marker made or removed since is a live apply's, which the check leaves
 * alone, or one the recovery finds gone); else `test -e` in the kept
 * shell (a builtin: no process, no SFTP session; with sudo,
 * /usr/bin/test under sudo). */
static int ssh_exists(struct target *t, const char *path, struct err *e)
{
	const char *argv[] = { "test", "-e", path, NULL };
	struct sshx *x = X(t);
	struct run_out o;
	int r;

	for (int i = 0; i < 2; i++)
		if (x->marks[i] && strcmp(x->marks[i], path) == 0) {
			r = x->mark_there[i];
			free(x->marks[i]);
			x->marks[i] = NULL;
			return r;
		}

	run_out_init(&o);
	r = ssh_run(t, argv, NULL, &o, OP_TIMEOUT_MS, e);
	if (r == 0 && o.exit_code != 0 && o.exit_code != 1)
		r = cmd_fail(t, "test -e", path, &o, e);
	else if (r == 0)
		r = o.exit_code == 0;
	run_out_free(&o);
	return r;
}

/* op_exists - the opening probe's answer for an apply's marker, the
 * first time it is asked (the check when a command opens the target;
 * a marker made or removed since is a live apply's, which the check
 * leaves alone, or one the recovery finds gone); a live test after. */
static int op_exists(struct target *t, const char *path, struct err *e)
{
	return LOCKED(t, ssh_exists(t, path, e));
}

static int op_sync_dir(struct target *t, const char *path, struct err *e)
{
	return GUARDED(t, path, e, ssh_sync_dir(t, path, e));
}

static int op_link_target(struct target *t, const char *path, char *out, size_t outlen,
			  struct err *e)
{
	return GUARDED(t, path, e, ssh_link_target(t, path, out, outlen, e));
}

static int op_mkdir_p(struct target *t, const char *path, mode_t mode, struct err *e)
{
	if (GUARDED(t, path, e, ssh_mkdir_p(t, path, mode, e)) < 0)
		return -1;
	/* made now or long ago: the state dir must still be ours alone */
	if (t->state_dir && strcmp(path, t->state_dir) == 0)
		return remote_state_dir_check(t, e);
	return 0;
}

static int op_list_dir(struct target *t, const char *path, char ***names, size_t *count,
		       struct err *e)
{
	return GUARDED(t, path, e, ssh_list_dir(t, path, names, count, e));
}

static int op_lock(struct target *t, const char *path, int wait_ms, void **handle,
		   struct err *e)
{
	return GUARDED(t, path, e, ssh_lock(t, path, wait_ms, handle, e));
}

static void op_unlock(struct target *t, void *handle)
{
	(void)LOCKED(t, (ssh_unlock(t, handle), 0));
}

/* ---- connect: a direct-tcpip channel from the host ------------------------ */

/* A stream over one direct-tcpip channel. Each call holds the session's
 * mutex only while it calls libssh2 and polls the socket without it, so a
 * probe in the console's worker thread and the main thread's file reads
 * share the session. */
struct chan_stream {
	struct target *t;
	LIBSSH2_CHANNEL *ch;
};

/* At most this long between two looks at the channel: another thread's
 * call may read our data off the socket, and then poll would not wake. */
#define SLICE_MS 50

/* chan_wait - with the mutex released, wait for the socket up to a slice
 * or the deadline; the caller looks at the channel again either way. */
static void chan_wait(struct sshx *x, const struct pollfd *pf, int ready, long long deadline)
{
	long long left = deadline - ssh_now_ms();
	struct pollfd p = *pf;

	pthread_mutex_unlock(&x->mu);
	if (!ready && left > 0)
		fiber_poll(&p, left < SLICE_MS ? (int)left : SLICE_MS);
	pthread_mutex_lock(&x->mu);
}

static ssize_t chan_read(struct stream *s, void *buf, size_t len, int timeout_ms, struct err *e)
{
	struct chan_stream *c = s->impl;
	struct sshx *x = X(c->t);
	long long deadline = ssh_now_ms() + timeout_ms;
	ssize_t n;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		struct pollfd p = { -1, 0, 0 };

		n = libssh2_channel_read(c->ch, buf, len);
		if (n > 0 || (n == 0 && libssh2_channel_eof(c->ch)))
			break;
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			n = ssh_session_error(x->s, "read from the channel", e);
			break;
		}
		if (ssh_now_ms() >= deadline) {
			n = err_set(e, ERR_TIMEOUT, "read from %s: timed out", s->peer);
			break;
		}
		chan_wait(x, &p, !ssh_session_pollfd(x->s, &p), deadline);
	}
	pthread_mutex_unlock(&x->mu);
	return n;
}

static int chan_write(struct stream *s, const void *buf, size_t len, int timeout_ms,
		      struct err *e)
{
	struct chan_stream *c = s->impl;
	struct sshx *x = X(c->t);
	long long deadline = ssh_now_ms() + timeout_ms;
	const char *p = buf;
	int rc = 0;

	pthread_mutex_lock(&x->mu);
	while (len > 0) {
		ssize_t n = libssh2_channel_write(c->ch, p, len);
		struct pollfd pf = { -1, 0, 0 };

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			rc = ssh_session_error(x->s, "write to the channel", e);
			break;
		}
		if (ssh_now_ms() >= deadline) {
			rc = err_set(e, ERR_TIMEOUT, "write to %s: timed out", s->peer);
			break;
		}
		chan_wait(x, &pf, !ssh_session_pollfd(x->s, &pf), deadline);
	}
	pthread_mutex_unlock(&x->mu);
	return rc;
}

static void chan_close(struct stream *s)
{
	struct chan_stream *c = s->impl;
	struct sshx *x = X(c->t);

	pthread_mutex_lock(&x->mu);
	ssh_channel_close(x->s, c->ch, ssh_now_ms() + 2000, NULL, NULL, 0);
	pthread_mutex_unlock(&x->mu);
	free(c);
	free(s);
}

static const struct stream_ops chan_ops = { "direct-tcpip", chan_read, chan_write, chan_close };

/* op_connect - a direct-tcpip channel: the host's sshd makes the TCP
 * connection, so the peer sees the relay's address, as the relay's own
 * Postfix would be seen. */
static int op_connect(struct target *t, const char *host, const char *port, int timeout_ms,
		      struct stream **out, struct stream_connect_info *info, struct err *e)
{
	struct sshx *x = X(t);
	struct chan_stream *c;
	struct stream *s;
	LIBSSH2_CHANNEL *ch;
	char *end;
	long p = strtol(port, &end, 10);

	*out = NULL;
	if (info)
		memset(info, 0, sizeof(*info));
	if (*port == '\0' || *end != '\0' || p < 1 || p > 65535)
		return err_set(e, ERR_USAGE, "connect %s: port %s is not a number", host, port);
	pthread_mutex_lock(&x->mu);
	ch = ssh_session_direct_tcpip(x->s, host, (int)p, ssh_now_ms() + timeout_ms, e);
	pthread_mutex_unlock(&x->mu);
	if (ch == NULL)
		return -1;
	s = calloc(1, sizeof(*s));
	c = calloc(1, sizeof(*c));
	if (s == NULL || c == NULL) {
		free(s);
		free(c);
		pthread_mutex_lock(&x->mu);
		ssh_channel_close(x->s, ch, ssh_now_ms() + 2000, NULL, NULL, 0);
		pthread_mutex_unlock(&x->mu);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	c->t = t;
	c->ch = ch;
	s->ops = &chan_ops;
	s->impl = c;
	snprintf(s->peer, sizeof(s->peer), strchr(host, ':') ? "[%s]:%ld" : "%s:%ld", host, p);
	*out = s;
	return 0;
}

static const struct target_ops ssh_ops = {
	.kind = "ssh",
	.read_file = op_read_file,
	.write_atomic = op_write_atomic,
	.run = op_run,
	.stat = op_stat,
	.unlink = op_unlink,
	.sync_dir = op_sync_dir,
	.mkdir_p = op_mkdir_p,
	.list_dir = op_list_dir,
	.lock = op_lock,
	.unlock = op_unlock,
	.free = ssh_free,
	.run_stream = op_run_stream,
	.read_at = op_read_at,
	.connect = op_connect,
	.link_target = op_link_target,
	.stat_at_open = op_stat_at_open,
	.exists = op_exists,
};

struct ssh_session *ssh_target_session(struct target *t)
{
	return t && t->ops == &ssh_ops ? X(t)->s : NULL;
}

/* remote_home - the login user's home directory (SFTP resolves "."). */
static int remote_home(struct target *t, char *out, size_t outlen, struct err *e)
{
	long long dl = op_deadline();
	LIBSSH2_SFTP *sf = sftp(t, dl, e);
	int r;

	if (sf == NULL)
		return -1;
	r = SFTP_INT(t, dl, e, libssh2_sftp_symlink_ex(sf, ".", 1, out, (unsigned)outlen - 1,
						       LIBSSH2_SFTP_REALPATH));
	if (r < 0)
		return r == LIBSSH2_ERROR_EAGAIN ? -1 : sftp_fail(t, "realpath", ".", e);
	out[r] = '\0';
	return 0;
}

/* The opening probe: one command instead of a command and a few SFTP
 * round trips. It prints the config directory (the one given as $1,
 * else the login's MAIL_CONFIG, else postconf's), whether it is a
 * directory ("d"), something else ("f") or missing ("-"), and $HOME.
 * MAIL_CONFIG is the directory every Postfix
 * command of that login reads main.cf from (as -c would be), so taking
 * it saves running postconf on every host that sets it (a fleet whose
 * logins point each at its instance). Then `stat -L` of /proc/self (its
 * owner is the uid commands run as: no `id` to run) and of the config
 * dir, its main.cf and every directory above it: what target_config_trust
 * checks before a root command, which over SFTP would be a dozen round
 * trips (stat_at_open). And whether an interrupted apply left its marker
 * in the state dir ($2, else the two places the state dir may be, named
 * as target_escape_config_dir does): the check every command makes first
 * (exists, once), which would be a round trip of its own. A config dir or
 * $HOME with a newline in its name could pass for more lines: the first
 * is refused, the second not told. */
static const char open_script[] =
	"if [ -n \"$1\" ]; then d=$1; elif [ -n \"${MAIL_CONFIG:-}\" ]; then d=$MAIL_CONFIG; else "
	"command -v postconf >/dev/null || { echo 'postconf: not found' >&2; exit 127; }; "
	"d=$(postconf -h config_directory) || exit $?; fi; "
	"nl='\n'; case $d in *\"$nl\"*) echo 'config directory: a name with a newline' >&2; "
	"exit 65;; esac; "
	"printf '%s\\n' \"$d\"; "
	"if [ -d \"$d\" ]; then echo d; elif [ -e \"$d\" ]; then echo f; else echo -; fi; "
	"case $HOME in *\"$nl\"*) echo;; *) printf '%s\\n' \"$HOME\";; esac; "
	"case $d in /*) ;; *) exit 0;; esac; "
	"o=; s=$d; while [ \"${s#/}\" != \"$s\" ]; do s=${s#/}; done; "
	"while [ -n \"$s\" ]; do r=${s#?}; c=${s%\"$r\"}; s=$r; case $c in "
	"[A-Za-z0-9.-]) o=$o$c;; /) o=${o}_;; *) o=$o$(printf '%%%02X' \"'$c\");; esac; done; "
	"o=${o%_}; "
	"if [ -n \"$2\" ]; then set -- \"$2\"; "
	"else set -- \"/var/lib/relaydeck/$o\" \"$HOME/.local/state/relaydeck/$o\"; fi; "
	"for s; do while [ \"$s\" != / ] && [ \"${s%/}\" != \"$s\" ]; do s=${s%/}; done; "
	"if [ -e \"$s/applying\" ]; then echo \"@E $s/applying\"; "
	"else echo \"@N $s/applying\"; fi; done; "
	"set -- \"$d\" \"$d/main.cf\"; p=$d; "
	"while [ \"$p\" != / ]; do p=${p%/*}; p=${p:-/}; set -- \"$@\" \"$p\"; done; "
	"stat -L -c '%f %u %g %n' -- /proc/self \"$@\" 2>/dev/null; exit 0";

/* seen_add - keep what `stat -L -c '%f %u %g %n'` said of a path: the
 * raw mode in hex, uid, gid, then the name exactly as given (the rest of
 * the line: a name with a newline was refused). Lines of another shape
 * (a stat(1) without -c, busybox's or BSD's) are skipped, and their
 * paths are stat'ed over SFTP when asked for. The first line for a name
 * wins. */
static void seen_add(struct sshx *x, char *line)
{
	struct target_stat st = { .exists = 1 };
	char *f[3], *q = line, *end;
	unsigned long mode;
	struct seen_stat *v;

	for (int i = 0; i < 3; i++) {
		f[i] = q;
		q += strcspn(q, " ");
		if (*q != ' ' || q == f[i])
			return;
		*q++ = '\0';
	}
	if (*q != '/')
		return;
	for (size_t i = 0; i < x->nseen; i++)
		if (strcmp(x->seen[i].path, q) == 0)
			return;
	mode = strtoul(f[0], &end, 16);
	if (*end)
		return;
	st.mode = (mode_t)(mode & 07777);
	st.is_dir = (mode & 0170000) == 0040000;
	st.uid = (uid_t)strtoul(f[1], &end, 10);
	if (*end)
		return;
	st.gid = (gid_t)strtoul(f[2], &end, 10);
	if (*end || (v = realloc(x->seen, (x->nseen + 1) * sizeof(*v))) == NULL)
		return;
	x->seen = v;
	if ((v[x->nseen].path = strdup(q)) == NULL)
		return;
	v[x->nseen++].st = st;
}

/* mark_add - remember whether the probe found an apply's marker at path. */
static void mark_add(struct sshx *x, const char *path, int there)
{
	for (int i = 0; i < 2; i++)
		if (x->marks[i] == NULL) {
			x->marks[i] = strdup(path);
			x->mark_there[i] = there;
			return;
		}
}

/* next_line - the next line of *p (cut in place), "" at the end. */
static char *next_line(char **p)
{
	char *s = *p, *nl = strchr(s, '\n');

	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* open_probe - t->config_dir (config_dir when given, else postconf's),
 * checked to be a directory; the uid for remote_uid; home ("" when the
 * probe could not tell). */
static int open_probe(struct target *t, const char *config_dir, const char *state_dir,
		      char *home, size_t homelen, struct err *e)
{
	struct sshx *x = X(t);
	const char *argv[] = { "sh", "-c", open_script, "sh", config_dir ? config_dir : "",
			       state_dir ? state_dir : "", NULL };
	struct run_out ro;
	struct target_stat self;
	char *p, *dir, *kind, *h, *end;
	int r = -1;

	home[0] = '\0';
	/* the answer is read line by line: "DIR\nd" would come back as DIR,
	 * a directory, and DIR be opened instead */
	if (config_dir && strchr(config_dir, '\n'))
		return err_set(e, ERR_INVALID, "config directory on %s: a name with a newline "
			       "is not taken", ssh_session_label(x->s));
	run_out_init(&ro);
	if (x->sudo) {
		if (ssh_run(t, argv, NULL, &ro, OP_TIMEOUT_MS, e) < 0)
			goto out;
	} else {
		/* a subshell of the kept shell: a fork, and no sh to exec */
		struct buf cmd = BUF_INIT;

		if (kept_shell(x, e) < 0)
			goto out;
		buf_puts(&cmd, "(set -- ");
		if (shquote_argv(&cmd, argv + 4, e) < 0 ||
		    buf_printf(&cmd, "; %s)", open_script) < 0) {
			buf_free(&cmd);
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		r = ssh_shell_run(x->sh, cmd.data, "postconf", NULL, NULL, &ro,
				  ssh_now_ms() + OP_TIMEOUT_MS, e);
		buf_free(&cmd);
		if (r < 0)
			goto out;
		r = -1;
	}
	if (ro.timed_out) {
		err_set(e, ERR_TIMEOUT, "postconf on %s: no answer in time", ssh_session_label(x->s));
		goto out;
	}
	if (ro.exit_code == 127 && strstr(ro.err.data, "postconf: not found")) {
		err_set(e, ERR_RUN, "postconf: program not found on %s", ssh_session_label(x->s));
		goto out;
	}
	if (ro.exit_code != 0) {
		err_set(e, ERR_RUN, "postconf -h config_directory failed on %s (exit %d): %.*s",
			ssh_session_label(x->s), ro.exit_code, errlen(&ro), ro.err.data);
		goto out;
	}
	p = ro.out.data;
	dir = next_line(&p);
	kind = next_line(&p);
	h = next_line(&p);
	if (dir[0] != '/') {
		err_set(e, ERR_INVALID, "config directory on %s must be an absolute path",
			ssh_session_label(x->s));
		goto out;
	}
	if (strcmp(kind, "d") != 0) {
		err_set(e, ERR_NOTFOUND, "config directory %s on %s: %s", dir,
			ssh_session_label(x->s),
			strcmp(kind, "f") == 0 ? "not a directory" : "No such file or directory");
		goto out;
	}
	if ((t->config_dir = strdup(dir)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (h[0] == '/' && strlen(h) < homelen)
		snprintf(home, homelen, "%s", h);
	while (*p) {
		char *line = next_line(&p);

		if ((line[0] == '@') && (line[1] == 'E' || line[1] == 'N') && line[2] == ' ')
			mark_add(x, line + 3, line[1] == 'E');
		else
			seen_add(x, line);
	}
	/* the uid commands run as: the owner of stat's own /proc entry, or
	 * where stat -c or /proc is missing, `id -u` (a command more) */
	if (op_stat_at_open(t, "/proc/self", &self) == 0) {
		x->uid = (unsigned long)self.uid;
		x->have_uid = 1;
	} else {
		const char *id[] = { "id", "-u", NULL };

		run_out_free(&ro);
		run_out_init(&ro);
		if (ssh_run(t, id, NULL, &ro, OP_TIMEOUT_MS, e) == 0 && ro.exit_code == 0) {
			x->uid = strtoul(ro.out.data, &end, 10);
			x->have_uid = end != ro.out.data && (*end == '\n' || *end == '\0');
		}
	}
	r = 0;
out:
	run_out_free(&ro);
	return r;
}

struct target *ssh_target_new(const struct ssh_target_opts *o, struct err *e)
{
	struct target *t = calloc(1, sizeof(*t));
	struct sshx *x = calloc(1, sizeof(*x));
	char esc[1024], path[4096], home[1024];

	if (t == NULL || x == NULL) {
		free(t);
		free(x);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	{
		pthread_mutexattr_t ma;

		pthread_mutexattr_init(&ma);
		pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&x->mu, &ma);
		pthread_mutexattr_destroy(&ma);
	}
	t->ops = &ssh_ops;
	t->impl = x;
	x->sudo = o->sudo;
	x->s = ssh_session_open(&o->ssh, e);
	if (x->s == NULL)
		goto fail;
	t->name = strdup(o->name ? o->name : ssh_session_label(x->s));
	t->is_root = x->sudo || strcmp(ssh_session_user(x->s), "root") == 0;
	if (x->sudo) {
		const char *argv[] = { "true", NULL };
		struct run_out ro;
		int r;

		run_out_init(&ro);
		r = ssh_run(t, argv, NULL, &ro, OP_TIMEOUT_MS, e);
		if (r == 0 && ro.exit_code != 0)
			r = err_set(e, ERR_AUTH, "sudo -n on %s failed: %.*s", ssh_session_label(x->s),
				    errlen(&ro), ro.err.data);
		run_out_free(&ro);
		if (r < 0)
			goto fail;
	}
	if (open_probe(t, o->config_dir, o->state_dir, home, sizeof(home), e) < 0)
		goto fail;
	target_escape_config_dir(t->config_dir, esc, sizeof(esc));
	if (o->state_dir && *o->state_dir) {
		snprintf(path, sizeof(path), "%s", o->state_dir);
	} else if (t->is_root) {	/* by name or sudo: where earlier versions kept it */
		snprintf(path, sizeof(path), "/var/lib/relaydeck/%s", esc);
	} else {
		if (home[0] != '/' && remote_home(t, home, sizeof(home), e) < 0)
			goto fail;
		snprintf(path, sizeof(path), "%s/.local/state/relaydeck/%s", home, esc);
	}
	/* Root by another name (uid 0) keeps its state dir in its home, as
	 * before, but commands run as root: the checks for root apply. */
	if (x->have_uid && x->uid == 0)
		t->is_root = 1;
	/* "DIR/" joins to "DIR/pending", which state_guard would not take
	 * for a path in the state dir: its check would be skipped */
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	t->state_dir = strdup(path);
	if (t->name == NULL || t->state_dir == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	return t;
fail:
	target_free(t);
	return NULL;
}
