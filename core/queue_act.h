/*
 * queue_act - the queue through the target: list it (`postqueue -j`,
 * streamed), act on messages (postsuper, postqueue), show one (postcat),
 * and count its shape from the queue files themselves.
 *
 * Every command gets "-c config_dir". Actions never run a process per
 * message: postsuper -h|-H|-r|-d reads the IDs from its stdin ("-").
 * postsuper names each message it acted on ("ID: placed on hold"); an ID
 * it does not name was gone from the queue by then (delivered, expired,
 * removed) or already in the state asked for, and is reported back in
 * missing, which is not an error. Flushing single messages takes
 * `postqueue -i ID`, one ID a process (postqueue takes no list), at most
 * QUEUE_FLUSH_MAX of them; `postqueue -f` flushes everything and
 * `postqueue -s SITE` one destination (Postfix's flush service must be
 * set up for it: fast_flush_domains).
 *
 * queue_scan_shape reads what qshape(1) reads: the envelope records of
 * every queue file (arrival time, sender, recipients) in the chosen
 * queues under queue_directory, through the target's read_at (a few
 * KiB per file; the content is skipped with the sizes the file's first
 * record gives), on as many threads as there are CPUs (up to 4: the local
 * target is reentrant), each counting its share, merged at the end. It
 * needs the local target (over SSH read_at would cost round trips per
 * file) and the right to read the queue (root);
 * without them it returns 1 and the caller counts the shape from
 * `postqueue -j` instead.
 *
 * Ownership: struct queue_act_result owns its missing IDs
 * (queue_act_result_free). Errors: -1 with e naming the program and its
 * own first line of complaint ("postqueue: fatal: ...").
 */
#ifndef RELAYDECK_QUEUE_ACT_H
#define RELAYDECK_QUEUE_ACT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "queue_shape.h"
#include "target.h"

#define QUEUE_FLUSH_MAX 1000
/* How long `postqueue -j` may take (a queue of 100,000 takes seconds). */
#define QUEUE_LIST_TIMEOUT_MS (30 * 60 * 1000)

enum queue_action { QA_HOLD, QA_RELEASE, QA_REQUEUE, QA_DELETE, QA_FLUSH, QA_COUNT };

/* "hold", "release", "requeue", "delete", "flush" */
const char *queue_action_name(enum queue_action a);
/* "placed on hold", "released from hold", "requeued", "deleted", "scheduled for delivery" */
const char *queue_action_done(enum queue_action a);
int queue_action_parse(const char *s, enum queue_action *a);
/* queue_action_applies - 1 when a makes sense for a message in queue qn
 * (hold: not already held; release: held; flush: not held). */
int queue_action_applies(enum queue_action a, int qn);

/* queue_stream - `postqueue -c DIR -j`, its output handed to sink as it
 * arrives (sink returns non-zero to stop: *cancelled is then 1 and the
 * result 0). -1 when postqueue could not run, failed or the connection
 * was lost: what sink got until then stays with the caller. */
int queue_stream(struct target *t, target_chunk_fn sink, void *arg, int *cancelled,
		 struct err *e);

struct queue_act_result {
	enum queue_action action;
	size_t requested;
	size_t done;
	char **missing;		/* IDs not acted on: gone, or already so */
	size_t nmissing;
	int flush_unknown;	/* flush: postqueue -i cannot tell a missing ID */
};

/* queue_act - a on the messages ids[0..n) (every ID must pass
 * queue_id_valid). */
int queue_act(struct target *t, enum queue_action a, const char *const *ids, size_t n,
	      struct queue_act_result *r, struct err *e);
void queue_act_result_free(struct queue_act_result *r);

/* queue_flush_all - `postqueue -f`. */
int queue_flush_all(struct target *t, struct err *e);

/* queue_flush_site - `postqueue -s SITE` (a domain or [address]). */
int queue_flush_site(struct target *t, const char *site, struct err *e);

/* queue_show - `postcat -e -h [-b] -q ID` into out; ERR_NOTFOUND when the
 * message is no longer in the queue. */
int queue_show(struct target *t, const char *id, int body, struct buf *out, struct err *e);

/* queue_scan_shape - add the queue files of the queues in mask to s (see
 * the header); 0 done, 1 not possible here (nothing added), -1 error. */
int queue_scan_shape(struct target *t, unsigned mask, struct queue_shape *s, struct err *e);

#endif
