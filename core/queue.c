/*
 * queue - the queue model, the `postqueue -j` push parser, filters and
 * sort orders. See queue.h.
 */
#include "config.h"
#include "queue.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "queue_reason.h"

static const char *const queue_names[QN_COUNT] = {
	"maildrop", "incoming", "active", "deferred", "hold", "other"
};

const char *queue_name_str(enum queue_name qn)
{
	return qn < QN_COUNT ? queue_names[qn] : "other";
}

int queue_name_parse(const char *s, enum queue_name *qn)
{
	for (int i = 0; i < QN_OTHER; i++)
		if (strcmp(s, queue_names[i]) == 0) {
			*qn = (enum queue_name)i;
			return 0;
		}
	return -1;
}

int queue_id_valid(const char *id)
{
	size_t n = 0;

	if (id == NULL || *id == '\0')
		return 0;
	for (; id[n]; n++)
		if (!isalnum((unsigned char)id[n]) && id[n] != '_')
			return 0;
	return n < QUEUE_ID_MAX;
}

int queue_init(struct queue *q)
{
	memset(q, 0, sizeof(*q));
	arena_init(&q->text);
	return strpool_init(&q->pool);
}

void queue_free(struct queue *q)
{
	free(q->msgs);
	free(q->rcpts);
	free(q->idx);
	free(q->norm);
	arena_free(&q->text);
	strpool_free(&q->pool);
	memset(q, 0, sizeof(*q));
}

void queue_clear(struct queue *q)
{
	queue_free(q);
	queue_init(q);
}

size_t queue_mem_bytes(const struct queue *q)
{
	return q->count * sizeof(*q->msgs) + q->nrcpts * sizeof(*q->rcpts) + q->text.bytes +
	       strpool_bytes(&q->pool) + q->idx_size * sizeof(*q->idx) +
	       q->norm_n * sizeof(*q->norm);
}

/* grow - make room for one more element in *v (cap elements of size sz). */
static int grow(void **v, size_t *cap, size_t count, size_t need, size_t sz)
{
	size_t n = *cap;
	void *nv;

	if (count + need <= n)
		return 0;
	while (n < count + need)
		n = n ? n + n / 2 + 16 : 64;
	if ((nv = realloc(*v, n * sz)) == NULL)
		return -1;
	*v = nv;
	*cap = n;
	return 0;
}

/* ---- the ID index ------------------------------------------------------- */

