/*
 * fleet - host selection and the many-hosts runner (see fleet.h).
 */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fiber.h"
#include "fleet.h"
#include "inventory.h"

/* A growing list of names, each once. */
struct names {
	char **v;
	size_t n, cap;
};

static int names_has(const struct names *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return 1;
	return 0;
}

static int names_add(struct names *l, const char *name, struct err *e)
{
	if (names_has(l, name))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(name)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	l->n++;
	return 0;
}

void fleet_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int is_glob(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* add_group - every host of group (or of every group its glob matches). */
static int add_group(const struct inventory *inv, const char *group, struct names *out,
		     struct err *e)
{
	const struct inv_host **hosts;
	size_t n;
	int found = 0;

	if (strcmp(group, "all") == 0) {
		for (size_t i = 0; inv && i < inv->n_hosts; i++)
			if (names_add(out, inv->hosts[i].name, e) < 0)
				return -1;
		return 0;
	}
	for (size_t g = 0; inv && g < inv->n_groups; g++) {
		if (fnmatch(group, inv->groups[g].name, 0) != 0)
			continue;
		found = 1;
		if (inventory_group_hosts(inv, inv->groups[g].name, &hosts, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (names_add(out, hosts[i]->name, e) < 0) {
				free(hosts);
				return -1;
			}
		free(hosts);
	}
	if (!found)
		return err_set(e, ERR_NOTFOUND, "no group %s in %s", group,
			       inv ? inv->file : "the inventory (none given: --inventory FILE)");
	return 0;
}

/* add_term - a -H value (hosts only) or a --limit term (groups and
 * hosts): a name or a glob. A plain name that is neither is a host for
 * ssh_config or DNS; a glob must match something. */
static int add_term(const struct inventory *inv, const char *term, struct names *out,
		    int hosts_only, struct err *e)
{
	size_t before = out->n;

	if (!hosts_only && inv) {
		if (strcmp(term, "all") == 0)
			return add_group(inv, term, out, e);
		for (size_t g = 0; g < inv->n_groups; g++)
			if (fnmatch(term, inv->groups[g].name, 0) == 0 &&
			    add_group(inv, inv->groups[g].name, out, e) < 0)
				return -1;
	}
	for (size_t i = 0; inv && i < inv->n_hosts; i++)
		if (fnmatch(term, inv->hosts[i].name, 0) == 0 &&
		    names_add(out, inv->hosts[i].name, e) < 0)
			return -1;
	if (out->n > before || names_has(out, term))
		return 0;
	if (is_glob(term))
		return err_set(e, ERR_NOTFOUND, "%s matches no %s", term,
			       hosts_only ? "host" : "host or group");
	return names_add(out, term, e);
}

/* apply_limit - keep what the --limit pattern selects, in the current order. */
static int apply_limit(const struct inventory *inv, const char *limit, struct names *sel,
		       struct err *e)
{
	struct names plus = { 0 };
	char *copy = strdup(limit), *save = NULL;
	int rc = -1, any_plus = 0;

	if (copy == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (char *t = strtok_r(copy, ":,", &save); t; t = strtok_r(NULL, ":,", &save)) {
		struct names one = { 0 };
		size_t keep = 0;

		if (*t == '\0')
			continue;
		if (add_term(inv, *t == '!' || *t == '&' ? t + 1 : t, &one, 0, e) < 0) {
			fleet_names_free(one.v, one.n);
			goto out;
		}
		if (*t == '!' || *t == '&') {
			for (size_t i = 0; i < sel->n; i++) {
				int in = names_has(&one, sel->v[i]);

				if ((*t == '!') != in)
					sel->v[keep++] = sel->v[i];
				else
					free(sel->v[i]);
			}
			sel->n = keep;
		} else {
			any_plus = 1;
			for (size_t i = 0; i < one.n; i++)
				if (names_add(&plus, one.v[i], e) < 0) {
					fleet_names_free(one.v, one.n);
					goto out;
				}
		}
		fleet_names_free(one.v, one.n);
	}
	if (any_plus) {
		size_t keep = 0;

		for (size_t i = 0; i < sel->n; i++) {
			if (names_has(&plus, sel->v[i]))
				sel->v[keep++] = sel->v[i];
			else
				free(sel->v[i]);
		}
		sel->n = keep;
	}
	rc = 0;
out:
	fleet_names_free(plus.v, plus.n);
	free(copy);
	return rc;
}

int fleet_select(const struct inventory *inv, const struct fleet_sel *sel, char ***names,
		 size_t *n, struct err *e)
{
	struct names out = { 0 };

	*names = NULL;
	*n = 0;
	for (size_t i = 0; i < sel->n_groups; i++)
		if (add_group(inv, sel->groups[i], &out, e) < 0)
			goto fail;
	for (size_t i = 0; i < sel->n_hosts; i++)
		if (add_term(inv, sel->hosts[i], &out, 1, e) < 0)
			goto fail;
	if (sel->limit && apply_limit(inv, sel->limit, &out, e) < 0)
		goto fail;
	if (out.n == 0) {
		err_set(e, ERR_NOTFOUND, "no host selected%s%s", sel->limit ? " by --limit " : "",
			sel->limit ? sel->limit : "");
		goto fail;
	}
	*names = out.v;
	*n = out.n;
	return 0;
fail:
	fleet_names_free(out.v, out.n);
	return -1;
}

/* --- running ------------------------------------------------------------ */

struct fleet_state {
	struct fiber_loop *loop;
	struct fleet_job *jobs;
	size_t n, next, done;
	fleet_job_fn fn;
	const struct fleet_run_opts *o;
	int timeout_ms;
	struct err spawn_err;
	int spawn_failed;
};

struct fleet_slot {
	struct fleet_state *st;
	struct fleet_job *job;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int spawn_next(struct fleet_state *st);

static void job_main(void *arg)
{
	struct fleet_slot *slot = arg;
	struct fleet_state *st = slot->st;

	st->fn(slot->job);
	st->done++;
	if (st->o && st->o->progress)
		st->o->progress(st->o->progress_arg, st->done, st->n, slot->job);
	free(slot);
	/* this host's slot goes to the next host */
	spawn_next(st);
}

static int spawn_next(struct fleet_state *st)
{
	struct fleet_slot *slot;
	struct fleet_job *job;
	struct fiber_stdio io;

	if (st->next >= st->n || st->spawn_failed)
		return 0;
	job = &st->jobs[st->next++];
	slot = malloc(sizeof(*slot));
	if (slot == NULL) {
		st->spawn_failed = 1;
		return err_set(&st->spawn_err, ERR_NOMEM, "out of memory");
	}
	slot->st = st;
	slot->job = job;
	io.in = job->in;
	io.out = job->out;
	io.err = job->err;
	if (fiber_spawn(st->loop, job_main, slot, mono_ms() + st->timeout_ms, &io,
			&st->spawn_err) < 0) {
		free(slot);
		st->spawn_failed = 1;
		return -1;
	}
	return 0;
}

/* raise_fd_limit - a socket per host in flight, and the console keeps
 * every host's connection between rounds: the soft limit on descriptors
 * (often 1,024) goes up to the hard one (often 524,288) when n hosts
 * could use more than it leaves. */
static void raise_fd_limit(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= rl.rlim_max || (rlim_t)n + 64 <= rl.rlim_cur)
		return;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

int fleet_run(struct fleet_job *jobs, size_t n, fleet_job_fn fn, const struct fleet_run_opts *o,
	      struct err *e)
{
	struct fleet_state st = { 0 };
	size_t parallel = o && o->parallel ? o->parallel : FLEET_PARALLEL;
	int rc;

	st.jobs = jobs;
	st.n = n;
	st.fn = fn;
	st.o = o;
	st.timeout_ms = o && o->host_timeout_ms ? o->host_timeout_ms : FLEET_HOST_TIMEOUT_MS;
	err_clear(&st.spawn_err);
	raise_fd_limit(n);
	if ((st.loop = fiber_loop_new(e)) == NULL)
		return -1;
	for (size_t i = 0; i < parallel && i < n; i++)
		if (spawn_next(&st) < 0)
			break;
	rc = fiber_loop_run(st.loop, e);
	fiber_loop_free(st.loop);
	if (rc == 0 && st.spawn_failed) {
		*e = st.spawn_err;
		rc = -1;
	}
	return rc;
}
