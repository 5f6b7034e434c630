/*
 * ssh_shell - one kept /bin/sh per SSH session (see ssh_shell.h).
 */
#include "config.h"
#include "ssh_shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

struct ssh_shell {
	struct ssh_session *s;
	int sudo;
	LIBSSH2_CHANNEL *ch;	/* NULL until the first command, or after a drop */
	char start[40];		/* the nonce of the shell's start markers */
	int out_started;	/* its start line went by on stdout ... */
	int err_started;	/* ... and on stderr, with its pid */
	long pid;		/* the shell's; it leads the process group */
};

/* One command's end markers and the bytes held back while a marker may
 * still be arriving. */
struct frame {
	char out_end[48];	/* "NONCE " then the exit status and "\n" */
	char err_end[48];	/* "NONCE\n" */
	struct buf out, err;
	int out_done, err_done;
	int status;
	int overflow;
};

void ssh_make_nonce(char *out, size_t outlen)
{
	unsigned char r[12];

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0x5a, sizeof(r));
	snprintf(out, outlen, "rd-");
	for (size_t i = 0; i < sizeof(r) && 3 + 2 * i + 2 < outlen; i++)
		snprintf(out + 3 + 2 * i, 3, "%02x", r[i]);
}

/* sshd makes the session's first process a process-group leader; the
 * login shell exec'd /bin/sh, which keeps that pid, and what it runs stays
 * in its group (sendmail's postdrop, sudo's child). A login shell that
 * forks instead leaves no group under pid: its children are ended by
 * parent pid first (procps' pkill, where there is one). */
void ssh_kill_group(struct ssh_session *s, int sudo, long pid)
{
	const char *su = sudo ? "sudo -n " : "";
	char cmd[256], sink[512];
	LIBSSH2_CHANNEL *ch;
	long long dl = ssh_now_ms() + 5000;
	struct err ignore;

	if (pid <= 1)
		return;
	snprintf(cmd, sizeof(cmd), "%spkill -KILL -P %ld 2>/dev/null; %skill -s KILL -- -%ld %ld",
		 su, pid, su, pid, pid);
	if ((ch = ssh_session_channel(s, cmd, NULL, dl, &ignore)) == NULL)
		return;
	/* Read to the end before closing: a login rc file that prints would
	 * die of SIGPIPE on a closed channel before the kill ran. */
	while (!libssh2_channel_eof(ch) && ssh_now_ms() < dl) {
		ssize_t n = libssh2_channel_read(ch, sink, sizeof(sink));
		ssize_t m = libssh2_channel_read_stderr(ch, sink, sizeof(sink));

		if ((n < 0 && n != LIBSSH2_ERROR_EAGAIN) || (m < 0 && m != LIBSSH2_ERROR_EAGAIN))
			break;
		if (n == LIBSSH2_ERROR_EAGAIN && m == LIBSSH2_ERROR_EAGAIN &&
		    !libssh2_poll_channel_read(ch, 0) && !libssh2_poll_channel_read(ch, 1) &&
		    ssh_session_wait(s, dl, "kill", &ignore) < 0)
			break;
	}
	ssh_channel_close(s, ch, dl, NULL, NULL, 0);
}

struct ssh_shell *ssh_shell_new(struct ssh_session *s, int sudo)
{
	struct ssh_shell *sh = calloc(1, sizeof(*sh));

	if (sh) {
		sh->s = s;
		sh->sudo = sudo;
	}
	return sh;
}

/* The channel, if any, is closed with the session (ssh_session_free). */
void ssh_shell_free(struct ssh_shell *sh)
{
	free(sh);
}

/* drop - forget the shell after a kill or a loss; the next command opens another. */
static void drop(struct ssh_shell *sh)
{
	ssh_channel_close(sh->s, sh->ch, ssh_now_ms() + 1000, NULL, NULL, 0);
	sh->ch = NULL;
}

static long find(const struct buf *b, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = b->len >= n ? memmem(b->data, b->len, needle, n) : NULL;

	return p ? (long)(p - b->data) : -1;
}

/* held - how many bytes at b's end could begin needle (its longest
 * proper prefix there): only those wait for more data. A line's final
 * newline is never among them, so a follower (journalctl -f) sees each
 * line as it comes. */
static size_t held(const struct buf *b, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t k = n - 1; k > 0; k--)
		if (b->len >= k && memcmp(b->data + b->len - k, needle, k) == 0)
			return k;
	return 0;
}

