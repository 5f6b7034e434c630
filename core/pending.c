/*
 * pending - parameter edits kept between invocations. See pending.h.
 *
 * State file <state_dir>/pending, mode 0600, one edit per line:
 *	set<TAB>NAME<TAB>VALUE
 *	unset<TAB>NAME
 * and, first, the version of main.cf the edits were staged against
 * (changeset_hash, 64 hex digits; absent in files from before it):
 *	base<TAB>HEX
 * NAME has no blanks, '=' or control characters; VALUE runs to the end of
 * the line (no newline or NUL, as postconf requires). The file is written
 * atomically through the target and removed when no edit is left. A file
 * that does not follow this format is an ERR_PARSE naming file and line:
 * staged edits are never dropped silently.
 *
 * Errors: ERR_PARSE, ERR_INVALID (bad name or value), ERR_NOMEM, and
 * whatever the target reports.
 */
#include "config.h"
#include "pending.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "changeset.h"
#include "maincf.h"
#include "secrecy.h"
#include "target.h"

struct pending {
	struct target *t;
	struct pending_edit *v;
	size_t n;
	int has_base;		/* base is the main.cf the edits were made against */
	unsigned char base[CHANGESET_HASH_LEN];
	int rebase;		/* the next build takes main.cf as it is as the base */
	int stale;		/* the last build found another main.cf than base */
};

/* hex_decode - 64 hex digits into a hash; 0 when well formed. */
static int hex_decode(const char *s, size_t n, unsigned char out[CHANGESET_HASH_LEN])
{
	if (n != 2 * CHANGESET_HASH_LEN)
		return -1;
	for (size_t i = 0; i < CHANGESET_HASH_LEN; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* name_ok - a parameter name Postfix could have. */
static int name_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '=' || c == '#' || c == 0x7f)
			return 0;
	}
	return 1;
}

/* value_ok - no newline or carriage return (NUL cannot occur in a C string). */
static int value_ok(const char *s)
{
	return strpbrk(s, "\n\r") == NULL;
}

/* find_index - position of the edit for name; 0 when there is none. */
static int find_index(const struct pending *p, const char *name, size_t *idx)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0) {
			*idx = i;
			return 1;
		}
	return 0;
}

/* put_edit - replace or add the edit for name; value NULL means unset. */
static int put_edit(struct pending *p, const char *name, size_t nlen, const char *value,
		    struct err *e)
{
	char *n = strndup(name, nlen), *v = value ? strdup(value) : NULL;
	size_t i;

	if (n == NULL || (value && v == NULL))
		goto nomem;
	if (find_index(p, n, &i)) {
		free(n);
		free(p->v[i].value);
		p->v[i].value = v;
		return 0;
	} else {
		struct pending_edit *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));

		if (nv == NULL)
			goto nomem;
		p->v = nv;
		p->v[p->n].name = n;
		p->v[p->n].value = v;
		p->n++;
	}
	return 0;
nomem:
	free(n);
	free(v);
	return err_set(e, ERR_NOMEM, "pending edit %.*s: out of memory", (int)nlen, name);
}

/* parse_state - the state file's lines into p. */
static int parse_state(struct pending *p, const char *path, const struct buf *b, struct err *e)
{
	const char *s = b->data, *end = b->data + b->len;
	int lineno = 0;

	if (b->len && memchr(b->data, '\0', b->len)) {
		const char *z = memchr(b->data, '\0', b->len);

		for (const char *q = b->data; q < z; q++)
			lineno += *q == '\n';
		err_set(e, ERR_PARSE, "%s:%d: NUL byte in pending edits", path, lineno + 1);
		return err_at(e, path, lineno + 1);
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end, *t1, *t2;
		char *value;
		int r;

		lineno++;
		t1 = memchr(s, '\t', (size_t)(eol - s));
		if (t1 == NULL)
			goto bad;
		if ((size_t)(t1 - s) == 3 && memcmp(s, "set", 3) == 0) {
			t2 = memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1));
			if (t2 == NULL || !name_ok(t1 + 1, (size_t)(t2 - t1 - 1)) ||
			    memchr(t2 + 1, '\r', (size_t)(eol - t2 - 1)))
				goto bad;
			if ((value = strndup(t2 + 1, (size_t)(eol - t2 - 1))) == NULL)
				return err_set(e, ERR_NOMEM, "%s: out of memory", path);
			r = put_edit(p, t1 + 1, (size_t)(t2 - t1 - 1), value, e);
			free(value);
			if (r < 0)
				return -1;
		} else if ((size_t)(t1 - s) == 4 && memcmp(s, "base", 4) == 0) {
			if (hex_decode(t1 + 1, (size_t)(eol - t1 - 1), p->base) < 0)
				goto bad;
			p->has_base = 1;
		} else if ((size_t)(t1 - s) == 5 && memcmp(s, "unset", 5) == 0) {
			if (!name_ok(t1 + 1, (size_t)(eol - t1 - 1)))
				goto bad;
			if (put_edit(p, t1 + 1, (size_t)(eol - t1 - 1), NULL, e) < 0)
				return -1;
		} else {
			goto bad;
		}
		s = nl ? nl + 1 : end;
	}
	return 0;
