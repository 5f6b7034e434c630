/*
 * maps - lossless lookup-table sources. See maps.h.
 *
 * The model is a copy of the input plus one item per logical unit: a
 * blank line, a comment line, an entry (its first line and continuation
 * lines; comment lines between them belong to it, as postmap skips them)
 * or, in regexp/pcre/cidr tables, an if/endif line. An item's bytes point
 * into the copy until an edit gives it its own. Serializing concatenates
 * the items, so untouched bytes come back exactly.
 *
 * Postfix's rules followed here (postmap(1), regexp_table(5)): a logical
 * line starts with non-whitespace; a line starting with whitespace
 * continues it; blank lines and lines whose first non-blank is '#' are
 * ignored; key and value are separated by whitespace and the value's
 * leading and trailing whitespace is dropped; hash-type keys are folded
 * to lower case, so duplicates compare without case; the first of
 * duplicate keys wins. regexp patterns are POSIX extended and case
 * insensitive unless flags toggle that; $N in a result must name a
 * subexpression of its pattern.
 *
 * Every buffer that held table bytes is wiped when freed: the same model
 * carries sasl_passwd.
 *
 * Errors: ERR_PARSE with path:line for bad input, ERR_INVALID for bad
 * edits, ERR_RUN/ERR_TIMEOUT from postmap, ERR_NOMEM.
 */
#include "config.h"
#include "maps.h"

#include <ctype.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "changeset.h"
#include "secrecy.h"
#include "target.h"
#include "valid.h"

#define POSTMAP_MS 30000

enum item_kind { IT_BLANK, IT_COMMENT, IT_ENTRY, IT_OTHER };

struct item {
	enum item_kind kind;
	int line;		/* 1-based first line */
	const char *raw;	/* bytes (into src or own) */
	size_t rawlen;
	char *own;		/* owned bytes after an edit */
	char *kv;		/* owned "key\0value\0" after an edit, else NULL */
	size_t kvlen;
	const char *key;
	const char *value;
};

/* Keys and values as parsed, packed in large blocks: one allocation per
 * megabyte instead of one per entry (a 1M-line table spent a tenth of
 * an edit in malloc and free). */
struct kv_block {
	struct kv_block *next;
	size_t size, used;
	char data[];
};

#define KV_BLOCK_SIZE ((size_t)1 << 20)

struct maps {
	char *type;
	char *path;
	enum map_kind kind;
	char *src;
	size_t srclen;
	struct item *items;
	size_t n, alloc;
	size_t *ent;		/* item index of each entry */
	size_t nent;
	struct kv_block *kv_blocks;	/* newest first */
	struct buf warnings;
	int crlf;		/* the first line ends in CRLF */
};

static const struct {
	const char *name;
	enum map_kind kind;
} kinds[] = {
	{ "hash", MAP_INDEXED }, { "btree", MAP_INDEXED }, { "lmdb", MAP_INDEXED },
	{ "cdb", MAP_INDEXED }, { "dbm", MAP_INDEXED }, { "sdbm", MAP_INDEXED },
	{ "texthash", MAP_TEXTHASH }, { "cidr", MAP_CIDR }, { "regexp", MAP_REGEXP },
	{ "pcre", MAP_PCRE }, { "inline", MAP_INLINE },
};

/* maps_kind - kind of a table type name. */
enum map_kind maps_kind(const char *type)
{
	if (type == NULL)
		return MAP_UNKNOWN;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(type, kinds[i].name) == 0)
			return kinds[i].kind;
	return MAP_UNKNOWN;
}

/* folds - hash-type tables compare keys without case, as postmap folds them. */
static int folds(enum map_kind k)
{
	return k == MAP_INDEXED || k == MAP_TEXTHASH;
}

/* ordered - tables whose entries are patterns tried in order. */
static int ordered(enum map_kind k)
{
	return k == MAP_REGEXP || k == MAP_PCRE || k == MAP_CIDR;
}

