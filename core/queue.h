/*
 * queue - the Postfix mail queue as `postqueue -j` describes it: a compact
 * model for 100,000 messages, the push parser that fills it, filters and
 * sort orders.
 *
 * Model: messages and recipients live in two arrays; queue IDs and the
 * local parts of addresses in an arena; senders, recipient domains and
 * delay reasons are interned (core/strpool), so a queue full of mail to a
 * few providers costs about 60 bytes a message (doc/BENCHMARKS.md has the
 * figures). An address is stored split at its last '@': the local part in
 * the arena, the domain interned; queue_rcpt_address puts it together.
 *
 * Reader: `postqueue -j` prints one JSON object per message per line.
 * queue_reader_feed takes the bytes in whatever pieces they arrive (a
 * pipe, an SSH channel) and adds each complete line's message to the
 * queue as soon as its newline arrives, so the first rows show before
 * the command ends; queue_reader_end takes a last line without a newline.
 * Each line is parsed with json-c. A line that is not a message (bad
 * JSON, a missing or invalid field, longer than QUEUE_LINE_MAX) is
 * counted and skipped, never fatal: what was read stays. A callback sees
 * every message as it is added and may drop it again (the command line
 * streams `list` without keeping 100,000 messages).
 *
 * Filters: queue names, a recipient domain (that domain or below it), a
 * sender, a delay-reason text, a normalised reason (a group of the
 * reasons view), an age range, free text (the search: ID, sender,
 * recipients, reasons). Matching is case-insensitive. queue_select
 * applies a filter and a sort order and returns message indices.
 *
 * Ownership: struct queue is a plain value (queue_init/queue_free); the
 * reader is allocated (queue_reader_new/queue_reader_free) and does not
 * own the queue. Strings returned point into the queue and live until
 * queue_clear/queue_free.
 * Errors: -1 with e filled on bad filter syntax and when memory runs out.
 * Not thread-safe.
 */
#ifndef RELAYDECK_QUEUE_H
#define RELAYDECK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "strpool.h"

enum queue_name {
	QN_MAILDROP, QN_INCOMING, QN_ACTIVE, QN_DEFERRED, QN_HOLD, QN_OTHER, QN_COUNT
};

#define QUEUE_MASK(qn) (1u << (qn))
#define QUEUE_MASK_ALL ((1u << QN_COUNT) - 1)

/* Longest queue ID accepted (Postfix's long IDs are under 20). */
#define QUEUE_ID_MAX 64
/* Longest `postqueue -j` line read (a message with thousands of recipients). */
#define QUEUE_LINE_MAX ((size_t)16 << 20)

#define QM_FORCED_EXPIRE 0x01
#define QM_MARKED 0x02		/* a front end's mark */

struct queue_rcpt {
	const char *local;	/* the address up to its last '@' (all of it without one) */
	uint32_t domain;	/* pool id of the part after the last '@'; STRPOOL_NONE without '@' */
	uint32_t reason;	/* pool id of delay_reason; STRPOOL_NONE when there is none */
};

struct queue_msg {
	const char *id;
	uint32_t arrival;	/* arrival_time, seconds since the epoch (to 2106) */
	uint32_t sender;	/* pool id; 0 ("") is the null sender */
	uint32_t size;		/* message_size (capped at UINT32_MAX) */
	uint32_t rcpt;		/* index of the first recipient in q->rcpts */
	uint32_t nrcpt;
	uint8_t queue;		/* enum queue_name */
	uint8_t flags;		/* QM_* */
};

struct queue {
	struct queue_msg *msgs;
	size_t count, alloc;
	struct queue_rcpt *rcpts;
	size_t nrcpts, rcpt_alloc;
	struct arena text;	/* queue IDs, local parts */
	struct strpool pool;	/* senders, domains, reasons, normalised reasons */
	size_t per_queue[QN_COUNT];
	/* queue_find's index: slots hold message index + 1 */
	uint32_t *idx;
	size_t idx_size, idx_count;
	/* where the message added last starts in the arena (queue_pop) */
	size_t last;
	struct arena_mark last_mark;
	int have_last;
	/* normalised reason of each pool id (STRPOOL_NONE: not computed yet) */
	uint32_t *norm;
	size_t norm_n;
};

int queue_init(struct queue *q);
void queue_free(struct queue *q);
/* queue_clear - no messages (memory is given back). */
void queue_clear(struct queue *q);

/* queue_mem_bytes - memory the model uses (the arrays' used part, arena,
 * pool, indices): what becomes resident. */
size_t queue_mem_bytes(const struct queue *q);

const char *queue_name_str(enum queue_name qn);
/* queue_name_parse - "deferred" -> QN_DEFERRED; -1 when unknown. */
int queue_name_parse(const char *s, enum queue_name *qn);

/* queue_id_valid - 1 for a Postfix queue ID: [A-Za-z0-9_], 1..QUEUE_ID_MAX-1
 * characters (what postsuper and postcat accept). */
int queue_id_valid(const char *id);

/* queue_add - append a message (copies every string); its index, or -1. */
struct queue_new_rcpt {
	const char *address;
	const char *reason;	/* NULL: none */
};
int queue_add(struct queue *q, const char *id, enum queue_name qn, long long arrival,
	      long long size, const char *sender, int forced_expire,
	      const struct queue_new_rcpt *rcpts, size_t nrcpt, struct err *e);

/* queue_pop - remove the last message added (the streaming front end). */
void queue_pop(struct queue *q);

