/*
 * maps - Postfix lookup-table sources (the files behind generic,
 * sender_canonical, transport, sasl_passwd, header_checks, ...).
 *
 * Lossless like maincf: maps_parse keeps comments, blank lines,
 * continuation lines (a line starting with whitespace continues the
 * previous entry, as postmap reads them) and order; maps_serialize of an
 * unedited model gives back the input bytes. Edits touch only the lines
 * of the entry they change; new entries go at the end.
 *
 * Kinds of table (maps_kind of the type name):
 *   MAP_INDEXED  hash btree lmdb cdb dbm sdbm: "key value", need postmap
 *   MAP_TEXTHASH texthash: "key value", read as text, no postmap
 *   MAP_CIDR     cidr: "network/len result", ordered, no postmap
 *   MAP_REGEXP   regexp: "/pattern/flags result", ordered, no postmap;
 *                patterns compile with POSIX regcomp(REG_EXTENDED|
 *                REG_ICASE) unless flag 'i' toggles case, as Postfix does
 *   MAP_PCRE     pcre: the same form; checked by the host's Postfix
 *                (maps_check_pcre) because the library may differ
 * For regexp/pcre/cidr tables the entry key is the whole pattern
 * ("/^(.*)@localhost\.localdomain$/" with its flags); if/endif lines are
 * kept as structure, not entries.
 *
 * Validation (maps_parse, maps_set): a key with whitespace (indexed and
 * texthash), a missing or empty value, a line longer than MAPS_LINE_MAX,
 * non-UTF-8 bytes and a regexp that does not compile are errors with
 * path:line; duplicate keys are warnings (maps_warnings), because postmap
 * keeps the first and warns too.
 *
 * Ownership: maps_parse returns a model freed with maps_free; strings
 * from getters belong to the model and live until the next edit. Lists
 * from maps_refs are freed with maps_refs_free.
 */
#ifndef RELAYDECK_MAPS_H
#define RELAYDECK_MAPS_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

struct target;
struct changeset;
struct maps;

#define MAPS_LINE_MAX 4096	/* longest logical line we accept */

enum map_kind {
	MAP_UNKNOWN = 0,
	MAP_INDEXED,
	MAP_TEXTHASH,
	MAP_CIDR,
	MAP_REGEXP,
	MAP_PCRE,
	MAP_INLINE,		/* inline:{...} in main.cf: no file */
};

/* maps_kind - kind of a table type name ("hash", "regexp", ...). */
enum map_kind maps_kind(const char *type);

/* maps_parse - parse a table source of the given type (path for messages
 * and for staging). ERR_INVALID for an unknown or file-less type; ERR_PARSE
 * with path:line for a bad line. */
struct maps *maps_parse(const char *type, const char *path, const char *data, size_t len,
			struct err *e);

/* maps_parse_buf - maps_parse of b's bytes, which the model takes over
 * instead of copying them (b is left empty; a table may be 50 MB). */
struct maps *maps_parse_buf(const char *type, const char *path, struct buf *b, struct err *e);
void maps_free(struct maps *m);

/* maps_serialize - the file's bytes, reflecting edits, appended to out. */
int maps_serialize(const struct maps *m, struct buf *out);

const char *maps_type(const struct maps *m);
const char *maps_path(const struct maps *m);

/* One entry as postmap sees it: key and value with continuation lines
 * joined by a space, line is where it starts. */
struct map_entry {
	const char *key;
	const char *value;
	int line;
};

/* maps_count / maps_entry - entries in file order (comments not counted). */
size_t maps_count(const struct maps *m);
int maps_entry(const struct maps *m, size_t i, struct map_entry *out);

/* maps_get - value of the first entry with key (exact bytes), or NULL. */
const char *maps_get(const struct maps *m, const char *key);

/* maps_set - replace the value of the first entry with key, or append a
 * new entry ("key value"). For regexp/pcre/cidr key is the pattern. */
int maps_set(struct maps *m, const char *key, const char *value, struct err *e);

/* maps_insert - add an entry before index i (i >= count appends); for the
 * ordered tables (regexp, pcre, cidr) where position matters. */
