/*
 * target_local - the target interface on this machine. See target.h.
 *
 * Programs run with execve() from an absolute path found in a fixed PATH
 * and a minimal environment; there is no shell anywhere. Each runs in a
 * process group of its own under a guard process that kills the group
 * when relaydeck dies, so nothing it started outlives a killed apply.
 * The relaydeck executable starts that guard with posix_spawn of itself
 * (target_local_spawn_via_self); other programs linking core/ (the unit
 * tests) fork. Writes follow
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
#include <pwd.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define SAFE_PATH "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"

static int state_dir_check(const char *dir, struct err *e);

/* in_state_dir - whether path names a file inside t's state directory. */
static int in_state_dir(const struct target *t, const char *path)
{
	size_t n;

	if (t == NULL || t->state_dir == NULL)
		return 0;
	n = strlen(t->state_dir);
	return strncmp(path, t->state_dir, n) == 0 && path[n] == '/';
}

/* file_kind - a word for what a non-regular file is. */
static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a plain file";
}

static int local_read_file(struct target *t, const char *path, struct buf *out, struct err *e)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd;

	buf_reset(out);
	/* Not even opened when it is no regular file: a device's open has
	 * effects (/dev/watchdog starts its timer, a tape rewinds), a FIFO's
	 * lets a waiting writer through. fstat below catches a swap. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		err_set(e, ERR_PARSE, "read %s: not a regular file (%s); relaydeck reads "
			"configuration only from regular files", path, file_kind(st.st_mode));
		return err_at(e, path, 0);
	}
	/* O_NONBLOCK: opening a FIFO with no writer would wait for ever. The
	 * state dir's own files (marker, pending, backups) are never links. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
		  (in_state_dir(t, path) ? O_NOFOLLOW : 0));
	if (fd < 0) {
		err_sys(e, "open %s", path);
		if (errno == ENOENT)
			e->code = ERR_NOTFOUND;
		else if (errno == ELOOP && in_state_dir(t, path))
			snprintf(e->msg, sizeof(e->msg), "open %s: a symbolic link where "
				 "relaydeck keeps its own state; remove it", path);
		return err_at(e, path, 0);
	}
	if (fstat(fd, &st) < 0) {
		err_sys(e, "stat %s", path);
		close(fd);
		return err_at(e, path, 0);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		err_set(e, ERR_PARSE, "read %s: not a regular file (%s); relaydeck reads "
			"configuration only from regular files", path, file_kind(st.st_mode));
		return err_at(e, path, 0);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* One allocation of the right size: no copies left by regrowth. */
	if (st.st_size > 0 && buf_reserve(out, (size_t)st.st_size) < 0) {
		close(fd);
		err_set(e, ERR_LIMIT, "read %s: file too large", path);
		return err_at(e, path, 0);
	}
	for (;;) {
		size_t room = out->alloc > out->len ? out->alloc - out->len - 1 : 0;

		/* straight into the buffer while it has room: no second copy */
		if (room >= sizeof(chunk)) {
			n = read(fd, out->data + out->len, room);
			if (n > 0) {
				out->len += (size_t)n;
				out->data[out->len] = '\0';
				continue;
			}
		} else {
			n = read(fd, chunk, sizeof(chunk));
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			OPENSSL_cleanse(chunk, sizeof(chunk));
			err_sys(e, "read %s", path);
			close(fd);
			return err_at(e, path, 0);
		}
		if (n == 0)
			break;
		if (buf_append(out, chunk, (size_t)n) < 0) {
			OPENSSL_cleanse(chunk, sizeof(chunk));
			close(fd);
			err_set(e, ERR_LIMIT, "read %s: file too large", path);
			return err_at(e, path, 0);
		}
	}
	/* the file may be a credentials table */
	OPENSSL_cleanse(chunk, sizeof(chunk));
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

/* copy_xattrs - give fd the extended attributes of the file at path
 * (ACLs, SELinux labels, user.*), so a replaced file keeps them. The
 * access ACL is left out when the caller sets another mode than the old
 * file had (a secret made 0600): the ACL would grant what the mode takes
 * away. */