static void cut_front(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* hand_out - pass the first n held-back stdout bytes on. */
static void hand_out(struct frame *f, size_t n, target_chunk_fn on_out, void *arg,
		     struct run_out *o)
{
	if (n == 0)
		return;
	if (on_out) {
		if (!o->cancelled && on_out(arg, f->out.data, n) != 0)
			o->cancelled = 1;
	} else if (buf_append(&o->out, f->out.data, n) < 0) {
		f->overflow = 1;
	}
	cut_front(&f->out, n);
}

/* feed_out - stdout: the shell's start line (once per shell; what the
 * login printed before it is dropped), the command's bytes, its end line. */
static void feed_out(struct ssh_shell *sh, struct frame *f, const char *p, size_t n,
		     target_chunk_fn on_out, void *arg, struct run_out *o)
{
	char line[48];
	size_t el = strlen(f->out_end);
	long i;
	const char *nl;

	if (f->out_done)
		return;		/* after the end line: a stray background writer */
	if (buf_append(&f->out, p, n) < 0) {
		f->overflow = 1;
		return;
	}
	if (!sh->out_started) {
		snprintf(line, sizeof(line), "%s\n", sh->start);
		if ((i = find(&f->out, line)) < 0) {
			if (f->out.len >= strlen(line))
				cut_front(&f->out, f->out.len - (strlen(line) - 1));
			return;
		}
		cut_front(&f->out, (size_t)i + strlen(line));
		sh->out_started = 1;
	}
	if ((i = find(&f->out, f->out_end)) < 0) {
		hand_out(f, f->out.len - held(&f->out, f->out_end), on_out, arg, o);
		return;
	}
	hand_out(f, (size_t)i, on_out, arg, o);
	if ((nl = memchr(f->out.data + el, '\n', f->out.len - el)) == NULL)
		return;		/* the status is still on its way */
	f->status = (int)strtol(f->out.data + el, NULL, 10);
	f->out_done = 1;
	buf_reset(&f->out);
}

/* feed_err - stderr: the start marker with the shell's pid (what the
 * login printed before it is kept for a message should the shell never
 * start), the command's stderr, its end line. */
static void feed_err(struct ssh_shell *sh, struct frame *f, const char *p, size_t n,
		     struct run_out *o)
{
	char mark[48];
	size_t take;
	long i;
	const char *nl;

	if (f->err_done)
		return;
	if (buf_append(&f->err, p, n) < 0) {
		f->overflow = 1;
		return;
	}
	if (!sh->err_started) {
		snprintf(mark, sizeof(mark), "%s ", sh->start);
		if ((i = find(&f->err, mark)) < 0 ||
		    (nl = memchr(f->err.data + i, '\n', f->err.len - (size_t)i)) == NULL) {
			if (f->err.len > 65536)
				cut_front(&f->err, f->err.len - 65536);
			return;
		}
		sh->pid = strtol(f->err.data + i + strlen(mark), NULL, 10);
		sh->err_started = 1;
		cut_front(&f->err, (size_t)(nl + 1 - f->err.data));
	}
	i = find(&f->err, f->err_end);
	take = i < 0 ? f->err.len - held(&f->err, f->err_end) : (size_t)i;
	if (buf_append(&o->err, f->err.data, take) < 0)
		f->overflow = 1;
	if (i < 0) {
		cut_front(&f->err, take);
		return;
	}
	f->err_done = 1;
	buf_reset(&f->err);
}

/* script - the opening lines of a new shell (fresh), then the command's. */
static int script(const struct ssh_shell *sh, int fresh, const char *cmd, const char *nonce,
		  struct buf *s)
{
	if (fresh && buf_printf(s, "PATH=%s:$PATH; export PATH; LC_ALL=C; export LC_ALL\n"
				"printf '%%s\\n' %s; printf '%%s %%s\\n' %s \"$$\" >&2\n",
				SSH_REMOTE_PATH, sh->start, sh->start) < 0)
		return -1;
	/* braces: a line cut short (a failed write, then EOF) is a syntax
	 * error, never a shorter command */
	return buf_printf(s, "{ %s </dev/null; r=$?; printf '%%s\\n' %s >&2; "
			  "printf '%%s %%s\\n' %s \"$r\"; }\n", cmd, nonce, nonce);
}

/* ended - has the kept shell ended since its last command (killed on
 * the host, say)? Its end waits in the socket until something reads:
 * read what is there without waiting (nothing of a finished command is
 * left to read). */
static int ended(struct ssh_shell *sh)
{
	char sink[4096];
	ssize_t n, m;

	do {
		n = libssh2_channel_read(sh->ch, sink, sizeof(sink));
		m = libssh2_channel_read_stderr(sh->ch, sink, sizeof(sink));
	} while (n > 0 || m > 0);
	return libssh2_channel_eof(sh->ch) || (n < 0 && n != LIBSSH2_ERROR_EAGAIN) ||
	       (m < 0 && m != LIBSSH2_ERROR_EAGAIN);
}

static void kill_and_drop(struct ssh_shell *sh)
{
	if (sh->err_started)
		ssh_kill_group(sh->s, sh->sudo, sh->pid);
	drop(sh);
}

int ssh_shell_run(struct ssh_shell *sh, const char *cmd, const char *what, target_chunk_fn on_out,
		  void *arg, struct run_out *o, long long deadline, struct err *e)
{
	struct frame f = { 0 };
	struct buf s = BUF_INIT;
	char nonce[40], chunk[32768];
	size_t soff = 0;
	int rc = -1, fresh = 0;

	run_out_reset(o);
	ssh_make_nonce(nonce, sizeof(nonce));
	snprintf(f.out_end, sizeof(f.out_end), "%s ", nonce);
	snprintf(f.err_end, sizeof(f.err_end), "%s\n", nonce);
	/* a shell that ended between commands is replaced before a command
	 * is sent to it, so none is lost with it */
	if (sh->ch != NULL && ended(sh))
		drop(sh);
	if (sh->ch == NULL) {
		ssh_make_nonce(sh->start, sizeof(sh->start));
		sh->out_started = sh->err_started = 0;
		sh->pid = 0;
		if ((sh->ch = ssh_session_channel(sh->s, "/bin/sh -s", NULL, deadline, e)) == NULL)
			return -1;
		fresh = 1;
	}
	if (script(sh, fresh, cmd, nonce, &s) < 0) {
		err_set(e, ERR_LIMIT, "%s: command too long", what);
		if (fresh)
			drop(sh);	/* its opening lines were never sent */
		goto out;
	}
	for (;;) {
		int progress = 0;
		ssize_t n = 0;

		if (soff < s.len) {
			n = libssh2_channel_write(sh->ch, s.data + soff, s.len - soff);
			if (n > 0) {
				soff += (size_t)n;
				progress = 1;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				ssh_session_error(sh->s, "send command", e);
				drop(sh);
				goto out;
			}
		}
		while (!o->cancelled && !f.overflow &&
		       (n = libssh2_channel_read(sh->ch, chunk, sizeof(chunk))) > 0) {
			progress = 1;
			feed_out(sh, &f, chunk, (size_t)n, on_out, arg, o);
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			ssh_session_error(sh->s, what, e);
			drop(sh);
			goto out;
		}
		while (!f.overflow && (n = libssh2_channel_read_stderr(sh->ch, chunk,
								       sizeof(chunk))) > 0) {
			progress = 1;
			feed_err(sh, &f, chunk, (size_t)n, o);
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			ssh_session_error(sh->s, what, e);
			drop(sh);
			goto out;
		}
		if (o->cancelled || f.overflow) {
			kill_and_drop(sh);
			if (f.overflow)
				err_set(e, ERR_LIMIT, "%s: output larger than the limit", what);
			else
				rc = 0;
			goto out;
		}
		if (f.out_done && f.err_done)
			break;
		if (libssh2_channel_eof(sh->ch)) {
			if (!sh->err_started)
				err_set(e, ERR_RUN, "%s: /bin/sh could not run the command on %s: %.*s",
					what, ssh_session_label(sh->s),
					(int)strcspn(f.err.data ? f.err.data : "", "\n"),
					f.err.data ? f.err.data : "");
			else
				err_set(e, ERR_RUN, "%s: the shell on %s ended before the command "
					"did", what, ssh_session_label(sh->s));
			drop(sh);
			goto out;
		}
		/* A read of one stream may have pulled the other's data off the
		 * socket: it waits in libssh2, and polling the socket for it
		 * would sleep until the deadline. */
		if (!progress && (libssh2_poll_channel_read(sh->ch, 0) ||
				  libssh2_poll_channel_read(sh->ch, 1)))
			progress = 1;
		if (!progress) {
			struct err w;

			if (ssh_session_wait(sh->s, deadline, what, &w) < 0) {
				if (w.code == ERR_TIMEOUT) {
					o->timed_out = 1;
					kill_and_drop(sh);
					rc = 0;
				} else {
					*e = w;
					drop(sh);
				}
				goto out;
			}
		}
	}
	if (f.status > 128 && f.status <= 128 + 64) {
		o->term_signal = f.status - 128;
	} else {
		o->exit_code = f.status;
	}
	rc = 0;
out:
	if (o->out.data == NULL)
		buf_append(&o->out, "", 0);
	if (o->err.data == NULL)
		buf_append(&o->err, "", 0);
	buf_free(&s);
	buf_wipe_free(&f.out);
	buf_wipe_free(&f.err);
	return rc;
}
