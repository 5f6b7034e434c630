/*
 * rollout - one change rolled out over many hosts in the order a fleet
 * change takes: the canary alone first, then the rest in batches, each
 * batch in parallel (fleet_run); after a batch with a failure the hosts
 * after it are not started unless continue_on_error; a failed canary
 * stops everything, whatever continue_on_error says. The command line's
 * `apply --canary H --batch N` and the console's fleet change share it.
 *
 * What each job does, and whether it failed, is the caller's: failed()
 * is asked after a batch about each of its jobs. Jobs never started are
 * left as the caller made them (it tells them apart itself).
 */
#ifndef RELAYDECK_ROLLOUT_H
#define RELAYDECK_ROLLOUT_H

#include <stddef.h>

#include "err.h"
#include "fleet.h"

struct fleet_rollout {
	int canary;		/* jobs[0] is the canary */
	size_t batch;		/* hosts at a time after it; 0: all of them at once */
	int continue_on_error;
	int (*failed)(const struct fleet_job *job);
};

/* fleet_rollout - -1 only when fleet_run itself fails. */
int fleet_rollout(struct fleet_job *jobs, size_t n, fleet_job_fn fn, const struct fleet_rollout *r,
		  const struct fleet_run_opts *o, struct err *e);

#endif
