/*
 * fuzz_smtp_reply - libFuzzer target for the SMTP reply parser.
 *
 * The input is what a hostile server sends. Replies are parsed one after
 * another as the probe does. Each complete reply must be consistent
 * (code 200-599, at least one line, lines shorter than the line cap,
 * the whole within the reply cap, used within the input), must parse
 * again from exactly its own bytes, and a re-serialized copy must parse
 * to the same lines. Errors must be ERR_PARSE or ERR_LIMIT with a
 * message. Any violation aborts. Build with tests/fuzz/build.sh.
 *
 * FUZZ_LIBS: -lcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_reply - invariants of one complete reply. */
static void check_reply(const char *p, size_t used, const struct smtp_reply *r)
{
	struct smtp_reply again;
	struct buf b = BUF_INIT;
	size_t used2 = 0;
	struct err e;

	if (used == 0 || used > SMTP_REPLY_MAX || r->nlines == 0 || r->code < 200 || r->code > 599)
		abort();
	for (size_t i = 0; i < r->nlines; i++)
		if (strlen(r->lines[i]) >= SMTP_LINE_MAX)
			abort();
	if (r->enhanced[0] && r->enhanced[0] != '0' + r->code / 100)
		abort();
	/* exactly its own bytes */
	if (smtp_reply_parse(p, used, &again, &used2, &e) != 1 || used2 != used ||
	    again.code != r->code || again.nlines != r->nlines)
		abort();
	smtp_reply_free(&again);
	/* written back in canonical form, it must read the same */
	for (size_t i = 0; i < r->nlines; i++)
		if (buf_printf(&b, "%d%c%s\r\n", r->code, i + 1 < r->nlines ? '-' : ' ',
			       r->lines[i]) < 0)
			abort();
	if (smtp_reply_parse(b.data, b.len, &again, &used2, &e) != 1 || used2 != b.len ||
	    again.nlines != r->nlines)
		abort();
	for (size_t i = 0; i < r->nlines; i++)
		if (strcmp(again.lines[i], r->lines[i]) != 0)
			abort();
	smtp_reply_free(&again);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off = 0;

	while (off < size) {
		struct smtp_reply r;
		size_t used = 0;
		struct err e;
		int rc;

		err_clear(&e);
		rc = smtp_reply_parse(p + off, size - off, &r, &used, &e);
		if (rc < 0) {
			if ((e.code != ERR_PARSE && e.code != ERR_LIMIT) || e.msg[0] == '\0' ||
			    r.nlines != 0)
				abort();
			return 0;
		}
		if (rc == 0) {
			if (r.nlines != 0 || size - off >= SMTP_REPLY_MAX)
				abort();
			return 0;
		}
		if (used > size - off)
			abort();
		check_reply(p + off, used, &r);
		smtp_reply_free(&r);
		off += used;
	}
	return 0;
}
