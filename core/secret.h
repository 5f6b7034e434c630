/*
 * secret - an owned buffer for a password or API key.
 *
 * The bytes live only here: never in an argv, a log, an error message or
 * a diff. secret_free wipes them (OPENSSL_cleanse) before freeing.
 * secret_read_fd reads one line from a descriptor (stdin or an opened
 * 0600 file); secret_read_file refuses a file that is group or world
 * readable. Neither ever copies a byte of the secret into e->msg.
 *
 * Ownership: a struct secret is caller storage; secret_free releases its
 * bytes (safe on a zeroed struct and twice).
 */
#ifndef RELAYDECK_SECRET_H
#define RELAYDECK_SECRET_H

#include <signal.h>
#include <stddef.h>

#include "err.h"

#define SECRET_MAX 1024		/* longest secret we accept, in bytes */

struct secret {
	char *data;		/* NUL-terminated; len bytes, no NUL inside */
	size_t len;
};

/* secret_set - copy len bytes of p; ERR_INVALID for a NUL, CR or LF. */
int secret_set(struct secret *s, const char *p, size_t len, struct err *e);

/* secret_read_fd - read the first line of fd (up to "\n", a trailing "\r"
 * dropped). what names the source in errors ("stdin", a path). An empty
 * line, a NUL byte or more than SECRET_MAX bytes fail with ERR_INVALID. */
int secret_read_fd(int fd, const char *what, struct secret *s, struct err *e);

/* secret_read_fd_until - secret_read_fd that gives up when a read is
 * interrupted by a signal after which *stop is nonzero (a password prompt
 * whose handlers set it): ERR_SYS with EINTR, "interrupted", nothing
 * kept. stop may be NULL: then interrupted reads are retried. */
int secret_read_fd_until(int fd, const char *what, const volatile sig_atomic_t *stop,
			 struct secret *s, struct err *e);

/* secret_read_file - secret_read_fd on path, which must be a regular file
 * not readable by group or others (ERR_INVALID naming the path and mode). */
int secret_read_file(const char *path, struct secret *s, struct err *e);

/* secret_free - wipe and release the bytes. */
void secret_free(struct secret *s);

/* secret_protect_process - no core dump of this process, ever: the core
 * size limit goes to 0 (soft and hard, so the programs it runs, postmap
 * among them, inherit it) and the process is made non-dumpable
 * (PR_SET_DUMPABLE 0: no core, and no ptrace or /proc/PID/mem for other
 * processes of the same user). relaydeck calls it first thing in main,
 * for every command and the console: nearly all of them may read a
 * secret (map show, creds, setup, probe auth), and a process cannot be
 * made dumpable again safely once it has held one. ERR_SYS on failure. */
int secret_protect_process(struct err *e);

#endif
