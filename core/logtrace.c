/*
 * logtrace - follow one message through the log. See logtrace.h.
 */
#include "config.h"
#include "logtrace.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int logtrace_is_queue_id(const char *id)
{
	size_t n = strlen(id);

	if (n < 6 || n > 31)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]))
			return 0;
	return 1;
}

static void add_id(struct logtrace *t, const char *id, size_t n, int notice)
{
	if (t->nids == LOGTRACE_MAX_IDS || n >= sizeof(t->ids[0].id))
		return;
	for (size_t i = 0; i < t->nids; i++)
		if (strlen(t->ids[i].id) == n && memcmp(t->ids[i].id, id, n) == 0)
			return;
	memcpy(t->ids[t->nids].id, id, n);
	t->ids[t->nids].id[n] = '\0';
	t->ids[t->nids].open = 1;
	t->ids[t->nids].notice = notice;
	t->nids++;
}

struct logtrace *logtrace_new(const char *id)
{
	struct logtrace *t = calloc(1, sizeof(*t));
	size_t n;

	if (t == NULL || id == NULL)
		return t;
	if (strchr(id, '@') || *id == '<') {
		if (*id == '<')
			id++;
		snprintf(t->message_id, sizeof(t->message_id), "%s", id);
		n = strlen(t->message_id);
		if (n && t->message_id[n - 1] == '>')
			t->message_id[n - 1] = '\0';
	} else {
		add_id(t, id, strlen(id), 0);
	}
	return t;
}

void logtrace_free(struct logtrace *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->lines[i].qid);
		free(t->lines[i].line);
	}
	free(t->lines);
	for (size_t i = 0; i < t->nrcpts; i++) {
		struct logtrace_rcpt *r = &t->rcpts[i];

		free(r->to);
		free(r->status);
		free(r->relay);
		free(r->dsn);
		free(r->reason);
		free(r->qid);
	}
	free(t->rcpts);
	for (size_t i = 0; i < LOGTRACE_RING; i++)
		free(t->ring[i].line);
	free(t);
}

static void keep(struct logtrace *t, long long seq, long long time, const char *qid,
		 const char *line, size_t len)
{
	if (t->n >= LOGTRACE_MAX_LINES) {
		t->truncated = 1;
		return;
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 64;
		struct logtrace_line *v = realloc(t->lines, na * sizeof(*v));

		if (v == NULL)
			return;
		t->lines = v;
		t->alloc = na;
	}
	t->lines[t->n].seq = seq;
	t->lines[t->n].time = time;
	t->lines[t->n].qid = strdup(qid);
	t->lines[t->n].line = strndup(line, len);
	if (t->lines[t->n].qid && t->lines[t->n].line)
		t->n++;
}

/* field - the value of "name" (", "-separated) in text, malloc'd; NULL if absent. */
static char *field(const char *text, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl <= len; i++) {
		if ((i == 0 || text[i - 1] == ' ') && memcmp(text + i, name, nl) == 0) {
			size_t s = i + nl, k = s;

			while (k < len && text[k] != ',' && text[k] != ' ')
				k++;
			return strndup(text + s, k - s);
		}
	}
	return NULL;
}

static void set(char **dst, char *v)
{
	if (v) {
		free(*dst);
		*dst = v;
	}
}

/* delivery - a recipient's status line: its latest outcome and attempts. */
static void delivery(struct logtrace *t, const char *qid, const char *txt, size_t len)
{
	char *to = field(txt, len, "to=");
	char *status = field(txt, len, "status=");
	struct logtrace_rcpt *r = NULL;
	const char *paren;

	if (to == NULL || status == NULL) {
		free(to);
		free(status);
		return;
	}
	for (size_t i = 0; i < t->nrcpts; i++)
		if (strcmp(t->rcpts[i].to, to) == 0 && strcmp(t->rcpts[i].qid, qid) == 0)
			r = &t->rcpts[i];
	if (r == NULL) {
		struct logtrace_rcpt *v = realloc(t->rcpts, (t->nrcpts + 1) * sizeof(*v));

		if (v == NULL) {
			free(to);
			free(status);
			return;
		}
		t->rcpts = v;
		r = &t->rcpts[t->nrcpts++];
		memset(r, 0, sizeof(*r));
		r->to = to;
		r->qid = strdup(qid);
	} else {
		free(to);
	}
	set(&r->status, status);
	set(&r->relay, field(txt, len, "relay="));
	set(&r->dsn, field(txt, len, "dsn="));
	if ((paren = memchr(txt, '(', len)) != NULL) {
		size_t rl = len - (size_t)(paren + 1 - txt);

		if (rl && paren[rl] == ')')
			rl--;
		set(&r->reason, strndup(paren + 1, rl));
	}
	r->attempts++;
}

