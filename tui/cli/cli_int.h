/*
 * cli_int - what the subcommand files (cli.c, cli_*.c) share: the context
 * a subcommand runs in and the helpers for errors, confirmation and
 * applying a change set. Not used outside tui/.
 */
#ifndef RELAYDECK_CLI_INT_H
#define RELAYDECK_CLI_INT_H

#include "cli.h"
#include "err.h"

struct apply_report;
struct changeset;
struct json;
struct maincf;
struct params_host;

/* Everything a subcommand needs, opened once. */
struct cli_ctx {
	const struct cli_opts *o;
	struct target *t;
	struct maincf *m;
	char *maincf_path;
	struct params_host *host;
	struct err e;
};

/* cli_ctx_host - load the host's defaults and map types once (c->host). */
int cli_ctx_host(struct cli_ctx *c);

/* cli_fail - report c->e and return the exit code it maps to. */
int cli_fail(struct cli_ctx *c);

/* cli_json_error - the "error" member of a JSON answer: code, host (when
 * not NULL) and message; with with_place, also the file and line when the
 * error names them. The one shape every --json error takes. */
void cli_json_error(struct json *j, const struct err *e, const char *host, int with_place);

/* cli_usage_error - report a usage error; returns EXIT_USAGE. */
int cli_usage_error(struct cli_ctx *c, const char *msg);

/* cli_confirm - 1 to go ahead: --yes, or "y" on a terminal; 0 when the
 * admin says no; -1 (c->e set) without a terminal and without --yes. */
int cli_confirm(struct cli_ctx *c, const char *question);

/* cli_print_report - steps, warnings and outcome of an apply (text or JSON). */
void cli_print_report(struct cli_ctx *c, const struct apply_report *r, int ok, const char *what);

/* cli_apply_changeset - the common end of every writing command: show the
 * diff on a terminal, confirm, apply with description, print the report.
 * "no changes" when nothing differs. Returns an exit code. */
int cli_apply_changeset(struct cli_ctx *c, struct changeset *cs, const char *description);

#endif