static uint32_t hash_id(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static void idx_insert(struct queue *q, size_t i)
{
	size_t mask = q->idx_size - 1, s = hash_id(q->msgs[i].id) & mask;

	while (q->idx[s])
		s = (s + 1) & mask;
	q->idx[s] = (uint32_t)i + 1;
	q->idx_count++;
}

/* idx_build - (re)build the index at twice the messages' count. */
static int idx_build(struct queue *q)
{
	size_t n = 64;

	while (n < q->count * 2 + 2)
		n *= 2;
	free(q->idx);
	if ((q->idx = calloc(n, sizeof(*q->idx))) == NULL) {
		q->idx_size = q->idx_count = 0;
		return -1;
	}
	q->idx_size = n;
	q->idx_count = 0;
	for (size_t i = 0; i < q->count; i++)
		idx_insert(q, i);
	return 0;
}

long queue_find(struct queue *q, const char *id)
{
	size_t mask, s;

	if (q->count == 0)
		return -1;
	if (q->idx == NULL && idx_build(q) < 0)
		return -1;
	mask = q->idx_size - 1;
	for (s = hash_id(id) & mask; q->idx[s]; s = (s + 1) & mask)
		if (strcmp(q->msgs[q->idx[s] - 1].id, id) == 0)
			return (long)q->idx[s] - 1;
	return -1;
}

/* ---- adding ------------------------------------------------------------- */

int queue_add(struct queue *q, const char *id, enum queue_name qn, long long arrival,
	      long long size, const char *sender, int forced_expire,
	      const struct queue_new_rcpt *rcpts, size_t nrcpt, struct err *e)
{
	struct arena_mark mark = arena_mark(&q->text);
	struct queue_msg *m;
	size_t first = q->nrcpts;

	q->have_last = 0;

	if (!queue_id_valid(id))
		return err_set(e, ERR_PARSE, "invalid queue ID");
	if (q->count >= UINT32_MAX - 1 || nrcpt > UINT32_MAX - q->nrcpts)
		return err_set(e, ERR_LIMIT, "too many messages");
	if (grow((void **)&q->msgs, &q->alloc, q->count, 1, sizeof(*q->msgs)) < 0 ||
	    grow((void **)&q->rcpts, &q->rcpt_alloc, q->nrcpts, nrcpt, sizeof(*q->rcpts)) < 0)
		return err_set(e, ERR_NOMEM, "queue: out of memory");
	m = &q->msgs[q->count];
	memset(m, 0, sizeof(*m));
	m->arrival = arrival < 0 ? 0 : arrival > UINT32_MAX ? UINT32_MAX : (uint32_t)arrival;
	m->size = size < 0 ? 0 : size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	m->queue = (uint8_t)qn;
	m->flags = forced_expire ? QM_FORCED_EXPIRE : 0;
	m->rcpt = (uint32_t)first;
	m->nrcpt = (uint32_t)nrcpt;
	if ((m->id = arena_dup(&q->text, id, strlen(id))) == NULL ||
	    (m->sender = strpool_intern(&q->pool, sender, strlen(sender))) == STRPOOL_NONE)
		goto nomem;
	for (size_t i = 0; i < nrcpt; i++) {
		struct queue_rcpt *r = &q->rcpts[first + i];
		const char *a = rcpts[i].address, *at = strrchr(a, '@');

		r->local = arena_dup(&q->text, a, at ? (size_t)(at - a) : strlen(a));
		r->domain = at ? strpool_intern(&q->pool, at + 1, strlen(at + 1)) : STRPOOL_NONE;
		r->reason = rcpts[i].reason ?
			    strpool_intern(&q->pool, rcpts[i].reason, strlen(rcpts[i].reason)) :
			    STRPOOL_NONE;
		if (r->local == NULL || (at && r->domain == STRPOOL_NONE) ||
		    (rcpts[i].reason && r->reason == STRPOOL_NONE))
			goto nomem;
	}
	q->nrcpts += nrcpt;
	q->per_queue[qn]++;
	q->last = q->count;
	q->last_mark = mark;
	q->have_last = 1;
	q->count++;
	if (q->idx) {
		if ((q->idx_count + 1) * 2 > q->idx_size)
			idx_build(q);
		else
			idx_insert(q, q->count - 1);
	}
	return (int)(q->count - 1);
nomem:
	arena_rewind(&q->text, mark);
	return err_set(e, ERR_NOMEM, "queue: out of memory");
}

void queue_pop(struct queue *q)
{
	struct queue_msg *m;

	if (q->count == 0)
		return;
	m = &q->msgs[q->count - 1];
	if (q->idx) {
		free(q->idx);
		q->idx = NULL;
		q->idx_size = q->idx_count = 0;
	}
	q->per_queue[m->queue]--;
	q->nrcpts = m->rcpt;
	/* The strings of the message added last are the last in the arena. */
	if (q->have_last && q->last == q->count - 1)
		arena_rewind(&q->text, q->last_mark);
	q->have_last = 0;
	q->count--;
}

const char *queue_rcpt_address(const struct queue *q, const struct queue_rcpt *r, char *out,
			       size_t n)
{
	if (r->domain == STRPOOL_NONE)
		snprintf(out, n, "%s", r->local);
	else
		snprintf(out, n, "%s@%s", r->local, strpool_str(&q->pool, r->domain));
	return out;
}

uint32_t queue_reason_norm(struct queue *q, uint32_t reason)
{
	struct buf b = BUF_INIT;
	uint32_t id;

	if (reason == STRPOOL_NONE)
		return STRPOOL_NONE;
	if (reason >= q->norm_n) {
		size_t n = q->pool.count;
		uint32_t *v = realloc(q->norm, n * sizeof(*v));

		if (v == NULL)
			return STRPOOL_NONE;
		for (size_t i = q->norm_n; i < n; i++)
			v[i] = STRPOOL_NONE;
		q->norm = v;
		q->norm_n = n;
	}
	if (q->norm[reason] != STRPOOL_NONE)
		return q->norm[reason];
	if (queue_reason_normalize(strpool_str(&q->pool, reason), &b) < 0) {
		buf_free(&b);
		return STRPOOL_NONE;
	}
	id = strpool_intern(&q->pool, b.data ? b.data : "", b.len);
	buf_free(&b);
	/* interning may have grown the pool past norm_n: that is fine, the
	 * new id is a normalised text and gets its own slot on demand */
	q->norm[reason] = id;
	return id;
}

/* ---- the reader ----------------------------------------------------------- */

struct queue_reader {
	struct queue *q;
	queue_msg_fn fn;
	void *arg;
	struct json_tokener *tok;
	struct buf line;	/* a line cut by a chunk boundary */
	int skipping;		/* the current line is over QUEUE_LINE_MAX */
	struct queue_reader_stats st;
	struct queue_new_rcpt *rcpts;
	size_t rcpt_alloc;
};

struct queue_reader *queue_reader_new(struct queue *q, queue_msg_fn fn, void *arg)
{
	struct queue_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->q = q;
	r->fn = fn;
	r->arg = arg;
	buf_init(&r->line, QUEUE_LINE_MAX + 1);
	if ((r->tok = json_tokener_new()) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void queue_reader_free(struct queue_reader *r)
{
	if (r == NULL)
		return;
	json_tokener_free(r->tok);
	buf_free(&r->line);
	free(r->rcpts);
	free(r);
}

const struct queue_reader_stats *queue_reader_stats(const struct queue_reader *r)
{
	return &r->st;
}

/* bad - count a skipped line; the first one's reason is kept. */
static void bad(struct queue_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct queue_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->st.bad++ == 0) {
		r->st.first_bad = r->st.lines;
		va_start(ap, fmt);
		vsnprintf(r->st.first_why, sizeof(r->st.first_why), fmt, ap);
		va_end(ap);
	}
}

/* get_str - the string member key of o, or NULL. */
static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* get_int - the integer member key of o into *out; -1 when missing. */
static int get_int(struct json_object *o, const char *key, long long *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	*out = (long long)json_object_get_int64(v);
	return 0;
}

/* take_message - one parsed line into the queue. */
static int take_message(struct queue_reader *r, struct json_object *o, struct err *e)
{
	struct json_object *rv, *fe;
	const char *id, *qname, *sender;
	long long arrival = 0, size = 0;
	enum queue_name qn;
	size_t n;
	struct err ae;
	int i;

	if (!json_object_is_type(o, json_type_object)) {
		bad(r, "%s", "not a JSON object");
		return 0;
	}
	if ((id = get_str(o, "queue_id")) == NULL) {
		bad(r, "%s", "no queue_id");
		return 0;
	}
	if (!queue_id_valid(id)) {
		bad(r, "invalid queue ID \"%.60s\"", id);
		return 0;
	}
	if ((qname = get_str(o, "queue_name")) == NULL) {
		bad(r, "%s", "no queue_name");
		return 0;
	}
	if (queue_name_parse(qname, &qn) < 0)
		qn = QN_OTHER;
	if ((sender = get_str(o, "sender")) == NULL) {
		bad(r, "%s", "no sender");
		return 0;
	}
	if (get_int(o, "arrival_time", &arrival) < 0) {
		bad(r, "%s", "no arrival_time");
		return 0;
	}
	(void)get_int(o, "message_size", &size);
	if (!json_object_object_get_ex(o, "recipients", &rv) ||
	    !json_object_is_type(rv, json_type_array)) {
		bad(r, "%s", "no recipients");
		return 0;
	}
	n = json_object_array_length(rv);
	if (n > r->rcpt_alloc) {
		struct queue_new_rcpt *v = realloc(r->rcpts, n * sizeof(*v));

		if (v == NULL)
			return err_set(e, ERR_NOMEM, "queue: out of memory");
		r->rcpts = v;
		r->rcpt_alloc = n;
	}
	for (size_t k = 0; k < n; k++) {
		struct json_object *ro = json_object_array_get_idx(rv, k);

		if (ro == NULL || !json_object_is_type(ro, json_type_object) ||
		    (r->rcpts[k].address = get_str(ro, "address")) == NULL) {
			bad(r, "%s", "a recipient without an address");
			return 0;
		}
		r->rcpts[k].reason = get_str(ro, "delay_reason");
	}
	fe = NULL;
	json_object_object_get_ex(o, "forced_expire", &fe);
	err_clear(&ae);
	i = queue_add(r->q, id, qn, arrival, size, sender, fe && json_object_get_boolean(fe),
		      r->rcpts, n, &ae);
	if (i < 0) {
		if (ae.code == ERR_NOMEM || ae.code == ERR_LIMIT) {
			*e = ae;
			return -1;
		}
		bad(r, "%s", ae.msg);
		return 0;
	}
	r->st.messages++;
	if (r->fn && r->fn(r->arg, r->q, (size_t)i) == QUEUE_DROP)
		queue_pop(r->q);
	return 0;
}

/* parse_line - one complete line (without its newline). */
static int parse_line(struct queue_reader *r, const char *s, size_t len, struct err *e)
{
	struct json_object *o;
	size_t end;
	int rc;

	r->st.lines++;
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0)
		return 0;
	if (len > INT_MAX) {
		bad(r, "%s", "line too long");
		return 0;
	}
	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, s, (int)len);
	if (o == NULL) {
		enum json_tokener_error je = json_tokener_get_error(r->tok);

		bad(r, "JSON: %s", je == json_tokener_continue ? "the line ends inside a value" :
			json_tokener_error_desc(je));
		return 0;
	}
	end = json_tokener_get_parse_end(r->tok);
	if (end < len) {
		json_object_put(o);
		bad(r, "%s", "JSON: more after the object");
		return 0;
	}
	rc = take_message(r, o, e);
	json_object_put(o);
	return rc;
}

