/*
 * target_local - the target interface on this machine. See target.h.
 *
 * Programs run with execve() from an absolute path found in a fixed PATH
 * and a minimal environment; there is no shell anywhere. Writes follow
 * Postfix's edit_file discipline: a 0600 temp file in the same directory,
 * owner and mode fixed before content, fsync, rename, fsync of the
 * directory, temp file removed on any failure.
 */
#include "config.h"
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SAFE_PATH "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"

static int local_read_file(struct target *t, const char *path, struct buf *out, struct err *e)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	(void)t;
	buf_reset(out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_sys(e, "open %s", path);
		if (errno == ENOENT)
			e->code = ERR_NOTFOUND;
		return err_at(e, path, 0);
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(e, "read %s", path);
			close(fd);
			return err_at(e, path, 0);
		}
		if (n == 0)
			break;
		if (buf_append(out, chunk, (size_t)n) < 0) {
			close(fd);
			err_set(e, ERR_LIMIT, "read %s: file too large", path);
			return err_at(e, path, 0);
		}
	}
	close(fd);
	if (out->data == NULL)
		buf_append(out, "", 0);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* test_stall - lets the crash-safety test kill us between write and rename. */
static void test_stall(void)
{
	const char *s = getenv("RELAYDECK_TEST_STALL_BEFORE_RENAME_MS");
	struct timespec ts;
	long ms;

	if (s == NULL || (ms = strtol(s, NULL, 10)) <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static int local_write_atomic(struct target *t, const char *path, const void *data,
			      size_t len, const struct write_opts *o, struct err *e)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	uid_t uid = o->uid;
	gid_t gid = o->gid;
	struct stat st;
	int fd;

	(void)t;
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.rdXXXXXX", slash ? (int)(slash - path + 1) : 0,
		     path, slash ? slash + 1 : path) >= (int)sizeof(tmp))
		return err_set(e, ERR_INVALID, "path too long: %s", path);
	if (stat(path, &st) == 0) {
		if (uid == (uid_t)-1)
			uid = st.st_uid;
		if (gid == (gid_t)-1)
			gid = st.st_gid;
	}
	fd = mkstemp(tmp);	/* created 0600: nothing readable before the mode is final */
	if (fd < 0) {
		err_sys(e, "create temporary file for %s", path);
		return err_at(e, path, 0);
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0 &&
	    !(errno == EPERM && geteuid() != 0)) {
		err_sys(e, "chown %s", tmp);
		goto fail;
	}
	if (fchmod(fd, o->mode & 07777) < 0) {
		err_sys(e, "chmod %s", tmp);
		goto fail;
	}
	if (write_all(fd, data, len) < 0) {
		err_sys(e, "write %s", tmp);
		goto fail;
	}
	if (fsync(fd) < 0) {
		err_sys(e, "fsync %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_sys(e, "close %s", tmp);
		goto fail;
	}
	fd = -1;
	test_stall();
	if (rename(tmp, path) < 0) {
		err_sys(e, "rename %s to %s", tmp, path);
		goto fail;
	}
	if (fsync_dir_of(path) < 0)
		return err_sys(e, "fsync directory of %s", path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return err_at(e, path, 0);
}

static int local_stat(struct target *t, const char *path, struct target_stat *out,
		      struct err *e)
{
	struct stat st;

	(void)t;
	memset(out, 0, sizeof(*out));
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_sys(e, "stat %s", path);
	}
	out->exists = 1;
	out->is_dir = S_ISDIR(st.st_mode);
	out->mode = st.st_mode & 07777;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	out->size = (long long)st.st_size;
	out->mtime = (long long)st.st_mtime;
	return 0;
}

static int local_unlink(struct target *t, const char *path, struct err *e)
{
	(void)t;
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", path);
	return 0;
}

static int local_mkdir_p(struct target *t, const char *path, mode_t mode, struct err *e)
{
	char p[PATH_MAX];
	size_t n = strlen(path);

	(void)t;
	if (n == 0 || n >= sizeof(p))
		return err_set(e, ERR_INVALID, "bad directory name: %s", path);
	memcpy(p, path, n + 1);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return err_sys(e, "mkdir %s", p);
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

static int local_list_dir(struct target *t, const char *path, char ***names, size_t *count,
			  struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	(void)t;
	*names = NULL;
	*count = 0;
	d = opendir(path);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "open directory %s", path);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (nv == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	target_names_free(v, n);
	return err_set(e, ERR_NOMEM, "list %s: out of memory", path);
}

static int local_lock(struct target *t, const char *path, int wait_ms, void **handle,
		      struct err *e)
{
	struct timespec nap = { 0, 50 * 1000000L };
	int fd, waited = 0;

	(void)t;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, "open lock %s", path);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_sys(e, "lock %s", path);
			close(fd);
			return -1;
		}
		if (waited >= wait_ms) {
			close(fd);
			return err_set(e, ERR_LOCKED,
				       "another relaydeck is changing this configuration (lock %s)", path);
		}
		nanosleep(&nap, NULL);
		waited += 50;
	}
	*handle = (void *)(intptr_t)(fd + 1);
	return 0;
}

