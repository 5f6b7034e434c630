/*
 * cli_logs - `relaydeck logs summary|trace|follow [--file PATH]...
 * [--since T] [--until T] [--json]`: the host's Postfix log (core/logsrc
 * finds and reads it through the target), summed up by core/logsum,
 * one message followed by core/logtrace, or tailed live.
 */
#ifndef RELAYDECK_CLI_LOGS_H
#define RELAYDECK_CLI_LOGS_H

struct cli_ctx;

int cli_cmd_logs(struct cli_ctx *c, int argc, char **argv);

#endif
