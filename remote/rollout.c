/*
 * rollout - canary, then batches (see rollout.h).
 */
#include "config.h"
#include "rollout.h"

int fleet_rollout(struct fleet_job *jobs, size_t n, fleet_job_fn fn, const struct fleet_rollout *r,
		  const struct fleet_run_opts *o, struct err *e)
{
	size_t start = 0;

	if (r->canary && n > 0) {
		if (fleet_run(jobs, 1, fn, o, e) < 0)
			return -1;
		if (r->failed(&jobs[0]))
			return 0;
		start = 1;
	}
	while (start < n) {
		size_t len = r->batch ? r->batch : n - start;
		int bad = 0;

		if (len > n - start)
			len = n - start;
		if (fleet_run(jobs + start, len, fn, o, e) < 0)
			return -1;
		for (size_t i = start; i < start + len; i++)
			bad |= r->failed(&jobs[i]);
		start += len;
		if (bad && !r->continue_on_error)
			break;
	}
	return 0;
}
