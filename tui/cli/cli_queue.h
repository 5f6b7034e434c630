/*
 * cli_queue - `relaydeck queue list|shape|reasons|show|hold|release|
 * requeue|delete|flush`: the mail queue from the command line, through
 * core/queue (the model and `postqueue -j` reader), core/queue_shape and
 * core/queue_act (postsuper, postqueue, postcat on the target).
 */
#ifndef RELAYDECK_CLI_QUEUE_H
#define RELAYDECK_CLI_QUEUE_H

#include <stddef.h>

struct cli_ctx;
struct cli_opts;
struct queue_shape;

int cli_cmd_queue(struct cli_ctx *c, int argc, char **argv);

/* cli_queue_print_shape - a shape as `queue shape` prints it (qshape's
 * layout, or --json); the fleet prints its merged shape with it. */
void cli_queue_print_shape(const struct cli_opts *o, const struct queue_shape *s, unsigned mask,
			   const char *source);

/* One reason group as `queue reasons` prints it; hosts > 0 adds the
 * number of relays it was seen on (the fleet's merged view). */
struct cli_reason_row {
	const char *text, *example;
	size_t recipients, messages, hosts;
};

void cli_queue_print_reasons(const struct cli_opts *o, const struct cli_reason_row *rows, size_t n,
			     size_t recipients, size_t messages, size_t hosts);

#endif
