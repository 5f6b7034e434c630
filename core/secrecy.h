/*
 * secrecy - what on a relay holds a secret, decided in one place.
 *
 * Tables: a table is secret when its file is one that a password
 * parameter names. Password parameters are smtp_sasl_password_maps,
 * lmtp_sasl_password_maps and any other *_password_maps (the only
 * parameters whose tables hold passwords in Postfix 3.7: `postconf -d |
 * grep -i passw`), as main.cf sets them (`postconf -n -x`) and as
 * master.cf overrides them per service (`postconf -P -x`: a
 * sender-dependent transport with its own -o smtp_sasl_password_maps).
 * Every entry of the list counts, proxy: stripped, the members of
 * unionmap:{...} and pipemap:{...} too; so does CONFIG_DIR/sasl_passwd,
 * where creds writes when main.cf names no table. "Same file" is decided
 * by identity, never by the path string: the device and inode of what
 * the path resolves to (target_stat follows links, so "//", "./", ".."
 * and symlinks all land on the same file), or, for a file that does not
 * exist yet, the identity of its directory and its name. A table is
 * also the files postmap builds from it (PATH.db, PATH.lmdb, ...; see
 * secrecy_compiled_suffixes): postmap -q hash:/x reads /x.db, so a /x
 * whose /x.db is a link to sasl_passwd.db is a credentials table too.
 *
 * Literal tables: static:, inline:{...} and randmap:{...} carry their
 * results in main.cf (or master.cf) itself, which every local user can
 * read. In a password parameter that puts the password there, so
 * secrecy_check_param refuses them; texthash:, hash:, lmdb: and the
 * other file types are fine (the file is 0600).
 *
 * main.cf lines: a parameter's value is secret when its name says so
 * (..._password, ..._passwd, ..._pw, ..._secret: an ldap:NAME table's
 * NAME_bind_pw, a mysql:NAME table's NAME_password) or when it is a
 * password parameter whose value holds a literal table. Diffs mask those
 * lines and every continuation line that belongs to them.
 *
 * Ownership: secrecy_load returns a set freed with secrecy_free.
 * Errors: whatever postconf and stat report through the target.
 */
#ifndef RELAYDECK_SECRECY_H
#define RELAYDECK_SECRECY_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct target;
struct maincf;
struct secrecy;

/* The mask that replaces a secret in everything relaydeck prints. */
#define SECRECY_MASK "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"	/* •••• */

/* The files postmap may build beside a table source PATH, as PATH plus one
 * of these (NULL-terminated): they hold what the source holds. */
extern const char *const secrecy_compiled_suffixes[];

/* The mask of a secret main.cf value where Postfix's own text quotes it
 * ("unused parameter: NAME=********"). */
#define SECRECY_MASK_PARAM "********"

/* secrecy_load - the identities of every secret table file on t. */
struct secrecy *secrecy_load(struct target *t, struct err *e);
void secrecy_free(struct secrecy *s);

/* secrecy_table - THE question every output path asks: 1 when path, or a
 * file built from it (PATH.db, ...), is one of the secret table files or
 * a file built from one (same identity), 0 when not, -1 with e set when
 * the path cannot be checked (then treat it as secret). */
int secrecy_table(struct secrecy *s, const char *path, struct err *e);

/* secrecy_count / secrecy_path - the secret table files, one path per
 * file (as the first parameter that names it spells it), for audits. */
size_t secrecy_count(const struct secrecy *s);
const char *secrecy_path(const struct secrecy *s, size_t i);

/* secrecy_table_path - secrecy_load + secrecy_table + secrecy_free for a
 * single question. */
int secrecy_table_path(struct target *t, const char *path, struct err *e);

/* secrecy_param_holds_passwords - 1 for a parameter whose tables hold
 * passwords (smtp_sasl_password_maps, lmtp_sasl_password_maps, ...). */
int secrecy_param_holds_passwords(const char *name);

/* secrecy_param_secret - 1 when the value of name, as written in main.cf,
 * must not be shown (see the file header). */
int secrecy_param_secret(const char *name, const char *value);

/* secrecy_literal_type - 1 for a table type whose results are written in
 * the reference itself (static, inline, randmap). */
int secrecy_literal_type(const char *type);

/* secrecy_check_param - ERR_INVALID when name is a password parameter and
 * value names a literal table anywhere in it (a list entry, a member of
 * unionmap:{...}, the text of ${name?{...}}, even in braces that do not
 * balance): the message names the parameter, the reason and the fix. 0
 * otherwise. */
int secrecy_check_param(const char *name, const char *value, struct err *e);

/* secrecy_check_maincf - secrecy_check_param on every password parameter
 * of after, with $name references expanded within after, when its
 * expanded value differs from before's (NULL: an empty main.cf); a
 * literal that was already there and is left alone is not refused here. */
int secrecy_check_maincf(const struct maincf *before, const struct maincf *after,
			 struct err *e);

/* secrecy_mask_value - "user:••••" for a "user:password" table value
 * ("••••" when it has no ':') into out. */
void secrecy_mask_value(const char *value, char *out, size_t n);

/* secrecy_mask_spec - a table reference that holds a password as it may
 * be printed: a literal table becomes "static:••••", "inline:{••••}";
 * anything else is copied. */
void secrecy_mask_spec(const char *spec, char *out, size_t n);

/* secrecy_mask_postfix_text - append text (Postfix's warnings) to out
 * with the value of every "NAME=VALUE" that Postfix quotes ("unused
 * parameter: NAME=VALUE", "overriding earlier entry: NAME=VALUE")
 * replaced by SECRECY_MASK_PARAM when secrecy_param_secret says so. -1 when out
 * is full. */
int secrecy_mask_postfix_text(const char *text, size_t len, struct buf *out);

/* secrecy_mask_postfix_msg - the same on a NUL-terminated message in place. */
void secrecy_mask_postfix_msg(char *msg, size_t size);

/* secrecy_maincf_lines - for diffs of main.cf: flags[i] = 1 for each of
 * the n lines of text (split at '\n') that belongs to a secret parameter
 * (its first line and every continuation line), else 0. */
void secrecy_maincf_lines(const char *text, size_t len, unsigned char *flags, size_t n);

#endif