bad:
	err_set(e, ERR_PARSE, "%s:%d: corrupt pending edit (want \"set<TAB>NAME<TAB>VALUE\" "
		"or \"unset<TAB>NAME\")", path, lineno);
	return err_at(e, path, lineno);
}

/* pending_load - the staged edits of t (none when there is no state file). */
struct pending *pending_load(struct target *t, struct err *e)
{
	struct pending *p = calloc(1, sizeof(*p));
	struct buf b = BUF_INIT;
	struct target_stat st;
	char *path = NULL;

	if (p == NULL || (path = target_state_path(t, "pending")) == NULL) {
		err_set(e, ERR_NOMEM, "pending edits: out of memory");
		goto fail;
	}
	p->t = t;
	if (target_stat(t, path, &st, e) < 0)
		goto fail;
	if (st.exists) {
		if (target_read(t, path, &b, e) < 0 || parse_state(p, path, &b, e) < 0)
			goto fail;
	}
	buf_free(&b);
	free(path);
	return p;
fail:
	buf_free(&b);
	free(path);
	pending_free(p);
	return NULL;
}

/* pending_free - release the edits. */
void pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	free(p);
}

/* pending_set - stage name = value. */
int pending_set(struct pending *p, const char *name, const char *value, struct err *e)
{
	if (name == NULL || !name_ok(name, strlen(name)))
		return err_set(e, ERR_INVALID, "bad parameter name \"%s\"", name ? name : "");
	if (value == NULL || !value_ok(value))
		return err_set(e, ERR_INVALID, "%s: a value must not contain a line break", name);
	/* static:/inline: in a password parameter would put it in main.cf */
	if (secrecy_check_param(name, value, e) < 0)
		return -1;
	return put_edit(p, name, strlen(name), value, e);
}

/* pending_unset - stage the removal of name. */
int pending_unset(struct pending *p, const char *name, struct err *e)
{
	if (name == NULL || !name_ok(name, strlen(name)))
		return err_set(e, ERR_INVALID, "bad parameter name \"%s\"", name ? name : "");
	return put_edit(p, name, strlen(name), NULL, e);
}

/* sep - postconf -n's word separators. */
static int sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* same_value - a and b equal once split at blanks and joined by one space,
 * as postconf -n (and maincf_get) print values. */
