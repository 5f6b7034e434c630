/*
 * shquote - turn an argv into one command string for a remote POSIX shell.
 *
 * An SSH exec request is a single string that the remote login shell
 * parses, so this is the one audited place where arguments are quoted.
 * Every argument is wrapped in single quotes ('\'' for a quote inside);
 * arguments containing a newline or carriage return are refused, so a
 * value can never start a second command line.
 */
#ifndef RELAYDECK_SHQUOTE_H
#define RELAYDECK_SHQUOTE_H

#include "buf.h"
#include "err.h"

/* shquote_arg - append one quoted argument to out. */
int shquote_arg(struct buf *out, const char *arg, struct err *e);

/* shquote_argv - append the whole argv, space separated, to out. */
int shquote_argv(struct buf *out, const char *const *argv, struct err *e);

#endif
