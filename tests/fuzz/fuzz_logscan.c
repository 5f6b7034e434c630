/*
 * fuzz_logscan - libFuzzer target for the Postfix log line parser and the
 * message trace.
 *
 * The input is a log file anyone on the host can influence (a Subject or
 * an address lands in it). Every line is parsed: a parsed line's program,
 * host and queue ID must be NUL-terminated within their fields, the text
 * must lie inside the line, and the queue ID must be alphanumeric. Every
 * parsed line is fed to a trace for a fixed Message-ID: its strings must
 * stay terminated and a status, once final, must have a queue ID. Any
 * violation aborts. Build with tests/fuzz/build.sh.
 *
 * FUZZ_SOURCES: core/logscan.c core/buf.c core/err.c
 * FUZZ_LIBS: -lcrypto
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* terminated - s has a NUL within n bytes. */
static int terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* check_line - invariants of one parsed line. */
static void check_line(const char *line, size_t len, const struct logscan_line *l)
{
	if (!terminated(l->program, sizeof(l->program)) || !terminated(l->host, sizeof(l->host)) ||
	    !terminated(l->queue_id, sizeof(l->queue_id)) || l->program[0] == '\0')
		abort();
	if (l->text < line || l->text + l->textlen > line + len)
		abort();
	for (const char *q = l->queue_id; *q; q++)
		if (!isalnum((unsigned char)*q))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logscan_trace t;
	const char *p = (const char *)data, *end = p + size;
	int done = 0;

	logscan_trace_init(&t, "<probe.1@relaydeck.invalid>");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct logscan_line l;
		/* A private copy so a read past the line's end is caught. */
		char *copy = malloc(len ? len : 1);

		if (copy == NULL)
			abort();
		memcpy(copy, p, len);
		if (logscan_parse_line(copy, len, &l) == 0) {
			check_line(copy, len, &l);
			if (!done)
				done = logscan_trace_feed(&t, &l);
		}
		free(copy);
		p += len + 1;
	}
	if (!terminated(t.queue_id, sizeof(t.queue_id)) || !terminated(t.relay, sizeof(t.relay)) ||
	    !terminated(t.reason, sizeof(t.reason)) || !terminated(t.tls, sizeof(t.tls)) ||
	    !terminated(t.delays, sizeof(t.delays)) || !terminated(t.dsn, sizeof(t.dsn)))
		abort();
	if (done && (t.status == LS_NONE || t.queue_id[0] == '\0'))
		abort();
	return 0;
}
