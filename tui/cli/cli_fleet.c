/*
 * cli_fleet - one command on many relays (see cli_fleet.h).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_fleet.h"
#include "cli_queue.h"
#include "queue_shape.h"
#include "fleet.h"
#include "inventory.h"
#include "json.h"
#include "rollout.h"
#include "samegroup.h"
#include "secret.h"

/* What one host's run left behind. */
struct host_run {
	const struct cli_opts *o;
	int argc;
	char **argv;
	char *out, *err;	/* captured stdout and stderr */
	size_t out_len, err_len;
	int exit_code;
	struct err last;	/* the error it reported, if any */
	int ran;		/* 0: not reached (a rollout stopped before it) */
	int canary;		/* the rollout's canary: its apply probes after */
	const struct cli_collect *collect;	/* merged results, or NULL */
	const struct inventory *inv;	/* read once for every host */
};

/* A change rolled out host by host: `apply --canary HOST --batch N
 * [--continue-on-error]`. The canary is applied alone first; if it fails
 * (its apply's own checks: postfix check, postconf, reload, with the
 * rollback apply does on failure; then the relay's probe of its smart
 * host, core/canary, its backup put back when that fails), no other
 * host is touched. The others
 * follow in batches of N, each batch in parallel; after a batch with a
 * failure the rest are left as they are (their edits stay staged) unless
 * --continue-on-error. */
struct rollout {
	const char *canary;
	size_t batch;		/* 0: every host in one batch */
	int continue_on_error;
};

int cli_fleet_wanted(const struct cli_opts *o)
{
	return o->n_groups > 0 || o->n_hosts > 1 || o->limit != NULL ||
	       (o->host != NULL && strpbrk(o->host, "*?") != NULL);
}

static void host_job(struct fleet_job *job)
{
	struct host_run *r = job->arg;
	struct cli_opts oh = *r->o;

	oh.host = job->host;
	oh.n_hosts = 0;
	oh.n_groups = 0;
	oh.limit = NULL;
	oh.fleet = 1;
	oh.canary = r->canary;
	oh.inv = r->inv;
	oh.last_err = &r->last;
	oh.collect = r->collect;
	err_clear(&r->last);
	r->ran = 1;
	r->exit_code = cli_run(&oh, r->argc, r->argv);
	fflush(stdout);
	fflush(stderr);
}

/* The queue's shape and reason groups of every host, merged: `-g G
 * queue shape` prints one qshape table for the fleet, `queue reasons`
 * one list of groups with the number of relays each was seen on. */
struct merged {
	struct queue_shape shape;
	int have_shape;
	unsigned mask;
	const char *source;	/* a string literal of cli_queue */
	struct cli_reason_row *rows;
	size_t nrows, alloc;
	size_t recipients, messages, hosts;
};

static int merge_shape(void *arg, const struct queue_shape *s, unsigned mask, const char *source)
{
	struct merged *m = arg;
	struct err e;

	if (!m->have_shape) {
		if (queue_shape_init(&m->shape, s->by_sender, s->now) < 0)
			return -1;
		m->have_shape = 1;
		m->mask = mask;
		m->source = source;
	}
	m->hosts++;
	return queue_shape_merge(&m->shape, s, &e);
}

static int merge_reasons(void *arg, const struct queue_reasons *rs)
{
	struct merged *m = arg;

	m->hosts++;
	m->recipients += rs->recipients;
	m->messages += rs->messages;
	for (size_t g = 0; g < rs->ngroups; g++) {
		const struct queue_reason_group *gr = &rs->groups[g];
		size_t i = 0;

		while (i < m->nrows && strcmp(m->rows[i].text, gr->text) != 0)
			i++;
		if (i == m->nrows) {
			if (m->nrows == m->alloc) {
				size_t na = m->alloc ? m->alloc * 2 : 32;
				struct cli_reason_row *nr = realloc(m->rows, na * sizeof(*nr));

				if (nr == NULL)
					return -1;
				m->rows = nr;
				m->alloc = na;
			}
			memset(&m->rows[i], 0, sizeof(m->rows[i]));
			/* the host's queue and its pool go away when its command ends */
			m->rows[i].text = strdup(gr->text);
			m->rows[i].example = strdup(gr->example);
			if (m->rows[i].text == NULL || m->rows[i].example == NULL) {
				free((char *)m->rows[i].text);
				free((char *)m->rows[i].example);
				return -1;
			}
			m->nrows++;
		}
		m->rows[i].recipients += gr->recipients;
		m->rows[i].messages += gr->messages;
		m->rows[i].hosts++;
	}
	return 0;
}

