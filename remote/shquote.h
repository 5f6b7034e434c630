/*
 * shquote - turn an argv into one command string for a remote POSIX shell.
 *
 * relaydeck never lets a remote login shell parse a command: the exec
 * request is only `/bin/sh -s`, and the command arrives as a script on
 * stdin (ssh_target.c). This is the one audited place where arguments are
 * quoted for that script. Every argument is wrapped in single quotes
 * ('\'' for a quote inside). POSIX sh takes everything between single
 * quotes literally, line breaks included, so a value with a newline stays
 * one word and can never start a second command line.
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
