/*
 * logtrace - one message through every log line: by queue ID or by
 * Message-ID, from pickup/smtpd through cleanup, qmgr, each delivery
 * attempt (retries included) to "removed", and on into the notice the
 * bounce daemon made of it (its own queue ID, followed the same way).
 *
 * Fed every line in time order (rotated files included). Lines that come
 * before the one that names the message (smtpd's "client=" precedes
 * cleanup's "message-id=") are found in a ring of the last
 * LOGTRACE_RING lines. A queue ID is followed until its "removed": Postfix
 * reuses short IDs, so a later message with the same ID is not mixed in.
 *
 * Ownership: logtrace_new / logtrace_free; lines and strings belong to
 * the trace. Errors: NULL from logtrace_new without memory.
 */
#ifndef RELAYDECK_LOGTRACE_H
#define RELAYDECK_LOGTRACE_H

#include <stddef.h>
#include <time.h>

#include "logscan.h"

#define LOGTRACE_RING 4096
#define LOGTRACE_MAX_LINES 20000
#define LOGTRACE_MAX_IDS 16

struct logtrace_line {
	long long seq;		/* order of the line in the input */
	long long time;
	char *qid;		/* the queue ID the line is about */
	char *line;		/* the whole line */
};

struct logtrace_rcpt {
	char *to;
	char *status;		/* the last: sent, deferred, bounced, expired */
	char *relay;
	char *dsn;
	char *reason;
	char *qid;
	int attempts;
};

struct logtrace {
	char message_id[300];	/* wanted Message-ID without brackets, or "" */
	struct {
		char id[32];
		int open;	/* not yet removed */
		int notice;	/* a notice the bounce daemon made */
	} ids[LOGTRACE_MAX_IDS];
	size_t nids;
	char found_mid[300];	/* the Message-ID cleanup logged */
	struct logtrace_line *lines;
	size_t n, alloc;
	int truncated;		/* more than LOGTRACE_MAX_LINES matched */
	struct logtrace_rcpt *rcpts;
	size_t nrcpts;
	/* ring of recent lines with a queue ID */
	struct {
		char qid[32];
		long long seq;
		long long time;
		char *line;
	} ring[LOGTRACE_RING];
	size_t ring_next;
	long long seq;
};

/* logtrace_new - follow id: a queue ID, or a Message-ID ("<x@y>" or "x@y"). */
struct logtrace *logtrace_new(const char *id);
void logtrace_free(struct logtrace *t);

/* logtrace_feed - one line, split already (v from logscan_split on line). */
void logtrace_feed(struct logtrace *t, const struct logscan_view *v, const char *line,
		   size_t len);

/* logtrace_finish - lines back in input order (lines found in the ring
 * were added late). Call once after the last feed. */
void logtrace_finish(struct logtrace *t);

/* logtrace_is_queue_id - id looks like a Postfix queue ID. */
int logtrace_is_queue_id(const char *id);

#endif
