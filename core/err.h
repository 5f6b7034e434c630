/*
 * err - error records returned by every core function that can fail.
 *
 * A failing call returns -1 and fills a caller-owned struct err. Only
 * front ends print them. Messages name the object that failed
 * ("write /etc/postfix/main.cf: Permission denied") and never carry a
 * secret.
 */
#ifndef RELAYDECK_ERR_H
#define RELAYDECK_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_SYS,	/* a system call failed; sys_errno says why */
	ERR_PARSE,	/* input could not be parsed; file/line say where */
	ERR_INVALID,	/* a value fails validation */
	ERR_NOTFOUND,	/* a file, parameter or backup does not exist */
	ERR_LOCKED,	/* another relaydeck holds the change lock */
	ERR_VALIDATE,	/* Postfix rejected the result of a change */
	ERR_RUN,	/* a program failed or could not be started */
	ERR_TIMEOUT,	/* a deadline passed */
	ERR_NOMEM,
	ERR_LIMIT,	/* input exceeds a size cap */
	ERR_USAGE,	/* a front end was called wrongly */
	ERR_NET,	/* a remote host: name not resolved, refused, unreachable, lost */
	ERR_HOSTKEY_UNKNOWN,	/* a remote host's key is not in known_hosts */
	ERR_HOSTKEY_REFUSED,	/* a remote host's key changed or is revoked: never accepted */
	ERR_AUTH,	/* a remote host refused our keys, or sudo wants a password */
	ERR_CHANGED,	/* a file changed since the edit was staged (someone else's edit) */
};

struct err {
	enum err_code code;
	int sys_errno;
	char file[256];	/* file the error is about, or "" */
	int line;	/* 1-based line in file, or 0 */
	int col;	/* 1-based column in that line, or 0 */
	char msg[512];
};

/* err_clear - reset to "no error". */
void err_clear(struct err *e);

/* err_set - record an error; always returns -1 so callers can "return err_set(...)". */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* err_sys - like err_set with ERR_SYS, appending ": strerror(errno)". */
int err_sys(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* err_at - attach the file and line the error is about; returns -1. */
int err_at(struct err *e, const char *file, int line);

/* err_at_col - err_at with a column too (YAML input); returns -1. */
int err_at_col(struct err *e, const char *file, int line, int col);

/* err_format - "file:line[:col]: msg" (or just msg) into out. */
const char *err_format(const struct err *e, char *out, size_t outlen);

/* err_code_name - stable lower-case name for JSON ("parse", "locked", ...). */
const char *err_code_name(enum err_code code);

#endif