/* utf8_ok - 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
static int utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned min, cp;
		uint64_t w;

		/* eight ASCII bytes at a time: tables are mostly ASCII */
		if (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* wipe_free - clear and free len bytes. */
static void wipe_free(char *p, size_t len)
{
	if (p) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

/* item_clear - release what an item owns. */
static void item_clear(struct item *it)
{
	if (it->own)
		wipe_free(it->own, it->rawlen);
	if (it->kv)
		wipe_free(it->kv, it->kvlen);
	it->own = it->kv = NULL;
}

/* maps_free - release the model, wiping table bytes. */
void maps_free(struct maps *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		item_clear(&m->items[i]);
	for (struct kv_block *b = m->kv_blocks, *next; b; b = next) {
		next = b->next;
		wipe_free((char *)b, sizeof(*b) + b->used);
	}
	free(m->items);
	free(m->ent);
	wipe_free(m->src, m->srclen);
	free(m->type);
	free(m->path);
	buf_wipe_free(&m->warnings);
	free(m);
}

const char *maps_type(const struct maps *m)
{
	return m->type;
}

const char *maps_path(const struct maps *m)
{
	return m->path;
}

/* kv_alloc - n bytes from the model's key/value blocks. */
static char *kv_alloc(struct maps *m, size_t n)
{
	struct kv_block *b = m->kv_blocks;
	char *p;

	if (b == NULL || b->size - b->used < n) {
		/* a small table's keys fit a block the size of its text */
		size_t size = m->srclen + 64 < KV_BLOCK_SIZE ? m->srclen + 64 : KV_BLOCK_SIZE;

		if (size < n)
			size = n;
		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		mem_prefault(b, sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = m->kv_blocks;
		m->kv_blocks = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

/* point_kv - write "key\0value\0" to kv (klen + vlen + 2 bytes) and point
 * the item's key and value at it. */
static void point_kv(struct item *it, char *kv, const char *key, size_t klen, const char *val,
		     size_t vlen)
{
	memcpy(kv, key, klen);
	kv[klen] = '\0';
	memcpy(kv + klen + 1, val, vlen);
	kv[klen + 1 + vlen] = '\0';
	it->key = kv;
	it->value = kv + klen + 1;
}

/* set_parsed_kv - an entry's key and value as read, in the model's blocks. */
static int set_parsed_kv(struct maps *m, struct item *it, const char *key, size_t klen,
			 const char *val, size_t vlen)
{
	char *kv = kv_alloc(m, klen + vlen + 2);

	if (kv == NULL)
		return -1;
	point_kv(it, kv, key, klen, val, vlen);
	return 0;
}

/* set_kv - give an edited entry its key and value (owned by the item). */
static int set_kv(struct item *it, const char *key, size_t klen, const char *val, size_t vlen)
{
	char *kv = malloc(klen + vlen + 2), *old = it->kv;
	size_t oldlen = it->kvlen;

	if (kv == NULL)
		return -1;
	point_kv(it, kv, key, klen, val, vlen);	/* key or val may be in old */
	if (old)
		wipe_free(old, oldlen);
	it->kv = kv;
	it->kvlen = klen + vlen + 2;
	return 0;
}

/* add_item - append an empty item. */
static struct item *add_item(struct maps *m)
{
	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 64;
		struct item *ni = realloc(m->items, na * sizeof(*ni));

		if (ni == NULL)
			return NULL;
		m->items = ni;
		m->alloc = na;
	}
	memset(&m->items[m->n], 0, sizeof(m->items[0]));
	return &m->items[m->n++];
}

/* reindex - entry index and line numbers after a parse or an edit. */
static int reindex(struct maps *m)
{
	size_t ne = 0;
	int line = 1;

	for (size_t i = 0; i < m->n; i++)
		ne += m->items[i].kind == IT_ENTRY;
	free(m->ent);
	m->ent = malloc((ne ? ne : 1) * sizeof(*m->ent));
	if (m->ent == NULL)
		return -1;
	m->nent = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->items[i];

		it->line = line;
		for (const char *p = it->raw, *end = it->raw + it->rawlen;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			line++;
		if (it->kind == IT_ENTRY)
			m->ent[m->nent++] = i;
	}
	return 0;
}

/* pattern_end - length of "/pattern/flags" (with a leading '!') at s, or
 * 0 when the closing delimiter is missing. Backslash escapes the next
 * character, as Postfix's pattern scanner does. */
static size_t pattern_end(const char *s, size_t len)
{
	size_t i = 0;
	char delim;

	if (i < len && s[i] == '!')
		i++;
	if (i >= len || isspace((unsigned char)s[i]) || isalnum((unsigned char)s[i]))
		return 0;
	delim = s[i++];
	for (; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == delim)
			break;
	}
	if (i >= len)
		return 0;
	i++;
	while (i < len && !isspace((unsigned char)s[i]))
		i++;
	return i;
}

/* max_ref - the highest $N / ${N} in a regexp result. */
static int max_ref(const char *v)
{
	int max = 0;

	for (const char *p = v; *p; p++) {
		const char *q;
		int n = 0;

		if (*p != '$')
			continue;
		if (p[1] == '$') {
			p++;
			continue;
		}
		q = p + 1 + (p[1] == '{' || p[1] == '(');
		if (!isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q) && n < 1000)
			n = n * 10 + (*q++ - '0');
		if (n > max)
			max = n;
	}
	return max;
}

/* regexp_too_costly - patterns glibc's regcomp expands exponentially
 * (stacked quantifiers such as "a+++", many large {m,n} bounds): refused
 * before compiling, because compiling them can exhaust memory. */
static int regexp_too_costly(const char *p, size_t len)
{
	size_t run = 0, braces = 0;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len) {
			i++;
			run = 0;
			continue;
		}
		if (p[i] == '+' || p[i] == '*' || p[i] == '?' || p[i] == '{') {
			if (++run > 2)
				return 1;
			if (p[i] == '{') {
				long n = 0;

				braces++;
				for (i++; i < len && p[i] != '}'; i++)
					if (p[i] >= '0' && p[i] <= '9' && (n = n * 10 + (p[i] - '0')) > 255)
						return 1;
			}
		} else {
			run = 0;
		}
	}
	return braces > 4;
}

/* check_regexp - compile "/pattern/flags" as Postfix's regexp table does. */
static int check_regexp(const char *key, const char *value, struct err *e)
{
	size_t len = strlen(key), end = pattern_end(key, len), i = 0, plen;
	int cflags = REG_EXTENDED | REG_ICASE, rc;
	const char *p, *close;
	char *pat;
	regex_t re;

	if (end != len)
		return err_set(e, ERR_INVALID, "pattern %s: need /pattern/flags", key);
	if (key[i] == '!')
		i++;
	p = key + i + 1;
	/* the closing delimiter is the last one before the flags */
	close = key + len;
	while (close > p && isalpha((unsigned char)close[-1]))
		close--;
	close--;
	for (const char *f = close + 1; *f; f++) {
		switch (*f) {
		case 'i':
			cflags ^= REG_ICASE;
			break;
		case 'x':
			cflags ^= REG_EXTENDED;
			break;
		case 'm':
			cflags ^= REG_NEWLINE;
			break;
		default:
			return err_set(e, ERR_INVALID, "pattern %s: unknown regexp flag '%c'",
				       key, *f);
		}
	}
	plen = (size_t)(close - p);
	if (regexp_too_costly(p, plen))
		return err_set(e, ERR_INVALID,
			       "pattern %s: stacked quantifiers or repeat counts over 255 make "
			       "regcomp too costly", key);
	if ((pat = strndup(p, plen)) == NULL)
		return err_set(e, ERR_NOMEM, "pattern: out of memory");
	rc = regcomp(&re, pat, cflags);
	free(pat);
	if (rc != 0) {
		char why[160];

		regerror(rc, &re, why, sizeof(why));
		return err_set(e, ERR_INVALID, "pattern %s does not compile: %s", key, why);
	}
	if (value && key[0] != '!' && max_ref(value) > (int)re.re_nsub) {
		regfree(&re);
		return err_set(e, ERR_INVALID,
			       "pattern %s: result uses $%d but the pattern has %zu group(s)",
			       key, max_ref(value), re.re_nsub);
	}
	regfree(&re);
	return 0;
}