int queue_reader_feed(struct queue_reader *r, const char *data, size_t len, struct err *e)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		if (r->skipping) {
			/* the rest of a line that was too long */
		} else if (r->line.len + n > QUEUE_LINE_MAX) {
			r->skipping = 1;
			buf_reset(&r->line);
		} else if (nl && r->line.len == 0) {
			/* the whole line is in this piece: parse it where it is */
			if (parse_line(r, data, n, e) < 0)
				return -1;
		} else if (buf_append(&r->line, data, n) < 0) {
			return err_set(e, ERR_NOMEM, "queue: out of memory");
		} else if (nl) {
			if (parse_line(r, r->line.data, r->line.len, e) < 0)
				return -1;
			buf_reset(&r->line);
		}
		if (nl && r->skipping) {
			r->st.lines++;
			bad(r, "%s", "line longer than 16 MiB");
			r->skipping = 0;
		}
		if (nl == NULL)
			break;
		data += n + 1;
		len -= n + 1;
	}
	return 0;
}

int queue_reader_end(struct queue_reader *r, struct err *e)
{
	size_t bad_before = r->st.bad;

	if (r->skipping) {
		r->st.lines++;
		bad(r, "%s", "line longer than 16 MiB");
		r->st.truncated = 1;
		r->skipping = 0;
	} else if (r->line.len > 0) {
		if (parse_line(r, r->line.data, r->line.len, e) < 0)
			return -1;
		if (r->st.bad > bad_before)
			r->st.truncated = 1;
		buf_reset(&r->line);
	}
	return 0;
}

