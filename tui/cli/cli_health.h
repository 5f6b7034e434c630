/*
 * cli_health - `relaydeck health [--json|--nagios] [thresholds]`: the
 * health check (core/health) as text, JSON or a Nagios plugin line; the
 * exit code is the verdict (0 ok, 1 warning, 2 critical, 3 unknown), so
 * it runs as a monitoring check.
 */
#ifndef RELAYDECK_CLI_HEALTH_H
#define RELAYDECK_CLI_HEALTH_H

struct cli_ctx;

int cli_cmd_health(struct cli_ctx *c, int argc, char **argv);

#endif
