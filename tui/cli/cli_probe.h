/*
 * cli_probe - the probe and pin subcommands (relaydeck probe tls|auth,
 * relaydeck pin). See relaydeck(1).
 */
#ifndef RELAYDECK_CLI_PROBE_H
#define RELAYDECK_CLI_PROBE_H

struct cli_ctx;

/* cli_cmd_probe - `probe tls|auth HOST[:PORT] [options]`; exit 0 when every step passed. */
int cli_cmd_probe(struct cli_ctx *c, int argc, char **argv);

/* cli_cmd_pin - `pin HOST[:PORT] [--mode ...] [--policy-file PATH]`: probe, then a change set. */
int cli_cmd_pin(struct cli_ctx *c, int argc, char **argv);

#endif
