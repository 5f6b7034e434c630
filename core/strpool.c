/*
 * strpool - arena and interned strings. See strpool.h.
 */
#include "config.h"
#include "strpool.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)65536)

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->nchunks; i++)
		free(a->chunks[i]);
	free(a->chunks);
	free(a->sizes);
	memset(a, 0, sizeof(*a));
}

/* new_chunk - append a chunk of at least need bytes. */
static int new_chunk(struct arena *a, size_t need)
{
	size_t size = need > CHUNK / 4 ? need : CHUNK;
	char *c;

	if (a->nchunks == a->alloc) {
		size_t n = a->alloc ? a->alloc * 2 : 16;
		char **v = realloc(a->chunks, n * sizeof(*v));
		size_t *sz;

		if (v == NULL)
			return -1;
		a->chunks = v;
		if ((sz = realloc(a->sizes, n * sizeof(*sz))) == NULL)
			return -1;
		a->sizes = sz;
		a->alloc = n;
	}
	if ((c = malloc(size)) == NULL)
		return -1;
	a->sizes[a->nchunks] = size;
	a->chunks[a->nchunks++] = c;
	a->used = 0;
	a->size = size;
	a->bytes += size;
	return 0;
}

/* arena_dup - a string larger than a quarter chunk gets a chunk of its
 * own (the rest of the current chunk is given up, once per such string). */
const char *arena_dup(struct arena *a, const char *s, size_t len)
{
	char *d;

	if (len + 1 < len)
		return NULL;
	if (a->nchunks == 0 || a->size - a->used < len + 1) {
		if (new_chunk(a, len + 1) < 0)
			return NULL;
	}
	d = a->chunks[a->nchunks - 1] + a->used;
	memcpy(d, s, len);
	d[len] = '\0';
	a->used += len + 1;
	return d;
}

struct arena_mark arena_mark(const struct arena *a)
{
	struct arena_mark m = { a->nchunks, a->used };

	return m;
}

/* arena_rewind - free the chunks made after m and go back to its offset. */
void arena_rewind(struct arena *a, struct arena_mark m)
{
	while (a->nchunks > m.nchunks) {
		a->nchunks--;
		a->bytes -= a->sizes[a->nchunks];
		free(a->chunks[a->nchunks]);
	}
	a->used = m.used;
	a->size = a->nchunks ? a->sizes[a->nchunks - 1] : 0;
}

/* fnv1a - 32-bit FNV-1a. */
static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

int strpool_init(struct strpool *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->text);
	return strpool_intern(p, "", 0) == 0 ? 0 : -1;
}

void strpool_free(struct strpool *p)
{
	arena_free(&p->text);
	free(p->strs);
	free(p->hashes);
	free(p->table);
	memset(p, 0, sizeof(*p));
}

/* slot_of - the table slot holding s, or the empty slot where it would go. */
static size_t slot_of(const struct strpool *p, const char *s, size_t len, uint32_t h)
{
	size_t mask = p->tsize - 1, i = h & mask;

	for (;;) {
		uint32_t v = p->table[i];

		if (v == 0)
			return i;
		if (p->hashes[v - 1] == h && strncmp(p->strs[v - 1], s, len) == 0 &&
		    p->strs[v - 1][len] == '\0')
			return i;
		i = (i + 1) & mask;
	}
}

/* grow_table - double the table (kept at most half full). */
static int grow_table(struct strpool *p)
{
	size_t n = p->tsize ? p->tsize * 2 : 64;
	uint32_t *t = calloc(n, sizeof(*t));

	if (t == NULL)
		return -1;
	for (uint32_t id = 0; id < p->count; id++) {
		size_t i = p->hashes[id] & (n - 1);

		while (t[i])
			i = (i + 1) & (n - 1);
		t[i] = id + 1;
	}
	free(p->table);
	p->table = t;
	p->tsize = n;
	return 0;
}

uint32_t strpool_find(const struct strpool *p, const char *s, size_t len)
{
	uint32_t v;

	if (p->tsize == 0)
		return STRPOOL_NONE;
	v = p->table[slot_of(p, s, len, fnv1a(s, len))];
	return v ? v - 1 : STRPOOL_NONE;
}

uint32_t strpool_intern(struct strpool *p, const char *s, size_t len)
{
	uint32_t h = fnv1a(s, len);
	const char *copy;
	size_t slot;

	if ((p->count + 1) * 2 > p->tsize && grow_table(p) < 0)
		return STRPOOL_NONE;
	slot = slot_of(p, s, len, h);
	if (p->table[slot])
		return p->table[slot] - 1;
	if (p->count == UINT32_MAX - 1)
		return STRPOOL_NONE;
	if (p->count == p->alloc) {
		uint32_t n = p->alloc ? p->alloc * 2 : 64;
		const char **vs = realloc(p->strs, n * sizeof(*vs));
		uint32_t *vh;

		if (vs == NULL)
			return STRPOOL_NONE;
		p->strs = vs;
		if ((vh = realloc(p->hashes, n * sizeof(*vh))) == NULL)
			return STRPOOL_NONE;
		p->hashes = vh;
		p->alloc = n;
	}
	if ((copy = arena_dup(&p->text, s, len)) == NULL)
		return STRPOOL_NONE;
	p->strs[p->count] = copy;
	p->hashes[p->count] = h;
	p->table[slot] = p->count + 1;
	return p->count++;
}

size_t strpool_bytes(const struct strpool *p)
{
	return p->text.bytes + (size_t)p->alloc * (sizeof(*p->strs) + sizeof(*p->hashes)) +
	       p->tsize * sizeof(*p->table);
}