/* check_pcre_syntax - what can be checked of a pcre rule without pcre. */
static int check_pcre_syntax(const char *key, struct err *e)
{
	size_t len = strlen(key), i;

	if (pattern_end(key, len) != len)
		return err_set(e, ERR_INVALID, "pattern %s: need /pattern/flags", key);
	for (i = len; i > 0 && isalpha((unsigned char)key[i - 1]); i--)
		if (strchr("imsxAEUX", key[i - 1]) == NULL)
			return err_set(e, ERR_INVALID, "pattern %s: unknown pcre flag '%c'", key,
				       key[i - 1]);
	return 0;
}

/* check_cidr - address or address/len, IPv4 or IPv6 (no brackets). */
static int check_cidr(const char *key, struct err *e)
{
	char addr[128], brk[132];
	const char *k = key[0] == '!' ? key + 1 : key;
	const char *slash = strchr(k, '/');
	size_t alen = slash ? (size_t)(slash - k) : strlen(k);
	struct err tmp;

	if (alen == 0 || alen >= sizeof(addr))
		return err_set(e, ERR_INVALID, "cidr pattern '%s': need address[/length]", key);
	memcpy(addr, k, alen);
	addr[alen] = '\0';
	err_clear(&tmp);
	if (strchr(addr, ':')) {
		if (valid_ipv6(addr, &tmp) < 0)
			return err_set(e, ERR_INVALID, "cidr pattern '%s': %s", key, tmp.msg);
		if (slash) {
			snprintf(brk, sizeof(brk), "[%s]%s", addr, slash);
			if (valid_cidr(brk, &tmp) < 0)
				return err_set(e, ERR_INVALID, "cidr pattern '%s': %s", key,
					       tmp.msg);
		}
	} else if (slash ? valid_cidr(k, &tmp) < 0 : valid_ipv4(addr, &tmp) < 0) {
		return err_set(e, ERR_INVALID, "cidr pattern '%s': %s", key, tmp.msg);
	}
	return 0;
}

/* maps_check_entry - validate one key and value for a table kind. */
int maps_check_entry(enum map_kind kind, const char *key, const char *value, struct err *e)
{
	size_t kl, vl;

	if (key == NULL || *key == '\0')
		return err_set(e, ERR_INVALID, "empty key");
	if (value == NULL || *value == '\0')
		return err_set(e, ERR_INVALID, "key '%s': missing value", key);
	kl = strlen(key);
	vl = strlen(value);
	if (strpbrk(key, "\r\n") || strpbrk(value, "\r\n"))
		return err_set(e, ERR_INVALID, "key '%s': newline in key or value", key);
	if (kl + vl + 1 > MAPS_LINE_MAX)
		return err_set(e, ERR_INVALID, "key '%s': line longer than %d bytes", key,
			       MAPS_LINE_MAX);
	if (!utf8_ok((const unsigned char *)key, kl) || !utf8_ok((const unsigned char *)value, vl))
		return err_set(e, ERR_INVALID, "key '%s': not valid UTF-8", key);
	if (isspace((unsigned char)value[0]) || isspace((unsigned char)value[vl - 1]))
		return err_set(e, ERR_INVALID,
			       "key '%s': value starts or ends with whitespace, which postmap "
			       "drops", key);
	if (key[0] == '#' || isspace((unsigned char)key[0]))
		return err_set(e, ERR_INVALID, "key '%s': starts with '#' or whitespace", key);
	switch (kind) {
	case MAP_INDEXED:
	case MAP_TEXTHASH:
		for (const char *p = key; *p; p++)
			if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
				return err_set(e, ERR_INVALID,
					       "key '%s': whitespace or control character in a "
					       "key", key);
		return 0;
	case MAP_CIDR:
		return check_cidr(key, e);
	case MAP_REGEXP:
		return check_regexp(key, value, e);
	case MAP_PCRE:
		return check_pcre_syntax(key, e);
	default:
		return err_set(e, ERR_INVALID, "key '%s': table type has no file entries", key);
	}
}

/* is_word - s starts with the word w followed by whitespace or the end. */
static int is_word(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && strncmp(s, w, n) == 0 && (len == n || isspace((unsigned char)s[n]));
}

/* split_logical - key and value of one logical line (continuations joined). */
static int split_logical(struct maps *m, struct item *it, const char *text, size_t len,
			 struct err *e)
{
	size_t klen, v;

	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (ordered(m->kind) && m->kind != MAP_CIDR) {
		klen = pattern_end(text, len);
		if (klen == 0)
			return err_set(e, ERR_PARSE, "pattern without its closing delimiter");
	} else {
		for (klen = 0; klen < len && !isspace((unsigned char)text[klen]); klen++)
			;
	}
	for (v = klen; v < len && isspace((unsigned char)text[v]); v++)
		;
	if (set_parsed_kv(m, it, text, klen, text + v, len - v) < 0)
		return err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
	if (maps_check_entry(m->kind, it->key, it->value, e) < 0) {
		e->code = ERR_PARSE;
		return -1;
	}
	return 0;
}

/* Key set for duplicate detection: open addressing on item indexes,
 * each with the top bits of its key's hash, so a probe that meets
 * another key rarely reads that key (a cache miss each on 1M entries). */
struct kslot {
	uint32_t idx;		/* item index + 1, 0 = empty */
	uint32_t tag;		/* high half of the key's hash */
};

struct kset {
	struct kslot *slot;
	size_t mask;
	int fold;
};

/* key_hash - FNV-1a, folded to lower case for hash-type tables. */
static uint64_t key_hash(const char *s, int fold)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 1099511628211ull;
	}
	return h;
}

