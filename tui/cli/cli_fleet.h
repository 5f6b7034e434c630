/*
 * cli_fleet - one command on many relays: `relaydeck -g GROUP … COMMAND`,
 * `-H a -H b …`, `--limit PATTERN`. Each host runs the same subcommand
 * as `relaydeck -H HOST COMMAND` would, many at a time (remote/fleet),
 * with its output captured and printed when the host is done:
 *
 *   text   every line prefixed with "HOST: " (errors on stderr likewise);
 *   --json every object the command prints gets "host" as its first key
 *          (one line per object, so `queue list` streams one line per
 *          message per host), then one summary line:
 *          {"summary":{"hosts":N,"ok":N,"failed":N,"results":[...]}}.
 *
 * Each host gets a status: "ok", or the error code of what stopped it
 * ("timeout", "network", "host-key-unknown", "host-key-refused", "auth",
 * "not-found", ...). The exit status is the number of hosts that failed
 * (at most 125), 0 when all succeeded. A change on several hosts is never
 * asked for host by host: it needs --yes.
 */
#ifndef RELAYDECK_CLI_FLEET_H
#define RELAYDECK_CLI_FLEET_H

#include "cli.h"

/* cli_fleet_wanted - nonzero when the options select more than one host
 * or a group: the command runs through cli_fleet_run. */
int cli_fleet_wanted(const struct cli_opts *o);

int cli_fleet_run(const struct cli_opts *o, int argc, char **argv);

struct inventory;
struct target;

/* cli_fleet_select - the inventory (*inv, NULL without one) and the hosts
 * the options select (fleet_names_free them, inventory_free *inv). */
int cli_fleet_select(const struct cli_opts *o, struct inventory **inv, char ***names, size_t *n,
		     struct err *e);

/* cli_fleet_open - a console_fleet opener: the target of host with the
 * options arg (a struct cli_opts whose inv is set); the console recovers
 * an interrupted apply on it (changeset_recover) itself, on screen. */
struct target *cli_fleet_open(void *arg, const char *host, struct err *e);

#endif