static int same_value(const char *a, const char *b)
{
	for (;;) {
		while (sep(*a))
			a++;
		while (sep(*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		while (*a && !sep(*a) && *a == *b)
			a++, b++;
		/* both words must end here */
		if (!(*a == '\0' || sep(*a)) || !(*b == '\0' || sep(*b)))
			return 0;
	}
}

/* pending_stage_set - stage unless main.cf already says so. */
int pending_stage_set(struct pending *p, const struct maincf *m, const char *name,
		      const char *value, struct err *e)
{
	const char *cur = maincf_get(m, name);

	if (cur != NULL && value != NULL && value_ok(value) && same_value(cur, value))
		return pending_drop(p, name) < 0 ? -1 : 1;
	if (pending_set(p, name, value, e) < 0)
		return -1;
	return pending_note_base(p, m) < 0 ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* pending_stage_unset - stage unless main.cf does not set name. */
int pending_stage_unset(struct pending *p, const struct maincf *m, const char *name,
			struct err *e)
{
	if (name != NULL && name_ok(name, strlen(name)) && maincf_get(m, name) == NULL)
		return pending_drop(p, name) < 0 ? -1 : 1;
	if (pending_unset(p, name, e) < 0)
		return -1;
	return pending_note_base(p, m) < 0 ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* pending_note_base - the main.cf (as model m holds it, every byte) the
 * edits are made against, unless an earlier edit recorded one. */
int pending_note_base(struct pending *p, const struct maincf *m)
{
	struct buf b = BUF_INIT;
	unsigned char h[CHANGESET_HASH_LEN];
	int r = 0;

	if (maincf_serialize(m, &b) < 0) {
		buf_free(&b);
		return -1;
	}
	changeset_hash(b.data, b.len, 1, h);
	buf_free(&b);
	if (!p->has_base) {
		memcpy(p->base, h, sizeof(h));
		p->has_base = 1;
	} else if (memcmp(p->base, h, sizeof(h)) != 0) {
		r = 1;
	}
	return r;
}

/* pending_rebase - see pending.h. */
void pending_rebase(struct pending *p)
{
	p->rebase = 1;
}

/* pending_stale - see pending.h. */
int pending_stale(const struct pending *p)
{
	return p->stale;
}

/* pending_drop - forget the edit for name. */
int pending_drop(struct pending *p, const char *name)
{
	size_t i;

	if (name == NULL || !find_index(p, name, &i))
		return 0;
	free(p->v[i].name);
	free(p->v[i].value);
	memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof(*p->v));
	p->n--;
	if (p->n == 0)
		p->has_base = 0;	/* the next edit is made against main.cf as it is then */
	return 0;
}

/* pending_count - number of staged edits. */
size_t pending_count(const struct pending *p)
{
	return p ? p->n : 0;
}

/* pending_describe - names only: values (a password map's path, a
 * relayhost) stay out of the history. */
void pending_describe(const struct pending *p, char *out, size_t outlen)
{
	size_t n = pending_count(p), off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && off + 1 < outlen; i++) {
		const struct pending_edit *pe = pending_at(p, i);
		int w = snprintf(out + off, outlen - off, "%s%s %s", i ? ", " : "",
				 pe->value ? "set" : "unset", pe->name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* pending_at - edit i in staging order, or NULL. */
const struct pending_edit *pending_at(const struct pending *p, size_t i)
{
	return p && i < p->n ? &p->v[i] : NULL;
}

/* pending_find - the edit for name, or NULL. */
const struct pending_edit *pending_find(const struct pending *p, const char *name)
{
	size_t i;

	return p && name && find_index(p, name, &i) ? &p->v[i] : NULL;
}

/* pending_save - write the state file, or remove it when empty. */
int pending_save(struct pending *p, struct err *e)
{
	struct buf b = BUF_INIT;
	char *path;
	int r = -1;

	if ((path = target_state_path(p->t, "pending")) == NULL)
		return err_set(e, ERR_NOMEM, "pending edits: out of memory");
	if (p->n == 0) {
		r = p->t->ops->unlink(p->t, path, e);
		free(path);
		return r;
	}
	if (p->t->ops->mkdir_p(p->t, p->t->state_dir, 0700, e) < 0)
		goto out;
	if (p->has_base) {
		buf_puts(&b, "base\t");
		for (size_t i = 0; i < CHANGESET_HASH_LEN; i++)
			buf_printf(&b, "%02x", p->base[i]);
		buf_putc(&b, '\n');
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct pending_edit *ed = &p->v[i];

		if ((ed->value ? buf_printf(&b, "set\t%s\t%s\n", ed->name, ed->value)
			       : buf_printf(&b, "unset\t%s\n", ed->name)) < 0) {
			err_set(e, ERR_LIMIT, "%s: too many pending edits", path);
			goto out;
		}
	}
	r = target_write(p->t, path, b.data, b.len, 0600, e);
out:
	buf_free(&b);
	free(path);
	return r;
}

/* pending_clear - drop every edit and remove the state file. */
int pending_clear(struct pending *p, struct err *e)
{
	while (p->n > 0)
		pending_drop(p, p->v[p->n - 1].name);
	return pending_save(p, e);
}

/* pending_build - current main.cf plus the edits, staged into cs. */
int pending_build(struct pending *p, struct changeset *cs, struct err *e)
{
	struct buf cur = BUF_INIT, out = BUF_INIT;
	struct target_stat st;
	struct maincf *m = NULL, *before = NULL;
	unsigned char now[CHANGESET_HASH_LEN], empty[CHANGESET_HASH_LEN];
	char *path;
	int r = -1;

	if ((path = target_config_path(p->t, "main.cf")) == NULL)
		return err_set(e, ERR_NOMEM, "pending edits: out of memory");
	/* A config dir without main.cf is Postfix with every default: start empty. */
	if (target_stat(p->t, path, &st, e) < 0)
		goto out;
	if (st.exists && target_read(p->t, path, &cur, e) < 0)
		goto out;
	if ((m = maincf_parse(path, cur.data ? cur.data : "", cur.len, e)) == NULL)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		const struct pending_edit *ed = &p->v[i];

		if ((ed->value ? maincf_set(m, ed->name, ed->value, e)
			       : maincf_unset(m, ed->name, e)) < 0)
			goto out;
	}
	/* A literal table the edits bring into a password parameter, also
	 * through a $name it refers to, is refused here, before any diff. */
	if ((before = maincf_parse(path, cur.data ? cur.data : "", cur.len, e)) == NULL ||
	    secrecy_check_maincf(before, m, e) < 0)
		goto out;
	if (maincf_serialize(m, &out) < 0) {
		err_set(e, ERR_LIMIT, "%s: result too large", path);
		goto out;
	}
	/* The version apply expects: the one the edits were staged against
	 * (a missing main.cf reads as an empty one), or with rebase the one
	 * just read. */
	changeset_hash(cur.data, cur.len, st.exists, now);
	changeset_hash("", 0, 1, empty);
	if (p->rebase || !p->has_base) {
		memcpy(p->base, now, sizeof(now));
		p->has_base = p->n > 0;
		p->rebase = 0;
	}
	p->stale = memcmp(p->base, now, sizeof(now)) != 0 &&
		   !(!st.exists && memcmp(p->base, empty, sizeof(empty)) == 0);
	if (changeset_stage(cs, path, out.data, out.len, 0644, 0, e) < 0 ||
	    changeset_expect(cs, path, p->stale ? p->base : now, e) < 0)
		goto out;
	r = 0;
out:
	maincf_free(m);
	maincf_free(before);
	buf_free(&cur);
	buf_free(&out);
	free(path);
	return r;
}