static int copy_xattrs(const char *path, int fd, int same_mode, struct err *e)
{
	char *names = NULL, *val = NULL;
	ssize_t nlen, vlen;
	int r = -1;

	nlen = listxattr(path, NULL, 0);
	if (nlen < 0 && (errno == ENOTSUP || errno == ENOSYS))
		return 0;
	if (nlen < 0)
		return err_sys(e, "list extended attributes of %s", path);
	if (nlen == 0)
		return 0;
	if ((names = malloc((size_t)nlen)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	nlen = listxattr(path, names, (size_t)nlen);
	if (nlen < 0) {
		err_sys(e, "list extended attributes of %s", path);
		goto out;
	}
	for (char *n = names; n < names + nlen; n += strlen(n) + 1) {
		if (!same_mode && strcmp(n, "system.posix_acl_access") == 0)
			continue;
		vlen = getxattr(path, n, NULL, 0);
		if (vlen < 0) {
			err_sys(e, "read extended attribute %s of %s", n, path);
			goto out;
		}
		free(val);
		if ((val = malloc((size_t)vlen + 1)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		vlen = getxattr(path, n, val, (size_t)vlen);
		if (vlen < 0) {
			err_sys(e, "read extended attribute %s of %s", n, path);
			goto out;
		}
		if (fsetxattr(fd, n, val, (size_t)vlen, 0) < 0) {
			err_sys(e, "copy extended attribute %s of %s", n, path);
			goto out;
		}
	}
	r = 0;
out:
	free(val);
	free(names);
	return r;
}

/* links_ours - every link from path to the file it names belongs to us
 * or root. A link of another user's (in a directory they can write) would
 * otherwise choose what we overwrite, keeping that file's owner and mode:
 * root writing a map through it into /etc/shadow. The kernel's
 * protected_symlinks covers only sticky directories such as /tmp. */
static int links_ours(const char *path, struct err *e)
{
	char cur[PATH_MAX], link[PATH_MAX], next[2 * PATH_MAX];
	struct stat lst;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return err_set(e, ERR_INVALID, "path too long: %s", path);
	for (int hops = 0; lstat(cur, &lst) == 0 && S_ISLNK(lst.st_mode); hops++) {
		ssize_t n;
		char *slash;

		if (lst.st_uid != 0 && lst.st_uid != geteuid()) {
			err_set(e, ERR_SYS, "write %s: %s is a symbolic link of uid %u, who would "
				"choose the file written; replace it with a link of root's (or "
				"yours) or with the file itself", path, cur, (unsigned)lst.st_uid);
			e->sys_errno = EPERM;
			return -1;
		}
		if (hops >= 40 || (n = readlink(cur, link, sizeof(link) - 1)) < 0) {
			if (hops >= 40)
				errno = ELOOP;
			return err_sys(e, "write %s: follow the symbolic link %s", path, cur);
		}
		link[n] = '\0';
		slash = strrchr(cur, '/');
		if (link[0] == '/' || slash == NULL)
			snprintf(next, sizeof(next), "%s", link);
		else
			snprintf(next, sizeof(next), "%.*s/%s", (int)(slash - cur), cur, link);
		if (strlen(next) >= sizeof(cur))
			return err_set(e, ERR_INVALID, "path too long: %s", next);
		memcpy(cur, next, strlen(next) + 1);
	}
	return 0;
}

/* write_target - the file a write to path replaces: path itself, or the
 * file a symbolic link at path names (config management often links
 * main.cf or a map to a checkout). The link is kept; what it points to is
 * replaced in its own directory, as an edit in place would. */
static int write_target(const struct target *t, const char *path, char *out, size_t outlen,
			struct err *e)
{
	struct stat lst;
	char real[PATH_MAX];

	if (lstat(path, &lst) < 0 || !S_ISLNK(lst.st_mode)) {
		if (snprintf(out, outlen, "%s", path) >= (int)outlen)
			return err_set(e, ERR_INVALID, "path too long: %s", path);
		return 0;
	}
	if (in_state_dir(t, path))
		return err_set(e, ERR_INVALID, "write %s: a symbolic link where relaydeck keeps "
			       "its own state; remove it", path);
	if (links_ours(path, e) < 0)
		return err_at(e, path, 0);
	if (realpath(path, real) == NULL) {
		err_sys(e, "write %s: follow the symbolic link", path);
		return err_at(e, path, 0);
	}
	if (snprintf(out, outlen, "%s", real) >= (int)outlen)
		return err_set(e, ERR_INVALID, "path too long: %s", real);
	return 0;
}

static int local_write_atomic(struct target *t, const char *path, const void *data,
			      size_t len, const struct write_opts *o, struct err *e)
{
	char tmp[PATH_MAX], dest[PATH_MAX];
	const char *slash;
	uid_t uid = o->uid;
	gid_t gid = o->gid;
	struct stat st;
	int fd, old = 0;

	if (write_target(t, path, dest, sizeof(dest), e) < 0)
		return -1;
	slash = strrchr(dest, '/');
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.rdXXXXXX", slash ? (int)(slash - dest + 1) : 0,
		     dest, slash ? slash + 1 : dest) >= (int)sizeof(tmp))
		return err_set(e, ERR_INVALID, "path too long: %s", path);
	if (stat(dest, &st) == 0 && S_ISREG(st.st_mode)) {
		old = 1;
		if (uid == (uid_t)-1)
			uid = st.st_uid;
		if (gid == (gid_t)-1)
			gid = st.st_gid;
	}
	fd = mkstemp(tmp);	/* created 0600: nothing readable before the mode is final */
	if (fd < 0) {
		err_sys(e, "create temporary file for %s", dest);
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
	/* after the mode: an access ACL carries the group bits with it */
	if (old && copy_xattrs(dest, fd, (st.st_mode & 07777) == (o->mode & 07777), e) < 0)
		goto fail;
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
	if (rename(tmp, dest) < 0) {
		err_sys(e, "rename %s to %s", tmp, dest);
		goto fail;
	}
	if (fsync_dir_of(dest) < 0)
		return err_sys(e, "fsync directory of %s", dest);
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
	out->has_id = 1;
	out->dev = (unsigned long long)st.st_dev;
	out->ino = (unsigned long long)st.st_ino;
	return 0;
}

static int local_set_mtime(struct target *t, const char *path, long long mtime, struct err *e)
{
	struct timespec ts[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };

	/* a linked map's own time counts (Postfix compares it with the .db) */
	if (utimensat(AT_FDCWD, path, ts, in_state_dir(t, path) ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
		err_sys(e, "set the time of %s", path);
		return err_at(e, path, 0);
	}
	return 0;
}

static int local_unlink(struct target *t, const char *path, struct err *e)
{
	(void)t;
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", path);
	return 0;
}

static int local_sync_dir(struct target *t, const char *path, struct err *e)
{
	int fd, r;

	(void)t;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_sys(e, "open directory %s", path);
	r = fsync(fd);
	close(fd);
	return r < 0 ? err_sys(e, "fsync directory %s", path) : 0;
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
	/* made now or long ago: the state dir must still be ours alone */
	if (t->state_dir && strcmp(path, t->state_dir) == 0)
		return state_dir_check(path, e);
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
	struct stat st;
	int fd, waited = 0;

	(void)t;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0 && errno == ELOOP)
		return err_set(e, ERR_INVALID, "open lock %s: it is a symbolic link (someone may "
			       "want relaydeck to write elsewhere); remove it", path);
	if (fd < 0)
		return err_sys(e, "open lock %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_INVALID, "lock %s: not a regular file; remove it", path);
	}
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

/* guard_kill - the group's guard lost its parent: end the whole group. */
static void guard_kill(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
	_exit(137);
}

/* guard_group - in a new child's process group, before its exec: stay as
 * the group's guard and let a second child go on to the exec. When
 * relaydeck dies (kill -9 mid-apply) the guard is told (parent-death
 * signal) and kills the group, so no postmap and no process that
 * `postfix check` started outlives it to race the next command's
 * recovery. Otherwise the guard passes on its child's exit status or
 * signal. Returns only in that second child. */
static void guard_group(pid_t parent)
{
	struct sigaction sa;
	pid_t kid;
	int st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_kill;
	sigaction(SIGTERM, &sa, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(127);
	if ((kid = fork()) < 0)
		_exit(127);
	if (kid == 0) {
		signal(SIGTERM, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return;
	}
	while (waitpid(kid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		prctl(PR_SET_PDEATHSIG, 0);
		kill(getpid(), WTERMSIG(st));
	}
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 127);
}

/* child_env - the minimal environment a program runs with, built before
 * fork: between fork and exec only async-signal-safe calls are allowed,
 * and the console forks while worker threads run (snprintf and getenv
 * are not safe there). tz and home are the caller's storage. */
static void child_env(char *envp[6], char *tz, size_t tzlen, char *home, size_t homelen)
{
	static char path_env[] = "PATH=" SAFE_PATH;
	static char lc_env[] = "LC_ALL=C";
	const char *v;
	int n = 0;

	envp[n++] = path_env;
	envp[n++] = lc_env;
	if ((v = getenv("TZ")) != NULL) {
		snprintf(tz, tzlen, "TZ=%s", v);
		envp[n++] = tz;
	}
	if ((v = getenv("HOME")) != NULL) {
		snprintf(home, homelen, "HOME=%s", v);
		envp[n++] = home;
	}
	envp[n] = NULL;
}

/* close_from_3 - close every descriptor but the three standard ones.
 * Async-signal-safe. */
static void close_from_3(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

/* child_exec - in the child: own process group, default SIGPIPE, the three
 * descriptors, nothing else open, exec. Async-signal-safe calls only. */
static void child_exec(const char *prog, const char *const *argv, char *const envp[], int in,
		       int out, int errfd, pid_t parent)
{
	struct sigaction dfl;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	close_from_3();
	guard_group(parent);
	execve(prog, (char *const *)argv, envp);
	_exit(127);
}

/* The executable to start children through (target_local_spawn_via_self),
 * or NULL to fork. Set once by main() before any thread starts; spawn_off
 * is set when a guard could not start, and every later child forks. */
static const char *spawn_self;
static atomic_int spawn_off;

/* The guard tells its parent it runs by writing one byte to this
 * descriptor (GUARD_READY_FD), then closes it with every other one. */
#define GUARD_READY_FD 3
#define GUARD_READY_MS 5000

void target_local_spawn_via_self(void)
{
	spawn_self = "/proc/self/exe";
}

/* same_program - process pid runs the same executable file as this one. */
static int same_program(long pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	return stat("/proc/self/exe", &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* target_local_guard_main - see target.h. argv: relaydeck GUARD_ARG
 * PARENT_PID NENV ENV... PROGRAM ARGV0 ARGS... Only a parent that is this
 * same program (spawn_guarded) gets a guard: run by hand, or by sudo or
 * anything else, the mode refuses, so it is no way to run a program
 * around relaydeck's own checks. */
int target_local_guard_main(int argc, char **argv)
{
	char *end, **envp, *prog;
	long parent, nenv;

	if (argc < 4)
		return 127;
	parent = strtol(argv[2], &end, 10);
	if (*end != '\0' || parent <= 1 || parent != (long)getppid() || !same_program(parent))
		return 127;
	nenv = strtol(argv[3], &end, 10);
	if (*end != '\0' || nenv < 0 || nenv > argc - 6)
		return 127;
	envp = argv + 4;
	prog = argv[4 + nenv];
	if (prog[0] != '/')
		return 127;
	argv[4 + nenv] = NULL;	/* ends envp */
	if (write(GUARD_READY_FD, "g", 1) != 1)
		return 127;
	close_from_3();
	guard_group((pid_t)parent);
	execve(prog, argv + 5 + nenv, envp);
	_exit(127);
}

/* guard_ready - wait for the guard's byte on fd (ours, read end): 1 when
 * it runs, 0 when it ended without (then reaped). */
static int guard_ready(pid_t pid, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;
	int st;

	while (poll(&p, 1, GUARD_READY_MS) < 0 && errno == EINTR)
		;
	if ((p.revents & (POLLIN | POLLHUP)) && read(fd, &c, 1) == 1)
		return 1;
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* spawn_guarded - start prog under its guard without fork(): posix_spawn
 * (vfork semantics) of this executable in guard mode, which then forks
 * and execs as child_exec does, from a small fresh process. A fork of
 * relaydeck holding a 1M-line table copies its page tables and makes
 * every later write to its heap fault (copy on write): measured, 176,000
 * page faults in one map add. The guard runs with relaydeck's own
 * environment (the libraries it needs); envp goes to the program. The
 * pid, or -1 when the guard did not start (then fork). */
static pid_t spawn_guarded(const char *prog, const char *const *argv, char *const envp[],
			   int in, int out, int errfd, pid_t parent)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t dfl;
	char ppid[32], nenv_s[32], **gargv;
	size_t n = 0, nenv = 0, k = 0;
	int ready[2], rc;
	pid_t pid = -1;

	while (argv[n])
		n++;
	while (envp[nenv])
		nenv++;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	if ((gargv = calloc(n + nenv + 6, sizeof(*gargv))) == NULL) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	snprintf(ppid, sizeof(ppid), "%ld", (long)parent);
	snprintf(nenv_s, sizeof(nenv_s), "%zu", nenv);
	gargv[k++] = (char *)"relaydeck";
	gargv[k++] = (char *)TARGET_GUARD_ARG;
	gargv[k++] = ppid;
	gargv[k++] = nenv_s;
	for (size_t i = 0; i < nenv; i++)
		gargv[k++] = envp[i];
	gargv[k++] = (char *)prog;
	for (size_t i = 0; i < n; i++)
		gargv[k++] = (char *)argv[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, errfd, 2)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, ready[1], GUARD_READY_FD)) == 0 &&
	    (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
					   POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&at, &dfl)) == 0)
		rc = posix_spawn(&pid, spawn_self, &fa, &at, gargv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(gargv);
	close(ready[1]);
	if (rc == 0 && !guard_ready(pid, ready[0]))
		rc = -1;
	close(ready[0]);
	if (rc != 0) {
		/* started under a loader or an emulator, or without /proc */
		atomic_store(&spawn_off, 1);
		return -1;
	}
	return pid;
}

/* reap - wait for pid until the deadline; past it kill its process group
 * (timed_out) and collect it. A child that closed its output but goes on
 * running must not hold us longer than the caller allowed. */
static void reap(pid_t pid, long long deadline, int *status, struct run_out *o)
{
	long nap_us = 1000;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return;
		if (r == 0 && now_ms() >= deadline) {
			o->timed_out = 1;
			kill(-pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		usleep((useconds_t)nap_us);
		if (nap_us < 50000)
			nap_us *= 2;
	}
}

/* err_pty - a pseudo-terminal for the child's stderr: *rd (ours, close-on-
 * exec) and *wr (the child's), raw so that "\n" stays "\n". */
static int err_pty(int *rd, int *wr)
{
	struct termios tio;

	memset(&tio, 0, sizeof(tio));
	cfmakeraw(&tio);
	if (openpty(rd, wr, NULL, &tio, NULL) < 0)
		return -1;
	fcntl(*rd, F_SETFD, FD_CLOEXEC);
	fcntl(*wr, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* local_exec - run argv; stdout into o->out, or to on_out as it comes. */
static int local_exec(struct target *t, const char *const *argv, const struct buf *in,
		      target_chunk_fn on_out, void *arg, struct run_out *o, int timeout_ms,
		      struct err *e)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	char prog[PATH_MAX], chunk[65536], tz_env[128], home_env[PATH_MAX + 8], *envp[6];
	size_t in_off = 0, in_len = in ? in->len : 0;
	struct sigaction ign, old;
	long long deadline;
	int status = 0, overflow = 0;
	pid_t pid, self;

	(void)t;
	run_out_reset(o);
	if (argv == NULL || argv[0] == NULL)
		return err_set(e, ERR_USAGE, "run: empty command");
	if (resolve_program(argv[0], prog, sizeof(prog)) < 0)
		return err_set(e, ERR_RUN, "%s: program not found or not executable", argv[0]);
	if (timeout_ms <= 0)
		timeout_ms = RUN_TIMEOUT_DEFAULT_MS;
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
	    (o->stderr_tty ? err_pty(&perr[0], &perr[1]) : pipe2(perr, O_CLOEXEC)) < 0) {
		err_sys(e, "run %s: pipe", argv[0]);
		goto fail_fds;
	}
	/* A child that exits before reading stdin must not kill us with SIGPIPE. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	self = getpid();
	child_env(envp, tz_env, sizeof(tz_env), home_env, sizeof(home_env));
	pid = -1;
	if (spawn_self && !atomic_load(&spawn_off))
		pid = spawn_guarded(prog, argv, envp, pin[0], pout[1], perr[1], self);
	if (pid < 0)
		pid = fork();
	if (pid < 0) {
		err_sys(e, "run %s: fork", argv[0]);
		sigaction(SIGPIPE, &old, NULL);
		goto fail_fds;
	}
	if (pid == 0)
		child_exec(prog, argv, envp, pin[0], pout[1], perr[1], self);
	/* Its own process group, set on both sides of the fork so that a kill
	 * of the group can never miss: the deadline then ends what it started
	 * too (sendmail's postdrop). */
	setpgid(pid, pid);
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
				/* a pseudo-terminal reads EIO once the child side is closed */
				if (r <= 0) {
					close(*fdp);
					*fdp = -1;
				} else if (on_out && fdp == &pout[0]) {
					if (on_out(arg, chunk, (size_t)r) != 0)
						o->cancelled = 1;
				} else if (buf_append(b, chunk, (size_t)r) < 0) {
					overflow = 1;
				}
			}
		}
		if (overflow || o->cancelled)
			break;
	}
	/* postmap -q answers with passwords */
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (o->timed_out || overflow || o->cancelled)
		kill(-pid, SIGKILL);
	reap(pid, deadline, &status, o);
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

static int local_run(struct target *t, const char *const *argv, const struct buf *in,
		     struct run_out *o, int timeout_ms, struct err *e)
{
	return local_exec(t, argv, in, NULL, NULL, o, timeout_ms, e);
}

static int local_run_stream(struct target *t, const char *const *argv, const struct buf *in,
			    target_chunk_fn on_out, void *arg, struct run_out *o, int timeout_ms,
			    struct err *e)
{
	return local_exec(t, argv, in, on_out, arg, o, timeout_ms, e);
}

/* local_read_at - one pread; no link is followed (queue files are read as
 * root from directories the mail system's user owns). */
static int local_read_at(struct target *t, const char *path, long long off, size_t max,
			 struct buf *out, struct err *e)
{
	ssize_t n;
	int fd;

	(void)t;
	buf_reset(out);
	if (off < 0)
		return err_set(e, ERR_INVALID, "read %s: negative offset", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		err_sys(e, "open %s", path);
		if (errno == ENOENT)
			e->code = ERR_NOTFOUND;
		return err_at(e, path, 0);
	}
	if (buf_reserve(out, max + 1) < 0) {
		close(fd);
		return err_set(e, ERR_LIMIT, "read %s: too large", path);
	}
	do
		n = pread(fd, out->data, max, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_sys(e, "read %s", path);
		close(fd);
		return err_at(e, path, 0);
	}
	close(fd);
	out->len = (size_t)n;
	out->data[n] = '\0';
	return 0;
}

static int local_link_target(struct target *t, const char *path, char *out, size_t outlen,
			     struct err *e)
{
	struct stat lst;

	if (lstat(path, &lst) < 0 || !S_ISLNK(lst.st_mode))
		return 0;
	if (write_target(t, path, out, outlen, e) < 0)
		return -1;
	return 1;
}

static int local_keep_as(struct target *t, const char *path, const char *new_path,
			 struct err *e)
{
	(void)t;
	if (linkat(AT_FDCWD, path, AT_FDCWD, new_path, AT_SYMLINK_FOLLOW) == 0)
		return 1;
	switch (errno) {
	case EXDEV: case EPERM: case EMLINK: case ENOTSUP: case EACCES: case ENOSPC:
		return 0;	/* a copy may still be possible */
	default:
		return err_sys(e, "link %s to %s", path, new_path);
	}
}

static void local_free(struct target *t)
{
	(void)t;
}

static const struct target_ops local_ops = {
	.kind = "local",
	.parallel_run = 1,
	.read_file = local_read_file,
	.write_atomic = local_write_atomic,
	.run = local_run,
	.stat = local_stat,
	.set_mtime = local_set_mtime,
	.unlink = local_unlink,
	.sync_dir = local_sync_dir,
	.mkdir_p = local_mkdir_p,
	.list_dir = local_list_dir,
	.lock = local_lock,
	.unlock = local_unlock,
	.free = local_free,
	.run_stream = local_run_stream,
	.read_at = local_read_at,
	.link_target = local_link_target,
	.keep_as = local_keep_as,
};

/* trim_nl - strip one trailing newline (postconf -h output). */
static void trim_nl(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* home_dir - $HOME, else the password database's home of the effective
 * user; NULL when neither names an absolute directory. Never a shared
 * directory such as /tmp, where another user could prepare the state. */
static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;
	struct stat st;

	if (h && h[0] == '/')
		return h;
	/* service accounts often name a home that is not there ("/nonexistent") */
	pw = getpwuid(geteuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/' && stat(pw->pw_dir, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return pw->pw_dir;
	return NULL;
}

/* state_dir_choose - where this config dir's state lives: the caller's
 * choice (--state-dir), else RELAYDECK_STATE_DIR unless root, else
 * /var/lib/relaydeck/<dir> as root and $XDG_STATE_HOME/relaydeck/<dir> or
 * ~/.local/state/relaydeck/<dir> otherwise. Root ignores the environment:
 * under sudo it may come from the user who ran it, and would point root's
 * writes wherever that user likes. */
static int state_dir_choose(const char *given, int is_root, const char *config_dir,
			    char *path, size_t len, struct err *e)
{
	const char *env = getenv("RELAYDECK_STATE_DIR"), *xdg = getenv("XDG_STATE_HOME");
	char esc[1024];
	int n;

	target_escape_config_dir(config_dir, esc, sizeof(esc));
	if (given && *given)
		n = snprintf(path, len, "%s", given);
	else if (!is_root && env && *env)
		n = snprintf(path, len, "%s", env);
	else if (is_root)
		n = snprintf(path, len, "/var/lib/relaydeck/%s", esc);
	else if (xdg && xdg[0] == '/')
		n = snprintf(path, len, "%s/relaydeck/%s", xdg, esc);
	else if (home_dir())
		n = snprintf(path, len, "%s/.local/state/relaydeck/%s", home_dir(), esc);
	else
		return err_set(e, ERR_NOTFOUND, "no home directory for the state of %s: HOME is "
			       "not set and uid %u has no home in the password database; give "
			       "--state-dir DIR (a directory only you can write)", config_dir,
			       (unsigned)geteuid());
	if (n < 0 || (size_t)n >= len)
		return err_set(e, ERR_INVALID, "state directory name too long");
	return 0;
}

/* ours - whether uid is the effective user or root. */
static int ours(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* lookup_check - whether name (at path, lstat in *en, or missing) found in
 * directory parent (stat in *d) is there for good: the directory belongs
 * to root or us and no one else may write it, or it is sticky (like /tmp),
 * where others cannot move an entry of ours but may own a link. */
static int lookup_check(const char *dir, const char *parent, const struct stat *d,
			const char *path, const struct stat *en, struct err *e)
{
	if (!ours(d->st_uid))
		err_set(e, ERR_SYS, "state directory %s: %s belongs to uid %u, who could put "
			"another directory in its place; give --state-dir DIR below directories "
			"only you or root can change", dir, parent, (unsigned)d->st_uid);
	else if ((d->st_mode & 022) && !(d->st_mode & S_ISVTX))
		err_set(e, ERR_SYS, "state directory %s: %s is writable by %s (mode %04o), who "
			"could put another directory in its place; give --state-dir DIR below "
			"directories only you or root can change", dir, parent,
			(d->st_mode & 002) ? "everyone" : "its group",
			(unsigned)(d->st_mode & 07777));
	else if ((d->st_mode & 022) && en && !ours(en->st_uid))
		err_set(e, ERR_SYS, "state directory %s: %s belongs to uid %u in the shared "
			"directory %s; give --state-dir DIR below directories only you or root "
			"can change", dir, path, (unsigned)en->st_uid, parent);
	else
		return 0;
	e->sys_errno = EPERM;
	return -1;
}

/* state_dir_path_check - resolve dir name by name as the kernel would
 * (following links, "..") and require every directory a name is looked up
 * in to be one only root or we can change: then no other user can swap
 * the state dir, a directory above it or a link on the way for one of
 * theirs (root's backups and recovery marker written into a place they
 * choose). Names that do not exist yet are made later by mkdir_p in a
 * directory that passed. */
static int state_dir_path_check(const char *dir, struct err *e)
{
	char todo[2 * PATH_MAX + 2], next[2 * PATH_MAX + 2], cur[PATH_MAX], path[PATH_MAX];
	char link[PATH_MAX], cwd[PATH_MAX];
	const char *p;
	int hops = 0;

	if (dir[0] == '/') {
		if (snprintf(todo, sizeof(todo), "%s", dir) >= (int)sizeof(todo))
			return err_set(e, ERR_INVALID, "state directory name too long");
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return err_sys(e, "state directory %s: current directory", dir);
		if (snprintf(todo, sizeof(todo), "%s/%s", cwd, dir) >= (int)sizeof(todo))
			return err_set(e, ERR_INVALID, "state directory name too long");
	}
	cur[0] = '\0';	/* "" is "/" */
	p = todo;
	for (;;) {
		struct stat d, en;
		size_t n;
		int missing;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (slash)
				*slash = '\0';
			p += n;
			continue;
		}
		if (snprintf(path, sizeof(path), "%s/%.*s", cur, (int)n, p) >= (int)sizeof(path))
			return err_set(e, ERR_INVALID, "state directory name too long");
		p += n;
		if (stat(cur[0] ? cur : "/", &d) < 0)
			return err_sys(e, "state directory %s: stat %s", dir, cur[0] ? cur : "/");
		missing = lstat(path, &en) < 0;
		if (missing && errno != ENOENT)
			return err_sys(e, "state directory %s: stat %s", dir, path);
		if (lookup_check(dir, cur[0] ? cur : "/", &d, path, missing ? NULL : &en, e) < 0)
			return -1;
		if (missing)
			return 0;	/* the rest is made by mkdir_p, below a safe place */
		if (!S_ISLNK(en.st_mode)) {
			memcpy(cur, path, strlen(path) + 1);
			continue;
		}
		ssize_t ln = readlink(path, link, sizeof(link) - 1);

		if (ln < 0)
			return err_sys(e, "state directory %s: read link %s", dir, path);
		link[ln] = '\0';
		if (++hops > 40) {
			errno = ELOOP;
			return err_sys(e, "state directory %s", dir);
		}
		if (snprintf(next, sizeof(next), "%s/%s", link, p) >= (int)sizeof(next))
			return err_set(e, ERR_INVALID, "state directory name too long");
		memcpy(todo, next, strlen(next) + 1);
		p = todo;
		if (link[0] == '/')
			cur[0] = '\0';
	}
}

/* state_dir_check - the state dir, when it exists, is a directory of the
 * effective user that nobody else can write, reached only through
 * directories no one else can change: staged edits, backups and the
 * recovery marker decide what is written to the Postfix configuration. */
static int state_dir_check(const char *dir, struct err *e)
{
	struct stat st;

	if (state_dir_path_check(dir, e) < 0)
		return -1;
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "state directory %s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ERR_INVALID, "state directory %s is not a directory; remove it "
			       "or give --state-dir DIR", dir);
	if (st.st_uid != geteuid()) {
		struct passwd *pw = getpwuid(st.st_uid);

		err_set(e, ERR_SYS, "state directory %s belongs to %s (uid %u), not to you "
			"(uid %u): its staged edits and backups could be another user's; use "
			"--state-dir DIR with a directory of your own, or `chown %u %s`", dir,
			pw ? pw->pw_name : "another user", (unsigned)st.st_uid,
			(unsigned)geteuid(), (unsigned)geteuid(), dir);
		e->sys_errno = EPERM;
		return -1;
	}
	if (st.st_mode & 022) {
		err_set(e, ERR_SYS, "state directory %s is writable by %s (mode %04o): others "
			"could change what relaydeck applies; `chmod 700 %s`", dir,
			(st.st_mode & 002) ? "everyone" : "its group",
			(unsigned)(st.st_mode & 07777), dir);
		e->sys_errno = EPERM;
		return -1;
	}
	return 0;
}

struct target *target_local_new(const char *config_dir, const char *state_dir, struct err *e)
{
	struct target *t = calloc(1, sizeof(*t));
	char path[PATH_MAX];
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
	if (state_dir_choose(state_dir, t->is_root, t->config_dir, path, sizeof(path), e) < 0)
		goto fail;
	/* "DIR/" joins to "DIR/applying", which in_state_dir does not take for
	 * a state file: the marker and pending would be followed as links */
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	t->state_dir = strdup(path);
	if (t->name == NULL || t->config_dir == NULL || t->state_dir == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (state_dir_check(t->state_dir, e) < 0)
		goto fail;
	return t;
fail:
	target_free(t);
	return NULL;
}