static int by_messages(const void *a, const void *b)
{
	const struct cli_reason_row *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	if (x->recipients != y->recipients)
		return x->recipients < y->recipients ? 1 : -1;
	return strcmp(x->text, y->text);
}

static void print_merged(const struct cli_opts *o, struct merged *m)
{
	if (m->have_shape) {
		queue_shape_sort(&m->shape);
		cli_queue_print_shape(o, &m->shape, m->mask, m->source);
	} else if (m->rows != NULL || m->hosts > 0) {
		qsort(m->rows, m->nrows, sizeof(*m->rows), by_messages);
		cli_queue_print_reasons(o, m->rows, m->nrows, m->recipients, m->messages, m->hosts);
	}
}

static void merged_free(struct merged *m)
{
	if (m->have_shape)
		queue_shape_free(&m->shape);
	for (size_t i = 0; i < m->nrows; i++) {
		free((char *)m->rows[i].text);
		free((char *)m->rows[i].example);
	}
	free(m->rows);
}

/* print_text - every line of text, "HOST: " before it. */
static void print_text(FILE *to, const char *host, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		fprintf(to, "%s: %.*s\n", host, (int)n, p);
		p += n + (nl != NULL);
	}
}

/* print_json - each line of the host's JSON output (one object a line,
 * as core/json writes them) with "host" as its first key. The bytes of
 * the object are kept; show's output already starts with its "host". */
static void print_json(FILE *to, const char *host, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct buf name = BUF_INIT;
	struct json j;

	json_init(&j, &name);
	json_str(&j, host);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= 2 && p[0] == '{' && strncmp(p, "{\"host\":", 8) != 0)
			fprintf(to, "{\"host\":%s%s%.*s\n", name.data, p[1] == '}' ? "" : ",",
				(int)(n - 1), p + 1);
		else if (n > 0)
			fprintf(to, "%.*s\n", (int)n, p);
		p += n + (nl != NULL);
	}
	buf_free(&name);
}

static const char *status_of(const struct host_run *r)
{
	if (!r->ran)
		return "skipped";
	if (r->exit_code == 0)
		return "ok";
	if (r->last.code != ERR_OK)
		return err_code_name(r->last.code);
	return "failed";
}

/* Where finished hosts are printed: the process's streams, saved before
 * the run (while a host's job runs, stdout and stderr are its own). */
struct printer {
	const struct cli_opts *o;
	FILE *out, *err;
	int grouped;		/* keep stdout; print it grouped at the end */
};

/* host_done - print a host's output as soon as it is done. */
static void host_done(void *arg, size_t done, size_t total, const struct fleet_job *job)
{
	const struct printer *pr = arg;
	struct host_run *r = job->arg;

	(void)done;
	(void)total;
	if (job->in)
		fclose(job->in);
	fclose(job->out);
	fclose(job->err);
	print_text(pr->err, job->host, r->err, r->err_len);
	free(r->err);
	r->err = NULL;
	if (pr->grouped)
		return;
	if (pr->o->json)
		print_json(pr->out, job->host, r->out, r->out_len);
	else
		print_text(pr->out, job->host, r->out, r->out_len);
	fflush(pr->out);
	free(r->out);
	r->out = NULL;
}

/* print_grouped - hosts whose output is the same byte for byte, once:
 * "== 38 hosts: a, b, ... ==" and their output (a fleet's `diff`: which
 * hosts a change set changes alike). Hosts without output are left out. */
