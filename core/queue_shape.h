/*
 * queue_shape - the two summaries of a queue: qshape's age x domain table
 * and the grouping of recipients by normalised delay reason.
 *
 * Shape: as qshape(1) counts with its default buckets (-t 5 -b 10): a
 * row per domain (recipient domains, or with by_sender the sender's), a
 * column per age bucket: under 5 minutes, 5-10, 10-20, ... 640-1280,
 * 1280 and over. Each recipient counts once (each message once by
 * sender). The domain is taken as qshape takes it: the address in lower
 * case, everything up to its last '@' dropped, ".." made ".", dots at
 * either end dropped; the null sender is "MAILER-DAEMON". Rows are
 * ordered by total (largest first), then by length of name, then by
 * name. Ages count from now, as qshape's do from when it starts.
 * Shapes are built from the model (queue_shape_build) or one address at
 * a time (queue_shape_add, for a scan of the queue files).
 *
 * Reasons: every recipient of the selected messages under its
 * normalised reason (core/queue_reason.h; recipients without a reason
 * under ""), with the number of recipients and of messages, and the
 * first raw reason as an example; largest group first.
 *
 * Ownership: plain values; *_free releases them. Row names point into
 * the shape's own pool; group texts into the queue's pool.
 * Errors: -1 with e filled only when memory runs out.
 */
#ifndef RELAYDECK_QUEUE_SHAPE_H
#define RELAYDECK_QUEUE_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "queue.h"
#include "strpool.h"

#define QUEUE_SHAPE_BUCKETS 10

struct queue_shape_row {
	const char *name;
	size_t total;
	size_t count[QUEUE_SHAPE_BUCKETS];
};

struct queue_shape {
	int by_sender;
	long long now;
	struct queue_shape_row total;	/* name "TOTAL" */
	struct queue_shape_row *rows;	/* sorted by queue_shape_sort */
	size_t nrows, alloc;
	size_t messages;		/* messages counted */
	struct strpool names;		/* row names; id -> row index in row_of */
	uint32_t *row_of;
	size_t row_of_n;
	uint32_t *dom_row;		/* the model's pool id -> row (build cache) */
	size_t dom_row_n;
};

int queue_shape_init(struct queue_shape *s, int by_sender, long long now);
void queue_shape_free(struct queue_shape *s);

/* queue_shape_bucket - qshape's bucket (0..9) of a message age seconds old. */
int queue_shape_bucket(long long age);

/* queue_shape_label - the column heading of bucket b: "5", "10", ...
 * "1280", "1280+" (the upper end in minutes, as qshape prints it). */
const char *queue_shape_label(int b, char *out, size_t n);

/* queue_shape_domain - qshape's domain of an address into out. */
const char *queue_shape_domain(const char *addr, char *out, size_t n);

/* queue_shape_add - count one address (a recipient, or a sender) that
 * arrived at arrival. A new message starts with add_message. */
int queue_shape_add(struct queue_shape *s, long long arrival, const char *addr, struct err *e);
void queue_shape_add_message(struct queue_shape *s);

/* queue_shape_merge - add src's counts to dst (same buckets and now). */
int queue_shape_merge(struct queue_shape *dst, const struct queue_shape *src, struct err *e);

/* queue_shape_sort - rows in qshape's order. */
void queue_shape_sort(struct queue_shape *s);

/* queue_shape_build - the shape of the messages idx[0..n) of q (sorted). */
int queue_shape_build(struct queue_shape *s, struct queue *q, const uint32_t *idx, size_t n,
		      struct err *e);

struct queue_reason_group {
	uint32_t norm;		/* pool id of the normalised reason in the queue */
	const char *text;	/* that text ("" for recipients without a reason) */
	const char *example;	/* the first raw reason seen ("" without one) */
	size_t recipients;
	size_t messages;
	size_t last_msg;	/* while building: the last message counted + 1 */
};

struct queue_reasons {
	struct queue_reason_group *groups;
	size_t ngroups, alloc;
	size_t recipients, messages;
};

/* queue_reasons_build - groups of the messages idx[0..n) of q, largest first. */
int queue_reasons_build(struct queue_reasons *r, struct queue *q, const uint32_t *idx,
			size_t n, struct err *e);
void queue_reasons_free(struct queue_reasons *r);

#endif
