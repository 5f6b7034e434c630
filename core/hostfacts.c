/*
 * hostfacts - one relay's overview facts (see hostfacts.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "health_probe.h"
#include "hostfacts.h"
#include "maincf.h"
#include "postfix.h"
#include "queue.h"
#include "queue_act.h"
#include "queue_shape.h"
#include "target.h"

static void note(struct hostfacts *f, const char *what, const struct err *e)
{
	size_t len = strlen(f->why);

	snprintf(f->why + len, sizeof(f->why) - len, "%s%s: %s", len ? "; " : "", what, e->msg);
}

/* load_params - relayhost and every explicit "name = value" of main.cf. */
static int load_params(struct target *t, struct hostfacts *f, struct err *e)
{
	struct maincf *m;
	const char **names = NULL;
	size_t n = 0;
	int rc = -1;

	if ((m = postfix_read_maincf(t, e)) == NULL)
		return -1;
	f->relayhost = postfix_relayhost(t, m);
	f->sasl = maincf_get(m, "smtp_sasl_auth_enable") &&
		  strcasecmp(maincf_get(m, "smtp_sasl_auth_enable"), "yes") == 0;
	if (f->relayhost == NULL || maincf_names(m, &names, &n) < 0 ||
	    (f->params = calloc(n ? n : 1, sizeof(*f->params))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (asprintf(&f->params[i], "%s = %s", names[i], maincf_get(m, names[i])) < 0) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		f->nparams++;
	}
	rc = 0;
out:
	free(names);
	maincf_free(m);
	return rc;
}

/* load_queue - counts from the queue files (what qshape reads). */
static void load_queue(struct target *t, struct hostfacts *f)
{
	struct queue_shape all, def;
	struct err e;

	err_clear(&e);
	if (queue_shape_init(&all, 0, 0) < 0)
		return;
	if (queue_shape_init(&def, 0, 0) < 0) {
		queue_shape_free(&all);
		return;
	}
	all.now = def.now = (long long)time(NULL);
	if (queue_scan_shape(t, QUEUE_MASK_ALL, &all, &e) == 0 &&
	    queue_scan_shape(t, QUEUE_MASK(QN_DEFERRED), &def, &e) == 0) {
		f->queued = (long)all.messages;
		f->deferred = (long)def.messages;
		for (int b = QUEUE_SHAPE_BUCKETS - 1; b >= 0; b--)
			if (all.total.count[b] > 0) {
				f->oldest_bucket = b;
				break;
			}
	} else if (e.code != ERR_OK) {
		note(f, "queue", &e);
	}
	queue_shape_free(&all);
	queue_shape_free(&def);
}

/* tls_verdict / auth_verdict - what the records say of the relayhost;
 * judged as core/health judges them, without the thresholds. */
static enum hostfacts_verdict tls_verdict(const struct health_probe *p, const char *relayhost)
{
	if (!health_probe_matches(p, relayhost))
		return HFV_NONE;
	if (!p->tls_done)
		return HFV_FAILED;
	return p->trusted ? HFV_OK : HFV_UNTRUSTED;
}

static enum hostfacts_verdict auth_verdict(const struct health_probe *p, const char *relayhost,
					   int sasl)
{
	if (!sasl || !health_probe_matches(p, relayhost))
		return HFV_NONE;
	if (p->auth_ok)
		return HFV_OK;
	return p->auth_not_sent ? HFV_HELD : HFV_FAILED;
}

void hostfacts_load_probes(struct target *t, struct hostfacts *f)
{
	struct health_probe *p = malloc(sizeof(*p));
	struct err e;

	f->tls = f->auth = HFV_NONE;
	f->have_cert = 0;
	f->probed = 0;
	if (p == NULL)
		return;
	err_clear(&e);
	if (health_probe_load(t, "tls", p, &e) < 0) {
		note(f, "probe record", &e);
	} else {
		f->tls = tls_verdict(p, f->relayhost);
		if (f->tls != HFV_NONE) {
			f->have_cert = p->have_cert;
			f->cert_days = p->days_left;
			f->probed = p->when;
		}
	}
	/* the AUTH record is only written by probes that tried AUTH */
	if (f->sasl && health_probe_load(t, "auth", p, &e) < 0)
		note(f, "probe record", &e);
	else if (f->sasl)
		f->auth = auth_verdict(p, f->relayhost, f->sasl);
	free(p);
}

const char *hostfacts_verdict_word(enum hostfacts_verdict v)
{
	switch (v) {
	case HFV_OK:
		return "ok";
	case HFV_UNTRUSTED:
		return "untrusted";
	case HFV_FAILED:
		return "failed";
	case HFV_HELD:
		return "held";
	default:
		return "-";
	}
}

int hostfacts_load(struct target *t, struct hostfacts *f, struct err *e)
{
	struct err pe;
	int r;

	memset(f, 0, sizeof(*f));
	f->running = -1;
	f->queued = f->deferred = -1;
	f->oldest_bucket = -1;
	if (load_params(t, f, e) < 0) {
		hostfacts_free(f);
		f->running = -1;
		f->queued = f->deferred = -1;
		f->oldest_bucket = -1;
		return -1;
	}
	err_clear(&pe);
	if ((r = postfix_running(t, &pe)) < 0)
		note(f, "postfix status", &pe);
	else
		f->running = r;
	load_queue(t, f);
	hostfacts_load_probes(t, f);
	return 0;
}

void hostfacts_free(struct hostfacts *f)
{
	for (size_t i = 0; i < f->nparams; i++)
		free(f->params[i]);
	free(f->params);
	free(f->relayhost);
	f->params = NULL;
	f->relayhost = NULL;
	f->nparams = 0;
}

/* value_of - the value of name in f ("name = value" lines), or NULL. */
static const char *value_of(const struct hostfacts *f, const char *name, size_t nlen)
{
	size_t lo = 0, hi = f->nparams;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *p = f->params[mid];
		int c = strncmp(p, name, nlen);

		if (c == 0 && strncmp(p + nlen, " = ", 3) == 0)
			return p + nlen + 3;
		if (c == 0)
			c = (unsigned char)p[nlen] < ' ' ? -1 : 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hostfacts_ref_build(const struct hostfacts *const *all, size_t n, struct hostfacts_ref *ref,
			struct err *e)
{
	size_t total = 0, hosts = 0, k = 0, i = 0;
	char **lines;

	memset(ref, 0, sizeof(*ref));
	for (size_t h = 0; h < n; h++)
		if (all[h]) {
			total += all[h]->nparams;
			hosts++;
		}
	if ((lines = malloc((total ? total : 1) * sizeof(*lines))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t h = 0; h < n; h++)
		for (size_t p = 0; all[h] && p < all[h]->nparams; p++)
			lines[k++] = all[h]->params[p];
	/* "name = value" in byte order: one name's values are adjacent (' '
	 * sorts before every character a name can continue with) */
	qsort(lines, total, sizeof(*lines), by_line);
	ref->names = calloc(total ? total : 1, sizeof(*ref->names));
	ref->values = calloc(total ? total : 1, sizeof(*ref->values));
	if (ref->names == NULL || ref->values == NULL) {
		free(lines);
		hostfacts_ref_free(ref);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while (i < total) {
		size_t nlen = strcspn(lines[i], " "), set = 0, best = 0, j = i;
		const char *best_line = NULL;

		while (j < total && strncmp(lines[j], lines[i], nlen) == 0 && lines[j][nlen] == ' ') {
			size_t run = 1;

			while (j + run < total && strcmp(lines[j + run], lines[j]) == 0)
				run++;
			if (run > best) {
				best = run;
				best_line = lines[j];
			}
			set += run;
			j += run;
		}
		ref->names[ref->n] = strndup(lines[i], nlen);
		if (ref->names[ref->n] == NULL ||
		    (hosts - set <= best &&
		     (ref->values[ref->n] = strdup(best_line + nlen + 3)) == NULL)) {
			free(ref->names[ref->n]);
			free(lines);
			hostfacts_ref_free(ref);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		ref->n++;
		i = j;
	}
	free(lines);
	return 0;
}

void hostfacts_ref_free(struct hostfacts_ref *ref)
{
	for (size_t i = 0; i < ref->n; i++) {
		free(ref->names[i]);
		free(ref->values[i]);
	}
	free(ref->names);
	free(ref->values);
	memset(ref, 0, sizeof(*ref));
}

size_t hostfacts_drift(const struct hostfacts_ref *ref, const struct hostfacts *f, char *out,
		       size_t outlen)
{
	size_t count = 0, used = 0;

	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < ref->n; i++) {
		const char *mine = value_of(f, ref->names[i], strlen(ref->names[i]));
		const char *want = ref->values[i];
		int w;

		if (mine == NULL ? want == NULL : (want != NULL && strcmp(mine, want) == 0))
			continue;
		count++;
		w = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", ref->names[i]);
		if (w > 0 && (size_t)w < outlen - used)
			used += (size_t)w;
	}
	return count;
}
