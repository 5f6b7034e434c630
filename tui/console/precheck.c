/*
 * precheck - postfix check in a thread for the console. See precheck.h.
 */
#include "config.h"
#include "precheck.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postfix.h"
#include "target.h"

struct precheck {
	pthread_t th;
	pthread_mutex_t mu;
	struct target *t;
	void (*done)(void *);
	void *arg;
	int finished, rejected;
	char reason[400];
};

/* job_main - the verdict, then the console's wake-up. */
static void *job_main(void *p)
{
	struct precheck *pc = p;
	struct postfix_verdict v;

	postfix_verdict_init(&v);
	postfix_verdict_get(pc->t, &v);
	pthread_mutex_lock(&pc->mu);
	pc->rejected = postfix_verdict_rejected(&v);
	snprintf(pc->reason, sizeof(pc->reason), "%s", v.reason);
	pc->finished = 1;
	pthread_mutex_unlock(&pc->mu);
	postfix_verdict_free(&v);
	pc->done(pc->arg);
	return NULL;
}

struct precheck *precheck_start(struct target *t, void (*done)(void *), void *arg)
{
	struct precheck *pc = calloc(1, sizeof(*pc));

	if (pc == NULL)
		return NULL;
	pc->t = t;
	pc->done = done;
	pc->arg = arg;
	pthread_mutex_init(&pc->mu, NULL);
	if (pthread_create(&pc->th, NULL, job_main, pc) != 0) {
		pthread_mutex_destroy(&pc->mu);
		free(pc);
		return NULL;
	}
	return pc;
}

int precheck_poll(struct precheck *pc, char *reason, size_t n)
{
	int r = -1;

	pthread_mutex_lock(&pc->mu);
	if (pc->finished) {
		r = pc->rejected;
		snprintf(reason, n, "%s", pc->reason);
	}
	pthread_mutex_unlock(&pc->mu);
	return r;
}

void precheck_free(struct precheck *pc)
{
	if (pc == NULL)
		return;
	pthread_join(pc->th, NULL);
	pthread_mutex_destroy(&pc->mu);
	free(pc);
}
