/*
 * cli_prompt - read a password from the terminal without echo.
 *
 * The prompt goes to stderr, the password is read from stdin (a
 * terminal) with echo off. Whatever ends the prompt gives the terminal
 * back as it was: Enter, end of input, an error, and the signals a user
 * or the system sends while it waits (Ctrl-C, Ctrl-\, SIGTERM, SIGHUP and
 * every other catchable signal that would end the process: echo is
 * restored, the partial input wiped, then the signal does what it would
 * have done; Ctrl-Z: echo restored while stopped, the prompt asked again
 * after fg).
 *
 * Ownership: pw is the caller's; it is filled on success only.
 */
#ifndef RELAYDECK_CLI_PROMPT_H
#define RELAYDECK_CLI_PROMPT_H

#include "err.h"

struct secret;

/* cli_prompt_password - print prompt, read one line without echo into pw. */
int cli_prompt_password(const char *prompt, struct secret *pw, struct err *e);

#endif