/* from_ring - keep the recent lines of qid seen before it was wanted. */
static void from_ring(struct logtrace *t, const char *qid)
{
	for (size_t i = 0; i < LOGTRACE_RING; i++) {
		size_t slot = (t->ring_next + i) % LOGTRACE_RING;

		if (t->ring[slot].line && strcmp(t->ring[slot].qid, qid) == 0) {
			keep(t, t->ring[slot].seq, t->ring[slot].time, qid, t->ring[slot].line,
			     strlen(t->ring[slot].line));
			free(t->ring[slot].line);
			t->ring[slot].line = NULL;
		}
	}
}

static int by_seq(const void *a, const void *b)
{
	const struct logtrace_line *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void logtrace_finish(struct logtrace *t)
{
	if (t->n > 1)
		qsort(t->lines, t->n, sizeof(t->lines[0]), by_seq);
}

static int id_index(const struct logtrace *t, const char *qid, size_t n)
{
	for (size_t i = 0; i < t->nids; i++)
		if (strlen(t->ids[i].id) == n && memcmp(t->ids[i].id, qid, n) == 0)
			return (int)i;
	return -1;
}

void logtrace_feed(struct logtrace *t, const struct logscan_view *v, const char *line,
		   size_t len)
{
	const char *txt = v->text;
	size_t n = v->textlen;
	char qid[32];
	int k;

	if (v->queue_id == NULL || v->qidlen >= sizeof(qid))
		return;
	memcpy(qid, v->queue_id, v->qidlen);
	qid[v->qidlen] = '\0';
	k = id_index(t, qid, v->qidlen);
	if (k < 0 && t->message_id[0] && v->servlen == 7 && memcmp(v->service, "cleanup", 7) == 0 &&
	    n > 13 && memcmp(txt, "message-id=<", 12) == 0 && txt[n - 1] == '>' &&
	    n - 13 == strlen(t->message_id) && memcmp(txt + 12, t->message_id, n - 13) == 0) {
		/* found: its earlier lines are in the ring */
		add_id(t, qid, v->qidlen, 0);
		k = id_index(t, qid, v->qidlen);
		from_ring(t, qid);
	}
	t->seq++;
	if (k < 0 || !t->ids[k].open) {
		size_t slot = t->ring_next;

		free(t->ring[slot].line);
		memcpy(t->ring[slot].qid, qid, v->qidlen + 1);
		t->ring[slot].seq = t->seq;
		t->ring[slot].time = v->time;
		t->ring[slot].line = strndup(line, len);
		t->ring_next = (slot + 1) % LOGTRACE_RING;
		return;
	}
	if (len > 0 && line[len - 1] == '\n')
		len--;
	keep(t, t->seq, v->time, qid, line, len);
	if (n > 12 && memcmp(txt, "message-id=<", 12) == 0 && t->found_mid[0] == '\0' &&
	    !t->ids[k].notice)
		snprintf(t->found_mid, sizeof(t->found_mid), "%.*s", (int)(n - 12 - (txt[n - 1] == '>')),
			 txt + 12);
	if (n > 4 && memcmp(txt, "to=<", 4) == 0 && memmem(txt, n, "status=", 7))
		delivery(t, qid, txt, n);
	else if (v->servlen == 6 && memcmp(v->service, "bounce", 6) == 0) {
		const char *p = memmem(txt, n, "notification: ", 14);

		if (p) {
			char nq[32];
			size_t nl = (size_t)(txt + n - (p + 14));

			p += 14;
			add_id(t, p, nl, 1);
			/* the notice's cleanup line came before this one */
			if (nl < sizeof(nq)) {
				memcpy(nq, p, nl);
				nq[nl] = '\0';
				from_ring(t, nq);
			}
		}
	} else if (n == 7 && memcmp(txt, "removed", 7) == 0) {
		t->ids[k].open = 0;
	}
}
