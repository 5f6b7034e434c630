/*
 * cli_setup - `relaydeck providers` (the smart-host catalog) and
 * `relaydeck setup` (the setup wizard's non-interactive path).
 */
#ifndef RELAYDECK_CLI_SETUP_H
#define RELAYDECK_CLI_SETUP_H

struct cli_ctx;

/* cli_cmd_providers - list the catalog (text, or --json). */
int cli_cmd_providers(struct cli_ctx *c, int argc, char **argv);

/* cli_cmd_setup - detect, plan, diff, confirm and apply one provider choice. */
int cli_cmd_setup(struct cli_ctx *c, int argc, char **argv);

#endif
