/*
 * cli_hosts - `relaydeck hosts [--json]`: the inventory's hosts and groups
 * with the connection each resolves to (address, port, user, identity
 * files, jump hosts) and the files that said so.
 */
#ifndef RELAYDECK_CLI_HOSTS_H
#define RELAYDECK_CLI_HOSTS_H

struct cli_ctx;

int cli_cmd_hosts(struct cli_ctx *c, int argc, char **argv);

#endif