int maps_insert(struct maps *m, size_t i, const char *key, const char *value, struct err *e);

/* maps_remove - remove every entry with key; ERR_NOTFOUND when none. */
int maps_remove(struct maps *m, const char *key, struct err *e);
/* maps_remove_at - remove entry i (with its continuation lines). */
int maps_remove_at(struct maps *m, size_t i, struct err *e);

/* maps_warnings - one "path:line: ..." line per duplicate key etc. */
int maps_warnings(const struct maps *m, struct buf *out);

/* maps_check_entry - validate one key/value for a kind; ERR_INVALID. */
int maps_check_entry(enum map_kind kind, const char *key, const char *value, struct err *e);

/* maps_check_pcre - ask the host's postmap whether a pcre pattern
 * ("/pattern/flags") compiles; ERR_INVALID with Postfix's reason, or
 * ERR_INVALID "pcre is not supported" when postconf -m lacks pcre. */
int maps_check_pcre(struct target *t, const char *pattern, struct err *e);

/* maps_stage - stage the model's bytes in cs: CS_POSTMAP for indexed
 * types with the model's type (type "" or NULL in maps_parse means the
 * host's default_database_type); flags adds CS_SECRET etc. mode is for a
 * new file. */
int maps_stage(struct changeset *cs, const struct maps *m, mode_t mode, unsigned flags,
	       struct err *e);

/* maps_query - the real `postmap -q KEY TYPE:PATH` (fold: `postmap -fq`).
 * *found is 1 with the value in out (newline trimmed), 0 when the key is
 * not in the table. ERR_RUN with postmap's message when the table is
 * unreadable or corrupt. */
int maps_query(struct target *t, const char *spec, const char *key, int fold,
	       struct buf *out, int *found, struct err *e);

/* A table main.cf refers to. */
struct map_ref {
	char *param;		/* "smtp_generic_maps" */
	char *spec;		/* "hash:/etc/postfix/generic" (expanded, proxy: dropped);
				 * a literal table of a password parameter, or of a
				 * parameter one reaches through $name, masked:
				 * "static:••••" (secrecy_mask_spec) */
	char *type;		/* "hash" */
	char *path;		/* "/etc/postfix/generic", "" for inline/no file */
};

/* maps_refs - every lookup table main.cf's effective settings name
 * (`postconf -x -n`), file-based or not, in parameter order. */
int maps_refs(struct target *t, struct map_ref **refs, size_t *count, struct err *e);
void maps_refs_free(struct map_ref *refs, size_t count);

/* One step of maps_try: how one parameter's tables treat the address. */
struct maps_try_step {
	const char *param;	/* "smtp_generic_maps" (static) */
	const char *what;	/* "generic (smtp client, on the way out)" (static) */
	char *input;		/* the address looked up at this step */
	int matched;
	char *table;		/* "hash:/etc/postfix/generic" when matched, else NULL */
	char *key;		/* the key that matched ("@example.com"), else NULL */
	char *result;		/* postmap's answer, else NULL */
};

/* maps_try - "try an address": canonical_maps, sender_canonical_maps,
 * sender_dependent_relayhost_maps, transport_maps and smtp_generic_maps
 * in the order Postfix applies them, each with the real postmap -q on
 * every table main.cf names (the key forms Postfix tries: address,
 * user@, @domain; for transport the domain, its parents and "*").
 * Canonical results feed the later sender steps; transport looks up the
 * address as typed. A result from a credentials table (secrecy_table) is
 * masked, "user:••••": the password never leaves maps_try. ERR_INVALID for an empty address or one with blanks;
 * postmap's errors as maps_query. *steps is freed with maps_try_free. */
int maps_try(struct target *t, const char *addr, struct maps_try_step **steps,
	     size_t *count, struct err *e);
void maps_try_free(struct maps_try_step *steps, size_t count);

/* maps_split_spec - "type:path" into type and path (malloc'd); proxy:
 * is dropped. ERR_INVALID for anything else. */
int maps_split_spec(const char *spec, char **type, char **path, struct err *e);

#endif