const char *queue_reader_describe(const struct queue_reader_stats *s, char *out, size_t n)
{
	if (s->bad == 0)
		snprintf(out, n, "%s", "");
	else if (s->truncated && s->bad == 1)
		snprintf(out, n, "the last line was cut short (line %zu: %.200s)", s->first_bad,
			 s->first_why);
	else
		snprintf(out, n, "%zu line%s of postqueue -j output skipped (line %zu: %.200s)%s", s->bad,
			 s->bad == 1 ? "" : "s", s->first_bad, s->first_why,
			 s->truncated ? "; the last line was cut short" : "");
	return out;
}

/* ---- durations ------------------------------------------------------------ */

long long queue_duration_parse(const char *s)
{
	char *end;
	long long v, mul = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	switch (*end) {
	case '\0': case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: return -1;
	}
	if (*end && end[1] != '\0')
		return -1;
	if (v < 0 || v > LLONG_MAX / mul)
		return -1;
	return v * mul;
}

const char *queue_age_format(long long s, char *out, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, n, "%llds", s);
	else if (s < 3600)
		snprintf(out, n, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(out, n, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, n, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return out;
}

/* ---- filters ------------------------------------------------------------ */

void queue_filter_init(struct queue_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->older = f->younger = -1;
}

int queue_filter_empty(const struct queue_filter *f)
{
	return (f->queues == 0 || f->queues == QUEUE_MASK_ALL) && !f->domain[0] && !f->sender[0] &&
	       !f->reason[0] && !f->group[0] && !f->text[0] && f->older < 0 && f->younger < 0;
}

/* set_field - copy value into a filter field; -1 when it does not fit. */
static int set_field(char *dst, size_t n, const char *v, size_t len, const char *key,
		     struct err *e)
{
	if (len >= n)
		return err_set(e, ERR_INVALID, "filter %s: value too long", key);
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

/* parse_queues - "deferred,hold" into a mask. */
static int parse_queues(const char *v, size_t len, unsigned *mask, struct err *e)
{
	char name[32];

	*mask = 0;
	while (len > 0) {
		size_t n = 0;
		enum queue_name qn;

		while (n < len && v[n] != ',')
			n++;
		if (n == 3 && strncmp(v, "all", 3) == 0) {
			*mask = QUEUE_MASK_ALL;
		} else {
			snprintf(name, sizeof(name), "%.*s", (int)(n < 31 ? n : 31), v);
			if (queue_name_parse(name, &qn) < 0)
				return err_set(e, ERR_INVALID, "unknown queue \"%s\" (maildrop, incoming, "
					       "active, deferred, hold or all)", name);
			*mask |= QUEUE_MASK(qn);
		}
		v += n;
		len -= n;
		if (len > 0) {
			v++;
			len--;
		}
	}
	return 0;
}

int queue_filter_parse(struct queue_filter *f, const char *spec, struct err *e)
{
	const char *s = spec;

	queue_filter_init(f);
	while (*s) {
		const char *key, *colon, *v;
		char val[512];
		size_t klen, vlen = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		key = s;
		colon = strchr(s, ':');
		if (colon == NULL)
			return err_set(e, ERR_INVALID, "filter term \"%.40s\": write key:value "
				       "(queue, domain, sender, reason, older, younger)", key);
		klen = (size_t)(colon - key);
		v = colon + 1;
		if (*v == '"') {
			const char *q = strchr(v + 1, '"');

			if (q == NULL)
				return err_set(e, ERR_INVALID, "filter: a quote is not closed");
			vlen = (size_t)(q - v - 1);
			v++;
			s = q + 1;
		} else {
			while (v[vlen] && !isspace((unsigned char)v[vlen]))
				vlen++;
			s = v + vlen;
		}
		if (vlen >= sizeof(val))
			return err_set(e, ERR_INVALID, "filter %.*s: value too long", (int)klen, key);
		memcpy(val, v, vlen);
		val[vlen] = '\0';
#define KEY(k) (klen == strlen(k) && strncmp(key, k, klen) == 0)
		if (KEY("queue")) {
			if (parse_queues(val, vlen, &f->queues, e) < 0)
				return -1;
		} else if (KEY("domain")) {
			if (set_field(f->domain, sizeof(f->domain), val, vlen, "domain", e) < 0)
				return -1;
		} else if (KEY("sender")) {
			if (set_field(f->sender, sizeof(f->sender), val, vlen, "sender", e) < 0)
				return -1;
		} else if (KEY("reason")) {
			if (set_field(f->reason, sizeof(f->reason), val, vlen, "reason", e) < 0)
				return -1;
		} else if (KEY("older") || KEY("younger")) {
			long long d = queue_duration_parse(val);

			if (d < 0)
				return err_set(e, ERR_INVALID, "filter %.*s: \"%s\" is not a duration "
					       "(90s, 30m, 2h, 3d, 1w)", (int)klen, key, val);
			if (KEY("older"))
				f->older = d;
			else
				f->younger = d;
		} else {
			return err_set(e, ERR_INVALID, "unknown filter \"%.*s\" (queue, domain, sender, "
				       "reason, older, younger)", (int)klen, key);
		}
#undef KEY
	}
	return 0;
}

/* put_term - " key:value", quoted when the value holds a blank. */
static void put_term(struct buf *b, const char *key, const char *v)
{
	int quote = strpbrk(v, " \t") != NULL;

	buf_printf(b, "%s%s:%s%s%s", b->len ? " " : "", key, quote ? "\"" : "", v,
		   quote ? "\"" : "");
}

/* fmt_duration - the shortest exact form: 2h rather than 7200. */
static void fmt_duration(long long s, char *out, size_t n)
{
	if (s > 0 && s % 604800 == 0)
		snprintf(out, n, "%lldw", s / 604800);
	else if (s > 0 && s % 86400 == 0)
		snprintf(out, n, "%lldd", s / 86400);
	else if (s > 0 && s % 3600 == 0)
		snprintf(out, n, "%lldh", s / 3600);
	else if (s > 0 && s % 60 == 0)
		snprintf(out, n, "%lldm", s / 60);
	else
		snprintf(out, n, "%llds", s);
}

const char *queue_filter_format(const struct queue_filter *f, char *out, size_t n)
{
	struct buf b = BUF_INIT;
	char d[32];

	if (f->queues && f->queues != QUEUE_MASK_ALL) {
		struct buf qs = BUF_INIT;

		for (int i = 0; i < QN_OTHER; i++)
			if (f->queues & QUEUE_MASK(i))
				buf_printf(&qs, "%s%s", qs.len ? "," : "", queue_names[i]);
		put_term(&b, "queue", qs.data ? qs.data : "");
		buf_free(&qs);
	}
	if (f->domain[0])
		put_term(&b, "domain", f->domain);
	if (f->sender[0])
		put_term(&b, "sender", f->sender);
	if (f->reason[0])
		put_term(&b, "reason", f->reason);
	if (f->older >= 0) {
		fmt_duration(f->older, d, sizeof(d));
		put_term(&b, "older", d);
	}
	if (f->younger >= 0) {
		fmt_duration(f->younger, d, sizeof(d));
		put_term(&b, "younger", d);
	}
	snprintf(out, n, "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* domain_matches - d is dom or a subdomain of it, ignoring case. */
static int domain_matches(const char *d, const char *dom)
{
	size_t n = strlen(d), m = strlen(dom);

	if (m > 0 && dom[0] == '.') {
		dom++;
		m--;
	}
	if (n == m)
		return strcasecmp(d, dom) == 0;
	return n > m && d[n - m - 1] == '.' && strcasecmp(d + n - m, dom) == 0;
}

/* A filter with a verdict per pool id, decided once for every distinct
 * string (not every message) and extended as the pool grows. */
struct queue_matcher {
	struct queue_filter f;
	long long now;
	unsigned char *flags;	/* PF_* per pool id */
	size_t n, alloc;
};

#define PF_DOMAIN 0x01
#define PF_SENDER 0x02
#define PF_REASON 0x04
#define PF_GROUP 0x08
#define PF_TEXT 0x10

struct queue_matcher *queue_matcher_new(const struct queue_filter *f, long long now)
{
	struct queue_matcher *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->f = *f;
	m->now = now;
	return m;
}

void queue_matcher_free(struct queue_matcher *m)
{
	if (m == NULL)
		return;
	free(m->flags);
	free(m);
}

/* matcher_extend - verdicts for the pool ids added since the last call. */
static int matcher_extend(struct queue_matcher *m, const struct queue *q)
{
	const struct queue_filter *f = &m->f;
	size_t n = q->pool.count;

	if (n <= m->n)
		return 0;
	if (n > m->alloc) {
		size_t na = n + n / 2 + 64;
		unsigned char *v = realloc(m->flags, na);

		if (v == NULL)
			return -1;
		m->flags = v;
		m->alloc = na;
	}
	for (size_t id = m->n; id < n; id++) {
		const char *s = strpool_str(&q->pool, (uint32_t)id);
		unsigned char fl = 0;

		if (f->domain[0] && domain_matches(s, f->domain))
			fl |= PF_DOMAIN;
		if (f->sender[0] &&
		    (strcmp(f->sender, "<>") == 0 ? id == 0 || strcmp(s, "MAILER-DAEMON") == 0 :
						     strcasestr(s, f->sender) != NULL))
			fl |= PF_SENDER;
		if (f->reason[0] && strcasestr(s, f->reason))
			fl |= PF_REASON;
		if (f->group[0] && strcmp(s, f->group) == 0)
			fl |= PF_GROUP;
		if (f->text[0] && strcasestr(s, f->text))
			fl |= PF_TEXT;
		m->flags[id] = fl;
	}
	m->n = n;
	return 0;
}

/* text_in_rcpt - the search text in the recipient's address. */
static int text_in_rcpt(const struct queue *q, const struct queue_rcpt *r, const char *text)
{
	char addr[1024];

	if (strcasestr(r->local, text))
		return 1;
	if (r->domain == STRPOOL_NONE)
		return 0;
	queue_rcpt_address(q, r, addr, sizeof(addr));
	return strcasestr(addr, text) != NULL;
}

int queue_matcher_match(struct queue_matcher *mt, struct queue *q, size_t i)
{
	const struct queue_filter *f = &mt->f;
	const struct queue_msg *m = &q->msgs[i];
	long long age = mt->now - (long long)m->arrival;
	int dom = !f->domain[0], rea = !f->reason[0], grp = !f->group[0], txt = !f->text[0];

	if (f->queues && !(f->queues & QUEUE_MASK(m->queue)))
		return 0;
	if (f->older >= 0 && age < f->older)
		return 0;
	if (f->younger >= 0 && age >= f->younger)
		return 0;
	/* normalising interns new texts: before the verdicts are extended */
	if (!grp)
		for (uint32_t k = 0; k < m->nrcpt; k++)
			if (q->rcpts[m->rcpt + k].reason != STRPOOL_NONE &&
			    queue_reason_norm(q, q->rcpts[m->rcpt + k].reason) == STRPOOL_NONE)
				return -1;
	if (matcher_extend(mt, q) < 0)
		return -1;
	if (f->sender[0] && !(mt->flags[m->sender] & PF_SENDER))
		return 0;
	if (!txt && ((mt->flags[m->sender] & PF_TEXT) || strcasestr(m->id, f->text)))
		txt = 1;
	for (uint32_t k = 0; k < m->nrcpt && !(dom && rea && grp && txt); k++) {
		const struct queue_rcpt *r = &q->rcpts[m->rcpt + k];

		if (!dom && r->domain != STRPOOL_NONE && (mt->flags[r->domain] & PF_DOMAIN))
			dom = 1;
		if (!rea && r->reason != STRPOOL_NONE && (mt->flags[r->reason] & PF_REASON))
			rea = 1;
		if (!grp && r->reason != STRPOOL_NONE && (mt->flags[q->norm[r->reason]] & PF_GROUP))
			grp = 1;
		if (!txt && ((r->reason != STRPOOL_NONE && (mt->flags[r->reason] & PF_TEXT)) ||
			     text_in_rcpt(q, r, f->text)))
			txt = 1;
	}
	return dom && rea && grp && txt;
}

int queue_match_text(struct queue *q, size_t i, const char *text)
{
	const struct queue_msg *m = &q->msgs[i];

	if (strcasestr(m->id, text) || strcasestr(queue_sender(q, m), text))
		return 1;
	for (uint32_t k = 0; k < m->nrcpt; k++) {
		const struct queue_rcpt *r = &q->rcpts[m->rcpt + k];
		const char *why = queue_rcpt_reason(q, r);

		if (text_in_rcpt(q, r, text) || (why && strcasestr(why, text)))
			return 1;
	}
	return 0;
}

/* ---- order ---------------------------------------------------------------- */

static const char *const sort_names[] = { "age", "size", "sender", "domain", "id", "queue",
					  "none" };

const char *queue_sort_name(enum queue_sort s)
{
	return s <= QS_NONE ? sort_names[s] : "?";
}

int queue_sort_parse(const char *s, enum queue_sort *out)
{
	for (int i = 0; i <= QS_NONE; i++)
		if (strcmp(s, sort_names[i]) == 0) {
			*out = (enum queue_sort)i;
			return 0;
		}
	return -1;
}

struct sorter {
	const struct queue *q;
	enum queue_sort key;
	int reverse;
	uint32_t *rank;		/* pool id -> rank of its string (sender and domain sorts) */
};

static int cmp_ll(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* first_domain - rank of the message's first recipient domain. */
static uint32_t first_domain(const struct sorter *s, const struct queue_msg *m)
{
	const struct queue_rcpt *r;

	if (m->nrcpt == 0)
		return 0;
	r = &s->q->rcpts[m->rcpt];
	return r->domain == STRPOOL_NONE ? 0 : s->rank[r->domain];
}

static int cmp_msgs(const void *pa, const void *pb, void *arg)
{
	const struct sorter *s = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct queue_msg *ma = &s->q->msgs[a], *mb = &s->q->msgs[b];
	int c = 0;

	switch (s->key) {
	case QS_AGE:	/* oldest first */
		c = cmp_ll(ma->arrival, mb->arrival);
		break;
	case QS_SIZE:	/* largest first */
		c = cmp_ll(mb->size, ma->size);
		break;
	case QS_SENDER:
		c = cmp_ll(s->rank[ma->sender], s->rank[mb->sender]);
		break;
	case QS_DOMAIN:
		c = cmp_ll(first_domain(s, ma), first_domain(s, mb));
		break;
	case QS_QUEUE:
		c = cmp_ll(ma->queue, mb->queue);
		break;
	case QS_ID:
	case QS_NONE:
		break;
	}
	if (c == 0 && s->key != QS_NONE)
		c = strcmp(ma->id, mb->id);
	if (c == 0)
		c = cmp_ll(a, b);
	return s->reverse ? -c : c;
}

static int cmp_pool_ids(const void *pa, const void *pb, void *arg)
{
	const struct strpool *p = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return strcasecmp(strpool_str(p, a), strpool_str(p, b));
}

/* make_ranks - every pool string's place in alphabetical order. */
static uint32_t *make_ranks(const struct strpool *p)
{
	uint32_t *order = malloc((p->count ? p->count : 1) * sizeof(*order));
	uint32_t *rank = malloc((p->count ? p->count : 1) * sizeof(*rank));

	if (order == NULL || rank == NULL) {
		free(order);
		free(rank);
		return NULL;
	}
	for (uint32_t i = 0; i < p->count; i++)
		order[i] = i;
	qsort_r(order, p->count, sizeof(*order), cmp_pool_ids, (void *)p);
	for (uint32_t i = 0; i < p->count; i++)
		rank[order[i]] = i;
	free(order);
	return rank;
}

int queue_select(struct queue *q, const struct queue_filter *f, long long now,
		 enum queue_sort key, int reverse, uint32_t **out, size_t *n, struct err *e)
{
	struct queue_matcher *mt = NULL;
	uint32_t *v = NULL;
	size_t count = 0;
	int all = queue_filter_empty(f);

	*out = NULL;
	*n = 0;
	if (q->count == 0)
		return 0;
	if ((!all && (mt = queue_matcher_new(f, now)) == NULL) ||
	    (v = malloc(q->count * sizeof(*v))) == NULL) {
		queue_matcher_free(mt);
		return err_set(e, ERR_NOMEM, "queue: out of memory");
	}
	for (size_t i = 0; i < q->count; i++) {
		int r = all ? 1 : queue_matcher_match(mt, q, i);

		if (r < 0) {
			queue_matcher_free(mt);
			free(v);
			return err_set(e, ERR_NOMEM, "queue: out of memory");
		}
		if (r)
			v[count++] = (uint32_t)i;
	}
	queue_matcher_free(mt);
	if (key != QS_NONE || reverse) {
		struct sorter s = { q, key, reverse, NULL };

		if ((key == QS_SENDER || key == QS_DOMAIN) && (s.rank = make_ranks(&q->pool)) == NULL) {
			free(v);
			return err_set(e, ERR_NOMEM, "queue: out of memory");
		}
		qsort_r(v, count, sizeof(*v), cmp_msgs, &s);
		free(s.rank);
	}
	if (count == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = count;
	return 0;
}
