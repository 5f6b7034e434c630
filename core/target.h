/*
 * target - the one interface through which core/ reaches a machine whose
 * Postfix relaydeck manages.
 *
 * Implementations: target_local.c (this machine, or a sandbox directory on
 * it) and remote/ssh_target.c. Core code never touches files or programs
 * except through these operations, so the same code runs locally and over
 * SSH.
 *
 * Paths are absolute paths on the target. Programs are run from an argv,
 * never through a shell, with stdin given as a buffer, stdout/stderr
 * captured into capped buffers and a deadline.
 *
 * Ownership: target_*_new returns a target the caller releases with
 * target_free. struct run_out buffers are freed with run_out_free.
 */
#ifndef RELAYDECK_TARGET_H
#define RELAYDECK_TARGET_H

#include <sys/types.h>

#include "buf.h"
#include "err.h"

struct stream;
struct stream_connect_info;
struct target;

/* stat follows symbolic links: every field, dev and ino too, describes
 * the file the path resolves to, so two paths that name one file
 * (a symlink, "//", "./", "..") give the same dev/ino. has_id is 0 when
 * a target cannot tell them (then compare resolved paths instead). */
struct target_stat {
	int exists;
	int is_dir;
	mode_t mode;		/* permission bits only */
	uid_t uid;
	gid_t gid;
	long long size;
	long long mtime;
	int has_id;		/* dev and ino are known */
	unsigned long long dev;
	unsigned long long ino;
};

struct run_out {
	/* in: give the program a pseudo-terminal as stderr (captured into err
	 * like a pipe). Postfix's `postfix` command and postlog write their
	 * messages to stderr only when it is a terminal; elsewhere they go to
	 * syslog or maillog_file, out of our reach. A target that cannot do
	 * this uses a pipe. Set after run_out_init. */
	int stderr_tty;
	struct buf out;
	struct buf err;
	int exit_code;		/* exit status, or -1 when killed/not run */
	int term_signal;	/* signal that ended it, or 0 */
	int timed_out;
	int cancelled;		/* run_stream: the chunk callback stopped it */
};

/* target_chunk_fn - a piece of a streaming command's stdout, as it
 * arrives; non-zero stops the command. */
typedef int (*target_chunk_fn)(void *arg, const char *data, size_t len);

/* Options for write_atomic. uid/gid of (uid_t)-1 keep the existing file's
 * owner, or the caller's for a new file. */