/* key_eq - keys equal as Postfix compares them. */
static int key_eq(const char *a, const char *b, int fold)
{
	unsigned char ca = (unsigned char)a[0], cb = (unsigned char)b[0];

	/* the first bytes decide most comparisons of a linear search */
	if (fold && ca >= 'A' && ca <= 'Z')
		ca = (unsigned char)(ca - 'A' + 'a');
	if (fold && cb >= 'A' && cb <= 'Z')
		cb = (unsigned char)(cb - 'A' + 'a');
	if (ca != cb && ca < 0x80 && cb < 0x80)
		return 0;
	return fold ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* check_duplicates - warn about every key seen before ("first wins").
 * The keys' hashes come first, in one pass, so the slot of the key a few
 * places ahead can be fetched while this one is placed: on 1M entries
 * the set is 16 MB, and waiting for each slot in turn (a cache and TLB
 * miss each) was 150 ms of a 1M-line edit. */
#define PREFETCH_AHEAD 16

static int check_duplicates(struct maps *m)
{
	struct kset ks;
	uint64_t *hash;
	size_t size = 16;

	while (size < m->nent * 2)
		size <<= 1;
	if (m->n >= UINT32_MAX)
		return -1;
	ks.slot = calloc(size, sizeof(*ks.slot));
	hash = malloc((m->nent ? m->nent : 1) * sizeof(*hash));
	if (ks.slot == NULL || hash == NULL) {
		free(ks.slot);
		free(hash);
		return -1;
	}
	ks.mask = size - 1;
	ks.fold = folds(m->kind);
	for (size_t i = 0; i < m->nent; i++)
		hash[i] = key_hash(m->items[m->ent[i]].key, ks.fold);
	for (size_t i = 0; i < m->nent; i++) {
		struct item *it = &m->items[m->ent[i]];
		uint32_t tag = (uint32_t)(hash[i] >> 32);
		size_t h = (size_t)hash[i] & ks.mask;

#if defined(__GNUC__)
		if (i + PREFETCH_AHEAD < m->nent)
			__builtin_prefetch(&ks.slot[hash[i + PREFETCH_AHEAD] & ks.mask], 1);
#endif
		for (;; h = (h + 1) & ks.mask) {
			if (ks.slot[h].idx == 0) {
				ks.slot[h].idx = (uint32_t)m->ent[i] + 1;
				ks.slot[h].tag = tag;
				break;
			}
			if (ks.slot[h].tag == tag &&
			    key_eq(m->items[ks.slot[h].idx - 1].key, it->key, ks.fold)) {
				buf_printf(&m->warnings,
					   "%s:%d: duplicate %s '%s' (first at line %d); %s\n",
					   m->path, it->line, ordered(m->kind) ? "pattern" : "key",
					   it->key, m->items[ks.slot[h].idx - 1].line,
					   ordered(m->kind) ? "it never matches"
							    : "Postfix uses the first");
				break;
			}
		}
	}
	free(hash);
	free(ks.slot);
	return 0;
}

/* parse_lines - build the items from m->src. */
static int parse_lines(struct maps *m, struct err *e)
{
	const char *s = m->src, *end = m->src + m->srclen;
	struct buf logical = BUF_INIT;
	size_t cur = (size_t)-1;	/* item being continued */
	int line = 0, r = 0, cur_line = 0;

	buf_init(&logical, (size_t)MAPS_LINE_MAX * 2);
	while (s < end && r == 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		size_t tl = len - (nl != NULL), i = 0;
		struct item *it;

		line++;
		if (tl > 0 && s[tl - 1] == '\r')
			tl--;
		if (line == 1 && nl && tl + 1 < len)
			m->crlf = 1;
		while (i < tl && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\v' ||
				   s[i] == '\f'))
			i++;
		if (memchr(s, '\0', len)) {
			r = err_set(e, ERR_PARSE, "NUL byte in a table");
			cur_line = line;
			break;
		}
		if (i == tl || s[i] == '#') {
			if ((it = add_item(m)) == NULL)
				goto nomem;
			it->kind = i == tl ? IT_BLANK : IT_COMMENT;
		} else if (i > 0) {
			/* a continuation line: the comments and blanks since the
			 * entry's start become part of it */
			if (cur == (size_t)-1) {
				r = err_set(e, ERR_PARSE,
					    "line starts with whitespace but continues no entry");
				cur_line = line;
				break;
			}
			for (size_t k = cur + 1; k < m->n; k++)
				m->items[cur].rawlen += m->items[k].rawlen;
			m->n = cur + 1;
			m->items[cur].rawlen += len;
			buf_putc(&logical, ' ');
			if (buf_append(&logical, s + i, tl - i) < 0) {
				r = err_set(e, ERR_PARSE, "line longer than %d bytes",
					    MAPS_LINE_MAX);
				cur_line = m->items[cur].line;
				break;
			}
			s += len;
			continue;
		} else {
			if (cur != (size_t)-1) {
				r = split_logical(m, &m->items[cur], logical.data, logical.len, e);
				if (r < 0) {
					cur_line = m->items[cur].line;
					break;
				}
			}
			cur = (size_t)-1;
			if ((it = add_item(m)) == NULL)
				goto nomem;
			if (ordered(m->kind) && (is_word(s, tl, "if") || is_word(s, tl, "endif"))) {
				it->kind = IT_OTHER;
			} else {
				it->kind = IT_ENTRY;
				cur = m->n - 1;
				buf_reset(&logical);
				buf_append(&logical, s, tl);
			}
		}
		it = &m->items[m->n - 1];
		it->line = line;
		it->raw = s;
		it->rawlen = len;
		if (it->kind == IT_ENTRY && !utf8_ok((const unsigned char *)s, tl)) {
			r = err_set(e, ERR_PARSE, "bytes that are not UTF-8");
			cur_line = line;
			break;
		}
		if (tl > MAPS_LINE_MAX && it->kind == IT_ENTRY) {
			r = err_set(e, ERR_PARSE, "line longer than %d bytes", MAPS_LINE_MAX);
			cur_line = line;
			break;
		}
		s += len;
	}
	if (r == 0 && cur != (size_t)-1) {
		if (logical.len > MAPS_LINE_MAX) {
			r = err_set(e, ERR_PARSE, "line longer than %d bytes", MAPS_LINE_MAX);
			cur_line = m->items[cur].line;
		} else if ((r = split_logical(m, &m->items[cur], logical.data, logical.len, e)) < 0) {
			cur_line = m->items[cur].line;
		}
	}
	buf_wipe_free(&logical);
	if (r < 0)
		return err_at(e, m->path, cur_line);
	return 0;
nomem:
	buf_wipe_free(&logical);
	return err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
}

/* parse_owned - the model of src[0..len) (NUL-terminated), which it
 * takes over: freed (wiped) with the model, or here on failure. */
static struct maps *parse_owned(const char *type, const char *path, char *src, size_t len,
				struct err *e)
{
	struct maps *m;
	enum map_kind kind = type && *type ? maps_kind(type) : MAP_INDEXED;

