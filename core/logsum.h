/*
 * logsum - a summary of Postfix log lines over a time window, exact
 * however the lines of different messages interleave.
 *
 * Fed line by line (logsum_feed) from any source (core/logsrc reads the
 * host's log: files, rotations, gzip, journald). What is counted, for
 * lines whose time is in [since, until):
 *   received	messages that entered the queue: pickup "uid=", smtpd/
 *		qmqpd "client=", and notices Postfix made itself (bounce's
 *		"sender non-delivery notification: QID") - one line each
 *   delivered	status=sent lines (a recipient is delivered once)
 *   deferred	messages with at least one status=deferred line; each
 *		message once (it stays in the in-flight table until qmgr
 *		logs "removed"); deferrals: every status=deferred line
 *   bounced	status=bounced lines (recipients)
 *   expired	qmgr's "status=expired, returned to sender"
 *   rejected	"reject:" and "milter-reject:" lines (smtpd, cleanup)
 *   SASL	ours: delivery attempts the smart host refused ("SASL
 *		authentication failed" in a status line not merely repeating
 *		an earlier one: "delivery temporarily suspended" is not an
 *		attempt); clients': smtpd "SASL ... authentication failed"
 *   TLS	"Verified|Trusted|Untrusted|Anonymous TLS connection
 *		established" by smtp/lmtp (outbound) and smtpd (inbound);
 *		failures: attempts whose status names a TLS cause (outbound),
 *		smtpd's "SSL_accept error" (inbound)
 *   rows	per relay (relay=NAME[ip]:port grouped by NAME), per
 *		recipient domain, per sender (qmgr's from=): delivered,
 *		deferrals, bounced
 *   reasons	deferral and bounce reasons grouped by queue_reason_normalize
 *   delays	percentiles of delay= and of each delays= part of sent lines
 *		(exact to Postfix's printed precision below 100 s, to 1 s
 *		below 10,000 s, to 1 min above)
 *   hourly	sent lines per hour; last_24h: sent lines in the 24 hours
 *		that end at until (now when until is open), whatever since is
 *   fatal	the last "fatal: " or "panic: " message (why a program quit)
 * A line that is not a log line, or a delivery line cut before its
 * status, is counted in unparsed (the first few kept with their place),
 * never dropped silently.
 *
 * Memory: the in-flight table holds one small entry per message between
 * its first line and "removed"; rows grow with distinct relays, domains,
 * senders and reasons, never with the number of lines.
 *
 * logsum_brief is what the dashboard needs in one call (see below).
 *
 * Ownership: logsum_new / logsum_free. Row names are owned by the summary.
 * Errors: -1 with e set only when memory runs out or a source fails.
 */
#ifndef RELAYDECK_LOGSUM_H
#define RELAYDECK_LOGSUM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "logscan.h"

struct target;

enum logsum_tls { LT_VERIFIED, LT_TRUSTED, LT_UNTRUSTED, LT_ANONYMOUS, LT_LEVELS };

struct logsum_row {
	char *name;
	size_t len;		/* strlen(name) */
	uint32_t hash;
	long delivered, deferred, bounced;	/* deferred: deferral lines */
	long count;				/* reasons: how many lines */
};

struct logsum_table {
	struct logsum_row *rows;
	size_t n, alloc;
	uint32_t *slots;	/* index + 1; 0 empty */
	size_t nslots;
};

struct logsum_msg;

/* Messages by queue ID (open addressing). */
struct logsum_msgtab {
	struct logsum_msg *v;
	size_t n, cap;
};

/* Percentiles (seconds) by nearest rank; -1 when count is 0. */
struct logsum_pct {
	long count;
	double p50, p90, p99, max;
};

#define LOGSUM_HIST 63000	/* buckets: see logsum.c */
#define LOGSUM_BAD_KEPT 5

struct logsum_bad {
	char where[300];	/* "FILE:LINE" */
	long line;		/* LINE */
	char text[120];		/* the line's head, as read */
};

struct logsum {
	long long since, until;	/* window; -1: open */
	long lines, unparsed, outside;
	struct logsum_bad bad[LOGSUM_BAD_KEPT];
	long received, delivered, deferred, deferrals, bounced, rejected, expired;
	long sasl_ours, sasl_clients;
	long tls_out[LT_LEVELS], tls_in[LT_LEVELS];
	long tls_fail_out, tls_fail_in;
	struct logsum_table relays, domains, senders, defer_reasons, bounce_reasons;
	uint32_t *hist[5];	/* delay, then delays a/b/c/d */
	long hist_n[5];
	long long first_hour;	/* epoch of the first hour with a delivery, -1 none */
	long *hours;
	size_t nhours;
	long long newest;	/* time of the newest line seen, -1 none */
	long long oldest;	/* ... of the oldest, -1 none */
	char last_fatal[300];	/* the last "fatal: "/"panic: " text in the window */
	long long last_fatal_time;	/* -1 none */
	long long day_end;	/* until, or the time logsum_new ran */
	long last_24h;
	/* in flight */
	struct logsum_msgtab msgs;
	size_t peak_in_flight;	/* of this summary's own lines (logsum_merge takes the larger) */
	int cont;		/* logsum_continue */
	struct logsum_msgtab closed;	/* continuation: messages from before that ended here */
	/* position, for the unparsed report */
	const char *file;
	long lineno;
	long long file_off;	/* byte where reading the file began (logsrc seek) */
	struct logsum_rcache *rcache[2];	/* raw reason -> row (deferral, bounce) */
	const char *cur_line;	/* the line being fed, for the unparsed report */
	size_t cur_len;
	struct logscan_clock clock;
};