struct write_opts {
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

#define RUN_TIMEOUT_DEFAULT_MS 30000

struct target_ops {
	const char *kind;
	/* run (and run_stream) may be called from several threads at once:
	 * independent commands can run side by side (the local target; an
	 * SSH session runs one command at a time). */
	int parallel_run;
	int (*read_file)(struct target *, const char *path, struct buf *out, struct err *);
	/* Temp file in the same directory created 0600, owner and mode set
	 * before any byte is written, fsync, rename over path, fsync dir. */
	int (*write_atomic)(struct target *, const char *path, const void *data,
			    size_t len, const struct write_opts *, struct err *);
	int (*run)(struct target *, const char *const *argv, const struct buf *in,
		   struct run_out *out, int timeout_ms, struct err *);
	int (*stat)(struct target *, const char *path, struct target_stat *, struct err *);
	/* Set path's access and modification times (seconds since the epoch);
	 * NULL when the target cannot. */
	int (*set_mtime)(struct target *, const char *path, long long mtime, struct err *);
	int (*unlink)(struct target *, const char *path, struct err *);
	/* Make the entries of directory path (a removal) last through a power
	 * loss; NULL when the target cannot. */
	int (*sync_dir)(struct target *, const char *path, struct err *);
	int (*mkdir_p)(struct target *, const char *path, mode_t mode, struct err *);
	/* Names in a directory (no "." or ".."), sorted; caller frees with target_names_free. */
	int (*list_dir)(struct target *, const char *path, char ***names, size_t *count,
			struct err *);
	/* Exclusive advisory lock on path, waiting up to wait_ms. */
	int (*lock)(struct target *, const char *path, int wait_ms, void **handle, struct err *);
	void (*unlock)(struct target *, void *handle);
	void (*free)(struct target *);
	/* Like run, but stdout goes to on_out piece by piece while the command
	 * runs (out->out stays empty; stderr is captured as by run). When
	 * on_out returns non-zero the command is killed and out->cancelled
	 * set. On the SSH target on_out runs while the session is held: it
	 * must not use the target. NULL: target_run_stream runs the command
	 * with run and hands its output over at the end. */
	int (*run_stream)(struct target *, const char *const *argv, const struct buf *in,
			  target_chunk_fn on_out, void *arg, struct run_out *out, int timeout_ms,
			  struct err *);
	/* Up to max bytes of path from offset off into out (fewer at its end).
	 * Over SSH each call is a few round trips: fine for following a log,
	 * not for reading every queue file (queue_scan_shape keeps to the
	 * local target). NULL when a target cannot. */
	int (*read_at)(struct target *, const char *path, long long off, size_t max,
		       struct buf *out, struct err *);
	/* A TCP byte stream to host:port from the target's own network
	 * position (the relay's, not the operator's): a socket here, a
	 * direct-tcpip channel over SSH. host is resolved where the
	 * connection starts. info (may be NULL) records what a local connect
	 * tried. NULL: target_connect connects from this machine. */
	int (*connect)(struct target *, const char *host, const char *port, int timeout_ms,
		       struct stream **out, struct stream_connect_info *info, struct err *);
	/* When path is a symbolic link: the file it names, which write_atomic
	 * replaces (its temp file lives beside that file), into out, and 1;
	 * 0 when path is no link. NULL: the target does not follow links. */
	int (*link_target)(struct target *, const char *path, char *out, size_t outlen,
			   struct err *);
	/* Owner, group, permission bits and is_dir of path as the target saw
	 * them when it opened (the SSH target lists the config dir, its
	 * main.cf and the directories above it in its opening command), for
	 * target_config_trust, which decides once per target: 0 with *st, 1
	 * when the target did not look (then stat it). NULL: stat. */
	int (*stat_at_open)(struct target *, const char *path, struct target_stat *st);
	/* 1 when path exists (links followed), 0 when not. Over SSH a shell
	 * builtin in the kept shell: a round trip without an SFTP session,
	 * for the check every command makes when it opens a target (an
	 * interrupted apply's marker). Unlike stat, it does not check the
	 * state dir first: it reads nothing. NULL: stat. */
	int (*exists)(struct target *, const char *path, struct err *);
	/* A second name, new_path, for the file path names now (a hard link;
	 * a symbolic link at path is followed), so that the file stays there
	 * once write_atomic has replaced path: a backup without a copy.
	 * 1 when made, 0 when it cannot be here (another file system, links
	 * not permitted): the caller writes a copy. NULL: always copy. */
	int (*keep_as)(struct target *, const char *path, const char *new_path, struct err *);
};

struct target {
	const struct target_ops *ops;
	char *name;		/* "localhost", "sandbox", or the host alias */
	char *config_dir;	/* Postfix config directory on the target */
	char *state_dir;	/* relaydeck's state for that config dir (pending edits, backups, lock) */
	int is_root;		/* commands run with root privilege on the target */
	/* --trust-config-dir: run commands the config dir names (sendmail_path,
	 * daemon_directory's postfix-script) as root even when another user
	 * owns it. Set by the front end after target_*_new. */
	int trust_config_dir;
	int config_trusted;	/* cache: target_config_trust passed once */
	void *impl;
};

/* target_local_new - this machine. config_dir may be NULL: then MAIL_CONFIG,
 * then `postconf -h config_directory`. state_dir may be NULL: then
 * RELAYDECK_STATE_DIR, then /var/lib/relaydeck/<dir> as root or
 * $XDG_STATE_HOME/relaydeck/<dir> otherwise. */
struct target *target_local_new(const char *config_dir, const char *state_dir, struct err *);
void target_free(struct target *);

/* The local target runs each program under a guard process (it kills the
 * program's process group when relaydeck dies). target_local_spawn_via_self
 * has it start that guard by posix_spawn of this executable with
 * TARGET_GUARD_ARG first, instead of a fork of this process: a program
 * whose main() begins with target_local_guard_main for that argument may
 * call it, once, before any thread starts. target_local_guard_main runs
 * the guard and does not return. */
#define TARGET_GUARD_ARG "--internal-child-guard"
void target_local_spawn_via_self(void);
int target_local_guard_main(int argc, char **argv);

void run_out_init(struct run_out *);
/* run_out_reset - empty the buffers and clear the results for another
 * run (stderr_tty, an input, stays). */
void run_out_reset(struct run_out *);
void run_out_free(struct run_out *);
void target_names_free(char **names, size_t count);

/* Convenience wrappers around t->ops. */
int target_read(struct target *, const char *path, struct buf *out, struct err *);
int target_write(struct target *, const char *path, const void *data, size_t len,
		 mode_t mode, struct err *);
int target_run(struct target *, const char *const *argv, const struct buf *in,
	       struct run_out *out, int timeout_ms, struct err *);
int target_stat(struct target *, const char *path, struct target_stat *, struct err *);
/* target_exists - t->ops->exists, or stat: 1, 0, or -1 with e. */
int target_exists(struct target *, const char *path, struct err *);
/* target_run_stream - t->ops->run_stream, or run with the whole output
 * handed to on_out at the end. */
int target_run_stream(struct target *, const char *const *argv, const struct buf *in,
		      target_chunk_fn on_out, void *arg, struct run_out *out, int timeout_ms,
		      struct err *);

/* target_connect - t->ops->connect, or a TCP connection from this machine
 * (stream_tcp_connect) when the target has none. The stream is the
 * caller's (stream_close). */
int target_connect(struct target *, const char *host, const char *port, int timeout_ms,
		   struct stream **out, struct stream_connect_info *info, struct err *);

/* target_run_ok - run and require exit 0; on failure the error carries the
 * program name and the first line of its stderr. */
int target_run_ok(struct target *, const char *const *argv, const struct buf *in,
		  struct run_out *out, int timeout_ms, struct err *);

/* target_config_trust - 0 when programs that the config dir names may run
 * with the target's privilege: always when not root; as root only when the
 * config dir and its main.cf belong to root and no one else may write them,
 * nor any directory above it (a sticky one of root's, like /tmp, passes),
 * or with t->trust_config_dir. Otherwise -1, the error naming what would
 * have run ("what"), the owner and the fix. Postfix's `postfix` command
 * runs $daemon_directory/postfix-script and sendmail runs postdrop from
 * $command_directory: whoever writes main.cf chooses those programs. */
int target_config_trust(struct target *, const char *what, struct err *);

/* target_escape_config_dir - the state-dir name of a config dir:
 * "/etc/postfix" -> "etc_postfix"; bytes other than [A-Za-z0-9.-] become %XX.
 * Shared by every target so a host's state lives under the same name
 * whether it is reached locally or over SSH. */
void target_escape_config_dir(const char *dir, char *out, size_t outlen);

/* target_path - join config_dir (or state_dir) and name into a malloc'd path. */
char *target_config_path(const struct target *, const char *name);
char *target_state_path(const struct target *, const char *name);

#endif