static void print_grouped(FILE *to, struct fleet_job *jobs, struct host_run *runs, size_t n)
{
	const char **text = calloc(n ? n : 1, sizeof(*text));
	size_t *len = calloc(n ? n : 1, sizeof(*len));
	struct same_group *g = NULL;
	size_t ng = 0;
	struct err e;

	for (size_t i = 0; text && len && i < n; i++) {
		text[i] = runs[i].out;
		len[i] = runs[i].out_len;
	}
	if (text && len && same_groups(text, len, n, &g, &ng, &e) == 0)
		for (size_t k = 0; k < ng; k++) {
			const struct host_run *r = &runs[g[k].members[0]];

			fprintf(to, "== %zu host%s: ", g[k].n, g[k].n == 1 ? "" : "s");
			for (size_t m = 0; m < g[k].n && m < 20; m++)
				fprintf(to, "%s%s", m ? ", " : "", jobs[g[k].members[m]].host);
			fprintf(to, "%s ==\n", g[k].n > 20 ? ", ..." : "");
			fwrite(r->out, 1, r->out_len, to);
			if (r->out[r->out_len - 1] != '\n')
				fputc('\n', to);
		}
	same_groups_free(g, ng);
	free(text);
	free(len);
}

static void print_summary(const struct cli_opts *o, struct fleet_job *jobs, struct host_run *runs,
			  size_t n, size_t failed)
{
	if (o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "summary");
		json_obj_begin(&j);
		json_kv_int(&j, "hosts", (long long)n);
		size_t skipped = 0;

		for (size_t i = 0; i < n; i++)
			skipped += !runs[i].ran;
		json_kv_int(&j, "ok", (long long)(n - failed - skipped));
		json_kv_int(&j, "failed", (long long)failed);
		json_kv_int(&j, "skipped", (long long)skipped);
		json_key(&j, "results");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_kv_str(&j, "host", jobs[i].host);
			json_kv_str(&j, "status", status_of(&runs[i]));
			json_kv_int(&j, "exit", runs[i].exit_code);
			if (runs[i].exit_code != 0 && runs[i].last.code != ERR_OK)
				json_kv_str(&j, "message", runs[i].last.msg);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_obj_end(&j);
		printf("%s\n", b.data);
		buf_free(&b);
		return;
	}
	size_t skipped = 0;

	for (size_t i = 0; i < n; i++)
		skipped += !runs[i].ran;
	fprintf(stderr, "relaydeck: %zu hosts: %zu ok, %zu failed", n, n - failed - skipped, failed);
	if (skipped)
		fprintf(stderr, ", %zu skipped (not reached, or nothing to do there)", skipped);
	for (size_t i = 0, shown = 0; i < n && shown < 20; i++)
		if (runs[i].ran && runs[i].exit_code != 0) {
			fprintf(stderr, "%s%s (%s)", shown ? ", " : ": ", jobs[i].host,
				status_of(&runs[i]));
			shown++;
		}
	fprintf(stderr, failed > 20 ? ", ...\n" : "\n");
}

/* ids_of_host - "-" in a queue action on several hosts: stdin holds the
 * IDs of every host, one a line as "HOST ID", "HOST:ID", or a line of
 * `queue list --json` on several hosts ({"host":"...",...,"id":"..."});
 * each host gets its own lines on its own stdin. Lines of other hosts
 * and lines that name no host are not sent anywhere (counted). */
struct host_ids {
	char **text;		/* per host: its IDs, one a line */
	size_t *len;
	size_t unknown;		/* lines for no selected host */
};

/* json_field - the string value of "key":"..." in one line of our own
 * JSON output (no escapes in host names and queue IDs), into out. */
