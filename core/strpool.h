/*
 * strpool - compact string storage for large models (a queue of 100,000
 * messages): an arena for strings stored once each, and a pool that
 * interns strings that repeat (senders, domains, delay reasons), so every
 * further use costs a 4-byte id.
 *
 * arena: strings are copied into 64 KiB chunks that never move, so a
 * pointer stays valid until arena_rewind past it or arena_free.
 * arena_mark/arena_rewind drop everything added after the mark (a parser
 * undoes a record it decided not to keep).
 *
 * strpool: id 0 is always "". strpool_intern returns the id of an equal
 * string when there is one (open addressing over 32-bit FNV-1a hashes),
 * else stores a copy. Ids are dense (0..count-1), so callers keep
 * per-string facts in plain arrays indexed by id.
 *
 * Neither is thread-safe. Ownership: both are plain values owned by the
 * caller; *_free releases everything (safe on a zeroed value).
 * Errors: STRPOOL_NONE / NULL when memory runs out.
 */
#ifndef RELAYDECK_STRPOOL_H
#define RELAYDECK_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#define STRPOOL_NONE UINT32_MAX

struct arena {
	char **chunks;
	size_t *sizes;		/* of each chunk */
	size_t nchunks, alloc;
	size_t used;		/* bytes used in the last chunk */
	size_t size;		/* size of the last chunk */
	size_t bytes;		/* every chunk's size, for accounting */
};

struct arena_mark {
	size_t nchunks, used;
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);

/* arena_dup - a NUL-terminated copy of s[0..len). */
const char *arena_dup(struct arena *a, const char *s, size_t len);

struct arena_mark arena_mark(const struct arena *a);
void arena_rewind(struct arena *a, struct arena_mark m);

struct strpool {
	struct arena text;
	const char **strs;	/* id -> string */
	uint32_t *hashes;	/* id -> hash */
	uint32_t count, alloc;
	uint32_t *table;	/* slots hold id + 1; 0 is empty */
	size_t tsize;		/* power of two */
};

int strpool_init(struct strpool *p);
void strpool_free(struct strpool *p);

/* strpool_intern - the id of s[0..len), stored when new. */
uint32_t strpool_intern(struct strpool *p, const char *s, size_t len);

/* strpool_find - the id of s[0..len), or STRPOOL_NONE when not stored. */
uint32_t strpool_find(const struct strpool *p, const char *s, size_t len);

/* strpool_str - the string of id (id < count). */
static inline const char *strpool_str(const struct strpool *p, uint32_t id)
{
	return p->strs[id];
}

/* strpool_bytes - memory held, for accounting. */
size_t strpool_bytes(const struct strpool *p);

#endif
