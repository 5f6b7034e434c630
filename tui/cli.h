/*
 * cli - the scriptable front end: one function per subcommand, human text
 * or --json on stdout, errors on stderr, documented exit codes.
 */
#ifndef RELAYDECK_CLI_H
#define RELAYDECK_CLI_H

#include "err.h"

struct target;

/* Exit codes, documented in relaydeck(1). */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the operation failed (e.g. Postfix rejected a change; files restored) */
	EXIT_USAGE = 2,
	EXIT_INVALID = 3,	/* invalid value or unknown parameter */
	EXIT_PARSE = 4,		/* a config file cannot be parsed */
	EXIT_LOCKED = 5,	/* another relaydeck is applying a change */
	EXIT_NOTFOUND = 6,	/* config dir, file or backup not found */
	EXIT_DENIED = 7,	/* permission denied or read-only file system */
};

struct cli_opts {
	const char *config_dir;
	const char *state_dir;
	const char *theme;
	int json;
	int yes;
};

/* cli_run - run subcommand argv[0] with its arguments; returns an exit code. */
int cli_run(const struct cli_opts *o, int argc, char **argv);

/* cli_exit_code - the exit code an error maps to. */
int cli_exit_code(const struct err *e);

/* cli_report_error - "relaydeck: FILE:LINE: message" on stderr, and the
 * JSON error object on stdout with --json. */
void cli_report_error(const struct cli_opts *o, const struct err *e);

/* cli_open_target - the local target for -c / --state-dir. */
struct target *cli_open_target(const struct cli_opts *o, struct err *e);

#endif