static int json_field(const char *line, const char *key, char *out, size_t outlen)
{
	char pat[32];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if ((p = strstr(line, pat)) == NULL)
		return -1;
	p += strlen(pat);
	end = strchr(p, '"');
	if (end == NULL || (size_t)(end - p) >= outlen || memchr(p, '\\', (size_t)(end - p)))
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

static int read_host_ids(FILE *in, char **names, size_t n, struct host_ids *ids, struct err *e)
{
	char line[4096];

	ids->text = calloc(n ? n : 1, sizeof(*ids->text));
	ids->len = calloc(n ? n : 1, sizeof(*ids->len));
	ids->unknown = 0;
	if (ids->text == NULL || ids->len == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	while (fgets(line, sizeof(line), in)) {
		char host[512], id[64];
		size_t h;
		char *tmp;

		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "{\"summary\":", 11) == 0)
			continue;	/* the last line of a fleet run */
		if (line[0] == '{') {
			if (json_field(line, "host", host, sizeof(host)) < 0 ||
			    json_field(line, "id", id, sizeof(id)) < 0) {
				ids->unknown++;
				continue;
			}
		} else if (sscanf(line, "%511[^: \t]%*[: \t]%63s", host, id) != 2) {
			if (line[strspn(line, " \t")] != '\0')
				ids->unknown++;
			continue;
		}
		for (h = 0; h < n && strcmp(names[h], host) != 0; h++)
			;
		if (h == n) {
			ids->unknown++;
			continue;
		}
		tmp = realloc(ids->text[h], ids->len[h] + strlen(id) + 2);
		if (tmp == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		ids->text[h] = tmp;
		ids->len[h] += (size_t)sprintf(tmp + ids->len[h], "%s\n", id);
	}
	return 0;
}

static void host_ids_free(struct host_ids *ids, size_t n)
{
	for (size_t i = 0; ids->text && i < n; i++)
		free(ids->text[i]);
	free(ids->text);
	free(ids->len);
}

/* ids_from_stdin - a queue action whose IDs come from "-". */
static int ids_from_stdin(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[0], "queue") != 0 || strcmp(argv[1], "list") == 0 ||
	    strcmp(argv[1], "shape") == 0 || strcmp(argv[1], "reasons") == 0)
		return 0;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return 1;
	return 0;
}

/* secret_for_all - `--password-file -` on several hosts: the password is
 * read from stdin once and put in a memory file (memfd, 0600, never on
 * disk, never in argv); every host reads it as --password-file
 * /proc/self/fd/N. Returns the memfd (the caller closes it), -2 when the
 * command reads no password from stdin, -1 on error. */
static int secret_for_all(int argc, char **argv, char *path, size_t pathlen, struct err *e)
{
	struct secret sec = { 0 };
	int fd, at = -1;

	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--password-file") == 0 && strcmp(argv[i + 1], "-") == 0)
			at = i + 1;
	if (at < 0)
		return -2;
	if (secret_read_fd(STDIN_FILENO, "password (stdin)", &sec, e) < 0)
		return -1;
	fd = memfd_create("relaydeck-password", MFD_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) < 0 || write(fd, sec.data, sec.len) != (ssize_t)sec.len ||
	    write(fd, "\n", 1) != 1) {
		err_sys(e, "keep the password for every host");
		if (fd >= 0)
			close(fd);
		secret_free(&sec);
		return -1;
	}
	secret_free(&sec);
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	argv[at] = path;
	return fd;
}

/* take_rollout - pull --canary, --batch and --continue-on-error out of
 * an apply's arguments (the rest go to each host's apply). */
static int take_rollout(int *argc, char **argv, struct rollout *ro, struct err *e)
{
	int n = 1;

	memset(ro, 0, sizeof(*ro));
	if (strcmp(argv[0], "apply") != 0)
		return 0;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--canary") == 0 || strcmp(argv[i], "--batch") == 0) {
			if (i + 1 >= *argc)
				return err_set(e, ERR_USAGE, "%s needs a value", argv[i]);
			if (argv[i][2] == 'c') {
				ro->canary = argv[++i];
			} else {
				char *end;
				long b = strtol(argv[++i], &end, 10);

				if (*end != '\0' || b < 1 || b > 100000)
					return err_set(e, ERR_USAGE, "--batch: a number of hosts, 1 or more");
				ro->batch = (size_t)b;
			}
		} else if (strcmp(argv[i], "--continue-on-error") == 0) {
			ro->continue_on_error = 1;
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	argv[n] = NULL;
	return 0;
}

