/*
 * postfix - the host's own Postfix tools, run through the target. See
 * postfix.h.
 *
 * Every command carries "-c config_dir". Deadlines: 10 s for postconf,
 * 30 s for postfix check/reload/status and postmap. Postfix prints its
 * warnings on stderr; they are handed back line by line so that the
 * change set can tell old warnings from new ones (pfdiag). When a tool
 * fails, the error quotes Postfix's own reason: its fatal line, not the
 * first of the warnings before it.
 *
 * Errors: ERR_RUN (program failed, Postfix's reason quoted), ERR_TIMEOUT,
 * and whatever target_run reports.
 */
#include "config.h"
#include "postfix.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maincf.h"
#include "pfdiag.h"
#include "secrecy.h"
#include "target.h"

#define POSTCONF_MS 10000
#define POSTFIX_MS 30000

/* append_lines - add text to warnings, ending with a newline. */
static void append_lines(struct buf *warnings, const struct buf *text)
{
	if (warnings == NULL || text->len == 0)
		return;
	buf_append(warnings, text->data, text->len);
	if (text->data[text->len - 1] != '\n')
		buf_putc(warnings, '\n');
}

/* run_ok - run a Postfix tool named what; 0 when it exits 0, else -1 with
 * its reason in e. A tool logging to maillog_file = /dev/stdout says it
 * on stdout. *said (may be NULL) tells whether the output held a fatal,
 * panic or error message; when not, e quotes its last line, if any. */
static int run_ok(struct target *t, const char *what, const char *const *argv,
		  struct run_out *o, int ms, int *said, struct err *e)
{
	char why[400];
	int found;

	if (said)
		*said = 0;
	if (target_run(t, argv, NULL, o, ms, e) < 0)
		return -1;
	if (o->timed_out)
		return err_set(e, ERR_TIMEOUT, "%s: no answer within %d ms", what, ms);
	if (o->exit_code == 0)
		return 0;
	if (o->term_signal)
		return err_set(e, ERR_RUN, "%s: killed by signal %d", what, o->term_signal);
	if (!(found = pfdiag_reason(o->err.data, o->err.len, why, sizeof(why)))) {
		char out[400];

		if ((found = pfdiag_reason(o->out.data, o->out.len, out, sizeof(out))) || !why[0])
			memcpy(why, out, sizeof(why));
	}
	if (said)
		*said = found;
	if (why[0])
		return err_set(e, ERR_RUN, "%s failed: %s", what, why);
	return err_set(e, ERR_RUN, "%s failed (exit %d) and gave no reason here; Postfix logged "
		       "it to syslog or its maillog_file", what, o->exit_code);
}

/* postfix_conf_n - postconf -n; stderr lines are warnings. */
int postfix_conf_n(struct target *t, struct buf *out, struct buf *warnings, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-n", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = run_ok(t, "postconf -n", argv, &o, POSTCONF_MS, NULL, e);
	if (r == 0 && out)
		r = buf_append(out, o.out.data, o.out.len) < 0
			? err_set(e, ERR_LIMIT, "postconf -n: output too large") : 0;
	append_lines(warnings, &o.err);
	run_out_free(&o);
	return r;
}

/* postfix_conf_nx - postconf -n -x: the set parameters, every $name expanded. */
int postfix_conf_nx(struct target *t, struct buf *out, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-n", "-x", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = run_ok(t, "postconf -n -x", argv, &o, POSTCONF_MS, NULL, e);
	if (r == 0)
		r = buf_append(out, o.out.data, o.out.len) < 0
			? err_set(e, ERR_LIMIT, "postconf -n -x: output too large") : 0;
	run_out_free(&o);
	return r;
}