/* logsum_new - an empty summary for [since, until) (-1: open). */
struct logsum *logsum_new(long long since, long long until);
void logsum_free(struct logsum *s);

/* logsum_begin_file - the lines that follow come from name, whose last
 * line was written at mtime (for classic stamps' year); line numbers
 * restart. name is not copied: keep it until the next call. */
void logsum_begin_file(struct logsum *s, const char *name, time_t mtime);

/* logsum_feed - one line (with or without its '\n'). */
void logsum_feed(struct logsum *s, const char *line, size_t len);

/* logsum_feed_view - a line already split (follow, trace share the split). */
void logsum_feed_view(struct logsum *s, const struct logscan_view *v);

/* Reading one file in pieces at once: each later piece goes to its own
 * summary, marked with logsum_continue before its first line, fed the
 * lines that start in it, then merged in order. logsum_merge(s, later)
 * makes s what feeding later's lines to s would have made it (counts,
 * rows, hours, percentiles, messages in flight), and returns 0; or -1,
 * s unchanged, when later's classic stamps may have been given another
 * year than s would give them (a piece that starts on a straggler from
 * the year before, a log over more than half a year): then feed those
 * lines to s instead. later is not freed. A continuation keeps the
 * messages it met that began before it and ended in it until merged. */
void logsum_continue(struct logsum *s);
int logsum_merge(struct logsum *s, struct logsum *later);

/* logsum_finish - sort rows by volume (then name). */
void logsum_finish(struct logsum *s);

/* logsum_percentiles - of series k (0 delay=, 1..4 delays= parts). */
void logsum_percentiles(const struct logsum *s, int k, struct logsum_pct *out);

/* logsum_in_flight - messages seen and not yet removed. */
size_t logsum_in_flight(const struct logsum *s);

struct logsrc;

/* How far before the window a read starts: messages that began up to an
 * hour earlier keep their sender, stamps a little out of order are kept. */
#define LOGSUM_LEAD 3600

/* logsum_read_from - where reading for s begins: since, or 24 hours before
 * the day's end (last_24h) when that is earlier, less LOGSUM_LEAD; -1
 * (everything) when since is open. */
long long logsum_read_from(const struct logsum *s);

/* logsum_read - feed the lines of src (core/logsrc) from
 * logsum_read_from on to s (files entered there; see logsrc_read); warn (may be
 * NULL) gets each file's problem that left the rest readable; stop (may
 * be NULL) is polled between lines and ends the reading when set.
 * 0, or -1 with e set when nothing could be read. */
int logsum_read(struct logsum *s, struct target *t, const struct logsrc *src,
		void (*warn)(void *arg, const char *msg), void *warg, volatile int *stop,
		struct err *e);

/* logsum_time_parse - a --since/--until value: "@EPOCH", "YYYY-MM-DD",
 * "YYYY-MM-DD HH:MM[:SS]" or with 'T' (local time unless it ends in Z or
 * an offset), or an age before now: "90s", "30m", "24h", "7d", "2w".
 * 0 and *out, or -1 when s is none of these. */
int logsum_time_parse(const char *s, long long now, long long *out);

/* What the dashboard shows, for one target and window. */
struct logsum_brief {
	long delivered, deferred, bounced;	/* deferred: messages */
	long sasl_failures;			/* ours + clients' */
	long tls_failures;			/* outbound + inbound */
	long last_24h;				/* deliveries in the 24 h before until/now */
	long unparsed;
	long long oldest;			/* time of the oldest line read, -1 none */
	char last_fatal[300];			/* last fatal/panic text in the window */
	long long last_fatal_time;		/* -1 none */
	char source[512];			/* what was read: "/var/log/mail.log (+3 rotated)" */
};

/* logsum_brief_of - the brief of a summary fed already (source kept). */
void logsum_brief_of(const struct logsum *s, struct logsum_brief *out);

/* logsum_brief - read the target's mail log as its Postfix is configured
 * (core/logsrc) over [since, until) (-1: open; for last_24h the window
 * should start at least 24 h before until) and fill out. 0, or -1 with e
 * set when no log can be read. */
int logsum_brief(struct target *t, long long since, long long until,
		 struct logsum_brief *out, struct err *e);

#endif
