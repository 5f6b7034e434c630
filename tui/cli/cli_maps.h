/*
 * cli_maps - `relaydeck map list|show|add|remove|import|query|try`.
 */
#ifndef RELAYDECK_CLI_MAPS_H
#define RELAYDECK_CLI_MAPS_H

struct cli_ctx;

int cli_cmd_map(struct cli_ctx *c, int argc, char **argv);

#endif