/* queue_find - index of the message with id, or -1. */
long queue_find(struct queue *q, const char *id);

static inline const char *queue_sender(const struct queue *q, const struct queue_msg *m)
{
	return strpool_str(&q->pool, m->sender);
}

/* queue_rcpt_domain - the domain as written ("" without '@'). */
static inline const char *queue_rcpt_domain(const struct queue *q, const struct queue_rcpt *r)
{
	return r->domain == STRPOOL_NONE ? "" : strpool_str(&q->pool, r->domain);
}

static inline const char *queue_rcpt_reason(const struct queue *q, const struct queue_rcpt *r)
{
	return r->reason == STRPOOL_NONE ? NULL : strpool_str(&q->pool, r->reason);
}

/* queue_rcpt_address - local@domain into out (truncated to n). */
const char *queue_rcpt_address(const struct queue *q, const struct queue_rcpt *r, char *out,
			       size_t n);

/* queue_reason_norm - the pool id of the normalised form of reason id
 * (core/queue_reason.h), computed once per distinct reason. */
uint32_t queue_reason_norm(struct queue *q, uint32_t reason);

/* ---- the reader ---------------------------------------------------------- */

#define QUEUE_KEEP 0
#define QUEUE_DROP 1

/* Called for each message added; returns QUEUE_KEEP or QUEUE_DROP. */
typedef int (*queue_msg_fn)(void *arg, struct queue *q, size_t i);

struct queue_reader_stats {
	size_t lines;		/* complete lines seen (blank ones too) */
	size_t messages;	/* messages added (kept or dropped) */
	size_t bad;		/* lines skipped */
	size_t first_bad;	/* line number of the first skipped line, 0 when none */
	char first_why[200];	/* what was wrong with it */
	int truncated;		/* the input ended inside a line that does not parse */
};

struct queue_reader;

struct queue_reader *queue_reader_new(struct queue *q, queue_msg_fn fn, void *arg);
/* queue_reader_feed - bytes as they come; -1 (e) only when memory runs out. */
int queue_reader_feed(struct queue_reader *r, const char *data, size_t len, struct err *e);
/* queue_reader_end - the input is over: parse what is left. */
int queue_reader_end(struct queue_reader *r, struct err *e);
const struct queue_reader_stats *queue_reader_stats(const struct queue_reader *r);
void queue_reader_free(struct queue_reader *r);

/* queue_reader_describe - "2 lines skipped (line 17: ...)" / "the last line
 * was cut short", or "" when all was well. */
const char *queue_reader_describe(const struct queue_reader_stats *s, char *out, size_t n);

/* ---- filters and order ----------------------------------------------------- */

struct queue_filter {
	unsigned queues;	/* QUEUE_MASK bits; 0: every queue */
	char domain[256];	/* a recipient domain is this or below it */
	char sender[256];	/* substring of the sender ("<>": the null sender, which
				 * postqueue shows as MAILER-DAEMON) */
	char reason[256];	/* substring of a recipient's delay reason */
	char group[512];	/* a recipient's normalised reason is exactly this */
	char text[256];		/* substring of ID, sender, a recipient or a reason */
	long long older;	/* age at least this many seconds; -1: any */
	long long younger;	/* age less than this; -1: any */
};

void queue_filter_init(struct queue_filter *f);
/* queue_filter_empty - 1 when f matches everything. */
int queue_filter_empty(const struct queue_filter *f);

/* queue_filter_parse - terms "key:value" separated by blanks into f
 * (reset first): queue:deferred,hold domain:D sender:S reason:TEXT
 * older:1h younger:2d; a value may be quoted with "" to hold blanks. */
int queue_filter_parse(struct queue_filter *f, const char *spec, struct err *e);

/* queue_filter_format - f in the syntax queue_filter_parse reads ("" when empty). */
const char *queue_filter_format(const struct queue_filter *f, char *out, size_t n);

/* queue_duration_parse - "90", "90s", "30m", "2h", "3d", "1w" -> seconds; -1 when bad. */
long long queue_duration_parse(const char *s);

/* queue_age_format - "42s", "17m", "3h05m", "2d04h" into out. */
const char *queue_age_format(long long secs, char *out, size_t n);

enum queue_sort { QS_AGE, QS_SIZE, QS_SENDER, QS_DOMAIN, QS_ID, QS_QUEUE, QS_NONE };

const char *queue_sort_name(enum queue_sort s);
int queue_sort_parse(const char *s, enum queue_sort *out);

/* queue_select - indices of the messages f matches (now: the time ages
 * are measured from), in order s (QS_NONE: as read; reverse flips it).
 * *out is malloc'd (the caller frees it), NULL when nothing matches. */
int queue_select(struct queue *q, const struct queue_filter *f, long long now,
		 enum queue_sort s, int reverse, uint32_t **out, size_t *n, struct err *e);

/* A filter applied message by message (as they stream in): each
 * distinct sender, domain and reason is judged once. */
struct queue_matcher;
struct queue_matcher *queue_matcher_new(const struct queue_filter *f, long long now);
/* queue_matcher_match - 1 when message i matches, 0 when not, -1 out of memory. */
int queue_matcher_match(struct queue_matcher *m, struct queue *q, size_t i);
void queue_matcher_free(struct queue_matcher *m);

/* queue_match_text - 1 when message i holds text (the search rule of f->text). */
int queue_match_text(struct queue *q, size_t i, const char *text);

#endif
