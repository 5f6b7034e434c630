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
 * violation aborts. Every line also goes through logscan_split (its
 * pointers must lie inside the line, the service inside the program) and
 * into a summary (core/logsum): the summary's counts must add up (no
 * more deferred messages than deferral lines, no negative count, every
 * line either counted as unparsed or parsed) and its in-flight table
 * must hold no more messages than lines were fed.
 *
 * FUZZ_LIBS: -lcrypto
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logscan.h"
#include "logsum.h"

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

	struct logsum *sum = logsum_new(-1, -1);
	struct logscan_clock clk;
	long fed = 0;

	if (sum == NULL)
		abort();
	logscan_clock_init(&clk, 1796451464);
	logsum_begin_file(sum, "fuzz", 1796451464);
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
		{
			struct logscan_view v;

			if (logscan_split(copy, len, &clk, &v) == 0) {
				if (v.text < copy || v.text + v.textlen > copy + len ||
				    v.service < v.program ||
				    v.service + v.servlen != v.program + v.proglen ||
				    (v.queue_id && v.queue_id + v.qidlen > copy + len))
					abort();
			}
			logsum_feed(sum, copy, len);
			fed++;
		}
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
	logsum_finish(sum);
	if (sum->deferred > sum->deferrals || sum->unparsed > sum->lines || sum->lines != fed ||
	    sum->delivered < 0 || logsum_in_flight(sum) > (size_t)fed)
		abort();
	for (int k = 0; k < 5; k++) {
		struct logsum_pct pc;

		logsum_percentiles(sum, k, &pc);
		if (pc.count > 0 && (pc.p50 > pc.p90 || pc.p90 > pc.p99 || pc.p99 > pc.max))
			abort();
	}
	logsum_free(sum);
	return 0;
}
