/*
 * cli_creds - `relaydeck creds list|add|remove|rotate|audit`.
 */
#ifndef RELAYDECK_CLI_CREDS_H
#define RELAYDECK_CLI_CREDS_H

struct cli_ctx;

int cli_cmd_creds(struct cli_ctx *c, int argc, char **argv);

#endif
