/*
 * fleet - many relays at once: which hosts a command line selects, and
 * one operation run on each of them, at most N at a time, in one thread.
 *
 * Selection, as Ansible selects: groups (-g, repeatable; `all`), hosts
 * (-H, repeatable; an inventory name, a [user@]host[:port], or a glob
 * over inventory names), then --limit PATTERN: terms separated by `:` or
 * `,`, each a host or group name or glob; `!term` removes, `&term`
 * keeps only what is also in term. Hosts come out in inventory order for
 * groups, in the order given for -H, each once.
 *
 * Running: each host's job is a fiber (fiber.h), so a host waiting on its
 * network never holds up another, and a host's deadline (host_timeout_ms)
 * ends its own waits only. The job function runs as straight-line code
 * over the SSH target and records its own result.
 *
 * Ownership: fleet_select returns a malloc'd array of malloc'd names,
 * released with fleet_names_free.
 */
#ifndef RELAYDECK_FLEET_H
#define RELAYDECK_FLEET_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define FLEET_PARALLEL 64	/* default: key exchanges of 64 hosts keep 2 CPUs busy */
#define FLEET_HOST_TIMEOUT_MS 120000

struct inventory;

struct fleet_sel {
	const char *const *groups;	/* -g */
	size_t n_groups;
	const char *const *hosts;	/* -H */
	size_t n_hosts;
	const char *limit;		/* --limit, or NULL */
};

int fleet_select(const struct inventory *inv, const struct fleet_sel *sel, char ***names,
		 size_t *n, struct err *e);
void fleet_names_free(char **names, size_t n);

struct fleet_job {
	const char *host;
	void *arg;		/* the caller's, per host */
	FILE *in, *out, *err;	/* the job's stdin, stdout and stderr (NULL: the process's) */
};

typedef void (*fleet_job_fn)(struct fleet_job *job);
/* called after each job returns, with the number done so far */
typedef void (*fleet_progress_fn)(void *arg, size_t done, size_t total, const struct fleet_job *);

struct fleet_run_opts {
	size_t parallel;	/* 0: FLEET_PARALLEL */
	int host_timeout_ms;	/* 0: FLEET_HOST_TIMEOUT_MS */
	fleet_progress_fn progress;
	void *progress_arg;
};

/* fleet_run - run fn on every job, at most parallel at a time; returns
 * when all have returned. -1 only when the loop itself fails. */
int fleet_run(struct fleet_job *jobs, size_t n, fleet_job_fn fn, const struct fleet_run_opts *o,
	      struct err *e);

#endif
