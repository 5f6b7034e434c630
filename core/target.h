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

struct target;

struct target_stat {
	int exists;
	int is_dir;
	mode_t mode;		/* permission bits only */
	uid_t uid;
	gid_t gid;
	long long size;
	long long mtime;
};

struct run_out {
	struct buf out;
	struct buf err;
	int exit_code;		/* exit status, or -1 when killed/not run */
	int term_signal;	/* signal that ended it, or 0 */
	int timed_out;
};

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
	int (*read_file)(struct target *, const char *path, struct buf *out, struct err *);
	/* Temp file in the same directory created 0600, owner and mode set
	 * before any byte is written, fsync, rename over path, fsync dir. */
	int (*write_atomic)(struct target *, const char *path, const void *data,
			    size_t len, const struct write_opts *, struct err *);
	int (*run)(struct target *, const char *const *argv, const struct buf *in,
		   struct run_out *out, int timeout_ms, struct err *);
	int (*stat)(struct target *, const char *path, struct target_stat *, struct err *);
	int (*unlink)(struct target *, const char *path, struct err *);
	int (*mkdir_p)(struct target *, const char *path, mode_t mode, struct err *);
	/* Names in a directory (no "." or ".."), sorted; caller frees with target_names_free. */
	int (*list_dir)(struct target *, const char *path, char ***names, size_t *count,
			struct err *);
	/* Exclusive advisory lock on path, waiting up to wait_ms. */
	int (*lock)(struct target *, const char *path, int wait_ms, void **handle, struct err *);
	void (*unlock)(struct target *, void *handle);
	void (*free)(struct target *);
};

struct target {
	const struct target_ops *ops;
	char *name;		/* "localhost", "sandbox", or the host alias */
	char *config_dir;	/* Postfix config directory on the target */
	char *state_dir;	/* relaydeck's state for that config dir (pending edits, backups, lock) */
	int is_root;		/* commands run with root privilege on the target */
	void *impl;
};

/* target_local_new - this machine. config_dir may be NULL: then MAIL_CONFIG,
 * then `postconf -h config_directory`. state_dir may be NULL: then
 * RELAYDECK_STATE_DIR, then /var/lib/relaydeck/<dir> as root or
 * $XDG_STATE_HOME/relaydeck/<dir> otherwise. */
struct target *target_local_new(const char *config_dir, const char *state_dir, struct err *);
void target_free(struct target *);

void run_out_init(struct run_out *);
void run_out_free(struct run_out *);
void target_names_free(char **names, size_t count);

/* Convenience wrappers around t->ops. */
int target_read(struct target *, const char *path, struct buf *out, struct err *);
int target_write(struct target *, const char *path, const void *data, size_t len,
		 mode_t mode, struct err *);
int target_run(struct target *, const char *const *argv, const struct buf *in,
	       struct run_out *out, int timeout_ms, struct err *);
int target_stat(struct target *, const char *path, struct target_stat *, struct err *);

/* target_run_ok - run and require exit 0; on failure the error carries the
 * program name and the first line of its stderr. */
int target_run_ok(struct target *, const char *const *argv, const struct buf *in,
		  struct run_out *out, int timeout_ms, struct err *);

/* target_path - join config_dir (or state_dir) and name into a malloc'd path. */
char *target_config_path(const struct target *, const char *name);
char *target_state_path(const struct target *, const char *name);

#endif