static void local_unlock(struct target *t, void *handle)
{
	int fd = (int)(intptr_t)handle - 1;

	(void)t;
	if (fd >= 0)
		close(fd);	/* closing releases the flock */
}

/* resolve_program - absolute path of argv0 along SAFE_PATH. */
static int resolve_program(const char *argv0, char *out, size_t outlen)
{
	const char *p = SAFE_PATH;

	if (strchr(argv0, '/')) {
		snprintf(out, outlen, "%s", argv0);
		return access(out, X_OK);
	}
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		snprintf(out, outlen, "%.*s/%s", (int)n, p, argv0);
		if (access(out, X_OK) == 0)
			return 0;
		p += n + (colon != NULL);
	}
	return -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_exec(const char *prog, const char *const *argv, int in, int out, int errfd)
{
	static char path_env[] = "PATH=" SAFE_PATH;
	static char lc_env[] = "LC_ALL=C";
	char tz_env[128], home_env[PATH_MAX + 8];
	char *envp[6];
	int n = 0;

	envp[n++] = path_env;
	envp[n++] = lc_env;
	if (getenv("TZ")) {
		snprintf(tz_env, sizeof(tz_env), "TZ=%s", getenv("TZ"));
		envp[n++] = tz_env;
	}
	if (getenv("HOME")) {
		snprintf(home_env, sizeof(home_env), "HOME=%s", getenv("HOME"));
		envp[n++] = home_env;
	}
	envp[n] = NULL;
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	execve(prog, (char *const *)argv, envp);
	_exit(127);
}

static int local_run(struct target *t, const char *const *argv, const struct buf *in,
		     struct run_out *o, int timeout_ms, struct err *e)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	char prog[PATH_MAX], chunk[65536];
	size_t in_off = 0, in_len = in ? in->len : 0;
	struct sigaction ign, old;
	long long deadline;
	int status = 0, overflow = 0;
	pid_t pid;

	(void)t;
	buf_reset(&o->out);
	buf_reset(&o->err);
	o->exit_code = -1;
	o->term_signal = 0;
	o->timed_out = 0;
	if (argv == NULL || argv[0] == NULL)
		return err_set(e, ERR_USAGE, "run: empty command");
	if (resolve_program(argv[0], prog, sizeof(prog)) < 0)
		return err_set(e, ERR_RUN, "%s: program not found or not executable", argv[0]);
	if (timeout_ms <= 0)
		timeout_ms = RUN_TIMEOUT_DEFAULT_MS;
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		err_sys(e, "run %s: pipe", argv[0]);
		goto fail_fds;
	}
	/* A child that exits before reading stdin must not kill us with SIGPIPE. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	pid = fork();
	if (pid < 0) {
		err_sys(e, "run %s: fork", argv[0]);
		sigaction(SIGPIPE, &old, NULL);
		goto fail_fds;
	}
	if (pid == 0)
		child_exec(prog, argv, pin[0], pout[1], perr[1]);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	if (in_len == 0) {
		close(pin[1]);
		pin[1] = -1;
	} else {
		fcntl(pin[1], F_SETFL, O_NONBLOCK);
	}
	deadline = now_ms() + timeout_ms;
	while (pout[0] >= 0 || perr[0] >= 0) {
		struct pollfd pfd[3];
		int nfd = 0, left = (int)(deadline - now_ms());

		if (left <= 0) {
			o->timed_out = 1;
			break;
		}
		if (pout[0] >= 0)
			pfd[nfd++] = (struct pollfd){ pout[0], POLLIN, 0 };
		if (perr[0] >= 0)
			pfd[nfd++] = (struct pollfd){ perr[0], POLLIN, 0 };
		if (pin[1] >= 0)
			pfd[nfd++] = (struct pollfd){ pin[1], POLLOUT, 0 };
		if (poll(pfd, (nfds_t)nfd, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == pin[1]) {
				ssize_t w = write(pin[1], in->data + in_off, in_len - in_off);

				if (w > 0)
					in_off += (size_t)w;
				if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= in_len) {
					close(pin[1]);
					pin[1] = -1;
				}
			} else {
				int *fdp = pfd[i].fd == pout[0] ? &pout[0] : &perr[0];
				struct buf *b = pfd[i].fd == pout[0] ? &o->out : &o->err;
				ssize_t r = read(*fdp, chunk, sizeof(chunk));

				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0) {
					close(*fdp);
					*fdp = -1;
				} else if (buf_append(b, chunk, (size_t)r) < 0) {
					overflow = 1;
				}
			}
		}
		if (overflow)
			break;
	}
	if (o->timed_out || overflow)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	if (pin[1] >= 0)
		close(pin[1]);
	if (pout[0] >= 0)
		close(pout[0]);
	if (perr[0] >= 0)
		close(perr[0]);
	if (WIFEXITED(status))
		o->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		o->term_signal = WTERMSIG(status);
	if (!o->out.data)
		buf_append(&o->out, "", 0);
	if (!o->err.data)
		buf_append(&o->err, "", 0);
	if (overflow)
		return err_set(e, ERR_LIMIT, "%s: output larger than the limit", argv[0]);
	if (!o->timed_out && o->exit_code == 127 && o->err.len == 0)
		return err_set(e, ERR_RUN, "%s: could not be started", argv[0]);
	return 0;
fail_fds:
	for (int i = 0; i < 2; i++) {
		if (pin[i] >= 0) close(pin[i]);
		if (pout[i] >= 0) close(pout[i]);
		if (perr[i] >= 0) close(perr[i]);
	}
	return -1;
}

static void local_free(struct target *t)
{
	(void)t;
}

static const struct target_ops local_ops = {
	.kind = "local",
	.read_file = local_read_file,
	.write_atomic = local_write_atomic,
	.run = local_run,
	.stat = local_stat,
	.unlink = local_unlink,
	.mkdir_p = local_mkdir_p,
	.list_dir = local_list_dir,
	.lock = local_lock,
	.unlock = local_unlock,
	.free = local_free,
};

/* escape_dir - "/etc/postfix" -> "etc_postfix"; bytes other than [A-Za-z0-9.-] become %XX. */
static void escape_dir(const char *dir, char *out, size_t outlen)
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