/* postfix_conf_value - find "name = value" (or "name =") in postconf output. */
int postfix_conf_value(const char *text, const char *name, struct buf *out)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len >= n + 2 && strncmp(p, name, n) == 0 && strncmp(p + n, " =", 2) == 0) {
			const char *v = p + n + 2;

			if (*v == ' ')
				v++;
			buf_reset(out);
			return buf_append(out, v, (size_t)(p + len - v));
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

/* conf_line_name - where the name on a "name = value" / "name =" line
 * starts (always 0) and its length, or 0 when the line is not one. */
static size_t conf_line_name(const char *p, size_t len, const char *phrase, size_t *start)
{
	size_t n = 0;

	*start = 0;
	(void)phrase;
	while (n < len && p[n] != ' ' && p[n] != '=' && p[n] != '\t')
		n++;
	if (n == 0 || n + 2 > len || p[n] != ' ' || p[n + 1] != '=' ||
	    (n + 2 < len && p[n + 2] != ' '))
		return 0;
	return n;
}

/* warn_line_name - where NAME starts on a "...PHRASE: NAME=value" line, and
 * its length, or 0. */
static size_t warn_line_name(const char *p, size_t len, const char *phrase, size_t *start)
{
	size_t pl = strlen(phrase), n;

	for (size_t i = 0; i + pl + 2 <= len; i++) {
		if (memcmp(p + i, phrase, pl) != 0 || p[i + pl] != ':' || p[i + pl + 1] != ' ')
			continue;
		*start = i + pl + 2;
		for (n = 0; *start + n < len && p[*start + n] != '='; n++)
			;
		return *start + n < len ? n : 0;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* collect_names - the names line_name finds on the lines of text, sorted,
 * without repeats, in one malloc'd block. */
static int collect_names(const char *text, size_t len, const char *phrase,
			 size_t (*line_name)(const char *, size_t, const char *, size_t *),
			 const char ***names, size_t *count, struct err *e)
{
	const char *p, *end = text ? text + len : NULL;
	const char **v;
	char *s;
	size_t n = 0, bytes = 0, k = 0, st;

	*names = NULL;
	*count = 0;
	/* One pass to size the block, one to fill it. */
	for (p = text; p && p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p), nl = line_name(p, l, phrase, &st);

		if (nl) {
			n++;
			bytes += nl + 1;
		}
		p = eol ? eol + 1 : end;
	}
	if ((v = malloc((n + 1) * sizeof(*v) + bytes + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "postconf: out of memory");
	s = (char *)(v + n + 1);
	for (p = text; p && p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p), nl = line_name(p, l, phrase, &st);

		if (nl) {
			memcpy(s, p + st, nl);
			s[nl] = '\0';
			v[k++] = s;
			s += nl + 1;
		}
		p = eol ? eol + 1 : end;
	}
	qsort(v, k, sizeof(*v), cmp_names);
	n = 0;
	for (size_t i = 0; i < k; i++)
		if (n == 0 || strcmp(v[n - 1], v[i]) != 0)
			v[n++] = v[i];
	*names = v;
	*count = n;
	return 0;
}

/* postfix_conf_names - names of postconf -n output; see postfix.h. */
int postfix_conf_names(const char *text, size_t len, const char ***names, size_t *count,
		       struct err *e)
{
	return collect_names(text, len, NULL, conf_line_name, names, count, e);
}

/* postfix_warned_names - names quoted by one kind of warning; see postfix.h.
 * The text may be megabytes of "overriding earlier entry" warnings: the
 * phrase is found with memmem over the whole text, not line by line. */
int postfix_warned_names(const char *text, size_t len, const char *phrase, const char ***names,
			 size_t *count, struct err *e)
{
	struct buf hits = BUF_INIT;
	const char *p = text, *end = text ? text + len : NULL;
	size_t pl = strlen(phrase);
	int r;

	/* Copy the few matching lines, then collect from those. */
	while (p && p < end && (p = memmem(p, (size_t)(end - p), phrase, pl)) != NULL) {
		const char *bol = p, *eol = memchr(p, '\n', (size_t)(end - p));

		while (bol > text && bol[-1] != '\n')
			bol--;
		eol = eol ? eol + 1 : end;
		if (buf_append(&hits, bol, (size_t)(eol - bol)) < 0) {
			buf_free(&hits);
			return err_set(e, ERR_NOMEM, "postconf: out of memory");
		}
		p = eol;
	}
	r = collect_names(hits.data, hits.len, phrase, warn_line_name, names, count, e);
	buf_free(&hits);
	return r;
}

/* postfix_expand - postconf -x -h NAME, newline trimmed. */
int postfix_expand(struct target *t, const char *name, struct buf *out, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-x", "-h", name, NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = run_ok(t, "postconf -x", argv, &o, POSTCONF_MS, NULL, e);
	if (r == 0) {
		size_t n = o.out.len;

		while (n > 0 && o.out.data[n - 1] == '\n')
			n--;
		if (buf_append(out, o.out.data, n) < 0)
			r = err_set(e, ERR_LIMIT, "postconf %s: output too large", name);
	}
	run_out_free(&o);
	return r;
}

char *postfix_relayhost(struct target *t, const struct maincf *m)
{
	const char *relay = maincf_get(m, "relayhost");
	struct buf x = BUF_INIT;
	struct err ignore;

	if (relay == NULL)
		return strdup("");
	if (strchr(relay, '$') == NULL || postfix_expand(t, "relayhost", &x, &ignore) < 0 ||
	    x.data == NULL) {
		buf_free(&x);
		return strdup(relay);
	}
	return buf_steal(&x);
}

/* postfix_check - postfix check, as root only; again with a terminal as
 * stderr when it failed without saying why. */
int postfix_check(struct target *t, struct buf *warnings, struct err *e)
{
	const char *argv[] = { "postfix", "-c", t->config_dir, "check", NULL };
	struct run_out o;
	int r, said;

	/* `postfix check` is reserved for the superuser. */
	if (!t->is_root)
		return 1;
	if (target_config_trust(t, "postfix check", e) < 0)
		return -1;
	run_out_init(&o);
	/* Pipes: the postconf that check runs prints every main.cf warning
	 * twice, megabytes on a big file, and a pseudo-terminal carries them
	 * at a third of a pipe's speed. */
	r = run_ok(t, "postfix check", argv, &o, POSTFIX_MS, &said, e);
	if (r < 0 && e->code == ERR_RUN && !said) {
		/* `postfix` and postfix-script (postlog) write their messages
		 * to stderr only when it is a terminal. */
		o.stderr_tty = 1;
		r = run_ok(t, "postfix check", argv, &o, POSTFIX_MS, &said, e);
	}
	/* check writes both its own messages and those of the postconf it runs. */
	append_lines(warnings, &o.out);
	append_lines(warnings, &o.err);
	run_out_free(&o);
	return r < 0 ? -1 : 0;
}

void postfix_verdict_init(struct postfix_verdict *v)
{
	memset(v, 0, sizeof(*v));
	err_clear(&v->e);
	buf_init(&v->messages, 0);
}

void postfix_verdict_free(struct postfix_verdict *v)
{
	if (v)
		buf_free(&v->messages);
}

/* One Postfix command of a verdict, run in a thread of its own when the
 * target can run commands side by side. */
struct pf_job {
	struct target *t;
	int (*fn)(struct pf_job *);
	struct buf text;	/* what it printed */
	struct err e;
	int r;
	int skip;		/* not wanted: r stays 0 */
	pthread_t tid;
	int threaded;
};

static int job_check(struct pf_job *j)
{
	return postfix_check(j->t, &j->text, &j->e);
}

static int job_conf(struct pf_job *j)
{
	return postfix_conf_n(j->t, NULL, &j->text, &j->e);
}

static int job_status(struct pf_job *j)
{
	return postfix_running(j->t, &j->e);
}

static void *job_main(void *arg)
{
	struct pf_job *j = arg;

	j->r = j->fn(j);
	return NULL;
}

/* jobs_run - every job not skipped: at once on a target that allows it
 * (one thread each; a thread that cannot start runs its job here), else
 * one after the other in the order given. */
static void jobs_run(struct pf_job *jobs, size_t n)
{
	int par = jobs[0].t->ops->parallel_run;
	struct sigaction ign, old;

	/* local_exec ignores SIGPIPE while it runs and restores what it
	 * found: with several at once, the last to finish would restore
	 * another's "ignore". Ignored around all of them, each finds and
	 * restores "ignore". */
	if (par) {
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &ign, &old);
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].skip)
			continue;
		if (par && pthread_create(&jobs[i].tid, NULL, job_main, &jobs[i]) == 0)
			jobs[i].threaded = 1;
		else
			job_main(&jobs[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (jobs[i].threaded)
			pthread_join(jobs[i].tid, NULL);
	if (par)
		sigaction(SIGPIPE, &old, NULL);
}

/* postfix_verdict_get - postfix check and postconf -n. */
void postfix_verdict_get(struct target *t, struct postfix_verdict *v)
{
	postfix_verdict_status(t, v, NULL, NULL);
}

/* postfix_verdict_status - the verdict, and postfix status when asked;
 * see postfix.h. */
void postfix_verdict_status(struct target *t, struct postfix_verdict *v, int *running,
			    struct err *status_e)
{
	struct pf_job jobs[3];
	struct pf_job *check = &jobs[0], *conf = &jobs[1], *status = &jobs[2];
	struct buf raw = BUF_INIT;
	struct err te;

	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < 3; i++) {
		jobs[i].t = t;
		buf_init(&jobs[i].text, 0);
		err_clear(&jobs[i].e);
	}
	check->fn = job_check;
	conf->fn = job_conf;
	status->fn = job_status;
	buf_reset(&v->messages);
	v->reason[0] = '\0';
	/* A config dir root may not run programs from is not Postfix's
	 * verdict: check is left out, as for a user, and apply says why.
	 * Decided here, before any thread starts: the answer is cached in t. */
	err_clear(&te);
	if (target_config_trust(t, "postfix check", &te) < 0) {
		check->skip = 1;
		check->r = 1;
		/* status would refuse for the same reason */
		if (running) {
			status->skip = 1;
			status->r = -1;
			status->e = te;
		}
	}
	status->skip |= running == NULL;
	jobs_run(jobs, 3);
	v->check = check->r;
	v->conf = conf->r;
	/* check's messages first, then postconf's, as one after the other */
	if (buf_append(&raw, check->text.data ? check->text.data : "", check->text.len) < 0 ||
	    buf_append(&raw, conf->text.data ? conf->text.data : "", conf->text.len) < 0)
		buf_reset(&raw);
	/* "unused parameter: ldap_bind_pw=..." quotes a password */
	secrecy_mask_postfix_text(raw.data ? raw.data : "", raw.len, &v->messages);
	secrecy_mask_postfix_msg(check->e.msg, sizeof(check->e.msg));
	secrecy_mask_postfix_msg(conf->e.msg, sizeof(conf->e.msg));
	buf_free(&raw);
	if (v->check < 0 || v->conf < 0) {
		const struct err *first = v->check < 0 ? &check->e : &conf->e;
		const char *why = strstr(first->msg, " failed: ");

		v->e = *first;
		snprintf(v->reason, sizeof(v->reason), "%.*s", (int)sizeof(v->reason) - 1,
			 why ? why + 9 : first->msg);
	}
	if (running) {
		*running = status->r;
		if (status_e)
			*status_e = status->e;
	}
	for (size_t i = 0; i < 3; i++)
		buf_free(&jobs[i].text);
}

/* postfix_verdict_rejected - check or postconf failed. */
int postfix_verdict_rejected(const struct postfix_verdict *v)
{
	return v->check < 0 || v->conf < 0;
}

/* postfix_running - postfix status: exit 0 means the master runs. */
int postfix_running(struct target *t, struct err *e)
{
	return postfix_running_within(t, POSTFIX_MS, e);
}

/* postfix_running_within - the same, bounded by the caller's budget. */
int postfix_running_within(struct target *t, int timeout_ms, struct err *e)
{
	const char *argv[] = { "postfix", "-c", t->config_dir, "status", NULL };
	struct run_out o;
	int r;

	if (target_config_trust(t, "postfix status", e) < 0)
		return -1;
	run_out_init(&o);
	r = target_run(t, argv, NULL, &o, timeout_ms, e);
	if (r == 0 && o.timed_out)
		r = err_set(e, ERR_TIMEOUT, "postfix status: no answer within %d ms", timeout_ms);
	if (r == 0)
		r = o.exit_code == 0 ? 1 : 0;
	run_out_free(&o);
	return r;
}

/* postfix_ctl - `postfix -c DIR VERB` of a trusted config dir, its stderr
 * on a terminal (where postfix says why it cannot do it). */
static int postfix_ctl(struct target *t, const char *verb, const char *what, struct err *e)
{
	const char *argv[] = { "postfix", "-c", t->config_dir, verb, NULL };
	struct run_out o;
	int r;

	if (target_config_trust(t, what, e) < 0)
		return -1;
	run_out_init(&o);
	o.stderr_tty = 1;
	r = run_ok(t, what, argv, &o, POSTFIX_MS, NULL, e);
	run_out_free(&o);
	return r;
}

int postfix_start(struct target *t, struct err *e)
{
	return postfix_ctl(t, "start", "postfix start", e);
}

int postfix_reload(struct target *t, struct err *e)
{
	return postfix_ctl(t, "reload", "postfix reload", e);
}

/* postfix_postmap - postmap [TYPE:]PATH. */
int postfix_postmap(struct target *t, const char *type, const char *path, struct err *e)
{
	char spec[4096];
	const char *argv[] = { "postmap", "-c", t->config_dir, spec, NULL };
	struct run_out o;
	int r;

	if (type && *type)
		r = snprintf(spec, sizeof(spec), "%s:%s", type, path);
	else
		r = snprintf(spec, sizeof(spec), "%s", path);
	if (r < 0 || (size_t)r >= sizeof(spec))
		return err_set(e, ERR_INVALID, "postmap %s: path too long", path);
	run_out_init(&o);
	r = run_ok(t, "postmap", argv, &o, POSTFIX_MS, NULL, e);
	run_out_free(&o);
	if (r < 0)
		err_at(e, path, 0);
	return r;
}

struct maincf *postfix_read_maincf(struct target *t, struct err *e)
{
	char *path = target_config_path(t, "main.cf");
	struct buf b = BUF_INIT;
	struct maincf *m = NULL;

	if (path == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (target_read(t, path, &b, e) == 0)
		m = maincf_parse(path, b.data ? b.data : "", b.len, e);
	buf_free(&b);
	free(path);
	return m;
}