	if (kind == MAP_UNKNOWN) {
		err_set(e, ERR_INVALID, "%s: unknown or unsupported table type '%s'",
			path ? path : "table", type);
		wipe_free(src, len);
		return NULL;
	}
	if (kind == MAP_INLINE) {
		err_set(e, ERR_INVALID, "inline tables live in main.cf, not in a file");
		wipe_free(src, len);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		wipe_free(src, len);
		return NULL;
	}
	m->kind = kind;
	buf_init(&m->warnings, 0);
	m->src = src;
	m->srclen = len;
	m->type = strdup(type ? type : "");
	m->path = strdup(path ? path : "");
	/* one item per line at most: sized once, not regrown (copied) */
	if (src != NULL) {
		size_t lines = 1;

		for (const char *p = src, *end = src + len;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			lines++;
		if ((m->items = malloc(lines * sizeof(*m->items))) != NULL)
			m->alloc = lines;
	}
	if (m->type == NULL || m->path == NULL || m->src == NULL) {
		maps_free(m);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (parse_lines(m, e) < 0 || reindex(m) < 0 || check_duplicates(m) < 0) {
		if (e->code == ERR_OK)
			err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
		maps_free(m);
		return NULL;
	}
	return m;
}

/* maps_parse - see maps.h. */
struct maps *maps_parse(const char *type, const char *path, const char *data, size_t len,
			struct err *e)
{
	char *src = malloc(len + 1);

	if (src == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (len)
		memcpy(src, data, len);
	src[len] = '\0';
	return parse_owned(type, path, src, len, e);
}

/* maps_parse_buf - see maps.h. */
struct maps *maps_parse_buf(const char *type, const char *path, struct buf *b, struct err *e)
{
	size_t len = b->len;

	return parse_owned(type, path, buf_steal(b), len, e);
}

/* maps_serialize - the bytes of every item in order. */
int maps_serialize(const struct maps *m, struct buf *out)
{
	size_t total = 0;

	for (size_t i = 0; i < m->n; i++)
		total += m->items[i].rawlen;
	if (buf_reserve(out, total) < 0)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (buf_append(out, m->items[i].raw, m->items[i].rawlen) < 0)
			return -1;
	return 0;
}

size_t maps_count(const struct maps *m)
{
	return m->nent;
}

/* maps_entry - entry i as postmap reads it. */
int maps_entry(const struct maps *m, size_t i, struct map_entry *out)
{
	const struct item *it;

	if (i >= m->nent)
		return -1;
	it = &m->items[m->ent[i]];
	out->key = it->key;
	out->value = it->value;
	out->line = it->line;
	return 0;
}

/* find - index into m->ent of the first entry with key, or -1. */
static long find(const struct maps *m, const char *key)
{
	int fold = folds(m->kind);

	for (size_t i = 0; i < m->nent; i++)
		if (key_eq(m->items[m->ent[i]].key, key, fold))
			return (long)i;
	return -1;
}

/* maps_get - first value for key. */
const char *maps_get(const struct maps *m, const char *key)
{
	long i = find(m, key);

	return i < 0 ? NULL : m->items[m->ent[i]].value;
}

/* nl_of - the newline style for new lines. */
static const char *nl_of(const struct maps *m)
{
	return m->crlf ? "\r\n" : "\n";
}

/* sep_of - the separator an entry uses between key and value. */
static void sep_of(const struct maps *m, const struct item *it, char *sep, size_t n)
{
	size_t k = strlen(it->key), j = k;

	(void)m;
	while (j < it->rawlen && (it->raw[j] == ' ' || it->raw[j] == '\t') && j - k + 1 < n)
		j++;
	if (j == k || strncmp(it->raw, it->key, k) != 0) {
		snprintf(sep, n, "%s", ordered(m->kind) ? "\t" : " ");
		return;
	}
	memcpy(sep, it->raw + k, j - k);
	sep[j - k] = '\0';
}

/* render - give an entry new text: "key SEP value NL". */
static int render(struct maps *m, struct item *it, const char *key, const char *value,
		  const char *sep, const char *nl)
{
	size_t kl = strlen(key), vl = strlen(value), sl = strlen(sep), nll = strlen(nl);
	char *own = malloc(kl + sl + vl + nll + 1);

	if (own == NULL)
		return -1;
	memcpy(own, key, kl);
	memcpy(own + kl, sep, sl);
	memcpy(own + kl + sl, value, vl);
	memcpy(own + kl + sl + vl, nl, nll);
	own[kl + sl + vl + nll] = '\0';
	if (set_kv(it, key, kl, value, vl) < 0) {
		free(own);
		return -1;
	}
	if (it->own)
		wipe_free(it->own, it->rawlen);
	it->own = own;
	it->raw = own;
	it->rawlen = kl + sl + vl + nll;
	it->kind = IT_ENTRY;
	(void)m;
	return 0;
}

/* ensure_final_newline - the last item ends in a newline before appending. */
static int ensure_final_newline(struct maps *m)
{
	struct item *it;
	const char *nl = nl_of(m);
	char *own;

	if (m->n == 0)
		return 0;
	it = &m->items[m->n - 1];
	if (it->rawlen == 0 || it->raw[it->rawlen - 1] == '\n')
		return 0;
	if ((own = malloc(it->rawlen + 3)) == NULL)
		return -1;
	memcpy(own, it->raw, it->rawlen);
	memcpy(own + it->rawlen, nl, strlen(nl) + 1);
	if (it->own)
		wipe_free(it->own, it->rawlen);
	it->own = own;
	it->raw = own;
	it->rawlen += strlen(nl);
	return 0;
}

/* default_sep - separator of the last entry, so new lines look like the rest. */
static void default_sep(const struct maps *m, char *sep, size_t n)
{
	if (m->nent > 0)
		sep_of(m, &m->items[m->ent[m->nent - 1]], sep, n);
	else
		snprintf(sep, n, "%s", ordered(m->kind) ? "\t" : " ");
}

/* maps_insert - new entry before entry i (or at the end). */
int maps_insert(struct maps *m, size_t i, const char *key, const char *value, struct err *e)
{
	char sep[32];
	size_t at;
	struct item *it;

	if (maps_check_entry(m->kind, key, value, e) < 0)
		return err_at(e, m->path, 0);
	default_sep(m, sep, sizeof(sep));
	if (ensure_final_newline(m) < 0 || add_item(m) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
	at = i < m->nent ? m->ent[i] : m->n - 1;
	memmove(&m->items[at + 1], &m->items[at], (m->n - 1 - at) * sizeof(m->items[0]));
	it = &m->items[at];
	memset(it, 0, sizeof(*it));
	if (render(m, it, key, value, sep, nl_of(m)) < 0 || reindex(m) < 0)
		return err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
	return 0;
}

/* maps_set - replace the first entry's value or append. */
int maps_set(struct maps *m, const char *key, const char *value, struct err *e)
{
	long i;
	struct item *it;
	char sep[32];
	const char *nl;

	if (maps_check_entry(m->kind, key, value, e) < 0)
		return err_at(e, m->path, 0);
	if ((i = find(m, key)) < 0)
		return maps_insert(m, (size_t)-1, key, value, e);
	it = &m->items[m->ent[i]];
	sep_of(m, it, sep, sizeof(sep));
	if (it->rawlen >= 2 && it->raw[it->rawlen - 1] == '\n' && it->raw[it->rawlen - 2] == '\r')
		nl = "\r\n";
	else if (it->rawlen >= 1 && it->raw[it->rawlen - 1] == '\n')
		nl = "\n";
	else
		nl = "";
	/* keep the key as written (its case) so the diff shows only the value */
	if (render(m, it, it->key, value, sep, nl) < 0 || reindex(m) < 0)
		return err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
	return 0;
}

/* maps_remove_at - drop entry i. */
int maps_remove_at(struct maps *m, size_t i, struct err *e)
{
	size_t at;

	if (i >= m->nent)
		return err_set(e, ERR_NOTFOUND, "%s: no entry %zu", m->path, i + 1);
	at = m->ent[i];
	item_clear(&m->items[at]);
	memmove(&m->items[at], &m->items[at + 1], (m->n - at - 1) * sizeof(m->items[0]));
	m->n--;
	if (reindex(m) < 0)
		return err_set(e, ERR_NOMEM, "%s: out of memory", m->path);
	return 0;
}

/* maps_remove - drop every entry with key. */
int maps_remove(struct maps *m, const char *key, struct err *e)
{
	long i;
	int n = 0;

	while ((i = find(m, key)) >= 0) {
		if (maps_remove_at(m, (size_t)i, e) < 0)
			return -1;
		n++;
	}
	if (n == 0)
		return err_set(e, ERR_NOTFOUND, "%s: no entry for '%s'", m->path, key);
	return 0;
}

/* maps_warnings - warnings found while parsing. */
int maps_warnings(const struct maps *m, struct buf *out)
{
	return m->warnings.len ? buf_append(out, m->warnings.data, m->warnings.len) : 0;
}

/* maps_stage - the model's bytes into cs. */
int maps_stage(struct changeset *cs, const struct maps *m, mode_t mode, unsigned flags,
	       struct err *e)
{
	struct buf b = BUF_INIT;
	int r;

	if (maps_serialize(m, &b) < 0) {
		buf_wipe_free(&b);
		return err_set(e, ERR_LIMIT, "%s: table too large", m->path);
	}
	if (m->kind == MAP_INDEXED)
		flags |= CS_POSTMAP;
	/* handed over, not copied: a table may be 50 MB */
	r = changeset_stage_buf(cs, m->path, &b, mode, flags,
				m->kind == MAP_INDEXED ? m->type : NULL, e);
	buf_wipe_free(&b);
	return r;
}

/* first_line - the first line of text, for messages. */
static void first_line(const struct buf *b, char *out, size_t n)
{
	size_t l = 0;

	while (l < b->len && b->data[l] != '\n' && l + 1 < n)
		l++;
	memcpy(out, b->data ? b->data : "", l);
	out[l] = '\0';
}

/* maps_query - postmap -q / -fq on the target. */
int maps_query(struct target *t, const char *spec, const char *key, int fold,
	       struct buf *out, int *found, struct err *e)
{
	const char *argv[] = { "postmap", "-c", t->config_dir, fold ? "-fq" : "-q", key, spec,
			       NULL };
	struct run_out o;
	char why[300];
	int r;

	*found = 0;
	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n"))
		return err_set(e, ERR_INVALID, "query %s: empty key or key with a newline", spec);
	run_out_init(&o);
	r = target_run(t, argv, NULL, &o, POSTMAP_MS, e);
	if (r == 0 && o.timed_out)
		r = err_set(e, ERR_TIMEOUT, "postmap -q %s: no answer within %d ms", spec,
			    POSTMAP_MS);
	if (r == 0) {
		first_line(&o.err, why, sizeof(why));
		if (strstr(o.err.data ? o.err.data : "", "fatal:") ||
		    strstr(o.err.data ? o.err.data : "", "error:") ||
		    (o.exit_code != 0 && o.exit_code != 1)) {
			r = err_set(e, ERR_RUN, "postmap -q %s: %s", spec,
				    why[0] ? why : "failed");
		} else if (o.exit_code == 0) {
			size_t n = o.out.len;

			while (n > 0 && (o.out.data[n - 1] == '\n'))
				n--;
			*found = 1;
			if (buf_append(out, o.out.data, n) < 0)
				r = err_set(e, ERR_LIMIT, "postmap -q %s: output too large", spec);
		}
	}
	buf_wipe_free(&o.out);
	run_out_free(&o);
	return r;
}

/* try_lookup - first match for addr in param's tables, in main.cf's
 * order; the key forms are the ones Postfix tries for that table. 1 with
 * the step filled on a match, 0 when none, -1 on a postmap error. */
static int try_lookup(struct target *t, struct secrecy *sec, const struct map_ref *refs,
		      size_t n, const char *addr, int transport, struct maps_try_step *st,
		      struct err *e)
{
	char masked[MAPS_LINE_MAX];
	int secret = 0;
	const char *at = strrchr(addr, '@');
	char keys[8][1100];
	struct buf value = BUF_INIT;
	size_t nk;
	int found = 0;

	for (size_t i = 0; i < n && !found; i++) {
		enum map_kind k = maps_kind(refs[i].type);

		if (strcmp(refs[i].param, st->param) != 0)
			continue;
		nk = 0;
		snprintf(keys[nk++], sizeof(keys[0]), "%s", addr);
		if (k != MAP_REGEXP && k != MAP_PCRE && k != MAP_CIDR && at) {
			if (transport) {
				/* domain, then parent domains as .domain, then * */
				const char *d = at + 1;

				snprintf(keys[nk++], sizeof(keys[0]), "%s", d);
				for (const char *p = strchr(d, '.'); p && nk < 6; p = strchr(p + 1, '.'))
					snprintf(keys[nk++], sizeof(keys[0]), "%s", p);
				snprintf(keys[nk++], sizeof(keys[0]), "*");
			} else {
				snprintf(keys[nk++], sizeof(keys[0]), "%.*s@", (int)(at - addr), addr);
				snprintf(keys[nk++], sizeof(keys[0]), "%s", at);
			}
		}
		for (size_t q = 0; q < nk && !found; q++) {
			buf_reset(&value);
			if (maps_query(t, refs[i].spec, keys[q], 0, &value, &found, e) < 0) {
				buf_wipe_free(&value);
				return -1;
			}
			/* a credentials table answers with a password: never hand it out */
			if (found && refs[i].path[0] &&
			    (secret = secrecy_table(sec, refs[i].path, e)) < 0) {
				buf_wipe_free(&value);
				return -1;
			}
			if (found && secret)
				secrecy_mask_value(value.data ? value.data : "", masked,
						   sizeof(masked));
			if (found && ((st->table = strdup(refs[i].spec)) == NULL ||
				      (st->key = strdup(keys[q])) == NULL ||
				      (st->result = strdup(secret ? masked
							   : value.data ? value.data : "")) == NULL)) {
				buf_wipe_free(&value);
				return err_set(e, ERR_NOMEM, "try %s: out of memory", addr);
			}
		}
	}
	buf_wipe_free(&value);
	st->matched = found;
	return found;
}

/* maps_try - every rewrite and routing step for one address. */
int maps_try(struct target *t, const char *addr, struct maps_try_step **steps,
	     size_t *count, struct err *e)
{
	static const struct {
		const char *param, *what;
		int transport, rewrites;
	} order[] = {
		{ "canonical_maps", "canonical (cleanup)", 0, 1 },
		{ "sender_canonical_maps", "sender canonical (cleanup)", 0, 1 },
		{ "sender_dependent_relayhost_maps", "relay for this sender", 0, 0 },
		{ "transport_maps", "transport for this recipient", 1, 0 },
		{ "smtp_generic_maps", "generic (smtp client, on the way out)", 0, 1 },
	};
	const size_t nsteps = sizeof(order) / sizeof(order[0]);
	struct map_ref *refs = NULL;
	struct maps_try_step *st;
	struct secrecy *sec;
	size_t n = 0;
	const char *cur = addr;
	int r = 0;

	*steps = NULL;
	*count = 0;
	if (addr == NULL || *addr == '\0' || strpbrk(addr, " \t\r\n"))
		return err_set(e, ERR_INVALID, "try: the address must be one word");
	if (maps_refs(t, &refs, &n, e) < 0)
		return -1;
	if ((sec = secrecy_load(t, e)) == NULL) {
		maps_refs_free(refs, n);
		return -1;
	}
	if ((st = calloc(nsteps, sizeof(*st))) == NULL) {
		maps_refs_free(refs, n);
		secrecy_free(sec);
		return err_set(e, ERR_NOMEM, "try %s: out of memory", addr);
	}
	for (size_t s = 0; s < nsteps && r == 0; s++) {
		/* transport routes the recipient as typed; the others see the
		 * sender as canonical rewriting left it */
		const char *in = order[s].transport ? addr : cur;

		st[s].param = order[s].param;
		st[s].what = order[s].what;
		*count = s + 1;
		if ((st[s].input = strdup(in)) == NULL) {
			r = err_set(e, ERR_NOMEM, "try %s: out of memory", addr);
			break;
		}
		if (try_lookup(t, sec, refs, n, in, order[s].transport, &st[s], e) < 0)
			r = -1;
		else if (st[s].matched && order[s].rewrites && s < 2)
			cur = st[s].result;
	}
	maps_refs_free(refs, n);
	secrecy_free(sec);
	if (r < 0) {
		maps_try_free(st, *count);
		*count = 0;
		return -1;
	}
	*steps = st;
	return 0;
}

/* maps_try_free - release a maps_try result. */
void maps_try_free(struct maps_try_step *steps, size_t count)
{
	for (size_t i = 0; steps && i < count; i++) {
		free(steps[i].input);
		free(steps[i].table);
		free(steps[i].key);
		free(steps[i].result);
	}
	free(steps);
}

/* host_types - `postconf -m` output. */
static int host_types(struct target *t, struct buf *types, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-m", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTMAP_MS, e);
	if (r == 0)
		buf_append(types, o.out.data, o.out.len);
	run_out_free(&o);
	return r;
}

/* has_type - type is a line of postconf -m output. */
static int has_type(const struct buf *types, const char *type)
{
	size_t n = strlen(type);

	for (const char *p = types->data; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		if (l == n && strncmp(p, type, n) == 0)
			return 1;
		p += l + (nl != NULL);
	}
	return 0;
}

/* maps_check_pcre - let the host's Postfix compile the pattern. */
int maps_check_pcre(struct target *t, const char *pattern, struct err *e)
{
	struct buf types = BUF_INIT, spec = BUF_INIT;
	const char *argv[] = { "postmap", "-c", t->config_dir, "-q", "relaydeck-probe", NULL,
			       NULL };
	struct run_out o;
	char why[300];
	int r;

	if (check_pcre_syntax(pattern, e) < 0)
		return -1;
	if (host_types(t, &types, e) < 0) {
		buf_free(&types);
		return -1;
	}
	r = has_type(&types, "pcre");
	buf_free(&types);
	if (!r)
		return err_set(e, ERR_INVALID,
			       "pcre tables are not supported by this Postfix (postconf -m has "
			       "no pcre; install postfix-pcre or use regexp)");
	/* Postfix 3.7 reads inline pcre rules: pcre:{ {/pattern/ result} } */
	buf_printf(&spec, "pcre:{{%s x}}", pattern);
	argv[5] = spec.data;
	run_out_init(&o);
	r = target_run(t, argv, NULL, &o, POSTMAP_MS, e);
	if (r == 0) {
		first_line(&o.err, why, sizeof(why));
		if (o.err.len > 0 || (o.exit_code != 0 && o.exit_code != 1))
			r = err_set(e, ERR_INVALID, "pattern %s: %s", pattern,
				    why[0] ? why : "rejected by postmap");
	}
	run_out_free(&o);
	buf_free(&spec);
	return r;
}

/* maps_split_spec - "type:path", proxy: dropped. */
int maps_split_spec(const char *spec, char **type, char **path, struct err *e)
{
	const char *s = spec, *colon;

	*type = *path = NULL;
	while (strncmp(s, "proxy:", 6) == 0)
		s += 6;
	colon = strchr(s, ':');
	if (colon == NULL || colon == s)
		return err_set(e, ERR_INVALID, "'%s': need TYPE:PATH", spec);
	*type = strndup(s, (size_t)(colon - s));
	*path = strdup(colon + 1);
	if (*type == NULL || *path == NULL) {
		free(*type);
		free(*path);
		*type = *path = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (valid_map_type(*type, e) < 0) {
		err_set(e, ERR_INVALID, "'%s': bad table type", spec);
		free(*type);
		free(*path);
		*type = *path = NULL;
		return -1;
	}
	return 0;
}

/* add_ref - append one reference; a literal table that is a password
 * (secret) is kept masked. */
static int add_ref(struct map_ref **refs, size_t *n, const char *param, const char *item,
		   const char *type, const char *path, int secret)
{
	struct map_ref *nr = realloc(*refs, (*n + 1) * sizeof(*nr));

	if (nr == NULL)
		return -1;
	*refs = nr;
	nr[*n].param = strdup(param);
	nr[*n].spec = NULL;
	nr[*n].type = strdup(type);
	nr[*n].path = strdup(path);
	(*n)++;
	if (nr[*n - 1].param == NULL || nr[*n - 1].type == NULL || nr[*n - 1].path == NULL)
		return -1;
	if (maps_kind(type) == MAP_INLINE || *path == '\0') {
		char shown[MAPS_LINE_MAX];

		if (secret)
			secrecy_mask_spec(item, shown, sizeof(shown));
		nr[*n - 1].spec = strdup(secret ? shown : item);
	}
	else if ((nr[*n - 1].spec = malloc(strlen(type) + strlen(path) + 2)) != NULL)
		sprintf(nr[*n - 1].spec, "%s:%s", type, path);
	return nr[*n - 1].spec ? 0 : -1;
}

/* password_values - the values of the password parameters in postconf
 * -x -n output (expanded: every $name resolved), one per line. */
static int password_values(const char *text, struct buf *out)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		const char *eq = strstr(p, " = ");
		char name[257];

		if (eq && eq < end && (size_t)(eq - p) < sizeof(name)) {
			memcpy(name, p, (size_t)(eq - p));
			name[eq - p] = '\0';
			if (secrecy_param_holds_passwords(name) &&
			    (buf_append(out, eq + 3, (size_t)(end - (eq + 3))) < 0 ||
			     buf_putc(out, '\n') < 0))
				return -1;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* refs_of_line - the tables one "name = value" line names. A literal
 * table is a password in a password parameter, and in any parameter
 * whose literal one of them reaches through $name (secret_vals: their
 * expanded values). */
static int refs_of_line(const struct buf *types, const struct buf *secret_vals, char *line,
			struct map_ref **refs, size_t *n, struct err *e)
{
	char *eq = strstr(line, " = "), **items = NULL;
	size_t count = 0;
	struct err tmp;
	int r = 0;

	if (eq == NULL)
		return 0;
	*eq = '\0';
	/* Caches (smtp_tls_session_cache_database, address_verify_map, ...) name
	 * a database Postfix writes itself; they are not tables an admin edits. */
	if (strstr(line, "_cache_database") || strcmp(line, "address_verify_map") == 0 ||
	    strcmp(line, "postscreen_cache_map") == 0)
		return 0;
	err_clear(&tmp);
	if (valid_list_split(eq + 3, &items, &count, &tmp) < 0)
		return 0;
	for (size_t i = 0; i < count && r == 0; i++) {
		char *type = NULL, *path = NULL, *item = items[i];
		struct err ign;

		err_clear(&ign);
		if (strchr(item, ':') == NULL || maps_split_spec(item, &type, &path, &ign) < 0)
			continue;
		if (has_type(types, type) || maps_kind(type) != MAP_UNKNOWN) {
			/* inline:{...} and static:x have no file */
			const char *p = (path[0] == '/') ? path : "";

			int secret = secrecy_param_holds_passwords(line) ||
				     (secret_vals->data && strstr(secret_vals->data, item));

			if (add_ref(refs, n, line, item, type, p, secret) < 0)
				r = err_set(e, ERR_NOMEM, "out of memory");
		}
		free(type);
		free(path);
	}
	valid_list_free(items);
	return r;
}

/* maps_refs - tables named by main.cf's effective settings. */
int maps_refs(struct target *t, struct map_ref **refs, size_t *count, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-x", "-n", NULL };
	struct buf types = BUF_INIT, secret_vals = BUF_INIT;
	struct run_out o;
	int r;

	*refs = NULL;
	*count = 0;
	if (host_types(t, &types, e) < 0) {
		buf_free(&types);
		return -1;
	}
	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTMAP_MS, e);
	if (r == 0 && password_values(o.out.data, &secret_vals) < 0)
		r = err_set(e, ERR_NOMEM, "out of memory");
	for (char *p = o.out.data; r == 0 && p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		r = refs_of_line(&types, &secret_vals, p, refs, count, e);
		p = nl ? nl + 1 : p + strlen(p);
	}
	run_out_free(&o);
	buf_free(&types);
	buf_free(&secret_vals);
	if (r < 0) {
		maps_refs_free(*refs, *count);
		*refs = NULL;
		*count = 0;
	}
	return r;
}

/* maps_refs_free - release a maps_refs list. */
void maps_refs_free(struct map_ref *refs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(refs[i].param);
		free(refs[i].spec);
		free(refs[i].type);
		free(refs[i].path);
	}
	free(refs);
}