/* trim_nl - strip one trailing newline (postconf -h output). */
static void trim_nl(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

struct target *target_local_new(const char *config_dir, const char *state_dir, struct err *e)
{
	struct target *t = calloc(1, sizeof(*t));
	char esc[PATH_MAX], path[PATH_MAX];
	struct target_stat st;

	if (t == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	t->ops = &local_ops;
	t->is_root = geteuid() == 0;
	t->name = strdup("localhost");
	if (config_dir == NULL || !*config_dir)
		config_dir = getenv("MAIL_CONFIG");
	if (config_dir && *config_dir) {
		if (realpath(config_dir, path) == NULL) {
			err_sys(e, "config directory %s", config_dir);
			if (errno == ENOENT)
				e->code = ERR_NOTFOUND;
			goto fail;
		}
		t->config_dir = strdup(path);
	} else {
		const char *argv[] = { "postconf", "-h", "config_directory", NULL };
		struct run_out o;

		run_out_init(&o);
		if (target_run_ok(t, argv, NULL, &o, 10000, e) < 0) {
			run_out_free(&o);
			goto fail;
		}
		trim_nl(o.out.data);
		t->config_dir = strdup(o.out.data);
		run_out_free(&o);
	}
	if (local_stat(t, t->config_dir, &st, e) < 0)
		goto fail;
	if (!st.exists || !st.is_dir) {
		err_set(e, ERR_NOTFOUND, "config directory %s: %s", t->config_dir,
			st.exists ? "not a directory" : "No such file or directory");
		goto fail;
	}
	if (state_dir == NULL || !*state_dir)
		state_dir = getenv("RELAYDECK_STATE_DIR");
	escape_dir(t->config_dir, esc, sizeof(esc));
	if (state_dir && *state_dir) {
		snprintf(path, sizeof(path), "%s", state_dir);
	} else if (t->is_root) {
		snprintf(path, sizeof(path), "/var/lib/relaydeck/%s", esc);
	} else if (getenv("XDG_STATE_HOME") && *getenv("XDG_STATE_HOME")) {
		snprintf(path, sizeof(path), "%s/relaydeck/%s", getenv("XDG_STATE_HOME"), esc);
	} else {
		snprintf(path, sizeof(path), "%s/.local/state/relaydeck/%s",
			 getenv("HOME") ? getenv("HOME") : "/tmp", esc);
	}
	t->state_dir = strdup(path);
	if (t->name == NULL || t->config_dir == NULL || t->state_dir == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	return t;
fail:
	target_free(t);
	return NULL;
}
