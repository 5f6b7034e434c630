/*
 * maincf - lossless model of Postfix's main.cf.
 *
 * maincf_parse keeps every byte: maincf_serialize of an unedited model
 * returns the input unchanged. Edits touch only the lines of the
 * definition they change. Parsing follows Postfix's readlline(): a
 * logical line starts with non-whitespace; a line starting with
 * whitespace continues it; comment lines (first non-blank is '#') and
 * blank lines are kept as they are. The last definition of a name wins,
 * as in Postfix.
 *
 * Values returned by maincf_get are as `postconf -n` prints them (the
 * logical line's value with continuation lines joined), unexpanded.
 *
 * Ownership: maincf_parse returns a model freed with maincf_free. Strings
 * returned by getters belong to the model and live until the next edit.
 */
#ifndef RELAYDECK_MAINCF_H
#define RELAYDECK_MAINCF_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct maincf;

/* maincf_parse - parse data (len bytes). path is used in error messages
 * only. Fails with ERR_PARSE naming path and line for input Postfix
 * would reject (a NUL byte, a logical line without '=', an empty name). */
struct maincf *maincf_parse(const char *path, const char *data, size_t len, struct err *e);
void maincf_free(struct maincf *m);

/* maincf_serialize - the file's bytes, reflecting edits, appended to out. */
int maincf_serialize(const struct maincf *m, struct buf *out);

/* maincf_copy - a new model of m's current bytes (edits included), for
 * a caller that edits without touching m; path names it in errors. */
struct maincf *maincf_copy(const struct maincf *m, const char *path, struct err *e);

/* maincf_get - effective (last) raw value of name, or NULL when not set. */
const char *maincf_get(const struct maincf *m, const char *name);

/* maincf_line - 1-based line where the effective definition starts, or 0. */
int maincf_line(const struct maincf *m, const char *name);

/* maincf_set - define name = value. The value the effective definition
 * already has (as postconf -n compares: split at blanks) changes no byte.
 * Otherwise the effective definition is edited in place (earlier, inert
 * duplicates are left alone) in its own layout: only the lines whose words
 * changed are rewritten, each keeping its indentation, the spacing around
 * '=', its trailing blanks and line ending; comment and blank lines
 * between continuation lines stay where they are; new lines take their
 * neighbours' indentation and the definition's style (one item per line,
 * an item ending at a comma when the value uses commas, else at each
 * word, a { ... } group whole; or a run of words on one line); a
 * definition on one line stays on one line. A new name is appended at the
 * end of the file: "name = value" when it fits in 80 columns (or is one
 * item), else "name =" and one item per line indented by four spaces.
 * Words are only ever split at whitespace, so postconf reports the value
 * set. The file's CRLF/LF style and a missing final newline are kept.
 * Leading and trailing whitespace of value is dropped. value must not
 * contain a newline or NUL: ERR_INVALID for a name that fails
 * maincf_name_ok or a value with control characters (\n, \r, ...; tab is
 * allowed). */
int maincf_set(struct maincf *m, const char *name, const char *value, struct err *e);

/* maincf_unset - remove every definition of name (like `postconf -X`):
 * their first and continuation lines; comment and blank lines among them
 * stay (a file without a final newline keeps it so). Returns 0 also when
 * name was not set. */
int maincf_unset(struct maincf *m, const char *name, struct err *e);

/* maincf_name_ok - 1 when name is [A-Za-z0-9_.-]+ (at most 256 bytes), the
 * names set/unset accept (service names like smtp-amavis make '-' and '.'
 * appear in per-service parameter names). */
int maincf_name_ok(const char *name);

/* maincf_names - sorted, distinct names explicitly set. *names is a
 * malloc'd array of pointers owned by the model; free the array only. */
int maincf_names(const struct maincf *m, const char ***names, size_t *count);

/* maincf_show - `postconf -n` output: "name = value\n", sorted by name
 * (strcmp), "name =\n" for an empty value. It prints every name set;
 * postconf -n also omits the names Postfix does not use ("unused
 * parameter"; only Postfix can say which: relaydeck's show takes the
 * names from the host's postconf -n), and with -c DIR adds
 * "config_directory = DIR" unless the file sets it. */
int maincf_show(const struct maincf *m, struct buf *out);

#endif
