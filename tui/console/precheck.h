/*
 * precheck - ask Postfix, in the background, whether it accepts the
 * configuration as it is, so the console's first screen can say "Postfix
 * already rejects this main.cf: ..." before the admin changes anything
 * (and nobody blames that change). `postfix check` takes a second or more
 * on a bad file: it runs in a thread, and the console is drawn meanwhile.
 *
 * Ownership: precheck_start returns a job freed with precheck_free, which
 * waits for the thread (bounded by the check's own deadline).
 */
#ifndef RELAYDECK_PRECHECK_H
#define RELAYDECK_PRECHECK_H

#include <stddef.h>

struct target;
struct precheck;

/* precheck_start - run the check on t in a thread; done(arg) is called
 * from that thread when it finishes. NULL when no thread can start. */
struct precheck *precheck_start(struct target *t, void (*done)(void *), void *arg);

/* precheck_poll - -1 while running; else 1 with Postfix's reason in
 * reason when it rejects the configuration, 0 when it accepts it. */
int precheck_poll(struct precheck *pc, char *reason, size_t n);

void precheck_free(struct precheck *pc);

#endif
