/*
 * cli - the scriptable front end: one function per subcommand, human text
 * or --json on stdout, errors on stderr, documented exit codes.
 */
#ifndef RELAYDECK_CLI_H
#define RELAYDECK_CLI_H

#include "err.h"

struct target;
struct inventory;
struct queue_shape;
struct queue_reasons;

/* cli_collect - where a command run for one host of several hands what it
 * computed, instead of printing it, so the fleet can merge the hosts'
 * results (the queue's shape and reason groups). NULL members: print. */
struct cli_collect {
	int (*shape)(void *arg, const struct queue_shape *s, unsigned mask, const char *source);
	int (*reasons)(void *arg, const struct queue_reasons *r);
	void *arg;
};

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
	EXIT_CHANGED = 8,	/* a file changed since the edit was staged: review, apply --rebase */
};

#define CLI_MAX_IDENTITIES 8
#define CLI_MAX_HOSTS 256	/* -H on the command line; more come from an inventory */
#define CLI_MAX_GROUPS 32

struct cli_opts {
	const char *config_dir;
	const char *state_dir;
	int trust_config_dir;		/* --trust-config-dir: see target_config_trust */
	const char *theme;
	int json;
	int yes;
	/* -H [user@]host[:port]: the SSH target; NULL for this machine */
	const char *host;
	int sudo;			/* --sudo: commands and files through sudo -n */
	const char *known_hosts;	/* --known-hosts FILE (replaces the default files) */
	const char *identities[CLI_MAX_IDENTITIES];	/* -i FILE... */
	int n_identities;
	int connect_timeout_ms;		/* --connect-timeout SECONDS; 0: default */
	const char *ssh_config;		/* -F FILE or "none" (default ~/.ssh/config) */
	const char *inventory;		/* --inventory FILE (default ~/.config/relaydeck/inventory.yml) */
	/* Several hosts (cli_fleet.h): -H given more than once, -g, --limit */
	const char *hosts[CLI_MAX_HOSTS];	/* every -H; host is the first */
	int n_hosts;
	const char *groups[CLI_MAX_GROUPS];	/* -g GROUP... */
	int n_groups;
	const char *limit;		/* --limit PATTERN */
	int parallel;			/* --parallel N; 0: default */
	int host_timeout_ms;		/* --host-timeout SECONDS; 0: default */
	int fleet;			/* this run is one host of several: no questions */
	int canary;			/* apply on a fleet change's canary: probe after (core/canary) */
	struct err *last_err;		/* when set, cli_report_error copies the error here */
	const struct cli_collect *collect;	/* when set, see struct cli_collect */
	const struct inventory *inv;	/* loaded already (several hosts): not read again */
	/* the console: asks for an encrypted key's passphrase (NULL: batch) */
	int (*passphrase)(void *arg, const char *path, char *buf, size_t len);
	int accept_new;			/* the admin accepted -H's unknown host key */
};

/* cli_run - run subcommand argv[0] with its arguments; returns an exit code. */
int cli_run(const struct cli_opts *o, int argc, char **argv);

/* cli_exit_code - the exit code an error maps to. */
int cli_exit_code(const struct err *e);

/* cli_report_error - "relaydeck: FILE:LINE: message" on stderr, and the
 * JSON error object on stdout with --json. */
void cli_report_error(const struct cli_opts *o, const struct err *e);

/* cli_connect_target - the target for -c / --state-dir: this machine, or
 * the SSH host named by -H (through the inventory and ssh_config). The
 * one place a front end opens a target. The console uses it directly
 * and recovers an interrupted apply itself, on its screen. */
struct target *cli_connect_target(const struct cli_opts *o, struct err *e);

/* cli_open_target - cli_connect_target, then, before anything reads the
 * files, finish an apply a crash interrupted (changeset_recover; what it
 * did is said on stderr). */
struct target *cli_open_target(const struct cli_opts *o, struct err *e);

/* cli_load_inventory - --inventory FILE, else the default file when it
 * exists; *inv NULL when there is none. */
int cli_load_inventory(const struct cli_opts *o, struct inventory **inv, struct err *e);

#endif