static int run_failed(const struct fleet_job *job)
{
	return ((const struct host_run *)job->arg)->exit_code != 0;
}

/* run_rollout - the canary, then batches (remote/rollout). The canary is
 * jobs[0] when there is one. */
static int run_rollout(struct fleet_job *jobs, struct host_run *runs, size_t n,
		       const struct rollout *rl, struct fleet_run_opts *fo, struct err *e)
{
	struct fleet_rollout r = { rl->canary != NULL, rl->batch, rl->continue_on_error,
				   run_failed };

	if (rl->canary && n > 0)
		runs[0].canary = 1;
	return fleet_rollout(jobs, n, host_job, &r, fo, e);
}

int cli_fleet_run(const struct cli_opts *o, int argc, char **argv)
{
	struct host_ids ids = { 0 };
	int by_ids = ids_from_stdin(argc, argv);
	char secret_path[64];
	int secret_fd = -2;
	struct merged merged = { 0 };
	struct cli_collect collect = { 0 };
	struct rollout rl;
	struct inventory *inv = NULL;
	struct fleet_sel sel = { 0 };
	struct fleet_run_opts ro = { 0 };
	struct printer pr;
	struct fleet_job *jobs = NULL;
	struct host_run *runs = NULL;
	char **names = NULL;
	size_t n = 0, failed = 0;
	struct err e;
	int status = EXIT_FAILED;

	err_clear(&e);
	if (take_rollout(&argc, argv, &rl, &e) < 0)
		goto fail;
	if ((secret_fd = secret_for_all(argc, argv, secret_path, sizeof(secret_path), &e)) == -1)
		goto fail;
	if (cli_load_inventory(o, &inv, &e) < 0)
		goto fail;
	sel.groups = o->groups;
	sel.n_groups = (size_t)o->n_groups;
	sel.hosts = o->hosts;
	sel.n_hosts = (size_t)o->n_hosts;
	sel.limit = o->limit;
	if (fleet_select(inv, &sel, &names, &n, &e) < 0)
		goto fail;
	if (rl.canary) {
		size_t c = 0;

		while (c < n && strcmp(names[c], rl.canary) != 0)
			c++;
		if (c == n) {
			err_set(&e, ERR_USAGE, "--canary %s is not one of the selected hosts", rl.canary);
			goto fail;
		}
		/* the canary goes first */
		{
			char *canary = names[c];

			memmove(names + 1, names, c * sizeof(*names));
			names[0] = canary;
		}
	}
	jobs = calloc(n, sizeof(*jobs));
	runs = calloc(n, sizeof(*runs));
	if (jobs == NULL || runs == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (argc >= 2 && strcmp(argv[0], "queue") == 0) {
		if (strcmp(argv[1], "shape") == 0)
			collect.shape = merge_shape;
		else if (strcmp(argv[1], "reasons") == 0)
			collect.reasons = merge_reasons;
		collect.arg = &merged;
	}
	if (by_ids && read_host_ids(stdin, names, n, &ids, &e) < 0)
		goto fail;
	if (by_ids && ids.unknown)
		fprintf(stderr, "relaydeck: %zu line%s of stdin named no selected host (HOST ID, "
			"HOST:ID or queue list --json lines): ignored\n", ids.unknown,
			ids.unknown == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		if (by_ids && ids.len[i] == 0) {
			runs[i].ran = 0;	/* no ID for it: nothing to do there */
			jobs[i].host = names[i];
			jobs[i].arg = &runs[i];
			continue;
		}
		runs[i].collect = collect.shape || collect.reasons ? &collect : NULL;
		runs[i].o = o;
		runs[i].inv = inv;
		runs[i].argc = argc;
		runs[i].argv = argv;
		jobs[i].host = names[i];
		jobs[i].arg = &runs[i];
		if (by_ids && (jobs[i].in = fmemopen(ids.text[i], ids.len[i], "r")) == NULL) {
			err_sys(&e, "IDs for %s", names[i]);
			goto fail;
		}
		jobs[i].out = open_memstream(&runs[i].out, &runs[i].out_len);
		jobs[i].err = open_memstream(&runs[i].err, &runs[i].err_len);
		if (jobs[i].out == NULL || jobs[i].err == NULL) {
			err_sys(&e, "capture the output of %s", names[i]);
			for (size_t k = 0; k <= i; k++) {
				if (jobs[k].out)
					fclose(jobs[k].out);
				if (jobs[k].err)
					fclose(jobs[k].err);
				free(runs[k].out);
				free(runs[k].err);
			}
			goto fail;
		}
	}
	ro.parallel = o->parallel > 0 ? (size_t)o->parallel : 0;
	ro.host_timeout_ms = o->host_timeout_ms;
	pr.o = o;
	pr.out = stdout;
	pr.err = stderr;
	pr.grouped = !o->json && strcmp(argv[0], "diff") == 0;
	ro.progress = host_done;
	ro.progress_arg = &pr;
	if (by_ids) {
		/* only the hosts stdin named IDs for */
		size_t m = 0;
		struct fleet_job *some = calloc(n ? n : 1, sizeof(*some));

		if (some == NULL) {
			err_set(&e, ERR_NOMEM, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < n; i++)
			if (jobs[i].out)
				some[m++] = jobs[i];
		if (fleet_run(some, m, host_job, &ro, &e) < 0) {
			free(some);
			goto fail;
		}
		free(some);
	} else if ((strcmp(argv[0], "apply") == 0 ? run_rollout(jobs, runs, n, &rl, &ro, &e)
						  : fleet_run(jobs, n, host_job, &ro, &e)) < 0) {
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (!runs[i].ran) {
			/* not reached: its streams were never used */
			if (jobs[i].in)
				fclose(jobs[i].in);
			if (jobs[i].out)
				fclose(jobs[i].out);
			if (jobs[i].err)
				fclose(jobs[i].err);
			free(runs[i].out);
			free(runs[i].err);
		} else if (runs[i].exit_code != 0) {
			failed++;
		}
	}
	print_merged(o, &merged);
	if (pr.grouped)
		print_grouped(stdout, jobs, runs, n);
	print_summary(o, jobs, runs, n, failed);
	status = failed > 125 ? 125 : (int)failed;
	goto out;
fail:
	cli_report_error(o, &e);
	status = cli_exit_code(&e);
out:
	if (secret_fd >= 0)
		close(secret_fd);
	for (size_t i = 0; runs && i < n; i++)
		if (runs[i].ran)
			free(runs[i].out);	/* grouped output, or NULL */
	host_ids_free(&ids, n);
	merged_free(&merged);
	free(jobs);
	free(runs);
	fleet_names_free(names, n);
	inventory_free(inv);
	return status;
}

int cli_fleet_select(const struct cli_opts *o, struct inventory **inv, char ***names, size_t *n,
		     struct err *e)
{
	struct fleet_sel sel = { 0 };

	*names = NULL;
	*n = 0;
	if (cli_load_inventory(o, inv, e) < 0)
		return -1;
	sel.groups = o->groups;
	sel.n_groups = (size_t)o->n_groups;
	sel.hosts = o->hosts;
	sel.n_hosts = (size_t)o->n_hosts;
	sel.limit = o->limit;
	if (fleet_select(*inv, &sel, names, n, e) < 0) {
		inventory_free(*inv);
		*inv = NULL;
		return -1;
	}
	return 0;
}

struct target *cli_fleet_open(void *arg, const char *host, struct err *e)
{
	struct cli_opts oh = *(const struct cli_opts *)arg;

	oh.host = host;
	oh.n_hosts = 0;
	oh.n_groups = 0;
	oh.limit = NULL;
	return cli_connect_target(&oh, e);	/* the console recovers on screen */
}
